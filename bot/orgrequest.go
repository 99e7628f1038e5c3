package bot

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"vmeste/locales"
	"vmeste/storage"
)

// «Моей организации нет в списке». A person registering (or changing their
// organisation in /profile) who does not find theirs types its name; every
// admin gets the request with three buttons: add it to the list (after
// choosing its kind), it is this one already in the list, or refuse. The
// decision, the person's new organisation, their next step and what they
// are told are one storage transaction (storage.DecideOrgRequest); the
// person is told through the outbox and goes on from where they were. An
// admin who does not find their own organisation simply adds it.

// cbPersonOrgMissing asks for the missing organisation's name, in place
// of the picker, or below a notice (pn:n) which keeps its text: pn[:n].
func (b *Bot) cbPersonOrgMissing(ctx context.Context, r *Request, args []string) error {
	c, ok, err := b.currentPerson(ctx, r, stepOrg)
	if err != nil || !ok {
		return errors.Join(err, b.stale(ctx, r))
	}
	c.Step = stepOrgRequest
	if err := b.store.PutConversation(ctx, r.User.ID, c); err != nil {
		return err
	}
	if err := b.answer(ctx, r, "", false); err != nil {
		return err
	}
	if belowNotice(args) {
		r = asTyped(r)
	}
	return b.promptOrgRequest(ctx, r, false)
}

// belowNotice reports whether a button's args end in "n": the button is
// on a notice, whose text stays; the answer comes as a new message.
func belowNotice(args []string) bool { return len(args) > 0 && args[len(args)-1] == "n" }

// asTyped is the request as if it had been typed rather than pressed: its
// answers come as new messages instead of replacing the pressed one. The
// callback must have been answered already.
func asTyped(r *Request) *Request {
	typed := *r.Update
	typed.CallbackQuery = nil
	cp := *r
	cp.Update = &typed
	return &cp
}

// askMissingOrg moves the person's wizard to typing the organisation's
// name; empty says the list has no organisation at all.
func (b *Bot) askMissingOrg(ctx context.Context, r *Request, empty bool) error {
	c, err := b.store.Conversation(ctx, r.User.ID)
	if err != nil {
		return err
	}
	c.Step = stepOrgRequest
	if err := b.store.PutConversation(ctx, r.User.ID, c); err != nil {
		return err
	}
	return b.promptOrgRequest(ctx, r, empty)
}

// promptOrgRequest asks for the organisation's name: in place of the
// pressed picker, or as a new message.
func (b *Bot) promptOrgRequest(ctx context.Context, r *Request, empty bool) error {
	key := "org_missing_ask"
	if r.Role() >= roleAdmin {
		key = "org_missing_ask_admin"
	}
	text := r.P.T(key)
	var kb keyboard
	if empty {
		text = r.P.T("org_missing_empty_list") + "\n\n" + text
	} else {
		kb = keyboard{{button(r.P.T("btn_back_to_org_list"), cbPersonOrgBack)}}
	}
	if r.Callback() != nil {
		return b.reply(ctx, r, text, kb)
	}
	_, err := b.send(ctx, r.ChatID, text, kb)
	return err
}

// promptOrgWait says that the admins have been asked.
func (b *Bot) promptOrgWait(ctx context.Context, r *Request, asked string) error {
	_, err := b.send(ctx, r.ChatID, r.P.T("org_missing_wait", "Name", asked),
		keyboard{{button(r.P.T("btn_back_to_org_list"), cbPersonOrgBack)}})
	return err
}

// cbPersonOrgBack goes back to the list from typing the name or from
// waiting for the answer (in place of the question), or shows the list
// below a refusal (pb:n): pb[:n]. A request already sent stays with the
// admins; if it is granted later the person is told.
func (b *Bot) cbPersonOrgBack(ctx context.Context, r *Request, args []string) error {
	c, err := b.store.Conversation(ctx, r.User.ID)
	if err != nil && !storage.IsNotFound(err) {
		return err
	}
	if err != nil || (c.Flow != flowOnboarding && c.Flow != flowProfile) || !slices.Contains([]string{stepOrg, stepOrgRequest, stepOrgWait}, c.Step) {
		return b.stale(ctx, r)
	}
	d := decodePerson(c)
	d.Filter = ""
	if err := b.store.PutConversation(ctx, r.User.ID, personConv(stepOrg, d, c.Flow)); err != nil {
		return err
	}
	if err := b.answer(ctx, r, "", false); err != nil {
		return err
	}
	return b.sendOrgPicker(ctx, r, "", 0, !belowNotice(args))
}

