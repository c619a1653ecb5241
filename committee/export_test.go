package committee

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"

	bolt "go.etcd.io/bbolt"

	"github.com/cohortmpc/cohort/field"
	"github.com/cohortmpc/cohort/share"
)

// ForgetOutcome removes the outcome from the store at path, as if the
// server had crashed before it stored it.
func ForgetOutcome(path string, c *Campaign) error {
	st, err := OpenStore(path, c)
	if err != nil {
		return err
	}
	defer st.Close()
	return st.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Delete(keyOutcome) })
}

// TamperOutcome changes the stored result at path.
func TamperOutcome(path string, c *Campaign, edit func(*Result)) error {
	st, err := OpenStore(path, c)
	if err != nil {
		return err
	}
	defer st.Close()
	s, err := st.State()
	if err != nil {
		return err
	}
	edit(s.Outcome.Result)
	data, err := json.Marshal(s.Outcome)
	if err != nil {
		return err
	}
	return st.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(keyOutcome, data) })
}

// PutAll stores new submissions in one transaction, for benchmarks that
// start from full stores.
func PutAll(st *Store, subs []Submission) error {
	return st.db.Update(func(tx *bolt.Tx) error {
		b, meta := tx.Bucket(bucketSubmissions), tx.Bucket(bucketMeta)
		for _, sub := range subs {
			if err := b.Put([]byte(sub.Org), encodeRecord(sub)); err != nil {
				return err
			}
		}
		return meta.Put(keyCount, binary.BigEndian.AppendUint64(nil, uint64(countOf(meta)+len(subs))))
	})
}

// SubmitNonBits submits a consistent sharing whose first "bit" is 2 (in
// M61).
func SubmitNonBits(ctx context.Context, cl *Client) (*Receipt, error) {
	f := field.F61{}
	m := cl.c.M()
	vals := make([]field.M61, cl.c.size)
	vals[0] = 2
	sh, err := share.DealVec(f, vals, (m-1)/2, m, rand.Reader)
	if err != nil {
		return nil, err
	}
	shares := make([][]byte, m)
	for j := range shares {
		shares[j] = f.AppendEncode(nil, sh[j])
	}
	var id SubmissionID
	rand.Read(id[:])
	return cl.send(ctx, id, shares)
}
