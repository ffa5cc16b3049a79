package emulator_test

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator"
)

// Outlook's calendar over HTTP: events in time zones, attendees' copies and responses,
// calendarView and instances with every recurrence pattern, paging, getSchedule, and
// bad input answered with Graph's errors.

// event writes an event's JSON: subject, start and end in zone, and more members.
func event(subject, start, end, zone string, more ...string) string {
	b := `{"subject":"` + subject + `","start":{"dateTime":"` + start + `","timeZone":"` + zone + `"},"end":{"dateTime":"` + end +
		`","timeZone":"` + zone + `"}`
	for _, m := range more {
		b += "," + m
	}
	return b + "}"
}

// recurrence writes a recurrence member.
func recurrence(pattern, rng string) string {
	return `"recurrence":{"pattern":` + pattern + `,"range":` + rng + `}`
}

// starts lists the start dates (UTC) of a view's items.
func starts(items []gjson.Result) []string {
	var out []string
	for _, it := range items {
		out = append(out, strings.TrimSuffix(it.Get("start.dateTime").String(), ".0000000"))
	}
	return out
}

func view(path, from, to string) string {
	return path + "?startDateTime=" + from + "&endDateTime=" + to
}

func TestEvents(t *testing.T) {
	t.Parallel()
	f := newMail(t)
	a, aUPN := f.user("Adele")
	b, bUPN := f.user("Bob")
	c, cUPN := f.user("Carol")
	r := f.want(f.do("POST", "/v1.0/users/"+a+"/events", event("Review", "2026-03-02T09:00:00", "2026-03-02T10:00:00", "Pacific Standard Time",
		`"attendees":[{"emailAddress":{"address":"`+bUPN+`"},"type":"required"},{"emailAddress":{"address":"`+cUPN+`"}},{"emailAddress":{"address":"guest@example.com"}}]`)), 201)
	e := gjson.ParseBytes(r.Body)
	for name, ok := range map[string]bool{
		"start in UTC":            e.Get("start.dateTime").String() == "2026-03-02T17:00:00.0000000" && e.Get("start.timeZone").String() == "UTC",
		"end in UTC":              e.Get("end.dateTime").String() == "2026-03-02T18:00:00.0000000",
		"originalStartTimeZone":   e.Get("originalStartTimeZone").String() == "Pacific Standard Time",
		"organizer":               e.Get("organizer.emailAddress.address").String() == aUPN && e.Get("isOrganizer").Bool(),
		"responseStatus":          e.Get("responseStatus.response").String() == "organizer",
		"attendee status":         e.Get("attendees.0.status.response").String() == "none" && e.Get("attendees.1.type").String() == "required",
		"attendee name":           e.Get("attendees.0.emailAddress.name").String() == "Bob",
		"type":                    e.Get("type").String() == "singleInstance",
		"iCalUId":                 e.Get("iCalUId").String() != "",
		"changeKey":               `W/"`+e.Get("changeKey").String()+`"` == e.Get(`@odata\.etag`).String(),
		"createdDateTime":         e.Get("createdDateTime").String() == "2026-03-01T12:00:00Z",
		"in the default calendar": f.list("/v1.0/users/" + a + "/calendar/events")[0].Get("id").String() == e.Get("id").String(),
	} {
		if !ok {
			t.Errorf("%s: %s", name, r.Body)
		}
	}
	id := e.Get("id").String()
	// The invitation to the attendee outside the tenant is in the outbox.
	if out := f.want(f.do("GET", emulator.OutboxPath+"?to=guest@example.com", ""), 200); field(out, "value.0.kind") != "event" ||
		field(out, "value.0.subject") != "Review" || field(out, "value.0.from") != aUPN {
		t.Errorf("invitation: %s", out.Body)
	}
	// All-day events start and end at midnight, in their zone.
	allDay := f.want(f.do("POST", "/v1.0/users/"+a+"/events", event("Off", "2026-03-10T00:00:00", "2026-03-12T00:00:00", "W. Europe Standard Time", `"isAllDay":true`)), 201)
	if field(allDay, "start.dateTime") != "2026-03-09T23:00:00.0000000" || field(allDay, "isAllDay") != "true" {
		t.Errorf("all-day: %s", allDay.Body)
	}
	f.wantError(f.do("POST", "/v1.0/users/"+a+"/events", event("Off", "2026-03-10T09:00:00", "2026-03-11T00:00:00", "UTC", `"isAllDay":true`)), 400, "ErrorInvalidRequest")
	f.wantError(f.do("PATCH", "/v1.0/users/"+a+"/events/"+field(allDay, "id"), `{"end":{"dateTime":"2026-03-12T10:00:00","timeZone":"UTC"}}`), 400, "ErrorInvalidRequest")
	f.want(f.do("DELETE", "/v1.0/users/"+a+"/events/"+field(allDay, "id"), ""), 204)
	// Prefer: outlook.timezone writes the times in that zone.
	pst := f.want(f.do("GET", "/v1.0/users/"+a+"/events/"+id, "", "Prefer", `outlook.timezone="Pacific Standard Time"`), 200)
	if field(pst, "start.dateTime") != "2026-03-02T09:00:00.0000000" || field(pst, "start.timeZone") != "Pacific Standard Time" {
		t.Errorf("in PST: %s", pst.Body)
	}
	if got := f.list("/v1.0/users/"+a+"/events?$select=start", "Prefer", `outlook.timezone="Europe/Paris"`); got[0].Get("start.dateTime").String() != "2026-03-02T18:00:00.0000000" {
		t.Errorf("in Paris: %v", got)
	}
	// Attendees who are tenant users have the event, not yet answered.
	var copies []string
	for _, u := range []string{b, c} {
		ev := f.list("/v1.0/users/" + u + "/events")
		if len(ev) != 1 || ev[0].Get("isOrganizer").Bool() || ev[0].Get("responseStatus.response").String() != "none" ||
			ev[0].Get("iCalUId").String() != e.Get("iCalUId").String() || ev[0].Get("organizer.emailAddress.address").String() != aUPN {
			t.Fatalf("copy of %s: %v", u, ev)
		}
		copies = append(copies, ev[0].Get("id").String())
	}
	// Responses update the attendee's copy and the organizer's event.
	f.want(f.do("POST", "/v1.0/users/"+b+"/events/"+copies[0]+"/accept", `{"comment":"yes","sendResponse":true}`), 202)
	f.want(f.do("POST", "/v1.0/users/"+c+"/events/"+copies[1]+"/tentativelyAccept", `{"sendResponse":false}`), 202)
	org := f.want(f.do("GET", "/v1.0/users/"+a+"/events/"+id, ""), 200)
	if field(org, "attendees.0.status.response") != "accepted" || field(org, "attendees.0.status.time") != "2026-03-01T12:00:00Z" ||
		field(org, "attendees.1.status.response") != "none" {
		t.Errorf("organizer's attendees: %s", org.Body)
	}
	if got := field(f.want(f.do("GET", "/v1.0/users/"+c+"/events/"+copies[1], ""), 200), "responseStatus.response"); got != "tentativelyAccepted" {
		t.Errorf("carol's response: %s", got)
	}
	f.want(f.do("POST", "/v1.0/users/"+c+"/events/"+copies[1]+"/decline", `{"comment":"no"}`), 202)
	if got := field(f.want(f.do("GET", "/v1.0/users/"+a+"/events/"+id, ""), 200), "attendees.1.status.response"); got != "declined" {
		t.Errorf("declined: %s", got)
	}
	f.wantError(f.do("POST", "/v1.0/users/"+a+"/events/"+id+"/accept", `{}`), 400, "ErrorInvalidRequest")
	f.wantError(f.do("POST", "/v1.0/users/"+b+"/events/"+copies[0]+"/cancel", `{}`), 400, "ErrorInvalidRequest")
	// The organizer's changes reach the copies.
	f.want(f.do("PATCH", "/v1.0/users/"+a+"/events/"+id, `{"subject":"Review (moved)","location":{"displayName":"Room 2"}}`), 200)
	if got := field(f.want(f.do("GET", "/v1.0/users/"+b+"/events/"+copies[0], ""), 200), "subject"); got != "Review (moved)" {
		t.Errorf("copy after the organizer's update: %s", got)
	}
	// forward, dismissReminder.
	d, dUPN := f.user("Dan")
	f.want(f.do("POST", "/v1.0/users/"+b+"/events/"+copies[0]+"/forward", `{"toRecipients":`+to(dUPN, "friend@example.com")+`,"comment":"join"}`), 202)
	if n := len(f.list("/v1.0/users/" + d + "/events")); n != 1 {
		t.Errorf("forwarded to dan: %d", n)
	}
	if out := f.want(f.do("GET", emulator.OutboxPath+"?to=friend@example.com", ""), 200); gjson.GetBytes(out.Body, "value.0.kind").String() != "event" {
		t.Errorf("forward outside the tenant: %s", out.Body)
	}
	f.wantError(f.do("POST", "/v1.0/users/"+b+"/events/"+copies[0]+"/forward", `{"comment":"x"}`), 400, "ErrorInvalidRecipients")
	f.want(f.do("POST", "/v1.0/users/"+a+"/events/"+id+"/dismissReminder", ""), 202)
	if got := field(f.want(f.do("GET", "/v1.0/users/"+a+"/events/"+id, ""), 200), "isReminderOn"); got != "false" {
		t.Errorf("isReminderOn %s", got)
	}
	// cancel: the organizer's event goes, the copies are cancelled.
	f.want(f.do("POST", "/v1.0/users/"+a+"/events/"+id+"/cancel", `{"comment":"sorry"}`), 202)
	f.wantError(f.do("GET", "/v1.0/users/"+a+"/events/"+id, ""), 404, "ResourceNotFound")
	if got := field(f.want(f.do("GET", "/v1.0/users/"+b+"/events/"+copies[0], ""), 200), "isCancelled"); got != "true" {
		t.Errorf("copy after cancel: isCancelled %s", got)
	}
	// Bad input: Graph's errors, nothing stored.
	for name, body := range map[string]string{
		"end before start": event("x", "2026-03-02T10:00:00", "2026-03-02T09:00:00", "UTC"),
		"unknown zone":     event("x", "2026-03-02T10:00:00", "2026-03-02T11:00:00", "Mars Standard Time"),
		"bad time":         event("x", "tomorrow", "2026-03-02T11:00:00", "UTC"),
		"only a start":     `{"subject":"x","start":{"dateTime":"2026-03-02T10:00:00","timeZone":"UTC"}}`,
	} {
		if r := f.do("POST", "/v1.0/users/"+a+"/events", body); r.Status != 400 || field(r, "error.code") != "ErrorInvalidRequest" {
			t.Errorf("%s: %s", name, r)
		}
	}
	f.wantError(f.do("POST", "/v1.0/users/"+a+"/events", `{"subject":"x","isAllDay":"yes"}`), 400, "Request_BadRequest")
	if n := len(f.list("/v1.0/users/" + a + "/events")); n != 0 {
		t.Errorf("events after bad input: %d", n)
	}
}

