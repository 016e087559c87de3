package devloop_test

// The schema-evolution fuzz test (issue 11): seeded random edits to a Python
// project of 3-6 tables of all three lifecycles, rows inserted before every
// step, and after every reload the dev loop's promises checked against the
// embedded ClickHouse (evolution_check_test.go). A short seed set runs in
// `go test ./...`; `task fuzz` runs a long one:
//
//	MOOSE_DEV_EVOLVE_SEEDS=200 MOOSE_DEV_EVOLVE_STEPS=30 go test ./devloop -run '^TestSchemaEvolution$' -v
//
// MOOSE_DEV_EVOLVE_SEED=n starts at seed n, to replay one seed;
// MOOSE_DEV_EVOLVE_TRACE=1 logs every step and what the loop printed. The named
// regressions below are fixed scripts through the same steps and checks.

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/moose-dev/moose-dev/clickhouse"
	"github.com/moose-dev/moose-dev/devloop"
	"github.com/moose-dev/moose-dev/display"
)

const (
	fullyManaged = "FULLY_MANAGED"
	protected    = "DELETION_PROTECTED"
	external     = "EXTERNALLY_MANAGED"
)

// chType is the ClickHouse type each Python annotation the generator writes
// becomes.
var chType = map[string]string{"str": "String", "int": "Int64", "Int32": "Int32",
	"Optional[str]": "Nullable(String)", "Optional[int]": "Nullable(Int64)"}

var (
	// compatible type changes keep every value (and its toString); incompatible
	// ones fail on the rows the generator writes ('v12' is no number; NULLs).
	compatible   = map[string][]string{"Int32": {"int", "str"}, "int": {"str", "Optional[int]"}, "str": {"Optional[str]"}}
	incompatible = map[string]string{"str": "int", "Optional[str]": "str"}
	tableWords   = []string{"Orders", "Users", "Visits", "Stock", "Ledger", "Shops", "Teams", "Plans"}
	fieldWords   = []string{"city", "amount", "label", "score", "region", "status", "total", "kind", "color", "origin"}
)

type field struct{ name, typ string }

// table is one declared OlapTable. fields[0] is rid, the row identity the
// checks match rows by; no edit touches it.
type table struct {
	name    string
	fields  []field
	orderBy []string
	lc      string
}

// code is the project as the generator last wrote it.
type code struct {
	tables []*table
	broken string // a syntax error appended to main.py; "" when valid
}

func (c *code) table(name string) *table {
	for _, t := range c.tables {
		if t.name == name {
			return t
		}
	}
	return nil
}

func (c *code) source() string {
	var b strings.Builder
	b.WriteString("from typing import Optional\n\nfrom moose_lib import Int32, LifeCycle, OlapConfig, OlapTable\nfrom pydantic import BaseModel\n")
	for _, t := range c.tables {
		fmt.Fprintf(&b, "\n\nclass %sRow(BaseModel):\n", t.name)
		for _, f := range t.fields {
			fmt.Fprintf(&b, "    %s: %s\n", f.name, f.typ)
		}
		keys := make([]string, len(t.orderBy))
		for i, k := range t.orderBy {
			keys[i] = strconv.Quote(k)
		}
		fmt.Fprintf(&b, "\n\nt_%s = OlapTable[%sRow](%q, OlapConfig(order_by_fields=[%s], life_cycle=LifeCycle.%s))\n",
			strings.ToLower(t.name), t.name, t.name, strings.Join(keys, ", "), t.lc)
	}
	return b.String() + c.broken
}

func (t *table) field(name string) *field {
	for i := range t.fields {
		if t.fields[i].name == name {
			return &t.fields[i]
		}
	}
	return nil
}

// remove drops a field from the model and from ORDER BY (rid when nothing
// is left), as a user removing it must.
func (t *table) remove(name string) {
	t.fields = slices.DeleteFunc(t.fields, func(f field) bool { return f.name == name })
	t.orderBy = slices.DeleteFunc(t.orderBy, func(k string) bool { return k == name })
	if len(t.orderBy) == 0 {
		t.orderBy = []string{"rid"}
	}
}

func (t *table) rename(from, to string) {
	t.field(from).name = to
	for i, k := range t.orderBy {
		if k == from {
			t.orderBy[i] = to
		}
	}
}

