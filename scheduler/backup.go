package scheduler

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"vmeste/storage"
)

// backupPrefix and backupSuffix name the backup files:
// vmeste-20261126-000000.000.db (UTC).
const (
	backupPrefix = "vmeste-"
	backupSuffix = ".db"
	// backupStamp is the time in a backup's name (UTC).
	backupStamp = "20060102-150405.000"
)

// BackupNow writes a hot copy of the database into the backup folder while
// the bot keeps serving, checks it by opening it read-only, and keeps the
// newest Keep copies.
func (s *Scheduler) BackupNow(ctx context.Context) {
	s.cfg.Metrics.job(jobBackup, func() error {
		path, err := s.Backup(ctx)
		s.cfg.Metrics.backupDone(err)
		if err != nil {
			s.log.Error("scheduler: backup", "error", err)
			return err
		}
		s.log.Info("scheduler: backup written and checked", "path", path)
		return nil
	})
}

// CheckBackupDir creates the backup folder dir (and its parents) and
// proves that it can be written: it creates a file there, writes to it,
// fsyncs and removes it. Run it at start, so that a folder where backups
// cannot go stops the process then, not in a log line at night.
func CheckBackupDir(dir string) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("scheduler: backup folder: %w", err)
	}
	f, err := os.CreateTemp(dir, ".write-test-*")
	if err != nil {
		return fmt.Errorf("scheduler: backup folder: %w", err)
	}
	_, err = f.WriteString("vmeste: can backups be written here?\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if rerr := os.Remove(f.Name()); err == nil {
		err = rerr
	}
	if err != nil {
		return fmt.Errorf("scheduler: backup folder: %w", err)
	}
	return nil
}

// Backup is BackupNow returning the new file's path.
func (s *Scheduler) Backup(ctx context.Context) (string, error) {
	if err := os.MkdirAll(s.cfg.BackupDir, 0o750); err != nil {
		return "", fmt.Errorf("scheduler: backup folder: %w", err)
	}
	// UTC with milliseconds: names sort by age whatever the zone, and two
	// backups in one second do not collide.
	name := backupPrefix + s.cfg.Now().UTC().Format(backupStamp) + backupSuffix
	path := filepath.Join(s.cfg.BackupDir, name)
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return "", fmt.Errorf("scheduler: backup: %w", err)
	}
	_, err = s.store.Backup(ctx, f)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = storage.VerifyBackup(tmp)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err == nil {
		err = syncDir(s.cfg.BackupDir)
	}
	if err != nil {
		_ = os.Remove(tmp)
		return "", fmt.Errorf("scheduler: backup: %w", err)
	}
	return path, s.prune()
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// prune removes all but the newest Keep backups (names sort by time).
func (s *Scheduler) prune() error {
	entries, err := os.ReadDir(s.cfg.BackupDir)
	if err != nil {
		return fmt.Errorf("scheduler: prune backups: %w", err)
	}
	var names []string
	for _, e := range entries {
		n := e.Name()
		switch {
		case strings.HasPrefix(n, backupPrefix) && strings.HasSuffix(n, backupSuffix):
			names = append(names, n)
		case strings.HasPrefix(n, backupPrefix) && strings.HasSuffix(n, backupSuffix+".tmp"):
			// Left by a backup cut short (a kill, a full disk).
			if err := os.Remove(filepath.Join(s.cfg.BackupDir, n)); err != nil {
				return fmt.Errorf("scheduler: prune backups: %w", err)
			}
		}
	}
	sort.Strings(names)
	for len(names) > s.cfg.Keep {
		if err := os.Remove(filepath.Join(s.cfg.BackupDir, names[0])); err != nil {
			return fmt.Errorf("scheduler: prune backups: %w", err)
		}
		names = names[1:]
	}
	return nil
}
