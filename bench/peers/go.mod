module github.com/ronkms/ronkms/bench/peers

go 1.25.0

replace github.com/ronkms/ronkms => ../..

require (
	filippo.io/edwards25519 v1.2.0
	github.com/aclements/go-moremath v0.0.0-20210112150236-f10218a38794
	github.com/cloudflare/circl v1.6.5
	github.com/hdevalence/ed25519consensus v0.2.0
	github.com/oasisprotocol/curve25519-voi v0.0.0-20230904125328-1f23a7beb09a
	github.com/ronkms/ronkms v0.0.0-00010101000000-000000000000
	golang.org/x/sys v0.47.0
)

require (
	github.com/klauspost/cpuid/v2 v2.4.2 // indirect
	golang.org/x/crypto v0.54.0 // indirect
)
