package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unicode"
	"unicode/utf8"

	bolt "go.etcd.io/bbolt"
)

// The coverage report (coverage.go) reads compact, fixed-width binary rows
// instead of decoding the events' and registrations' JSON: a school year
// holds a million registrations, and decoding that much JSON takes seconds.
// The rows are kept in step by the only two functions that write events
// and registrations, putEvent and putReg (and deleteReg), in the same
// transactions; migration 3→4 builds them for data stored before.
var (
	// bucketReportEvents: event id (8) → reportEvent row.
	bucketReportEvents = []byte("report_events")
	// bucketReportRegs: event id (8) + user id (8), as regs → reportReg row.
	bucketReportRegs = []byte("report_regs")
)

// Status and state codes of the rows.
const (
	rowDraft     = 1
	rowPublished = 2
	rowCancelled = 3
	rowFinished  = 4

	rowConfirmed = 1
	rowWaitlist  = 2
	rowRegCancel = 3
)

// reportEvent is an event as the report needs it. Its row: Start UnixNano
// (8) | status code (1) | kind index in EventKinds + 1, 0 unknown (1) |
// OwnerOrg (8) | number of organisers n (1) | n organiser ids (8 each).
type reportEvent struct {
	start      int64
	status     byte
	kind       byte
	owner      int64
	organisers []int64
}

func encodeReportEvent(e Event) []byte {
	n := min(len(e.Organisers), 255)
	b := make([]byte, 19+8*n)
	binary.BigEndian.PutUint64(b, uint64(e.Start.UnixNano()))
	switch e.Status {
	case EventDraft:
		b[8] = rowDraft
	case EventPublished:
		b[8] = rowPublished
	case EventCancelled:
		b[8] = rowCancelled
	case EventFinished:
		b[8] = rowFinished
	}
	for i, k := range EventKinds {
		if k == e.Kind {
			b[9] = byte(i + 1)
		}
	}
	binary.BigEndian.PutUint64(b[10:], uint64(e.OwnerOrg))
	b[18] = byte(n)
	for i := range n {
		binary.BigEndian.PutUint64(b[19+8*i:], uint64(e.Organisers[i]))
	}
	return b
}

// decodeReportEvent reads a row into *re, reusing re.organisers.
func decodeReportEvent(b []byte, re *reportEvent) error {
	if len(b) < 19 || len(b) != 19+8*int(b[18]) {
		return fmt.Errorf("report event row of %d bytes", len(b))
	}
	re.start = int64(binary.BigEndian.Uint64(b))
	re.status, re.kind = b[8], b[9]
	re.owner = int64(binary.BigEndian.Uint64(b[10:]))
	re.organisers = re.organisers[:0]
	for i := range int(b[18]) {
		re.organisers = append(re.organisers, int64(binary.BigEndian.Uint64(b[19+8*i:])))
	}
	return nil
}

// reportReg is a registration as the report needs it. Its row: OrgID (8) |
// TeamSize (2) | state code (1) | attended: 0 not marked, 1 no, 2 yes (1) |
// result: 0 none, 1–3 the place, 4 laureate (1) | number of listed pupils n
// (1) | n pupil keys (8 each, pupilKey). A forgotten person's row lists no
// pupils (/forget erases the application), only the team size.
type reportReg struct {
	org      int64
	team     int
	state    byte
	attended byte
	result   byte
	pupils   []byte // n × 8 bytes, aliasing the row: valid only inside its transaction
}

func encodeReportReg(r Registration) []byte {
	var pupils []Pupil
	if r.Application != nil {
		pupils = r.Application.Pupils
	}
	n := min(len(pupils), 255)
	b := make([]byte, 14+8*n)
	binary.BigEndian.PutUint64(b, uint64(r.OrgID))
	binary.BigEndian.PutUint16(b[8:], uint16(min(max(r.TeamSize, 0), 65535)))
	switch r.State {
	case RegConfirmed:
		b[10] = rowConfirmed
	case RegWaitlist:
		b[10] = rowWaitlist
	case RegCancelled:
		b[10] = rowRegCancel
	}
	if r.Attended != nil {
		b[11] = 1
		if *r.Attended {
			b[11] = 2
		}
	}
	switch r.Result {
	case ResultFirst:
		b[12] = 1
	case ResultSecond:
		b[12] = 2
	case ResultThird:
		b[12] = 3
	case ResultLaureate:
		b[12] = 4
	}
	b[13] = byte(n)
	for i := range n {
		binary.BigEndian.PutUint64(b[14+8*i:], pupilKey(pupils[i]))
	}
	return b
}

