-- +goose Up
-- How many charges of an invoice were declined. The next charge is keyed by
-- it (with the invoice and the card), so that every new attempt is a new
-- charge at the provider, while an attempt whose answer was lost keeps its
-- key and is charged once however often it is tried.
ALTER TABLE invoices ADD COLUMN charge_attempts INTEGER NOT NULL DEFAULT 0
    CHECK (charge_attempts >= 0);

-- Idempotency keys live 24 hours; this index finds the expired ones to prune.
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);

-- A subscription whose payment retries were spent ends at its last retry,
-- and its period with it, so that its licenses' valid_until says when they
-- stopped being valid. Those that ended before kept the unpaid period's end.
UPDATE subscriptions SET current_period_end = ended_at
WHERE status = 'ended' AND ended_at > current_period_start
    AND ended_at < current_period_end;

-- +goose Down
-- The periods cut short at their end stay so: their unpaid end was never
-- valid.
DROP INDEX idempotency_keys_created_idx;
ALTER TABLE invoices DROP COLUMN charge_attempts;
