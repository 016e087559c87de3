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
func (DropMaterializedView) OpName() string   { return "DropMaterializedView" }
func (CreateView) OpName() string             { return "CreateView" }
func (DropView) OpName() string               { return "DropView" }

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
