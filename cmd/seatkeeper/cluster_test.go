package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/seatkeeper/seatkeeper/internal/mail/mailtest"
	"github.com/seatkeeper/seatkeeper/internal/store"
	"github.com/seatkeeper/seatkeeper/internal/store/storetest"
)

// TestThreeServersShareOnePostgres starts three serve processes on one
// PostgreSQL database (they migrate it together at start), has a person sign
// up, verify and buy through different ones, and races fifty assignments of
// one license across all three: exactly one wins.
func TestThreeServersShareOnePostgres(t *testing.T) {
	if os.Getenv(storetest.PostgresEnv) == "" {
		t.Skipf("%s is not set", storetest.PostgresEnv)
	}
	t.Parallel()
	url := storetest.URL(t, store.Postgres)
	mailDir := t.TempDir()

	var servers []*server
	for range 3 {
		servers = append(servers, startServer(t, serveFlags(url, "--mail", "dir:"+mailDir)...))
	}
	for _, s := range servers {
		s.waitLog(t, "listening")
	}

	call(t, servers[0], "POST", "/api/v1/auth/signup", "", map[string]string{
		"email": "ada@example.com", "name": "Ada", "password": "correct horse battery"}, 202)
	token := mailedToken(t, mailDir)
	call(t, servers[1], "POST", "/api/v1/auth/verify", "", map[string]string{"token": token}, 200)
	var login struct{ Token string }
	decodeInto(t, call(t, servers[2], "POST", "/api/v1/auth/login", "", map[string]string{
		"email": "ada@example.com", "password": "correct horse battery"}, 200), &login)

	var bought struct {
		Organization struct{ ID string }
	}
	decodeInto(t, call(t, servers[0], "POST", "/api/v1/checkout", login.Token, map[string]any{
		"plan": "team", "period": "month", "seats": 50, "organization_name": "Acme",
		"card": map[string]any{"number": "4242424242424242", "exp_month": 12,
			"exp_year": 2040, "cvc": "123"},
	}, 201), &bought)
	org := bought.Organization.ID
	var licenses struct{ Data []struct{ ID string } }
	decodeInto(t, call(t, servers[1], "GET", "/api/v1/orgs/"+org+"/licenses", login.Token, nil,
		200), &licenses)

	var mu sync.Mutex
	statuses := map[int]int{}
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Go(func() {
			code := status(t, servers[i%3], "PUT", "/api/v1/orgs/"+org+"/licenses/"+
				licenses.Data[0].ID+"/assignee", login.Token,
				map[string]string{"email": fmt.Sprintf("p%d@example.com", i)})
			mu.Lock()
			statuses[code]++
			mu.Unlock()
		})
	}
	wg.Wait()
	if statuses[200] != 1 || statuses[409] != 49 {
		t.Errorf("fifty assignments of one license over three servers: %v", statuses)
	}
}

// call sends a JSON request and checks the status; it returns the body.
func call(t *testing.T, s *server, method, path, token string, body any, want int) []byte {
	t.Helper()
	status, data := do(t, s, method, path, token, body)
	if status != want {
		t.Fatalf("%s %s: %d, want %d: %s", method, path, status, want, data)
	}
	return data
}

func status(t *testing.T, s *server, method, path, token string, body any) int {
	status, _ := do(t, s, method, path, token, body)
	return status
}

func do(t *testing.T, s *server, method, path, token string, body any) (int, []byte) {
	var r *http.Request
	var err error
	if body == nil {
		r, err = http.NewRequest(method, s.url(path), nil)
	} else {
		b, _ := json.Marshal(body)
		r, err = http.NewRequest(method, s.url(path), bytes.NewReader(b))
		r.Header.Set("Content-Type", "application/json")
	}
	if err != nil {
		t.Error(err)
		return 0, nil
	}
	if token != "" {
		r.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Error(err)
		return 0, nil
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	buf.ReadFrom(resp.Body)
	return resp.StatusCode, buf.Bytes()
}

func decodeInto(t *testing.T, data []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("decoding %s: %v", data, err)
	}
}

var linkToken = regexp.MustCompile(`token=(skl_[A-Z2-7]+)`)

// mailedToken waits for the one message in dir and returns its link's token.
func mailedToken(t *testing.T, dir string) string {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
		if len(files) == 1 {
			raw, err := os.ReadFile(files[0])
			if err != nil {
				t.Fatal(err)
			}
			m := linkToken.FindStringSubmatch(mailtest.Parse(t, raw).Text)
			if m == nil {
				t.Fatalf("no link in the mail")
			}
			return m[1]
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("no mail arrived")
	return ""
}
