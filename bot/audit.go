package bot

import (
	"context"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"

	"vmeste/locales"
	"vmeste/storage"
)

// /audit: the audit trail (storage/audit.go), for admins only (routes.go):
// who changed what, newest first, ten entries a page. A filter narrows it
// to one event, one person (as the one who acted or the one acted on) or
// one organisation. It is typed after the command, as the callback data
// carries it:
//
//	/audit        everything
//	/audit e42    event 42
//	/audit u123   person with Telegram id 123 (u-3: a forgotten person's
//	              anonymous id)
//	/audit o3     organisation 3
//
// or picked from an entry: its number under the list opens it (every
// changed field, before and after) with a button per filter it allows.
// «📥 XLSX» sends the current filter's entries as a workbook. Names are
// read when shown: an entry stores ids only.

// auditPageSize is how many entries a page lists.
const auditPageSize = 10

// auditExportMax bounds the rows of one export: a year of a district's
// changes is a few thousand.
const auditExportMax = 100_000

// auditFilterCode is the filter as typed and as carried in callback data:
// "a" (all), "e<id>", "u<id>", "o<id>".
func auditFilterCode(f storage.AuditFilter) string {
	switch {
	case f.Event != 0:
		return "e" + strconv.FormatInt(f.Event, 10)
	case f.User != 0:
		return "u" + strconv.FormatInt(f.User, 10)
	case f.Org != 0:
		return "o" + strconv.FormatInt(f.Org, 10)
	}
	return "a"
}

// parseAuditFilter reads a filter code; "" is everything. An event or
// organisation id must be positive; a person's may be negative (an
// anonymous id) but not 0.
func parseAuditFilter(s string) (storage.AuditFilter, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" || s == "a" {
		return storage.AuditFilter{}, true
	}
	id, err := strconv.ParseInt(s[1:], 10, 64)
	if err != nil || id == 0 {
		return storage.AuditFilter{}, false
	}
	switch s[0] {
	case 'e':
		return storage.AuditFilter{Event: id}, id > 0
	case 'u':
		return storage.AuditFilter{User: id}, true
	case 'o':
		return storage.AuditFilter{Org: id}, id > 0
	}
	return storage.AuditFilter{}, false
}

// cmdAudit: /audit [filter].
func (b *Bot) cmdAudit(ctx context.Context, r *Request, args string) error {
	f, ok := parseAuditFilter(args)
	if !ok {
		_, err := b.send(ctx, r.ChatID, r.P.T("audit_bad_filter"), nil)
		return err
	}
	return b.showAudit(ctx, r, f, 0)
}

// cbAuditPage: au:<filter>:<page>.
func (b *Bot) cbAuditPage(ctx context.Context, r *Request, args []string) error {
	if len(args) != 2 {
		return b.stale(ctx, r)
	}
	f, ok := parseAuditFilter(args[0])
	page, err := strconv.Atoi(args[1])
	if !ok || args[0] == "" || err != nil || page < 0 {
		return b.stale(ctx, r)
	}
	if err := b.answer(ctx, r, "", false); err != nil {
		return err
	}
	return b.showAudit(ctx, r, f, page)
}

