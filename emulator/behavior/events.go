package behavior

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/entities"
	"github.com/graph-emulator/graph-emulator/odata"
)

// Events. A user's events live in its calendars (users/{id}/calendars/{id}/events); the
// default calendar is made with the mailbox (mailbox.go). /me/events lists the events
// of every calendar and creates in the default one; /me/calendar is the default
// calendar.
//
// A new event's start and end (dateTimeTimeZone, any Windows or IANA zone) are stored
// in UTC, their zones kept in originalStartTimeZone and originalEndTimeZone; reads
// write them in UTC, or in the zone Prefer: outlook.timezone names (reading.go). The
// organizer is the calendar's owner unless given (isOrganizer then true), its
// responseStatus "organizer"; each attendee's status "none"; iCalUId is new; type is
// seriesMaster with a recurrence (checked: recurrence.go), else singleInstance.
// Attendees who are users of the tenant get a copy in their default calendar (same
// iCalUId, isOrganizer false, responseStatus none); the organizer's later updates reach
// their copies. Responses, cancel, forward and reminders are in eventresponses.go.

// zeroTime is the time Outlook writes for a response not given.
const zeroTime = "0001-01-01T00:00:00Z"

// eventsSpan: a user's events are those of every calendar, after those stored under
// the user itself (loaded from a fixture); a new one goes to the default calendar.
func (b *Behavior) eventsSpan(c *SpanCall) (Span, error) {
	uid, ok, err := b.spanOwner(c)
	if err != nil || !ok {
		return Span{}, err
	}
	sp := Span{Sources: []store.Coll{users().Contained(uid, eventsNav)}}
	c.View.Scan(calendars(uid), 0, func(e store.Entity) bool {
		sp.Sources = append(sp.Sources, calendars(uid).Contained(e.ID, eventsNav))
		return true
	})
	if _, err := c.View.Get(calendars(uid), folderID(uid, calendarName)); err == nil {
		sp.Create = calendars(uid).Contained(folderID(uid, calendarName), eventsNav)
	}
	return sp, nil
}

// calendarSpan: a user's calendar is its default calendar.
func (b *Behavior) calendarSpan(c *SpanCall) (Span, error) {
	uid, ok, err := b.spanOwner(c)
	if err != nil || !ok {
		return Span{}, err
	}
	return Span{Coll: calendars(uid), Key: folderID(uid, calendarName)}, nil
}

// calendarsSpan: a user's calendars, as stored or, in a read before the mailbox is
// stored, its default calendar.
func (b *Behavior) calendarsSpan(c *SpanCall) (Span, error) {
	uid, ok, err := b.spanOwner(c)
	if err != nil || !ok {
		return Span{}, err
	}
	sp := Span{Sources: []store.Coll{calendars(uid)}, Create: calendars(uid)}
	if !hasMailbox(c.View, uid) {
		sp.Members = b.virtualMailbox(c.Schema, c.View, uid, true)
	}
	return sp, nil
}

// calendarByID finds a user's default calendar before its mailbox is stored.
func (b *Behavior) calendarByID(c *NameCall) (store.Entity, store.Coll, bool) {
	for _, src := range c.Sources {
		parent, uid, nav, ok := src.Owner()
		if !ok || nav != calendarsNav || !parent.Equal(users()) || c.Key != folderID(uid, calendarName) || hasMailbox(c.View, uid) {
			continue
		}
		if _, err := c.View.Get(users(), uid); err != nil {
			continue
		}
		for _, cal := range b.virtualMailbox(c.Schema, c.View, uid, true) {
			if cal.Entity.ID == c.Key {
				return cal.Entity, src, true
			}
		}
	}
	return store.Entity{}, store.Coll{}, false
}

// defaultEvents is the collection of the events of a user's default calendar.
func defaultEvents(uid string) store.Coll {
	return calendars(uid).Contained(folderID(uid, calendarName), eventsNav)
}

