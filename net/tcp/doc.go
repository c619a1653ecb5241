// Package tcp connects Cohort parties over TCP with mutual TLS 1.3.
//
// Every party has a long-term key and a self-signed certificate for it
// ([GenerateIdentity]). The session configuration lists every party's id,
// address and key fingerprint ([Fingerprint], "sha256:<hex>" of the
// certificate's SubjectPublicKeyInfo); parties authenticate each other by
// these pins, not by certificate authorities or names. A party's id is the
// one its pin is listed under, never a name in its certificate.
//
// [Connect] makes one connection per pair of parties: the lower id dials, the
// higher id accepts. It retries dialing until [Config].DialTimeout, so parties
// may start in any order, and logs the parties it still waits for, and why,
// every few seconds. After TLS 1.3 (no earlier version is accepted, no
// session is resumed), each side sends a hello with the protocol version,
// its id, n and [Config].SessionHash; a party whose key, claimed id, n or
// session hash does not match is refused, and the error names it. An
// unknown key at the address of a party being dialed may be another program
// that took its port: Connect warns and keeps trying until DialTimeout.
//
// # Limits
//
// What one peer can make a party hold is bounded. Before the handshake,
// each connection has [Config].HandshakeTimeout, and at most 64 more
// connections than there are parties that dial this one are in their
// handshake at once (the oldest is dropped). After it, messages are
// length-prefixed frames of at most [Config].MaxFrame bytes
// ([DefaultMaxFrame], derived from the largest message of package ops);
// at most [Config].MaxQueued bytes from one peer wait for Recv; heartbeats
// are empty frames. Idle connections carry heartbeats; a peer from which
// nothing arrives for [Config].Timeout, or whose frame of s bytes takes
// longer than Timeout + s/[MinRate], is considered dead.
//
// # Security
//
// The channels are authenticated and confidential against network attackers,
// as the protocols of package ops require (semi-honest parties, honest
// majority). The pins are the root of trust: distribute them out of band.
// Message sizes and timing are visible on the network.
//
// # Example
//
//	certPEM, keyPEM, _ := tcp.GenerateIdentity() // once per party; keep keyPEM secret
//	cert, _ := tcp.LoadIdentity(certPEM, keyPEM)
//	pin, _ := tcp.FingerprintPEM(certPEM)        // publish to the other parties
//	t, err := tcp.Connect(ctx, tcp.Config{
//		ID: 2,
//		Peers: []tcp.Peer{
//			{ID: 1, Addr: "10.0.0.1:7000", Fingerprint: pin1},
//			{ID: 2, Addr: "10.0.0.2:7000", Fingerprint: pin},
//			{ID: 3, Addr: "10.0.0.3:7000", Fingerprint: pin3},
//		},
//		Certificate: cert,
//		SessionHash: sessionHash,
//	})
//	// t.Send, t.Recv as for any [github.com/cohortmpc/cohort/net.Transport]; t.Close when done.
package tcp