// createSQL is the table as a user creates an externally managed one.
func (t *table) createSQL() string {
	cols := make([]string, len(t.fields))
	for i, f := range t.fields {
		cols[i] = clickhouse.Quote(f.name) + " " + chType[f.typ]
	}
	return fmt.Sprintf("CREATE TABLE local.%s (%s) ENGINE = MergeTree ORDER BY (%s)", clickhouse.Quote(t.name), strings.Join(cols, ", "), strings.Join(t.orderBy, ", "))
}

// edit is one step: a change to the code, what is done by hand in
// ClickHouse first, and the answers to the loop's questions.
type edit struct {
	desc    string
	code    func(*code)      // nil: the same content is saved again
	hand    func(*evolution) // done in ClickHouse before the reload
	mayFail bool             // a type change the rows may refuse
	syntax  bool             // main.py is broken: the reload must fail and change nothing
	// the answers to "drop ...?" and "rename ...?" (when someone is asked)
	destructive, renames bool
	undo                 func(*code) // for mayFail: puts the type back
	deleteBad            [3]string   // for mayFail: table, column, target type of the rows to delete by hand
}

type evolution struct {
	t    *testing.T
	f    *fixture
	loop *devloop.Loop
	seed int64
	rng  *rand.Rand
	ask  bool // the loop has someone to ask; otherwise nothing destructive is confirmed
	code *code
	// lastLC is each table's lifecycle as the code last declared it: what
	// protects it (removed from the code, it keeps the last one).
	lastLC     map[string]string
	rid, names int
	answers    *edit // the current step's
	// confirmed and renamed are what the current step's reload was told yes to.
	confirmed, renamed []string
	failed             *edit // the type change the last reload failed on
	deleted            bool  // its rows were deleted by hand since
	violations         map[string]int
	seen               map[string]bool
	last               snapshot // after the last step: what the next one inserts into
}

func newEvolution(t *testing.T, seed int64, ask bool) *evolution {
	f := newFixture(t)
	ev := &evolution{t: t, f: f, seed: seed, rng: rand.New(rand.NewSource(seed)), ask: ask, code: &code{},
		lastLC: map[string]string{}, violations: map[string]int{}, seen: map[string]bool{}}
	o := devloop.Options{Project: f.proj, ClickHouse: f.srv.Client, Topics: f.adm, Printer: display.NewPrinter(f.out, display.NewStyles(false))}
	if ask {
		o.ConfirmDestructive = func(d []string) bool {
			if ev.answers.destructive {
				ev.confirmed = append(ev.confirmed, d...)
			}
			return ev.answers.destructive
		}
		o.ConfirmRenames = func(d []string) bool {
			if ev.answers.renames {
				ev.renamed = append(ev.renamed, d...)
			}
			return ev.answers.renames
		}
	}
	l, err := devloop.New(o)
	if err != nil {
		t.Fatal(err)
	}
	ev.loop = l
	return ev
}

// step inserts rows, does e's hand work, saves e's code, reloads and checks.
func (ev *evolution) step(n int, e edit) error {
	ev.insertRows()
	if e.hand != nil {
		e.hand(ev)
	}
	before := ev.snapshot()
	stateBefore, _ := os.ReadFile(ev.statePath())
	if e.code != nil {
		e.code(ev.code)
	}
	for _, t := range ev.code.tables {
		ev.lastLC[t.name] = t.lc
	}
	ev.f.write(ev.code.source())
	ev.answers, ev.confirmed, ev.renamed = &e, nil, nil
	ev.f.out.Reset()
	_, err := ev.loop.Reload(context.Background(), true)
	if os.Getenv("MOOSE_DEV_EVOLVE_TRACE") != "" {
		ev.t.Logf("seed=%d step=%d %s (answers: destructive=%v renames=%v; confirmed %q, renames %q; error %v)\n%s",
			ev.seed, n, e.desc, e.destructive, e.renames, ev.confirmed, ev.renamed, err, ev.f.out)
	}
	ev.last = ev.snapshot()
	ev.check(n, e, before, ev.last, stateBefore, err)
	return err
}

// run runs a fixed script of edits.
func (ev *evolution) run(edits ...edit) {
	for i, e := range edits {
		ev.step(i, e)
	}
}

// createExternal creates by hand the externally managed tables of the code.
func createExternal(ev *evolution) {
	for _, t := range ev.code.tables {
		if t.lc == external {
			ev.exec(t.createSQL())
		}
	}
}

func (ev *evolution) exec(sql string) {
	ev.t.Helper()
	if err := ev.f.srv.Client.Exec(context.Background(), sql); err != nil {
		ev.t.Fatalf("seed=%d: %s: %v", ev.seed, sql, err)
	}
}

