package atomicfile

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

func TestWriteNew(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	require.NoError(t, WriteNew(File{a, []byte("A"), 0o600}, File{b, []byte("B"), 0o644}))
	got, err := os.ReadFile(a)
	require.NoError(t, err)
	require.Equal(t, "A", string(got))
	st, err := os.Stat(a)
	require.NoError(t, err)
	require.Equal(t, fs.FileMode(0o600), st.Mode().Perm())
	require.Equal(t, []string{"a", "b"}, names(t, dir))

	// All or nothing: c is not written because b exists.
	c := filepath.Join(dir, "c")
	err = WriteNew(File{c, []byte("C"), 0o600}, File{b, []byte("new"), 0o644})
	require.ErrorIs(t, err, fs.ErrExist)
	require.EqualError(t, err, b+" already exists: remove it first if you mean to replace it")
	require.Equal(t, []string{"a", "b"}, names(t, dir))
	got, err = os.ReadFile(b)
	require.NoError(t, err)
	require.Equal(t, "B", string(got))

	// A dangling symbolic link counts as existing and is not followed.
	outside := filepath.Join(t.TempDir(), "target")
	require.NoError(t, os.Symlink(outside, c))
	require.ErrorIs(t, WriteNew(File{c, []byte("C"), 0o600}), fs.ErrExist)
	_, err = os.Stat(outside)
	require.ErrorIs(t, err, fs.ErrNotExist)

	// A failure after some files were created removes them.
	d := filepath.Join(dir, "d")
	err = WriteNew(File{d, []byte("D"), 0o600}, File{filepath.Join(dir, "nodir", "e"), nil, 0o600})
	require.Error(t, err)
	require.Equal(t, []string{"a", "b", "c"}, names(t, dir))
}

func TestReplace(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a")
	require.NoError(t, Replace(File{a, []byte("1"), 0o644}))
	require.NoError(t, Replace(File{a, []byte("2"), 0o644}))
	got, err := os.ReadFile(a)
	require.NoError(t, err)
	require.Equal(t, "2", string(got))

	outside := filepath.Join(t.TempDir(), "target")
	require.NoError(t, os.WriteFile(outside, []byte("theirs"), 0o644))
	link := filepath.Join(dir, "link")
	require.NoError(t, os.Symlink(outside, link))
	require.ErrorContains(t, Replace(File{link, []byte("mine"), 0o644}), "is not a regular file")
	got, err = os.ReadFile(outside)
	require.NoError(t, err)
	require.Equal(t, "theirs", string(got))
	require.Equal(t, []string{"a", "link"}, names(t, dir))
}
