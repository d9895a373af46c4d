package api_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/api"
	"github.com/seatkeeper/seatkeeper/internal/app/apptest"
	"github.com/seatkeeper/seatkeeper/internal/store"
	"github.com/seatkeeper/seatkeeper/internal/store/storetest"
)

// spec is the API's OpenAPI document. Every answer of every server that
// apptest starts in this package's tests is checked against it.
var spec *openAPI

func TestMain(m *testing.M) {
	flag.Parse()
	var err error
	if spec, err = loadOpenAPI(api.OpenAPIDocument); err != nil {
		fmt.Fprintf(os.Stderr, "internal/api/openapi.json: %v\n", err)
		os.Exit(1)
	}
	apptest.WrapHandler = spec.wrap

	code := m.Run()
	if code == 0 && wholeRun() {
		code = reportCoverage()
	}
	os.Exit(code)
}

// wholeRun reports whether every test of the package ran, so that an
// operation no test exercised says something about the tests.
func wholeRun() bool {
	for _, name := range []string{"test.run", "test.skip", "test.list"} {
		if f := flag.Lookup(name); f != nil && f.Value.String() != "" {
			return false
		}
	}
	return true
}

// reportCoverage fails the run if some operation of the document never
// answered a test: its answers were never checked against the document.
func reportCoverage() int {
	unseen, total := spec.unseen()
	fmt.Printf("openapi: %d of %d documented answers seen\n", total-len(unseen), total)
	if testing.Verbose() {
		fmt.Printf("openapi: never seen:\n\t%s\n", strings.Join(unseen, "\n\t"))
	}
	if missing := spec.unexercised(); len(missing) > 0 {
		fmt.Printf("FAIL: no test got an answer from these operations of "+
			"internal/api/openapi.json:\n\t%s\n", strings.Join(missing, "\n\t"))
		return 1
	}
	return 0
}

// TestOpenAPIMatchesRouteTable checks that the document describes every
// route the server registers, and nothing else: the development clock's
// route only on a server started with --dev.
func TestOpenAPIMatchesRouteTable(t *testing.T) {
	t.Parallel()
	documented, devOnly := map[string]bool{}, map[string]bool{}
	spec.operations(func(key string, _ []string, op map[string]any) error {
		documented[key] = true
		devOnly[key] = op["x-seatkeeper-dev-only"] == true
		return nil
	})

	for _, dev := range []bool{false, true} {
		cfg := api.Config{}
		if dev {
			cfg.DevClock = &sk.DevClock{}
		}
		registered := map[string]bool{}
		for _, pattern := range api.New(cfg).Registered() {
			registered[pattern] = true
		}
		for key := range documented {
			if !registered[key] && (dev || !devOnly[key]) {
				t.Errorf("dev=%v: %s is documented but not registered", dev, key)
			}
			if registered[key] && devOnly[key] && !dev {
				t.Errorf("dev=%v: %s is registered without --dev", dev, key)
			}
		}
		for pattern := range registered {
			if !documented[pattern] {
				t.Errorf("dev=%v: %s is registered but not documented", dev, pattern)
			}
		}
	}
}

// TestOpenAPIServed fetches the document from the running API.
func TestOpenAPIServed(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t, storetest.Open(t, store.SQLite))

	r := apptest.Must(t, e.Get(t, "/api/v1/openapi.json", ""), http.StatusOK)
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	if !bytes.Equal(r.Body, api.OpenAPIDocument) {
		t.Error("the served document is not internal/api/openapi.json")
	}
	if doc := r.JSON(t); !strings.HasPrefix(fmt.Sprint(doc["openapi"]), "3.1.") {
		t.Errorf("openapi %v, want 3.1.x", doc["openapi"])
	}
}

