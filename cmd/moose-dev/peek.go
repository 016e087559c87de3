package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/moose-dev/moose-dev/broker"
	"github.com/moose-dev/moose-dev/clickhouse"
	"github.com/moose-dev/moose-dev/devloop"
	"github.com/moose-dev/moose-dev/infra"
	"github.com/moose-dev/moose-dev/project"
	"github.com/segmentio/kafka-go"
	"github.com/spf13/cobra"
)

// appliedState is the map the dev loop last applied.
func appliedState(p *project.Project) (*infra.Map, error) {
	data, err := os.ReadFile(filepath.Join(p.StateDir(), devloop.StateFile))
	if err != nil {
		return nil, fmt.Errorf("nothing applied yet in %s: run moose-dev dev first", p.Root)
	}
	return infra.UnmarshalMap(data)
}

// devClickHouse connects to the ClickHouse a running `moose-dev dev`
// serves ([clickhouse_config]).
func devClickHouse(ctx context.Context, p *project.Project) (*clickhouse.Client, error) {
	c := p.Config.ClickHouse
	addr := net.JoinHostPort(c.Host, strconv.Itoa(c.HostPort))
	client, err := clickhouse.Open(ctx, clickhouse.Config{Addr: addr, User: c.User, Password: c.Password, Database: c.DBName, TLS: c.UseSSL, ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("%v (is moose-dev dev running?)", err)
	}
	return client, nil
}

func peekCmd(g *globals) *cobra.Command {
	var limit int
	var table, stream, asJSON bool
	var file string
	cmd := &cobra.Command{
		Use:     "peek NAME",
		Aliases: []string{"pk"},
		Short:   "Print some rows of a table, or the newest messages of a stream",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := project.Load(g.projectDir)
			if err != nil {
				return err
			}
			m, err := appliedState(p)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			name := args[0]
			t, topic := tableNamed(m, name), topicNamed(m, name)
			var rows [][]byte
			switch {
			case stream || (!table && t == nil && topic != nil):
				if topic == nil {
					return fmt.Errorf("No matching topic found: '%s'. Available topics: %s", name, strings.Join(names(m.Topics, func(t *infra.Topic) string { return t.Name }), ", "))
				}
				rows, err = tailTopic(ctx, p, topic, limit)
			default:
				if t == nil {
					return fmt.Errorf("No matching table found: '%s'. Available tables: %s", name, strings.Join(names(m.Tables, func(t *infra.Table) string { return t.Name }), ", "))
				}
				rows, err = peekTable(ctx, p, m, t, limit)
			}
			if err != nil {
				return err
			}
			out := os.Stdout
			if file != "" {
				f, err := os.Create(file)
				if err != nil {
					return err
				}
				defer f.Close()
				out = f
			}
			for _, r := range rows {
				fmt.Fprintf(out, "%s\n", r)
			}
			if file != "" {
				newPrinter(false).Successf("Peeked", "%d rows written to %q", len(rows), file)
			} else {
				fmt.Println()
				newPrinter(false).Successf("Peeked", "%d rows", len(rows))
			}
			return nil
		},
	}
	cmd.Flags().IntVarP(&limit, "limit", "n", 5, "how many rows or messages")
	cmd.Flags().BoolVarP(&table, "table", "t", false, "NAME is a table")
	cmd.Flags().BoolVarP(&stream, "stream", "s", false, "NAME is a stream")
	cmd.Flags().BoolVar(&asJSON, "json", true, "print one JSON object per line (the only format; as upstream)")
	cmd.Flags().StringVarP(&file, "file", "f", "", "write the rows to a file")
	cmd.MarkFlagsMutuallyExclusive("table", "stream")
	return cmd
}

func names[V any](m map[string]V, name func(V) string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, name(v))
	}
	sort.Strings(out)
	return out
}

func tableNamed(m *infra.Map, name string) *infra.Table {
	for _, id := range m.TableIDs() {
		if t := m.Tables[id]; strings.EqualFold(t.Name, name) || id == name {
			return t
		}
	}
	return nil
}

func topicNamed(m *infra.Map, name string) *infra.Topic {
	for _, id := range m.TopicIDs() {
		if t := m.Topics[id]; strings.EqualFold(t.Name, name) || id == name {
			return t
		}
	}
	return nil
}

