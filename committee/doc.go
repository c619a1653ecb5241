// Package committee runs Cohort's assessment in committee mode: many
// organisations submit shares of their inputs to m independent servers
// (m = 3, 5 or 7) and go offline; the servers compute the outputs among
// themselves (DESIGN-v2 §4). Organisations need no reachable host, no
// open port and no presence during the computation, and one that drops out
// excludes only itself.
//
// Who should not use it: a group whose members can all run a party and
// stay online (5 to 50 members of a sector group) has fewer parties to
// trust in all-party mode (package assess, examples/party). Committee mode
// moves the trust from the members to the servers: privacy holds only
// while at most t_s = ⌊(m−1)/2⌋ servers collude, so the servers must be run
// by independent operators; a committee drawn from the members does not
// inherit their honest majority.
//
// # Roles and guarantees
//
// An organisation ([Client.Submit]) makes Shamir shares of its input
// locally, with fresh random polynomials of degree t_s
// ([assess.Config.Submission]), and sends each server only its own shares
// over TLS 1.3, authenticating the server by its pinned key and itself by
// its own. Any t_s servers together with any number of organisations learn
// nothing from the shares (each server's are uniformly random), and in the
// end only the four outputs: sum and average of the scores, how many are
// at or above the threshold and whether that reaches the alert level, and
// the maximum. In semi-honest mode the servers follow the protocol; in
// malicious mode ("security": "malicious") the servers verify every
// submission's bits and relations (DESIGN-v2 §3.2) and each other's every
// step, and any deviation makes every honest server stop with an error
// before anything is opened. An organisation whose submission fails that
// verification is named, excluded, and the servers compute again without
// it: the verification precedes every opening, so nothing is revealed
// twice.
//
// An organisation counts only when every server holds the same submission
// of it (the same submission id): one that reached only some servers,
// or whose replacement reached only some, is excluded. The client reports
// this as a [*SubmitError]; submitting again before the deadline mends it.
//
// # The campaign file
//
// Every server and every organisation holds the same copy:
//
//	{
//	  "campaign": "2026-q1-sector-risk",
//	  "deadline": "2026-03-31T18:00:00Z",
//	  "quorum": 800,
//	  "servers": [
//	    {"id": 1, "api": "risk.alpha.example:8443", "mesh": "risk.alpha.example:7000", "fingerprint": "sha256:3b1f…"},
//	    {"id": 2, "api": "mpc.beta.example:443", "mesh": "mpc.beta.example:7000", "fingerprint": "sha256:9c0e…"},
//	    {"id": 3, "api": "gamma.example:8443", "mesh": "gamma.example:7001", "fingerprint": "sha256:d27a…"}
//	  ],
//	  "organisations": [
//	    {"id": "acme", "fingerprint": "sha256:41aa…"},
//	    {"id": "globex", "fingerprint": "sha256:0c9d…"}
//	  ],
//	  "threshold": 500,
//	  "alert_level": 20,
//	  "weights": {"cvss": 4, "critical": 2, "patch_delay": 2, "exposure": 2},
//	  "bounds": {"cvss": [0, 100], "critical": [0, 1000], "patch_delay": [0, 3650], "exposure": [0, 100]},
//	  "min_organisations": 5,
//	  "field": "auto",
//	  "security": "semi-honest",
//	  "timeout": "10m",
//	  "connect_timeout": "1m"
//	}
//
// "campaign" names the campaign (and separates the randomness of its
// computation); "deadline" is an RFC 3339 time: submissions are accepted
// while a server's clock is before it. "quorum", optional, closes a
// server's submissions as soon as it holds that many. "servers" lists an
// odd number from 3 to 15 of servers with their ids 1..m (each server's
// Shamir point), the host:port of their HTTPS interface ("api") and of
// their server-to-server connections ("mesh"), and the pin of their key
// (keygen's fingerprint; one key serves both). "organisations" lists every
// organisation allowed to submit, with an id (1..64 letters, digits, '.',
// '_' or '-') and the pin of its key. The assessment's entries mean what
// they mean in cohort.json (package internal/deploy), "min_organisations"
// being its "min_parties"; a left-out "alert_level" is the default for
// the number of organisations that take part. Of the output-privacy
// options, "max_bits" (a coarsened maximum), "maximum": "tournament" and
// "epsilon" (noise on sum and count, semi-honest only) apply; the servers
// add the noise, each from a secret kept in its store and the agreed set,
// so that a computation run again over the same organisations opens the
// same noisy outputs. "percentiles" and "step_bits" need organisations
// that answer during the computation and are refused. "timeout" bounds the
// computation and "connect_timeout" how long a server waits for the
// others before it tries again; both are local and not hashed. Unknown
// entries are errors.
//
// The organisations are listed rather than admitted by a rule because the
// minimum group size is what keeps the outputs from revealing one
// organisation's score: with open enrolment, whoever can create
// identities can fill a campaign with organisations whose inputs it knows,
// and the sum then gives away the one real organisation's score. Who is in
// a campaign is decided by people, before it starts, in the file that
// everyone checks.
//
// [Campaign.Hash] digests everything public: the campaign id, deadline
// and quorum, every server's id, addresses (in canonical form) and key,
// every organisation's id and key in file order, and the assessment's
// parameters with defaults applied ([assess.Resolved.Hash]). Organisations
// send it with every submission and servers refuse shares made for another
// hash; servers compare it when they connect to compute; a store keeps
// the hash it was created for and a server refuses to start on a store of
// another ([ErrOtherCampaign]). The program examples/server -check prints
// it for the operators and organisations to compare.
//
// # The HTTPS interface
//
// TLS 1.3 only, with a client certificate required: an organisation
// authenticates with its key, a server with its own. Requests are JSON,
// answers are JSON; an error answer has the status below and the body
// {"code": "…", "error": "…"} ([ErrorResponse]): the code for programs,
// the error, naming what was wrong, for people. Request bodies are bounded
// by the size of a submission, headers by 16 KiB, and every connection by
// timeouts (10 s for the headers, 30 s for a request and for its answer,
// 60 s idle).
//
//	POST /v1/submission   an organisation's shares for this server ([SubmitRequest] → [SubmitResponse])
//	GET  /v1/status       the campaign's state here, and the caller's own submission ([StatusResponse])
//	GET  /v1/results      the results, once computed ([ResultsResponse])
//	POST /v1/join         a server asks this one to compute again (202; servers only)
//
// A submission carries the campaign id and hash, the server's id, a random
// submission id (the same at every server) and the server's shares, in
// base64. It is refused with 403 unknown_key for a key that is not an
// organisation's of the campaign, 409 wrong_campaign for another campaign
// or hash, 400 wrong_server for another server's shares, 400 malformed
// for anything that does not decode to exactly one submission's field
// elements, 413 too_large for a body larger than a submission can be, and
// 410 closed after the deadline or the quorum. A refused submission
// changes nothing. An accepted one is on disk, synced, before the answer;
// it replaces the organisation's earlier one ("replaced": true).
//
// # Storage
//
// Each server keeps one bbolt file (mode 0600; a file that group or others
// may read is refused, and so is a file another process has open). Every
// change is one transaction, synced before it is acknowledged; concurrent
// submissions are committed together. Buckets:
//
//	meta         format, campaign id, config_hash, count of submissions,
//	             closed_at and closed_by (once closed), set (once agreed),
//	             outcome (JSON: the results, or why the computation was refused)
//	submissions  organisation id → version ‖ submission id (16) ‖ received (8, ns) ‖ shares
//	excluded     organisation id → why its submission failed its verification
//
// # The computation
//
// When a server's submissions close (the deadline on its clock, or the
// quorum), [Server.Run] connects it to the other servers over TCP with
// mutual TLS 1.3 (package net/tcp, the campaign hash as session hash).
// The servers exchange the lists of (organisation, submission id) they
// hold, take the entries that every list has, compare a hash of that set,
// and store it: from then on they compute on that set or not at all (so
// that outputs over two different sets, whose difference would reveal an
// organisation, are never opened), except that organisations failing
// their verification are removed. Below the minimum group the computation
// is refused for good, and so it is when a check fails without naming an
// organisation. Otherwise the servers run [assess.RunCommittee]: the
// score's bits, the threshold bit and the bitwise maximum of DESIGN-v2
// §3.4 on N values. A failure that another attempt may mend (a server that
// is down or went away) is reported with the servers that no longer
// answer, and the servers try again every few seconds; each keeps its
// results, and one that has them joins a computation that another server
// starts because it crashed before it stored its own.
//
// # Results
//
// [Client.Results] asks every server and accepts the results only when
// all report the same; otherwise a [*ResultsError] says which have none
// and which differ. With at most t_s dishonest servers, any m that agree
// include an honest one, and in malicious mode an honest server reports
// only correct results, so results that all m report are correct.
package committee
