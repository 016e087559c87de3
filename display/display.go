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
	Animate  bool
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
	var b strings.Builder
	action := l.Action
	pad := ActionWidth - len([]rune(action))
	if pad < 0 {
		pad = 0
	}
	b.WriteString(timestamp)
	b.WriteString(strings.Repeat(" ", pad))
	b.WriteString(s.byKind[l.Kind].Render(action))
	msgLines := strings.Split(l.Message, "\n")
	b.WriteString(" " + msgLines[0] + "\n")
	for _, d := range append(msgLines[1:], l.Details...) {
		b.WriteString(timestamp + detailIndent + d + "\n")
	}
	return b.String()
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
		io.WriteString(p.w, p.styles.FormatLine(l, ts))
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

// Raw writes text as is (the processing and completion lines), each line
// after a timestamp when Timestamps is on.
func (p *Printer) Raw(text string) {
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
		b, _ := json.Marshal(LogEntry{Time: p.now().UTC(), Level: "info", Message: strings.TrimSpace(text)})
		p.Log.Write(append(b, '\n'))
	}
}
