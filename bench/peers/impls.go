// Package peers benchmarks ronkms side by side with the other Go Ed25519
// implementations on the same workloads and the same inputs.
//
// It is its own module (bench/peers/go.mod), so the main module never depends
// on a peer. The benchmarks are in peers_test.go; this file is the registry of
// implementations and of the verification rules each one applies, shared by
// the benchmarks, the report program (./report) and the performance gate
// (./gate). The rule claims are checked against crafted inputs by
// TestPeerRules.
package peers

import "strings"

// Families of verification rules, as in the semantics table of the project
// (README and FIELD-GUIDE section 1). Every implementation is compared with
// the ronkms mode of its family.
const (
	StdLib = "stdlib" // crypto/ed25519.Verify: cofactorless, R compared byte for byte
	Strict = "strict" // ed25519-dalek 2.x verify_strict
	ZIP215 = "zip215" // Zcash ZIP-215: cofactored, everything decodes
)

// RuleSet describes one set of verification rules met among the peers.
type RuleSet struct {
	Name   string // short name printed in the report's rules column
	Family string // the ronkms mode it is compared with
	Exact  bool   // the rules are exactly those of Family
	Desc   string
}

// RuleSets lists every rule set applied by a benchmarked implementation.
var RuleSets = []RuleSet{
	{"StdLib", StdLib, true, "crypto/ed25519: s < l; A decodes (y >= p accepted); R not decoded, [s]B - [k]A encoded and compared byte for byte with R; small-order A and R accepted; cofactorless"},
	{"Strict", Strict, true, "ed25519-dalek 2.x verify_strict: StdLib, and A and R must not be of small order"},
	{"ZIP215", ZIP215, true, "Zcash ZIP-215: s < l; A and R decode, non-canonical accepted; small-order accepted; cofactored [8][s]B = [8]R + [8][k]A"},
	{"circl", StdLib, false, "StdLib, except that A must be canonical (y < p and no x = 0 with the sign bit): RFC 8032 strict decoding of A"},
	{"voi-default", ZIP215, false, "voi's default VerifyOptions: cofactored like ZIP215, but rejects small-order A and non-canonical A and R (small-order R accepted)"},
}

// Rules returns the rule set called name.
func Rules(name string) RuleSet {
	for _, r := range RuleSets {
		if r.Name == name {
			return r
		}
	}
	return RuleSet{Name: name}
}

// Impl is one benchmarked implementation (one value of impl= in benchmark
// names).
type Impl struct {
	Name  string // impl= value
	Rules string // a RuleSet name
	// Ronkms marks ronkms's own implementations: the ones the performance
	// gate guards and the ones that parallelize batches.
	Ronkms bool
	Note   string
}

// Impls lists every implementation, in report order.
var Impls = []Impl{
	{Name: "stdlib", Rules: "StdLib", Note: "crypto/ed25519 (Sign, Verify); in batch tables a loop of Verify, one goroutine"},
	{Name: "edwards25519", Rules: "StdLib", Note: "crypto/ed25519's Verify algorithm written on the filippo.io/edwards25519 module (ronkms's foundation)"},
	{Name: "voi", Rules: "voi-default", Note: "curve25519-voi ed25519.Sign, and Verify with its default options"},
	{Name: "voi-stdlib", Rules: "StdLib", Note: "curve25519-voi VerifyWithOptions(VerifyOptionsStdLib)"},
	{Name: "voi-zip215", Rules: "ZIP215", Note: "curve25519-voi VerifyWithOptions(VerifyOptionsZIP_215); in batch tables its BatchVerifier (AddWithOptions + Verify, one goroutine)"},
	{Name: "voi-expanded", Rules: "StdLib", Note: "curve25519-voi VerifyExpandedWithOptions(StdLib preset); key=cold pays NewExpandedPublicKey on every call, key=repeated expands once outside the timed loop"},
	{Name: "voi-expanded-zip215", Rules: "ZIP215", Note: "curve25519-voi BatchVerifier.AddExpandedWithOptions(ZIP_215 preset) with keys expanded once outside the timed loop (a caller-side key cache)"},
	{Name: "consensus", Rules: "ZIP215", Note: "hdevalence/ed25519consensus Verify; in batch tables its BatchVerifier (one bool, no per-item verdicts, one goroutine)"},
	{Name: "circl", Rules: "circl", Note: "cloudflare/circl sign/ed25519 Sign and Verify"},
	{Name: "ronkms", Rules: "StdLib", Ronkms: true, Note: "ronkms ed25519.Sign"},
	{Name: "ronkms-stdlib", Rules: "StdLib", Ronkms: true, Note: "ed25519.Verify; BatchVerifier(ed25519.StdLib)"},
	{Name: "ronkms-strict", Rules: "Strict", Ronkms: true, Note: "ed25519.VerifyStrict; BatchVerifier(ed25519.Strict)"},
	{Name: "ronkms-zip215", Rules: "ZIP215", Ronkms: true, Note: "ed25519.VerifyZIP215; BatchVerifier(ed25519.ZIP215)"},
	{Name: "ronkms-stdlib-key", Rules: "StdLib", Ronkms: true, Note: "ed25519.VerifyingKey.Verify; key=cold pays NewVerifyingKey on every call, key=repeated makes the key once outside the timed loop (as voi-expanded)"},
	{Name: "ronkms-zip215-key", Rules: "ZIP215", Ronkms: true, Note: "ed25519.VerifyingKey.VerifyWithRules(ZIP215), the key made as for ronkms-stdlib-key"},
	{Name: "ronkms-strict-cached", Rules: "Strict", Ronkms: true, Note: "BatchVerifier(ed25519.Strict) with a KeyCache that one Verify of the same batch filled outside the timed loop (keys decoded and tested once: a caller-side key cache, as voi-expanded-zip215's)"},
	{Name: "ronkms-zip215-cached", Rules: "ZIP215", Ronkms: true, Note: "BatchVerifier(ed25519.ZIP215) with a KeyCache filled the same way"},
}

