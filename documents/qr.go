package documents

import (
	"fmt"
	"image"

	"codeberg.org/go-pdf/fpdf"
	"github.com/boombuler/barcode/qr"
)

// quietModules is the white margin a QR code needs around it, in modules
// (ISO/IEC 18004 asks for 4).
const quietModules = 4

// drawQR prints text as a QR code (medium error correction) whose square,
// quiet zone included, is size mm wide at x, y. The modules are vector
// rectangles, one filled path, so the code stays sharp at any zoom and
// prints without seams; nothing is cached between documents (fpdf's
// contrib/barcode keeps every code it registered in a global map and
// embeds it as a JPEG).
func drawQR(pdf *fpdf.Fpdf, text string, x, y, size float64) error {
	code, err := qr.Encode(text, qr.M, qr.Auto)
	if err != nil {
		return fmt.Errorf("documents: qr code: %w", err)
	}
	n := code.Bounds().Dx()
	m := size / float64(n+2*quietModules)
	x0, y0 := x+quietModules*m, y+quietModules*m
	pdf.SetFillColor(0, 0, 0)
	drawn := false
	for row := 0; row < n; row++ {
		for col := 0; col < n; {
			if !dark(code, col, row) {
				col++
				continue
			}
			end := col
			for end < n && dark(code, end, row) {
				end++
			}
			// A run of dark modules in a row is one rectangle.
			left, right := x0+float64(col)*m, x0+float64(end)*m
			top, bottom := y0+float64(row)*m, y0+float64(row+1)*m
			pdf.MoveTo(left, top)
			pdf.LineTo(right, top)
			pdf.LineTo(right, bottom)
			pdf.LineTo(left, bottom)
			pdf.ClosePath()
			drawn = true
			col = end
		}
	}
	if drawn {
		pdf.DrawPath("F")
	}
	return nil
}

// dark reports whether the module at x, y is black.
func dark(code image.Image, x, y int) bool {
	r, _, _, _ := code.At(x, y).RGBA()
	return r < 0x8000
}
