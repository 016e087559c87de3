package clickhouse

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/moose-dev/moose-dev/infra"
	"github.com/moose-dev/moose-dev/internal/sqlscan"
)

// Config says where a ClickHouse is.
type Config struct {
	Addr     string // host:port
	User     string
	Password string
	Database string // the project's default database
	Native   bool   // the native protocol instead of HTTP
	TLS      bool
	// ReadOnly opens without creating the database (commands that must
	// change nothing); when it does not exist, the session keeps the
	// server's default database and the client still names Database.
	ReadOnly bool
}

// Client runs statements on one ClickHouse through clickhouse-go (HTTP or
// native protocol).
type Client struct {
	conn driver.Conn
	db   string
	// Log, when set, receives every statement before it runs.
	Log func(sql string)
	// Dev marks the ClickHouse of `moose-dev dev` (upstream's is_dev): a
	// Replicated table without Keeper arguments or a cluster is created
	// with DevReplicationArgs.
	Dev bool
	// Keeperless marks a server without Keeper or clusters (the embedded
	// one; Render.Keeperless).
	Keeperless bool

	known tableCache // what Tables read of each table, while unchanged
}

// Render is how this client renders operations; views is
// infra.ViewClusters of the maps they go between.
func (c *Client) Render(views map[string]string) Render {
	return Render{DB: c.db, Dev: c.Dev, Keeperless: c.Keeperless, Views: views}
}

// Open connects with the project's database as the session default (so
// unqualified names in view queries resolve there, as upstream's client
// does), creating that database first if needed (unless cfg.ReadOnly).
func Open(ctx context.Context, cfg Config) (*Client, error) {
	open := func(db string) (driver.Conn, error) {
		proto := clickhouse.HTTP
		if cfg.Native {
			proto = clickhouse.Native
		}
		var tlsCfg *tls.Config
		if cfg.TLS {
			tlsCfg = &tls.Config{MinVersion: tls.VersionTLS12}
		}
		conn, err := clickhouse.Open(&clickhouse.Options{
			Addr:     []string{cfg.Addr},
			Protocol: proto,
			TLS:      tlsCfg,
			Auth:     clickhouse.Auth{Username: cfg.User, Password: cfg.Password, Database: db},
			// as upstream's client: Nested columns stay Nested
			Settings:    clickhouse.Settings{"flatten_nested": 0},
			DialTimeout: 5 * time.Second,
			ReadTimeout: 5 * time.Minute,
		})
		if err != nil {
			return nil, err
		}
		if err := conn.Ping(ctx); err != nil {
			conn.Close()
			return nil, fmt.Errorf("ClickHouse at %s: %w", cfg.Addr, err)
		}
		return conn, nil
	}
	if cfg.Database != "" {
		boot, err := open("")
		if err != nil {
			return nil, err
		}
		if cfg.ReadOnly {
			var n uint64
			err := boot.QueryRow(ctx, "SELECT count() FROM system.databases WHERE name = ?", cfg.Database).Scan(&n)
			if err != nil {
				boot.Close()
				return nil, err
			}
			if n == 0 {
				return &Client{conn: boot, db: cfg.Database}, nil
			}
		} else if err := boot.Exec(ctx, "CREATE DATABASE IF NOT EXISTS "+Quote(cfg.Database)); err != nil {
			boot.Close()
			return nil, fmt.Errorf("creating database %s: %w", cfg.Database, err)
		}
		boot.Close()
	}
	conn, err := open(cfg.Database)
	if err != nil {
		return nil, err
	}
	return &Client{conn: conn, db: cfg.Database}, nil
}

// Close closes the connection.
func (c *Client) Close() error { return c.conn.Close() }

// Database is the project's default database.
func (c *Client) Database() string { return c.db }

// Exec runs one statement.
func (c *Client) Exec(ctx context.Context, sql string) error {
	if c.Log != nil {
		c.Log(sql)
	}
	return c.conn.Exec(ctx, sql)
}

// Query runs a query.
func (c *Client) Query(ctx context.Context, sql string, args ...any) (driver.Rows, error) {
	return c.conn.Query(ctx, sql, args...)
}

// QueryRow runs a query that returns one row.
func (c *Client) QueryRow(ctx context.Context, sql string, args ...any) driver.Row {
	return c.conn.QueryRow(ctx, sql, args...)
}

// EnsureDatabases creates the default database and any others.
func (c *Client) EnsureDatabases(ctx context.Context, dbs ...string) error {
	for _, db := range append([]string{c.db}, dbs...) {
		if err := c.Exec(ctx, "CREATE DATABASE IF NOT EXISTS "+Quote(db)); err != nil {
			return err
		}
	}
	return nil
}