// Lookup returns the Impl called name.
func Lookup(name string) (Impl, bool) {
	for _, im := range Impls {
		if im.Name == name {
			return im, true
		}
	}
	return Impl{}, false
}

// Family returns the rule family of the implementation called name, and
// whether its rules are exactly those of the family.
func Family(impl string) (family string, exact bool) {
	im, ok := Lookup(impl)
	if !ok {
		return "", false
	}
	r := Rules(im.Rules)
	return r.Family, r.Exact
}

// RonkmsFor returns the ronkms implementation that a row of the given
// workload is compared with: "ronkms" for signing, otherwise
// "ronkms-<family>".
func RonkmsFor(workload, impl string) string {
	if strings.HasPrefix(workload, "Sign") {
		return "ronkms"
	}
	fam, _ := Family(impl)
	if fam == "" {
		return ""
	}
	return "ronkms-" + fam
}

// SplitName splits a benchmark name without its "Benchmark" prefix, such as
// "Batch/keys=same/n=64/workers=1/impl=voi-zip215", into the workload
// ("Batch/keys=same/n=64/workers=1") and the implementation ("voi-zip215").
// ok is false when the last element is not impl=.
func SplitName(name string) (workload, impl string, ok bool) {
	i := strings.LastIndex(name, "/impl=")
	if i < 0 {
		return name, "", false
	}
	return name[:i], name[i+len("/impl="):], true
}

// StdlibRef returns the name of the benchmark every row of name's workload is
// divided by in the "vs crypto/ed25519" column: crypto/ed25519.Sign for Sign,
// crypto/ed25519.Verify on the same inputs for Verify, and a one-goroutine
// loop of crypto/ed25519.Verify over the same batch for Batch (workers=1 also
// for workers=all rows: the ratio then includes the parallel speed-up).
func StdlibRef(name string) string {
	w, _, ok := SplitName(name)
	if !ok {
		return ""
	}
	return workersOne(w) + "/impl=stdlib"
}

// RonkmsRef returns the name of the ronkms benchmark of the same workload and
// rule family as name, for the "vs ronkms" column.
func RonkmsRef(name string) string {
	w, impl, ok := SplitName(name)
	if !ok {
		return ""
	}
	r := RonkmsFor(w, impl)
	if r == "" {
		return ""
	}
	return w + "/impl=" + r
}

// workersOne replaces workers=all by workers=1 in a batch workload.
func workersOne(workload string) string {
	return strings.Replace(workload, "/workers=all", "/workers=1", 1)
}

// WorkersOne is workersOne for callers outside the package: the peers run
// their batches on one goroutine, so their workers=all row is their workers=1
// measurement.
func WorkersOne(workload string) string { return workersOne(workload) }

// Metrics reported by every benchmark.
const (
	WallUnit = "ns/sig"     // wall time per signature (the benchmark's own clock)
	CPUUnit  = "cpu-ns/sig" // process CPU time per signature
)

// RatioUnit returns the metric that speeds of the benchmark called name are
// compared in when unit is asked for: unit itself, except that CPU time
// cannot show the speed-up of a parallel batch, so workers=all benchmarks
// are always compared in wall time.
func RatioUnit(name, unit string) string {
	if unit == CPUUnit && strings.Contains(name, "/workers=all") {
		return WallUnit
	}
	return unit
}
