package devloop_test

// The schema-evolution test's view of ClickHouse and its invariants, checked
// after every step:
//
//	(a) no table, column, row or value lost unless that loss was confirmed
//	(b) a DELETION_PROTECTED table never loses one, confirmed or not
//	(c) an EXTERNALLY_MANAGED table is never touched (schema and rows)
//	(d) every table is readable
//	(e) a valid project reloads, and then ClickHouse equals the code (columns
//	    by name and type, ORDER BY) but for what loop.Outstanding() reports
//	(f) a broken project fails to reload and changes nothing
//	(g) after a successful reload .moose/state.json describes ClickHouse for
//	    every declared table (columns, ORDER BY)

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/moose-dev/moose-dev/clickhouse"
	"github.com/moose-dev/moose-dev/devloop"
	"github.com/moose-dev/moose-dev/differ"
	"github.com/moose-dev/moose-dev/infra"
)

type column struct{ name, typ string }

// liveTable is a table as ClickHouse has it: every value as toString
// (`\N` for NULL), rows keyed by rid.
type liveTable struct {
	engine, sortingKey string
	cols               []column
	rows               map[string]map[string]string
	err                error // reading the rows failed
}

func (lt *liveTable) types() map[string]string {
	m := map[string]string{}
	for _, c := range lt.cols {
		m[c.name] = c.typ
	}
	return m
}

type snapshot map[string]*liveTable

// temporary reports a recreate's working table.
func temporary(name string) bool { return strings.Contains(name, "__moose") }

func (ev *evolution) statePath() string {
	return filepath.Join(ev.f.proj.StateDir(), devloop.StateFile)
}

// schema reads system.tables and system.columns of database local.
func (ev *evolution) schema() snapshot {
	ctx := context.Background()
	out := snapshot{}
	rows, err := ev.f.srv.Client.Query(ctx, "SELECT name, engine_full, sorting_key FROM system.tables WHERE database = 'local'")
	if err != nil {
		ev.t.Fatal(err)
	}
	for rows.Next() {
		var name string
		lt := &liveTable{rows: map[string]map[string]string{}}
		if err := rows.Scan(&name, &lt.engine, &lt.sortingKey); err != nil {
			ev.t.Fatal(err)
		}
		lt.sortingKey = clickhouse.NormalizeKey(lt.sortingKey)
		out[name] = lt
	}
	rows.Close()
	rows, err = ev.f.srv.Client.Query(ctx, "SELECT table, name, type FROM system.columns WHERE database = 'local' ORDER BY table, position")
	if err != nil {
		ev.t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var tbl string
		var c column
		if err := rows.Scan(&tbl, &c.name, &c.typ); err != nil {
			ev.t.Fatal(err)
		}
		if lt := out[tbl]; lt != nil {
			lt.cols = append(lt.cols, c)
		}
	}
	return out
}

// snapshot is the schema and every row of every table.
func (ev *evolution) snapshot() snapshot {
	s := ev.schema()
	for name, lt := range s {
		exprs := make([]string, len(lt.cols))
		for i, c := range lt.cols {
			exprs[i] = fmt.Sprintf(`ifNull(toString(%s), '\\N')`, clickhouse.Quote(c.name))
		}
		rows, err := ev.f.srv.Client.Query(context.Background(), "SELECT "+strings.Join(exprs, ", ")+" FROM local."+clickhouse.Quote(name))
		if err != nil {
			lt.err = err
			continue
		}
		for rows.Next() {
			vals := make([]string, len(lt.cols))
			ptrs := make([]any, len(vals))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if lt.err = rows.Scan(ptrs...); lt.err != nil {
				break
			}
			row := map[string]string{}
			for i, c := range lt.cols {
				row[c.name] = vals[i]
			}
			lt.rows[row["rid"]] = row
		}
		if lt.err == nil {
			lt.err = rows.Err()
		}
		rows.Close()
	}
	return s
}

// insertRows writes two rows into every table ClickHouse holds (declared or
// not, as the last step left them): rid a fresh id, strings 'v<rid>' (no
// number), integers, NULL at times in Nullable columns.
func (ev *evolution) insertRows() {
	s := ev.last
	if s == nil {
		s = ev.schema()
	}
	for _, name := range sorted(s) {
		lt := s[name]
		if temporary(name) {
			continue
		}
		names := make([]string, len(lt.cols))
		for i, c := range lt.cols {
			names[i] = clickhouse.Quote(c.name)
		}
		var tuples []string
		for range 2 {
			ev.rid++
			vals := make([]string, len(lt.cols))
			for i, c := range lt.cols {
				vals[i] = ev.value(c, ev.rid)
			}
			tuples = append(tuples, "("+strings.Join(vals, ", ")+")")
		}
		ev.exec(fmt.Sprintf("INSERT INTO local.%s (%s) VALUES %s", clickhouse.Quote(name), strings.Join(names, ", "), strings.Join(tuples, ", ")))
	}
}

