package bot

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"unicode"
	"unicode/utf8"

	"vmeste/locales"
	"vmeste/storage"
)

// Onboarding (/start) and /profile share the steps that ask for a person's
// language, name, organisation and position. In onboarding each step leads
// to the next; in /profile a step saves and ends the wizard.
const (
	flowOnboarding = "onboarding"
	flowProfile    = "profile"

	stepLang     = "lang"
	stepName     = "name"
	stepOrg      = "org"
	stepPosition = "position"
	// stepOrgRequest: the organisation is not in the list, the person types
	// its name; stepOrgWait: the admins have been asked (orgrequest.go).
	stepOrgRequest = "org_request"
	stepOrgWait    = "org_wait"
)

// personData is the onboarding/profile wizard's state.
type personData struct {
	// Filter narrows the organisation list (what the user typed).
	Filter string `json:"filter,omitempty"`
	// Payload is a deep-link payload to act on after onboarding.
	Payload string `json:"payload,omitempty"`
	// Asked is the name of a missing organisation the admins were asked
	// to add.
	Asked string `json:"asked,omitempty"`
}

// positions are the common positions offered as buttons (locale keys
// position_0…, the index is the button's data); anything else can be
// typed. positionOrder is the order they are shown in: the commonest
// first.
const positionCount = 10

var positionOrder = []int{8, 9, 0, 1, 2, 3, 4, 5, 6, 7}

// orgsPerPage is how many organisation buttons a page shows.
const orgsPerPage = 8

func decodePerson(c storage.Conversation) personData {
	var d personData
	_ = json.Unmarshal(c.Data, &d)
	return d
}

func personConv(step string, d personData, flowName string) storage.Conversation {
	data, _ := json.Marshal(d)
	return storage.Conversation{Flow: flowName, Step: step, Data: data}
}

// cmdStart registers a newcomer, continues an unfinished registration, or
// greets a registered user. A payload c<code> redeems a coordinator invite;
// v<id>_<code> verifies a document, for anyone (certificates_verify.go).
func (b *Bot) cmdStart(ctx context.Context, r *Request, payload string) error {
	if isVerifyPayload(payload) {
		// Anyone may verify a document: before registration and consent.
		return b.verifyCertificate(ctx, r, payload)
	}
	if strings.HasPrefix(payload, "c") && len(payload) > 1 {
		if err := b.redeemInvite(ctx, r, payload[1:]); err != nil {
			return err
		}
		payload = ""
	}
	if r.User.Registered && !b.consented(r.User) {
		held := ""
		if payload != "" {
			held = "/start " + payload
		}
		return b.askConsent(ctx, r, held)
	}
	if r.User.Registered {
		switch {
		case payload == "":
			_, err := b.send(ctx, r.ChatID, r.P.T("start_welcome_back", "Name", r.User.FullName), nil)
			return err
		case strings.HasPrefix(payload, "e"):
			return b.openEventLink(ctx, r, payload)
		}
		_, err := b.send(ctx, r.ChatID, r.P.T("start_unknown_link"), nil)
		return err
	}
	c, err := b.store.Conversation(ctx, r.User.ID)
	if err == nil && c.Flow == flowOnboarding {
		if payload != "" { // a newer link wins: open it after onboarding
			d := decodePerson(c)
			d.Payload = payload
			c = personConv(c.Step, d, c.Flow)
			if err := b.store.PutConversation(ctx, r.User.ID, c); err != nil {
				return err
			}
		}
		return b.promptPersonStep(ctx, r, c)
	}
	if err != nil && !storage.IsNotFound(err) {
		return err
	}
	c = personConv(stepLang, personData{Payload: payload}, flowOnboarding)
	if err := b.store.PutConversation(ctx, r.User.ID, c); err != nil {
		return err
	}
	return b.promptPersonStep(ctx, r, c)
}

// promptPersonStep asks the question of the wizard's current step.
func (b *Bot) promptPersonStep(ctx context.Context, r *Request, c storage.Conversation) error {
	var err error
	switch c.Step {
	case stepLang:
		_, err = b.send(ctx, r.ChatID, r.P.T("onboard_welcome")+"\n\n"+r.P.T("onboard_lang"), b.langKeyboard(cbPersonLang, r.User.Lang))
	case stepConsent:
		_, err = b.send(ctx, r.ChatID, b.consentText(r), append(b.consentButtons(r), personNav(r, c.Flow, stepConsent)))
	case stepName:
		_, err = b.send(ctx, r.ChatID, r.P.T("person_ask_name"), keyboard{personNav(r, c.Flow, stepName)})
	case stepOrg:
		return b.sendOrgPicker(ctx, r, decodePerson(c).Filter, 0, false)
	case stepPosition:
		_, err = b.send(ctx, r.ChatID, r.P.T("person_ask_position"), append(b.positionKeyboard(r.P), personNav(r, c.Flow, stepPosition)))
	case stepOrgRequest:
		return b.promptOrgRequest(ctx, r, false)
	case stepOrgWait:
		return b.promptOrgWait(ctx, r, decodePerson(c).Asked)
	}
	return err
}