// orgRequestText takes the missing organisation's name. One already in
// the list is chosen; an admin's is added at once; anyone else's goes to
// the admins.
func (b *Bot) orgRequestText(ctx context.Context, r *Request, c storage.Conversation, text string) error {
	name := strings.Join(strings.Fields(text), " ")
	if n := utf8.RuneCountInString(name); n < 3 || n > maxOrgName || !strings.ContainsFunc(name, unicode.IsLetter) {
		_, err := b.send(ctx, r.ChatID, r.P.T("org_missing_bad_name", "Max", maxOrgName),
			keyboard{{button(r.P.T("btn_back_to_org_list"), cbPersonOrgBack)}})
		return err
	}
	all, err := b.store.Organisations(ctx)
	if err != nil {
		return err
	}
	if o, ok := orgNamed(all, name); ok {
		r.User.OrgID = o.ID
		if _, err := b.send(ctx, r.ChatID, r.P.T("org_missing_found", "Org", o.Name), nil); err != nil {
			return err
		}
		return b.personStepDone(ctx, r, c, stepPosition)
	}
	if r.Role() >= roleAdmin {
		return b.adminAddsOwnOrg(ctx, r, c, name)
	}
	admins, langs := b.reachableAdmins(ctx, r.User.ID)
	if len(admins) == 0 {
		_, err := b.send(ctx, r.ChatID, r.P.T("org_missing_no_admins"),
			keyboard{{button(r.P.T("btn_back_to_org_list"), cbPersonOrgBack)}})
		return err
	}
	d := decodePerson(c)
	d.Asked = name
	wait := personConv(stepOrgWait, d, c.Flow)
	contact := ""
	if r.From != nil && r.From.Username != "" {
		contact = "@" + r.From.Username
	}
	_, err = b.store.CreateOrgRequest(ctx, storage.OrgRequest{UserID: r.User.ID, Name: name, Contact: contact}, wait,
		func(req storage.OrgRequest) []storage.OutboxEntry {
			var out []storage.OutboxEntry
			for _, id := range admins {
				p := b.catalog.For(langs[id])
				out = append(out, storage.OutboxEntry{ChatID: id, UserID: id,
					Content: storage.Content{Text: orgRequestText(p, req, r.User, c.Flow), Buttons: storageButtons(orgRequestKeyboard(p, req.ID))},
					Origin:  storage.Origin{Kind: storage.OriginNotice, Key: "org_request:" + strconv.FormatInt(req.ID, 10)}})
			}
			return out
		})
	if err != nil {
		return err
	}
	return b.promptOrgWait(ctx, r, name)
}

// orgNamed finds the organisation whose name, folded, is name folded.
func orgNamed(all []storage.Organisation, name string) (storage.Organisation, bool) {
	want := foldOrgText(name)
	for _, o := range all {
		if foldOrgText(o.Name) == want {
			return o, true
		}
	}
	return storage.Organisation{}, false
}

// adminAddsOwnOrg adds an admin's own organisation (its kind guessed from
// its name, changed in /orgs) and goes on. Two commits: a crash between
// them leaves the organisation in the list, and typing its name again
// chooses it.
func (b *Bot) adminAddsOwnOrg(ctx context.Context, r *Request, c storage.Conversation, name string) error {
	o := storage.Organisation{Name: name, Kind: guessOrgKind(name)}
	id, err := b.store.CreateOrganisation(ctx, o)
	if err != nil {
		return err
	}
	r.User.OrgID = id
	if _, err := b.send(ctx, r.ChatID, r.P.T("org_missing_added_admin", "Org", name, "Kind", r.P.T("kind_"+string(o.Kind))), nil); err != nil {
		return err
	}
	return b.personStepDone(ctx, r, c, stepPosition)
}

// reachableAdmins lists the admins the bot can write to (those who have
// written to it and not blocked it: Telegram lets a bot write to no one
// else), but except, in a stable order, with each one's language.
func (b *Bot) reachableAdmins(ctx context.Context, except int64) ([]int64, map[int64]string) {
	var ids []int64
	langs := map[int64]string{}
	for id := range b.admins {
		if id == except {
			continue
		}
		u, err := b.store.User(ctx, id)
		if err != nil || !u.Active {
			continue
		}
		ids = append(ids, id)
		langs[id] = u.Lang
		if u.Lang == "" {
			langs[id] = locales.Russian
		}
	}
	slices.Sort(ids)
	return ids, langs
}

