//go:build linux

package main

import (
	"bytes"
	"os"
	"strconv"
)

// schedSnapshot maps each thread of the process to its run time and
// runqueue wait time in ns and the number of times it was put on a CPU:
// the three fields of /proc/self/task/TID/schedstat.
type schedSnapshot map[string][3]int64

// takeSchedSnapshot reads the scheduler statistics of every thread of the
// process; it returns nil if the kernel does not report them.
func takeSchedSnapshot() schedSnapshot {
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return nil
	}
	snap := make(schedSnapshot, len(tasks))
	for _, t := range tasks {
		b, err := os.ReadFile("/proc/self/task/" + t.Name() + "/schedstat")
		if err != nil {
			continue // the thread exited
		}
		f := bytes.Fields(b)
		if len(f) < 3 {
			continue
		}
		var v [3]int64
		ok := true
		for i := range v {
			v[i], err = strconv.ParseInt(string(f[i]), 10, 64)
			ok = ok && err == nil
		}
		if ok {
			snap[t.Name()] = v
		}
	}
	if len(snap) == 0 {
		return nil
	}
	return snap
}
