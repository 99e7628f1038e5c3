package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"vmeste/storage"
	"vmeste/telegram"
)

// Importing organisations from a CSV file: the admin sends the file, the
// bot answers with what it read and what it could not, and saves only after
// the admin confirms. The rows wait in the admin's conversation in bbolt.
const (
	flowOrgImport     = "org_import"
	stepImportFile    = "file"
	stepImportConfirm = "confirm"
)

func isCSVName(name string) bool {
	return strings.EqualFold(filepath.Ext(name), ".csv")
}

func (b *Bot) cbOrgImport(ctx context.Context, r *Request, _ []string) error {
	if err := b.store.PutConversation(ctx, r.User.ID, storage.Conversation{Flow: flowOrgImport, Step: stepImportFile}); err != nil {
		return err
	}
	_, err := b.send(ctx, r.ChatID, r.P.T("import_ask_file"), keyboard{navRow(r.P, flowOrgImport, stepImportFile, false)})
	return err
}

func (b *Bot) orgImportText(ctx context.Context, r *Request, c storage.Conversation, _ string) error {
	key, kb := "import_ask_file", keyboard{navRow(r.P, flowOrgImport, stepImportFile, false)}
	if c.Step == stepImportConfirm {
		key, kb = "import_use_buttons", nil // the buttons are under what was read
	}
	_, err := b.send(ctx, r.ChatID, r.P.T(key), kb)
	return err
}

// orgImportDocument reads the CSV file and shows what would be saved.
func (b *Bot) orgImportDocument(ctx context.Context, r *Request, c storage.Conversation) error {
	doc := r.Update.Message.Document
	if !isCSVName(doc.FileName) {
		_, err := b.send(ctx, r.ChatID, r.P.T("import_not_csv"), nil)
		return err
	}
	data, err := b.download(ctx, doc.FileID, doc.FileSize)
	if errors.Is(err, telegram.ErrFileTooBig) {
		_, err := b.send(ctx, r.ChatID, r.P.T("import_too_big"), nil)
		return err
	}
	if err != nil {
		return err
	}
	existing, err := b.store.Organisations(ctx)
	if err != nil {
		return err
	}
	rows, problems, err := parseOrgCSV(data, existing)
	if errors.Is(err, errNotCSV) {
		_, err := b.send(ctx, r.ChatID, r.P.T("import_not_csv"), nil)
		return err
	}
	if err != nil {
		return err
	}
	var kb keyboard
	if len(rows) > 0 {
		payload, _ := json.Marshal(rows)
		if err := b.store.PutConversation(ctx, r.User.ID, storage.Conversation{Flow: flowOrgImport, Step: stepImportConfirm, Data: payload}); err != nil {
			return err
		}
		kb = keyboard{{button(r.P.N("btn_import_save", len(rows)), cbOrgImportSave), button(r.P.T("btn_cancel"), cbOrgImportDrop)}}
	} else if err := b.store.ClearConversation(ctx, r.User.ID); err != nil {
		return err
	}
	_, err = b.send(ctx, r.ChatID, importReport(r, rows, problems), kb)
	return err
}

// importReport lists the rows refused (first: they need the admin's
// attention) and the rows read, within Telegram's message limit: what does
// not fit is counted, not shown.
func importReport(r *Request, rows []importRow, problems []importProblem) string {
	var lines []string
	lines = append(lines, r.P.N("import_read", len(rows)+len(problems)))
	if len(problems) > 0 {
		lines = append(lines, "", r.P.N("import_bad_title", len(problems)))
		for _, p := range problems {
			lines = append(lines, r.P.T("import_bad_line", "Line", p.Line, "Reason", localesHTML(r.P.T(p.Key, "Value", p.Value))))
		}
	}
	if len(rows) > 0 {
		lines = append(lines, "", r.P.N("import_ok_title", len(rows)))
		for _, row := range rows {
			lines = append(lines, r.P.T("import_ok_line", "Line", row.Line, "Name", row.Org.Name, "Short", row.Org.ShortName, "Kind", r.P.T("kind_"+string(row.Org.Kind))))
		}
	}
	if len(rows) > 0 {
		lines = append(lines, "", r.P.T("import_confirm"))
	} else {
		lines = append(lines, "", r.P.T("import_nothing"))
	}
	return r.P.FitLines(lines, 2)
}

// cbOrgImportSave saves the rows read, all or none.
func (b *Bot) cbOrgImportSave(ctx context.Context, r *Request, _ []string) error {
	c, err := b.store.Conversation(ctx, r.User.ID)
	if err != nil || c.Flow != flowOrgImport || c.Step != stepImportConfirm {
		return b.stale(ctx, r)
	}
	var rows []importRow
	if err := json.Unmarshal(c.Data, &rows); err != nil {
		return fmt.Errorf("bot: import rows: %w", err)
	}
	orgs := make([]storage.Organisation, len(rows))
	for i, row := range rows {
		orgs[i] = row.Org
	}
	err = b.store.ImportOrganisations(ctx, orgs)
	if errors.Is(err, storage.ErrDuplicate) {
		_ = b.store.ClearConversation(ctx, r.User.ID)
		return b.reply(ctx, r, r.P.T("import_conflict"), keyboard{})
	}
	if err != nil {
		return err
	}
	if err := b.store.ClearConversation(ctx, r.User.ID); err != nil {
		return err
	}
	if err := b.answer(ctx, r, r.P.T("saved"), false); err != nil {
		return err
	}
	return b.reply(ctx, r, r.P.N("import_saved", len(orgs)), keyboard{{button(r.P.T("btn_back_to_list"), cb(cbOrgList, 0))}})
}

func (b *Bot) cbOrgImportDrop(ctx context.Context, r *Request, _ []string) error {
	c, err := b.store.Conversation(ctx, r.User.ID)
	if err != nil || c.Flow != flowOrgImport {
		return b.stale(ctx, r)
	}
	if err := b.store.ClearConversation(ctx, r.User.ID); err != nil {
		return err
	}
	return b.reply(ctx, r, r.P.T("import_dropped"), keyboard{})
}
