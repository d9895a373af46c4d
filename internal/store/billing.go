package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	sk "github.com/seatkeeper/seatkeeper"
)

// SavePlans writes the catalogue: every plan is inserted or updated. Plans
// no longer in the catalogue stay, for the subscriptions that use them.
func (tx *Tx) SavePlans(ctx context.Context, plans []sk.Plan) error {
	for _, p := range plans {
		err := tx.UpsertPlan(ctx, &PlanRecord{ID: p.ID, Name: p.Name, Kind: p.Kind,
			Currency: p.Currency, PriceMonth: p.Prices.Month, PriceYear: p.Prices.Year,
			MinSeats: p.MinSeats, MaxSeats: p.MaxSeats, MaxActivations: p.MaxActivations})
		if err != nil {
			return err
		}
	}
	return nil
}

// Customer returns a customer account with its live cards, or ENOTFOUND.
func (tx *Tx) Customer(ctx context.Context, id string) (*sk.Customer, error) {
	c := &sk.Customer{ID: id}
	err := tx.q.QueryRowContext(ctx, `
		SELECT billing_name, billing_email, currency, balance FROM customer_accounts
		WHERE id = $1`, id).Scan(&c.BillingName, &c.BillingEmail, &c.Currency, &c.Balance)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, sk.Errorf(sk.ENOTFOUND, "No such customer account.")
	}
	if err != nil {
		return nil, fmt.Errorf("reading customer: %w", err)
	}
	c.PaymentMethods, err = tx.PaymentMethods(ctx, id)
	return c, err
}

// AddBalance adds delta (negative to spend) to a customer's credit.
func (tx *Tx) AddBalance(ctx context.Context, customerID string, delta int64) error {
	res, err := tx.q.ExecContext(ctx,
		`UPDATE customer_accounts SET balance = balance + $2 WHERE id = $1`, customerID, delta)
	return oneRow(res, err, "changing balance", "No such customer account.")
}

// CustomerBilling is what decides a user's rights over a customer
// account's billing, as facts for package policy to weigh: the user's
// grants in each organization that the account bills, and the personal
// subscriptions that it bills.
type CustomerBilling struct {
	// Orgs holds the user's grants in each organization the account bills,
	// by ID; an organization where they hold no role has none.
	Orgs map[string][]sk.RoleRef

	// Personal counts the account's personal subscriptions, and OfUser
	// those of them that are the user's.
	Personal, OfUser int
}

// CustomerBilling reads the facts that decide the user's rights over the
// customer account's billing. An account that does not exist has none.
func (tx *Tx) CustomerBilling(ctx context.Context, customerID, userID string) (
	*CustomerBilling, error) {
	rows, err := tx.q.QueryContext(ctx, `
		SELECT o.id, g.role, g.team_id FROM organizations o
		LEFT JOIN role_grants g ON g.org_id = o.id AND g.user_id = $2
		WHERE o.customer_id = $1`, customerID, userID)
	if err != nil {
		return nil, fmt.Errorf("reading billing rights: %w", err)
	}
	defer rows.Close()

	f := &CustomerBilling{Orgs: map[string][]sk.RoleRef{}}
	for rows.Next() {
		var orgID string
		var role sql.Null[sk.Role]
		var teamID *string
		if err := rows.Scan(&orgID, &role, &teamID); err != nil {
			return nil, fmt.Errorf("reading billing rights: %w", err)
		}
		grants := f.Orgs[orgID]
		if role.Valid {
			grants = append(grants, sk.RoleRef{Role: role.V, TeamID: teamID})
		}
		f.Orgs[orgID] = grants
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading billing rights: %w", err)
	}

	err = tx.q.QueryRowContext(ctx, `
		SELECT count(*), COALESCE(SUM(CASE WHEN user_id = $2 THEN 1 ELSE 0 END), 0)
		FROM subscriptions WHERE customer_id = $1 AND user_id IS NOT NULL`,
		customerID, userID).Scan(&f.Personal, &f.OfUser)
	if err != nil {
		return nil, fmt.Errorf("reading personal subscriptions: %w", err)
	}
	return f, nil
}