func TestCalendarViewRecurrence(t *testing.T) {
	t.Parallel()
	f := newMail(t)
	a, _ := f.user("Adele")
	create := func(body string) string {
		t.Helper()
		return field(f.want(f.do("POST", "/v1.0/users/"+a+"/calendar/events", body), 201), "id")
	}
	cases := []struct {
		name, pattern, rng, from, to string
		want                         []string
	}{
		{"daily every 2 days, numbered", `{"type":"daily","interval":2}`, `{"type":"numbered","startDate":"2026-03-02","numberOfOccurrences":5}`,
			"2026-01-01", "2026-12-31", []string{"2026-03-02", "2026-03-04", "2026-03-06", "2026-03-08", "2026-03-10"}},
		{"weekly every 2 weeks on monday and thursday, end date", `{"type":"weekly","interval":2,"daysOfWeek":["thursday","monday"],"firstDayOfWeek":"sunday"}`,
			`{"type":"endDate","startDate":"2026-03-02","endDate":"2026-03-31"}`, "2026-01-01", "2026-12-31",
			[]string{"2026-03-02", "2026-03-05", "2026-03-16", "2026-03-19", "2026-03-30"}},
		{"weekly, no end, in the window", `{"type":"weekly","interval":1,"daysOfWeek":["monday"]}`, `{"type":"noEnd","startDate":"2026-03-02"}`,
			"2027-01-01", "2027-01-20", []string{"2027-01-04", "2027-01-11", "2027-01-18"}},
		{"absolute monthly on the 31st", `{"type":"absoluteMonthly","interval":1,"dayOfMonth":31}`, `{"type":"numbered","startDate":"2026-01-31","numberOfOccurrences":4}`,
			"2026-01-01", "2026-12-31", []string{"2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30"}},
		{"relative monthly, last friday", `{"type":"relativeMonthly","interval":1,"daysOfWeek":["friday"],"index":"last"}`, `{"type":"numbered","startDate":"2026-01-01","numberOfOccurrences":3}`,
			"2026-01-01", "2026-12-31", []string{"2026-01-30", "2026-02-27", "2026-03-27"}},
		{"relative monthly, second tuesday every 2 months", `{"type":"relativeMonthly","interval":2,"daysOfWeek":["tuesday"],"index":"second"}`, `{"type":"numbered","startDate":"2026-01-01","numberOfOccurrences":3}`,
			"2026-01-01", "2026-12-31", []string{"2026-01-13", "2026-03-10", "2026-05-12"}},
		{"absolute yearly, 29 February", `{"type":"absoluteYearly","interval":1,"month":2,"dayOfMonth":29}`, `{"type":"numbered","startDate":"2024-02-29","numberOfOccurrences":3}`,
			"2024-01-01", "2026-12-31", []string{"2024-02-29", "2025-02-28", "2026-02-28"}},
		{"relative yearly, fourth thursday of November", `{"type":"relativeYearly","interval":1,"month":11,"daysOfWeek":["thursday"],"index":"fourth"}`,
			`{"type":"noEnd","startDate":"2026-01-01"}`, "2026-01-01", "2027-12-31", []string{"2026-11-26", "2027-11-25"}},
	}
	for _, c := range cases {
		first := c.want[0]
		id := create(event(c.name, first+"T09:00:00", first+"T09:30:00", "UTC", recurrence(c.pattern, c.rng)))
		got := starts(f.list(view("/v1.0/users/"+a+"/events/"+id+"/instances", c.from+"T00:00:00Z", c.to+"T00:00:00Z")))
		var want []string
		for _, d := range c.want {
			if d >= c.from {
				want = append(want, d+"T09:00:00")
			}
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: %v, want %v", c.name, got, want)
		}
		f.want(f.do("DELETE", "/v1.0/users/"+a+"/events/"+id, ""), 204)
	}
	// A series in a time zone keeps its local time across daylight saving.
	ny := create(event("NY", "2026-03-06T09:00:00", "2026-03-06T10:00:00", "Eastern Standard Time",
		recurrence(`{"type":"daily","interval":1}`, `{"type":"numbered","startDate":"2026-03-06","numberOfOccurrences":4}`)))
	if got := starts(f.list(view("/v1.0/users/"+a+"/calendarView", "2026-03-01T00:00:00Z", "2026-03-31T00:00:00Z"))); strings.Join(got, ",") !=
		"2026-03-06T14:00:00,2026-03-07T14:00:00,2026-03-08T13:00:00,2026-03-09T13:00:00" {
		t.Errorf("across DST: %v", got)
	}
	f.want(f.do("DELETE", "/v1.0/users/"+a+"/events/"+ny, ""), 204)
	// Bad recurrences are refused, nothing stored.
	for name, rec := range map[string]string{
		"no days of week":  recurrence(`{"type":"weekly","interval":1}`, `{"type":"noEnd","startDate":"2026-03-02"}`),
		"interval 0":       recurrence(`{"type":"daily","interval":0}`, `{"type":"noEnd","startDate":"2026-03-02"}`),
		"no range":         `"recurrence":{"pattern":{"type":"daily","interval":1}}`,
		"end before start": recurrence(`{"type":"daily","interval":1}`, `{"type":"endDate","startDate":"2026-03-02","endDate":"2026-03-01"}`),
		"no occurrences":   recurrence(`{"type":"daily","interval":1}`, `{"type":"numbered","startDate":"2026-03-02","numberOfOccurrences":0}`),
		"bad day of month": recurrence(`{"type":"absoluteMonthly","interval":1,"dayOfMonth":32}`, `{"type":"noEnd","startDate":"2026-03-02"}`),
		"bad start date":   recurrence(`{"type":"daily","interval":1}`, `{"type":"noEnd","startDate":"March"}`),
	} {
		r := f.do("POST", "/v1.0/users/"+a+"/events", event("bad", "2026-03-02T09:00:00", "2026-03-02T10:00:00", "UTC", rec))
		if r.Status != 400 || field(r, "error.code") != "ErrorInvalidRequest" {
			t.Errorf("%s: %s", name, r)
		}
	}
	if n := len(f.list("/v1.0/users/" + a + "/events")); n != 0 {
		t.Errorf("events after bad recurrences: %d", n)
	}
}

