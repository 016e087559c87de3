package display

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moose-dev/moose-dev/differ"
	"github.com/moose-dev/moose-dev/infra"
)

var update = flag.Bool("update", false, "rewrite golden files")

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	if string(want) != got {
		t.Fatalf("output differs from %s:\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
	}
}

func render(s Styles, lines []Line) string {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(s.FormatLine(l, ""))
	}
	return b.String()
}

func sampleChanges() []differ.Change {
	id := infra.Column{Name: "id", DataType: infra.String, Required: true, PrimaryKey: true}
	ts := infra.Column{Name: "ts", DataType: infra.DateTime, Required: true}
	note := infra.Column{Name: "note", DataType: infra.String}
	tags := infra.Column{Name: "tags", DataType: infra.Array{Element: infra.String}, Required: true}
	foo := &infra.Table{Name: "Foo", Columns: []infra.Column{id, ts, note}, OrderBy: infra.OrderBy{Fields: []string{"id"}}, Engine: infra.MergeTree}
	foo2 := &infra.Table{Name: "Foo", Columns: []infra.Column{id, ts, tags}, OrderBy: infra.OrderBy{Fields: []string{"id"}}, Engine: infra.MergeTree}
	bar := &infra.Table{Name: "Bar", Columns: []infra.Column{id}, OrderBy: infra.OrderBy{Fields: []string{"id"}}, Engine: infra.MergeTree}
	after := "ts"
	return []differ.Change{
		differ.AddTable{Table: bar},
		differ.UpdateTable{Before: foo, After: foo2, Columns: []differ.ColumnChange{
			{Kind: differ.ColumnAdded, After: tags, AfterColumn: &after},
			{Kind: differ.ColumnRemoved, Before: note},
			{Kind: differ.ColumnModified, Before: infra.Column{Name: "ts", DataType: infra.Date, Required: true}, After: ts},
		}},
		differ.AddTopic{Topic: &infra.Topic{Name: "Foo", PartitionCount: 1, RetentionPeriod: infra.Duration{Secs: 604800}}},
		differ.DropTable{Table: bar},
	}
}

func TestChangeLinesPlain(t *testing.T) {
	golden(t, "changes.txt", render(NewStyles(false), ChangeLines(sampleChanges())))
}

// The resources that hold no data, in show_changes' order (streaming, OLAP,
// processes, APIs, workflows) whatever order they come in.
func TestResourceChangeLines(t *testing.T) {
	v := "1.0"
	target := "Out"
	changes := []differ.Change{
		differ.ResourceChange{Kind: "Workflow", Action: differ.Added, ID: "daily",
			After: &infra.Workflow{Name: "daily", Config: infra.WorkflowConfig{Retries: 3, Timeout: "1h"}}},
		differ.ResourceChange{Kind: "ApiEndpoint", Action: differ.Updated, ID: "INGRESS_Foo_1_0",
			After: &infra.APIEndpoint{Name: "Foo", Version: &v, Path: "ingest/Foo/1.0", Method: "POST"}},
		differ.ResourceChange{Kind: "FunctionProcess", Action: differ.Removed, ID: "In__Out_In_Out",
			Before: &infra.FunctionProcess{Name: "In__Out", SourceTopicID: "In", TargetTopicID: &target, ParallelProcessCount: 2}},
		differ.SQLResourceChange{Action: differ.Added, After: &infra.SQLResource{Name: "legacy_view"}},
		differ.ResourceChange{Kind: "TopicToTableSyncProcess", Action: differ.Added, ID: "Foo_local_Foo",
			After: &infra.TopicToTableSyncProcess{SourceTopicID: "Foo", TargetTableID: "local_Foo"}},
		differ.ResourceChange{Kind: "WebApp", Action: differ.Added, ID: "admin", After: &infra.WebApp{Name: "admin", MountPath: "/admin"}},
		differ.AddTopic{Topic: &infra.Topic{Name: "Foo", PartitionCount: 1, RetentionPeriod: infra.Duration{Secs: 60}}},
	}
	golden(t, "resources.txt", render(NewStyles(false), ChangeLines(changes)))
}

// The coloured display, golden with its escape codes visible: every change
// line and its column-level lines coloured, blocked notices too.
func TestChangeLinesColoured(t *testing.T) {
	lines := append(ChangeLines(sampleChanges()), BlockedLines([]differ.Blocked{{Change: differ.DropTable{Table: &infra.Table{Name: "Kept"}}, Reason: "DELETION_PROTECTED"}})...)
	lines = append(lines, Line{Kind: Info, Action: "", Message: "a continuation"})
	out := render(NewStyles(true), lines)
	golden(t, "changes_color.txt", strings.ReplaceAll(out, "\x1b", "ESC"))
	for _, want := range []string{"\x1b[32m  + tags: Array<String> NOT NULL\x1b[0m", "\x1b[31m  - note: String\x1b[0m", "\x1b[33m  ~ ts: Date NOT NULL -> DateTime NOT NULL\x1b[0m",
		"\x1b[32mTable: Bar\x1b[0m", "\x1b[1;33m  ⚠ DELETION_PROTECTED\x1b[0m"} {
		if !strings.Contains(out, want) {
			t.Errorf("coloured output lacks %q", want)
		}
	}
	if regexp.MustCompile(`\x1b\[[0-9;]*m\x1b\[0m`).MatchString(out) {
		t.Errorf("empty escape codes in %q", out)
	}
	if plain := render(NewStyles(false), lines); strings.Contains(plain, "\x1b") {
		t.Errorf("escape codes without colour: %q", plain)
	}
}

