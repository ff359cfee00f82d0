package hrsleep

import (
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Timer sleeps until deadlines on a timerfd. A Timer is used by one
// goroutine at a time; Close wakes a sleeper, whose SleepUntil then
// returns early.
type Timer struct {
	f  *os.File
	rc syscall.RawConn // the descriptor, for timerfd_settime
}

// New returns a Timer, or an error if the system refuses a timerfd (the
// caller may then fall back to runtime timers).
func New() (*Timer, error) {
	fd, err := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("timerfd_create", err)
	}
	// A non-blocking descriptor: os.NewFile registers it with the network
	// poller, so Read parks the goroutine instead of blocking a thread.
	f := os.NewFile(uintptr(fd), "timerfd")
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return nil, err
	}
	return &Timer{f: f, rc: rc}, nil
}

// SleepUntil returns at d (within the kernel's timer slack, microseconds),
// at once if d has passed, and early if the Timer is closed (before or
// during the sleep).
func (t *Timer) SleepUntil(d time.Time) {
	left := time.Until(d)
	if left <= 0 {
		return
	}
	spec := unix.ItimerSpec{Value: unix.NsecToTimespec(left.Nanoseconds())}
	// Through RawConn.Control, never by the bare descriptor number: after
	// Close that number may belong to another file (another Batcher's
	// timerfd), and Control refuses a closed file.
	var serr error
	if err := t.rc.Control(func(fd uintptr) {
		serr = unix.TimerfdSettime(int(fd), 0, &spec, nil)
	}); err != nil || serr != nil {
		return // closed: as documented, an early return
	}
	var buf [8]byte // the expiration count
	for {
		if _, err := t.f.Read(buf[:]); err == nil || !isRetryable(err) {
			return
		}
	}
}

func isRetryable(err error) bool {
	// The poller retries EAGAIN itself; EINTR is the only other reason to
	// read again.
	return err == unix.EINTR
}

// Close releases the timerfd and wakes a goroutine sleeping on it.
func (t *Timer) Close() error { return t.f.Close() }