// TestOpenAPIDocument checks what the schema compiler does not: that the
// document hangs together as OpenAPI.
func TestOpenAPIDocument(t *testing.T) {
	t.Parallel()
	var doc map[string]any
	if err := json.Unmarshal(api.OpenAPIDocument, &doc); err != nil {
		t.Fatal(err)
	}

	t.Run("references resolve", func(t *testing.T) { checkRefs(t, doc) })
	t.Run("components are used", func(t *testing.T) { checkComponentsUsed(t, doc) })
	t.Run("operations", func(t *testing.T) { checkOperations(t, doc) })
	t.Run("schemas compile", func(t *testing.T) { checkSchemasCompile(t, doc) })
}

// walk calls fn for every object of the document with its path of tokens.
func walk(v any, ptr []string, fn func(ptr []string, m map[string]any)) {
	switch v := v.(type) {
	case map[string]any:
		fn(ptr, v)
		for _, k := range sortedKeys(v) {
			walk(v[k], at(ptr, k), fn)
		}
	case []any:
		for i, child := range v {
			walk(child, at(ptr, strconv.Itoa(i)), fn)
		}
	}
}

func checkRefs(t *testing.T, doc map[string]any) {
	walk(doc, nil, func(ptr []string, m map[string]any) {
		ref, ok := m["$ref"].(string)
		if !ok {
			return
		}
		tokens, err := parseRef(ref)
		if err == nil {
			_, err = lookup(doc, tokens)
		}
		if err != nil {
			t.Errorf("%s: %v", pointer(ptr), err)
		}
	})
}

func checkComponentsUsed(t *testing.T, doc map[string]any) {
	used := map[string]bool{}
	walk(doc, nil, func(_ []string, m map[string]any) {
		if ref, ok := m["$ref"].(string); ok {
			used[ref] = true
		}
	})
	components, _ := doc["components"].(map[string]any)
	for _, kind := range []string{"schemas", "responses", "parameters"} {
		defined, _ := components[kind].(map[string]any)
		for name := range defined {
			if ref := "#/components/" + kind + "/" + name; !used[ref] {
				t.Errorf("%s is defined but never used", ref)
			}
		}
	}
}

var templateParam = regexp.MustCompile(`\{([^}]+)\}`)

// checkOperations checks each operation's ID, tags, security, path
// parameters and statuses.
func checkOperations(t *testing.T, doc map[string]any) {
	ids := map[string]string{}
	tags := map[string]bool{}
	for _, tag := range doc["tags"].([]any) {
		tags[tag.(map[string]any)["name"].(string)] = true
	}
	spec.operations(func(key string, ptr []string, op map[string]any) error {
		id, _ := op["operationId"].(string)
		if id == "" || ids[id] != "" {
			t.Errorf("%s: operationId %q is missing or also that of %s", key, id, ids[id])
		}
		ids[id] = key
		if s, _ := op["summary"].(string); s == "" {
			t.Errorf("%s: no summary", key)
		}
		for _, tag := range op["tags"].([]any) {
			if !tags[tag.(string)] {
				t.Errorf("%s: tag %v is not among the document's tags", key, tag)
			}
		}
		checkSecurity(t, doc, key, op)
		checkPathParams(t, key, op)
		checkStatuses(t, key, op)
		return nil
	})
}

func checkSecurity(t *testing.T, doc map[string]any, key string, op map[string]any) {
	schemes, _ := lookup(doc, []string{"components", "securitySchemes"})
	requirements, ok := op["security"].([]any)
	if !ok {
		requirements = doc["security"].([]any)
	}
	for _, req := range requirements {
		for name := range req.(map[string]any) {
			if _, ok := schemes.(map[string]any)[name]; !ok {
				t.Errorf("%s: security scheme %q is not defined", key, name)
			}
		}
	}
}

