#!/usr/bin/env bash
# Runs a local trial of a Cohort deployment: N party processes on 127.0.0.1,
# each with its own key, configuration entry and input file, and checks that
# they all print the same result, equal to the plaintext computation.
#
# Usage: bash examples/party/run-local.sh N [bitwise|tournament [STEP_BITS]]
#        (from the repository root; N >= 5; the maximum is found bit by bit by
#        default, STEP_BITS (1 to 4) bits per step, or with the tournament of
#        secure comparisons)
set -euo pipefail

n="${1:-5}"
maximum="${2:-bitwise}"
step="${3:-1}"
if ! [[ "$n" =~ ^[0-9]+$ ]] || (( n < 5 )) || [[ "$maximum" != bitwise && "$maximum" != tournament ]] ||
	! [[ "$step" =~ ^[1-4]$ ]] || [[ "$maximum" == tournament && "$step" != 1 ]]; then
	echo "usage: $0 N [bitwise|tournament [STEP_BITS]]   (number of parties, at least 5; 1 to 4 bits per step, bitwise only)" >&2
	exit 2
fi

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/cohort-local.XXXXXX")"
pids=()
cleanup() {
	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Build once, so that the timings below are of runs, not compiles.
(cd "$root" && go build -o "$work/bin/" ./examples/keygen ./examples/party ./examples/simulate)

# Keys and configuration (keygen picks free ports on 127.0.0.1), and the
# synthetic inputs with their plaintext result.
"$work/bin/keygen" -n "$n" -host 127.0.0.1 -out "$work/keys" >/dev/null
# The protocol of the maximum is part of the shared configuration.
sed -i.orig "s/^  \"session\": /  \"maximum\": \"$maximum\",\n  \"step_bits\": $step,\n  \"session\": /" "$work/keys/cohort.json"
"$work/bin/simulate" -n "$n" -write-inputs "$work/inputs" -json >"$work/simulate.json"

# metrics prints the five outputs of a JSON report, "sum" through "max"
# (the first occurrence: the computed result, not "expected").
metrics() {
	grep -o '"sum":[^}]*"max":-\{0,1\}[0-9]*' "$1" | head -n 1
}
expected="$(grep -o '"expected":{[^}]*}' "$work/simulate.json" | sed 's/^"expected":{//; s/}$//')"
expected_nt="$(grep -o '^{"n":[0-9]*,"corruptible":[0-9]*' "$work/simulate.json")"

start=$(date +%s.%N)
for ((i = 1; i <= n; i++)); do
	# MP-SPDZ input files are numbered from P0; party ids from 1.
	"$work/bin/party" -config "$work/keys/cohort.json" -id "$i" -key "$work/keys/party$i.key" \
		-input "$work/inputs/Input-P$((i - 1))-0" -json >"$work/out$i.json" 2>"$work/err$i.log" &
	pids+=("$!")
done
failed=0
for ((i = 1; i <= n; i++)); do
	if ! wait "${pids[$((i - 1))]}"; then
		echo "party $i failed:" >&2
		sed 's/^/  /' "$work/err$i.log" >&2
		failed=1
	fi
done
pids=()
end=$(date +%s.%N)
if ((failed)); then
	exit 1
fi

for ((i = 1; i <= n; i++)); do
	got="$(metrics "$work/out$i.json")"
	got_nt="$(grep -o '^{"n":[0-9]*,"corruptible":[0-9]*' "$work/out$i.json")"
	if [[ "$got" != "$expected" || "$got_nt" != "$expected_nt" ]]; then
		echo "MISMATCH: party $i computed $got_nt,$got}; the plaintext computation gives $expected_nt,$expected}" >&2
		exit 1
	fi
done
rounds="$(grep -o '"rounds":[0-9]*' "$work/out1.json" | cut -d: -f2)"
secs="$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')"
pretty="$(sed 's/"//g; s/:/ /g; s/,/, /g' <<<"$expected")"
compute="$(grep -o '"seconds":[0-9.]*' "$work/out1.json" | cut -d: -f2)"
label="$maximum maximum"
if ((step > 1)); then
	label="$label, $step bits per step"
fi
echo "ok: $n parties on 127.0.0.1 ($label) computed the same result as the plaintext computation ($pretty) in $rounds rounds; parties' wall time $secs s (party 1 computed for $(printf %.2f "$compute") s once connected)"
