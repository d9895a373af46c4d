package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/seatkeeper/seatkeeper/internal/fixture"
	"github.com/seatkeeper/seatkeeper/internal/store"
)

// runFixture fills an empty store with one large customer, for benchmarks
// and demos at scale. It migrates the store first, so a fresh database
// will do.
func runFixture(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("fixture", flag.ContinueOnError)
	fs.SetOutput(stderr)
	database := fs.String("database", defaultDatabase, "database URL: sqlite:PATH or postgres://…")
	baseURL := fs.String("base-url", "http://"+defaultAddr,
		"the URL the store will be served at, for the sign-in hint")
	size := fixture.Default
	fs.IntVar(&size.Licenses, "licenses", size.Licenses, "seats of the one subscription")
	fs.IntVar(&size.Teams, "teams", size.Teams, "teams; nine in ten licenses are delegated to them")
	fs.IntVar(&size.People, "people", size.People, "accounts with a role")
	fs.IntVar(&size.Holders, "holders", size.Holders, "accounts that hold a license and no role")
	fs.IntVar(&size.Pending, "pending", size.Pending,
		"licenses held pending for addresses with no account")
	fs.IntVar(&size.Invitations, "invitations", size.Invitations,
		"pending invitations, at most 100")
	fs.IntVar(&size.Months, "months", size.Months, "months of billing history")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: seatkeeper fixture [flags]")
		fs.PrintDefaults()
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		fs.Usage()
		return fmt.Errorf("fixture takes no arguments, only flags")
	}

	db, err := store.Open(ctx, *database)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}

	logger := slog.New(slog.NewTextHandler(stderr, nil))
	res, err := fixture.Fill(ctx, db, size, logger)
	if err != nil {
		return err
	}
	fixture.Print(stdout, *baseURL, res)
	return nil
}
