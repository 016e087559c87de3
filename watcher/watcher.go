// Package watcher watches a project's source directory recursively and
// delivers batches of changed files after a short quiet period: new
// directories are watched as they appear, editor temp files and chmod-only
// events are dropped, saves that did not change a file's content are
// skipped, and ignore patterns are honoured.
package watcher

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Options configure a Watcher.
type Options struct {
	// Debounce is the quiet period after the last event before a batch is
	// delivered. Upstream waits 1 s; we default to 50 ms.
	Debounce time.Duration
	// Extensions are the file suffixes that matter (default ".py").
	Extensions []string
	// Ignore are glob patterns relative to the root (`[watcher_config]
	// ignore_patterns`); `**` matches any number of directories.
	Ignore []string
	// Poll scans the tree every PollInterval instead of using inotify. It
	// is chosen automatically when the inotify watch limit is reached.
	Poll         bool
	PollInterval time.Duration
}

// Watcher delivers batches of changed paths on Batches.
type Watcher struct {
	root    string
	opts    Options
	fsw     *fsnotify.Watcher
	batches chan []string
	errs    chan error
	done    chan struct{}
	once    sync.Once
	rearm   chan struct{}

	hashes map[string][32]byte // last seen content of each file (loop-owned after New)
}

// New starts watching root and every directory under it.
func New(root string, opts Options) (*Watcher, error) {
	if opts.Debounce <= 0 {
		opts.Debounce = 50 * time.Millisecond
	}
	if len(opts.Extensions) == 0 {
		opts.Extensions = []string{".py"}
	}
	for _, p := range opts.Ignore {
		if err := checkGlob(p); err != nil {
			return nil, fmt.Errorf("watcher_config.ignore_patterns: invalid glob %q: %w", p, err)
		}
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = 300 * time.Millisecond
	}
	w := &Watcher{root: root, opts: opts, batches: make(chan []string), errs: make(chan error, 8),
		done: make(chan struct{}), rearm: make(chan struct{}), hashes: map[string][32]byte{}}
	if !opts.Poll {
		fsw, err := fsnotify.NewWatcher()
		if err != nil && !isWatchLimit(err) {
			return nil, fmt.Errorf("starting the file watcher: %w", err)
		}
		if err == nil {
			w.fsw = fsw
			_, err = w.addTree(root, false)
			if err == nil {
				go w.loop()
				return w, nil
			}
			fsw.Close()
			w.fsw = nil
			if !isWatchLimit(err) {
				return nil, err
			}
		}
		w.report(fmt.Errorf("the inotify watch limit is reached (%v): watching by polling every %s instead; "+
			"raise fs.inotify.max_user_watches to go back to instant reloads", err, opts.PollInterval))
	}
	w.hashes = map[string][32]byte{}
	w.scan() // the starting point
	go w.pollLoop()
	return w, nil
}

// isWatchLimit recognises the kernel's answers when inotify runs out of
// watches or instances.
func isWatchLimit(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EMFILE)
}

// scan walks the tree and returns the relevant files whose content changed
// (or that vanished) since the last scan.
func (w *Watcher) scan() []string {
	var changed []string
	seen := map[string]bool{}
	filepath.WalkDir(w.root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			if w.skipDir(path, d) {
				return filepath.SkipDir
			}
			return nil
		}
		if w.relevant(path) {
			seen[path] = true
			if w.contentChanged(path) {
				changed = append(changed, path)
			}
		}
		return nil
	})
	for path := range w.hashes {
		if !seen[path] && w.contentChanged(path) {
			changed = append(changed, path)
		}
	}
	return changed
}

// pollLoop is loop's polling twin: same batching, scans instead of events.
// offer returns the channel to offer ready paths on, and them sorted; a nil
// channel (which blocks forever in a select) when nothing is ready.
func (w *Watcher) offer(ready map[string]bool) (chan []string, []string) {
	if len(ready) == 0 {
		return nil, nil
	}
	return w.batches, slices.Sorted(maps.Keys(ready))
}

func (w *Watcher) pollLoop() {
	ready := map[string]bool{}
	tick := time.NewTicker(w.opts.PollInterval)
	defer tick.Stop()
	for {
		out, batch := w.offer(ready)
		select {
		case <-w.done:
			return
		case out <- batch:
			ready = map[string]bool{}
		case <-w.rearm: // scans compare content only
		case <-tick.C:
			for _, p := range w.scan() {
				ready[p] = true
			}
		}
	}
}

// Batches delivers sets of changed files (absolute paths, sorted).
func (w *Watcher) Batches() <-chan []string { return w.batches }

// Rearm makes the next save of a file a change even if its content is the
// same, a touch (a metadata-only event) included, until the next batch: the
// consumer calls it after a failed reload, so that saving again retries.
// (Polling sees content changes only.)
// It returns once the watcher has taken it in.
func (w *Watcher) Rearm() {
	select {
	case w.rearm <- struct{}{}:
	case <-w.done:
	}
}

// Errors delivers watcher problems (for example an inotify limit).
func (w *Watcher) Errors() <-chan error { return w.errs }

// Close stops watching.
func (w *Watcher) Close() error {
	w.once.Do(func() { close(w.done) })
	if w.fsw == nil {
		return nil
	}
	return w.fsw.Close()
}