// personNav is a person question's way out: «Отмена», and in onboarding
// «« Назад» to the question before.
func personNav(r *Request, flowName, step string) []modelsButton {
	return navRow(r.P, flowName, step, flowName == flowOnboarding && step != stepLang)
}

// personPrev is the onboarding question before step.
var personPrev = map[string]string{stepConsent: stepLang, stepName: stepConsent, stepOrg: stepName, stepPosition: stepOrg}

// backPerson asks the onboarding question before the current one again.
func (b *Bot) backPerson(ctx context.Context, r *Request, c storage.Conversation) error {
	prev, ok := personPrev[c.Step]
	if !ok || c.Flow != flowOnboarding {
		return b.staleQuestion(ctx, r)
	}
	c = personConv(prev, decodePerson(c), c.Flow)
	if err := b.store.PutConversation(ctx, r.User.ID, c); err != nil {
		return err
	}
	if err := b.reply(ctx, r, r.P.T("person_went_back"), keyboard{}); err != nil {
		return err
	}
	return b.promptPersonStep(ctx, r, c)
}

func (b *Bot) langKeyboard(prefix, current string) keyboard {
	var row []modelsButton
	for _, lang := range locales.Languages {
		label := b.catalog.For(lang).T("lang_name")
		if lang == current {
			label = "✓ " + label
		}
		row = append(row, button(label, cb(prefix, lang)))
	}
	return keyboard{row}
}

func (b *Bot) positionKeyboard(p locales.Printer) keyboard {
	var kb keyboard
	for _, i := range positionOrder {
		kb = append(kb, []modelsButton{button(p.T(positionKey(i)), cb(cbPersonPosition, i))})
	}
	return kb
}

func positionKey(i int) string { return "position_" + string(rune('0'+i)) }

// currentPerson returns the user's onboarding/profile wizard if it is at
// step; ok is false for a stale button.
func (b *Bot) currentPerson(ctx context.Context, r *Request, step string) (storage.Conversation, bool, error) {
	c, err := b.store.Conversation(ctx, r.User.ID)
	if storage.IsNotFound(err) {
		return c, false, nil
	}
	if err != nil {
		return c, false, err
	}
	ok := (c.Flow == flowOnboarding || c.Flow == flowProfile) && c.Step == step
	return c, ok, nil
}

// stale answers a button that belongs to a wizard step the user has left.
func (b *Bot) stale(ctx context.Context, r *Request) error {
	return b.answer(ctx, r, r.P.T("callback_stale"), false)
}

func (b *Bot) cbPersonLang(ctx context.Context, r *Request, args []string) error {
	c, ok, err := b.currentPerson(ctx, r, stepLang)
	if err != nil || !ok {
		return errors.Join(err, b.stale(ctx, r))
	}
	if len(args) != 1 || (args[0] != locales.Russian && args[0] != locales.English) {
		return b.stale(ctx, r)
	}
	r.User.Lang = args[0]
	r.P = b.catalog.For(r.User.Lang)
	c.Step = stepConsent
	if err := b.store.SaveUserConversation(ctx, r.User, c); err != nil {
		return err
	}
	if r.User.Lang != locales.Normalize(r.From.LanguageCode) {
		// Telegram shows the menu in the client's language; this user
		// chose another one.
		b.syncUserCommands(ctx, r.User.ID, roleTeacher, r.User.Lang)
	}
	if err := b.reply(ctx, r, r.P.T("onboard_lang_chosen", "Lang", r.P.T("lang_name")), keyboard{}); err != nil {
		return err
	}
	return b.promptPersonStep(ctx, r, c)
}

// personText takes a typed answer to the current step.
func (b *Bot) personText(ctx context.Context, r *Request, c storage.Conversation, text string) error {
	text = strings.TrimSpace(text)
	switch c.Step {
	case stepLang:
		_, err := b.send(ctx, r.ChatID, r.P.T("onboard_lang_use_buttons"), b.langKeyboard(cbPersonLang, r.User.Lang))
		return err
	case stepConsent:
		_, err := b.send(ctx, r.ChatID, r.P.T("consent_use_buttons"), append(b.consentButtons(r), personNav(r, c.Flow, stepConsent)))
		return err
	case stepName:
		name, ok := cleanFullName(text)
		if !ok {
			_, err := b.send(ctx, r.ChatID, r.P.T("person_bad_name"), nil)
			return err
		}
		r.User.FullName = name
		return b.personStepDone(ctx, r, c, stepOrg)
	case stepOrg:
		d := decodePerson(c)
		d.Filter = truncateRunes(text, 50)
		c = personConv(stepOrg, d, c.Flow)
		if err := b.store.PutConversation(ctx, r.User.ID, c); err != nil {
			return err
		}
		return b.sendOrgPicker(ctx, r, d.Filter, 0, false)
	case stepOrgRequest:
		return b.orgRequestText(ctx, r, c, text)
	case stepOrgWait:
		return b.promptOrgWait(ctx, r, decodePerson(c).Asked)
	case stepPosition:
		if n := utf8.RuneCountInString(text); n < 2 || n > 100 {
			_, err := b.send(ctx, r.ChatID, r.P.T("person_bad_position"), append(b.positionKeyboard(r.P), personNav(r, c.Flow, stepPosition)))
			return err
		}
		r.User.Position = text
		return b.personStepDone(ctx, r, c, "")
	}
	return nil
}

