package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/product"
	"github.com/seatkeeper/seatkeeper/internal/store"
)

// runKeys manages the keys that sign license tokens: "keys rotate" makes a
// new key current. Servers sharing the database sign with it from their next
// token on; the retired key stays published until its tokens have expired.
func runKeys(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("keys", flag.ContinueOnError)
	fs.SetOutput(stderr)
	database := fs.String("database", defaultDatabase, "database URL: sqlite:PATH or postgres://…")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: seatkeeper keys rotate [flags]")
		fs.PrintDefaults()
	}
	// Like migrate, the action may come before or after the flags.
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
	if fs.NArg() != 0 || action != "rotate" {
		fs.Usage()
		return fmt.Errorf("keys needs the action rotate")
	}

	db, err := store.Open(ctx, *database)
	if err != nil {
		return err
	}
	defer db.Close()

	keys := product.New(product.Config{DB: db, Clock: sk.SystemClock{},
		Logger: slog.New(slog.DiscardHandler)})
	key, retired, err := keys.RotateKey(ctx)
	if err != nil {
		return fmt.Errorf("rotating the signing key: %w", err)
	}
	fmt.Fprintf(stdout, "signing with new key %s\n", key.KeyID)
	if retired != "" {
		fmt.Fprintf(stdout, "retired key %s: still published until the tokens it signed "+
			"have expired\n", retired)
	}
	return nil
}
