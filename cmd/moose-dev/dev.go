package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/moose-dev/moose-dev/broker"
	"github.com/moose-dev/moose-dev/chdb"
	"github.com/moose-dev/moose-dev/clickhouse"
	"github.com/moose-dev/moose-dev/devloop"
	"github.com/moose-dev/moose-dev/display"
	"github.com/moose-dev/moose-dev/docker"
	"github.com/moose-dev/moose-dev/parser"
	"github.com/moose-dev/moose-dev/project"
	"github.com/moose-dev/moose-dev/temporal"
	"github.com/moose-dev/moose-dev/watcher"
	"github.com/spf13/cobra"
)

func devCmd(g *globals) *cobra.Command {
	var timestamps, timing, dropOnRecreate, yesDestructive, yesRename bool
	var infraMode, chURL string
	cmd := &cobra.Command{
		Use:   "dev",
		Short: "Run the development loop: start local infrastructure, apply the code, and re-apply on every save",
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDev(cmd.Context(), g, newPrinter(timestamps), devFlags{dropOnRecreate, yesDestructive, yesRename, timing, infraMode, chURL})
		},
	}
	cmd.Flags().BoolVar(&timestamps, "timestamps", false, "prefix every line with the time")
	cmd.Flags().StringVar(&infraMode, "infra", "auto", "where ClickHouse and the broker run: auto (docker when a Docker engine answers, else embedded), docker, embedded, external")
	cmd.Flags().StringVar(&chURL, "clickhouse-url", "", "an existing ClickHouse (http://user:pass@host:port/db); implies --infra external")
	cmd.Flags().BoolVar(&timing, "timing", false, "print how long parsing, planning and execution took on each reload")
	cmd.Flags().BoolVar(&yesDestructive, "yes-destructive", false,
		"apply dropped tables and columns without asking (otherwise they are held back, or asked about when stdin is a terminal)")
	cmd.Flags().BoolVar(&yesRename, "yes-rename", false,
		"apply proposed column renames (RENAME COLUMN, keeping the data) without asking")
	cmd.Flags().BoolVar(&dropOnRecreate, "drop-on-recreate", false,
		"when a change needs a new table (ORDER BY, PARTITION BY, engine), drop the old one with its rows, as upstream does, instead of copying them across")
	return cmd
}

type devFlags struct {
	dropOnRecreate, yesDestructive, yesRename, timing bool
	infra, clickhouseURL                              string
}

// confirmer decides changes that need a person's yes: yes with the flag,
// the person's answer when there is a terminal to ask on, otherwise no (nil).
func confirmer(yes bool, in *prompter) func([]string) bool {
	switch {
	case yes:
		return func([]string) bool { return true }
	case in != nil:
		return in.confirmed
	}
	return nil
}

