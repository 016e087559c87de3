package differ

import (
	"github.com/moose-dev/moose-dev/infra"
)

// Plan turns OLAP changes into operations: every teardown operation (drops)
// first, then every setup operation (creates, adds, modifies), each phase in
// the order of the changes, as upstream orders them.
func Plan(changes []Change) []infra.Operation {
	var teardown, setup []infra.Operation
	for _, c := range changes {
		switch c := c.(type) {
		case AddTable:
			setup = append(setup, infra.CreateTable{Table: c.Table})
		case DropTable:
			teardown = append(teardown, dropTable(c.Table))
		case RecreateTable:
			teardown = append(teardown, dropTable(c.Before))
			setup = append(setup, infra.CreateTable{Table: c.After})
		case UpdateTable:
			for _, cc := range c.Columns {
				switch cc.Kind {
				case ColumnRemoved:
					teardown = append(teardown, infra.DropTableColumn{Table: c.After.Name, ColumnName: cc.Before.Name,
						Database: c.After.Database, ClusterName: c.After.ClusterName})
				case ColumnAdded:
					setup = append(setup, infra.AddTableColumn{Table: c.After.Name, Column: cc.After, AfterColumn: cc.AfterColumn,
						Database: c.After.Database, ClusterName: c.After.ClusterName})
				case ColumnModified:
					setup = append(setup, infra.ModifyTableColumn{Table: c.After.Name, BeforeColumn: cc.Before, AfterColumn: cc.After,
						Database: c.After.Database, ClusterName: c.After.ClusterName})
				}
			}
		}
	}
	return append(teardown, setup...)
}

func dropTable(t *infra.Table) infra.Operation {
	return infra.DropTable{Table: t.Name, Database: t.Database, ClusterName: t.ClusterName}
}

// TopicChanges returns the streaming changes of a change list.
func TopicChanges(changes []Change) []Change {
	var out []Change
	for _, c := range changes {
		switch c.(type) {
		case AddTopic, DropTopic, UpdateTopic:
			out = append(out, c)
		}
	}
	return out
}
