package telegramtest

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

func TestParseHTML(t *testing.T) {
	good := []struct{ in, plain string }{
		{"plain text", "plain text"},
		{"<b>bold</b> <strong>s</strong> <i>i</i><em>e</em><u>u</u><ins>n</ins><s>s</s><strike>k</strike><del>d</del>", "bold s ieunskd"},
		{`<span class="tg-spoiler">x</span><tg-spoiler>y</tg-spoiler>`, "xy"},
		{`<a href="https://example.org/?a=1&amp;b=2">link</a>`, "link"},
		{`<a href='tg://user?id=1'>me</a>`, "me"},
		{"<code>x &lt; y</code>", "x < y"},
		{`<pre><code class="language-go">fmt.Println("hi")</code></pre>`, `fmt.Println("hi")`},
		{"<blockquote>q</blockquote><blockquote expandable>e</blockquote>", "qe"},
		{`<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>`, "👍"},
		{"&lt;&gt;&amp;&quot;&#65;&#x42;&#X43;", `<>&"ABC`},
		{"<b>nested <i>and <u>deep</u></i></b>", "nested and deep"},
		{"<B>upper</B>", "upper"},
		{"a > b", "a > b"},
		{"строка\nвторая", "строка\nвторая"},
	}
	for _, tc := range good {
		got, err := ParseHTML(tc.in)
		if err != nil || got != tc.plain {
			t.Errorf("ParseHTML(%q) = %q, %v; want %q", tc.in, got, err, tc.plain)
		}
	}
	bad := []struct{ in, err string }{
		{"1 < 2", `Unsupported start tag "" at byte offset 2`},
		{"<br/>", `Unsupported start tag "br/"`},
		{"<div>x</div>", `Unsupported start tag "div"`},
		{"<b>x", `Can't find end tag corresponding to start tag "b"`},
		{"<b><i>x</b></i>", `Unmatched end tag at byte offset 7, expected "</i>", found "</b>"`},
		{"x</b>", "Unexpected end tag"},
		{"<b>x</strong>", "Unmatched end tag"},
		{"Tom & Jerry", `bare "&"`},
		{"&nbsp;", `bare "&"`},
		{"&#xD800;", `bare "&"`},
		{`<span>x</span>`, `must have class "tg-spoiler"`},
		{`<span class="other">x</span>`, `must have class "tg-spoiler"`},
		{`<tg-emoji>x</tg-emoji>`, `emoji-id`},
		{`<a href="x`, "Unclosed start tag"},
		{`<b`, "Unclosed start tag"},
		{`x</b`, "Unclosed end tag"},
		{`<a href="?a=1&b=2">x</a>`, `bare "&"`},
	}
	for _, tc := range bad {
		_, err := ParseHTML(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("ParseHTML(%q) error %v; want %q", tc.in, err, tc.err)
		}
	}
}

func TestEntitiesUTF16(t *testing.T) {
	_, ents, err := parseHTML(`😀 <b>жир</b> <a href="https://x.org">l</a><pre><code class="language-go">c</code></pre>`)
	if err != nil {
		t.Fatal(err)
	}
	want := []entity{
		{Type: "bold", Offset: 3, Length: 3},
		{Type: "text_link", Offset: 7, Length: 1, URL: "https://x.org"},
		{Type: "pre", Offset: 8, Length: 1, Language: "go"},
	}
	if len(ents) != len(want) {
		t.Fatalf("%+v", ents)
	}
	for i := range want {
		if ents[i] != want[i] {
			t.Fatalf("entity %d: %+v want %+v", i, ents[i], want[i])
		}
	}
}

func TestSendMessageHTMLValidation(t *testing.T) {
	s := newServer(t)
	s.SendText(alice, "hi")
	for _, tc := range []struct {
		text, mode string
		code       int
		desc       string
	}{
		{"<b>ok</b>", "HTML", 0, ""},
		{"<b>ok</b>", "", 0, ""}, // no parse mode: literal
		{"a < b", "", 0, ""},
		{"a < b", "HTML", 400, "Bad Request: can't parse entities: Unsupported start tag"},
		{"<b>x</i>", "HTML", 400, "can't parse entities"},
		{"", "", 400, "Bad Request: message text is empty"},
		{"<b> </b>", "HTML", 400, "message text is empty"},
		{"x", "bogus", 400, "unsupported parse_mode"},
		{"*md*", "MarkdownV2", 0, ""},
	} {
		r := call(t, s, "sendMessage", url.Values{"chat_id": {"1001"}, "text": {tc.text}, "parse_mode": {tc.mode}})
		if tc.code == 0 {
			mustOK(t, r)
		} else {
			mustFail(t, r, tc.code, tc.desc)
		}
	}
	mustFail(t, call(t, s, "sendMessage", url.Values{"chat_id": {"42"}, "text": {"x"}}), 400, "Bad Request: chat not found")
}

