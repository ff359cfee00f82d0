package server

import (
	"encoding/json"
	"math/rand/v2"
	"testing"

	"github.com/ronkms/ronkms/ed25519"
)

// batchBody4096 is a JSON batch body of 4096 items (the default item limit)
// with 64-byte messages, as loadgen sends them.
func batchBody4096(b *testing.B) []byte {
	b.Helper()
	rng := rand.New(rand.NewPCG(41, 42))
	type jsonItemOut struct {
		Key []byte `json:"key"`
		Msg []byte `json:"msg"`
		Sig []byte `json:"sig"`
	}
	items := make([]jsonItemOut, DefaultMaxItems)
	for i := range items {
		it := &items[i]
		it.Key, it.Msg, it.Sig = make([]byte, 32), make([]byte, 64), make([]byte, 64)
		for _, s := range [][]byte{it.Key, it.Msg, it.Sig} {
			for j := range s {
				s[j] = byte(rng.Uint32())
			}
		}
	}
	body, err := json.Marshal(struct {
		Rules string        `json:"rules"`
		Items []jsonItemOut `json:"items"`
	}{"strict", items})
	if err != nil {
		b.Fatal(err)
	}
	return body
}

// BenchmarkDecodeBatchJSON decodes a 4096-item JSON batch body, as
// /v1/verify/batch does before verifying.
func BenchmarkDecodeBatchJSON(b *testing.B) {
	body := batchBody4096(b)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		items, _, err := decodeBatchJSON(body, ed25519.Strict, DefaultMaxItems)
		if err != nil || len(items) != DefaultMaxItems {
			b.Fatalf("%d items, error %v", len(items), err)
		}
	}
}

// BenchmarkDecodeBatchJSONReference decodes the same body as the
// reference of the tests does (jsonref_test.go): encoding/json, then a
// json.Decoder.Token pass over the body to check the names; the cost of
// the strict names checked that way.
func BenchmarkDecodeBatchJSONReference(b *testing.B) {
	body := batchBody4096(b)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		req, err := refParseJSON(body, true, DefaultMaxItems)
		if err != nil {
			b.Fatal(err)
		}
		items, _, err := req.batch(ed25519.Strict, DefaultMaxItems)
		if err != nil || len(items) != DefaultMaxItems {
			b.Fatalf("%d items, error %v", len(items), err)
		}
	}
}
