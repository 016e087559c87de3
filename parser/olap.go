package parser

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/moose-dev/moose-dev/infra"
)

// mergeTreeDefaults are the settings upstream injects into MergeTree-family
// tables at load time so that reading a table back shows no diff.
var mergeTreeDefaults = map[string]string{"index_granularity": "8192", "index_granularity_bytes": "10485760",
	"enable_mixed_granularity_parts": "1"}

var olapConfigFields = map[string]bool{"order_by_fields": true, "order_by_expression": true, "partition_by": true,
	"sample_by_expression": true, "primary_key_expression": true, "engine": true, "version": true, "metadata": true,
	"life_cycle": true, "settings": true, "ttl": true, "cluster": true, "indexes": true, "projections": true,
	"database": true, "seed_filter": true, "constraints": true}

func (ev *evaluator) olapTable(m *module, g genericVal, c callVal) (value, error) {
	mv, name, cols, err := ev.resourceHead(m, "OlapTable", g, c)
	if err != nil {
		return nil, err
	}
	var cfg *callVal
	if cv, p, ok := c.argument(1, "config"); ok {
		cc, ok := cv.(callVal)
		if !ok || cc.fn != "moose_lib.OlapConfig" {
			return nil, ev.errAt(m.file, p, "OlapTable config must be an OlapConfig(...), found %s", describe(cv))
		}
		cfg = &cc
	}
	t, err := ev.buildTable(m, mv, name, cols, cfg, c.pos, "")
	if err != nil {
		return nil, err
	}
	return tableVal{t}, nil
}

// buildTable makes, validates and registers a table from a model's columns
// and an optional OlapConfig. lifeCycle, when set, is the lifecycle a
// pipeline passes down (used only if the config sets none).
func (ev *evaluator) buildTable(m *module, mv *modelVal, name string, cols []infra.Column, cfg *callVal, at Pos, lifeCycle infra.LifeCycle) (*infra.Table, error) {
	t := &infra.Table{Name: name, Columns: cols, Engine: infra.MergeTree, LifeCycle: infra.FullyManaged,
		SourcePrimitive: infra.PrimitiveSignature{Name: name, PrimitiveType: "DataModel"},
		Metadata:        ev.metadata(m), TableSettings: map[string]string{}}
	if lifeCycle != "" {
		t.LifeCycle = lifeCycle
	}
	if cfg != nil {
		if err := ev.applyOlapConfig(m, t, *cfg); err != nil {
			return nil, err
		}
	}
	switch t.Engine.Name {
	case "Merge": // upstream resolves the current database when it loads the map
		if t.Engine.Params["source_database"] == "currentDatabase()" {
			t.Engine.Params["source_database"] = ev.defaultDB
		}
	case "Distributed": // the table lives on the engine's cluster
		if c, ok := t.Engine.Params["cluster"].(string); ok && t.ClusterName == nil {
			t.ClusterName = &c
		}
	}
	if _, set := t.TableSettings["mode"]; t.Engine.Name == "S3Queue" && !set {
		t.TableSettings["mode"] = "unordered" // upstream's default for S3Queue
	}
	if t.Engine.IsMergeTreeFamily() {
		for k, v := range mergeTreeDefaults {
			if _, set := t.TableSettings[k]; !set {
				t.TableSettings[k] = v
			}
		}
	}
	if len(t.TableSettings) == 0 {
		t.TableSettings = nil
	}
	t.FillHashes()
	key := name
	if t.Version != nil {
		key = name + "_" + *t.Version
		t.Name = name + "_" + strings.ReplaceAll(*t.Version, ".", "_")
	}
	if err := ev.register("OlapTable", key, m.file, at); err != nil {
		return nil, err
	}
	for _, f := range t.OrderBy.Fields {
		if _, ok := t.Column(f); !ok {
			p := at
			if cfg != nil {
				if kp, ok := cfg.kwPos["order_by_fields"]; ok {
					p = kp
				}
			}
			return nil, ev.errAt(m.file, p, "OlapTable %q orders by %q, which is not a field of %s", name, f, mv.name)
		}
	}
	ev.out.AddTable(t) // canonicalizes: the ORDER BY falls back to Key columns
	if t.Engine.IsMergeTreeFamily() && t.OrderBy.Empty() {
		return nil, ev.errAt(m.file, at, "OlapTable %q has no ORDER BY: mark a field Key[...], set order_by_fields, "+
			"or order_by_expression=\"tuple()\" for no sorting (ClickHouse refuses a %s table without one)", name, t.Engine.Name)
	}
	return t, nil
}

