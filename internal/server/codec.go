package server

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"

	"github.com/ronkms/ronkms/ed25519"
)

// Content types of the binary batch form.
const (
	ContentTypeBatch       = "application/x-ronkms-batch"
	ContentTypeBatchResult = "application/x-ronkms-batch-result"
)

// Layout of the binary batch form.
const (
	binHeaderSize = 1 + 4                                             // rules, item count
	binItemHeader = 4 + ed25519.PublicKeySize + ed25519.SignatureSize // message length, key, signature
)

// Rules bytes of the binary batch form. 0 selects the server's default;
// 1, 2 and 3 are the three original modes; binRulesSet | r is any rules r.
const (
	binRulesDefault = 0
	binRulesStdLib  = 1
	binRulesStrict  = 2
	binRulesZIP215  = 3
	binRulesSet     = 0x80
)

// BinaryRules returns the rules byte of the binary batch form for r, which
// must be valid (ed25519.Rules.Validate): the byte of invalid rules names
// other rules or none.
func BinaryRules(r ed25519.Rules) byte {
	switch r {
	case ed25519.StdLib:
		return binRulesStdLib
	case ed25519.Strict:
		return binRulesStrict
	case ed25519.ZIP215:
		return binRulesZIP215
	}
	return binRulesSet | byte(r)
}

// AppendBinaryItem appends one item of the binary batch form to b.
func AppendBinaryItem(b []byte, key, msg, sig []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(msg)))
	b = append(b, key...)
	b = append(b, sig...)
	return append(b, msg...)
}

// AppendBinaryHeader appends the header of a binary batch of n items to b;
// rules is a BinaryRules byte, or 0 for the server's default.
func AppendBinaryHeader(b []byte, rules byte, n int) []byte {
	b = append(b, rules)
	return binary.BigEndian.AppendUint32(b, uint32(n))
}

// item is one signature to verify. Its slices may alias the request body.
type item struct{ key, msg, sig []byte }

// requestError is a non-200 answer decided while reading or decoding a
// request.
type requestError struct {
	status int
	msg    string
}

func (e *requestError) Error() string { return e.msg }

func badRequest(format string, a ...any) *requestError {
	return &requestError{http.StatusBadRequest, fmt.Sprintf(format, a...)}
}

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

// decodeJSON decodes body, one JSON value and nothing else, into v, which
// must not have fields that body lacks.
func decodeJSON(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err, v)
	}
	if _, err := dec.Token(); err != io.EOF {
		return badRequest("malformed JSON: data after the JSON object at byte %d", dec.InputOffset())
	}
	return nil
}

// jsonError turns an error of encoding/json into a 400 that says what was
// wrong, in the request's terms.
func jsonError(err error, v any) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return badRequest("malformed JSON: empty body")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("malformed JSON: unexpected end of the body")
	case errors.As(err, &syn):
		return badRequest("malformed JSON at byte %d: %s", syn.Offset, syn.Error())
	case errors.As(err, &typ):
		want := describeType(typ.Type)
		if typ.Field == "" {
			if _, ok := v.(*jsonBatchRequest); ok {
				return badRequest(`malformed JSON: got %s, want an object {"rules": ..., "items": [...]}`, article(typ.Value))
			}
			return badRequest("malformed JSON: got %s, want %s", article(typ.Value), want)
		}
		return badRequest("malformed JSON: field %s: got %s, want %s", typ.Field, article(typ.Value), want)
	}
	return badRequest("malformed JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
}

func describeType(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Slice:
		return "an array"
	case reflect.Struct:
		return "an object"
	}
	return t.String()
}

func article(jsonKind string) string {
	switch jsonKind {
	case "array", "object":
		return "an " + jsonKind
	case "":
		return "a value"
	}
	return "a " + jsonKind
}

// decodeItem decodes the base64 fields of one JSON item; where names it in
// messages ("" for a single request, "items[3]." in a batch).
func decodeItem(it *jsonItem, where string) (item, error) {
	var out item
	var err error
	if out.key, err = decodeField(where+"key", it.Key, ed25519.PublicKeySize); err != nil {
		return out, err
	}
	if out.sig, err = decodeField(where+"sig", it.Sig, ed25519.SignatureSize); err != nil {
		return out, err
	}
	if out.msg, err = decodeField(where+"msg", it.Msg, -1); err != nil {
		return out, err
	}
	return out, nil
}

// decodeField decodes a base64 field that must decode to want bytes (any
// length if want < 0).
func decodeField(name string, s *string, want int) ([]byte, error) {
	if s == nil {
		return nil, badRequest("%s: missing", name)
	}
	if want >= 0 && base64.StdEncoding.DecodedLen(len(*s)) > want+2 {
		// Far too long: say so without decoding it.
		return nil, badRequest("%s: %d base64 characters, want %d (%d bytes)", name, len(*s), base64.StdEncoding.EncodedLen(want), want)
	}
	b, err := base64.StdEncoding.DecodeString(*s)
	if err != nil {
		return nil, badRequest("%s: bad base64 (want standard base64 with padding): %v", name, err)
	}
	if want >= 0 && len(b) != want {
		return nil, badRequest("%s: %d bytes, want %d", name, len(b), want)
	}
	return b, nil
}

