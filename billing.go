package seatkeeper

import (
	"context"
	"time"
)

// Plan kinds.
const (
	PlanPersonal     = "personal"
	PlanOrganization = "organization"
)

// Billing periods.
const (
	PeriodMonth = "month"
	PeriodYear  = "year"
)

// Subscription statuses.
const (
	SubscriptionActive  = "active"
	SubscriptionPastDue = "past_due"
	SubscriptionEnded   = "ended"
)

// paymentRetries is when a declined renewal is charged again, counted from
// the start of the period it pays for.
var paymentRetries = [...]time.Duration{24 * time.Hour, 3 * 24 * time.Hour, 5 * 24 * time.Hour}

// PaymentRetryAt returns when retry n (from 1) of a declined renewal whose
// period began at start is due, and false when there is no retry n: after
// the last one is declined, the subscription ends.
func PaymentRetryAt(start time.Time, n int) (time.Time, bool) {
	if n < 1 || n > len(paymentRetries) {
		return time.Time{}, false
	}
	return start.Add(paymentRetries[n-1]), true
}

// PastDueEnd returns when a subscription that fell past due at the start of
// its period ends unless a retry pays: at its last retry. Its licenses are
// valid until then at the most.
func PastDueEnd(start time.Time) time.Time {
	return start.Add(paymentRetries[len(paymentRetries)-1])
}

// LicensesValidUntil returns when the licenses of a subscription in status,
// whose period runs from start to end, stop being valid unless it is paid
// for: at the end of the period, or, while it is past due, at its last
// payment retry if that comes first. An ended subscription's period ends
// when it ended.
func LicensesValidUntil(status string, start, end time.Time) time.Time {
	if last := PastDueEnd(start); status == SubscriptionPastDue && last.Before(end) {
		return last
	}
	return end
}

// Plan is one offer of the vendor's catalogue. Prices are per seat, in
// minor units of Currency (cents for USD).
type Plan struct {
	ID             string `json:"id" toml:"id"`
	Name           string `json:"name" toml:"name"`
	Kind           string `json:"kind" toml:"kind"`
	Currency       string `json:"currency" toml:"currency"`
	Prices         Prices `json:"prices" toml:"prices"`
	MinSeats       int    `json:"min_seats" toml:"min_seats"`
	MaxSeats       int    `json:"max_seats" toml:"max_seats"`
	MaxActivations int    `json:"max_activations" toml:"max_activations"`
}

// Prices are a plan's per-seat prices for each billing period.
type Prices struct {
	Month int64 `json:"month" toml:"month"`
	Year  int64 `json:"year" toml:"year"`
}

// Price returns the per-seat price of one period.
func (p *Plan) Price(period string) int64 {
	if period == PeriodYear {
		return p.Prices.Year
	}
	return p.Prices.Month
}

// PaymentMethod is a saved card: what a payment provider lets the vendor
// keep of it.
type PaymentMethod struct {
	ID       string `json:"id"`
	Brand    string `json:"brand"`
	Last4    string `json:"last4"`
	ExpMonth int    `json:"exp_month"`
	ExpYear  int    `json:"exp_year"`
	Default  bool   `json:"default"`
}

// Card is a card number as entered, only ever passed to the provider.
type Card struct {
	Number   string `json:"number"`
	ExpMonth int    `json:"exp_month"`
	ExpYear  int    `json:"exp_year"`
	CVC      string `json:"cvc"`
}

// Customer is a billing identity: who paid, how, and the credit they hold.
type Customer struct {
	ID             string          `json:"id"`
	BillingName    string          `json:"billing_name"`
	BillingEmail   string          `json:"billing_email"`
	Currency       string          `json:"currency"`
	Balance        int64           `json:"balance"`
	PaymentMethods []PaymentMethod `json:"payment_methods"`
}

// Subscription is a plan bought for a number of seats.
type Subscription struct {
	ID                 string    `json:"id"`
	Plan               PlanRef   `json:"plan"`
	Period             string    `json:"period"`
	Seats              int       `json:"seats"`
	SeatsAssigned      int       `json:"seats_assigned"`
	Status             string    `json:"status"`
	CancelAtPeriodEnd  bool      `json:"cancel_at_period_end"`
	CurrentPeriodStart time.Time `json:"current_period_start"`
	CurrentPeriodEnd   time.Time `json:"current_period_end"`
	CustomerID         string    `json:"customer_id"`
	OrganizationID     *string   `json:"organization_id"`
	UserID             *string   `json:"user_id"`
	Currency           string    `json:"currency"`
	PricePerSeat       int64     `json:"price_per_seat"`
}

// Invoice statuses.
const (
	InvoiceOpen          = "open"
	InvoicePaid          = "paid"
	InvoiceUncollectible = "uncollectible"
)

// Invoice says what was charged, for what, and how it was paid.
type Invoice struct {
	ID             string        `json:"id"`
	Number         int64         `json:"number"`
	CustomerID     string        `json:"customer_id"`
	SubscriptionID *string       `json:"subscription_id"`
	Status         string        `json:"status"`
	Currency       string        `json:"currency"`
	Subtotal       int64         `json:"subtotal"`
	CreditApplied  int64         `json:"credit_applied"`
	Total          int64         `json:"total"`
	Lines          []InvoiceLine `json:"lines"`
	Card           *CardRef      `json:"card"`
	CreatedAt      time.Time     `json:"created_at"`
	PaidAt         *time.Time    `json:"paid_at"`
}