// EnsureDatabasesFor creates the default database and every database a
// table of m lives in, as upstream does: ON CLUSTER each cluster its tables
// are on (so every node has it), plainly when none is.
func (c *Client) EnsureDatabasesFor(ctx context.Context, m *infra.Map) error {
	clusters := map[string]map[string]bool{c.db: {}}
	for _, t := range m.Tables {
		db := t.DatabaseOr(c.db)
		if clusters[db] == nil {
			clusters[db] = map[string]bool{}
		}
		if t.ClusterName != nil && *t.ClusterName != "" && !c.Keeperless {
			clusters[db][*t.ClusterName] = true
		}
	}
	for _, db := range slices.Sorted(maps.Keys(clusters)) {
		on := slices.Sorted(maps.Keys(clusters[db]))
		if len(on) == 0 {
			on = []string{""}
		}
		for _, cl := range on {
			if err := c.Exec(ctx, "CREATE DATABASE IF NOT EXISTS "+Quote(db)+infra.OnCluster(&cl)); err != nil {
				return fmt.Errorf("creating database %s: %w", db, err)
			}
		}
	}
	return nil
}

// ApplyError says which operation of a plan failed and how many were
// applied: those before it, and, when it was one of a run of CREATE TABLEs
// applied at once, any of that run that succeeded beside it.
type ApplyError struct {
	Index   int // 0-based index of the failed operation
	Applied int
	Op      infra.Operation
	SQL     string
	Err     error
}

func (e *ApplyError) Error() string {
	msg := fmt.Sprintf("%s failed (%d of the plan's operations applied): %v", e.Op.Describe(), e.Applied, e.Err)
	if e.SQL != "" { // a check that refused before any statement ran has none
		msg += "\n  SQL: " + oneLine(e.SQL)
	}
	return msg
}

func (e *ApplyError) Unwrap() error { return e.Err }

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// Apply runs operations in order and stops at the first error; views is
// infra.ViewClusters of the maps the operations go between (nil when no
// view is on a cluster).
func (c *Client) Apply(ctx context.Context, ops []infra.Operation, views map[string]string) error {
	return c.ApplyProgress(ctx, ops, views, nil)
}

// createWorkers is how many CREATE TABLEs of a run of them are sent at
// once: tables do not depend on one another, and a server (the embedded
// one has 4 sessions, chdb.lanes) creates them in parallel.
const createWorkers = 4

// ApplyProgress is Apply, calling progress (when not nil) after each
// operation that succeeded with how many are done (1..n) of n. A run of
// CREATE TABLEs goes out createWorkers at a time; after a failure no
// further one starts, and the error counts those that succeeded.
func (c *Client) ApplyProgress(ctx context.Context, ops []infra.Operation, views map[string]string, progress func(done, total int)) error {
	r := c.Render(views)
	var mu sync.Mutex // guards done, first, and the calls to progress
	done := 0
	var first *ApplyError
	run := func(i int) {
		err := c.applyOne(ctx, r, i, ops[i])
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			if first == nil || err.Index < first.Index {
				first = err
			}
			return
		}
		done++
		if progress != nil {
			progress(done, len(ops))
		}
	}
	failed := func() bool { mu.Lock(); defer mu.Unlock(); return first != nil }
	for i := 0; i < len(ops) && !failed(); {
		n := createRun(ops[i:], c.db)
		if n < 2 {
			run(i)
			i++
			continue
		}
		next := make(chan int)
		var wg sync.WaitGroup
		for w := 0; w < min(createWorkers, n); w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := range next {
					run(j)
				}
			}()
		}
		for j := i; j < i+n && !failed(); j++ {
			next <- j
		}
		close(next)
		wg.Wait()
		i += n
	}
	if first != nil {
		first.Applied = done
		return first
	}
	return nil
}

// createRun is how many operations at the head of ops are CREATE TABLEs
// of distinct MergeTree-family tables: those name no other table (a
// Buffer, Distributed or Merge table, which may, keeps its place in the
// plan's order).
func createRun(ops []infra.Operation, db string) int {
	seen := map[string]bool{}
	for n, op := range ops {
		ct, ok := op.(infra.CreateTable)
		if !ok || !ct.Table.Engine.IsMergeTreeFamily() || seen[infra.NameKey(ct.Table.Database, ct.Table.Name, db)] {
			return n
		}
		seen[infra.NameKey(ct.Table.Database, ct.Table.Name, db)] = true
	}
	return len(ops)
}

// applyOne runs operation i of a plan (its Applied left for the caller).
func (c *Client) applyOne(ctx context.Context, r Render, i int, op infra.Operation) *ApplyError {
	stmts, err := r.Operation(op)
	if err != nil {
		return &ApplyError{Index: i, Op: op, Err: err}
	}
	mod, isModify := op.(infra.ModifyTableColumn)
	if isModify {
		if err := c.checkConversion(ctx, dbOr(mod.Database, c.db), mod); err != nil {
			return &ApplyError{Index: i, Op: op, Err: err}
		}
	}
	for _, s := range stmts {
		if err := c.Exec(ctx, s); err != nil {
			if isModify {
				if rerr := c.rollbackModify(ctx, dbOr(mod.Database, c.db), mod); rerr != nil {
					err = fmt.Errorf("%w; rolling back also failed: %v", err, rerr)
				} else {
					err = fmt.Errorf("%w (rolled back: the column keeps its previous type)", err)
				}
			}
			return &ApplyError{Index: i, Op: op, SQL: s, Err: err}
		}
	}
	return nil
}

