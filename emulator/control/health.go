package control

import (
	"net/http"
	"time"
)

// Health is the answer of GET /_emulator/health.
type Health struct {
	// Status is "ok" while the server answers.
	Status string `json:"status"`
	// Versions are the Graph versions served ("v1.0", "beta").
	Versions []string `json:"versions"`
	// Started is when the server started; Uptime how long ago, as a Go duration, and
	// UptimeSeconds the same in seconds.
	Started       time.Time `json:"started"`
	Uptime        string    `json:"uptime"`
	UptimeSeconds float64   `json:"uptimeSeconds"`
	// Tenants are the tenants that hold state.
	Tenants []string `json:"tenants"`
	// Journal tells the request journal's size and how many requests it holds.
	Journal JournalStatus `json:"journal"`
}

// JournalStatus is the journal's part of Health.
type JournalStatus struct {
	Size    int `json:"size"`
	Entries int `json:"entries"`
}

// Health answers GET /_emulator/health.
func (a *API) Health() http.Handler {
	return a.serve(methods{http.MethodGet: a.health})
}

func (a *API) health(r *http.Request) (reply, error) {
	if err := checkQuery(r); err != nil {
		return reply{}, err
	}
	up := a.cfg.Now().Sub(a.cfg.Start)
	tenants := a.cfg.Backend.Tenants()
	if tenants == nil {
		tenants = []string{}
	}
	return ok(Health{Status: "ok", Versions: a.cfg.Backend.Versions(), Started: a.cfg.Start.UTC(),
		Uptime: up.Round(time.Millisecond).String(), UptimeSeconds: up.Seconds(), Tenants: tenants,
		Journal: JournalStatus{Size: a.cfg.Journal.Size(), Entries: a.cfg.Journal.Len()}})
}
