package main

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/moose-dev/moose-dev/admin"
	"github.com/moose-dev/moose-dev/clickhouse"
	"github.com/moose-dev/moose-dev/internal/chtest"
	"github.com/moose-dev/moose-dev/migrate"
)

// buildBinary compiles moose-dev once per test run.
var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

func moosedevBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "moose-dev-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "moose-dev")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// syncBuffer collects a process's output safely across goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// devProject is a temporary project with its own ports.
type devProject struct {
	t      *testing.T
	dir    string
	chPort int
	// httpPort is the dev server's ([http_server_config] port)
	httpPort int
	out      *syncBuffer
	cmd      *exec.Cmd
}

const e2eModels = `from datetime import datetime
from typing import Optional

from moose_lib import Key
from pydantic import BaseModel


class PageView(BaseModel):
    id: Key[str]
    url: str
    referrer: Optional[str]
    duration_ms: int
`

const e2eMain = `from moose_lib import OlapConfig, OlapTable, Stream

from app.models import PageView

page_views = OlapTable[PageView]("PageView", OlapConfig(order_by_fields=["id"]))
stream = Stream[PageView]("PageView")
`

func newDevProject(t *testing.T) *devProject {
	dir := t.TempDir()
	p := &devProject{t: t, dir: dir, chPort: chtest.FreePort(t), out: &syncBuffer{}}
	cfg := fmt.Sprintf("language = \"Python\"\n[clickhouse_config]\ndb_name = \"local\"\nuser = \"panda\"\npassword = \"pandapass\"\nhost_port = %d\n"+
		"[redpanda_config]\nbroker = \"127.0.0.1:%d\"\n", p.chPort, chtest.FreePort(t))
	p.write(filepath.Join("..", "moose.config.toml"), cfg)
	p.write("models.py", e2eModels)
	p.write("main.py", e2eMain)
	return p
}

func (p *devProject) write(name, content string) {
	p.t.Helper()
	path := filepath.Join(p.dir, "app", name)
	if filepath.Base(name) == "moose.config.toml" && !strings.Contains(content, "[http_server_config]") {
		// the dev server on a port of its own, so tests can run side by side
		if p.httpPort == 0 {
			p.httpPort = chtest.FreePort(p.t)
		}
		content += fmt.Sprintf("[http_server_config]\nhost = \"127.0.0.1\"\nport = %d\n", p.httpPort)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		p.t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		p.t.Fatal(err)
	}
}

func (p *devProject) edit(name, old, new string) {
	p.t.Helper()
	path := filepath.Join(p.dir, "app", name)
	data, err := os.ReadFile(path)
	if err != nil {
		p.t.Fatal(err)
	}
	if !strings.Contains(string(data), old) {
		p.t.Fatalf("%s does not contain %q", name, old)
	}
	p.write(name, strings.Replace(string(data), old, new, 1))
}

func (p *devProject) start() {
	p.t.Helper()
	p.startWith("--infra", "embedded")
}

func (p *devProject) startWith(args ...string) {
	p.t.Helper()
	p.startNoWait(args...)
	p.waitOutput("Watching", 1)
}

// startNoWait starts the daemon without waiting for it to be ready.
func (p *devProject) startNoWait(args ...string) {
	p.t.Helper()
	p.cmd = exec.Command(moosedevBinary(p.t), append([]string{"dev", "-p", p.dir, "--yes-destructive"}, args...)...)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	p.cmd.Env = append(os.Environ(), "NO_COLOR=1")
	if err := p.cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
	p.t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			p.cmd.Process.Kill()
			p.cmd.Wait()
		}
	})
}