func runDev(ctx context.Context, g *globals, p *display.Printer, f devFlags) error {
	proj, err := project.Load(g.projectDir)
	if err != nil {
		return err
	}
	release, err := proj.Lock()
	if err != nil {
		return err
	}
	defer release()
	cfg := proj.Config
	if logf, err := os.OpenFile(filepath.Join(proj.StateDir(), LogFile), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644); err == nil {
		defer logf.Close()
		p.Log = logf
	}
	ln, err := listenDevServer(proj)
	if err != nil {
		return err
	}
	defer ln.Close()
	svc, err := startServices(ctx, proj, f, p)
	if err != nil {
		return err
	}
	defer svc.stop()
	client, topics := svc.client, svc.topics
	client.Dev = true
	client.Keeperless = svc.keeperless
	if svc.keeperless && len(proj.Config.ClickHouse.ClusterNames()) > 0 {
		p.Infof("Clusters", "this dev ClickHouse is one node without Keeper: tables on a cluster are created there without ON CLUSTER, "+
			"and Replicated engines as their plain forms (production DDL is unchanged: `moose-dev plan --json` shows it)")
	}
	dp, err := startDataPlane(ln, proj, svc, p)
	if err != nil {
		return err
	}
	defer dp.stop()
	in := newPrompter(os.Stdin, os.Stdout)
	// The first load's spinner counts the operations it applies; later
	// reloads have their own ("Processing ...").
	var applying *display.Spinner
	opts := devloop.Options{Project: proj, ClickHouse: client, Topics: topics, Printer: p, Data: dp.plane,
		Progress: func(done, total int) {
			applying.Set(fmt.Sprintf("applying the project: %d/%d operations", done, total))
		},
		DropOnRecreate:     f.dropOnRecreate,
		Timing:             f.timing,
		ConfirmDestructive: confirmer(f.yesDestructive, in),
		ConfirmRenames:     confirmer(f.yesRename, in)}
	var answered <-chan struct{}
	if in != nil {
		opts.Waiting = in.waiting(map[string]bool{devloop.DestructiveQuestion: f.yesDestructive, devloop.RenameQuestion: f.yesRename})
		answered = in.answered
	}
	loop, err := devloop.New(opts)
	if err != nil {
		return err
	}
	// Watching starts before the first load, so that a save made while it
	// runs (or while a question waits) is applied: the watcher's baseline is
	// the content before the load read it.
	w, err := watcher.New(proj.AppDir(), watcher.Options{Ignore: cfg.Watcher.IgnorePatterns, Extensions: parser.Extensions(cfg.Language)})
	if err != nil {
		return err
	}
	defer w.Close()
	applying = p.StartSpinner("applying the project")
	tm, err := loop.Reload(ctx, false)
	applying.Stop("")
	applying = nil
	if err != nil {
		w.Rearm()
		p.Warnf("Waiting", "fix the error above and save: moose-dev applies the project as soon as it loads")
	} else {
		st := loop.State()
		if tm.Changes == 0 {
			p.Successf("Ready", "nothing to apply: %d table(s) and %d topic(s) are as the code says", len(st.Tables), len(st.Topics))
		} else {
			p.Successf("Ready", "%d change(s) applied: %d table(s) and %d topic(s)", tm.Changes, len(st.Tables), len(st.Topics))
		}
	}
	dp.plane.Resume(loop.State()) // after a failed first load: what the last good one applied
	printConnection(p, proj, svc, topics)
	dp.announce(p, proj, loop.State())
	p.Infof("Watching", "%q", proj.AppDir())
	// a second after a reload the daemon gives the memory it used back:
	// it idles between saves, and the GC would keep a heap twice the live
	// one (at 2,000 tables, 250 MiB for 100)
	giveBack := time.NewTimer(time.Second)
	defer giveBack.Stop()
	for {
		select {
		case <-giveBack.C:
			go debug.FreeOSMemory()
		case <-ctx.Done():
			p.Infof("Stopping", "shutting down the local infrastructure")
			return nil
		case <-svc.done:
			return fmt.Errorf("the embedded ClickHouse stopped unexpectedly (see %s)", filepath.Join(proj.StateDir(), "clickhouse.log"))
		case err := <-w.Errors():
			p.Warnf("Watcher", "%v", err)
		case <-w.Batches():
			reload(ctx, loop, w)
			giveBack.Reset(time.Second)
		case <-answered:
			reload(ctx, loop, w)
			giveBack.Reset(time.Second)
		}
	}
}

// reload runs one cycle. Its errors were printed by the loop and the last
// good state stays; after a failure the watcher is re-armed, so saving the
// same content again (or touching the file) retries.
func reload(ctx context.Context, loop *devloop.Loop, w *watcher.Watcher) {
	if _, err := loop.Reload(ctx, true); err != nil {
		w.Rearm()
	}
}

func printConnection(p *display.Printer, proj *project.Project, svc *services, topics *broker.Admin) {
	c := proj.Config.ClickHouse
	ch := svc.config
	switch {
	case ch.Native:
		secure := ""
		if ch.TLS {
			secure = "?secure=true"
		}
		p.Infof("ClickHouse", "clickhouse://%s%s (native protocol; user %s, database %s)", svc.addr, secure, c.User, c.DBName)
	default:
		scheme := "http"
		if ch.TLS {
			scheme = "https"
		}
		p.Infof("ClickHouse", "%s://%s (user %s, database %s)", scheme, svc.addr, c.User, c.DBName)
		p.Infof("", "curl -u %s:%s '%s://%s/?query=SHOW+TABLES+FROM+%s'", c.User, c.Password, scheme, svc.addr, c.DBName)
	}
	if svc.nativeAddr != "" {
		p.Infof("", "native protocol: clickhouse://%s:%s@%s/%s", c.User, c.Password, svc.nativeAddr, c.DBName)
	}
	if topics != nil {
		hint := fmt.Sprintf("kcat -b %s -L", topics.Addr)
		if topics.Security.Enabled() {
			hint = fmt.Sprintf("kcat -b %s -X security.protocol=%s ... -L", topics.Addr, proj.Config.Redpanda.SecurityProtocol)
		}
		p.Infof("Broker", "%s (%s)", topics.Addr, hint)
	}
}

