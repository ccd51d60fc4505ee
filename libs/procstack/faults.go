package procstack

import (
	"context"
	"fmt"
	"os"
	"syscall"
	"time"
)

// Signal sends sig to a running service (fault tests: SIGTERM under load).
func (s *Stack) Signal(service string, sig os.Signal) error {
	p, _, err := s.proc(service)
	if err != nil {
		return err
	}
	return p.cmd.Process.Signal(sig)
}

// PID is a running service's process id: benchmarks read its
// /proc/<pid>/status (e.g. VmHWM, the peak resident memory).
func (s *Stack) PID(service string) (int, error) {
	p, _, err := s.proc(service)
	if err != nil {
		return 0, err
	}
	return p.cmd.Process.Pid, nil
}

// Kill SIGKILLs a service, as a crash would, and waits until it is gone.
func (s *Stack) Kill(service string) error {
	p, _, err := s.proc(service)
	if err != nil {
		return err
	}
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	select {
	case <-p.done:
		return nil
	case <-time.After(10 * time.Second):
		return fmt.Errorf("stack: %s still running 10 s after SIGKILL", service)
	}
}

// Wait waits until a service's process has exited (after Signal) and returns
// its exit error, or an error if it is still running after timeout.
func (s *Stack) Wait(service string, timeout time.Duration) error {
	p, _, err := s.proc(service)
	if err != nil {
		return err
	}
	select {
	case <-p.done:
		return p.err
	case <-time.After(timeout):
		return fmt.Errorf("stack: %s still running after %s", service, timeout)
	}
}

// Respawn starts a service whose process has exited (killed or signalled)
// again with the same settings and port, and returns once it is ready.
func (s *Stack) Respawn(ctx context.Context, service string) error {
	p, i, err := s.proc(service)
	if err != nil {
		return err
	}
	select {
	case <-p.done:
	default:
		return fmt.Errorf("stack: %s is still running; Kill or Signal it first", service)
	}
	np, err := s.spawn(p.name, p.bin, p.env)
	if err != nil {
		return err
	}
	s.procs[i] = np
	return waitReady(ctx, np, s.urls[service]+"/readyz", s.cfg.ReadyTimeout)
}

func (s *Stack) proc(service string) (*process, int, error) {
	for i, p := range s.procs {
		if p.name == service {
			return p, i, nil
		}
	}
	return nil, 0, fmt.Errorf("stack: no service %q", service)
}
