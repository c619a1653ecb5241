package committee_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cohortmpc/cohort/committee"
)

func TestStoreFile(t *testing.T) {
	h := newHarness(t, 3, 5, nil)
	path := filepath.Join(t.TempDir(), "server.db")
	st, err := committee.OpenStore(path, h.c)
	require.NoError(t, err)
	fi, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())

	// Another process (or server) on the same store is refused.
	_, err = committee.OpenStore(path, h.c)
	require.ErrorContains(t, err, "is in use by another process")
	require.NoError(t, st.Close())

	// A store others may read is refused, and so is a link.
	require.NoError(t, os.Chmod(path, 0o640))
	_, err = committee.OpenStore(path, h.c)
	require.ErrorContains(t, err, "has mode -rw-r-----: it holds the organisations' shares and must be readable by its owner only")
	require.NoError(t, os.Chmod(path, 0o600))
	link := filepath.Join(t.TempDir(), "link.db")
	require.NoError(t, os.Symlink(path, link))
	_, err = committee.OpenStore(link, h.c)
	require.ErrorContains(t, err, "is not a regular file")

	// Something that is not a store is refused.
	junk := filepath.Join(t.TempDir(), "junk.db")
	require.NoError(t, os.WriteFile(junk, []byte("not a database at all, but long enough to be read as one"), 0o600))
	_, err = committee.OpenStore(junk, h.c)
	require.Error(t, err)
}

func TestStoreReplaceCountsOnce(t *testing.T) {
	h := newHarness(t, 3, 5, nil)
	h.startAll()
	in := inputs(5)
	cl := h.client("org1")
	for range 3 {
		_, err := cl.Submit(context.Background(), in[0])
		require.NoError(t, err)
	}
	for _, nd := range h.nodes {
		st, err := nd.store.State()
		require.NoError(t, err)
		require.Equal(t, 1, st.Submissions)
		subs, err := nd.store.Submissions()
		require.NoError(t, err)
		require.Len(t, subs, 1)
		require.Equal(t, "org1", subs[0].Org)
		require.Len(t, subs[0].Shares, h.c.SubmissionBytes())
	}
}
