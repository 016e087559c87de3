package infra

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// LifeCycle says how far moose-dev may change a resource.
type LifeCycle string

// The three lifecycles upstream knows.
const (
	FullyManaged      LifeCycle = "FULLY_MANAGED"
	DeletionProtected LifeCycle = "DELETION_PROTECTED"
	ExternallyManaged LifeCycle = "EXTERNALLY_MANAGED"
)

// Annotation is one `[key, value]` pair of a column's annotations, for
// example `["LowCardinality", true]`.
type Annotation struct {
	Key   string
	Value json.RawMessage
}

// MarshalJSON writes the pair as a two-element array.
func (a Annotation) MarshalJSON() ([]byte, error) {
	v := a.Value
	if len(v) == 0 {
		v = json.RawMessage("null")
	}
	return json.Marshal([2]any{a.Key, v})
}

// UnmarshalJSON reads a two-element array.
func (a *Annotation) UnmarshalJSON(b []byte) error {
	var pair [2]json.RawMessage
	if err := json.Unmarshal(b, &pair); err != nil {
		return fmt.Errorf("annotation: %w", err)
	}
	if err := json.Unmarshal(pair[0], &a.Key); err != nil {
		return fmt.Errorf("annotation key: %w", err)
	}
	a.Value = pair[1]
	return nil
}

// Column is one column of a table (or of a nested type, or of a topic's
// schema).
type Column struct {
	Name         string
	DataType     ColumnType
	Required     bool
	Unique       bool
	PrimaryKey   bool
	Default      *string
	Annotations  []Annotation
	Comment      *string
	TTL          *string
	Codec        *string
	Materialized *string
	Alias        *string
}

type columnJSON struct {
	Name         string          `json:"name"`
	DataType     json.RawMessage `json:"data_type"`
	Required     bool            `json:"required"`
	Unique       bool            `json:"unique"`
	PrimaryKey   bool            `json:"primary_key"`
	Default      *string         `json:"default"`
	Annotations  []Annotation    `json:"annotations"`
	Comment      *string         `json:"comment,omitempty"`
	TTL          *string         `json:"ttl,omitempty"`
	Codec        *string         `json:"codec,omitempty"`
	Materialized *string         `json:"materialized,omitempty"`
	Alias        *string         `json:"alias,omitempty"`
}

// MarshalJSON writes the column in upstream's shape: columnJSON as
// encoding/json writes it, appended by hand (a state of 2,000 tables holds
// 100,000 columns, written after every save).
func (c Column) MarshalJSON() ([]byte, error) { return c.appendJSON(make([]byte, 0, 128)) }

// appendColumns appends cols as encoding/json writes them (MarshalJSON's
// output is compact: encoding/json would copy it unchanged).
func appendColumns(b []byte, cols []Column) ([]byte, error) {
	if cols == nil {
		return append(b, "null"...), nil
	}
	b = append(b, '[')
	for i, c := range cols {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = c.appendJSON(b); err != nil {
			return nil, err
		}
	}
	return append(b, ']'), nil
}

func (c Column) appendJSON(b []byte) ([]byte, error) {
	b = append(b, `{"name":`...)
	b = appendJSONString(b, c.Name)
	b = append(b, `,"data_type":`...)
	switch t := c.DataType.(type) {
	case Scalar:
		b = appendJSONString(b, string(t))
	default:
		dt, err := MarshalColumnType(c.DataType)
		if err != nil {
			return nil, fmt.Errorf("column %q: %w", c.Name, err)
		}
		b = append(b, dt...)
	}
	b = append(b, `,"required":`...)
	b = strconv.AppendBool(b, c.Required)
	b = append(b, `,"unique":`...)
	b = strconv.AppendBool(b, c.Unique)
	b = append(b, `,"primary_key":`...)
	b = strconv.AppendBool(b, c.PrimaryKey)
	b = append(b, `,"default":`...)
	if c.Default == nil {
		b = append(b, "null"...)
	} else {
		b = appendJSONString(b, *c.Default)
	}
	b = append(b, `,"annotations":`...)
	if len(c.Annotations) == 0 {
		b = append(b, "[]"...)
	} else {
		ann, err := json.Marshal(c.Annotations)
		if err != nil {
			return nil, fmt.Errorf("column %q: %w", c.Name, err)
		}
		b = append(b, ann...)
	}
	for _, f := range []struct {
		key string
		v   *string
	}{{"comment", c.Comment}, {"ttl", c.TTL}, {"codec", c.Codec}, {"materialized", c.Materialized}, {"alias", c.Alias}} {
		if f.v != nil {
			b = append(b, `,"`+f.key+`":`...)
			b = appendJSONString(b, *f.v)
		}
	}
	return append(b, '}'), nil
}