// TableColumn is one column as system.columns describes it.
type TableColumn struct {
	Name, Type, DefaultKind, DefaultExpr, Comment, Codec string
	InPrimaryKey                                         bool
}

// TableTTL finds the table-level TTL clause of a CREATE query as
// system.tables gives it (one line: columns, ENGINE, keys, TTL, SETTINGS,
// COMMENT): the text after ` TTL ` that follows the engine, up to SETTINGS
// or COMMENT. Column TTLs sit inside the column list, before the engine,
// and are not it.
func TableTTL(create string) *string {
	ttl := clause(create, " TTL ", " SETTINGS ", " COMMENT ")
	if ttl == "" {
		return nil
	}
	return &ttl
}

// TableSettings reads the SETTINGS clause of a CREATE query (after the
// engine, up to COMMENT): `k = v` pairs, string values unquoted.
func TableSettings(create string) map[string]string {
	list := clause(create, " SETTINGS ", " COMMENT ")
	if list == "" {
		return nil
	}
	out := map[string]string{}
	for _, item := range sqlscan.Split(list, ',') {
		k, v, ok := strings.Cut(item, "=")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\'' {
			v = strings.NewReplacer(`\'`, `'`, `\\`, `\`, `''`, `'`).Replace(v[1 : len(v)-1])
		}
		out[strings.TrimSpace(k)] = v
	}
	return out
}

// clause is the text of a CREATE query after the engine that follows
// marker, up to the first of ends, outside quotes and parentheses.
func clause(create, marker string, ends ...string) string {
	i := strings.Index(create, " ENGINE = ")
	if i < 0 {
		return ""
	}
	rest := create[i:]
	start, end := -1, len(rest)
	sqlscan.Walk(rest, func(j, depth int) bool {
		if depth > 0 || rest[j] != ' ' {
			return true
		}
		if start < 0 && strings.HasPrefix(rest[j:], marker) {
			start = j + len(marker)
			return true
		}
		for _, e := range ends {
			if start >= 0 && j >= start && strings.HasPrefix(rest[j:], e) {
				end = j
				return false
			}
		}
		return true
	})
	if start < 0 || start >= end {
		return ""
	}
	return strings.TrimSpace(rest[start:end])
}

// NormalizeKey strips parentheses that wrap a whole key expression:
// ClickHouse 26.x reads `ORDER BY (id)` back as `(id)`, older ones as `id`.
func NormalizeKey(k string) string {
	k = strings.TrimSpace(k)
	for len(k) >= 2 && k[0] == '(' && k[len(k)-1] == ')' && wraps(k) {
		k = strings.TrimSpace(k[1 : len(k)-1])
	}
	return k
}

// wraps reports whether the opening parenthesis at 0 closes at the end.
func wraps(k string) bool {
	depth := 0
	for i := 0; i < len(k); i++ {
		switch k[i] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 && i != len(k)-1 {
				return false
			}
		}
	}
	return depth == 0
}

// Reality reads every table of the given databases back as infra tables,
// keyed by `db.name`.
func (c *Client) Reality(ctx context.Context, dbs ...string) (map[string]*infra.Table, error) {
	out := map[string]*infra.Table{}
	for _, db := range dbs {
		tables, err := c.readTables(ctx, db)
		if err != nil {
			return nil, err
		}
		for name, e := range tables {
			t := *e.conv // the fields the caller's; the parts shared, read-only
			out[db+"."+name] = &t
		}
	}
	return out, nil
}

// QueryJSON runs a query and returns each row as a JSON object, its keys
// in the columns' order.
func (c *Client) QueryJSON(ctx context.Context, sql string) ([][]byte, error) {
	rows, err := c.conn.Query(ctx, sql)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	names := rows.Columns()
	types := rows.ColumnTypes()
	var out [][]byte
	for rows.Next() {
		vals := make([]any, len(types))
		for i, t := range types {
			vals[i] = reflect.New(t.ScanType()).Interface()
		}
		if err := rows.Scan(vals...); err != nil {
			return nil, err
		}
		var b strings.Builder
		b.WriteByte('{')
		for i, v := range vals {
			if i > 0 {
				b.WriteByte(',')
			}
			k, _ := json.Marshal(names[i])
			b.Write(k)
			b.WriteByte(':')
			j, err := json.Marshal(reflect.ValueOf(v).Elem().Interface())
			if err != nil {
				j, _ = json.Marshal(fmt.Sprint(reflect.ValueOf(v).Elem().Interface()))
			}
			b.Write(j)
		}
		b.WriteByte('}')
		out = append(out, []byte(b.String()))
	}
	return out, rows.Err()
}

// WithSettings runs the queries of ctx with ClickHouse settings.
func WithSettings(ctx context.Context, s map[string]any) context.Context {
	return clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings(s)))
}
