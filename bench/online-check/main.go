// Command online-check measures the product's online license check,
// GET /api/v1/me/licenses with an API token, over HTTP on loopback. It
// serves the real handler (internal/app, middleware and all) and, beside
// it, a minimal net/http handler that answers with the same single indexed
// read of the same store (the held licenses: one statement, no transaction)
// and no authentication at all. It loads each with wrk in turn and prints
// both rates and their ratio.
//
//	go run ./bench/online-check                          # SQLite, a temporary file
//	go run ./bench/online-check -database 'postgres://…' # PostgreSQL, a temporary schema
//
// wrk must be on PATH (apt-get install wrk).
package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx", to make the schema

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/app"
	"github.com/seatkeeper/seatkeeper/internal/mail"
	"github.com/seatkeeper/seatkeeper/internal/secret"
	"github.com/seatkeeper/seatkeeper/internal/store"
)

// options are the command's flags.
type options struct {
	database    string
	duration    time.Duration
	connections int
	threads     int
	wrk         string
	cpuProfile  string
}

func main() {
	var o options
	flag.StringVar(&o.database, "database", "",
		"postgres://… URL (a temporary schema is made in it); empty for a temporary SQLite file")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "how long wrk loads each handler")
	flag.IntVar(&o.connections, "connections", 8, "wrk's open connections")
	flag.IntVar(&o.threads, "threads", 1, "wrk's threads")
	flag.StringVar(&o.wrk, "wrk", "wrk", "the wrk command")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "",
		"write a CPU profile of this process while wrk loads the real handler")
	flag.Parse()
	log.SetFlags(0)

	if err := run(context.Background(), o); err != nil {
		log.Fatal("online-check: ", err)
	}
}

func run(ctx context.Context, o options) error {
	dbURL, cleanup, err := databaseURL(ctx, o.database)
	if err != nil {
		return err
	}
	defer cleanup()
	db, err := store.Open(ctx, dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}

	f, err := newFixture(ctx, db)
	if err != nil {
		return fmt.Errorf("preparing the store: %w", err)
	}
	realURL, err := serveReal(db)
	if err != nil {
		return err
	}
	minimalURL, err := serve(minimal(db, f.userID))
	if err != nil {
		return err
	}
	if err := sameAnswers(f, realURL, minimalURL); err != nil {
		return err
	}

	fmt.Printf("online check on %s: wrk -t%d -c%d -d%s, loopback\n", db.Dialect(), o.threads,
		o.connections, o.duration)
	stop, err := profile(o.cpuProfile)
	if err != nil {
		return err
	}
	realRate, err := load(o, realURL, f.token)
	stop()
	if err != nil {
		return err
	}
	minimalRate, err := load(o, minimalURL, f.token)
	if err != nil {
		return err
	}
	fmt.Printf("real handler     %9.0f req/s\n", realRate)
	fmt.Printf("minimal handler  %9.0f req/s\n", minimalRate)
	fmt.Printf("ratio            %9.1f%%\n", 100*realRate/minimalRate)
	return nil
}

// fixture is a user with an API token who holds one license.
type fixture struct {
	userID string
	token  string
}

func newFixture(ctx context.Context, db *store.DB) (*fixture, error) {
	now := sk.SystemClock{}.Now()
	f := &fixture{userID: sk.NewID(sk.PrefixUser, now)}
	plain, hash := secret.New(secret.PrefixAPIToken)
	f.token = plain
	orgID := sk.NewID(sk.PrefixOrganization, now)
	customerID := sk.NewID(sk.PrefixCustomer, now)

	err := db.Tx(ctx, func(tx *store.Tx) error {
		steps := []func() error{
			func() error {
				return tx.CreateUser(ctx, &store.UserRecord{User: sk.User{ID: f.userID,
					Email: "holder@example.com", Name: "Holder", CreatedAt: now},
					PasswordHash: "-"})
			},
			func() error { return tx.MarkEmailVerified(ctx, f.userID, now) },
			func() error {
				return tx.CreateAPIToken(ctx, f.userID, hash, &sk.APIToken{
					ID: sk.NewID(sk.PrefixToken, now), Name: "bench", CreatedAt: now})
			},
			func() error {
				return tx.CreateOrganization(ctx, &sk.Organization{ID: orgID, Name: "Acme",
					CreatedAt: now}, nil)
			},
			func() error {
				return tx.UpsertPlan(ctx, &store.PlanRecord{ID: "bench", Name: "Bench",
					Kind: "organization", Currency: "EUR", PriceMonth: 100, PriceYear: 1000,
					MinSeats: 1, MaxSeats: 10, MaxActivations: 1})
			},
			func() error {
				return tx.CreateCustomer(ctx, &store.CustomerRecord{ID: customerID,
					BillingName: "Acme", BillingEmail: "billing@example.com", Currency: "EUR",
					CreatedAt: now})
			},
			func() error {
				ids, err := tx.CreateSubscription(ctx, &store.SubscriptionRecord{
					ID: sk.NewID(sk.PrefixSubscription, now), CustomerID: customerID,
					OrgID: &orgID, PlanID: "bench", Period: "year", Seats: 1, Status: "active",
					PeriodStart: now, PeriodEnd: now.AddDate(1, 0, 0), CreatedAt: now})
				if err != nil {
					return err
				}
				return tx.SetAssignee(ctx, ids[0], &f.userID, nil, now)
			},
		}
		for _, step := range steps {
			if err := step(); err != nil {
				return err
			}
		}
		return nil
	})
	return f, err
}