// appendJSONString appends s as encoding/json quotes it: printable ASCII
// other than the characters it escapes is copied, anything else goes
// through encoding/json.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			q, _ := json.Marshal(s) // a string always encodes
			return append(b, q...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// UnmarshalJSON reads upstream's column JSON (also `dataType`).
func (c *Column) UnmarshalJSON(b []byte) error {
	var j columnJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	raw := j.DataType
	if len(raw) == 0 {
		var alt struct {
			DataType json.RawMessage `json:"dataType"`
		}
		_ = json.Unmarshal(b, &alt)
		raw = alt.DataType
	}
	dt, err := UnmarshalColumnType(raw)
	if err != nil {
		return fmt.Errorf("column %q: %w", j.Name, err)
	}
	*c = Column{j.Name, dt, j.Required, j.Unique, j.PrimaryKey, j.Default, j.Annotations,
		j.Comment, j.TTL, j.Codec, j.Materialized, j.Alias}
	return nil
}

// HasAnnotation reports whether the column carries the annotation key.
func (c Column) HasAnnotation(key string) bool {
	for _, a := range c.Annotations {
		if a.Key == key {
			return true
		}
	}
	return false
}

// OrderBy is a table's ORDER BY: a list of column names, or one expression.
// JSON: an array, or a plain string.
type OrderBy struct {
	Fields []string
	Expr   string
	IsExpr bool
}

// MarshalJSON writes an array of fields or the expression string.
func (o OrderBy) MarshalJSON() ([]byte, error) {
	if o.IsExpr {
		return json.Marshal(o.Expr)
	}
	if o.Fields == nil {
		return []byte("[]"), nil
	}
	return json.Marshal(o.Fields)
}

// UnmarshalJSON reads an array of fields or an expression string.
func (o *OrderBy) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		o.IsExpr = true
		return json.Unmarshal(b, &o.Expr)
	}
	return json.Unmarshal(b, &o.Fields)
}

// Empty reports whether there is no ORDER BY at all.
func (o OrderBy) Empty() bool { return !o.IsExpr && len(o.Fields) == 0 }

// String is the display form: `a, b` for fields, the expression otherwise,
// and `tuple()` for no fields.
func (o OrderBy) String() string {
	if o.IsExpr {
		return o.Expr
	}
	if len(o.Fields) == 0 {
		return "tuple()"
	}
	return strings.Join(o.Fields, ", ")
}

// Engine is a table engine: a name and, for engines with parameters, the
// parameters keyed by their upstream (snake_case) field names. JSON is
// upstream's externally tagged form: `"MergeTree"` or
// `{"ReplacingMergeTree": {"ver": null, "is_deleted": null}}`.
type Engine struct {
	Name   string
	Params map[string]any
}

// MergeTree is the default engine.
var MergeTree = Engine{Name: "MergeTree"}

// MarshalJSON writes the externally tagged engine.
func (e Engine) MarshalJSON() ([]byte, error) {
	name := e.Name
	if name == "" {
		name = "MergeTree"
	}
	if e.Params == nil {
		return json.Marshal(name)
	}
	return json.Marshal(map[string]any{name: e.Params})
}

// UnmarshalJSON reads the externally tagged engine.
func (e *Engine) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		e.Params = nil
		return json.Unmarshal(b, &e.Name)
	}
	var m map[string]map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("engine: %w", err)
	}
	if len(m) != 1 {
		return fmt.Errorf("engine: want one variant, got %d", len(m))
	}
	for k, v := range m {
		e.Name, e.Params = k, v
		if e.Params == nil {
			e.Params = map[string]any{}
		}
	}
	return nil
}

