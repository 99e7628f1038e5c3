package bot

import (
	"fmt"
	"strings"
	"time"

	"vmeste/locales"
	"vmeste/sheets"
	"vmeste/storage"
)

// The template of the annual plan: a sheet with the header and two rows of
// the district program as examples (dates as real dates), and a sheet that
// says how to fill it and lists the allowed values.

// nextDate is the first day.month at hour:minute after now, in loc.
func nextDate(now time.Time, loc *time.Location, month time.Month, day, hour, minute int) time.Time {
	t := time.Date(now.In(loc).Year(), month, day, hour, minute, 0, 0, loc)
	if !t.After(now) {
		t = t.AddDate(1, 0, 0)
	}
	return t
}

// dayAt is t's day at hour:minute, in t's location.
func dayAt(t time.Time, hour, minute int) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), hour, minute, 0, 0, t.Location())
}

// planTemplate builds the template in p's language; the examples fall in
// the coming year.
func (b *Bot) planTemplate(p locales.Printer) ([]byte, error) {
	loc, now := b.cfg.Location, b.cfg.Now()
	w, err := sheets.New(loc)
	if err != nil {
		return nil, fmt.Errorf("bot: plan template: %w", err)
	}
	keys := []string{"field_title", "field_kind", "field_start", "field_end", "field_place", "field_orgs", "field_capacity", "field_unit", "field_deadline"}
	widths := []float64{34, 16, 17, 17, 26, 26, 8, 16, 17}
	cols := make([]sheets.Column, len(keys))
	for i, k := range keys {
		cols[i] = sheets.Column{Title: p.T(k), Width: widths[i]}
	}
	plan, err := w.NewSheet(p.T("plan_sheet_plan"), cols)
	if err != nil {
		_ = w.Close()
		return nil, fmt.Errorf("bot: plan template: %w", err)
	}
	wheel := nextDate(now, loc, time.April, 15, 10, 0)
	war := nextDate(now, loc, time.May, 5, 11, 0)
	rows := [][]any{
		{p.T("plan_example1_title"), p.T("ekind_" + string(storage.EventCompetition)), wheel, wheel.Add(3 * time.Hour),
			p.T("plan_example1_place"), p.T("plan_example1_orgs"), 12, p.T("plan_team_up_to", "N", 4), dayAt(wheel.AddDate(0, 0, -5), 18, 0)},
		{p.T("plan_example2_title"), p.T("ekind_" + string(storage.EventContest)), war, "",
			p.T("plan_example2_place"), p.T("plan_example2_orgs"), "", p.T("plan_individual"), dayAt(war.AddDate(0, 0, -10), 18, 0)},
	}
	for _, row := range rows {
		if err := plan.Row(row...); err != nil {
			_ = w.Close()
			return nil, fmt.Errorf("bot: plan template: %w", err)
		}
	}

	help, err := w.NewSheet(p.T("plan_sheet_help"), []sheets.Column{
		{Title: p.T("plan_help_column"), Width: 18, Wrap: true}, {Title: p.T("plan_help_what"), Width: 90, Wrap: true}})
	if err != nil {
		_ = w.Close()
		return nil, fmt.Errorf("bot: plan template: %w", err)
	}
	var kinds []string
	for _, k := range storage.EventKinds {
		kinds = append(kinds, p.T("ekind_"+string(k)))
	}
	lines := [][2]string{
		{p.T("field_title"), p.T("plan_help_title")},
		{p.T("field_kind"), p.T("plan_help_kind", "Kinds", strings.Join(kinds, "; "))},
		{p.T("field_start"), p.T("plan_help_start")},
		{p.T("field_end"), p.T("plan_help_end")},
		{p.T("field_place"), p.T("plan_help_place")},
		{p.T("field_orgs"), p.T("plan_help_orgs")},
		{p.T("field_capacity"), p.T("plan_help_capacity")},
		{p.T("field_unit"), p.T("plan_help_unit", "Individual", p.T("plan_individual"), "Team", p.T("plan_team_up_to", "N", 4))},
		{p.T("field_deadline"), p.T("plan_help_deadline")},
		{"", p.T("plan_help_after")},
	}
	for _, h := range lines {
		if err := help.Row(plainText(h[0]), plainText(h[1])); err != nil {
			_ = w.Close()
			return nil, fmt.Errorf("bot: plan template: %w", err)
		}
	}
	data, err := w.Bytes()
	if err != nil {
		return nil, fmt.Errorf("bot: plan template: %w", err)
	}
	return data, nil
}