// PaymentMethodRecord is a saved card with the provider's reference.
type PaymentMethodRecord struct {
	sk.PaymentMethod
	CustomerID  string
	ProviderRef string
	CreatedAt   time.Time
}

// PaymentMethods lists a customer's live cards, oldest first.
func (tx *Tx) PaymentMethods(ctx context.Context, customerID string) ([]sk.PaymentMethod, error) {
	rows, err := tx.q.QueryContext(ctx, `
		SELECT id, brand, last4, exp_month, exp_year, is_default FROM payment_methods
		WHERE customer_id = $1 AND removed_at IS NULL ORDER BY id`, customerID)
	if err != nil {
		return nil, fmt.Errorf("listing payment methods: %w", err)
	}
	defer rows.Close()

	list := []sk.PaymentMethod{}
	for rows.Next() {
		var m sk.PaymentMethod
		err := rows.Scan(&m.ID, &m.Brand, &m.Last4, &m.ExpMonth, &m.ExpYear, &m.Default)
		if err != nil {
			return nil, fmt.Errorf("reading payment method: %w", err)
		}
		list = append(list, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing payment methods: %w", err)
	}
	return list, nil
}

const paymentMethodColumns = `id, customer_id, brand, last4, exp_month, exp_year, is_default,
	provider_ref, created_at`

func scanPaymentMethod(row interface{ Scan(...any) error }) (*PaymentMethodRecord, error) {
	var m PaymentMethodRecord
	err := row.Scan(&m.ID, &m.CustomerID, &m.Brand, &m.Last4, &m.ExpMonth, &m.ExpYear,
		&m.Default, &m.ProviderRef, &m.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, sk.Errorf(sk.ENOTFOUND, "No such payment method.")
	}
	if err != nil {
		return nil, fmt.Errorf("reading payment method: %w", err)
	}
	return &m, nil
}

// PaymentMethod returns a live card of the customer, or ENOTFOUND.
func (tx *Tx) PaymentMethod(ctx context.Context, customerID, id string) (*PaymentMethodRecord,
	error) {
	return scanPaymentMethod(tx.q.QueryRowContext(ctx, `SELECT `+paymentMethodColumns+`
		FROM payment_methods WHERE customer_id = $1 AND id = $2 AND removed_at IS NULL`,
		customerID, id))
}

// DefaultPaymentMethod returns the customer's default card, or ENOTFOUND.
func (tx *Tx) DefaultPaymentMethod(ctx context.Context, customerID string) (
	*PaymentMethodRecord, error) {
	return scanPaymentMethod(tx.q.QueryRowContext(ctx, `SELECT `+paymentMethodColumns+`
		FROM payment_methods WHERE customer_id = $1 AND is_default AND removed_at IS NULL`,
		customerID))
}

// CreatePaymentMethod saves a card.
func (tx *Tx) CreatePaymentMethod(ctx context.Context, m *PaymentMethodRecord) error {
	_, err := tx.q.ExecContext(ctx, `
		INSERT INTO payment_methods (id, customer_id, brand, last4, exp_month, exp_year,
			provider_ref, is_default, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		m.ID, m.CustomerID, m.Brand, m.Last4, m.ExpMonth, m.ExpYear, m.ProviderRef, m.Default,
		m.CreatedAt)
	if err != nil {
		return fmt.Errorf("saving payment method: %w", err)
	}
	return nil
}

// RemovePaymentMethod retires a card; invoices keep naming it.
func (tx *Tx) RemovePaymentMethod(ctx context.Context, customerID, id string, now time.Time) error {
	res, err := tx.q.ExecContext(ctx, `
		UPDATE payment_methods SET removed_at = $3, is_default = FALSE
		WHERE customer_id = $1 AND id = $2 AND removed_at IS NULL`, customerID, id, now)
	return oneRow(res, err, "removing payment method", "No such payment method.")
}

// SetDefaultPaymentMethod makes a live card the customer's only default.
func (tx *Tx) SetDefaultPaymentMethod(ctx context.Context, customerID, id string) error {
	_, err := tx.q.ExecContext(ctx, `
		UPDATE payment_methods SET is_default = FALSE WHERE customer_id = $1 AND is_default`,
		customerID)
	if err != nil {
		return fmt.Errorf("clearing default payment method: %w", err)
	}
	res, err := tx.q.ExecContext(ctx, `
		UPDATE payment_methods SET is_default = TRUE
		WHERE customer_id = $1 AND id = $2 AND removed_at IS NULL`, customerID, id)
	return oneRow(res, err, "setting default payment method", "No such payment method.")
}

// NextInvoiceNumber takes the next invoice number. Numbers have no gaps: the
// counter moves in the transaction that issues the invoice.
func (tx *Tx) NextInvoiceNumber(ctx context.Context) (int64, error) {
	var n int64
	err := tx.q.QueryRowContext(ctx, `
		INSERT INTO counters (name, value) VALUES ('invoice', 1)
		ON CONFLICT (name) DO UPDATE SET value = counters.value + 1
		RETURNING value`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("numbering invoice: %w", err)
	}
	return n, nil
}

// InvoiceRecord is an invoice with the card it was, or is to be, charged to.
type InvoiceRecord struct {
	sk.Invoice
	PaymentMethodID *string
	ChargeRef       *string

	// ChargeAttempts counts the declined charges of the invoice.
	ChargeAttempts int
}

// CreateInvoice inserts an invoice and its lines.
func (tx *Tx) CreateInvoice(ctx context.Context, inv *InvoiceRecord) error {
	var brand, last4 *string
	if inv.Card != nil {
		brand, last4 = &inv.Card.Brand, &inv.Card.Last4
	}
	_, err := tx.q.ExecContext(ctx, `
		INSERT INTO invoices (id, number, customer_id, subscription_id, status, currency,
			subtotal, credit_applied, total, payment_method_id, card_brand, card_last4,
			charge_ref, created_at, paid_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
		inv.ID, inv.Number, inv.CustomerID, inv.SubscriptionID, inv.Status, inv.Currency,
		inv.Subtotal, inv.CreditApplied, inv.Total, inv.PaymentMethodID, brand, last4,
		inv.ChargeRef, inv.CreatedAt, inv.PaidAt)
	if err != nil {
		return fmt.Errorf("inserting invoice: %w", err)
	}

	for i, l := range inv.Lines {
		_, err := tx.q.ExecContext(ctx, `
			INSERT INTO invoice_lines (invoice_id, position, description, quantity,
				unit_amount, amount, period_start, period_end, proration)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			inv.ID, i+1, l.Description, l.Quantity, l.UnitAmount, l.Amount, l.PeriodStart,
			l.PeriodEnd, l.Proration)
		if err != nil {
			return fmt.Errorf("inserting invoice line: %w", err)
		}
	}
	return nil
}

// PayInvoice records an invoice paid by a charge to a card, or with no
// charge at all when m is nil (its credit covered it).
func (tx *Tx) PayInvoice(ctx context.Context, id string, m *PaymentMethodRecord, chargeRef string,
	now time.Time) error {
	var pm, brand, last4, ref *string
	if m != nil {
		pm, brand, last4, ref = &m.ID, &m.Brand, &m.Last4, &chargeRef
	}
	res, err := tx.q.ExecContext(ctx, `
		UPDATE invoices SET status = 'paid', payment_method_id = $2, card_brand = $3,
			card_last4 = $4, charge_ref = $5, paid_at = $6
		WHERE id = $1 AND status = 'open'`, id, pm, brand, last4, ref, now)
	return oneRow(res, err, "paying invoice", "No such open invoice.")
}

// DeclineCharge records a declined charge of an open invoice, so that the
// next charge is a new attempt.
func (tx *Tx) DeclineCharge(ctx context.Context, id string) error {
	res, err := tx.q.ExecContext(ctx, `
		UPDATE invoices SET charge_attempts = charge_attempts + 1
		WHERE id = $1 AND status = 'open'`, id)
	return oneRow(res, err, "recording declined charge", "No such open invoice.")
}

// SetInvoiceStatus moves an open invoice to another status.
func (tx *Tx) SetInvoiceStatus(ctx context.Context, id, status string) error {
	res, err := tx.q.ExecContext(ctx,
		`UPDATE invoices SET status = $2 WHERE id = $1 AND status = 'open'`, id, status)
	return oneRow(res, err, "closing invoice", "No such open invoice.")
}

const invoiceColumns = `id, number, customer_id, subscription_id, status, currency, subtotal,
	credit_applied, total, payment_method_id, card_brand, card_last4, charge_ref, created_at,
	paid_at, charge_attempts`

func scanInvoice(row interface{ Scan(...any) error }) (*InvoiceRecord, error) {
	var inv InvoiceRecord
	var brand, last4 sql.Null[string]
	err := row.Scan(&inv.ID, &inv.Number, &inv.CustomerID, &inv.SubscriptionID, &inv.Status,
		&inv.Currency, &inv.Subtotal, &inv.CreditApplied, &inv.Total, &inv.PaymentMethodID,
		&brand, &last4, &inv.ChargeRef, &inv.CreatedAt, &inv.PaidAt, &inv.ChargeAttempts)
	if err != nil {
		return nil, err
	}
	if brand.Valid {
		inv.Card = &sk.CardRef{Brand: brand.V, Last4: last4.V}
	}
	inv.Lines = []sk.InvoiceLine{}
	return &inv, nil
}

// Invoice returns an invoice with its lines, or ENOTFOUND.
func (tx *Tx) Invoice(ctx context.Context, id string) (*InvoiceRecord, error) {
	inv, err := scanInvoice(tx.q.QueryRowContext(ctx,
		`SELECT `+invoiceColumns+` FROM invoices WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, sk.Errorf(sk.ENOTFOUND, "No such invoice.")
	}
	if err != nil {
		return nil, fmt.Errorf("reading invoice: %w", err)
	}

	rows, err := tx.q.QueryContext(ctx, `
		SELECT description, quantity, unit_amount, amount, period_start, period_end, proration
		FROM invoice_lines WHERE invoice_id = $1 ORDER BY position`, id)
	if err != nil {
		return nil, fmt.Errorf("reading invoice lines: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var l sk.InvoiceLine
		err := rows.Scan(&l.Description, &l.Quantity, &l.UnitAmount, &l.Amount, &l.PeriodStart,
			&l.PeriodEnd, &l.Proration)
		if err != nil {
			return nil, fmt.Errorf("reading invoice line: %w", err)
		}
		inv.Lines = append(inv.Lines, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading invoice lines: %w", err)
	}
	return inv, nil
}

// Invoices lists up to limit of a customer's invoices, newest first, after
// the one with ID before ("" for the first page), without their lines.
func (tx *Tx) Invoices(ctx context.Context, customerID, before string, limit int) (
	[]sk.Invoice, error) {
	a := args{customerID}
	rows, err := tx.q.QueryContext(ctx, `SELECT `+invoiceColumns+` FROM invoices
		WHERE customer_id = $1`+a.keyset("id", "<", before)+`
		ORDER BY id DESC LIMIT `+a.add(limit), a...)
	if err != nil {
		return nil, fmt.Errorf("listing invoices: %w", err)
	}
	defer rows.Close()

	list := []sk.Invoice{}
	for rows.Next() {
		inv, err := scanInvoice(rows)
		if err != nil {
			return nil, fmt.Errorf("reading invoice: %w", err)
		}
		list = append(list, inv.Invoice)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing invoices: %w", err)
	}
	return list, nil
}

// OpenInvoice returns the subscription's unpaid invoice, or ENOTFOUND.
func (tx *Tx) OpenInvoice(ctx context.Context, subscriptionID string) (*InvoiceRecord, error) {
	var id string
	err := tx.q.QueryRowContext(ctx, `
		SELECT id FROM invoices WHERE subscription_id = $1 AND status = 'open'
		ORDER BY id DESC LIMIT 1`, subscriptionID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, sk.Errorf(sk.ENOTFOUND, "No open invoice.")
	}
	if err != nil {
		return nil, fmt.Errorf("finding open invoice: %w", err)
	}
	return tx.Invoice(ctx, id)
}
