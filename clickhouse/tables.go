package clickhouse

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/moose-dev/moose-dev/infra"
)

// LiveTable is a table as the server has it.
type LiveTable struct {
	Database, Name, Engine string
	// the keys as system.tables gives them ("" when none), and the engine
	// with its arguments and clauses (engine_full)
	SortingKey, PartitionKey, SamplingKey, PrimaryKey string
	EngineFull                                        string
	TTL                                               *string           // the table TTL, as ClickHouse rewrote it; nil when none
	Settings                                          map[string]string // the SETTINGS clause, values unquoted; nil when none
	Columns                                           []TableColumn
}

// tableCache keeps, per database and table, the parts of a LiveTable that
// are costly to read: engine_full and create_table_query make ClickHouse
// format every table's CREATE query (150 ms for 2,000 tables, on every
// save of the dev loop), and system.columns is most of the rest. They
// are read again only for a table whose metadata may have changed since.
// A database's entries are those of its last reading: a dropped table's go.
type tableCache struct {
	mu    sync.Mutex
	m     map[string]map[string]cachedTable
	reads int // tables read in full, for tests
}

type cachedTable struct {
	uuid     string
	modified time.Time // metadata_modification_time when read
	readAt   time.Time // the server's now() before they were read
	t        LiveTable // EngineFull, TTL, Settings, Columns
}

// valid reports whether c still describes a table with this uuid whose
// metadata was last modified at modified. metadata_modification_time has
// second resolution, so an entry read in the second of its last change
// is not trusted (a second change in that second would not show); one
// read later is, until the time moves. A server that gives no uuid or no
// time (an engine without metadata files) is always read in full.
func (c cachedTable) valid(uuid string, modified time.Time) bool {
	return uuid != "" && uuid != zeroUUID && modified.Unix() > 0 &&
		c.uuid == uuid && c.modified.Equal(modified) && c.modified.Before(c.readAt)
}

const zeroUUID = "00000000-0000-0000-0000-000000000000"

// Tables lists the tables of a database (views and `_moose*` tables
// excluded, as upstream's reality check does), with their columns. The
// CREATE query and the columns are read only for tables that changed since
// this client last read them (tableCache).
func (c *Client) Tables(ctx context.Context, db string) (map[string]*LiveTable, error) {
	rows, err := c.conn.Query(ctx, `SELECT name, engine, sorting_key, partition_key, sampling_key, primary_key,
		toString(uuid), metadata_modification_time, now() FROM system.tables
		WHERE database = ? AND engine NOT IN ('View', 'MaterializedView') AND NOT startsWith(name, '.')
		AND NOT startsWith(lower(name), '_moose')`, db)
	if err != nil {
		return nil, fmt.Errorf("reading system.tables: %w", err)
	}
	type seen struct {
		uuid     string
		modified time.Time
	}
	out := map[string]*LiveTable{}
	stamps := map[string]seen{}
	var now time.Time
	var stale []string
	keep := map[string]cachedTable{} // what is known of db after this reading
	c.known.mu.Lock()
	known := c.known.m[db]
	for rows.Next() {
		t := &LiveTable{Database: db}
		var st seen
		if err := rows.Scan(&t.Name, &t.Engine, &t.SortingKey, &t.PartitionKey, &t.SamplingKey, &t.PrimaryKey, &st.uuid, &st.modified, &now); err != nil {
			c.known.mu.Unlock()
			rows.Close()
			return nil, err
		}
		t.SortingKey = NormalizeKey(t.SortingKey)
		t.PrimaryKey = NormalizeKey(t.PrimaryKey)
		out[t.Name] = t
		stamps[t.Name] = st
		if k, ok := known[t.Name]; ok && k.valid(st.uuid, st.modified) {
			t.EngineFull, t.TTL, t.Settings, t.Columns = k.t.EngineFull, k.t.TTL, maps.Clone(k.t.Settings), slices.Clone(k.t.Columns)
			keep[t.Name] = k
		} else {
			stale = append(stale, t.Name)
		}
	}
	c.known.mu.Unlock()
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(stale) == 0 {
		c.known.store(db, keep, 0)
		return out, nil
	}
	// read in full the stale tables: all of them by database when most are
	filter := func(string) string { return "" }
	if len(stale) <= len(out)/2 {
		quoted := make([]string, len(stale))
		for i, n := range stale {
			quoted[i] = infra.QuoteString(n)
		}
		list := strings.Join(quoted, ", ")
		filter = func(column string) string { return " AND " + column + " IN (" + list + ")" }
	}
	fresh := map[string]*LiveTable{}
	for _, n := range stale {
		fresh[n] = &LiveTable{}
	}
	if err := c.readCreates(ctx, db, filter("name"), fresh); err != nil {
		return nil, err
	}
	if err := c.readColumns(ctx, db, filter("table"), fresh); err != nil {
		return nil, err
	}
	for n, f := range fresh {
		t := out[n]
		t.EngineFull, t.TTL, t.Settings, t.Columns = f.EngineFull, f.TTL, f.Settings, f.Columns
		st := stamps[n]
		keep[n] = cachedTable{uuid: st.uuid, modified: st.modified, readAt: now,
			t: LiveTable{EngineFull: f.EngineFull, TTL: f.TTL, Settings: maps.Clone(f.Settings), Columns: slices.Clone(f.Columns)}}
	}
	c.known.store(db, keep, len(fresh))
	return out, nil
}

// store makes entries what is known of db, fresh of them read in full.
// Two readings at once may store in either order: an entry is only used
// while its table's uuid and modification time are still those it holds.
func (k *tableCache) store(db string, entries map[string]cachedTable, fresh int) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.m == nil {
		k.m = map[string]map[string]cachedTable{}
	}
	k.m[db] = entries
	k.reads += fresh
}

// readCreates fills each table of into with its engine_full and what its
// CREATE query says of TTL and SETTINGS.
func (c *Client) readCreates(ctx context.Context, db, filter string, into map[string]*LiveTable) error {
	rows, err := c.conn.Query(ctx, `SELECT name, engine_full, create_table_query FROM system.tables WHERE database = ?`+filter, db)
	if err != nil {
		return fmt.Errorf("reading system.tables: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var name, engineFull, create string
		if err := rows.Scan(&name, &engineFull, &create); err != nil {
			return err
		}
		if t, ok := into[name]; ok {
			t.EngineFull, t.TTL, t.Settings = engineFull, TableTTL(create), TableSettings(create)
		}
	}
	return rows.Err()
}

// readColumns appends to each table of into its columns, in order.
func (c *Client) readColumns(ctx context.Context, db, filter string, into map[string]*LiveTable) error {
	rows, err := c.conn.Query(ctx, `SELECT table, name, type, default_kind, default_expression, comment, is_in_primary_key, compression_codec
		FROM system.columns WHERE database = ?`+filter+` ORDER BY table, position`, db)
	if err != nil {
		return fmt.Errorf("reading system.columns: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var table string
		var col TableColumn
		var pk uint8
		if err := rows.Scan(&table, &col.Name, &col.Type, &col.DefaultKind, &col.DefaultExpr, &col.Comment, &pk, &col.Codec); err != nil {
			return err
		}
		col.InPrimaryKey = pk == 1
		if t, ok := into[table]; ok {
			t.Columns = append(t.Columns, col)
		}
	}
	return rows.Err()
}
