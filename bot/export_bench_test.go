package bot

import (
	"bytes"
	"fmt"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"vmeste/locales"
	"vmeste/sheets"
	"vmeste/storage"
)

// BenchmarkExportParticipants: an event of 10,000 sign-ups (9,000
// confirmed, 800 waiting, 200 cancelled; a form with pupils, a phone, two
// questions and works; two pupils a team) exported as the bot does it,
// against excelize's stream writer writing the same cells alone.
//
//   - baseline: the cell values of both sheets, prepared beforehand (dates
//     as styled cells), written with StreamWriter.SetRow and the file
//     written to a buffer;
//   - export: participantsXLSX from the storage.EventExport: the rows
//     built from the sign-ups, through package sheets, to the file.
//
// Each reports peak-MB: the most the heap grew above its level before the
// loop (after a GC), sampled every millisecond by a goroutine reading
// runtime/metrics (which, unlike ReadMemStats, does not stop the world).
// The heap's objects include garbage not yet collected, so this is what
// the process would need, not only what is reachable.
func BenchmarkExportParticipants(b *testing.B) {
	catalog, err := locales.New()
	if err != nil {
		b.Fatal(err)
	}
	p := catalog.For(locales.Russian)
	ex := benchExport(10000)

	// The prepared cells live only in the baseline's run, so that they do
	// not weigh on the export's heap (nor the export's on the baseline's).
	b.Run("baseline", func(b *testing.B) {
		header, rows := benchCells(b, p, ex)
		total, live := heapPeak(func() {
			for b.Loop() {
				if _, err := streamAlone(header, rows); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.ReportMetric(total, "peak-MB")
		b.ReportMetric(live, "live-MB")
	})
	b.Run("export", func(b *testing.B) {
		total, live := heapPeak(func() {
			for b.Loop() {
				if _, err := participantsXLSX(p, moscowZone, ex); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.ReportMetric(total, "peak-MB")
		b.ReportMetric(live, "live-MB")
	})
}

// benchExport is an event of n sign-ups.
func benchExport(n int) storage.EventExport {
	e := storage.Event{ID: 1, Title: "Безопасное колесо", Kind: storage.EventContest, Unit: storage.UnitTeam, MaxTeam: 5,
		Status: storage.EventPublished,
		Form: storage.Form{Pupils: true, PupilBirth: true, Phone: storage.NeedRequired, Works: &storage.WorksSpec{MaxFiles: 3},
			Questions: []storage.Question{
				{ID: 1, Text: "Номинация", Kind: storage.QuestionChoice, Options: []string{"Рисунок", "Плакат"}},
				{ID: 2, Text: "Фото можно публиковать?", Kind: storage.QuestionYesNo},
			}}}
	ex := storage.EventExport{Event: e, Orgs: map[int64]storage.Organisation{}}
	for i := int64(1); i <= 40; i++ {
		ex.Orgs[i] = storage.Organisation{ID: i, Name: fmt.Sprintf("МКОУ «СОШ №%d» с.п. Эльбрус", i)}
	}
	start := time.Date(2026, 9, 1, 9, 0, 0, 0, moscowZone)
	attended := true
	for i := range n {
		r := storage.ExportRow{Participant: storage.Participant{
			Registration: storage.Registration{EventID: 1, UserID: int64(100000 + i), TeamSize: 2, TeamName: "5Б",
				State: storage.RegConfirmed, OrgID: int64(i%40 + 1), CreatedAt: start.Add(time.Duration(i) * time.Minute),
				Application: &storage.Application{Phone: "+7928" + strconv.Itoa(1000000+i),
					Pupils: []storage.Pupil{{Name: "Петров Пётр Иванович", Class: "5Б", Birth: "2014-03-12"},
						{Name: "Сидорова Ева Руслановна", Class: "5Б"}},
					Answers: []storage.Answer{{QuestionID: 1, Text: "Рисунок"}, {QuestionID: 2, Text: "yes"}},
					Works:   []storage.Work{{FileID: "f", Kind: storage.WorkPhoto}}}},
			User: storage.User{ID: int64(100000 + i), FullName: "Иванова Мария Петровна", Position: "Учитель ИЗО"}}}
		switch {
		case i >= n-n/50:
			r.State = storage.RegCancelled
		case i >= n-n/50-n*8/100:
			r.State = storage.RegWaitlist
			r.Place = i - (n - n/50 - n*8/100) + 1
		default:
			r.Attended = &attended
			if i%10 == 0 {
				r.Result = storage.ResultLaureate
			}
		}
		ex.Rows = append(ex.Rows, r)
	}
	return ex
}

// cellsCollector keeps the rows written to it.
type cellsCollector struct{ rows [][]any }

func (c *cellsCollector) Row(values ...any) error {
	c.rows = append(c.rows, slices.Clone(values))
	return nil
}

// benchCells are the export's cells, sheet by sheet, as the stream writer
// takes them: the header, then the rows (times as styled cells in the
// district's zone, dates of birth as dates).
func benchCells(b *testing.B, p locales.Printer, ex storage.EventExport) (header [][]any, rows [][][]any) {
	t := newParticipantsTable(p, ex)
	var main, pupils cellsCollector
	if err := t.write(&main); err != nil {
		b.Fatal(err)
	}
	if err := t.writePupils(&pupils); err != nil {
		b.Fatal(err)
	}
	titles := func(cols []sheets.Column) []any {
		var out []any
		for _, c := range cols {
			out = append(out, excelize.Cell{StyleID: 1, Value: c.Title})
		}
		return out
	}
	for _, sheet := range [][][]any{main.rows, pupils.rows} {
		for _, row := range sheet {
			for i, v := range row {
				switch v := v.(type) {
				case time.Time:
					row[i] = excelize.Cell{StyleID: 2, Value: v.In(moscowZone)}
				case sheets.Day:
					row[i] = excelize.Cell{StyleID: 3, Value: time.Time(v).In(time.UTC)}
				}
			}
		}
	}
	return [][]any{titles(t.columns()), titles(t.pupilColumns())}, [][][]any{main.rows, pupils.rows}
}

// streamAlone writes the prepared sheets with excelize's stream writer
// and nothing else.
func streamAlone(header [][]any, rows [][][]any) ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	for _, format := range []string{"", sheets.DateTimeFormat, sheets.DateFormat} {
		st := &excelize.Style{Font: &excelize.Font{Bold: true}}
		if format != "" {
			st = &excelize.Style{CustomNumFmt: &format}
		}
		if _, err := f.NewStyle(st); err != nil {
			return nil, err
		}
	}
	for s := range rows {
		name := "Sheet" + strconv.Itoa(s+1)
		if s > 0 {
			if _, err := f.NewSheet(name); err != nil {
				return nil, err
			}
		}
		sw, err := f.NewStreamWriter(name)
		if err != nil {
			return nil, err
		}
		if err := sw.SetRow("A1", header[s]); err != nil {
			return nil, err
		}
		for i, row := range rows[s] {
			if err := sw.SetRow("A"+strconv.Itoa(i+2), row); err != nil {
				return nil, err
			}
		}
		if err := sw.Flush(); err != nil {
			return nil, err
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// heapPeak runs run and returns, in MB, how far the heap grew above its
// level before it at most: total counts every heap object, garbage not
// yet collected included (what HeapAlloc of runtime.ReadMemStats says);
// live counts the objects the last GC found reachable.
func heapPeak(run func()) (total, live float64) {
	names := []string{"/memory/classes/heap/objects:bytes", "/gc/heap/live:bytes"}
	newSample := func() []metrics.Sample {
		return []metrics.Sample{{Name: names[0]}, {Name: names[1]}}
	}
	runtime.GC()
	base := newSample()
	metrics.Read(base)
	var (
		peak [2]uint64
		wg   sync.WaitGroup
	)
	record := func(s []metrics.Sample) {
		metrics.Read(s)
		for i := range s {
			peak[i] = max(peak[i], s[i].Value.Uint64())
		}
	}
	stop := make(chan struct{})
	wg.Go(func() {
		s := newSample()
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			record(s)
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	})
	run()
	close(stop)
	wg.Wait()
	record(newSample())
	growth := func(i int) float64 {
		if b := base[i].Value.Uint64(); peak[i] > b {
			return float64(peak[i]-b) / 1e6
		}
		return 0
	}
	return growth(0), growth(1)
}
