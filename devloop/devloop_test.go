package devloop_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/moose-dev/moose-dev/broker"
	"github.com/moose-dev/moose-dev/chdb"
	"github.com/moose-dev/moose-dev/devloop"
	"github.com/moose-dev/moose-dev/display"
	"github.com/moose-dev/moose-dev/infra"
	"github.com/moose-dev/moose-dev/internal/chtest"
	"github.com/moose-dev/moose-dev/project"
	"github.com/segmentio/kafka-go"
)

func TestMain(m *testing.M) {
	chdb.RunChildIfRequested()
	os.Exit(m.Run())
}

const models = `from moose_lib import Key, OlapTable, Stream
from pydantic import BaseModel


class Event(BaseModel):
    id: Key[str]
    name: str


events = OlapTable[Event]("Events")
stream = Stream[Event]("Events")
`

type fixture struct {
	t    *testing.T
	proj *project.Project
	srv  *chtest.Server
	out  *bytes.Buffer
	loop *devloop.Loop
	adm  *broker.Admin
}

func newFixture(t *testing.T) *fixture {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "app"), 0o755)
	os.WriteFile(filepath.Join(root, "moose.config.toml"), []byte("language = \"Python\"\n"), 0o644)
	os.WriteFile(filepath.Join(root, "app", "main.py"), []byte(models), 0o644)
	proj, err := project.Load(root)
	if err != nil {
		t.Fatal(err)
	}
	srv := chtest.Start(t, "local")
	b, err := broker.StartEmbedded("127.0.0.1:"+strconv.Itoa(chtest.FreePort(t)), filepath.Join(root, ".moose", "kafka"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	f := &fixture{t: t, proj: proj, srv: srv, out: &bytes.Buffer{}, adm: &broker.Admin{Addr: b.Addr}}
	f.loop = f.newLoop()
	return f
}

func (f *fixture) newLoop() *devloop.Loop {
	l, err := devloop.New(devloop.Options{Project: f.proj, ClickHouse: f.srv.Client, Topics: f.adm,
		Printer: display.NewPrinter(f.out, display.NewStyles(false))})
	if err != nil {
		f.t.Fatal(err)
	}
	return l
}

func (f *fixture) write(src string) {
	os.WriteFile(filepath.Join(f.proj.AppDir(), "main.py"), []byte(src), 0o644)
}

func (f *fixture) columns(table string) []string {
	tables, err := f.srv.Client.Tables(context.Background(), "local")
	if err != nil {
		f.t.Fatal(err)
	}
	var out []string
	if t, ok := tables[table]; ok {
		for _, c := range t.Columns {
			out = append(out, c.Name+" "+c.Type)
		}
	}
	return out
}

func TestReloadAppliesTablesAndTopicsAndPersistsState(t *testing.T) {
	f := newFixture(t)
	if _, err := f.loop.Reload(context.Background(), false); err != nil {
		t.Fatal(err, f.out.String())
	}
	if got := strings.Join(f.columns("Events"), ","); got != "id String,name String" {
		t.Fatalf("columns: %s", got)
	}
	topics, err := f.adm.Topics(context.Background())
	if err != nil || topics["Events"].Partitions != 1 {
		t.Fatalf("topics: %v %v", topics, err)
	}
	data, err := os.ReadFile(filepath.Join(f.proj.StateDir(), devloop.StateFile))
	if err != nil {
		t.Fatal(err)
	}
	m, err := infra.UnmarshalMap(data)
	if err != nil || m.Tables["local_Events"] == nil || m.Topics["Events"] == nil {
		t.Fatalf("state: %v %v", m, err)
	}
}

func TestABrokenProjectChangesNothingAndKeepsTheLastGoodState(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.loop.Reload(ctx, true); err != nil {
		t.Fatal(err)
	}
	statePath := filepath.Join(f.proj.StateDir(), devloop.StateFile)
	before, _ := os.ReadFile(statePath)
	f.write(strings.Replace(models, "    name: str\n", "    name: str\n    extra: int\n", 1) + "oops = OlapTable[Event](\n")
	f.out.Reset()
	if _, err := f.loop.Reload(ctx, true); err == nil {
		t.Fatal("want an error")
	}
	if !strings.Contains(f.out.String(), "app/main.py:13:24: '(' was never closed") || strings.Contains(f.out.String(), "✓") ||
		!strings.Contains(f.out.String(), "13 | oops = OlapTable[Event](\n                                              ^") {
		t.Fatalf("output:\n%s", f.out.String())
	}
	if got := strings.Join(f.columns("Events"), ","); got != "id String,name String" {
		t.Fatalf("a broken save changed the table: %s", got)
	}
	if after, _ := os.ReadFile(statePath); !bytes.Equal(before, after) {
		t.Fatal("a broken save changed the stored state")
	}
	f.write(strings.Replace(models, "    name: str\n", "    name: str\n    extra: int\n", 1))
	if _, err := f.loop.Reload(ctx, true); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(f.columns("Events"), ","); got != "id String,name String,extra Int64" {
		t.Fatalf("the fix was not applied: %s", got)
	}
}

func TestAFailedApplyIsReportedAndNotPersisted(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.loop.Reload(ctx, true); err != nil {
		t.Fatal(err)
	}
	// ClickHouse refuses a CollapsingMergeTree whose sign column is not Int8
	f.write(strings.Replace(models, "from moose_lib import Key, OlapTable, Stream", "from moose_lib import CollapsingMergeTreeEngine, Key, OlapConfig, OlapTable, Stream", 1) +
		"\nclass NoKey(BaseModel):\n    a: Key[str]\n    sign: int\n\n\nbad = OlapTable[NoKey](\"NoKey\", OlapConfig(engine=CollapsingMergeTreeEngine(sign=\"sign\")))\n")
	f.out.Reset()
	if _, err := f.loop.Reload(ctx, true); err == nil {
		t.Fatal("want an error")
	}
	if !strings.Contains(f.out.String(), "Executing changes to the infrastructure failed") || !strings.Contains(f.out.String(), "must have type Int8") {
		t.Fatalf("output:\n%s", f.out.String())
	}
	if _, ok := f.loop.State().Tables["local_NoKey"]; ok {
		t.Fatal("a table that was not created entered the state")
	}
}

func TestARestartedLoopReconcilesInsteadOfReapplying(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.loop.Reload(ctx, false); err != nil {
		t.Fatal(err)
	}
	f.out.Reset()
	fresh := f.newLoop()
	if _, err := fresh.Reload(ctx, false); err != nil {
		t.Fatal(err)
	}
	if f.out.Len() != 0 {
		t.Fatalf("nothing changed, so nothing must be printed:\n%s", f.out.String())
	}
	// losing the state file adopts what exists instead of failing to recreate it
	os.Remove(filepath.Join(f.proj.StateDir(), devloop.StateFile))
	if _, err := f.newLoop().Reload(ctx, false); err != nil {
		t.Fatal(err)
	}
	if f.out.Len() != 0 {
		t.Fatalf("a lost state file must not produce changes:\n%s", f.out.String())
	}
}

func countRows(t *testing.T, f *fixture, table string) uint64 {
	t.Helper()
	rows, err := f.srv.Client.Query(context.Background(), "SELECT count() FROM local."+table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if !rows.Next() {
		t.Fatalf("count() of %s returned no row (%v)", table, rows.Err())
	}
	var n uint64
	if err := rows.Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestAnOrderByChangeKeepsTheRows(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.loop.Reload(ctx, true); err != nil {
		t.Fatal(err)
	}
	if err := f.srv.Client.Exec(ctx, "INSERT INTO local.Events VALUES ('a', 'x'), ('b', 'y')"); err != nil {
		t.Fatal(err)
	}
	f.write(strings.Replace(models, `events = OlapTable[Event]("Events")`,
		`from moose_lib import OlapConfig
events = OlapTable[Event]("Events", OlapConfig(order_by_fields=["id", "name"]))`, 1))
	if _, err := f.loop.Reload(ctx, true); err != nil {
		t.Fatal(err, f.out.String())
	}
	if got := strings.Join(rowsOf(t, f, "Events", "id", "name"), ","); got != "a|x,b|y" {
		t.Fatalf("rows after the recreate: %s, want a|x,b|y\n%s", got, f.out.String())
	}
	tables, err := f.srv.Client.Tables(ctx, "local")
	if err != nil {
		t.Fatal(err)
	}
	if tables["Events"].SortingKey != "id, name" {
		t.Fatalf("sorting key = %q", tables["Events"].SortingKey)
	}
	for name := range tables {
		if strings.Contains(name, "moose_recreate") {
			t.Fatalf("a temporary table was left behind: %s", name)
		}
	}
	if !strings.Contains(f.out.String(), "its rows are copied into the new table") {
		t.Fatalf("the output must say the rows are kept:\n%s", f.out.String())
	}
}

func TestDropOnRecreateBehavesAsUpstream(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	l, err := devloop.New(devloop.Options{Project: f.proj, ClickHouse: f.srv.Client, Topics: f.adm, DropOnRecreate: true,
		ConfirmDestructive: func([]string) bool { return true }, Printer: display.NewPrinter(f.out, display.NewStyles(false))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Reload(ctx, true); err != nil {
		t.Fatal(err)
	}
	if err := f.srv.Client.Exec(ctx, "INSERT INTO local.Events VALUES ('a', 'x')"); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, f, "Events"); n != 1 {
		t.Fatalf("rows before the recreate = %d, want 1", n)
	}
	f.write(strings.Replace(models, `events = OlapTable[Event]("Events")`,
		`from moose_lib import OlapConfig
events = OlapTable[Event]("Events", OlapConfig(order_by_fields=["id", "name"]))`, 1))
	if _, err := l.Reload(ctx, true); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, f, "Events"); n != 0 {
		t.Fatalf("rows = %d: --drop-on-recreate drops them", n)
	}
}

func TestARecreateWhoseCopyFailsLeavesTheOldTableAlone(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.loop.Reload(ctx, true); err != nil {
		t.Fatal(err)
	}
	if err := f.srv.Client.Exec(ctx, "INSERT INTO local.Events VALUES ('a', 'not a number')"); err != nil {
		t.Fatal(err)
	}
	f.write(strings.Replace(strings.Replace(models, "    name: str\n", "    name: int\n", 1), `events = OlapTable[Event]("Events")`,
		`from moose_lib import OlapConfig
events = OlapTable[Event]("Events", OlapConfig(order_by_fields=["id", "name"]))`, 1))
	if _, err := f.loop.Reload(ctx, true); err == nil {
		t.Fatalf("copying 'not a number' into an Int64 column must fail\n%s", f.out.String())
	}
	if n := countRows(t, f, "Events"); n != 1 {
		t.Fatalf("rows = %d after a failed recreate, want the original 1", n)
	}
	if got := strings.Join(f.columns("Events"), ","); got != "id String,name String" {
		t.Fatalf("the old table changed: %s", got)
	}
}

func TestDestructiveChangesWaitForConfirmation(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.loop.Reload(ctx, true); err != nil {
		t.Fatal(err)
	}
	// remove a column and add one in the same save
	f.write(strings.Replace(models, "    name: str\n", "    age: int\n", 1))
	f.out.Reset()
	if _, err := f.loop.Reload(ctx, true); err != nil {
		t.Fatal(err, f.out.String())
	}
	if got := strings.Join(f.columns("Events"), ","); got != "id String,age Int64,name String" {
		t.Fatalf("the addition applies, the removal waits: %s", got)
	}
	if !strings.Contains(f.out.String(), "not applied without confirmation: drop column(s) name of table Events") {
		t.Fatalf("output:\n%s", f.out.String())
	}
	// the next reload does not repeat the notice, and still does not drop
	f.out.Reset()
	f.loop.Reload(ctx, true)
	if strings.Contains(f.out.String(), "Held") || len(f.columns("Events")) != 3 {
		t.Fatalf("second reload:\n%s", f.out.String())
	}
	// a table removed from code waits too, and is asked about again later
	f.write("x = 1\n")
	f.loop.Reload(ctx, true)
	if len(f.columns("Events")) == 0 {
		t.Fatal("a table was dropped without confirmation")
	}
	var asked []string
	confirm := func(d []string) bool { asked = append(asked, d...); return true }
	l, err := devloop.New(devloop.Options{Project: f.proj, ClickHouse: f.srv.Client, Topics: f.adm, ConfirmDestructive: confirm,
		Printer: display.NewPrinter(f.out, display.NewStyles(false))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Reload(ctx, true); err != nil {
		t.Fatal(err)
	}
	if len(asked) != 1 || !strings.Contains(asked[0], "drop table Events") || len(f.columns("Events")) != 0 {
		t.Fatalf("asked %v; columns %v", asked, f.columns("Events"))
	}
}

func TestAConfirmedRenameKeepsTheData(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	l, err := devloop.New(devloop.Options{Project: f.proj, ClickHouse: f.srv.Client, Topics: f.adm,
		ConfirmRenames: func([]string) bool { return true }, Printer: display.NewPrinter(f.out, display.NewStyles(false))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Reload(ctx, true); err != nil {
		t.Fatal(err)
	}
	if err := f.srv.Client.Exec(ctx, "INSERT INTO local.Events VALUES ('a', 'kept')"); err != nil {
		t.Fatal(err)
	}
	f.write(strings.Replace(models, "    name: str\n", "    full_name: str\n", 1))
	if _, err := l.Reload(ctx, true); err != nil {
		t.Fatal(err, f.out.String())
	}
	rows, err := f.srv.Client.Query(ctx, "SELECT full_name FROM local.Events")
	if err != nil {
		t.Fatal(err, f.out.String())
	}
	defer rows.Close()
	var v string
	if !rows.Next() || rows.Scan(&v) != nil || v != "kept" {
		t.Fatalf("full_name = %q after the rename\n%s", v, f.out.String())
	}
	if !strings.Contains(f.out.String(), "~ name -> full_name: String (renamed, data kept)") {
		t.Fatalf("output:\n%s", f.out.String())
	}
}

func TestAnUnconfirmedRenameAddsTheColumnAndHoldsTheDrop(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.loop.Reload(ctx, true)
	f.write(strings.Replace(models, "    name: str\n", "    full_name: str\n", 1))
	f.out.Reset()
	if _, err := f.loop.Reload(ctx, true); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(f.columns("Events"), ","); got != "id String,full_name String,name String" {
		t.Fatalf("columns: %s\n%s", got, f.out.String())
	}
	if !strings.Contains(f.out.String(), "looks like a rename") {
		t.Fatalf("output:\n%s", f.out.String())
	}
}

func TestAConfirmedTableRenameKeepsTheRows(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	var asked []string
	l, err := devloop.New(devloop.Options{Project: f.proj, ClickHouse: f.srv.Client, Topics: f.adm,
		ConfirmRenames: func(r []string) bool { asked = r; return true }, Printer: display.NewPrinter(f.out, display.NewStyles(false))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Reload(ctx, true); err != nil {
		t.Fatal(err)
	}
	if err := f.srv.Client.Exec(ctx, "INSERT INTO local.Events VALUES ('a', 'kept')"); err != nil {
		t.Fatal(err)
	}
	f.write(strings.Replace(models, `OlapTable[Event]("Events")`, `OlapTable[Event]("AppEvents")`, 1))
	f.out.Reset()
	if _, err := l.Reload(ctx, true); err != nil {
		t.Fatal(err, f.out.String())
	}
	if len(asked) != 1 || asked[0] != "rename table Events to AppEvents (keeps its rows)" {
		t.Fatalf("asked %q", asked)
	}
	rows, err := f.srv.Client.Query(ctx, "SELECT name FROM local.AppEvents")
	if err != nil {
		t.Fatal(err, f.out.String())
	}
	defer rows.Close()
	var v string
	if !rows.Next() || rows.Scan(&v) != nil || v != "kept" {
		t.Fatalf("AppEvents.name = %q after the rename\n%s", v, f.out.String())
	}
	if f.columns("Events") != nil {
		t.Fatalf("Events still exists\n%s", f.out.String())
	}
	if !strings.Contains(f.out.String(), "~  Table: AppEvents") || !strings.Contains(f.out.String(), "Renamed from Events") {
		t.Fatalf("output:\n%s", f.out.String())
	}
	// the next reload finds nothing to do
	f.out.Reset()
	if _, err := l.Reload(ctx, true); err != nil || strings.Contains(f.out.String(), "Table:") {
		t.Fatalf("a second reload: %v\n%s", err, f.out.String())
	}
}

func TestAnUnconfirmedTableRenameCreatesTheNewTableAndHoldsTheDrop(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.loop.Reload(ctx, true)
	if err := f.srv.Client.Exec(ctx, "INSERT INTO local.Events VALUES ('a', 'kept')"); err != nil {
		t.Fatal(err)
	}
	f.write(strings.Replace(models, `OlapTable[Event]("Events")`, `OlapTable[Event]("AppEvents")`, 1))
	f.out.Reset()
	if _, err := f.loop.Reload(ctx, true); err != nil {
		t.Fatal(err)
	}
	if f.columns("Events") == nil || f.columns("AppEvents") == nil {
		t.Fatalf("want both tables: the new one created, the old one's drop held\n%s", f.out.String())
	}
	if !strings.Contains(f.out.String(), "Rename?") || !strings.Contains(f.out.String(), "rename table Events to AppEvents") {
		t.Fatalf("output:\n%s", f.out.String())
	}
}

func TestTimingAndTheReloadScript(t *testing.T) {
	f := newFixture(t)
	os.WriteFile(filepath.Join(f.proj.Root, "moose.config.toml"),
		[]byte("[http_server_config]\non_reload_complete_script = \"echo reloaded > reload.out\"\n"), 0o644)
	proj, err := project.Load(f.proj.Root)
	if err != nil {
		t.Fatal(err)
	}
	l, err := devloop.New(devloop.Options{Project: proj, ClickHouse: f.srv.Client, Topics: f.adm, Timing: true,
		Printer: display.NewPrinter(f.out, display.NewStyles(false))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Reload(context.Background(), true); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Parsing finished in", "Planning finished in", "Execution finished in"} {
		if !strings.Contains(f.out.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if data, err := os.ReadFile(filepath.Join(proj.Root, "reload.out")); err == nil && string(data) == "reloaded\n" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("on_reload_complete_script did not run")
		}
	}
}

// A topic's retention changed behind moose-dev's back is put back on the
// next reload, as a table column altered by hand is.
func TestARetentionChangedByHandIsPutBack(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.loop.Reload(ctx, false); err != nil {
		t.Fatal(err, f.out.String())
	}
	topics, err := f.adm.Topics(ctx)
	if err != nil || topics["Events"].RetentionMs != 604800000 {
		t.Fatalf("retention after create: %+v %v", topics["Events"], err)
	}
	c := &kafka.Client{Addr: kafka.TCP(f.adm.Addr)}
	resp, err := c.IncrementalAlterConfigs(ctx, &kafka.IncrementalAlterConfigsRequest{Resources: []kafka.IncrementalAlterConfigsRequestResource{{
		ResourceType: kafka.ResourceTypeTopic, ResourceName: "Events",
		Configs: []kafka.IncrementalAlterConfigsRequestConfig{{Name: "retention.ms", Value: "1000", ConfigOperation: kafka.ConfigOperationSet}}}}})
	if err != nil || resp.Resources[0].Error != nil {
		t.Fatalf("altering by hand: %v %+v", err, resp)
	}
	if topics, _ := f.adm.Topics(ctx); topics["Events"].RetentionMs != 1000 {
		t.Fatalf("the hand change did not take: %+v", topics["Events"])
	}
	if _, err := f.loop.Reload(ctx, true); err != nil {
		t.Fatal(err, f.out.String())
	}
	if topics, _ := f.adm.Topics(ctx); topics["Events"].RetentionMs != 604800000 {
		t.Fatalf("retention after reload: %+v\n%s", topics["Events"], f.out.String())
	}
}

// createQuery is a table's CREATE query as system.tables has it.
func (f *fixture) createQuery(table string) string {
	f.t.Helper()
	rows, err := f.srv.Client.Query(context.Background(), "SELECT create_table_query FROM system.tables WHERE database = 'local' AND name = ?", table)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	var q string
	if !rows.Next() || rows.Scan(&q) != nil {
		f.t.Fatalf("no table %s", table)
	}
	return q
}

func TestATableTTLChangedByHandIsPutBack(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.write(`from datetime import datetime
from moose_lib import Key, OlapConfig, OlapTable
from pydantic import BaseModel


class Event(BaseModel):
    id: Key[str]
    at: datetime


events = OlapTable[Event]("Events", OlapConfig(ttl="at + INTERVAL 30 DAY"))
`)
	ttl := func() string { q := f.createQuery("Events"); return q[strings.Index(q, " TTL "):] }
	if _, err := f.loop.Reload(ctx, false); err != nil {
		t.Fatal(err, f.out.String())
	}
	if got := ttl(); !strings.Contains(got, "toIntervalDay(30)") {
		t.Fatalf("TTL after create: %s", got)
	}
	// a restart reads the TTL back in ClickHouse's spelling: nothing to do
	f.loop = f.newLoop()
	f.out.Reset()
	if _, err := f.loop.Reload(ctx, false); err != nil || strings.Contains(f.out.String(), "TTL") {
		t.Fatalf("a restart reported a TTL change: %v\n%s", err, f.out.String())
	}
	if err := f.srv.Client.Exec(ctx, "ALTER TABLE local.Events MODIFY TTL at + INTERVAL 1 DAY"); err != nil {
		t.Fatal(err)
	}
	f.out.Reset()
	if _, err := f.loop.Reload(ctx, true); err != nil {
		t.Fatal(err, f.out.String())
	}
	if got := ttl(); !strings.Contains(got, "toIntervalDay(30)") {
		t.Fatalf("TTL after the reload: %s\n%s", got, f.out.String())
	}
}

func TestASettingChangedByHandIsPutBack(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.write(`from moose_lib import Key, OlapConfig, OlapTable
from pydantic import BaseModel


class Event(BaseModel):
    id: Key[str]


events = OlapTable[Event]("Events", OlapConfig(settings={"merge_with_ttl_timeout": "3600"}))
`)
	settings := func() string { q := f.createQuery("Events"); return q[strings.Index(q, " SETTINGS "):] }
	if _, err := f.loop.Reload(ctx, false); err != nil {
		t.Fatal(err, f.out.String())
	}
	f.loop = f.newLoop() // a restart reads the settings back: nothing to do
	f.out.Reset()
	if _, err := f.loop.Reload(ctx, false); err != nil || strings.Contains(f.out.String(), "Settings") {
		t.Fatalf("a restart reported a settings change: %v\n%s", err, f.out.String())
	}
	for _, q := range []string{"ALTER TABLE local.Events MODIFY SETTING merge_with_ttl_timeout = 100",
		"ALTER TABLE local.Events MODIFY SETTING min_bytes_for_wide_part = 0"} {
		if err := f.srv.Client.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	f.out.Reset()
	if _, err := f.loop.Reload(ctx, true); err != nil {
		t.Fatal(err, f.out.String())
	}
	if got := settings(); !strings.Contains(got, "merge_with_ttl_timeout = 3600") || strings.Contains(got, "min_bytes_for_wide_part") {
		t.Fatalf("settings after the reload: %s\n%s", got, f.out.String())
	}
}

// After a person in the terminal answered no, the held notice says so
// instead of telling them to run in a terminal.
func TestAnsweredNoSaysSoNotRunInATerminal(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	l, err := devloop.New(devloop.Options{Project: f.proj, ClickHouse: f.srv.Client, Topics: f.adm,
		ConfirmDestructive: func([]string) bool { return false },
		Waiting:            func(string, []string) bool { return false }, // answered already
		Printer:            display.NewPrinter(f.out, display.NewStyles(false))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Reload(ctx, true); err != nil {
		t.Fatal(err)
	}
	f.write("x = 1\n")
	f.out.Reset()
	l.Reload(ctx, true)
	out := f.out.String()
	if !strings.Contains(out, "you answered no, which stands until moose-dev dev restarts") || strings.Contains(out, "in a terminal to be asked") {
		t.Fatalf("held notice after a no:\n%s", out)
	}
	if len(f.columns("Events")) == 0 {
		t.Fatal("a table was dropped after a no")
	}
}

func TestProgressCountsTheAppliedOperations(t *testing.T) {
	f := newFixture(t)
	var calls [][2]int
	l, err := devloop.New(devloop.Options{Project: f.proj, ClickHouse: f.srv.Client, Topics: f.adm,
		Printer:  display.NewPrinter(f.out, display.NewStyles(false)),
		Progress: func(done, total int) { calls = append(calls, [2]int{done, total}) }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Reload(context.Background(), false); err != nil {
		t.Fatal(err, f.out.String())
	}
	if len(calls) == 0 {
		t.Fatal("no progress while the tables were created")
	}
	n := calls[0][1]
	for i, c := range calls {
		if c != [2]int{i + 1, n} {
			t.Fatalf("progress %v, want 1..%d of %d", calls, n, n)
		}
	}
	if len(calls) != n {
		t.Fatalf("progress %v ends before %d of %d", calls, n, n)
	}
	calls = nil
	if _, err := l.Reload(context.Background(), false); err != nil || len(calls) != 0 {
		t.Fatalf("nothing to apply, yet progress %v (%v)", calls, err)
	}
}

// A save ClickHouse refuses changes nothing in the broker either (as
// upstream, which applies the tables first): its new stream's topic is
// made by the save that fixes the table.
func TestASaveClickHouseRefusesMakesNoTopic(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.loop.Reload(ctx, true); err != nil {
		t.Fatal(err)
	}
	clicks := "\nclass Click(BaseModel):\n    id: Key[str]\n\n\nclicks = Stream[Click](\"Clicks\")\n"
	bad := "\nclass NoKey(BaseModel):\n    a: Key[str]\n    sign: int\n\n\nbad = OlapTable[NoKey](\"NoKey\", OlapConfig(engine=CollapsingMergeTreeEngine(sign=\"sign\")))\n"
	withEngine := strings.Replace(models, "from moose_lib import Key, OlapTable, Stream", "from moose_lib import CollapsingMergeTreeEngine, Key, OlapConfig, OlapTable, Stream", 1)
	statePath := filepath.Join(f.proj.StateDir(), devloop.StateFile)
	before, _ := os.ReadFile(statePath)
	f.write(withEngine + clicks + bad)
	if _, err := f.loop.Reload(ctx, true); err == nil {
		t.Fatalf("want an error:\n%s", f.out.String())
	}
	topics, err := f.adm.Topics(ctx)
	if err != nil || topics["Clicks"].Partitions != 0 || topics["Events"].Partitions != 1 {
		t.Fatalf("a refused save made a topic: %v %v", topics, err)
	}
	if after, _ := os.ReadFile(statePath); !bytes.Equal(before, after) {
		t.Fatal("a refused save changed the stored state")
	}
	f.write(withEngine + clicks)
	if _, err := f.loop.Reload(ctx, true); err != nil {
		t.Fatalf("%v\n%s", err, f.out.String())
	}
	if topics, err := f.adm.Topics(ctx); err != nil || topics["Clicks"].Partitions != 1 {
		t.Fatalf("the fixed save makes the topic: %v %v", topics, err)
	}
}

// What exists is read while the code is parsed, in the databases the
// stored state knows; a database only the code names is read after. With
// the state lost, a table there is adopted, not created again.
func TestATableInADatabaseOnlyTheCodeNamesIsReadBack(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if err := f.srv.Client.EnsureDatabases(ctx, "analytics"); err != nil { // as dev does for additional_databases
		t.Fatal(err)
	}
	f.write(strings.Replace(models, "OlapTable, Stream", "OlapConfig, OlapTable, Stream", 1) +
		"\nother = OlapTable[Event](\"Other\", OlapConfig(database=\"analytics\"))\n")
	if _, err := f.loop.Reload(ctx, false); err != nil {
		t.Fatalf("%v\n%s", err, f.out.String())
	}
	os.Remove(filepath.Join(f.proj.StateDir(), devloop.StateFile))
	f.out.Reset()
	if _, err := f.newLoop().Reload(ctx, false); err != nil {
		t.Fatalf("%v\n%s", err, f.out.String())
	}
	if f.out.Len() != 0 {
		t.Fatalf("the tables exist, in both databases: nothing to change:\n%s", f.out.String())
	}
}

// The tables a launch makes are read back in the background, so the
// first save reads none of them in full.
func TestTheFirstSaveReadsNoTableInFull(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.loop.Reload(ctx, false); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2500 * time.Millisecond) // the background reading runs 1.1 s after the launch
	before := f.srv.Client.TablesReadInFull()
	if _, err := f.loop.Reload(ctx, true); err != nil {
		t.Fatal(err)
	}
	if got := f.srv.Client.TablesReadInFull() - before; got != 0 {
		t.Fatalf("the first save read %d table(s) in full", got)
	}
}
