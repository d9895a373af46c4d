-- +goose Up
-- The whole domain of PRODUCT.md. Times are UTC text written by the
-- application (never by SQL), money is integer minor units, IDs are opaque
-- text with a type prefix that sort by creation time.

CREATE TABLE users (
    id                TEXT PRIMARY KEY,
    email             TEXT NOT NULL,
    name              TEXT NOT NULL,
    password_hash     TEXT NOT NULL,
    email_verified_at TIMESTAMP,
    created_at        TIMESTAMP NOT NULL,
    updated_at        TIMESTAMP NOT NULL
);
-- Emails are stored as entered and compared case-insensitively.
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

-- A dashboard session. The cookie carries a secret; only its SHA-256 is kept.
CREATE TABLE sessions (
    id_hash      TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

-- API tokens. The secret is shown once; only its SHA-256 is kept.
CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    secret_hash  TEXT NOT NULL UNIQUE,
    created_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP,
    last_used_at TIMESTAMP
);
CREATE INDEX api_tokens_user_idx ON api_tokens (user_id, id);

-- The billing identity that paid at checkout. balance is credit owed to the
-- customer, spent by its next invoices.
CREATE TABLE customer_accounts (
    id            TEXT PRIMARY KEY,
    billing_name  TEXT NOT NULL,
    billing_email TEXT NOT NULL,
    currency      TEXT NOT NULL,
    balance       INTEGER NOT NULL DEFAULT 0 CHECK (balance >= 0),
    created_by    TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at    TIMESTAMP NOT NULL
);

CREATE TABLE organizations (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    customer_id TEXT REFERENCES customer_accounts (id),
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX organizations_customer_idx ON organizations (customer_id);

CREATE TABLE teams (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    -- Target of the composite keys below, which keep a license or grant from
    -- naming a team of another organization.
    UNIQUE (org_id, id)
);
CREATE UNIQUE INDEX teams_name_key ON teams (org_id, lower(name));

-- A role held by a user at the organization (team_id NULL) or at one team.
CREATE TABLE role_grants (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    team_id    TEXT,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('viewer', 'assigner', 'manager', 'owner')),
    granted_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    FOREIGN KEY (org_id, team_id) REFERENCES teams (org_id, id) ON DELETE CASCADE,
    -- A team has no Owner.
    CHECK (team_id IS NULL OR role <> 'owner')
);
-- One grant per user and scope. Two partial indexes because NULLs never
-- collide in a unique index.
CREATE UNIQUE INDEX role_grants_org_user_key ON role_grants (org_id, user_id)
    WHERE team_id IS NULL;
CREATE UNIQUE INDEX role_grants_team_user_key ON role_grants (team_id, user_id)
    WHERE team_id IS NOT NULL;
-- Keyset pagination of a scope's roles, and "where does this user hold roles".
CREATE INDEX role_grants_scope_idx ON role_grants (org_id, team_id, id);
CREATE INDEX role_grants_user_idx ON role_grants (user_id, org_id);

CREATE TABLE invitations (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    team_id     TEXT,
    email       TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('viewer', 'assigner', 'manager', 'owner')),
    token_hash  TEXT NOT NULL UNIQUE,
    invited_by  TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at  TIMESTAMP NOT NULL,
    expires_at  TIMESTAMP NOT NULL,
    accepted_at TIMESTAMP,
    accepted_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    revoked_at  TIMESTAMP,
    FOREIGN KEY (org_id, team_id) REFERENCES teams (org_id, id) ON DELETE CASCADE,
    CHECK (team_id IS NULL OR role <> 'owner'),
    CHECK (accepted_at IS NULL OR revoked_at IS NULL)
);
-- Keyset pagination of an organization's invitations.
CREATE INDEX invitations_org_idx ON invitations (org_id, id);

