package storage

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
	"time"
)

// lockFile is an exclusive lock on path+".lock", held by every Store that
// writes and by Restore for its whole length. bbolt's own lock is on the
// database file, which Restore replaces: a process waiting for that lock
// would get the old, replaced file. The lock file stays put.
type lockFile struct{ f *os.File }

// acquireLock takes the lock of the database at path, waiting at most
// timeout; ErrLocked when another holder keeps it.
func acquireLock(path string, timeout time.Duration) (*lockFile, error) {
	f, err := os.OpenFile(path+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock file: %w", err)
	}
	if err := flockWithin(f, timeout); err != nil {
		f.Close()
		return nil, err
	}
	return &lockFile{f: f}, nil
}

// waitUnlocked waits at most timeout until no process holds an exclusive
// flock on the file at path (as bbolt does on a database open for
// writing), taking that lock and giving it back at once; ErrLocked when
// one keeps it. A missing file is not locked.
func waitUnlocked(path string, timeout time.Duration) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close() // closing the descriptor drops the flock
	return flockWithin(f, timeout)
}

// flockWithin takes an exclusive flock on f, trying until timeout has
// passed; ErrLocked when another holder keeps it.
func flockWithin(f *os.File, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			return fmt.Errorf("flock %s: %w", f.Name(), err)
		}
		if time.Now().After(deadline) {
			return ErrLocked
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// release gives the lock back; releasing again does nothing.
func (l *lockFile) release() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Close() // closing the descriptor drops the flock
	l.f = nil
	return err
}