func decodeReportReg(b []byte, rr *reportReg) error {
	if len(b) < 14 || len(b) != 14+8*int(b[13]) {
		return fmt.Errorf("report registration row of %d bytes", len(b))
	}
	rr.org = int64(binary.BigEndian.Uint64(b))
	rr.team = int(binary.BigEndian.Uint16(b[8:]))
	rr.state, rr.attended, rr.result = b[10], b[11], b[12]
	rr.pupils = b[14:]
	return nil
}

// pupilKey identifies a pupil across applications: a 64-bit FNV-1a hash of
// the ФИО and the class, case, ё/е and spacing folded, so «Иванов  Пётр, 5б»
// and «иванов петр, 5 Б» are one pupil.
func pupilKey(p Pupil) uint64 {
	// FNV-1a, fed rune by rune: a report row is written with every
	// sign-up, so no allocation here (strings.Fields and ToLower made 200
	// per 30 pupils).
	const offset64, prime64 = 14695981039346656037, 1099511628211
	h := uint64(offset64)
	add := func(b byte) { h = (h ^ uint64(b)) * prime64 }
	// fold hashes s's words, lowercased with ё as е, one space between
	// them; words are split at spaces, '-' and '.' (spaces are dropped
	// without splitting when spaces is false: a class «5 Б» is «5б»).
	fold := func(s string, spaces bool) {
		started, gap := false, false
		for _, r := range s {
			if unicode.IsSpace(r) && !spaces {
				continue
			}
			if unicode.IsSpace(r) || r == '-' || r == '.' {
				gap = started
				continue
			}
			if gap {
				add(' ')
				gap = false
			}
			started = true
			if r = unicode.ToLower(r); r == 'ё' {
				r = 'е'
			}
			var buf [utf8.UTFMax]byte
			for _, c := range buf[:utf8.EncodeRune(buf[:], r)] {
				add(c)
			}
		}
	}
	fold(p.Name, true)
	add(0)
	fold(p.Class, false)
	return h
}

// putEvent stores e (JSON) and its report row. Every write of an event goes
// through it.
func putEvent(tx *bolt.Tx, e Event) error {
	if err := putJSON(tx.Bucket(bucketEvents), itob(e.ID), e); err != nil {
		return err
	}
	return tx.Bucket(bucketReportEvents).Put(itob(e.ID), encodeReportEvent(e))
}

// putReg stores r (JSON) under its event and user and its report row. Every
// write of a registration goes through it.
func putReg(tx *bolt.Tx, r Registration) error {
	key := regKey(r.EventID, r.UserID)
	if err := putJSON(tx.Bucket(bucketRegs), key, r); err != nil {
		return err
	}
	return tx.Bucket(bucketReportRegs).Put(key, encodeReportReg(r))
}

// deleteReg deletes a registration and its report row.
func deleteReg(tx *bolt.Tx, eventID, userID int64) error {
	key := regKey(eventID, userID)
	if err := tx.Bucket(bucketRegs).Delete(key); err != nil {
		return err
	}
	return tx.Bucket(bucketReportRegs).Delete(key)
}

// buildReportRows (migration 3→4) writes the report rows of every stored
// event and registration.
func buildReportRows(_ *Store, tx *bolt.Tx) error {
	rows := tx.Bucket(bucketReportEvents)
	if err := tx.Bucket(bucketEvents).ForEach(func(k, v []byte) error {
		var e Event
		if err := jsonUnmarshal(v, &e); err != nil {
			return fmt.Errorf("event %d: %w", btoi(k), err)
		}
		return rows.Put(k, encodeReportEvent(e))
	}); err != nil {
		return err
	}
	rows = tx.Bucket(bucketReportRegs)
	return tx.Bucket(bucketRegs).ForEach(func(k, v []byte) error {
		var r Registration
		if err := jsonUnmarshal(v, &r); err != nil {
			return fmt.Errorf("registration %x: %w", k, err)
		}
		if len(k) != 16 {
			return errors.New("registration key is not 16 bytes")
		}
		return rows.Put(k, encodeReportReg(r))
	})
}
