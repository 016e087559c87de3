package display

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/moose-dev/moose-dev/differ"
	"github.com/moose-dev/moose-dev/infra"
)

// riskDetail is the detail line naming a change's risk, or "" when safe.
func riskDetail(c differ.Change) string {
	r := infra.MaxRisk(differ.PlanWith([]differ.Change{c}, differ.PlanOptions{KeepData: true}))
	if r == infra.RiskSafe {
		return ""
	}
	return "Risk: " + string(r)
}

// ChangeLines renders changes as upstream's show_changes does (streaming
// first, then OLAP, each in the order given), adding the risk class of any
// change that is not safe.
func ChangeLines(changes []differ.Change) []Line {
	var topics, tables, processes, apis, workflows []Line
	for _, c := range changes {
		switch c := c.(type) {
		case differ.SQLResourceChange:
			r := c.After
			if r == nil {
				r = c.Before
			}
			tables = append(tables, actionLine(c.Action, "SQL Resource: "+r.Name))
		case differ.ResourceChange:
			line := resourceLine(c)
			switch c.Kind {
			case "TopicToTableSyncProcess", "FunctionProcess":
				processes = append(processes, line)
			case "Workflow":
				workflows = append(workflows, line)
			default:
				apis = append(apis, line)
			}
		case differ.AddTopic:
			topics = append(topics, Line{Kind: Added, Action: "+ ", Message: topicTitle(c.Topic, true)})
		case differ.DropTopic:
			topics = append(topics, Line{Kind: Removed, Action: "- ", Message: topicTitle(c.Topic, false)})
		case differ.UpdateTopic:
			topics = append(topics, Line{Kind: Changed, Action: "~ ", Message: topicTitle(c.After, true)})
		case differ.AddTable:
			tables = append(tables, Line{Kind: Added, Action: "+ ", Message: tableTitle(c.Table), Details: tableDetails(c.Table)})
		case differ.DropTable:
			tables = append(tables, Line{Kind: Removed, Action: "- ", Message: tableTitle(c.Table), Details: append(tableDetails(c.Table), riskDetail(c))})
		case differ.RenameTable:
			tables = append(tables, Line{Kind: Changed, Action: "~ ", Message: tableTitle(c.After),
				Details: []string{fmt.Sprintf("Renamed from %s (RENAME TABLE, keeps its rows)", c.Before.Name)}})
		case differ.RecreateTable:
			tables = append(tables,
				Line{Kind: Removed, Action: "- ", Message: tableTitle(c.Before), Details: tableDetails(c.Before)},
				Line{Kind: Added, Action: "+ ", Message: tableTitle(c.After), Details: append(tableDetails(c.After), recreateDetails(c)...)})
		case differ.UpdateTable:
			if len(c.Columns) > 0 {
				details := columnChangeDetails(c.Columns)
				if r := riskDetail(differ.UpdateTable{Before: c.Before, After: c.After, Columns: c.Columns}); r != "" {
					details = append(details, r)
				}
				tables = append(tables, Line{Kind: Changed, Action: "~ ", Message: tableTitle(c.After), Details: details})
			}
			tables = append(tables, tableLevelLines(c)...)
		case differ.AddMaterializedView:
			tables = append(tables, Line{Kind: Added, Action: "+ ", Message: mvTitle(c.View)})
		case differ.DropMaterializedView:
			tables = append(tables, Line{Kind: Removed, Action: "- ", Message: mvTitle(c.View)})
		case differ.UpdateMaterializedView:
			tables = append(tables, Line{Kind: Changed, Action: "~ ", Message: mvTitle(c.After), Details: []string{"Recreated: its SELECT or target changed"}})
		case differ.AddView:
			tables = append(tables, Line{Kind: Added, Action: "+ ", Message: viewTitle(c.View)})
		case differ.DropView:
			tables = append(tables, Line{Kind: Removed, Action: "- ", Message: viewTitle(c.View)})
		case differ.UpdateView:
			tables = append(tables, Line{Kind: Changed, Action: "~ ", Message: viewTitle(c.After)})
		}
	}
	out := append(topics, tables...)
	out = append(out, processes...)
	out = append(out, apis...)
	return append(out, workflows...)
}

// actionLine is a `+ ` / `- ` / `~ ` line.
func actionLine(a differ.Action, message string) Line {
	switch a {
	case differ.Added:
		return Line{Kind: Added, Action: "+ ", Message: message}
	case differ.Removed:
		return Line{Kind: Removed, Action: "- ", Message: message}
	}
	return Line{Kind: Changed, Action: "~ ", Message: message}
}