// Long messages wrap at a space within the terminal's width, the rest on
// detail lines.
func TestLongMessagesWrapAtTheTerminalWidth(t *testing.T) {
	var b strings.Builder
	p := NewPrinter(&b, NewStyles(false))
	p.Width = 60
	p.Infof("Starting", "development mode on the embedded default (ClickHouse: chDB 26.7.3, broker: in-process): no Docker engine answers at unix:///var/run/docker.sock")
	for i, line := range strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n") {
		if len([]rune(line)) > 60 {
			t.Errorf("line %d is %d wide: %q", i, len([]rune(line)), line)
		}
		if i > 0 && !strings.HasPrefix(line, strings.Repeat(" ", 18)) {
			t.Errorf("continuation %d not indented: %q", i, line)
		}
	}
	if got := strings.Join(strings.Fields(b.String()), " "); got != "Starting development mode on the embedded default (ClickHouse: chDB 26.7.3, broker: in-process): no Docker engine answers at unix:///var/run/docker.sock" {
		t.Errorf("words lost or reordered: %q", got)
	}
}

func TestDoneMarkIsStyled(t *testing.T) {
	var b strings.Builder
	NewPrinter(&b, NewStyles(true)).Done("Infrastructure changes processed successfully")
	if !strings.Contains(b.String(), "\x1b[1;32m✓\x1b[0m Infrastructure changes processed successfully") {
		t.Fatalf("got %q", b.String())
	}
}

func TestActionIsRightAlignedIn15Columns(t *testing.T) {
	got := NewStyles(false).FormatLine(Line{Kind: Added, Action: "+ ", Message: "Table: Foo"}, "")
	if got != "             +  Table: Foo\n" {
		t.Fatalf("got %q", got)
	}
	got = NewStyles(false).FormatLine(Line{Kind: Error, Action: "Failed", Message: "a\nb"}, "")
	if got != "         Failed a\n                  b\n" {
		t.Fatalf("got %q", got)
	}
}

func TestColorWantedHonoursNoColor(t *testing.T) {
	t.Setenv("NO_COLOR", "1")
	if ColorWanted(os.Stdout) {
		t.Fatal("NO_COLOR must disable colour")
	}
}

func TestSpinnerOffATerminalPrintsPlainLines(t *testing.T) {
	var b strings.Builder
	p := NewPrinter(&b, NewStyles(false))
	s := p.StartSpinner("Processing")
	s.Stop("done")
	if b.String() != "Processing\n✓ done\n" {
		t.Fatalf("got %q", b.String())
	}
}

func TestSpinnerOnATerminalIsReplacedByTheCompletion(t *testing.T) {
	var b lockedBuilder
	p := NewPrinter(&b, NewStyles(false))
	p.Animate = true
	s := p.StartSpinner("Processing")
	time.Sleep(200 * time.Millisecond)
	p.Print(Line{Kind: Info, Action: "x", Message: "a line meanwhile"})
	s.Stop("done")
	out := b.String()
	if !strings.Contains(out, "⠋ Processing") || !strings.Contains(out, "a line meanwhile") || !strings.HasSuffix(out, "\r\x1b[2K✓ done\n") {
		t.Fatalf("got %q", out)
	}
}

type lockedBuilder struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuilder) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuilder) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestTimestampsPrefixEveryLine(t *testing.T) {
	var b strings.Builder
	p := NewPrinter(&b, NewStyles(false))
	p.Timestamps = true
	p.now = func() time.Time { return time.Date(2026, 11, 22, 9, 8, 7, 6e6, time.UTC) }
	p.Raw("Processing\n")
	p.Print(Line{Kind: Info, Action: "Ready", Message: "1 table"})
	p.Raw("a\nb\n")
	want := "09:08:07.006 Processing\n09:08:07.006           Ready 1 table\n09:08:07.006 a\n09:08:07.006 b\n"
	if b.String() != want {
		t.Fatalf("got\n%q\nwant\n%q", b.String(), want)
	}
}

func TestIsTerminalAsksTheTerminalNotTheFileMode(t *testing.T) {
	null, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	if IsTerminal(null) {
		t.Fatal("/dev/null is a character device, not a terminal (nohup, systemd and CI give it as stdin)")
	}
	ptmx, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	defer ptmx.Close()
	if !IsTerminal(ptmx) {
		t.Fatal("a pseudo-terminal is a terminal")
	}
}

func TestSpinnerSetOnATerminalOnly(t *testing.T) {
	var b strings.Builder
	p := NewPrinter(&b, NewStyles(false))
	s := p.StartSpinner("applying the project")
	s.Set("applying 1/2 operations")
	p.StopSpinner()
	s.Stop("") // a second stop does nothing
	if b.String() != "applying the project\n" {
		t.Fatalf("off a terminal a count is no line: got %q", b.String())
	}

	var lb lockedBuilder
	p = NewPrinter(&lb, NewStyles(false))
	p.Animate = true
	s = p.StartSpinner("applying the project")
	s.Set("applying 1/2 operations")
	time.Sleep(200 * time.Millisecond)
	p.Raw("raw line\n")
	p.StopSpinner()
	s.Stop("")
	s.Set("after the stop")
	out := lb.String()
	if !strings.Contains(out, " applying 1/2 operations") || !strings.Contains(out, "\r\x1b[2Kraw line\n") || !strings.HasSuffix(out, "\r\x1b[2K") {
		t.Fatalf("got %q", out)
	}
}