// personStepDone saves the answer already put into r.User. In onboarding it
// moves to next (or finishes when next is ""); in /profile it ends.
func (b *Bot) personStepDone(ctx context.Context, r *Request, c storage.Conversation, next string) error {
	if c.Flow == flowProfile {
		if err := b.store.SaveUserEndConversation(ctx, r.User); err != nil {
			return err
		}
		_, err := b.send(ctx, r.ChatID, r.P.T("profile_saved")+"\n\n"+b.profileText(ctx, r), b.profileKeyboard(r.P))
		return err
	}
	if next == "" {
		return b.finishOnboarding(ctx, r, decodePerson(c).Payload)
	}
	c.Step = next
	if err := b.store.SaveUserConversation(ctx, r.User, c); err != nil {
		return err
	}
	return b.promptPersonStep(ctx, r, c)
}

// finishOnboarding registers the user and, if they came by an event's
// link, opens that event.
func (b *Bot) finishOnboarding(ctx context.Context, r *Request, payload string) error {
	r.User.Registered = true
	if err := b.store.SaveUserEndConversation(ctx, r.User); err != nil {
		return err
	}
	org := b.orgLabel(ctx, r.User.OrgID)
	text := r.P.T("onboard_done", "Name", r.User.FullName, "Org", org, "Position", r.User.Position)
	if _, err := b.send(ctx, r.ChatID, text, nil); err != nil {
		return err
	}
	if rl := r.Role(); rl >= roleCoordinator {
		b.syncUserCommands(ctx, r.User.ID, rl, r.User.Lang)
	}
	if err := b.cmdHelp(ctx, r, ""); err != nil {
		return err
	}
	if strings.HasPrefix(payload, "e") {
		return b.openEventLink(ctx, r, payload)
	}
	return nil
}

func (b *Bot) orgLabel(ctx context.Context, id int64) string {
	o, err := b.store.Organisation(ctx, id)
	if err != nil {
		return "—"
	}
	return o.Name
}

func (b *Bot) cbPersonOrg(ctx context.Context, r *Request, args []string) error {
	c, ok, err := b.currentPerson(ctx, r, stepOrg)
	if err != nil || !ok {
		return errors.Join(err, b.stale(ctx, r))
	}
	o, ok, err := b.buttonOrg(ctx, r, args)
	if !ok {
		return err
	}
	r.User.OrgID = o.ID
	// Saved first: the picker turns into "Организация: X" only once it is.
	if err := b.personStepDone(ctx, r, c, stepPosition); err != nil {
		return err
	}
	return b.reply(ctx, r, r.P.T("person_org_chosen", "Org", o.Name), keyboard{})
}

func (b *Bot) cbPersonOrgPage(ctx context.Context, r *Request, args []string) error {
	c, ok, err := b.currentPerson(ctx, r, stepOrg)
	if err != nil || !ok {
		return errors.Join(err, b.stale(ctx, r))
	}
	page, ok := argIndex(args, 0, 10000)
	if !ok {
		return b.stale(ctx, r)
	}
	d := decodePerson(c)
	if len(args) > 1 && args[1] == "x" { // show all: drop the filter
		d.Filter = ""
		if err := b.store.PutConversation(ctx, r.User.ID, personConv(stepOrg, d, c.Flow)); err != nil {
			return err
		}
	}
	return b.sendOrgPicker(ctx, r, d.Filter, page, true)
}

