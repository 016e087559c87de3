package display

import (
	"fmt"
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
	message string
	stop    chan struct{}
	done    sync.WaitGroup
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
			fmt.Fprintf(p.w, "\r\x1b[2K%s %s", spinnerFrames[i%len(spinnerFrames)], message)
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

// Stop ends the spinner, replacing it with `✓ {completion}`.
func (s *Spinner) Stop(completion string) {
	if s.p.Animate {
		close(s.stop)
		s.done.Wait()
		s.p.mu.Lock()
		s.p.spinning = nil
		fmt.Fprint(s.p.w, "\r\x1b[2K")
		s.p.mu.Unlock()
	}
	if completion != "" {
		s.p.Done(completion)
	}
}