// peekTable is upstream's: `SELECT *` in the table's ORDER BY (or key
// columns), limited.
func peekTable(ctx context.Context, p *project.Project, m *infra.Map, t *infra.Table, limit int) ([][]byte, error) {
	client, err := devClickHouse(ctx, p)
	if err != nil {
		return nil, err
	}
	defer client.Close()
	order := ""
	switch {
	case t.OrderBy.IsExpr && t.OrderBy.Expr != "":
		order = " ORDER BY " + t.OrderBy.Expr
	case len(t.OrderBy.Fields) > 0:
		order = " ORDER BY " + quoteAll(t.OrderBy.Fields)
	default:
		var keys []string
		for _, c := range t.Columns {
			if c.PrimaryKey {
				keys = append(keys, c.Name)
			}
		}
		if len(keys) > 0 {
			order = " ORDER BY " + quoteAll(keys)
		}
	}
	sql := fmt.Sprintf("SELECT * FROM %s.%s%s LIMIT %d", clickhouse.Quote(t.DatabaseOr(m.DefaultDatabase)), clickhouse.Quote(t.Name), order, limit)
	rows, err := client.QueryJSON(ctx, sql)
	if err != nil {
		return nil, fmt.Errorf("ClickHouse query error: %v", err)
	}
	return rows, nil
}

func quoteAll(cols []string) string {
	q := make([]string, len(cols))
	for i, c := range cols {
		q[i] = clickhouse.Quote(c)
	}
	return strings.Join(q, ", ")
}

// tailTopic reads the last limit messages of each partition and returns
// the newest limit of them, newest first.
func tailTopic(ctx context.Context, p *project.Project, t *infra.Topic, limit int) ([][]byte, error) {
	r := p.Config.Redpanda
	sec, err := broker.ParseSecurity(r.SecurityProtocol, r.SASLMechanism, r.SASLUsername, r.SASLPassword)
	if err != nil {
		return nil, err
	}
	a := &broker.Admin{Addr: r.Broker, Namespace: r.Namespace, Security: sec}
	dialer := &kafka.Dialer{Timeout: 5 * time.Second, TLS: sec.TLS, SASLMechanism: sec.SASL}
	type msg struct {
		at    time.Time
		value []byte
	}
	var all []msg
	for part := 0; part < max(t.PartitionCount, 1); part++ {
		conn, err := dialer.DialLeader(ctx, "tcp", r.Broker, a.TopicName(t), part)
		if err != nil {
			return nil, fmt.Errorf("the broker at %s: %v (is moose-dev dev running?)", r.Broker, err)
		}
		first, last, err := conn.ReadOffsets()
		conn.Close()
		if err != nil {
			return nil, err
		}
		start := max(first, last-int64(limit))
		if start >= last {
			continue
		}
		rd := kafka.NewReader(kafka.ReaderConfig{Brokers: []string{r.Broker}, Topic: a.TopicName(t), Partition: part, Dialer: dialer, MaxWait: 100 * time.Millisecond})
		rd.SetOffset(start)
		rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		for off := start; off < last; off++ {
			m, err := rd.ReadMessage(rctx)
			if err != nil {
				break
			}
			all = append(all, msg{m.Time, m.Value})
		}
		cancel()
		rd.Close()
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].at.After(all[j].at) })
	if len(all) > limit {
		all = all[:limit]
	}
	out := make([][]byte, len(all))
	for i, m := range all {
		out[i] = m.value
	}
	return out, nil
}

func queryCmd(g *globals) *cobra.Command {
	var limit int
	var file string
	cmd := &cobra.Command{
		Use:   "query [SQL]",
		Short: "Run SQL on the dev ClickHouse and print each row as JSON",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := project.Load(g.projectDir)
			if err != nil {
				return err
			}
			var sql string
			switch {
			case file != "":
				b, err := os.ReadFile(file)
				if err != nil {
					return fmt.Errorf("Failed to read file: %s", file)
				}
				sql = string(b)
			case len(args) == 1:
				sql = args[0]
			default:
				return fmt.Errorf("give the SQL as an argument or with --file")
			}
			ctx := cmd.Context()
			client, err := devClickHouse(ctx, p)
			if err != nil {
				return err
			}
			defer client.Close()
			rows, err := client.QueryJSON(clickhouse.WithSettings(ctx, map[string]any{"max_result_rows": limit, "result_overflow_mode": "break"}), sql)
			if err != nil {
				return fmt.Errorf("ClickHouse query error: %v", err)
			}
			if len(rows) > limit {
				rows = rows[:limit]
			}
			for _, r := range rows {
				fmt.Printf("%s\n", r)
			}
			fmt.Println()
			newPrinter(false).Successf("Query", "%d rows", len(rows))
			return nil
		},
	}
	cmd.Flags().IntVarP(&limit, "limit", "l", 10000, "at most this many rows")
	cmd.Flags().StringVarP(&file, "file", "f", "", "read the SQL from a file")
	return cmd
}
