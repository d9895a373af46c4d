package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/seatkeeper/seatkeeper/internal/store"
)

// runBackup writes a consistent copy of an SQLite store to a file, safely
// while servers use the store. PostgreSQL has pg_dump for that.
func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	database := fs.String("database", defaultDatabase,
		"the SQLite store to copy: sqlite:PATH")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: seatkeeper backup PATH [flags]")
		fs.PrintDefaults()
	}
	// Like migrate's action, PATH may come before or after the flags.
	var path string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		path, args = args[0], args[1:]
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	if path == "" && fs.NArg() > 0 {
		path = fs.Arg(0)
		fs.Parse(fs.Args()[1:])
	}
	if fs.NArg() != 0 || path == "" {
		fs.Usage()
		return errors.New("backup needs one PATH to write the copy to")
	}

	if strings.HasPrefix(*database, "postgres://") ||
		strings.HasPrefix(*database, "postgresql://") {
		return errors.New("backup copies SQLite stores; back up PostgreSQL with pg_dump " +
			"(docs/operations.md shows how)")
	}
	source := strings.TrimPrefix(*database, "sqlite:")
	if _, err := os.Stat(source); err != nil {
		return fmt.Errorf("no SQLite store to back up at %s: %w", source, err)
	}
	return backup(ctx, *database, path, stdout)
}

func backup(ctx context.Context, database, path string, stdout io.Writer) error {
	db, err := store.Open(ctx, database)
	if err != nil {
		return err
	}
	defer db.Close()

	start := time.Now()
	if err := db.Backup(ctx, path); err != nil {
		return err
	}
	info, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("backing up: %w", err)
	}
	fmt.Fprintf(stdout, "backed up %s to %s: %d bytes in %s\n",
		strings.TrimPrefix(database, "sqlite:"), path, info.Size(),
		time.Since(start).Round(time.Millisecond))
	return nil
}