// deleteRows deletes rows by hand with a mutation that rewrites the parts:
// rows removed by a lightweight DELETE FROM stay in the parts, and a later
// MODIFY COLUMN fails on them although every SELECT (and so moose-dev's
// conversion check) no longer sees them.
func (ev *evolution) deleteRows(table, where string) {
	ev.exec(fmt.Sprintf("ALTER TABLE local.%s DELETE WHERE %s SETTINGS mutations_sync = 2", clickhouse.Quote(table), where))
}

func (ev *evolution) fresh(words []string) string {
	ev.names++
	w := words[ev.names%len(words)]
	if ev.names >= len(words) {
		w += strconv.Itoa(ev.names / len(words))
	}
	return w
}

func (ev *evolution) pick(n int) int { return ev.rng.Intn(n) }

func (ev *evolution) randomTable(lc string) *table {
	t := &table{name: ev.fresh(tableWords), lc: lc, fields: []field{{"rid", "int"}}, orderBy: []string{"rid"}}
	types := []string{"str", "int", "Int32", "Optional[str]", "Optional[int]"}
	for k := 1 + ev.pick(3); k > 0; k-- {
		t.fields = append(t.fields, field{ev.fresh(fieldWords), types[ev.pick(len(types))]})
	}
	if f := t.fields[1]; !strings.HasPrefix(f.typ, "Optional") && ev.pick(2) == 0 {
		t.orderBy = append(t.orderBy, f.name)
	}
	return t
}

func (ev *evolution) randomCode() *code {
	lcs := []string{fullyManaged, protected, external}
	off := ev.pick(3)
	c := &code{}
	for i := 3 + ev.pick(3); i > 0; i-- {
		c.tables = append(c.tables, ev.randomTable(lcs[(i+off)%3]))
	}
	return c
}

// next is the next step: the fix of a syntax error, the way out of a failed
// type change (put it back, or delete the rows by hand and save the same
// content again), or a random edit.
func (ev *evolution) next() edit {
	if ev.code.broken != "" {
		return edit{desc: "fix the syntax error", code: func(c *code) { c.broken = "" }}
	}
	if f := ev.failed; f != nil { // until a reload succeeds
		if ev.deleted || ev.pick(2) == 0 {
			return edit{desc: "put back the type change that failed: " + f.desc, code: f.undo}
		}
		ev.deleted = true
		tbl, col, to := f.deleteBad[0], f.deleteBad[1], f.deleteBad[2]
		return edit{desc: fmt.Sprintf("delete by hand the rows of %s whose %s is no %s, save the same content again", tbl, col, to),
			hand: func(ev *evolution) {
				ev.deleteRows(tbl, fmt.Sprintf("accurateCastOrNull(%s, %s) IS NULL", clickhouse.Quote(col), clickhouse.QuoteString(to)))
			}}
	}
	for {
		if e, ok := ev.randomEdit(ev.pick(10)); ok {
			return e
		}
	}
}

