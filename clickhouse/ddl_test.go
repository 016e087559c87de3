package clickhouse

import (
	"testing"

	"github.com/moose-dev/moose-dev/infra"
)

func TestNormalizeKey(t *testing.T) {
	for in, want := range map[string]string{"(id)": "id", "id": "id", "(a, b)": "a, b", "(a) + (b)": "(a) + (b)", "": "", "((x))": "x"} {
		if got := NormalizeKey(in); got != want {
			t.Errorf("NormalizeKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCreateTableRendersUpstreamShape(t *testing.T) {
	tbl := &infra.Table{Name: "Foo", Engine: infra.MergeTree, OrderBy: infra.OrderBy{Fields: []string{"id", "ts"}},
		Columns: []infra.Column{
			{Name: "id", DataType: infra.String, Required: true, PrimaryKey: true},
			{Name: "ts", DataType: infra.DateTime, Required: true},
			{Name: "note", DataType: infra.String},
			{Name: "tags", DataType: infra.Array{Element: infra.String, ElementNullable: true}, Required: true},
		},
		TableSettings: map[string]string{"index_granularity": "8192", "enable_mixed_granularity_parts": "1"}}
	got, err := CreateTableSQL("local", tbl)
	if err != nil {
		t.Fatal(err)
	}
	want := "CREATE TABLE IF NOT EXISTS `local`.`Foo`\n(\n  `id` String NOT NULL,\n  `ts` DateTime('UTC') NOT NULL,\n" +
		"  `note` Nullable(String),\n  `tags` Array(Nullable(String)) NOT NULL\n)\nENGINE = MergeTree\nPRIMARY KEY (`id`)\n" +
		"ORDER BY (`id`, `ts`)\nSETTINGS enable_mixed_granularity_parts = 1, index_granularity = 8192"
	if got != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestCreateTableWithoutOrderByIsRefusedWithAHint(t *testing.T) {
	tbl := &infra.Table{Name: "NoKey", Engine: infra.MergeTree, Columns: []infra.Column{{Name: "a", DataType: infra.String, Required: true}}}
	if _, err := CreateTableSQL("local", tbl); err == nil {
		t.Fatal("want an error for a MergeTree table with no ORDER BY")
	}
}
