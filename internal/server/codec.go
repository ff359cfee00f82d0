package server

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

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

// The JSON requests are decoded by a parser of their own rather than by
// encoding/json, which matches object keys case-insensitively (with Unicode
// folding: "KEY" and "\u212aey" are "key" to it) and lets the last of
// duplicate keys win. The parser holds every object, the request and each
// item, to the documented names, exactly and at most once each. It reads
// the body once, left to right, keeps the contents of strings without
// escapes as subslices of the body, and decodes every base64 field into one
// allocation: linear in the body size, and cheaper than encoding/json.
//
// A request is decoded in two passes. The first, parseJSON, checks the JSON
// syntax of the whole body, the type of every value and the names of every
// object, and collects the fields as written; the second checks what they
// say (rules, the number of items, base64 and lengths), in the order of the
// package documentation's errors.

// Names of the fields of the JSON requests.
const (
	fieldKey   = "key"
	fieldMsg   = "msg"
	fieldSig   = "sig"
	fieldRules = "rules"
	fieldMode  = "mode"
	fieldItems = "items"
)

// Bits of the fields of one object, to find duplicates.
const (
	bitKey = 1 << iota
	bitMsg
	bitSig
	bitRules
	bitMode
	bitItems
)

// jsonRequest is a JSON request as written: the contents of its strings,
// unescaped, nil for a field absent or null.
type jsonRequest struct {
	rules, mode []byte
	// one holds the base64 fields of a /v1/verify request.
	one item
	// items holds the base64 fields of the first maxItems items of a
	// /v1/verify/batch request (an item null holds none); nItems counts
	// them all. hasItems is false when "items" is absent or null.
	items    []item
	nItems   int
	hasItems bool
}

// jsonParser reads one JSON request from b. i is the offset of the next
// byte to read.
type jsonParser struct {
	b []byte
	i int
}

// strPlain marks the bytes that stand for themselves in a JSON string and
// need no check: ASCII but the quote, the backslash and the control
// characters.
var strPlain = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// parseJSON parses body, a /v1/verify request or (batch) a /v1/verify/batch
// request, keeping at most maxItems items.
func parseJSON(body []byte, batch bool, maxItems int, req *jsonRequest) error {
	p := &jsonParser{b: body}
	p.ws()
	if p.i == len(body) {
		return badRequest("malformed JSON: empty body")
	}
	if body[p.i] != '{' {
		want := "an object"
		if batch {
			want = `an object {"rules": ..., "items": [...]}`
		}
		return p.typeError("", -1, want)
	}
	p.i++
	var seen uint
	for first := true; ; first = false {
		name, end, err := p.member(first)
		if err != nil {
			return err
		}
		if end {
			break
		}
		bit := requestField(name, batch)
		if bit == 0 {
			known := verifyFields
			if batch {
				known = batchFields
			}
			return unknownField(name, -1, known)
		}
		if seen&bit != 0 {
			return duplicateField(name, -1)
		}
		seen |= bit
		switch bit {
		case bitRules:
			req.rules, err = p.stringValue(fieldRules, -1)
		case bitMode:
			req.mode, err = p.stringValue(fieldMode, -1)
		case bitKey:
			req.one.key, err = p.stringValue(fieldKey, -1)
		case bitMsg:
			req.one.msg, err = p.stringValue(fieldMsg, -1)
		case bitSig:
			req.one.sig, err = p.stringValue(fieldSig, -1)
		case bitItems:
			err = p.items(req, maxItems)
		}
		if err != nil {
			return err
		}
	}
	p.ws()
	if p.i < len(body) {
		return badRequest("malformed JSON: data after the JSON object at byte %d", p.i)
	}
	return nil
}

// requestField returns the bit of the field of the request object named
// name, or 0 if it has none.
func requestField(name []byte, batch bool) uint {
	switch string(name) {
	case fieldRules:
		return bitRules
	case fieldMode:
		return bitMode
	}
	if batch {
		if string(name) == fieldItems {
			return bitItems
		}
		return 0
	}
	return itemField(name)
}

// itemField returns the bit of the field of an item named name, or 0.
func itemField(name []byte) uint {
	switch string(name) {
	case fieldKey:
		return bitKey
	case fieldMsg:
		return bitMsg
	case fieldSig:
		return bitSig
	}
	return 0
}

