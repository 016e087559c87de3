package clickhouse_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/moose-dev/moose-dev/clickhouse"
	"github.com/moose-dev/moose-dev/infra"
	"github.com/moose-dev/moose-dev/internal/chtest"
)

// TestRealityFollowsEveryChange: Reality reads a table's CREATE query
// and columns again only when its metadata may have changed, and never
// serves what it knew of a table changed since, however fast the changes
// come (several in one second of metadata_modification_time), by ALTER,
// by a drop and create under the same name, or by a rename; what it knew
// of a dropped table goes.
func TestRealityFollowsEveryChange(t *testing.T) {
	srv := chtest.Start(t, "local")
	c, ctx := srv.Client, context.Background()
	exec := func(sql string) {
		t.Helper()
		if err := c.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range []string{"a", "b", "c"} {
		exec("CREATE TABLE local." + n + " (id String, at DateTime) ENGINE = MergeTree ORDER BY id")
	}
	read := func() map[string]*infra.Table {
		t.Helper()
		live, err := c.Reality(ctx, "local")
		if err != nil {
			t.Fatal(err)
		}
		tables := map[string]*infra.Table{}
		for _, lt := range live {
			tables[lt.Name] = lt
		}
		return tables
	}
	names := func(lt *infra.Table) string {
		s := ""
		for _, col := range lt.Columns {
			typ, err := clickhouse.TypeSQL(col.DataType)
			if err != nil {
				t.Fatal(err)
			}
			s += col.Name + ":" + typ + " "
		}
		return s
	}
	read()
	time.Sleep(1100 * time.Millisecond) // past the second the tables were made in
	read()
	before := c.TablesReadInFull()
	read()
	if got := c.TablesReadInFull() - before; got != 0 {
		t.Fatalf("unchanged tables read again in full: %d", got)
	}

	want := "id:String at:DateTime('UTC') "
	for i := 0; i < 12; i++ {
		switch i % 3 {
		case 0:
			exec(fmt.Sprintf("ALTER TABLE local.a ADD COLUMN x%d Int64", i))
			want += fmt.Sprintf("x%d:Int64 ", i)
		case 1:
			exec(fmt.Sprintf("ALTER TABLE local.a MODIFY TTL at + INTERVAL %d DAY", i))
		case 2:
			exec(fmt.Sprintf("ALTER TABLE local.a MODIFY SETTING merge_with_ttl_timeout = %d", 3600+i))
		}
		got := read()["a"]
		if names(got) != want {
			t.Fatalf("after change %d: columns %q, want %q", i, names(got), want)
		}
		if i%3 >= 1 && (got.TTL == nil || *got.TTL != fmt.Sprintf("at + toIntervalDay(%d)", i-(i%3)+1)) {
			t.Fatalf("after change %d: TTL %v", i, got.TTL)
		}
		if i%3 == 2 && got.TableSettings["merge_with_ttl_timeout"] != fmt.Sprint(3600+i) {
			t.Fatalf("after change %d: settings %v", i, got.TableSettings)
		}
	}
	if got := read()["b"]; names(got) != "id:String at:DateTime('UTC') " {
		t.Fatalf("b: %q", names(got))
	}
	exec("DROP TABLE local.b SYNC")
	exec("CREATE TABLE local.b (id String, n UInt8) ENGINE = MergeTree ORDER BY id")
	if got := read()["b"]; names(got) != "id:String n:UInt8 " {
		t.Fatalf("b recreated: %q", names(got))
	}
	exec("RENAME TABLE local.c TO local.d")
	exec("RENAME TABLE local.b TO local.c")
	tables := read()
	if got := tables["c"]; got == nil || names(got) != "id:String n:UInt8 " {
		t.Fatalf("c after renames: %v", got)
	}
	if _, ok := tables["b"]; ok {
		t.Fatal("b still listed after its rename")
	}
	exec("DROP TABLE local.d SYNC")
	if n, known := len(read()), clickhouse.KnownTables(c, "local"); known != n {
		t.Fatalf("after a drop the client knows %d tables, the database holds %d", known, n)
	}
}

// TestRealityConvertsATableOnce: Reality gives each unchanged table's
// conversion again (its parts shared), each caller its own fields, and a
// changed table converted anew.
func TestRealityConvertsATableOnce(t *testing.T) {
	srv := chtest.Start(t, "local")
	c, ctx := srv.Client, context.Background()
	if err := c.Exec(ctx, "CREATE TABLE local.a (id String, at DateTime) ENGINE = MergeTree ORDER BY id"); err != nil {
		t.Fatal(err)
	}
	reality := func() *infra.Table {
		t.Helper()
		live, err := c.Reality(ctx, "local")
		if err != nil || live["local.a"] == nil {
			t.Fatalf("%v %v", live, err)
		}
		return live["local.a"]
	}
	reality()
	time.Sleep(1100 * time.Millisecond) // past the second the table was made in
	first, second := reality(), reality()
	if len(second.Columns) != 2 || &first.Columns[0] != &second.Columns[0] {
		t.Fatalf("an unchanged table is converted again: %v", second.Columns)
	}
	second.Name, second.Columns, second.TTL = "mine", nil, nil
	if third := reality(); third.Name != "a" || len(third.Columns) != 2 {
		t.Fatalf("a caller's change to its table reached the next: %+v", third)
	}
	if err := c.Exec(ctx, "ALTER TABLE local.a ADD COLUMN n Int64, MODIFY TTL at + INTERVAL 1 DAY"); err != nil {
		t.Fatal(err)
	}
	if got := reality(); len(got.Columns) != 3 || got.Columns[2].Name != "n" || got.TTL == nil {
		t.Fatalf("after an ALTER: %+v", got)
	}
}
