// Package documents prints the papers of an event as PDF: the diplomas,
// laureate diplomas, participation certificates and thank-you letters
// issued after results (certificate.go), and the sheets for the day — the
// sign-in sheet and the results protocol (sheets.go).
//
// It takes plain data and a locales.Printer for its words, and imports
// nothing else of ours: callers (bot, scheduler through a renderer) read
// storage and fill the data in. Every page is A4 with the Liberation fonts
// embedded from their Go module, so Cyrillic prints the same on every
// machine.
//
// # Layout
//
// A certificate is one page whatever it is given: its text is a column of
// blocks (layout.go) that shrink together, each no smaller than its
// least size, and wrap to the width; lists that still do not fit (pupils,
// organisers) lose their last lines to «…». The QR code (qr.go) is drawn
// as vector modules with its quiet zone. A sheet is measured before it is
// printed (table.go): rows are shared out to pages so that none splits,
// which gives «Стр. N из M» without a second rendering.
//
// # Caveats
//
// fpdf cannot share a parsed font between documents: each document parses
// the three TrueType styles and writes their subsets, about four fifths
// of its cost (BENCHMARKS.md, «Issue 13: documents»). Text is passed through
// printable: emoji and pictographs the fonts lack are dropped, not printed
// as boxes. Documents are reproducible: the same data prints the same
// bytes (the file's dates are the day of issue or of the event).
package documents