// checkPathParams checks that the path's template and the operation's path
// parameters name the same things.
func checkPathParams(t *testing.T, key string, op map[string]any) {
	_, path, _ := strings.Cut(key, " ")
	want := map[string]bool{}
	for _, m := range templateParam.FindAllStringSubmatch(path, -1) {
		want[m[1]] = true
	}
	got := map[string]bool{}
	params, _ := op["parameters"].([]any)
	for i := range params {
		p, _, err := spec.resolve(at(opPointer(key), "parameters", strconv.Itoa(i)))
		if err != nil {
			t.Errorf("%s: %v", key, err)
			continue
		}
		if p["in"] == "path" {
			got[p["name"].(string)] = p["required"] == true
		}
	}
	for name := range want {
		if !got[name] {
			t.Errorf("%s: {%s} has no required path parameter", key, name)
		}
	}
	for name := range got {
		if !want[name] {
			t.Errorf("%s: path parameter %s is not in the path", key, name)
		}
	}
}

func opPointer(key string) []string {
	method, path, _ := strings.Cut(key, " ")
	return []string{"paths", path, strings.ToLower(method)}
}

// checkStatuses checks that every status is a real one, that every
// operation documents a server fault, and that every operation behind a
// sign-in documents 401.
func checkStatuses(t *testing.T, key string, op map[string]any) {
	responses := op["responses"].(map[string]any)
	for status := range responses {
		if n, err := strconv.Atoi(status); err != nil || http.StatusText(n) == "" {
			t.Errorf("%s: status %q", key, status)
		}
	}
	if _, ok := responses["500"]; !ok {
		t.Errorf("%s: no 500", key)
	}
	security, ok := op["security"].([]any)
	if _, has401 := responses["401"]; (!ok || len(security) > 0) && !has401 {
		t.Errorf("%s: needs a sign-in, yet documents no 401", key)
	}
}

// checkSchemasCompile compiles every component schema and request body.
func checkSchemasCompile(t *testing.T, doc map[string]any) {
	c := jsonschema.NewCompiler()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(api.OpenAPIDocument))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AddResource(docURL, v); err != nil {
		t.Fatal(err)
	}
	schemas, _ := lookup(doc, []string{"components", "schemas"})
	for _, name := range slices.Sorted(maps.Keys(schemas.(map[string]any))) {
		if _, err := c.Compile(docURL + "#/components/schemas/" + name); err != nil {
			t.Errorf("schema %s: %v", name, err)
		}
	}
	spec.operations(func(key string, ptr []string, op map[string]any) error {
		if _, ok := op["requestBody"]; ok {
			loc := at(ptr, "requestBody", "content", "application/json", "schema")
			if _, err := c.Compile(docURL + "#" + pointer(loc)); err != nil {
				t.Errorf("%s: request body: %v", key, err)
			}
		}
		return nil
	})
}

