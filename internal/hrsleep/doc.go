// Package hrsleep sleeps until a deadline with microsecond accuracy
// without holding a processor.
//
// Go's runtime timers cannot do this on an idle process: the scheduler then
// waits for the next timer inside the network poller, whose timeout is a
// whole number of milliseconds (runtime/netpoll_epoll.go rounds anything
// below 1 ms up to 1 ms), so a 500 µs sleep lasts about 1.1 ms. A sleeping
// system call (nanosleep) is accurate but blocks a thread that keeps its
// processor until the runtime's monitor takes it back, which starved a
// two-core machine in measurements. On Linux, Timer arms a timerfd and
// reads it through the network poller: the goroutine parks like any
// blocked reader, and epoll reports the timerfd the moment the kernel's
// high-resolution timer fires. Elsewhere Timer falls back to time.Sleep.
package hrsleep
