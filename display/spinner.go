package display

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// spinnerFrames are upstream's dots9 frames, drawn every 80 ms.
var spinnerFrames = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

// Spinner animates a message on a terminal until Stop. Lines printed
// meanwhile through the Printer clear the spinner first and it redraws
// after them.
type Spinner struct {
	p       *Printer
	message string // guarded by p.mu
	stop    chan struct{}
	done    sync.WaitGroup
	once    sync.Once
}

// StartSpinner starts a spinner on a terminal printer; off a terminal it
// prints the message once, as a plain line.
func (p *Printer) StartSpinner(message string) *Spinner {
	s := &Spinner{p: p, message: message, stop: make(chan struct{})}
	if !p.Animate {
		p.Raw(message + "\n")
		return s
	}
	p.mu.Lock()
	p.spinning = s
	p.mu.Unlock()
	s.done.Add(1)
	go func() {
		defer s.done.Done()
		t := time.NewTicker(80 * time.Millisecond)
		defer t.Stop()
		for i := 0; ; i++ {
			p.mu.Lock()
			fmt.Fprintf(p.w, "\r\x1b[2K%s %s", spinnerFrames[i%len(spinnerFrames)], s.message)
			p.mu.Unlock()
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

// Set replaces the message a running spinner shows (a count, say). Off a
// terminal, and after Stop, it does nothing: a plain run gets no line per
// step.
func (s *Spinner) Set(message string) {
	if s == nil || !s.p.Animate {
		return
	}
	s.p.mu.Lock()
	s.message = message
	s.p.mu.Unlock()
}

// Stop ends the spinner, replacing it with `✓ {completion}`. Only the
// first Stop does anything.
func (s *Spinner) Stop(completion string) {
	if s == nil {
		return
	}
	s.once.Do(func() {
		if s.p.Animate {
			close(s.stop)
			s.done.Wait()
			s.p.mu.Lock()
			if s.p.spinning == s {
				s.p.spinning = nil
			}
			io.WriteString(s.p.w, "\r\x1b[2K")
			s.p.mu.Unlock()
		}
		if completion != "" {
			s.p.Done(completion)
		}
	})
}

// StopSpinner stops the running spinner, if any, without a completion
// line: whoever needs the terminal's line (a question) calls it.
func (p *Printer) StopSpinner() {
	p.mu.Lock()
	s := p.spinning
	p.mu.Unlock()
	s.Stop("")
}
