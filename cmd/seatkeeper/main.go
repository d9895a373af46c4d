// Command seatkeeper runs the Seatkeeper server and its maintenance tasks.
//
//	seatkeeper serve [flags]          run the dashboard and the API
//	seatkeeper migrate up|status      apply or list schema migrations
//	seatkeeper keys rotate            sign license tokens with a new key
//	seatkeeper backup PATH            copy an SQLite store, safely while serving
//	seatkeeper fixture [flags]        fill an empty store with a large customer
//	seatkeeper version                print the version
//
// Every flag can also be set with an environment variable SEATKEEPER_<NAME>,
// with the flag's name in capitals and dashes as underscores; a flag on the
// command line wins over the environment.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	sk "github.com/seatkeeper/seatkeeper"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "seatkeeper:", err)
		}
		os.Exit(2)
	}
}

const usage = `usage: seatkeeper <command> [flags]

commands:
  serve            run the dashboard and the JSON API
  migrate up       apply every pending schema migration
  migrate status   list the schema migrations and whether each is applied
  keys rotate      sign license tokens with a new key from now on
  backup PATH      copy an SQLite store to PATH, safely while it is in use
  fixture          fill an empty store with a large customer, for benchmarks
  version          print the version

Run "seatkeeper <command> -h" for a command's flags.
`

// run executes the command in args. It returns when the command is done or
// ctx is cancelled (SIGINT, SIGTERM).
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}

	switch cmd, rest := args[0], args[1:]; cmd {
	case "serve":
		return runServe(ctx, rest, stdout, stderr)
	case "migrate":
		return runMigrate(ctx, rest, stdout, stderr)
	case "keys":
		return runKeys(ctx, rest, stdout, stderr)
	case "backup":
		return runBackup(ctx, rest, stdout, stderr)
	case "fixture":
		return runFixture(ctx, rest, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "seatkeeper", sk.Version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}

// parse parses args into fs, then fills every flag not given on the command
// line from its SEATKEEPER_ environment variable.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}

	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })

	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		name := envName(f.Name)
		v, ok := os.LookupEnv(name)
		if given[f.Name] || !ok {
			return
		}
		if err := fs.Set(f.Name, v); err != nil {
			errs = append(errs, fmt.Errorf("invalid %s %q: %w", name, v, err))
		}
	})
	return errors.Join(errs...)
}

func envName(flagName string) string {
	return "SEATKEEPER_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// newLogger returns a logger writing to w in the given format.
func newLogger(w io.Writer, format, level string) (*slog.Logger, error) {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("invalid --log-level %q: want debug, info, warn or error", level)
	}

	opts := &slog.HandlerOptions{Level: lvl}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("invalid --log-format %q: want text or json", format)
}