// resourceLine renders an API endpoint, web app, process or workflow in
// upstream's words.
func resourceLine(c differ.ResourceChange) Line {
	v := c.After
	if v == nil {
		v = c.Before
	}
	var line Line
	switch r := v.(type) {
	case *infra.APIEndpoint:
		line = actionLine(c.Action, fmt.Sprintf("API Endpoint: %s - Version: %s - Path: %s - Method: %s", r.Name, version(r.Version), r.Path, r.Method))
	case *infra.WebApp:
		line = actionLine(c.Action, fmt.Sprintf("Web App: %s - Mount path: %s", r.Name, r.MountPath))
	case *infra.TopicToTableSyncProcess:
		line = actionLine(c.Action, fmt.Sprintf("Topic to Table Sync Process: %s -> %s", r.SourceTopicID, r.TargetTableID))
	case *infra.FunctionProcess:
		target := "None"
		if r.TargetTopicID != nil {
			target = *r.TargetTopicID
		}
		line = actionLine(c.Action, fmt.Sprintf("Function: from topic %s to topic %s - Version: %s with %d instances",
			r.SourceTopicID, target, version(r.Version), r.ParallelProcessCount))
	case *infra.Workflow:
		schedule := r.Config.Schedule
		if schedule == "" {
			schedule = "manual trigger only"
		}
		line = actionLine(c.Action, "Workflow: "+r.Name)
		line.Details = []string{"Schedule: " + schedule, fmt.Sprintf("Retries: %d", r.Config.Retries), "Timeout: " + r.Config.Timeout}
	default:
		line = actionLine(c.Action, c.Kind+": "+c.ID)
	}
	return line
}

func version(v *string) string {
	if v == nil {
		return "None"
	}
	return fmt.Sprintf("Some(%q)", *v)
}

func topicTitle(t *infra.Topic, full bool) string {
	if !full {
		return fmt.Sprintf("Topic: %s - Version: %s", t.Name, version(t.Version))
	}
	return fmt.Sprintf("Topic: %s - Version: %s - Retention Period: %ds - Partition Count: %d",
		t.Name, version(t.Version), t.RetentionPeriod.Secs, t.PartitionCount)
}

func tableTitle(t *infra.Table) string {
	if t.Version != nil {
		return fmt.Sprintf("Table: %s (Version: %s)", t.Name, *t.Version)
	}
	return "Table: " + t.Name
}

func nullability(c infra.Column) string {
	if c.Required {
		return "NOT NULL"
	}
	return "NULLABLE"
}

func tableDetails(t *infra.Table) []string {
	out := []string{"Columns:"}
	for _, c := range t.Columns {
		line := fmt.Sprintf("  %s: %s %s", c.Name, c.DataType, nullability(c))
		if c.Default != nil {
			line += " DEFAULT=" + *c.Default
		}
		var flags []string
		if c.PrimaryKey {
			flags = append(flags, "primary key")
		}
		if c.Unique {
			flags = append(flags, "unique")
		}
		if len(flags) > 0 {
			line += " [" + strings.Join(flags, ", ") + "]"
		}
		out = append(out, line)
	}
	if !t.OrderBy.Empty() {
		out = append(out, "Order by: "+t.OrderBy.String())
	}
	if t.ClusterName != nil {
		out = append(out, "Cluster: "+*t.ClusterName)
	}
	engine := t.Engine.Name
	if engine == "" {
		engine = "MergeTree"
	}
	out = append(out, "Engine: "+engine)
	return out
}

func columnChangeDetails(changes []differ.ColumnChange) []string {
	out := []string{"Column changes:"}
	for _, cc := range changes {
		switch cc.Kind {
		case differ.ColumnAdded:
			line := fmt.Sprintf("  + %s: %s %s", cc.After.Name, cc.After.DataType, nullability(cc.After))
			if cc.After.PrimaryKey {
				line += ", primary key"
			}
			out = append(out, line)
		case differ.ColumnRemoved:
			out = append(out, fmt.Sprintf("  - %s: %s", cc.Before.Name, cc.Before.DataType))
		case differ.ColumnRenamed:
			out = append(out, fmt.Sprintf("  ~ %s -> %s: %s (renamed, data kept)", cc.Before.Name, cc.After.Name, cc.After.DataType))
		case differ.ColumnModified:
			if infra.TypesEqual(cc.Before.DataType, cc.After.DataType) && cc.Before.Required == cc.After.Required {
				out = append(out, fmt.Sprintf("  ~ %s: updated", cc.After.Name))
				continue
			}
			out = append(out, fmt.Sprintf("  ~ %s: %s %s -> %s %s", cc.After.Name, cc.Before.DataType, nullability(cc.Before),
				cc.After.DataType, nullability(cc.After)))
		}
	}
	return out
}