// IsMergeTreeFamily reports whether the engine supports ORDER BY, PARTITION
// BY and the MergeTree settings.
func (e Engine) IsMergeTreeFamily() bool {
	return e.Name == "" || strings.HasSuffix(e.Name, "MergeTree")
}

// PrimitiveSignature names the user-code object a resource came from.
type PrimitiveSignature struct {
	Name          string `json:"name"`
	PrimitiveType string `json:"primitive_type"`
}

// SourceLocation is where in the project a resource was defined.
type SourceLocation struct {
	File string `json:"file"`
}

// Metadata is a resource's description and source location.
type Metadata struct {
	Description *string         `json:"description"`
	Source      *SourceLocation `json:"source,omitempty"`
}

// TableIndex is a secondary (data-skipping) index.
type TableIndex struct {
	Name        string   `json:"name"`
	Expression  string   `json:"expression"`
	Type        string   `json:"type"`
	Arguments   []string `json:"arguments"`
	Granularity uint64   `json:"granularity"`
}

// TableProjection is a projection of a table.
type TableProjection struct {
	Name string `json:"name"`
	Body string `json:"body"`
}

// TableConstraint is a `CONSTRAINT name CHECK|ASSUME expression`.
type TableConstraint struct {
	Name       string `json:"name"`
	Expression string `json:"expression"`
	Type       string `json:"type"` // "CHECK" or "ASSUME"
}

// SeedFilter limits what `moose seed` copies.
type SeedFilter struct {
	Limit *int    `json:"limit,omitempty"`
	Where *string `json:"where,omitempty"`
}

// Table is an OLAP table. Name already carries the version suffix
// (`Foo_1_0`), as upstream.
type Table struct {
	Name                 string             `json:"name"`
	Columns              []Column           `json:"columns"`
	OrderBy              OrderBy            `json:"order_by"`
	PartitionBy          *string            `json:"partition_by,omitempty"`
	SampleBy             *string            `json:"sample_by,omitempty"`
	Engine               Engine             `json:"engine"`
	Version              *string            `json:"version"`
	SourcePrimitive      PrimitiveSignature `json:"source_primitive"`
	Metadata             *Metadata          `json:"metadata"`
	LifeCycle            LifeCycle          `json:"life_cycle"`
	EngineParamsHash     *string            `json:"engine_params_hash,omitempty"`
	TableSettingsHash    *string            `json:"table_settings_hash,omitempty"`
	TableSettings        map[string]string  `json:"table_settings,omitempty"`
	Indexes              []TableIndex       `json:"indexes"`
	Projections          []TableProjection  `json:"projections"`
	Constraints          []TableConstraint  `json:"constraints"`
	Database             *string            `json:"database,omitempty"`
	TTL                  *string            `json:"table_ttl_setting,omitempty"`
	ClusterName          *string            `json:"cluster_name,omitempty"`
	PrimaryKeyExpression *string            `json:"primary_key_expression,omitempty"`
	SeedFilter           *SeedFilter        `json:"seed_filter,omitempty"`
}

// ID is the table's key in the map: `{database}_{name}` plus `_{version}`
// with dots as underscores when versioned (upstream's Table::id).
func (t *Table) ID(defaultDB string) string {
	id := t.DatabaseOr(defaultDB) + "_" + t.Name
	if t.Version != nil {
		id += "_" + strings.ReplaceAll(*t.Version, ".", "_")
	}
	return id
}

// DatabaseOr is the table's database, or defaultDB when it has none.
func (t *Table) DatabaseOr(defaultDB string) string {
	if t.Database != nil && *t.Database != "" {
		return *t.Database
	}
	return defaultDB
}

// Column returns the column with the given name.
func (t *Table) Column(name string) (Column, bool) {
	for _, c := range t.Columns {
		if c.Name == name {
			return c, true
		}
	}
	return Column{}, false
}