func TestCalendarView(t *testing.T) {
	t.Parallel()
	f := newMail(t, emulator.WithSingletonKey("me", "me-id"))
	mustStatus(t, f.srv.Do("POST", "/v1.0/users", `{"id":"me-id","accountEnabled":true,"displayName":"Me","mailNickname":"me","userPrincipalName":"me@contoso.test","passwordProfile":{"password":"x-Y-z-123!aB"}}`), 201)
	series := field(f.want(f.do("POST", "/v1.0/me/events", event("standup", "2026-03-02T09:00:00", "2026-03-02T09:15:00", "UTC",
		recurrence(`{"type":"weekly","interval":1,"daysOfWeek":["monday","wednesday"]}`, `{"type":"noEnd","startDate":"2026-03-02"}`))), 201), "id")
	f.want(f.do("POST", "/v1.0/me/events", event("lunch", "2026-03-04T12:00:00", "2026-03-04T13:00:00", "UTC")), 201)
	f.want(f.do("POST", "/v1.0/me/events", event("early", "2026-03-04T08:00:00", "2026-03-04T08:30:00", "UTC")), 201)
	f.want(f.do("POST", "/v1.0/me/events", event("overnight", "2026-02-28T22:00:00", "2026-03-01T02:00:00", "UTC")), 201)
	f.want(f.do("POST", "/v1.0/me/events", event("outside", "2026-04-04T12:00:00", "2026-04-04T13:00:00", "UTC")), 201)
	path := view("/v1.0/me/calendarView", "2026-03-01T00:00:00Z", "2026-03-08T00:00:00Z")
	items := f.list(path)
	got := subjects(items)
	if strings.Join(got, ",") != "overnight,standup,early,standup,lunch" {
		t.Fatalf("view: %v", got)
	}
	if items[1].Get("type").String() != "occurrence" || items[1].Get("seriesMasterId").String() != series || items[1].Get("recurrence").Type != gjson.Null {
		t.Errorf("occurrence: %s", items[1].Raw)
	}
	// The same view through the calendar, with an offset window, in another zone.
	alt := f.list(view("/v1.0/me/calendar/calendarView", "2026-03-01T01:00:00%2B01:00", "2026-03-08T01:00:00%2B01:00"),
		"Prefer", `outlook.timezone="Tokyo Standard Time"`)
	if len(alt) != 5 || alt[2].Get("start.dateTime").String() != "2026-03-04T17:00:00.0000000" {
		t.Errorf("calendar's view in Tokyo: %v", starts(alt))
	}
	// Paging: $top pages in time order; nextLink keeps the window.
	var paged []string
	next := path + "&$top=2&$select=subject"
	for pages := 0; next != "" && pages < 10; pages++ {
		r := f.want(f.do("GET", next, ""), 200)
		paged = append(paged, subjects(gjson.GetBytes(r.Body, "value").Array())...)
		next = field(r, `@odata\.nextLink`)
	}
	if strings.Join(paged, ",") != strings.Join(got, ",") {
		t.Errorf("paged: %v", paged)
	}
	if got := string(f.want(f.do("GET", view("/v1.0/me/calendarView/$count", "2026-03-01", "2026-03-08"), ""), 200).Body); got != "5" {
		t.Errorf("$count: %s", got)
	}
	if got := subjects(f.list(path + "&$filter=" + urlQuery("subject eq 'standup'"))); len(got) != 2 {
		t.Errorf("$filter: %v", got)
	}
	// An occurrence is addressable by its id; deleting it cancels it.
	occ := items[3].Get("id").String()
	if r := f.want(f.do("GET", "/v1.0/me/events/"+occ, ""), 200); field(r, "type") != "occurrence" || field(r, "start.dateTime") != "2026-03-04T09:00:00.0000000" {
		t.Errorf("occurrence by id: %s", r.Body)
	}
	if r := f.want(f.do("GET", "/v1.0/me/calendarView/"+occ+"?startDateTime=2026-03-01&endDateTime=2026-03-08", ""), 200); field(r, "id") != occ {
		t.Errorf("occurrence in the view: %s", r.Body)
	}
	f.wantError(f.do("PATCH", "/v1.0/me/events/"+occ, `{"subject":"moved"}`), 501, "NotImplemented")
	f.want(f.do("DELETE", "/v1.0/me/events/"+occ, ""), 204)
	if got := subjects(f.list(path)); strings.Join(got, ",") != "overnight,standup,early,lunch" {
		t.Errorf("after cancelling an occurrence: %v", got)
	}
	f.wantError(f.do("GET", "/v1.0/me/events/"+occ, ""), 404, "ResourceNotFound")
	f.wantError(f.do("GET", "/v1.0/me/events/"+series+"_20260303", ""), 404, "ResourceNotFound")
	// Bad windows: Graph's errors.
	for name, p := range map[string]string{
		"none":           "/v1.0/me/calendarView",
		"no end":         "/v1.0/me/calendarView?startDateTime=2026-03-01T00:00:00Z",
		"instances":      "/v1.0/me/events/" + series + "/instances",
		"calendar's":     "/v1.0/me/calendar/calendarView?endDateTime=2026-03-01",
		"a user's by id": "/v1.0/users/me-id/calendarView",
	} {
		r := f.do("GET", p, "")
		if r.Status != 400 || field(r, "error.code") != "ErrorInvalidParameter" ||
			field(r, "error.message") != "This request requires a time window specified by the query string parameters StartDateTime and EndDateTime." {
			t.Errorf("%s: %s", name, r)
		}
	}
	f.wantError(f.do("GET", view("/v1.0/me/calendarView", "2020-01-01T00:00:00Z", "2025-01-02T00:00:00Z"), ""), 400, "ErrorInvalidRequest")
	f.want(f.do("GET", view("/v1.0/me/calendarView", "2020-01-01T00:00:00Z", "2024-12-30T00:00:00Z"), ""), 200)
	f.wantError(f.do("GET", view("/v1.0/me/calendarView", "yesterday", "2026-03-08"), ""), 400, "ErrorInvalidParameter")
	f.want(f.do("POST", view("/v1.0/me/calendarView", "2026-03-01", "2026-03-08"), `{"subject":"x"}`), 405)
	f.want(f.do("GET", view("/v1.0/me/calendarView/delta", "2026-03-01", "2026-03-08"), ""), 501)
}

