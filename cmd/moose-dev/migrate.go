package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/moose-dev/moose-dev/clickhouse"
	"github.com/moose-dev/moose-dev/differ"
	"github.com/moose-dev/moose-dev/display"
	"github.com/moose-dev/moose-dev/infra"
	"github.com/moose-dev/moose-dev/migrate"
	"github.com/moose-dev/moose-dev/parser"
	"github.com/moose-dev/moose-dev/planfile"
	"github.com/moose-dev/moose-dev/project"
	"github.com/spf13/cobra"
)

// target is a project's code and the ClickHouse a plan is made against.
type target struct {
	proj   *project.Project
	code   *infra.Map
	client *clickhouse.Client
	store  *migrate.Store
}

func openTarget(ctx context.Context, g *globals, url string) (*target, error) {
	if url == "" {
		return nil, errors.New("--clickhouse-url is required (http://user:pass@host:port/db); planning against a running moose-dev's admin API (--url/--token) is not available yet")
	}
	proj, err := project.Load(g.projectDir)
	if err != nil {
		return nil, err
	}
	cfg, err := clickhouse.ParseURL(url)
	if err != nil {
		return nil, err
	}
	if cfg.Database == "" {
		cfg.Database = proj.Config.ClickHouse.DBName
	}
	res, err := parser.NewLoader(proj.Root, proj.Config.SourceDir).Load(cfg.Database)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return nil, errReported
	}
	client, err := clickhouse.Open(ctx, cfg)
	if err != nil {
		return nil, err
	}
	store, err := migrate.NewStore(ctx, client)
	if err != nil {
		client.Close()
		return nil, err
	}
	return &target{proj: proj, code: res.Map, client: client, store: store}, nil
}

// changes compares the target with the code.
func (t *target) changes(ctx context.Context) (*infra.Map, *migrate.Changes, error) {
	remote, err := migrate.Remote(ctx, t.client, t.store, t.code)
	if err != nil {
		return nil, nil, err
	}
	ch, err := migrate.Compute(remote, t.code)
	return remote, ch, err
}

// planJSON is `moose-dev plan --json`: the operations in plan.yaml's
// vocabulary, each with its risk, and what the lifecycles blocked.
type planJSON struct {
	Operations []json.RawMessage `json:"operations"`
	Risks      []infra.Risk      `json:"risks"`
	MaxRisk    infra.Risk        `json:"max_risk"`
	Blocked    []string          `json:"blocked"`
}

func planCmd(g *globals) *cobra.Command {
	var url string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Show what applying the code to a ClickHouse would change (nothing is changed)",
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			t, err := openTarget(ctx, g, url)
			if err != nil {
				return err
			}
			defer t.client.Close()
			_, ch, err := t.changes(ctx)
			if err != nil {
				return err
			}
			if asJSON {
				out := planJSON{Operations: []json.RawMessage{}, Risks: []infra.Risk{}, MaxRisk: infra.MaxRisk(ch.Ops), Blocked: []string{}}
				for _, op := range ch.Ops {
					raw, err := infra.MarshalOperation(op)
					if err != nil {
						return err
					}
					out.Operations = append(out.Operations, raw)
					out.Risks = append(out.Risks, infra.RiskOf(op))
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
			p := display.NewPrinter(os.Stdout, display.NewStyles(display.ColorWanted(os.Stdout)))
			if len(ch.Changes) == 0 && len(ch.Blocked) == 0 {
				p.Successf("Plan", "no changes: the database matches the code")
				return nil
			}
			p.Print(display.ChangeLines(ch.Changes)...)
			p.Print(display.BlockedLines(ch.Blocked)...)
			p.Infof("Plan", "%d operation(s), highest risk: %s", len(ch.Ops), infra.MaxRisk(ch.Ops))
			return nil
		},
	}
	cmd.Flags().StringVar(&url, "clickhouse-url", "", "the target ClickHouse (http://user:pass@host:port/db)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the plan as JSON (for CI)")
	return cmd
}

func generateCmd(g *globals) *cobra.Command {
	gen := &cobra.Command{Use: "generate", Short: "Generate files (see: generate migration)"}
	var url string
	var save bool
	mig := &cobra.Command{
		Use:   "migration",
		Short: "Write migrations/plan.yaml, remote_state.json and local_infra_map.json for review (print the plan without --save)",
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			t, err := openTarget(ctx, g, url)
			if err != nil {
				return err
			}
			defer t.client.Close()
			remote, ch, err := t.changes(ctx)
			if err != nil {
				return err
			}
			f := &migrate.Files{Plan: &planfile.Plan{CreatedAt: time.Now().UTC(), Operations: ch.Ops}, Remote: remote, Local: t.code}
			p := display.NewPrinter(os.Stderr, display.NewStyles(display.ColorWanted(os.Stderr)))
			p.Print(display.BlockedLines(ch.Blocked)...)
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
			p.Successf("Generated", "%s with %d operation(s) (highest risk: %s), %s and %s in %s: review, edit if needed, then run moose-dev migrate",
				migrate.PlanFile, len(ch.Ops), infra.MaxRisk(ch.Ops), migrate.RemoteFile, migrate.LocalFile, dir)
			return nil
		},
	}
	mig.Flags().StringVar(&url, "clickhouse-url", "", "the target ClickHouse (http://user:pass@host:port/db)")
	mig.Flags().BoolVar(&save, "save", false, "write the files under migrations/")
	gen.AddCommand(mig)
	return gen
}

func migrateCmd(g *globals) *cobra.Command {
	var url string
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Apply migrations/plan.yaml to a ClickHouse if it has not drifted since the plan was generated",
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			t, err := openTarget(ctx, g, url)
			if err != nil {
				return err
			}
			defer t.client.Close()
			f, err := migrate.Load(filepath.Join(t.proj.Root, migrate.Dir))
			if err != nil {
				return err
			}
			p := display.NewPrinter(os.Stdout, display.NewStyles(display.ColorWanted(os.Stdout)))
			out, err := migrate.Run(ctx, t.client, t.code, f, migrate.Options{
				Log: func(format string, args ...any) { p.Raw(fmt.Sprintf(format, args...) + "\n") },
				SQL: func(sql string) { p.Raw("        " + strings.ReplaceAll(sql, "\n", "\n        ") + "\n") },
			})
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
	cmd.Flags().StringVar(&url, "clickhouse-url", "", "the target ClickHouse (http://user:pass@host:port/db)")
	return cmd
}
