package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"testing"
	"unicode/utf8"
)

// The reference decoding of the JSON requests: encoding/json, as the
// service decoded them before it had its own parser (unknown fields
// refused, nothing after the object), held to the rules that encoding/json
// does not enforce by a pass over its tokens (json.Decoder.Token): the body
// is UTF-8 and an object, and every object's names are its documented
// fields, exactly and once each. parseJSON must agree with it on every
// input: FuzzDecodeJSON compares them.

// jsonItem is one signature of a JSON request. Pointers tell a missing field
// (or null) from an empty string.
type jsonItem struct {
	Key *string `json:"key"`
	Msg *string `json:"msg"`
	Sig *string `json:"sig"`
}

type jsonVerifyRequest struct {
	Key   *string `json:"key"`
	Msg   *string `json:"msg"`
	Sig   *string `json:"sig"`
	Rules string  `json:"rules"`
	Mode  string  `json:"mode"` // the former name of rules
}

type jsonBatchRequest struct {
	Rules string     `json:"rules"`
	Mode  string     `json:"mode"` // the former name of rules
	Items []jsonItem `json:"items"`
}

// refParseJSON is the reference of parseJSON: the request it must return
// for body, or an error when it must return one.
func refParseJSON(body []byte, batch bool, maxItems int) (*jsonRequest, error) {
	if !utf8.Valid(body) {
		return nil, errors.New("not UTF-8")
	}
	var v any = &jsonVerifyRequest{}
	if batch {
		v = &jsonBatchRequest{}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the object")
	}
	if err := refStrictNames(body, batch); err != nil {
		return nil, err
	}
	bs := func(s *string) []byte {
		if s == nil {
			return nil
		}
		return []byte(*s)
	}
	req := &jsonRequest{}
	if batch {
		b := v.(*jsonBatchRequest)
		req.rules, req.mode = []byte(b.Rules), []byte(b.Mode)
		req.hasItems, req.nItems = b.Items != nil, len(b.Items)
		for _, it := range b.Items[:min(len(b.Items), maxItems)] {
			req.items = append(req.items, item{key: bs(it.Key), msg: bs(it.Msg), sig: bs(it.Sig)})
		}
	} else {
		r := v.(*jsonVerifyRequest)
		req.rules, req.mode = []byte(r.Rules), []byte(r.Mode)
		req.one = item{key: bs(r.Key), msg: bs(r.Msg), sig: bs(r.Sig)}
	}
	return req, nil
}

// refStrictNames checks body, valid JSON that encoding/json decoded into a
// request, with json.Decoder.Token: it must be an object, and the names of
// every object must be fields of its own, exactly and once each.
func refStrictNames(body []byte, batch bool) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	top := verifyFields
	if batch {
		top = batchFields
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return fmt.Errorf("not an object: %v %v", tok, err)
	}
	return refObject(dec, top, batch)
}

// refObject checks the rest of an object whose '{' was read.
func refObject(dec *json.Decoder, fields []string, batch bool) error {
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		name := tok.(string)
		if !slices.Contains(fields, name) {
			return fmt.Errorf("unknown field %q", name)
		}
		if seen[name] {
			return fmt.Errorf("duplicate field %q", name)
		}
		seen[name] = true
		if batch && name == fieldItems {
			if err := refItems(dec); err != nil {
				return err
			}
			continue
		}
		if _, err := dec.Token(); err != nil { // a string or null
			return err
		}
	}
	_, err := dec.Token() // '}'
	return err
}

// refItems checks the value of "items".
func refItems(dec *json.Decoder) error {
	tok, err := dec.Token()
	if err != nil || tok == nil { // null
		return err
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		if tok == json.Delim('{') {
			if err := refObject(dec, itemFields, false); err != nil {
				return err
			}
		}
	}
	_, err = dec.Token() // ']'
	return err
}

// compareWithReference checks parseJSON against refParseJSON on body.
func compareWithReference(t *testing.T, body []byte, batch bool, maxItems int) {
	t.Helper()
	var got jsonRequest
	err := parseJSON(body, batch, maxItems, &got)
	want, refErr := refParseJSON(body, batch, maxItems)
	switch {
	case err != nil && refErr != nil:
		return
	case err != nil:
		t.Fatalf("parseJSON refused %q (batch %v), which the reference accepts: %v", body, batch, err)
	case refErr != nil:
		t.Fatalf("parseJSON accepted %q (batch %v), which the reference refuses: %v", body, batch, refErr)
	}
	same := func(a, b []byte) bool { return (a == nil) == (b == nil) && bytes.Equal(a, b) }
	sameItem := func(a, b item) bool { return same(a.key, b.key) && same(a.msg, b.msg) && same(a.sig, b.sig) }
	if !bytes.Equal(got.rules, want.rules) || !bytes.Equal(got.mode, want.mode) || !sameItem(got.one, want.one) ||
		got.hasItems != want.hasItems || got.nItems != want.nItems || len(got.items) != len(want.items) {
		t.Fatalf("%q (batch %v): parsed %+v, reference %+v", body, batch, got, *want)
	}
	for i := range got.items {
		if !sameItem(got.items[i], want.items[i]) {
			t.Fatalf("%q: item %d: parsed %+v, reference %+v", body, i, got.items[i], want.items[i])
		}
	}
}
