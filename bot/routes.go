package bot

import "time"

// registerRoutes is the whole command surface of the bot: every command,
// every button and every wizard, with the role each needs. A teacher who
// sends a coordinator's command or forges a coordinator's button data is
// refused here, before any handler runs.
func (b *Bot) registerRoutes() {
	b.commands = map[string]command{
		"start":        {role: roleNone, fn: b.cmdStart},
		"help":         {role: roleNone, fn: b.cmdHelp},
		"cancel":       {role: roleNone, fn: b.cmdCancel},
		"settings":     {role: roleNone, fn: b.cmdSettings},
		"profile":      {role: roleTeacher, fn: b.cmdProfile},
		"orgs":         {role: roleAdmin, fn: b.cmdOrgs},
		"invite":       {role: roleAdmin, fn: b.cmdInvite},
		"coordinators": {role: roleAdmin, fn: b.cmdCoordinators},
		"broadcast":    {role: roleCoordinator, fn: b.cmdBroadcast},
		"broadcasts":   {role: roleCoordinator, fn: b.cmdBroadcasts},
		"link":         {role: roleCoordinator, fn: b.cmdLink, inGroup: true},
	}

	b.callbacks = map[string]callback{
		// Onboarding and /profile: language, organisation, position.
		cbPersonLang:     {roleNone, b.cbPersonLang},
		cbPersonOrg:      {roleNone, b.cbPersonOrg},
		cbPersonOrgPage:  {roleNone, b.cbPersonOrgPage},
		cbPersonPosition: {roleNone, b.cbPersonPosition},
		cbProfileEdit:    {roleTeacher, b.cbProfileEdit},
		// /settings.
		cbSettingsLang: {roleNone, b.cbSettingsLang},
		// /orgs.
		cbOrgList:          {roleAdmin, b.cbOrgList},
		cbOrgOpen:          {roleAdmin, b.cbOrgOpen},
		cbOrgAdd:           {roleAdmin, b.cbOrgAdd},
		cbOrgEdit:          {roleAdmin, b.cbOrgEdit},
		cbOrgKind:          {roleAdmin, b.cbOrgKind},
		cbOrgRemove:        {roleAdmin, b.cbOrgRemove},
		cbOrgRemoveConfirm: {roleAdmin, b.cbOrgRemoveConfirm},
		cbOrgImport:        {roleAdmin, b.cbOrgImport},
		cbOrgImportSave:    {roleAdmin, b.cbOrgImportSave},
		cbOrgImportDrop:    {roleAdmin, b.cbOrgImportDrop},
		cbOrgSkip:          {roleAdmin, b.cbOrgSkip},
		// /coordinators.
		cbCoordRevoke:        {roleAdmin, b.cbCoordRevoke},
		cbCoordRevokeConfirm: {roleAdmin, b.cbCoordRevokeConfirm},
		cbCoordBack:          {roleAdmin, b.cbCoordBack},
		cbInviteRevoke:       {roleAdmin, b.cbInviteRevoke},
		// /settings: announcements on or off.
		cbSettingsAnnouncements: {roleTeacher, b.cbSettingsAnnouncements},
		// /broadcast and /broadcasts.
		cbBroadcastAudience: {roleCoordinator, b.cbBroadcastAudience},
		cbBroadcastKind:     {roleCoordinator, b.cbBroadcastKind},
		cbBroadcastOrg:      {roleCoordinator, b.cbBroadcastOrg},
		cbBroadcastOrgPage:  {roleCoordinator, b.cbBroadcastOrgPage},
		cbBroadcastDone:     {roleCoordinator, b.cbBroadcastDone},
		cbBroadcastSend:     {roleCoordinator, b.cbBroadcastSend},
		cbBroadcastDrop:     {roleCoordinator, b.cbBroadcastDrop},
		cbBroadcastStop:     {roleCoordinator, b.cbBroadcastStop},
		// /link in a group.
		cbLinkOrg:     {roleCoordinator, b.cbLinkOrg},
		cbLinkOrgPage: {roleCoordinator, b.cbLinkOrgPage},
	}

	b.flows = map[string]flow{
		flowOnboarding: {role: roleNone, onText: b.personText},
		flowProfile:    {role: roleTeacher, ttl: shortWizard, onText: b.personText},
		flowOrgAdd:     {role: roleAdmin, ttl: shortWizard, onText: b.orgAddText},
		flowOrgEdit:    {role: roleAdmin, ttl: shortWizard, onText: b.orgEditText},
		flowOrgImport:  {role: roleAdmin, ttl: longWizard, onText: b.orgImportText, onDocument: b.orgImportDocument},
		flowBroadcast:  {role: roleCoordinator, ttl: longWizard, onMessage: b.broadcastMessage},
	}
}

// How long an untouched wizard lasts: a one-field edit is forgotten after
// an hour, so that a later "Добрый день" does not become someone's name; a
// broadcast or an import waiting for its file or confirmation, after a day.
const (
	shortWizard = time.Hour
	longWizard  = 24 * time.Hour
)

// menus lists, per role, the commands shown in Telegram's menu and in
// /help, in order. A role sees its own and those of the roles below it.
var menus = map[role][]string{
	roleNone:        {"start", "settings", "help"},
	roleTeacher:     {"profile", "settings", "help", "cancel"},
	roleCoordinator: {"broadcast", "broadcasts"},
	roleAdmin:       {"orgs", "invite", "coordinators"},
}

// menuFor returns the commands a role sees.
func menuFor(rl role) []string {
	if rl == roleNone {
		return menus[roleNone]
	}
	var out []string
	for r := roleTeacher; r <= rl; r++ {
		out = append(out, menus[r]...)
	}
	return out
}
