package migrate

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/moose-dev/moose-dev/clickhouse"
	"github.com/moose-dev/moose-dev/infra"
)

// StateTable is where the applied state and a running migration's progress
// live, in the target database itself, so that any machine can plan
// against the same database. ClickHouse skips `_moose*` tables when it
// reads reality.
const StateTable = "_MOOSE_STATE"

// Store reads and writes the state rows of one database. Rows are only
// ever appended; the latest row of a key is its value (upstream keeps the
// history of infra maps the same way).
type Store struct {
	c       *clickhouse.Client
	db      string
	created atomic.Bool // the table is known to exist (it is never dropped); serve reads concurrently
	// lockCreated: LockTable is known to exist
	lockCreated atomic.Bool
	// cluster, when set, is the cluster the database is on: the state and
	// lock tables are created ON CLUSTER as ReplicatedMergeTree, so every
	// node reads the same state and a lock claim is decided once, in
	// Keeper, for the whole cluster
	cluster string
}

// OnCluster makes the store create its tables on the cluster (before its
// first write).
func (s *Store) OnCluster(cluster string) *Store {
	s.cluster = cluster
	return s
}

// createTable creates one of the store's tables: columns, ORDER BY and
// a deduplication window (0: the engine's default). On a cluster, the
// database first, then the table, ON CLUSTER and replicated; a table of
// that name this node already has must be replicated too.
func (s *Store) createTable(ctx context.Context, name, columns, orderBy string, dedupWindow int) error {
	if s.cluster != "" {
		if err := s.c.Exec(ctx, "CREATE DATABASE IF NOT EXISTS "+clickhouse.Quote(s.db)+infra.OnCluster(&s.cluster)); err != nil {
			return err
		}
	}
	if err := s.c.Exec(ctx, s.createSQL(name, columns, orderBy, dedupWindow)); err != nil || s.cluster == "" {
		return err
	}
	var engine string
	if err := s.c.QueryRow(ctx, "SELECT engine FROM system.tables WHERE database = ? AND name = ?", s.db, name).Scan(&engine); err != nil {
		return err
	}
	if strings.HasPrefix(engine, "Replicated") || strings.HasPrefix(engine, "Shared") {
		return nil
	}
	ref, copyRef := s.ref(name), s.ref(name+"_r")
	return fmt.Errorf("%s is a %s table on this node only (it was created before the project had a cluster), so the nodes of cluster %s "+
		"would not share it. Replicate it first: %s; INSERT INTO %s SELECT * FROM %s; DROP TABLE %s SYNC; RENAME TABLE %s TO %s%s",
		ref, engine, s.cluster, s.createSQL(name+"_r", columns, orderBy, dedupWindow), copyRef, ref, ref, copyRef, ref, infra.OnCluster(&s.cluster))
}

// createSQL is CREATE TABLE of one of the store's tables: MergeTree on one
// server, ReplicatedMergeTree ON CLUSTER on a cluster.
func (s *Store) createSQL(name, columns, orderBy string, dedupWindow int) string {
	engine, window, on := "MergeTree", "non_replicated_deduplication_window", ""
	if s.cluster != "" {
		engine, window, on = "ReplicatedMergeTree", "replicated_deduplication_window", infra.OnCluster(&s.cluster)
	}
	q := fmt.Sprintf("CREATE TABLE IF NOT EXISTS %s%s (%s) ENGINE = %s ORDER BY %s", s.ref(name), on, columns, engine, orderBy)
	if dedupWindow > 0 {
		q += fmt.Sprintf(" SETTINGS %s = %d", window, dedupWindow)
	}
	return q
}

// ref is `db`.`name` of a table of the store's database.
func (s *Store) ref(name string) string { return clickhouse.Quote(s.db) + "." + clickhouse.Quote(name) }

// NewStore returns the store of the client's database. Reading never
// changes the database (`moose-dev plan` changes nothing): the table is
// created by the first write.
func NewStore(ctx context.Context, c *clickhouse.Client) (*Store, error) {
	s := &Store{c: c, db: c.Database()}
	_, err := s.exists(ctx)
	return s, err
}

