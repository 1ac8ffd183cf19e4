// Command shot supports scripts/dashboard-screenshot.sh:
//
//	shot netlog FILE            list the requests a file:// page made, from a
//	                            Chromium --log-net-log file; exit 1 if any
//	shot fit [flags] IN OUT     trim the empty background below the page,
//	                            cut at -max-height, scale by -scale, and
//	                            write a compact PNG
//	shot dom FILE N             check a --dump-dom file: N metric cards, each
//	                            with an <svg>, no <script>; exit 1 if not
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "netlog":
		if len(os.Args) != 3 {
			usage()
		}
		err = netlog(os.Args[2])
	case "fit":
		err = fit(os.Args[2:])
	case "dom":
		if len(os.Args) != 4 {
			usage()
		}
		err = dom(os.Args[2], os.Args[3])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "shot:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: shot netlog FILE | shot fit [-max-height N] [-scale F] IN OUT | shot dom FILE CARDS")
	os.Exit(2)
}

// netlog reads a NetLog JSON file and lists the URL requests started on
// behalf of a file:// page (their network isolation key or initiator is the
// file origin). Requests Chromium makes for itself (update checks, account
// probes) have no such key; they are counted apart and never reach the
// network here (the script maps every host name to NOTFOUND).
func netlog(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var log struct {
		Constants struct {
			LogEventTypes map[string]int `json:"logEventTypes"`
		} `json:"constants"`
		Events []struct {
			Type   int `json:"type"`
			Params struct {
				URL       string `json:"url"`
				Initiator string `json:"initiator"`
				NIK       string `json:"network_isolation_key"`
			} `json:"params"`
		} `json:"events"`
	}
	if err := json.Unmarshal(b, &log); err != nil {
		// A log cut short on exit lacks its closing brackets.
		t := bytes.TrimRight(bytes.TrimSpace(b), ",")
		if err2 := json.Unmarshal(append(t, []byte("]}")...), &log); err2 != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	start, ok := log.Constants.LogEventTypes["URL_REQUEST_START_JOB"]
	if !ok {
		return fmt.Errorf("%s: no URL_REQUEST_START_JOB event type: not a NetLog file?", path)
	}
	var page, browser []string
	for _, e := range log.Events {
		if e.Type != start {
			continue
		}
		p := e.Params
		if strings.Contains(p.NIK, "file://") || p.Initiator == "null" || strings.HasPrefix(p.Initiator, "file://") {
			page = append(page, p.URL)
		} else {
			browser = append(browser, p.URL)
		}
	}
	fmt.Printf("netlog: %d request(s) from the page, %d from the browser itself (blocked by the host resolver rules)\n", len(page), len(browser))
	for _, u := range page {
		fmt.Printf("  page request: %s\n", u)
	}
	if len(page) > 0 {
		return fmt.Errorf("the page made %d network request(s)", len(page))
	}
	return nil
}

// fit trims the uniform background below the content, cuts the image at
// maxHeight (after scaling), scales it by an area average and writes it with
// the best PNG compression.
func fit(args []string) error {
	fs := flag.NewFlagSet("fit", flag.ContinueOnError)
	maxH := fs.Int("max-height", 0, "cut the (scaled) image at this height; 0 keeps all")
	scale := fs.Float64("scale", 1, "scale factor, at most 1")
	pad := fs.Int("pad", 0, "background rows to keep below the content")
	colors := fs.Int("colors", 0, "reduce to this many colours (at most 256) for a smaller file; 0 keeps full colour")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 2 || *scale <= 0 || *scale > 1 {
		usage()
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	src, err := png.Decode(f)
	f.Close()
	if err != nil {
		return err
	}
	bnd := src.Bounds()
	// Trim: the last row that differs from the bottom row's colour.
	bottom := bnd.Max.Y
	bg := src.At(bnd.Min.X, bnd.Max.Y-1)
	for y := bnd.Max.Y - 1; y >= bnd.Min.Y; y-- {
		same := true
		for x := bnd.Min.X; x < bnd.Max.X && same; x++ {
			same = sameColor(src.At(x, y), bg)
		}
		if !same {
			break
		}
		bottom = y
	}
	bottom += *pad
	if bottom > bnd.Max.Y {
		bottom = bnd.Max.Y
	}
	h := bottom - bnd.Min.Y
	if *maxH > 0 && float64(h)**scale > float64(*maxH) {
		h = int(float64(*maxH) / *scale)
	}
	w := bnd.Dx()
	dw, dh := int(float64(w)**scale+0.5), int(float64(h)**scale+0.5)
	dst := image.NewNRGBA(image.Rect(0, 0, dw, dh))
	inv := 1 / *scale
	for dy := 0; dy < dh; dy++ {
		y0, y1 := float64(dy)*inv, float64(dy+1)*inv
		for dx := 0; dx < dw; dx++ {
			x0, x1 := float64(dx)*inv, float64(dx+1)*inv
			var r, g, b, a, wsum float64
			for sy := int(y0); float64(sy) < y1 && sy < h; sy++ {
				wy := overlap(float64(sy), y0, y1)
				for sx := int(x0); float64(sx) < x1 && sx < w; sx++ {
					wx := overlap(float64(sx), x0, x1)
					cr, cg, cb, ca := src.At(bnd.Min.X+sx, bnd.Min.Y+sy).RGBA()
					k := wx * wy
					r, g, b, a, wsum = r+k*float64(cr), g+k*float64(cg), b+k*float64(cb), a+k*float64(ca), wsum+k
				}
			}
			if wsum == 0 {
				continue
			}
			dst.Set(dx, dy, color.RGBA64{uint16(r / wsum), uint16(g / wsum), uint16(b / wsum), uint16(a / wsum)})
		}
	}
	var img image.Image = dst
	if *colors > 0 {
		img = quantize(dst, *colors)
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, img); err != nil {
		return err
	}
	if err := os.WriteFile(fs.Arg(1), buf.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Printf("fit: %s %dx%d -> %s %dx%d, %d KB\n", fs.Arg(0), bnd.Dx(), bnd.Dy(), fs.Arg(1), dw, dh, buf.Len()/1024)
	return nil
}

// quantize maps an image to a palette of its n most frequent colours
// (nearest colour for the others). Screenshots of flat UI are mostly a few
// colours plus anti-aliasing, so this keeps them sharp at a third of the size.
func quantize(src *image.NRGBA, n int) *image.Paletted {
	if n > 256 {
		n = 256
	}
	count := map[color.NRGBA]int{}
	b := src.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			count[src.NRGBAAt(x, y)]++
		}
	}
	type cc struct {
		c color.NRGBA
		n int
	}
	all := make([]cc, 0, len(count))
	for c, k := range count {
		all = append(all, cc{c, k})
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].n != all[j].n {
			return all[i].n > all[j].n
		}
		a, b := all[i].c, all[j].c
		return uint32(a.R)<<24|uint32(a.G)<<16|uint32(a.B)<<8|uint32(a.A) < uint32(b.R)<<24|uint32(b.G)<<16|uint32(b.B)<<8|uint32(b.A)
	})
	var pal color.Palette
	for i := 0; i < len(all) && i < n; i++ {
		pal = append(pal, all[i].c)
	}
	dst := image.NewPaletted(b, pal)
	idx := map[color.NRGBA]uint8{}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := src.NRGBAAt(x, y)
			i, ok := idx[c]
			if !ok {
				i = uint8(pal.Index(c))
				idx[c] = i
			}
			dst.SetColorIndex(x, y, i)
		}
	}
	return dst
}

