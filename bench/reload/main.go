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
	edits := flag.Int("edits", 20, "column additions to time")
	streams := flag.Bool("streams", false, "give every table a Stream too (exercises the broker each reload)")
	flag.Parse()
	if err := run(*bin, *tables, *edits, *streams); err != nil {
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

func run(bin string, tables, edits int, streams bool) error {
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
	cfg := fmt.Sprintf("[clickhouse_config]\nhost_port = %d\n[redpanda_config]\nbroker = \"127.0.0.1:%d\"\n", port, freePort())
	os.WriteFile(filepath.Join(dir, "p", "moose.config.toml"), []byte(cfg), 0o644)
	models := func(extra int) string {
		var b strings.Builder
		b.WriteString("from datetime import datetime\nfrom moose_lib import Key, OlapTable, Stream\nfrom pydantic import BaseModel\n\n")
		for t := 0; t < tables; t++ {
			fmt.Fprintf(&b, "class M%d(BaseModel):\n    id: Key[str]\n    at: datetime\n    value: float\n", t)
			if t == 0 {
				for i := 0; i < extra; i++ {
					fmt.Fprintf(&b, "    extra_%d: int\n", i)
				}
			}
			fmt.Fprintf(&b, "\nt%d = OlapTable[M%d](\"T%d\")\n\n", t, t, t)
			if streams {
				fmt.Fprintf(&b, "s%d = Stream[M%d](\"S%d\")\n\n", t, t, t)
			}
		}
		return b.String()
	}
	os.WriteFile(filepath.Join(dir, "p", "app", "models.py"), []byte(models(0)), 0o644)
	os.WriteFile(filepath.Join(dir, "p", "app", "main.py"), []byte("from app.models import *\n"), 0o644)

	out := &lineWatcher{}
	cmd := exec.Command(bin, "dev", "-p", filepath.Join(dir, "p"))
	cmd.Stdout, cmd.Stderr = out, out
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() { cmd.Process.Signal(syscall.SIGINT); cmd.Wait() }()
	for !out.contains("Watching") {
		if time.Since(start) > 2*time.Minute {
			return fmt.Errorf("not ready:\n%s", out.String())
		}
		time.Sleep(2 * time.Millisecond)
	}
	ready := time.Since(start)
	time.Sleep(500 * time.Millisecond)
	rssIdle := rssTree(cmd.Process.Pid)

	var lat []time.Duration
	for i := 1; i <= edits; i++ {
		t0 := time.Now()
		if err := os.WriteFile(filepath.Join(dir, "p", "app", "models.py"), []byte(models(i)), 0o644); err != nil {
			return err
		}
		col := fmt.Sprintf("extra_%d", i-1)
		for {
			q := fmt.Sprintf("SELECT count() FROM system.columns WHERE database='local' AND table='T0' AND name='%s'", col)
			if query(port, q) == "1" {
				break
			}
			if time.Since(t0) > 30*time.Second {
				return fmt.Errorf("column %s never appeared:\n%s", col, out.String())
			}
			time.Sleep(time.Millisecond)
		}
		lat = append(lat, time.Since(t0))
		time.Sleep(100 * time.Millisecond) // let the loop settle between saves
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	p95 := lat[(len(lat)*95+99)/100-1]
	fmt.Printf("tables=%d streams=%v edits=%d\n", tables, streams, edits)
	fmt.Printf("start-to-ready: %v\n", ready.Round(time.Millisecond))
	fmt.Printf("save-to-applied (add column): median %v, p95 %v, min %v, max %v\n",
		lat[len(lat)/2].Round(100*time.Microsecond), p95.Round(100*time.Microsecond),
		lat[0].Round(100*time.Microsecond), lat[len(lat)-1].Round(100*time.Microsecond))
	fmt.Printf("RSS after start (daemon + embedded ClickHouse): %d MiB; after edits: %d MiB\n", rssIdle>>20, rssTree(cmd.Process.Pid)>>20)
	return nil
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

type lineWatcher struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (l *lineWatcher) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lineWatcher) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *lineWatcher) contains(s string) bool { return strings.Contains(l.String(), s) }
