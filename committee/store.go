package committee

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// storeFormat names the layout of a store; a store of another format is
// refused.
const storeFormat = "cohort-committee-store/v1"

// Buckets and keys of a store (see the package documentation).
var (
	bucketMeta        = []byte("meta")
	bucketSubmissions = []byte("submissions")
	bucketExcluded    = []byte("excluded")

	keyFormat     = []byte("format")
	keyCampaign   = []byte("campaign")
	keyHash       = []byte("config_hash")
	keyCount      = []byte("count")
	keyClosedAt   = []byte("closed_at")
	keyClosedBy   = []byte("closed_by")
	keySet        = []byte("set")
	keyNoiseSeed  = []byte("noise_seed")
	keyOutcome    = []byte("outcome")
	recordVersion = byte(1)
)

// ErrOtherCampaign is returned by [OpenStore] for a store written under
// another campaign configuration.
var ErrOtherCampaign = errors.New("committee: the store belongs to another campaign configuration")

// SubmissionID identifies one submission of an organisation: the same
// random value at every server, so that the servers can tell that they
// hold shares of the same submission.
type SubmissionID [16]byte

func (id SubmissionID) String() string { return hex.EncodeToString(id[:]) }

// Submission is what a server stores of one organisation.
type Submission struct {
	Org      string
	ID       SubmissionID
	Received time.Time
	Shares   []byte
}

// Store is a server's persistent state: the submissions it accepted and
// the campaign's progress, in one bbolt file. Every change is one
// transaction, synced to disk before it is acknowledged.
type Store struct {
	db   *bolt.DB
	path string
}

// OpenStore opens the store at path for campaign c, creating it (mode
// 0600) when it does not exist. It refuses a file that group or others may
// access, a file that is not a regular file, a store that another process
// has open, and a store written under another campaign configuration
// ([ErrOtherCampaign]).
func OpenStore(path string, c *Campaign) (*Store, error) {
	if st, err := os.Lstat(path); err == nil {
		if !st.Mode().IsRegular() {
			return nil, fmt.Errorf("committee: store %s is not a regular file (%v)", path, st.Mode().Type())
		}
		if st.Mode().Perm()&0o077 != 0 {
			return nil, fmt.Errorf("committee: store %s has mode %v: it holds the organisations' shares and must be readable by its owner only (chmod 600)", path, st.Mode().Perm())
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("committee: %w", err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		if errors.Is(err, bolterrors.ErrTimeout) {
			return nil, fmt.Errorf("committee: store %s is in use by another process (is another server running on it?)", path)
		}
		return nil, fmt.Errorf("committee: opening store %s: %w", path, err)
	}
	// Concurrent submissions are committed together: a batch waits at
	// most this long for more, then syncs once for all of them.
	db.MaxBatchDelay = 2 * time.Millisecond
	s := &Store{db: db, path: path}
	hash := c.Hash()
	err = db.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			var err error
			if meta, err = tx.CreateBucket(bucketMeta); err != nil {
				return err
			}
			var seed [32]byte
			if _, err := rand.Read(seed[:]); err != nil {
				return fmt.Errorf("committee: drawing the store's noise seed: %w", err)
			}
			for _, kv := range [][2][]byte{{keyFormat, []byte(storeFormat)}, {keyCampaign, []byte(c.ID)}, {keyHash, hash[:]}, {keyNoiseSeed, seed[:]}} {
				if err := meta.Put(kv[0], kv[1]); err != nil {
					return err
				}
			}
		}
		if f := meta.Get(keyFormat); string(f) != storeFormat {
			return fmt.Errorf("committee: %s is not a store of this program (format %q, want %q)", path, f, storeFormat)
		}
		if h := meta.Get(keyHash); !bytes.Equal(h, hash[:]) {
			return fmt.Errorf("%w: %s was written for campaign %q with configuration hash %x, not for campaign %q with hash %x: "+
				"give each configuration its own store", ErrOtherCampaign, path, meta.Get(keyCampaign), h, c.ID, hash)
		}
		for _, b := range [][]byte{bucketSubmissions, bucketExcluded} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// noiseSeed is the secret this server draws its noise shares from (with the
// agreed set): kept in the store, so that running the computation again
// over the same organisations, after a crash or a failure late in it, adds
// the same noise and opens the same outputs.
func (s *Store) noiseSeed() ([32]byte, error) {
	var seed [32]byte
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketMeta).Get(keyNoiseSeed)
		if len(v) != len(seed) {
			return fmt.Errorf("committee: store %s has no noise seed", s.path)
		}
		copy(seed[:], v)
		return nil
	})
	return seed, err
}

