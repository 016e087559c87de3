package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/moose-dev/moose-dev/admin"
	"github.com/moose-dev/moose-dev/clickhouse"
	"github.com/moose-dev/moose-dev/devloop"
	"github.com/moose-dev/moose-dev/differ"
	"github.com/moose-dev/moose-dev/display"
	"github.com/moose-dev/moose-dev/infra"
	"github.com/moose-dev/moose-dev/migrate"
	"github.com/moose-dev/moose-dev/parser"
	"github.com/moose-dev/moose-dev/planfile"
	"github.com/moose-dev/moose-dev/project"
	"github.com/spf13/cobra"
)

// target is a project's code and what a plan is made against: a
// ClickHouse reached directly, or a running moose-dev's admin API.
type target struct {
	proj    *project.Project
	code    *infra.Map
	client  *clickhouse.Client // nil when planning through the admin API
	store   *migrate.Store
	fetched *infra.Map     // the map a running instance served (admin API)
	ignore  migrate.Ignore // [migration_config] ignore_operations
}

// targetFlags are the ways to name a target, and for planning commands,
// whether to plan renames.
type targetFlags struct {
	clickhouseURL, url, token string
	renames                   bool
}

// register adds --clickhouse-url; planning commands also get --url,
// --token and --renames.
func (f *targetFlags) register(cmd *cobra.Command, planning bool) {
	cmd.Flags().StringVar(&f.clickhouseURL, "clickhouse-url", "", "the target ClickHouse (http://user:pass@host:port/db, https://..., clickhouse://...)")
	if planning {
		cmd.Flags().StringVar(&f.url, "url", "", "a running moose-dev to plan against through its admin API (with --token)")
		cmd.Flags().StringVar(&f.token, "token", "", "the admin API token (see moose-dev generate hash-token)")
		cmd.Flags().BoolVar(&f.renames, "renames", false, "plan column and table pairs that look like renames as renames (RenameTableColumn, RawSql RENAME TABLE), keeping the data")
	}
}

// planAgainst opens the target and compares it with the code, changing
// nothing; the caller closes the target.
func planAgainst(ctx context.Context, g *globals, tf targetFlags) (*target, *infra.Map, *migrate.Changes, error) {
	t, cfg, err := loadTarget(ctx, g, tf)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := t.connect(ctx, cfg, true); err != nil {
		return nil, nil, nil, err
	}
	remote, ch, err := t.changes(ctx, tf.renames)
	if err != nil {
		t.close()
		return nil, nil, nil, err
	}
	return t, remote, ch, nil
}

// loadTarget reads the project and its code, and says how to reach the
// target (a ClickHouse, whose config it returns, or, with --url, the map a
// running instance serves, fetched here). Nothing is connected yet.
func loadTarget(ctx context.Context, g *globals, f targetFlags) (*target, clickhouse.Config, error) {
	t, cfg, err := loadProject(g, f)
	if err != nil {
		return nil, cfg, err
	}
	db := cfg.Database
	if f.url != "" {
		// The code is read against the running instance's database.
		if t.fetched, err = admin.Fetch(ctx, f.url, f.token); err != nil {
			return nil, cfg, err
		}
		if t.fetched.DefaultDatabase != "" {
			db = t.fetched.DefaultDatabase
		}
	}
	res, err := parser.NewLoader(t.proj.Root, t.proj.Config.SourceDir, t.proj.Config.Language).CheckClusters(t.proj.Config.ClickHouse.ClusterNames()).Load(db)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return nil, cfg, errReported
	}
	t.code = res.Map
	return t, cfg, nil
}

// loadProject reads the project and the target's flags; cfg.Database is
// the target's database (the URL's, or the project's).
func loadProject(g *globals, f targetFlags) (*target, clickhouse.Config, error) {
	var cfg clickhouse.Config
	switch {
	case f.clickhouseURL != "" && f.url != "":
		return nil, cfg, errors.New("give either --clickhouse-url or --url/--token, not both")
	case f.url != "" && f.token == "":
		return nil, cfg, errors.New("--url needs --token (the admin API refuses requests without one)")
	case f.clickhouseURL == "" && f.url == "":
		return nil, cfg, errors.New("name the target: --clickhouse-url http://user:pass@host:port/db, or --url http://host:4000 --token T")
	}
	proj, err := project.Load(g.projectDir)
	if err != nil {
		return nil, cfg, err
	}
	if f.clickhouseURL != "" {
		if cfg, err = clickhouse.ParseURL(f.clickhouseURL); err != nil {
			return nil, cfg, err
		}
	}
	if cfg.Database == "" {
		cfg.Database = proj.Config.ClickHouse.DBName
	}
	ignore, err := migrate.ParseIgnore(proj.Config.Migration.IgnoreOperations)
	if err != nil {
		return nil, cfg, err
	}
	return &target{proj: proj, ignore: ignore}, cfg, nil
}

