package behavior

import (
	"testing"
	"time"

	"github.com/tidwall/gjson"
)

// FuzzKQL parses and runs arbitrary $search values on messages: an error or a match,
// never a panic.
func FuzzKQL(f *testing.F) {
	for _, s := range []string{`"pizza"`, `"from:adele AND subject:\"a b\""`, `"(a OR b) NOT c"`, `"received>=2026-01-01..2026-02-01"`,
		`"`, `((`, `"subject:"`, `NOT`, `"a" "b"`, `from:"x`, `"importance:high hasAttachments:true"`} {
		f.Add(s)
	}
	msg := []byte(`{"subject":"Pizza party","body":{"contentType":"html","content":"<p>Bring <b>drinks</b></p>"},` +
		`"from":{"emailAddress":{"name":"Adele","address":"adele@contoso.test"}},"receivedDateTime":"2026-03-01T12:00:00Z",` +
		`"toRecipients":[{"emailAddress":{"name":"Bob","address":"bob@contoso.test"}}],"importance":"high"}`)
	f.Fuzz(func(t *testing.T, q string) {
		p := &kqlParser{src: unwrapQuotes(q)}
		p.lex()
		if p.err != "" || len(p.toks) == 0 {
			return
		}
		n := p.parseOr()
		if p.err == "" && p.pos == len(p.toks) {
			n.match(msg)
		}
	})
}

// FuzzRecurrence reads arbitrary recurrences and walks their first dates: a refusal or
// dates in order, never a panic or an endless walk.
func FuzzRecurrence(f *testing.F) {
	for _, s := range []string{
		`{"pattern":{"type":"weekly","interval":1,"daysOfWeek":["monday"]},"range":{"type":"noEnd","startDate":"2026-03-02"}}`,
		`{"pattern":{"type":"relativeYearly","interval":3,"month":2,"daysOfWeek":["friday"],"index":"last"},"range":{"type":"numbered","startDate":"2026-03-02","numberOfOccurrences":9}}`,
		`{"pattern":{"type":"absoluteMonthly","interval":1,"dayOfMonth":31},"range":{"type":"endDate","startDate":"2026-01-31","endDate":"2027-01-01"}}`,
		`{"pattern":{},"range":{}}`, `[]`, `{"pattern":{"type":"daily","interval":999},"range":{"type":"noEnd","startDate":"9999-12-31"}}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		r, msg := parseRecurrence(gjson.Parse(raw))
		if msg != "" {
			return
		}
		var last civil
		n := 0
		deadline := time.Now().Add(2 * time.Second)
		r.dates(func(c civil) bool {
			if n > 0 && !last.before(c) {
				t.Fatalf("dates out of order: %v then %v", last, c)
			}
			last = c
			n++
			return n < 500 && time.Now().Before(deadline)
		})
	})
}
