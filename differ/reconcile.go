package differ

import (
	"strings"

	"github.com/moose-dev/moose-dev/infra"
)

// PhysicalKey names a table as the database knows it: `db.name`.
func PhysicalKey(t *infra.Table, defaultDB string) string {
	return t.DatabaseOr(defaultDB) + "." + t.Name
}

// NameKey is the PhysicalKey of a table or view an operation names by
// database (nil or empty: the default one) and name.
func NameKey(database *string, name, defaultDB string) string {
	return infra.NameKey(database, name, defaultDB)
}

// Reconcile returns a copy of current corrected by what the database really
// holds (live, keyed by PhysicalKey), as upstream's reconcile_with_reality:
//   - a table in current but not live was dropped behind our back: it leaves
//     the state, so the diff recreates it if the code still declares it;
//   - a table in both takes its columns, keys, engine family, table TTL and
//     (MergeTree family) settings from reality (a column altered or dropped, a TTL or setting
//     changed, by hand is put back by the diff), keeping what reality cannot
//     tell (lifecycle, metadata, ...);
//   - a live table not in current is adopted only when desired declares it
//     (so a lost state file does not make us recreate what exists); any
//     other table is never touched.
//
// A live table whose columns could not all be read back (Columns nil)
// keeps the state's columns.
//
// current is not modified. The result has its own tables and topics (the
// parts reconciliation and its callers change, by replacing fields, never
// by writing into shared slices); the other collections are current's,
// read-only. A deep copy of the whole map here cost 60 ms per reload at
// 500 tables.
func Reconcile(current, desired *infra.Map, live map[string]*infra.Table) *infra.Map {
	out := copyTablesAndTopics(current)
	db := current.DefaultDatabase
	known := map[string]bool{}
	for id, t := range out.Tables {
		key := PhysicalKey(t, db)
		known[key] = true
		lt, ok := live[key]
		if !ok {
			delete(out.Tables, id)
			continue
		}
		if lt.Columns != nil {
			t.Columns = mergeColumns(t.Columns, lt.Columns)
		}
		t.TTL = lt.TTL // a TTL changed by hand is put back by the diff
		if t.Engine.IsMergeTreeFamily() {
			// and so are settings (other engines' may hide secrets when read back)
			t.TableSettings = lt.TableSettings
		}
		liveKeys(t, lt)
	}
	for id, want := range desired.Tables {
		key := PhysicalKey(want, desired.DefaultDatabase)
		lt, ok := live[key]
		if !ok || known[key] {
			continue
		}
		adopted := *want
		if lt.Columns != nil {
			adopted.Columns = mergeColumns(want.Columns, lt.Columns)
		}
		liveKeys(&adopted, lt)
		adopted.TTL = lt.TTL
		if adopted.Engine.IsMergeTreeFamily() {
			adopted.TableSettings = lt.TableSettings
		}
		out.Tables[id] = &adopted
	}
	return out
}

// liveKeys corrects t's ORDER BY, PRIMARY KEY, PARTITION BY, SAMPLE BY and
// engine by what ClickHouse reports (lt) where they differ in meaning, so a
// key changed by hand, or a change recorded as applied that never was, is
// planned again. Only MergeTree-family tables have keys; engines compare by
// family (ClickHouse Cloud reads MergeTree back as SharedMergeTree, a
// cluster as ReplicatedMergeTree), not by arguments.
func liveKeys(t, lt *infra.Table) {
	if lt.Engine.Name == "" || !lt.Engine.IsMergeTreeFamily() {
		return
	}
	if engineFamily(lt.Engine.Name) != engineFamily(t.Engine.Name) {
		t.Engine = infra.Engine{Name: lt.Engine.Name}
	}
	if !t.Engine.IsMergeTreeFamily() {
		return
	}
	if normalizeExpr(lt.OrderBy.String()) != normalizeExpr(t.OrderBy.String()) {
		t.OrderBy = lt.OrderBy
	}
	livePK := normalizeExpr(str(lt.PrimaryKeyExpression))
	if livePK == "" {
		livePK = "tuple()"
	}
	if want := primaryKey(t); livePK != want && !(want == "" && livePK == "tuple()") {
		pk := str(lt.PrimaryKeyExpression)
		t.PrimaryKeyExpression = &pk
	}
	if normalizeExpr(str(lt.PartitionBy)) != normalizeExpr(str(t.PartitionBy)) {
		t.PartitionBy = lt.PartitionBy
	}
	if normalizeExpr(str(lt.SampleBy)) != normalizeExpr(str(t.SampleBy)) {
		t.SampleBy = lt.SampleBy
	}
}

// engineFamily is an engine's name without the Shared or Replicated prefix
// a server adds ("" is MergeTree).
func engineFamily(name string) string {
	if name == "" {
		return "MergeTree"
	}
	return strings.TrimPrefix(strings.TrimPrefix(name, "Shared"), "Replicated")
}

// mergeColumns takes reality's columns, keeping what ClickHouse does not
// store per column (primary_key, unique, TTL, an aggregate's result type)
// from the state when the column still exists.
func mergeColumns(state, live []infra.Column) []infra.Column {
	inState := columnFinder{cols: state}
	out := make([]infra.Column, len(live))
	for i, c := range live {
		if j, ok := inState.find(c.Name, i); ok {
			s := state[j]
			c.PrimaryKey = s.PrimaryKey
			c.Unique = s.Unique
			// ClickHouse keeps a column TTL only inside its CREATE query, with
			// the expression rewritten: the state's TTL stands.
			c.TTL = s.TTL
			// AggregateFunction(f, args) does not carry the result type.
			if c.HasAnnotation("aggregationFunction") && s.HasAnnotation("aggregationFunction") {
				c.DataType = s.DataType
			}
		}
		out[i] = c
	}
	return out
}

// copyTablesAndTopics copies the map with fresh table and topic values.
func copyTablesAndTopics(m *infra.Map) *infra.Map {
	out := *m
	out.Tables = make(map[string]*infra.Table, len(m.Tables))
	for id, t := range m.Tables {
		c := *t
		out.Tables[id] = &c
	}
	out.Topics = make(map[string]*infra.Topic, len(m.Topics))
	for id, t := range m.Topics {
		c := *t
		out.Topics[id] = &c
	}
	return &out
}
