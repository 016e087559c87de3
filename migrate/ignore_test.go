package migrate

import (
	"strings"
	"testing"

	"github.com/moose-dev/moose-dev/infra"
)

func ttlTable(ttl, colTTL, partition string, lowCard bool) *infra.Table {
	c := infra.Column{Name: "name", DataType: infra.String, Required: true, Annotations: []infra.Annotation{}}
	if colTTL != "" {
		c.TTL = &colTTL
	}
	if lowCard {
		c.Annotations = withLowCardinality(nil, true)
	}
	t := &infra.Table{Name: "T", Engine: infra.MergeTree, OrderBy: infra.OrderBy{Fields: []string{"id"}}, LifeCycle: infra.FullyManaged,
		Columns: []infra.Column{{Name: "id", DataType: infra.String, Required: true}, {Name: "ts", DataType: infra.DateTime, Required: true}, c}}
	if ttl != "" {
		t.TTL = &ttl
	}
	if partition != "" {
		t.PartitionBy = &partition
	}
	return t
}

func oneTable(t *infra.Table) *infra.Map {
	m := infra.NewMap("local")
	m.Tables[t.ID("local")] = t
	return m
}

func opNames(ops []infra.Operation) string {
	var names []string
	for _, op := range ops {
		names = append(names, op.OpName())
	}
	return strings.Join(names, ",")
}

func TestIgnoredDifferencesMakeNoOperations(t *testing.T) {
	remote := oneTable(ttlTable("ts + INTERVAL 1 DAY", "ts + INTERVAL 1 DAY", "toYYYYMM(ts)", false))
	for _, tc := range []struct {
		ignore string
		code   *infra.Table
	}{
		{IgnoreTableTTL, ttlTable("ts + INTERVAL 7 DAY", "ts + INTERVAL 1 DAY", "toYYYYMM(ts)", false)},
		{IgnoreColumnTTL, ttlTable("ts + INTERVAL 1 DAY", "ts + INTERVAL 7 DAY", "toYYYYMM(ts)", false)},
		{IgnorePartitionBy, ttlTable("ts + INTERVAL 1 DAY", "ts + INTERVAL 1 DAY", "toDate(ts)", false)},
		{IgnoreLowCardinality, ttlTable("ts + INTERVAL 1 DAY", "ts + INTERVAL 1 DAY", "toYYYYMM(ts)", true)},
	} {
		code := oneTable(tc.code)
		without, err := Compute(remote, code, ComputeOptions{})
		if err != nil || len(without.Ops) == 0 {
			t.Fatalf("%s: without ignoring, the difference must plan operations: %v %v", tc.ignore, without, err)
		}
		ig, err := ParseIgnore([]string{tc.ignore})
		if err != nil {
			t.Fatal(err)
		}
		with, err := Compute(remote, code, ComputeOptions{Ignore: ig})
		if err != nil || len(with.Ops) != 0 {
			t.Errorf("%s ignored: operations %s (err %v), want none", tc.ignore, opNames(with.Ops), err)
		}
		if tc.code.TTL == nil || code.Tables["local_T"] != tc.code {
			t.Errorf("%s: the code's map was changed by ignoring", tc.ignore)
		}
		// Ignoring one kind does not hide the others.
		other := oneTable(ttlTable("ts + INTERVAL 1 DAY", "ts + INTERVAL 1 DAY", "toYYYYMM(ts)", false))
		other.Tables["local_T"].Columns = append(other.Tables["local_T"].Columns, infra.Column{Name: "extra", DataType: infra.Int64, Required: true})
		if ch, _ := Compute(remote, other, ComputeOptions{Ignore: ig}); opNames(ch.Ops) != "AddTableColumn" {
			t.Errorf("%s ignored: an added column planned %s", tc.ignore, opNames(ch.Ops))
		}
	}
}

func TestParseIgnoreRefusesUnknownNames(t *testing.T) {
	_, err := ParseIgnore([]string{"ModifyTableTtl", "DropEverything"})
	if err == nil || !strings.Contains(err.Error(), `"DropEverything"`) || !strings.Contains(err.Error(), "ModifyColumnTtl") {
		t.Fatalf("ParseIgnore: %v", err)
	}
}

func TestRenamesArePlannedOnlyWhenAsked(t *testing.T) {
	remote := oneTable(ttlTable("", "", "", false))
	renamed := ttlTable("", "", "", false)
	renamed.Columns[2].Name = "full_name"
	code := oneTable(renamed)
	ch, err := Compute(remote, code, ComputeOptions{})
	if err != nil || opNames(ch.Ops) != "DropTableColumn,AddTableColumn" || len(ch.Renames) != 1 {
		t.Fatalf("default: ops %s, renames %v, err %v; want a drop and an add, and the rename pointed out", opNames(ch.Ops), ch.Renames, err)
	}
	ch, err = Compute(remote, code, ComputeOptions{Renames: true})
	if err != nil || opNames(ch.Ops) != "RenameTableColumn" {
		t.Fatalf("with Renames: ops %s, err %v; want one RenameTableColumn", opNames(ch.Ops), err)
	}
}

// As upstream's nested_are_equivalent with ignore_low_cardinality: the
// annotation on a String column inside a Nested type is ignored too.
func TestLowCardinalityIsIgnoredInsideNested(t *testing.T) {
	nested := func(lowCard bool) *infra.Table {
		f := infra.Column{Name: "field1", DataType: infra.String, Required: true, Annotations: []infra.Annotation{}}
		if lowCard {
			f.Annotations = withLowCardinality(nil, true)
		}
		tb := ttlTable("", "", "", false)
		tb.Columns = append(tb.Columns, infra.Column{Name: "meta", Required: true, DataType: infra.Nested{Name: "test_nested", Columns: []infra.Column{f}}})
		return tb
	}
	remote, code := oneTable(nested(false)), oneTable(nested(true))
	if ch, _ := Compute(remote, code, ComputeOptions{}); len(ch.Ops) == 0 {
		t.Fatal("without ignoring, LowCardinality inside Nested is a change")
	}
	ig, _ := ParseIgnore([]string{IgnoreLowCardinality})
	if ch, _ := Compute(remote, code, ComputeOptions{Ignore: ig}); len(ch.Ops) != 0 {
		t.Fatalf("ignored: ops %s", opNames(ch.Ops))
	}
}
