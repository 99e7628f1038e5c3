package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"strings"
	"time"

	"github.com/go-telegram/bot/models"

	"vmeste/storage"
)

// Works (drawings, recordings of a reading) sent with an application:
// in the wizard's works step, held in the draft until the application is
// sent; and after it, from «📎 Мои работы» (the works flow), each stored at
// once with storage.AddWork, listed with a button to remove each, until
// the event stops taking works. Telegram keeps the files; the bot keeps
// their file_id.
//
// An album arrives as one update per file, all with one media_group_id,
// handled one after another (one user's updates are handled in order):
// the first file's answer is a status message, which the album's other
// files edit, so an album of ten gets one answer, not ten.
const (
	flowWorks      = "works"
	stepWorksFiles = "files"
)

// Why a file was not taken; each is the suffix of a locale key
// (works_refused_<reason>).
const (
	workKind   = "kind"   // the form does not take files of this kind
	workFull   = "full"   // the application holds Works.MaxFiles files
	workTwice  = "twice"  // the same file again
	workClosed = "closed" // the event takes works no more
)

// workRefusals lists every reason, in the order the status says them.
var workRefusals = []string{workKind, workFull, workTwice, workClosed}

// worksStatus is the status message answering the files sent last.
type worksStatus struct {
	Msg     int            `json:"msg,omitempty"`
	Album   string         `json:"album,omitempty"` // its media_group_id; "" a single file
	Added   int            `json:"added,omitempty"`
	Refused map[string]int `json:"refused,omitempty"` // files not taken, by reason
}

// worksDraft is the works flow's state.
type worksDraft struct {
	EventID int64       `json:"event_id"`
	Title   string      `json:"title,omitempty"`
	Status  worksStatus `json:"status,omitzero"`
}

// workOf is the file m carries as a work sent by userID at now. Kind is
// "" for a file of no kind a form takes (audio, a voice message…).
func workOf(m *models.Message, userID int64, now time.Time) storage.Work {
	w := storage.Work{AddedBy: userID, AddedAt: now}
	switch {
	case len(m.Photo) > 0:
		ph := m.Photo[len(m.Photo)-1] // the largest size
		w.Kind, w.FileID, w.FileUniqueID, w.Size = storage.WorkPhoto, ph.FileID, ph.FileUniqueID, int64(ph.FileSize)
	case m.Video != nil:
		v := m.Video
		w.Kind, w.FileID, w.FileUniqueID, w.FileName, w.MimeType, w.Size = storage.WorkVideo, v.FileID, v.FileUniqueID, v.FileName, v.MimeType, v.FileSize
	case m.Document != nil && m.Animation == nil:
		d := m.Document
		w.Kind, w.FileID, w.FileUniqueID, w.FileName, w.MimeType, w.Size = storage.WorkDocument, d.FileID, d.FileUniqueID, d.FileName, d.MimeType, d.FileSize
	}
	return w
}

// workRefusal is why w cannot join held under spec ("" when it can).
func workRefusal(spec storage.WorksSpec, held []storage.Work, w storage.Work) string {
	switch {
	case w.Kind == "" || !spec.Takes(w.Kind):
		return workKind
	case heldWork(held, w.FileUniqueID):
		return workTwice
	case len(held) >= spec.MaxFiles:
		return workFull
	}
	return ""
}

// heldWork reports whether held has the file.
func heldWork(held []storage.Work, uniqueID string) bool {
	for _, w := range held {
		if w.FileUniqueID == uniqueID {
			return true
		}
	}
	return false
}

// noteWork answers the file just handled (refused for reason, or taken
// when reason is ""): a file of the album the status answers edits it;
// any other gets a new status message. held is how many files the
// application holds now.
func (b *Bot) noteWork(ctx context.Context, r *Request, st *worksStatus, e storage.Event, reason string, held int, kb keyboard) error {
	group := r.Update.Message.MediaGroupID
	if st.Msg == 0 || group == "" || group != st.Album {
		*st = worksStatus{Album: group}
	}
	if reason == "" {
		st.Added++
	} else {
		if st.Refused == nil {
			st.Refused = map[string]int{}
		}
		st.Refused[reason]++
	}
	text := b.worksStatusText(r.P, *st, e, held)
	if st.Msg != 0 {
		return b.edit(ctx, r.ChatID, st.Msg, text, kb)
	}
	m, err := b.send(ctx, r.ChatID, text, kb)
	if err != nil {
		return err
	}
	st.Msg = m.ID
	return nil
}

