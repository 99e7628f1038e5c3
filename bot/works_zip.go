package bot

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"mime"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/go-telegram/bot/models"

	"vmeste/locales"
	"vmeste/storage"
	"vmeste/telegram"
)

// «🗜 Архивом»: an event's works as one ZIP file, a folder per
// organisation, each file named by its participant («Иванова М.П. -
// 1.jpg»), with an index inside. Each work is downloaded through getFile,
// which the Bot API allows a bot for files up to 20 MB, and the archive is
// uploaded as one document, which it allows up to 50 MB: works over those
// limits are named, with their sizes, and the chat delivery is offered
// instead.
//
// Downloading takes a while, so it runs beside the update intake, not in
// it: the press is answered at once, the coordinator's next updates (and
// everyone else's) are handled meanwhile, and at most maxArchivesAtOnce
// archives are built at a time. Run waits for them at shutdown as it waits
// for handlers (the same grace period); one cut short says so through the
// outbox, so that the coordinator knows to press again.

// The Bot API's limits on what a bot downloads and uploads.
const (
	maxWorkDownload  = 20 << 20
	maxArchiveUpload = 50 << 20
	// archiveBudget is what the archive may weigh: the upload limit less
	// room for the multipart form around it.
	archiveBudget = maxArchiveUpload - 256<<10
	// maxArchivesAtOnce bounds the archives built at a time (each holds
	// up to archiveBudget in memory, and one work being added).
	maxArchivesAtOnce = 2
	// maxListedTooBig bounds the works named in a refusal.
	maxListedTooBig = 10
)

// archiver runs the archives being built: the works' and the documents'
// (certificates_zip.go).
type archiver struct {
	slots chan struct{}
	wg    sync.WaitGroup

	mu      sync.Mutex
	running map[[3]int64]bool // archive kind, event id, user id
}

// archiveKind tells apart the archives of one event.
type archiveKind int64

const (
	archiveWorks archiveKind = iota
	archiveCertificates
)

func newArchiver() *archiver {
	return &archiver{slots: make(chan struct{}, maxArchivesAtOnce), running: map[[3]int64]bool{}}
}

// busy reports whether an archive of the kind of the event for the user is
// being built.
func (a *archiver) busy(kind archiveKind, eventID, userID int64) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.running[[3]int64{int64(kind), eventID, userID}]
}

// start runs job unless one of the same kind for the same event and user
// is running, and reports whether it did.
func (a *archiver) start(kind archiveKind, eventID, userID int64, job func()) bool {
	key := [3]int64{int64(kind), eventID, userID}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.running[key] {
		return false
	}
	a.running[key] = true
	a.wg.Add(1)
	go func() {
		defer func() {
			a.mu.Lock()
			delete(a.running, key)
			a.mu.Unlock()
			a.wg.Done()
		}()
		job()
	}()
	return true
}

// wait blocks until every archive has ended.
func (a *archiver) wait() { a.wg.Wait() }

// archiveFile is one work in the archive.
type archiveFile struct {
	Path  string // in the archive: folder/name
	Work  storage.Work
	Org   string // the organisation's short name
	Name  string // the teacher's full name
	Short string // «Иванова М. П.», for messages
	Team  string
	State storage.RegistrationState
}

// archivePlan lays the groups' works out in the archive: a folder per
// organisation, files named by participant and numbered, extensions from
// the file's name or type.
func archivePlan(p locales.Printer, groups []orgApplications) []archiveFile {
	var plan []archiveFile
	for _, g := range groups {
		label := g.Label
		if label == "" {
			label = p.T("apps_no_org")
		}
		folder := zipFolder(label)
		taken := map[string]bool{}
		for _, pt := range g.List {
			works := applicationWorks(pt)
			if len(works) == 0 {
				continue
			}
			base := zipName(shortPersonName(pt.User.FullName, true))
			if base == "_" {
				base = zipName(p.T("unnamed_user", "ID", pt.UserID))
			}
			name := base
			for i := 2; taken[strings.ToLower(name)]; i++ {
				name = base + " (" + strconv.Itoa(i) + ")"
			}
			taken[strings.ToLower(name)] = true
			short := shortPersonName(pt.User.FullName, false)
			if short == "" {
				short = p.T("unnamed_user", "ID", pt.UserID)
			}
			for i, w := range works {
				plan = append(plan, archiveFile{
					Path: folder + "/" + name + " - " + strconv.Itoa(i+1) + workExt(w),
					Work: w, Org: label, Name: pt.User.FullName, Short: short, Team: pt.TeamName, State: pt.State,
				})
			}
		}
	}
	return plan
}

