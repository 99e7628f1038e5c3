package documents_test

import (
	"fmt"
	"strings"
	"testing"

	"vmeste/documents"
	"vmeste/documents/pdftest"
	"vmeste/locales"
)

// The longest things a coordinator and a teacher type.
var (
	longTitle  = "Муниципальный этап республиканского конкурса юных инспекторов движения «Безопасное колесо — 2027» среди команд ОУ района" // 120
	longSchool = "МКОУ «Средняя общеобразовательная школа № 6 им. А. А. Атмурзаева"                                                         // 60 with the ending below
	longName   = "Тхагалегова-Хаджимурзаева Анастасия-Мариям Александровна-Константиновна"
)

func thirtyPupils() []string {
	var out []string
	for i := 1; i <= 30; i++ {
		out = append(out, fmt.Sprintf("Константинопольская-Хаджиева Екатерина %d", i))
	}
	return out
}

func tenOrganisers() []string {
	var out []string
	for i := 1; i <= 10; i++ {
		out = append(out, fmt.Sprintf("Государственное казённое учреждение по делам ГО и ЧС № %d", i))
	}
	return out
}

// inside fails the test for every word outside the page less margin
// points, and for every two words that overlap (text printed over text).
func inside(t *testing.T, data []byte, margin float64) []pdftest.Word {
	t.Helper()
	words, pages := pdftest.Words(t, data)
	for _, w := range words {
		pg := pages[w.Page-1]
		if w.XMin < margin || w.YMin < margin || w.XMax > pg.Width-margin || w.YMax > pg.Height-margin {
			t.Errorf("%q at (%.1f, %.1f)–(%.1f, %.1f) is outside the page %.0f×%.0f less %.0f pt",
				w.Text, w.XMin, w.YMin, w.XMax, w.YMax, pg.Width, pg.Height, margin)
		}
	}
	for i, a := range words {
		for _, b := range words[i+1:] {
			if a.Page == b.Page && a.XMin+0.5 < b.XMax && b.XMin+0.5 < a.XMax && a.YMin+1 < b.YMax && b.YMin+1 < a.YMax {
				t.Errorf("%q and %q overlap", a.Text, b.Text)
			}
		}
	}
	return words
}

// frame is the inner line of a certificate's frame, 11 mm from the edge,
// in points: nothing is printed beyond it.
const frame = 11 * 72 / 25.4

func TestLongestCertificateFitsOnePage(t *testing.T) {
	if n := len([]rune(longTitle)); n != 120 {
		t.Fatalf("title has %d characters, want 120", n)
	}
	school := longSchool + "» г.п. Тырныауз"
	school = string([]rune(school)[:60])
	for _, lang := range locales.Languages {
		p := printer(t, lang)
		for _, kind := range []documents.Kind{documents.KindDiploma, documents.KindLaureate, documents.KindParticipation, documents.KindThanks} {
			t.Run(lang+"/"+string(kind), func(t *testing.T) {
				c := wheel()
				c.Kind, c.Place = kind, 0
				if kind == documents.KindDiploma {
					c.Place = 2
				}
				c.Event, c.School, c.Recipient = longTitle, school, longName
				c.Pupils, c.Organisers = thirtyPupils(), tenOrganisers()
				c.Operator = strings.Repeat("Управление образования местной администрации ", 3)
				data := write(t, c, p)
				if n := pdftest.Pages(t, data); n != 1 {
					t.Fatalf("pages = %d, want 1", n)
				}
				inside(t, data, frame)
				text := flat(t, data)
				if strings.Contains(text, "[doc_") {
					t.Errorf("a missing locale key: %s", text)
				}
				// Quotes inside the title's own «» become „“, as Russian nests them.
				title := strings.NewReplacer("«", "„", "»", "“").Replace(longTitle)
				for _, want := range []string{longName, school, "«" + title + "»", "Константинопольская-Хаджиева Екатерина 30", "ГО и ЧС № 10", "2027-0042"} {
					if !strings.Contains(text, want) {
						t.Errorf("no %q in:\n%s", want, text)
					}
				}
				// The code is the same in both languages: read it once.
				if lang == locales.Russian {
					if got := pdftest.QR(t, data); got != c.VerifyURL {
						t.Errorf("QR code = %q, want %q", got, c.VerifyURL)
					}
				}
			})
		}
	}
}

