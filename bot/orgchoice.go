package bot

import (
	"context"
	"slices"
)

// orgChoice is a multi-select of organisations (an event's organisers, a
// broadcast's organisations): the chosen ones ticked, narrowed by what the
// user typed, page by page.
type orgChoice struct {
	chosen []int64
	filter string
	page   int
	// Callback prefixes: toggle:<org id>:<page>, page:<page>[:x] (x drops
	// the filter), and the row of final buttons.
	toggle, pageTo string
	last           []modelsButton
	// title is the locale key of the question (it gets Page and Pages).
	title string
}

// render returns the question and its keyboard.
func (b *Bot) renderOrgChoice(ctx context.Context, r *Request, c orgChoice) (string, keyboard, error) {
	all, err := b.store.Organisations(ctx)
	if err != nil {
		return "", nil, err
	}
	if len(all) == 0 {
		return r.P.T("link_no_orgs"), nil, nil
	}
	list := filterOrgs(all, c.filter)
	pages := max(1, (len(list)+orgsPerPage-1)/orgsPerPage)
	page := min(c.page, pages-1)
	var kb keyboard
	for _, o := range list[page*orgsPerPage : min(len(list), (page+1)*orgsPerPage)] {
		label := truncateRunes(o.Name, 60)
		if slices.Contains(c.chosen, o.ID) {
			label = "✓ " + label
		}
		kb = append(kb, []modelsButton{button(label, cb(c.toggle, o.ID, page))})
	}
	kb = append(kb, pager(r.P, c.pageTo, page, pages)...)
	text := r.P.T(c.title, "Page", page+1, "Pages", pages)
	if c.filter != "" {
		kb = append(kb, []modelsButton{button(r.P.T("btn_show_all"), cb(c.pageTo, 0, "x"))})
		key := "orgs_filtered"
		if len(list) == 0 {
			key = "orgs_filtered_none"
		}
		text += "\n" + r.P.T(key, "Filter", c.filter)
	} else {
		text += "\n" + r.P.T("orgs_type_to_filter")
	}
	return text, append(kb, c.last), nil
}