// showAudit lists page of the filter's entries (the last page when page
// is past it), editing the pressed message or sending a new one.
func (b *Bot) showAudit(ctx context.Context, r *Request, f storage.AuditFilter, page int) error {
	p := r.P
	list, total, err := b.store.AuditPage(ctx, f, page*auditPageSize, auditPageSize)
	if err != nil {
		return err
	}
	pages := max(1, (total+auditPageSize-1)/auditPageSize)
	if page >= pages { // pruned since the button was drawn: the last page
		page = pages - 1
		if list, total, err = b.store.AuditPage(ctx, f, page*auditPageSize, auditPageSize); err != nil {
			return err
		}
	}
	n := newAuditNames(ctx, b, p)
	code := auditFilterCode(f)
	var sb strings.Builder
	sb.WriteString(p.T("audit_title", "Filter", n.filter(f)))
	sb.WriteString("\n")
	if total == 0 {
		sb.WriteString(p.T("audit_empty"))
		var kb keyboard
		if code != "a" {
			kb = keyboard{{button(p.T("audit_btn_all"), cb(cbAuditPage, "a", 0))}}
		}
		return b.reply(ctx, r, sb.String(), kb)
	}
	sb.WriteString(p.N("audit_count", total, "Page", page+1, "Pages", pages))
	sb.WriteString("\n")
	var numbers []modelsButton
	kb := keyboard{}
	for i, e := range list {
		sb.WriteString("\n")
		sb.WriteString(p.T("audit_line", "N", i+1, "Line", locales.HTML(n.line(e))))
		data := cb(cbAuditEntry, hex.EncodeToString(e.Key), code, page)
		if len(data) <= maxCallbackData {
			numbers = append(numbers, button(strconv.Itoa(i+1), data))
		}
		if len(numbers) == 5 {
			kb, numbers = append(kb, numbers), nil
		}
	}
	if len(numbers) > 0 {
		kb = append(kb, numbers)
	}
	sb.WriteString("\n\n")
	sb.WriteString(p.T("audit_hint"))
	kb = append(kb, pager(p, cbAuditPage+":"+code, page, pages)...)
	last := []modelsButton{button(p.T("audit_btn_xlsx"), cb(cbAuditXLSX, code))}
	if code != "a" {
		last = append(last, button(p.T("audit_btn_all"), cb(cbAuditPage, "a", 0)))
	}
	kb = append(kb, last)
	return b.reply(ctx, r, sb.String(), kb)
}

// cbAuditEntry: ai:<key hex>:<filter>:<page>: one entry in full, with a
// button per filter it allows and one back to the list it came from.
func (b *Bot) cbAuditEntry(ctx context.Context, r *Request, args []string) error {
	if len(args) != 3 {
		return b.stale(ctx, r)
	}
	key, err := hex.DecodeString(args[0])
	_, ok := parseAuditFilter(args[1])
	page, perr := strconv.Atoi(args[2])
	if err != nil || len(key) != 16 || !ok || args[1] == "" || perr != nil || page < 0 {
		return b.stale(ctx, r)
	}
	p := r.P
	e, err := b.store.AuditEntryAt(ctx, key)
	if errors.Is(err, storage.ErrNotFound) {
		return b.answer(ctx, r, p.T("audit_entry_gone"), true)
	}
	if err != nil {
		return err
	}
	if err := b.answer(ctx, r, "", false); err != nil {
		return err
	}
	n := newAuditNames(ctx, b, p)
	text := p.T("audit_entry", "When", locales.HTML(p.DateYear(e.At.In(b.cfg.Location))), "Who", n.person(e.Actor), "WhoID", e.Actor,
		"What", locales.HTML(n.what(e)))
	for _, c := range e.Details {
		if c.Before == "" && c.After == "" {
			continue
		}
		before, after := n.change(c)
		text += "\n" + p.T("audit_entry_change", "Field", locales.HTML(n.field(c.Field)),
			"Before", before, "After", after)
	}
	var kb keyboard
	if e.Event != 0 {
		kb = append(kb, []modelsButton{button(p.T("audit_btn_event"), cb(cbAuditPage, auditFilterCode(storage.AuditFilter{Event: e.Event}), 0))})
	}
	if e.Actor != 0 {
		kb = append(kb, []modelsButton{button(p.T("audit_btn_actor"), cb(cbAuditPage, auditFilterCode(storage.AuditFilter{User: e.Actor}), 0))})
	}
	if e.Subject != 0 && e.Subject != e.Actor {
		kb = append(kb, []modelsButton{button(p.T("audit_btn_subject"), cb(cbAuditPage, auditFilterCode(storage.AuditFilter{User: e.Subject}), 0))})
	}
	if e.Org != 0 {
		kb = append(kb, []modelsButton{button(p.T("audit_btn_org"), cb(cbAuditPage, auditFilterCode(storage.AuditFilter{Org: e.Org}), 0))})
	}
	kb = append(kb, []modelsButton{button(p.T("audit_btn_back"), cb(cbAuditPage, args[1], page))})
	return b.reply(ctx, r, text, kb)
}