// connect opens the ClickHouse (nothing to do with --url). readOnly
// changes nothing in it, not even creating the database: a database or
// state table that does not exist reads as empty.
func (t *target) connect(ctx context.Context, cfg clickhouse.Config, readOnly bool) error {
	if t.fetched != nil {
		return nil
	}
	cfg.ReadOnly = readOnly
	c, err := clickhouse.Open(ctx, cfg)
	if err != nil {
		return err
	}
	if t.store, err = migrate.NewStore(ctx, c); err != nil {
		c.Close()
		return err
	}
	t.client = c
	return nil
}

func (t *target) close() {
	if t.client != nil {
		t.client.Close()
	}
}

// changes compares the target with the code; renames plans the column
// pairs that look like renames as renames.
func (t *target) changes(ctx context.Context, renames bool) (*infra.Map, *migrate.Changes, error) {
	remote := t.fetched
	if t.client != nil {
		var err error
		if remote, err = migrate.Remote(ctx, t.client, t.store, t.code); err != nil {
			return nil, nil, err
		}
	}
	ch, err := migrate.Compute(remote, t.code, migrate.ComputeOptions{Ignore: t.ignore, Renames: renames})
	if err == nil && t.client == nil {
		// A running moose-dev knows its topics: show their changes too
		// (a migration runs OLAP operations only, as upstream's).
		ch.Changes = append(ch.Changes, differ.TopicChanges(differ.Diff(remote, t.code))...)
	}
	return remote, ch, err
}

// printPlan prints the changes in upstream's sections.
func printPlan(p *display.Printer, ch *migrate.Changes, renames bool) {
	if len(ch.Changes) == 0 && len(ch.Blocked) == 0 {
		p.Successf("Plan", "no changes: the target matches the code")
		return
	}
	var added, modified, removed []differ.Change
	for _, c := range ch.Changes {
		switch differ.ActionOf(c) {
		case differ.Added:
			added = append(added, c)
		case differ.Removed:
			removed = append(removed, c)
		default:
			modified = append(modified, c)
		}
	}
	p.Raw("Infrastructure Changes:\n")
	for _, sec := range []struct {
		title   string
		changes []differ.Change
	}{{"✨ New Components", added}, {"🔄 Modified Components", modified}, {"❌ Removed Components", removed}} {
		if len(sec.changes) > 0 {
			p.Raw(sec.title + "\n")
			p.Print(display.ChangeLines(sec.changes)...)
		}
	}
	p.Print(display.BlockedLines(ch.Blocked)...)
	if !renames {
		printRenameHints(p, ch)
	}
	p.Infof("Plan", "%d operation(s), highest risk: %s", len(ch.Ops), infra.MaxRisk(ch.Ops))
}

// printRenameHints points at the column and table pairs that look like
// renames when they are planned as a drop and an add (which loses the data).
func printRenameHints(p *display.Printer, ch *migrate.Changes) {
	for _, r := range ch.Renames {
		p.Print(display.Line{Kind: display.Info, Action: "Rename?", Message: "looks like a rename, planned as a drop and an add (the data is lost): " + r,
			Details: []string{"run again with --renames to plan the rename (RENAME COLUMN / RENAME TABLE), or edit plan.yaml"}})
	}
}

// planJSON is `moose-dev plan --json`: the operations in plan.yaml's
// vocabulary, each with its risk and the exact SQL migrate would run for
// it, and what the lifecycles blocked.
type planJSON struct {
	Operations []json.RawMessage `json:"operations"`
	Risks      []infra.Risk      `json:"risks"`
	SQL        [][]string        `json:"sql"`
	MaxRisk    infra.Risk        `json:"max_risk"`
	Blocked    []string          `json:"blocked"`
}

