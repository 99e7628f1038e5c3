package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"vmeste/storage"
)

// Admin's /orgs: a paged list, a card per organisation, add, edit, remove.
const (
	flowOrgAdd  = "org_add"
	flowOrgEdit = "org_edit"

	stepOrgName    = "name"
	stepOrgShort   = "short"
	stepOrgKind    = "kind"
	stepOrgContact = "contact"

	orgListPerPage = 10

	maxOrgName    = 200
	maxOrgShort   = 60
	maxOrgContact = 200
)

// orgFieldSteps maps an edit button's field letter to its wizard step.
var orgFieldSteps = map[string]string{"n": stepOrgName, "s": stepOrgShort, "c": stepOrgContact}

// orgDraft is the add/edit wizard's state.
type orgDraft struct {
	OrgID int64                `json:"org_id,omitempty"`
	Org   storage.Organisation `json:"org"`
}

func orgConv(flowName, step string, d orgDraft) storage.Conversation {
	data, _ := json.Marshal(d)
	return storage.Conversation{Flow: flowName, Step: step, Data: data}
}

func decodeOrgDraft(c storage.Conversation) orgDraft {
	var d orgDraft
	_ = json.Unmarshal(c.Data, &d)
	return d
}

func (b *Bot) cmdOrgs(ctx context.Context, r *Request, _ string) error {
	return b.showOrgList(ctx, r, 0)
}

func (b *Bot) cbOrgList(ctx context.Context, r *Request, args []string) error {
	page, ok := argIndex(args, 0, 100000)
	if !ok {
		return b.stale(ctx, r)
	}
	return b.showOrgList(ctx, r, page)
}

// showOrgList shows a page of organisations: a numbered list and a button
// per organisation.
func (b *Bot) showOrgList(ctx context.Context, r *Request, page int) error {
	list, err := b.store.Organisations(ctx)
	if err != nil {
		return err
	}
	var sb strings.Builder
	sb.WriteString(r.P.N("orgs_title", len(list)))
	kb := keyboard{}
	pages := max(1, (len(list)+orgListPerPage-1)/orgListPerPage)
	page = min(page, pages-1)
	if len(list) == 0 {
		sb.WriteString("\n\n" + r.P.T("orgs_empty"))
	}
	for i, o := range list[page*orgListPerPage : min(len(list), (page+1)*orgListPerPage)] {
		n := page*orgListPerPage + i + 1
		sb.WriteString("\n" + r.P.T("orgs_line", "N", n, "Name", o.Name, "Kind", r.P.T("kind_"+string(o.Kind))))
		kb = append(kb, []modelsButton{button(fmt.Sprintf("%d. %s", n, truncateRunes(o.Label(), 50)), cb(cbOrgOpen, o.ID))})
	}
	kb = append(kb, pager(r.P, cbOrgList, page, pages)...)
	kb = append(kb, []modelsButton{button(r.P.T("btn_org_add"), cbOrgAdd), button(r.P.T("btn_org_import"), cbOrgImport)})
	return b.reply(ctx, r, sb.String(), kb)
}

func (b *Bot) cbOrgOpen(ctx context.Context, r *Request, args []string) error {
	id, ok := argID(args, 0)
	if !ok {
		return b.stale(ctx, r)
	}
	return b.showOrgCard(ctx, r, id, false)
}

// showOrgCard shows one organisation with its edit buttons: in place of the
// pressed message, or as a new message when fresh.
func (b *Bot) showOrgCard(ctx context.Context, r *Request, id int64, fresh bool) error {
	o, err := b.store.Organisation(ctx, id)
	if storage.IsNotFound(err) {
		return errors.Join(b.answer(ctx, r, r.P.T("org_gone"), true), b.showOrgList(ctx, r, 0))
	}
	if err != nil {
		return err
	}
	members, err := b.store.OrganisationMembers(ctx, id)
	if err != nil {
		return err
	}
	contact := o.Contact
	if contact == "" {
		contact = "—"
	}
	text := r.P.T("org_card", "Name", o.Name, "Short", o.ShortName, "Kind", r.P.T("kind_"+string(o.Kind)), "Contact", contact) +
		"\n" + r.P.N("org_members", members)
	kb := keyboard{
		{button(r.P.T("btn_org_name"), cb(cbOrgEdit, o.ID, "n")), button(r.P.T("btn_org_short"), cb(cbOrgEdit, o.ID, "s"))},
		{button(r.P.T("btn_org_kind"), cb(cbOrgEdit, o.ID, "k")), button(r.P.T("btn_org_contact"), cb(cbOrgEdit, o.ID, "c"))},
		{button(r.P.T("btn_org_remove"), cb(cbOrgRemove, o.ID))},
		{button(r.P.T("btn_back_to_list"), cb(cbOrgList, 0))},
	}
	if fresh {
		_, err := b.send(ctx, r.ChatID, text, kb)
		return err
	}
	return b.reply(ctx, r, text, kb)
}

