//go:build tools

package main

// Keeps the requirement on the module of package field (replaced by ../..)
// through "go mod tidy"; the generator loads that package for its types, but
// must not link it (the assembly it would link is what the generator writes).
import _ "github.com/ronkms/ronkms/field"