func TestGetSchedule(t *testing.T) {
	t.Parallel()
	f := newMail(t)
	a, _ := f.user("Adele")
	b, bUPN := f.user("Bob")
	f.want(f.do("POST", "/v1.0/users/"+b+"/events", event("busy", "2026-03-02T10:00:00", "2026-03-02T11:00:00", "UTC")), 201)
	f.want(f.do("POST", "/v1.0/users/"+b+"/events", event("maybe", "2026-03-02T11:30:00", "2026-03-02T12:00:00", "UTC", `"showAs":"tentative"`)), 201)
	body := `{"schedules":["` + bUPN + `","nobody@example.com"],"startTime":{"dateTime":"2026-03-02T09:00:00","timeZone":"UTC"},` +
		`"endTime":{"dateTime":"2026-03-02T13:00:00","timeZone":"UTC"},"availabilityViewInterval":30}`
	r := f.want(f.do("POST", "/v1.0/users/"+a+"/calendar/getSchedule", body, "Prefer", `outlook.timezone="Pacific Standard Time"`), 200)
	if field(r, "value.0.availabilityView") != "00220100" || field(r, "value.0.scheduleItems.#") != "2" ||
		field(r, "value.0.scheduleItems.0.start.dateTime") != "2026-03-02T02:00:00.0000000" ||
		field(r, "value.0.scheduleItems.1.status") != "tentative" || field(r, "value.1.error.responseCode") == "" ||
		!strings.HasSuffix(field(r, `@odata\.context`), "#Collection(microsoft.graph.scheduleInformation)") {
		t.Errorf("schedule: %s", r.Body)
	}
	for name, b := range map[string]string{
		"interval":     strings.Replace(body, `"availabilityViewInterval":30`, `"availabilityViewInterval":2`, 1),
		"end first":    strings.Replace(body, "T13:00:00", "T08:00:00", 1),
		"no schedules": strings.Replace(body, `"schedules":["`+bUPN+`","nobody@example.com"]`, `"schedules":[]`, 1),
	} {
		if r := f.do("POST", "/v1.0/users/"+a+"/calendar/getSchedule", b); r.Status != 400 {
			t.Errorf("%s: %s", name, r)
		}
	}
}

