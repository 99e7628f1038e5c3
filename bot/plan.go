package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/go-telegram/bot/models"

	"vmeste/locales"
	"vmeste/storage"
	"vmeste/telegram"
)

// The annual plan import (/plan): the bot sends the template, the
// coordinator sends it back filled in (XLSX, or CSV), the bot answers row
// by row and, after «Создать N черновиков», creates the good rows as
// drafts in one storage transaction. The rows read wait in the
// coordinator's conversation in bbolt, so a restart between the report
// and the confirmation loses nothing. A row imported before (its import
// key is stored with its draft) is said to be loaded already and is not
// created again.
const (
	flowPlan        = "plan"
	stepPlanFile    = "file"
	stepPlanConfirm = "confirm"
)

// planPending is the plan flow's state at the confirmation: the rows to
// create.
type planPending struct {
	Rows []planRow `json:"rows"`
}

// cmdPlan sends the template and waits for the file.
func (b *Bot) cmdPlan(ctx context.Context, r *Request, _ string) error {
	if err := b.store.PutConversation(ctx, r.User.ID, storage.Conversation{Flow: flowPlan, Step: stepPlanFile}); err != nil {
		return err
	}
	data, err := b.planTemplate(r.P)
	if err != nil {
		return err
	}
	doc := &models.InputFileUpload{Filename: plainText(r.P.T("plan_file_name")) + ".xlsx", Data: strings.NewReader(string(data))}
	if _, err := b.sendMessage(ctx, r.ChatID, telegram.Message{Document: doc, Text: r.P.T("plan_template_caption")}); err != nil {
		return err
	}
	_, err = b.send(ctx, r.ChatID, r.P.T("plan_ask_file"), keyboard{navRow(r.P, flowPlan, stepPlanFile, false)})
	return err
}

// resumePlan asks for the file again, or points at the buttons under the
// report.
func (b *Bot) resumePlan(ctx context.Context, r *Request, c storage.Conversation) error {
	key, kb := "plan_ask_file", keyboard{navRow(r.P, flowPlan, stepPlanFile, false)}
	if c.Step == stepPlanConfirm {
		key, kb = "plan_use_buttons", nil
	}
	_, err := b.send(ctx, r.ChatID, r.P.T(key), kb)
	return err
}

// isPlanFile reports whether a file sent outside any wizard is taken for
// a plan: an XLSX workbook from a coordinator or an admin, or a CSV file
// from a coordinator (an admin's CSV is the organisations import).
func isPlanFile(r *Request, name string) bool {
	switch planFormat(name) {
	case formatXLSX:
		return true
	case formatCSV:
		return r.Role() < roleAdmin
	}
	return false
}

// planMessage takes the file; anything else (a text, a photo) is told
// what the bot waits for.
func (b *Bot) planMessage(ctx context.Context, r *Request, c storage.Conversation) error {
	if r.Update.Message.Document == nil {
		return b.resumePlan(ctx, r, c)
	}
	return b.planDocument(ctx, r)
}

// planDocument reads the plan file and answers with the report; the good
// rows wait for the confirmation. A file of the wrong format, too big or
// unreadable is refused and changes nothing (a pending report stays).
func (b *Bot) planDocument(ctx context.Context, r *Request) error {
	doc := r.Update.Message.Document
	format := planFormat(doc.FileName)
	if format == "" {
		_, err := b.send(ctx, r.ChatID, r.P.T("plan_wrong_format"), nil)
		return err
	}
	if doc.FileSize > maxUpload {
		_, err := b.send(ctx, r.ChatID, r.P.T("plan_too_big"), nil)
		return err
	}
	data, err := b.download(ctx, doc.FileID, doc.FileSize)
	if errors.Is(err, telegram.ErrFileTooBig) {
		_, err := b.send(ctx, r.ChatID, r.P.T("plan_too_big"), nil)
		return err
	}
	if err != nil {
		return err
	}
	table, more, err := readTable(data, format, maxPlanRows+1)
	if errors.Is(err, errNotTable) {
		_, err := b.send(ctx, r.ChatID, r.P.T("plan_unreadable"), nil)
		return err
	}
	if err != nil {
		return err
	}
	orgs, err := b.store.Organisations(ctx)
	if err != nil {
		return err
	}
	good, bad := b.newPlanReader(r.P, r.User, orgs).read(table)
	// Rows loaded before are told, and not offered again.
	keys := make([][]byte, len(good))
	for i, row := range good {
		keys[i] = row.Row.Key
	}
	imported, err := b.store.PlanImported(ctx, keys)
	if err != nil {
		return err
	}
	var fresh, already []planRow
	for i, row := range good {
		if imported[i] {
			already = append(already, row)
		} else {
			fresh = append(fresh, row)
		}
	}
	if more {
		bad = append(bad, planProblem{Line: table[len(table)-1].Line, Reason: r.P.T("plan_too_many_rows", "Max", maxPlanRows)})
	}
	var kb keyboard
	if len(fresh) > 0 {
		payload, err := json.Marshal(planPending{Rows: fresh})
		if err != nil {
			return fmt.Errorf("bot: plan rows: %w", err)
		}
		if err := b.store.PutConversation(ctx, r.User.ID, storage.Conversation{Flow: flowPlan, Step: stepPlanConfirm, Data: payload}); err != nil {
			return err
		}
		kb = keyboard{{button(r.P.N("btn_plan_create", len(fresh)), cbPlanCreate)}, {button(r.P.T("btn_cancel"), cbPlanDrop)}}
	} else if err := b.store.PutConversation(ctx, r.User.ID, storage.Conversation{Flow: flowPlan, Step: stepPlanFile}); err != nil {
		return err
	}
	return b.sendPlanReport(ctx, r, fresh, bad, already, kb)
}