// cbOrgAdd starts the add wizard: name, short name, kind, contact.
func (b *Bot) cbOrgAdd(ctx context.Context, r *Request, _ []string) error {
	if err := b.store.PutConversation(ctx, r.User.ID, orgConv(flowOrgAdd, stepOrgName, orgDraft{})); err != nil {
		return err
	}
	text, kb := b.orgAddPrompt(r, stepOrgName)
	_, err := b.send(ctx, r.ChatID, text, kb)
	return err
}

// orgAddSteps is the add wizard's order.
var orgAddSteps = []string{stepOrgName, stepOrgShort, stepOrgKind, stepOrgContact}

// orgAddPrompt is the add wizard's question at step, with its buttons and
// the way out (Назад after the first question, Отмена).
func (b *Bot) orgAddPrompt(r *Request, step string) (string, keyboard) {
	var kb keyboard
	text := r.P.T("org_ask_" + step)
	switch step {
	case stepOrgKind:
		kb = b.kindKeyboard(r, 0)
	case stepOrgContact:
		kb = keyboard{{button(r.P.T("btn_skip"), cbOrgSkip)}}
	}
	return text, withNav(kb, r.P, flowOrgAdd, step, step != stepOrgName)
}

// backOrgAdd asks the add wizard's question before the current one again;
// what was typed is kept.
func (b *Bot) backOrgAdd(ctx context.Context, r *Request, c storage.Conversation) error {
	i := slices.Index(orgAddSteps, c.Step)
	if i < 1 {
		return b.staleQuestion(ctx, r)
	}
	step := orgAddSteps[i-1]
	if err := b.store.PutConversation(ctx, r.User.ID, orgConv(flowOrgAdd, step, decodeOrgDraft(c))); err != nil {
		return err
	}
	text, kb := b.orgAddPrompt(r, step)
	return b.reply(ctx, r, text, kb)
}

// cbOrgEdit asks for a new value of one field.
func (b *Bot) cbOrgEdit(ctx context.Context, r *Request, args []string) error {
	if len(args) != 2 {
		return b.stale(ctx, r)
	}
	o, ok, err := b.buttonOrg(ctx, r, args)
	if !ok {
		return err
	}
	id := o.ID
	if args[1] == "k" {
		return b.reply(ctx, r, r.P.T("org_ask_kind_for", "Name", o.Name), b.kindKeyboard(r, o.ID))
	}
	step, ok := orgFieldSteps[args[1]]
	if !ok {
		return b.stale(ctx, r)
	}
	if err := b.store.PutConversation(ctx, r.User.ID, orgConv(flowOrgEdit, step, orgDraft{OrgID: id, Org: o})); err != nil {
		return err
	}
	_, err = b.send(ctx, r.ChatID, r.P.T("org_ask_"+step), keyboard{navRow(r.P, flowOrgEdit, step, false)})
	return err
}

func (b *Bot) kindKeyboard(r *Request, orgID int64) keyboard {
	var kb keyboard
	var row []modelsButton
	for i, k := range storage.OrgKinds {
		row = append(row, button(r.P.T("kind_"+string(k)), cb(cbOrgKind, orgID, i)))
		if len(row) == 2 {
			kb, row = append(kb, row), nil
		}
	}
	if row != nil {
		kb = append(kb, row)
	}
	if orgID != 0 { // an organisation's kind, from its card: back to it
		kb = append(kb, []modelsButton{button(r.P.T("btn_back"), cb(cbOrgOpen, orgID))})
	}
	return kb
}

// cbOrgKind sets the kind: of an existing organisation (id > 0) or of the
// one being added (id 0).
func (b *Bot) cbOrgKind(ctx context.Context, r *Request, args []string) error {
	i, ok := argIndex(args, 1, len(storage.OrgKinds))
	if !ok || len(args) != 2 {
		return b.stale(ctx, r)
	}
	kind := storage.OrgKinds[i]
	if args[0] == "0" {
		c, err := b.store.Conversation(ctx, r.User.ID)
		if err != nil || c.Flow != flowOrgAdd || c.Step != stepOrgKind {
			return b.stale(ctx, r)
		}
		d := decodeOrgDraft(c)
		d.Org.Kind = kind
		if err := b.store.PutConversation(ctx, r.User.ID, orgConv(flowOrgAdd, stepOrgContact, d)); err != nil {
			return err
		}
		if err := b.reply(ctx, r, r.P.T("org_kind_chosen", "Kind", r.P.T("kind_"+string(kind))), keyboard{}); err != nil {
			return err
		}
		text, kb := b.orgAddPrompt(r, stepOrgContact)
		_, err = b.send(ctx, r.ChatID, text, kb)
		return err
	}
	o, ok, err := b.buttonOrg(ctx, r, args)
	if !ok {
		return err
	}
	id := o.ID
	o.Kind = kind
	if err := b.store.UpdateOrganisation(ctx, o); err != nil {
		return err
	}
	if err := b.answer(ctx, r, r.P.T("saved"), false); err != nil {
		return err
	}
	return b.showOrgCard(ctx, r, id, false)
}

