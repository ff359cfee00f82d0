package server

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
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

// FuzzDecodeJSON: the JSON decoders of both endpoints never panic, refuse
// with a 400 only, never accept more than the item limit or a key or
// signature of the wrong length, and what they accept decodes the same
// again once re-encoded.
func FuzzDecodeJSON(f *testing.F) {
	key, sig := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32)), base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{9}, 64))
	one := `{"key":"` + key + `","msg":"aGVsbG8=","sig":"` + sig + `"}`
	for _, seed := range []string{
		one,
		`{"mode":"strict","key":"` + key + `","msg":"","sig":"` + sig + `"}`,
		`{"mode":"zip215","items":[` + one + `,` + one + `]}`,
		`{"items":[]}`,
		`{"items":null}`,
		`{"mode":"nope","items":[` + one + `]}`,
		`{"key":"` + key + `","msg":"aGVsbG8=","sig":"` + sig[:10] + `"}`,
		`{"key":1}`,
		`[]`,
		``,
		`{"items":[` + one + `]} {}`,
	} {
		f.Add([]byte(seed), false)
		f.Add([]byte(seed), true)
	}
	const maxItems = 16
	f.Fuzz(func(t *testing.T, body []byte, batch bool) {
		check400 := func(err error) {
			if re, ok := err.(*requestError); !ok || re.status != 400 || re.msg == "" {
				t.Fatalf("error %v is not a 400 with a message", err)
			}
		}
		var items []item
		var mode ronkms.Mode
		var err error
		if batch {
			items, mode, err = decodeBatchJSON(body, ronkms.ModeZIP215, maxItems)
		} else {
			var it item
			it, mode, err = decodeVerifyJSON(body, ronkms.ModeZIP215)
			items = []item{it}
		}
		if err != nil {
			check400(err)
			return
		}
		if len(items) > maxItems || mode < ronkms.ModeStdLib || mode > ronkms.ModeZIP215 {
			t.Fatalf("%d items in mode %v accepted", len(items), mode)
		}
		enc := func(b []byte) *string { s := base64.StdEncoding.EncodeToString(b); return &s }
		var again []item
		var mode2 ronkms.Mode
		if batch {
			req := jsonBatchRequest{Mode: mode.String(), Items: []jsonItem{}}
			for _, it := range items {
				req.Items = append(req.Items, jsonItem{enc(it.key), enc(it.msg), enc(it.sig)})
			}
			re, _ := json.Marshal(req)
			again, mode2, err = decodeBatchJSON(re, ronkms.ModeStdLib, maxItems)
		} else {
			it := items[0]
			re, _ := json.Marshal(jsonVerifyRequest{enc(it.key), enc(it.msg), enc(it.sig), mode.String()})
			var one item
			one, mode2, err = decodeVerifyJSON(re, ronkms.ModeStdLib)
			again = []item{one}
		}
		if err != nil || mode2 != mode || len(again) != len(items) {
			t.Fatalf("re-encoded request: %d items in mode %v, error %v; want %d in mode %v", len(again), mode2, err, len(items), mode)
		}
		for i, it := range items {
			if len(it.key) != 32 || len(it.sig) != 64 {
				t.Fatalf("item %d: key %d bytes, sig %d bytes", i, len(it.key), len(it.sig))
			}
			if !bytes.Equal(it.key, again[i].key) || !bytes.Equal(it.msg, again[i].msg) || !bytes.Equal(it.sig, again[i].sig) {
				t.Fatalf("item %d decodes differently once re-encoded", i)
			}
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