// BenchmarkCalendarViewDailyYear is a calendarView over a year of a daily series (365
// occurrences), all of it in one page.
func BenchmarkCalendarViewDailyYear(b *testing.B) {
	srv, err := emulator.New(emulator.WithClock(func() time.Time { return mailNow }))
	if err != nil {
		b.Fatal(err)
	}
	w := serveInProcess(srv, "POST", "/v1.0/users", userBody("adele"))
	u := gjson.GetBytes(w.Body.Bytes(), "id").String()
	w = serveInProcess(srv, "POST", "/v1.0/users/"+u+"/events", event("daily", "2026-01-01T09:00:00", "2026-01-01T09:30:00", "UTC",
		recurrence(`{"type":"daily","interval":1}`, `{"type":"noEnd","startDate":"2026-01-01"}`)))
	if w.Code != 201 {
		b.Fatalf("event: %d %s", w.Code, w.Body)
	}
	path := fmt.Sprintf("/v1.0/users/%s/calendarView?startDateTime=2026-01-01T00:00:00Z&endDateTime=2027-01-01T00:00:00Z&$top=999", u)
	if w := serveInProcess(srv, "GET", path, ""); w.Code != 200 || gjson.GetBytes(w.Body.Bytes(), "value.#").Int() != 365 {
		b.Fatalf("view: %d %.300s", w.Code, w.Body)
	}
	r := httptest.NewRequest("GET", path, nil)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, r)
		if w.Code != 200 {
			b.Fatalf("status %d", w.Code)
		}
	}
}

