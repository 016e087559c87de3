package infra

import "encoding/json"

// TopicToTableSyncProcess copies a topic into a table (a Stream with a
// destination).
type TopicToTableSyncProcess struct {
	SourceTopicID   string             `json:"source_topic_id"`
	TargetTableID   string             `json:"target_table_id"`
	Columns         []Column           `json:"columns"`
	Version         *string            `json:"version"`
	SourcePrimitive PrimitiveSignature `json:"source_primitive"`
}

// ID is `{topic id}_{table id}[_{version}]`.
func (p *TopicToTableSyncProcess) ID() string {
	id := p.SourceTopicID + "_" + p.TargetTableID
	if p.Version != nil {
		id += "_" + versionSuffix(*p.Version)
	}
	return id
}

// FunctionProcess runs a transform (`{src}__{dst}`) or a consumer (`{src}`).
type FunctionProcess struct {
	Name                 string             `json:"name"`
	SourceTopicID        string             `json:"source_topic_id"`
	TargetTopicID        *string            `json:"target_topic_id"`
	DeadLetterQueueID    *string            `json:"dead_letter_queue_topic_id"`
	Executable           string             `json:"executable"`
	ParallelProcessCount int                `json:"parallel_process_count"`
	Version              *string            `json:"version"`
	Language             string             `json:"language"`
	SourcePrimitive      PrimitiveSignature `json:"source_primitive"`
	Metadata             *Metadata          `json:"metadata"`
}

// ID is `{name}_{source}[_{target}][_{version}]`, as upstream.
func (f *FunctionProcess) ID() string {
	id := f.Name + "_" + f.SourceTopicID
	if f.TargetTopicID != nil {
		id += "_" + *f.TargetTopicID
	}
	if f.Version != nil {
		id += "_" + *f.Version
	}
	return id
}

// OrchestrationWorker runs workflows for a language; upstream puts one in
// every map loaded from code.
type OrchestrationWorker struct {
	SupportedLanguage string `json:"supported_language"`
}

// Signature names a resource in lineage lists: `{"kind": "Table", "id": ...}`.
type Signature struct {
	Kind string `json:"kind"`
	ID   string `json:"id"`
}

// APIEndpoint is an ingest (INGRESS) or consumption (EGRESS) API.
type APIEndpoint struct {
	Name            string             `json:"name"`
	APIType         json.RawMessage    `json:"api_type"`
	Path            string             `json:"path"`
	Method          string             `json:"method"`
	Version         *string            `json:"version"`
	SourcePrimitive PrimitiveSignature `json:"source_primitive"`
	Metadata        *Metadata          `json:"metadata"`
	PullsDataFrom   []Signature        `json:"pulls_data_from"`
	PushesDataTo    []Signature        `json:"pushes_data_to"`
}

// ID is `INGRESS_{name}[_{version}]` or `EGRESS_{name}[_{version}]`.
func (a *APIEndpoint) ID() string {
	kind := "EGRESS"
	if a.Method == "POST" {
		kind = "INGRESS"
	}
	id := kind + "_" + a.Name
	if a.Version != nil {
		id += "_" + versionSuffix(*a.Version)
	}
	return id
}

// MaterializedView is a ClickHouse materialized view writing into a table.
// Its JSON is camelCase, as upstream's.
type MaterializedView struct {
	Name           string    `json:"name"`
	Database       *string   `json:"database,omitempty"`
	SelectSQL      string    `json:"selectSql"`
	SourceTables   []string  `json:"sourceTables"`
	TargetTable    string    `json:"targetTable"`
	TargetDatabase *string   `json:"targetDatabase,omitempty"`
	Metadata       *Metadata `json:"metadata,omitempty"`
	LifeCycle      LifeCycle `json:"lifeCycle"`
}

// View is a plain ClickHouse view.
type View struct {
	Name         string    `json:"name"`
	Database     *string   `json:"database,omitempty"`
	SelectSQL    string    `json:"selectSql"`
	SourceTables []string  `json:"sourceTables"`
	Metadata     *Metadata `json:"metadata,omitempty"`
}

// ID is the view's key in the map: its name, `db::name` in a database of
// its own (upstream's key).
func (v *View) ID() string {
	if v.Database != nil {
		return *v.Database + "::" + v.Name
	}
	return v.Name
}

// SQLResource is upstream's legacy raw-SQL resource.
type SQLResource struct {
	Name          string      `json:"name"`
	Database      *string     `json:"database,omitempty"`
	SourceFile    *string     `json:"source_file,omitempty"`
	SourceLine    *int        `json:"source_line,omitempty"`
	SourceColumn  *int        `json:"source_column,omitempty"`
	Setup         []string    `json:"setup"`
	Teardown      []string    `json:"teardown"`
	PullsDataFrom []Signature `json:"pulls_data_from"`
	PushesDataTo  []Signature `json:"pushes_data_to"`
}

// WorkflowConfig is a workflow's schedule, retries and timeout.
type WorkflowConfig struct {
	Name     string   `json:"name"`
	Schedule string   `json:"schedule"`
	Retries  int      `json:"retries"`
	Timeout  string   `json:"timeout"`
	Tasks    []string `json:"tasks"` // upstream writes null
}

// Workflow is a Temporal workflow defined in code.
type Workflow struct {
	Name          string         `json:"name"`
	Path          string         `json:"path"`
	Config        WorkflowConfig `json:"config"`
	Language      string         `json:"language"`
	PullsDataFrom []Signature    `json:"pulls_data_from"`
	PushesDataTo  []Signature    `json:"pushes_data_to"`
}

// WebAppMetadata is a web app's description.
type WebAppMetadata struct {
	Description *string `json:"description"`
}

// WebApp is an HTTP app mounted under a path.
type WebApp struct {
	Name      string          `json:"name"`
	MountPath string          `json:"mount_path"`
	Metadata  *WebAppMetadata `json:"metadata,omitempty"`
	// PullsDataFrom and PushesDataTo are the lineage upstream's TypeScript
	// library finds in the handler.
	PullsDataFrom []Signature `json:"pulls_data_from"`
	PushesDataTo  []Signature `json:"pushes_data_to"`
}

func versionSuffix(v string) string {
	out := []byte(v)
	for i, c := range out {
		if c == '.' {
			out[i] = '_'
		}
	}
	return string(out)
}
