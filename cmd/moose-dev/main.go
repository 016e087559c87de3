// Command moose-dev is the MooseStack development loop and migration
// engine. This package only wires packages together.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/moose-dev/moose-dev/chdb"
	"github.com/moose-dev/moose-dev/display"
	"github.com/moose-dev/moose-dev/templates"
	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	chdb.RunChildIfRequested()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := newRoot().ExecuteContext(ctx)
	stop()
	if err != nil {
		if !errors.Is(err, errReported) {
			fmt.Fprintln(os.Stderr, "Error:", err)
		}
		os.Exit(1)
	}
}

// errReported is returned by commands that already printed their error.
var errReported = errors.New("reported")

type globals struct {
	projectDir string
}

func newRoot() *cobra.Command {
	g := &globals{}
	root := &cobra.Command{
		Use:           "moose-dev",
		Short:         "The MooseStack development loop and migration engine",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().StringVarP(&g.projectDir, "project", "p", ".", "project directory (holds moose.config.toml)")
	root.AddCommand(devCmd(g), checkCmd(g), lsCmd(g), peekCmd(g), queryCmd(g), logsCmd(g), planCmd(g), generateCmd(g), migrateCmd(g), serveCmd(g), initCmd(), setupCmd(), versionCmd())
	return root
}

func newPrinter(timestamps bool) *display.Printer {
	p := display.NewPrinter(os.Stdout, display.NewStyles(display.ColorWanted(os.Stdout)))
	p.Timestamps = timestamps
	p.Animate = display.IsTerminal(os.Stdout) && os.Getenv("NO_ANSI") == ""
	return p
}

func setupCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "setup",
		Short: "Fetch the embedded ClickHouse engine (chDB) into the user cache",
		RunE: func(cmd *cobra.Command, args []string) error {
			path, err := chdb.Fetch(cmd.Context(), os.Stderr)
			if err != nil {
				return err
			}
			fmt.Println(path)
			return nil
		},
	}
}

func versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Run: func(cmd *cobra.Command, args []string) {
			fmt.Printf("moose-dev %s (embedded ClickHouse: chDB %s)\n", version, chdb.Version)
		},
	}
}

func absDir(dir string) string {
	if a, err := filepath.Abs(dir); err == nil {
		return a
	}
	return dir
}

func initCmd() *cobra.Command {
	var tmpl string
	cmd := &cobra.Command{
		Use:   "init DIR",
		Short: "Create a new project from a template",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := templates.Write(tmpl, args[0]); err != nil {
				return err
			}
			fmt.Printf("created %s from the %s template: cd %s && moose-dev dev\n", args[0], tmpl, args[0])
			return nil
		},
	}
	cmd.Flags().StringVar(&tmpl, "template", "python", "template: python or typescript")
	return cmd
}
