package ronkms_test

import (
	"bytes"
	"fmt"

	"github.com/ronkms/ronkms"
	"github.com/ronkms/ronkms/ed25519"
)

func ExampleVerifyBatch() {
	// Two signers; in real use the keys come from elsewhere.
	alice := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, ed25519.SeedSize))
	bob := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{2}, ed25519.SeedSize))
	alicePub := alice.Public().(ed25519.PublicKey)
	bobPub := bob.Public().(ed25519.PublicKey)

	pubs := []ed25519.PublicKey{alicePub, bobPub, alicePub}
	msgs := [][]byte{[]byte("pay 10"), []byte("pay 20"), []byte("pay 30")}
	sigs := [][]byte{
		ed25519.Sign(alice, msgs[0]),
		ed25519.Sign(alice, msgs[1]), // signed by the wrong key
		ed25519.Sign(alice, msgs[2]),
	}

	allValid, valid := ronkms.VerifyBatch(ed25519.Strict, pubs, msgs, sigs)
	fmt.Println("all valid:", allValid)
	for i, ok := range valid {
		fmt.Printf("%d %q: %v\n", i, msgs[i], ok)
	}
	// Output:
	// all valid: false
	// 0 "pay 10": true
	// 1 "pay 20": false
	// 2 "pay 30": true
}

func ExampleBatchVerifier() {
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))
	pub := priv.Public().(ed25519.PublicKey)

	v := ronkms.NewBatchVerifier(ed25519.ZIP215, ronkms.WithWorkers(2))
	for batch := range 2 {
		v.Reset() // reuse the verifier's memory for each batch
		for i := range 4 {
			msg := fmt.Appendf(nil, "batch %d message %d", batch, i)
			sig := ed25519.Sign(priv, msg)
			if batch == 1 && i == 2 {
				sig[0] ^= 1 // corrupt one signature
			}
			// Add copies what it needs: msg and sig may be reused at once.
			v.Add(pub, msg, sig)
		}
		allValid, valid := v.Verify()
		fmt.Println(v.Len(), allValid, valid)
	}
	// Output:
	// 4 true [true true true true]
	// 4 false [true true false true]
}

func ExampleWithKeyCache() {
	// Tokens from three issuers, verified batch after batch: the cache keeps
	// each issuer's decoded key (and, under Strict, its subgroup test).
	var issuers []ed25519.PrivateKey
	for i := range 3 {
		issuers = append(issuers, ed25519.NewKeyFromSeed(bytes.Repeat([]byte{byte(10 + i)}, ed25519.SeedSize)))
	}
	keys := ronkms.NewKeyCache(0) // the default size; share it among verifiers
	v := ronkms.NewBatchVerifier(ed25519.Strict, ronkms.WithKeyCache(keys))
	for batch := range 2 {
		v.Reset()
		for i := range 6 {
			priv := issuers[i%len(issuers)]
			msg := fmt.Appendf(nil, "token %d.%d", batch, i)
			v.Add(priv.Public().(ed25519.PublicKey), msg, ed25519.Sign(priv, msg))
		}
		allValid, _ := v.Verify()
		fmt.Println("batch", batch, "all valid:", allValid)
	}
	// Output:
	// batch 0 all valid: true
	// batch 1 all valid: true
}