func (ev *evaluator) applyOlapConfig(m *module, t *infra.Table, cfg callVal) error {
	if len(cfg.args) > 0 {
		return ev.errAt(m.file, cfg.pos, "OlapConfig takes keyword arguments only")
	}
	keys := make([]string, 0, len(cfg.kwargs))
	for k := range cfg.kwargs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !olapConfigFields[k] {
			return ev.errAt(m.file, cfg.kwPos[k], "OlapConfig has no field %q", k)
		}
	}
	var err error
	for _, k := range keys {
		v, p := cfg.kwargs[k], cfg.kwPos[k]
		switch k {
		case "order_by_fields":
			var fields []string
			if fields, err = ev.stringList(m, p, k, v); err == nil && len(fields) > 0 {
				t.OrderBy = infra.OrderBy{Fields: fields}
			}
		case "partition_by":
			t.PartitionBy, err = ev.optString(m, p, k, v)
		case "sample_by_expression":
			t.SampleBy, err = ev.optString(m, p, k, v)
		case "primary_key_expression":
			t.PrimaryKeyExpression, err = ev.optString(m, p, k, v)
		case "ttl":
			t.TTL, err = ev.optString(m, p, k, v)
		case "database":
			t.Database, err = ev.optString(m, p, k, v)
		case "cluster":
			t.ClusterName, err = ev.optString(m, p, k, v)
		case "version":
			t.Version, err = ev.optString(m, p, k, v)
		case "life_cycle":
			t.LifeCycle, err = ev.lifeCycle(m, p, v)
		case "settings":
			var s map[string]string
			s, err = ev.stringDict(m, p, k, v)
			for sk, sv := range s {
				t.TableSettings[sk] = sv
			}
		case "engine":
			t.Engine, err = ev.engine(m, p, v)
		case "metadata":
			err = ev.applyMetadata(m, p, t.Metadata, v)
		case "indexes":
			t.Indexes, err = ev.indexes(m, p, v)
		case "projections":
			t.Projections, err = ev.projections(m, p, v)
		case "constraints":
			t.Constraints, err = ev.constraints(m, p, v)
		case "seed_filter":
			t.SeedFilter, err = ev.seedFilter(m, p, v)
		}
		if err != nil {
			return err
		}
	}
	if v, ok := cfg.kwargs["order_by_expression"]; ok {
		expr, err := ev.optString(m, cfg.kwPos["order_by_expression"], "order_by_expression", v)
		if err != nil {
			return err
		}
		if expr != nil && *expr != "" {
			if len(t.OrderBy.Fields) > 0 {
				return ev.errAt(m.file, cfg.kwPos["order_by_expression"], "OlapConfig: give order_by_fields or order_by_expression, not both")
			}
			t.OrderBy = infra.OrderBy{Expr: *expr, IsExpr: true}
		}
	}
	return ev.validateClauses(m, t, cfg)
}