// orgAddText takes the add wizard's typed answers.
func (b *Bot) orgAddText(ctx context.Context, r *Request, c storage.Conversation, text string) error {
	d := decodeOrgDraft(c)
	text = strings.TrimSpace(text)
	if msg := validateOrgField(r, c.Step, text); msg != "" {
		_, err := b.send(ctx, r.ChatID, msg, nil)
		return err
	}
	switch c.Step {
	case stepOrgName:
		if taken, err := b.orgNameTaken(ctx, text); err != nil || taken {
			if err != nil {
				return err
			}
			_, err := b.send(ctx, r.ChatID, r.P.T("org_duplicate_retry", "Name", text), nil)
			return err
		}
		d.Org.Name = text
		if err := b.store.PutConversation(ctx, r.User.ID, orgConv(flowOrgAdd, stepOrgShort, d)); err != nil {
			return err
		}
		text, kb := b.orgAddPrompt(r, stepOrgShort)
		_, err := b.send(ctx, r.ChatID, text, kb)
		return err
	case stepOrgShort:
		d.Org.ShortName = text
		if err := b.store.PutConversation(ctx, r.User.ID, orgConv(flowOrgAdd, stepOrgKind, d)); err != nil {
			return err
		}
		text, kb := b.orgAddPrompt(r, stepOrgKind)
		_, err := b.send(ctx, r.ChatID, text, kb)
		return err
	case stepOrgKind:
		_, kb := b.orgAddPrompt(r, stepOrgKind)
		_, err := b.send(ctx, r.ChatID, r.P.T("org_kind_use_buttons"), kb)
		return err
	case stepOrgContact:
		d.Org.Contact = text
		return b.createOrg(ctx, r, d.Org)
	}
	return nil
}

// orgNameTaken reports whether an organisation of that name exists
// (case-insensitively), so the add wizard can say so at once.
func (b *Bot) orgNameTaken(ctx context.Context, name string) (bool, error) {
	list, err := b.store.Organisations(ctx)
	if err != nil {
		return false, err
	}
	for _, o := range list {
		if strings.EqualFold(strings.TrimSpace(o.Name), strings.TrimSpace(name)) {
			return true, nil
		}
	}
	return false, nil
}

// cbOrgSkip leaves the contact empty and saves the new organisation.
func (b *Bot) cbOrgSkip(ctx context.Context, r *Request, _ []string) error {
	c, err := b.store.Conversation(ctx, r.User.ID)
	if err != nil || c.Flow != flowOrgAdd || c.Step != stepOrgContact {
		return b.stale(ctx, r)
	}
	if err := b.reply(ctx, r, r.P.T("org_ask_contact"), keyboard{}); err != nil {
		return err
	}
	return b.createOrg(ctx, r, decodeOrgDraft(c).Org)
}

func (b *Bot) createOrg(ctx context.Context, r *Request, o storage.Organisation) error {
	id, err := b.store.CreateOrganisation(ctx, o)
	if errors.Is(err, storage.ErrDuplicate) {
		_ = b.store.ClearConversation(ctx, r.User.ID)
		_, err := b.send(ctx, r.ChatID, r.P.T("org_duplicate", "Name", o.Name), nil)
		return err
	}
	if err != nil {
		return err
	}
	if err := b.store.ClearConversation(ctx, r.User.ID); err != nil {
		return err
	}
	if _, err := b.send(ctx, r.ChatID, r.P.T("org_created", "Name", o.Name), nil); err != nil {
		return err
	}
	return b.showOrgCard(ctx, r, id, true)
}

