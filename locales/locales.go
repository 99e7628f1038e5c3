package locales

import (
	"embed"
	"fmt"
	"html"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Languages the bot speaks; the first is the default.
const (
	Russian = "ru"
	English = "en"
)

// Languages lists the supported language codes, the default first.
var Languages = []string{Russian, English}

//go:embed ru.toml en.toml
var files embed.FS

// Catalog holds the parsed catalogs. It is safe for concurrent use.
type Catalog struct {
	bundle     *i18n.Bundle
	localizers map[string]*i18n.Localizer
	keys       map[string][]string
	raw        map[string]map[string]any
}

// New parses the embedded catalogs.
func New() (*Catalog, error) {
	bundle := i18n.NewBundle(language.Russian)
	bundle.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	c := &Catalog{bundle: bundle, localizers: map[string]*i18n.Localizer{}, keys: map[string][]string{}, raw: map[string]map[string]any{}}
	for _, lang := range Languages {
		name := lang + ".toml"
		data, err := files.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("locales: read %s: %w", name, err)
		}
		raw := map[string]any{}
		if err := toml.Unmarshal(data, &raw); err != nil {
			return nil, fmt.Errorf("locales: parse %s: %w", name, err)
		}
		c.raw[lang] = raw
		mf, err := bundle.ParseMessageFileBytes(data, name)
		if err != nil {
			return nil, fmt.Errorf("locales: parse %s: %w", name, err)
		}
		for _, m := range mf.Messages {
			c.keys[lang] = append(c.keys[lang], m.ID)
		}
		sort.Strings(c.keys[lang])
		c.localizers[lang] = i18n.NewLocalizer(bundle, lang)
	}
	return c, nil
}

// Keys returns the message ids of a language's catalog, sorted.
func (c *Catalog) Keys(lang string) []string { return c.keys[lang] }

// Raw returns the catalog entry of key in lang as written: a string, or a
// map of plural forms to strings.
func (c *Catalog) Raw(lang, key string) (any, bool) {
	v, ok := c.raw[lang][key]
	return v, ok
}

// Normalize maps any language code to a supported one: English for codes
// starting with "en", Russian for everything else.
func Normalize(code string) string {
	if strings.HasPrefix(strings.ToLower(code), "en") {
		return English
	}
	return Russian
}

// For returns the Printer for lang (normalised).
func (c *Catalog) For(lang string) Printer {
	lang = Normalize(lang)
	return Printer{lang: lang, l: c.localizers[lang]}
}

// HTML marks markup built by the bot, which T passes through unescaped.
type HTML string

// Printer renders messages in one language. The zero value is not usable.
type Printer struct {
	lang string
	l    *i18n.Localizer
}

// Lang is the printer's language code.
func (p Printer) Lang() string { return p.lang }

// T renders the message key with the name/value pairs kv. String values are
// HTML-escaped; HTML values are not.
func (p Printer) T(key string, kv ...any) string {
	return p.render(key, nil, kv)
}

// N renders the plural message key for count; the template sees the count
// as {{.Count}}.
func (p Printer) N(key string, count int, kv ...any) string {
	return p.render(key, count, kv)
}

func (p Printer) render(key string, count any, kv []any) string {
	var data map[string]any
	if len(kv) > 0 || count != nil {
		data = make(map[string]any, len(kv)/2+1)
		for i := 0; i+1 < len(kv); i += 2 {
			name, _ := kv[i].(string)
			data[name] = escape(kv[i+1])
		}
		if count != nil {
			data["Count"] = count
		}
	}
	s, err := p.l.Localize(&i18n.LocalizeConfig{MessageID: key, TemplateData: data, PluralCount: count})
	if err != nil {
		return "[" + key + "]"
	}
	// A title typed with its own quotes, inside the catalog's «…», would
	// read «««X»» or «Конкурс «X»»: every message is set right here.
	return unnestQuotes(s)
}

func escape(v any) any {
	switch x := v.(type) {
	case string:
		return html.EscapeString(x)
	case HTML:
		return string(x)
	case fmt.Stringer:
		return html.EscapeString(x.String())
	default:
		return v
	}
}
