package web

import (
	"testing"

	sk "github.com/seatkeeper/seatkeeper"
)

func TestFlattenJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		doc  string
		want auditFields
	}{
		{"empty", ``, nil},
		{"null", `null`, nil},
		{"nested, in the document's order",
			`{"user": {"name": "Ann", "id": "usr_1"}, "role": "viewer", "team_id": null}`,
			auditFields{{Key: "user.name", Value: "Ann"}, {Key: "user.id", Value: "usr_1"},
				{Key: "role", Value: "viewer"}, {Key: "team_id", Value: "none"}}},
		{"numbers, booleans, empty values",
			`{"seats": 7, "cancel": false, "name": "", "tags": [], "meta": {}}`,
			auditFields{{Key: "seats", Value: "7"}, {Key: "cancel", Value: "false"},
				{Key: "name", Value: `""`}, {Key: "tags", Value: "[]"},
				{Key: "meta", Value: "{}"}}},
		{"arrays by index", `{"ids": ["a", "b"]}`,
			auditFields{{Key: "ids.0", Value: "a"}, {Key: "ids.1", Value: "b"}}},
		{"a bare value", `"x"`, auditFields{{Value: "x"}}},
		{"broken", `{"a": `, auditFields{{Value: `{"a":`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := flattenJSON([]byte(tt.doc))
			if len(got) != len(tt.want) {
				t.Fatalf("flattenJSON(%s) = %v, want %v", tt.doc, got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("line %d = %+v, want %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func TestAuditEventMarksChanges(t *testing.T) {
	t.Parallel()
	e := newAuditEvent(sk.AuditEvent{Before: []byte(`{"role": "viewer", "user": "u"}`),
		After: []byte(`{"role": "manager", "user": "u", "team_id": null}`)})
	changed := func(fs auditFields) map[string]bool {
		out := map[string]bool{}
		for _, f := range fs {
			out[f.Key] = f.Changed
		}
		return out
	}
	before, after := changed(e.Before), changed(e.After)
	if !before["role"] || before["user"] {
		t.Errorf("before marks %v, want role alone", before)
	}
	if !after["role"] || after["user"] || !after["team_id"] {
		t.Errorf("after marks %v, want role and team_id", after)
	}

	created := newAuditEvent(sk.AuditEvent{After: []byte(`{"name": "Design"}`)})
	if created.After.ChangedCount() != 0 {
		t.Error("an event without a before marks its after as changed")
	}
}

func TestSeller(t *testing.T) {
	t.Parallel()
	tests := []struct{ vendor, baseURL, want string }{
		{"Acme Software Ltd", "https://licenses.acme.com", "Acme Software Ltd"},
		{"", "https://licenses.acme.com", "licenses.acme.com"},
		{"", "http://127.0.0.1:8080", "Seatkeeper"},
		{"", "http://localhost:8080", "Seatkeeper"},
		{"", "", "Seatkeeper"},
	}
	for _, tt := range tests {
		s := &Server{cfg: Config{Vendor: tt.vendor, BaseURL: tt.baseURL}}
		if got := s.seller(); got != tt.want {
			t.Errorf("seller with Vendor %q, BaseURL %q = %q, want %q", tt.vendor,
				tt.baseURL, got, tt.want)
		}
	}
}
