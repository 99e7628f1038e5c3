package bot

import (
	"context"
	"strconv"
	"strings"
	"time"

	"vmeste/locales"
	"vmeste/storage"
)

// auditNames renders audit entries in a printer's language: the names of
// the people, events and organisations they hold by id, each read once per
// rendering. Everything it returns is HTML, user values escaped (the
// printer escapes every string it is given); the XLSX unescapes it.
type auditNames struct {
	ctx    context.Context
	b      *Bot
	p      locales.Printer
	users  map[int64]string
	events map[int64]string
	orgs   map[int64]string
}

func newAuditNames(ctx context.Context, b *Bot, p locales.Printer) *auditNames {
	return &auditNames{ctx: ctx, b: b, p: p, users: map[int64]string{}, events: map[int64]string{}, orgs: map[int64]string{}}
}

// person names a user: the bot for 0, «участник удалил данные» for an
// anonymous id, else the stored name (or the id when none is stored).
func (n *auditNames) person(id int64) locales.HTML {
	if s, ok := n.users[id]; ok {
		return locales.HTML(s)
	}
	var s string
	switch {
	case id == 0:
		s = n.p.T("audit_bot")
	case id < 0:
		s = n.p.T("participant_erased")
	default:
		u, _ := n.b.store.User(n.ctx, id) // gone: named by its id
		s = n.p.T("audit_person", "Name", personName(n.p, id, u))
	}
	n.users[id] = s
	return locales.HTML(s)
}

// event names an event: «title» №id.
func (n *auditNames) event(id int64) locales.HTML {
	if s, ok := n.events[id]; ok {
		return locales.HTML(s)
	}
	title := ""
	if e, err := n.b.store.Event(n.ctx, id); err == nil {
		title = truncateRunes(e.Title, 60)
	}
	s := n.p.T("audit_event", "Title", title, "ID", id)
	n.events[id] = s
	return locales.HTML(s)
}

// org names an organisation: its short name, else its name, else (removed)
// the name the removal recorded, else its number.
func (n *auditNames) org(id int64, removed string) locales.HTML {
	if s, ok := n.orgs[id]; ok {
		return locales.HTML(s)
	}
	name := removed
	if o, err := n.b.store.Organisation(n.ctx, id); err == nil {
		name = o.ShortName
		if name == "" {
			name = o.Name
		}
	}
	s := n.p.T("audit_org", "Name", truncateRunes(name, 60), "ID", id)
	n.orgs[id] = s
	return locales.HTML(s)
}

// filter names what a filter shows.
func (n *auditNames) filter(f storage.AuditFilter) locales.HTML {
	switch {
	case f.Event != 0:
		return locales.HTML(n.p.T("audit_filter_event", "Event", n.event(f.Event)))
	case f.User != 0:
		return locales.HTML(n.p.T("audit_filter_user", "Person", n.person(f.User)))
	case f.Org != 0:
		return locales.HTML(n.p.T("audit_filter_org", "Org", n.org(f.Org, "")))
	}
	return locales.HTML(n.p.T("audit_filter_all"))
}

// detail is the After of the entry's Details row field, "" when none.
func detail(e storage.AuditEntry, field string) string {
	for _, c := range e.Details {
		if c.Field == field {
			return c.After
		}
	}
	return ""
}

// before is the Before of the entry's Details row field.
func before(e storage.AuditEntry, field string) string {
	for _, c := range e.Details {
		if c.Field == field {
			return c.Before
		}
	}
	return ""
}

// what says what the entry's action did to which object, one phrase.
func (n *auditNames) what(e storage.AuditEntry) string {
	p := n.p
	key := "audit_action_" + string(e.Action)
	switch e.Action {
	case storage.AuditEventCreate, storage.AuditEventPublish, storage.AuditEventCancel:
		return p.T(key, "Event", n.event(e.ObjectID))
	case storage.AuditEventEdit:
		var fields []string
		for _, c := range e.Details {
			fields = append(fields, n.field(c.Field))
		}
		return p.T(key, "Event", n.event(e.ObjectID), "Fields", strings.Join(fields, ", "))
	case storage.AuditEventHandOver:
		return p.T(key, "Event", n.event(e.ObjectID), "Person", n.person(e.Subject))
	case storage.AuditAttendance:
		k := key + "_no"
		if detail(e, "attended") == "true" {
			k = key + "_yes"
		}
		return p.T(k, "Event", n.event(e.Event), "Person", n.person(e.Subject))
	case storage.AuditResult:
		return p.T(key, "Event", n.event(e.Event), "Person", n.person(e.Subject), "Result", n.value("result", detail(e, "result")))
	case storage.AuditCertificates:
		return p.T(key, "Event", n.event(e.ObjectID), "Issued", atoi(detail(e, "issued")), "Revoked", atoi(detail(e, "revoked")))
	case storage.AuditBroadcastSend:
		return p.T(key, "ID", e.ObjectID, "Count", atoi(detail(e, "recipients")))
	case storage.AuditBroadcastStop:
		return p.T(key, "ID", e.ObjectID)
	case storage.AuditOrgCreate, storage.AuditOrgRemove:
		return p.T(key, "Org", n.org(e.ObjectID, before(e, "name")))
	case storage.AuditOrgEdit:
		var fields []string
		for _, c := range e.Details {
			fields = append(fields, n.field(c.Field))
		}
		return p.T(key, "Org", n.org(e.ObjectID, ""), "Fields", strings.Join(fields, ", "))
	case storage.AuditOrgImport, storage.AuditPlanImport:
		return p.T(key, "Count", atoi(detail(e, "count")))
	case storage.AuditRoleGrant, storage.AuditRoleRevoke, storage.AuditInviteUse:
		return p.T(key, "Person", n.person(e.Subject))
	case storage.AuditInviteCreate, storage.AuditInviteRevoke, storage.AuditForget:
		return p.T(key)
	}
	return p.T("audit_action_unknown", "Action", string(e.Action))
}