// zipFolder is zipName for a folder: no trailing dots either (Windows
// drops them).
func zipFolder(s string) string {
	if s = strings.TrimRight(zipName(s), ". "); s == "" {
		return "_"
	}
	return s
}

// zipName makes s safe as the start of a file name on every system: no
// path separators or characters Windows refuses, no leading dots, no
// spaces at either end, at most 80 characters; "_" if nothing is left.
func zipName(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsControl(r), strings.ContainsRune(`/\:*?"<>|`, r):
			return '_'
		}
		return r
	}, s)
	s = strings.TrimLeft(strings.TrimSpace(s), ".")
	if r := []rune(s); len(r) > 80 {
		s = strings.TrimSpace(string(r[:80]))
	}
	if s == "" {
		return "_"
	}
	return s
}

// workExt is a work's file extension: its own name's, else its type's.
func workExt(w storage.Work) string {
	if ext := strings.ToLower(path.Ext(w.FileName)); len(ext) > 1 && len(ext) <= 8 && isASCIIAlnum(ext[1:]) {
		return ext
	}
	switch w.Kind {
	case storage.WorkPhoto:
		return ".jpg"
	case storage.WorkVideo:
		if w.MimeType == "" || w.MimeType == "video/mp4" {
			return ".mp4"
		}
	}
	if exts, err := mime.ExtensionsByType(w.MimeType); err == nil && len(exts) > 0 {
		return exts[0]
	}
	return ""
}

func isASCIIAlnum(s string) bool {
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// megabytes renders a size as a teacher reads it: «8,4 МБ», or «12 КБ»
// under a megabyte.
func megabytes(p locales.Printer, n int64) string {
	if n < 1<<20 {
		return p.T("zip_size_kb", "N", max(1, (n+1023)/1024))
	}
	v := strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64)
	if p.Lang() == locales.Russian {
		v = strings.Replace(v, ".", ",", 1)
	}
	return p.T("zip_size_mb", "N", v)
}

// cbEventWorksZip: wz:<event id>.
func (b *Bot) cbEventWorksZip(ctx context.Context, r *Request, args []string) error {
	e, ok, err := b.buttonEventFor(ctx, r, args, actParticipants)
	if !ok {
		return err
	}
	groups, err := b.applicationsByOrg(ctx, e.ID)
	if err != nil {
		return err
	}
	p := r.P
	plan := archivePlan(p, groups)
	if len(plan) == 0 {
		return b.answer(ctx, r, p.T("works_none"), true)
	}
	var (
		total  int64
		tooBig []archiveFile
	)
	for _, f := range plan {
		total += f.Work.Size
		if f.Work.Size > maxWorkDownload {
			tooBig = append(tooBig, f)
		}
	}
	if len(tooBig) > 0 || total > archiveBudget {
		_, err := b.send(ctx, r.ChatID, archiveRefusal(p, e, tooBig, total), offerChat(p, e, len(plan)))
		return err
	}
	// A user's updates are handled one at a time, so nothing starts this
	// archive between the check and the start.
	if b.archives.busy(archiveWorks, e.ID, r.User.ID) {
		return b.answer(ctx, r, p.T("zip_already"), true)
	}
	if err := b.answer(ctx, r, p.T("zip_started_short"), false); err != nil {
		return err
	}
	_, err = b.send(ctx, r.ChatID, p.T("zip_started", "Title", e.Title, "Files", p.N("works_n_files", len(plan)),
		"Size", localesHTML(megabytes(p, total))), nil)
	if err != nil {
		return err
	}
	job := archiveJob{chatID: r.ChatID, userID: r.User.ID, p: p, event: e, plan: plan}
	b.archives.start(archiveWorks, e.ID, r.User.ID, func() { b.buildArchive(ctx, job) })
	return nil
}