// Canonicalize applies upstream's load-time normalisation: an empty ORDER BY
// of a MergeTree-family table falls back to the primary key expression or
// the key columns; Array columns are required; engines without ORDER BY
// carry no primary-key flags.
func (t *Table) Canonicalize() {
	if t.Engine.IsMergeTreeFamily() && t.OrderBy.Empty() {
		if t.PrimaryKeyExpression != nil && *t.PrimaryKeyExpression != "" {
			t.OrderBy = OrderBy{Expr: *t.PrimaryKeyExpression, IsExpr: true}
		} else {
			var keys []string
			for _, c := range t.Columns {
				if c.PrimaryKey {
					keys = append(keys, c.Name)
				}
			}
			if keys != nil {
				t.OrderBy = OrderBy{Fields: keys}
			}
		}
	}
	keyed := t.Engine.IsMergeTreeFamily() || t.Engine.Name == "S3"
	canonical := func(c Column) (Column, bool) {
		changed := false
		if _, ok := c.DataType.(Array); ok && !c.Required {
			c.Required, changed = true, true
		}
		if !keyed && c.PrimaryKey {
			c.PrimaryKey, changed = false, true
		}
		return c, changed
	}
	// The column slice may be shared (the parser hands one model's columns
	// to every table and stream built from it): copied before any change.
	for i := range t.Columns {
		if _, changed := canonical(t.Columns[i]); changed {
			t.Columns = slices.Clone(t.Columns)
			for j := i; j < len(t.Columns); j++ {
				t.Columns[j], _ = canonical(t.Columns[j])
			}
			break
		}
	}
	if t.Indexes == nil {
		t.Indexes = []TableIndex{}
	}
	if t.Projections == nil {
		t.Projections = []TableProjection{}
	}
	if t.Constraints == nil {
		t.Constraints = []TableConstraint{}
	}
}

// Duration is a Rust `std::time::Duration` as serde writes it.
type Duration struct {
	Secs  uint64 `json:"secs"`
	Nanos uint32 `json:"nanos"`
}

// Topic is a streaming topic. Name is not version-suffixed.
type Topic struct {
	Version         *string            `json:"version"`
	Name            string             `json:"name"`
	RetentionPeriod Duration           `json:"retention_period"`
	PartitionCount  int                `json:"partition_count"`
	MaxMessageBytes int                `json:"max_message_bytes"`
	Columns         []Column           `json:"columns"`
	SourcePrimitive PrimitiveSignature `json:"source_primitive"`
	Metadata        *Metadata          `json:"metadata"`
	LifeCycle       LifeCycle          `json:"life_cycle"`
	SchemaConfig    json.RawMessage    `json:"schema_config"`
}

// ID is the topic's key in the map: the name, plus `_{version}` when
// versioned.
func (t *Topic) ID() string {
	if t.Version != nil {
		return t.Name + "_" + strings.ReplaceAll(*t.Version, ".", "_")
	}
	return t.Name
}

// Map is the infrastructure map: everything a project declares, keyed by id.
// Resource kinds this version does not model yet are carried as raw JSON so
// that they round-trip unchanged.
type Map struct {
	DefaultDatabase           string                              `json:"default_database"`
	Topics                    map[string]*Topic                   `json:"topics"`
	APIEndpoints              map[string]*APIEndpoint             `json:"api_endpoints"`
	Tables                    map[string]*Table                   `json:"tables"`
	Dmv1Views                 map[string]json.RawMessage          `json:"dmv1_views"`
	TopicToTableSyncProcesses map[string]*TopicToTableSyncProcess `json:"topic_to_table_sync_processes"`
	TopicToTopicSyncProcesses map[string]json.RawMessage          `json:"topic_to_topic_sync_processes"`
	FunctionProcesses         map[string]*FunctionProcess         `json:"function_processes"`
	ConsumptionAPIWebServer   struct{}                            `json:"consumption_api_web_server"`
	OrchestrationWorkers      map[string]*OrchestrationWorker     `json:"orchestration_workers"`
	SQLResources              map[string]*SQLResource             `json:"sql_resources"`
	Workflows                 map[string]*Workflow                `json:"workflows"`
	WebApps                   map[string]*WebApp                  `json:"web_apps"`
	MaterializedViews         map[string]*MaterializedView        `json:"materialized_views"`
	Views                     map[string]*View                    `json:"views"`
	OlapDictionaries          map[string]json.RawMessage          `json:"olap_dictionaries"`
	SelectRowPolicies         map[string]json.RawMessage          `json:"select_row_policies"`
	MooseVersion              *string                             `json:"moose_version,omitempty"`
}

