package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strconv"

	sk "github.com/seatkeeper/seatkeeper"
)

// idempotent adapts a handler that charges money: with an Idempotency-Key
// header, the first answer is stored and every retry with the same key gets
// it again; the same key with another request is refused, and a second
// request racing the first is told to retry. Server faults are not stored,
// so that a retry runs again.
func (s *Server) idempotent(h authedHandler) authedHandler {
	return func(w http.ResponseWriter, r *http.Request, a *sk.Actor) error {
		key := r.Header.Get("Idempotency-Key")
		if key == "" {
			return h(w, r, a)
		}
		if len(key) > 255 {
			return sk.Invalid("Idempotency-Key", "must be at most 255 characters")
		}

		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
		if err != nil {
			return decodeError(err, maxBodyBytes)
		}
		sum := sha256.Sum256([]byte(r.Method + " " + r.URL.Path + "\n" + string(body)))
		hash := hex.EncodeToString(sum[:])

		stored, err := s.cfg.Idempotency.Begin(r.Context(), a.User.ID, key, hash)
		if err != nil {
			return err
		}
		if stored != nil {
			w.Header().Set("Idempotent-Replayed", "true")
			writeRaw(w, stored)
			return nil
		}

		rec := &recorder{header: http.Header{}}
		r.Body = io.NopCloser(bytes.NewReader(body))
		if err := h(rec, r, a); err != nil {
			writeError(rec, r, err)
		}
		resp := &sk.StoredResponse{Status: rec.status, Body: rec.body.Bytes()}
		s.remember(r.Context(), a, key, resp)
		for k, v := range rec.header {
			w.Header()[k] = v
		}
		writeRaw(w, resp)
		return nil
	}
}

// remember stores an answer for its key, or releases the key after a
// server fault.
func (s *Server) remember(ctx context.Context, a *sk.Actor, key string, resp *sk.StoredResponse) {
	ctx = context.WithoutCancel(ctx)
	var err error
	if resp.Status >= 500 {
		err = s.cfg.Idempotency.Abort(ctx, a.User.ID, key)
	} else {
		err = s.cfg.Idempotency.Finish(ctx, a.User.ID, key, resp)
	}
	if err != nil {
		s.cfg.Logger.ErrorContext(ctx, "storing idempotent answer", "error", err,
			"user_id", a.User.ID)
	}
}

func writeRaw(w http.ResponseWriter, resp *sk.StoredResponse) {
	if w.Header().Get("Content-Type") == "" {
		ct := "application/json"
		if resp.Status >= 400 {
			ct = "application/problem+json"
		}
		w.Header().Set("Content-Type", ct)
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(resp.Body)))
	w.WriteHeader(resp.Status)
	w.Write(resp.Body)
}

// recorder keeps a handler's answer so that it can be stored first.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}
