package behavior

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/odata"
)

// Graph's usage reports (reportRoot: getOffice365ServicesUserCounts and its siblings)
// answer a 302 whose Location is a pre-authenticated download URL, valid a few minutes,
// that serves the report as CSV; in beta, $format=application/json answers the rows as
// JSON instead. The emulator's download URL is on the emulator itself:
// ReportDownloadPath followed by a token that carries the tenant, the version, the
// function and its parameter, and an expiry, signed with a key of the server's own.

// ReportDownloadPath is where the emulator serves report downloads: the path of the
// Location a report function answers with, before its token.
const ReportDownloadPath = "/_emulator/reports/"

// reportLifetime is how long a download URL is valid.
const reportLifetime = 5 * time.Minute

// reportDateWindow is how far back a report's date parameter may go.
const reportDateWindow = 30 * 24 * time.Hour

// reportColumn is one column of a report: its header as Graph's docs list it and the
// property of the report's entity type it shows.
type reportColumn struct{ header, property string }

// report is one report function whose result is a report stream.
type report struct {
	// function is the function's name.
	function string
	// set is the entity set whose entities are the report's rows, selected by their
	// reportPeriod; "" for a report the emulator answers with its header row only.
	set     string
	columns []reportColumn
}

// reports returns the report functions the emulator answers, with the columns their
// docs list.
func reports() []report {
	col := func(pairs ...string) []reportColumn {
		out := make([]reportColumn, 0, len(pairs)/2)
		for i := 0; i+1 < len(pairs); i += 2 {
			out = append(out, reportColumn{pairs[i], pairs[i+1]})
		}
		return out
	}
	return []report{
		{function: "getOffice365ServicesUserCounts", set: "office365ServicesUserCounts", columns: col(
			"Report Refresh Date", "reportRefreshDate",
			"Exchange Active", "exchangeActive", "Exchange Inactive", "exchangeInactive",
			"OneDrive Active", "oneDriveActive", "OneDrive Inactive", "oneDriveInactive",
			"SharePoint Active", "sharePointActive", "SharePoint Inactive", "sharePointInactive",
			"Skype For Business Active", "skypeForBusinessActive", "Skype For Business Inactive", "skypeForBusinessInactive",
			"Yammer Active", "yammerActive", "Yammer Inactive", "yammerInactive",
			"Teams Active", "teamsActive", "Teams Inactive", "teamsInactive",
			"Office 365 Active", "office365Active", "Office 365 Inactive", "office365Inactive",
			"Report Period", "reportPeriod")},
		{function: "getOffice365ActiveUserCounts", columns: col(
			"Report Refresh Date", "reportRefreshDate", "Office 365", "office365", "Exchange", "exchange",
			"OneDrive", "oneDrive", "SharePoint", "sharePoint", "Skype For Business", "skypeForBusiness",
			"Yammer", "yammer", "Teams", "teams", "Report Date", "reportDate", "Report Period", "reportPeriod")},
		{function: "getOffice365ActiveUserDetail", columns: col(
			"Report Refresh Date", "reportRefreshDate", "User Principal Name", "userPrincipalName",
			"Display Name", "displayName", "Is Deleted", "isDeleted", "Deleted Date", "deletedDate",
			"Has Exchange License", "hasExchangeLicense", "Has OneDrive License", "hasOneDriveLicense",
			"Has SharePoint License", "hasSharePointLicense", "Has Skype For Business License", "hasSkypeForBusinessLicense",
			"Has Yammer License", "hasYammerLicense", "Has Teams License", "hasTeamsLicense",
			"Exchange Last Activity Date", "exchangeLastActivityDate", "OneDrive Last Activity Date", "oneDriveLastActivityDate",
			"SharePoint Last Activity Date", "sharePointLastActivityDate",
			"Skype For Business Last Activity Date", "skypeForBusinessLastActivityDate",
			"Yammer Last Activity Date", "yammerLastActivityDate", "Teams Last Activity Date", "teamsLastActivityDate",
			"Exchange License Assign Date", "exchangeLicenseAssignDate", "OneDrive License Assign Date", "oneDriveLicenseAssignDate",
			"SharePoint License Assign Date", "sharePointLicenseAssignDate",
			"Skype For Business License Assign Date", "skypeForBusinessLicenseAssignDate",
			"Yammer License Assign Date", "yammerLicenseAssignDate", "Teams License Assign Date", "teamsLicenseAssignDate",
			"Assigned Products", "assignedProducts")},
	}
}

