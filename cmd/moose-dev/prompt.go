package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	"github.com/moose-dev/moose-dev/display"
)

// prompter asks a person to confirm changes without stopping the daemon: a
// question is printed and answered in the background while reloads go on;
// the changes it is about wait meanwhile (devloop.Options.Waiting), and the
// daemon reloads when the answer arrives (Answered). Each set of changes is
// asked about once: an answered change keeps its answer for the session.
type prompter struct {
	out    io.Writer
	styles display.Styles // the question in the warning style, the changes in red
	// answered delivers a signal after each answer; the daemon reloads.
	answered chan struct{}

	mu      sync.Mutex
	answers map[string]bool // description -> yes, until a yes is used
	asking  bool            // a question is open
	reply   chan string     // the open question's answer, while one waits
	eof     bool            // stdin ended: every question is no
	ignored int             // lines typed while no question was open
}

// newPrompter reads answers from in. It returns nil unless in and out are
// both terminals: under nohup, systemd or CI nobody is there to answer.
func newPrompter(in, out *os.File) *prompter {
	if !display.IsTerminal(in) || !display.IsTerminal(out) {
		return nil
	}
	p := startPrompter(in, out)
	p.styles = display.NewStyles(display.ColorWanted(out))
	return p
}

// startPrompter reads in line by line; a line is an answer only while a
// question is open (one typed ahead answers nothing).
func startPrompter(in io.Reader, out io.Writer) *prompter {
	p := &prompter{out: out, styles: display.NewStyles(false), answered: make(chan struct{}, 1), answers: map[string]bool{}}
	go func() {
		sc := bufio.NewScanner(in)
		for sc.Scan() {
			p.mu.Lock()
			reply := p.reply
			p.reply = nil
			p.mu.Unlock()
			if reply != nil {
				reply <- sc.Text()
				continue
			}
			p.mu.Lock()
			p.ignored++
			p.mu.Unlock()
		}
		p.mu.Lock()
		p.eof = true
		if p.reply != nil {
			close(p.reply)
			p.reply = nil
		}
		p.mu.Unlock()
	}()
	return p
}

// waiting reports whether descs are still to be answered; when they are
// and no question is open, it asks about them. A question in skip (one a
// flag already answers) is never waited for.
func (p *prompter) waiting(skip map[string]bool) func(string, []string) bool {
	return func(question string, descs []string) bool {
		if skip[question] {
			return false
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		var open []string
		for _, d := range descs {
			if _, ok := p.answers[d]; !ok {
				open = append(open, d)
			}
		}
		if len(open) > 0 && !p.asking {
			p.asking = true
			go p.ask(question, open)
		}
		return len(open) > 0
	}
}

// confirmed is yes when every one of descs was answered yes. A yes is
// used once: the same change met again later (a column dropped, re-added
// and dropped again) is asked about again; a no stands for the session.
func (p *prompter) confirmed(descs []string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, d := range descs {
		if !p.answers[d] {
			return false
		}
	}
	for _, d := range descs {
		delete(p.answers, d)
	}
	return true
}

func (p *prompter) ask(question string, descs []string) {
	var b strings.Builder
	fmt.Fprintln(&b, p.styles.Style(display.Warning, question))
	for _, d := range descs {
		fmt.Fprintln(&b, p.styles.Style(display.Removed, "  - "+d))
	}
	fmt.Fprint(&b, "Apply? [y/N] ")
	reply := make(chan string, 1)
	p.mu.Lock()
	if p.eof {
		close(reply)
	} else {
		p.reply = reply
	}
	p.mu.Unlock()
	io.WriteString(p.out, b.String())
	line, ok := <-reply
	answer := strings.ToLower(strings.TrimSpace(line))
	yes := ok && (answer == "y" || answer == "yes")
	p.mu.Lock()
	for _, d := range descs {
		p.answers[d] = yes
	}
	p.asking = false
	p.mu.Unlock()
	select {
	case p.answered <- struct{}{}:
	default: // a reload is already due
	}
}