-- The vendor's catalogue, loaded from the plans file at start.
CREATE TABLE plans (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('personal', 'organization')),
    currency        TEXT NOT NULL,
    price_month     INTEGER NOT NULL CHECK (price_month >= 0),
    price_year      INTEGER NOT NULL CHECK (price_year >= 0),
    min_seats       INTEGER NOT NULL DEFAULT 1 CHECK (min_seats >= 1),
    max_seats       INTEGER NOT NULL CHECK (max_seats >= min_seats),
    max_activations INTEGER NOT NULL DEFAULT 1 CHECK (max_activations >= 1),
    archived        BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE TABLE payment_methods (
    id           TEXT PRIMARY KEY,
    customer_id  TEXT NOT NULL REFERENCES customer_accounts (id),
    brand        TEXT NOT NULL,
    last4        TEXT NOT NULL,
    exp_month    INTEGER NOT NULL CHECK (exp_month BETWEEN 1 AND 12),
    exp_year     INTEGER NOT NULL,
    provider_ref TEXT NOT NULL,
    is_default   BOOLEAN NOT NULL DEFAULT FALSE,
    created_at   TIMESTAMP NOT NULL,
    removed_at   TIMESTAMP
);
CREATE INDEX payment_methods_customer_idx ON payment_methods (customer_id, id);
-- At most one default card per customer.
CREATE UNIQUE INDEX payment_methods_default_key ON payment_methods (customer_id)
    WHERE is_default AND removed_at IS NULL;

-- Exactly one of org_id (organization plan) and user_id (personal plan).
CREATE TABLE subscriptions (
    id                   TEXT PRIMARY KEY,
    customer_id          TEXT NOT NULL REFERENCES customer_accounts (id),
    org_id               TEXT REFERENCES organizations (id),
    user_id              TEXT REFERENCES users (id),
    plan_id              TEXT NOT NULL REFERENCES plans (id),
    period               TEXT NOT NULL CHECK (period IN ('month', 'year')),
    seats                INTEGER NOT NULL CHECK (seats >= 1),
    status               TEXT NOT NULL CHECK (status IN ('active', 'past_due', 'ended')),
    cancel_at_period_end BOOLEAN NOT NULL DEFAULT FALSE,
    current_period_start TIMESTAMP NOT NULL,
    current_period_end   TIMESTAMP NOT NULL,
    payment_attempts     INTEGER NOT NULL DEFAULT 0,
    next_attempt_at      TIMESTAMP,
    created_at           TIMESTAMP NOT NULL,
    ended_at             TIMESTAMP,
    CHECK ((org_id IS NULL) <> (user_id IS NULL)),
    CHECK (current_period_end > current_period_start)
);
CREATE INDEX subscriptions_customer_idx ON subscriptions (customer_id, id);
CREATE INDEX subscriptions_org_idx ON subscriptions (org_id, id);
CREATE INDEX subscriptions_user_idx ON subscriptions (user_id, id);
-- The renewal worker's queue: what falls due next.
CREATE INDEX subscriptions_due_idx ON subscriptions (current_period_end)
    WHERE status <> 'ended';

-- One seat. Assigned to a user, pending for an email without a verified
-- account, or free; never both, so a license has at most one holder.
CREATE TABLE licenses (
    id               TEXT PRIMARY KEY,
    subscription_id  TEXT NOT NULL REFERENCES subscriptions (id),
    org_id           TEXT REFERENCES organizations (id),
    team_id          TEXT,
    assignee_user_id TEXT REFERENCES users (id) ON DELETE SET NULL,
    assignee_email   TEXT,
    assigned_at      TIMESTAMP,
    created_at       TIMESTAMP NOT NULL,
    FOREIGN KEY (org_id, team_id) REFERENCES teams (org_id, id),
    CHECK (assignee_user_id IS NULL OR assignee_email IS NULL)
);
-- A user holds at most one license of a subscription, assigned or pending.
CREATE UNIQUE INDEX licenses_holder_key ON licenses (subscription_id, assignee_user_id);
CREATE UNIQUE INDEX licenses_pending_key ON licenses (subscription_id, lower(assignee_email));
-- Keyset pagination of an organization's licenses, all or one team's.
CREATE INDEX licenses_org_idx ON licenses (org_id, id);
CREATE INDEX licenses_team_idx ON licenses (org_id, team_id, id);
-- "My licenses", and pending assignments claimed at verification.
CREATE INDEX licenses_assignee_idx ON licenses (assignee_user_id);
CREATE INDEX licenses_pending_idx ON licenses (lower(assignee_email))
    WHERE assignee_email IS NOT NULL;

