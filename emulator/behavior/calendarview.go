package behavior

import (
	"bytes"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/entities"
	"github.com/graph-emulator/graph-emulator/odata"
)

// Calendar views: GET /me/calendarView, /me/calendar(s/{id})/calendarView,
// /groups/{id}/calendarView and a series master's /instances, with the window Graph
// requires (?startDateTime=…&endDateTime=…, ISO 8601, UTC when without offset, at most
// 1825 days). They list the single events that overlap the window and the occurrences
// of recurring events that do (the series master itself is not listed), in the order
// of their start (ties in creation order), and page as any collection. An occurrence
// is its series master with its own id (the master's id, "_" and its date), start and
// end, type occurrence, seriesMasterId and no recurrence; GET /me/events/{id} finds it
// too, and DELETE there cancels that occurrence (cancelledOccurrences).

// maxViewDays is the longest window Graph answers.
const maxViewDays = 1825

// viewWindow reads a calendar view's window from its query.
func viewWindow(q url.Values) (from, to time.Time, err error) {
	get := func(name string) (string, bool) {
		for k, v := range q {
			if strings.EqualFold(k, name) && len(v) > 0 && v[0] != "" {
				return v[0], true
			}
		}
		return "", false
	}
	fs, ok1 := get("startDateTime")
	ts, ok2 := get("endDateTime")
	if !ok1 || !ok2 {
		return from, to, &odata.Error{Status: http.StatusBadRequest, Code: "ErrorInvalidParameter",
			Message: "This request requires a time window specified by the query string parameters StartDateTime and EndDateTime."}
	}
	var ok bool
	if from, ok = parseLocal(fs, time.UTC); !ok {
		return from, to, errViewParam("StartDateTime", fs)
	}
	if to, ok = parseLocal(ts, time.UTC); !ok {
		return from, to, errViewParam("EndDateTime", ts)
	}
	if to.Sub(from) > maxViewDays*24*time.Hour {
		return from, to, &odata.Error{Status: http.StatusBadRequest, Code: "ErrorInvalidRequest",
			Message: "Your request can't be completed. The range between the start and end dates is greater than the allowed range. Maximum number of days: 1825"}
	}
	return from, to, nil
}

func errViewParam(name, value string) error {
	return &odata.Error{Status: http.StatusBadRequest, Code: "ErrorInvalidParameter",
		Message: "The value '" + value + "' of parameter '" + name + "' is invalid."}
}

// viewItem is one member of a view, with its start for ordering.
type viewItem struct {
	start time.Time
	seq   uint64 // the stored event's creation order
	rel   Related
}

// calendarView lists the window of a user's default calendar, of a calendar or of a
// group's calendar.
func (b *Behavior) calendarView(c *MembersCall) ([]Related, error) {
	from, to, err := viewWindow(c.Query)
	if err != nil {
		return nil, err
	}
	// A user's view is its default calendar's (and the events stored under the user
	// itself, loaded from a fixture); a calendar's or a group's, its events.
	colls := []store.Coll{c.OwnerColl.Contained(c.Owner.ID, eventsNav)}
	if c.OwnerColl.Equal(users()) {
		colls = append(colls, defaultEvents(c.Owner.ID))
	}
	var items []viewItem
	for _, coll := range colls {
		c.View.Scan(coll, 0, func(e store.Entity) bool {
			items = b.eventInWindow(c.Schema, items, coll, e, from, to)
			return true
		})
	}
	return viewResult(items), nil
}

// instances lists the occurrences of a series master in the window.
func (b *Behavior) instances(c *MembersCall) ([]Related, error) {
	from, to, err := viewWindow(c.Query)
	if err != nil {
		return nil, err
	}
	if !gjson.GetBytes(c.Owner.Body, "recurrence").IsObject() {
		return nil, nil
	}
	return viewResult(b.eventInWindow(c.Schema, nil, c.OwnerColl, c.Owner, from, to)), nil
}

// viewResult orders a view's members by start, ties in creation order, and numbers
// them.
func viewResult(items []viewItem) []Related {
	slices.SortStableFunc(items, func(a, b viewItem) int {
		if c := a.start.Compare(b.start); c != 0 {
			return c
		}
		switch {
		case a.seq < b.seq:
			return -1
		case a.seq > b.seq:
			return 1
		}
		return 0
	})
	out := make([]Related, len(items))
	for i, it := range items {
		out[i] = it.rel
		out[i].Entity.Seq = uint64(i + 1)
	}
	return out
}

