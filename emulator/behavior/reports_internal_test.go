package behavior

import (
	"strings"
	"testing"
	"time"
)

// TestReportToken: a download token opens to the request it was made for, on the
// server that made it, until it expires; an altered one does not open.
func TestReportToken(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	rb := newReportBook()
	want := reportRequest{tenant: "t", version: "v1.0", function: "getOffice365ServicesUserCounts",
		param: "period", value: "D7", expires: now.Add(reportLifetime).Unix()}
	tok := rb.token(want)
	if got, r, ok := rb.open(tok, now); !ok || got != want || r == nil || r.set != "office365ServicesUserCounts" {
		t.Fatalf("open: %+v %v", got, ok)
	}
	if _, _, ok := rb.open(tok, now.Add(reportLifetime+time.Second)); ok {
		t.Error("an expired token opens")
	}
	if _, _, ok := newReportBook().open(tok, now); ok {
		t.Error("another server's token opens")
	}
	for _, bad := range []string{"", ".", tok + "x", "x" + tok, strings.Replace(tok, ".", "", 1), tok[:len(tok)/2]} {
		if _, _, ok := rb.open(bad, now); ok {
			t.Errorf("token %q opens", bad)
		}
	}
}

func TestValidMailNickname(t *testing.T) {
	t.Parallel()
	for nick, want := range map[string]bool{
		"sales": true, "Sales-Team_1": true, "a.b": true, "": false, "a b": false, "a@b": false, ".a": false,
		"a.": false, "é": false, "a,b": false, strings.Repeat("a", 64): true, strings.Repeat("a", 65): false,
	} {
		if validMailNickname(nick) != want {
			t.Errorf("validMailNickname(%q) = %v", nick, !want)
		}
	}
}
