package licensetoken_test

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/seatkeeper/seatkeeper/licensetoken"
)

const issuer = "https://licenses.example.com"

// fixedNow is the verifying machine's clock in these tests.
var fixedNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// keyPair generates a key for a test, with the key set that knows it.
func keyPair(t testing.TB, kid string) (ed25519.PrivateKey, *licensetoken.KeySet) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	return priv, licensetoken.NewKeySet(map[string]ed25519.PublicKey{kid: pub})
}

func claims() *licensetoken.Claims {
	return &licensetoken.Claims{
		Issuer:    issuer,
		Subject:   "usr_1",
		License:   "lic_1",
		Org:       "org_1",
		Plan:      "team",
		Machine:   "machine-a",
		IssuedAt:  fixedNow.Add(-time.Hour).Unix(),
		NotBefore: fixedNow.Add(-time.Hour).Unix(),
		ExpiresAt: fixedNow.Add(time.Hour).Unix(),
	}
}

func sign(t testing.TB, key ed25519.PrivateKey, kid string, c *licensetoken.Claims) string {
	t.Helper()
	token, err := licensetoken.Sign(key, kid, c)
	if err != nil {
		t.Fatal(err)
	}
	return token
}

func verifier(keys *licensetoken.KeySet) *licensetoken.Verifier {
	return &licensetoken.Verifier{Keys: keys, Issuer: issuer, Machine: "machine-a",
		Now: func() time.Time { return fixedNow }}
}

// rawToken assembles a token from a header and claims written by hand,
// signed with key.
func rawToken(key ed25519.PrivateKey, header, payload string) string {
	enc := base64.RawURLEncoding
	input := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(payload))
	return input + "." + enc.EncodeToString(ed25519.Sign(key, []byte(input)))
}

func TestVerifyAcceptsAGoodToken(t *testing.T) {
	key, keys := keyPair(t, "key_1")
	want := claims()
	got, err := verifier(keys).Verify(sign(t, key, "key_1", want))
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if *got != *want {
		t.Errorf("claims = %+v, want %+v", got, want)
	}
	if !got.Expires().Equal(fixedNow.Add(time.Hour)) {
		t.Errorf("Expires = %v", got.Expires())
	}
}

func TestVerifyRefuses(t *testing.T) {
	key, keys := keyPair(t, "key_1")
	otherKey, _ := keyPair(t, "key_1")
	good := sign(t, key, "key_1", claims())
	with := func(change func(c *licensetoken.Claims)) string {
		c := claims()
		change(c)
		return sign(t, key, "key_1", c)
	}
	header := `{"alg":"EdDSA","kid":"key_1"}`
	payload, _ := json.Marshal(claims())

	tests := []struct {
		name   string
		token  string
		leeway time.Duration
		want   error
	}{
		{"empty", "", 0, licensetoken.ErrMalformed},
		{"two parts", "a.b", 0, licensetoken.ErrMalformed},
		{"header not base64", "%%%" + good[strings.IndexByte(good, '.'):], 0,
			licensetoken.ErrMalformed},
		{"alg none", rawToken(key, `{"alg":"none","kid":"key_1"}`, string(payload)), 0,
			licensetoken.ErrMalformed},
		{"alg HS256", rawToken(key, `{"alg":"HS256","kid":"key_1"}`, string(payload)), 0,
			licensetoken.ErrMalformed},
		{"unknown kid", sign(t, key, "key_2", claims()), 0, licensetoken.ErrUnknownKey},
		{"signed by another key", sign(t, otherKey, "key_1", claims()), 0,
			licensetoken.ErrBadSignature},
		{"claims changed after signing", good[:strings.IndexByte(good, '.')+1] +
			base64.RawURLEncoding.EncodeToString([]byte(`{"iss":"`+issuer+`","exp":1}`)) +
			good[strings.LastIndexByte(good, '.'):], 0, licensetoken.ErrBadSignature},
		{"signature cut short", good[:len(good)-4], 0, licensetoken.ErrMalformed},
		{"claims not JSON", rawToken(key, header, "not json"), 0, licensetoken.ErrMalformed},
		{"no exp", rawToken(key, header, `{"iss":"`+issuer+`","machine":"machine-a"}`), 0,
			licensetoken.ErrMalformed},
		{"wrong issuer", with(func(c *licensetoken.Claims) { c.Issuer = "https://evil.example" }),
			0, licensetoken.ErrWrongIssuer},
		{"expired", with(func(c *licensetoken.Claims) { c.ExpiresAt = fixedNow.Unix() }), 0,
			licensetoken.ErrExpired},
		{"expired beyond the leeway", with(func(c *licensetoken.Claims) {
			c.ExpiresAt = fixedNow.Add(-2 * time.Minute).Unix()
		}), time.Minute, licensetoken.ErrExpired},
		{"not before", with(func(c *licensetoken.Claims) {
			c.NotBefore = fixedNow.Add(time.Minute).Unix()
		}), 0, licensetoken.ErrNotYetValid},
		{"issued in the future", with(func(c *licensetoken.Claims) {
			c.IssuedAt = fixedNow.Add(2 * time.Minute).Unix()
		}), time.Minute, licensetoken.ErrNotYetValid},
		{"another machine", with(func(c *licensetoken.Claims) { c.Machine = "machine-b" }), 0,
			licensetoken.ErrWrongMachine},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := verifier(keys)
			v.Leeway = tt.leeway
			c, err := v.Verify(tt.token)
			if !errors.Is(err, tt.want) || c != nil {
				t.Errorf("Verify = %+v, %v; want %v", c, err, tt.want)
			}
		})
	}
}

