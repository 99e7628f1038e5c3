package bot

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"unicode"

	"vmeste/storage"
)

// An event's applications as its coordinators see them: grouped by
// organisation, for «📋 Заявки», the works in the chat and the ZIP. Only
// handlers that have checked actParticipants (access.go) call these: what
// they return is personal data.

// orgApplications is one organisation's active applications (confirmed,
// then the waitlist in line order, as storage.Participants gives them).
type orgApplications struct {
	OrgID int64
	Label string // the short name, "" for no organisation
	Name  string // the full name
	List  []storage.Participant
}

// applicationWorks are a participant's submitted files (none when the
// sign-up has no application).
func applicationWorks(pt storage.Participant) []storage.Work {
	if pt.Application == nil {
		return nil
	}
	return pt.Application.Works
}

// applicationsByOrg returns the event's active applications grouped by
// the organisation the teacher signed up from (Registration.OrgID; the
// teacher's current one for a sign-up older than that field), the groups
// in the order of their short names, those of no known organisation last.
func (b *Bot) applicationsByOrg(ctx context.Context, eventID int64) ([]orgApplications, error) {
	list, err := b.store.Participants(ctx, eventID)
	if err != nil {
		return nil, err
	}
	byOrg := map[int64]int{}
	var groups []orgApplications
	for _, pt := range list {
		org := pt.OrgID
		if org == 0 {
			org = pt.User.OrgID
		}
		i, ok := byOrg[org]
		if !ok {
			g := orgApplications{OrgID: org}
			if o, err := b.store.Organisation(ctx, org); err == nil {
				g.Label, g.Name = o.Label(), o.Name
			}
			i = len(groups)
			byOrg[org] = i
			groups = append(groups, g)
		}
		groups[i].List = append(groups[i].List, pt)
	}
	slices.SortStableFunc(groups, func(a, b orgApplications) int {
		if (a.Label == "") != (b.Label == "") {
			if a.Label == "" {
				return 1
			}
			return -1
		}
		return cmp.Or(strings.Compare(collateKey(a.Label), collateKey(b.Label)), cmp.Compare(a.OrgID, b.OrgID))
	})
	return groups, nil
}

// collateKey orders Russian names as a reader expects: case folded, «ё»
// with «е», «№» and digits as they come.
func collateKey(s string) string {
	return strings.NewReplacer("ё", "е").Replace(strings.ToLower(s))
}

// shortPersonName makes "Иванова М. П." of "Иванова Мария Петровна" (the
// surname first, as Russian forms are filled in); with tight, "Иванова
// М.П." for file names. A single word is kept as it is.
func shortPersonName(full string, tight bool) string {
	words := strings.Fields(full)
	if len(words) < 2 {
		return strings.Join(words, " ")
	}
	var sb strings.Builder
	sb.WriteString(words[0])
	sep := " "
	for i, w := range words[1:] {
		r := []rune(w)
		if !unicode.IsLetter(r[0]) {
			continue
		}
		if i == 0 || !tight {
			sb.WriteString(sep)
		}
		sb.WriteString(string(unicode.ToUpper(r[0])) + ".")
		if i >= 1 {
			break // surname, name, patronymic: the rest is not an initial
		}
	}
	return sb.String()
}
