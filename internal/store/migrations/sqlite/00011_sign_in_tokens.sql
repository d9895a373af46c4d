-- +goose Up
-- Tells the API's sessions, the tokens that signing in makes
-- (POST /api/v1/auth/login), from named tokens that a user makes and keeps
-- (POST /api/v1/me/tokens): resetting or changing the password ends the
-- first kind with the cookie sessions and keeps the second.
ALTER TABLE api_tokens ADD COLUMN kind TEXT NOT NULL DEFAULT 'named'
    CHECK (kind IN ('named', 'sign_in'));

-- Until now the two kinds differed only in what signing in gave its tokens:
-- the name "Sign-in" and an expiry. A named token that its user called the
-- same is taken for a sign-in token and ends at the next password change,
-- the safer mistake.
UPDATE api_tokens SET kind = 'sign_in' WHERE name = 'Sign-in' AND expires_at IS NOT NULL;

-- +goose Down
ALTER TABLE api_tokens DROP COLUMN kind;