func TestTextLimitAfterEntities(t *testing.T) {
	s := newServer(t)
	ctx := testCtx(t)
	b := newClient(t, s)
	s.SendText(alice, "hi")
	send := func(text string, html bool) error {
		p := &bot.SendMessageParams{ChatID: alice.ID, Text: text}
		if html {
			p.ParseMode = models.ParseModeHTML
		}
		_, err := b.SendMessage(ctx, p)
		return err
	}
	tooLong := func(err error) bool {
		return errors.Is(err, bot.ErrorBadRequest) && strings.Contains(err.Error(), "message is too long")
	}
	a := strings.Repeat("a", 4096)
	if err := send("<b>"+a+"</b>", true); err != nil {
		t.Fatalf("4096 inside tags: %v", err)
	}
	if err := send(a+"a", false); !tooLong(err) {
		t.Fatalf("4097: %v", err)
	}
	if err := send(strings.Repeat("&lt;", 4096), true); err != nil {
		t.Fatalf("4096 entities: %v", err)
	}
	if err := send(strings.Repeat("&lt;", 4097), true); !tooLong(err) {
		t.Fatalf("4097 entities: %v", err)
	}
	if err := send(strings.Repeat("я", 4096), false); err != nil {
		t.Fatalf("4096 cyrillic: %v", err)
	}
	if err := send(strings.Repeat("😀", 2048), false); err != nil {
		t.Fatalf("2048 emoji: %v", err)
	}
	if err := send(strings.Repeat("😀", 2049), false); !tooLong(err) {
		t.Fatalf("2049 emoji = 4098 UTF-16 units: %v", err)
	}
}

func TestCallbackDataLimit(t *testing.T) {
	s := newServer(t)
	ctx := testCtx(t)
	b := newClient(t, s)
	s.SendText(alice, "hi")
	send := func(buttons ...models.InlineKeyboardButton) error {
		_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: alice.ID, Text: "x",
			ReplyMarkup: &models.InlineKeyboardMarkup{InlineKeyboard: [][]models.InlineKeyboardButton{buttons}}})
		return err
	}
	invalid := func(err error) bool {
		return errors.Is(err, bot.ErrorBadRequest) && strings.Contains(err.Error(), "BUTTON_DATA_INVALID")
	}
	if err := send(models.InlineKeyboardButton{Text: "ok", CallbackData: strings.Repeat("д", 32)}); err != nil {
		t.Fatalf("64 bytes: %v", err)
	}
	if err := send(models.InlineKeyboardButton{Text: "ok", CallbackData: strings.Repeat("д", 33)}); !invalid(err) {
		t.Fatalf("66 bytes (33 Cyrillic letters): %v", err)
	}
	if err := send(models.InlineKeyboardButton{Text: "", CallbackData: "x"}); !invalid(err) {
		t.Fatalf("empty text: %v", err)
	}
	if err := send(models.InlineKeyboardButton{Text: "no action"}); !invalid(err) {
		t.Fatalf("no action: %v", err)
	}
	if err := send(models.InlineKeyboardButton{Text: "two", CallbackData: "x", URL: "https://a.b"}); !invalid(err) {
		t.Fatalf("two actions: %v", err)
	}
	if err := send(models.InlineKeyboardButton{Text: "url", URL: "https://a.b"}, models.InlineKeyboardButton{Text: "copy", CopyText: models.CopyTextButton{Text: "c"}}); err != nil {
		t.Fatalf("url + copy_text: %v", err)
	}
	if err := send(models.InlineKeyboardButton{Text: "url", URL: "not a url"}); err == nil {
		t.Fatal("bad url accepted")
	}
	if n := len(s.BotMessages(alice.ID)); n != 2 {
		t.Fatalf("stored %d messages", n)
	}
}