// InvoiceLine is one amount of an invoice and what it is for.
type InvoiceLine struct {
	Description string    `json:"description"`
	Quantity    int       `json:"quantity"`
	UnitAmount  int64     `json:"unit_amount"`
	Amount      int64     `json:"amount"`
	PeriodStart time.Time `json:"period_start"`
	PeriodEnd   time.Time `json:"period_end"`
	Proration   bool      `json:"proration"`
}

// CardRef names the card an invoice was charged to.
type CardRef struct {
	Brand string `json:"brand"`
	Last4 string `json:"last4"`
}

// SeatChange is a seat change and what it costs: the amount charged now and
// the credit carried to the next invoice.
type SeatChange struct {
	Seats        int      `json:"seats"`
	AmountDueNow int64    `json:"amount_due_now"`
	Credit       int64    `json:"credit"`
	Currency     string   `json:"currency"`
	Invoice      *Invoice `json:"invoice,omitempty"`
}

// Checkout is the input of BillingService.Checkout: exactly one of
// PaymentMethod (a saved card of CustomerID) and Card.
type Checkout struct {
	Plan             string  `json:"plan"`
	Period           string  `json:"period"`
	Seats            int     `json:"seats"`
	OrganizationName string  `json:"organization_name"`
	CustomerID       *string `json:"customer_id"`
	PaymentMethod    *string `json:"payment_method"`
	Card             *Card   `json:"card"`
}

// CheckoutResult is what a checkout made.
type CheckoutResult struct {
	Organization *Organization `json:"organization"`
	Subscription *Subscription `json:"subscription"`
	Invoice      *Invoice      `json:"invoice"`
}

// BillingService sells subscriptions and runs the billing portal. The portal
// is for Owners: an Owner of an organization manages every subscription of
// the customer account that bought it; a personal subscription is managed by
// its holder.
type BillingService interface {
	// Plans lists the catalogue.
	Plans(ctx context.Context) ([]Plan, error)

	// Checkout charges the first period, issues a paid invoice, and creates
	// the subscription with one license per seat; an organization plan
	// creates the organization with the buyer as Owner, a personal plan
	// assigns its license to the buyer. A declined card leaves nothing.
	Checkout(ctx context.Context, a *Actor, c Client, in Checkout) (*CheckoutResult, error)

	// Customer returns a customer account with its cards and balance.
	Customer(ctx context.Context, a *Actor, customerID string) (*Customer, error)

	// AddPaymentMethod saves a card; a customer's first card is its default.
	AddPaymentMethod(ctx context.Context, a *Actor, c Client, customerID string, card Card) (
		*PaymentMethod, error)

	// RemovePaymentMethod removes a card. The default card cannot be
	// removed while a subscription depends on it.
	RemovePaymentMethod(ctx context.Context, a *Actor, c Client, customerID, pmID string) error

	// SetDefaultPaymentMethod makes a card the default.
	SetDefaultPaymentMethod(ctx context.Context, a *Actor, c Client, customerID, pmID string) error

	// Invoices lists a customer's invoices, newest first.
	Invoices(ctx context.Context, a *Actor, customerID string, p Page) ([]Invoice, string, error)

	// Invoice returns one invoice with its lines.
	Invoice(ctx context.Context, a *Actor, invoiceID string) (*Invoice, error)

	// Subscription returns one subscription of a customer the actor manages.
	Subscription(ctx context.Context, a *Actor, subID string) (*Subscription, error)

	// PreviewSeats says what changing the seat count would cost now.
	PreviewSeats(ctx context.Context, a *Actor, subID string, seats int) (*SeatChange, error)

	// ChangeSeats changes the seat count, prorated for the rest of the
	// period: an increase is charged now on its own invoice, a decrease is
	// credited to the customer's balance. A decrease that would remove
	// assigned licenses is refused with the number to unassign first.
	ChangeSeats(ctx context.Context, a *Actor, c Client, subID string, seats int) (
		*SeatChange, error)

	// Cancel ends the subscription at the end of its period.
	Cancel(ctx context.Context, a *Actor, c Client, subID string) (*Subscription, error)

	// Renew undoes a cancellation, or restarts an ended subscription with
	// a new period and its charge.
	Renew(ctx context.Context, a *Actor, c Client, subID string) (*Subscription, error)

	// MySubscriptions lists the actor's personal subscriptions and those of
	// the customer accounts they manage as an Owner.
	MySubscriptions(ctx context.Context, a *Actor) ([]Subscription, error)

	// OrgSubscriptions lists an organization's subscriptions, for its
	// Owners and Managers.
	OrgSubscriptions(ctx context.Context, a *Actor, orgID string) ([]Subscription, error)

	// RunDue renews, retries and ends what falls due at the clock's now,
	// and returns how many subscriptions it changed. Running it twice does
	// nothing the second time.
	RunDue(ctx context.Context) (int, error)
}

// StoredResponse is the answer remembered for an idempotency key.
type StoredResponse struct {
	Status int
	Body   []byte
}

// IdempotencyKeys remembers the answers of requests made with an
// Idempotency-Key, per user, so that a retry gets the first answer.
type IdempotencyKeys interface {
	// Begin claims the key for a request with the given hash: nil means
	// run it; a stored response means answer with it.
	Begin(ctx context.Context, userID, key, hash string) (*StoredResponse, error)

	// Finish stores the answer of the request that claimed the key.
	Finish(ctx context.Context, userID, key string, r *StoredResponse) error

	// Abort releases the key after a server fault, so a retry runs again.
	Abort(ctx context.Context, userID, key string) error
}
