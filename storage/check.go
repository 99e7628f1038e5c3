package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// Why a check of our own before bbolt: bbolt trusts its file. It maps the
// size its meta page records, so a file cut short is read past its end and
// the process dies of SIGBUS; a page of garbage trips an assertion panic,
// or sends a read through a garbage pointer. So Open and VerifyBackup first
// read the file's size and both meta pages with plain reads (checkHeader),
// and only then let bbolt map it, read-only, in a goroutine that turns
// faults and panics into errors (guarded).

// The layout of a bbolt v1.5.0 meta page (go.etcd.io/bbolt
// internal/common/page.go and meta.go), in the machine's byte order, as
// bbolt writes it:
//
//	page header, 16 bytes: id uint64, flags uint16, count uint16, overflow uint32
//	meta, 64 bytes:        magic uint32, version uint32, pageSize uint32, flags uint32,
//	                       root bucket (root page uint64, sequence uint64),
//	                       freelist page uint64, pgid (high-water mark) uint64,
//	                       txid uint64, checksum uint64
//
// The checksum is FNV-1a (64 bits) of the meta's first 56 bytes: all of it
// but the checksum. Pages 0 and 1 are the meta pages; a commit writes page
// txid%2, so the other keeps the previous commit.
const (
	boltMagic      = 0xED0CDAED
	boltVersion    = 2
	pageHeaderSize = 16
	metaSize       = 64
	metaSumOffset  = 56
	metaPageFlag   = 0x04
	noFreelist     = ^uint64(0)
	// minPageSize and maxPageSize bound the page sizes bbolt itself tries
	// when meta page 0 is unreadable: powers of two from 1 KiB to 16 MiB.
	minPageSize = 1 << 10
	maxPageSize = 1 << 24
)

// metaPage is what a valid meta page says.
type metaPage struct {
	n        int // 0 or 1
	pageSize int64
	root     uint64 // page of the root bucket
	freelist uint64 // page of the freelist, or noFreelist
	pgid     uint64 // high-water mark: the file holds pages 0 to pgid-1
	txid     uint64
}

// parseMeta reads meta page n from page, which holds (at least the start
// of) that page. A page that is not a valid meta page is a *DamageError.
func parseMeta(n int, page []byte) (metaPage, error) {
	e := binary.NativeEndian
	if len(page) < pageHeaderSize+4 || e.Uint32(page[pageHeaderSize:]) != boltMagic {
		return metaPage{}, damaged(berrors.ErrInvalid, "meta page %d: no bbolt magic number", n)
	}
	if len(page) < pageHeaderSize+metaSize {
		return metaPage{}, damaged(nil, "meta page %d: cut short", n)
	}
	m := page[pageHeaderSize : pageHeaderSize+metaSize]
	if v := e.Uint32(m[4:]); v != boltVersion {
		return metaPage{}, damaged(berrors.ErrVersionMismatch, "meta page %d: format version %d, not %d", n, v, boltVersion)
	}
	h := fnv.New64a()
	h.Write(m[:metaSumOffset])
	if h.Sum64() != e.Uint64(m[metaSumOffset:]) {
		return metaPage{}, damaged(berrors.ErrChecksum, "meta page %d: invalid checksum", n)
	}
	if id, flags := e.Uint64(page[0:]), e.Uint16(page[8:]); id != uint64(n) || flags != metaPageFlag {
		return metaPage{}, damaged(nil, "meta page %d: its header says page %d, flags %#x", n, id, flags)
	}
	mp := metaPage{
		n:        n,
		pageSize: int64(e.Uint32(m[8:])),
		root:     e.Uint64(m[16:]),
		freelist: e.Uint64(m[32:]),
		pgid:     e.Uint64(m[40:]),
		txid:     e.Uint64(m[48:]),
	}
	if ps := mp.pageSize; ps < minPageSize || ps > maxPageSize || ps&(ps-1) != 0 {
		return metaPage{}, damaged(nil, "meta page %d: page size %d", n, ps)
	}
	if mp.root < 2 || mp.root >= mp.pgid {
		return metaPage{}, damaged(nil, "meta page %d: root page %d outside pages 2 to %d", n, mp.root, mp.pgid)
	}
	if mp.freelist != noFreelist && (mp.freelist < 2 || mp.freelist >= mp.pgid) {
		return metaPage{}, damaged(nil, "meta page %d: freelist page %d outside pages 2 to %d", n, mp.freelist, mp.pgid)
	}
	return mp, nil
}

// fileHeader is what checkHeader learnt of a file.
type fileHeader struct {
	size     int64
	pageSize int64
	// meta is the meta page bbolt will use: the valid one with the higher
	// txid.
	meta metaPage
	// otherBad says why the other meta page is invalid; nil when both are
	// valid. Only a lenient check returns a header with it set.
	otherBad error
}

