package committee_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cohortmpc/cohort/committee"
)

// rawRequest sends one request to server j with cert as the client's key
// and returns the status and body.
func rawRequest(t testing.TB, h *harness, j int, cert tls.Certificate, method, path string, body []byte) (int, []byte) {
	t.Helper()
	cl := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{
		MinVersion: tls.VersionTLS13, Certificates: []tls.Certificate{cert}, InsecureSkipVerify: true,
	}}}
	defer cl.CloseIdleConnections()
	req, err := http.NewRequestWithContext(context.Background(), method, "https://"+h.c.Servers[j-1].API+path, bytes.NewReader(body))
	require.NoError(t, err)
	resp, err := cl.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, b
}

// submitRaw sends server j a valid submission of org, changed by edit.
func submitRaw(t testing.TB, h *harness, j int, org string, edit func(*committee.SubmitRequest)) (int, []byte) {
	t.Helper()
	shares, err := h.c.Assess.Submission(inputs(1)[0], h.c.M(), rand.Reader)
	require.NoError(t, err)
	req := committee.SubmitRequest{Campaign: h.c.ID, ConfigHash: h.c.HashHex(), Server: j, SubmissionID: "0123456789abcdef0123456789abcdef", Shares: shares[j-1]}
	edit(&req)
	body, err := json.Marshal(req)
	require.NoError(t, err)
	return rawRequest(t, h, j, h.orgKeys[org], "POST", committee.PathSubmission, body)
}

func decodeError(t testing.TB, body []byte) committee.ErrorResponse {
	t.Helper()
	var e committee.ErrorResponse
	require.NoError(t, json.Unmarshal(body, &e), "%s", body)
	return e
}

// storeContents is every server's stored submissions and state.
func storeContents(t testing.TB, h *harness) []any {
	t.Helper()
	var out []any
	for _, nd := range h.nodes {
		subs, err := nd.store.Submissions()
		require.NoError(t, err)
		st, err := nd.store.State()
		require.NoError(t, err)
		out = append(out, subs, st)
	}
	return out
}
