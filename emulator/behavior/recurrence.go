package behavior

import (
	"strings"
	"time"

	"github.com/tidwall/gjson"
)

// Recurrence: an event's patternedRecurrence, as Graph documents it (resources/
// patternedrecurrence.md, recurrencepattern.md, recurrencerange.md).
//
//	pattern.type      daily | weekly | absoluteMonthly | relativeMonthly | absoluteYearly | relativeYearly
//	pattern.interval  units (days, weeks, months, years) between occurrences, at least 1
//	pattern.daysOfWeek      weekly, relativeMonthly, relativeYearly
//	pattern.firstDayOfWeek  weekly: where its weeks start (sunday by default)
//	pattern.dayOfMonth      absoluteMonthly, absoluteYearly (a month without that day
//	                        has its occurrence on its last day)
//	pattern.month           absoluteYearly, relativeYearly
//	pattern.index           relativeMonthly, relativeYearly: first (default), second,
//	                        third, fourth, last of the days of week in the month
//	range.type        endDate (through range.endDate) | noEnd | numbered (range.numberOfOccurrences)
//	range.startDate   the first day the series may occur on
//
// Occurrences start at the series master's time of day in the zone its start was given
// in (range.recurrenceTimeZone when set) and last as long as it does.

// civil is a calendar date.
type civil struct {
	y int
	m time.Month
	d int
}

func (c civil) time() time.Time { return time.Date(c.y, c.m, c.d, 0, 0, 0, 0, time.UTC) }

func civilOf(t time.Time) civil { return civil{t.Year(), t.Month(), t.Day()} }

func (c civil) before(o civil) bool { return c.time().Before(o.time()) }

func (c civil) String() string { return c.time().Format("2006-01-02") }

func parseCivil(s string) (civil, bool) {
	t, err := time.Parse("2006-01-02", strings.TrimSpace(s))
	if err != nil {
		return civil{}, false
	}
	return civilOf(t), true
}

// recurrence is a parsed patternedRecurrence.
type recurrence struct {
	kind       string // the pattern type, in lower case
	interval   int
	days       []time.Weekday
	firstDay   time.Weekday
	dayOfMonth int
	month      time.Month
	index      int // 1 to 4, or -1 for last
	rangeKind  string
	start, end civil
	count      int
	zone       string // range.recurrenceTimeZone, "" when not given
}

// weekdays maps Graph's dayOfWeek members.
func weekday(s string) (time.Weekday, bool) {
	for d := time.Sunday; d <= time.Saturday; d++ {
		if strings.EqualFold(d.String(), s) {
			return d, true
		}
	}
	return 0, false
}

// parseRecurrence reads a patternedRecurrence; a problem is a message for Graph's 400.
func parseRecurrence(v gjson.Result) (*recurrence, string) {
	p, rg := v.Get("pattern"), v.Get("range")
	if !p.IsObject() || !rg.IsObject() {
		return nil, "A recurrence needs a pattern and a range."
	}
	r := &recurrence{kind: strings.ToLower(p.Get("type").String()), interval: int(p.Get("interval").Int()), index: 1}
	switch r.kind {
	case "daily", "weekly", "absolutemonthly", "relativemonthly", "absoluteyearly", "relativeyearly":
	default:
		return nil, "The recurrence pattern type '" + p.Get("type").String() + "' is not valid."
	}
	if r.interval < 1 || r.interval > 999 {
		return nil, "The recurrence pattern's interval must be between 1 and 999."
	}
	for _, d := range p.Get("daysOfWeek").Array() {
		wd, ok := weekday(d.String())
		if !ok {
			return nil, "The recurrence pattern's day of week '" + d.String() + "' is not valid."
		}
		r.days = append(r.days, wd)
	}
	if fd := p.Get("firstDayOfWeek").String(); fd != "" {
		wd, ok := weekday(fd)
		if !ok {
			return nil, "The recurrence pattern's first day of week '" + fd + "' is not valid."
		}
		r.firstDay = wd
	}
	r.dayOfMonth, r.month = int(p.Get("dayOfMonth").Int()), time.Month(p.Get("month").Int())
	switch idx := strings.ToLower(p.Get("index").String()); idx {
	case "", "first":
	case "second":
		r.index = 2
	case "third":
		r.index = 3
	case "fourth":
		r.index = 4
	case "last":
		r.index = -1
	default:
		return nil, "The recurrence pattern's index '" + idx + "' is not valid."
	}
	switch r.kind {
	case "weekly", "relativemonthly", "relativeyearly":
		if len(r.days) == 0 {
			return nil, "A " + p.Get("type").String() + " recurrence pattern needs daysOfWeek."
		}
	}
	switch r.kind {
	case "absolutemonthly", "absoluteyearly":
		if r.dayOfMonth < 1 || r.dayOfMonth > 31 {
			return nil, "The recurrence pattern's dayOfMonth must be between 1 and 31."
		}
	}
	switch r.kind {
	case "absoluteyearly", "relativeyearly":
		if r.month < 1 || r.month > 12 {
			return nil, "The recurrence pattern's month must be between 1 and 12."
		}
	}
	r.rangeKind = strings.ToLower(rg.Get("type").String())
	var ok bool
	if r.start, ok = parseCivil(rg.Get("startDate").String()); !ok {
		return nil, "The recurrence range needs a startDate (YYYY-MM-DD)."
	}
	switch r.rangeKind {
	case "noend":
	case "enddate":
		if r.end, ok = parseCivil(rg.Get("endDate").String()); !ok {
			return nil, "An endDate recurrence range needs an endDate (YYYY-MM-DD)."
		}
		if r.end.before(r.start) {
			return nil, "The recurrence range's endDate is before its startDate."
		}
	case "numbered":
		if r.count = int(rg.Get("numberOfOccurrences").Int()); r.count < 1 {
			return nil, "A numbered recurrence range needs numberOfOccurrences of at least 1."
		}
	default:
		return nil, "The recurrence range type '" + rg.Get("type").String() + "' is not valid."
	}
	r.zone = rg.Get("recurrenceTimeZone").String()
	return r, ""
}

