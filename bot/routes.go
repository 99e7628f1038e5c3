package bot

// registerRoutes is the whole command surface of the bot: every command,
// every button and every wizard, with the role each needs. A teacher who
// sends a coordinator's command or forges a coordinator's button data is
// refused here, before any handler runs.
func (b *Bot) registerRoutes() {
	b.commands = map[string]command{
		"start":        {roleNone, b.cmdStart},
		"help":         {roleNone, b.cmdHelp},
		"cancel":       {roleNone, b.cmdCancel},
		"settings":     {roleNone, b.cmdSettings},
		"profile":      {roleTeacher, b.cmdProfile},
		"orgs":         {roleAdmin, b.cmdOrgs},
		"invite":       {roleAdmin, b.cmdInvite},
		"coordinators": {roleAdmin, b.cmdCoordinators},
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
	}

	b.flows = map[string]flow{
		flowOnboarding: {onText: b.personText},
		flowProfile:    {onText: b.personText},
		flowOrgAdd:     {onText: b.orgAddText},
		flowOrgEdit:    {onText: b.orgEditText},
		flowOrgImport:  {onText: b.orgImportText, onDocument: b.orgImportDocument},
	}
}

// menus lists, per role, the commands shown in Telegram's menu and in
// /help, in order. A role sees its own and those of the roles below it.
var menus = map[role][]string{
	roleNone:        {"start", "settings", "help"},
	roleTeacher:     {"profile", "settings", "help", "cancel"},
	roleCoordinator: {},
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
