package differ

import (
	"fmt"
	"math/rand"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/moose-dev/moose-dev/infra"
)

var typePool = []infra.ColumnType{infra.String, infra.Int64, infra.Int32, infra.Float64, infra.Boolean, infra.DateTime,
	infra.Date, infra.Array{Element: infra.String}, infra.Decimal{Precision: 10, Scale: 2}}

func randomTable(r *rand.Rand, name string) *infra.Table {
	t := &infra.Table{Name: name, Engine: infra.MergeTree, LifeCycle: infra.FullyManaged,
		TableSettings: map[string]string{"index_granularity": "8192"}}
	n := 1 + r.Intn(6)
	for i := 0; i < n; i++ {
		t.Columns = append(t.Columns, infra.Column{Name: fmt.Sprintf("c%d", r.Intn(12)), DataType: typePool[r.Intn(len(typePool))], Required: r.Intn(3) > 0})
	}
	t.Columns = slices.CompactFunc(t.Columns, func(a, b infra.Column) bool { return a.Name == b.Name })
	seen := map[string]bool{}
	var cols []infra.Column
	for _, c := range t.Columns {
		if !seen[c.Name] {
			seen[c.Name] = true
			cols = append(cols, c)
		}
	}
	t.Columns = cols
	t.OrderBy = infra.OrderBy{Fields: []string{t.Columns[0].Name}}
	if r.Intn(4) == 0 {
		t.TableSettings["merge_with_ttl_timeout"] = fmt.Sprint(r.Intn(3) * 100)
	}
	if r.Intn(4) == 0 {
		ttl := fmt.Sprintf("toDateTime('2020-01-01') + INTERVAL %d DAY", 1+r.Intn(3))
		t.TTL = &ttl
	}
	if r.Intn(4) == 0 {
		t.Indexes = []infra.TableIndex{{Name: "i", Expression: t.Columns[0].Name, Type: "minmax", Granularity: uint64(1 + r.Intn(2))}}
	}
	return t
}

func randomMap(r *rand.Rand) *infra.Map {
	m := infra.NewMap("local")
	for i := 0; i < 1+r.Intn(5); i++ {
		m.AddTable(randomTable(r, fmt.Sprintf("T%d", r.Intn(6))))
	}
	return m
}

// applyModel runs operations against a map, as ClickHouse would.
func applyModel(t *testing.T, m *infra.Map, ops []infra.Operation) {
	t.Helper()
	find := func(name string) *infra.Table {
		for _, tb := range m.Tables {
			if tb.Name == name {
				return tb
			}
		}
		t.Fatalf("operation on missing table %s", name)
		return nil
	}
	colIndex := func(tb *infra.Table, name string) int {
		return slices.IndexFunc(tb.Columns, func(c infra.Column) bool { return c.Name == name })
	}
	for _, op := range ops {
		switch o := op.(type) {
		case infra.CreateTable:
			if _, exists := m.Tables[o.Table.ID("local")]; exists {
				t.Fatalf("CreateTable of existing %s", o.Table.Name)
			}
			c := *o.Table
			c.Columns = slices.Clone(o.Table.Columns)
			m.Tables[c.ID("local")] = &c
		case infra.DropTable:
			find(o.Table)
			for id, tb := range m.Tables {
				if tb.Name == o.Table {
					delete(m.Tables, id)
				}
			}
		case infra.AddTableColumn:
			tb := find(o.Table)
			if colIndex(tb, o.Column.Name) >= 0 {
				t.Fatalf("AddTableColumn of existing %s.%s", o.Table, o.Column.Name)
			}
			at := 0
			if o.AfterColumn != nil {
				at = colIndex(tb, *o.AfterColumn) + 1
				if at == 0 {
					t.Fatalf("AddTableColumn after missing %s.%s", o.Table, *o.AfterColumn)
				}
			}
			tb.Columns = slices.Insert(tb.Columns, at, o.Column)
		case infra.DropTableColumn:
			tb := find(o.Table)
			i := colIndex(tb, o.ColumnName)
			if i < 0 {
				t.Fatalf("DropTableColumn of missing %s.%s", o.Table, o.ColumnName)
			}
			tb.Columns = slices.Delete(tb.Columns, i, i+1)
		case infra.ModifyTableColumn:
			tb := find(o.Table)
			tb.Columns[colIndex(tb, o.AfterColumn.Name)] = o.AfterColumn
		case infra.RenameTableColumn:
			tb := find(o.Table)
			tb.Columns[colIndex(tb, o.BeforeColumnName)].Name = o.AfterColumnName
		case infra.ModifyTableSettings:
			tb := find(o.Table)
			for k := range o.BeforeSettings {
				delete(tb.TableSettings, k)
			}
			for k, v := range o.AfterSettings {
				tb.TableSettings[k] = v
			}
		case infra.ModifyTableTtl:
			find(o.Table).TTL = o.After
		case infra.AddTableIndex:
			tb := find(o.Table)
			tb.Indexes = append(tb.Indexes, o.Index)
		case infra.DropTableIndex:
			tb := find(o.Table)
			tb.Indexes = slices.DeleteFunc(tb.Indexes, func(i infra.TableIndex) bool { return i.Name == o.IndexName })
		default:
			t.Fatalf("the model does not know %s", op.OpName())
		}
	}
}

// shape is what a table is, for comparison: what the plan must reproduce.
func shape(m *infra.Map) map[string]string {
	out := map[string]string{}
	for id, tb := range m.Tables {
		var cols []string
		for _, c := range tb.Columns {
			cols = append(cols, fmt.Sprintf("%s %s %v", c.Name, infra.TypeKey(c.DataType), c.Required))
		}
		ttl := ""
		if tb.TTL != nil {
			ttl = *tb.TTL
		}
		out[id] = fmt.Sprint(cols, tb.OrderBy.String(), tb.TableSettings, ttl, tb.Indexes)
	}
	return out
}

func TestPlanAppliedToCurrentYieldsDesired(t *testing.T) {
	for seed := int64(0); seed < 500; seed++ {
		r := rand.New(rand.NewSource(seed))
		current, desired := randomMap(r), randomMap(r)
		for _, keep := range []bool{false, true} {
			model := current.Clone()
			changes := Diff(current, desired)
			if keep {
				changes = ProposeRenames(changes)
			}
			applyModel(t, model, Plan(changes))
			if diff := cmp.Diff(shape(desired), shape(model)); diff != "" {
				t.Fatalf("seed %d (renames %v): the plan does not reach the desired map (-want +got):\n%s", seed, keep, diff)
			}
		}
	}
}

func TestDeletionProtectedNeverDrops(t *testing.T) {
	for seed := int64(0); seed < 500; seed++ {
		r := rand.New(rand.NewSource(seed))
		current, desired := randomMap(r), randomMap(r)
		for _, m := range []*infra.Map{current, desired} {
			for _, tb := range m.Tables {
				tb.LifeCycle = infra.DeletionProtected
			}
		}
		allowed, _ := FilterLifecycle(Diff(current, desired), "local")
		for _, op := range Plan(allowed) {
			switch op.(type) {
			case infra.DropTable, infra.DropTableColumn:
				t.Fatalf("seed %d: %s under DELETION_PROTECTED", seed, op.Describe())
			}
		}
	}
}
