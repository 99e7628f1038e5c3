package storage

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// verifyLockTimeout bounds how long VerifyBackup waits for a file held by
// another process.
const verifyLockTimeout = 200 * time.Millisecond

// Backup writes a consistent copy of the whole database to w, from one read
// transaction (Tx.WriteTo), while writers go on; the copy holds exactly the
// commits made before it began. It returns the bytes written. The read
// transaction keeps the file from growing until it ends, so w should be a
// local file, not a network peer.
func (s *Store) Backup(ctx context.Context, w io.Writer) (int64, error) {
	var n int64
	err := s.view(ctx, func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	if err != nil {
		return n, fmt.Errorf("storage: backup: %w", err)
	}
	return n, nil
}

// VerifyBackup checks the backup at path without writing to it: its size
// and both meta pages, which must both be valid (Tx.WriteTo writes both, so
// an invalid one means the copy was damaged since), then, read-only and
// with faults and panics recovered, every page and bbolt's consistency
// check; then a schema version this binary knows (1 to SchemaVersion) and
// every bucket present. A file that fails the first part is ErrDamaged (a
// *DamageError says why). It returns ErrLocked when another process holds
// the file for writing.
func VerifyBackup(path string) error {
	if _, err := checkHeader(path, true); err != nil {
		return fmt.Errorf("storage: verify backup %s: %w", path, err)
	}
	if err := readThrough(path); err != nil {
		return fmt.Errorf("storage: verify backup %s: %w", path, err)
	}
	if err := viewChecked(path, verifyLockTimeout, verifyTx); err != nil {
		if errors.Is(err, ErrLocked) {
			return ErrLocked
		}
		return fmt.Errorf("storage: verify backup %s: %w", path, err)
	}
	return nil
}

// verifyTx checks the pages (consistent), then that the database is one of
// ours in a schema this binary knows.
func verifyTx(tx *bolt.Tx) error {
	if err := consistent(tx); err != nil {
		return err
	}
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		return errors.New("no meta bucket")
	}
	v := meta.Get(keySchema)
	if len(v) != 8 {
		return errors.New("no schema version")
	}
	version := binary.BigEndian.Uint64(v)
	if version < 1 || version > SchemaVersion() {
		return fmt.Errorf("schema version %d unknown (this binary knows 1 to %d)", version, SchemaVersion())
	}
	for _, name := range allBuckets {
		if version < 4 && (bytes.Equal(name, bucketReportEvents) || bytes.Equal(name, bucketReportRegs)) {
			continue // made by migration 3→4 when the backup is opened
		}
		if tx.Bucket(name) == nil {
			return fmt.Errorf("bucket %s missing", name)
		}
	}
	return nil
}

// Restore puts the backup src in place of the database dst: it checks src
// with VerifyBackup (a damaged src is ErrDamaged, and nothing is written),
// takes dst's lock file for its whole length (ErrLocked
// when a running instance holds it for longer than lockTimeout; 0 or less:
// one second), copies src to dst+".restore" and syncs it, keeps the
// replaced database as dst+".replaced-<UTC time>", renames the copy over
// dst and syncs the folder. An instance started meanwhile waits for the
// lock and then opens the restored file. A missing or damaged dst is fine:
// Restore never lets bbolt read it.
//
// The restored database holds what the backup held: outbox entries still
// pending then, and scheduled work due since, are sent after the restore.
func Restore(src, dst string, lockTimeout time.Duration) error {
	if lockTimeout <= 0 {
		lockTimeout = time.Second
	}
	if err := VerifyBackup(src); err != nil {
		return fmt.Errorf("storage: restore: %w", err)
	}
	dir := filepath.Dir(dst)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("storage: restore: create folder: %w", err)
	}
	lock, err := acquireLock(dst, lockTimeout)
	if err != nil {
		return err
	}
	defer lock.release()
	// An instance of an older version holds only bbolt's own lock, on dst
	// itself. Test that lock without bbolt: dst may be damaged.
	if err := waitUnlocked(dst, lockTimeout); err != nil {
		if errors.Is(err, ErrLocked) {
			return ErrLocked
		}
		return fmt.Errorf("storage: restore: %w", err)
	}
	if err := removeCleanStamp(dst); err != nil {
		return fmt.Errorf("storage: restore: %w", err)
	}
	tmp := dst + ".restore"
	if err := copyFileSync(src, tmp); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("storage: restore: %w", err)
	}
	if _, err := os.Stat(dst); err == nil {
		kept := dst + ".replaced-" + time.Now().UTC().Format("20060102-150405")
		if err := os.Rename(dst, kept); err != nil {
			_ = os.Remove(tmp)
			return fmt.Errorf("storage: restore: keep the replaced database: %w", err)
		}
	}
	if err := os.Rename(tmp, dst); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("storage: restore: %w", err)
	}
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("storage: restore: %w", err)
	}
	return nil
}

// copyFileSync copies src to a new (or truncated) file dst and fsyncs it.
func copyFileSync(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}

// syncDir fsyncs a folder, so a rename in it survives a crash.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