// archiveRefusal says which works are over the download limit and how
// big, or that all of them are over the upload limit.
func archiveRefusal(p locales.Printer, e storage.Event, tooBig []archiveFile, total int64) string {
	lines := []string{p.T("zip_too_big", "Title", e.Title)}
	for i, f := range tooBig {
		if i == maxListedTooBig {
			lines = append(lines, p.N("zip_too_big_more", len(tooBig)-i))
			break
		}
		name := f.Work.FileName
		if name == "" {
			name = p.T("zip_kind_" + string(f.Work.Kind))
		}
		lines = append(lines, p.T("zip_file_too_big", "Org", f.Org, "Name", f.Short, "File", truncateRunes(name, 60),
			"Size", localesHTML(megabytes(p, f.Work.Size))))
	}
	if len(tooBig) > 0 {
		lines = append(lines, p.T("zip_download_limit", "Limit", localesHTML(megabytes(p, maxWorkDownload))))
	}
	if total > archiveBudget {
		lines = append(lines, p.T("zip_upload_limit", "Total", localesHTML(megabytes(p, total)),
			"Limit", localesHTML(megabytes(p, maxArchiveUpload))))
	}
	return strings.Join(append(lines, "", p.T("zip_offer_chat")), "\n")
}

// offerChat is the button that sends the works into the chat instead.
func offerChat(p locales.Printer, e storage.Event, files int) keyboard {
	return keyboard{{button(p.T("btn_event_works_to_chat", "N", files), cb(cbEventWorks, e.ID))}}
}

// archiveJob is what building one archive needs, copied out of the
// request that asked for it.
type archiveJob struct {
	chatID, userID int64
	p              locales.Printer
	event          storage.Event
	plan           []archiveFile
}

// errArchiveTooBig: the works, as downloaded, weigh more than an upload
// may.
var errArchiveTooBig = errors.New("archive over the upload limit")

// buildArchive downloads the job's works, zips them and sends the archive
// to the coordinator; it tells them what went wrong otherwise. ctx is the
// handlers' context: it ends a grace period after shutdown begins.
func (b *Bot) buildArchive(ctx context.Context, job archiveJob) {
	p, e := job.p, job.event
	select {
	case b.archives.slots <- struct{}{}:
		defer func() { <-b.archives.slots }()
	case <-ctx.Done():
		b.archiveInterrupted(ctx, job)
		return
	}
	data, failed, err := b.zipWorks(ctx, job)
	switch {
	case ctx.Err() != nil:
		b.archiveInterrupted(ctx, job)
		return
	case errors.Is(err, telegram.ErrFileTooBig):
		b.log.Warn("works zip: a work over the download limit", "event", e.ID, "work", failed)
		f := job.plan[failed]
		f.Work.Size = max(f.Work.Size, maxWorkDownload+1)
		b.tellArchive(ctx, job, archiveRefusal(p, e, []archiveFile{f}, 0), offerChat(p, e, len(job.plan)))
		return
	case errors.Is(err, errArchiveTooBig):
		b.log.Warn("works zip: over the upload limit", "event", e.ID)
		b.tellArchive(ctx, job, archiveRefusal(p, e, nil, archiveBudget+1), offerChat(p, e, len(job.plan)))
		return
	case err != nil:
		b.log.Error("works zip: download", "event", e.ID, "work", failed, "error", err)
		f := job.plan[failed]
		b.tellArchive(ctx, job, p.T("zip_download_failed", "Org", f.Org, "Name", f.Short), offerChat(p, e, len(job.plan)))
		return
	}
	caption := p.T("zip_caption", "Title", e.Title, "Files", p.N("works_n_files", len(job.plan)))
	// The name is plain text, not HTML: the title goes in as typed.
	doc := &models.InputFileUpload{Filename: zipName(p.T("zip_file_name")+" — "+truncateRunes(e.Title, 60)) + ".zip",
		Data: bytes.NewReader(data)}
	if _, err := b.sendMessage(ctx, job.chatID, telegram.Message{Document: doc, Text: caption}); err != nil {
		if ctx.Err() != nil {
			b.archiveInterrupted(ctx, job)
			return
		}
		b.log.Error("works zip: send", "event", e.ID, "bytes", len(data), "error", err)
		b.tellArchive(ctx, job, p.T("zip_send_failed"), offerChat(p, e, len(job.plan)))
		return
	}
	b.log.Info("works zip: sent", "event", e.ID, "user_id", job.userID, "files", len(job.plan), "bytes", len(data))
}