-- Invoice numbers are sequential without gaps: each invoice takes the next
-- value of its counter inside the transaction that creates it.
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);

CREATE TABLE invoices (
    id                TEXT PRIMARY KEY,
    number            INTEGER NOT NULL UNIQUE,
    customer_id       TEXT NOT NULL REFERENCES customer_accounts (id),
    subscription_id   TEXT REFERENCES subscriptions (id),
    status            TEXT NOT NULL CHECK (status IN ('open', 'paid', 'uncollectible', 'void')),
    currency          TEXT NOT NULL,
    subtotal          INTEGER NOT NULL,
    credit_applied    INTEGER NOT NULL DEFAULT 0 CHECK (credit_applied >= 0),
    total             INTEGER NOT NULL CHECK (total >= 0),
    payment_method_id TEXT REFERENCES payment_methods (id),
    card_brand        TEXT,
    card_last4        TEXT,
    charge_ref        TEXT UNIQUE,
    created_at        TIMESTAMP NOT NULL,
    paid_at           TIMESTAMP,
    CHECK (total = subtotal - credit_applied)
);
CREATE INDEX invoices_customer_idx ON invoices (customer_id, id);

CREATE TABLE invoice_lines (
    invoice_id   TEXT NOT NULL REFERENCES invoices (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    description  TEXT NOT NULL,
    quantity     INTEGER NOT NULL,
    unit_amount  INTEGER NOT NULL,
    amount       INTEGER NOT NULL,
    period_start TIMESTAMP NOT NULL,
    period_end   TIMESTAMP NOT NULL,
    proration    BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (invoice_id, position)
);

-- A request that charges money, remembered by the key its caller chose: a
-- retry gets the first answer; the same key with another request is refused.
-- response_status is NULL while the first request is still running.
CREATE TABLE idempotency_keys (
    user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key             TEXT NOT NULL,
    request_hash    TEXT NOT NULL,
    response_status INTEGER,
    response_body   TEXT,
    created_at      TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, key)
);

-- Who changed what, when, with the state before and after as JSON. Kept
-- when the things it names are gone, so it has no foreign keys but org_id.
CREATE TABLE audit_events (
    id          TEXT PRIMARY KEY,
    org_id      TEXT REFERENCES organizations (id) ON DELETE CASCADE,
    customer_id TEXT,
    actor_id    TEXT,
    actor_email TEXT,
    action      TEXT NOT NULL,
    target_type TEXT NOT NULL,
    target_id   TEXT NOT NULL,
    before      TEXT,
    after       TEXT,
    created_at  TIMESTAMP NOT NULL
);
-- Keyset pagination of an organization's log, newest first.
CREATE INDEX audit_events_org_idx ON audit_events (org_id, id);

-- +goose Down
DROP TABLE audit_events;
DROP TABLE idempotency_keys;
DROP TABLE invoice_lines;
DROP TABLE invoices;
DROP TABLE counters;
DROP TABLE licenses;
DROP TABLE subscriptions;
DROP TABLE payment_methods;
DROP TABLE plans;
DROP TABLE invitations;
DROP TABLE role_grants;
DROP TABLE teams;
DROP TABLE organizations;
DROP TABLE customer_accounts;
DROP TABLE api_tokens;
DROP TABLE sessions;
DROP TABLE users;
