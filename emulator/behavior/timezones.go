package behavior

import (
	"strings"
	"time"
	_ "time/tzdata" // time zones without the system's database

	"github.com/tidwall/gjson"
)

// Time zones. Outlook writes a time as a dateTimeTimeZone: a local date and time
// without offset ("2026-03-02T09:00:00.0000000") and the name of its zone, a Windows
// name ("Pacific Standard Time") or an IANA one ("America/Los_Angeles"). Events are
// stored in UTC and written in the zone Prefer: outlook.timezone asks for.

// dateTimeLayout is how Outlook writes a dateTimeTimeZone's dateTime.
const dateTimeLayout = "2006-01-02T15:04:05.0000000"

// loadZone returns the zone a dateTimeTimeZone's timeZone names: "UTC" (or empty), a
// Windows name, an IANA name.
func loadZone(name string) (*time.Location, bool) {
	n := strings.TrimSpace(name)
	switch strings.ToLower(n) {
	case "", "utc", "z", "gmt", "etc/utc", "coordinated universal time", "tzone://microsoft/utc":
		return time.UTC, true
	}
	if iana := windowsZone(n); iana != "" {
		n = iana
	}
	if strings.ContainsAny(n, "\\") || strings.Contains(n, "..") {
		return nil, false
	}
	loc, err := time.LoadLocation(n)
	if err != nil {
		return nil, false
	}
	return loc, true
}

// parseDateTimeTimeZone reads a dateTimeTimeZone: its instant, and ok. A dateTime with
// an offset or Z is read as that instant whatever the zone says.
func parseDateTimeTimeZone(v gjson.Result) (time.Time, *time.Location, bool) {
	if !v.IsObject() {
		return time.Time{}, nil, false
	}
	loc, ok := loadZone(v.Get("timeZone").String())
	if !ok {
		return time.Time{}, nil, false
	}
	t, ok := parseLocal(v.Get("dateTime").String(), loc)
	return t, loc, ok
}