// items parses the value of "items": an array of items (objects or null),
// or null.
func (p *jsonParser) items(req *jsonRequest, maxItems int) error {
	switch p.b[p.i] {
	case 'n':
		if p.literal("null") {
			return nil
		}
		return p.typeError(fieldItems, -1, "an array")
	case '[':
	default:
		return p.typeError(fieldItems, -1, "an array")
	}
	p.i++
	req.hasItems = true
	// Room for the items of a body of ordinary items, 128 bytes or more
	// each (a 32-byte key and a 64-byte signature take 132 in base64).
	req.items = make([]item, 0, max(0, min(maxItems, len(p.b)/128+1)))
	for first := true; ; first = false {
		p.ws()
		if p.i == len(p.b) {
			return errUnexpectedEnd
		}
		c := p.b[p.i]
		if !first {
			if c == ']' {
				p.i++
				return nil
			}
			if c != ',' {
				return p.syntax("invalid character %s after array element", describeByte(c))
			}
			p.i++
			p.ws()
			if p.i == len(p.b) {
				return errUnexpectedEnd
			}
			c = p.b[p.i]
		} else if c == ']' {
			p.i++
			return nil
		}
		idx := req.nItems
		req.nItems++
		var it item
		switch {
		case c == '{':
			if err := p.item(idx, &it); err != nil {
				return err
			}
		case c == 'n' && p.literal("null"):
		default:
			return p.typeError("", idx, "an object")
		}
		if idx < maxItems {
			req.items = append(req.items, it)
		}
	}
}

// item parses the object of item idx.
func (p *jsonParser) item(idx int, it *item) error {
	p.i++ // '{'
	var seen uint
	for first := true; ; first = false {
		name, end, err := p.member(first)
		if err != nil {
			return err
		}
		if end {
			return nil
		}
		bit := itemField(name)
		if bit == 0 {
			return unknownField(name, idx, itemFields)
		}
		if seen&bit != 0 {
			return duplicateField(name, idx)
		}
		seen |= bit
		switch bit {
		case bitKey:
			it.key, err = p.stringValue(fieldKey, idx)
		case bitMsg:
			it.msg, err = p.stringValue(fieldMsg, idx)
		case bitSig:
			it.sig, err = p.stringValue(fieldSig, idx)
		}
		if err != nil {
			return err
		}
	}
}

// member reads the name of the next member of an object and the colon
// after it, and skips the white space up to its value; or it reads the end
// of the object (end). first says no member has been read yet.
func (p *jsonParser) member(first bool) (name []byte, end bool, err error) {
	p.ws()
	if p.i == len(p.b) {
		return nil, false, errUnexpectedEnd
	}
	c := p.b[p.i]
	if c == '}' {
		// After a member, or in an empty object: never after a comma,
		// which is consumed below.
		p.i++
		return nil, true, nil
	}
	if !first {
		if c != ',' {
			return nil, false, p.syntax("invalid character %s after object key:value pair", describeByte(c))
		}
		p.i++
		p.ws()
		if p.i == len(p.b) {
			return nil, false, errUnexpectedEnd
		}
		c = p.b[p.i]
	}
	if c != '"' {
		return nil, false, p.syntax("invalid character %s looking for beginning of object key string", describeByte(c))
	}
	if name, err = p.str(); err != nil {
		return nil, false, err
	}
	p.ws()
	if p.i == len(p.b) {
		return nil, false, errUnexpectedEnd
	}
	if c := p.b[p.i]; c != ':' {
		return nil, false, p.syntax("invalid character %s after object key", describeByte(c))
	}
	p.i++
	p.ws()
	if p.i == len(p.b) {
		return nil, false, errUnexpectedEnd
	}
	return name, false, nil
}

// stringValue parses the value of a string field: its contents, or nil for
// null. name and idx (-1 outside the items) name the field in errors.
func (p *jsonParser) stringValue(name string, idx int) ([]byte, error) {
	switch p.b[p.i] {
	case '"':
		return p.str()
	case 'n':
		if p.literal("null") {
			return nil, nil
		}
	}
	return nil, p.typeError(name, idx, "a string")
}

