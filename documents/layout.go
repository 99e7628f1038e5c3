package documents

import (
	"strings"

	"codeberg.org/go-pdf/fpdf"
)

// block is one paragraph of a page laid out top to bottom in a box: text
// in one style and ink, centred, that may shrink from its size to its
// smallest size and wrap to the box's width.
type block struct {
	text  string
	style string  // "", "B" or "I"
	size  float64 // the size it prints in when there is room, pt
	min   float64 // the smallest size it may shrink to, pt
	gap   float64 // space above it at full size, mm
	ink   rgb
	// cut marks a block that may lose its last lines, ended with "…",
	// when the page has no room for all of it even at the smallest sizes
	// (a list of pupils or organisers).
	cut bool
}

// leading is the line height as a multiple of the font size.
const leading = 1.18

// placed is a block fitted to its box: the size it prints in, its gap and
// its lines.
type placed struct {
	block
	pt    float64
	gapMM float64
	lines []string
}

func (b placed) height() float64 {
	return b.gapMM + float64(len(b.lines))*b.pt*ptToMM*leading
}

// fitBlocks lays blocks out in a box w wide and h high. It shrinks every
// block by one factor, the lists by its square (none below its smallest
// size), until they fit;
// if they do not fit at the smallest sizes, it drops the last lines of the
// cuttable blocks, longest first. The result never passes h. pdf is used
// to measure text only: call it before a page is added, so that the
// measuring leaves nothing in the page's content.
func fitBlocks(pdf *fpdf.Fpdf, blocks []block, w, h float64) []placed {
	var out []placed
	for scale := 1.0; ; scale -= 0.04 {
		floor := scale <= 0.3
		out = layBlocks(pdf, blocks, w, scale, out[:0])
		if total(out) <= h {
			return out
		}
		if floor {
			break
		}
	}
	// Even the smallest sizes overflow: cut the longest cuttable block a
	// line at a time.
	for total(out) > h {
		longest := -1
		for i, b := range out {
			if b.cut && len(b.lines) > 1 && (longest < 0 || len(b.lines) > len(out[longest].lines)) {
				longest = i
			}
		}
		if longest < 0 {
			break
		}
		b := &out[longest]
		b.lines = b.lines[:len(b.lines)-1]
		pdf.SetFont(fontFamily, b.style, b.pt)
		b.lines[len(b.lines)-1] = ellipsis(pdf, b.lines[len(b.lines)-1], w)
	}
	// Nothing cuttable is left: drop whole blocks from the end, which
	// keeps the page within its box whatever the caller gave.
	for len(out) > 0 && total(out) > h {
		out = out[:len(out)-1]
	}
	return out
}

func layBlocks(pdf *fpdf.Fpdf, blocks []block, w, scale float64, out []placed) []placed {
	for _, b := range blocks {
		if b.text == "" {
			continue
		}
		// Lists give way first: they shrink by the square of the scale,
		// so that the heading and the recipient keep their size longest.
		f := scale
		if b.cut {
			f = scale * scale
		}
		pt := max(b.size*f, b.min)
		pdf.SetFont(fontFamily, b.style, pt)
		out = append(out, placed{block: b, pt: pt, gapMM: b.gap * max(scale, 0.3), lines: pdf.SplitText(b.text, w)})
	}
	return out
}

func total(bs []placed) float64 {
	h := 0.0
	for _, b := range bs {
		h += b.height()
	}
	return h
}

// ellipsis ends line with "…", dropping words until it fits w.
func ellipsis(pdf *fpdf.Fpdf, line string, w float64) string {
	line = strings.TrimRight(line, " ,;")
	for line != "" && pdf.GetStringWidth(line+" …") > w {
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			r := []rune(line)
			line = string(r[:len(r)-1])
			continue
		}
		line = strings.TrimRight(line[:i], " ,;")
	}
	return line + " …"
}

// drawBlocks prints fitted blocks centred in the box at x, y, w wide,
// vertically centred in its height h.
func drawBlocks(pdf *fpdf.Fpdf, bs []placed, x, y, w, h float64) {
	y += (h - total(bs)) / 2
	for _, b := range bs {
		y += b.gapMM
		pdf.SetFont(fontFamily, b.style, b.pt)
		textInk(pdf, b.ink)
		lh := b.pt * ptToMM * leading
		for _, line := range b.lines {
			pdf.SetXY(x, y)
			pdf.CellFormat(w, lh, line, "", 0, "C", false, 0, "")
			y += lh
		}
	}
}
