package bot

import (
	"strings"
	"time"
)

// The words parseWhen knows, in Russian and English, lower case.

// whenDays are the relative dates, as days from today, by their words.
var whenDays = map[string]int{
	"сегодня":            0,
	"today":              0,
	"завтра":             1,
	"tomorrow":           1,
	"послезавтра":        2,
	"day after tomorrow": 2,
}

// weekdays maps the names of the days of the week (Russian nominative and
// accusative, as in «в среду», the usual short forms, English) to days.
var weekdays = map[string]time.Weekday{
	"понедельник": time.Monday, "пн": time.Monday, "monday": time.Monday, "mon": time.Monday,
	"вторник": time.Tuesday, "вт": time.Tuesday, "tuesday": time.Tuesday, "tue": time.Tuesday,
	"среда": time.Wednesday, "среду": time.Wednesday, "ср": time.Wednesday, "wednesday": time.Wednesday, "wed": time.Wednesday,
	"четверг": time.Thursday, "чт": time.Thursday, "thursday": time.Thursday, "thu": time.Thursday,
	"пятница": time.Friday, "пятницу": time.Friday, "пт": time.Friday, "friday": time.Friday, "fri": time.Friday,
	"суббота": time.Saturday, "субботу": time.Saturday, "сб": time.Saturday, "saturday": time.Saturday, "sat": time.Saturday,
	"воскресенье": time.Sunday, "вс": time.Sunday, "sunday": time.Sunday, "sun": time.Sunday,
}

// weekdayWords reads "четверг", "в четверг", "во вторник", "on thursday".
func weekdayWords(words []string) (time.Weekday, bool) {
	switch {
	case len(words) == 2 && (words[0] == "в" || words[0] == "во" || words[0] == "on"):
		words = words[1:]
	case len(words) != 1:
		return 0, false
	}
	wd, ok := weekdays[strings.TrimSuffix(words[0], ".")]
	return wd, ok
}

// monthNames maps month words to month numbers: Russian genitive ("3
// декабря") and its usual short forms ("3 дек", "3 сент."), English full and
// three-letter names.
var monthNames = func() map[string]int {
	m := map[string]int{}
	ru := []string{"января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря"}
	en := []string{"january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"}
	for i := range ru {
		m[ru[i]] = i + 1
		m[en[i]] = i + 1
		m[en[i][:3]] = i + 1
	}
	for short, month := range map[string]int{
		"янв": 1, "фев": 2, "февр": 2, "мар": 3, "апр": 4, "июн": 6, "июл": 7, "авг": 8,
		"сен": 9, "сент": 9, "окт": 10, "ноя": 11, "нояб": 11, "дек": 12, "sept": 9,
	} {
		m[short] = month
	}
	return m
}()

// yearWords may follow a year: "15 апреля 2027 г.", "15 апреля 2027 года".
var yearWords = map[string]bool{"г": true, "г.": true, "года": true, "год": true}

// monthWords reads "3 декабря", "3 дек.", "3 декабря 2026", "3 декабря
// 2026 г."; year is 0 when absent; ranges are not checked here.
func monthWords(words []string) (day, month, year int, ok bool) {
	if len(words) == 4 && yearWords[words[3]] {
		words = words[:3]
	}
	if len(words) != 2 && len(words) != 3 || len(words[0]) > 2 {
		return 0, 0, 0, false
	}
	name := words[1]
	if len(name) > 2 && strings.HasSuffix(name, ".") {
		name = name[:len(name)-1]
	}
	if month, ok = monthNames[name]; !ok {
		return 0, 0, 0, false
	}
	if day, ok = digits(words[0]); !ok {
		return 0, 0, 0, false
	}
	if len(words) == 3 {
		y := strings.TrimSuffix(strings.TrimSuffix(words[2], "."), "г")
		if year, ok = digits(y); !ok || len(y) != 4 {
			return 0, 0, 0, false
		}
	}
	return day, month, year, true
}
