package infra

import (
	"encoding/json"
	"fmt"
)

// Operation is one step of a plan: upstream's SerializableOlapOperation.
// Its JSON is externally tagged by OpName, e.g. `{"CreateTable": {...}}`,
// with absent optional fields written as null.
type Operation interface {
	// OpName is the upstream variant name.
	OpName() string
	// Describe is the one-line description printed while applying.
	Describe() string
}

// CreateTable creates a table.
type CreateTable struct {
	Table *Table `json:"table"`
}

// DropTable drops a table.
type DropTable struct {
	Table       string  `json:"table"`
	Database    *string `json:"database"`
	ClusterName *string `json:"cluster_name"`
}

// AddTableColumn adds a column after AfterColumn (nil: FIRST).
type AddTableColumn struct {
	Table       string  `json:"table"`
	Column      Column  `json:"column"`
	AfterColumn *string `json:"after_column"`
	Database    *string `json:"database"`
	ClusterName *string `json:"cluster_name"`
}

// DropTableColumn drops a column.
type DropTableColumn struct {
	Table       string  `json:"table"`
	ColumnName  string  `json:"column_name"`
	Database    *string `json:"database"`
	ClusterName *string `json:"cluster_name"`
}

// ModifyTableColumn changes a column's type or properties.
type ModifyTableColumn struct {
	Table        string  `json:"table"`
	BeforeColumn Column  `json:"before_column"`
	AfterColumn  Column  `json:"after_column"`
	Database     *string `json:"database"`
	ClusterName  *string `json:"cluster_name"`
}

// RenameTableColumn renames a column, keeping its data.
type RenameTableColumn struct {
	Table            string  `json:"table"`
	BeforeColumnName string  `json:"before_column_name"`
	AfterColumnName  string  `json:"after_column_name"`
	Database         *string `json:"database"`
	ClusterName      *string `json:"cluster_name"`
}

// CreateMaterializedView creates a materialized view writing into a table.
type CreateMaterializedView struct {
	Name           string  `json:"name"`
	Database       *string `json:"database"`
	TargetTable    string  `json:"target_table"`
	TargetDatabase *string `json:"target_database"`
	SelectSQL      string  `json:"select_sql"`
}

// DropMaterializedView drops a materialized view.
type DropMaterializedView struct {
	Name     string  `json:"name"`
	Database *string `json:"database"`
}

// CreateView creates a view.
type CreateView struct {
	Name      string  `json:"name"`
	Database  *string `json:"database"`
	SelectSQL string  `json:"select_sql"`
}

// DropView drops a view.
type DropView struct {
	Name     string  `json:"name"`
	Database *string `json:"database"`
}

// ModifyTableSettings changes alterable table settings (a nil after value
// resets the setting).
type ModifyTableSettings struct {
	Table          string            `json:"table"`
	BeforeSettings map[string]string `json:"before_settings"`
	AfterSettings  map[string]string `json:"after_settings"`
	Database       *string           `json:"database"`
	ClusterName    *string           `json:"cluster_name"`
}

// ModifyTableTtl changes or removes the table TTL.
type ModifyTableTtl struct {
	Table       string  `json:"table"`
	Before      *string `json:"before"`
	After       *string `json:"after"`
	Database    *string `json:"database"`
	ClusterName *string `json:"cluster_name"`
}

// AddTableIndex adds a data-skipping index.
type AddTableIndex struct {
	Table       string     `json:"table"`
	Index       TableIndex `json:"index"`
	Database    *string    `json:"database"`
	ClusterName *string    `json:"cluster_name"`
}

// DropTableIndex drops a data-skipping index.
type DropTableIndex struct {
	Table       string  `json:"table"`
	IndexName   string  `json:"index_name"`
	Database    *string `json:"database"`
	ClusterName *string `json:"cluster_name"`
}

// AddTableProjection adds a projection.
type AddTableProjection struct {
	Table       string          `json:"table"`
	Projection  TableProjection `json:"projection"`
	Database    *string         `json:"database"`
	ClusterName *string         `json:"cluster_name"`
}

// DropTableProjection drops a projection.
type DropTableProjection struct {
	Table          string  `json:"table"`
	ProjectionName string  `json:"projection_name"`
	Database       *string `json:"database"`
	ClusterName    *string `json:"cluster_name"`
}

// ModifySampleBy sets the SAMPLE BY expression.
type ModifySampleBy struct {
	Table       string  `json:"table"`
	Expression  string  `json:"expression"`
	Database    *string `json:"database"`
	ClusterName *string `json:"cluster_name"`
}