// eventSpan reads a stored event's start and end.
func eventSpan(body []byte) (start, end time.Time, ok bool) {
	r := gjson.GetManyBytes(body, "start", "end")
	start, _, ok1 := parseDateTimeTimeZone(r[0])
	end, _, ok2 := parseDateTimeTimeZone(r[1])
	return start, end, ok1 && ok2
}

// overlaps reports whether [start, end) meets [from, to); an event without duration
// meets it when it starts inside.
func overlaps(start, end, from, to time.Time) bool {
	if !end.After(start) {
		return !start.Before(from) && start.Before(to)
	}
	return start.Before(to) && end.After(from)
}

// eventInWindow appends the stored event e (of coll) to items when it overlaps the
// window, or its occurrences that do when it is a series master.
func (b *Behavior) eventInWindow(schema *entities.Schema, items []viewItem, coll store.Coll, e store.Entity, from, to time.Time) []viewItem {
	start, end, ok := eventSpan(e.Body)
	if !ok {
		return items
	}
	rec := gjson.GetBytes(e.Body, "recurrence")
	if !rec.IsObject() {
		if overlaps(start, end, from, to) {
			items = append(items, viewItem{start: start, seq: e.Seq, rel: Related{Coll: coll, Entity: e}})
		}
		return items
	}
	s, ok := b.newSeries(schema, e, rec)
	if !ok {
		return items
	}
	s.r.dates(func(day civil) bool {
		os, oe := s.at(day)
		if !os.Before(to) {
			return false
		}
		if overlaps(os, oe, from, to) && !s.cancelled(day) {
			items = append(items, viewItem{start: os, seq: e.Seq, rel: Related{Coll: coll, Entity: s.occurrence(day, os, oe)}})
		}
		return true
	})
	return items
}

// series is a series master ready to be expanded.
type series struct {
	master store.Entity
	r      *recurrence
	loc    *time.Location
	// clock is the master's start's time of day in loc; dur its length.
	h, m, s int
	dur     time.Duration
	// parts is the occurrences' body around what differs between them (see
	// occurrenceSlots), in the schema's order.
	parts [][]byte
	// order holds the slot of each placeholder, in the template's order.
	order []int
	// cancelledDays are the dates of cancelledOccurrences.
	cancelledDays map[string]bool
}

// occurrenceSlots are the members an occurrence's body has of its own, in the order
// the placeholders of the template are found.
const (
	slotID = iota
	slotStart
	slotEnd
	slotOriginalStart
	slotWebLink
	slotCount
)

// placeholder marks a slot in an occurrence's template.
func placeholder(slot int) string { return `"` + slotMark + strconv.Itoa(slot) + `@@"` }

// slotMark begins a placeholder's text.
const slotMark = "@@occurrence-slot-"

// newSeries reads a series master.
func (b *Behavior) newSeries(schema *entities.Schema, e store.Entity, rec gjson.Result) (*series, bool) {
	r, msg := parseRecurrence(rec)
	if msg != "" {
		return nil, false
	}
	start, end, ok := eventSpan(e.Body)
	if !ok {
		return nil, false
	}
	zone := r.zone
	if zone == "" {
		zone = gjson.GetBytes(e.Body, "originalStartTimeZone").String()
	}
	loc, ok := loadZone(zone)
	if !ok {
		loc = time.UTC
	}
	ls := start.In(loc)
	s := &series{master: e, r: r, loc: loc, h: ls.Hour(), m: ls.Minute(), s: ls.Second(), dur: end.Sub(start),
		cancelledDays: map[string]bool{}}
	prefix := "OID." + e.ID + "."
	gjson.GetBytes(e.Body, "cancelledOccurrences").ForEach(func(_, v gjson.Result) bool {
		if d, ok := strings.CutPrefix(v.String(), prefix); ok {
			s.cancelledDays[d] = true
		}
		return true
	})
	// The template: the master with placeholders where occurrences differ.
	body := withID(e.Body, slotMark+"0@@")
	if t := schema.EntityType(e.Type); t != nil {
		body = b.set(t, body, "start", placeholder(slotStart), "end", placeholder(slotEnd),
			"originalStart", placeholder(slotOriginalStart), "recurrence", "null", "seriesMasterId", str(e.ID),
			"type", str("occurrence"), "webLink", placeholder(slotWebLink))
	}
	mark := []byte(`"` + slotMark)
	for {
		i := bytes.Index(body, mark)
		if i < 0 {
			s.parts = append(s.parts, body)
			break
		}
		s.parts = append(s.parts, body[:i])
		rest := body[i+len(mark):]
		j := bytes.IndexByte(rest, '"')
		if j < 0 {
			return nil, false
		}
		slot, err := strconv.Atoi(strings.TrimSuffix(string(rest[:j]), "@@"))
		if err != nil || slot < 0 || slot >= slotCount {
			return nil, false
		}
		s.order = append(s.order, slot)
		body = rest[j+1:]
	}
	if len(s.parts) != slotCount+1 {
		return nil, false
	}
	return s, true
}

