package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/moose-dev/moose-dev/display"
	"github.com/moose-dev/moose-dev/project"
	"github.com/spf13/cobra"
)

// LogFile is the daemon's structured log, under .moose/.
const LogFile = "dev.log"

func logsCmd(g *globals) *cobra.Command {
	var follow bool
	cmd := &cobra.Command{
		Use:   "logs",
		Short: "Show the dev daemon's log (.moose/dev.log); -f follows it",
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := project.Load(g.projectDir)
			if err != nil {
				return err
			}
			f, err := os.Open(filepath.Join(p.StateDir(), LogFile))
			if err != nil {
				return fmt.Errorf("no log yet in %s: run moose-dev dev first", p.StateDir())
			}
			defer f.Close()
			return printLog(cmd.Context(), f, os.Stdout, follow)
		},
	}
	cmd.Flags().BoolVarP(&follow, "follow", "f", false, "keep printing new lines")
	return cmd
}

// printLog prints log entries as `time level action message`; following,
// it waits for new lines until ctx ends.
func printLog(ctx context.Context, r io.Reader, w io.Writer, follow bool) error {
	br := bufio.NewReader(r)
	var partial string
	for {
		line, err := br.ReadString('\n')
		partial += line
		if err == nil {
			var e display.LogEntry
			if json.Unmarshal([]byte(partial), &e) == nil {
				fmt.Fprintf(w, "%s %-6s %-12s %s\n", e.Time.Local().Format("15:04:05.000"), e.Level, e.Action,
					strings.ReplaceAll(e.Message, "\n", "\n"+strings.Repeat(" ", 33)))
			}
			partial = ""
			continue
		}
		if err != io.EOF {
			return err
		}
		if !follow {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(200 * time.Millisecond):
		}
	}
}
