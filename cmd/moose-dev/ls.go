package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"text/tabwriter"

	"github.com/moose-dev/moose-dev/devloop"
	"github.com/moose-dev/moose-dev/infra"
	"github.com/moose-dev/moose-dev/project"
	"github.com/spf13/cobra"
)

// resource is one row of `moose-dev ls`.
type resource struct {
	Kind      string `json:"kind"`
	Name      string `json:"name"`
	Database  string `json:"database,omitempty"`
	LifeCycle string `json:"life_cycle,omitempty"`
	Source    string `json:"source,omitempty"`
	Details   string `json:"details,omitempty"`
}

func lsCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "ls",
		Short: "List the tables, views, topics, APIs and workflows moose-dev last applied",
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := project.Load(g.projectDir)
			if err != nil {
				return err
			}
			m, err := appliedState(p)
			if err != nil {
				return err
			}
			rows := append(listResources(m, serverURL(p)), pendingRows(p)...)
			if asJSON {
				out, _ := json.MarshalIndent(rows, "", "  ")
				fmt.Println(string(out))
				return nil
			}
			w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "KIND\tNAME\tLIFECYCLE\tSOURCE\tDETAILS")
			for _, r := range rows {
				name := r.Name
				if r.Database != "" {
					name = r.Database + "." + name
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", r.Kind, name, r.LifeCycle, r.Source, r.Details)
			}
			return w.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func sourceOf(md *infra.Metadata) string {
	if md == nil || md.Source == nil {
		return ""
	}
	return md.Source.File
}

// listResources flattens a map into rows, sorted by kind and name.
// base is the dev server's URL, for the APIs' addresses.
func listResources(m *infra.Map, base string) []resource {
	var rows []resource
	for _, t := range m.Tables {
		rows = append(rows, resource{Kind: "table", Name: t.Name, Database: t.DatabaseOr(m.DefaultDatabase), LifeCycle: string(t.LifeCycle),
			Source: sourceOf(t.Metadata), Details: fmt.Sprintf("%d columns, %s, ORDER BY %s", len(t.Columns), engineName(t.Engine), t.OrderBy)})
	}
	for _, v := range m.MaterializedViews {
		rows = append(rows, resource{Kind: "materialized view", Name: v.Name, LifeCycle: string(v.LifeCycle), Source: sourceOf(v.Metadata),
			Details: "-> " + v.TargetTable})
	}
	for _, v := range m.Views {
		rows = append(rows, resource{Kind: "view", Name: v.Name, Source: sourceOf(v.Metadata)})
	}
	for _, t := range m.Topics {
		rows = append(rows, resource{Kind: "topic", Name: t.Name, LifeCycle: string(t.LifeCycle), Source: sourceOf(t.Metadata),
			Details: fmt.Sprintf("%d partition(s), retention %ds", t.PartitionCount, t.RetentionPeriod.Secs)})
	}
	for _, a := range m.APIEndpoints {
		rows = append(rows, resource{Kind: "api", Name: a.Name, Source: sourceOf(a.Metadata), Details: a.Method + " " + base + "/" + a.Path})
	}
	for _, w := range m.Workflows {
		sched := w.Config.Schedule
		if sched == "" {
			sched = "manual trigger only"
		}
		rows = append(rows, resource{Kind: "workflow", Name: w.Name, Details: sched})
	}
	for _, w := range m.WebApps {
		rows = append(rows, resource{Kind: "web app", Name: w.Name, Details: w.MountPath})
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].Kind != rows[j].Kind {
			return rows[i].Kind < rows[j].Kind
		}
		return rows[i].Name < rows[j].Name
	})
	return rows
}

func engineName(e infra.Engine) string {
	if e.Name == "" {
		return "MergeTree"
	}
	return e.Name
}

// pendingRows are the changes the last reload did not apply (held for a
// confirmation, blocked by a lifecycle), so that ls does not pass the
// code's tables off as what ClickHouse holds.
func pendingRows(p *project.Project) []resource {
	data, err := os.ReadFile(filepath.Join(p.StateDir(), devloop.PendingFile))
	if err != nil {
		return nil
	}
	var pend devloop.Pending
	if json.Unmarshal(data, &pend) != nil {
		return nil
	}
	var rows []resource
	for _, c := range pend.Held {
		rows = append(rows, resource{Kind: "held change", Name: c.Table, Details: c.Change + " (waits for your confirmation)"})
	}
	for _, c := range pend.Blocked {
		rows = append(rows, resource{Kind: "blocked change", Name: c.Table, Details: c.Change + ": " + c.Reason})
	}
	return rows
}