// checkHeader reads the size and both meta pages of the file at path,
// without bbolt. A file is damaged (*DamageError) when it is empty; when
// no meta page can be found; when it is shorter than two pages or not a
// whole number of pages; when it is shorter than the pages its meta page
// counts; or when a meta page is invalid: either one if strict, both if
// not. Other errors (a missing file, a folder) are plain errors.
func checkHeader(path string, strict bool) (fileHeader, error) {
	f, err := os.Open(path)
	if err != nil {
		return fileHeader{}, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return fileHeader{}, err
	}
	h := fileHeader{size: info.Size()}
	if !info.Mode().IsRegular() {
		return h, errors.New("not a regular file")
	}
	if h.size == 0 {
		return h, damaged(nil, "empty file")
	}
	// readPage reads the start of the page at off: enough for a meta page.
	readPage := func(off int64) ([]byte, error) {
		buf := make([]byte, pageHeaderSize+metaSize)
		n, err := f.ReadAt(buf, off)
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, err
		}
		return buf[:n], nil
	}

	// The page size, found the way bbolt finds it: from meta page 0, else
	// from a meta page 1 at one of the page sizes bbolt could have used.
	page, err := readPage(0)
	if err != nil {
		return h, err
	}
	m0, err0 := parseMeta(0, page)
	if err0 == nil {
		h.pageSize = m0.pageSize
	} else {
		for ps := int64(minPageSize); ps <= maxPageSize && ps < h.size; ps <<= 1 {
			page, err := readPage(ps)
			if err != nil {
				return h, err
			}
			if m1, err := parseMeta(1, page); err == nil && m1.pageSize == ps {
				h.pageSize = ps
				break
			}
		}
	}
	if h.pageSize == 0 {
		if errors.Is(err0, berrors.ErrInvalid) {
			return h, damaged(berrors.ErrInvalid, "not a bbolt database")
		}
		return h, damaged(err0, "%s, and there is no valid meta page 1", reason(err0))
	}
	if h.size < 2*h.pageSize {
		return h, damaged(nil, "%d bytes, shorter than two pages of %d bytes", h.size, h.pageSize)
	}
	if h.size%h.pageSize != 0 {
		return h, damaged(nil, "%d bytes, not a whole number of %d-byte pages", h.size, h.pageSize)
	}

	metas := make([]metaPage, 2)
	errs := make([]error, 2)
	for n := range 2 {
		page, err := readPage(int64(n) * h.pageSize)
		if err != nil {
			return h, err
		}
		metas[n], errs[n] = parseMeta(n, page)
		if errs[n] == nil && metas[n].pageSize != h.pageSize {
			errs[n] = damaged(nil, "meta page %d: page size %d, not %d", n, metas[n].pageSize, h.pageSize)
		}
	}
	switch {
	case errs[0] != nil && errs[1] != nil:
		return h, errs[0]
	case strict && errs[0] != nil:
		return h, errs[0]
	case strict && errs[1] != nil:
		return h, errs[1]
	case errs[0] != nil:
		h.meta, h.otherBad = metas[1], errs[0]
	case errs[1] != nil:
		h.meta, h.otherBad = metas[0], errs[1]
	case metas[1].txid > metas[0].txid:
		h.meta = metas[1]
	default:
		h.meta = metas[0]
	}
	if pages := uint64(h.size / h.pageSize); pages < h.meta.pgid {
		return h, damaged(nil, "cut short: %d bytes, but meta page %d counts %d pages of %d bytes",
			h.size, h.meta.n, h.meta.pgid, h.pageSize)
	}
	return h, nil
}

// reason is the Reason of a *DamageError, or err's text.
func reason(err error) string {
	var de *DamageError
	if errors.As(err, &de) {
		return de.Reason
	}
	return err.Error()
}

// checkExisting checks the database file at path before Open lets bbolt
// write to it: checkHeader (lenient: one valid meta page is enough), then
// consistent, read-only. A missing or empty file passes: bbolt creates the
// database in it. An invalid meta page beside a valid one is logged.
func checkExisting(path string, lockTimeout time.Duration, logger *slog.Logger) error {
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case info.Mode().IsRegular() && info.Size() == 0:
		return nil
	}
	h, err := checkHeader(path, false)
	if err != nil {
		return err
	}
	if err := readThrough(path); err != nil {
		return err
	}
	if h.otherBad != nil {
		logger.Warn("storage: a meta page is invalid; bbolt uses the other, and the next commit rewrites it",
			"path", path, "invalid", reason(h.otherBad), "using_meta_page", h.meta.n, "txid", h.meta.txid)
	}
	return viewChecked(path, lockTimeout, consistent)
}

