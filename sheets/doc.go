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
// A sheet meant to be printed (the sign-in sheet, the protocol) is made
// with NewSheetLayout: title lines above the header, merged across the
// columns; an A4 page setup that fits the columns to the width and repeats
// the header on every page; and, with Print.Grid, every cell boxed, empty
// ones too, since a spreadsheet does not print its gridlines. A row whose
// wrapping texts hold more than a line is made as high as they need, the
// lines estimated from the columns' widths, so that it opens and prints
// whole whatever the spreadsheet does about row heights.
//
// Caveats: a sheet's rows only go forward (a stream cannot go back); rows
// of different sheets may interleave, each sheet keeping its own buffer
// until Bytes. A sheet's name is at most 31 characters and may not hold
// []:*?/\.
package sheets
