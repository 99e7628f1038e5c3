package storage

import "sync"

// markTable is an open-addressing hash table from a non-zero 64-bit key
// to a mark, for the coverage report's sets of teachers and pupils: a
// school year asks it a million times, and keeping each key beside its
// value in one flat slice costs one cache miss a look-up where Go's map
// costs about two. Key 0 is the empty slot; callers never use it (user ids
// are never 0, and pupil keys are mixed to avoid it). Not safe for
// concurrent use.
type markTable struct {
	slots []uint64 // key, value, key, value…
	shift uint     // 64 − log2(number of slots)
	n     int
	sink  uint64 // keeps orAll's first pass from being optimised away
}

// markTables keeps the tables of reports done, grown to their size, so
// that the next report of a similar period does not grow them again.
var markTables = sync.Pool{New: func() any {
	const log = 12
	return &markTable{slots: make([]uint64, 2<<log), shift: 64 - log}
}}

// newMarkTable returns an empty table; release gives it back.
func newMarkTable() *markTable { return markTables.Get().(*markTable) }

// release empties t and keeps it for the next report.
func (t *markTable) release() {
	clear(t.slots)
	t.n = 0
	markTables.Put(t)
}

// at returns the value of key, inserting 0 when absent; the pointer is
// valid until the next call.
func (t *markTable) at(key uint64) *uint64 {
	t.reserve(1)
	mask := len(t.slots)/2 - 1
	for i := int((key * 0x9e3779b97f4a7c15) >> t.shift); ; i = (i + 1) & mask {
		switch t.slots[2*i] {
		case key:
			return &t.slots[2*i+1]
		case 0:
			t.slots[2*i] = key
			t.n++
			return &t.slots[2*i+1]
		}
	}
}

// reserve grows the table so that n more keys keep the load under 0.7.
func (t *markTable) reserve(n int) {
	for 10*(t.n+n) > 7*(len(t.slots)/2) {
		t.grow()
	}
}

// orAll ors vals[i] into the value of keys[i], inserting absent keys. It
// first reads every key's home slot, independent loads that the processor
// overlaps, so that the look-ups proper find their cache lines loaded:
// about half the time of calling at for each.
func (t *markTable) orAll(keys, vals []uint64) {
	t.reserve(len(keys))
	var sink uint64
	for _, k := range keys {
		sink += t.slots[2*int((k*0x9e3779b97f4a7c15)>>t.shift)]
	}
	t.sink += sink
	for i, k := range keys {
		*t.at(k) |= vals[i]
	}
}

func (t *markTable) grow() {
	old := t.slots
	t.slots, t.shift, t.n = make([]uint64, 2*len(old)), t.shift-1, 0
	for i := 0; i < len(old); i += 2 {
		if old[i] != 0 {
			*t.at(old[i]) = old[i+1]
		}
	}
}

// each calls fn with every key's value.
func (t *markTable) each(fn func(v uint64)) {
	for i := 0; i < len(t.slots); i += 2 {
		if t.slots[i] != 0 {
			fn(t.slots[i+1])
		}
	}
}
