//go:build !linux

package peers

// ProcessCPUTime is not implemented on this system: the benchmarks then
// report no cpu-ns/sig.
func ProcessCPUTime() (int64, bool) { return 0, false }