func planCmd(g *globals) *cobra.Command {
	var tf targetFlags
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Show what applying the code to a ClickHouse would change (nothing is changed)",
		RunE: func(cmd *cobra.Command, args []string) error {
			t, remote, ch, err := planAgainst(cmd.Context(), g, tf)
			if err != nil {
				return err
			}
			defer t.close()
			if asJSON {
				out := planJSON{Operations: []json.RawMessage{}, Risks: []infra.Risk{}, SQL: [][]string{}, MaxRisk: infra.MaxRisk(ch.Ops), Blocked: []string{}}
				views := infra.ViewClusters(t.code.DefaultDatabase, remote, t.code)
				for _, op := range ch.Ops {
					raw, err := infra.MarshalOperation(op)
					if err != nil {
						return err
					}
					stmts, err := clickhouse.OperationSQL(op, t.code.DefaultDatabase, views)
					if err != nil {
						return err
					}
					out.Operations = append(out.Operations, raw)
					out.Risks = append(out.Risks, infra.RiskOf(op))
					out.SQL = append(out.SQL, append([]string{}, stmts...))
				}
				for _, b := range ch.Blocked {
					out.Blocked = append(out.Blocked, differ.Describe(b.Change)+": "+b.Reason)
				}
				data, err := infra.MarshalSorted(out)
				if err != nil {
					return err
				}
				_, err = os.Stdout.Write(data)
				return err
			}
			printPlan(display.NewPrinter(os.Stdout, display.NewStyles(display.ColorWanted(os.Stdout))), ch, tf.renames)
			return nil
		},
	}
	tf.register(cmd, true)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the plan as JSON (for CI)")
	return cmd
}

func generateCmd(g *globals) *cobra.Command {
	gen := &cobra.Command{Use: "generate", Short: "Generate a migration plan, or an admin API token"}
	var tf targetFlags
	var save bool
	mig := &cobra.Command{
		Use:   "migration",
		Short: "Write migrations/plan.yaml, remote_state.json and local_infra_map.json for review (print the plan without --save)",
		RunE: func(cmd *cobra.Command, args []string) error {
			t, remote, ch, err := planAgainst(cmd.Context(), g, tf)
			if err != nil {
				return err
			}
			defer t.close()
			f := &migrate.Files{Plan: &planfile.Plan{CreatedAt: time.Now().UTC(), Operations: ch.Ops}, Remote: remote, Local: t.code}
			p := display.NewPrinter(os.Stderr, display.NewStyles(display.ColorWanted(os.Stderr)))
			p.Print(display.BlockedLines(ch.Blocked)...)
			if !tf.renames {
				printRenameHints(p, ch)
			}
			if !save {
				data, err := f.Plan.MarshalYAML()
				if err != nil {
					return err
				}
				_, err = os.Stdout.Write(data)
				return err
			}
			dir := filepath.Join(t.proj.Root, migrate.Dir)
			if err := f.Save(dir); err != nil {
				return err
			}
			// plan.yaml's header points editors at this schema.
			schema, err := infra.MarshalSorted(planfile.Schema())
			if err != nil {
				return err
			}
			if err := devloop.WriteFileAtomic(filepath.Join(t.proj.StateDir(), planfile.SchemaFile), schema); err != nil {
				return err
			}
			p.Successf("Generated", "%s with %d operation(s) (highest risk: %s), %s and %s in %s: review, edit if needed, then run moose-dev migrate",
				migrate.PlanFile, len(ch.Ops), infra.MaxRisk(ch.Ops), migrate.RemoteFile, migrate.LocalFile, dir)
			return nil
		},
	}
	tf.register(mig, true)
	mig.Flags().BoolVar(&save, "save", false, "write the files under migrations/")
	hash := &cobra.Command{
		Use:   "hash-token",
		Short: "Print a new admin API token and the hash to put in [authentication] admin_api_key",
		RunE: func(cmd *cobra.Command, args []string) error {
			token, h, err := admin.NewToken()
			if err != nil {
				return err
			}
			fmt.Printf("Token (give to callers, e.g. moose-dev plan --token): %s\n", token)
			fmt.Printf("Hash (moose.config.toml: [authentication] admin_api_key = \"%s\")\n", h)
			return nil
		},
	}
	gen.AddCommand(mig, hash)
	return gen
}

