// Package cpupin keeps the goroutines that verify batches on CPUs of their
// own while they verify.
//
// Linux places a thread that wakes up on a CPU of its choosing, and it may
// put two CPU-bound threads on the same CPU while another CPU idles. Both
// then run at half speed until the load balancer moves one, which takes
// milliseconds: it does not migrate a waiting thread that ran in the last
// sched_migration_cost_ns (half a millisecond by default), and two threads
// sharing a CPU both always have; a running one only active balancing
// moves. Measured on 2 vCPUs (Linux 6.18) with the Batcher at half load
// (BenchmarkBatcher, thread CPU time against wall time of every batch):
// nearly every batch that took a millisecond longer than its CPU time
// overlapped a batch of the other verifier on the same CPU, and those
// batches set the p99 latency.
//
// Start pins the calling goroutine's thread to one CPU that no other Pin
// holds: the CPU it runs on if that one is free, so that pinning usually
// moves nothing, else the next free CPU the thread may run on. The
// goroutine is locked to its thread while it is pinned. End restores the
// thread's CPU mask (see unpin for how it keeps the thread following the
// process's cpuset) and unlocks the goroutine. Call End exactly once, on the
// same goroutine (defer it), and do not copy a Pin. Goroutines started
// while pinned are not pinned: threads the runtime creates meanwhile do not
// inherit the pin.
//
// The pinned stretch should be CPU-bound and short (one batch,
// milliseconds): the kernel cannot move a pinned thread away from another
// process that takes its CPU, and a stop-the-world pause of the runtime
// waits for the pinned thread to get its CPU back.
//
// Nothing is pinned, and Start and End change nothing, when: the system is
// not Linux (the other systems' equivalents are not implemented); the
// thread may run on one CPU only; every CPU it may run on is held by another
// Pin; the system refuses sched_getaffinity or sched_setaffinity (machines
// with CPU numbers of 1,024 and above; seccomp filters that return an
// error). A seccomp filter that kills the process on sched_setaffinity or
// getcpu instead kills it on the first Start.
//
// Which CPUs are held is process-wide state (one bit per CPU, package
// level): it is the only way to keep the verifiers of several Batchers (as
// in ronkms serve, one per mode) apart. It decides where threads run and
// nothing else.
package cpupin
