module github.com/ronkms/ronkms/field/_asm

go 1.24.0

require (
	github.com/mmcloughlin/avo v0.6.0
	github.com/ronkms/ronkms v0.0.0-00010101000000-000000000000
)

require (
	golang.org/x/mod v0.27.0 // indirect
	golang.org/x/sync v0.16.0 // indirect
	golang.org/x/sys v0.41.0 // indirect
	golang.org/x/tools v0.36.0 // indirect
)

replace github.com/ronkms/ronkms => ../..
