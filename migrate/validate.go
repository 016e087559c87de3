package migrate

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/moose-dev/moose-dev/differ"
	"github.com/moose-dev/moose-dev/infra"
	"github.com/moose-dev/moose-dev/planfile"
)

// Validate checks a (possibly hand-edited) plan against the state it starts
// from before anything runs: each operation's table must exist (or, to be
// created, must not), and each column it names must exist at that point of
// the plan (or, to be added or be a rename's new name, must not). Unknown
// operations and unparseable types were already refused when the plan was
// read. Errors name the operation's index and field, as planfile does.
func Validate(p *planfile.Plan, from *infra.Map) error {
	db := from.DefaultDatabase
	tables := map[string]map[string]bool{} // db.table -> columns
	for _, t := range from.Tables {
		tables[differ.PhysicalKey(t, db)] = columnSet(t.Columns)
	}
	for i, op := range p.Operations {
		fail := func(field, format string, args ...any) error {
			return &planfile.Error{Index: i, Op: op.OpName(), Msg: field + ": " + fmt.Sprintf(format, args...)}
		}
		table := func(database *string, name string) (map[string]bool, error) {
			cols, ok := tables[differ.NameKey(database, name, db)]
			if !ok {
				return nil, fail("table", "table %q does not exist at this point of the plan", name)
			}
			return cols, nil
		}
		switch o := op.(type) {
		case infra.CreateTable:
			k := differ.NameKey(o.Table.Database, o.Table.Name, db)
			if _, ok := tables[k]; ok {
				return fail("table", "table %q already exists at this point of the plan", o.Table.Name)
			}
			tables[k] = columnSet(o.Table.Columns)
		case infra.DropTable:
			if _, err := table(o.Database, o.Table); err != nil {
				return err
			}
			delete(tables, differ.NameKey(o.Database, o.Table, db))
		case infra.AddTableColumn:
			cols, err := table(o.Database, o.Table)
			if err != nil {
				return err
			}
			if cols[o.Column.Name] {
				return fail("column", "table %q already has a column %q", o.Table, o.Column.Name)
			}
			if o.AfterColumn != nil && !cols[*o.AfterColumn] {
				return fail("after_column", "table %q has no column %q", o.Table, *o.AfterColumn)
			}
			cols[o.Column.Name] = true
		case infra.DropTableColumn:
			cols, err := table(o.Database, o.Table)
			if err != nil {
				return err
			}
			if !cols[o.ColumnName] {
				return fail("column_name", "table %q has no column %q", o.Table, o.ColumnName)
			}
			delete(cols, o.ColumnName)
		case infra.ModifyTableColumn:
			cols, err := table(o.Database, o.Table)
			if err != nil {
				return err
			}
			if !cols[o.BeforeColumn.Name] {
				return fail("before_column", "table %q has no column %q", o.Table, o.BeforeColumn.Name)
			}
			if o.AfterColumn.Name != o.BeforeColumn.Name {
				return fail("after_column", "a modification keeps the column's name (%q, not %q): use RenameTableColumn to rename",
					o.BeforeColumn.Name, o.AfterColumn.Name)
			}
		case infra.RenameTableColumn:
			cols, err := table(o.Database, o.Table)
			if err != nil {
				return err
			}
			if !cols[o.BeforeColumnName] {
				return fail("before_column_name", "table %q has no column %q", o.Table, o.BeforeColumnName)
			}
			if cols[o.AfterColumnName] {
				return fail("after_column_name", "table %q already has a column %q", o.Table, o.AfterColumnName)
			}
			delete(cols, o.BeforeColumnName)
			cols[o.AfterColumnName] = true
		case infra.RawSQL:
			// opaque, except the table renames moose-dev plans this way
			for _, q := range o.SQL {
				for _, r := range tableRenames(q) {
					from, to := differ.NameKey(r.fromDB, r.from, db), differ.NameKey(r.toDB, r.to, db)
					cols, ok := tables[from]
					if !ok {
						return fail("sql", "RENAME TABLE: table %q does not exist at this point of the plan", r.from)
					}
					if _, ok := tables[to]; ok {
						return fail("sql", "RENAME TABLE: table %q already exists at this point of the plan", r.to)
					}
					delete(tables, from)
					tables[to] = cols
				}
			}
		}
	}
	return nil
}

var (
	reRename = regexp.MustCompile("(?is)^\\s*RENAME\\s+TABLE\\s+(.*?)\\s*;?\\s*$")
	reRef    = "(?:`((?:[^`]|``)+)`|(\\w+))"
	rePair   = regexp.MustCompile("(?is)^\\s*(?:" + reRef + "\\.)?" + reRef + "\\s+TO\\s+(?:" + reRef + "\\.)?" + reRef + "\\s*$")
)

// tableRename is one pair of a RENAME TABLE statement; a nil database is
// the default one.
type tableRename struct {
	fromDB, toDB *string
	from, to     string
}

// tableRenames reads RENAME TABLE a TO b[, c TO d]. Anything else gives
// nothing.
func tableRenames(q string) []tableRename {
	m := reRename.FindStringSubmatch(q)
	if m == nil {
		return nil
	}
	var out []tableRename
	for _, pair := range strings.Split(m[1], ",") {
		p := rePair.FindStringSubmatch(pair)
		if p == nil {
			return nil
		}
		ident := func(i int) *string {
			switch {
			case p[i] != "":
				v := strings.ReplaceAll(p[i], "``", "`")
				return &v
			case p[i+1] != "":
				return &p[i+1]
			}
			return nil
		}
		out = append(out, tableRename{fromDB: ident(1), from: *ident(3), toDB: ident(5), to: *ident(7)})
	}
	return out
}

func columnSet(cols []infra.Column) map[string]bool {
	out := make(map[string]bool, len(cols))
	for _, c := range cols {
		out[c.Name] = true
	}
	return out
}
