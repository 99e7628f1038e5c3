package bot

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/go-telegram/bot/models"

	"vmeste/locales"
	"vmeste/storage"
	"vmeste/telegram"
)

// «🗜 Архивом (ZIP)» on the documents screen: every valid document of the
// event but those of people who used /forget, printed afresh from its record, in one ZIP — a folder per
// organisation, each file named by its number, recipient and kind
// («СОШ №1/2027-0042 Иванова М. П. — диплом I степени.pdf»). Printing
// hundreds of pages takes a while, so it runs beside the update intake
// on the works' archiver (works_zip.go): the press is answered at once, a
// second press while it is built is told so, and a shutdown that cuts it
// short says so through the outbox.

// cbCertsZip: cdz:<event id>.
func (b *Bot) cbCertsZip(ctx context.Context, r *Request, args []string) error {
	id, ok := certArgs(args)
	if !ok {
		return b.stale(ctx, r)
	}
	e, ok, err := b.certEvent(ctx, r, id)
	if !ok {
		return err
	}
	all, err := b.store.EventCertificates(ctx, id)
	if err != nil {
		return err
	}
	var valid []storage.Certificate
	for _, c := range all {
		// A forgotten person's (anonymous id, name erased) stays on record
		// for its verification, but is nobody's paper to hand out.
		if !c.Revoked() && c.UserID > 0 {
			valid = append(valid, c)
		}
	}
	p := r.P
	if len(valid) == 0 {
		return b.answer(ctx, r, p.T("cert_zip_none"), true)
	}
	// A user's updates are handled one at a time, so nothing starts this
	// archive between the check and the start.
	if b.archives.busy(archiveCertificates, id, r.User.ID) {
		return b.answer(ctx, r, p.T("zip_already"), true)
	}
	if err := b.answer(ctx, r, p.T("cert_zip_started"), false); err != nil {
		return err
	}
	job := certZipJob{chatID: r.ChatID, userID: r.User.ID, p: p, event: e, certs: valid}
	b.archives.start(archiveCertificates, id, r.User.ID, func() { b.buildCertZip(ctx, job) })
	return nil
}

// certZipJob is what building one documents' archive needs, copied out
// of the request.
type certZipJob struct {
	chatID, userID int64
	p              locales.Printer
	event          storage.Event
	certs          []storage.Certificate
}

// certZipPath is c's path in the archive.
func (b *Bot) certZipPath(p locales.Printer, c storage.Certificate) string {
	folder := c.SchoolShort
	if folder == "" {
		folder = c.School
	}
	if folder == "" {
		folder = p.T("apps_no_org")
	}
	return zipFolder(folder) + "/" + b.certFileName(c)
}

// buildCertZip prints the job's documents into a ZIP and sends it; it
// tells the coordinator what went wrong otherwise.
func (b *Bot) buildCertZip(ctx context.Context, job certZipJob) {
	p, e := job.p, job.event
	select {
	case b.archives.slots <- struct{}{}:
		defer func() { <-b.archives.slots }()
	case <-ctx.Done():
		b.certZipInterrupted(ctx, job)
		return
	}
	data, err := b.zipCertificates(ctx, job)
	switch {
	case ctx.Err() != nil:
		b.certZipInterrupted(ctx, job)
		return
	case errors.Is(err, errArchiveTooBig):
		b.log.Warn("certificates zip: over the upload limit", "event", e.ID, "documents", len(job.certs))
		b.tellCertZip(ctx, job, p.T("cert_zip_too_big", "Limit", localesHTML(megabytes(p, maxArchiveUpload))))
		return
	case err != nil:
		b.log.Error("certificates zip: print", "event", e.ID, "error", err)
		b.tellCertZip(ctx, job, p.T("cert_zip_failed"))
		return
	}
	caption := p.N("cert_zip_caption", len(job.certs), "Title", e.Title)
	doc := &models.InputFileUpload{Filename: zipName(p.T("cert_zip_file_name")+" — "+truncateRunes(e.Title, 60)) + ".zip",
		Data: bytes.NewReader(data)}
	if _, err := b.sendMessage(ctx, job.chatID, telegram.Message{Document: doc, Text: caption}); err != nil {
		if ctx.Err() != nil {
			b.certZipInterrupted(ctx, job)
			return
		}
		b.log.Error("certificates zip: send", "event", e.ID, "bytes", len(data), "error", err)
		b.tellCertZip(ctx, job, p.T("cert_zip_failed"))
		return
	}
	b.log.Info("certificates zip: sent", "event", e.ID, "user_id", job.userID, "documents", len(job.certs), "bytes", len(data))
}

// zipCertificates prints every document of the job into one ZIP,
// errArchiveTooBig past what an upload may weigh.
func (b *Bot) zipCertificates(ctx context.Context, job certZipJob) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, c := range job.certs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		_, pdf, err := b.printCertificate(c)
		if err != nil {
			return nil, err
		}
		// A PDF's streams are compressed already.
		w, err := zw.CreateHeader(&zip.FileHeader{Name: b.certZipPath(job.p, c), Method: zip.Store, Modified: c.IssuedAt})
		if err != nil {
			return nil, fmt.Errorf("zip %s: %w", c.Number, err)
		}
		if _, err := w.Write(pdf); err != nil {
			return nil, fmt.Errorf("zip %s: %w", c.Number, err)
		}
		if buf.Len() > archiveBudget {
			return nil, errArchiveTooBig
		}
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("zip: %w", err)
	}
	if buf.Len() > archiveBudget {
		return nil, errArchiveTooBig
	}
	return buf.Bytes(), nil
}

// tellCertZip tells the coordinator what became of their archive, with
// the button to ask again.
func (b *Bot) tellCertZip(ctx context.Context, job certZipJob, text string) {
	kb := keyboard{{button(job.p.T("btn_cert_zip"), cb(cbCertsZip, job.event.ID))}}
	if _, err := b.send(ctx, job.chatID, text, kb); err != nil {
		b.log.Warn("certificates zip: tell the coordinator", "event", job.event.ID, "error", err)
	}
}

// certZipInterrupted says, through the outbox (the bot is stopping), that
// the archive was not finished and can be asked for again.
func (b *Bot) certZipInterrupted(ctx context.Context, job certZipJob) {
	p, e := job.p, job.event
	b.tellInterrupted(ctx, job.chatID, job.userID, p.T("cert_zip_interrupted", "Title", e.Title),
		storage.Button{Text: p.T("btn_cert_zip"), Data: cb(cbCertsZip, e.ID)}, "cert_zip", e.ID)
}