// services are the ClickHouse and broker a dev session uses.
type services struct {
	client     *clickhouse.Client
	addr       string
	config     clickhouse.Config // how the client reaches ClickHouse
	nativeAddr string            // the embedded engine's native protocol, when served
	topics     *broker.Admin
	done       <-chan struct{} // closed if an embedded engine dies
	stops      []func()
	// keeperless: a ClickHouse moose-dev starts itself (embedded or in
	// Docker), one node without Keeper or clusters
	keeperless bool
}

func (s *services) stop() {
	for i := len(s.stops) - 1; i >= 0; i-- {
		s.stops[i]()
	}
}

// startServices starts (docker, embedded) or connects to (external)
// ClickHouse and the broker, as --infra says. auto is docker when a Docker
// engine answers and its images can be had, else embedded, and says which.
func startServices(ctx context.Context, proj *project.Project, f devFlags, p *display.Printer) (*services, error) {
	cfg := proj.Config
	mode := f.infra
	if f.clickhouseURL != "" {
		if mode != "auto" && mode != "external" {
			return nil, fmt.Errorf("--clickhouse-url goes with --infra external, not %s", mode)
		}
		mode = "external"
	}
	why := ""
	if mode == "auto" {
		mode = "docker"
		if err := docker.Available(ctx); err != nil {
			mode, why = "embedded", ": "+err.Error()
		}
	}
	sec, err := checkSecurity(proj, mode)
	if err != nil {
		return nil, err
	}
	if cfg.Features.Workflows && mode == "embedded" {
		if _, err := temporal.Find(""); err != nil { // before anything is started
			return nil, err
		}
	}
	featureNotes(cfg.Features, p)
	s := &services{done: make(chan struct{})}
	var ep endpoints
	switch mode {
	case "docker":
		ep, err = s.startDocker(ctx, proj, p)
		var pullErr *docker.ImagePullError
		if f.infra == "auto" && errors.As(err, &pullErr) {
			p.Warnf("Docker", "%v", err)
			ep, err = s.startEmbedded(ctx, proj, p, ": Docker answers but "+pullErr.Image+" cannot be pulled")
		}
	case "embedded":
		ep, err = s.startEmbedded(ctx, proj, p, why)
	case "external":
		ep, err = external(proj, f.clickhouseURL, p)
	default:
		return nil, fmt.Errorf("--infra %q: want auto, docker, embedded or external", mode)
	}
	s.keeperless = mode != "external"
	if err != nil {
		s.stop()
		return nil, err
	}
	client, err := clickhouse.Open(ctx, ep.clickhouse)
	if err != nil {
		s.stop()
		return nil, err
	}
	s.stops = append(s.stops, func() { client.Close() })
	if err := client.EnsureDatabases(ctx, cfg.ClickHouse.AdditionalDatabases...); err != nil {
		s.stop()
		return nil, err
	}
	s.client, s.addr, s.config = client, ep.clickhouse.Addr, ep.clickhouse
	if cfg.Features.StreamingEngine {
		s.topics = &broker.Admin{Addr: ep.broker, Namespace: cfg.Redpanda.Namespace, ReplicationFactor: cfg.Redpanda.ReplicationFactor,
			Security: sec}
	}
	return s, nil
}

// checkSecurity reads the TLS and SASL settings. They are for the user's
// own services (--infra external): the ClickHouse and broker moose-dev
// starts itself, embedded or in Docker, take plain connections on
// 127.0.0.1 and have no users of the user's, so there they are refused
// rather than ignored.
func checkSecurity(proj *project.Project, mode string) (broker.Security, error) {
	cfg := proj.Config
	r := cfg.Redpanda
	sec, err := broker.ParseSecurity(r.SecurityProtocol, r.SASLMechanism, r.SASLUsername, r.SASLPassword)
	var se *broker.SecurityError
	if errors.As(err, &se) {
		return sec, proj.KeyError("redpanda_config."+se.Key, "redpanda_config.%s", se.Msg)
	}
	if mode == "external" {
		return sec, nil
	}
	if cfg.ClickHouse.UseSSL {
		return sec, proj.KeyError("clickhouse_config.use_ssl", "clickhouse_config.use_ssl = true: the ClickHouse moose-dev starts itself (embedded or in Docker) "+
			"serves plain HTTP on 127.0.0.1; use_ssl is for your own ClickHouse (--infra external)")
	}
	if cfg.Features.StreamingEngine && sec.Enabled() {
		return sec, proj.KeyError("redpanda_config.security_protocol", "redpanda_config.security_protocol = %q: the broker moose-dev starts itself (embedded or in Docker) "+
			"takes plain connections and has no users; TLS and SASL are for your own broker (--infra external)", r.SecurityProtocol)
	}
	return sec, nil
}

