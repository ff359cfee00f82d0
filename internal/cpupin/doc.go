// Package cpupin keeps the goroutines that verify batches on CPUs of their
// own while they verify.
//
// Linux places a thread that wakes up on a CPU of its choosing, and it may
// put two CPU-bound threads on the same CPU while another CPU idles. Both
// then run at half speed until the load balancer moves one, which takes
// milliseconds: it does not migrate a thread that ran in the last half
// millisecond, and two threads sharing a CPU both always have. Measured on
// 2 vCPUs with the Batcher at half load (BenchmarkBatcher, thread CPU time
// against wall time of every batch): nearly every batch that took a
// millisecond longer than its CPU time overlapped a batch of the other
// verifier on the same CPU, and those batches set the p99 latency.
//
// Start locks the calling goroutine to its thread and restricts the thread
// to one CPU that no other Start holds: the CPU it runs on if that one is
// free, so that pinning usually moves nothing, else the first free CPU it
// may run on. End restores the thread's previous CPU mask and unlocks the
// goroutine. The pinned stretch should be CPU-bound and short (one batch,
// milliseconds): the kernel cannot move a pinned thread away from another
// process that takes its CPU.
//
// Which CPUs are held is process-wide state (one bit per CPU, package
// level): it is the only way to keep the verifiers of several Batchers (as
// in ronkms serve, one per mode) apart. It decides where threads run and
// nothing else. Where there is no sched_setaffinity (every system but
// Linux), or the thread may run on a single CPU, Start only locks the
// goroutine to its thread.
package cpupin
