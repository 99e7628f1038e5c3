package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"time"

	"vmeste/storage"
)

// checkDB runs the full check of the database (-check): exit 0 when it is
// sound, 1 when it is damaged, 2 when it is missing or held by a running
// instance.
func checkDB(cfg config, stdout, stderr io.Writer) int {
	start := time.Now()
	err := storage.Check(cfg.DB, time.Second)
	if err != nil {
		return offlineFailure("check", cfg.DB, cfg, err, stderr)
	}
	fmt.Fprintf(stdout, "vmeste: %s is sound (checked in %s)\n", cfg.DB, time.Since(start).Round(time.Millisecond))
	return 0
}

// compactDB compacts the database (-compact): exit 0 when done, 1 when it
// is damaged or the compaction failed (the database is left as it was), 2
// when it is missing or held by a running instance.
func compactDB(cfg config, stdout, stderr io.Writer) int {
	start := time.Now()
	got, err := storage.Compact(cfg.DB, time.Second)
	if err != nil {
		return offlineFailure("compact", cfg.DB, cfg, err, stderr)
	}
	fmt.Fprintf(stdout, "vmeste: compacted %s from %d to %d bytes in %s\n", cfg.DB, got.Before, got.After, time.Since(start).Round(time.Millisecond))
	if got.SyncWarning != nil {
		fmt.Fprintf(stderr, "vmeste: compact: warning: the compacted file is in place, but the folder's fsync failed (%v): a power cut now could bring the old file back\n", unwrapAll(got.SyncWarning))
	}
	return 0
}

// offlineFailure reports the failure err of the offline operation op
// (-restore, -check, -compact) on the file subject and returns the exit
// status: 2 when the database is held by a running instance, or missing
// for -check and -compact; 1 otherwise (damage named with its reason).
func offlineFailure(op, subject string, cfg config, err error, stderr io.Writer) int {
	var damage *storage.DamageError
	switch {
	case errors.Is(err, storage.ErrLocked):
		fmt.Fprintf(stderr, "vmeste: %v\n", settingErr("db", "%s is held by another running instance: stop it first", cfg.DB))
		return 2
	case op != "restore" && errors.Is(err, fs.ErrNotExist):
		fmt.Fprintf(stderr, "vmeste: %v\n", settingErr("db", "%s does not exist", cfg.DB))
		return 2
	case errors.As(err, &damage):
		fmt.Fprintf(stderr, "vmeste: %s: %s is damaged: %s\n", op, subject, damage.Reason)
		return 1
	default:
		fmt.Fprintf(stderr, "vmeste: %s: %v\n", op, unwrapAll(err))
		return 1
	}
}
