package licensetoken

import (
	"encoding/json"
	"testing"
)

// oracle decodes claims with encoding/json, reading exactly the member names
// Seatkeeper writes (encoding/json alone would also match "ISS" to "iss").
func oracle(data []byte) (Claims, error) {
	var m map[string]json.RawMessage
	var c Claims
	if err := json.Unmarshal(data, &m); err != nil {
		return c, err
	}
	fields := map[string]any{"iss": &c.Issuer, "sub": &c.Subject, "license": &c.License,
		"org": &c.Org, "plan": &c.Plan, "machine": &c.Machine, "iat": &c.IssuedAt,
		"nbf": &c.NotBefore, "exp": &c.ExpiresAt}
	for name, dst := range fields {
		if raw, ok := m[name]; ok {
			if err := json.Unmarshal(raw, dst); err != nil {
				return c, err
			}
		}
	}
	return c, nil
}

// FuzzDecodeClaims holds the claims decoder to encoding/json: whatever it
// accepts, encoding/json accepts with the same claims.
func FuzzDecodeClaims(f *testing.F) {
	for _, seed := range []string{
		`{"iss":"https://x","sub":"usr_1","license":"lic_1","org":"org_1","plan":"p",` +
			`"machine":"m","iat":1700000000,"nbf":1700000000,"exp":1700600000}`,
		`{"org":null,"exp":-5}`,
		` { "iss" : "a\"b\\u00e9\/" , "extra" : {"a":[1,2,{"b":"}"}]}, "n": 1.5e-3 } `,
		`{"iss":"a","iss":"b"}`,
		`{"\u0069ss":"escaped name"}`,
		`{}`,
		`{"exp":01}`,
		`{"exp":1e3}`,
		`{"iss":true}`,
		`[1]`,
		`{"a":"\x"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var got Claims
		if err := decodeClaims(data, &got); err != nil {
			return
		}
		want, err := oracle(data)
		if err != nil {
			t.Fatalf("decodeClaims accepted %q, encoding/json refuses it: %v", data, err)
		}
		if got != want {
			t.Fatalf("decodeClaims(%q) = %+v, encoding/json reads %+v", data, got, want)
		}
	})
}

func TestDecodeHeaderRefusesCrit(t *testing.T) {
	var h header
	if err := decodeHeader([]byte(`{"alg":"EdDSA","kid":"k","crit":["exp"]}`), &h); err == nil {
		t.Error(`a header with "crit" was accepted`)
	}
	if err := decodeHeader([]byte(`{"alg":"EdDSA","kid":"k"}`), &h); err != nil ||
		h.Alg != Algorithm || h.Kid != "k" {
		t.Errorf("decodeHeader = %+v, %v", h, err)
	}
}
