package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/moose-dev/moose-dev/devloop"
	"github.com/moose-dev/moose-dev/infra"
	"github.com/moose-dev/moose-dev/parser"
	"github.com/moose-dev/moose-dev/project"
	"github.com/spf13/cobra"
)

func checkCmd(g *globals) *cobra.Command {
	var write bool
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Load the project and report errors; optionally write .moose/infrastructure_map.json",
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := project.Load(g.projectDir)
			if err != nil {
				return err
			}
			loader := parser.NewLoader(p.Root, p.Config.SourceDir, p.Config.Language).CheckClusters(p.Config.ClickHouse.ClusterNames())
			res, err := loader.Load(p.Config.ClickHouse.DBName)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				return errReported
			}
			if msg := loader.UnloadedWarning(res.Unloaded); msg != "" {
				fmt.Fprintln(os.Stderr, "warning: Unloaded Files: "+msg)
			}
			for _, w := range res.Warnings {
				fmt.Fprintln(os.Stderr, "warning: "+w)
			}
			fmt.Printf("%s: %d table(s), %d topic(s) from %d file(s)\n", p.Root, len(res.Map.Tables), len(res.Map.Topics), len(res.Files))
			if write {
				data, err := infra.MarshalSorted(res.Map.Masked())
				if err != nil {
					return err
				}
				path := filepath.Join(p.StateDir(), "infrastructure_map.json")
				if err := devloop.WriteFileAtomic(path, data); err != nil {
					return err
				}
				fmt.Println("wrote", path)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&write, "write-infra-map", false, "write .moose/infrastructure_map.json")
	return cmd
}
