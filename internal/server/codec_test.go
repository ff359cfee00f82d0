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
// with a 400 only, never accept more than the item limit, an empty batch,
// or a key or signature of the wrong length, and what they accept decodes
// the same again once re-encoded. Their parser, parseJSON, accepts exactly
// what the reference (encoding/json and a token pass, jsonref_test.go)
// accepts, with the same fields.
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
		// Names: exact, once each, at every level.
		`{"KEY":"` + key + `","msg":"","sig":"` + sig + `"}`,
		`{"key":"` + key + `","key":"` + key + `","msg":"","sig":"` + sig + `"}`,
		`{"key":null,"key":"` + key + `","msg":"","sig":"` + sig + `"}`,
		`{"items":[{"key":"` + key + `","msg":"","Sig":"` + sig + `"}]}`,
		`{"items":[{"key":"` + key + `","msg":"","msg":"","sig":"` + sig + `"}]}`,
		`{"items":[],"items":[]}`,
		`{"rules":"strict","rules":"strict","items":[` + one + `]}`,
		`{"\u006bey":"` + key + `","msg":"","sig":"` + sig + `"}`,
		`{"\u212aey":"` + key + `","msg":"","sig":"` + sig + `"}`,
		// Escapes, UTF-8, literals, numbers, white space.
		`{"key":"` + strings.ReplaceAll(key, "/", `\/`) + `","msg":"aGVs\nbG8=","sig":"` + sig + `"}`,
		`{"key":"` + key + `","msg":"\u0061\u0047\u0056\u0073\u0062\u0047\u0038\u003d","sig":"` + sig + `"}`,
		`{"rules":"\ud83d\ude00","items":[null]}`,
		`{"rules":"\ud800x","items":[null]}`,
		"{\"rules\":\"\xff\",\"items\":[null]}",
		"{\"rules\":\"\u00e9\",\"items\":[null]}",
		"{\"rules\":\"a\tb\",\"items\":[null]}",
		` { "items" : [ null , { } ] , "mode" : null } `,
		`{"items":[1]}`, `{"items":[-0.5e+7]}`, `{"items":[tru]}`, `{"items":[nul]}`, `{"items":[01]}`,
		`{"items":[,]}`, `{"items":[null,]}`, `{"items":[null}`, `{"key":"a",}`, `{,}`, `{"key"}`,
		`null`, `"x"`, `{"rules":true}`, `{"rules":{"a":1}}`,
	} {
		f.Add([]byte(seed), false)
		f.Add([]byte(seed), true)
	}
	const maxItems = 16
	f.Fuzz(func(t *testing.T, body []byte, batch bool) {
		compareWithReference(t, body, batch, maxItems)
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
		if len(items) > maxItems || len(items) == 0 || rules.Validate() != nil {
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

// TestJSONForms: JSON written otherwise than encoding/json writes it, with
// the fields in another order, white space, escapes in names and values,
// null for absent, decodes to what it says.
func TestJSONForms(t *testing.T) {
	keyB, sigB := bytes.Repeat([]byte{0xfb}, 32), bytes.Repeat([]byte{0xff}, 64) // base64 with '+' and '/'
	key, sig := base64.StdEncoding.EncodeToString(keyB), base64.StdEncoding.EncodeToString(sigB)
	if !strings.Contains(key, "/") || !strings.Contains(sig, "/") {
		t.Fatalf("want slashes in %s, %s", key, sig)
	}
	esc := func(s string) string { return strings.ReplaceAll(s, "/", `\/`) }
	uesc := func(s string) string { // every byte as \u00XX
		var b strings.Builder
		for i := range len(s) {
			fmt.Fprintf(&b, `\u%04X`, s[i])
		}
		return b.String()
	}
	for _, tc := range []struct {
		body  string
		rules ed25519.Rules
		named bool // the body has a field rules or mode
	}{
		{`{"key":"` + key + `","msg":"aGk=","sig":"` + sig + `"}`, ed25519.ZIP215, false},
		{`{"sig":"` + sig + `","msg":"aGk=","key":"` + key + `","rules":"strict"}`, ed25519.Strict, true},
		{" \t\r\n{ \"key\" :\n\"" + key + "\" ,\"msg\"\t:\t\"aGk=\" , \"sig\" : \"" + sig + "\" , \"rules\" : null , \"mode\" : \"\" } \n", ed25519.ZIP215, true},
		{`{"k\u0065y":"` + esc(key) + `","\u006dsg":"\u0061Gk=","s\u0069g":"` + esc(sig) + `","m\u006fde":"strict"}`, ed25519.Strict, true},
		{`{"key":"` + uesc(key) + `","msg":"aGk\u003D","sig":"` + sig + `","rules":"\u006fasis"}`, ed25519.Oasis, true},
		{`{"key":"` + uesc(key) + `","msg":"aGk\u003D","sig":"` + esc(sig) + `"}`, ed25519.ZIP215, false},
	} {
		it, rules, err := decodeVerifyJSON([]byte(tc.body), ed25519.ZIP215)
		if err != nil || rules != tc.rules || !bytes.Equal(it.key, keyB) || !bytes.Equal(it.sig, sigB) || string(it.msg) != "hi" {
			t.Errorf("%s: rules %v, key %x, msg %q, sig %x, error %v", tc.body, rules, it.key, it.msg, it.sig, err)
		}
		items, rules, err := decodeBatchJSON([]byte(`{"items":[`+tc.body+`, {"key":"`+key+`","msg":"","sig":"`+sig+`"}],"rules":"zip215"}`), ed25519.Strict, 4)
		if tc.named {
			// The rules belong to the request: an item naming any is a 400.
			if err == nil || !strings.Contains(err.Error(), "in items[0]") {
				t.Errorf("%s in a batch: error %v, want an unknown field in items[0]", tc.body, err)
			}
			continue
		}
		if err != nil || rules != ed25519.ZIP215 || len(items) != 2 || !bytes.Equal(items[0].key, keyB) || string(items[0].msg) != "hi" || len(items[1].msg) != 0 {
			t.Errorf("%s in a batch: %d items, rules %v, error %v", tc.body, len(items), rules, err)
		}
	}
}

// TestBase64LineBreaks: encoding/base64 skips CR and LF; standard base64
// has none, so a field holding them (escaped in JSON) is a 400, however
// few: otherwise two bodies would spell one request.
func TestBase64LineBreaks(t *testing.T) {
	key := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
	sig := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{9}, 64))
	for _, body := range []string{
		`{"key":"` + key[:4] + `\r\n` + key[4:] + `","msg":"","sig":"` + sig + `"}`,
		`{"key":"` + key + `","msg":"aGVs\nbG8=","sig":"` + sig + `"}`,
		`{"key":"` + key + `","msg":"","sig":"` + sig[:8] + `\r` + sig[8:] + `"}`,
	} {
		_, _, err := decodeVerifyJSON([]byte(body), ed25519.Strict)
		if re, ok := err.(*requestError); !ok || re.status != 400 || !strings.Contains(re.msg, "line break") {
			t.Errorf("%s: %v, want a 400 about a line break", body, err)
		}
	}
	if _, _, err := decodeVerifyJSON([]byte(`{"key":"`+key+`","msg":"aGVsbG8=","sig":"`+sig+`"}`), ed25519.Strict); err != nil {
		t.Errorf("the same body without line breaks: %v", err)
	}
}