// overlap is how much of the unit cell [p, p+1) lies in [a, b).
func overlap(p, a, b float64) float64 {
	lo, hi := p, p+1
	if a > lo {
		lo = a
	}
	if b < hi {
		hi = b
	}
	if hi <= lo {
		return 0
	}
	return hi - lo
}

func sameColor(a, b color.Color) bool {
	r1, g1, b1, a1 := a.RGBA()
	r2, g2, b2, a2 := b.RGBA()
	return r1 == r2 && g1 == g2 && b1 == b2 && a1 == a2
}

var (
	cardRe   = regexp.MustCompile(`<article class="card [^"]*"[^>]*>`)
	svgRe    = regexp.MustCompile(`(?s)<article class="card .*?</article>`)
	scriptRe = regexp.MustCompile(`(?i)<script`)
)

// dom checks the DOM Chromium built from the page (--dump-dom): the
// expected number of metric cards, an <svg> chart in each, no script.
func dom(path, want string) error {
	n, err := strconv.Atoi(want)
	if err != nil {
		return err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	s := string(b)
	cards := cardRe.FindAllString(s, -1)
	withSVG := 0
	for _, c := range svgRe.FindAllString(s, -1) {
		if strings.Contains(c, "<svg") {
			withSVG++
		}
	}
	polylines := strings.Count(s, "<polyline")
	fmt.Printf("dom: %d metric cards, %d with an <svg> chart, %d polylines, %d bytes\n", len(cards), withSVG, polylines, len(b))
	switch {
	case len(cards) != n:
		return fmt.Errorf("%d metric cards rendered, want %d", len(cards), n)
	case withSVG != n:
		return fmt.Errorf("%d of %d cards have an <svg> chart", withSVG, n)
	case scriptRe.MatchString(s):
		return fmt.Errorf("the rendered DOM has a <script> element")
	}
	return nil
}