// writingCalendar completes a new calendar of a mailbox: not the default one,
// removable, its owner the user.
func (b *Behavior) writingCalendar(w *EntityWrite, body []byte) ([]byte, error) {
	uid, ok := mailboxOwner(w.Coll)
	if !ok {
		return body, nil
	}
	if w.Old != nil {
		pairs := []string{}
		for _, p := range [...]string{"isDefaultCalendar", "isRemovable", "owner", "changeKey"} {
			if v := gjson.GetBytes(w.Old, p); v.Exists() {
				pairs = append(pairs, p, v.Raw)
			}
		}
		return w.Merge(body, fieldsOf(w.Type, pairs...)), nil
	}
	if gjson.GetBytes(body, "name").String() == "" {
		return nil, &odata.Error{Status: http.StatusBadRequest, Code: "ErrorInvalidRequest",
			Message: "Your request can't be completed. The calendar name can't be empty."}
	}
	name, addr := "", ""
	if u, err := w.Tx.Get(users(), uid); err == nil {
		name, addr = userAddress(u.Body)
	}
	pairs := []string{"changeKey", str(""), "isDefaultCalendar", "false", "isRemovable", "true",
		"owner", `{"name":` + str(name) + `,"address":` + str(addr) + `}`}
	for _, d := range [...][2]string{{"canEdit", "true"}, {"canShare", "true"}, {"canViewPrivateItems", "true"},
		{"color", str("auto")}, {"hexColor", str("")}, {"isTallyingResponses", "true"},
		{"allowedOnlineMeetingProviders", `["teamsForBusiness"]`}, {"defaultOnlineMeetingProvider", str("teamsForBusiness")}} {
		if v := gjson.GetBytes(body, d[0]); !v.Exists() || v.Type == gjson.Null {
			pairs = append(pairs, d[0], d[1])
		}
	}
	return w.Merge(body, fieldsOf(w.Type, pairs...)), nil
}

// errEvent is Graph's 400 for an event it cannot store.
func errEvent(msg string) error {
	return &odata.Error{Status: http.StatusBadRequest, Code: "ErrorInvalidRequest", Message: "Your request can't be completed. " + msg}
}

// eventTimes checks and normalizes an event's start and end, appending to pairs the
// members to set: each stored in UTC, the zone it was given in kept as
// originalStartTimeZone or originalEndTimeZone. On update (old not nil) a missing one
// is the stored one.
func eventTimes(body []byte, pairs []string, old []byte) ([]string, error) {
	start, end := gjson.GetBytes(body, "start"), gjson.GetBytes(body, "end")
	givenStart, givenEnd := start.Exists(), end.Exists()
	if old != nil {
		if !givenStart && !givenEnd {
			return pairs, nil
		}
		if !givenStart {
			start = gjson.GetBytes(old, "start")
		}
		if !givenEnd {
			end = gjson.GetBytes(old, "end")
		}
	}
	if !start.IsObject() && !end.IsObject() && old == nil {
		return pairs, nil
	}
	if !start.IsObject() || !end.IsObject() {
		return nil, errEvent("An event needs both a start and an end.")
	}
	st, sloc, ok := parseDateTimeTimeZone(start)
	if !ok {
		return nil, errEvent("The start time or its time zone is not valid.")
	}
	et, eloc, ok := parseDateTimeTimeZone(end)
	if !ok {
		return nil, errEvent("The end time or its time zone is not valid.")
	}
	if et.Before(st) {
		return nil, errEvent("The end of the event is before its start.")
	}
	allDay := gjson.GetBytes(body, "isAllDay")
	if !allDay.Exists() && old != nil {
		allDay = gjson.GetBytes(old, "isAllDay")
	}
	if allDay.Bool() && (!midnight(st.In(sloc)) || !midnight(et.In(eloc)) || !et.After(st)) {
		return nil, errEvent("An all-day event must start and end at midnight, and last at least a day.")
	}
	pairs = append(pairs, "start", dateTimeTimeZoneJSON(st, time.UTC, "UTC"), "end", dateTimeTimeZoneJSON(et, time.UTC, "UTC"))
	if givenStart {
		pairs = append(pairs, "originalStartTimeZone", str(zoneLabel(start.Get("timeZone").String())))
	}
	if givenEnd {
		pairs = append(pairs, "originalEndTimeZone", str(zoneLabel(end.Get("timeZone").String())))
	}
	return pairs, nil
}

