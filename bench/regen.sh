#!/usr/bin/env bash
# Regenerates the measurements, the tables of BENCHMARKS.md and the figure.
#
#   bash bench/regen.sh                      # n = 3 … 250 and 1000 (n = 1000 takes minutes and GBs)
#   bash bench/regen.sh 3,5,10,25,50,100,250 # without n = 1000
#
# Run it on a quiet machine: times are wall-clock and CPU-bound.
# OPS_BENCHTIME sets -benchtime of the building-block benchmarks (default 200ms).
set -euo pipefail
cd "$(dirname "$0")/.."

ns=${1:-3,5,10,25,50,100,250,1000}

go test -run '^$' -bench . -benchtime "${OPS_BENCHTIME:-200ms}" ./ops | tee bench/ops-bench.txt
go run ./bench/cmd/table -n "$ns" -json bench/results.json -csv bench/results.csv \
	-ops bench/ops-bench.txt -update BENCHMARKS.md
go run ./bench/cmd/plot -in bench/results.json -out bench/scaling.svg