// waitOutput waits until text has appeared n times in the output.
func (p *devProject) waitOutput(text string, n int) {
	p.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for strings.Count(p.out.String(), text) < n {
		if time.Now().After(deadline) {
			p.t.Fatalf("waiting for %q (x%d); output so far:\n%s", text, n, p.out.String())
		}
		if p.cmd.ProcessState != nil {
			p.t.Fatalf("moose-dev exited; output:\n%s", p.out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (p *devProject) query(sql string) string {
	p.t.Helper()
	u := fmt.Sprintf("http://127.0.0.1:%d/?query=%s", p.chPort, url.QueryEscape(sql))
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.SetBasicAuth("panda", "pandapass")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		p.t.Fatalf("%s: %d %s", sql, resp.StatusCode, body)
	}
	return string(body)
}

func (p *devProject) columns(table string) string {
	return p.query(fmt.Sprintf("SELECT name, type FROM system.columns WHERE database = 'local' AND table = '%s' ORDER BY position FORMAT CSV", table))
}

func TestDevHotReloadsEditsIntoTheEmbeddedClickHouse(t *testing.T) {
	chtest.RequireEngine(t)
	p := newDevProject(t)
	p.start()
	if got := p.columns("PageView"); got != "\"id\",\"String\"\n\"url\",\"String\"\n\"referrer\",\"Nullable(String)\"\n\"duration_ms\",\"Int64\"\n" {
		t.Fatalf("initial columns:\n%s", got)
	}
	p.query("INSERT INTO local.PageView (id, url, duration_ms) VALUES ('a', '/', 5)")

	// a second daemon on the same project is refused, naming the first
	second, err := exec.Command(moosedevBinary(t), "dev", "-p", p.dir, "--infra", "embedded").CombinedOutput()
	if err == nil || !strings.Contains(string(second), "already running on this project") {
		t.Fatalf("a second moose-dev dev: %v\n%s", err, second)
	}

	steps := []struct {
		name, file, old, new string
		wantLine             string
		wantColumns          string
	}{
		{"add a column", "models.py", "    duration_ms: int\n", "    duration_ms: int\n    country: str\n",
			"                    + country: String NOT NULL",
			"\"id\",\"String\"\n\"url\",\"String\"\n\"referrer\",\"Nullable(String)\"\n\"duration_ms\",\"Int64\"\n\"country\",\"String\"\n"},
		{"remove a column", "models.py", "    referrer: Optional[str]\n", "",
			"                    - referrer: String",
			"\"id\",\"String\"\n\"url\",\"String\"\n\"duration_ms\",\"Int64\"\n\"country\",\"String\"\n"},
		{"change a type", "models.py", "duration_ms: int", "duration_ms: float",
			"                    ~ duration_ms: Int64 NOT NULL -> Float64 NOT NULL",
			"\"id\",\"String\"\n\"url\",\"String\"\n\"duration_ms\",\"Float64\"\n\"country\",\"String\"\n"},
	}
	for i, s := range steps {
		p.edit(s.file, s.old, s.new)
		p.waitOutput("✓ Infrastructure changes processed successfully", i+1)
		if !strings.Contains(p.out.String(), s.wantLine) {
			t.Fatalf("%s: output lacks %q:\n%s", s.name, s.wantLine, p.out.String())
		}
		if got := p.columns("PageView"); got != s.wantColumns {
			t.Fatalf("%s: columns:\n%s\nwant:\n%s", s.name, got, s.wantColumns)
		}
	}
	if got := p.query("SELECT id, duration_ms FROM local.PageView FORMAT CSV"); got != "\"a\",5\n" {
		t.Fatalf("the row written before the edits: %q", got)
	}

	// add a table, in the models file too
	p.edit("models.py", "from moose_lib import Key\n", "from moose_lib import Key, OlapTable\n")
	p.waitOutput("✓ Infrastructure changes processed successfully", 4) // an import changes nothing, and says so
	p.write("models.py", readFile(t, filepath.Join(p.dir, "app", "models.py"))+"\n\nsignups = OlapTable[PageView](\"Signup\")\n")
	p.waitOutput("✓ Infrastructure changes processed successfully", 5)
	if !strings.Contains(p.out.String(), "             +  Table: Signup") {
		t.Fatalf("output lacks the new table:\n%s", p.out.String())
	}
	if got := p.query("EXISTS TABLE local.Signup"); got != "1\n" {
		t.Fatalf("Signup does not exist: %q", got)
	}

	// break the file: an error with its position, and nothing changes
	before := p.columns("PageView")
	p.edit("models.py", "    country: str\n", "    country: str\n    broken: \n")
	p.waitOutput("Planning changes to the infrastructure failed:", 1)
	p.waitOutput("app/models.py:13:13: invalid syntax", 1)
	if strings.Count(p.out.String(), "✓ Infrastructure changes processed successfully") != 5 {
		t.Fatalf("a failed reload must not claim success:\n%s", p.out.String())
	}
	if got := p.columns("PageView"); got != before {
		t.Fatalf("a broken save changed the table:\n%s\nwas:\n%s", got, before)
	}
	// fixing it applies the pending change
	p.edit("models.py", "    broken: \n", "    fixed: bool\n")
	p.waitOutput("✓ Infrastructure changes processed successfully", 6)
	if !strings.Contains(p.columns("PageView"), "\"fixed\",\"Bool\"") {
		t.Fatalf("the fix was not applied:\n%s", p.columns("PageView"))
	}

	// Ctrl-C stops everything: the ClickHouse port is free again
	p.cmd.Process.Signal(syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("moose-dev exited with %v:\n%s", err, p.out.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("moose-dev did not stop on SIGINT")
	}
	logs, err := exec.Command(moosedevBinary(t), "logs", "-p", p.dir).CombinedOutput()
	if err != nil || !strings.Contains(string(logs), "+ country: String NOT NULL") || !strings.Contains(string(logs), "error  Failed") {
		t.Fatalf("moose-dev logs: %v\n%s", err, logs)
	}
	for deadline := time.Now().Add(10 * time.Second); ; {
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p.chPort))
		if err == nil {
			ln.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the embedded ClickHouse still holds its port after shutdown")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestDevRestartKeepsDataAndRepairsAHandDroppedTable(t *testing.T) {
	chtest.RequireEngine(t)
	p := newDevProject(t)
	p.start()
	p.query("INSERT INTO local.PageView (id, url, duration_ms) VALUES ('kept', '/', 1)")
	p.cmd.Process.Signal(syscall.SIGINT)
	p.cmd.Wait()

	// ls reads what was applied, with no daemon running
	out, err := exec.Command(moosedevBinary(t), "ls", "-p", p.dir, "--json").CombinedOutput()
	if err != nil || !strings.Contains(string(out), `"name": "PageView"`) || !strings.Contains(string(out), `"kind": "topic"`) {
		t.Fatalf("moose-dev ls: %v\n%s", err, out)
	}

	p.out = &syncBuffer{}
	p.start()
	if strings.Contains(p.out.String(), "Table: PageView") {
		t.Fatalf("a restart with nothing changed must apply nothing:\n%s", p.out.String())
	}
	if got := p.query("SELECT id FROM local.PageView FORMAT CSV"); got != "\"kept\"\n" {
		t.Fatalf("rows after restart: %q", got)
	}
	p.query("DROP TABLE local.PageView SYNC")
	p.edit("main.py", "stream = ", "# a save\nstream = ")
	p.waitOutput("✓ Infrastructure changes processed successfully", 1)
	if got := p.query("EXISTS TABLE local.PageView"); got != "1\n" {
		t.Fatal("a table dropped by hand was not recreated")
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestDevAgainstAnExternalClickHouse(t *testing.T) {
	srv := chtest.Start(t, "local") // "your" ClickHouse, already running
	dir := t.TempDir()
	p := &devProject{t: t, dir: dir, out: &syncBuffer{}}
	p.write(filepath.Join("..", "moose.config.toml"), "[features]\nstreaming_engine = false\n")
	p.write("models.py", e2eModels)
	p.write("main.py", "from moose_lib import OlapTable\nfrom app.models import PageView\n\nt = OlapTable[PageView](\"PageView\")\n")
	p.cmd = exec.Command(moosedevBinary(t), "dev", "-p", dir, "--clickhouse-url", fmt.Sprintf("http://%s:%s@%s/local", chtest.User, chtest.Password, srv.Addr))
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	p.cmd.Env = append(os.Environ(), "NO_COLOR=1")
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.cmd.Process.Kill(); p.cmd.Wait() })
	p.waitOutput("Watching", 1)
	if !strings.Contains(p.out.String(), "nothing is started") {
		t.Fatalf("output:\n%s", p.out.String())
	}
	tables, err := srv.Client.Tables(t.Context(), "local")
	if err != nil || tables["PageView"] == nil {
		t.Fatalf("the table was not created in the external ClickHouse: %v %v", tables, err)
	}
	if _, err := os.Stat(filepath.Join(dir, ".moose", "clickhouse")); err == nil {
		t.Fatal("an embedded engine was started in external mode")
	}
}

// newPlanningProject is a project with one table and no streams, for the
// production commands.
func newPlanningProject(t *testing.T) *devProject {
	p := &devProject{t: t, dir: t.TempDir(), out: &syncBuffer{}}
	p.write(filepath.Join("..", "moose.config.toml"), "[features]\nstreaming_engine = false\n")
	p.write("models.py", e2eModels)
	p.write("main.py", "from moose_lib import OlapTable\nfrom app.models import PageView\n\nt = OlapTable[PageView](\"PageView\")\n")
	return p
}

// runAgainst runs a production command on the project in dir against the
// ClickHouse at url, failing the test when it fails.
func runAgainst(t *testing.T, dir, url string, args ...string) string {
	t.Helper()
	cmd := exec.Command(moosedevBinary(t), append(append([]string{}, args...), "-p", dir, "--clickhouse-url", url)...)
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("moose-dev %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// catalog is every database of a ClickHouse and every table of every
// database but the server's own (`system`, `information_schema`), `_moose*`
// tables included, with its row count: what a command that must change
// nothing must leave as it found.
func catalog(t *testing.T, c *clickhouse.Client) string {
	t.Helper()
	var b strings.Builder
	for _, q := range []string{"SELECT name, '' FROM system.databases ORDER BY name",
		`SELECT concat(database, '.', name), toString(ifNull(total_rows, 0)) FROM system.tables
			WHERE lower(database) NOT IN ('system', 'information_schema') ORDER BY database, name`} {
		rows, err := c.Query(t.Context(), q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var name, n string
			if err := rows.Scan(&name, &n); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "%s %s\n", name, n)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	return b.String()
}

// The production workflow through the binary: plan and generate change
// nothing (not even creating the database they are pointed at, nor a state
// table), generate --save writes the three files, migrate applies them
// with progress, a second migrate finds the database at the target, and
// plan after it still changes nothing.
func TestPlanGenerateMigrate(t *testing.T) {
	srv := chtest.Start(t, "prod")
	p := newPlanningProject(t)
	dir := p.dir
	url := fmt.Sprintf("http://%s:%s@%s/prodx", chtest.User, chtest.Password, srv.Addr)
	run := func(args ...string) string { t.Helper(); return runAgainst(t, dir, url, args...) }
	unchanged := func(before, what string) {
		t.Helper()
		if after := catalog(t, srv.Client); after != before {
			t.Fatalf("%s changed the database:\nbefore:\n%s\nafter:\n%s", what, before, after)
		}
	}
	empty := catalog(t, srv.Client)
	if strings.Contains(empty, "prodx") {
		t.Fatalf("the test's database exists before the test:\n%s", empty)
	}
	if out := run("plan", "--json"); !strings.Contains(out, `"CreateTable"`) || !strings.Contains(out, `"max_risk": "safe"`) ||
		!strings.Contains(out, "\"CREATE TABLE IF NOT EXISTS `prodx`.`PageView`") {
		t.Fatalf("plan --json:\n%s", out)
	}
	unchanged(empty, "plan --json")
	if out := run("plan"); !strings.Contains(out, "PageView") {
		t.Fatalf("plan:\n%s", out)
	}
	unchanged(empty, "plan")
	if out := run("generate", "migration"); !strings.Contains(out, "CreateTable") {
		t.Fatalf("generate migration:\n%s", out)
	}
	unchanged(empty, "generate migration")
	run("generate", "migration", "--save")
	unchanged(empty, "generate migration --save")
	for _, f := range []string{"migrations/plan.yaml", "migrations/remote_state.json", "migrations/local_infra_map.json", ".moose/migration_schema.json"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Fatalf("generate did not write %s: %v", f, err)
		}
	}
	if out := run("migrate"); !strings.Contains(out, "[1/1] Creating table 'PageView'") || !strings.Contains(out, "CREATE TABLE") {
		t.Fatalf("migrate output:\n%s", out)
	}
	if tables, err := srv.Client.Tables(t.Context(), "prodx"); err != nil || tables["PageView"] == nil {
		t.Fatalf("migrate did not create the table: %v %v", tables, err)
	}
	migrated := catalog(t, srv.Client)
	if !strings.Contains(migrated, "prodx."+migrate.StateTable) {
		t.Fatalf("no state table after migrate:\n%s", migrated)
	}
	if out := run("plan"); !strings.Contains(out, "no changes") {
		t.Fatalf("plan after migrate:\n%s", out)
	}
	run("generate", "migration")
	unchanged(migrated, "plan and generate after migrate")
	if out := run("migrate"); !strings.Contains(out, "already match") {
		t.Fatalf("second migrate:\n%s", out)
	}

	// serve: the admin API over the state migrate stored, for remote plans.
	token, hash, err := admin.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	p.write(filepath.Join("..", "moose.config.toml"), "[features]\nstreaming_engine = false\n[authentication]\nadmin_api_key = \""+hash+"\"\n")
	addr := fmt.Sprintf("127.0.0.1:%d", chtest.FreePort(t))
	serve := exec.Command(moosedevBinary(t), "serve", "-p", dir, "--clickhouse-url", url, "--addr", addr)
	serve.Stdout, serve.Stderr = p.out, p.out
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { serve.Process.Kill(); serve.Wait() })
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(p.out.String(), "Admin API"); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start:\n%s", p.out.String())
		}
	}
	plan := exec.Command(moosedevBinary(t), "plan", "-p", dir, "--url", "http://"+addr, "--token", token)
	plan.Env = append(os.Environ(), "NO_COLOR=1")
	if out, err := plan.CombinedOutput(); err != nil || !strings.Contains(string(out), "no changes") {
		t.Fatalf("plan against serve after migrate: %v\n%s", err, out)
	}
	plan = exec.Command(moosedevBinary(t), "plan", "-p", dir, "--url", "http://"+addr, "--token", "wrong")
	if out, err := plan.CombinedOutput(); err == nil || !strings.Contains(string(out), "refused the token") {
		t.Fatalf("plan with a wrong token: %v\n%s", err, out)
	}
}

// Remote planning: a running moose-dev serves its map to the configured
// token only, and `plan --url --token` compares the code with it.
func TestPlanAgainstARunningDevThroughTheAdminAPI(t *testing.T) {
	p := newDevProject(t)
	token, hash, err := admin.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	port := p.httpPort
	cfgPath := filepath.Join(p.dir, "moose.config.toml")
	cfg := readFile(t, cfgPath) + fmt.Sprintf("[authentication]\nadmin_api_key = \"%s\"\n", hash)
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	p.start()
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	for _, tok := range []string{"", "not-the-token"} {
		req, _ := http.NewRequest(http.MethodGet, base+admin.InframapPath, nil)
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("token %q: status %d, want 401", tok, resp.StatusCode)
		}
	}
	plan := func(dir string) string {
		cmd := exec.Command(moosedevBinary(t), "plan", "-p", dir, "--url", base, "--token", token)
		cmd.Env = append(os.Environ(), "NO_COLOR=1")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("plan --url: %v\n%s", err, out)
		}
		return string(out)
	}
	if out := plan(p.dir); !strings.Contains(out, "no changes") {
		t.Fatalf("plan of the running dev's own code:\n%s", out)
	}
	// Another checkout of the project, a field and a stream ahead.
	ahead := &devProject{t: t, dir: t.TempDir()}
	if err := os.WriteFile(filepath.Join(ahead.dir, "moose.config.toml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	ahead.write("models.py", strings.Replace(e2eModels, "url: str", "url: str\n    country: str", 1))
	ahead.write("main.py", e2eMain+"clicks = Stream[PageView](\"Clicks\")\n")
	out := plan(ahead.dir)
	if !strings.Contains(out, "Modified Components") || !strings.Contains(out, "+ country: String") ||
		!strings.Contains(out, "New Components") || !strings.Contains(out, "Clicks") {
		t.Fatalf("plan of code a field and a stream ahead:\n%s", out)
	}
	if strings.Contains(p.out.String(), token) {
		t.Error("the token appears in the daemon's output")
	}
}

// handEditedPlan generates the migration of a planning project against url
// and hand-edits its plan.yaml: a RawSql operation before the generated
// ones and one after them.
func handEditedPlan(t *testing.T, dir, url, before, after string) {
	t.Helper()
	runAgainst(t, dir, url, "generate", "migration", "--save")
	path := filepath.Join(dir, "migrations", "plan.yaml")
	plan := readFile(t, path)
	i := strings.Index(plan, "- CreateTable:")
	if i < 0 {
		t.Fatalf("plan.yaml:\n%s", plan)
	}
	indent := plan[strings.LastIndex(plan[:i], "\n")+1 : i]
	raw := func(sql, desc string) string {
		return fmt.Sprintf("%s- RawSql:\n%s    sql:\n%s      - %q\n%s    description: %s\n", indent, indent, indent, sql, indent, desc)
	}
	plan = plan[:i-len(indent)] + raw(before, "Before") + plan[i-len(indent):] + raw(after, "Seeding PageView")
	if err := os.WriteFile(path, []byte(plan), 0o644); err != nil {
		t.Fatal(err)
	}
}

// migrateProc starts `moose-dev migrate` on the project against url.
func migrateProc(t *testing.T, dir, url string, args ...string) (*exec.Cmd, *syncBuffer) {
	t.Helper()
	out := &syncBuffer{}
	cmd := exec.Command(moosedevBinary(t), append([]string{"migrate", "-p", dir, "--clickhouse-url", url}, args...)...)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return cmd, out
}

const seedSQL = "INSERT INTO PageView (id, url, referrer, duration_ms) VALUES ('seed', '/', NULL, 1)"

func seeded(t *testing.T, srv *chtest.Server, db string) uint64 {
	t.Helper()
	rows, err := srv.Client.Query(t.Context(), fmt.Sprintf("SELECT count() FROM `%s`.PageView WHERE id = 'seed'", db))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var n uint64
	if !rows.Next() || rows.Scan(&n) != nil {
		t.Fatalf("counting the seeded rows: %v", rows.Err())
	}
	return n
}

// Two `migrate` processes of one plan started at once, waiting for each
// other or not: exactly one applies it, and its hand-added INSERT lands
// once; the other finds the database at the target, or is refused naming
// the run that holds the lock.
func TestTwoMigrateProcessesAtOnce(t *testing.T) {
	srv := chtest.Start(t, "prod")
	for _, wait := range []bool{true, false} {
		db := fmt.Sprintf("both_wait_%v", wait)
		url := fmt.Sprintf("http://%s:%s@%s/%s", chtest.User, chtest.Password, srv.Addr, db)
		p := newPlanningProject(t)
		handEditedPlan(t, p.dir, url, "SELECT 1", seedSQL)
		var args []string
		if wait {
			args = []string{"--lock-wait", "2m"}
		}
		a, outA := migrateProc(t, p.dir, url, args...)
		b, outB := migrateProc(t, p.dir, url, args...)
		errA, errB := a.Wait(), b.Wait()
		applied := 0
		for _, r := range []struct {
			err error
			out string
		}{{errA, outA.String()}, {errB, outB.String()}} {
			switch {
			case r.err == nil && strings.Contains(r.out, "[3/3] Seeding PageView"):
				applied++
			case r.err == nil && strings.Contains(r.out, "already match"):
			case !wait && r.err != nil && strings.Contains(r.out, "another migration holds the lock") && strings.Contains(r.out, "--release-lock"):
			default:
				t.Errorf("wait=%v: a migrate run ended %v:\n%s", wait, r.err, r.out)
			}
		}
		if applied != 1 {
			t.Errorf("wait=%v: %d runs applied the plan, want 1:\n%s\n---\n%s", wait, applied, outA, outB)
		}
		if n := seeded(t, srv, db); n != 1 {
			t.Fatalf("wait=%v: the plan's INSERT landed %d times, want once", wait, n)
		}
	}
}

// A `migrate` killed in the middle of its plan leaves its lease: the next
// run is refused (it does not "resume" over a holder that may be alive),
// naming the killed run and how to release it; --release-lock releases
// it; the run after that finishes the plan, its INSERT landing once.
func TestAKilledMigrateHoldsTheLockUntilReleased(t *testing.T) {
	srv := chtest.Start(t, "prod")
	url := fmt.Sprintf("http://%s:%s@%s/prod", chtest.User, chtest.Password, srv.Addr)
	p := newPlanningProject(t)
	handEditedPlan(t, p.dir, url, "SELECT sleep(3)", seedSQL)
	a, outA := migrateProc(t, p.dir, url)
	for deadline := time.Now().Add(time.Minute); !strings.Contains(outA.String(), "[1/3] Before"); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) || a.ProcessState != nil {
			t.Fatalf("the first migrate never started its plan:\n%s", outA)
		}
	}
	if err := a.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	a.Wait()
	cmd := exec.Command(moosedevBinary(t), "migrate", "-p", p.dir, "--clickhouse-url", url)
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "another migration holds the lock") ||
		!strings.Contains(string(out), fmt.Sprintf("pid %d", a.Process.Pid)) || !strings.Contains(string(out), "--release-lock") {
		t.Fatalf("migrate after the holder was killed: %v\n%s", err, out)
	}
	if out := runAgainst(t, p.dir, url, "migrate", "--release-lock"); !strings.Contains(out, "Released") || !strings.Contains(out, fmt.Sprintf("pid %d", a.Process.Pid)) {
		t.Fatalf("migrate --release-lock:\n%s", out)
	}
	if out := runAgainst(t, p.dir, url, "migrate", "--release-lock"); !strings.Contains(out, "nobody holds the lock") {
		t.Fatalf("a second --release-lock:\n%s", out)
	}
	if out := runAgainst(t, p.dir, url, "migrate"); !strings.Contains(out, "[3/3] Seeding PageView") {
		t.Fatalf("migrate after the release:\n%s", out)
	}
	if n := seeded(t, srv, "prod"); n != 1 {
		t.Fatalf("the plan's INSERT landed %d times, want once", n)
	}
}