// planOKLine is a good row in one short line: «3. Безопасное колесо — 15
// апреля, 10:00 · ГИБДД, СОШ №1».
func (b *Bot) planOKLine(p locales.Printer, row planRow) string {
	e := row.Row.Event
	line := p.T("plan_ok_line", "Line", row.Line, "Title", truncateRunes(e.Title, 80),
		"When", localesHTML(p.Date(e.Start.In(b.cfg.Location))), "Orgs", strings.Join(row.Orgs, ", "))
	if row.NoTime {
		line += p.T("plan_no_time_mark")
	}
	return line
}

// sendPlanReport answers with the report: the rows that will not be
// created first (they need the coordinator's attention), then those
// loaded before, then those to create. A report over Telegram's limit is
// shortened in the message and sent whole as a text file.
func (b *Bot) sendPlanReport(ctx context.Context, r *Request, fresh []planRow, bad []planProblem, already []planRow, kb keyboard) error {
	p := r.P
	lines := []string{p.N("plan_read", len(fresh)+len(bad)+len(already))}
	if len(bad) > 0 {
		lines = append(lines, "", p.N("plan_bad_title", len(bad)))
		for _, pb := range bad {
			title := pb.Title
			if title == "" {
				title = p.T("plan_no_title")
			}
			lines = append(lines, p.T("plan_bad_line", "Line", pb.Line, "Title", truncateRunes(title, 60), "Reason", localesHTML(pb.Reason)))
		}
	}
	if len(already) > 0 {
		lines = append(lines, "", p.N("plan_already_title", len(already)))
		for _, row := range already {
			lines = append(lines, b.planOKLine(p, row)+p.T("plan_already_mark"))
		}
	}
	if len(fresh) > 0 {
		lines = append(lines, "", p.N("plan_ok_title", len(fresh)))
		for _, row := range fresh {
			lines = append(lines, b.planOKLine(p, row))
		}
		lines = append(lines, "", p.N("plan_confirm", len(fresh)))
	} else {
		lines = append(lines, "", p.T("plan_nothing"))
	}
	full := strings.Join(lines, "\n")
	if utf16Len(full) <= locales.MaxMessage {
		_, err := b.send(ctx, r.ChatID, full, kb)
		return err
	}
	doc := &models.InputFileUpload{Filename: plainText(p.T("plan_report_file_name")) + ".txt", Data: strings.NewReader(plainText(full) + "\n")}
	if _, err := b.sendMessage(ctx, r.ChatID, telegram.Message{Document: doc, Text: p.T("plan_report_in_file")}); err != nil {
		return err
	}
	_, err := b.send(ctx, r.ChatID, p.FitLines(lines, 2), kb)
	return err
}

// cbPlanCreate creates the rows read, in one transaction; rows imported
// meanwhile (the same file sent twice and both confirmed) are told and not
// created again.
func (b *Bot) cbPlanCreate(ctx context.Context, r *Request, _ []string) error {
	c, err := b.store.Conversation(ctx, r.User.ID)
	if err != nil || c.Flow != flowPlan || c.Step != stepPlanConfirm {
		return b.stale(ctx, r)
	}
	var pending planPending
	if err := json.Unmarshal(c.Data, &pending); err != nil {
		return fmt.Errorf("bot: plan rows: %w", err)
	}
	rows := make([]storage.PlanRow, len(pending.Rows))
	for i, row := range pending.Rows {
		rows[i] = row.Row
		rows[i].Event.CreatedBy = r.User.ID
	}
	res, err := b.store.ImportPlan(ctx, rows)
	if err != nil {
		return err
	}
	if err := b.store.ClearConversation(ctx, r.User.ID); err != nil {
		return err
	}
	b.log.Info("plan imported", "created", len(res.Created), "already", len(res.Already), "by", r.User.ID)
	if err := b.answer(ctx, r, r.P.T("saved"), false); err != nil {
		return err
	}
	text := r.P.N("plan_created", len(res.Created))
	if len(res.Already) > 0 {
		text += "\n" + r.P.N("plan_created_already", len(res.Already))
	}
	// The report stays as it was, its buttons gone: its rows that did not
	// fit are what the coordinator fixes next, and the result is a new
	// message under it.
	if m := r.Update.CallbackQuery.Message.Message; m != nil && m.Text != "" {
		if err := b.edit(ctx, r.ChatID, m.ID, entitiesHTML(m.Text, m.Entities), keyboard{}); err != nil {
			return err
		}
		_, err := b.send(ctx, r.ChatID, text, nil)
		return err
	}
	return b.reply(ctx, r, text, keyboard{})
}

// cbPlanDrop leaves the import without creating anything.
func (b *Bot) cbPlanDrop(ctx context.Context, r *Request, _ []string) error {
	c, err := b.store.Conversation(ctx, r.User.ID)
	if err != nil || c.Flow != flowPlan {
		return b.stale(ctx, r)
	}
	if err := b.store.ClearConversation(ctx, r.User.ID); err != nil {
		return err
	}
	return b.reply(ctx, r, r.P.T("plan_dropped"), keyboard{})
}
