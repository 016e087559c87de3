package clickhouse

import (
	"context"
	"fmt"
	"strings"

	"github.com/moose-dev/moose-dev/infra"
)

// ConversionError says a type change would fail on existing rows; nothing
// was changed.
type ConversionError struct {
	Table, Column string
	From, To      string
	Bad, Total    uint64
	Examples      []string
}

func (e *ConversionError) Error() string {
	ex := ""
	if len(e.Examples) > 0 {
		q := make([]string, len(e.Examples))
		for i, s := range e.Examples {
			q[i] = QuoteString(s)
		}
		ex = " (e.g. " + strings.Join(q, ", ") + ")"
	}
	return fmt.Sprintf("column %s.%s: %d of %d row(s) cannot be converted from %s to %s%s; the table was left unchanged. "+
		"Fix or delete those rows, or add a new column and backfill it", e.Table, e.Column, e.Bad, e.Total, e.From, e.To, ex)
}

// ConversionLoss is the condition, over the rows of the table holding
// before, under which a value would not survive becoming after: NULL into
// a required column, or a value accurateCastOrNull cannot convert
// (overflow, text that is no number...). ok is false when the types are
// the same or cannot be rendered. The executor checks it before a MODIFY
// COLUMN, and a recreate's copy before it starts
// (differ.PlanOptions.ConversionLoss).
func ConversionLoss(before, after infra.Column) (condition string, ok bool) {
	from, err := columnTypeSQL(before)
	if err != nil {
		return "", false
	}
	to, err := columnTypeSQL(after)
	if err != nil || from == to {
		return "", false
	}
	col := Quote(before.Name)
	if strings.HasPrefix(to, "Nullable(") {
		return fmt.Sprintf("(%s IS NOT NULL AND accurateCastOrNull(%s, %s) IS NULL)", col, col, QuoteString(strings.TrimSuffix(strings.TrimPrefix(to, "Nullable("), ")"))), true
	}
	return fmt.Sprintf("(%s IS NULL OR accurateCastOrNull(%s, %s) IS NULL)", col, col, QuoteString(to)), true
}

// checkConversion counts the rows whose value would not survive the type
// change. A query the server cannot run (a type pair accurateCastOrNull does
// not handle) is not an answer: the change then goes ahead, guarded by
// rollback.
func (c *Client) checkConversion(ctx context.Context, db string, o infra.ModifyTableColumn) error {
	bad, ok := ConversionLoss(o.BeforeColumn, o.AfterColumn)
	if !ok {
		return nil
	}
	from, _ := columnTypeSQL(o.BeforeColumn)
	to, _ := columnTypeSQL(o.AfterColumn)
	col := Quote(o.BeforeColumn.Name)
	// up to five distinct examples: a column full of one bad value ('')
	// would otherwise show it five times
	q := fmt.Sprintf("SELECT countIf(%s), count(), arraySort(groupUniqArrayIf(5)(toString(%s), %s)) FROM %s",
		bad, col, bad, tableRef(db, o.Table))
	rows, err := c.conn.Query(ctx, q)
	if err != nil {
		return nil
	}
	defer rows.Close()
	var nBad, total uint64
	var examples []string
	if !rows.Next() || rows.Scan(&nBad, &total, &examples) != nil || nBad == 0 {
		return nil
	}
	return &ConversionError{Table: o.Table, Column: o.AfterColumn.Name, From: from,
		To: to, Bad: nBad, Total: total, Examples: examples}
}

// rollbackModify undoes a failed MODIFY COLUMN: it kills the stuck mutation
// and restores the column's previous definition, so the table stays
// readable.
func (c *Client) rollbackModify(ctx context.Context, db string, o infra.ModifyTableColumn) error {
	kill := fmt.Sprintf("KILL MUTATION WHERE database = %s AND table = %s AND is_done = 0 SYNC", QuoteString(db), QuoteString(o.Table))
	if err := c.Exec(ctx, kill); err != nil {
		return fmt.Errorf("killing the failed mutation: %w", err)
	}
	back, err := modifyColumnSQL(tableRef(db, o.Table), o.AfterColumn, o.BeforeColumn)
	if err != nil {
		return err
	}
	for _, s := range back {
		if err := c.Exec(ctx, s); err != nil {
			return fmt.Errorf("restoring column %s: %w", o.BeforeColumn.Name, err)
		}
	}
	return nil
}
