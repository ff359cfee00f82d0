module github.com/ronkms/ronkms

go 1.24.0

require (
	filippo.io/edwards25519 v1.2.0
	github.com/klauspost/cpuid/v2 v2.4.2
	golang.org/x/sys v0.41.0
)

require github.com/hdevalence/ed25519consensus v0.2.0
