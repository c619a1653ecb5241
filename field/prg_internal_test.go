package field

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// patternBlock is a cipher.Block whose successive "encryptions" repeat a
// fixed pattern, so that a PRG over it reads the pattern over and over.
type patternBlock struct {
	pat []byte
	pos int
}

func (b *patternBlock) BlockSize() int          { return 16 }
func (b *patternBlock) Decrypt(dst, src []byte) { panic("unused") }
func (b *patternBlock) Encrypt(dst, src []byte) {
	for i := range 16 {
		dst[i] = b.pat[b.pos%len(b.pat)]
		b.pos++
	}
}

func patternPRG(pat []byte) *PRG { return &PRG{block: &patternBlock{pat: pat}, off: 16} }

// TestFillRejects checks that the in-place PRG path skips words equal to p
// exactly like the generic path.
func TestFillRejects(t *testing.T) {
	ones := []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	// Words: p (rejected), 5, p (rejected), 2^64−1 (masks to p: rejected), 9, ...
	pat := append(append([]byte{}, ones[:7]...), 0x1f)
	pat = append(pat, 5, 0, 0, 0, 0, 0, 0, 0)
	pat = append(pat, ones...)
	pat = append(pat, 9, 0, 0, 0, 0, 0, 0, 0)
	want := []M61{5, 9, 5, 9, 5, 9, 5}
	g := patternPRG(pat)
	got := make([]M61, len(want))
	g.fill61(got)
	require.Equal(t, want, got)

	pat127 := append(append([]byte{}, ones...), ones...)                       // masks to p
	pat127 = append(pat127, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80) // hi bit masked off
	g = patternPRG(pat127)
	got127 := make([]M127, 3)
	g.fill127(got127)
	require.Equal(t, []M127{{3, 0}, {3, 0}, {3, 0}}, got127)
}
