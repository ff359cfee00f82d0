package ed25519_test

import (
	"bytes"
	"encoding/hex"
	"fmt"

	"github.com/ronkms/ronkms/ed25519"
)

// Signing and verifying, exactly as with crypto/ed25519.
func Example() {
	// A fixed seed keeps the example deterministic; use GenerateKey(nil) in
	// real code.
	seed := bytes.Repeat([]byte{0x42}, ed25519.SeedSize)
	priv := ed25519.NewKeyFromSeed(seed)
	pub := priv.Public().(ed25519.PublicKey)

	msg := []byte("hello, ronkms")
	sig := ed25519.Sign(priv, msg)

	fmt.Println("signature bytes:", len(sig))
	fmt.Println("Verify:", ed25519.Verify(pub, msg, sig))
	fmt.Println("VerifyStrict:", ed25519.VerifyStrict(pub, msg, sig))
	fmt.Println("VerifyZIP215:", ed25519.VerifyZIP215(pub, msg, sig))
	fmt.Println("Verify, other message:", ed25519.Verify(pub, []byte("hello, world"), sig))
	// Output:
	// signature bytes: 64
	// Verify: true
	// VerifyStrict: true
	// VerifyZIP215: true
	// Verify, other message: false
}

// VerifyStrict rejects small-order public keys, which crypto/ed25519's rules
// accept: under the identity point as public key, the signature R = identity,
// s = 0 "verifies" for every message.
func ExampleVerifyStrict() {
	identity := make([]byte, 32)
	identity[0] = 1 // the encoding of the identity point (0, 1)
	sig := append(bytes.Clone(identity), make([]byte, 32)...)

	for _, msg := range []string{"pay Alice", "pay Mallory"} {
		fmt.Printf("%s: Verify %v, VerifyStrict %v, VerifyZIP215 %v\n", msg,
			ed25519.Verify(identity, []byte(msg), sig),
			ed25519.VerifyStrict(identity, []byte(msg), sig),
			ed25519.VerifyZIP215(identity, []byte(msg), sig))
	}
	// Output:
	// pay Alice: Verify true, VerifyStrict false, VerifyZIP215 true
	// pay Mallory: Verify true, VerifyStrict false, VerifyZIP215 true
}

// VerifyZIP215 checks the cofactored equation [8][s]B = [8]R + [8][k]A, which
// ignores small-order components: here R is a point of order 8, so only ZIP215
// accepts, while Strict (and crypto/ed25519) reject.
func ExampleVerifyZIP215() {
	identity := make([]byte, 32)
	identity[0] = 1
	order8, _ := hex.DecodeString("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05")
	sig := append(order8, make([]byte, 32)...) // R = a point of order 8, s = 0

	msg := []byte("Zcash")
	fmt.Println("Verify:", ed25519.Verify(identity, msg, sig))
	fmt.Println("VerifyStrict:", ed25519.VerifyStrict(identity, msg, sig))
	fmt.Println("VerifyZIP215:", ed25519.VerifyZIP215(identity, msg, sig))
	// Output:
	// Verify: false
	// VerifyStrict: false
	// VerifyZIP215: true
}

// A service that verifies many signatures under a few known keys (an
// issuer's tokens, a peer's messages) decodes each key once.
func ExampleNewVerifyingKey() {
	seed := bytes.Repeat([]byte{0x43}, ed25519.SeedSize)
	priv := ed25519.NewKeyFromSeed(seed)
	pub := priv.Public().(ed25519.PublicKey)

	issuer, err := ed25519.NewVerifyingKey(pub) // once, when the key is configured
	if err != nil {
		panic(err)
	}
	for _, token := range []string{"token 1", "token 2"} {
		sig := ed25519.Sign(priv, []byte(token))
		fmt.Println(token, issuer.Verify([]byte(token), sig), issuer.VerifyWithRules(ed25519.Strict, []byte(token), sig))
	}
	fmt.Println("tampered", issuer.Verify([]byte("token 3"), ed25519.Sign(priv, []byte("token 1"))))

	_, err = ed25519.NewVerifyingKey(pub[:31])
	fmt.Println(err)
	// Output:
	// token 1 true true
	// token 2 true true
	// tampered false
	// ed25519: bad public key: public key is not 32 bytes long
}