// orgRequestText is the request as admins see it.
func orgRequestText(p locales.Printer, req storage.OrgRequest, u storage.User, flowName string) string {
	who := u.FullName
	if who == "" {
		who = p.T("unnamed_user", "ID", u.ID)
	}
	if req.Contact != "" {
		who += " (" + req.Contact + ")"
	}
	where := "org_request_in_onboarding"
	if flowName == flowProfile {
		where = "org_request_in_profile"
	}
	return p.T("org_request", "Who", who, "Where", p.T(where), "Name", req.Name)
}

func orgRequestKeyboard(p locales.Printer, id int64) keyboard {
	return keyboard{
		{button(p.T("btn_org_request_add"), cb(cbOrgRequestAdd, id))},
		{button(p.T("btn_org_request_match"), cb(cbOrgRequestMatch, id, 0))},
		{button(p.T("btn_org_request_refuse"), cb(cbOrgRequestRefuse, id))},
	}
}

// storageButtons turns an inline keyboard of callback buttons into an
// outbox message's buttons.
func storageButtons(kb keyboard) [][]storage.Button {
	var out [][]storage.Button
	for _, row := range kb {
		var r []storage.Button
		for _, btn := range row {
			r = append(r, storage.Button{Text: btn.Text, Data: btn.CallbackData})
		}
		out = append(out, r)
	}
	return out
}

// pendingRequest loads the request a button is about; when ok is false the
// callback has been answered (a stale button, or a request decided
// already, whose outcome replaces the buttons) and the handler returns err.
func (b *Bot) pendingRequest(ctx context.Context, r *Request, args []string) (req storage.OrgRequest, ok bool, err error) {
	id, valid := argID(args, 0)
	if !valid {
		return req, false, b.stale(ctx, r)
	}
	req, err = b.store.OrgRequest(ctx, id)
	switch {
	case storage.IsNotFound(err):
		return req, false, b.stale(ctx, r)
	case err != nil:
		return req, false, err
	case req.State != storage.OrgRequestPending:
		return req, false, b.requestDecidedAlready(ctx, r, req)
	}
	return req, true, nil
}

// requestDecidedAlready tells an admin that someone got there first.
func (b *Bot) requestDecidedAlready(ctx context.Context, r *Request, req storage.OrgRequest) error {
	if err := b.answer(ctx, r, r.P.T("org_request_decided_already"), false); err != nil {
		return err
	}
	return b.reply(ctx, r, b.requestOutcome(ctx, r, req), keyboard{})
}

// requestOutcome says how a decided request ended.
func (b *Bot) requestOutcome(ctx context.Context, r *Request, req storage.OrgRequest) string {
	switch req.State {
	case storage.OrgRequestAdded, storage.OrgRequestMatched:
		return r.P.T("org_request_outcome_"+string(req.State), "Name", req.Name, "Org", b.orgLabel(ctx, req.OrgID))
	case storage.OrgRequestRefused:
		return r.P.T("org_request_outcome_refused", "Name", req.Name)
	}
	return r.P.T("org_request_outcome_withdrawn", "Name", req.Name)
}

// cbOrgRequestBack shows the request again: qb:<id>.
func (b *Bot) cbOrgRequestBack(ctx context.Context, r *Request, args []string) error {
	req, ok, err := b.pendingRequest(ctx, r, args)
	if !ok {
		return err
	}
	u, _ := b.store.User(ctx, req.UserID)
	c, _ := b.store.Conversation(ctx, req.UserID)
	if err := b.answer(ctx, r, "", false); err != nil {
		return err
	}
	return b.reply(ctx, r, orgRequestText(r.P, req, u, c.Flow), orgRequestKeyboard(r.P, req.ID))
}

