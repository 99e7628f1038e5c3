// Package sheets writes the spreadsheets the bot sends: XLSX workbooks
// through excelize's stream writer, so that a sheet of ten thousand rows
// costs a buffer of XML rather than a cell tree in memory, and the same
// rows as CSV for those who ask for it.
//
// A Workbook is written sheet by sheet: NewSheet lays out the columns (a
// bold, frozen header, each column its width), Row appends one row, and
// Bytes ends every sheet and returns the file. Values keep their types:
// a number stays a number, a time.Time becomes a real date in the
// workbook's time zone (Day for a date without the time of day), nil is
// an empty cell. A Workbook is not safe for concurrent use.
//
// Caveats: a sheet's rows only go forward (a stream cannot go back); rows
// of different sheets may interleave, each sheet keeping its own buffer
// until Bytes. A sheet's name is at most 31 characters and may not hold
// []:*?/\.
package sheets