// Close closes the store.
func (s *Store) Close() error { return s.db.Close() }

// Path is the store's file.
func (s *Store) Path() string { return s.path }

// ClosedError reports a submission that arrived after the server closed
// the campaign's submissions.
type ClosedError struct {
	At time.Time // when submissions closed
	By string    // "deadline" or "quorum"
}

func (e *ClosedError) Error() string {
	if e.By == "quorum" {
		return fmt.Sprintf("committee: submissions closed at %s, when the quorum was reached", e.At.UTC().Format(time.RFC3339))
	}
	return fmt.Sprintf("committee: submissions closed at the deadline, %s", e.At.UTC().Format(time.RFC3339))
}

// put stores sub, replacing the organisation's earlier submission, unless
// submissions are closed or now is at or past the deadline. When quorum is
// positive and the store then holds that many submissions, it closes them.
// It reports whether an earlier submission was replaced. Concurrent calls
// are committed together, in one synced transaction.
func (s *Store) put(sub Submission, deadline time.Time, quorum int) (replaced bool, err error) {
	rec := encodeRecord(sub)
	err = s.db.Batch(func(tx *bolt.Tx) error {
		replaced = false // Batch may call this more than once
		meta := tx.Bucket(bucketMeta)
		if closed := closedOf(meta); closed != nil {
			return closed
		}
		if !sub.Received.Before(deadline) {
			return &ClosedError{At: deadline, By: "deadline"}
		}
		subs := tx.Bucket(bucketSubmissions)
		replaced = subs.Get([]byte(sub.Org)) != nil
		if err := subs.Put([]byte(sub.Org), rec); err != nil {
			return err
		}
		if replaced {
			return nil
		}
		n := countOf(meta) + 1
		if err := meta.Put(keyCount, binary.BigEndian.AppendUint64(nil, uint64(n))); err != nil {
			return err
		}
		if quorum > 0 && n >= quorum {
			return closeIn(meta, sub.Received, "quorum")
		}
		return nil
	})
	return replaced, err
}

func countOf(meta *bolt.Bucket) int {
	if v := meta.Get(keyCount); len(v) == 8 {
		return int(binary.BigEndian.Uint64(v))
	}
	return 0
}

func closedOf(meta *bolt.Bucket) *ClosedError {
	v := meta.Get(keyClosedAt)
	if v == nil {
		return nil
	}
	at, _ := time.Parse(time.RFC3339Nano, string(v))
	return &ClosedError{At: at, By: string(meta.Get(keyClosedBy))}
}

func closeIn(meta *bolt.Bucket, at time.Time, by string) error {
	if meta.Get(keyClosedAt) != nil {
		return nil
	}
	if err := meta.Put(keyClosedAt, []byte(at.UTC().Format(time.RFC3339Nano))); err != nil {
		return err
	}
	return meta.Put(keyClosedBy, []byte(by))
}

// closeSubmissions closes the submissions (at the deadline); closing them
// again changes nothing.
func (s *Store) closeSubmissions(at time.Time, by string) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		return closeIn(tx.Bucket(bucketMeta), at, by)
	})
}

func encodeRecord(sub Submission) []byte {
	rec := make([]byte, 0, 1+16+8+len(sub.Shares))
	rec = append(rec, recordVersion)
	rec = append(rec, sub.ID[:]...)
	rec = binary.BigEndian.AppendUint64(rec, uint64(sub.Received.UnixNano()))
	return append(rec, sub.Shares...)
}

