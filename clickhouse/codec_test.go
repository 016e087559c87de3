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
	if err := srv.Client.Apply(ctx, []infra.Operation{infra.CreateTable{Table: tbl}}); err != nil {
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
