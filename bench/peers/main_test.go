package peers

import (
	"fmt"
	"os"
	"testing"

	"github.com/ronkms/ronkms"
	"github.com/ronkms/ronkms/bench/peers/internal/runner"
)

// TestMain answers the runner's question (runner.CPULine): with
// RONKMS_PEERS_PRINT_CPU=1 it prints the CPU line as the benchmarks see it,
// under this process's GODEBUG, and exits.
func TestMain(m *testing.M) {
	if os.Getenv(runner.PrintCPUEnv) == "1" {
		fmt.Println("ronkms-cpu: " + ronkms.DescribeCPU())
		os.Exit(0)
	}
	os.Exit(m.Run())
}
