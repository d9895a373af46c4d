package web

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"time"

	sk "github.com/seatkeeper/seatkeeper"
)

// funcs are the helpers every template may call.
var funcs = template.FuncMap{
	"money":    money,
	"date":     func(t time.Time) string { return t.Format("Jan 2, 2006") },
	"datetime": func(t time.Time) string { return t.Format("Jan 2, 2006 15:04 MST") },
	"isoTime":  func(t time.Time) string { return t.Format(time.RFC3339) },
	"roleName": roleName,
	"plural":   plural,
	"deref":    deref,
	"is":       func(p *string, s string) bool { return deref(p) == s },
	"dict":     dict,
	"list":     func(v ...any) []any { return v },
	"roles":    func() []sk.Role { return allRoles },
	"upper":    strings.ToUpper,
	"title":    titleCase,
	"add":      func(a, b int) int { return a + b },
	"mul":      func(n int, amount int64) int64 { return int64(n) * amount },
	"asset":    asset,
	"aria":     fieldAria,
	"options":  options,
	"sidebar":  sidebar,
}

// allRoles lists the roles highest first, as pickers show them.
var allRoles = []sk.Role{sk.RoleOwner, sk.RoleManager, sk.RoleAssigner, sk.RoleViewer}

// roleName is how a role is written for people.
func roleName(r sk.Role) string { return titleCase(string(r)) }

func titleCase(s string) string {
	if s == "" {
		return ""
	}
	s = strings.ReplaceAll(s, "_", " ")
	return strings.ToUpper(s[:1]) + s[1:]
}

// minorDigits is how many digits of each currency follow the decimal point;
// any currency not listed has two.
var minorDigits = map[string]int{"JPY": 0, "KRW": 0, "CLP": 0, "ISK": 0, "HUF": 2,
	"BHD": 3, "KWD": 3, "OMR": 3, "TND": 3, "JOD": 3}

// symbols are the signs of the commonest currencies; others show their code.
var symbols = map[string]string{"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥",
	"CAD": "CA$", "AUD": "A$"}

// money writes an amount of minor units in its currency, with thousands
// separated: money(123456, "usd") is "$1,234.56". Amounts are integers all
// the way; no floating point touches them.
func money(amount int64, currency string) string {
	currency = strings.ToUpper(currency)
	digits, ok := minorDigits[currency]
	if !ok {
		digits = 2
	}
	sign := ""
	if amount < 0 {
		sign, amount = "-", -amount
	}
	unit := int64(1)
	for range digits {
		unit *= 10
	}

	s := groupThousands(strconv.FormatInt(amount/unit, 10))
	if digits > 0 {
		s += fmt.Sprintf(".%0*d", digits, amount%unit)
	}
	if sym, ok := symbols[currency]; ok {
		return sign + sym + s
	}
	return sign + currency + " " + s
}

func groupThousands(s string) string {
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// plural writes n with the singular or plural noun: plural(1, "seat",
// "seats") is "1 seat".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// dict builds a map from alternating keys and values, to pass several
// values to a partial template.
func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, fmt.Errorf("dict needs pairs, got %d values", len(kv))
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("dict key %v is not a string", kv[i])
		}
		m[k] = kv[i+1]
	}
	return m, nil
}

// fieldAria returns the attributes that tie a control written out in full
// (a select, where the "input" partial does not serve) to its error: when
// err is not empty, aria-invalid, and aria-describedby naming the error's
// paragraph, whose ID is the control's ID followed by "-error".
func fieldAria(id, err string) template.HTMLAttr {
	if err == "" {
		return ""
	}
	return template.HTMLAttr(`aria-invalid="true" aria-describedby="` +
		template.HTMLEscapeString(id) + `-error"`)
}

// options writes the <option> elements of a picker in one step. A picker
// of every team of a large organization runs to a thousand options, and a
// range in the template pays a reflective lookup for each field of each.
func options(opts []option) template.HTML {
	var b strings.Builder
	for _, o := range opts {
		b.WriteString(`<option value="`)
		b.WriteString(template.HTMLEscapeString(o.Value))
		b.WriteByte('"')
		if o.Selected {
			b.WriteString(" selected")
		}
		b.WriteByte('>')
		b.WriteString(template.HTMLEscapeString(o.Label))
		b.WriteString("</option>")
	}
	return template.HTML(b.String())
}
