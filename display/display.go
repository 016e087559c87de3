// Package display renders moose-dev's terminal output in upstream's format:
// an action right-aligned in 15 columns, styled, a space, the message;
// detail lines indented 18 spaces; `+ ` green, `- ` red, `~ ` yellow.
// Rendering is a pure function of its inputs; colour is decided once, in
// NewStyles.
package display

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
	"golang.org/x/sys/unix"
)

// ActionWidth is the width of the right-aligned action column.
const ActionWidth = 15

// detailIndent prefixes detail lines (ActionWidth + 3).
var detailIndent = strings.Repeat(" ", ActionWidth+3)

// Kind is a message type.
type Kind int

// Message kinds, styled as upstream styles them.
const (
	Info Kind = iota
	Success
	Warning
	Error
	Highlight
	Added
	Removed
	Changed
)

// Style renders text in a kind's style (plain without colour).
func (s Styles) Style(k Kind, text string) string { return s.byKind[k].Render(text) }

// Styles holds every style the renderer uses.
type Styles struct {
	byKind map[Kind]lipgloss.Style
}

// NewStyles returns styles with colour on or off.
func NewStyles(color bool) Styles {
	r := lipgloss.NewRenderer(io.Discard)
	if color {
		r.SetColorProfile(termenv.ANSI)
	} else {
		r.SetColorProfile(termenv.Ascii)
	}
	st := func() lipgloss.Style { return r.NewStyle() }
	return Styles{byKind: map[Kind]lipgloss.Style{
		Info:      st().Foreground(lipgloss.Color("6")).Bold(true),
		Success:   st().Foreground(lipgloss.Color("2")).Bold(true),
		Warning:   st().Foreground(lipgloss.Color("3")).Bold(true),
		Error:     st().Foreground(lipgloss.Color("1")).Bold(true),
		Highlight: st().Background(lipgloss.Color("2")).Bold(true),
		Added:     st().Foreground(lipgloss.Color("2")),
		Removed:   st().Foreground(lipgloss.Color("1")),
		Changed:   st().Foreground(lipgloss.Color("3")),
	}}
}

// ColorWanted reports whether output to f should be coloured: a terminal,
// and neither NO_COLOR nor NO_ANSI set.
func ColorWanted(f *os.File) bool {
	if os.Getenv("NO_COLOR") != "" || os.Getenv("NO_ANSI") != "" {
		return false
	}
	return IsTerminal(f)
}

// TerminalWidth is the width of the terminal f is, or 0.
func TerminalWidth(f *os.File) int {
	ws, err := unix.IoctlGetWinsize(int(f.Fd()), unix.TIOCGWINSZ)
	if err != nil {
		return 0
	}
	return int(ws.Col)
}