// featureNotes says what the [features] keys that change nothing here
// mean to moose-dev, so that they are not silently ignored.
func featureNotes(f project.Features, p *display.Printer) {
	if !f.APIs {
		p.Infof("APIs", "[features] apis = false: consumption APIs are not served (moose-dev answers them 501 either way); ingest APIs still are")
	}
	if f.DDLPlan {
		p.Infof("DDL plan", "[features] ddl_plan = true: the dev loop applies changes directly, as upstream's moose dev does; "+
			"production changes go through a reviewed migrations/plan.yaml (moose-dev generate migration, then migrate)")
	}
}

// endpoints are where a mode's ClickHouse and broker answer.
type endpoints struct {
	clickhouse clickhouse.Config
	broker     string
}

// startEmbedded starts chDB, kfake and (with workflows) the Temporal CLI's
// dev server, each stop recorded in s.
func (s *services) startEmbedded(ctx context.Context, proj *project.Project, p *display.Printer, why string) (endpoints, error) {
	cfg := proj.Config
	p.Infof("Starting", "development mode on the embedded default (ClickHouse: chDB %s, broker: in-process)%s", chdb.Version, why)
	spin := p.StartSpinner(fmt.Sprintf("starting ClickHouse (chDB %s)", chdb.Version))
	ch, err := chdb.Start(ctx, chdb.Options{DataDir: filepath.Join(proj.StateDir(), "clickhouse"),
		Host: cfg.ClickHouse.Host, Port: cfg.ClickHouse.HostPort, NativePort: cfg.ClickHouse.NativePort,
		User: cfg.ClickHouse.User, Password: cfg.ClickHouse.Password,
		LogFile:  filepath.Join(proj.StateDir(), "clickhouse.log"),
		OnOrphan: func(o chdb.Orphan) { p.Warnf("Stopped", "%s", o) }})
	spin.Stop("")
	if err != nil {
		return endpoints{}, err
	}
	if ch.NativeErr != nil { // printed as "Native protocol not served: port 9000 is taken ..."
		p.Warnf("Native", "protocol not served: %v; HTTP is unaffected", ch.NativeErr)
	}
	s.stops = append(s.stops, func() { ch.Stop() })
	s.done = ch.Done()
	s.nativeAddr = ch.NativeAddr
	ep := endpoints{clickhouse: clickhouse.Config{Addr: ch.Addr, User: cfg.ClickHouse.User, Password: cfg.ClickHouse.Password, Database: cfg.ClickHouse.DBName}}
	if cfg.Features.StreamingEngine {
		spin := p.StartSpinner("starting the broker")
		b, err := broker.StartEmbedded(cfg.Redpanda.Broker, filepath.Join(proj.StateDir(), "kafka"))
		spin.Stop("")
		if err != nil {
			return endpoints{}, err
		}
		s.stops = append(s.stops, b.Close)
		ep.broker = b.Addr
	}
	if cfg.Features.Workflows {
		spin := p.StartSpinner("starting Temporal")
		ts, err := temporal.Start(temporal.Options{Port: temporalPort(cfg.Temporal), DBFile: filepath.Join(proj.StateDir(), "temporal.db"),
			LogFile: filepath.Join(proj.StateDir(), "temporal.log")})
		spin.Stop("")
		if err != nil {
			return endpoints{}, err
		}
		s.stops = append(s.stops, ts.Stop)
		p.Infof("Temporal", "dev server at %s (data in .moose/temporal.db)", ts.Addr)
	}
	return ep, nil
}