// NewMap returns an empty map for the given default database, every
// collection present (upstream writes empty objects, never null).
func NewMap(defaultDB string) *Map {
	m := &Map{DefaultDatabase: defaultDB}
	m.fillEmpty()
	return m
}

func (m *Map) fillEmpty() {
	if m.DefaultDatabase == "" {
		m.DefaultDatabase = "local"
	}
	if m.Topics == nil {
		m.Topics = map[string]*Topic{}
	}
	if m.Tables == nil {
		m.Tables = map[string]*Table{}
	}
	initMap(&m.APIEndpoints)
	initMap(&m.Dmv1Views)
	initMap(&m.TopicToTableSyncProcesses)
	initMap(&m.TopicToTopicSyncProcesses)
	initMap(&m.FunctionProcesses)
	initMap(&m.OrchestrationWorkers)
	initMap(&m.SQLResources)
	initMap(&m.Workflows)
	initMap(&m.WebApps)
	initMap(&m.MaterializedViews)
	initMap(&m.Views)
	initMap(&m.OlapDictionaries)
	initMap(&m.SelectRowPolicies)
	for _, w := range m.WebApps {
		if w.PullsDataFrom == nil {
			w.PullsDataFrom = []Signature{}
		}
		if w.PushesDataTo == nil {
			w.PushesDataTo = []Signature{}
		}
	}
	for _, a := range m.APIEndpoints {
		if a.PullsDataFrom == nil {
			a.PullsDataFrom = []Signature{}
		}
		if a.PushesDataTo == nil {
			a.PushesDataTo = []Signature{}
		}
	}
}

func initMap[V any](p *map[string]V) {
	if *p == nil {
		*p = map[string]V{}
	}
}

// AddTable canonicalizes t and stores it under its id.
func (m *Map) AddTable(t *Table) {
	t.Canonicalize()
	m.Tables[t.ID(m.DefaultDatabase)] = t
}

// AddTopic stores t under its id.
func (m *Map) AddTopic(t *Topic) { m.Topics[t.ID()] = t }

// TableIDs returns the table ids in sorted order.
func (m *Map) TableIDs() []string { return sortedKeys(m.Tables) }

// TopicIDs returns the topic ids in sorted order.
func (m *Map) TopicIDs() []string { return sortedKeys(m.Topics) }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Clone returns a deep copy of the map (through its JSON form, which is
// exactly what the map means).
func (m *Map) Clone() *Map {
	b, err := json.Marshal(m)
	if err != nil {
		panic(fmt.Sprintf("infra: clone: %v", err))
	}
	c, err := UnmarshalMap(b)
	if err != nil {
		panic(fmt.Sprintf("infra: clone: %v", err))
	}
	return c
}

// EncodeState writes the map to w as the dev loop stores it
// (.moose/state.json): the JSON encoding/json writes, compact, SQL keeping
// its < and >, but table by table and topic by topic, so that a state of
// 2,000 tables (11 MB) is never all in memory at once (it cost the daemon
// 70-100 MiB at its peak).
func EncodeState(w io.Writer, m *Map) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	// the map with one marker entry in each of its two big maps
	shell := *m
	shell.Tables = map[string]*Table{"\x00t": nil}
	shell.Topics = map[string]*Topic{"\x00p": nil}
	if err := enc.Encode(&shell); err != nil {
		return err
	}
	head := bytes.Clone(buf.Bytes())
	tablesAt, topicsAt := bytes.Index(head, []byte(`{"\u0000t":null}`)), bytes.Index(head, []byte(`{"\u0000p":null}`))
	if tablesAt < 0 || topicsAt < 0 || bytes.Count(head, []byte(`\u0000`)) != 2 {
		// a string of the map's own holds a NUL: encode it whole
		buf.Reset()
		if err := enc.Encode(m); err != nil {
			return err
		}
		_, err := w.Write(buf.Bytes())
		return err
	}
	const markerLen = len(`{"\u0000t":null}`)
	type part struct {
		at    int
		write func() error
	}
	parts := []part{{tablesAt, func() error { return encodeEntries(w, enc, &buf, m.Tables) }},
		{topicsAt, func() error { return encodeEntries(w, enc, &buf, m.Topics) }}}
	if topicsAt < tablesAt {
		parts[0], parts[1] = parts[1], parts[0]
	}
	from := 0
	for _, p := range parts {
		if _, err := w.Write(head[from:p.at]); err != nil {
			return err
		}
		if err := p.write(); err != nil {
			return err
		}
		from = p.at + markerLen
	}
	_, err := w.Write(head[from:])
	return err
}