// TestOpenAPICheckFindsMismatches shows that the check of answers fails
// when an answer strays from the document, using real answers and altered
// copies of them.
func TestOpenAPICheckFindsMismatches(t *testing.T) {
	t.Parallel()
	e := apptest.Start(t, storetest.Open(t, store.SQLite))
	ada := e.User(t, "Ada")
	me := e.Get(t, "/api/v1/me", ada.Token)
	anonymous := e.Get(t, "/api/v1/me", "")
	missing := e.Get(t, "/api/v1/nothing-here", "")

	// A checker of its own, so that these answers count for no coverage.
	check, err := loadOpenAPI(api.OpenAPIDocument)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		method  string
		path    string
		resp    *apptest.Response
		alter   func(r *apptest.Response)
		wantErr string // "" for an answer that matches
	}{
		{"real answer", "GET", "/api/v1/me", me, nil, ""},
		{"real 401", "GET", "/api/v1/me", anonymous, nil, ""},
		{"real 404 of no route", "GET", "/api/v1/nothing-here", missing, nil, ""},
		{"undocumented status", "GET", "/api/v1/me", me,
			func(r *apptest.Response) { r.Status = http.StatusTeapot }, "does not list"},
		{"missing field", "GET", "/api/v1/me", me,
			editJSON(func(m map[string]any) { delete(m, "user") }), "missing property"},
		{"undocumented field", "GET", "/api/v1/me", me,
			editJSON(func(m map[string]any) { m["user"].(map[string]any)["age"] = 3 }),
			"additional properties"},
		{"wrong type", "GET", "/api/v1/me", me,
			editJSON(func(m map[string]any) { m["organizations"] = "none" }),
			"want array"},
		{"wrong media type", "GET", "/api/v1/me", me,
			func(r *apptest.Response) { r.Header.Set("Content-Type", "text/plain") },
			"Content-Type"},
		{"missing header", "GET", "/api/v1/me", anonymous,
			func(r *apptest.Response) { r.Header.Del("WWW-Authenticate") }, "missing"},
		{"problem of the wrong status", "GET", "/api/v1/me", anonymous,
			editJSON(func(m map[string]any) { m["status"] = 403 }), "status"},
		{"body where none is documented", "DELETE", "/api/v1/me/tokens/x", me,
			func(r *apptest.Response) { r.Status = http.StatusNoContent }, "body"},
		{"bad problem of no route", "GET", "/api/v1/nothing-here", missing,
			editJSON(func(m map[string]any) { delete(m, "code") }), "missing property"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := &apptest.Response{Status: tc.resp.Status, Header: tc.resp.Header.Clone(),
				Body: bytes.Clone(tc.resp.Body)}
			if tc.alter != nil {
				tc.alter(r)
			}
			req := httptest.NewRequest(tc.method, tc.path, nil)
			err := check.check(req, r.Status, r.Header, r.Body)
			if tc.wantErr == "" && err != nil {
				t.Errorf("unexpected mismatch: %v", err)
			}
			if tc.wantErr != "" && !errorSays(err, tc.wantErr) {
				t.Errorf("error %v, want one that says %q", err, tc.wantErr)
			}
		})
	}
}

func errorSays(err error, text string) bool {
	return err != nil && strings.Contains(err.Error(), text)
}

// editJSON alters an answer's JSON body.
func editJSON(edit func(m map[string]any)) func(r *apptest.Response) {
	return func(r *apptest.Response) {
		var m map[string]any
		if err := json.Unmarshal(r.Body, &m); err != nil {
			panic(err)
		}
		edit(m)
		r.Body, _ = json.Marshal(m)
	}
}

// TestRoutesNoOtherTestCalls gets answers from the routes that no other test
// of the package calls, so that each operation of the document is checked
// against a real answer.
func TestRoutesNoOtherTestCalls(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T, db *store.DB) {
		t.Parallel()
		e := apptest.Start(t, db)
		for _, path := range []string{"/healthz", "/readyz", "/api/v1/plans"} {
			apptest.Must(t, e.Get(t, path, ""), http.StatusOK)
		}

		owner, member := e.User(t, "Olivia Owner"), e.User(t, "Max Member")
		org := e.Org(t, owner, "Acme")
		team := createTeam(t, e, owner, org, "Backend")
		join(t, e, owner, org, &team, member, sk.RoleViewer)
		teamPath := "/api/v1/orgs/" + org + "/teams/" + team
		var invitations struct{ Data []struct{ Email string } }
		apptest.Must(t, e.Get(t, teamPath+"/invitations", owner.Token),
			http.StatusOK).Decode(t, &invitations)
		if len(invitations.Data) != 1 || invitations.Data[0].Email != member.Email {
			t.Errorf("team invitations %+v, want the one to %s", invitations.Data,
				member.Email)
		}

		lic := e.Licenses(t, org, 1)[0]
		var got struct{ ID string }
		apptest.Must(t, e.Get(t, "/api/v1/orgs/"+org+"/licenses/"+lic, owner.Token),
			http.StatusOK).Decode(t, &got)
		if got.ID != lic {
			t.Errorf("license %q, want %q", got.ID, lic)
		}

		apptest.Must(t, e.Get(t, teamPath, member.Token), http.StatusOK)
		apptest.Must(t, e.Delete(t, teamPath+"/roles/me", member.Token),
			http.StatusNoContent)
		apptest.Must(t, e.Get(t, teamPath, member.Token), http.StatusNotFound)
	})
}
