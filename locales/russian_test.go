package locales

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

var placeholder = regexp.MustCompile(`\{\{\.(\w+)\}\}`)

// args fills every placeholder of key's forms in lang with value.
func args(c *Catalog, lang, key string, value any) []any {
	raw, _ := c.Raw(lang, key)
	var forms []string
	switch v := raw.(type) {
	case string:
		forms = []string{v}
	case map[string]any:
		for _, f := range v {
			s, _ := f.(string)
			forms = append(forms, s)
		}
	}
	seen := map[string]bool{}
	var kv []any
	for _, f := range forms {
		for _, m := range placeholder.FindAllStringSubmatch(f, -1) {
			if name := m[1]; name != "Count" && !seen[name] {
				seen[name] = true
				kv = append(kv, name, value)
			}
		}
	}
	return kv
}

// No message shows quotes inside quotes of the same kind, whatever the
// user typed: a title that comes with its own «» or holds a quoted name.
func TestNoNestedGuillemets(t *testing.T) {
	c := catalog(t)
	for _, lang := range Languages {
		p := c.For(lang)
		for _, title := range []string{"«Безопасное колесо»", "Конкурс «Безопасное колесо»", "ЮИД"} {
			for _, k := range c.Keys(lang) {
				kv := args(c, lang, k, title)
				for _, n := range []int{0, 1, 2, 5} {
					got := p.N(k, n, kv...)
					if strings.Contains(got, "««") || strings.Contains(got, "»»") || nested(got) {
						t.Errorf("%s %s with %q: %q", lang, k, title, got)
					}
				}
			}
		}
	}
}

func TestQuote(t *testing.T) {
	for in, want := range map[string]string{
		"Безопасное колесо":           "«Безопасное колесо»",
		"«Безопасное колесо»":         "«Безопасное колесо»",
		"Конкурс «Безопасное колесо»": "«Конкурс „Безопасное колесо“»",
		"«Колесо» и «Вело»":           "«„Колесо“ и „Вело“»",
		"Колесо»":                     "«Колесо»»", // unbalanced: left as typed
	} {
		if got := Quote(in); got != want {
			t.Errorf("Quote(%q) = %q, want %q", in, got, want)
		}
	}
}

// nounForms lists, for each noun the Russian catalog puts after a count,
// the plural categories it may stand in: "one" for 1 and 21, "few" for 2,
// "many" for 0, 5 and 11. A genitive singular («из 1 участника») is also
// one.
var nounForms = map[string][]string{
	"участник": {"one"}, "участника": {"one", "few"}, "участников": {"many"}, "участнику": {"one"}, "участникам": {"few", "many"},
	"учащийся": {"one"}, "учащегося": {"one"}, "учащихся": {"few", "many"},
	"строка": {"one"}, "строку": {"one"}, "строки": {"one", "few"}, "строк": {"many"},
	"час": {"one"}, "часа": {"one", "few"}, "часов": {"many"},
	"день": {"one"}, "дня": {"one", "few"}, "дней": {"many"},
	"минута": {"one"}, "минуту": {"one"}, "минуты": {"one", "few"}, "минут": {"many"},
	"мероприятие": {"one"}, "мероприятия": {"one", "few"}, "мероприятий": {"many"},
	"адресат": {"one"}, "адресата": {"one", "few"}, "адресатов": {"many"},
	"организация": {"one"}, "организацию": {"one"}, "организации": {"one", "few"}, "организаций": {"many"},
	"приглашение": {"one"}, "приглашения": {"one", "few"}, "приглашений": {"many"},
	"пользователь": {"one"}, "пользователя": {"one", "few"}, "пользователей": {"many"},
	"запись": {"one"}, "записи": {"one", "few"}, "записей": {"many"},
	"место": {"one"}, "места": {"one", "few"}, "мест": {"many"},
	"педагог": {"one"}, "педагога": {"one", "few"}, "педагогов": {"many"},
	"группа": {"one"}, "группы": {"one", "few"}, "групп": {"many"},
	"команда": {"one"}, "команды": {"one", "few"}, "команд": {"many"},
}

// genitiveGovernors put the count and its noun in the genitive, where 2
// takes the genitive plural too («из 2 участников»).
var genitiveGovernors = map[string]bool{"из": true, "до": true, "от": true, "организатор": true, "более": true, "менее": true, "больше": true, "меньше": true}

// Verbs before a count agree with it: a singular one only with 1 and 21
// («Получит 1 адресат»), a plural or neuter one never with them («Получат
// 21 адресат» is wrong).
var (
	singularVerbs = map[string]bool{"получит": true, "получил": true, "записан": true, "записана": true, "привязан": true,
		"добавлена": true, "сохранена": true, "прочитана": true, "действует": true, "отправлено": false}
	pluralVerbs = map[string]bool{"получат": true, "получили": true, "записаны": true, "записано": true, "привязаны": true,
		"добавлены": true, "сохранены": true, "сохранено": true, "прочитано": true, "действуют": true}
)

// category is the Russian plural category of n (CLDR, integers).
func category(n int) string {
	switch {
	case n%10 == 1 && n%100 != 11:
		return "one"
	case n%10 >= 2 && n%10 <= 4 && (n%100 < 12 || n%100 > 14):
		return "few"
	}
	return "many"
}

// Every plural message, rendered with the counts that take each form, puts
// the noun after the count and the verb before it in the form the count
// needs.
func TestRussianCountsAgreeWithNouns(t *testing.T) {
	c := catalog(t)
	p := c.For(Russian)
	word := `\p{L}+`
	for _, k := range c.Keys(Russian) {
		raw, _ := c.Raw(Russian, k)
		if _, plural := raw.(map[string]any); !plural {
			continue
		}
		kv := args(c, Russian, k, "Х")
		for _, n := range []int{0, 1, 2, 5, 11, 21} {
			got := p.N(k, n, kv...)
			cat := category(n)
			after := regexp.MustCompile(fmt.Sprintf(`(?:(%s) )?\b%d (%s)`, word, n, word))
			for _, m := range after.FindAllStringSubmatch(got, -1) {
				noun := strings.ToLower(m[2])
				if genitiveGovernors[strings.ToLower(m[1])] && cat == "few" && contains(nounForms[noun], "many") {
					continue // «из 2 участников», «организатор 2 мероприятий»
				}
				if forms, known := nounForms[noun]; known && !contains(forms, cat) {
					t.Errorf("%s with %d: %q — «%s» does not go with %d", k, n, got, m[2], n)
				}
			}
			before := regexp.MustCompile(fmt.Sprintf(`(%s) %d\b`, word, n))
			for _, m := range before.FindAllStringSubmatch(got, -1) {
				v := strings.ToLower(m[1])
				if (cat == "one" && pluralVerbs[v]) || (cat != "one" && singularVerbs[v]) {
					t.Errorf("%s with %d: %q — «%s» does not go with %d", k, n, got, m[1], n)
				}
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// The checks above catch what they should.
func TestRussianAgreementCheckerCatches(t *testing.T) {
	if contains(nounForms["участников"], category(21)) {
		t.Error("«21 участников» would pass")
	}
	if !singularVerbs["получит"] || category(5) == "one" {
		t.Error("«Получит 5» would pass")
	}
	for n, want := range map[int]string{0: "many", 1: "one", 2: "few", 4: "few", 5: "many", 11: "many", 12: "many", 14: "many", 21: "one", 22: "few", 111: "many"} {
		if got := category(n); got != want {
			t.Errorf("category(%d) = %s, want %s", n, got, want)
		}
	}
}
