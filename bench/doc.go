// Package bench holds Cohort's scalability benchmarks. It has no API: its
// tests are the benchmarks of the whole assessment, and its commands
// produce the tables and the figure of BENCHMARKS.md.
//
//	go test -run '^$' -bench . ./bench                   # n = 3 … 250
//	go test -run '^$' -bench 'Assess/n=1000' ./bench     # n = 1000 only (minutes)
//	go test -run '^$' -bench . ./bench -large            # n = 3 … 1000
//	go run ./bench/cmd/table -md                         # the scaling table
//	bash bench/regen.sh                                  # everything in BENCHMARKS.md
//
// BenchmarkAssess runs [github.com/cohortmpc/cohort/assess.Simulate] (all
// parties in one process over an in-memory mesh) on the "mixed" synthetic
// inputs with seed 1, and reports per run: bytes sent by all parties
// (B-sent/op), by party 1 (B-party0/op, named after the thesis's party 0)
// and by the busiest party (B-party-max/op), messages, rounds, and the
// process's CPU time divided by n (cpu-s/party).
package bench
