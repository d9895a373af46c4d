package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	sk "github.com/seatkeeper/seatkeeper"
)

// AuditRecord is an audit event as stored. Before and After are JSON, or
// nil when there is no state on that side (a creation, a removal).
type AuditRecord struct {
	OrgID      string
	CustomerID *string
	Actor      *sk.UserRef
	Action     string
	TargetType string
	TargetID   string
	Before     []byte
	After      []byte
	ClientIP   string
	At         time.Time
}

// InsertAudit appends an event to the audit log.
func (tx *Tx) InsertAudit(ctx context.Context, r *AuditRecord) error {
	return tx.InsertAudits(ctx, []*AuditRecord{r})
}

// auditBatch is how many events go into one INSERT: 12 parameters each,
// well under both databases' limits.
const auditBatch = 200

// InsertAudits appends events to the audit log, many rows per statement so
// that a bulk change records one event per thing changed at little cost.
func (tx *Tx) InsertAudits(ctx context.Context, records []*AuditRecord) error {
	for chunk := range slices.Chunk(records, auditBatch) {
		var a args
		rows := make([]string, len(chunk))
		for i, r := range chunk {
			var actorID, actorEmail, orgID *string
			if r.Actor != nil {
				actorID, actorEmail = &r.Actor.ID, &r.Actor.Email
			}
			if r.OrgID != "" {
				orgID = &r.OrgID
			}
			rows[i] = "(" + strings.Join([]string{
				a.add(sk.NewID(sk.PrefixAudit, r.At)), a.add(orgID), a.add(r.CustomerID),
				a.add(actorID), a.add(actorEmail), a.add(r.Action), a.add(r.TargetType),
				a.add(r.TargetID), a.add(jsonArg(r.Before)), a.add(jsonArg(r.After)),
				a.add(r.ClientIP), a.add(r.At),
			}, ", ") + ")"
		}
		_, err := tx.q.ExecContext(ctx, `
			INSERT INTO audit_events (id, org_id, customer_id, actor_id, actor_email, action,
				target_type, target_id, before, after, client_ip, created_at)
			VALUES `+strings.Join(rows, ", "), a...)
		if err != nil {
			return fmt.Errorf("recording audit events %s: %w", chunk[0].Action, err)
		}
	}
	return nil
}

// jsonArg passes JSON so that both a jsonb and a text column take it.
func jsonArg(b []byte) any {
	if b == nil {
		return nil
	}
	return string(b)
}

// AuditEvents lists up to limit of an organization's events, newest first,
// after the one with ID before ("" for the first page).
func (tx *Tx) AuditEvents(ctx context.Context, orgID, before string, limit int) (
	[]sk.AuditEvent, error) {
	a := args{orgID}
	rows, err := tx.q.QueryContext(ctx, `
		SELECT e.id, e.actor_id, e.actor_email, u.name, e.action, e.target_type, e.target_id,
			e.before, e.after, COALESCE(e.client_ip, ''), e.created_at
		FROM audit_events e LEFT JOIN users u ON u.id = e.actor_id
		WHERE e.org_id = $1`+a.keyset("e.id", "<", before)+`
		ORDER BY e.id DESC LIMIT `+a.add(limit), a...)
	if err != nil {
		return nil, fmt.Errorf("listing audit events: %w", err)
	}
	defer rows.Close()

	var list []sk.AuditEvent
	for rows.Next() {
		var e sk.AuditEvent
		var actorID, actorEmail, actorName, before, after sql.Null[string]
		err := rows.Scan(&e.ID, &actorID, &actorEmail, &actorName, &e.Action, &e.TargetType,
			&e.TargetID, &before, &after, &e.ClientIP, &e.CreatedAt)
		if err != nil {
			return nil, fmt.Errorf("reading audit event: %w", err)
		}
		if actorID.Valid {
			e.Actor = &sk.UserRef{ID: actorID.V, Email: actorEmail.V, Name: actorName.V}
		}
		if before.Valid {
			e.Before = []byte(before.V)
		}
		if after.Valid {
			e.After = []byte(after.V)
		}
		list = append(list, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing audit events: %w", err)
	}
	return list, nil
}
