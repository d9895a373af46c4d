package api_test

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// docURL names the OpenAPI document inside the schema compiler; nothing is
// ever fetched from it.
const docURL = "https://seatkeeper.invalid/openapi.json"

// openAPI is the API's OpenAPI document, compiled to check real answers: it
// finds the operation a request matched, and validates the answer's status,
// headers and body against what the document says of that operation.
type openAPI struct {
	doc     map[string]any
	mux     *http.ServeMux                // one route per operation
	answers map[string]map[string]*answer // operation → status → answer
	problem *jsonschema.Schema            // for answers no operation matched

	mu   sync.Mutex
	seen map[string]map[string]bool // operation → statuses answered
}

// answer is what the document promises for one status of one operation.
type answer struct {
	bodies  map[string]*jsonschema.Schema // media type → schema; empty for no body
	headers []header
}

type header struct {
	name     string
	required bool
	integer  bool // the value is sent as a string but checked as an integer
	schema   *jsonschema.Schema
}

// loadOpenAPI parses and compiles the document. Its schemas are made strict
// for the check: where an object's schema does not say otherwise, a field it
// does not name is an error, so that no field goes undocumented. (The
// published document leaves objects open, for clients to ignore new fields.)
func loadOpenAPI(data []byte) (*openAPI, error) {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("parsing the document: %w", err)
	}
	doc, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("the document is not a JSON object")
	}
	strict := closeObjects(deepCopy(doc))

	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(docURL, strict); err != nil {
		return nil, fmt.Errorf("adding the document: %w", err)
	}
	o := &openAPI{doc: doc, mux: http.NewServeMux(),
		answers: map[string]map[string]*answer{}, seen: map[string]map[string]bool{}}
	if o.problem, err = c.Compile(docURL + "#/components/schemas/Problem"); err != nil {
		return nil, fmt.Errorf("compiling Problem: %w", err)
	}
	if err := o.compileOperations(c); err != nil {
		return nil, err
	}
	return o, nil
}

// visitor is called with an operation's key ("GET /api/v1/me", a net/http
// pattern), where it is in the document, and the operation.
type visitor func(key string, ptr []string, op map[string]any) error

// operations calls fn for every operation of the document, in a stable
// order.
func (o *openAPI) operations(fn visitor) error {
	paths, _ := o.doc["paths"].(map[string]any)
	for _, path := range sortedKeys(paths) {
		item, _ := paths[path].(map[string]any)
		for _, method := range sortedKeys(item) {
			op, ok := item[method].(map[string]any)
			if !ok || !isMethod(method) {
				continue
			}
			key := strings.ToUpper(method) + " " + path
			if err := fn(key, []string{"paths", path, method}, op); err != nil {
				return fmt.Errorf("%s: %w", key, err)
			}
		}
	}
	return nil
}

func isMethod(s string) bool {
	return slices.Contains([]string{"get", "put", "post", "delete", "options", "head",
		"patch", "trace"}, s)
}

func (o *openAPI) compileOperations(c *jsonschema.Compiler) error {
	return o.operations(func(key string, ptr []string, op map[string]any) error {
		o.mux.HandleFunc(key, func(http.ResponseWriter, *http.Request) {})
		o.answers[key] = map[string]*answer{}
		responses, _ := op["responses"].(map[string]any)
		if len(responses) == 0 {
			return errors.New("no responses")
		}
		for status := range responses {
			a, err := o.compileAnswer(c, at(ptr, "responses", status))
			if err != nil {
				return fmt.Errorf("response %s: %w", status, err)
			}
			o.answers[key][status] = a
		}
		return nil
	})
}

