package devloop_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moose-dev/moose-dev/devloop"
	"github.com/moose-dev/moose-dev/display"
	"github.com/moose-dev/moose-dev/infra"
)

// cityModels is a table whose ORDER BY the tests change; {fields} and
// {config} are replaced.
const cityModels = `from moose_lib import Key, LifeCycle, OlapConfig, OlapTable
from pydantic import BaseModel


class Visit(BaseModel):
    id: Key[str]
{fields}

visits = OlapTable[Visit]("Visits", OlapConfig({config}))
`

func writeCity(f *fixture, fields, config string) {
	f.write(strings.NewReplacer("{fields}", fields, "{config}", config).Replace(cityModels))
}

// rowsOf reads a table as sorted "col=value" lines, every column.
func rowsOf(t *testing.T, f *fixture, table string, cols ...string) []string {
	t.Helper()
	rows, err := f.srv.Client.Query(context.Background(), "SELECT "+strings.Join(cols, ", ")+" FROM local."+table+" ORDER BY id")
	if err != nil {
		t.Fatalf("reading %s: %v\n%s", table, err, f.out.String())
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		vals := make([]string, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		out = append(out, strings.Join(vals, "|"))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func reload(t *testing.T, f *fixture, l *devloop.Loop) {
	t.Helper()
	if _, err := l.Reload(context.Background(), true); err != nil {
		t.Fatalf("reload: %v\n%s", err, f.out.String())
	}
}

func sortingKey(t *testing.T, f *fixture, table string) string {
	t.Helper()
	tables, err := f.srv.Client.Tables(context.Background(), "local")
	if err != nil {
		t.Fatal(err)
	}
	if tables[table] == nil {
		t.Fatalf("table %s is gone", table)
	}
	return tables[table].SortingKey
}

func storedState(t *testing.T, f *fixture) *infra.Map {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(f.proj.StateDir(), devloop.StateFile))
	if err != nil {
		t.Fatal(err)
	}
	m, err := infra.UnmarshalMap(data)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// Issue 11 item 1: a held column drop followed by an ORDER BY change must
// not lose the held column's values in the recreate.
func TestARecreateCarriesAColumnWhoseDropIsHeld(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	writeCity(f, "    city: str\n    keepme: str\n", `order_by_fields=["id"]`)
	reload(t, f, f.loop)
	if err := f.srv.Client.Exec(ctx, "INSERT INTO local.Visits VALUES ('a', 'paris', 'k1'), ('b', 'rome', 'k2')"); err != nil {
		t.Fatal(err)
	}
	writeCity(f, "    city: str\n", `order_by_fields=["id"]`) // the drop of keepme is held
	reload(t, f, f.loop)
	writeCity(f, "    city: str\n", `order_by_fields=["id", "city"]`)
	f.out.Reset()
	reload(t, f, f.loop)
	if got := sortingKey(t, f, "Visits"); got != "id, city" {
		t.Fatalf("sorting key %q: the recreate did not apply\n%s", got, f.out.String())
	}
	if got := strings.Join(rowsOf(t, f, "Visits", "id", "city", "keepme"), ","); got != "a|paris|k1,b|rome|k2" {
		t.Fatalf("rows after the recreate: %s\n%s", got, f.out.String())
	}
	if !strings.Contains(f.out.String(), "not applied without confirmation") ||
		!strings.Contains(f.out.String(), "Keeps column(s) keepme with their data") {
		t.Fatalf("the held drop must still be said to wait:\n%s", f.out.String())
	}
	// confirmed later, the drop applies and the rest stays
	l, err := devloop.New(devloop.Options{Project: f.proj, ClickHouse: f.srv.Client, Topics: f.adm,
		ConfirmDestructive: func([]string) bool { return true }, Printer: display.NewPrinter(f.out, display.NewStyles(false))})
	if err != nil {
		t.Fatal(err)
	}
	reload(t, f, l)
	if got := strings.Join(f.columns("Visits"), ","); got != "id String,city String" {
		t.Fatalf("columns after the confirmed drop: %s", got)
	}
	if got := strings.Join(rowsOf(t, f, "Visits", "id", "city"), ","); got != "a|paris,b|rome" {
		t.Fatalf("rows after the confirmed drop: %s", got)
	}
}

// Issue 11 item 1, variant: a field in the ORDER BY renamed (or removed):
// its values are kept unless the loss is confirmed.
func TestARecreateKeepsTheValuesOfARenamedKeyColumn(t *testing.T) {
	for _, tc := range []struct {
		name, fields, orderBy string
		confirmRename         bool
		cols                  []string
		want                  string
	}{
		{"rename declined", "    town: str\n", `"id", "town"`, false, []string{"id", "town", "city"}, "a||paris,b||rome"},
		{"rename confirmed", "    town: str\n", `"id", "town"`, true, []string{"id", "town"}, "a|paris,b|rome"},
		{"removed", "", `"id"`, false, []string{"id", "city"}, "a|paris,b|rome"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			writeCity(f, "    city: str\n", `order_by_fields=["id", "city"]`)
			reload(t, f, f.loop)
			if err := f.srv.Client.Exec(context.Background(), "INSERT INTO local.Visits VALUES ('a', 'paris'), ('b', 'rome')"); err != nil {
				t.Fatal(err)
			}
			l, err := devloop.New(devloop.Options{Project: f.proj, ClickHouse: f.srv.Client, Topics: f.adm,
				ConfirmRenames: func([]string) bool { return tc.confirmRename }, Printer: display.NewPrinter(f.out, display.NewStyles(false))})
			if err != nil {
				t.Fatal(err)
			}
			writeCity(f, tc.fields, "order_by_fields=["+tc.orderBy+"]")
			f.out.Reset()
			reload(t, f, l)
			if got := strings.Join(rowsOf(t, f, "Visits", tc.cols...), ","); got != tc.want {
				t.Fatalf("rows: %s, want %s\n%s", got, tc.want, f.out.String())
			}
			if !tc.confirmRename && !strings.Contains(f.out.String(), "not applied without confirmation: recreate table Visits") {
				t.Fatalf("the loss must be held and said:\n%s", f.out.String())
			}
		})
	}
}

// Issue 11 item 2: a blocked ORDER BY change is not recorded as applied;
// flipping the lifecycle afterwards applies it.
func TestABlockedChangeIsNotStoredAndAppliesOnceAllowed(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	writeCity(f, "    city: str\n", `order_by_fields=["id"], life_cycle=LifeCycle.DELETION_PROTECTED`)
	reload(t, f, f.loop)
	if err := f.srv.Client.Exec(ctx, "INSERT INTO local.Visits VALUES ('a', 'paris')"); err != nil {
		t.Fatal(err)
	}
	writeCity(f, "    city: str\n", `order_by_fields=["id", "city"], life_cycle=LifeCycle.DELETION_PROTECTED`)
	f.out.Reset()
	reload(t, f, f.loop)
	if !strings.Contains(f.out.String(), "blocked") || sortingKey(t, f, "Visits") != "id" {
		t.Fatalf("the change must be blocked:\n%s", f.out.String())
	}
	if got := storedState(t, f).Tables["local_Visits"].OrderBy.String(); got != "id" {
		t.Fatalf("the stored state claims ORDER BY %s, ClickHouse has id", got)
	}
	writeCity(f, "    city: str\n", `order_by_fields=["id", "city"], life_cycle=LifeCycle.FULLY_MANAGED`)
	reload(t, f, f.loop)
	if got := sortingKey(t, f, "Visits"); got != "id, city" {
		t.Fatalf("sorting key %q after the flip\n%s", got, f.out.String())
	}
	if got := strings.Join(rowsOf(t, f, "Visits", "id", "city"), ","); got != "a|paris" {
		t.Fatalf("rows: %s", got)
	}
}

// Issue 11 item 2: a stored state that claims keys ClickHouse does not have
// (an older moose-dev, a hand edit) is corrected by reading the keys back.
func TestKeysAreReadBackFromClickHouse(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	writeCity(f, "    city: str\n", `order_by_fields=["id", "city"], partition_by="city"`)
	reload(t, f, f.loop)
	// the table as ClickHouse holds it diverges from the stored state
	for _, q := range []string{"DROP TABLE local.Visits",
		"CREATE TABLE local.Visits (id String, city String) ENGINE = MergeTree ORDER BY id",
		"INSERT INTO local.Visits VALUES ('a', 'paris')"} {
		if err := f.srv.Client.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	f.out.Reset()
	reload(t, f, f.loop)
	tables, err := f.srv.Client.Tables(ctx, "local")
	if err != nil {
		t.Fatal(err)
	}
	if v := tables["Visits"]; v.SortingKey != "id, city" || v.PartitionKey != "city" {
		t.Fatalf("keys not put back: ORDER BY %q PARTITION BY %q\n%s", v.SortingKey, v.PartitionKey, f.out.String())
	}
	if got := strings.Join(rowsOf(t, f, "Visits", "id", "city"), ","); got != "a|paris" {
		t.Fatalf("rows: %s", got)
	}
	f.out.Reset()
	reload(t, f, f.loop)
	if strings.Contains(f.out.String(), "Table") {
		t.Fatalf("once put back, nothing more to do:\n%s", f.out.String())
	}
}

// Issue 11 item 7: while a question is open, the changes it is about wait
// and everything else applies; once answered, the next reload applies them.
func TestAnOpenQuestionHoldsOnlyWhatItIsAbout(t *testing.T) {
	f := newFixture(t)
	answered := map[string]bool{}
	waiting := func(_ string, descs []string) bool {
		for _, d := range descs {
			if _, ok := answered[d]; !ok {
				return true
			}
		}
		return false
	}
	yes := func(descs []string) bool {
		for _, d := range descs {
			if !answered[d] {
				return false
			}
		}
		return true
	}
	l, err := devloop.New(devloop.Options{Project: f.proj, ClickHouse: f.srv.Client, Topics: f.adm, Waiting: waiting,
		ConfirmDestructive: yes, ConfirmRenames: yes, Printer: display.NewPrinter(f.out, display.NewStyles(false))})
	if err != nil {
		t.Fatal(err)
	}
	writeCity(f, "    city: str\n", `order_by_fields=["id"]`)
	reload(t, f, l)
	if err := f.srv.Client.Exec(context.Background(), "INSERT INTO local.Visits VALUES ('a', 'paris')"); err != nil {
		t.Fatal(err)
	}
	// a rename (question open) and, in the same save, a new table
	f.write(strings.NewReplacer("{fields}", "    town: str\n", "{config}", `order_by_fields=["id"]`).Replace(cityModels) +
		"\n\nclass Other(BaseModel):\n    id: Key[str]\n\n\nother = OlapTable[Other](\"Other\")\n")
	f.out.Reset()
	reload(t, f, l)
	if got := strings.Join(f.columns("Visits"), ","); got != "id String,city String" {
		t.Fatalf("the table a question is about waits whole: %s\n%s", got, f.out.String())
	}
	if len(f.columns("Other")) == 0 {
		t.Fatalf("the rest applies while the question is open\n%s", f.out.String())
	}
	if held, _ := l.Outstanding(); len(held) != 1 {
		t.Fatalf("outstanding: %v", held)
	}
	if got := storedState(t, f).Tables["local_Visits"]; got == nil || got.Columns[1].Name != "city" {
		t.Fatalf("the stored state must keep the table as it is: %+v", got)
	}
	reload(t, f, l) // saves go on; the question is not repeated
	if n := strings.Count(f.out.String(), "waiting for your answer"); n != 1 {
		t.Fatalf("said %d times, want once:\n%s", n, f.out.String())
	}
	answered["rename column Visits.city to town (keeps its data)"] = true
	reload(t, f, l)
	if got := strings.Join(rowsOf(t, f, "Visits", "id", "town"), ","); got != "a|paris" {
		t.Fatalf("after yes the rename applies with the data: %s\n%s", got, f.out.String())
	}
}

// A recreate that also makes a column required refuses while the column
// holds NULLs (the copy would turn them into ” silently), and changes
// nothing; without NULLs it applies.
func TestARecreateNeverTurnsNullsIntoDefaults(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.write(strings.Replace(strings.NewReplacer("{fields}", "    city: Optional[str]\n", "{config}", `order_by_fields=["id"]`).Replace(cityModels),
		"from pydantic import BaseModel", "from pydantic import BaseModel\nfrom typing import Optional", 1))
	reload(t, f, f.loop)
	if err := f.srv.Client.Exec(ctx, "INSERT INTO local.Visits VALUES ('a', NULL), ('b', 'rome')"); err != nil {
		t.Fatal(err)
	}
	writeCity(f, "    city: str\n", `order_by_fields=["id", "city"]`)
	f.out.Reset()
	if _, err := f.loop.Reload(ctx, true); err == nil || !strings.Contains(f.out.String(), "column Visits.city: some rows cannot be converted") {
		t.Fatalf("want the recreate refused, got %v\n%s", err, f.out.String())
	}
	if got := strings.Join(rowsOf(t, f, "Visits", "id", "ifNull(city, 'NULL')"), ","); got != "a|NULL,b|rome" || sortingKey(t, f, "Visits") != "id" {
		t.Fatalf("the table changed: %s\n%s", got, f.out.String())
	}
	if err := f.srv.Client.Exec(ctx, "ALTER TABLE local.Visits UPDATE city = 'paris' WHERE id = 'a' SETTINGS mutations_sync = 2"); err != nil {
		t.Fatal(err)
	}
	reload(t, f, f.loop)
	if got := strings.Join(rowsOf(t, f, "Visits", "id", "city"), ","); got != "a|paris,b|rome" || sortingKey(t, f, "Visits") != "id, city" {
		t.Fatalf("after the fix: %s, sorting key %s\n%s", got, sortingKey(t, f, "Visits"), f.out.String())
	}
}

// A blocked change is shown once, but another change blocked for a reason
// that reads the same (EXTERNALLY_MANAGED counts the columns) is shown too.
func TestEachDifferentBlockedChangeIsShown(t *testing.T) {
	f := newFixture(t)
	if err := f.srv.Client.Exec(context.Background(), "CREATE TABLE local.Visits (id String, city String) ENGINE = MergeTree ORDER BY id"); err != nil {
		t.Fatal(err)
	}
	ext := `order_by_fields=["id"], life_cycle=LifeCycle.EXTERNALLY_MANAGED`
	writeCity(f, "    city: str\n", ext)
	reload(t, f, f.loop)
	for i, fields := range []string{"    city: str\n    a: str\n", "    city: str\n    a: str\n", "    city: str\n    b: str\n"} {
		writeCity(f, fields, ext)
		f.out.Reset()
		reload(t, f, f.loop)
		shown := strings.Contains(f.out.String(), "ExternallyManaged lifecycle")
		if want := i != 1; shown != want {
			t.Fatalf("save %d: blocked change shown %v, want %v\n%s", i, shown, want, f.out.String())
		}
	}
	if got := strings.Join(f.columns("Visits"), ","); got != "id String,city String" {
		t.Fatalf("an externally managed table was touched: %s", got)
	}
}

// Keys ClickHouse reformats when it stores them (INTERVAL, CAST, double
// quotes, spacing) read back as the same keys: once applied, a reload plans
// nothing (a spurious ORDER BY change would recreate the table on every
// save).
func TestReformattedKeysReadBackAsTheSame(t *testing.T) {
	f := newFixture(t)
	src := `from datetime import datetime
from moose_lib import OlapConfig, OlapTable
from pydantic import BaseModel


class Hit(BaseModel):
    id: str
    ts: datetime
    n: int


hits = OlapTable[Hit]("Hits", OlapConfig(
    order_by_expression="(id, toStartOfInterval(ts, INTERVAL 1 HOUR), CAST(n AS String), cityHash64(id))",
    partition_by="toStartOfInterval(ts, INTERVAL 30 DAY)",
    sample_by_expression="cityHash64( \"id\" )"))
`
	f.write(src)
	reload(t, f, f.loop)
	for i := range 2 {
		f.out.Reset()
		reload(t, f, f.loop)
		if strings.Contains(f.out.String(), "Table") {
			t.Fatalf("reload %d after the create plans a change:\n%s", i+1, f.out.String())
		}
		f.loop = f.newLoop() // and a restarted loop, from the stored state
	}
}

// Destructive changes are decided one by one: a yes to one applies it even
// when another in the same reload gets a no.
func TestEachDestructiveChangeHasItsOwnAnswer(t *testing.T) {
	f := newFixture(t)
	writeCity(f, "    city: str\n    a: str\n    b: str\n", `order_by_fields=["id"]`)
	reload(t, f, f.loop)
	f.write(strings.NewReplacer("{fields}", "    city: str\n", "{config}", `order_by_fields=["id"]`).Replace(cityModels)) // a and b dropped
	if err := f.srv.Client.Exec(context.Background(), "CREATE TABLE local.Gone (id String) ENGINE = MergeTree ORDER BY id"); err != nil {
		t.Fatal(err)
	}
	st := storedState(t, f)
	gone := *st.Tables["local_Visits"]
	gone.Name = "Gone"
	gone.Columns = gone.Columns[:1]
	st.AddTable(&gone)
	data, _ := json.Marshal(st)
	os.WriteFile(filepath.Join(f.proj.StateDir(), devloop.StateFile), data, 0o644)
	// a table the state knows and the code no longer declares
	l, err := devloop.New(devloop.Options{Project: f.proj, ClickHouse: f.srv.Client, Topics: f.adm, Printer: display.NewPrinter(f.out, display.NewStyles(false)),
		ConfirmDestructive: func(d []string) bool { return len(d) == 1 && strings.Contains(d[0], "drop table Gone") }})
	if err != nil {
		t.Fatal(err)
	}
	f.out.Reset()
	reload(t, f, l)
	if len(f.columns("Gone")) != 0 {
		t.Fatalf("the confirmed drop did not apply\n%s", f.out.String())
	}
	if got := strings.Join(f.columns("Visits"), ","); got != "id String,city String,a String,b String" {
		t.Fatalf("the unconfirmed column drops applied: %s\n%s", got, f.out.String())
	}
}

// A recreate never casts a value silently: an Int64 that does not fit the
// new Int32 refuses the whole change before anything is built.
func TestARecreateNeverWrapsAValue(t *testing.T) {
	f := newFixture(t)
	writeCity(f, "    n: int\n", `order_by_fields=["id"]`)
	reload(t, f, f.loop)
	if err := f.srv.Client.Exec(context.Background(), "INSERT INTO local.Visits VALUES ('a', 5000000000), ('b', 7)"); err != nil {
		t.Fatal(err)
	}
	f.write(strings.Replace(strings.NewReplacer("{fields}", "    n: Annotated[int, \"int32\"]\n", "{config}", `order_by_fields=["id", "n"]`).Replace(cityModels),
		"from pydantic import BaseModel", "from pydantic import BaseModel\nfrom typing import Annotated", 1))
	f.out.Reset()
	if _, err := f.loop.Reload(context.Background(), true); err == nil || !strings.Contains(f.out.String(), "column Visits.n: some rows cannot be converted") {
		t.Fatalf("want the recreate refused, got %v\n%s", err, f.out.String())
	}
	if got := strings.Join(rowsOf(t, f, "Visits", "id", "toString(n)"), ","); got != "a|5000000000,b|7" || sortingKey(t, f, "Visits") != "id" {
		t.Fatalf("the table changed: %s\n%s", got, f.out.String())
	}
}
