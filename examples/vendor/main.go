// Command vendor is the vendor's side of Seatkeeper in miniature: a product
// that, while online, activates the machine it runs on and obtains a signed
// license token, and from then on checks the license offline. It uses only
// the public licensetoken package and net/http.
//
//	vendor -server URL -token API_TOKEN -license LIC -state FILE online
//	vendor -state FILE check
//
// "online" activates this machine for the license (replacing the oldest
// activation if the license is at its limit), asks for a token for it,
// fetches the keys that verify tokens, and saves token and keys to the state
// file. "check" needs no network: it verifies the saved token against the
// saved keys, for this machine, and exits 1 when the product must refuse to
// run. A product would run "online" whenever it can and the token nears its
// end, and "check" at every start.
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/seatkeeper/seatkeeper/licensetoken"
)

// state is what the product keeps between runs: its token and the keys that
// verify it. The server's URL is the issuer tokens must name.
type state struct {
	Server  string          `json:"server"`
	Machine string          `json:"machine"`
	Token   string          `json:"token"`
	Keys    json.RawMessage `json:"keys"`
}

func main() {
	server := flag.String("server", "http://127.0.0.1:8080", "the Seatkeeper server")
	token := flag.String("token", os.Getenv("SEATKEEPER_API_TOKEN"),
		"the user's API token (default $SEATKEEPER_API_TOKEN)")
	license := flag.String("license", "", "the license to use")
	statePath := flag.String("state", "license-state.json", "where the token and keys are kept")
	machine := flag.String("machine", fingerprint(), "this machine's fingerprint")
	flag.Parse()

	var err error
	switch flag.Arg(0) {
	case "online":
		c := &client{server: strings.TrimSuffix(*server, "/"), apiToken: *token}
		var s *state
		if s, err = c.refresh(context.Background(), *license, *machine); err == nil {
			err = save(*statePath, s)
		}
	case "check":
		var claims *licensetoken.Claims
		if claims, err = check(*statePath, *machine, time.Now()); err == nil {
			fmt.Printf("licensed: %s (%s) until %s\n", claims.License, claims.Plan,
				claims.Expires().Format(time.RFC3339))
		}
	default:
		err = errors.New("usage: vendor [flags] online|check")
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "vendor:", err)
		os.Exit(1)
	}
}

// fingerprint names this machine: a hash of its machine ID, or of its host
// name where it has none.
func fingerprint() string {
	id, err := os.ReadFile("/etc/machine-id")
	if err != nil {
		host, _ := os.Hostname()
		id = []byte(host)
	}
	sum := sha256.Sum256(bytes.TrimSpace(id))
	return hex.EncodeToString(sum[:16])
}

// client talks to Seatkeeper's API with a user's API token.
type client struct {
	server   string
	apiToken string
	http     http.Client
}

// refresh activates the machine for the license and returns a fresh token
// for it, with the keys that verify it.
func (c *client) refresh(ctx context.Context, license, machine string) (*state, error) {
	var act struct {
		ID string `json:"id"`
	}
	host, _ := os.Hostname()
	err := c.call(ctx, http.MethodPost, "/api/v1/licenses/"+license+"/activations",
		map[string]any{"fingerprint": machine, "name": "vendor example on " + host,
			"replace_oldest": true}, &act)
	if err != nil {
		return nil, fmt.Errorf("activating this machine: %w", err)
	}

	var tok struct {
		Token string `json:"token"`
	}
	err = c.call(ctx, http.MethodPost, "/api/v1/licenses/"+license+"/token",
		map[string]string{"activation_id": act.ID}, &tok)
	if err != nil {
		return nil, fmt.Errorf("obtaining a license token: %w", err)
	}

	var keys json.RawMessage
	if err := c.call(ctx, http.MethodGet, "/api/v1/license-keys", nil, &keys); err != nil {
		return nil, fmt.Errorf("fetching the license keys: %w", err)
	}
	return &state{Server: c.server, Machine: machine, Token: tok.Token, Keys: keys}, nil
}

// holds asks the server, online, whether the user holds the license and it
// is valid now.
func (c *client) holds(ctx context.Context, license string) (bool, error) {
	var mine struct {
		Data []struct {
			ID    string `json:"id"`
			Valid bool   `json:"valid"`
		} `json:"data"`
	}
	if err := c.call(ctx, http.MethodGet, "/api/v1/me/licenses", nil, &mine); err != nil {
		return false, err
	}
	for _, l := range mine.Data {
		if l.ID == license {
			return l.Valid, nil
		}
	}
	return false, nil
}

// call sends a JSON request and decodes a 2xx answer into out; any other
// answer is an error carrying the problem's detail.
func (c *client) call(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.server+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.apiToken)

	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		var problem struct{ Detail string }
		json.NewDecoder(resp.Body).Decode(&problem)
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, problem.Detail)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

func save(path string, s *state) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o600)
}

// check verifies the saved token offline, for this machine, at now.
func check(path, machine string, now time.Time) (*licensetoken.Claims, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("no saved license: run online first: %w", err)
	}
	var s state
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	keys, err := licensetoken.ParseKeySet(s.Keys)
	if err != nil {
		return nil, err
	}
	v := &licensetoken.Verifier{Keys: keys, Issuer: s.Server, Machine: machine,
		Leeway: time.Minute, Now: func() time.Time { return now }}
	return v.Verify(s.Token)
}