// randomEdit makes an edit of the given kind, if one applies.
func (ev *evolution) randomEdit(kind int) (edit, bool) {
	c := ev.code
	t := c.tables[ev.pick(len(c.tables))]
	var f *field
	if len(t.fields) > 1 {
		f = &t.fields[1+ev.pick(len(t.fields)-1)]
	}
	keyed := f != nil && slices.Contains(t.orderBy, f.name)
	switch kind {
	case 0:
		types := []string{"str", "int", "Int32", "Optional[str]"}
		nf := field{ev.fresh(fieldWords), types[ev.pick(len(types))]}
		return edit{desc: fmt.Sprintf("add field %s.%s: %s", t.name, nf.name, nf.typ), code: func(*code) { t.fields = append(t.fields, nf) }}, true
	case 1:
		if len(t.fields) < 3 {
			return edit{}, false
		}
		name := f.name
		return edit{desc: fmt.Sprintf("remove field %s.%s (in ORDER BY: %v)", t.name, name, keyed), code: func(*code) { t.remove(name) }}, true
	case 2:
		if f == nil {
			return edit{}, false
		}
		from := f.name
		to := fmt.Sprintf("%s_%d", strings.SplitN(from, "_", 2)[0], ev.names+1)
		ev.names++
		return edit{desc: fmt.Sprintf("rename field %s.%s to %s (in ORDER BY: %v)", t.name, from, to, keyed), code: func(*code) { t.rename(from, to) }}, true
	case 3, 4:
		if f == nil || keyed { // ClickHouse refuses to change a key column's type
			return edit{}, false
		}
		name, from := f.name, f.typ
		to, bad := incompatible[from]
		if kind == 3 {
			opts := compatible[from]
			if len(opts) == 0 {
				return edit{}, false
			}
			to, bad = opts[ev.pick(len(opts))], false
		} else if !bad {
			return edit{}, false
		}
		set := func(typ string) func(*code) { return func(*code) { t.field(name).typ = typ } }
		e := edit{desc: fmt.Sprintf("change %s.%s from %s to %s", t.name, name, from, to), code: set(to), mayFail: bad, undo: set(from)}
		e.deleteBad = [3]string{t.name, name, strings.TrimSuffix(strings.TrimPrefix(chType[to], "Nullable("), ")")}
		return e, true
	case 5:
		var cands []string
		for _, f := range t.fields {
			if !strings.HasPrefix(f.typ, "Optional") {
				cands = append(cands, f.name)
			}
		}
		ev.rng.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
		keys := cands[:1+ev.pick(min(3, len(cands)))]
		if slices.Equal(keys, t.orderBy) {
			return edit{}, false
		}
		return edit{desc: fmt.Sprintf("order %s by %v (was %v)", t.name, keys, t.orderBy), code: func(*code) { t.orderBy = keys }}, true
	case 6:
		if len(c.tables) >= 6 {
			return edit{}, false
		}
		nt := ev.randomTable([]string{fullyManaged, protected, external}[ev.pick(3)])
		e := edit{desc: fmt.Sprintf("add table %s (%s)", nt.name, nt.lc), code: func(c *code) { c.tables = append(c.tables, nt) }}
		if nt.lc == external {
			e.hand = func(ev *evolution) { ev.exec(nt.createSQL()) }
		}
		return e, true
	case 7:
		if len(c.tables) <= 2 {
			return edit{}, false
		}
		return edit{desc: fmt.Sprintf("remove table %s (%s)", t.name, t.lc), code: func(c *code) {
			c.tables = slices.DeleteFunc(c.tables, func(x *table) bool { return x == t })
		}}, true
	case 8:
		to := map[string]string{fullyManaged: protected, protected: fullyManaged}[t.lc]
		if to == "" {
			return edit{}, false
		}
		return edit{desc: fmt.Sprintf("change the lifecycle of %s from %s to %s", t.name, t.lc, to), code: func(*code) { t.lc = to }}, true
	default: // a syntax error, with a real edit under it that must not apply
		inner, ok := ev.randomEdit(ev.pick(9))
		if !ok || inner.mayFail || inner.hand != nil {
			return edit{}, false
		}
		broken := []string{"\nt_oops = OlapTable[", "\nclass Oops(BaseModel)\n    x: int\n", "\n  y = 1\n"}[ev.pick(3)]
		return edit{desc: inner.desc + ", with a syntax error", syntax: true, code: func(c *code) { inner.code(c); c.broken = broken }}, true
	}
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return n
	}
	return def
}

func TestSchemaEvolution(t *testing.T) {
	seeds, steps, first := envInt("MOOSE_DEV_EVOLVE_SEEDS", 4), envInt("MOOSE_DEV_EVOLVE_STEPS", 15), envInt("MOOSE_DEV_EVOLVE_SEED", 1)
	ran, byInvariant := 0, map[string]int{}
	for seed := first; seed < first+seeds; seed++ {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			// every fourth seed has no one to ask (ConfirmDestructive and
			// ConfirmRenames nil): everything destructive stays held
			ev := newEvolution(t, int64(seed), seed%4 != 0)
			ev.code = ev.randomCode()
			ev.step(0, edit{desc: "initial load", hand: createExternal})
			for n := 1; n <= steps && len(ev.seen) < 10; n++ {
				e := ev.next()
				e.destructive, e.renames = ev.pick(2) == 0, ev.pick(2) == 0
				switch err := ev.step(n, e); {
				case err == nil:
					ev.failed = nil
				case e.mayFail:
					ev.failed, ev.deleted = &e, false
				}
				ran++
			}
			for k, v := range ev.violations {
				byInvariant[k] += v
			}
			if len(ev.seen) > 0 {
				t.Logf("replay: MOOSE_DEV_EVOLVE_SEED=%d MOOSE_DEV_EVOLVE_SEEDS=1 MOOSE_DEV_EVOLVE_STEPS=%d go test ./devloop -run '^TestSchemaEvolution$' -v", seed, steps)
			}
		})
	}
	total := 0
	for _, v := range byInvariant {
		total += v
	}
	t.Logf("schema evolution: %d seeds, %d steps, %d violations %v", seeds, ran, total, byInvariant)
}

