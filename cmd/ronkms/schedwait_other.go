//go:build !linux

package main

// schedSnapshot would hold per-thread scheduler statistics; this platform
// does not report them.
type schedSnapshot map[string][3]int64

func takeSchedSnapshot() schedSnapshot { return nil }
