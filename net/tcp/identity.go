package tcp

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"
)

// GenerateIdentity creates a party identity: a fresh Ed25519 key and a
// self-signed certificate for it that does not expire, both PEM-encoded
// ("CERTIFICATE" and PKCS #8 "PRIVATE KEY"). Only the certificate's public
// key matters to this package; its names and dates are not checked.
func GenerateIdentity() (certPEM, keyPEM []byte, err error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("tcp: generating key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, nil, fmt.Errorf("tcp: generating serial number: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "cohort party"},
		NotBefore:    time.Now().Add(-time.Hour),
		// RFC 5280, 4.1.2.5: 99991231235959Z means "no well-defined expiration".
		NotAfter:              time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, priv)
	if err != nil {
		return nil, nil, fmt.Errorf("tcp: creating certificate: %w", err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, nil, fmt.Errorf("tcp: encoding key: %w", err)
	}
	certPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM = pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})
	return certPEM, keyPEM, nil
}

// LoadIdentity parses a PEM certificate and its private key, as made by
// [GenerateIdentity], into a certificate for [Config]. Leaf is set.
func LoadIdentity(certPEM, keyPEM []byte) (tls.Certificate, error) {
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("tcp: loading identity: %w", err)
	}
	if cert.Leaf == nil {
		if cert.Leaf, err = x509.ParseCertificate(cert.Certificate[0]); err != nil {
			return tls.Certificate{}, fmt.Errorf("tcp: loading identity: %w", err)
		}
	}
	return cert, nil
}

// Fingerprint returns the pin of a certificate's public key:
// "sha256:" followed by the lowercase hex SHA-256 of its
// SubjectPublicKeyInfo. Certificates that share a key share the pin.
func Fingerprint(cert *x509.Certificate) string {
	return fingerprintSPKI(cert.RawSubjectPublicKeyInfo)
}

func fingerprintSPKI(spki []byte) string {
	sum := sha256.Sum256(spki)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// FingerprintPEM returns the [Fingerprint] of the first certificate in
// certPEM.
func FingerprintPEM(certPEM []byte) (string, error) {
	for {
		var b *pem.Block
		b, certPEM = pem.Decode(certPEM)
		if b == nil {
			return "", errors.New("tcp: no PEM certificate found")
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		cert, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return "", fmt.Errorf("tcp: parsing certificate: %w", err)
		}
		return Fingerprint(cert), nil
	}
}

// parseFingerprint checks the form of a pin and returns it in canonical
// (lowercase) form.
func parseFingerprint(s string) (string, error) {
	h, ok := strings.CutPrefix(strings.ToLower(strings.TrimSpace(s)), "sha256:")
	if !ok || len(h) != 2*sha256.Size {
		return "", fmt.Errorf("fingerprint %q is not of the form sha256:<64 hex digits>", s)
	}
	if _, err := hex.DecodeString(h); err != nil {
		return "", fmt.Errorf("fingerprint %q is not of the form sha256:<64 hex digits>", s)
	}
	return "sha256:" + h, nil
}
