package server

import (
	"bytes"
	"testing"

	"github.com/ronkms/ronkms"
)

// FuzzDecodeBatchBinary: the binary decoder never panics, never accepts more
// than the item limit, and what it accepts encodes back to the same bytes.
func FuzzDecodeBatchBinary(f *testing.F) {
	key, sig := bytes.Repeat([]byte{7}, 32), bytes.Repeat([]byte{9}, 64)
	valid := AppendBinaryHeader(nil, 2, 2)
	valid = AppendBinaryItem(valid, key, []byte("hello"), sig)
	valid = AppendBinaryItem(valid, key, nil, sig)
	f.Add(valid)
	f.Add(valid[:len(valid)-1])
	f.Add(append(valid, 0))
	f.Add([]byte{0, 0, 0, 0, 0})
	f.Add([]byte{3, 0xff, 0xff, 0xff, 0xff})
	f.Add([]byte{})
	const maxItems = 16
	f.Fuzz(func(t *testing.T, data []byte) {
		items, mode, err := decodeBatchBinary(data, ronkms.ModeZIP215, maxItems)
		if err != nil {
			if re, ok := err.(*requestError); !ok || re.status != 400 {
				t.Fatalf("error %v is not a 400", err)
			}
			return
		}
		if len(items) > maxItems {
			t.Fatalf("%d items accepted, limit %d", len(items), maxItems)
		}
		mb := data[0]
		if mb == 0 && mode != ronkms.ModeZIP215 || mb != 0 && BinaryMode(mode) != mb {
			t.Fatalf("mode byte %d decoded as %v", mb, mode)
		}
		re := AppendBinaryHeader(nil, mb, len(items))
		for _, it := range items {
			if len(it.key) != 32 || len(it.sig) != 64 {
				t.Fatalf("key %d bytes, sig %d bytes", len(it.key), len(it.sig))
			}
			re = AppendBinaryItem(re, it.key, it.msg, it.sig)
		}
		if !bytes.Equal(re, data) {
			t.Fatalf("re-encoding differs:\n%x\n%x", re, data)
		}
	})
}

func TestBatchAnswers(t *testing.T) {
	if got := string(appendBatchJSON(nil, nil)); got != `{"valid":[],"all_valid":true}`+"\n" {
		t.Errorf("empty: %s", got)
	}
	if got := string(appendBatchJSON(nil, []bool{true, false})); got != `{"valid":[true,false],"all_valid":false}`+"\n" {
		t.Errorf("mixed: %s", got)
	}
	if got := appendBatchBinary(nil, []bool{true, false, true}); !bytes.Equal(got, []byte{1, 0, 1}) {
		t.Errorf("binary: %v", got)
	}
}
