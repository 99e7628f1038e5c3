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
package documents
