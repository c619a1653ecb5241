package field_test

import (
	"bytes"
	"testing"

	"github.com/cohortmpc/cohort/field"
)

func fuzzDecode[E any](f *testing.F, fl field.Field[E]) {
	size := fl.ElementSize()
	f.Add([]byte{})
	f.Add(make([]byte, size))
	f.Add(bytes.Repeat([]byte{0xff}, size))
	f.Add(bytes.Repeat([]byte{0xff}, 3*size+1))
	f.Add(fl.AppendEncode(nil, []E{fl.One(), fl.Neg(fl.One())}))
	f.Fuzz(func(t *testing.T, b []byte) {
		n := len(b) / size
		v := make([]E, n)
		err := fl.Decode(v, b)
		if len(b)%size != 0 {
			if err == nil {
				t.Fatalf("accepted %d bytes", len(b))
			}
			return
		}
		if err != nil {
			return
		}
		if enc := fl.AppendEncode(nil, v); !bytes.Equal(enc, b) {
			t.Fatalf("round trip: %x != %x", enc, b)
		}
		w := make([]E, n)
		if err := fl.Decode(w, fl.AppendEncode(nil, v)); err != nil {
			t.Fatal(err)
		}
	})
}

func FuzzDecodeM61(f *testing.F)  { fuzzDecode[field.M61](f, field.F61{}) }
func FuzzDecodeM127(f *testing.F) { fuzzDecode[field.M127](f, field.F127{}) }