// compileAnswer compiles the response at ptr, following a $ref to a shared
// response.
func (o *openAPI) compileAnswer(c *jsonschema.Compiler, ptr []string) (*answer, error) {
	resp, ptr, err := o.resolve(ptr)
	if err != nil {
		return nil, err
	}
	a := &answer{bodies: map[string]*jsonschema.Schema{}}
	content, _ := resp["content"].(map[string]any)
	for mediaType := range content {
		loc := docURL + "#" + pointer(at(ptr, "content", mediaType, "schema"))
		if a.bodies[mediaType], err = c.Compile(loc); err != nil {
			return nil, fmt.Errorf("compiling %s: %w", mediaType, err)
		}
	}
	headers, _ := resp["headers"].(map[string]any)
	for name, h := range headers {
		hm, _ := h.(map[string]any)
		loc := docURL + "#" + pointer(at(ptr, "headers", name, "schema"))
		sch, err := c.Compile(loc)
		if err != nil {
			return nil, fmt.Errorf("compiling header %s: %w", name, err)
		}
		schema, _ := hm["schema"].(map[string]any)
		a.headers = append(a.headers, header{name: name, required: hm["required"] == true,
			integer: schema["type"] == "integer", schema: sch})
	}
	return a, nil
}

// resolve returns the object at ptr, and where it is, after following a
// local $ref.
func (o *openAPI) resolve(ptr []string) (map[string]any, []string, error) {
	v, err := lookup(o.doc, ptr)
	if err != nil {
		return nil, nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, nil, fmt.Errorf("%s is not an object", pointer(ptr))
	}
	ref, ok := m["$ref"].(string)
	if !ok {
		return m, ptr, nil
	}
	target, err := parseRef(ref)
	if err != nil {
		return nil, nil, err
	}
	return o.resolve(target)
}

// check validates one answer to r. A request that matched no operation
// must have been answered with a problem document, if with JSON at all.
func (o *openAPI) check(r *http.Request, status int, h http.Header, body []byte) error {
	_, key := o.mux.Handler(r)
	mediaType, _, _ := mime.ParseMediaType(h.Get("Content-Type"))
	if key == "" {
		if mediaType != "application/problem+json" {
			return nil // not part of the API
		}
		return validateJSON(o.problem, body)
	}
	o.saw(key, status)

	a := o.answers[key][strconv.Itoa(status)]
	if a == nil {
		return fmt.Errorf("%s answered %d, a status the document does not list",
			key, status)
	}
	if err := a.checkHeaders(h); err != nil {
		return fmt.Errorf("%s, status %d: %w", key, status, err)
	}
	if err := a.checkBody(mediaType, body); err != nil {
		return fmt.Errorf("%s, status %d: %w", key, status, err)
	}
	return nil
}

func (a *answer) checkHeaders(h http.Header) error {
	for _, hd := range a.headers {
		value, ok := h[http.CanonicalHeaderKey(hd.name)]
		if !ok {
			if hd.required {
				return fmt.Errorf("header %s is missing", hd.name)
			}
			continue
		}
		var v any = value[0]
		if hd.integer {
			n, err := strconv.Atoi(value[0])
			if err != nil {
				return fmt.Errorf("header %s: %q is not an integer", hd.name, value[0])
			}
			v = n
		}
		if err := hd.schema.Validate(v); err != nil {
			return fmt.Errorf("header %s: %w", hd.name, err)
		}
	}
	return nil
}

func (a *answer) checkBody(mediaType string, body []byte) error {
	if len(a.bodies) == 0 {
		if len(body) > 0 {
			return fmt.Errorf("a body (%s) where the document says none", mediaType)
		}
		return nil
	}
	sch := a.bodies[mediaType]
	if sch == nil {
		return fmt.Errorf("Content-Type %q, where the document says %v", mediaType,
			sortedKeys(a.bodies))
	}
	return validateJSON(sch, body)
}

func validateJSON(sch *jsonschema.Schema, body []byte) error {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("the body is not JSON: %w", err)
	}
	return sch.Validate(v)
}

func (o *openAPI) saw(key string, status int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.seen[key] == nil {
		o.seen[key] = map[string]bool{}
	}
	o.seen[key][strconv.Itoa(status)] = true
}

