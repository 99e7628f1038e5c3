package bot

import (
	"bytes"
	"context"
	"html"
	"strconv"
	"strings"

	"github.com/go-telegram/bot/models"

	"vmeste/sheets"
	"vmeste/storage"
	"vmeste/telegram"
)

// cbAuditXLSX: ax:<filter>: the filter's entries (newest first, at most
// auditExportMax) as a workbook: when (a date cell in the district's
// zone), who (name and id), action, object, and what changed.
func (b *Bot) cbAuditXLSX(ctx context.Context, r *Request, args []string) error {
	if len(args) != 1 || args[0] == "" {
		return b.stale(ctx, r)
	}
	f, ok := parseAuditFilter(args[0])
	if !ok {
		return b.stale(ctx, r)
	}
	p := r.P
	list, err := b.store.AuditEntries(ctx, f, auditExportMax)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		return b.answer(ctx, r, p.T("audit_empty"), true)
	}
	if err := b.answer(ctx, r, p.T("export_preparing"), false); err != nil {
		return err
	}
	data, err := b.auditXLSX(ctx, r, list)
	if err != nil {
		return err
	}
	n := newAuditNames(ctx, b, p)
	caption := p.N("audit_xlsx_caption", len(list), "Filter", n.filter(f))
	name := zipName(p.T("audit_file")+" "+auditFilterCode(f)) + ".xlsx"
	_, err = b.sendMessage(ctx, r.ChatID, telegram.Message{Text: caption,
		Document: &models.InputFileUpload{Filename: name, Data: bytes.NewReader(data)}})
	if err == nil {
		b.log.Info("audit: export sent", "user_id", r.User.ID, "filter", auditFilterCode(f), "rows", len(list), "bytes", len(data))
	}
	return err
}

// auditXLSX lays the entries out as one sheet. The names rendered for
// messages are HTML; a cell is plain text, so they are unescaped.
func (b *Bot) auditXLSX(ctx context.Context, r *Request, list []storage.AuditEntry) ([]byte, error) {
	p := r.P
	wb, err := sheets.New(b.cfg.Location)
	if err != nil {
		return nil, err
	}
	defer wb.Close()
	sh, err := wb.NewSheet(p.T("audit_sheet"), []sheets.Column{
		{Title: p.T("audit_col_when"), Width: 17}, {Title: p.T("audit_col_who"), Width: 30},
		{Title: p.T("audit_col_who_id"), Width: 12}, {Title: p.T("audit_col_what"), Width: 60},
		{Title: p.T("audit_col_changes"), Width: 60}})
	if err != nil {
		return nil, err
	}
	n := newAuditNames(ctx, b, p)
	for _, e := range list {
		var changes []string
		for _, c := range e.Details {
			if c.Before == "" && c.After == "" {
				continue
			}
			before, after := n.change(c)
			changes = append(changes, p.T("audit_entry_change_plain", "Field", n.field(c.Field),
				"Before", before, "After", after))
		}
		if err := sh.Row(e.At, html.UnescapeString(string(n.person(e.Actor))), strconv.FormatInt(e.Actor, 10),
			html.UnescapeString(n.what(e)), html.UnescapeString(strings.Join(changes, "\n"))); err != nil {
			return nil, err
		}
	}
	return wb.Bytes()
}