// eventShapes returns the members of an event's complex values that Graph writes
// whether or not they were given: a location's locationType, uniqueId and
// uniqueIdType; a recurrence's unset members (month and dayOfMonth 0, firstDayOfWeek
// sunday, index first, numberOfOccurrences 0, endDate 0001-01-01, recurrenceTimeZone the
// zone of the event's start). zone names that zone. An event given a named location and
// no locations lists that location in locations, as Outlook does.
func eventShapes(body []byte, zone string) []string {
	var pairs []string
	loc, locs := gjson.GetBytes(body, "location"), gjson.GetBytes(body, "locations")
	if loc.IsObject() {
		pairs = append(pairs, "location", locationShape(loc))
	}
	if loc.Get("displayName").String() != "" && (!locs.Exists() || locs.Type == gjson.Null || locs.IsArray() && len(locs.Array()) == 0) {
		pairs = append(pairs, "locations", "["+locationShape(loc)+"]")
	} else if locs.IsArray() {
		out := []byte{'['}
		for i, l := range locs.Array() {
			if i > 0 {
				out = append(out, ',')
			}
			out = append(out, locationShape(l)...)
		}
		pairs = append(pairs, "locations", string(append(out, ']')))
	}
	if rec := gjson.GetBytes(body, "recurrence"); rec.IsObject() {
		p, r := rec.Get("pattern").Raw, rec.Get("range").Raw
		p = withDefaults(p, [][2]string{{"month", "0"}, {"dayOfMonth", "0"}, {"daysOfWeek", "[]"},
			{"firstDayOfWeek", str("sunday")}, {"index", str("first")}})
		if zone == "" {
			zone = "UTC"
		}
		r = withDefaults(r, [][2]string{{"endDate", str("0001-01-01")}, {"recurrenceTimeZone", str(zone)},
			{"numberOfOccurrences", "0"}})
		pairs = append(pairs, "recurrence", `{"pattern":`+p+`,"range":`+r+`}`)
	}
	return pairs
}

// locationShape writes a location with the members Graph sets: a named place is
// private, identified by its name; an empty one unknown.
func locationShape(l gjson.Result) string {
	name := l.Get("displayName").String()
	defs := [][2]string{{"locationType", str("default")}}
	if name != "" {
		defs = append(defs, [2]string{"uniqueId", str(name)}, [2]string{"uniqueIdType", str("private")})
	} else {
		defs = append(defs, [2]string{"uniqueIdType", str("unknown")})
	}
	return withDefaults(l.Raw, defs)
}

// withDefaults returns the JSON object raw with the members given set where it has
// them absent or null.
func withDefaults(raw string, defs [][2]string) string {
	v := gjson.Parse(raw)
	var add []entities.Field
	for _, d := range defs {
		if m := v.Get(d[0]); !m.Exists() || m.Type == gjson.Null {
			add = append(add, entities.Field{Name: d[0], Raw: d[1]})
		}
	}
	if len(add) == 0 {
		return raw
	}
	return string(plainMerge([]byte(raw), add))
}

// midnight reports whether t is the start of a day.
func midnight(t time.Time) bool {
	return t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 && t.Nanosecond() == 0
}

// zoneLabel is the name a zone is kept under ("UTC" when none was given).
func zoneLabel(z string) string {
	if strings.TrimSpace(z) == "" {
		return "UTC"
	}
	return z
}

// attendeesWithStatus returns the attendees with a response status each (none, unless
// given), a type (required unless given) and a name (the tenant user's, else the
// address).
func attendeesWithStatus(v store.View, list gjson.Result) string {
	if !list.IsArray() {
		return "[]"
	}
	out := []byte{'['}
	for i, a := range list.Array() {
		if i > 0 {
			out = append(out, ',')
		}
		raw := a.Raw
		if !a.Get("status").IsObject() {
			raw = string(plainMerge([]byte(a.Raw), []entities.Field{{Name: "status", Raw: `{"response":"none","time":"` + zeroTime + `"}`}}))
		}
		if !a.Get("type").Exists() {
			raw = string(plainMerge([]byte(raw), []entities.Field{{Name: "type", Raw: `"required"`}}))
		}
		if addr := a.Get("emailAddress.address").String(); addr != "" && a.Get("emailAddress.name").String() == "" {
			name := addr
			if u, ok := findRecipient(v, addr); ok {
				name = orDefault(gjson.GetBytes(u.Body, "displayName").String(), addr)
			}
			raw = string(plainMerge([]byte(raw), []entities.Field{{Name: "emailAddress",
				Raw: `{"name":` + str(name) + `,"address":` + str(addr) + `}`}}))
		}
		out = append(out, raw...)
	}
	return string(append(out, ']'))
}