// IsTerminal reports whether f is a terminal: a descriptor that answers a
// terminal's ioctl. A character device is not enough: /dev/null is one, and
// it is what nohup, systemd and CI give a daemon.
func IsTerminal(f *os.File) bool {
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// Printer writes lines. It is safe for concurrent use.
type Printer struct {
	mu         sync.Mutex
	w          io.Writer
	styles     Styles
	Timestamps bool
	now        func() time.Time
	// Log, when set, receives every line as a JSON object (time, level,
	// action, message), for `moose-dev logs`.
	Log io.Writer
	// Animate draws spinners (set on a terminal).
	Animate bool
	// Width, when positive, is the terminal's: long messages wrap onto
	// detail lines instead of being cut by the terminal mid-word.
	Width    int
	spinning *Spinner
}

// LogEntry is one line of the structured log.
type LogEntry struct {
	Time    time.Time `json:"time"`
	Level   string    `json:"level"`
	Action  string    `json:"action,omitempty"`
	Message string    `json:"message"`
}

var levels = map[Kind]string{Info: "info", Success: "info", Highlight: "info", Warning: "warn", Error: "error",
	Added: "change", Removed: "change", Changed: "change"}

// NewPrinter writes to w with the given styles.
func NewPrinter(w io.Writer, styles Styles) *Printer {
	return &Printer{w: w, styles: styles, now: time.Now}
}

// Line is one message: action, styled by kind, and the message. Multi-line
// messages continue on detail lines.
type Line struct {
	Kind    Kind
	Action  string
	Message string
	Details []string
}

// FormatLine renders a line (without trailing newline handling of details).
func (s Styles) FormatLine(l Line, timestamp string) string {
	return s.formatLine(l, timestamp, 0)
}

// formatLine renders a line; width, when positive, is the terminal's, and
// long messages wrap at a space onto detail lines.
//
// Colour, as upstream's change display: the action in its kind's style;
// the message of a change line (+, -, ~) in its colour; a detail line
// that starts with its own marker (`+ `, `- `, `~ `, `⚠`) in that
// marker's colour, the others of a change line in the line's. Nothing is
// rendered for an empty action, so plain continuation lines carry no
// escape codes.
func (s Styles) formatLine(l Line, timestamp string, width int) string {
	var b strings.Builder
	action := l.Action
	pad := ActionWidth - len([]rune(action))
	if pad < 0 {
		pad = 0
	}
	b.WriteString(timestamp)
	b.WriteString(strings.Repeat(" ", pad))
	if action != "" {
		b.WriteString(s.byKind[l.Kind].Render(action))
	}
	msgLines := strings.Split(l.Message, "\n")
	first, rest := wrap(msgLines[0], width-ActionWidth-1-len(timestamp), width-len(detailIndent)-len(timestamp))
	change := l.Kind == Added || l.Kind == Removed || l.Kind == Changed
	body := func(text string) string {
		if change && text != "" {
			return s.byKind[l.Kind].Render(text)
		}
		return text
	}
	b.WriteString(" " + body(first) + "\n")
	details := append(rest, msgLines[1:]...)
	for _, d := range append(details, l.Details...) {
		b.WriteString(timestamp + detailIndent + s.detail(d, l.Kind, change) + "\n")
	}
	return b.String()
}

// detail styles one detail line by its leading marker.
func (s Styles) detail(d string, kind Kind, change bool) string {
	t := strings.TrimLeft(d, " ")
	switch {
	case d == "":
		return d
	case strings.HasPrefix(t, "+ "):
		return s.byKind[Added].Render(d)
	case strings.HasPrefix(t, "- "):
		return s.byKind[Removed].Render(d)
	case strings.HasPrefix(t, "~ "):
		return s.byKind[Changed].Render(d)
	case strings.HasPrefix(t, "⚠"):
		return s.byKind[Warning].Render(d)
	case change:
		return s.byKind[kind].Render(d)
	}
	return d
}

// wrap splits text at spaces into a first line of at most firstWidth runes
// and further lines of at most restWidth; a word longer than a line stays
// whole. A width under 20 means no wrapping.
func wrap(text string, firstWidth, restWidth int) (string, []string) {
	if firstWidth < 20 || restWidth < 20 || len([]rune(text)) <= firstWidth {
		return text, nil
	}
	words := strings.Split(text, " ")
	var lines []string
	var cur strings.Builder
	limit := firstWidth
	for _, w := range words {
		if cur.Len() > 0 && len([]rune(cur.String()))+1+len([]rune(w)) > limit {
			lines = append(lines, cur.String())
			cur.Reset()
			limit = restWidth
		}
		if cur.Len() > 0 {
			cur.WriteByte(' ')
		}
		cur.WriteString(w)
	}
	lines = append(lines, cur.String())
	return lines[0], lines[1:]
}

// Print writes lines.
func (p *Printer) Print(lines ...Line) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, l := range lines {
		ts := ""
		if p.Timestamps {
			ts = p.now().Format("15:04:05.000") + " "
		}
		if p.spinning != nil {
			io.WriteString(p.w, "\r\x1b[2K") // the spinner redraws below
		}
		io.WriteString(p.w, p.styles.formatLine(l, ts, p.Width))
		if p.Log != nil {
			msg := strings.Join(append([]string{l.Message}, l.Details...), "\n")
			b, _ := json.Marshal(LogEntry{Time: p.now().UTC(), Level: levels[l.Kind], Action: strings.TrimSpace(l.Action), Message: msg})
			p.Log.Write(append(b, '\n'))
		}
	}
}

// Infof prints an Info line.
func (p *Printer) Infof(action, format string, args ...any) {
	p.Print(Line{Kind: Info, Action: action, Message: fmt.Sprintf(format, args...)})
}

// Successf prints a Success line.
func (p *Printer) Successf(action, format string, args ...any) {
	p.Print(Line{Kind: Success, Action: action, Message: fmt.Sprintf(format, args...)})
}

// Warnf prints a Warning line.
func (p *Printer) Warnf(action, format string, args ...any) {
	p.Print(Line{Kind: Warning, Action: action, Message: fmt.Sprintf(format, args...)})
}

// Done writes upstream's completion line, `✓ {message}`, the mark in the
// success style.
func (p *Printer) Done(message string) {
	p.raw(p.styles.byKind[Success].Render("✓")+" "+message+"\n", "✓ "+message)
}

// Raw writes text as is (the processing and completion lines), each line
// after a timestamp when Timestamps is on.
func (p *Printer) Raw(text string) { p.raw(text, text) }

// raw writes text, logging plain (text without its styles).
func (p *Printer) raw(text, plain string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := text
	if p.Timestamps {
		ts := p.now().Format("15:04:05.000") + " "
		body, nl := strings.CutSuffix(text, "\n")
		out = ts + strings.ReplaceAll(body, "\n", "\n"+ts)
		if nl {
			out += "\n"
		}
	}
	if p.spinning != nil {
		io.WriteString(p.w, "\r\x1b[2K") // the spinner redraws below
	}
	io.WriteString(p.w, out)
	if p.Log != nil {
		b, _ := json.Marshal(LogEntry{Time: p.now().UTC(), Level: "info", Message: strings.TrimSpace(plain)})
		p.Log.Write(append(b, '\n'))
	}
}