// checkRecurrence refuses a recurrence Graph would refuse; absent or null is none.
func checkRecurrence(v gjson.Result) error {
	if !v.Exists() || v.Type == gjson.Null {
		return nil
	}
	if _, msg := parseRecurrence(v); msg != "" {
		return errEvent(msg)
	}
	return nil
}

// maxRecurrenceSpan bounds the dates a series is walked over, whatever its range.
const maxRecurrenceSpan = 200

// dates calls fn with the series' dates in order, from its start, until fn returns
// false or the range ends.
func (r *recurrence) dates(fn func(civil) bool) {
	n := 0
	emit := func(c civil) bool {
		if c.before(r.start) {
			return true
		}
		if r.rangeKind == "enddate" && r.end.before(c) {
			return false
		}
		if r.rangeKind == "numbered" && n >= r.count {
			return false
		}
		n++
		return fn(c)
	}
	limit := r.start.y + maxRecurrenceSpan
	st := r.start.time()
	switch r.kind {
	case "daily":
		for k := 0; ; k += r.interval {
			c := civilOf(st.AddDate(0, 0, k))
			if c.y > limit || !emit(c) {
				return
			}
		}
	case "weekly":
		back := (int(st.Weekday()) - int(r.firstDay) + 7) % 7
		weekStart := st.AddDate(0, 0, -back)
		for k := 0; ; k += r.interval {
			ws := weekStart.AddDate(0, 0, 7*k)
			if ws.Year() > limit {
				return
			}
			for i := 0; i < 7; i++ {
				d := ws.AddDate(0, 0, i)
				if hasDay(r.days, d.Weekday()) && !emit(civilOf(d)) {
					return
				}
			}
		}
	case "absolutemonthly", "relativemonthly":
		for k := 0; ; k += r.interval {
			first := time.Date(r.start.y, r.start.m+time.Month(k), 1, 0, 0, 0, 0, time.UTC)
			if first.Year() > limit {
				return
			}
			if c, ok := r.inMonth(first.Year(), first.Month()); ok && !emit(c) {
				return
			}
		}
	case "absoluteyearly", "relativeyearly":
		for k := 0; ; k += r.interval {
			y := r.start.y + k
			if y > limit {
				return
			}
			if c, ok := r.inMonth(y, r.month); ok && !emit(c) {
				return
			}
		}
	}
}

// inMonth is the series' date in a month: its dayOfMonth (the month's last day when it
// has fewer), or the index-th of its days of week.
func (r *recurrence) inMonth(y int, m time.Month) (civil, bool) {
	last := time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
	if strings.HasPrefix(r.kind, "absolute") {
		return civil{y, m, min(r.dayOfMonth, last)}, true
	}
	var hits []int
	for d := 1; d <= last; d++ {
		if hasDay(r.days, time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Weekday()) {
			hits = append(hits, d)
		}
	}
	switch {
	case len(hits) == 0:
		return civil{}, false
	case r.index == -1:
		return civil{y, m, hits[len(hits)-1]}, true
	case r.index <= len(hits):
		return civil{y, m, hits[r.index-1]}, true
	}
	return civil{}, false
}

func hasDay(days []time.Weekday, d time.Weekday) bool {
	for _, x := range days {
		if x == d {
			return true
		}
	}
	return false
}
