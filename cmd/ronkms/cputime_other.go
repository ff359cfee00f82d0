//go:build !unix

package main

import "time"

// processCPUTime returns 0: this platform has no getrusage.
func processCPUTime() time.Duration { return 0 }