// parseRules returns the rules named in a request, by the rules field or
// its former name mode (not both); "" selects def.
func parseRules(name, modeName string, def ed25519.Rules) (ed25519.Rules, error) {
	field := "rules"
	switch {
	case name != "" && modeName != "":
		return 0, badRequest("rules and mode: both given (mode is the former name of rules; give one)")
	case modeName != "":
		name, field = modeName, "mode"
	case name == "":
		return def, nil
	}
	r, err := ed25519.ParseRules(name)
	if err != nil {
		return 0, badRequest("%s: %s", field, strings.TrimPrefix(err.Error(), "ed25519: "))
	}
	return r, nil
}

// decodeVerifyJSON decodes a /v1/verify body.
func decodeVerifyJSON(body []byte, def ed25519.Rules) (item, ed25519.Rules, error) {
	var req jsonVerifyRequest
	if err := decodeJSON(body, &req); err != nil {
		return item{}, 0, err
	}
	rules, err := parseRules(req.Rules, req.Mode, def)
	if err != nil {
		return item{}, 0, err
	}
	it, err := decodeItem(&jsonItem{req.Key, req.Msg, req.Sig}, "")
	return it, rules, err
}

// decodeBatchJSON decodes a JSON /v1/verify/batch body of at most maxItems
// items.
func decodeBatchJSON(body []byte, def ed25519.Rules, maxItems int) ([]item, ed25519.Rules, error) {
	var req jsonBatchRequest
	if err := decodeJSON(body, &req); err != nil {
		return nil, 0, err
	}
	rules, err := parseRules(req.Rules, req.Mode, def)
	if err != nil {
		return nil, 0, err
	}
	if req.Items == nil {
		return nil, 0, badRequest("items: missing")
	}
	if len(req.Items) > maxItems {
		return nil, 0, badRequest("items: %d items, at most %d per request", len(req.Items), maxItems)
	}
	items := make([]item, len(req.Items))
	for i := range req.Items {
		if items[i], err = decodeItem(&req.Items[i], fmt.Sprintf("items[%d].", i)); err != nil {
			return nil, 0, err
		}
	}
	return items, rules, nil
}

// decodeBatchBinary decodes a binary /v1/verify/batch body of at most
// maxItems items. The items alias body.
func decodeBatchBinary(body []byte, def ed25519.Rules, maxItems int) ([]item, ed25519.Rules, error) {
	if len(body) < binHeaderSize {
		return nil, 0, badRequest("binary batch: truncated header: %d bytes, want %d (rules byte, item count)", len(body), binHeaderSize)
	}
	var rules ed25519.Rules
	switch b := body[0]; {
	case b == binRulesDefault:
		rules = def
	case b == binRulesStdLib:
		rules = ed25519.StdLib
	case b == binRulesStrict:
		rules = ed25519.Strict
	case b == binRulesZIP215:
		rules = ed25519.ZIP215
	case b&binRulesSet != 0 && ed25519.Rules(b&^binRulesSet).Validate() == nil:
		rules = ed25519.Rules(b &^ binRulesSet)
	default:
		return nil, 0, badRequest("binary batch: unknown rules byte %d (want 0 default, 1 stdlib, 2 strict, 3 zip215, or 128 plus valid rules bits)", b)
	}
	n := binary.BigEndian.Uint32(body[1:])
	if uint64(n) > uint64(maxItems) {
		return nil, 0, badRequest("binary batch: %d items, at most %d per request", n, maxItems)
	}
	rest := body[binHeaderSize:]
	if need := uint64(n) * binItemHeader; uint64(len(rest)) < need {
		return nil, 0, badRequest("binary batch: truncated: %d items need at least %d bytes after the header, the body has %d", n, need, len(rest))
	}
	items := make([]item, n)
	for i := range items {
		if len(rest) < binItemHeader {
			return nil, 0, badRequest("binary batch: item %d truncated: %d bytes left, want at least %d", i, len(rest), binItemHeader)
		}
		l := binary.BigEndian.Uint32(rest)
		rest = rest[4:]
		it := &items[i]
		it.key = rest[:ed25519.PublicKeySize:ed25519.PublicKeySize]
		rest = rest[ed25519.PublicKeySize:]
		it.sig = rest[:ed25519.SignatureSize:ed25519.SignatureSize]
		rest = rest[ed25519.SignatureSize:]
		if uint64(l) > uint64(len(rest)) {
			return nil, 0, badRequest("binary batch: item %d truncated: message length %d, %d bytes left", i, l, len(rest))
		}
		it.msg = rest[:l:l]
		rest = rest[l:]
	}
	if len(rest) > 0 {
		return nil, 0, badRequest("binary batch: %d bytes after the last of %d items", len(rest), n)
	}
	return items, rules, nil
}

var (
	answerValid   = []byte(`{"valid":true}` + "\n")
	answerInvalid = []byte(`{"valid":false}` + "\n")
)

// appendBatchJSON appends the JSON answer to a batch to b.
func appendBatchJSON(b []byte, valid []bool) []byte {
	all := true
	b = append(b, `{"valid":[`...)
	for i, v := range valid {
		if i > 0 {
			b = append(b, ',')
		}
		if v {
			b = append(b, "true"...)
		} else {
			b = append(b, "false"...)
			all = false
		}
	}
	b = append(b, `],"all_valid":`...)
	if all {
		b = append(b, "true"...)
	} else {
		b = append(b, "false"...)
	}
	return append(b, "}\n"...)
}

// appendBatchBinary appends the binary answer to a batch to b: one byte per
// item, 1 for valid.
func appendBatchBinary(b []byte, valid []bool) []byte {
	for _, v := range valid {
		if v {
			b = append(b, 1)
		} else {
			b = append(b, 0)
		}
	}
	return b
}
