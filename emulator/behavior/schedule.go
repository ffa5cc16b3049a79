package behavior

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/odata"
)

// Free/busy (calendar-getschedule.md):
//
//	POST /me/calendar/getSchedule {"schedules":[addresses],"startTime","endTime","availabilityViewInterval"}
//
// answers 200 with one scheduleInformation per address: for a tenant user (found by
// mail, userPrincipalName or proxyAddresses), the events and occurrences of its default
// calendar in the period as scheduleItems (status from showAs, subject, location), the
// availabilityView (a digit per interval of availabilityViewInterval minutes, 30 by
// default: 0 free, 1 tentative, 2 busy, 3 out of office, 4 working elsewhere, the
// busiest item of the interval) and working hours (Monday to Friday, 08:00 to 17:00);
// for another address, an error. Times are in UTC, or in the zone of Prefer:
// outlook.timezone.

func registerSchedule(b *Behavior) {
	b.bindOp(graphNamespace+".getSchedule", calendarType, b.getSchedule)
}

// freeBusyDigit is the availabilityView digit of a showAs value.
func freeBusyDigit(showAs string) byte {
	switch strings.ToLower(showAs) {
	case "free":
		return '0'
	case "tentative":
		return '1'
	case "oof":
		return '3'
	case "workingelsewhere":
		return '4'
	}
	return '2'
}

// busier reports whether digit a shows a busier time than b.
func busier(a, b byte) bool {
	rank := func(d byte) int {
		switch d {
		case '0':
			return 0
		case '4':
			return 1
		case '1':
			return 2
		case '2':
			return 3
		}
		return 4 // oof
	}
	return rank(a) > rank(b)
}

func (b *Behavior) getSchedule(_ context.Context, c *OpCall) (*OpResult, error) {
	if c.View == nil {
		return nil, odata.ErrInternal()
	}
	from, _, ok1 := parseDateTimeTimeZone(c.Args.Get("StartTime"))
	to, _, ok2 := parseDateTimeTimeZone(c.Args.Get("EndTime"))
	if !ok1 || !ok2 {
		return nil, &odata.Error{Status: http.StatusBadRequest, Code: "ErrorInvalidParameter",
			Message: "The startTime and endTime of the request must be dateTimeTimeZone values with a known time zone."}
	}
	if !to.After(from) {
		return nil, &odata.Error{Status: http.StatusBadRequest, Code: "ErrorInvalidParameter",
			Message: "The endTime must be after the startTime."}
	}
	if to.Sub(from) > 62*24*time.Hour {
		return nil, &odata.Error{Status: http.StatusBadRequest, Code: "ErrorInvalidParameter",
			Message: "The requested time duration exceeds the maximum of 62 days."}
	}
	interval := 30
	if v := c.Args.Get("AvailabilityViewInterval"); v.Exists() && v.Type != gjson.Null {
		interval = int(v.Int())
	}
	if interval < 5 || interval > 1440 {
		return nil, &odata.Error{Status: http.StatusBadRequest, Code: "ErrorInvalidParameter",
			Message: "The availabilityViewInterval must be between 5 and 1440 minutes."}
	}
	schedules := c.Args.Strings("Schedules")
	if len(schedules) == 0 || len(schedules) > 100 {
		return nil, &odata.Error{Status: http.StatusBadRequest, Code: "ErrorInvalidParameter",
			Message: "The schedules must name between 1 and 100 addresses."}
	}
	loc, zone := time.UTC, "UTC"
	if rd := b.Reader(c.Schema, c.Header); rd.zone != nil {
		loc, zone = rd.zone, rd.zoneName
	}
	slot := time.Duration(interval) * time.Minute
	slots := int((to.Sub(from) + slot - 1) / slot)
	w := odata.BeginCollection(nil, odata.CollectionHead{Context: odata.ContextURL(c.Base, c.Version,
		"Collection(microsoft.graph.scheduleInformation)", false)})
	for _, addr := range schedules {
		u, ok := findRecipient(c.View, addr)
		if !ok {
			info := credentialObject([2]string{"scheduleId", str(addr)}, [2]string{"availabilityView", str("")},
				[2]string{"error", `{"message":"The specified object was not found in the store., The process failed to get the correct properties.","responseCode":"ErrorMailRecipientNotFound"}`},
				[2]string{"scheduleItems", "[]"})
			_ = w.AddFunc(func(dst []byte) ([]byte, error) { return append(dst, info...), nil })
			continue
		}
		var items []viewItem
		evs := defaultEvents(u.ID)
		for _, e := range scanAll(c.View, evs) {
			items = b.eventInWindow(c.Schema, items, evs, e, from, to)
		}
		view := []byte(strings.Repeat("0", slots))
		list := []byte{'['}
		for i, it := range viewResult(items) {
			body := it.Entity.Body
			st, et, _ := eventSpan(body)
			digit := freeBusyDigit(gjson.GetBytes(body, "showAs").String())
			for k := 0; k < slots; k++ {
				s0 := from.Add(time.Duration(k) * slot)
				if overlaps(st, et, s0, s0.Add(slot)) && busier(digit, view[k]) {
					view[k] = digit
				}
			}
			if i > 0 {
				list = append(list, ',')
			}
			r := gjson.GetManyBytes(body, "sensitivity", "showAs", "subject", "location.displayName", "recurrence", "type", "isReminderOn")
			list = append(list, credentialObject(
				[2]string{"isPrivate", boolJSON(strings.EqualFold(r[0].String(), "private"))},
				[2]string{"status", str(strings.ToLower(orDefault(r[1].String(), "busy")))},
				[2]string{"subject", str(r[2].String())},
				[2]string{"location", str(r[3].String())},
				[2]string{"isMeeting", boolJSON(len(gjson.GetBytes(body, "attendees").Array()) > 0)},
				[2]string{"isRecurring", boolJSON(r[5].String() == "occurrence" || r[5].String() == "seriesMaster")},
				[2]string{"isException", boolJSON(r[5].String() == "exception")},
				[2]string{"isReminderSet", boolJSON(r[6].Bool())},
				[2]string{"start", dateTimeTimeZoneJSON(st, loc, zone)},
				[2]string{"end", dateTimeTimeZoneJSON(et, loc, zone)})...)
		}
		list = append(list, ']')
		info := credentialObject([2]string{"scheduleId", str(addr)}, [2]string{"availabilityView", str(string(view))},
			[2]string{"scheduleItems", string(list)},
			[2]string{"workingHours", `{"daysOfWeek":["monday","tuesday","wednesday","thursday","friday"],"startTime":"08:00:00.0000000","endTime":"17:00:00.0000000","timeZone":{"name":` + str(zone) + `}}`})
		_ = w.AddFunc(func(dst []byte) ([]byte, error) { return append(dst, info...), nil })
	}
	return &OpResult{Status: http.StatusOK, Body: w.Finish()}, nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
