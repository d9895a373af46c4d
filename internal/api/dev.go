package api

import (
	"net/http"
	"time"

	sk "github.com/seatkeeper/seatkeeper"
)

type advanceRequest struct {
	Duration string `json:"duration"`
}

// advanceClock moves the development clock forward, like a payment
// provider's test clock, and runs whatever fell due. It exists only with
// --dev.
func (s *Server) advanceClock(w http.ResponseWriter, r *http.Request) error {
	var in advanceRequest
	if err := decode(w, r, &in); err != nil {
		return err
	}
	d, err := time.ParseDuration(in.Duration)
	if err != nil || d <= 0 {
		return sk.Invalid("duration", "must be a positive duration such as \"720h\"")
	}

	now := s.cfg.DevClock.Advance(d)
	if s.cfg.Advanced != nil {
		if err := s.cfg.Advanced(r.Context()); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, map[string]time.Time{"now": now})
	return nil
}
