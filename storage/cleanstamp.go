package storage

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// The clean-shutdown stamp lets a clean reopen skip the full check.
//
// Open's full check (every page and bbolt's Tx.Check) costs about 0.25 s
// per 100 MB with the file cached and twice that from disk: 2.5 s for the
// 480 MB of 100,000 events and 1,000,000 registrations (BENCHMARKS.md,
// "Scale"). It is there to find damage a crash or a disk left behind.
// After a clean Close nothing has crashed: Close writes, beside the
// database, path+".clean" naming the file as it left it (its inode, size,
// modification time and the txid of its newest meta page), fsynced. Open
// removes the stamp (and syncs the folder) before bbolt maps the file for
// writing, so a process that then dies leaves none, and only when the
// stamp names the file exactly as it is now does Open skip the full check
// (the size and meta pages are still read). A restore, a compaction, a
// copy or any write to the file since changes what the stamp names.
//
// What the skip gives up: damage to a page at rest, with the file's size
// and time unchanged (a failing disk), is found by the next unclean start,
// by vmeste -check, or when a handler reads the page.

// cleanStamp names a database file as a clean Close left it.
type cleanStamp struct {
	Inode   uint64 `json:"inode"`
	Size    int64  `json:"size"`
	ModNano int64  `json:"mod_unix_nano"`
	TxID    uint64 `json:"txid"`
}

func stampPath(path string) string { return path + ".clean" }

// errNotStamped: the file's header is not fit for a stamp (a meta page
// invalid): no stamp is written, and the next Open checks in full.
var errNotStamped = errors.New("a meta page is invalid")

// currentStamp is the stamp of the database file at path as it is now;
// errNotStamped unless both meta pages are valid.
func currentStamp(path string) (cleanStamp, error) {
	info, err := os.Stat(path)
	if err != nil {
		return cleanStamp{}, err
	}
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return cleanStamp{}, errors.New("no inode")
	}
	h, err := checkHeader(path, false)
	if err != nil {
		return cleanStamp{}, err
	}
	if h.otherBad != nil {
		return cleanStamp{}, errNotStamped
	}
	return cleanStamp{Inode: st.Ino, Size: info.Size(), ModNano: info.ModTime().UnixNano(), TxID: h.meta.txid}, nil
}

// writeCleanStamp writes the stamp of the closed database at path, fsynced
// with its folder; none (and no error) when a meta page is invalid. Call
// it with the lock held and bbolt closed.
//
// The file's modification time is first set a second or more into the
// past, at a random nanosecond: any write after that sets it to the
// present, so a change made within the file system's timestamp
// granularity of the Close still changes what the stamp names.
func writeCleanStamp(path string) error {
	past := time.Unix(time.Now().Unix()-1, rand.Int64N(int64(time.Second)))
	if err := os.Chtimes(path, time.Time{}, past); err != nil {
		return fmt.Errorf("clean stamp: %w", err)
	}
	st, err := currentStamp(path)
	if errors.Is(err, errNotStamped) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("clean stamp: %w", err)
	}
	data, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("clean stamp: %w", err)
	}
	tmp := stampPath(path) + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return fmt.Errorf("clean stamp: %w", err)
	}
	f, err := os.Open(tmp)
	if err == nil {
		err = f.Sync()
		f.Close()
	}
	if err == nil {
		err = os.Rename(tmp, stampPath(path))
	}
	if err == nil {
		err = syncDir(filepath.Dir(path))
	}
	if err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("clean stamp: %w", err)
	}
	return nil
}

// takeCleanStamp removes the stamp of the database at path (syncing the
// folder) and reports whether it named the file exactly as it is now.
// Call it with the lock held, before bbolt opens the file for writing.
func takeCleanStamp(path string) (bool, error) {
	data, err := os.ReadFile(stampPath(path))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("clean stamp: %w", err)
	}
	if err := removeCleanStamp(path); err != nil {
		return false, err
	}
	var was cleanStamp
	if json.Unmarshal(data, &was) != nil {
		return false, nil
	}
	now, err := currentStamp(path)
	return err == nil && now == was, nil
}

// removeCleanStamp removes the stamp of the database at path, if any, and
// syncs the folder: what Restore and Compact call before they replace the
// file.
func removeCleanStamp(path string) error {
	err := os.Remove(stampPath(path))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err == nil {
		err = syncDir(filepath.Dir(path))
	}
	if err != nil {
		return fmt.Errorf("clean stamp: %w", err)
	}
	return nil
}
