package webapp

import (
	"html"
	"html/template"
	"regexp"

	"vmeste/storage"
)

// funcs are the templates' functions beyond html/template's own; the
// pages reach the catalogs through page's methods instead.
var funcs = template.FuncMap{}

// tags matches markup in a catalog's message, for the plain <title>.
var tags = regexp.MustCompile(`<[^>]*>`)

// TitleText is the page's title as plain text, for <title>.
func (p page) TitleText() string {
	return html.UnescapeString(tags.ReplaceAllString(string(p.Title), ""))
}

// With is p with other data, for a sub-template that needs p's methods.
func (p page) With(data any) page {
	p.Data = data
	return p
}

// NewEvent reports whether the page is the editor of a new event.
func (p page) NewEvent() bool {
	d, ok := p.Data.(editorData)
	return ok && d.New
}

// fieldView is one field of the editor: its input's id and name, its
// label and its problem.
type fieldView struct {
	Name    string
	Label   template.HTML
	Problem template.HTML
}

// Field is the editor's field name labelled by the catalog's labelKey
// ("" for none).
func (p page) Field(name, labelKey string) fieldView {
	f := fieldView{Name: name}
	if labelKey != "" {
		f.Label = p.T(labelKey)
	}
	if d, ok := p.Data.(editorData); ok {
		f.Problem = d.Problems[name]
	}
	return f
}

// chartView is one bar chart of the dashboard.
type chartView struct {
	Title template.HTML
	ID    string
	Bars  []bar
}

// Chart is a chart titled by the catalog's key.
func (p page) Chart(key, id string, bars []bar) chartView {
	return chartView{Title: p.T(key), ID: id, Bars: bars}
}

// orgSelectView is a select of organisations for a filter (name "org").
type orgSelectView struct {
	ID       string
	Label    template.HTML
	All      template.HTML // the first option's words, value 0
	Orgs     []storage.Organisation
	Selected int64
}

// OrgSelect is the select of orgs with id, allKey naming its first
// option (value 0), selected chosen.
func (p page) OrgSelect(id, allKey string, orgs []storage.Organisation, selected int64) orgSelectView {
	return orgSelectView{ID: id, Label: p.T("app_filter_org"), All: p.T(allKey), Orgs: orgs, Selected: selected}
}