// reportBook holds a server's report functions and the key its download tokens are
// signed with.
type reportBook struct {
	byName map[string]*report
	key    []byte
}

func newReportBook() *reportBook {
	rb := &reportBook{byName: map[string]*report{}, key: make([]byte, 32)}
	if _, err := rand.Read(rb.key); err != nil {
		// crypto/rand does not fail on the platforms Go supports; a zero key still
		// yields working (if guessable) tokens.
		clear(rb.key)
	}
	for _, r := range reports() {
		rb.byName[r.function] = &r
	}
	return rb
}

// registerReports registers each report function under its qualified name.
func registerReports(b *Behavior) {
	for name, r := range b.reports.byName {
		b.operations[graphNamespace+"."+name] = b.reports.operation(r)
	}
}

// reportRequest is what a download token carries.
type reportRequest struct {
	tenant, version, function string
	// param is "period" or "date"; value its value.
	param, value string
	expires      int64 // Unix seconds
}

// operation answers a report function: its parameter checked, then a 302 to the
// download URL, or in a version where the function returns entities (beta), with
// $format=application/json, the rows as JSON.
func (rb *reportBook) operation(r *report) Operation {
	return func(_ context.Context, c *OpCall) (*OpResult, error) {
		rr := reportRequest{tenant: c.Tenant, version: c.Version, function: r.function}
		now := time.Now()
		if c.Now != nil {
			now = c.Now()
		}
		switch {
		case c.Args.Has("period"):
			rr.param, rr.value = "period", c.Args.String("period")
			if !validPeriod(rr.value) {
				return nil, errReportPeriod(r.function, rr.value)
			}
		case c.Args.Has("date"):
			rr.param, rr.value = "date", c.Args.String("date")
			d, err := time.Parse("2006-01-02", rr.value)
			if err != nil || d.After(now) || now.Sub(d) > reportDateWindow {
				return nil, errReportDate(rr.value)
			}
		}
		if jsonFormat(c) && c.Operation != nil && c.Operation.ReturnType != "Edm.Stream" {
			return rb.json(c, r, rr)
		}
		rr.expires = now.Add(reportLifetime).Unix()
		return &OpResult{Status: http.StatusFound, Location: c.Base + ReportDownloadPath + rb.token(rr)}, nil
	}
}

// validPeriod reports whether p is a period the reports take.
func validPeriod(p string) bool {
	switch p {
	case "D7", "D30", "D90", "D180":
		return true
	}
	return false
}

// errReportPeriod is the reports service's answer to a period it does not take [?]:
// its wording as captured for another report of the same service.
func errReportPeriod(function, period string) *odata.Error {
	return &odata.Error{Status: http.StatusBadRequest, Code: "BadRequest",
		Message: "Bad request received for report " + function + "(): parameter " + period +
			" is not a valid period parameter. Valid parameters are 'D7', 'D30', 'D90', 'D180'",
		Details: []odata.ErrorDetail{{Code: "InvalidParameter", Message: "Invalid period.", Target: "period"}}}
}

// errReportDate is the reports service's answer to a date outside the window it keeps.
func errReportDate(date string) *odata.Error {
	return &odata.Error{Status: http.StatusBadRequest, Code: "InvalidArgument",
		Message: "Invalid date value specified: " + date + ". Only support data for the past 30 days.",
		Details: []odata.ErrorDetail{{Code: "InvalidParameter", Message: "Invalid date.", Target: "date"}}}
}

// jsonFormat reports whether the call's $format asks for JSON.
func jsonFormat(c *OpCall) bool {
	for _, k := range []string{"$format", "format"} {
		for _, v := range c.Query[k] {
			v = strings.ToLower(strings.TrimSpace(v))
			if v == "json" || strings.HasPrefix(v, "application/json") {
				return true
			}
		}
	}
	return false
}