// validateClauses refuses clauses the engine does not support, as
// upstream's OlapConfig does.
func (ev *evaluator) validateClauses(m *module, t *infra.Table, cfg callVal) error {
	name := t.Engine.Name
	noOrderBy := map[string]bool{"S3Queue": true, "Buffer": true, "Distributed": true, "Kafka": true, "IcebergS3": true, "Merge": true}
	check := func(key string, set bool, clause string, unsupported bool) error {
		if set && unsupported {
			return ev.errAt(m.file, cfg.kwPos[key], "the %s engine does not support %s: remove %s", name, clause, key)
		}
		return nil
	}
	for _, c := range []struct {
		key, clause string
		set, bad    bool
	}{
		{"order_by_fields", "ORDER BY", len(t.OrderBy.Fields) > 0, noOrderBy[name]},
		{"order_by_expression", "ORDER BY", t.OrderBy.IsExpr, noOrderBy[name]},
		{"partition_by", "PARTITION BY", t.PartitionBy != nil, noOrderBy[name]},
		{"sample_by_expression", "SAMPLE BY", t.SampleBy != nil, noOrderBy[name] || name == "S3"},
		{"projections", "projections", len(t.Projections) > 0, noOrderBy[name] || name == "S3"},
	} {
		if err := check(c.key, c.set, c.clause, c.bad); err != nil {
			return err
		}
	}
	if t.ClusterName != nil && ev.l.clusters != nil && !slices.Contains(ev.l.clusters, *t.ClusterName) {
		known := "none is configured"
		if len(ev.l.clusters) > 0 {
			known = "configured: " + strings.Join(ev.l.clusters, ", ")
		}
		return ev.errAt(m.file, cfg.kwPos["cluster"], "cluster %q is not one of [[clickhouse_config.clusters]] (%s)", *t.ClusterName, known)
	}
	if strings.HasPrefix(name, "Replicated") && (t.Engine.Params["keeper_path"] != nil) != (t.Engine.Params["replica_name"] != nil) {
		return ev.errAt(m.file, cfg.kwPos["engine"], "%s needs both keeper_path and replica_name, or neither (then the server's defaults apply)", name)
	}
	if t.ClusterName != nil && strings.HasPrefix(name, "Replicated") &&
		(t.Engine.Params["keeper_path"] != nil || t.Engine.Params["replica_name"] != nil) {
		return ev.errAt(m.file, cfg.kwPos["cluster"], "give either cluster or the engine's keeper_path/replica_name, not both")
	}
	return nil
}

