package licensetoken_test

import (
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/seatkeeper/seatkeeper/licensetoken"
)

// The product fetches the JWKS from GET /api/v1/license-keys while online and
// keeps it; here a key generated on the spot plays Seatkeeper's.
func Example() {
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		panic(err)
	}
	jwks, _ := json.Marshal(licensetoken.JWKS{
		Keys: []licensetoken.JWK{licensetoken.NewJWK("key_2026", pub)},
	})

	// What Seatkeeper hands the product: a token for this license and machine.
	issued := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	token, err := licensetoken.Sign(priv, "key_2026", &licensetoken.Claims{
		Issuer:    "https://licenses.example.com",
		Subject:   "usr_01",
		License:   "lic_01",
		Org:       "org_01",
		Plan:      "team",
		Machine:   "3f9a-workstation",
		IssuedAt:  issued.Unix(),
		NotBefore: issued.Unix(),
		ExpiresAt: issued.Add(7 * 24 * time.Hour).Unix(),
	})
	if err != nil {
		panic(err)
	}

	// The product, offline, verifies it against the kept JWKS.
	keys, err := licensetoken.ParseKeySet(jwks)
	if err != nil {
		panic(err)
	}
	clock := issued.Add(24 * time.Hour)
	v := &licensetoken.Verifier{
		Keys:    keys,
		Issuer:  "https://licenses.example.com",
		Machine: "3f9a-workstation",
		Leeway:  time.Minute,
		Now:     func() time.Time { return clock },
	}
	claims, err := v.Verify(token)
	fmt.Println(claims.License, claims.Plan, claims.Expires().Format(time.DateOnly), err)

	// A week later the token has expired: time to go online for another.
	clock = issued.Add(8 * 24 * time.Hour)
	_, err = v.Verify(token)
	fmt.Println(errors.Is(err, licensetoken.ErrExpired))

	// Copied to another machine, it is refused.
	clock = issued.Add(time.Hour)
	v.Machine = "other-laptop"
	_, err = v.Verify(token)
	fmt.Println(errors.Is(err, licensetoken.ErrWrongMachine))
	// Output:
	// lic_01 team 2026-03-08 <nil>
	// true
	// true
}
