package locales

import (
	"strings"
	"testing"
	"time"
)

func catalog(t *testing.T) *Catalog {
	t.Helper()
	c, err := New()
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func TestEveryKeyInEveryLanguage(t *testing.T) {
	c := catalog(t)
	for _, lang := range Languages {
		for _, other := range Languages {
			have := map[string]bool{}
			for _, k := range c.Keys(other) {
				have[k] = true
			}
			for _, k := range c.Keys(lang) {
				if !have[k] {
					t.Errorf("key %q is in %s but not in %s", k, lang, other)
				}
			}
		}
	}
	if len(c.Keys(Russian)) < 100 {
		t.Fatalf("suspiciously few keys: %d", len(c.Keys(Russian)))
	}
}

// wantForms is the plural forms each language needs (CLDR): Russian has
// one, few and many (other is used for fractions); English one and other.
var wantForms = map[string][]string{
	Russian: {"one", "few", "many", "other"},
	English: {"one", "other"},
}

func TestNoEmptyValuesAndRightPluralForms(t *testing.T) {
	c := catalog(t)
	for _, lang := range Languages {
		for _, k := range c.Keys(lang) {
			raw, _ := c.Raw(lang, k)
			switch v := raw.(type) {
			case string:
				if strings.TrimSpace(v) == "" {
					t.Errorf("%s %s: empty", lang, k)
				}
			case map[string]any:
				for _, form := range wantForms[lang] {
					s, _ := v[form].(string)
					if strings.TrimSpace(s) == "" {
						t.Errorf("%s %s: plural form %q missing or empty", lang, k, form)
					}
				}
				if len(v) != len(wantForms[lang]) {
					t.Errorf("%s %s: %d plural forms, want exactly %v", lang, k, len(v), wantForms[lang])
				}
			default:
				t.Errorf("%s %s: unexpected value type %T", lang, k, raw)
			}
		}
	}
}

func TestRussianPluralRule(t *testing.T) {
	p := catalog(t).For(Russian)
	for _, tc := range []struct {
		n    int
		want string
	}{
		{0, "Получат 0 адресатов."}, {1, "Получит 1 адресат."}, {2, "Получат 2 адресата."}, {5, "Получат 5 адресатов."},
		{11, "Получат 11 адресатов."}, {12, "Получат 12 адресатов."}, {14, "Получат 14 адресатов."},
		{21, "Получит 21 адресат."}, {22, "Получат 22 адресата."}, {25, "Получат 25 адресатов."}, {111, "Получат 111 адресатов."},
	} {
		if got := p.N("broadcast_recipients", tc.n); got != tc.want {
			t.Errorf("N(broadcast_recipients, %d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

func TestEnglishPlural(t *testing.T) {
	p := catalog(t).For(English)
	for n, want := range map[int]string{0: "0 recipients.", 1: "1 recipient.", 2: "2 recipients.", 21: "21 recipients."} {
		if got := p.N("broadcast_recipients", n); got != want {
			t.Errorf("N(broadcast_recipients, %d) = %q, want %q", n, got, want)
		}
	}
}

func TestValuesAreEscapedUnlessHTML(t *testing.T) {
	p := catalog(t).For(Russian)
	got := p.T("org_created", "Name", `<b>"Школа" & Co</b>`)
	if want := "Организация «&lt;b&gt;&#34;Школа&#34; &amp; Co&lt;/b&gt;» добавлена."; got != want {
		t.Errorf("escaped: got %q, want %q", got, want)
	}
	if got := p.T("org_created", "Name", HTML("<b>x</b>")); !strings.Contains(got, "<b>x</b>") {
		t.Errorf("HTML value was escaped: %q", got)
	}
}

func TestDates(t *testing.T) {
	c := catalog(t)
	at := time.Date(2027, time.March, 15, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		lang, short, long, day string
	}{
		{Russian, "15 марта, 10:00", "15 марта 2027, 10:00", "15 марта 2027"},
		{English, "15 March, 10:00", "15 March 2027, 10:00", "15 March 2027"},
	} {
		p := c.For(tc.lang)
		if got := p.Date(at); got != tc.short {
			t.Errorf("%s Date = %q, want %q", tc.lang, got, tc.short)
		}
		if got := p.DateYear(at); got != tc.long {
			t.Errorf("%s DateYear = %q, want %q", tc.lang, got, tc.long)
		}
		if got := p.Day(at); got != tc.day {
			t.Errorf("%s Day = %q, want %q", tc.lang, got, tc.day)
		}
	}
	ru := c.For(Russian)
	for m := time.January; m <= time.December; m++ {
		got := ru.Date(time.Date(2027, m, 1, 9, 5, 0, 0, time.UTC))
		if strings.Contains(got, "[") || !strings.HasSuffix(got, ", 09:05") {
			t.Errorf("month %d: %q", m, got)
		}
	}
}

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{"": Russian, "ru": Russian, "en": English, "en-US": English, "EN": English, "uk": Russian, "de": Russian} {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMissingKeyIsVisible(t *testing.T) {
	if got := catalog(t).For(Russian).T("no_such_key"); got != "[no_such_key]" {
		t.Errorf("missing key rendered as %q", got)
	}
}
