package peers

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"math/rand/v2"
	"sync"
)

// The inputs of every workload are generated once per process from fixed
// seeds, so every implementation verifies exactly the same keys, messages and
// signatures, in the same order, in every run.

// coldPool is the number of distinct keys the key=cold Verify workload cycles
// through: each key comes back only after 4096 other verifications, so a key
// cache of fewer entries never hits.
const coldPool = 4096

// sameKeyPool is the number of distinct messages signed by the one key of the
// key=repeated and Sign workloads (the largest same-key batch takes the first
// n of a larger pool, see samePool).
const sameKeyPool = 64

type item struct {
	priv ed25519.PrivateKey
	pub  ed25519.PublicKey
	msg  []byte
	sig  []byte
}

// seed returns the private-key seed of key number i (i = -1 is the key of the
// same-key workloads).
func seed(i int) []byte {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(int64(i)))
	s := sha256.Sum256(append([]byte("ronkms bench/peers key "), b[:]...))
	return s[:]
}

// message returns message number j of key i: 32 to 128 bytes from a PCG
// stream seeded by (i, j).
func message(i, j int) []byte {
	r := rand.New(rand.NewPCG(uint64(int64(i)), uint64(j)^0x9e3779b97f4a7c15))
	m := make([]byte, 32+r.IntN(97))
	for k := range m {
		m[k] = byte(r.Uint32())
	}
	return m
}

var pools struct {
	sync.Mutex
	distinct []item
	same     []item
	samePriv ed25519.PrivateKey
}

// distinctPool returns n items, item i signed by key i. Prefixes agree: the
// first 8 items of distinctPool(64) are distinctPool(8).
func distinctPool(n int) []item {
	pools.Lock()
	defer pools.Unlock()
	for i := len(pools.distinct); i < n; i++ {
		priv := ed25519.NewKeyFromSeed(seed(i))
		msg := message(i, 0)
		pools.distinct = append(pools.distinct, item{
			priv: priv,
			pub:  priv.Public().(ed25519.PublicKey),
			msg:  msg,
			sig:  ed25519.Sign(priv, msg),
		})
	}
	return pools.distinct[:n:n]
}

// samePool returns n items signed by one key, each with its own message.
func samePool(n int) []item {
	pools.Lock()
	defer pools.Unlock()
	if pools.samePriv == nil {
		pools.samePriv = ed25519.NewKeyFromSeed(seed(-1))
	}
	priv := pools.samePriv
	pub := priv.Public().(ed25519.PublicKey)
	for j := len(pools.same); j < n; j++ {
		msg := message(-1, j)
		pools.same = append(pools.same, item{priv: priv, pub: pub, msg: msg, sig: ed25519.Sign(priv, msg)})
	}
	return pools.same[:n:n]
}