func migrateCmd(g *globals) *cobra.Command {
	var tf targetFlags
	var allowPartial, releaseLock bool
	var lockWait time.Duration
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Apply migrations/plan.yaml to a ClickHouse if it has not drifted since the plan was generated",
		Long: `Apply migrations/plan.yaml to a ClickHouse if it has not drifted since the plan was generated.

Before anything runs, the plan is checked: every operation's required fields, each
operation against the tables as they are at its point of the plan, the lifecycles,
that the code still is what local_infra_map.json says, and that the plan, simulated
over remote_state.json, reaches local_infra_map.json (a plan cut short or edited
into something else is refused, naming what differs; --allow-partial applies it
anyway and stores the map it leads to).

One run at a time holds the migration lock, a lease renewed while it works. A second
run fails naming the holder, or waits for it with --lock-wait. A run that failed keeps
its progress: run the same command again to resume. A run that was killed holds the
lock until its lease expires (300 s); --release-lock releases it at once.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if tf.clickhouseURL == "" {
				return errors.New("migrate needs --clickhouse-url: it runs the plan on the database itself")
			}
			p := display.NewPrinter(os.Stdout, display.NewStyles(display.ColorWanted(os.Stdout)))
			if releaseLock {
				return releaseMigrationLock(ctx, g, tf, p)
			}
			t, cfg, err := loadTarget(ctx, g, tf)
			if err != nil {
				return err
			}
			f, err := migrate.Load(filepath.Join(t.proj.Root, migrate.Dir))
			if err != nil {
				return err
			}
			o := migrate.Options{
				Ignore:       t.ignore,
				AllowPartial: allowPartial,
				Lease:        migrate.LeaseOptions{Wait: lockWait},
				Cluster:      migrate.StateCluster(t.proj.Config.ClickHouse.ClusterNames(), t.code),
			}
			// a plan that is refused changes nothing: checked before the
			// database is even created
			if _, err := migrate.Check(t.code, f, o); err != nil {
				return err
			}
			if err := t.connect(ctx, cfg, false); err != nil {
				return err
			}
			defer t.close()
			o.Log = func(format string, args ...any) { p.Raw(fmt.Sprintf(format, args...) + "\n") }
			o.SQL = func(sql string) { p.Raw("        " + strings.ReplaceAll(sql, "\n", "\n        ") + "\n") }
			out, err := migrate.Run(ctx, t.client, t.code, f, o)
			if err != nil {
				return err
			}
			if out == migrate.AlreadyAtTarget {
				p.Successf("Migrated", "nothing to do: the database already matched the plan's target")
			} else {
				p.Successf("Migrated", "%d operation(s) applied; the new state is stored in %s", len(f.Plan.Operations), migrate.StateTable)
			}
			return nil
		},
	}
	tf.register(cmd, false)
	cmd.Flags().BoolVar(&allowPartial, "allow-partial", false, "apply a plan that does not reach local_infra_map.json anyway, and store the map it leads to")
	cmd.Flags().DurationVar(&lockWait, "lock-wait", 0, "how long to wait for another migrate run holding the lock (e.g. 10m); 0 fails at once, naming it")
	cmd.Flags().BoolVar(&releaseLock, "release-lock", false, "release the migration lock of a run that is gone (killed before its lease expired), then exit")
	return cmd
}

// releaseMigrationLock is `migrate --release-lock`.
func releaseMigrationLock(ctx context.Context, g *globals, tf targetFlags, p *display.Printer) error {
	t, cfg, err := loadProject(g, tf)
	if err != nil {
		return err
	}
	if err := t.connect(ctx, cfg, true); err != nil {
		return err
	}
	defer t.close()
	h, released, err := t.store.ReleaseLock(ctx)
	switch {
	case err != nil:
		return err
	case released:
		p.Successf("Released", "the migration lock of %s; if that run still works, it stops before its next operation", h)
	case h == nil:
		p.Infof("Lock", "no migrate run ever held the lock of %s", cfg.Database)
	default:
		p.Infof("Lock", "nobody holds the lock; the last holder was %s", h)
	}
	return nil
}

func serveCmd(g *globals) *cobra.Command {
	var tf targetFlags
	var addr string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the admin API for a production ClickHouse: the state migrate stored there, for plan --url --token",
		RunE: func(cmd *cobra.Command, args []string) error {
			if tf.clickhouseURL == "" {
				return errors.New("serve needs --clickhouse-url: the map it serves is the state stored in that database")
			}
			ctx := cmd.Context()
			t, cfg, err := loadTarget(ctx, g, tf)
			if err != nil {
				return err
			}
			if err := t.connect(ctx, cfg, true); err != nil {
				return err
			}
			defer t.close()
			key := t.proj.Config.Authentication.AdminAPIKey
			if key == "" {
				return errors.New("set [authentication] admin_api_key (moose-dev generate hash-token prints a token and its hash)")
			}
			if addr == "" {
				h := t.proj.Config.HTTPServer
				addr = net.JoinHostPort(h.Host, strconv.Itoa(h.Port))
			}
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return err
			}
			srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: admin.Handler(key, func() ([]byte, error) {
				m, err := t.store.LoadMap(context.Background())
				if err != nil {
					return nil, err
				}
				return infra.MarshalSorted(m)
			})}
			go func() {
				<-ctx.Done()
				srv.Close()
			}()
			p := display.NewPrinter(os.Stdout, display.NewStyles(display.ColorWanted(os.Stdout)))
			p.Infof("Admin API", "http://%s%s (Authorization: Bearer <token>)", ln.Addr(), admin.InframapPath)
			if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		},
	}
	tf.register(cmd, false)
	cmd.Flags().StringVar(&addr, "addr", "", "listen address (default: [http_server_config] host:port)")
	return cmd
}
