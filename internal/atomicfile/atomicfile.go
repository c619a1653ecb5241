// Package atomicfile writes files so that a reader, or a crash, never sees
// half of one: the data goes to a temporary file in the same directory,
// which is synced and then linked or renamed into place. Nothing follows a
// symbolic link at the destination.
package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// File is one file of a set written by [WriteNew].
type File struct {
	Path string
	Data []byte
	Perm fs.FileMode
}

// ExistsError reports a destination that already exists.
type ExistsError struct{ Path string }

func (e *ExistsError) Error() string {
	return e.Path + " already exists: remove it first if you mean to replace it"
}

// Is makes an ExistsError match [fs.ErrExist].
func (e *ExistsError) Is(target error) bool { return target == fs.ErrExist }

// WriteNew writes the files, none of which may exist: all of them or, on
// any error, none (files it created are removed again). Each file's
// contents are synced before it appears under its name, and its directory
// after.
func WriteNew(files ...File) (err error) {
	for _, f := range files {
		if _, err := os.Lstat(f.Path); err == nil {
			return &ExistsError{f.Path}
		} else if !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	var temps, created []string
	defer func() {
		for _, t := range temps {
			os.Remove(t)
		}
		if err != nil {
			for _, c := range created {
				os.Remove(c)
			}
		}
	}()
	for _, f := range files {
		tmp, err := writeTemp(f)
		if err != nil {
			return err
		}
		temps = append(temps, tmp)
	}
	for i, f := range files {
		if err := os.Link(temps[i], f.Path); err != nil {
			if errors.Is(err, fs.ErrExist) {
				return &ExistsError{f.Path}
			}
			return err
		}
		created = append(created, f.Path)
	}
	return syncDirs(files)
}

// Replace writes one file, replacing what is at its path: nothing, or a
// regular file. It refuses anything else there (a symbolic link, a
// directory), so it never writes through a link.
func Replace(f File) error {
	if st, err := os.Lstat(f.Path); err == nil && !st.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file (%v): not replaced", f.Path, st.Mode().Type())
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	tmp, err := writeTemp(f)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, f.Path); err != nil {
		os.Remove(tmp)
		return err
	}
	return syncDirs([]File{f})
}

// writeTemp writes f's data to a new temporary file beside f.Path, syncs
// it and returns its name.
func writeTemp(f File) (string, error) {
	t, err := os.CreateTemp(filepath.Dir(f.Path), "."+filepath.Base(f.Path)+".tmp-*")
	if err != nil {
		return "", err
	}
	name := t.Name()
	err = t.Chmod(f.Perm)
	if err == nil {
		_, err = t.Write(f.Data)
	}
	if err == nil {
		err = t.Sync()
	}
	if cerr := t.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		return "", err
	}
	return name, nil
}

// syncDirs syncs the directories of files, so that their new entries
// survive a crash.
func syncDirs(files []File) error {
	done := map[string]bool{}
	for _, f := range files {
		dir := filepath.Dir(f.Path)
		if done[dir] {
			continue
		}
		done[dir] = true
		d, err := os.Open(dir)
		if err != nil {
			return err
		}
		err = d.Sync()
		d.Close()
		if err != nil {
			return fmt.Errorf("syncing %s: %w", dir, err)
		}
	}
	return nil
}