// parseLocal reads a date and time, local to loc unless it carries an offset.
func parseLocal(s string, loc *time.Location) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, true
	}
	for _, layout := range [...]string{"2006-01-02T15:04:05.9999999", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// dateTimeTimeZoneJSON writes t in loc, named name.
func dateTimeTimeZoneJSON(t time.Time, loc *time.Location, name string) string {
	return `{"dateTime":` + str(t.In(loc).Format(dateTimeLayout)) + `,"timeZone":` + str(name) + `}`
}

// inZone writes a stored dateTimeTimeZone in loc (named name); ok is false when v is
// not one.
func inZone(v gjson.Result, loc *time.Location, name string) (string, bool) {
	t, _, ok := parseDateTimeTimeZone(v)
	if !ok {
		return "", false
	}
	return dateTimeTimeZoneJSON(t, loc, name), true
}

// windowsZone maps the Windows time zone names Outlook uses to IANA names (the
// Unicode CLDR's windowsZones, territory 001), or "".
func windowsZone(name string) string {
	switch strings.ToLower(name) {
	case "dateline standard time":
		return "Etc/GMT+12"
	case "utc-11":
		return "Etc/GMT+11"
	case "aleutian standard time":
		return "America/Adak"
	case "hawaiian standard time":
		return "Pacific/Honolulu"
	case "marquesas standard time":
		return "Pacific/Marquesas"
	case "alaskan standard time":
		return "America/Anchorage"
	case "utc-09":
		return "Etc/GMT+9"
	case "pacific standard time (mexico)":
		return "America/Tijuana"
	case "utc-08":
		return "Etc/GMT+8"
	case "pacific standard time":
		return "America/Los_Angeles"
	case "us mountain standard time":
		return "America/Phoenix"
	case "mountain standard time (mexico)":
		return "America/Mazatlan"
	case "mountain standard time":
		return "America/Denver"
	case "central america standard time":
		return "America/Guatemala"
	case "central standard time":
		return "America/Chicago"
	case "easter island standard time":
		return "Pacific/Easter"
	case "central standard time (mexico)":
		return "America/Mexico_City"
	case "canada central standard time":
		return "America/Regina"
	case "sa pacific standard time":
		return "America/Bogota"
	case "eastern standard time (mexico)":
		return "America/Cancun"
	case "eastern standard time":
		return "America/New_York"
	case "haiti standard time":
		return "America/Port-au-Prince"
	case "cuba standard time":
		return "America/Havana"
	case "us eastern standard time":
		return "America/Indianapolis"
	case "paraguay standard time":
		return "America/Asuncion"
	case "atlantic standard time":
		return "America/Halifax"
	case "venezuela standard time":
		return "America/Caracas"
	case "central brazilian standard time":
		return "America/Cuiaba"
	case "sa western standard time":
		return "America/La_Paz"
	case "pacific sa standard time":
		return "America/Santiago"
	case "newfoundland standard time":
		return "America/St_Johns"
	case "tocantins standard time":
		return "America/Araguaina"
	case "e. south america standard time":
		return "America/Sao_Paulo"
	case "sa eastern standard time":
		return "America/Cayenne"
	case "argentina standard time":
		return "America/Buenos_Aires"
	case "greenland standard time":
		return "America/Godthab"
	case "montevideo standard time":
		return "America/Montevideo"
	case "bahia standard time":
		return "America/Bahia"
	case "utc-02":
		return "Etc/GMT+2"
	case "azores standard time":
		return "Atlantic/Azores"
	case "cape verde standard time":
		return "Atlantic/Cape_Verde"
	case "gmt standard time":
		return "Europe/London"
	case "greenwich standard time":
		return "Atlantic/Reykjavik"
	case "morocco standard time":
		return "Africa/Casablanca"
	case "w. europe standard time":
		return "Europe/Berlin"
	case "central europe standard time":
		return "Europe/Budapest"
	case "romance standard time":
		return "Europe/Paris"
	case "central european standard time":
		return "Europe/Warsaw"
	case "w. central africa standard time":
		return "Africa/Lagos"
	case "jordan standard time":
		return "Asia/Amman"
	case "gtb standard time":
		return "Europe/Bucharest"
	case "middle east standard time":
		return "Asia/Beirut"
	case "egypt standard time":
		return "Africa/Cairo"
	case "e. europe standard time":
		return "Europe/Chisinau"
	case "syria standard time":
		return "Asia/Damascus"
	case "west bank standard time":
		return "Asia/Hebron"
	case "south africa standard time":
		return "Africa/Johannesburg"
	case "fle standard time":
		return "Europe/Kiev"
	case "israel standard time":
		return "Asia/Jerusalem"
	case "kaliningrad standard time":
		return "Europe/Kaliningrad"
	case "libya standard time":
		return "Africa/Tripoli"
	case "arabic standard time":
		return "Asia/Baghdad"
	case "turkey standard time":
		return "Europe/Istanbul"
	case "arab standard time":
		return "Asia/Riyadh"
	case "belarus standard time":
		return "Europe/Minsk"
	case "russian standard time":
		return "Europe/Moscow"
	case "e. africa standard time":
		return "Africa/Nairobi"
	case "iran standard time":
		return "Asia/Tehran"
	case "arabian standard time":
		return "Asia/Dubai"
	case "azerbaijan standard time":
		return "Asia/Baku"
	case "mauritius standard time":
		return "Indian/Mauritius"
	case "georgian standard time":
		return "Asia/Tbilisi"
	case "caucasus standard time":
		return "Asia/Yerevan"
	case "afghanistan standard time":
		return "Asia/Kabul"
	case "west asia standard time":
		return "Asia/Tashkent"
	case "ekaterinburg standard time":
		return "Asia/Yekaterinburg"
	case "pakistan standard time":
		return "Asia/Karachi"
	case "india standard time":
		return "Asia/Calcutta"
	case "sri lanka standard time":
		return "Asia/Colombo"
	case "nepal standard time":
		return "Asia/Katmandu"
	case "central asia standard time":
		return "Asia/Almaty"
	case "bangladesh standard time":
		return "Asia/Dhaka"
	case "omsk standard time":
		return "Asia/Omsk"
	case "myanmar standard time":
		return "Asia/Rangoon"
	case "se asia standard time":
		return "Asia/Bangkok"
	case "n. central asia standard time":
		return "Asia/Novosibirsk"
	case "north asia standard time":
		return "Asia/Krasnoyarsk"
	case "china standard time":
		return "Asia/Shanghai"
	case "north asia east standard time":
		return "Asia/Irkutsk"
	case "singapore standard time":
		return "Asia/Singapore"
	case "w. australia standard time":
		return "Australia/Perth"
	case "taipei standard time":
		return "Asia/Taipei"
	case "ulaanbaatar standard time":
		return "Asia/Ulaanbaatar"
	case "tokyo standard time":
		return "Asia/Tokyo"
	case "korea standard time":
		return "Asia/Seoul"
	case "yakutsk standard time":
		return "Asia/Yakutsk"
	case "cen. australia standard time":
		return "Australia/Adelaide"
	case "aus central standard time":
		return "Australia/Darwin"
	case "e. australia standard time":
		return "Australia/Brisbane"
	case "aus eastern standard time":
		return "Australia/Sydney"
	case "west pacific standard time":
		return "Pacific/Port_Moresby"
	case "tasmania standard time":
		return "Australia/Hobart"
	case "vladivostok standard time":
		return "Asia/Vladivostok"
	case "central pacific standard time":
		return "Pacific/Guadalcanal"
	case "magadan standard time":
		return "Asia/Magadan"
	case "new zealand standard time":
		return "Pacific/Auckland"
	case "utc+12":
		return "Etc/GMT-12"
	case "fiji standard time":
		return "Pacific/Fiji"
	case "tonga standard time":
		return "Pacific/Tongatapu"
	case "samoa standard time":
		return "Pacific/Apia"
	case "line islands standard time":
		return "Pacific/Kiritimati"
	}
	return ""
}
