#!/usr/bin/env bash
# Runs a committee campaign on this machine with real processes: three
# servers (examples/server) on 127.0.0.1 and a load generator submitting
# for many organisations at once, then the faults.
#
#   bash examples/loadgen/run-local.sh [ORGS] [CONCURRENCY]
#       ORGS organisations (default 1000) submit, CONCURRENCY at a time
#       (default 64); server 2 is then killed (SIGKILL) and restarted, and
#       every server must still hold every submission; at the deadline the
#       servers compute, and the results are checked against the plaintext.
#   FAULT=compute bash examples/loadgen/run-local.sh [ORGS] [CONCURRENCY]
#       malicious mode, computing as soon as all have submitted (quorum);
#       server 3 is killed in the middle of the computation: the others
#       must stop naming it, and when it is restarted the servers compute
#       again from their stores.
#
# Prints the load figures (submissions per second, latency), the servers'
# peak memory and the computation's time. Everything stays on loopback;
# the servers are stopped at the end.
set -euo pipefail
orgs=${1:-1000}
conc=${2:-64}
fault=${FAULT:-restart}
cd "$(dirname "$0")/../.."

dir=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

go build -o "$dir/bin/" ./examples/server ./examples/loadgen
bin=$dir/bin
c=$dir/c
if [ "$fault" = compute ]; then
  "$bin/loadgen" -setup "$c" -orgs "$orgs" -deadline 1h -quorum "$orgs" -security malicious >/dev/null
else
  # Long enough for the submissions and the restart below.
  "$bin/loadgen" -setup "$c" -orgs "$orgs" -deadline "${DEADLINE:-40s}" >/dev/null
fi
q=(-config "$c/campaign.json" -keys "$c/orgs.pem")

start() { # start server $1
  "$bin/server" -config "$c/campaign.json" -id "$1" -key "$c/server$1.key" -store "$dir/server$1.db" \
    >>"$dir/server$1.out" 2>>"$dir/server$1.log" &
  pids[$1]=$!
}
cpu() { # CPU seconds (user + system) server $1 has used so far
  awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f s", ($14 + $15) / hz}' "/proc/${pids[$1]}/stat"
}
peak() { # peak resident memory of server $1, in MB
  awk '/VmHWM/ {printf "%.1f MB", $2/1024}' "/proc/${pids[$1]}/status"
}
status() { # state and submissions of every server
  "$bin/loadgen" "${q[@]}" -status | sed -E 's/.*"server":([0-9]+).*"state":"([a-z]+)","submissions":([0-9]+).*/server \1: \2, \3 submissions/'
}
wait_results() { # until every server has the results, checked against the plaintext
  for _ in $(seq 1 600); do
    if out=$("$bin/loadgen" "${q[@]}" -inputs "$c/inputs.csv" -results 2>/dev/null); then
      echo "$out"
      return 0
    fi
    sleep 0.2
  done
  echo "no results after 120 s" >&2
  return 1
}

for j in 1 2 3; do start "$j"; done
until "$bin/loadgen" "${q[@]}" -status >/dev/null 2>&1; do sleep 0.1; done

echo "== $orgs organisations submit to 3 servers, $conc at a time"
"$bin/loadgen" "${q[@]}" -inputs "$c/inputs.csv" -concurrency "$conc"
echo "peak memory after the submissions: server 1 $(peak 1), server 2 $(peak 2), server 3 $(peak 3)"
echo "CPU used by the servers so far: server 1 $(cpu 1), server 2 $(cpu 2), server 3 $(cpu 3)"

if [ "$fault" = compute ]; then
  echo "== server 3 is killed during the computation"
  until grep -q 'msg=computing' "$dir/server3.log"; do sleep 0.01; done
  kill -9 "${pids[3]}"
  wait "${pids[3]}" 2>/dev/null || true
  sleep 1
  "$bin/loadgen" "${q[@]}" -status | grep -o '"server":[12],.*"last_error":"[^"]*"' |
    sed -E 's/"server":([0-9]),.*"last_error":"(.*)"/server \1: \2/' | cut -c1-400 || true
  if ! grep -h 'computation failed' "$dir/server1.log" "$dir/server2.log" | head -2 | cut -c1-400 | grep .; then
    echo "(servers 1 and 2 report no failure: the computation was over before server 3 was killed; try more organisations)"
  fi
  echo "== server 3 restarted from its store"
  start 3
else
  echo "== server 2 is killed (SIGKILL) and restarted from its store"
  kill -9 "${pids[2]}"
  wait "${pids[2]}" 2>/dev/null || true
  start 2
  until "$bin/loadgen" "${q[@]}" -status >/dev/null 2>&1; do sleep 0.1; done
  status
  echo "== waiting for the deadline"
fi
wait_results
for j in 1 2 3; do
  "$bin/loadgen" "${q[@]}" -status | grep "\"server\":$j," |
    sed -E 's/.*"computation":\{"seconds":([0-9.e-]+),"bytes_sent":([0-9]+),"rounds":([0-9]+)\}.*/\1 \2 \3/' |
    awk -v j="$j" -v mem="$(peak "$j")" '{printf "server %d: computation %.3f s, %d bytes sent, %d rounds; peak memory %s\n", j, $1, $2, $3, mem}'
done