func TestLeewayToleratesClockSkew(t *testing.T) {
	key, keys := keyPair(t, "key_1")
	c := claims()
	c.ExpiresAt = fixedNow.Add(-30 * time.Second).Unix()
	c.IssuedAt = fixedNow.Add(30 * time.Second).Unix()
	c.NotBefore = c.IssuedAt
	v := verifier(keys)
	v.Leeway = time.Minute
	if _, err := v.Verify(sign(t, key, "key_1", c)); err != nil {
		t.Errorf("30 s of skew with a minute's leeway: %v", err)
	}
}

func TestEmptyIssuerAcceptsNothing(t *testing.T) {
	key, keys := keyPair(t, "key_1")
	c := claims()
	c.Issuer = ""
	v := verifier(keys)
	v.Issuer = ""
	if _, err := v.Verify(sign(t, key, "key_1", c)); !errors.Is(err, licensetoken.ErrWrongIssuer) {
		t.Errorf("Verify with no Issuer = %v, want ErrWrongIssuer", err)
	}
}

func TestMachineUncheckedWhenNotSet(t *testing.T) {
	key, keys := keyPair(t, "key_1")
	v := verifier(keys)
	v.Machine = ""
	c, err := v.Verify(sign(t, key, "key_1", claims()))
	if err != nil || c.Machine != "machine-a" {
		t.Errorf("Verify without a Machine = %+v, %v", c, err)
	}
}

func TestParseKeySet(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(nil)
	jwk := licensetoken.NewJWK("key_1", pub)
	if jwk.KeyType != "OKP" || jwk.Curve != "Ed25519" || jwk.Alg != "EdDSA" || jwk.Use != "sig" {
		t.Errorf("NewJWK = %+v", jwk)
	}
	rsa := licensetoken.JWK{KeyType: "RSA", KeyID: "rsa", X: "AQAB"}
	data, _ := json.Marshal(licensetoken.JWKS{Keys: []licensetoken.JWK{rsa, jwk}})

	keys, err := licensetoken.ParseKeySet(data)
	if err != nil || keys.Len() != 1 {
		t.Fatalf("ParseKeySet = %d keys, %v; want the one Ed25519 key", keys.Len(), err)
	}
	v := &licensetoken.Verifier{Keys: keys, Issuer: issuer,
		Now: func() time.Time { return fixedNow }}
	if _, err := v.Verify(sign(t, priv, "key_1", claims())); err != nil {
		t.Errorf("verifying with the parsed key: %v", err)
	}

	short := jwk
	short.X = short.X[:10]
	bad := []string{
		`{"keys": [`,
		`{"keys": {}}`,
		mustJSON(licensetoken.JWKS{Keys: []licensetoken.JWK{short}}),
		mustJSON(licensetoken.JWKS{Keys: []licensetoken.JWK{jwk, jwk}}),
	}
	for _, doc := range bad {
		_, err := licensetoken.ParseKeySet([]byte(doc))
		if !errors.Is(err, licensetoken.ErrMalformed) {
			t.Errorf("ParseKeySet(%.60s) = %v, want ErrMalformed", doc, err)
		}
	}
}

func TestSignRefusesABadKey(t *testing.T) {
	if _, err := licensetoken.Sign(ed25519.PrivateKey{1, 2, 3}, "k", claims()); err == nil {
		t.Error("Sign with a 3-byte key succeeded")
	}
}

func TestNilKeySetKnowsNoKey(t *testing.T) {
	key, _ := keyPair(t, "key_1")
	v := &licensetoken.Verifier{Issuer: issuer}
	_, err := v.Verify(sign(t, key, "key_1", claims()))
	if !errors.Is(err, licensetoken.ErrUnknownKey) {
		t.Errorf("Verify without keys = %v, want ErrUnknownKey", err)
	}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
