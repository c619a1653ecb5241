package tcp

import (
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestIdentity(t *testing.T) {
	certPEM, keyPEM, err := GenerateIdentity()
	require.NoError(t, err)
	cert, err := LoadIdentity(certPEM, keyPEM)
	require.NoError(t, err)
	pin, err := FingerprintPEM(certPEM)
	require.NoError(t, err)
	require.Equal(t, Fingerprint(cert.Leaf), pin)
	require.True(t, strings.HasPrefix(pin, "sha256:"))
	require.Len(t, pin, len("sha256:")+64)
	require.True(t, cert.Leaf.NotAfter.After(time.Now().AddDate(100, 0, 0)))

	// Same key, new certificate: same pin.
	b, _ := pem.Decode(certPEM)
	leaf, err := x509.ParseCertificate(b.Bytes)
	require.NoError(t, err)
	require.Equal(t, pin, fingerprintSPKI(leaf.RawSubjectPublicKeyInfo))

	_, err = FingerprintPEM([]byte("junk"))
	require.ErrorContains(t, err, "tcp: no PEM certificate")
	_, err = LoadIdentity(certPEM, []byte("junk"))
	require.ErrorContains(t, err, "tcp: loading identity")

	other, _, err := GenerateIdentity()
	require.NoError(t, err)
	otherPin, err := FingerprintPEM(other)
	require.NoError(t, err)
	require.NotEqual(t, pin, otherPin)

	got, err := parseFingerprint(" SHA256:" + strings.ToUpper(pin[7:]))
	require.NoError(t, err)
	require.Equal(t, pin, got)
	for _, bad := range []string{"", "sha256:", "md5:" + pin[7:], pin + "00", pin[:len(pin)-1] + "g"} {
		_, err := parseFingerprint(bad)
		require.Error(t, err, bad)
	}
}

func TestConfigCheck(t *testing.T) {
	ids := identities()
	good := func() Config {
		return Config{
			ID: 2,
			Peers: []Peer{
				{ID: 1, Addr: "a:1", Fingerprint: ids[0].pin},
				{ID: 2, Addr: "a:2", Fingerprint: ids[1].pin},
				{ID: 3, Addr: "a:3", Fingerprint: ids[2].pin},
			},
			Certificate: ids[1].cert,
		}
	}
	s, err := good().check()
	require.NoError(t, err)
	require.Equal(t, 3, s.n)
	require.Equal(t, DefaultTimeout, s.Timeout)
	require.Equal(t, DefaultDialTimeout, s.DialTimeout)
	require.Equal(t, DefaultMaxFrame, s.MaxFrame)
	require.Equal(t, DefaultMaxQueued, s.MaxQueued)
	require.Equal(t, DefaultHandshakeTimeout, s.HandshakeTimeout)

	for _, tc := range []struct {
		mutate func(*Config)
		want   string
	}{
		{func(c *Config) { c.Peers = nil }, "tcp: no peers"},
		{func(c *Config) { c.ID = 4 }, "party id 4 outside 1..3"},
		{func(c *Config) { c.Peers[2].ID = 2 }, "party 2 listed twice"},
		{func(c *Config) { c.Peers[2].ID = 7 }, "peer id 7 outside 1..3"},
		{func(c *Config) { c.Peers[2].Fingerprint = ids[0].pin }, "parties 1 and 3 have the same fingerprint"},
		{func(c *Config) { c.Peers[0].Fingerprint = "x" }, "tcp: party 1: fingerprint \"x\""},
		{func(c *Config) { c.Peers[2].Addr = "" }, "party 3 has no address"},
		{func(c *Config) { c.Peers[1].Addr = "" }, "party 2 (this party) has no address"},
		{func(c *Config) { c.Certificate = ids[0].cert }, "own certificate (" + ids[0].pin + ") does not match the pin of party 2"},
		{func(c *Config) { c.Certificate.PrivateKey = nil }, "no certificate and key"},
		{func(c *Config) { c.MaxFrame = 1 << 31 }, "MaxFrame"},
		{func(c *Config) { c.MaxQueued = 1000 }, "MaxQueued 1000 is less than MaxFrame"},
	} {
		c := good()
		c.Peers = append([]Peer(nil), c.Peers...)
		tc.mutate(&c)
		_, err := c.check()
		require.ErrorContains(t, err, tc.want)
		require.True(t, strings.HasPrefix(err.Error(), "tcp: "), err.Error())
	}
}