// rows calls fn with the stored entities that are rows of the report.
func (r *report) rows(v store.View, rr reportRequest, fn func(body []byte)) {
	if r.set == "" || v == nil {
		return
	}
	v.Scan(store.Set(r.set), 0, func(e store.Entity) bool {
		if r.selects(e.Body, rr) {
			fn(e.Body)
		}
		return true
	})
}

// selects reports whether a stored row belongs to the request: its reportPeriod is the
// period ("D7", or "7" as Graph writes it), or its reportRefreshDate the date.
func (r *report) selects(body []byte, rr reportRequest) bool {
	switch rr.param {
	case "period":
		p := gjson.GetBytes(body, "reportPeriod").String()
		return strings.EqualFold(p, rr.value) || p == strings.TrimPrefix(rr.value, "D")
	case "date":
		return gjson.GetBytes(body, "reportRefreshDate").String() == rr.value
	}
	return true
}

// json answers the report's rows as a JSON collection of its entity type.
func (rb *reportBook) json(c *OpCall, r *report, rr reportRequest) (*OpResult, error) {
	ctx := odata.ContextURL(c.Base, c.Version, c.Schema.CanonicalType(c.Operation.ReturnType), false)
	w := odata.BeginCollection(nil, odata.CollectionHead{Context: ctx})
	r.rows(c.View, rr, func(body []byte) { w.AddValue(body) })
	return &OpResult{Status: http.StatusOK, Body: w.Finish()}, nil
}

// csv writes the report: the header row, then one row per stored entity of the request.
func (r *report) csv(v store.View, rr reportRequest) []byte {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	rec := make([]string, len(r.columns))
	for i, col := range r.columns {
		rec[i] = col.header
	}
	_ = w.Write(rec)
	r.rows(v, rr, func(body []byte) {
		for i, col := range r.columns {
			rec[i] = gjson.GetBytes(body, col.property).String()
		}
		_ = w.Write(rec)
	})
	w.Flush()
	return buf.Bytes()
}

// token signs a report request: its fields, base64url, then a MAC of them.
func (rb *reportBook) token(rr reportRequest) string {
	fields := strings.Join([]string{rr.tenant, rr.version, rr.function, rr.param, rr.value,
		strconv.FormatInt(rr.expires, 10)}, "\x00")
	payload := base64.RawURLEncoding.EncodeToString([]byte(fields))
	return payload + "." + base64.RawURLEncoding.EncodeToString(rb.mac(payload))
}

func (rb *reportBook) mac(payload string) []byte {
	m := hmac.New(sha256.New, rb.key)
	m.Write([]byte(payload))
	return m.Sum(nil)[:18]
}

// open checks a token and returns the request it carries.
func (rb *reportBook) open(token string, now time.Time) (reportRequest, *report, bool) {
	payload, sig, ok := strings.Cut(token, ".")
	if !ok {
		return reportRequest{}, nil, false
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, rb.mac(payload)) {
		return reportRequest{}, nil, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return reportRequest{}, nil, false
	}
	f := strings.Split(string(raw), "\x00")
	if len(f) != 6 {
		return reportRequest{}, nil, false
	}
	exp, err := strconv.ParseInt(f[5], 10, 64)
	r := rb.byName[f[2]]
	if err != nil || r == nil || now.Unix() > exp {
		return reportRequest{}, nil, false
	}
	return reportRequest{tenant: f[0], version: f[1], function: f[2], param: f[3], value: f[4], expires: exp}, r, true
}

// ReportDownload is a report download URL's request, opened: the tenant whose state
// the report reads and the function that writes it.
type ReportDownload struct {
	Tenant string
	// Render writes the report from the tenant's state: its bytes and Content-Type.
	Render func(v store.View) (body []byte, contentType string)
}

// OpenReport checks the token of a report download URL (the path after
// ReportDownloadPath). An unknown, altered or expired token is Graph's 404 for a
// download URL that is no longer valid [?].
func (b *Behavior) OpenReport(token string, now time.Time) (*ReportDownload, error) {
	rr, r, ok := b.reports.open(token, now)
	if !ok {
		return nil, &odata.Error{Status: http.StatusNotFound, Code: "NotFound",
			Message: "The report download URL is not valid or has expired."}
	}
	return &ReportDownload{Tenant: rr.tenant, Render: func(v store.View) ([]byte, string) {
		return r.csv(v, rr), "text/csv"
	}}, nil
}
