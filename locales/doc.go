// Package locales holds every string a user sees, in Russian (the default)
// and English, as embedded go-i18n TOML catalogs, and the Printer that
// renders them with CLDR plural rules and Russian dates.
//
// # Basics
//
// Load the catalogs once with New; take a Printer for a user's language
// with Catalog.For. Printer.T renders a message, Printer.N a message whose
// form depends on a count (Russian has one, few and many).
//
// # Caveats
//
// Messages are HTML (Telegram's parse mode). Every string value passed to T
// or N is HTML-escaped before it is put into the message, because it is
// usually something a user typed; wrap a value in HTML to pass markup that
// the bot built itself. A key missing from the catalog renders as the key in
// brackets and is a bug: the tests check that every key the bot uses exists
// in both languages.
package locales