// The named regressions of issue 11: fixed scripts, checked by the same
// invariants as the random steps.

func eventsTable(lc string, orderBy []string, fields ...field) *code {
	return &code{tables: []*table{{name: "Events", lc: lc, orderBy: orderBy, fields: append([]field{{"rid", "int"}}, fields...)}}}
}

// 1a: a held column drop, then an ORDER BY change: the recreate must carry
// keepme and its values.
func TestEvolutionAHeldDropSurvivesARecreate(t *testing.T) {
	ev := newEvolution(t, 0, false)
	ev.code = eventsTable(fullyManaged, []string{"rid"}, field{"city", "str"}, field{"keepme", "str"})
	ev.run(edit{desc: "initial load"},
		edit{desc: "remove field keepme", code: func(c *code) { c.tables[0].remove("keepme") }},
		edit{desc: "order by rid, city", code: func(c *code) { c.tables[0].orderBy = []string{"rid", "city"} }})
}

// 1b: renaming a field in ORDER BY must carry its values (rename confirmed)
// or hold their loss (not confirmed).
func TestEvolutionRenamingAKeyFieldKeepsItsValues(t *testing.T) {
	for _, yes := range []bool{true, false} {
		t.Run(fmt.Sprintf("rename confirmed=%v", yes), func(t *testing.T) {
			ev := newEvolution(t, 0, true)
			ev.code = eventsTable(fullyManaged, []string{"rid", "city"}, field{"city", "str"}, field{"amount", "int"})
			ev.run(edit{desc: "initial load"},
				edit{desc: "rename city to town", renames: yes, code: func(c *code) { c.tables[0].rename("city", "town") }})
		})
	}
}

// 1c: removing a field in ORDER BY holds its drop: its values stay.
func TestEvolutionRemovingAKeyFieldHoldsItsDrop(t *testing.T) {
	ev := newEvolution(t, 0, false)
	ev.code = eventsTable(fullyManaged, []string{"rid", "city"}, field{"city", "str"}, field{"amount", "int"})
	ev.run(edit{desc: "initial load"},
		edit{desc: "remove field city (in ORDER BY)", code: func(c *code) { c.tables[0].remove("city") }})
}

// 2: an ORDER BY change blocked on a DELETION_PROTECTED table applies once
// the table is FULLY_MANAGED, and state.json never claims it before.
func TestEvolutionABlockedOrderByAppliesAfterTheLifecycleFlip(t *testing.T) {
	ev := newEvolution(t, 0, false)
	ev.code = eventsTable(protected, []string{"rid"}, field{"city", "str"})
	ev.run(edit{desc: "initial load"},
		edit{desc: "order by rid, city (blocked)", code: func(c *code) { c.tables[0].orderBy = []string{"rid", "city"} }},
		edit{desc: "flip to FULLY_MANAGED", code: func(c *code) { c.tables[0].lc = fullyManaged }})
	if got := ev.snapshot()["Events"].sortingKey; got != "rid, city" {
		t.Errorf("sorting_key after the flip = %q, want \"rid, city\"\n%s", got, ev.f.out)
	}
}

// 7c: a type change refused by the rows fails; once the rows are deleted by
// hand, saving the same content again applies it.
func TestEvolutionSavingTheSameContentRetriesAFailedApply(t *testing.T) {
	ev := newEvolution(t, 0, false)
	ev.code = eventsTable(fullyManaged, []string{"rid"}, field{"city", "str"})
	ev.step(0, edit{desc: "initial load"})
	if err := ev.step(1, edit{desc: "change city to int", mayFail: true, code: func(c *code) { c.tables[0].field("city").typ = "int" }}); err == nil {
		t.Fatalf("converting 'v..' rows to Int64 must fail\n%s", ev.f.out)
	}
	ev.step(2, edit{desc: "delete the rows by hand, save the same content again", hand: func(ev *evolution) { ev.deleteRows("Events", "1") }})
	if got := ev.snapshot()["Events"].types()["city"]; got != "Int64" {
		t.Errorf("city is %s after the retry, want Int64\n%s", got, ev.f.out)
	}
}
