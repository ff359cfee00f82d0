package server

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/ronkms/ronkms/ed25519"
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
	for _, r := range append(ed25519.Presets(), ed25519.ZIP215|ed25519.RejectSmallOrderA) {
		f.Add(append([]byte{BinaryRules(r)}, valid[1:]...))
		f.Add(append([]byte{0x80 | byte(r)}, valid[1:]...))
	}
	f.Add(append([]byte{0x80 | byte(ed25519.AllowNonCanonicalR)}, valid[1:]...))
	f.Add(append([]byte{4}, valid[1:]...))
	const maxItems = 16
	f.Fuzz(func(t *testing.T, data []byte) {
		items, rules, err := decodeBatchBinary(data, ed25519.ZIP215, maxItems)
		if err != nil {
			if re, ok := err.(*requestError); !ok || re.status != 400 {
				t.Fatalf("error %v is not a 400", err)
			}
			return
		}
		if len(items) > maxItems {
			t.Fatalf("%d items accepted, limit %d", len(items), maxItems)
		}
		rb := data[0]
		if want, ok := rulesOfByte(rb, ed25519.ZIP215); !ok || rules != want {
			t.Fatalf("rules byte %d decoded as %v; want %v (known byte: %v)", rb, rules, want, ok)
		}
		if rb != 0 && rb&0x80 == 0 && BinaryRules(rules) != rb {
			t.Fatalf("rules byte %d decoded as %v, whose BinaryRules byte is %d", rb, rules, BinaryRules(rules))
		}
		re := AppendBinaryHeader(nil, rb, len(items))
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
		`{"rules":"libsodium","key":"` + key + `","msg":"","sig":"` + sig + `"}`,
		`{"rules":"zip215+reject-small-order-a","items":[` + one + `]}`,
		`{"rules":"fips186-5","mode":"fips186-5","items":[]}`,
		`{"rules":"allow-noncanonical-r","items":[]}`,
		`{"rules":"oasis+nope","items":[]}`,
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
		var rules ed25519.Rules
		var err error
		if batch {
			items, rules, err = decodeBatchJSON(body, ed25519.ZIP215, maxItems)
		} else {
			var it item
			it, rules, err = decodeVerifyJSON(body, ed25519.ZIP215)
			items = []item{it}
		}
		if err != nil {
			check400(err)
			return
		}
		if len(items) > maxItems || rules.Validate() != nil {
			t.Fatalf("%d items under rules %v accepted", len(items), rules)
		}
		enc := func(b []byte) *string { s := base64.StdEncoding.EncodeToString(b); return &s }
		// Re-encoded with the rules named by their String, in the field
		// rules and in its former name mode, and decoded with another
		// default.
		for _, field := range []string{"rules", "mode"} {
			var again []item
			var rules2 ed25519.Rules
			name, modeName := rules.String(), ""
			if field == "mode" {
				name, modeName = "", name
			}
			if batch {
				req := jsonBatchRequest{Rules: name, Mode: modeName, Items: []jsonItem{}}
				for _, it := range items {
					req.Items = append(req.Items, jsonItem{enc(it.key), enc(it.msg), enc(it.sig)})
				}
				re, _ := json.Marshal(req)
				again, rules2, err = decodeBatchJSON(re, ed25519.StdLib, maxItems)
			} else {
				it := items[0]
				re, _ := json.Marshal(jsonVerifyRequest{Key: enc(it.key), Msg: enc(it.msg), Sig: enc(it.sig), Rules: name, Mode: modeName})
				var one item
				one, rules2, err = decodeVerifyJSON(re, ed25519.StdLib)
				again = []item{one}
			}
			if err != nil || rules2 != rules || len(again) != len(items) {
				t.Fatalf("re-encoded request (%s): %d items under rules %v, error %v; want %d under rules %v", field, len(again), rules2, err, len(items), rules)
			}
			for i, it := range items {
				if len(it.key) != 32 || len(it.sig) != 64 {
					t.Fatalf("item %d: key %d bytes, sig %d bytes", i, len(it.key), len(it.sig))
				}
				if !bytes.Equal(it.key, again[i].key) || !bytes.Equal(it.msg, again[i].msg) || !bytes.Equal(it.sig, again[i].sig) {
					t.Fatalf("item %d decodes differently once re-encoded", i)
				}
			}
		}
	})
}

// rulesOfByte returns the rules that the binary form's rules byte b names
// (def for 0), as the package documentation defines them, and whether b
// names any.
func rulesOfByte(b byte, def ed25519.Rules) (ed25519.Rules, bool) {
	switch {
	case b == 0:
		return def, true
	case b == 1:
		return ed25519.StdLib, true
	case b == 2:
		return ed25519.Strict, true
	case b == 3:
		return ed25519.ZIP215, true
	case b&0x80 != 0:
		r := ed25519.Rules(b &^ 0x80)
		return r, r.Validate() == nil
	}
	return 0, false
}

// TestBinaryRulesBytes decodes a binary batch with every rules byte: the
// known ones select their rules (0 the default), every other is a 400 that
// names the byte; and BinaryRules of every valid rule set decodes back to it.
func TestBinaryRulesBytes(t *testing.T) {
	body := func(b byte) []byte {
		return AppendBinaryItem(AppendBinaryHeader(nil, b, 1), make([]byte, 32), []byte("m"), make([]byte, 64))
	}
	known := 0
	for i := range 256 {
		b := byte(i)
		items, rules, err := decodeBatchBinary(body(b), ed25519.Oasis, 4)
		want, ok := rulesOfByte(b, ed25519.Oasis)
		if !ok {
			re, isReq := err.(*requestError)
			if !isReq || re.status != 400 || !strings.Contains(re.msg, fmt.Sprintf("unknown rules byte %d", b)) {
				t.Errorf("rules byte %d: error %v, want a 400 naming the byte", b, err)
			}
			continue
		}
		known++
		if err != nil || rules != want || len(items) != 1 {
			t.Errorf("rules byte %d: rules %v, %d items, error %v; want rules %v", b, rules, len(items), err, want)
		}
	}
	// 0, 1, 2, 3, and 0x80 plus each of the 24 valid rule sets.
	if known != 4+24 {
		t.Errorf("%d rules bytes accepted, want 28", known)
	}
	for _, tc := range []struct {
		r    ed25519.Rules
		want byte
	}{
		{ed25519.StdLib, 1}, {ed25519.Strict, 2}, {ed25519.ZIP215, 3},
		{ed25519.Libsodium, 0x80 | 0x07}, {ed25519.FIPS186_5, 0x80 | 0x14}, {ed25519.VoiDefault, 0x80 | 0x15}, {ed25519.Oasis, 0x80 | 0x1b},
		{ed25519.ZIP215 | ed25519.RejectSmallOrderA, 0x80 | 0x19},
	} {
		if got := BinaryRules(tc.r); got != tc.want {
			t.Errorf("BinaryRules(%v) = %#x, want %#x", tc.r, got, tc.want)
		}
	}
	for i := range 32 {
		r := ed25519.Rules(i)
		if r.Validate() != nil {
			continue
		}
		if _, got, err := decodeBatchBinary(body(BinaryRules(r)), ed25519.Oasis, 4); err != nil || got != r {
			t.Errorf("BinaryRules(%v) = %#x decodes as %v, error %v", r, BinaryRules(r), got, err)
		}
	}
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