// encodeEntries writes a map as encoding/json does (keys sorted), one
// entry at a time through enc, which writes into buf.
func encodeEntries[V any](w io.Writer, enc *json.Encoder, buf *bytes.Buffer, entries map[string]V) error {
	if entries == nil {
		_, err := io.WriteString(w, "null")
		return err
	}
	if _, err := io.WriteString(w, "{"); err != nil {
		return err
	}
	for i, k := range sortedKeys(entries) {
		buf.Reset()
		if i > 0 {
			buf.WriteByte(',')
		}
		if err := enc.Encode(k); err != nil {
			return err
		}
		buf.Truncate(buf.Len() - 1) // Encode's newline
		buf.WriteByte(':')
		if err := encodeEntry(enc, buf, entries[k]); err != nil {
			return err
		}
		if _, err := w.Write(buf.Bytes()); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, "}")
	return err
}

// encodeEntry appends v to buf through enc (which writes into buf). A
// table's or topic's columns are appended by hand: through enc, each
// column's MarshalJSON output is scanned again to be compacted, most of
// the time a state of 2,000 tables took to write.
func encodeEntry(enc *json.Encoder, buf *bytes.Buffer, v any) error {
	var cols []Column
	switch e := v.(type) {
	case *Table:
		if e != nil {
			shell := *e
			cols, shell.Columns, v = e.Columns, nil, &shell
		}
	case *Topic:
		if e != nil {
			shell := *e
			cols, shell.Columns, v = e.Columns, nil, &shell
		}
	}
	from := buf.Len()
	if err := enc.Encode(v); err != nil {
		return err
	}
	buf.Truncate(buf.Len() - 1) // Encode's newline
	if cols == nil {
		return nil
	}
	// the first "columns":null is the entry's own: a string cannot hold
	// the sequence (its quotes are escaped), and no field before it is an
	// object with such a key
	const marker = `"columns":null`
	at := bytes.Index(buf.Bytes()[from:], []byte(marker))
	if at < 0 {
		return fmt.Errorf("encoding the state: no columns in %s", buf.Bytes()[from:])
	}
	at += from + len(`"columns":`)
	rest := bytes.Clone(buf.Bytes()[at+len("null"):])
	buf.Truncate(at)
	b, err := appendColumns(buf.AvailableBuffer(), cols)
	if err != nil {
		return err
	}
	buf.Write(b)
	buf.Write(rest)
	return nil
}

// UnmarshalMap reads an infrastructure map in upstream's JSON shape and
// canonicalizes its tables, as upstream does on every load.
func UnmarshalMap(b []byte) (*Map, error) {
	m := &Map{}
	if err := json.Unmarshal(b, m); err != nil {
		return nil, fmt.Errorf("infrastructure map: %w", err)
	}
	m.fillEmpty()
	for _, err := range []error{noNull("topics", m.Topics), noNull("api_endpoints", m.APIEndpoints), noNull("tables", m.Tables),
		noNull("topic_to_table_sync_processes", m.TopicToTableSyncProcesses), noNull("function_processes", m.FunctionProcesses),
		noNull("orchestration_workers", m.OrchestrationWorkers), noNull("sql_resources", m.SQLResources), noNull("workflows", m.Workflows),
		noNull("web_apps", m.WebApps), noNull("materialized_views", m.MaterializedViews), noNull("views", m.Views)} {
		if err != nil {
			return nil, err
		}
	}
	for _, t := range m.Tables {
		t.Canonicalize()
	}
	return m, nil
}

