package clickhouse_test

import (
	"errors"

	"github.com/moose-dev/moose-dev/clickhouse"
)

func asApplyError(err error, target **clickhouse.ApplyError) bool { return errors.As(err, target) }