// external connects to the user's services: --clickhouse-url, else
// [clickhouse_config]; the broker of [redpanda_config]. Nothing is started.
func external(proj *project.Project, url string, p *display.Printer) (endpoints, error) {
	cfg := proj.Config
	ep := endpoints{broker: cfg.Redpanda.Broker}
	if url != "" {
		var err error
		if ep.clickhouse, err = clickhouse.ParseURL(url); err != nil {
			return endpoints{}, err
		}
		if cfg.ClickHouse.UseSSL && !ep.clickhouse.TLS {
			return endpoints{}, proj.KeyError("clickhouse_config.use_ssl", "clickhouse_config.use_ssl = true, but --clickhouse-url is not TLS: "+
				"use https://... (or clickhouse://...?secure=true)")
		}
		if ep.clickhouse.Database == "" {
			ep.clickhouse.Database = cfg.ClickHouse.DBName
		}
	} else {
		// as upstream: use_ssl is HTTPS on host_port
		ep.clickhouse = clickhouse.Config{Addr: net.JoinHostPort(cfg.ClickHouse.Host, strconv.Itoa(cfg.ClickHouse.HostPort)),
			User: cfg.ClickHouse.User, Password: cfg.ClickHouse.Password, Database: cfg.ClickHouse.DBName, TLS: cfg.ClickHouse.UseSSL}
	}
	p.Infof("Starting", "development mode on your services (ClickHouse at %s, broker at %s): nothing is started", ep.clickhouse.Addr, ep.broker)
	return ep, nil
}

// startDocker runs the project's services in Docker (testcontainers-go),
// on the configured ports, logging testcontainers' lines to .moose/docker.log.
func (s *services) startDocker(ctx context.Context, proj *project.Project, p *display.Printer) (endpoints, error) {
	cfg := proj.Config
	logf, err := os.OpenFile(filepath.Join(proj.StateDir(), "docker.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return endpoints{}, err
	}
	defer logf.Close() // testcontainers logs while starting; after that the containers' own logs are docker logs
	o := docker.Options{Project: docker.ProjectName(proj.Root), ProjectDir: proj.Root, Log: logf,
		ClickHouse: docker.ClickHouseOptions{HostPort: cfg.ClickHouse.HostPort, NativePort: cfg.ClickHouse.NativePort,
			User: cfg.ClickHouse.User, Password: cfg.ClickHouse.Password, Database: cfg.ClickHouse.DBName},
		Progress: func(msg string) { p.Infof("Docker", "%s", msg) }}
	if cfg.Features.StreamingEngine {
		_, port, err := net.SplitHostPort(cfg.Redpanda.Broker)
		n, _ := strconv.Atoi(port)
		if err != nil || n <= 0 {
			return endpoints{}, fmt.Errorf("[redpanda_config] broker %q: want host:port", cfg.Redpanda.Broker)
		}
		o.Broker = &docker.BrokerOptions{HostPort: n}
	}
	if cfg.Features.Workflows {
		o.Temporal = &docker.TemporalOptions{HostPort: temporalPort(cfg.Temporal)}
	}
	images := "ClickHouse " + docker.ClickHouseImage.Ref()
	if o.Broker != nil {
		images += ", Redpanda " + docker.RedpandaImage.Ref()
	}
	p.Infof("Starting", "development mode in Docker (%s)", images)
	what := "ClickHouse"
	if o.Broker != nil {
		what = "ClickHouse and the broker"
	}
	spin := p.StartSpinner("starting " + what + " in Docker")
	d, err := docker.Start(ctx, o)
	spin.Stop("")
	if err != nil {
		return endpoints{}, err
	}
	s.stops = append(s.stops, func() { d.Stop(context.Background()) })
	s.nativeAddr = d.NativeAddr
	if d.TemporalAddr != "" {
		p.Infof("Temporal", "in Docker at %s", d.TemporalAddr)
	}
	return endpoints{clickhouse: clickhouse.Config{Addr: d.ClickHouseAddr, User: cfg.ClickHouse.User, Password: cfg.ClickHouse.Password,
		Database: cfg.ClickHouse.DBName}, broker: d.BrokerAddr}, nil
}

// temporalPort is [temporal_config] temporal_port, upstream's 7233 when
// absent.
func temporalPort(c map[string]any) int {
	if v, ok := c["temporal_port"].(int64); ok && v > 0 && v < 65536 {
		return int(v)
	}
	return 7233
}
