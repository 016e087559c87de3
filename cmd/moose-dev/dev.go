package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/moose-dev/moose-dev/broker"
	"github.com/moose-dev/moose-dev/chdb"
	"github.com/moose-dev/moose-dev/clickhouse"
	"github.com/moose-dev/moose-dev/devloop"
	"github.com/moose-dev/moose-dev/display"
	"github.com/moose-dev/moose-dev/docker"
	"github.com/moose-dev/moose-dev/project"
	"github.com/moose-dev/moose-dev/watcher"
	"github.com/spf13/cobra"
)

func devCmd(g *globals) *cobra.Command {
	var timestamps, timing, dropOnRecreate, yesDestructive, yesRename bool
	cmd := &cobra.Command{
		Use:   "dev",
		Short: "Run the development loop: start local infrastructure, apply the code, and re-apply on every save",
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDev(cmd.Context(), g, newPrinter(timestamps), devFlags{dropOnRecreate, yesDestructive, yesRename, timing})
		},
	}
	cmd.Flags().BoolVar(&timestamps, "timestamps", false, "prefix every line with the time")
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
}

// confirmer decides changes that need a person's yes: yes with the flag, a
// y/N prompt when stdin is a terminal, otherwise no (nil).
func confirmer(yes bool, in *bufio.Reader, question string) func([]string) bool {
	if yes {
		return func([]string) bool { return true }
	}
	if in == nil {
		return nil
	}
	return func(descs []string) bool {
		fmt.Println(question)
		for _, d := range descs {
			fmt.Println("  -", d)
		}
		fmt.Print("Apply? [y/N] ")
		line, _ := in.ReadString('\n')
		answer := strings.ToLower(strings.TrimSpace(line))
		return answer == "y" || answer == "yes"
	}
}

func stdinReader() *bufio.Reader {
	if !display.IsTerminal(os.Stdin) {
		return nil
	}
	return bufio.NewReader(os.Stdin)
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
	why := ""
	if err := docker.Available(ctx); err != nil {
		why = ": " + err.Error()
	}
	p.Infof("Starting", "development mode on the embedded default (ClickHouse: chDB %s, broker: in-process)%s", chdb.Version, why)
	if err := os.MkdirAll(proj.StateDir(), 0o755); err != nil {
		return err
	}
	ch, err := chdb.Start(ctx, chdb.Options{DataDir: filepath.Join(proj.StateDir(), "clickhouse"),
		Host: cfg.ClickHouse.Host, Port: cfg.ClickHouse.HostPort, User: cfg.ClickHouse.User, Password: cfg.ClickHouse.Password,
		LogFile: filepath.Join(proj.StateDir(), "clickhouse.log")})
	if err != nil {
		return err
	}
	defer ch.Stop()
	client, err := clickhouse.Open(ctx, clickhouse.Config{Addr: ch.Addr, User: cfg.ClickHouse.User,
		Password: cfg.ClickHouse.Password, Database: cfg.ClickHouse.DBName})
	if err != nil {
		return err
	}
	defer client.Close()
	if err := client.EnsureDatabases(ctx, cfg.ClickHouse.AdditionalDatabases...); err != nil {
		return err
	}
	var topics *broker.Admin
	if cfg.Features.StreamingEngine {
		b, err := broker.StartEmbedded(cfg.Redpanda.Broker, filepath.Join(proj.StateDir(), "kafka"))
		if err != nil {
			return err
		}
		defer b.Close()
		topics = &broker.Admin{Addr: b.Addr, Namespace: cfg.Redpanda.Namespace, ReplicationFactor: cfg.Redpanda.ReplicationFactor}
	}
	in := stdinReader()
	loop, err := devloop.New(devloop.Options{Project: proj, ClickHouse: client, Topics: topics, Printer: p,
		DropOnRecreate:     f.dropOnRecreate,
		Timing:             f.timing,
		ConfirmDestructive: confirmer(f.yesDestructive, in, "These changes lose data:"),
		ConfirmRenames:     confirmer(f.yesRename, in, "These look like renames (RENAME COLUMN keeps the data):")})
	if err != nil {
		return err
	}
	if _, err := loop.Reload(ctx, false); err != nil {
		p.Warnf("Waiting", "fix the error above and save: moose-dev applies the project as soon as it loads")
	} else {
		st := loop.State()
		p.Successf("Ready", "%d table(s) and %d topic(s) applied", len(st.Tables), len(st.Topics))
	}
	w, err := watcher.New(proj.AppDir(), watcher.Options{Ignore: cfg.Watcher.IgnorePatterns})
	if err != nil {
		return err
	}
	defer w.Close()
	printConnection(p, proj, ch.Addr, topics)
	p.Infof("Watching", "%q", proj.AppDir())
	for {
		select {
		case <-ctx.Done():
			p.Infof("Stopping", "shutting down the local infrastructure")
			return nil
		case <-ch.Done():
			return fmt.Errorf("the embedded ClickHouse stopped unexpectedly (see %s)", filepath.Join(proj.StateDir(), "clickhouse.log"))
		case err := <-w.Errors():
			p.Warnf("Watcher", "%v", err)
		case <-w.Batches():
			// errors were printed by the loop; the last good state stays
			loop.Reload(ctx, true)
		}
	}
}

func printConnection(p *display.Printer, proj *project.Project, addr string, topics *broker.Admin) {
	c := proj.Config.ClickHouse
	p.Infof("ClickHouse", "http://%s (user %s, database %s)", addr, c.User, c.DBName)
	p.Infof("", "curl -u %s:%s 'http://%s/?query=SHOW+TABLES+FROM+%s'", c.User, c.Password, addr, c.DBName)
	if topics != nil {
		p.Infof("Broker", "%s (kcat -b %s -L)", topics.Addr, topics.Addr)
	}
}