// cbOrgRequestAdd asks the kind of the organisation to add: qa:<id>. The
// kind its name suggests comes first.
func (b *Bot) cbOrgRequestAdd(ctx context.Context, r *Request, args []string) error {
	req, ok, err := b.pendingRequest(ctx, r, args)
	if !ok {
		return err
	}
	guess := guessOrgKind(req.Name)
	kinds := append([]storage.OrgKind{guess}, slices.DeleteFunc(slices.Clone(storage.OrgKinds), func(k storage.OrgKind) bool { return k == guess })...)
	var kb keyboard
	var row []modelsButton
	for _, k := range kinds {
		row = append(row, button(r.P.T("kind_"+string(k)), cb(cbOrgRequestKind, req.ID, slices.Index(storage.OrgKinds, k))))
		if len(row) == 2 {
			kb, row = append(kb, row), nil
		}
	}
	if row != nil {
		kb = append(kb, row)
	}
	kb = append(kb, []modelsButton{button(r.P.T("btn_back"), cb(cbOrgRequestBack, req.ID))})
	if err := b.answer(ctx, r, "", false); err != nil {
		return err
	}
	return b.reply(ctx, r, r.P.T("org_request_ask_kind", "Name", req.Name), kb)
}

// cbOrgRequestKind adds the organisation with the chosen kind:
// qk:<id>:<kind index>.
func (b *Bot) cbOrgRequestKind(ctx context.Context, r *Request, args []string) error {
	i, valid := argIndex(args, 1, len(storage.OrgKinds))
	if !valid || len(args) != 2 {
		return b.stale(ctx, r)
	}
	req, ok, err := b.pendingRequest(ctx, r, args)
	if !ok {
		return err
	}
	return b.decideRequest(ctx, r, storage.OrgDecision{RequestID: req.ID, State: storage.OrgRequestAdded,
		New: storage.Organisation{Name: req.Name, Kind: storage.OrgKinds[i]}})
}

// requestMatchesPerPage is how many organisations a page of the "which
// one is it" question shows.
const requestMatchesPerPage = 8

// cbOrgRequestMatch asks which listed organisation the request means:
// qm:<id>:<page>. Those sharing most words with the typed name come
// first.
func (b *Bot) cbOrgRequestMatch(ctx context.Context, r *Request, args []string) error {
	page, valid := argIndex(args, 1, 10000)
	if !valid || len(args) != 2 {
		return b.stale(ctx, r)
	}
	req, ok, err := b.pendingRequest(ctx, r, args)
	if !ok {
		return err
	}
	all, err := b.store.Organisations(ctx)
	if err != nil {
		return err
	}
	list := rankOrgsFor(all, req.Name)
	pages := max(1, (len(list)+requestMatchesPerPage-1)/requestMatchesPerPage)
	page = min(page, pages-1)
	var kb keyboard
	for _, o := range list[page*requestMatchesPerPage : min(len(list), (page+1)*requestMatchesPerPage)] {
		kb = append(kb, []modelsButton{button(truncateRunes(o.Name, 60), cb(cbOrgRequestOrg, req.ID, o.ID))})
	}
	kb = append(kb, pagerFor(r, cbOrgRequestMatch, req.ID, page, pages)...)
	kb = append(kb, []modelsButton{button(r.P.T("btn_back"), cb(cbOrgRequestBack, req.ID))})
	if err := b.answer(ctx, r, "", false); err != nil {
		return err
	}
	return b.reply(ctx, r, r.P.T("org_request_ask_match", "Name", req.Name), kb)
}

// rankOrgsFor orders the organisations by how many words of name they
// share, then as the pickers do.
func rankOrgsFor(all []storage.Organisation, name string) []storage.Organisation {
	list := slices.Clone(all)
	sortOrgs(list)
	query := orgSearchWords(name)
	score := map[int64]int{}
	for _, o := range list {
		index := orgIndex(o)
		for _, q := range query {
			if matchesOrg(index, []string{q}) {
				score[o.ID]++
			}
		}
	}
	slices.SortStableFunc(list, func(a, b storage.Organisation) int { return score[b.ID] - score[a.ID] })
	return list
}

// cbOrgRequestOrg decides that the request means a listed organisation:
// qo:<id>:<org id>.
func (b *Bot) cbOrgRequestOrg(ctx context.Context, r *Request, args []string) error {
	orgID, valid := argID(args, 1)
	if !valid || len(args) != 2 {
		return b.stale(ctx, r)
	}
	req, ok, err := b.pendingRequest(ctx, r, args)
	if !ok {
		return err
	}
	return b.decideRequest(ctx, r, storage.OrgDecision{RequestID: req.ID, State: storage.OrgRequestMatched, OrgID: orgID})
}