// at is the start and end of the occurrence on day.
func (s *series) at(day civil) (time.Time, time.Time) {
	st := time.Date(day.y, day.m, day.d, s.h, s.m, s.s, 0, s.loc)
	return st, st.Add(s.dur)
}

// occurrenceKey is what an occurrence is named by in its id and in
// cancelledOccurrences: its date.
func occurrenceKey(day civil) string { return day.time().Format("20060102") }

// occurrenceID is the id of the series master's occurrence on day.
func occurrenceID(master string, day civil) string { return master + "_" + occurrenceKey(day) }

// cancelledName is how cancelledOccurrences names the occurrence on day.
func cancelledName(master string, day civil) string { return "OID." + master + "." + day.String() }

func (s *series) cancelled(day civil) bool { return s.cancelledDays[day.String()] }

// occurrence is the entity of the occurrence on day, starting at st and ending at et.
func (s *series) occurrence(day civil, st, et time.Time) store.Entity {
	e := s.master
	e.ID = occurrenceID(e.ID, day)
	vals := [slotCount]string{
		slotID:            str(e.ID),
		slotStart:         dateTimeTimeZoneJSON(st, time.UTC, "UTC"),
		slotEnd:           dateTimeTimeZoneJSON(et, time.UTC, "UTC"),
		slotOriginalStart: str(st.UTC().Format("2006-01-02T15:04:05Z")),
		slotWebLink:       str(eventWebLink(e.ID)),
	}
	n := 0
	for _, p := range s.parts {
		n += len(p)
	}
	for _, v := range vals {
		n += len(v)
	}
	// The slots come in the template's order, which is the schema's: find each.
	body := make([]byte, 0, n)
	body = append(body, s.parts[0]...)
	for i, p := range s.parts[1:] {
		body = append(body, vals[s.order[i]]...)
		body = append(body, p...)
	}
	e.Body = body
	return e
}

// occurrenceByID finds the occurrence an id names among the events of the sources: its
// series master's id and the occurrence's date.
func (b *Behavior) occurrenceByID(c *NameCall) (store.Entity, store.Coll, bool) {
	i := strings.LastIndexByte(c.Key, '_')
	if i <= 0 {
		return store.Entity{}, store.Coll{}, false
	}
	masterID, date := c.Key[:i], c.Key[i+1:]
	day, err := time.Parse("20060102", date)
	if err != nil {
		return store.Entity{}, store.Coll{}, false
	}
	for _, src := range c.Sources {
		m, err := c.View.Get(src, masterID)
		if err != nil {
			continue
		}
		rec := gjson.GetBytes(m.Body, "recurrence")
		s, ok := b.newSeries(c.Schema, m, rec)
		if !ok {
			return store.Entity{}, store.Coll{}, false
		}
		want := civilOf(day)
		var hit store.Entity
		found := false
		s.r.dates(func(d civil) bool {
			if d == want {
				st, et := s.at(d)
				hit, found = s.occurrence(d, st, et), !s.cancelled(d)
				return false
			}
			return d.before(want)
		})
		return hit, src, found
	}
	return store.Entity{}, store.Coll{}, false
}

// scanAll reads a collection whole.
func scanAll(v store.View, c store.Coll) []store.Entity {
	var out []store.Entity
	v.Scan(c, 0, func(e store.Entity) bool { out = append(out, e); return true })
	return out
}
