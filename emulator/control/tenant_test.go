package control_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/graph-emulator/graph-emulator/emulator/control"
	"github.com/graph-emulator/graph-emulator/odata"
)

func TestParseTenant(t *testing.T) {
	t.Parallel()
	good := map[string]string{
		"default":                              "default",
		"tenant-b":                             "tenant-b",
		"Contoso.onmicrosoft.com":              "contoso.onmicrosoft.com",
		"72F988BF-86F1-41AF-91AB-2D7CD011DB47": "72f988bf-86f1-41af-91ab-2d7cd011db47",
		"a":                                    "a",
		"t_1":                                  "t_1",
		strings.Repeat("x", 64):                strings.Repeat("x", 64),
	}
	for in, want := range good {
		got, err := control.ParseTenant(in)
		if err != nil || got != want {
			t.Errorf("ParseTenant(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", " ", "-a", ".a", "a b", "a/b", "a:b", "ténant", "a\x00", strings.Repeat("x", 65), "../etc"} {
		_, err := control.ParseTenant(in)
		var ge *odata.Error
		if !errors.As(err, &ge) || ge.Status != http.StatusBadRequest || ge.Code != "BadRequest" ||
			!strings.Contains(ge.Message, "is not a valid tenant name") {
			t.Errorf("ParseTenant(%q) = %v, want Graph's 400 naming the tenant", in, err)
		}
	}
}

func TestRequestTenant(t *testing.T) {
	t.Parallel()
	r, _ := http.NewRequest("GET", "/v1.0/users", nil)
	if got, given, err := control.RequestTenant(r); got != control.DefaultTenant || given || err != nil {
		t.Errorf("no header: %q %v %v", got, given, err)
	}
	r.Header.Set(control.TenantHeader, " Tenant-B ")
	if got, given, err := control.RequestTenant(r); got != "tenant-b" || !given || err != nil {
		t.Errorf("header: %q %v %v", got, given, err)
	}
	r.Header.Add(control.TenantHeader, "other")
	if _, _, err := control.RequestTenant(r); err == nil {
		t.Error("two tenant headers: no error")
	}
	r.Header.Set(control.TenantHeader, "bad name")
	if _, _, err := control.RequestTenant(r); err == nil {
		t.Error("bad name: no error")
	}
}