// zipWorks downloads the plan's works into a ZIP with the index. On a
// failure it returns the index in the plan of the work that failed.
func (b *Bot) zipWorks(ctx context.Context, job archiveJob) ([]byte, int, error) {
	var (
		buf   bytes.Buffer
		total int64
	)
	for _, f := range job.plan {
		total += f.Work.Size
	}
	buf.Grow(int(min(total, archiveBudget)) + 64<<10) // one allocation, not a doubling
	zw := zip.NewWriter(&buf)
	for i, f := range job.plan {
		data, err := b.tg.Download(ctx, f.Work.FileID, f.Work.Size, maxWorkDownload)
		if err != nil {
			return nil, i, err
		}
		method := zip.Deflate
		if f.Work.Kind != storage.WorkDocument {
			method = zip.Store // photos and videos are compressed already
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Path, Method: method, Modified: f.Work.AddedAt})
		if err != nil {
			return nil, i, fmt.Errorf("zip %d: %w", i, err)
		}
		if _, err := w.Write(data); err != nil {
			return nil, i, fmt.Errorf("zip %d: %w", i, err)
		}
		if buf.Len() > archiveBudget {
			return nil, i, errArchiveTooBig
		}
	}
	index, err := archiveIndex(job.p, job.plan, b.cfg.Location)
	if err != nil {
		return nil, 0, err
	}
	w, err := zw.CreateHeader(&zip.FileHeader{Name: job.p.T("zip_index_name"), Method: zip.Deflate, Modified: time.Now()})
	if err != nil {
		return nil, 0, fmt.Errorf("zip index: %w", err)
	}
	if _, err := w.Write(index); err != nil {
		return nil, 0, fmt.Errorf("zip index: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, 0, fmt.Errorf("zip: %w", err)
	}
	if buf.Len() > archiveBudget {
		return nil, len(job.plan) - 1, errArchiveTooBig
	}
	return buf.Bytes(), 0, nil
}

// archiveIndex is the archive's table of contents: a CSV (UTF-8 with a
// byte order mark and semicolons, as Excel opens it in Russia), one row a
// file.
func archiveIndex(p locales.Printer, plan []archiveFile, loc *time.Location) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	w.Comma = ';'
	rows := [][]string{{p.T("zip_col_file"), p.T("zip_col_org"), p.T("zip_col_teacher"), p.T("zip_col_team"),
		p.T("zip_col_state"), p.T("zip_col_original"), p.T("zip_col_size"), p.T("zip_col_added")}}
	for _, f := range plan {
		state := p.T("zip_state_confirmed")
		if f.State == storage.RegWaitlist {
			state = p.T("zip_state_waitlist")
		}
		added := ""
		if !f.Work.AddedAt.IsZero() {
			added = f.Work.AddedAt.In(loc).Format("02.01.2006 15:04")
		}
		rows = append(rows, []string{f.Path, f.Org, f.Name, f.Team, state, f.Work.FileName,
			strconv.FormatInt((f.Work.Size+1023)/1024, 10), added})
	}
	// Values are the users' own text: plain in a CSV, not HTML. p.T
	// escapes only template values, and these headers have none.
	if err := w.WriteAll(rows); err != nil {
		return nil, fmt.Errorf("zip index: %w", err)
	}
	return buf.Bytes(), nil
}

// tellArchive tells the coordinator what became of their archive.
func (b *Bot) tellArchive(ctx context.Context, job archiveJob, text string, kb keyboard) {
	if _, err := b.send(ctx, job.chatID, text, kb); err != nil {
		b.log.Warn("works zip: tell the coordinator", "event", job.event.ID, "error", err)
	}
}

// archiveInterrupted says, through the outbox (the bot is stopping), that
// the archive was not finished and can be asked for again.
func (b *Bot) archiveInterrupted(ctx context.Context, job archiveJob) {
	p, e := job.p, job.event
	b.tellInterrupted(ctx, job.chatID, job.userID, p.T("zip_interrupted", "Title", e.Title),
		storage.Button{Text: p.T("btn_event_works_zip"), Data: cb(cbEventWorksZip, e.ID)}, "works_zip", e.ID)
}

// tellInterrupted says through the outbox, as the bot stops (ctx is being
// cancelled, so it gives the store 5 s of its own), that what userID
// asked for in chatID was cut short: text, with the button again that
// asks for it anew. The notice's origin is kind:<event id>:<user id>.
func (b *Bot) tellInterrupted(ctx context.Context, chatID, userID int64, text string, again storage.Button, kind string, eventID int64) {
	c, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	err := b.store.Enqueue(c, []storage.OutboxEntry{{
		ChatID: chatID, UserID: userID,
		Content: storage.Content{Text: text, Buttons: [][]storage.Button{{again}}},
		Origin:  storage.Origin{Kind: storage.OriginNotice, Key: kind + ":" + strconv.FormatInt(eventID, 10) + ":" + strconv.FormatInt(userID, 10)},
	}})
	if err != nil {
		b.log.Error("tell of an interruption", "what", kind, "event", eventID, "error", err)
	}
}