// Whatever a caller passes — 300 pupils, a title of 1,000 characters —
// the page stays one, and within its frame: the lists are cut with «…».
func TestAbsurdCertificateStaysOnItsPage(t *testing.T) {
	c := wheel()
	c.Event = strings.Repeat("Очень длинное название ", 45)
	for i := 0; i < 10; i++ {
		c.Pupils = append(c.Pupils, thirtyPupils()...)
		c.Organisers = append(c.Organisers, tenOrganisers()...)
	}
	c.School = strings.Repeat("Школа ", 40)
	c.Recipient = strings.Repeat("Безпробеловоеоченьдлинноеимя", 6) // no space to wrap at
	data := write(t, c, printer(t, locales.Russian))
	if n := pdftest.Pages(t, data); n != 1 {
		t.Fatalf("pages = %d, want 1", n)
	}
	inside(t, data, frame)
	text := flat(t, data)
	for _, want := range []string{"…", "ДИПЛОМ", "№ 2027-0042"} {
		if !strings.Contains(text, want) {
			t.Errorf("no %q in:\n%s", want, text)
		}
	}
}

// Emoji in a team's name do not reach the page (the font has none) and
// leave the rest of the text as typed; «№» stays.
func TestCertificateDropsWhatTheFontCannotPrint(t *testing.T) {
	c := wheel()
	c.Recipient = "Команда 🚲 «Зелёный ✅ свет» ⭐️"
	c.School = "МОУ «СОШ №\u00a03»\n\tг.п. Тырныауз"
	text := flat(t, write(t, c, printer(t, locales.Russian)))
	for _, want := range []string{"Команда «Зелёный свет»", "МОУ «СОШ № 3» г.п. Тырныауз"} {
		if !strings.Contains(text, want) {
			t.Errorf("no %q in:\n%s", want, text)
		}
	}
}

func TestCertificateRefusesWhatItCannotPrint(t *testing.T) {
	p := printer(t, locales.Russian)
	for _, c := range []documents.Certificate{
		{Kind: documents.KindDiploma, Place: 0, Number: "1", VerifyURL: "x"},
		{Kind: documents.KindDiploma, Place: 4, Number: "1", VerifyURL: "x"},
		{Kind: "grammar", Number: "1", VerifyURL: "x"},
	} {
		var buf strings.Builder
		if err := c.Write(&buf, p); err == nil || buf.Len() != 0 {
			t.Errorf("%+v: err = %v, %d bytes written; want ErrBadCertificate and nothing", c, err, buf.Len())
		}
	}
}

// The English catalog prints every kind with no missing key.
func TestCertificateInEnglish(t *testing.T) {
	en := printer(t, locales.English)
	c := wheel()
	c.Kind, c.Place = documents.KindDiploma, 3
	text := flat(t, write(t, c, en))
	for _, want := range []string{"DIPLOMA", "Third degree", "for the 3rd place", "Held on 15 April 2027", "No. 2027-0042", "Check authenticity"} {
		if !strings.Contains(text, want) {
			t.Errorf("no %q in:\n%s", want, text)
		}
	}
}

// The longest deep link Telegram allows (a 32-character bot name, a
// 64-character start payload) still decodes from the printed page.
func TestLongestVerifyURLDecodes(t *testing.T) {
	c := wheel()
	c.VerifyURL = "https://t.me/" + strings.Repeat("b", 29) + "bot?start=" + strings.Repeat("Az09_-", 10) + "Qw_-"
	if got := pdftest.QR(t, write(t, c, printer(t, locales.Russian))); got != c.VerifyURL {
		t.Errorf("QR code = %q, want %q", got, c.VerifyURL)
	}
}