// worksStatusText says what came of the files the status answers.
func (b *Bot) worksStatusText(p localesPrinter, st worksStatus, e storage.Event, held int) string {
	spec := *e.Form.Works
	var lines []string
	if st.Added > 0 {
		lines = append(lines, p.N("apply_works_added", st.Added))
	}
	for _, reason := range workRefusals {
		if n := st.Refused[reason]; n > 0 {
			lines = append(lines, p.N("apply_works_refused_"+reason, n, "Kinds", workKindsText(p, spec.Kinds), "Max", spec.MaxFiles))
		}
	}
	lines = append(lines, p.T("apply_works_count", "N", held, "Max", spec.MaxFiles))
	if held < spec.MaxFiles {
		lines = append(lines, p.T("apply_works_more_or_done"))
	} else {
		lines = append(lines, p.T("apply_works_full_done"))
	}
	return strings.Join(lines, "\n")
}

// worksPrompt is the wizard's works question.
func (b *Bot) worksPrompt(r *Request, s applyState) (string, keyboard) {
	p, spec := r.P, *s.e.Form.Works
	text := p.T("apply_ask_works", "Kinds", workKindsText(p, spec.Kinds), "Max", spec.MaxFiles,
		"Date", localesHTML(p.DateYear(worksUntil(s.e).In(b.cfg.Location))))
	label := "btn_apply_works_later"
	if n := len(s.d.App.Works); n > 0 {
		text += "\n" + p.T("apply_works_count", "N", n, "Max", spec.MaxFiles)
		label = "btn_works_done"
	}
	return text, b.applyNav(r, s, keyboard{skipRow(r, s, label)})
}

// applyWork takes a file at the wizard's works step into the draft.
func (b *Bot) applyWork(ctx context.Context, r *Request, s applyState) error {
	w := workOf(r.Update.Message, r.User.ID, b.cfg.Now())
	reason := workRefusal(*s.e.Form.Works, s.d.App.Works, w)
	if reason == "" {
		s.d.App.Works = append(s.d.App.Works, w)
	}
	kb := b.applyNav(r, s, keyboard{skipRow(r, s, "btn_works_done")})
	if err := b.noteWork(ctx, r, &s.d.Status, s.e, reason, len(s.d.App.Works), kb); err != nil {
		return err
	}
	return b.saveApply(ctx, r, &s, stepApplyWorks)
}

// worksClosedText says until when the event took works.
func (b *Bot) worksClosedText(r *Request, e storage.Event) string {
	return r.P.T("apply_works_closed", "Date", localesHTML(r.P.DateYear(worksUntil(e).In(b.cfg.Location))))
}

// worksView lists the application's works, each with a button that
// removes it, and says what more may be sent.
func (b *Bot) worksView(r *Request, e storage.Event, reg storage.Registration, note string) (string, keyboard) {
	p, spec := r.P, *e.Form.Works
	var works []storage.Work
	if reg.Application != nil {
		works = reg.Application.Works
	}
	var lines []string
	if note != "" {
		lines = append(lines, note, "")
	}
	lines = append(lines, p.T("apply_works_view_title", "Title", e.Title, "N", len(works), "Max", spec.MaxFiles))
	var kb keyboard
	var row []modelsButton
	for i, w := range works {
		lines = append(lines, p.T("apply_works_view_line", "N", i+1, "What", localesHTML(workLabel(p, w)),
			"When", localesHTML(p.Date(w.AddedAt.In(b.cfg.Location)))))
		row = append(row, button(p.T("btn_work_remove", "N", i+1), cb(cbWorkRemove, e.ID, w.FileUniqueID)))
		if len(row) == 5 {
			kb, row = append(kb, row), nil
		}
	}
	if row != nil {
		kb = append(kb, row)
	}
	lines = append(lines, "", p.T("apply_works_view_send", "Kinds", workKindsText(p, spec.Kinds),
		"Date", localesHTML(p.DateYear(worksUntil(e).In(b.cfg.Location)))))
	kb = append(kb, []modelsButton{button(p.T("btn_works_done"), cb(cbWorksDone, e.ID))})
	return p.FitLines(lines, 2), kb
}