// engineParams lists each engine class's parameters: Python name, upstream
// (JSON) name, and kind: "s" string, "s?" optional string, "l?" optional
// list of strings, "m?" optional string map, "i" integer, "i?" optional
// integer.
var engineParams = map[string][][3]string{
	"MergeTree":                    nil,
	"AggregatingMergeTree":         nil,
	"ReplacingMergeTree":           {{"ver", "ver", "s?"}, {"is_deleted", "is_deleted", "s?"}},
	"SummingMergeTree":             {{"columns", "columns", "l?"}},
	"CollapsingMergeTree":          {{"sign", "sign", "s"}},
	"VersionedCollapsingMergeTree": {{"sign", "sign", "s"}, {"ver", "version", "s"}},
	"ReplicatedMergeTree":          {{"keeper_path", "keeper_path", "s?"}, {"replica_name", "replica_name", "s?"}},
	"ReplicatedReplacingMergeTree": {{"keeper_path", "keeper_path", "s?"}, {"replica_name", "replica_name", "s?"},
		{"ver", "ver", "s?"}, {"is_deleted", "is_deleted", "s?"}},
	"ReplicatedAggregatingMergeTree": {{"keeper_path", "keeper_path", "s?"}, {"replica_name", "replica_name", "s?"}},
	"ReplicatedSummingMergeTree": {{"keeper_path", "keeper_path", "s?"}, {"replica_name", "replica_name", "s?"},
		{"columns", "columns", "l?"}},
	"ReplicatedCollapsingMergeTree": {{"keeper_path", "keeper_path", "s?"}, {"replica_name", "replica_name", "s?"},
		{"sign", "sign", "s"}},
	"ReplicatedVersionedCollapsingMergeTree": {{"keeper_path", "keeper_path", "s?"}, {"replica_name", "replica_name", "s?"},
		{"sign", "sign", "s"}, {"ver", "version", "s"}},
	"S3Queue": {{"s3_path", "s3_path", "s"}, {"format", "format", "s"}, {"aws_access_key_id", "aws_access_key_id", "s?"},
		{"aws_secret_access_key", "aws_secret_access_key", "s?"}, {"compression", "compression", "s?"}, {"headers", "headers", "m?"}},
	"S3": {{"path", "path", "s"}, {"format", "format", "s"}, {"aws_access_key_id", "aws_access_key_id", "s?"},
		{"aws_secret_access_key", "aws_secret_access_key", "s?"}, {"compression", "compression", "s?"},
		{"partition_strategy", "partition_strategy", "s?"}, {"partition_columns_in_data_file", "partition_columns_in_data_file", "s?"}},
	"Buffer": {{"target_database", "target_database", "s"}, {"target_table", "target_table", "s"}, {"num_layers", "num_layers", "i"},
		{"min_time", "min_time", "i"}, {"max_time", "max_time", "i"}, {"min_rows", "min_rows", "i"}, {"max_rows", "max_rows", "i"},
		{"min_bytes", "min_bytes", "i"}, {"max_bytes", "max_bytes", "i"}, {"flush_time", "flush_time", "i?"},
		{"flush_rows", "flush_rows", "i?"}, {"flush_bytes", "flush_bytes", "i?"}},
	"Distributed": {{"cluster", "cluster", "s"}, {"target_database", "target_database", "s"}, {"target_table", "target_table", "s"},
		{"sharding_key", "sharding_key", "s?"}, {"policy_name", "policy_name", "s?"}},
	"IcebergS3": {{"path", "path", "s"}, {"format", "format", "s"}, {"aws_access_key_id", "aws_access_key_id", "s?"},
		{"aws_secret_access_key", "aws_secret_access_key", "s?"}, {"compression", "compression", "s?"}},
	"Kafka": {{"broker_list", "broker_list", "s"}, {"topic_list", "topic_list", "s"}, {"group_name", "group_name", "s"}, {"format", "format", "s"}},
	"Merge": {{"source_database", "source_database", "s"}, {"tables_regexp", "tables_regexp", "s"}},
}

// engine reads `engine=` : an engine class instance (ReplacingMergeTreeEngine
// (ver="v")) or a legacy ClickHouseEngines member.
func (ev *evaluator) engine(m *module, p Pos, v value) (infra.Engine, error) {
	switch x := v.(type) {
	case noneVal:
		return infra.MergeTree, nil
	case extRef:
		if name, ok := strings.CutPrefix(x.qual, "moose_lib.ClickHouseEngines."); ok {
			spec, known := engineParams[name]
			if !known {
				return infra.Engine{}, ev.errAt(m.file, p, "unknown engine ClickHouseEngines.%s", name)
			}
			return newEngine(name, spec), nil
		}
	case callVal:
		if cls, ok := strings.CutPrefix(x.fn, "moose_lib."); ok && strings.HasSuffix(cls, "Engine") {
			name := strings.TrimSuffix(cls, "Engine")
			spec, known := engineParams[name]
			if !known {
				return infra.Engine{}, ev.errAt(m.file, p, "unknown engine class %s", cls)
			}
			e := newEngine(name, spec)
			used := map[string]bool{}
			for i, param := range spec {
				pv, pp, given := x.argument(i, param[0])
				if !given {
					if param[2] == "s" || param[2] == "i" {
						return infra.Engine{}, ev.errAt(m.file, x.pos, "%s is required", ev.engineParam(cls, param[0]))
					}
					continue
				}
				used[param[0]] = true
				val, err := ev.engineValue(m, pp, cls, param, pv)
				if err != nil {
					return infra.Engine{}, err
				}
				e.Params[param[1]] = val
			}
			for k := range x.kwargs {
				if !used[k] {
					return infra.Engine{}, ev.errAt(m.file, x.kwPos[k], "%s has no parameter %q", cls, k)
				}
			}
			if len(x.args) > len(spec) {
				return infra.Engine{}, ev.errAt(m.file, x.pos, "%s takes at most %d arguments", cls, len(spec))
			}
			if name == "ReplacingMergeTree" || name == "ReplicatedReplacingMergeTree" {
				if e.Params["is_deleted"] != nil && e.Params["ver"] == nil {
					return infra.Engine{}, ev.errAt(m.file, x.pos, "%s: is_deleted needs ver", cls)
				}
			}
			return e, nil
		}
	}
	return infra.Engine{}, ev.errAt(m.file, p, "engine must be an engine such as MergeTreeEngine() or ReplacingMergeTreeEngine(ver=...), found %s", describe(v))
}