// writingEvent completes an event the generic handlers store.
func (b *Behavior) writingEvent(w *EntityWrite, body []byte) ([]byte, error) {
	if w.Old != nil {
		return b.updatingEvent(w, body)
	}
	pairs, err := eventTimes(body, nil, nil)
	if err != nil {
		return nil, err
	}
	if err := checkRecurrence(gjson.GetBytes(body, "recurrence")); err != nil {
		return nil, err
	}
	pairs = append(pairs, eventShapes(body, gjson.GetBytes(body, "start.timeZone").String())...)
	now := str(graphDateTime(w.Now()))
	typ := "singleInstance"
	if gjson.GetBytes(body, "recurrence").IsObject() {
		typ = "seriesMaster"
	}
	pairs = append(pairs, "createdDateTime", now, "lastModifiedDateTime", now, "changeKey", str(""),
		"iCalUId", str(iCalUID(w.NewID())), "type", str(typ), "webLink", str(eventWebLink(w.ID)),
		"bodyPreview", str(bodyPreview(gjson.GetBytes(body, "body"))),
		"attendees", attendeesWithStatus(w.Tx, gjson.GetBytes(body, "attendees")), "isCancelled", "false")
	name, addr := "", ""
	if uid, ok := mailboxOwner(w.Coll); ok {
		if u, err := w.Tx.Get(users(), uid); err == nil {
			name, addr = userAddress(u.Body)
		}
	}
	org := gjson.GetBytes(body, "organizer")
	orgAddr := org.Get("emailAddress.address").String()
	isOrganizer := orgAddr == "" || strings.EqualFold(orgAddr, addr)
	if orgAddr == "" && addr != "" {
		pairs = append(pairs, "organizer", recipientJSON(name, addr))
	}
	pairs = append(pairs, "isOrganizer", boolJSON(isOrganizer))
	if isOrganizer {
		pairs = append(pairs, "responseStatus", `{"response":"organizer","time":"`+zeroTime+`"}`)
	} else {
		pairs = append(pairs, "responseStatus", `{"response":"none","time":"`+zeroTime+`"}`)
	}
	for _, d := range [...][2]string{{"categories", "[]"}, {"body", `{"contentType":"html","content":""}`},
		{"isAllDay", "false"}, {"isReminderOn", "true"}, {"reminderMinutesBeforeStart", "15"}, {"showAs", str("busy")},
		{"importance", str("normal")}, {"sensitivity", str("normal")}, {"hasAttachments", "false"},
		{"responseRequested", "true"}, {"allowNewTimeProposals", "true"}, {"isOnlineMeeting", "false"},
		{"onlineMeetingProvider", str("unknown")}, {"isDraft", "false"}, {"hideAttendees", "false"},
		{"location", `{"displayName":"","locationType":"default","uniqueIdType":"unknown"}`}, {"locations", "[]"}} {
		if v := gjson.GetBytes(body, d[0]); (!v.Exists() || v.Type == gjson.Null) && !slices.Contains(pairs, d[0]) {
			pairs = append(pairs, d[0], d[1])
		}
	}
	return w.Merge(body, fieldsOf(w.Type, pairs...)), nil
}