// cbOrgRequestRefuse asks to confirm a refusal: qx:<id>.
func (b *Bot) cbOrgRequestRefuse(ctx context.Context, r *Request, args []string) error {
	req, ok, err := b.pendingRequest(ctx, r, args)
	if !ok {
		return err
	}
	if err := b.answer(ctx, r, "", false); err != nil {
		return err
	}
	return b.reply(ctx, r, r.P.T("org_request_refuse_confirm", "Name", req.Name), keyboard{
		{button(r.P.T("btn_org_request_refuse_yes"), cb(cbOrgRequestRefuseYes, req.ID))},
		{button(r.P.T("btn_back"), cb(cbOrgRequestBack, req.ID))},
	})
}

// cbOrgRequestRefuseYes refuses the request: qxy:<id>.
func (b *Bot) cbOrgRequestRefuseYes(ctx context.Context, r *Request, args []string) error {
	req, ok, err := b.pendingRequest(ctx, r, args)
	if !ok {
		return err
	}
	return b.decideRequest(ctx, r, storage.OrgDecision{RequestID: req.ID, State: storage.OrgRequestRefused})
}

// decideRequest stores the decision with the person's side of it, then
// tells the admin in place of the request.
func (b *Bot) decideRequest(ctx context.Context, r *Request, d storage.OrgDecision) error {
	d.AdminID = r.User.ID
	d.Follow = b.followRequest
	req, _, err := b.store.DecideOrgRequest(ctx, d)
	var decided *storage.OrgRequestDecidedError
	switch {
	case errors.As(err, &decided):
		return b.requestDecidedAlready(ctx, r, decided.Request)
	case errors.Is(err, storage.ErrDuplicate):
		if err := b.answer(ctx, r, r.P.T("org_request_duplicate"), true); err != nil {
			return err
		}
		return b.cbOrgRequestMatch(ctx, r, []string{strconv.FormatInt(d.RequestID, 10), "0"})
	case storage.IsNotFound(err):
		return b.answer(ctx, r, r.P.T("org_gone"), true)
	case err != nil:
		return err
	}
	if err := b.answer(ctx, r, r.P.T("saved"), false); err != nil {
		return err
	}
	return b.reply(ctx, r, b.requestOutcome(ctx, r, req), keyboard{})
}

// followRequest is the person's side of a decision (storage.OrgDecision's
// Follow: it runs inside the transaction and only builds values). Someone
// still waiting for the answer gets their organisation and goes on (to
// the position in onboarding; /profile ends), or back to the list after a
// refusal; someone who has moved on is only told of a granted request.
func (b *Bot) followRequest(req storage.OrgRequest, org storage.Organisation, u storage.User, c storage.Conversation, inWizard bool) storage.OrgFollow {
	p := b.catalog.For(u.Lang)
	notice := func(text string, kb keyboard) []storage.OutboxEntry {
		chat := u.ChatID
		if chat == 0 {
			chat = u.ID
		}
		return []storage.OutboxEntry{{ChatID: chat, UserID: u.ID, Content: storage.Content{Text: text, Buttons: storageButtons(kb)},
			Origin: storage.Origin{Kind: storage.OriginNotice, Key: "org_request:" + strconv.FormatInt(req.ID, 10)}}}
	}
	waiting := inWizard && (c.Flow == flowOnboarding || c.Flow == flowProfile) && c.Step == stepOrgWait
	granted := req.State == storage.OrgRequestAdded || req.State == storage.OrgRequestMatched
	told := p.T("org_request_told_"+string(req.State), "Name", req.Name, "Org", org.Name)
	switch {
	case !waiting && granted:
		return storage.OrgFollow{Notices: notice(told+"\n\n"+p.T("org_request_told_later"), nil)}
	case !waiting:
		return storage.OrgFollow{}
	case !granted:
		d := decodePerson(c)
		d.Filter, d.Asked = "", ""
		next := personConv(stepOrg, d, c.Flow)
		return storage.OrgFollow{Conversation: &next, Notices: notice(told, keyboard{
			{button(p.T("btn_choose_from_list"), cb(cbPersonOrgBack, "n"))},
			{button(p.T("btn_org_missing"), cb(cbPersonOrgMissing, "n"))},
		})}
	}
	u.OrgID = org.ID
	if c.Flow == flowProfile {
		return storage.OrgFollow{User: &u, EndConversation: true, Notices: notice(told+"\n\n"+p.T("profile_saved"), nil)}
	}
	d := decodePerson(c)
	d.Asked = ""
	next := personConv(stepPosition, d, c.Flow)
	return storage.OrgFollow{User: &u, Conversation: &next,
		Notices: notice(told+"\n\n"+p.T("person_ask_position"), b.positionKeyboard(p))}
}