// workLabel names a work in a list (HTML): its kind and file name.
func workLabel(p localesPrinter, w storage.Work) string {
	label := p.T("work_kind_" + string(w.Kind))
	if w.FileName != "" {
		label += " " + html.EscapeString(truncateRunes(w.FileName, 40))
	}
	return label
}

// cbWorks opens the works of the teacher's application, to add and
// remove, while the event takes them: awk:<event id>. Files sent after it
// go to the application (the works flow).
func (b *Bot) cbWorks(ctx context.Context, r *Request, args []string) error {
	e, reg, ok, err := b.teacherApplication(ctx, r, args)
	if !ok {
		return err
	}
	if e.Form.Works == nil {
		return b.stale(ctx, r)
	}
	if !worksOpen(e, b.cfg.Now()) || e.Status != storage.EventPublished {
		return b.answer(ctx, r, stripTags(b.worksClosedText(r, e)), true)
	}
	data, _ := json.Marshal(worksDraft{EventID: e.ID, Title: e.Title})
	if err := b.store.PutConversation(ctx, r.User.ID, storage.Conversation{Flow: flowWorks, Step: stepWorksFiles, Data: data}); err != nil {
		return err
	}
	if err := b.answer(ctx, r, "", false); err != nil {
		return err
	}
	text, kb := b.worksView(r, e, reg, "")
	_, err = b.send(ctx, r.ChatID, text, kb)
	return err
}

// loadWorks reads the works flow's state and its event; when the event is
// gone the flow ends and the user is told (ok false).
func (b *Bot) loadWorks(ctx context.Context, r *Request, c storage.Conversation) (worksDraft, storage.Event, bool, error) {
	var d worksDraft
	if err := json.Unmarshal(c.Data, &d); err != nil {
		return d, storage.Event{}, false, fmt.Errorf("bot: works draft: %w", err)
	}
	e, err := b.store.Event(ctx, d.EventID)
	if storage.IsNotFound(err) || (err == nil && e.Form.Works == nil) {
		return d, e, false, b.endApply(ctx, r, r.P.T("event_gone"))
	}
	if err != nil {
		return d, e, false, fmt.Errorf("bot: works' event %d: %w", d.EventID, err)
	}
	return d, e, true, nil
}

// worksMessage takes a file sent in the works flow into the application
// at once (storage.AddWork); anything else is pointed at what is awaited.
func (b *Bot) worksMessage(ctx context.Context, r *Request, c storage.Conversation) error {
	d, e, ok, err := b.loadWorks(ctx, r, c)
	if !ok {
		return err
	}
	done := keyboard{{button(r.P.T("btn_works_done"), cb(cbWorksDone, e.ID))}}
	m := r.Update.Message
	if !isWorkMessage(m) {
		_, err := b.send(ctx, r.ChatID, r.P.T("apply_works_waiting", "Kinds", workKindsText(r.P, e.Form.Works.Kinds)), done)
		return err
	}
	now := b.cfg.Now()
	w := workOf(m, r.User.ID, now)
	reason, held := "", 0
	if w.Kind == "" || !e.Form.Works.Takes(w.Kind) {
		reason = workKind
		if reg, err := b.store.Registration(ctx, e.ID, r.User.ID); err == nil && reg.Application != nil {
			held = len(reg.Application.Works)
		}
	} else {
		reg, err := b.store.AddWork(ctx, e.ID, r.User.ID, w, now)
		switch {
		case errors.Is(err, storage.ErrWorksFull):
			reason = workFull
			if got, err := b.store.Registration(ctx, e.ID, r.User.ID); err == nil && got.Application != nil {
				held = len(got.Application.Works)
			}
		case errors.Is(err, storage.ErrWorksClosed):
			return b.endApply(ctx, r, b.worksClosedText(r, e))
		case errors.Is(err, storage.ErrNotRegistered), storage.IsNotFound(err):
			return b.endApply(ctx, r, r.P.T("signup_not_registered"))
		case err != nil:
			return err
		default:
			held = len(reg.Application.Works)
			if !addedNow(reg.Application.Works, w) {
				reason = workTwice
			}
		}
	}
	if err := b.noteWork(ctx, r, &d.Status, e, reason, held, done); err != nil {
		return err
	}
	data, _ := json.Marshal(d)
	return b.store.PutConversation(ctx, r.User.ID, storage.Conversation{Flow: flowWorks, Step: stepWorksFiles, Data: data})
}

