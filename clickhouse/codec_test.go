package clickhouse_test

import (
	"context"
	"testing"

	"github.com/moose-dev/moose-dev/differ"
	"github.com/moose-dev/moose-dev/infra"
	"github.com/moose-dev/moose-dev/internal/chtest"
)

// Codecs read back with ClickHouse's defaults filled in must still compare
// equal to what the code says, or every reload would MODIFY the column.
func TestCodecsReadBackAsTheSameColumn(t *testing.T) {
	srv := chtest.Start(t, "local")
	ctx := context.Background()
	codecs := []string{"ZSTD", "Delta, ZSTD", "LZ4HC", "DoubleDelta", "Gorilla", "T64, LZ4", "ZSTD(3)", "Delta(4), ZSTD(1)"}
	tbl := &infra.Table{Name: "C", Engine: infra.MergeTree, OrderBy: infra.OrderBy{Fields: []string{"id"}},
		Columns: []infra.Column{col("id", infra.String, true)}}
	for i, c := range codecs {
		codec := c
		typ := infra.ColumnType(infra.Int64)
		if c == "Gorilla" {
			typ = infra.Float64
		}
		tbl.Columns = append(tbl.Columns, infra.Column{Name: string(rune('a' + i)), DataType: typ, Required: true, Codec: &codec})
	}
	if err := srv.Client.Apply(ctx, []infra.Operation{infra.CreateTable{Table: tbl}}, nil); err != nil {
		t.Fatal(err)
	}
	live, err := srv.Client.Reality(ctx, "local")
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range tbl.Columns {
		got := live["local.C"].Columns[i]
		got.PrimaryKey = want.PrimaryKey
		if !differ.ColumnsEquivalent(want, got) {
			t.Errorf("codec %q read back as %q: not equivalent", str(want.Codec), str(got.Codec))
		}
	}
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// A string enum created without upstream's metadata comment (by hand, or by
// an older tool) reads back as integers named by the strings; it is the same
// column as the code's string enum, and a member added in code is a change.
func TestStringEnumWithoutMetadataReadsBackEquivalent(t *testing.T) {
	srv := chtest.Start(t, "local")
	ctx := context.Background()
	if err := srv.Client.Exec(ctx, "CREATE TABLE local.E (id String, status Enum8('active' = 1, 'inactive' = 2)) ENGINE = MergeTree ORDER BY id"); err != nil {
		t.Fatal(err)
	}
	live, err := srv.Client.Reality(ctx, "local")
	if err != nil {
		t.Fatal(err)
	}
	got := live["local.E"].Columns[1]
	s := func(v string) infra.EnumMember { return infra.EnumMember{Name: v, Value: infra.EnumValue{Str: &v}} }
	want := infra.Column{Name: "status", Required: true,
		DataType: infra.Enum{Name: "Status", Values: []infra.EnumMember{s("inactive"), s("active")}}}
	if !differ.ColumnsEquivalent(want, got) {
		t.Errorf("string enum %v and read-back %v should be equivalent", want.DataType, got.DataType)
	}
	grown := want
	grown.DataType = infra.Enum{Name: "Status", Values: []infra.EnumMember{s("inactive"), s("active"), s("banned")}}
	if differ.ColumnsEquivalent(grown, got) {
		t.Errorf("an added member must be a change: %v vs %v", grown.DataType, got.DataType)
	}
}

// ClickHouse cannot make an array Nullable: an optional list is created as
// a plain array and reads back as required. That is the same column, or
// every reload would modify it.
func TestOptionalArrayReadsBackAsTheSameColumn(t *testing.T) {
	srv := chtest.Start(t, "local")
	ctx := context.Background()
	tags := infra.Column{Name: "tags", DataType: infra.Array{Element: infra.String}, Required: false}
	tbl := &infra.Table{Name: "A", Engine: infra.MergeTree, OrderBy: infra.OrderBy{Fields: []string{"id"}},
		Columns: []infra.Column{col("id", infra.String, true), tags}}
	if err := srv.Client.Apply(ctx, []infra.Operation{infra.CreateTable{Table: tbl}}, nil); err != nil {
		t.Fatal(err)
	}
	live, err := srv.Client.Reality(ctx, "local")
	if err != nil {
		t.Fatal(err)
	}
	got := live["local.A"].Columns[1]
	if !differ.ColumnsEquivalent(tags, got) {
		t.Errorf("optional array %+v read back as %+v: not equivalent", tags, got)
	}
	if str := (infra.Column{Name: "tags", DataType: infra.String}); differ.ColumnsEquivalent(str, infra.Column{Name: "tags", DataType: infra.String, Required: true}) {
		t.Error("nullability of a scalar column must still count")
	}
}