// addTree watches dir and its subdirectories. With report, files found are
// returned (a directory that appears brings its files along); without, their
// hashes are recorded as the baseline.
func (w *Watcher) addTree(dir string, report bool) ([]string, error) {
	var found []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if d.IsDir() {
			if w.skipDir(path, d) {
				return filepath.SkipDir
			}
			if err := w.fsw.Add(path); err != nil {
				return fmt.Errorf("watching %s: %w (raise fs.inotify.max_user_watches?)", path, err)
			}
			return nil
		}
		switch {
		case !w.relevant(path):
		case report: // checked against its hash when the quiet period ends
			found = append(found, path)
		default: // the baseline hash
			w.contentChanged(path)
		}
		return nil
	})
	return found, err
}

// skipDir: hidden directories, __pycache__ and ignored ones are not watched.
func (w *Watcher) skipDir(path string, d fs.DirEntry) bool {
	return path != w.root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "__pycache__" || w.ignored(path))
}

func (w *Watcher) relevant(path string) bool {
	base := filepath.Base(path)
	if strings.HasPrefix(base, ".#") || strings.HasSuffix(base, "~") || strings.HasSuffix(base, ".swp") ||
		strings.HasSuffix(base, ".swx") || strings.HasPrefix(base, "#") {
		return false
	}
	for _, ext := range w.opts.Extensions {
		if strings.HasSuffix(base, ext) {
			return !w.ignored(path)
		}
	}
	return false
}

// ignored matches a path against the ignore globs, relative to the root.
func (w *Watcher) ignored(path string) bool {
	rel, err := filepath.Rel(w.root, path)
	if err != nil {
		return false
	}
	rel = filepath.ToSlash(rel)
	for _, p := range w.opts.Ignore {
		if matchGlob(p, rel) {
			return true
		}
	}
	return false
}

// checkGlob refuses a pattern that matchGlob cannot use.
func checkGlob(pattern string) error {
	_, err := path.Match(pattern, "")
	return err
}

// matchGlob matches a slash-separated relative path segment by segment: a
// `**` segment spans any number of directories (none included), any other
// segment is a path.Match pattern (where `**` inside a segment is `*`); a
// pattern without a slash matches the base name.
func matchGlob(pattern, name string) bool {
	if !strings.Contains(pattern, "/") {
		if pattern == "**" {
			return true
		}
		ok, _ := path.Match(pattern, path.Base(name))
		return ok
	}
	ps, ns := strings.Split(pattern, "/"), strings.Split(name, "/")
	// rest[j]: the pattern from segment i on matches ns[j:], filled from
	// the last pattern segment back (no backtracking: time len(ps)*len(ns))
	rest := make([]bool, len(ns)+1)
	rest[len(ns)] = true // the empty pattern matches the empty rest
	next := make([]bool, len(ns)+1)
	for i := len(ps) - 1; i >= 0; i-- {
		for j := len(ns); j >= 0; j-- {
			switch {
			case ps[i] == "**":
				next[j] = rest[j] || j < len(ns) && next[j+1]
			case j == len(ns):
				next[j] = false
			default:
				ok, _ := path.Match(ps[i], ns[j])
				next[j] = ok && rest[j+1]
			}
		}
		rest, next = next, rest
	}
	return rest[0]
}

// contentChanged records a file's hash and reports whether it differs from
// the last one seen. A vanished file counts as changed if it was known.
func (w *Watcher) contentChanged(path string) bool {
	data, err := os.ReadFile(path)
	if err != nil {
		_, had := w.hashes[path]
		delete(w.hashes, path)
		return had
	}
	sum := sha256.Sum256(data)
	old, had := w.hashes[path]
	w.hashes[path] = sum
	return !had || old != sum
}

// loop owns all watcher state. Events gather in pending until the quiet
// period passes; files whose content really changed move to ready, which
// is offered to the consumer. While the consumer is busy (a reload is
// running), ready keeps absorbing changes, so any number of saves during
// a reload make exactly one more batch.
func (w *Watcher) loop() {
	pending := map[string]bool{}
	ready := map[string]bool{}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	rearmed := false // the next save counts even with the same content
	for {
		out, batch := w.offer(ready)
		select {
		case <-w.done:
			return
		case out <- batch:
			ready = map[string]bool{}
			rearmed = false
		case <-w.rearm:
			rearmed = true
		case ev, ok := <-w.fsw.Events:
			if !ok {
				return
			}
			if ev.Op == fsnotify.Chmod && !rearmed {
				continue
			}
			if ev.Has(fsnotify.Create) {
				if st, err := os.Stat(ev.Name); err == nil && st.IsDir() {
					// Files already in a new directory (a checkout, a
					// copied tree) wait out the quiet period like any
					// other event: the rest of the burst is still coming.
					found, err := w.addTree(ev.Name, true)
					if err != nil {
						w.report(err)
					}
					for _, p := range found {
						pending[p] = true
					}
					timer.Reset(w.opts.Debounce)
					continue
				}
			}
			if !w.relevant(ev.Name) {
				continue
			}
			pending[ev.Name] = true
			timer.Reset(w.opts.Debounce)
		case err, ok := <-w.fsw.Errors:
			if !ok {
				return
			}
			w.report(err)
		case <-timer.C:
			for p := range pending {
				if w.contentChanged(p) || rearmed {
					ready[p] = true
				}
			}
			pending = map[string]bool{}
		}
	}
}

func (w *Watcher) report(err error) {
	select {
	case w.errs <- err:
	default:
	}
}
