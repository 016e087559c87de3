package differ

import (
	"strings"
	"testing"

	"github.com/moose-dev/moose-dev/infra"
)

// A recreate that keeps the rows of a Replicated table whose new
// definition keeps the old one's macro-free keeper_path is refused before
// anything runs; any other keeper_path plans the copy as usual.
func TestARecreateAtTheSameKeeperPathIsRefusedFirst(t *testing.T) {
	table := func(path string, orderBy string) *infra.Table {
		params := map[string]any{}
		if path != "" {
			params = map[string]any{"keeper_path": path, "replica_name": "r1"}
		}
		return &infra.Table{Name: "Events", Engine: infra.Engine{Name: "ReplicatedMergeTree", Params: params},
			OrderBy: infra.OrderBy{Fields: []string{orderBy}},
			Columns: []infra.Column{{Name: "id", DataType: infra.String, Required: true}, {Name: "n", DataType: infra.Int32, Required: true}}}
	}
	plan := func(before, after *infra.Table, noCluster bool) []infra.Operation {
		return PlanWith([]Change{RecreateTable{Before: before, After: after}}, PlanOptions{KeepData: true, NoCluster: noCluster})
	}
	refused := func(ops []infra.Operation) bool {
		raw, ok := ops[0].(infra.RawSQL)
		return ok && strings.Contains(raw.SQL[0], "throwIf(1, ") && strings.Contains(raw.SQL[0], "keeps keeper_path /clickhouse/tables/events")
	}
	same := plan(table("/clickhouse/tables/events", "id"), table("/clickhouse/tables/events", "n"), false)
	if !refused(same) { // the first operation: before the leftover's drop and the create
		t.Fatalf("the same macro-free keeper_path is not refused first: %#v", same[0])
	}
	for name, ops := range map[string][]infra.Operation{
		"{uuid}":          plan(table("/clickhouse/tables/{uuid}", "id"), table("/clickhouse/tables/{uuid}", "n"), false),
		"{table}":         plan(table("/t/{table}", "id"), table("/t/{table}", "n"), false),
		"a new path":      plan(table("/clickhouse/tables/events", "id"), table("/clickhouse/tables/events_v2", "n"), false),
		"server defaults": plan(table("", "id"), table("", "n"), false),
		"plain in dev":    plan(table("/clickhouse/tables/events", "id"), table("/clickhouse/tables/events", "n"), true),
	} {
		for _, op := range ops {
			if raw, ok := op.(infra.RawSQL); ok && strings.Contains(raw.SQL[0], "keeper_path") {
				t.Errorf("%s: refused: %s", name, raw.SQL[0])
			}
		}
	}
}