// unexercised lists the operations that no checked answer came from.
func (o *openAPI) unexercised() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	var list []string
	for _, key := range sortedKeys(o.answers) {
		if len(o.seen[key]) == 0 {
			list = append(list, key)
		}
	}
	return list
}

// unseen lists the documented answers ("GET /api/v1/me 401") that no
// checked answer had, and counts all of them.
func (o *openAPI) unseen() (list []string, total int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, key := range sortedKeys(o.answers) {
		for _, status := range sortedKeys(o.answers[key]) {
			total++
			if !o.seen[key][status] {
				list = append(list, key+" "+status)
			}
		}
	}
	return list, total
}

// wrap is apptest's WrapHandler: it checks every answer of h and fails the
// test whose server gave one that the document does not describe.
func (o *openAPI) wrap(t testing.TB, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tw := &teeWriter{ResponseWriter: w}
		h.ServeHTTP(tw, r)
		if tw.status == 0 {
			tw.status, tw.header = http.StatusOK, w.Header().Clone()
		}
		if err := o.check(r, tw.status, tw.header, tw.body.Bytes()); err != nil {
			t.Errorf("%s %s: the answer does not match the OpenAPI document: "+
				"%v\nbody: %s", r.Method, r.URL.Path, err, abbreviate(tw.body.Bytes()))
		}
	})
}

// teeWriter passes an answer on and keeps a copy of it.
type teeWriter struct {
	http.ResponseWriter
	status int
	header http.Header // as sent with the status
	body   bytes.Buffer
}

func (w *teeWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status, w.header = status, w.Header().Clone()
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *teeWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	w.body.Write(b)
	return w.ResponseWriter.Write(b)
}

func (w *teeWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func abbreviate(b []byte) string {
	if len(b) > 600 {
		return string(b[:600]) + "…"
	}
	return string(b)
}

// closeObjects sets additionalProperties to false in every object schema
// that names its properties and says nothing of others. It leaves allOf
// alone: there each part sees only its own properties.
func closeObjects(v any) any {
	switch v := v.(type) {
	case map[string]any:
		_, props := v["properties"].(map[string]any)
		_, open := v["additionalProperties"]
		_, unevaluated := v["unevaluatedProperties"]
		if v["type"] == "object" && props && !open && !unevaluated {
			v["additionalProperties"] = false
		}
		for k, child := range v {
			if k != "allOf" {
				closeObjects(child)
			}
		}
	case []any:
		for _, child := range v {
			closeObjects(child)
		}
	}
	return v
}

func deepCopy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, child := range v {
			m[k] = deepCopy(child)
		}
		return m
	case []any:
		s := make([]any, len(v))
		for i, child := range v {
			s[i] = deepCopy(child)
		}
		return s
	}
	return v
}

// pointer is the JSON pointer (RFC 6901) of a path of tokens.
func pointer(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		t = strings.ReplaceAll(t, "~", "~0")
		b.WriteString("/" + strings.ReplaceAll(t, "/", "~1"))
	}
	return b.String()
}

// at returns the path of tokens below ptr.
func at(ptr []string, tokens ...string) []string {
	return slices.Concat(ptr, tokens)
}

// parseRef splits a local reference ("#/components/schemas/User") into its
// tokens.
func parseRef(ref string) ([]string, error) {
	rest, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return nil, fmt.Errorf("$ref %q is not local to the document", ref)
	}
	tokens := strings.Split(rest, "/")
	for i, t := range tokens {
		tokens[i] = strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
	}
	return tokens, nil
}

// lookup returns the value at a path of tokens: keys of objects, indexes
// of arrays.
func lookup(doc any, tokens []string) (any, error) {
	v := doc
	for i, t := range tokens {
		var ok bool
		switch c := v.(type) {
		case map[string]any:
			v, ok = c[t]
		case []any:
			n, err := strconv.Atoi(t)
			if ok = err == nil && n >= 0 && n < len(c); ok {
				v = c[n]
			}
		}
		if !ok {
			return nil, fmt.Errorf("%s does not exist", pointer(tokens[:i+1]))
		}
	}
	return v, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