// line is the entry in one line: when, who, what.
func (n *auditNames) line(e storage.AuditEntry) string {
	return n.p.T("audit_line_text", "When", locales.HTML(n.p.DateYear(e.At.In(n.b.cfg.Location))),
		"Who", n.person(e.Actor), "What", locales.HTML(n.what(e)))
}

// field names a changed field; one the catalog does not know is shown
// as stored.
func (n *auditNames) field(name string) string {
	for _, f := range auditFields {
		if f == name {
			return n.p.T("audit_field_" + name)
		}
	}
	return name
}

// auditFields are the fields the Details of entries name
// (storage/audit_write.go).
var auditFields = []string{"title", "kind", "description", "start", "end", "place", "organisers", "audience", "unit",
	"max_team", "capacity", "deadline", "reminders", "regulations", "form", "name", "short_name", "contact",
	"role", "result", "author", "attended", "count", "first", "last", "copy_of", "recipients", "skipped",
	"issued", "revoked"}

// value renders a Details value of field: kinds, roles, results, people,
// reminder offsets, the form of participation and an unlimited capacity
// in the bot's words; the rest as stored, escaped; "—" for none.
func (n *auditNames) value(field, v string) locales.HTML {
	p := n.p
	switch {
	case v == "" && field == "reminders":
		return locales.HTML(p.T("offsets_none"))
	case v == "" && field != "result":
		return locales.HTML(p.T("audit_none"))
	}
	switch field {
	case "kind":
		if k := storage.EventKind(v); k.Valid() {
			return locales.HTML(p.T("ekind_" + v))
		}
		if storage.OrgKind(v).Valid() {
			return locales.HTML(p.T("kind_" + v))
		}
	case "role":
		return locales.HTML(p.T("role_" + v))
	case "attended":
		return locales.HTML(p.T("audit_attended_" + v))
	case "result":
		if v == "" {
			return locales.HTML(p.T("result_none"))
		}
		return locales.HTML(p.T("result_" + v))
	case "author":
		if id, err := strconv.ParseInt(v, 10, 64); err == nil {
			return n.person(id)
		}
	case "reminders":
		if offsets, ok := parseStoredOffsets(v); ok {
			return locales.HTML(formatOffsets(p, offsets))
		}
	case "unit":
		switch v {
		case storage.UnitIndividual, storage.UnitTeam:
			return locales.HTML(p.T("auditfix_unit_" + v))
		}
	case "capacity":
		if v == "0" {
			return locales.HTML(p.T("auditfix_capacity_none"))
		}
	case "organisers":
		var names []string
		for _, s := range strings.Split(v, ",") {
			if id, err := strconv.ParseInt(s, 10, 64); err == nil {
				names = append(names, string(n.org(id, "")))
			}
		}
		return locales.HTML(strings.Join(names, ", "))
	}
	return locales.HTML(p.T("audit_value", "Value", truncateRunes(v, 200)))
}

// change renders one Details row's values, before and after: a
// regulations file replaced by another of the same name says so.
func (n *auditNames) change(c storage.AuditChange) (before, after locales.HTML) {
	before, after = n.value(c.Field, c.Before), n.value(c.Field, c.After)
	if c.Field == "regulations" && c.Before == c.After && c.After != "" {
		after = locales.HTML(n.p.T("auditfix_same_name_file", "Name", truncateRunes(c.After, 200)))
	}
	return before, after
}

// parseStoredOffsets reads reminder offsets as the audit stores them
// (Go durations joined by commas, storage/audit_write.go); false for
// anything else.
func parseStoredOffsets(v string) ([]time.Duration, bool) {
	var out []time.Duration
	for _, s := range strings.Split(v, ",") {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return nil, false
		}
		out = append(out, d)
	}
	return out, true
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