// str parses the string at p.i (at its opening quote) and returns its
// contents: a subslice of the body (with no room to append) unless it has
// escapes or non-ASCII characters, which must be UTF-8.
func (p *jsonParser) str() ([]byte, error) {
	start := p.i + 1
	i := start
	for i < len(p.b) && strPlain[p.b[i]] {
		i++
	}
	if i < len(p.b) && p.b[i] == '"' {
		p.i = i + 1
		return p.b[start:i:i], nil
	}
	return p.strEscaped(start, i)
}

// strEscaped parses the rest of a string from i, where its contents
// started at start, into a copy: it unescapes the escapes and checks that
// the rest is UTF-8.
func (p *jsonParser) strEscaped(start, i int) ([]byte, error) {
	b := p.b
	out := make([]byte, i-start, i-start+16)
	copy(out, b[start:i])
	for i < len(b) {
		c := b[i]
		switch {
		case c == '"':
			p.i = i + 1
			return out, nil
		case c < 0x20:
			p.i = i
			return nil, p.syntax("invalid character %s in string literal", describeByte(c))
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && size == 1 {
				p.i = i
				return nil, p.syntax("invalid UTF-8 in string literal")
			}
			out = append(out, b[i:i+size]...)
			i += size
			continue
		case c != '\\':
			out = append(out, c)
			i++
			continue
		}
		if i+1 == len(b) {
			break
		}
		switch e := b[i+1]; e {
		case '"', '\\', '/':
			out = append(out, e)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, n := hex4(b[i+2:])
			if n < 4 {
				p.i = i + 2 + n
				if p.i == len(b) {
					return nil, errUnexpectedEnd
				}
				return nil, p.syntax(`invalid character %s in \u hexadecimal character escape`, describeByte(b[p.i]))
			}
			i += 6
			if utf16.IsSurrogate(r) {
				// A pair makes one rune; a surrogate alone is U+FFFD,
				// as in encoding/json.
				if i+1 < len(b) && b[i] == '\\' && b[i+1] == 'u' {
					if r2, n := hex4(b[i+2:]); n == 4 {
						if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
							out = utf8.AppendRune(out, dec)
							i += 6
							continue
						}
					}
				}
				r = utf8.RuneError
			}
			out = utf8.AppendRune(out, r)
			continue
		default:
			p.i = i + 1
			return nil, p.syntax("invalid character %s in string escape code", describeByte(e))
		}
		i += 2
	}
	p.i = len(b)
	return nil, errUnexpectedEnd
}

// hex4 decodes the four hexadecimal digits at the start of b, and returns
// how many of them are digits (4 if all are).
func hex4(b []byte) (rune, int) {
	var r rune
	for n := range 4 {
		if n == len(b) {
			return 0, n
		}
		c := b[n]
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, n
		}
		r = r<<4 | rune(c)
	}
	return r, 4
}

// literal reads the literal lit (true, false or null) at p.i, if it is
// there.
func (p *jsonParser) literal(lit string) bool {
	if !bytes.HasPrefix(p.b[p.i:], []byte(lit)) {
		return false
	}
	p.i += len(lit)
	return true
}

// number reads the JSON number at p.i. If there is none, it leaves p.i at
// the byte where the number's syntax fails and returns false.
func (p *jsonParser) number() bool {
	b, i := p.b, p.i
	digits := func() bool {
		s := i
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i++
		}
		return i > s
	}
	ok := true
	if i < len(b) && b[i] == '-' {
		i++
	}
	if i < len(b) && b[i] == '0' {
		i++
	} else {
		ok = digits()
	}
	if ok && i < len(b) && b[i] == '.' {
		i++
		ok = digits()
	}
	if ok && i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		ok = digits()
	}
	p.i = i
	return ok
}

// typeError is the error of the value at p.i, of the wrong type: field name
// (of item idx, or of the request object if idx is -1), or item idx itself
// if name is "", or the request if both are unset, wanted want. A value that
// is not JSON at all is a syntax error.
func (p *jsonParser) typeError(name string, idx int, want string) error {
	var got string
	switch c := p.b[p.i]; c {
	case '"':
		got = "a string"
	case '{':
		got = "an object"
	case '[':
		got = "an array"
	case 't', 'f', 'n':
		lit, kind := "true", "a boolean"
		switch c {
		case 'f':
			lit = "false"
		case 'n':
			lit, kind = "null", "null"
		}
		if !p.literal(lit) {
			return p.badLiteral(lit)
		}
		got = kind
	default:
		if c != '-' && (c < '0' || '9' < c) {
			return p.syntax("invalid character %s looking for beginning of value", describeByte(c))
		}
		if !p.number() {
			if p.i == len(p.b) {
				return errUnexpectedEnd
			}
			return p.syntax("invalid character %s in numeric literal", describeByte(p.b[p.i]))
		}
		got = "a number"
	}
	switch {
	case name != "":
		return badRequest("malformed JSON: field %s: got %s, want %s", fieldPath(name, idx), got, want)
	case idx >= 0:
		return badRequest("malformed JSON: items[%d]: got %s, want %s", idx, got, want)
	}
	return badRequest("malformed JSON: got %s, want %s", got, want)
}