// updatingEvent keeps what the server set on an event and normalizes what changed.
func (b *Behavior) updatingEvent(w *EntityWrite, body []byte) ([]byte, error) {
	if gjson.GetBytes(w.Old, "type").String() == "occurrence" && gjson.GetBytes(w.Old, "seriesMasterId").String() != "" {
		return nil, &odata.Error{Status: http.StatusNotImplemented, Code: "NotImplemented",
			Message: "The emulator does not change one occurrence of a series (an exception); change the series master, or cancel the occurrence."}
	}
	// location and locations correspond: a new location replaces the locations
	// (event-update.md), which eventShapes then lists it in.
	if loc, locs := gjson.GetBytes(body, "location"), gjson.GetBytes(body, "locations"); loc.Raw != gjson.GetBytes(w.Old, "location").Raw &&
		locs.Raw == gjson.GetBytes(w.Old, "locations").Raw {
		body = w.Merge(body, fieldsOf(w.Type, "locations", "[]"))
	}
	var pairs []string
	for _, p := range [...]string{"createdDateTime", "changeKey", "iCalUId", "webLink", "isOrganizer", "organizer",
		"responseStatus", "seriesMasterId", "originalStart", "isCancelled", "hasAttachments"} {
		if v := gjson.GetBytes(w.Old, p); v.Exists() {
			pairs = append(pairs, p, v.Raw)
		}
	}
	pairs, err := eventTimes(body, pairs, w.Old)
	if err != nil {
		return nil, err
	}
	rec := gjson.GetBytes(body, "recurrence")
	if err := checkRecurrence(rec); err != nil {
		return nil, err
	}
	typ := gjson.GetBytes(w.Old, "type").String()
	if typ == "singleInstance" || typ == "seriesMaster" || typ == "" {
		typ = "singleInstance"
		if rec.IsObject() {
			typ = "seriesMaster"
		}
	}
	zone := gjson.GetBytes(body, "originalStartTimeZone").String()
	if z := gjson.GetBytes(w.Old, "originalStartTimeZone").String(); zone == "" {
		zone = z
	}
	pairs = append(pairs, eventShapes(body, zone)...)
	pairs = append(pairs, "type", str(typ), "lastModifiedDateTime", str(graphDateTime(w.Now())),
		"bodyPreview", str(bodyPreview(gjson.GetBytes(body, "body"))),
		"attendees", keepStatuses(w.Tx, gjson.GetBytes(body, "attendees"), gjson.GetBytes(w.Old, "attendees")))
	return w.Merge(body, fieldsOf(w.Type, pairs...)), nil
}

// keepStatuses returns the attendees with the response statuses the old list knew.
func keepStatuses(v store.View, list, old gjson.Result) string {
	if !list.IsArray() {
		if !list.Exists() {
			return "[]"
		}
		return attendeesWithStatus(v, list)
	}
	known := map[string]string{}
	old.ForEach(func(_, a gjson.Result) bool {
		known[strings.ToLower(a.Get("emailAddress.address").String())] = a.Get("status").Raw
		return true
	})
	out := []byte{'['}
	for i, a := range list.Array() {
		if i > 0 {
			out = append(out, ',')
		}
		raw := a.Raw
		if st, ok := known[strings.ToLower(a.Get("emailAddress.address").String())]; ok && st != "" && !a.Get("status").IsObject() {
			raw = string(plainMerge([]byte(raw), []entities.Field{{Name: "status", Raw: st}}))
		}
		out = append(out, raw...)
	}
	list = gjson.ParseBytes(append(out, ']'))
	return attendeesWithStatus(v, list)
}

func boolJSON(v bool) string {
	if v {
		return "true"
	}
	return "false"
}

// iCalUID makes an event's iCalendar UID, shared by the organizer's and the attendees'
// copies.
func iCalUID(seed string) string {
	return "040000008200E00074C5B7101A82E00800000000" + strings.ToUpper(strings.ReplaceAll(seed, "-", ""))
}

// eventWebLink is the Outlook on the web link of an event.
func eventWebLink(id string) string {
	return "https://outlook.office365.com/owa/?itemid=" + strings.ReplaceAll(id, "=", "%3D") + "&exvsurl=1&path=/calendar/item"
}

// eventWritten gives the tenant users among a stored event's attendees their copy of
// it, when the event's calendar belongs to its organizer: a new one on create, the
// organizer's changes on update.
func (b *Behavior) eventWritten(w *EntityWrite, e store.Entity) error {
	if !gjson.GetBytes(e.Body, "isOrganizer").Bool() {
		return nil
	}
	uid, ok := mailboxOwner(w.Coll)
	if !ok {
		return nil
	}
	if err := b.shareEvent(w.Schema, w.Tx, uid, e, w.NewID, w.Now); err != nil {
		return err
	}
	if w.Old != nil {
		return nil
	}
	// The invitations to attendees outside the tenant go to the outbox.
	var external []string
	gjson.GetBytes(e.Body, "attendees").ForEach(func(_, a gjson.Result) bool {
		addr := a.Get("emailAddress.address").String()
		if _, ok := findRecipient(w.Tx, addr); !ok && strings.Contains(addr, "@") {
			external = append(external, addr)
		}
		return true
	})
	if len(external) == 0 {
		return nil
	}
	from := gjson.GetBytes(e.Body, "organizer.emailAddress.address").String()
	return b.toOutbox(w.Tx, w.NewID(), from, external, "event", e.Body, w.Now())
}