// engineParam names an engine parameter as the user wrote it: Python's
// `S3QueueEngine s3_path`, TypeScript's `s3Path (S3Queue engine)`.
func (ev *evaluator) engineParam(cls, param string) string {
	if ev.lang == python {
		return cls + " " + param
	}
	return fmt.Sprintf("%s (%s engine)", ev.lang.option(param), strings.TrimSuffix(cls, "Engine"))
}

func newEngine(name string, spec [][3]string) infra.Engine {
	if spec == nil {
		return infra.Engine{Name: name}
	}
	e := infra.Engine{Name: name, Params: map[string]any{}}
	for _, param := range spec {
		e.Params[param[1]] = nil
	}
	return e
}

func (ev *evaluator) engineValue(m *module, p Pos, cls string, param [3]string, v value) (any, error) {
	if _, isNone := v.(noneVal); isNone && strings.HasSuffix(param[2], "?") {
		return nil, nil
	}
	bad := func(want string) error {
		return ev.errAt(m.file, p, "%s must be %s known before the program runs, found %s", ev.engineParam(cls, param[0]), want, describe(v))
	}
	switch strings.TrimSuffix(param[2], "?") {
	case "s":
		s, ok := v.(strVal)
		if !ok {
			return nil, bad("a string")
		}
		return string(s), nil
	case "i":
		n, ok := v.(intVal)
		if !ok {
			return nil, bad("an integer")
		}
		return int64(n), nil
	case "l":
		list, err := ev.stringList(m, p, param[0], v)
		if err != nil {
			return nil, err
		}
		out := make([]any, len(list))
		for i, s := range list {
			out[i] = s
		}
		return out, nil
	case "m":
		d, err := ev.stringDict(m, p, param[0], v)
		if err != nil {
			return nil, err
		}
		out := map[string]any{}
		for k, s := range d {
			out[k] = s
		}
		return out, nil
	}
	return nil, fmt.Errorf("engine parameter kind %q", param[2])
}

// applyMetadata merges a user's `metadata={...}` into a resource's
// metadata (description is the field upstream keeps).
func (ev *evaluator) applyMetadata(m *module, p Pos, md *infra.Metadata, v value) error {
	d, ok := v.(dictVal)
	if !ok {
		if _, isNone := v.(noneVal); isNone {
			return nil
		}
		return ev.errAt(m.file, p, "metadata must be a dict, found %s", describe(v))
	}
	for i, k := range d.keys {
		if k == strVal("description") {
			s, ok := d.vals[i].(strVal)
			if !ok {
				return ev.errAt(m.file, p, "metadata description must be a string")
			}
			desc := string(s)
			md.Description = &desc
		}
	}
	return nil
}

func callsOf(ev *evaluator, m *module, p Pos, key, class string, v value) ([]callVal, error) {
	if _, none := v.(noneVal); none {
		return nil, nil
	}
	items, ok := elements(v)
	if !ok {
		return nil, ev.errAt(m.file, p, "%s must be a list of %s(...)", key, class)
	}
	out := make([]callVal, 0, len(items))
	for _, it := range items {
		c, ok := it.(callVal)
		if !ok || !strings.HasSuffix(c.fn, class) {
			return nil, ev.errAt(m.file, p, "%s must be a list of %s(...), found %s", key, class, describe(it))
		}
		out = append(out, c)
	}
	return out, nil
}