func mvTitle(v *infra.MaterializedView) string {
	return fmt.Sprintf("MaterializedView: %s -> %s", v.Name, v.TargetTable)
}

func viewTitle(v *infra.View) string {
	return fmt.Sprintf("View: %s (sources: [%s])", v.Name, strings.Join(v.SourceTables, ", "))
}

// BlockedLines renders changes a lifecycle kept from running, as upstream's
// filtered changes: `~ Table: {name} (protected)` and the reason.
func BlockedLines(blocked []differ.Blocked) []Line {
	var out []Line
	for _, b := range blocked {
		title := "Change blocked"
		switch c := b.Change.(type) {
		case differ.AddTable:
			title = "Table: " + c.Table.Name + " (protected)"
		case differ.DropTable:
			title = "Table: " + c.Table.Name + " (protected)"
		case differ.RecreateTable:
			title = "Table: " + c.After.Name + " (protected)"
		case differ.UpdateTable:
			title = "Table: " + c.After.Name + " (protected)"
		}
		out = append(out, Line{Kind: Changed, Action: "~ ", Message: title, Details: []string{"  ⚠ " + b.Reason}})
	}
	return out
}

// tableLevelLines renders settings, TTL, index, projection and SAMPLE BY
// changes as upstream's `~ Table Settings:` / `~ Table TTL:` lines.
func tableLevelLines(c differ.UpdateTable) []Line {
	var out []Line
	name := c.After.Name
	if c.Settings {
		var d []string
		for _, k := range slices.Sorted(maps.Keys(c.After.TableSettings)) {
			b, had := c.Before.TableSettings[k]
			switch a := c.After.TableSettings[k]; {
			case !had:
				d = append(d, fmt.Sprintf("  + %s: %s", k, a))
			case b != a:
				d = append(d, fmt.Sprintf("  ~ %s: %s -> %s", k, b, a))
			}
		}
		for _, k := range slices.Sorted(maps.Keys(c.Before.TableSettings)) {
			if _, kept := c.After.TableSettings[k]; !kept {
				d = append(d, fmt.Sprintf("  - %s: (reset to default)", k))
			}
		}
		out = append(out, Line{Kind: Changed, Action: "~ ", Message: "Table Settings: " + name, Details: d})
	}
	if c.TTL {
		var d string
		switch {
		case c.Before.TTL == nil:
			d = "  + TTL " + *c.After.TTL
		case c.After.TTL == nil:
			d = "  - TTL (removed)"
		default:
			d = fmt.Sprintf("  ~ TTL %s -> %s", *c.Before.TTL, *c.After.TTL)
		}
		out = append(out, Line{Kind: Changed, Action: "~ ", Message: "Table TTL: " + name, Details: []string{d}})
	}
	var d []string
	for _, ix := range c.IndexesDropped {
		d = append(d, "  - index "+ix.Name)
	}
	for _, ix := range c.IndexesAdded {
		d = append(d, fmt.Sprintf("  + index %s: %s TYPE %s", ix.Name, ix.Expression, ix.Type))
	}
	for _, p := range c.ProjectionsDrop {
		d = append(d, "  - projection "+p.Name)
	}
	for _, p := range c.ProjectionsAdded {
		d = append(d, "  + projection "+p.Name)
	}
	if c.SampleBy {
		if c.After.SampleBy == nil {
			d = append(d, "  - SAMPLE BY")
		} else {
			d = append(d, "  ~ SAMPLE BY "+*c.After.SampleBy)
		}
	}
	if len(d) > 0 {
		out = append(out, Line{Kind: Changed, Action: "~ ", Message: "Table: " + name, Details: d})
	}
	return out
}

// recreateDetails says why a table is recreated, and which columns the code
// dropped it keeps because their drop waits for a confirmation.
func recreateDetails(c differ.RecreateTable) []string {
	out := []string{"Recreated: " + c.Reason}
	if len(c.Carry) > 0 {
		names := make([]string, len(c.Carry))
		for i, col := range c.Carry {
			names[i] = col.Name
		}
		out = append(out, "Keeps column(s) "+strings.Join(names, ", ")+" with their data: their drop waits for confirmation")
	}
	return out
}
