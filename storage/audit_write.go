package storage

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"
)

// What each audited writer records (exactly one entry per change, in the
// change's own transaction; a call that changes nothing records nothing):
//
//	CreateEvent, CopyEvent     event_create    event (Org: its owner)
//	UpdateEvent                event_edit      event, Details: each changed field before/after (none changed: no entry)
//	PublishEvent               event_publish   event
//	CancelEvent                event_cancel    event
//	HandOverEvent              event_handover  event, Subject: the new author
//	SetAttendance, SetResult   attendance, result  registration (event, Subject: the participant)
//	IssueCertificates          certificates    event, Details: how many issued and revoked
//	CreateBroadcastFor         broadcast_send  broadcast (Event: an event audience's), Details: recipients
//	StopBroadcast              broadcast_stop  broadcast
//	CreateOrganisation, DecideOrgRequest (added)  org_create  org
//	UpdateOrganisation         org_edit        org, Details: each changed field
//	RemoveOrganisation         org_remove      org, Details: its name (it is gone)
//	ImportOrganisations        org_import      import, Details: how many; Orgs: each created
//	SetRole                    role_grant, role_revoke  user (Subject), Details: the role
//	CreateInvite, RevokeInvite invite_create, invite_revoke  invite (Note: the code)
//	RedeemInvite               invite_use      invite (Subject: who became coordinator)
//	ImportPlan                 plan_import     import, Details: how many drafts, first and last id;
//	                                           Events: each draft, Orgs: their owners
//	ForgetUser                 forget          user (the anonymous id)

// eventAudit is the entry of action on event e.
func eventAudit(action AuditAction, e Event) AuditEntry {
	return AuditEntry{Action: action, Kind: AuditObjEvent, ObjectID: e.ID, Event: e.ID, Org: e.OwnerOrg}
}

// orgAudit is the entry of action on organisation id.
func orgAudit(action AuditAction, id int64) AuditEntry {
	return AuditEntry{Action: action, Kind: AuditObjOrg, ObjectID: id, Org: id}
}

// auditFact is a Details row of one fact of an action (no before).
func auditFact(field, value string) AuditChange { return AuditChange{Field: field, After: value} }

// differ collects the fields an edit changed.
type differ struct {
	loc     *time.Location
	changes []AuditChange
}

func (d *differ) str(field, before, after string) {
	if before != after {
		d.changes = append(d.changes, AuditChange{Field: field, Before: before, After: after})
	}
}

func (d *differ) num(field string, before, after int) {
	d.str(field, strconv.Itoa(before), strconv.Itoa(after))
}

func (d *differ) time(field string, before, after time.Time) {
	f := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(d.loc).Format("02.01.2006 15:04")
	}
	d.str(field, f(before), f(after))
}

// doc records a document replaced, added or removed, by its file name: a
// different file (FileID) under the same name is a change too, recorded
// with the same name before and after.
func (d *differ) doc(field string, before, after *Document) {
	var b, a Document
	if before != nil {
		b = *before
	}
	if after != nil {
		a = *after
	}
	if b.FileID == a.FileID && b.FileName == a.FileName {
		return
	}
	d.changes = append(d.changes, AuditChange{Field: field, Before: b.FileName, After: a.FileName})
}

func joinIDs(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(s, ",")
}

func joinDurations(ds []time.Duration) string {
	s := make([]string, len(ds))
	for i, d := range ds {
		s[i] = d.String()
	}
	return strings.Join(s, ",")
}

// eventChanges lists the editable fields of an event that differ between
// before and after. The form is compared as a whole (its questions are
// many and long): "form" with no values when it changed.
func eventChanges(before, after Event, loc *time.Location) []AuditChange {
	d := &differ{loc: loc}
	d.str("title", before.Title, after.Title)
	d.str("kind", string(before.Kind), string(after.Kind))
	d.str("description", before.Description, after.Description)
	d.time("start", before.Start, after.Start)
	d.time("end", before.End, after.End)
	d.str("place", before.Place, after.Place)
	d.str("organisers", joinIDs(before.Organisers), joinIDs(after.Organisers))
	d.str("audience", before.Audience, after.Audience)
	d.str("unit", before.Unit, after.Unit)
	d.num("max_team", before.MaxTeam, after.MaxTeam)
	d.num("capacity", before.Capacity, after.Capacity)
	d.time("deadline", before.Deadline, after.Deadline)
	d.str("reminders", joinDurations(before.Reminders), joinDurations(after.Reminders))
	d.doc("regulations", before.Regulations, after.Regulations)
	bf, af := before.Form, after.Form
	bf.LastQuestionID, af.LastQuestionID = 0, 0
	if !formEqual(bf, af) {
		d.changes = append(d.changes, AuditChange{Field: "form"})
	}
	return d.changes
}

// orgChanges lists the fields of an organisation that differ.
func orgChanges(before, after Organisation) []AuditChange {
	d := &differ{}
	d.str("name", before.Name, after.Name)
	d.str("short_name", before.ShortName, after.ShortName)
	d.str("kind", string(before.Kind), string(after.Kind))
	d.str("contact", before.Contact, after.Contact)
	return d.changes
}

// formEqual compares two forms by their JSON, which is what is stored.
func formEqual(a, b Form) bool {
	ja, erra := json.Marshal(a)
	jb, errb := json.Marshal(b)
	return erra == nil && errb == nil && slices.Equal(ja, jb)
}