func decodeRecord(org string, v []byte) (Submission, error) {
	if len(v) < 1+16+8 || v[0] != recordVersion {
		return Submission{}, fmt.Errorf("committee: the stored submission of %s is damaged", org)
	}
	sub := Submission{Org: org, Shares: bytes.Clone(v[25:])}
	copy(sub.ID[:], v[1:17])
	sub.Received = time.Unix(0, int64(binary.BigEndian.Uint64(v[17:25])))
	return sub, nil
}

// Get returns the organisation's stored submission.
func (s *Store) Get(org string) (sub Submission, ok bool, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketSubmissions).Get([]byte(org))
		if v == nil {
			return nil
		}
		ok = true
		sub, err = decodeRecord(org, v)
		return err
	})
	return sub, ok, err
}

// Submissions returns every stored submission, in the order of the
// organisations' ids.
func (s *Store) Submissions() ([]Submission, error) {
	var out []Submission
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSubmissions).ForEach(func(k, v []byte) error {
			sub, err := decodeRecord(string(k), v)
			out = append(out, sub)
			return err
		})
	})
	return out, err
}

// setEntry is one organisation of the set the servers computed on: its
// index in the campaign file and the submission every server held.
type setEntry struct {
	Org int
	ID  SubmissionID
}

// State is a summary of a store.
type State struct {
	Submissions int
	Closed      *ClosedError // nil while submissions are open
	// Excluded maps organisations whose submission failed its
	// verification to the reason.
	Excluded map[string]string
	// Outcome is the computation's outcome, once there is one.
	Outcome *Outcome
}

// State reads the store's summary.
func (s *Store) State() (State, error) {
	var st State
	err := s.db.View(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		st.Submissions = countOf(meta)
		st.Closed = closedOf(meta)
		if v := meta.Get(keyOutcome); v != nil {
			st.Outcome = new(Outcome)
			if err := json.Unmarshal(v, st.Outcome); err != nil {
				return fmt.Errorf("committee: the stored outcome is damaged: %w", err)
			}
		}
		st.Excluded = map[string]string{}
		return tx.Bucket(bucketExcluded).ForEach(func(k, v []byte) error {
			st.Excluded[string(k)] = string(v)
			return nil
		})
	})
	return st, err
}

// agreedSet returns the set of organisations the servers agreed on, or
// nil before they agreed on one.
func (s *Store) agreedSet() (set []setEntry, err error) {
	err = s.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketMeta).Get(keySet); v != nil {
			set, err = decodeSet(v)
		}
		return err
	})
	return set, err
}

func encodeSet(set []setEntry) []byte {
	out := make([]byte, 0, len(set)*20)
	for _, e := range set {
		out = binary.BigEndian.AppendUint32(out, uint32(e.Org))
		out = append(out, e.ID[:]...)
	}
	return out
}

func decodeSet(v []byte) ([]setEntry, error) {
	if len(v)%20 != 0 {
		return nil, fmt.Errorf("a set of %d bytes is not a list of 20-byte entries", len(v))
	}
	set := make([]setEntry, len(v)/20)
	for i := range set {
		e := v[20*i:]
		set[i].Org = int(binary.BigEndian.Uint32(e))
		copy(set[i].ID[:], e[4:20])
		if i > 0 && set[i].Org <= set[i-1].Org {
			return nil, fmt.Errorf("entry %d (organisation %d) does not follow organisation %d: a list names each organisation once, in order", i, set[i].Org, set[i-1].Org)
		}
	}
	return set, nil
}

// pin records the set the servers agreed on; exclude, when not empty,
// records organisations whose submissions failed their verification in a
// run on the previous set (so that it shrinks only by them).
func (s *Store) pin(set []setEntry, exclude map[string]string) error {
	return s.db.Update(func(tx *bolt.Tx) error {
		ex := tx.Bucket(bucketExcluded)
		for org, why := range exclude {
			if err := ex.Put([]byte(org), []byte(why)); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketMeta).Put(keySet, encodeSet(set))
	})
}

// saveOutcome records the computation's outcome.
func (s *Store) saveOutcome(o *Outcome) error {
	data, err := json.Marshal(o)
	if err != nil {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keyOutcome, data)
	})
}