// exists reports whether the state table exists, asking until it does
// (another process may create it: `serve` runs while `migrate` writes).
func (s *Store) exists(ctx context.Context) (bool, error) {
	if s.created.Load() {
		return true, nil
	}
	ok, err := s.tableExists(ctx, StateTable)
	if ok {
		s.created.Store(true)
	}
	return ok, err
}

// tableExists reports whether the store's database has the table.
func (s *Store) tableExists(ctx context.Context, name string) (bool, error) {
	rows, err := s.c.Query(ctx, "SELECT count() FROM system.tables WHERE database = ? AND name = ?", s.db, name)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	var n uint64
	if rows.Next() {
		if err := rows.Scan(&n); err != nil {
			return false, err
		}
	}
	return n > 0, rows.Err()
}

func (s *Store) put(ctx context.Context, key string, value any) error {
	if !s.created.Load() {
		if err := s.createTable(ctx, StateTable, "key String, value String, created_at DateTime64(6) DEFAULT now64(6)", "(key, created_at)", 0); err != nil {
			return fmt.Errorf("creating %s: %w", StateTable, err)
		}
		s.created.Store(true)
	}
	b, err := json.Marshal(value)
	if err != nil {
		return err
	}
	return s.c.Exec(ctx, fmt.Sprintf("INSERT INTO %s (key, value) VALUES (%s, %s)", s.ref(StateTable),
		clickhouse.QuoteString(key), clickhouse.QuoteString(string(b))))
}

// latest decodes the newest row whose key matches the LIKE pattern into v;
// it reports whether there was one.
func (s *Store) latest(ctx context.Context, pattern string, v any) (bool, error) {
	if ok, err := s.exists(ctx); !ok || err != nil {
		return false, err
	}
	rows, err := s.c.Query(ctx, fmt.Sprintf("SELECT value FROM %s WHERE key LIKE %s ORDER BY created_at DESC LIMIT 1",
		s.ref(StateTable), clickhouse.QuoteString(pattern)))
	if err != nil {
		return false, err
	}
	defer rows.Close()
	if !rows.Next() {
		return false, rows.Err()
	}
	var raw string
	if err := rows.Scan(&raw); err != nil {
		return false, err
	}
	return true, json.Unmarshal([]byte(raw), v)
}

// LoadMap returns the last stored infrastructure map, or an empty one.
func (s *Store) LoadMap(ctx context.Context) (*infra.Map, error) {
	var raw json.RawMessage
	ok, err := s.latest(ctx, "infra\\_map\\_%", &raw)
	if err != nil || !ok {
		return infra.NewMap(s.db), err
	}
	m, err := infra.UnmarshalMap(raw)
	if err != nil {
		return nil, fmt.Errorf("the state stored in %s.%s: %w", s.db, StateTable, err)
	}
	return m, nil
}

// SaveMap stores m as the applied state (`infra_map_<unix ms>`).
func (s *Store) SaveMap(ctx context.Context, m *infra.Map) error {
	b, err := infra.MarshalSorted(m)
	if err != nil {
		return err
	}
	return s.put(ctx, fmt.Sprintf("infra_map_%d", time.Now().UnixMilli()), json.RawMessage(b))
}

// progress is the value of a `migration_progress` row: how many operations
// of a plan have been applied.
type progress struct {
	Plan    string `json:"plan"`
	Applied int    `json:"applied"`
	Total   int    `json:"total"`
}

// Progress returns how many operations of the plan were applied by an
// earlier, unfinished run (0 if none).
func (s *Store) Progress(ctx context.Context, plan string) (int, error) {
	var p progress
	ok, err := s.latest(ctx, "migration\\_progress", &p)
	if err != nil || !ok || p.Plan != plan || p.Applied >= p.Total {
		return 0, err
	}
	return p.Applied, nil
}

func (s *Store) setProgress(ctx context.Context, plan string, applied, total int) error {
	return s.put(ctx, "migration_progress", progress{Plan: plan, Applied: applied, Total: total})
}