// serveReal serves the whole application, as seatkeeper serve does.
func serveReal(db *store.DB) (string, error) {
	quiet := slog.New(slog.DiscardHandler)
	transport, err := mail.NewTransport("log", "", quiet)
	if err != nil {
		return "", err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	a, err := app.New(app.Config{DB: db, Mail: transport, Logger: quiet,
		BaseURL: "http://" + ln.Addr().String()})
	if err != nil {
		return "", err
	}
	go http.Serve(ln, a.Handler)
	return "http://" + ln.Addr().String() + "/api/v1/me/licenses", nil
}

// minimal answers with the user's held licenses: one indexed query, outside
// any transaction, and JSON. It checks no token.
func minimal(db *store.DB, userID string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var held []sk.HeldLicense
		err := db.Read(r.Context(), func(tx *store.Tx) error {
			var err error
			held, err = tx.HeldLicenses(r.Context(), userID)
			return err
		})
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"data": held})
	})
}

func serve(h http.Handler) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	go http.Serve(ln, h)
	return "http://" + ln.Addr().String() + "/", nil
}

// sameAnswers checks that both handlers list the fixture's one license.
func sameAnswers(f *fixture, urls ...string) error {
	var first string
	for _, u := range urls {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		req.Header.Set("Authorization", "Bearer "+f.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		var body struct{ Data []sk.HeldLicense }
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK || len(body.Data) != 1 ||
			!body.Data[0].Valid {
			return fmt.Errorf("GET %s: status %d, %+v, %v", u, resp.StatusCode, body, err)
		}
		if first != "" && body.Data[0].ID != first {
			return errors.New("the two handlers list different licenses")
		}
		first = body.Data[0].ID
	}
	return nil
}

// profile starts a CPU profile into path, unless path is "", and returns
// what stops it.
func profile(path string) (func(), error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

var rateLine = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)

// load runs wrk against a URL and returns its requests per second. Any
// answer but 2xx makes it fail.
func load(o options, target, token string) (float64, error) {
	cmd := exec.Command(o.wrk, "-t", strconv.Itoa(o.threads), "-c", strconv.Itoa(o.connections),
		"-d", o.duration.String(), "-H", "Authorization: Bearer "+token, target)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("running wrk: %w\n%s", err, out)
	}
	if strings.Contains(string(out), "Non-2xx") {
		return 0, fmt.Errorf("wrk saw failed requests:\n%s", out)
	}
	m := rateLine.FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("no rate in wrk's output:\n%s", out)
	}
	return strconv.ParseFloat(string(m[1]), 64)
}

// databaseURL returns where the benchmark's store lives: a temporary SQLite
// file, or a temporary schema of the PostgreSQL database; cleanup removes
// it.
func databaseURL(ctx context.Context, raw string) (string, func(), error) {
	if raw == "" {
		dir, err := os.MkdirTemp("", "online-check-")
		if err != nil {
			return "", nil, err
		}
		return "sqlite:" + filepath.Join(dir, "bench.db"), func() { os.RemoveAll(dir) }, nil
	}

	admin, err := sql.Open("pgx", raw)
	if err != nil {
		return "", nil, err
	}
	schema := "bench_" + strings.ToLower(rand.Text()[:12])
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("creating schema: %w", err)
	}
	cleanup := func() {
		admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		admin.Close()
	}
	u, err := url.Parse(raw)
	if err != nil {
		cleanup()
		return "", nil, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), cleanup, nil
}
