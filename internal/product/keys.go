package product

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"fmt"

	sk "github.com/seatkeeper/seatkeeper"
	"github.com/seatkeeper/seatkeeper/internal/store"
	"github.com/seatkeeper/seatkeeper/licensetoken"
)

var b64 = base64.RawURLEncoding

// signingKey is a usable key: its ID and private key.
type signingKey struct {
	id      string
	private ed25519.PrivateKey
}

// newKeyRecord generates a key, ready to store.
func (s *Service) newKeyRecord() (*store.SigningKeyRecord, error) {
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		return nil, fmt.Errorf("generating signing key: %w", err)
	}
	now := s.now()
	return &store.SigningKeyRecord{
		ID:         sk.NewID(sk.PrefixSigningKey, now),
		PublicKey:  b64.EncodeToString(pub),
		PrivateKey: b64.EncodeToString(priv.Seed()),
		CreatedAt:  now,
	}, nil
}

// EnsureKey makes the first signing key unless there is a current one. Every
// server calls it when it starts; of several that start at once on one
// database, the schema's unique index on the current key lets one make it,
// and the others then read it.
func (s *Service) EnsureKey(ctx context.Context) error {
	_, err := s.currentKey(ctx)
	return err
}

// currentKey returns the key that signs now, making the first if need be.
func (s *Service) currentKey(ctx context.Context) (*signingKey, error) {
	var rec *store.SigningKeyRecord
	read := func(tx *store.Tx) error {
		var err error
		rec, err = tx.CurrentSigningKey(ctx)
		return err
	}
	err := s.cfg.DB.View(ctx, read)
	if sk.ErrorCode(err) == sk.ENOTFOUND {
		err = s.makeFirstKey(ctx)
		if store.IsUniqueViolation(err) {
			err = nil // another server made it first
		}
		if err == nil {
			err = s.cfg.DB.View(ctx, read)
		}
	}
	if err != nil {
		return nil, err
	}
	return parseKey(rec)
}

// makeFirstKey stores a new current key if there is none.
func (s *Service) makeFirstKey(ctx context.Context) error {
	rec, err := s.newKeyRecord()
	if err != nil {
		return err
	}
	return s.cfg.DB.Tx(ctx, func(tx *store.Tx) error {
		_, err := tx.CurrentSigningKey(ctx)
		if sk.ErrorCode(err) != sk.ENOTFOUND {
			return err
		}
		if err := tx.InsertSigningKey(ctx, rec); err != nil {
			return err
		}
		s.cfg.Logger.InfoContext(ctx, "made the first signing key", "key_id", rec.ID)
		return nil
	})
}

func parseKey(rec *store.SigningKeyRecord) (*signingKey, error) {
	seed, err := b64.DecodeString(rec.PrivateKey)
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("reading signing key %s: not a base64url Ed25519 seed", rec.ID)
	}
	return &signingKey{id: rec.ID, private: ed25519.NewKeyFromSeed(seed)}, nil
}

// RotateKey makes a new key current and retires the one before, which stays
// published (PublicKeys) until every token it can have signed has expired.
// It returns the new key and the retired one's ID ("" if there was none).
func (s *Service) RotateKey(ctx context.Context) (*sk.PublicKey, string, error) {
	rec, err := s.newKeyRecord()
	if err != nil {
		return nil, "", err
	}
	var retired string
	err = s.cfg.DB.Tx(ctx, func(tx *store.Tx) error {
		if retired, err = tx.RetireSigningKey(ctx, s.now()); err != nil {
			return err
		}
		return tx.InsertSigningKey(ctx, rec)
	})
	if err != nil {
		return nil, "", err
	}
	pub := publicKey(rec)
	return &pub, retired, nil
}

// PublicKeys implements sk.ProductService.
func (s *Service) PublicKeys(ctx context.Context) ([]sk.PublicKey, error) {
	since := s.now().Add(-s.cfg.TokenTTL - keyGrace)
	var recs []store.SigningKeyRecord
	read := func(tx *store.Tx) error {
		var err error
		recs, err = tx.VerificationKeys(ctx, since)
		return err
	}
	if err := s.cfg.DB.View(ctx, read); err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		if err := s.EnsureKey(ctx); err != nil {
			return nil, err
		}
		if err := s.cfg.DB.View(ctx, read); err != nil {
			return nil, err
		}
	}

	keys := make([]sk.PublicKey, len(recs))
	for i := range recs {
		keys[i] = publicKey(&recs[i])
	}
	return keys, nil
}

// publicKey describes a stored key's public part as a JWK, exactly as
// licensetoken reads it.
func publicKey(rec *store.SigningKeyRecord) sk.PublicKey {
	pub, _ := b64.DecodeString(rec.PublicKey)
	jwk := licensetoken.NewJWK(rec.ID, pub)
	return sk.PublicKey{KeyType: jwk.KeyType, Curve: jwk.Curve, X: jwk.X, KeyID: jwk.KeyID,
		Use: jwk.Use, Alg: jwk.Alg}
}