// noNull refuses a null entry (a state cut or edited by hand): every
// reader of the map takes its entries to be there.
func noNull[V any](field string, entries map[string]*V) error {
	for _, id := range sortedKeys(entries) {
		if entries[id] == nil {
			return fmt.Errorf("infrastructure map: %s entry %q is null", field, id)
		}
	}
	return nil
}

// MarshalSorted writes v as indented JSON with every object's keys sorted,
// recursively, and without HTML escaping: the form upstream writes.
func MarshalSorted(v any) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var generic any
	if err := dec.Decode(&generic); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(generic); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// QuoteIdent quotes a ClickHouse identifier in backquotes, escaping
// backquotes and backslashes (which ClickHouse reads as escapes): the one
// quoting every package that writes SQL uses.
func QuoteIdent(name string) string {
	return "`" + identEscaper.Replace(name) + "`"
}

var identEscaper = strings.NewReplacer(`\`, `\\`, "`", "``")

// QuoteString single-quotes a ClickHouse string literal, escaping quotes
// and backslashes.
func QuoteString(s string) string { return "'" + stringEscaper.Replace(s) + "'" }

var stringEscaper = strings.NewReplacer(`\`, `\\`, `'`, `\'`)

// OnCluster is the ` ON CLUSTER `c“ clause of a statement on cluster c, or
// "" when c is nil (a table on one server).
func OnCluster(c *string) string {
	if c == nil || *c == "" {
		return ""
	}
	return " ON CLUSTER " + QuoteIdent(*c)
}

// Databases are defaultDB and every other database the maps' tables name,
// in the order first named: those whose tables a reality check reads.
func Databases(defaultDB string, maps ...*Map) []string {
	dbs := []string{defaultDB}
	seen := map[string]bool{defaultDB: true}
	for _, m := range maps {
		for _, t := range m.Tables {
			if d := t.DatabaseOr(defaultDB); !seen[d] {
				seen[d] = true
				dbs = append(dbs, d)
			}
		}
	}
	return dbs
}

// NameKey names a table or view by database (nil or empty: defaultDB) and
// name as the database knows it: `db.name`.
func NameKey(database *string, name, defaultDB string) string {
	if database != nil && *database != "" {
		return *database + "." + name
	}
	return defaultDB + "." + name
}

// SourceName is a view's source table reference without its database or
// backquotes (“ `db`.`t` “ is t).
func SourceName(ref string) string { return strings.Trim(ref[strings.LastIndex(ref, ".")+1:], "`") }

// ViewClusters maps each view and materialized view of the maps, by
// `db.name` (defaultDB where it names none), to the cluster its DDL runs
// ON: its target table's, else (a target that is not one of the map's
// tables) that of the first of its sources on a cluster. A materialized
// view whose target is a table on one server stays on that server: made
// ON CLUSTER, it would fail on the nodes without its target. A view over tables that live on every node of a cluster is
// created on every node too, or the nodes it is missing from do not see
// the rows inserted there (a materialized view) or cannot answer its
// queries (a view). Views over no clustered table are left out. Later maps
// win (give the state before the code).
func ViewClusters(defaultDB string, maps ...*Map) map[string]string {
	out := map[string]string{}
	for _, m := range maps {
		if m == nil {
			continue
		}
		byName, tables := map[string]string{}, map[string]bool{}
		for _, t := range m.Tables {
			tables[t.Name] = true
			if t.ClusterName != nil && *t.ClusterName != "" {
				byName[t.Name] = *t.ClusterName
			}
		}
		if len(byName) == 0 {
			continue
		}
		first := func(target string, sources []string) (string, bool) {
			if c, ok := byName[target]; ok && target != "" {
				return c, true
			}
			if tables[target] && target != "" {
				return "", false
			}
			for _, s := range sources {
				if c, ok := byName[SourceName(s)]; ok {
					return c, true
				}
			}
			return "", false
		}
		for _, v := range m.MaterializedViews {
			if c, ok := first(v.TargetTable, v.SourceTables); ok {
				out[NameKey(v.Database, v.Name, defaultDB)] = c
			}
		}
		for _, v := range m.Views {
			if c, ok := first("", v.SourceTables); ok {
				out[NameKey(v.Database, v.Name, defaultDB)] = c
			}
		}
	}
	return out
}
