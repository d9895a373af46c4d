package api_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/seatkeeper/seatkeeper/internal/app/apptest"
	"github.com/seatkeeper/seatkeeper/internal/store"
	"github.com/seatkeeper/seatkeeper/internal/store/storetest"
)

// TestBadBodiesOnEveryRoute sends malformed bodies to every route that takes
// one, signed in, and expects a 4xx problem document every time.
func TestBadBodiesOnEveryRoute(t *testing.T) {
	t.Parallel()
	db := storetest.Open(t, store.SQLite)
	e := apptest.Start(t, db)
	token := e.SignUp(t, "ada@example.com", "Ada", password)

	bodies := map[string]string{
		"syntax":        `{"email":`,
		"not an object": `[1, 2, 3]`,
		"wrong type":    `{"email": 42, "name": true, "password": [], "token": {}}`,
		"unknown field": `{"surprise": 1}`,
		"trailing data": `{} {}`,
		"empty":         ``,
		"huge":          `{"name": "` + strings.Repeat("x", 100<<10) + `"}`,
		"not json":      `email=a@b.c`,
	}
	param := regexp.MustCompile(`\{[^}]+\}`)
	for _, pattern := range e.App.API.Patterns() {
		method, path, _ := strings.Cut(pattern, " ")
		if method != http.MethodPost && method != http.MethodPut && method != http.MethodPatch {
			continue
		}
		if path == "/api/v1/auth/logout" {
			continue // takes no body, and would revoke the token the sweep uses
		}
		path = param.ReplaceAllString(path, "x")
		for name, body := range bodies {
			r := e.Do(t, apptest.Request{Method: method, Path: path, Body: body, Token: token})
			if r.Status < 400 || r.Status >= 500 {
				t.Errorf("%s %s with %s body: status %d", method, path, name, r.Status)
				continue
			}
			if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("%s %s with %s body: Content-Type %q", method, path, name, ct)
			}
		}
	}
}

func TestUnknownRoutesAndMethods(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t, storetest.Open(t, store.SQLite))

	r := e.Get(t, "/api/v1/nothing-here", "")
	if r.Status != 404 || r.Code(t) != "not_found" {
		t.Errorf("unknown route: %d %s", r.Status, r.Body)
	}
	r = e.Do(t, apptest.Request{Method: "DELETE", Path: "/api/v1/auth/login"})
	if r.Status != 405 || r.Code(t) != "method_not_allowed" || r.Header.Get("Allow") == "" {
		t.Errorf("wrong method: %d %s %v", r.Status, r.Body, r.Header)
	}
	if id := r.Header.Get("X-Request-Id"); len(id) < 16 {
		t.Errorf("X-Request-Id %q", id)
	}
}
