package runner

import (
	"os"
	"strconv"
	"strings"
)

// cpuTimes returns the busy and total CPU time of the whole machine since
// boot, in seconds, from /proc/stat (Linux; ok is false elsewhere). The
// runner uses it to measure how much of the machine other processes took
// while the benchmarks ran.
func cpuTimes() (busy, total float64, ok bool) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0, false
	}
	line, _, _ := strings.Cut(string(data), "\n")
	fields := strings.Fields(line)
	if len(fields) < 5 || fields[0] != "cpu" {
		return 0, 0, false
	}
	// user nice system idle iowait irq softirq steal guest guest_nice;
	// guest time is already counted in user time.
	var idle, sum float64
	for i, f := range fields[1:] {
		if i >= 8 {
			break
		}
		v, err := strconv.ParseFloat(f, 64)
		if err != nil {
			return 0, 0, false
		}
		sum += v
		if i == 3 || i == 4 {
			idle += v
		}
	}
	const userHZ = 100 // USER_HZ, 100 on every Linux architecture Go supports
	return (sum - idle) / userHZ, sum / userHZ, true
}