// sendOrgPicker shows a page of organisations matching filter, as buttons.
// With edit it replaces the pressed message instead of sending a new one.
func (b *Bot) sendOrgPicker(ctx context.Context, r *Request, filter string, page int, edit bool) error {
	all, err := b.store.Organisations(ctx)
	if err != nil {
		return err
	}
	if len(all) == 0 { // nothing to choose from: straight to typing its name
		return b.askMissingOrg(ctx, r, true)
	}
	list := filterOrgs(all, filter)
	var text string
	var kb keyboard
	if len(list) == 0 {
		text = r.P.T("person_org_none_match", "Filter", filter)
		kb = keyboard{{button(r.P.T("btn_show_all"), cb(cbPersonOrgPage, 0, "x"))}, {button(r.P.T("btn_org_missing"), cbPersonOrgMissing)}}
	} else {
		pages := (len(list) + orgsPerPage - 1) / orgsPerPage
		page = min(page, pages-1)
		for _, o := range list[page*orgsPerPage : min(len(list), (page+1)*orgsPerPage)] {
			kb = append(kb, []modelsButton{button(truncateRunes(o.Name, 60), cb(cbPersonOrg, o.ID))})
		}
		kb = append(kb, pager(r.P, cbPersonOrgPage, page, pages)...)
		if filter != "" {
			kb = append(kb, []modelsButton{button(r.P.T("btn_show_all"), cb(cbPersonOrgPage, 0, "x"))})
			text = r.P.T("person_ask_org_filtered", "Filter", filter, "Page", page+1, "Pages", pages)
		} else {
			text = r.P.T("person_ask_org", "Page", page+1, "Pages", pages)
		}
		kb = append(kb, []modelsButton{button(r.P.T("btn_org_missing"), cbPersonOrgMissing)})
	}
	kb = append(kb, b.orgPickerNav(ctx, r)...)
	if edit {
		return b.reply(ctx, r, text, kb)
	}
	_, err = b.send(ctx, r.ChatID, text, kb)
	return err
}

// orgPickerNav is the organisation picker's way out, for the wizard it
// is shown in (none outside one).
func (b *Bot) orgPickerNav(ctx context.Context, r *Request) keyboard {
	c, err := b.store.Conversation(ctx, r.User.ID)
	if err != nil || (c.Flow != flowOnboarding && c.Flow != flowProfile) {
		return nil
	}
	return keyboard{personNav(r, c.Flow, stepOrg)}
}

func (b *Bot) cbPersonPosition(ctx context.Context, r *Request, args []string) error {
	c, ok, err := b.currentPerson(ctx, r, stepPosition)
	if err != nil || !ok {
		return errors.Join(err, b.stale(ctx, r))
	}
	i, ok := argIndex(args, 0, positionCount)
	if !ok {
		return b.stale(ctx, r)
	}
	r.User.Position = r.P.T(positionKey(i))
	if err := b.personStepDone(ctx, r, c, ""); err != nil {
		return err
	}
	return b.reply(ctx, r, r.P.T("person_position_chosen", "Position", r.User.Position), keyboard{})
}

// cleanFullName checks a full name: at least two words (a surname and a
// name) of letters and hyphens, 2 to 100 characters; runs of spaces are
// folded, and a word typed all in lower or all in capitals is capitalised
// («гетоева зульфия» → «Гетоева Зульфия»).
func cleanFullName(s string) (string, bool) {
	s = strings.Join(strings.Fields(s), " ")
	n := utf8.RuneCountInString(s)
	if n < 2 || n > 100 {
		return "", false
	}
	letters := 0
	for _, c := range s {
		switch {
		case unicode.IsLetter(c):
			letters++
		case c == ' ' || c == '-':
		default:
			return "", false
		}
	}
	words := strings.Fields(s)
	if letters < 2 || len(words) < 2 {
		return "", false
	}
	for i, w := range words {
		parts := strings.Split(w, "-")
		for j, part := range parts {
			if !unicode.IsLetter(firstLetter(part)) {
				return "", false // a lone or doubled hyphen
			}
			parts[j] = capitalise(part)
		}
		words[i] = strings.Join(parts, "-")
	}
	return strings.Join(words, " "), true
}

func firstLetter(s string) rune {
	c, _ := utf8.DecodeRuneInString(s)
	return c
}

// capitalise makes the first letter a capital; a word that was all lower
// case or all capitals gets the rest in lower case (a mixed one, such as
// «МакДональд», keeps its own).
func capitalise(w string) string {
	if w == strings.ToLower(w) || w == strings.ToUpper(w) {
		w = strings.ToLower(w)
	}
	c, n := utf8.DecodeRuneInString(w)
	return string(unicode.ToUpper(c)) + w[n:]
}

// personName is how the bot names a person in a list (plain text, to be
// escaped by the caller): the stored name; «участник удалил данные» for an
// anonymous id, which a registration carries after its teacher used
// /forget (storage.ForgetUser); the id when no name is stored. u is the
// stored user of id, or the zero User.
func personName(p locales.Printer, id int64, u storage.User) string {
	switch {
	case id < 0:
		return p.T("participant_erased")
	case u.FullName == "":
		return p.T("unnamed_user", "ID", id)
	}
	return u.FullName
}

// truncateRunes cuts s to at most n characters, marking a cut with "…".
func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
