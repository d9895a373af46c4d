package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/seatkeeper/seatkeeper/internal/store"
)

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	database := fs.String("database", defaultDatabase, "database URL: sqlite:PATH or postgres://…")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: seatkeeper migrate up|status [flags]")
		fs.PrintDefaults()
	}
	// The action may come before the flags ("migrate up --database …"),
	// where the flag package would stop parsing, or after them.
	var action string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		action, args = args[0], args[1:]
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	if action == "" && fs.NArg() > 0 {
		action = fs.Arg(0)
		if err := fs.Parse(fs.Args()[1:]); err != nil {
			return err
		}
	}
	if fs.NArg() != 0 || (action != "up" && action != "status") {
		fs.Usage()
		return fmt.Errorf("migrate needs one of: up, status")
	}

	db, err := store.Open(ctx, *database)
	if err != nil {
		return err
	}
	defer db.Close()

	if action == "up" {
		n, err := db.Migrate(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "applied %d migration(s)\n", n)
		return nil
	}

	list, err := db.Migrations(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tSTATE\tFILE")
	for _, m := range list {
		state := "pending"
		if m.Applied {
			state = "applied"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\n", m.Version, state, m.Name)
	}
	return tw.Flush()
}