// RemoveSampleBy removes SAMPLE BY.
type RemoveSampleBy struct {
	Table       string  `json:"table"`
	Database    *string `json:"database"`
	ClusterName *string `json:"cluster_name"`
}

// RawSQL runs statements as written.
type RawSQL struct {
	SQL         []string `json:"sql"`
	Description string   `json:"description"`
}

func (CreateTable) OpName() string            { return "CreateTable" }
func (DropTable) OpName() string              { return "DropTable" }
func (AddTableColumn) OpName() string         { return "AddTableColumn" }
func (DropTableColumn) OpName() string        { return "DropTableColumn" }
func (ModifyTableColumn) OpName() string      { return "ModifyTableColumn" }
func (RenameTableColumn) OpName() string      { return "RenameTableColumn" }
func (RawSQL) OpName() string                 { return "RawSql" }
func (CreateMaterializedView) OpName() string { return "CreateMaterializedView" }
func (ModifyTableSettings) OpName() string    { return "ModifyTableSettings" }
func (ModifyTableTtl) OpName() string         { return "ModifyTableTtl" }
func (AddTableIndex) OpName() string          { return "AddTableIndex" }
func (DropTableIndex) OpName() string         { return "DropTableIndex" }
func (AddTableProjection) OpName() string     { return "AddTableProjection" }
func (DropTableProjection) OpName() string    { return "DropTableProjection" }
func (ModifySampleBy) OpName() string         { return "ModifySampleBy" }
func (RemoveSampleBy) OpName() string         { return "RemoveSampleBy" }

func (o ModifyTableSettings) Describe() string {
	return fmt.Sprintf("Modifying settings of table '%s'", o.Table)
}
func (o ModifyTableTtl) Describe() string { return fmt.Sprintf("Modifying TTL of table '%s'", o.Table) }
func (o AddTableIndex) Describe() string {
	return fmt.Sprintf("Adding index '%s' to table '%s'", o.Index.Name, o.Table)
}
func (o DropTableIndex) Describe() string {
	return fmt.Sprintf("Dropping index '%s' from table '%s'", o.IndexName, o.Table)
}
func (o AddTableProjection) Describe() string {
	return fmt.Sprintf("Adding projection '%s' to table '%s'", o.Projection.Name, o.Table)
}
func (o DropTableProjection) Describe() string {
	return fmt.Sprintf("Dropping projection '%s' from table '%s'", o.ProjectionName, o.Table)
}
func (o ModifySampleBy) Describe() string {
	return fmt.Sprintf("Modifying SAMPLE BY of table '%s'", o.Table)
}
func (o RemoveSampleBy) Describe() string {
	return fmt.Sprintf("Removing SAMPLE BY of table '%s'", o.Table)
}
func (DropMaterializedView) OpName() string { return "DropMaterializedView" }
func (CreateView) OpName() string           { return "CreateView" }
func (DropView) OpName() string             { return "DropView" }

func (o CreateMaterializedView) Describe() string {
	return fmt.Sprintf("Creating materialized view '%s'", o.Name)
}
func (o DropMaterializedView) Describe() string {
	return fmt.Sprintf("Dropping materialized view '%s'", o.Name)
}
func (o CreateView) Describe() string { return fmt.Sprintf("Creating view '%s'", o.Name) }
func (o DropView) Describe() string   { return fmt.Sprintf("Dropping view '%s'", o.Name) }

func (o CreateTable) Describe() string { return fmt.Sprintf("Creating table '%s'", o.Table.Name) }
func (o DropTable) Describe() string   { return fmt.Sprintf("Dropping table '%s'", o.Table) }
func (o AddTableColumn) Describe() string {
	return fmt.Sprintf("Adding column '%s' to table '%s'", o.Column.Name, o.Table)
}
func (o DropTableColumn) Describe() string {
	return fmt.Sprintf("Dropping column '%s' from table '%s'", o.ColumnName, o.Table)
}
func (o ModifyTableColumn) Describe() string {
	return fmt.Sprintf("Modifying column '%s' in table '%s'", o.AfterColumn.Name, o.Table)
}
func (o RenameTableColumn) Describe() string {
	return fmt.Sprintf("Renaming column '%s' to '%s' in table '%s'", o.BeforeColumnName, o.AfterColumnName, o.Table)
}
func (o RawSQL) Describe() string { return o.Description }

// MarshalOperation writes the externally tagged JSON of op.
func MarshalOperation(op Operation) ([]byte, error) {
	return json.Marshal(map[string]Operation{op.OpName(): op})
}