// TestEventLocations: an event given a named location and no locations lists that
// location in locations, shaped as Graph writes it; given locations are kept; an event
// without a location has none.
func TestEventLocations(t *testing.T) {
	t.Parallel()
	f := newMail(t)
	a, _ := f.user("Adele")
	one := gjson.ParseBytes(f.want(f.do("POST", "/v1.0/users/"+a+"/events", event("Brunch", "2026-03-02T09:00:00", "2026-03-02T10:00:00", "UTC",
		`"location":{"displayName":"Harry's Bar"}`)), 201).Body)
	if got := one.Get("locations").Raw; got != `[{"displayName":"Harry's Bar","locationType":"default","uniqueId":"Harry's Bar","uniqueIdType":"private"}]` {
		t.Errorf("locations from location: %s", got)
	}
	two := gjson.ParseBytes(f.want(f.do("POST", "/v1.0/users/"+a+"/events", event("Plan", "2026-03-03T09:00:00", "2026-03-03T10:00:00", "UTC",
		`"location":{"displayName":"Room 3; Home"},"locations":[{"displayName":"Room 3"},{"displayName":"Home"}]`)), 201).Body)
	if n := len(two.Get("locations").Array()); n != 2 || two.Get("locations.1.displayName").String() != "Home" {
		t.Errorf("given locations: %s", two.Get("locations").Raw)
	}
	none := gjson.ParseBytes(f.want(f.do("POST", "/v1.0/users/"+a+"/events", event("Alone", "2026-03-04T09:00:00", "2026-03-04T10:00:00", "UTC")), 201).Body)
	if got := none.Get("locations").Raw; got != "[]" {
		t.Errorf("no location: locations %s", got)
	}
	// A new location replaces the locations (event-update.md); a change of something
	// else keeps them.
	moved := gjson.ParseBytes(f.want(f.do("PATCH", "/v1.0/users/"+a+"/events/"+two.Get("id").Str, `{"location":{"displayName":"Cafe"}}`), 200).Body)
	if got := moved.Get("locations.#.displayName").Raw; got != `["Cafe"]` {
		t.Errorf("after a new location: locations %s", moved.Get("locations").Raw)
	}
	kept := gjson.ParseBytes(f.want(f.do("PATCH", "/v1.0/users/"+a+"/events/"+two.Get("id").Str, `{"subject":"Plan B"}`), 200).Body)
	if got := kept.Get("locations.#.displayName").Raw; got != `["Cafe"]` {
		t.Errorf("after a new subject: locations %s", kept.Get("locations").Raw)
	}
	cleared := gjson.ParseBytes(f.want(f.do("PATCH", "/v1.0/users/"+a+"/events/"+one.Get("id").Str, `{"location":{"displayName":""}}`), 200).Body)
	if got := cleared.Get("locations").Raw; got != "[]" {
		t.Errorf("after an empty location: locations %s", got)
	}
	both := gjson.ParseBytes(f.want(f.do("PATCH", "/v1.0/users/"+a+"/events/"+one.Get("id").Str,
		`{"location":{"displayName":"A; B"},"locations":[{"displayName":"A"},{"displayName":"B"}]}`), 200).Body)
	if got := both.Get("locations.#.displayName").Raw; got != `["A","B"]` {
		t.Errorf("both given: locations %s", both.Get("locations").Raw)
	}
}