// badLiteral is the syntax error of a misspelt literal lit at p.i.
func (p *jsonParser) badLiteral(lit string) error {
	j := 0
	for p.i+j < len(p.b) && j < len(lit) && p.b[p.i+j] == lit[j] {
		j++
	}
	p.i += j
	if p.i == len(p.b) {
		return errUnexpectedEnd
	}
	return p.syntax("invalid character %s in literal %s (expecting %s)", describeByte(p.b[p.i]), lit, describeByte(lit[j]))
}

// ws skips white space.
func (p *jsonParser) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

var errUnexpectedEnd = badRequest("malformed JSON: unexpected end of the body")

// syntax is a syntax error at p.i (the end of the body: errUnexpectedEnd).
func (p *jsonParser) syntax(format string, a ...any) error {
	if p.i >= len(p.b) {
		return errUnexpectedEnd
	}
	return badRequest("malformed JSON at byte %d: %s", p.i, fmt.Sprintf(format, a...))
}

// describeByte shows c in a syntax error.
func describeByte(c byte) string {
	if c < utf8.RuneSelf {
		return strconv.QuoteRune(rune(c))
	}
	return fmt.Sprintf("byte 0x%02x", c)
}

// fieldPath names field name of item idx, or of the request if idx is -1.
func fieldPath(name string, idx int) string {
	if idx < 0 {
		return name
	}
	return fmt.Sprintf("items[%d].%s", idx, name)
}

// objectName names item idx, or the request object if idx is -1.
func objectName(idx int) string {
	if idx < 0 {
		return "the request object"
	}
	return fmt.Sprintf("items[%d]", idx)
}

// shownName is a field name as errors show it, quoted in ASCII (a
// look-alike such as the Kelvin sign for K shows as \u212a): at most 64
// bytes of it.
func shownName(name []byte) string {
	if len(name) > 64 {
		return strconv.QuoteToASCII(string(name[:64])) + "..."
	}
	return strconv.QuoteToASCII(string(name))
}

// unknownField is the error of a member name that is none of the fields of
// its object, known.
func unknownField(name []byte, idx int, known []string) error {
	for _, f := range known {
		if strings.EqualFold(string(name), f) {
			return badRequest("unknown field %s in %s: field names are case-sensitive (did you mean %q?)", shownName(name), objectName(idx), f)
		}
	}
	return badRequest("unknown field %s in %s (its fields are %s and %s)", shownName(name), objectName(idx),
		strings.Join(known[:len(known)-1], ", "), known[len(known)-1])
}

// duplicateField is the error of a field given twice in one object.
func duplicateField(name []byte, idx int) error {
	return badRequest("duplicate field %s in %s: each field may appear once", shownName(name), objectName(idx))
}

var (
	verifyFields = []string{fieldKey, fieldMsg, fieldSig, fieldRules, fieldMode}
	batchFields  = []string{fieldRules, fieldMode, fieldItems}
	itemFields   = []string{fieldKey, fieldMsg, fieldSig}
)

// decodeItem decodes the base64 fields of raw, item idx of a batch (-1 for
// a single request), into arena, which it advances.
func decodeItem(raw item, idx int, arena *[]byte) (item, error) {
	var out item
	var err error
	if out.key, err = decodeField(fieldKey, idx, raw.key, ed25519.PublicKeySize, arena); err != nil {
		return out, err
	}
	if out.sig, err = decodeField(fieldSig, idx, raw.sig, ed25519.SignatureSize, arena); err != nil {
		return out, err
	}
	if out.msg, err = decodeField(fieldMsg, idx, raw.msg, -1, arena); err != nil {
		return out, err
	}
	return out, nil
}