// shareEvent writes the organizer's event e (of the user uid) into the default
// calendar of every attendee who is a tenant user: a new copy, or the existing copy
// (same iCalUId) updated with what the organizer sets.
func (b *Behavior) shareEvent(schema *entities.Schema, tx store.Tx, uid string, e store.Entity, newID func() string, now func() time.Time) error {
	t := schema.EntityType(e.Type)
	uidICal := gjson.GetBytes(e.Body, "iCalUId").String()
	seen := map[string]bool{uid: true}
	var err error
	gjson.GetBytes(e.Body, "attendees").ForEach(func(_, a gjson.Result) bool {
		u, ok := findRecipient(tx, a.Get("emailAddress.address").String())
		if !ok || seen[u.ID] {
			return true
		}
		seen[u.ID] = true
		if err = b.ensureMailbox(schema, tx, u.ID, newID); err != nil {
			return false
		}
		err = b.attendeeCopy(t, tx, u.ID, uidICal, e, newID, now)
		return err == nil
	})
	return err
}

// organizerProps are the properties an attendee's copy takes from the organizer's
// event.
func organizerProps() []string {
	return []string{"subject", "body", "bodyPreview", "start", "end", "originalStartTimeZone", "originalEndTimeZone",
		"isAllDay", "location", "locations", "recurrence", "attendees", "organizer", "importance", "sensitivity",
		"isOnlineMeeting", "onlineMeetingProvider", "onlineMeeting", "onlineMeetingUrl", "type", "categories",
		"hideAttendees", "allowNewTimeProposals", "responseRequested", "cancelledOccurrences", "isCancelled"}
}

// attendeeCopy writes the copy of the organizer's event e in the default calendar of
// the user uid.
func (b *Behavior) attendeeCopy(t *entities.StructuredType, tx store.Tx, uid, iCal string, e store.Entity, newID func() string, now func() time.Time) error {
	events := defaultEvents(uid)
	if cur, ok := findByICalUID(tx, uid, iCal); ok {
		var pairs []string
		for _, p := range organizerProps() {
			if v := gjson.GetBytes(e.Body, p); v.Exists() {
				pairs = append(pairs, p, v.Raw)
			}
		}
		pairs = append(pairs, "lastModifiedDateTime", str(graphDateTime(now())))
		_, err := tx.Replace(cur.coll, store.Entity{ID: cur.e.ID, Type: cur.e.Type, Body: b.set(t, cur.e.Body, pairs...)}, nil)
		return err
	}
	id := newID()
	stamp := str(graphDateTime(now()))
	body := b.set(t, withID(e.Body, id), "isOrganizer", "false", "responseStatus", `{"response":"none","time":"`+zeroTime+`"}`,
		"webLink", str(eventWebLink(id)), "createdDateTime", stamp, "lastModifiedDateTime", stamp, "changeKey", str(""))
	_, err := tx.Insert(events, store.Entity{ID: id, Type: e.Type, Body: body})
	return err
}

// located is a stored entity and its collection.
type located struct {
	coll store.Coll
	e    store.Entity
}

// findByICalUID finds the event with that iCalUId in any calendar of the user uid.
func findByICalUID(v store.View, uid, iCal string) (located, bool) {
	var hit located
	found := false
	v.Scan(calendars(uid), 0, func(c store.Entity) bool {
		evs := calendars(uid).Contained(c.ID, eventsNav)
		v.Scan(evs, 0, func(e store.Entity) bool {
			if gjson.GetBytes(e.Body, "iCalUId").String() == iCal {
				hit, found = located{evs, e}, true
			}
			return !found
		})
		return !found
	})
	return hit, found
}
