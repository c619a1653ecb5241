package committee

import (
	"time"
)

// The HTTPS interface's paths.
const (
	PathSubmission = "/v1/submission"
	PathStatus     = "/v1/status"
	PathResults    = "/v1/results"
	PathJoin       = "/v1/join"
)

// SubmitRequest is the body of POST /v1/submission: one organisation's
// shares for one server.
type SubmitRequest struct {
	// Campaign and ConfigHash (hex) name the campaign configuration the
	// shares were made for; a server of another configuration refuses
	// them.
	Campaign   string `json:"campaign"`
	ConfigHash string `json:"config_hash"`
	// Server is the id of the server the shares are for.
	Server int `json:"server"`
	// SubmissionID (32 hex digits) is random and the same at every
	// server: the servers count an organisation only when all of them
	// hold the same submission.
	SubmissionID string `json:"submission_id"`
	// Shares are the encoded shares ([assess.Config.Submission]), in
	// base64 in the JSON.
	Shares []byte `json:"shares"`
}

// SubmitResponse is the answer to an accepted submission.
type SubmitResponse struct {
	Org          string    `json:"org"`
	Server       int       `json:"server"`
	SubmissionID string    `json:"submission_id"`
	Received     time.Time `json:"received"`
	// Replaced is true when the submission replaced an earlier one of the
	// same organisation.
	Replaced bool `json:"replaced"`
}

// The states of a campaign at one server.
const (
	StateOpen   = "open"   // accepting submissions
	StateClosed = "closed" // submissions closed; computing, or waiting for the other servers
	StateDone   = "done"   // the results are there
	StateFailed = "failed" // the computation was refused or failed for good; Error says why
)

// StatusResponse is the answer to GET /v1/status.
type StatusResponse struct {
	Campaign   string    `json:"campaign"`
	ConfigHash string    `json:"config_hash"`
	Server     int       `json:"server"`
	Deadline   time.Time `json:"deadline"`
	Now        time.Time `json:"now"` // the server's clock
	State      string    `json:"state"`
	// Submissions is the number of organisations whose shares this server
	// holds.
	Submissions int        `json:"submissions"`
	ClosedAt    *time.Time `json:"closed_at,omitempty"`
	ClosedBy    string     `json:"closed_by,omitempty"` // "deadline" or "quorum"
	// Yours is the calling organisation's own submission at this server,
	// if any.
	Yours *SubmissionInfo `json:"yours,omitempty"`
	// Attempts counts the computation's attempts since the server started;
	// LastError is why the last one failed.
	Attempts  int    `json:"attempts,omitempty"`
	LastError string `json:"last_error,omitempty"`
	// Error is why the computation failed for good (state failed).
	Error string `json:"error,omitempty"`
	// Computation is what the computation cost this server (state done).
	Computation *Cost `json:"computation,omitempty"`
}

// Cost is what the computation cost one server, on the attempt that
// succeeded: from connected to the result, the bytes it sent to the other
// servers and the rounds.
type Cost struct {
	Seconds   float64 `json:"seconds"`
	BytesSent int64   `json:"bytes_sent"`
	Rounds    int64   `json:"rounds"`
}

// SubmissionInfo describes a stored submission.
type SubmissionInfo struct {
	SubmissionID string    `json:"submission_id"`
	Received     time.Time `json:"received"`
}

// ResultsResponse is the answer to GET /v1/results.
type ResultsResponse struct {
	Campaign   string  `json:"campaign"`
	ConfigHash string  `json:"config_hash"`
	Server     int     `json:"server"`
	State      string  `json:"state"`
	Result     *Result `json:"result,omitempty"` // state done
	Error      string  `json:"error,omitempty"`  // state failed
}

// Result is what the servers compute: the same at every server.
type Result struct {
	// Organisations is the number of organisations the results cover: those
	// whose submission reached every server.
	Organisations int    `json:"organisations"`
	Servers       int    `json:"servers"`
	Corruptible   int    `json:"corruptible"` // t_s = ⌊(m−1)/2⌋
	Threshold     int    `json:"threshold"`
	AlertLevel    int    `json:"alert_level"`
	Field         string `json:"field"`
	Security      string `json:"security"`
	Sum           int64  `json:"sum"`
	// Average is Sum / Organisations.
	Average   float64 `json:"average"`
	AtOrAbove int     `json:"at_or_above"`
	Alert     bool    `json:"alert"`
	Max       int64   `json:"max"`
	// SetHash (hex) digests the organisations and submissions the results
	// cover, in the order of the campaign file.
	SetHash string `json:"set_hash"`
}

// ErrorResponse is the body of every answer with a status of 400 or more.
type ErrorResponse struct {
	// Code is one of the codes below, for programs; Error is for people.
	Code  string `json:"code"`
	Error string `json:"error"`
}

// The error codes of [ErrorResponse].
const (
	CodeUnknownKey    = "unknown_key"    // 403: the client's key is not in the campaign
	CodeForbidden     = "forbidden"      // 403: the key may not do this
	CodeWrongCampaign = "wrong_campaign" // 409: shares for another campaign configuration
	CodeWrongServer   = "wrong_server"   // 400: shares for another server
	CodeMalformed     = "malformed"      // 400: the request cannot be read
	CodeTooLarge      = "too_large"      // 413: the request is larger than a submission can be
	CodeClosed        = "closed"         // 410: the deadline passed or the quorum was reached
	CodeNotFound      = "not_found"      // 404
	CodeMethod        = "method"         // 405
	CodeInternal      = "internal"       // 500: the store failed
)