// addedNow reports whether works holds w as added now (AddWork keeps a
// file it held already as it was).
func addedNow(works []storage.Work, w storage.Work) bool {
	for _, x := range works {
		if x.FileUniqueID == w.FileUniqueID {
			return x.AddedAt.Equal(w.AddedAt)
		}
	}
	return false
}

// resumeWorks shows the works again.
func (b *Bot) resumeWorks(ctx context.Context, r *Request, c storage.Conversation) error {
	_, e, ok, err := b.loadWorks(ctx, r, c)
	if !ok {
		return err
	}
	reg, err := b.store.Registration(ctx, e.ID, r.User.ID)
	if err != nil && !storage.IsNotFound(err) {
		return err
	}
	text, kb := b.worksView(r, e, reg, "")
	_, err = b.send(ctx, r.ChatID, text, kb)
	return err
}

// describeWorks names the works flow by its event's title.
func describeWorks(r *Request, c storage.Conversation) string {
	var d worksDraft
	if json.Unmarshal(c.Data, &d) != nil || d.Title == "" {
		return ""
	}
	return r.P.T("wizard_flow_works_titled", "Title", d.Title)
}

// cbWorkRemove removes a work from the teacher's application and shows
// the works as they are now: awr:<event id>:<file unique id>.
func (b *Bot) cbWorkRemove(ctx context.Context, r *Request, args []string) error {
	if len(args) != 2 || args[1] == "" {
		return b.stale(ctx, r)
	}
	e, _, ok, err := b.teacherApplication(ctx, r, args)
	if !ok {
		return err
	}
	if e.Form.Works == nil {
		return b.stale(ctx, r)
	}
	reg, err := b.store.RemoveWork(ctx, e.ID, r.User.ID, args[1], b.cfg.Now())
	switch {
	case errors.Is(err, storage.ErrWorksClosed):
		return b.answer(ctx, r, stripTags(b.worksClosedText(r, e)), true)
	case errors.Is(err, storage.ErrNotRegistered):
		return b.answer(ctx, r, r.P.T("signup_not_registered"), true)
	case storage.IsNotFound(err):
		return b.stale(ctx, r)
	case err != nil:
		return err
	}
	if err := b.answer(ctx, r, r.P.T("apply_works_removed"), false); err != nil {
		return err
	}
	text, kb := b.worksView(r, e, reg, "")
	return b.reply(ctx, r, text, kb)
}

// cbWorksDone ends adding works: awd:<event id>. The pressed message says
// how many the application holds.
func (b *Bot) cbWorksDone(ctx context.Context, r *Request, args []string) error {
	e, reg, ok, err := b.teacherApplication(ctx, r, args)
	if !ok {
		return err
	}
	if e.Form.Works == nil {
		return b.stale(ctx, r)
	}
	if c, _, ok, err := b.navWizard(ctx, r, flowWorks, ""); err != nil {
		return err
	} else if ok {
		var d worksDraft
		if json.Unmarshal(c.Data, &d) == nil && d.EventID == e.ID {
			if err := b.store.ClearConversation(ctx, r.User.ID); err != nil {
				return err
			}
		}
	}
	if err := b.answer(ctx, r, "", false); err != nil {
		return err
	}
	return b.reply(ctx, r, r.P.T("apply_works_done", "Title", e.Title, "N", len(reg.Application.Works), "Max", e.Form.Works.MaxFiles), keyboard{})
}