// readThrough reads the whole file once, in order, before bbolt maps it.
// The walk through the map then finds its pages in the page cache: with
// the file not cached (after a reboot), it would fault them in one page at
// a time: the whole check of 100 MB took 2.3–3.5 s that way, 0.17–0.25 s
// with this read first (BENCHMARKS.md).
func readThrough(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := io.Copy(io.Discard, f); err != nil {
		return fmt.Errorf("read: %w", err)
	}
	return nil
}

// guarded runs fn in a goroutine of its own with debug.SetPanicOnFault, so
// that a fault on bbolt's map (SIGBUS past the end of a file, SIGSEGV
// through a garbage page pointer) becomes a panic instead of the end of
// the process; a panic becomes a *DamageError. It returns fn's error.
//
// A fault inside Tx.Check's own goroutine cannot be recovered this way
// (debug.SetPanicOnFault is per goroutine): consistent reads every page
// under the guard first, so that Check reads nothing not read before.
func guarded(fn func() error) error {
	done := make(chan error, 1)
	go func() {
		debug.SetPanicOnFault(true)
		defer func() {
			if r := recover(); r != nil {
				done <- recovered(r)
			}
		}()
		done <- fn()
	}()
	return <-done
}

// openBolt is bolt.Open under guarded. If bbolt panics, openBolt closes
// the file, which gives back its lock; a map bbolt made stays.
func openBolt(path string, opts bolt.Options) (*bolt.DB, error) {
	var file *os.File
	opts.OpenFile = func(name string, flag int, perm os.FileMode) (*os.File, error) {
		f, err := os.OpenFile(name, flag, perm)
		file = f
		return f, err
	}
	var db *bolt.DB
	err := guarded(func() error {
		var err error
		db, err = bolt.Open(path, 0o600, &opts)
		return err
	})
	var de *DamageError
	if errors.As(err, &de) && db == nil && file != nil {
		_ = file.Close()
	}
	if err != nil {
		return nil, err
	}
	return db, nil
}

// viewChecked opens the file at path read-only with bbolt (ErrLocked when
// a writer holds it for longer than lockTimeout) and runs fn in a read
// transaction, both under guarded. Call it only after checkHeader: bbolt
// maps what the meta page says, and a file shorter than that is read past
// its end.
func viewChecked(path string, lockTimeout time.Duration, fn func(*bolt.Tx) error) error {
	db, err := openBolt(path, bolt.Options{
		ReadOnly: true, Timeout: lockTimeout,
		// Read the freelist now, under the guard, not in Check's goroutine.
		PreLoadFreelist: true,
	})
	if errors.Is(err, berrors.ErrTimeout) {
		return ErrLocked
	}
	if err != nil {
		return err
	}
	err = guarded(func() error { return db.View(fn) }) // View rolls back on a panic
	if cerr := db.Close(); err == nil && cerr != nil {
		err = cerr
	}
	return err
}

// recovered turns what recover returned in viewChecked into a
// *DamageError.
func recovered(r any) error {
	if fault, ok := r.(interface{ Addr() uintptr }); ok {
		return damaged(fmt.Errorf("%v", r), "a page cannot be read (a fault at %#x in bbolt's map: is the file cut short?)", fault.Addr())
	}
	return damaged(fmt.Errorf("%v", r), "a page cannot be read: %s", strings.TrimPrefix(fmt.Sprint(r), "panic: "))
}

// consistent reads every page reachable from the root bucket (readPages),
// then runs bbolt's consistency check (Tx.Check). A problem is a
// *DamageError.
func consistent(tx *bolt.Tx) error {
	readPages(tx)
	var first error
	for err := range tx.Check() { // drain the channel: Check's goroutine sends every error
		if first == nil {
			first = err
		}
	}
	if first != nil {
		return damaged(first, "consistency check: %s", strings.TrimPrefix(first.Error(), "panic: "))
	}
	return nil
}

// readPages walks every bucket and reads the first and last byte of every
// key and value. bbolt's page assertions (a page that does not say its own
// number) and any fault on the map happen here, under viewChecked's guard,
// rather than in Tx.Check's goroutine, where a fault would end the process.
func readPages(tx *bolt.Tx) {
	var sink byte
	var walk func(b *bolt.Bucket)
	walk = func(b *bolt.Bucket) {
		c := b.Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			sink ^= k[0] ^ k[len(k)-1]
			if len(v) > 0 {
				sink ^= v[0] ^ v[len(v)-1]
			}
			if v == nil {
				if child := b.Bucket(k); child != nil {
					walk(child)
				}
			}
		}
	}
	_ = tx.ForEach(func(_ []byte, b *bolt.Bucket) error {
		walk(b)
		return nil
	})
	runtime.KeepAlive(sink) // the reads are the point: keep the compiler from dropping them
}
