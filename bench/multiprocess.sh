#!/usr/bin/env bash
# Measures the assessment with one process per party over TCP with mutual
# TLS on this machine (examples/party/run-local.sh), for both protocols of
# the maximum (the bitwise one also with 3 bits per step), and writes the table between the "multiprocess" markers of
# BENCHMARKS.md.
#
#   bash bench/multiprocess.sh            # N = 5, 25, 50, three runs each
#   bash bench/multiprocess.sh 5,25 2     # other N, two runs each
set -euo pipefail
cd "$(dirname "$0")/.."

ns=${1:-5,25,50}
runs=${2:-3}
table=$(mktemp)
trap 'rm -f "$table"' EXIT

{
	echo "| N | protocol | rounds | parties' wall time, $runs runs (s) | party 1 computing, $runs runs (s) |"
	echo "|---|---|---:|---|---|"
	for n in ${ns//,/ }; do
		for variant in "bitwise 1" "bitwise 3" "tournament 1"; do
			read -r maximum step <<<"$variant"
			walls=() computes=() rounds=""
			for ((r = 0; r < runs; r++)); do
				line=$(bash examples/party/run-local.sh "$n" "$maximum" "$step" | tail -n 1)
				walls+=("$(sed -n "s/.*parties' wall time \([0-9.]*\) s.*/\1/p" <<<"$line")")
				computes+=("$(sed -n 's/.*computed for \([0-9.]*\) s once connected.*/\1/p' <<<"$line")")
				rounds=$(sed -n 's/.* in \([0-9]*\) rounds;.*/\1/p' <<<"$line")
				echo "multiprocess: N=$n $maximum: $line" >&2
			done
			name=$maximum
			if ((step > 1)); then
				name="$maximum, $step bits per step"
			fi
			join() { local IFS=,; sed 's/,/, /g' <<<"$*"; }
			echo "| $n | $name | $rounds | $(join "${walls[@]}") | $(join "${computes[@]}") |"
		done
	done
} >"$table"

awk -v table="$table" '
	/<!-- begin multiprocess -->/ { print; while ((getline l < table) > 0) print l; skip = 1; next }
	/<!-- end multiprocess -->/ { skip = 0 }
	!skip { print }
' BENCHMARKS.md >BENCHMARKS.md.new
mv BENCHMARKS.md.new BENCHMARKS.md
echo "multiprocess: table written to BENCHMARKS.md" >&2
