#!/usr/bin/env bash
# Regenerates the measurements, the tables of BENCHMARKS.md and the figure.
#
#   bash bench/regen.sh                      # n = 3 … 250 and 1000 (n = 1000 takes minutes and GBs)
#   bash bench/regen.sh 3,5,10,25,50,100,250 # without n = 1000
#
# Every n runs the bitwise maximum (the default), the tournament of version 1
# (n ≤ TOURNAMENT_MAX, default 1000), the generic path (n ≤ 100) and the
# malicious mode (n ≤ MALICIOUS_MAX, default 250); then both protocols over
# links with a 50 ms round trip and 100 Mbit/s uplinks at n = LATENCY_N
# (default 5,25,50,100; empty to skip), and one process per party over TLS
# (bench/multiprocess.sh; MULTIPROCESS=0 to skip).
#
# Run it on a quiet machine: times are wall-clock and CPU-bound.
# OPS_BENCHTIME sets -benchtime of the building-block benchmarks (default 200ms).
set -euo pipefail
cd "$(dirname "$0")/.."

ns=${1:-3,5,10,25,50,100,250,1000}

go test -run '^$' -bench . -benchtime "${OPS_BENCHTIME:-200ms}" ./ops | tee bench/ops-bench.txt
go run ./bench/cmd/table -n "$ns" -tournament-max "${TOURNAMENT_MAX:-1000}" -malicious-max "${MALICIOUS_MAX:-250}" \
	-latency-n "${LATENCY_N-5,25,50,100}" -json bench/results.json -csv bench/results.csv \
	-ops bench/ops-bench.txt -update BENCHMARKS.md
go run ./bench/cmd/plot -in bench/results.json -out bench/scaling.svg
if [ "${MULTIPROCESS:-1}" != 0 ]; then
	bash bench/multiprocess.sh
fi
