package webapp

import (
	"fmt"
	"html/template"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"vmeste/locales"
	"vmeste/storage"
)

// The editor's fields the wizard has beyond the first form: the kinds of
// work files taken and until when (storage.WorksSpec.Kinds, Until), read
// by the wizard's rules (a date ahead, not after the start); and a new
// event's reminders following its kind (storage.DefaultReminders), as the
// wizard sets them, unless the coordinator chose her own.

// workKinds are the kinds of file works may be, in the wizard's order.
var workKinds = []storage.WorkKind{storage.WorkPhoto, storage.WorkDocument, storage.WorkVideo}

// workKindChoice is one checkbox of the works' kinds.
type workKindChoice struct {
	Kind    storage.WorkKind
	Label   template.HTML
	Checked bool
}

// worksView is the works' kinds as checkboxes (all checked when the spec
// takes all, as an empty Kinds means) and the works' Until as a
// datetime-local value ("" for until sign-up closes).
func (a *App) worksView(p locales.Printer, e storage.Event) ([]workKindChoice, string) {
	var spec storage.WorksSpec
	if e.Form.Works != nil {
		spec = *e.Form.Works
	}
	out := make([]workKindChoice, 0, len(workKinds))
	for _, k := range workKinds {
		out = append(out, workKindChoice{Kind: k, Label: template.HTML(p.T("work_kind_" + string(k))), Checked: spec.Takes(k)})
	}
	return out, a.inputTime(spec.Until)
}

// readWorks reads the works' kinds (works_kind; all three or none mean
// any, stored as none) and until when they are taken (works_until: empty
// for until sign-up closes) into w; old is the stored spec, whose Until
// may stay as it is even if it has passed.
func (a *App) readWorks(f url.Values, p locales.Printer, e *storage.Event, old *storage.WorksSpec, w *storage.WorksSpec, say func(field, key string, kv ...any)) {
	w.Kinds = nil
	for _, k := range workKinds {
		if slices.Contains(f["works_kind"], string(k)) {
			w.Kinds = append(w.Kinds, k)
		}
	}
	if len(w.Kinds) == len(workKinds) {
		w.Kinds = nil
	}
	w.Until = time.Time{}
	v := strings.TrimSpace(f.Get("works_until"))
	if v == "" {
		return
	}
	t, err := time.ParseInLocation(localInput, v, a.cfg.Location)
	switch {
	case err != nil:
		say("works_until", "app_err_date")
		return
	case old != nil && t.Equal(old.Until):
	case !t.After(a.cfg.Now()):
		say("works_until", "appfix15_until_past")
	case !e.Start.IsZero() && t.After(e.Start):
		say("works_until", "evform_until_after_start", "Start", p.DateYear(e.Start.In(a.cfg.Location)))
	}
	w.Until = t
}

// remindersKey is a set of reminder offsets as the page writes it: the
// minutes, longest first, joined by commas.
func remindersKey(ds []time.Duration) string {
	ds = slices.Clone(ds)
	slices.SortFunc(ds, func(x, y time.Duration) int { return int((y - x) / time.Minute) })
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = strconv.Itoa(int(d / time.Minute))
	}
	return strings.Join(parts, ",")
}

// KindReminders is kind's default reminders as remindersKey writes them,
// for the kind select's options (the page's script checks them when the
// kind changes and the reminders were left as they were).
func (d editorData) KindReminders(k storage.EventKind) string {
	return remindersKey(storage.DefaultReminders(k))
}

// shownDefaults is what the editor of a new event marks as its untouched
// default reminders (reminders_default): e's reminders when they are the
// defaults of its kind (of a contest while no kind is chosen), else "".
func shownDefaults(e storage.Event) string {
	k := e.Kind
	if !k.Valid() {
		k = storage.EventContest
	}
	if key := remindersKey(e.Reminders); key == remindersKey(storage.DefaultReminders(k)) {
		return key
	}
	return ""
}

// kindDefaults gives a new event its kind's default reminders when the
// submitted ones are the defaults the page showed, untouched
// (reminders_default), as the wizard does (storage.DefaultReminders).
func kindDefaults(f url.Values, e *storage.Event) {
	shown := f.Get("reminders_default")
	if shown != "" && e.Kind.Valid() && shown == remindersKey(e.Reminders) {
		e.Reminders = storage.DefaultReminders(e.Kind)
	}
}

// zoneText is the district's time zone as a coordinator knows it: its
// offset from UTC at now ("UTC+3", "UTC+5:30", "UTC"), with "МСК" for
// Moscow's.
func zoneText(p locales.Printer, loc *time.Location, now time.Time) string {
	_, off := now.In(loc).Zone()
	sign := "+"
	if off < 0 {
		sign, off = "−", -off
	}
	text := "UTC"
	if off != 0 {
		text += sign + strconv.Itoa(off/3600)
	}
	if m := off % 3600 / 60; m != 0 {
		text += fmt.Sprintf(":%02d", m)
	}
	if loc.String() == "Europe/Moscow" {
		text = p.T("appfix15_zone_msk") + " (" + text + ")"
	}
	return text
}
