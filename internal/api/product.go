package api

import (
	"net/http"

	sk "github.com/seatkeeper/seatkeeper"
)

// productRoutes serve the vendor's product: activations and license tokens
// for a license's holder, and the public keys that verify the tokens.
func (s *Server) productRoutes() []route {
	return []route{
		{"POST /api/v1/licenses/{license}/activations", s.authed(s.activate)},
		{"GET /api/v1/licenses/{license}/activations", s.authed(s.listActivations)},
		{"DELETE /api/v1/licenses/{license}/activations/{activation}", s.authed(s.deactivate)},
		{"POST /api/v1/licenses/{license}/token", s.authed(s.issueLicenseToken)},
		{"GET /api/v1/license-keys", s.public(s.licenseKeys)},
	}
}

// activate answers 201 with a new activation, or 200 with the one the
// machine already had.
func (s *Server) activate(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	var in sk.ActivationRequest
	if err := decode(w, r, &in); err != nil {
		return err
	}
	act, created, err := s.cfg.Product.Activate(r.Context(), a, client(r),
		r.PathValue("license"), in)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, act)
	return nil
}

func (s *Server) listActivations(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	acts, err := s.cfg.Product.Activations(r.Context(), a, r.PathValue("license"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, list[sk.Activation]{Data: acts})
	return nil
}

func (s *Server) deactivate(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	err := s.cfg.Product.Deactivate(r.Context(), a, client(r), r.PathValue("license"),
		r.PathValue("activation"))
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) issueLicenseToken(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
	var in sk.TokenRequest
	if err := decode(w, r, &in); err != nil {
		return err
	}
	token, err := s.cfg.Product.IssueToken(r.Context(), a, r.PathValue("license"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, token)
	return nil
}

// licenseKeys publishes the keys that verify license tokens as a JWKS
// (RFC 7517), for anyone: they are public keys.
func (s *Server) licenseKeys(w http.ResponseWriter, r *http.Request) error {
	keys, err := s.cfg.Product.PublicKeys(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string][]sk.PublicKey{"keys": keys})
	return nil
}
