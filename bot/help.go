package bot

import (
	"context"
	"slices"
	"strings"
)

// quickMenu lists, per role, the main actions offered as buttons under
// /help and under a message the bot did not understand, in order. A
// registered user sees their role's and those of the roles below it (a
// newcomer only registration); each button runs its command
// (mn:<command>), whose role is checked as if typed.
var quickMenu = map[role][]string{
	roleNone:        {"start", "events"},
	roleTeacher:     {"events", "my", "profile", "settings"},
	roleCoordinator: {"newevent", "drafts", "broadcast", "report"},
	roleAdmin:       {"orgs", "coordinators"},
}

// quickMenuFor returns the actions a role is offered.
func quickMenuFor(rl role) []string {
	if rl == roleNone {
		return quickMenu[roleNone]
	}
	var out []string
	for r := roleTeacher; r <= rl; r++ {
		out = append(out, quickMenu[r]...)
	}
	return out
}

// menuKeyboard is the user's quick menu, two buttons to a row.
func (b *Bot) menuKeyboard(r *Request) keyboard {
	var kb keyboard
	var row []modelsButton
	for _, name := range quickMenuFor(r.Role()) {
		row = append(row, button(r.P.T("menu_"+name), cb(cbMenu, name)))
		if len(row) == 2 {
			kb, row = append(kb, row), nil
		}
	}
	if row != nil {
		kb = append(kb, row)
	}
	return kb
}

// cmdHelp explains in a few lines what the user's role can do, then lists
// its commands, with the quick menu under it.
func (b *Bot) cmdHelp(ctx context.Context, r *Request, _ string) error {
	var sb strings.Builder
	if r.Role() == roleNone {
		sb.WriteString(r.P.T("help_none"))
	}
	for rl := roleTeacher; rl <= r.Role(); rl++ {
		if sb.Len() > 0 {
			sb.WriteString("\n\n")
		}
		sb.WriteString(r.P.T(helpKeys[rl]))
		for _, key := range helpMore[rl] {
			if key == "help_teacher_calendar" && b.cfg.CalendarFeedURL == "" {
				key = "review13_help_calendar_no_feed" // no promise of a feed not served
			}
			sb.WriteString("\n" + r.P.T(key))
		}
	}
	sb.WriteString("\n\n" + r.P.T("help_title"))
	for _, name := range menuFor(r.Role()) {
		sb.WriteString("\n/" + name + " — " + r.P.T("cmd_"+name))
	}
	kb := b.menuKeyboard(r)
	if link := b.appLink(r, 0); link != "" {
		kb = append(kb, []modelsButton{appButton(r.P.T("app_btn_open"), link)})
	}
	_, err := b.send(ctx, r.ChatID, sb.String(), kb)
	return err
}

// helpKeys are the locale keys of each role's lines in /help.
var helpKeys = map[role]string{
	roleTeacher:     "help_teacher",
	roleCoordinator: "help_coordinator",
	roleAdmin:       "help_admin",
}

// helpMore are further lines of a role's part of /help, one key a
// feature, each a line beginning with «•».
var helpMore = map[role][]string{
	roleTeacher:     {"help_teacher_calendar"},
	roleCoordinator: {"help_coordinator_export", "help_coordinator_plan", "help_coordinator_report"},
}

// sendHint answers a message or command the bot did not understand
// (key says which) with the quick menu; a newcomer's text is answered
// with the way to register.
func (b *Bot) sendHint(ctx context.Context, r *Request, key string) error {
	if !r.User.Registered && key == "hint_unknown" {
		key = "hint_register"
	}
	_, err := b.send(ctx, r.ChatID, r.P.T(key), b.menuKeyboard(r))
	return err
}

// cbMenu runs a command of the quick menu as if it had been typed (its
// role and any wizard in progress are checked as for a typed one), below
// the menu rather than in its place: mn:<command>.
func (b *Bot) cbMenu(ctx context.Context, r *Request, args []string) error {
	if len(args) != 1 || !inAnyQuickMenu(args[0]) {
		return b.stale(ctx, r)
	}
	if err := b.answer(ctx, r, "", false); err != nil {
		return err
	}
	return b.routeCommand(ctx, asTyped(r), args[0], "")
}

func inAnyQuickMenu(name string) bool {
	for _, names := range quickMenu {
		if slices.Contains(names, name) {
			return true
		}
	}
	return false
}
