// Package benchdata makes the deterministic signed inputs that the
// benchmarks (bench_test.go) and the ronkms bench command measure: honest
// signatures by crypto/ed25519, valid under every mode.
package benchdata

import (
	stded25519 "crypto/ed25519"
	"math/rand/v2"

	"github.com/ronkms/ronkms/ed25519"
)

// Set is n signed messages.
type Set struct {
	Privs []ed25519.PrivateKey
	Pubs  []ed25519.PublicKey
	Msgs  [][]byte
	Sigs  [][]byte
}

// New signs n random messages of msgLen bytes with crypto/ed25519, under one
// key if sameKey, else under n distinct keys. Keys and messages come from a
// ChaCha8 stream seeded with seed, so equal arguments give equal sets.
func New(seed [32]byte, sameKey bool, n, msgLen int) *Set {
	rng := rand.NewChaCha8(seed)
	s := &Set{}
	var priv ed25519.PrivateKey
	for i := range n {
		if i == 0 || !sameKey {
			var keySeed [ed25519.SeedSize]byte
			rng.Read(keySeed[:])
			priv = stded25519.NewKeyFromSeed(keySeed[:])
		}
		msg := make([]byte, msgLen)
		rng.Read(msg)
		s.Privs = append(s.Privs, priv)
		s.Pubs = append(s.Pubs, priv.Public().(ed25519.PublicKey))
		s.Msgs = append(s.Msgs, msg)
		s.Sigs = append(s.Sigs, stded25519.Sign(priv, msg))
	}
	return s
}
