package committee

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestIntersect(t *testing.T) {
	id := func(b byte) SubmissionID { return SubmissionID{b} }
	a := []setEntry{{0, id(1)}, {1, id(1)}, {2, id(1)}, {3, id(1)}, {5, id(1)}}
	b := []setEntry{{0, id(1)}, {1, id(2)}, {2, id(1)}, {3, id(1)}, {4, id(1)}, {5, id(1)}}
	c := []setEntry{{0, id(1)}, {1, id(1)}, {2, id(1)}, {5, id(1)}}
	require.Equal(t, []setEntry{{0, id(1)}, {2, id(1)}, {5, id(1)}}, intersect([][]setEntry{a, b, c}))
	require.Equal(t, a, intersect([][]setEntry{a, a, a}))
	require.Empty(t, intersect([][]setEntry{a, nil, a}))
}

func TestSetEncoding(t *testing.T) {
	set := []setEntry{{0, SubmissionID{1, 2}}, {70000, SubmissionID{15: 9}}}
	back, err := decodeSet(encodeSet(set))
	require.NoError(t, err)
	require.Equal(t, set, back)
	_, err = decodeSet(make([]byte, 21))
	require.ErrorContains(t, err, "is not a list of 20-byte entries")
	// A list naming an organisation twice, or out of order, is refused.
	_, err = decodeSet(encodeSet([]setEntry{{3, SubmissionID{1}}, {3, SubmissionID{2}}}))
	require.ErrorContains(t, err, "entry 1 (organisation 3) does not follow organisation 3")
}

func FuzzDecodeSet(f *testing.F) {
	f.Add(encodeSet([]setEntry{{1, SubmissionID{1}}}))
	f.Add([]byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, data []byte) {
		set, err := decodeSet(data)
		if err != nil {
			return
		}
		require.Equal(t, data, encodeSet(set))
	})
}

func FuzzDecodeRecord(f *testing.F) {
	f.Add(encodeRecord(Submission{Org: "a", ID: SubmissionID{7}, Shares: []byte{1, 2, 3}}))
	f.Add([]byte{1})
	f.Fuzz(func(t *testing.T, data []byte) {
		sub, err := decodeRecord("a", data)
		if err != nil {
			return
		}
		require.Equal(t, data, encodeRecord(sub))
	})
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"campaign": "c", "deadline": "2030-01-01T00:00:00Z", "servers": [], "organisations": []}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`[`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data)
		if err != nil {
			return
		}
		// What parses is complete and marshals back to the same campaign.
		out, err := c.Marshal()
		require.NoError(t, err)
		c2, err := Parse(out)
		require.NoError(t, err)
		require.Equal(t, c.Hash(), c2.Hash())
	})
}
