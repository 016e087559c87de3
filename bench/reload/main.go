// Command reload measures moose-dev's dev loop on the embedded default:
// start-to-ready time, save-to-applied latency for added columns (from the
// file write until the column is visible in ClickHouse), and the daemon's
// RSS (daemon plus its embedded ClickHouse child).
//
//	go run ./bench/reload -bin /path/to/moose-dev -tables 1 -edits 20
package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

func main() {
	bin := flag.String("bin", "", "moose-dev binary (built from this checkout when empty)")
	tables := flag.Int("tables", 1, "tables in the generated project")
	edits := flag.Int("edits", 20, "saves to time (cycling: add column, change type, add table, drop column)")
	streams := flag.Bool("streams", false, "give every table a Stream too (exercises the broker each reload)")
	columns := flag.Int("columns", 3, "columns per table (at least 3: id, at, value; the rest alternate String and Float64)")
	timing := flag.Bool("timing", false, "run the daemon with --timing and report the median of each phase of the saves (where a save's time goes)")
	flag.Parse()
	if err := run(*bin, *tables, *edits, *columns, *streams, *timing); err != nil {
		fmt.Fprintln(os.Stderr, "reload:", err)
		os.Exit(1)
	}
}

func freePort() int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func run(bin string, tables, edits, columns int, streams, timing bool) error {
	dir, err := os.MkdirTemp("", "moose-dev-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if bin == "" {
		bin = filepath.Join(dir, "moose-dev")
		if out, err := exec.Command("go", "build", "-o", bin, "./cmd/moose-dev").CombinedOutput(); err != nil {
			return fmt.Errorf("go build: %v\n%s", err, out)
		}
	}
	port := freePort()
	os.MkdirAll(filepath.Join(dir, "p", "app"), 0o755)
	cfg := fmt.Sprintf("[clickhouse_config]\nhost_port = %d\n[redpanda_config]\nbroker = \"127.0.0.1:%d\"\n[http_server_config]\nhost = \"127.0.0.1\"\nport = %d\n",
		port, freePort(), freePort())
	os.WriteFile(filepath.Join(dir, "p", "moose.config.toml"), []byte(cfg), 0o644)
	// the project's shape; each save changes one thing
	type spec struct {
		extras      []string // extra columns of T0: name -> "int" or "float"
		extraTypes  map[string]string
		extraTables int
	}
	sp := spec{extraTypes: map[string]string{}}
	models := func(sp spec) string {
		var b strings.Builder
		b.WriteString("from datetime import datetime\nfrom moose_lib import Key, OlapTable, Stream\nfrom pydantic import BaseModel\n\n")
		for t := 0; t < tables; t++ {
			fmt.Fprintf(&b, "class M%d(BaseModel):\n    id: Key[str]\n    at: datetime\n    value: float\n", t)
			for c := 3; c < columns; c++ {
				fmt.Fprintf(&b, "    c%d: %s\n", c, []string{"str", "float"}[c%2])
			}
			if t == 0 {
				for _, e := range sp.extras {
					fmt.Fprintf(&b, "    %s: %s\n", e, sp.extraTypes[e])
				}
			}
			fmt.Fprintf(&b, "\nt%d = OlapTable[M%d](\"T%d\")\n\n", t, t, t)
			if streams {
				fmt.Fprintf(&b, "s%d = Stream[M%d](\"S%d\")\n\n", t, t, t)
			}
		}
		for x := 0; x < sp.extraTables; x++ {
			fmt.Fprintf(&b, "x%d = OlapTable[M0](\"X%d\")\n", x, x)
		}
		return b.String()
	}
	os.WriteFile(filepath.Join(dir, "p", "app", "models.py"), []byte(models(sp)), 0o644)
	os.WriteFile(filepath.Join(dir, "p", "app", "main.py"), []byte("from app.models import *\n"), 0o644)

	out := &lineWatcher{watch: "Watching", seen: make(chan struct{})}
	args := []string{"dev", "-p", filepath.Join(dir, "p"), "--infra", "embedded", "--yes-destructive"}
	if timing {
		args = append(args, "--timing")
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() { cmd.Process.Signal(syscall.SIGINT); cmd.Wait() }()
	select {
	case <-out.seen:
	case <-time.After(2 * time.Minute):
		return fmt.Errorf("not ready:\n%s", out.String())
	}
	ready := time.Since(start)
	readyAt := len(out.String())
	time.Sleep(500 * time.Millisecond)
	rssIdle := rssTree(cmd.Process.Pid)
	cpu0 := cpuTicks(cmd.Process.Pid)
	wall0 := time.Now()

	kinds := []string{"add column", "change type", "add table", "drop column"}
	byKind := map[string][]time.Duration{}
	var lat []time.Duration
	var peak int64       // the highest RSS read right after a save
	var peakDaemon int64 // the daemon's own share of it, at its highest
	for i := 1; i <= edits; i++ {
		kind := kinds[(i-1)%len(kinds)]
		var check string
		switch kind {
		case "add column":
			name := fmt.Sprintf("extra_%d", i)
			sp.extras = append(sp.extras, name)
			sp.extraTypes[name] = "int"
			check = fmt.Sprintf("SELECT count() FROM system.columns WHERE database='local' AND table='T0' AND name='%s'", name)
		case "change type":
			name := sp.extras[len(sp.extras)-1]
			sp.extraTypes[name] = "float"
			check = fmt.Sprintf("SELECT count() FROM system.columns WHERE database='local' AND table='T0' AND name='%s' AND type='Float64'", name)
		case "add table":
			sp.extraTables++
			check = fmt.Sprintf("SELECT count() FROM system.tables WHERE database='local' AND name='X%d'", sp.extraTables-1)
		case "drop column":
			name := sp.extras[0]
			sp.extras = sp.extras[1:]
			check = fmt.Sprintf("SELECT count() = 0 FROM system.columns WHERE database='local' AND table='T0' AND name='%s'", name)
		}
		t0 := time.Now()
		if err := os.WriteFile(filepath.Join(dir, "p", "app", "models.py"), []byte(models(sp)), 0o644); err != nil {
			return err
		}
		for query(port, check) != "1" {
			if time.Since(t0) > 30*time.Second {
				return fmt.Errorf("%s (save %d) never became visible:\n%s", kind, i, out.String())
			}
			time.Sleep(time.Millisecond)
		}
		d := time.Since(t0)
		peak = max(peak, rssTree(cmd.Process.Pid))
		peakDaemon = max(peakDaemon, rss(cmd.Process.Pid))
		lat = append(lat, d)
		byKind[kind] = append(byKind[kind], d)
		time.Sleep(100 * time.Millisecond) // let the loop settle between saves
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	p95 := lat[(len(lat)*95+99)/100-1]
	fmt.Printf("tables=%d columns=%d streams=%v edits=%d\n", tables, columns, streams, edits)
	fmt.Printf("start-to-ready: %v\n", ready.Round(time.Millisecond))
	for _, k := range kinds {
		ds := byKind[k]
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		if len(ds) > 0 {
			fmt.Printf("  %-12s median %v (%d saves)\n", k, ds[len(ds)/2].Round(100*time.Microsecond), len(ds))
		}
	}
	fmt.Printf("save-to-applied (all kinds): median %v, p95 %v, min %v, max %v\n",
		lat[len(lat)/2].Round(100*time.Microsecond), p95.Round(100*time.Microsecond),
		lat[0].Round(100*time.Microsecond), lat[len(lat)-1].Round(100*time.Microsecond))
	cpu := 100 * float64(cpuTicks(cmd.Process.Pid)-cpu0) / 100 / time.Since(wall0).Seconds()
	burst := rssTree(cmd.Process.Pid)
	time.Sleep(2 * time.Second) // the daemon gives memory back a second after a reload
	fmt.Printf("RSS (daemon + embedded ClickHouse): after start %d MiB; right after the last save %d MiB (highest after a save: %d MiB); 2 s later %d MiB\n",
		rssIdle>>20, burst>>20, max(peak, burst)>>20, rssTree(cmd.Process.Pid)>>20)
	fmt.Printf("  of which the daemon: highest after a save %d MiB, at rest %d MiB\n", peakDaemon>>20, rss(cmd.Process.Pid)>>20)
	fmt.Printf("CPU during the edits (daemon + engine): %.0f%% of one core\n", cpu)
	if timing {
		printPhases(out.String(), readyAt)
	}
	return nil
}

var phaseLine = regexp.MustCompile(`(Parsing|Planning|Execution|Total) finished in (\S+)`)

// printPhases reports the phases the daemon's --timing lines give: the
// launch's (the lines before offset) and the median of each over the
// saves (the lines after it).
func printPhases(out string, offset int) {
	phases := func(text string) map[string][]time.Duration {
		ph := map[string][]time.Duration{}
		for _, m := range phaseLine.FindAllStringSubmatch(text, -1) {
			if d, err := time.ParseDuration(m[2]); err == nil {
				ph[m[1]] = append(ph[m[1]], d)
			}
		}
		return ph
	}
	report := func(what string, ph map[string][]time.Duration) {
		var parts []string
		for _, name := range []string{"Parsing", "Planning", "Execution", "Total"} {
			ds := ph[name]
			if len(ds) == 0 {
				continue
			}
			sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
			parts = append(parts, fmt.Sprintf("%s %v", strings.ToLower(name), ds[len(ds)/2].Round(100*time.Microsecond)))
		}
		fmt.Printf("in the daemon (--timing), %s: %s\n", what, strings.Join(parts, ", "))
	}
	report("the launch", phases(out[:offset]))
	report("median per save", phases(out[offset:]))
}

func query(port int, sql string) string {
	req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("http://127.0.0.1:%d/?query=%s", port, url.QueryEscape(sql)), nil)
	req.SetBasicAuth("panda", "pandapass")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return strings.TrimSpace(string(b))
}

// rssTree sums VmRSS of pid and its children (bytes).
func rssTree(pid int) int64 {
	total := rss(pid)
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	for _, t := range tasks {
		data, _ := os.ReadFile(t)
		for _, f := range strings.Fields(string(data)) {
			if c, err := strconv.Atoi(f); err == nil {
				total += rssTree(c)
			}
		}
	}
	return total
}

func rss(pid int) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			f := strings.Fields(line)
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

// lineWatcher keeps the daemon's output and closes seen when watch first
// appears in it: found as the output arrives, not by searching all of it
// over and over (at 2,000 tables the launch prints 2 MB, and polling it
// took the harness a share of the CPU it measures).
type lineWatcher struct {
	mu    sync.Mutex
	buf   strings.Builder
	watch string
	seen  chan struct{}
	found bool
}

func (l *lineWatcher) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	from := max(0, l.buf.Len()-len(l.watch)+1) // a match may start in the last write
	n, err := l.buf.Write(p)
	if !l.found && strings.Contains(l.buf.String()[from:], l.watch) {
		l.found = true
		close(l.seen)
	}
	return n, err
}

func (l *lineWatcher) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// cpuTicks sums user+system clock ticks (1/100 s) of pid and its children.
func cpuTicks(pid int) int64 {
	var total int64
	if data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
		f := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+2:]))
		if len(f) > 12 {
			u, _ := strconv.ParseInt(f[11], 10, 64)
			s, _ := strconv.ParseInt(f[12], 10, 64)
			total += u + s
		}
	}
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	for _, t := range tasks {
		data, _ := os.ReadFile(t)
		for _, c := range strings.Fields(string(data)) {
			if n, err := strconv.Atoi(c); err == nil {
				total += cpuTicks(n)
			}
		}
	}
	return total
}
