package bot

import (
	"testing"

	"github.com/go-telegram/bot/models"
)

func TestEntitiesHTML(t *testing.T) {
	ent := func(typ models.MessageEntityType, off, n int) models.MessageEntity {
		return models.MessageEntity{Type: typ, Offset: off, Length: n}
	}
	link := ent(models.MessageEntityTypeTextLink, 0, 6)
	link.URL = `https://example.org/?a=1&b="2"`
	tests := []struct {
		name, text string
		ents       []models.MessageEntity
		want       string
	}{
		{"plain, escaped", "5 < 7 & «да»", nil, "5 &lt; 7 &amp; «да»"},
		{"bold word", "Сбор в 9:30", []models.MessageEntity{ent(models.MessageEntityTypeBold, 5, 6)}, "Сбор <b>в 9:30</b>"},
		{"nested", "abcdef", []models.MessageEntity{ent(models.MessageEntityTypeBold, 0, 6), ent(models.MessageEntityTypeItalic, 2, 2)}, "<b>ab<i>cd</i>ef</b>"},
		{"same end", "abcd", []models.MessageEntity{ent(models.MessageEntityTypeBold, 0, 4), ent(models.MessageEntityTypeItalic, 2, 2)}, "<b>ab<i>cd</i></b>"},
		{"overlap", "abcdef", []models.MessageEntity{ent(models.MessageEntityTypeBold, 0, 4), ent(models.MessageEntityTypeItalic, 2, 4)}, "<b>ab<i>cd</i></b><i>ef</i>"},
		{"emoji counts two units", "🎉 Итоги", []models.MessageEntity{ent(models.MessageEntityTypeBold, 3, 5)}, "🎉 <b>Итоги</b>"},
		{"link escaped", "сайт: x", []models.MessageEntity{link}, `<a href="https://example.org/?a=1&amp;b=&#34;2&#34;">сайт: </a>x`},
		{"found by Telegram: left as text", "#конкурс @vmeste", []models.MessageEntity{ent(models.MessageEntityTypeHashtag, 0, 8)}, "#конкурс @vmeste"},
		{"out of range: ignored", "ab", []models.MessageEntity{ent(models.MessageEntityTypeBold, 1, 9)}, "ab"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := entitiesHTML(tt.text, tt.ents); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
