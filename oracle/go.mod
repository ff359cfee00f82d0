module github.com/ronkms/ronkms/oracle

go 1.25.0

replace github.com/ronkms/ronkms => ..

require (
	filippo.io/edwards25519 v1.2.0
	github.com/hdevalence/ed25519consensus v0.2.0
	github.com/oasisprotocol/curve25519-voi v0.0.0-20230904125328-1f23a7beb09a
	github.com/ronkms/ronkms v0.0.0-00010101000000-000000000000
)

require (
	github.com/klauspost/cpuid/v2 v2.4.2 // indirect
	golang.org/x/crypto v0.0.0-20220321153916-2c7772ba3064 // indirect
	golang.org/x/sys v0.41.0 // indirect
)
