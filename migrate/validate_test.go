package migrate

import (
	"strings"
	"testing"

	"github.com/moose-dev/moose-dev/infra"
	"github.com/moose-dev/moose-dev/planfile"
)

func TestValidateNamesTheOperationAndField(t *testing.T) {
	from := infra.NewMap("local")
	from.Tables["local_Users"] = &infra.Table{Name: "Users", Columns: []infra.Column{{Name: "id", DataType: infra.String}, {Name: "mail", DataType: infra.String}}}
	email := "email"
	for _, tc := range []struct {
		name string
		ops  []infra.Operation
		want string // "" = valid
	}{
		{"rename then use the new name", []infra.Operation{
			infra.RenameTableColumn{Table: "Users", BeforeColumnName: "mail", AfterColumnName: "email"},
			infra.DropTableColumn{Table: "Users", ColumnName: "email"}}, ""},
		{"rename of a missing column", []infra.Operation{
			infra.RenameTableColumn{Table: "Users", BeforeColumnName: "nope", AfterColumnName: "x"}},
			"operations[0] (RenameTableColumn): before_column_name: table \"Users\" has no column \"nope\""},
		{"rename onto an existing column", []infra.Operation{
			infra.RenameTableColumn{Table: "Users", BeforeColumnName: "mail", AfterColumnName: "id"}}, "after_column_name"},
		{"drop after the column was dropped", []infra.Operation{
			infra.DropTableColumn{Table: "Users", ColumnName: "mail"},
			infra.DropTableColumn{Table: "Users", ColumnName: "mail"}}, "operations[1] (DropTableColumn): column_name"},
		{"add after a missing column", []infra.Operation{
			infra.AddTableColumn{Table: "Users", Column: infra.Column{Name: "x", DataType: infra.String}, AfterColumn: &email}}, "after_column"},
		{"modify on a missing table", []infra.Operation{
			infra.ModifyTableColumn{Table: "Gone", BeforeColumn: infra.Column{Name: "id"}, AfterColumn: infra.Column{Name: "id"}}}, "table \"Gone\" does not exist"},
		{"create an existing table", []infra.Operation{infra.CreateTable{Table: &infra.Table{Name: "Users"}}}, "already exists"},
		{"drop then create", []infra.Operation{infra.DropTable{Table: "Users"}, infra.CreateTable{Table: &infra.Table{Name: "Users"}}}, ""},
		{"a table renamed by RawSql is known by its new name", []infra.Operation{
			infra.RawSQL{SQL: []string{"RENAME TABLE `Users` TO `People`"}},
			infra.DropTableColumn{Table: "People", ColumnName: "mail"}}, ""},
		{"and no longer by its old one", []infra.Operation{
			infra.RawSQL{SQL: []string{"rename table local.Users to local.People"}},
			infra.DropTableColumn{Table: "Users", ColumnName: "mail"}}, "operations[1] (DropTableColumn): table: table \"Users\" does not exist"},
		{"a rename of a missing table", []infra.Operation{infra.RawSQL{SQL: []string{"RENAME TABLE `Gone` TO `X`"}}},
			"operations[0] (RawSql): sql: RENAME TABLE: table \"Gone\" does not exist"},
		{"other SQL stays opaque", []infra.Operation{infra.RawSQL{SQL: []string{"OPTIMIZE TABLE Gone FINAL"}}}, ""},
	} {
		err := Validate(&planfile.Plan{Operations: tc.ops}, from)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: unexpected error %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: error %v, want it to contain %q", tc.name, err, tc.want)
		}
	}
}