// orgEditText takes the new value of the field being edited.
func (b *Bot) orgEditText(ctx context.Context, r *Request, c storage.Conversation, text string) error {
	d := decodeOrgDraft(c)
	text = strings.TrimSpace(text)
	if msg := validateOrgField(r, c.Step, text); msg != "" {
		_, err := b.send(ctx, r.ChatID, msg, nil)
		return err
	}
	o, err := b.store.Organisation(ctx, d.OrgID)
	if storage.IsNotFound(err) {
		_ = b.store.ClearConversation(ctx, r.User.ID)
		_, err := b.send(ctx, r.ChatID, r.P.T("org_gone"), nil)
		return err
	}
	if err != nil {
		return err
	}
	switch c.Step {
	case stepOrgName:
		o.Name = text
	case stepOrgShort:
		o.ShortName = text
	case stepOrgContact:
		o.Contact = text
	}
	err = b.store.UpdateOrganisation(ctx, o)
	if errors.Is(err, storage.ErrDuplicate) {
		_, err := b.send(ctx, r.ChatID, r.P.T("org_duplicate", "Name", o.Name), nil)
		return err
	}
	if err != nil {
		return err
	}
	if err := b.store.ClearConversation(ctx, r.User.ID); err != nil {
		return err
	}
	if _, err := b.send(ctx, r.ChatID, r.P.T("saved"), nil); err != nil {
		return err
	}
	return b.showOrgCard(ctx, r, o.ID, true)
}

// validateOrgField returns a localized complaint about a typed value, or ""
// when it is acceptable.
func validateOrgField(r *Request, step, text string) string {
	n := utf8.RuneCountInString(text)
	switch step {
	case stepOrgName:
		if n < 2 || n > maxOrgName {
			return r.P.T("org_bad_name", "Max", maxOrgName)
		}
	case stepOrgShort:
		if n < 1 || n > maxOrgShort {
			return r.P.T("org_bad_short", "Max", maxOrgShort)
		}
	case stepOrgContact:
		if n > maxOrgContact {
			return r.P.T("org_bad_contact", "Max", maxOrgContact)
		}
	}
	return ""
}

// cbOrgRemove asks to confirm the removal.
func (b *Bot) cbOrgRemove(ctx context.Context, r *Request, args []string) error {
	o, ok, err := b.buttonOrg(ctx, r, args)
	if !ok {
		return err
	}
	id := o.ID
	return b.reply(ctx, r, r.P.T("org_remove_confirm", "Name", o.Name), keyboard{
		{button(r.P.T("btn_remove_yes"), cb(cbOrgRemoveConfirm, id)), button(r.P.T("btn_no"), cb(cbOrgOpen, id))},
	})
}

func (b *Bot) cbOrgRemoveConfirm(ctx context.Context, r *Request, args []string) error {
	id, ok := argID(args, 0)
	if !ok {
		return b.stale(ctx, r)
	}
	o, err := b.store.Organisation(ctx, id)
	if storage.IsNotFound(err) {
		return errors.Join(b.answer(ctx, r, r.P.T("org_gone"), false), b.showOrgList(ctx, r, 0))
	}
	if err != nil {
		return err
	}
	err = b.store.RemoveOrganisation(ctx, id)
	var organiser *storage.OrganiserError
	switch {
	case errors.As(err, &organiser):
		return b.refuseRemoval(ctx, r, id, r.P.N("org_remove_organiser", organiser.Events))
	case errors.Is(err, storage.ErrInUse):
		n, _ := b.store.OrganisationMembers(ctx, id)
		return b.refuseRemoval(ctx, r, id, r.P.N("org_remove_in_use", n))
	}
	if err != nil {
		return err
	}
	if err := b.answer(ctx, r, r.P.T("org_removed", "Name", o.Name), false); err != nil {
		return err
	}
	return b.showOrgList(ctx, r, 0)
}

// refuseRemoval says why an organisation cannot be removed, in place of
// the confirmation, with the way back to its card.
func (b *Bot) refuseRemoval(ctx context.Context, r *Request, id int64, why string) error {
	if err := b.answer(ctx, r, why, true); err != nil {
		return err
	}
	return b.reply(ctx, r, why, keyboard{{button(r.P.T("btn_back"), cb(cbOrgOpen, id))}})
}

// buttonOrg loads the organisation whose id is a button's first arg. When
// ok is false the button was stale or the organisation is gone, the
// callback has been answered, and the handler returns err.
func (b *Bot) buttonOrg(ctx context.Context, r *Request, args []string) (o storage.Organisation, ok bool, err error) {
	id, valid := argID(args, 0)
	if !valid {
		return o, false, b.stale(ctx, r)
	}
	o, err = b.store.Organisation(ctx, id)
	switch {
	case storage.IsNotFound(err):
		return o, false, b.answer(ctx, r, r.P.T("org_gone"), true)
	case err != nil:
		return o, false, err
	}
	return o, true, nil
}
