//go:build linux

package peers

import "golang.org/x/sys/unix"

// ProcessCPUTime returns the CPU time consumed so far by this process (all
// threads, user and system), in nanoseconds.
func ProcessCPUTime() (int64, bool) {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_PROCESS_CPUTIME_ID, &ts); err != nil {
		return 0, false
	}
	return ts.Nano(), true
}