// decodedBound is the room decodeField may take in the arena for a base64
// field of n characters that must decode to want bytes (any if want < 0).
func decodedBound(n, want int) int {
	d := base64.StdEncoding.DecodedLen(n)
	if want >= 0 && d > want+2 {
		return 0 // refused without decoding
	}
	return d
}

// arenaFor returns an arena with room for the base64 fields of items.
func arenaFor(items []item) []byte {
	n := 0
	for i := range items {
		it := &items[i]
		n += decodedBound(len(it.key), ed25519.PublicKeySize) + decodedBound(len(it.sig), ed25519.SignatureSize) + decodedBound(len(it.msg), -1)
	}
	return make([]byte, n)
}

// decodeField decodes the base64 field name of item idx, s (nil if
// missing), which must decode to want bytes (any length if want < 0), into
// arena.
func decodeField(name string, idx int, s []byte, want int, arena *[]byte) ([]byte, error) {
	if s == nil {
		return nil, badRequest("%s: missing", fieldPath(name, idx))
	}
	if i := bytes.IndexAny(s, "\r\n"); i >= 0 {
		// encoding/base64 skips line breaks; standard base64 (RFC 4648
		// section 4) has none, and two spellings of one value would be
		// two bodies meaning the same request.
		return nil, badRequest("%s: bad base64 (want standard base64 with padding): line break at character %d", fieldPath(name, idx), i)
	}
	if want >= 0 && base64.StdEncoding.DecodedLen(len(s)) > want+2 {
		// Far too long: say so without decoding it.
		return nil, badRequest("%s: %d base64 characters, want %d (%d bytes)", fieldPath(name, idx), len(s), base64.StdEncoding.EncodedLen(want), want)
	}
	a := *arena
	n, err := base64.StdEncoding.Decode(a, s)
	if err != nil {
		return nil, badRequest("%s: bad base64 (want standard base64 with padding): %v", fieldPath(name, idx), err)
	}
	if want >= 0 && n != want {
		return nil, badRequest("%s: %d bytes, want %d", fieldPath(name, idx), n, want)
	}
	*arena = a[n:]
	return a[:n:n], nil
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
	var req jsonRequest
	if err := parseJSON(body, false, 0, &req); err != nil {
		return item{}, 0, err
	}
	return req.single(def)
}

// decodeBatchJSON decodes a JSON /v1/verify/batch body of 1 to maxItems
// items.
func decodeBatchJSON(body []byte, def ed25519.Rules, maxItems int) ([]item, ed25519.Rules, error) {
	var req jsonRequest
	if err := parseJSON(body, true, maxItems, &req); err != nil {
		return nil, 0, err
	}
	return req.batch(def, maxItems)
}

// single returns the signature and the rules of a /v1/verify request; def
// are the server's default rules.
func (req *jsonRequest) single(def ed25519.Rules) (item, ed25519.Rules, error) {
	rules, err := parseRules(string(req.rules), string(req.mode), def)
	if err != nil {
		return item{}, 0, err
	}
	arena := arenaFor([]item{req.one})
	it, err := decodeItem(req.one, -1, &arena)
	return it, rules, err
}

// batch returns the signatures and the rules of a /v1/verify/batch request
// parsed with maxItems.
func (req *jsonRequest) batch(def ed25519.Rules, maxItems int) ([]item, ed25519.Rules, error) {
	rules, err := parseRules(string(req.rules), string(req.mode), def)
	if err != nil {
		return nil, 0, err
	}
	switch {
	case !req.hasItems:
		return nil, 0, badRequest("items: missing")
	case req.nItems == 0:
		return nil, 0, badRequest("items: empty: a batch request needs at least one item")
	case req.nItems > maxItems:
		return nil, 0, badRequest("items: %d items, at most %d per request", req.nItems, maxItems)
	}
	// The items hold the base64 text until decoded, in place.
	items := req.items
	arena := arenaFor(items)
	for i := range items {
		if items[i], err = decodeItem(items[i], i, &arena); err != nil {
			return nil, 0, err
		}
	}
	return items, rules, nil
}

// decodeBatchBinary decodes a binary /v1/verify/batch body of 1 to maxItems
// items. The items alias body.
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
	if n == 0 {
		return nil, 0, badRequest("binary batch: 0 items: a batch request needs at least one item")
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
