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
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/moose-dev/moose-dev/chdb"
	"github.com/moose-dev/moose-dev/display"
	"github.com/moose-dev/moose-dev/templates"
	"github.com/spf13/cobra"
)

// version, when set at build time with -ldflags "-X main.version=...",
// replaces the module version the Go toolchain records in the binary.
var version string

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
		Version:       versionText(),
	}
	root.SetVersionTemplate("{{.Version}}")
	root.PersistentFlags().StringVarP(&g.projectDir, "project", "p", ".", "project directory (holds moose.config.toml)")
	root.AddCommand(devCmd(g), checkCmd(g), lsCmd(g), peekCmd(g), queryCmd(g), logsCmd(g), planCmd(g), generateCmd(g), migrateCmd(g), serveCmd(g), initCmd(), setupCmd(), versionCmd())
	return root
}

func newPrinter(timestamps bool) *display.Printer {
	p := display.NewPrinter(os.Stdout, display.NewStyles(display.ColorWanted(os.Stdout)))
	p.Timestamps = timestamps
	// a spinner is escape codes: none under NO_COLOR or NO_ANSI either
	p.Animate = display.IsTerminal(os.Stdout) && os.Getenv("NO_ANSI") == "" && os.Getenv("NO_COLOR") == ""
	p.Width = display.TerminalWidth(os.Stdout)
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
		Short: "Print the version (module, VCS revision, embedded ClickHouse, Go)",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, args []string) {
			fmt.Print(versionText())
		},
	}
}

// versionText is what `moose-dev version` and `moose-dev --version` print.
func versionText() string {
	info, _ := debug.ReadBuildInfo()
	return formatVersion(info, version, chdb.Version, runtime.Version()+" ("+runtime.GOOS+"/"+runtime.GOARCH+")")
}

// formatVersion renders the build info the Go toolchain records in the
// binary: the module version ("(devel)" when built from a tree without one,
// or override when set) and, when built in a repository, the revision, its
// commit time and whether the tree had uncommitted changes, e.g.
//
//	moose-dev v0.0.0-20261202100000-abc123456789 (revision abc123456789, 2026-12-02T10:00:00Z, modified)
//	embedded ClickHouse: chDB 26.7.3-stable.1
//	built with go1.26.8 (linux/amd64)
func formatVersion(info *debug.BuildInfo, override, engine, goVersion string) string {
	ver := "(devel)"
	var vcs []string
	if info != nil {
		if info.Main.Version != "" {
			ver = info.Main.Version
		}
		var rev, at, modified string
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.time":
				at = s.Value
			case "vcs.modified":
				modified = s.Value
			}
		}
		if rev != "" {
			if len(rev) > 12 {
				rev = rev[:12]
			}
			vcs = append(vcs, "revision "+rev)
			if at != "" {
				vcs = append(vcs, at)
			}
			if modified == "true" {
				vcs = append(vcs, "modified")
			}
		}
	}
	if override != "" {
		ver = override
	}
	var b strings.Builder
	b.WriteString("moose-dev " + ver)
	if len(vcs) > 0 {
		b.WriteString(" (" + strings.Join(vcs, ", ") + ")")
	}
	fmt.Fprintf(&b, "\nembedded ClickHouse: chDB %s\nbuilt with %s\n", engine, goVersion)
	return b.String()
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
