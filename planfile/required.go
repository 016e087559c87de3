package planfile

import (
	"fmt"
	"strings"

	"github.com/moose-dev/moose-dev/infra"
)

// Check refuses a plan whose operations lack a field they cannot run
// without (a table to create without a name, a column without a type, an
// empty RawSql...), naming the operation's index and the field, before
// anything runs. Unmarshal checks every plan it reads; plans built in
// memory are checked by whoever runs them.
func Check(p *Plan) error {
	for i, op := range p.Operations {
		if field, why := missing(op); field != "" {
			return &Error{Index: i, Op: op.OpName(), Msg: fmt.Sprintf("%s: %s", field, why)}
		}
	}
	return nil
}

// missing names the first required field op lacks, and why it is needed.
func missing(op infra.Operation) (field, why string) {
	var need []required
	switch o := op.(type) {
	case infra.CreateTable:
		if o.Table == nil {
			return "table", "the table to create is required"
		}
		if strings.TrimSpace(o.Table.Name) == "" {
			return "table.name", "the table to create needs a name"
		}
		if len(o.Table.Columns) == 0 {
			return "table.columns", fmt.Sprintf("table %q needs at least one column", o.Table.Name)
		}
		for j, c := range o.Table.Columns {
			if f, w := columnMissing(c); f != "" {
				return fmt.Sprintf("table.columns[%d].%s", j, f), w
			}
		}
	case infra.DropTable:
		need = append(need, tableField(o.Table))
	case infra.AddTableColumn:
		need = append(need, tableField(o.Table))
		if f, w := columnMissing(o.Column); f != "" {
			return "column." + f, w
		}
	case infra.DropTableColumn:
		need = append(need, tableField(o.Table), required{"column_name", o.ColumnName, "the column to drop is required"})
	case infra.ModifyTableColumn:
		need = append(need, tableField(o.Table), required{"before_column.name", o.BeforeColumn.Name, "the column to modify is required"})
		if f, w := columnMissing(o.AfterColumn); f != "" {
			return "after_column." + f, w
		}
	case infra.RenameTableColumn:
		need = append(need, tableField(o.Table), required{"before_column_name", o.BeforeColumnName, "the column to rename is required"},
			required{"after_column_name", o.AfterColumnName, "the column's new name is required"})
	case infra.ModifyTableSettings:
		need = append(need, tableField(o.Table))
	case infra.ModifyTableTtl:
		need = append(need, tableField(o.Table))
	case infra.AddTableIndex:
		need = append(need, tableField(o.Table), required{"index.name", o.Index.Name, "the index needs a name"},
			required{"index.expression", o.Index.Expression, "the index needs an expression"},
			required{"index.type", o.Index.Type, "the index needs a type (minmax, set, bloom_filter, ...)"})
	case infra.DropTableIndex:
		need = append(need, tableField(o.Table), required{"index_name", o.IndexName, "the index to drop is required"})
	case infra.AddTableProjection:
		need = append(need, tableField(o.Table), required{"projection.name", o.Projection.Name, "the projection needs a name"},
			required{"projection.body", o.Projection.Body, "the projection needs a body (SELECT ...)"})
	case infra.DropTableProjection:
		need = append(need, tableField(o.Table), required{"projection_name", o.ProjectionName, "the projection to drop is required"})
	case infra.ModifySampleBy:
		need = append(need, tableField(o.Table), required{"expression", o.Expression, "the SAMPLE BY expression is required"})
	case infra.RemoveSampleBy:
		need = append(need, tableField(o.Table))
	case infra.CreateMaterializedView:
		need = append(need, viewField(o.Name), required{"target_table", o.TargetTable, "the table the view writes to is required"},
			required{"select_sql", o.SelectSQL, "the view's SELECT is required"})
	case infra.DropMaterializedView:
		need = append(need, viewField(o.Name))
	case infra.CreateView:
		need = append(need, viewField(o.Name), required{"select_sql", o.SelectSQL, "the view's SELECT is required"})
	case infra.DropView:
		need = append(need, viewField(o.Name))
	case infra.RawSQL:
		if len(o.SQL) == 0 {
			return "sql", "at least one statement is required"
		}
		for j, s := range o.SQL {
			if strings.TrimSpace(s) == "" {
				return fmt.Sprintf("sql[%d]", j), "the statement is empty"
			}
		}
	}
	for _, r := range need {
		if strings.TrimSpace(r.value) == "" {
			return r.field, r.why
		}
	}
	return "", ""
}

type required struct{ field, value, why string }

func tableField(name string) required {
	return required{"table", name, "the table's name is required"}
}

func viewField(name string) required { return required{"name", name, "the view's name is required"} }

func columnMissing(c infra.Column) (field, why string) {
	switch {
	case strings.TrimSpace(c.Name) == "":
		return "name", "the column needs a name"
	case c.DataType == nil:
		return "data_type", fmt.Sprintf("column %q needs a data_type", c.Name)
	}
	return "", ""
}