func (ev *evaluator) indexes(m *module, p Pos, v value) ([]infra.TableIndex, error) {
	calls, err := callsOf(ev, m, p, "indexes", "TableIndex", v)
	if err != nil {
		return nil, err
	}
	out := []infra.TableIndex{}
	for _, c := range calls {
		ix := infra.TableIndex{Arguments: []string{}, Granularity: 1}
		for i, key := range []string{"name", "expression", "type"} {
			s, ok := argStr(c, i, key)
			if !ok {
				return nil, ev.errAt(m.file, c.pos, "TableIndex needs a string %s", key)
			}
			*[]*string{&ix.Name, &ix.Expression, &ix.Type}[i] = s
		}
		if a, _, ok := c.argument(3, "arguments"); ok {
			if ix.Arguments, err = ev.stringList(m, c.pos, "arguments", a); err != nil {
				return nil, err
			}
		}
		if g, _, ok := c.argument(4, "granularity"); ok {
			n, isInt := g.(intVal)
			if !isInt || n < 1 {
				return nil, ev.errAt(m.file, c.pos, "TableIndex granularity must be a positive integer")
			}
			ix.Granularity = uint64(n)
		}
		out = append(out, ix)
	}
	return out, nil
}

func (ev *evaluator) projections(m *module, p Pos, v value) ([]infra.TableProjection, error) {
	calls, err := callsOf(ev, m, p, "projections", "TableProjection", v)
	if err != nil {
		return nil, err
	}
	out := []infra.TableProjection{}
	for _, c := range calls {
		name, ok1 := argStr(c, 0, "name")
		body, ok2 := argStr(c, 1, "body")
		if !ok1 || !ok2 {
			return nil, ev.errAt(m.file, c.pos, "TableProjection needs a string name and body")
		}
		out = append(out, infra.TableProjection{Name: name, Body: body})
	}
	return out, nil
}

func (ev *evaluator) constraints(m *module, p Pos, v value) ([]infra.TableConstraint, error) {
	calls, err := callsOf(ev, m, p, "constraints", "TableConstraint", v)
	if err != nil {
		return nil, err
	}
	out := []infra.TableConstraint{}
	for _, c := range calls {
		name, ok1 := argStr(c, 0, "name")
		expr, ok2 := argStr(c, 1, "expression")
		kind, ok3 := argStr(c, 2, "type")
		if !ok3 {
			kind, ok3 = "CHECK", true
		}
		kind = strings.ToUpper(kind)
		if !ok1 || !ok2 || (kind != "CHECK" && kind != "ASSUME") {
			return nil, ev.errAt(m.file, c.pos, "TableConstraint needs a string name and expression, and a type CHECK or ASSUME")
		}
		out = append(out, infra.TableConstraint{Name: name, Expression: expr, Type: kind})
	}
	return out, nil
}

func (ev *evaluator) seedFilter(m *module, p Pos, v value) (*infra.SeedFilter, error) {
	if _, isNone := v.(noneVal); isNone {
		return nil, nil
	}
	c, ok := v.(callVal)
	if !ok || !strings.HasSuffix(c.fn, "SeedFilter") {
		return nil, ev.errAt(m.file, p, "seed_filter must be a SeedFilter(limit=..., where=...)")
	}
	sf := &infra.SeedFilter{}
	if l, ok := c.kwargs["limit"].(intVal); ok {
		n := int(l)
		sf.Limit = &n
	}
	if w, ok := c.kwargs["where"].(strVal); ok {
		s := string(w)
		sf.Where = &s
	}
	if sf.Limit == nil && sf.Where == nil {
		return nil, nil
	}
	return sf, nil
}

func argStr(c callVal, i int, key string) (string, bool) {
	v, _, _ := c.argument(i, key)
	s, ok := v.(strVal)
	return string(s), ok
}
