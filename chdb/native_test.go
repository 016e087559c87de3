package chdb_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/moose-dev/moose-dev/internal/chtest"
)

// The native protocol as clickhouse-go speaks it, without and with block
// compression: handshake, ping, DDL, a batch insert, results (and the
// header of an empty one), settings, and ClickHouse's errors.
func TestNativeProtocolWithClickHouseGo(t *testing.T) {
	srv := chtest.Start(t, "local")
	ctx := context.Background()
	for i, m := range []clickhouse.CompressionMethod{clickhouse.CompressionNone, clickhouse.CompressionLZ4, clickhouse.CompressionZSTD} {
		t.Run(m.String(), func(t *testing.T) {
			conn, err := clickhouse.Open(&clickhouse.Options{Addr: []string{srv.NativeAddr}, Protocol: clickhouse.Native,
				Auth:        clickhouse.Auth{Username: chtest.User, Password: chtest.Password, Database: "local"},
				Compression: &clickhouse.Compression{Method: m}, Settings: clickhouse.Settings{"flatten_nested": 0}})
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if err := conn.Ping(ctx); err != nil {
				t.Fatalf("ping: %v", err)
			}
			table := fmt.Sprintf("events_%d", i)
			if err := conn.Exec(ctx, "CREATE TABLE "+table+" (id UInt64, name String, tags Array(String), at DateTime, note Nullable(String)) ENGINE = MergeTree ORDER BY id"); err != nil {
				t.Fatalf("create: %v", err)
			}
			// an empty result still names its columns
			rows, err := conn.Query(ctx, "SELECT id, name FROM "+table)
			if err != nil {
				t.Fatalf("empty select: %v", err)
			}
			if cols := rows.Columns(); strings.Join(cols, ",") != "id,name" || rows.Next() {
				t.Fatalf("empty result: columns %v", cols)
			}
			rows.Close()
			batch, err := conn.PrepareBatch(ctx, "INSERT INTO "+table)
			if err != nil {
				t.Fatalf("prepare: %v", err)
			}
			for n := range uint64(1000) {
				var note *string
				if n%2 == 0 {
					s := "even"
					note = &s
				}
				if err := batch.Append(n, fmt.Sprint("n", n), []string{"a", fmt.Sprint(n % 7)}, srvTime, note); err != nil {
					t.Fatal(err)
				}
			}
			if err := batch.Send(); err != nil {
				t.Fatalf("insert: %v", err)
			}
			var count, notes uint64
			var maxTag string
			if err := conn.QueryRow(ctx, "SELECT count(), countIf(note IS NOT NULL), max(tags[2]) FROM "+table).Scan(&count, &notes, &maxTag); err != nil {
				t.Fatalf("select: %v", err)
			}
			if count != 1000 || notes != 500 || maxTag != "6" {
				t.Fatalf("read back %d rows, %d notes, max tag %q", count, notes, maxTag)
			}
			// a result of many blocks arrives whole
			var sum uint64
			if err := conn.QueryRow(ctx, "SELECT sum(number) FROM numbers(200000)").Scan(&sum); err != nil || sum != 19999900000 {
				t.Fatalf("sum: %d %v", sum, err)
			}
			rows, err = conn.Query(clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{"max_block_size": 1000})), "SELECT number FROM numbers(5000)")
			if err != nil {
				t.Fatal(err)
			}
			seen := 0
			for rows.Next() {
				seen++
			}
			rows.Close()
			if seen != 5000 {
				t.Fatalf("%d rows of numbers(5000)", seen)
			}
			// errors come as ClickHouse's, and the connection stays usable
			err = conn.Exec(ctx, "SELECT * FROM nope")
			if err == nil || !strings.Contains(err.Error(), "code: 60") {
				t.Fatalf("unknown table: %v", err)
			}
			if err := conn.Ping(ctx); err != nil {
				t.Fatalf("ping after an error: %v", err)
			}
		})
	}
	// a wrong password is refused at the handshake
	conn, err := clickhouse.Open(&clickhouse.Options{Addr: []string{srv.NativeAddr}, Protocol: clickhouse.Native,
		Auth: clickhouse.Auth{Username: chtest.User, Password: "nope"}})
	if err == nil {
		err = conn.Ping(ctx)
		conn.Close()
	}
	if err == nil || !strings.Contains(err.Error(), "516") {
		t.Fatalf("a wrong password: %v", err)
	}
}

var srvTime = mustTime("2026-11-22T10:00:00Z")

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}
