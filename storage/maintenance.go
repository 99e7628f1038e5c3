package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// Offline maintenance: vmeste -check and -compact. Both take the
// database's lock file for their whole length, as Restore does, so they
// refuse while the bot runs (ErrLocked) and a bot started meanwhile waits.

// compactTxSize bounds the bytes of keys and values Compact copies in one
// transaction of the new file.
const compactTxSize = 64 << 20

// Check runs the full check of the database at path that Open runs after
// an unclean shutdown (its size and meta pages, every page read, bbolt's
// Tx.Check), then wants a schema version this binary knows. It writes
// nothing. A damaged file is ErrDamaged (a *DamageError says why);
// ErrLocked when a running instance holds the database for longer than
// lockTimeout (0 or less: one second); a missing file is an error
// wrapping fs.ErrNotExist.
func Check(path string, lockTimeout time.Duration) error {
	if lockTimeout <= 0 {
		lockTimeout = time.Second
	}
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("storage: check: %w", err)
	}
	lock, err := acquireLock(path, lockTimeout)
	if err != nil {
		return err
	}
	defer lock.release()
	if err := checkFile(path, lockTimeout, knownSchema); err != nil {
		if errors.Is(err, ErrLocked) {
			return ErrLocked
		}
		return fmt.Errorf("storage: check %s: %w", path, err)
	}
	return nil
}

// checkFile is the full check: checkHeader (lenient), the file read once
// in order, then consistent and then, if not nil, more in one read-only
// transaction.
func checkFile(path string, lockTimeout time.Duration, more func(*bolt.Tx) error) error {
	if _, err := checkHeader(path, false); err != nil {
		return err
	}
	if err := readThrough(path); err != nil {
		return err
	}
	return viewChecked(path, lockTimeout, func(tx *bolt.Tx) error {
		if err := consistent(tx); err != nil {
			return err
		}
		if more != nil {
			return more(tx)
		}
		return nil
	})
}

// knownSchema wants a meta bucket with a schema version from 1 to
// SchemaVersion; anything else is damage (or not our database).
func knownSchema(tx *bolt.Tx) error {
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		return damaged(nil, "no meta bucket: not a Vmeste database")
	}
	v := meta.Get(keySchema)
	if len(v) != 8 {
		return damaged(nil, "no schema version")
	}
	if n := binary.BigEndian.Uint64(v); n < 1 || n > SchemaVersion() {
		return damaged(nil, "schema version %d unknown (this binary knows 1 to %d)", n, SchemaVersion())
	}
	return nil
}

// Compacted is what Compact did.
type Compacted struct {
	Before, After int64 // file sizes in bytes
	// SyncWarning, when not nil, is the folder's fsync failing after the
	// compacted file was renamed into place: it is in use now, but a power
	// cut could bring the old file back. Compact still succeeded.
	SyncWarning error
}

// compactSyncDir syncs the folder after Compact's rename; tests replace it.
var compactSyncDir = syncDir

// Compact rewrites the database at path into a new file with bbolt.Compact
// (full pages, no free ones: the file shrinks by what deleted records and
// page splits left), then swaps it in: it takes the lock file (ErrLocked
// while a running instance holds it longer than lockTimeout; 0 or less:
// one second), refuses a damaged database (the full check, as Check;
// nothing is written), copies into path+".compact", fsyncs it, checks the
// copy the same way, gives it the original's mode (and owner, as root),
// removes the clean-shutdown stamp, renames the copy over path and syncs
// the folder (a failure of that last sync is Compacted.SyncWarning). A crash before the rename leaves the
// database as it was (and a .compact file that the next Compact
// replaces); after it, the compacted one. The next Open checks it in full.
func Compact(path string, lockTimeout time.Duration) (Compacted, error) {
	var out Compacted
	if lockTimeout <= 0 {
		lockTimeout = time.Second
	}
	if _, err := os.Stat(path); err != nil {
		return out, fmt.Errorf("storage: compact: %w", err)
	}
	lock, err := acquireLock(path, lockTimeout)
	if err != nil {
		return out, err
	}
	defer lock.release()
	if err := waitUnlocked(path, lockTimeout); err != nil {
		if errors.Is(err, ErrLocked) {
			return out, ErrLocked
		}
		return out, fmt.Errorf("storage: compact: %w", err)
	}
	if err := checkFile(path, lockTimeout, knownSchema); err != nil {
		if errors.Is(err, ErrLocked) {
			return out, ErrLocked
		}
		return out, fmt.Errorf("storage: compact %s: %w", path, err)
	}
	// The size before is read under the lock: no instance writes now.
	info, err := os.Stat(path)
	if err != nil {
		return out, fmt.Errorf("storage: compact: %w", err)
	}
	out.Before = info.Size()
	tmp := path + ".compact"
	if err := compactInto(path, tmp, lockTimeout); err != nil {
		_ = os.Remove(tmp)
		return out, fmt.Errorf("storage: compact %s: %w", path, err)
	}
	if err := checkFile(tmp, lockTimeout, knownSchema); err != nil {
		_ = os.Remove(tmp)
		return out, fmt.Errorf("storage: compact %s: the copy fails the check: %w", path, err)
	}
	if err := sameOwnerAndMode(tmp, info); err != nil {
		_ = os.Remove(tmp)
		return out, fmt.Errorf("storage: compact %s: %w", path, err)
	}
	if err := removeCleanStamp(path); err != nil {
		_ = os.Remove(tmp)
		return out, fmt.Errorf("storage: compact: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return out, fmt.Errorf("storage: compact: %w", err)
	}
	if err := compactSyncDir(filepath.Dir(path)); err != nil {
		// The rename is done: the compacted file is the database now.
		out.SyncWarning = fmt.Errorf("storage: compact: sync the folder after the rename: %w", err)
	}
	if info, err := os.Stat(path); err == nil {
		out.After = info.Size()
	}
	return out, nil
}

// sameOwnerAndMode gives the file at path the permission bits of orig
// and, when running as root, its owner and group: `sudo vmeste -compact`
// must not leave a root-owned 0600 database the service's user cannot
// open. Another user can give a file only its own owner, which it has.
func sameOwnerAndMode(path string, orig os.FileInfo) error {
	if err := os.Chmod(path, orig.Mode().Perm()); err != nil {
		return fmt.Errorf("keep the mode: %w", err)
	}
	st, ok := orig.Sys().(*syscall.Stat_t)
	if !ok || os.Geteuid() != 0 {
		return nil
	}
	if err := os.Chown(path, int(st.Uid), int(st.Gid)); err != nil {
		return fmt.Errorf("keep the owner: %w", err)
	}
	return nil
}

// compactInto copies the database src into a new file dst with
// bbolt.Compact, without fsync per commit, and fsyncs dst once at the end.
func compactInto(src, dst string, lockTimeout time.Duration) error {
	if err := os.Remove(dst); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	from, err := openBolt(src, bolt.Options{ReadOnly: true, Timeout: lockTimeout})
	if errors.Is(err, berrors.ErrTimeout) {
		return ErrLocked
	}
	if err != nil {
		return err
	}
	defer from.Close()
	to, err := bolt.Open(dst, 0o600, &bolt.Options{NoSync: true, Timeout: lockTimeout})
	if err != nil {
		return err
	}
	err = bolt.Compact(to, from, compactTxSize)
	if err == nil {
		err = to.Sync()
	}
	if cerr := to.Close(); err == nil {
		err = cerr
	}
	return err
}
