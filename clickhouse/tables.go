package clickhouse

import (
	"context"
	"fmt"
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

// tableCache keeps, per database and table, a table read back as an
// infra table: reading it is costly (engine_full and create_table_query
// make ClickHouse format every table's CREATE query, 150 ms for 2,000
// tables, on every save of the dev loop; system.columns is most of the
// rest; converting 40,000 columns allocated 22 MB). A table is read again
// only when its metadata may have changed since. A database's entries
// are those of its last reading: a dropped table's go.
type tableCache struct {
	mu    sync.Mutex
	m     map[string]map[string]cachedTable
	reads int // tables read in full
}

// TablesReadInFull is how many tables Reality has read in full (CREATE
// query and columns) rather than from what the client knew: what a
// reading cost, for diagnostics and tests.
func (c *Client) TablesReadInFull() int {
	c.known.mu.Lock()
	defer c.known.mu.Unlock()
	return c.known.reads
}

type cachedTable struct {
	uuid     string
	modified time.Time // metadata_modification_time when read
	readAt   time.Time // the server's now() before they were read
	head     LiveTable // what system.tables lists of it (name, engine, keys): no columns
	// the table as Reality gives it, made once when read: Reality hands
	// out shallow copies (its parts shared, never written into: the dev
	// loop replaces fields, see differ.Reconcile)
	conv *infra.Table
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
// excluded, as upstream's reality check does), with their columns, read
// in full (Reality reads through the client's tableCache).
func (c *Client) Tables(ctx context.Context, db string) (map[string]*LiveTable, error) {
	listed, _, err := c.listTables(ctx, db)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*LiveTable, len(listed))
	for _, e := range listed {
		t := e.head
		out[t.Name] = &t
	}
	if err := c.readCreates(ctx, db, "", out); err != nil {
		return nil, err
	}
	if err := c.readColumns(ctx, db, "", out); err != nil {
		return nil, err
	}
	return out, nil
}

// listTables reads what system.tables lists of db's tables: each one's
// head, uuid and metadata time, and the server's time.
func (c *Client) listTables(ctx context.Context, db string) ([]cachedTable, time.Time, error) {
	var now time.Time
	rows, err := c.conn.Query(ctx, `SELECT name, engine, sorting_key, partition_key, sampling_key, primary_key,
		toString(uuid), metadata_modification_time, now() FROM system.tables
		WHERE database = ? AND engine NOT IN ('View', 'MaterializedView') AND NOT startsWith(name, '.')
		AND NOT startsWith(lower(name), '_moose')`, db)
	if err != nil {
		return nil, now, fmt.Errorf("reading system.tables: %w", err)
	}
	defer rows.Close()
	var out []cachedTable
	for rows.Next() {
		e := cachedTable{head: LiveTable{Database: db}}
		t := &e.head
		if err := rows.Scan(&t.Name, &t.Engine, &t.SortingKey, &t.PartitionKey, &t.SamplingKey, &t.PrimaryKey, &e.uuid, &e.modified, &now); err != nil {
			return nil, now, err
		}
		t.SortingKey = NormalizeKey(t.SortingKey)
		t.PrimaryKey = NormalizeKey(t.PrimaryKey)
		out = append(out, e)
	}
	return out, now, rows.Err()
}

// readTables is db's tables as the cache holds them (shared, read-only),
// reading in full only those that may have changed since they were read.
func (c *Client) readTables(ctx context.Context, db string) (map[string]cachedTable, error) {
	listed, now, err := c.listTables(ctx, db)
	if err != nil {
		return nil, err
	}
	keep := make(map[string]cachedTable, len(listed)) // what is known of db after this reading
	fresh := map[string]*LiveTable{}
	c.known.mu.Lock()
	known := c.known.m[db]
	for _, e := range listed {
		if k, ok := known[e.head.Name]; ok && k.valid(e.uuid, e.modified) && k.head.sameHead(e.head) {
			keep[e.head.Name] = k
		} else {
			keep[e.head.Name] = e
			t := e.head
			fresh[t.Name] = &t
		}
	}
	c.known.mu.Unlock()
	if len(fresh) > 0 {
		// read in full the fresh tables: all of them by database when most are
		filter := func(string) string { return "" }
		if len(fresh) <= len(keep)/2 {
			quoted := make([]string, 0, len(fresh))
			for n := range fresh {
				quoted = append(quoted, infra.QuoteString(n))
			}
			slices.Sort(quoted)
			list := strings.Join(quoted, ", ")
			filter = func(column string) string { return " AND " + column + " IN (" + list + ")" }
		}
		if err := c.readCreates(ctx, db, filter("name"), fresh); err != nil {
			return nil, err
		}
		if err := c.readColumns(ctx, db, filter("table"), fresh); err != nil {
			return nil, err
		}
		for n, t := range fresh {
			e := keep[n]
			e.readAt = now
			e.conv = t.ToInfra()
			if db != c.db {
				d := db
				e.conv.Database = &d
			}
			keep[n] = e
		}
	}
	c.known.store(db, keep, len(fresh))
	return keep, nil
}

// sameHead reports whether t and u agree on what system.tables gives of
// them beside the cached parts (a key is not expected to change without
// the metadata's time, but the conversion is only reused when it has not).
func (t LiveTable) sameHead(u LiveTable) bool {
	return t.Name == u.Name && t.Engine == u.Engine && t.SortingKey == u.SortingKey && t.PartitionKey == u.PartitionKey &&
		t.SamplingKey == u.SamplingKey && t.PrimaryKey == u.PrimaryKey
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