func (ev *evolution) value(c column, rid int) string {
	typ := c.typ
	if inner, ok := strings.CutPrefix(typ, "Nullable("); ok {
		if ev.pick(3) == 0 {
			return "NULL"
		}
		typ = strings.TrimSuffix(inner, ")")
	}
	switch {
	case c.name == "rid":
		return strconv.Itoa(rid)
	case typ == "String":
		return fmt.Sprintf("'v%d'", rid)
	}
	return strconv.Itoa(rid%1000 + 1)
}

// written says whether a value is one insertRows wrote, not the default of
// a column added after the row (which ClickHouse computes on read from the
// column's current type: a String default ” reads as NULL once the column
// is Nullable).
func written(v string) bool { return v != "" && v != "0" }

// keys are the keys of a and b, sorted, once each.
func keys(a, b map[string]string) []string {
	return slices.Compact(slices.Sorted(slices.Values(append(sorted(a), sorted(b)...))))
}

func sorted[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func (ev *evolution) check(n int, e edit, before, after snapshot, stateBefore []byte, err error) {
	asked := "nobody asked"
	if ev.ask {
		asked = fmt.Sprintf("answers: destructive=%v renames=%v", e.destructive, e.renames)
	}
	shown := os.Getenv("MOOSE_DEV_EVOLVE_TRACE") != "" // the trace shows every step's output
	bad := func(inv, format string, args ...any) {
		msg := fmt.Sprintf("(%s) ", inv) + fmt.Sprintf(format, args...)
		if ev.seen[msg] { // a divergence that lasts is reported once
			return
		}
		ev.seen[msg] = true
		ev.violations[inv]++
		ev.t.Errorf("seed=%d step=%d edit=%q (%s): %s", ev.seed, n, e.desc, asked, msg)
		if !shown {
			shown = true
			ev.t.Logf("seed=%d step=%d: the loop printed (confirmed %q, renames %q; reload error %v):\n%s", ev.seed, n, ev.confirmed, ev.renamed, err, ev.f.out)
		}
	}
	for _, name := range sorted(after) {
		if lt := after[name]; lt.err != nil {
			bad("d", "SELECT from %s fails: %v", name, lt.err)
		}
	}
	stateAfter, _ := os.ReadFile(ev.statePath())
	if e.syntax {
		if err == nil {
			bad("f", "the reload of a broken main.py succeeded")
		}
		if d := diffSnapshots(before, after); d != "" {
			bad("f", "the failed reload changed ClickHouse: %s", d)
		}
		if !bytes.Equal(stateBefore, stateAfter) {
			bad("f", "the failed reload changed .moose/state.json")
		}
		return
	}
	ev.checkLosses(bad, before, after)
	for _, name := range sorted(before) {
		if ev.lastLC[name] == external {
			if d := diffSnapshots(snapshot{name: before[name]}, snapshot{name: after[name]}); d != "" {
				bad("c", "EXTERNALLY_MANAGED table was touched: %s", d)
			}
		}
	}
	if err != nil {
		if !(e.mayFail && strings.Contains(err.Error(), "cannot be converted")) && !ev.truthfulRefusal(err) {
			bad("e", "the reload of a valid project failed: %v", err)
		}
		if !bytes.Equal(stateBefore, stateAfter) {
			bad("f", "a failed reload changed .moose/state.json")
		}
		return
	}
	ev.checkCode(bad, after)
	ev.checkState(bad, after, stateAfter)
}

// renames are the table and column renames confirmed in this step.
func (ev *evolution) renames() (tables, columns map[string]string) {
	tables, columns = map[string]string{}, map[string]string{}
	tableRe := regexp.MustCompile(`^rename table (\S+) to (\S+) `)
	colRe := regexp.MustCompile(`^rename column (\S+) to (\S+) `)
	for _, d := range ev.renamed {
		if m := tableRe.FindStringSubmatch(d); m != nil {
			tables[m[1]] = m[2]
		} else if m := colRe.FindStringSubmatch(d); m != nil {
			columns[m[1]] = m[2]
		}
	}
	return tables, columns
}

// lossConfirmed: a confirmed description names the table and the column,
// or the table alone (a table-level loss, which covers its columns).
func (ev *evolution) lossConfirmed(table, col string) bool {
	word := func(w string) *regexp.Regexp { return regexp.MustCompile(`\b` + regexp.QuoteMeta(w) + `\b`) }
	for _, d := range ev.confirmed {
		if word(table).MatchString(d) && (!strings.Contains(d, "column") || col != "" && word(col).MatchString(d)) {
			return true
		}
	}
	return false
}

// checkLosses: (a) and (b). Rows are matched by rid, columns by name (or the
// name a confirmed rename gave them), values by toString.
func (ev *evolution) checkLosses(bad func(string, string, ...any), before, after snapshot) {
	tableTo, columnTo := ev.renames()
	present := func(m map[string]string, key, name string, has func(string) bool) string {
		if to, ok := m[key]; ok && has(to) {
			return to
		}
		return name
	}
	for _, name := range sorted(before) {
		bt := before[name]
		if temporary(name) || ev.lastLC[name] == external {
			continue
		}
		inv, why := "a", "not confirmed"
		if ev.lastLC[name] == protected {
			inv, why = "b", "the table is DELETION_PROTECTED"
		}
		may := func(col string) bool { return inv == "a" && ev.lossConfirmed(name, col) }
		to := present(tableTo, name, name, func(s string) bool { return after[s] != nil })
		at := after[to]
		if at == nil {
			if !may("") {
				bad(inv, "table %s is gone with its %d rows (%s)", name, len(bt.rows), why)
			}
			continue
		}
		var lost []string
		for rid := range bt.rows {
			if at.rows[rid] == nil {
				lost = append(lost, rid)
			}
		}
		if len(lost) > 0 && !may("") {
			slices.Sort(lost)
			bad(inv, "%d of %d rows of %s are gone, rid %v (%s)", len(lost), len(bt.rows), name, lost, why)
		}
		has := at.types()
		for _, c := range bt.cols {
			dst := present(columnTo, name+"."+c.name, c.name, func(s string) bool { return has[s] != "" })
			if has[dst] == "" {
				if !may(c.name) {
					bad(inv, "column %s.%s (%s) is gone with its %d values (%s)", name, c.name, c.typ, len(bt.rows), why)
				}
				continue
			}
			changed, example := 0, ""
			for _, rid := range sorted(bt.rows) {
				if ar := at.rows[rid]; ar != nil && written(bt.rows[rid][c.name]) && ar[dst] != bt.rows[rid][c.name] {
					if changed++; example == "" {
						example = fmt.Sprintf("rid %s: %q became %q in %s.%s", rid, bt.rows[rid][c.name], ar[dst], to, dst)
					}
				}
			}
			if changed > 0 && !may(c.name) {
				bad(inv, "%d of %d values of %s.%s changed, e.g. %s (%s)", changed, len(bt.rows), name, c.name, example, why)
			}
		}
	}
}

// diffSnapshots says how two snapshots differ ("" when they do not).
func diffSnapshots(a, b snapshot) string {
	var out []string
	for _, name := range sorted(a) {
		at, bt := a[name], b[name]
		switch {
		case bt == nil:
			out = append(out, "table "+name+" is gone")
			continue
		case !slices.Equal(at.cols, bt.cols):
			out = append(out, fmt.Sprintf("columns of %s %v became %v", name, at.cols, bt.cols))
		case at.engine != bt.engine || at.sortingKey != bt.sortingKey:
			out = append(out, fmt.Sprintf("engine of %s %q became %q", name, at.engine, bt.engine))
		}
		changed := 0
		for rid, row := range at.rows {
			if br := bt.rows[rid]; br == nil || fmt.Sprint(row) != fmt.Sprint(br) {
				changed++
			}
		}
		if changed > 0 || len(at.rows) != len(bt.rows) {
			out = append(out, fmt.Sprintf("%s: %d of %d rows changed or gone, %d rows now", name, changed, len(at.rows), len(bt.rows)))
		}
	}
	for _, name := range sorted(b) {
		if a[name] == nil {
			out = append(out, "table "+name+" appeared")
		}
	}
	return strings.Join(out, "; ")
}

// covers says whether an outstanding change is about table (col "": the
// table itself, "ORDER BY": its key, else that column).
func covers(out []differ.Change, table, col string) bool {
	for _, c := range out {
		switch c := c.(type) {
		case differ.AddTable:
			if c.Table.Name == table && col == "" {
				return true
			}
		case differ.DropTable:
			if c.Table.Name == table {
				return true
			}
		case differ.RecreateTable:
			if c.Before.Name == table || c.After.Name == table {
				return true
			}
		case differ.UpdateTable:
			for _, cc := range c.Columns {
				if c.After.Name == table && (cc.Before.Name == col || cc.After.Name == col) {
					return true
				}
			}
		}
	}
	return false
}

// checkCode: (e) after a successful reload.
func (ev *evolution) checkCode(bad func(string, string, ...any), after snapshot) {
	held, blocked := ev.loop.Outstanding()
	out := slices.Clone(held)
	for _, b := range blocked {
		out = append(out, b.Change)
	}
	declared := map[string]bool{}
	for _, t := range ev.code.tables {
		declared[t.name] = true
		lt := after[t.name]
		if lt == nil {
			if !covers(out, t.name, "") {
				bad("e", "table %s is declared, not in ClickHouse, and nothing about it is held or blocked", t.name)
			}
			continue
		}
		want, has := map[string]string{}, lt.types()
		for _, f := range t.fields {
			want[f.name] = chType[f.typ]
		}
		const unexplained = "and Outstanding() holds or blocks nothing about it"
		for _, c := range keys(want, has) {
			if want[c] != has[c] && !covers(out, t.name, c) {
				bad("e", "column %s.%s: the code says %q, ClickHouse has %q, %s", t.name, c, want[c], has[c], unexplained)
			}
		}
		if key := strings.Join(t.orderBy, ", "); lt.sortingKey != key && !covers(out, t.name, "ORDER BY") {
			bad("e", "%s: the code says ORDER BY (%s), ClickHouse's sorting_key is (%s), %s", t.name, key, lt.sortingKey, unexplained)
		}
	}
	for _, name := range sorted(after) {
		switch {
		case temporary(name):
			bad("e", "the temporary table %s is left after a successful reload", name)
		case !declared[name] && !covers(out, name, ""):
			bad("e", "table %s is not declared, and no drop of it is held or blocked", name)
		}
	}
}

// typeOf is a stored column's ClickHouse type.
func typeOf(c infra.Column) string {
	s, err := clickhouse.TypeSQL(c.DataType)
	if err != nil {
		return "?" + err.Error()
	}
	if !c.Required {
		return "Nullable(" + s + ")"
	}
	return s
}

// checkState: (g) after a successful reload.
func (ev *evolution) checkState(bad func(string, string, ...any), after snapshot, data []byte) {
	held, blocked := ev.loop.Outstanding()
	var blockedChanges []differ.Change
	for _, b := range blocked {
		blockedChanges = append(blockedChanges, b.Change)
	}
	// which says whether the last reload held or blocked what differs
	which := func(table, col string) string {
		switch {
		case covers(held, table, col):
			return ", a change the last reload held"
		case covers(blockedChanges, table, col):
			return ", a change the last reload blocked"
		}
		return ""
	}
	m, err := infra.UnmarshalMap(data)
	if err != nil {
		bad("g", ".moose/state.json is unreadable after a successful reload: %v", err)
		return
	}
	for _, t := range ev.code.tables {
		lt := after[t.name]
		if lt == nil {
			continue
		}
		var st *infra.Table
		for _, s := range m.Tables {
			if s.Name == t.name {
				st = s
			}
		}
		if st == nil {
			bad("g", "table %s is in ClickHouse, not in .moose/state.json", t.name)
			continue
		}
		stored, has := map[string]string{}, lt.types()
		for _, c := range st.Columns {
			stored[c.Name] = typeOf(c)
		}
		for _, c := range keys(stored, has) {
			if stored[c] != has[c] {
				bad("g", "column %s.%s: .moose/state.json says %q, ClickHouse has %q%s", t.name, c, stored[c], has[c], which(t.name, c))
			}
		}
		if key := clickhouse.NormalizeKey(st.OrderBy.String()); key != lt.sortingKey {
			bad("g", "%s: .moose/state.json says ORDER BY (%s), ClickHouse's sorting_key is (%s)%s", t.name, key, lt.sortingKey, which(t.name, "ORDER BY"))
		}
	}
}

// conversionRefusal is moose-dev's refusal of a type change some rows
// would not survive (an ALTER's check, or a recreate's before its copy).
var conversionRefusal = regexp.MustCompile(`column (\w+)\.(\w+): .*cannot be converted from \S+ to (\w+)`)

// truthfulRefusal reports whether err is that refusal and the column really
// holds a value that would not survive (a NULL, or one the target type
// cannot take): refusing is then right, even for a change an earlier edit
// made (a blocked change can bring it back later).
func (ev *evolution) truthfulRefusal(err error) bool {
	m := conversionRefusal.FindStringSubmatch(err.Error())
	if m == nil {
		return false
	}
	col := clickhouse.Quote(m[2])
	rows, qerr := ev.f.srv.Client.Query(context.Background(), fmt.Sprintf("SELECT countIf(%s IS NULL OR accurateCastOrNull(%s, %s) IS NULL) FROM local.%s",
		col, col, clickhouse.QuoteString(m[3]), clickhouse.Quote(m[1])))
	if qerr != nil {
		return false
	}
	defer rows.Close()
	var n uint64
	return rows.Next() && rows.Scan(&n) == nil && n > 0
}
