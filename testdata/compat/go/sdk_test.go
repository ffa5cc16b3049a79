package compat_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	abs "github.com/microsoft/kiota-abstractions-go"
	absser "github.com/microsoft/kiota-abstractions-go/serialization"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
)

const (
	typeName  = "microsoft.graph.office365ServicesUserCounts"
	typeClaim = "#" + typeName
)

func ptr[T any](v T) *T { return &v }

// sample returns the seed document's example with a real Edm.Date, as the beta SDK's
// model would send it (with its @odata.type).
func sample() *userCounts {
	d := absser.NewDateOnly(time.Date(2021, 5, 18, 0, 0, 0, 0, time.UTC))
	return &userCounts{
		odataType:                ptr(typeClaim),
		reportRefreshDate:        d,
		exchangeActive:           ptr[int64](14),
		exchangeInactive:         ptr[int64](0),
		oneDriveActive:           ptr[int64](14),
		oneDriveInactive:         ptr[int64](0),
		sharePointActive:         ptr[int64](0),
		sharePointInactive:       ptr[int64](2),
		skypeForBusinessActive:   ptr[int64](6),
		skypeForBusinessInactive: ptr[int64](8),
		yammerActive:             ptr[int64](12),
		yammerInactive:           ptr[int64](14),
		teamsActive:              ptr[int64](11),
		teamsInactive:            ptr[int64](13),
		office365Active:          ptr[int64](15),
		office365Inactive:        ptr[int64](1),
		reportPeriod:             ptr("7"),
	}
}

// sameValues reports the first difference between the declared properties of got and
// want (id and @odata.type excluded), or "".
func sameValues(got, want *userCounts) string {
	str := func(p *string) string {
		if p == nil {
			return "<nil>"
		}
		return *p
	}
	date := func(p *absser.DateOnly) string {
		if p == nil {
			return "<nil>"
		}
		return p.String()
	}
	if g, w := date(got.reportRefreshDate), date(want.reportRefreshDate); g != w {
		return fmt.Sprintf("reportRefreshDate = %s, want %s", g, w)
	}
	if g, w := str(got.reportPeriod), str(want.reportPeriod); g != w {
		return fmt.Sprintf("reportPeriod = %s, want %s", g, w)
	}
	gf, wf := got.int64Fields(), want.int64Fields()
	for i := range gf {
		g, w := *gf[i].ptr, *wf[i].ptr
		switch {
		case g == nil && w == nil:
		case g == nil || w == nil:
			return fmt.Sprintf("%s = %v, want %v", gf[i].name, g, w)
		case *g != *w:
			return fmt.Sprintf("%s = %d, want %d", gf[i].name, *g, *w)
		}
	}
	return ""
}

// checkEntity asserts that an entity read back through the SDK is typed as Graph types
// it: an id, the type claim, the @odata.context of the entity set, the values of want.
func checkEntity(t *testing.T, c *client, got, want *userCounts) {
	t.Helper()
	if got == nil {
		t.Fatal("no entity returned")
	}
	if got.id == nil || *got.id == "" {
		t.Error("entity without an id")
	}
	if got.odataType == nil || *got.odataType != typeClaim {
		t.Errorf("@odata.type = %v, want %s", got.odataType, typeClaim)
	}
	wantContext := c.root + "/v1.0/$metadata#office365ServicesUserCounts/$entity"
	if ctx := got.additionalData["@odata.context"]; ctx == nil || *(ctx.(*string)) != wantContext {
		t.Errorf("@odata.context = %v, want %s", ctx, wantContext)
	}
	if d := sameValues(got, want); d != "" {
		t.Error(d)
	}
}

// wantStatus asserts the status of the last exchange.
func wantStatus(t *testing.T, c *client, want int) {
	t.Helper()
	if x := c.wire.last(t); x.status != want {
		t.Errorf("%s %s: status %d, want %d", x.method, x.path, x.status, want)
	}
}

// wantODataError asserts that err is the SDK's typed ODataError with Graph's status,
// code, message and innerError ids (those of the last exchange).
func wantODataError(t *testing.T, c *client, err error, status int, code, message string) {
	t.Helper()
	var oe *odataerrors.ODataError
	if !errors.As(err, &oe) {
		t.Fatalf("error = %v (%T), want *odataerrors.ODataError", err, err)
	}
	if oe.ResponseStatusCode != status {
		t.Errorf("ResponseStatusCode = %d, want %d", oe.ResponseStatusCode, status)
	}
	main := oe.GetErrorEscaped()
	if main == nil {
		t.Fatal("ODataError without its error object")
	}
	if got := main.GetCode(); got == nil || *got != code {
		t.Errorf("code = %v, want %q", deref(got), code)
	}
	if got := main.GetMessage(); got == nil || *got != message {
		t.Errorf("message = %v, want %q", deref(got), message)
	}
	if oe.Error() != message {
		t.Errorf("Error() = %q, want the message", oe.Error())
	}
	x := c.wire.last(t)
	inner := main.GetInnerError()
	if inner == nil {
		t.Fatal("no innerError")
	}
	if got, want := deref(inner.GetRequestId()), x.respHeader.Get("request-id"); got != want || got == "" {
		t.Errorf("innerError request-id = %q, want the request-id header %q", got, want)
	}
	if got, want := deref(inner.GetClientRequestId()), x.reqHeader.Get("client-request-id"); got != want || got == "" {
		t.Errorf("innerError client-request-id = %q, want the %q sent", got, want)
	}
	if d := inner.GetDate(); d == nil || time.Since(*d) > time.Hour || time.Until(*d) > time.Hour {
		t.Errorf("innerError date = %v, want about now", d)
	}
	if got := oe.GetResponseHeaders().Get("client-request-id"); len(got) != 1 || got[0] != x.reqHeader.Get("client-request-id") {
		t.Errorf("client-request-id header on the error = %v, want the one sent", got)
	}
}

func deref(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return *p
}

func unknownPropertyMessage(prop string) string {
	return "The property '" + prop + "' does not exist on type '" + typeName +
		"'. Make sure to only use property names that are defined by the type or mark the type as open type."
}

func notFoundMessage(id string) string {
	return "Resource '" + id + "' does not exist or one of its queried reference-property objects are not present."
}

// mustCreate creates body and returns the stored entity.
func mustCreate(t *testing.T, c *client, body *userCounts) *userCounts {
	t.Helper()
	got, err := c.create(t.Context(), body)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if got == nil || got.id == nil {
		t.Fatal("create returned no entity id")
	}
	return got
}

// scenario is one SDK use case, run against every target with a fresh emulator.
type scenario struct {
	name string
	run  func(t *testing.T, c *client)
}

var scenarios = []scenario{
	{
		name: "create answers 201 with the typed entity and its Location",
		run: func(t *testing.T, c *client) {
			got := mustCreate(t, c, sample())
			wantStatus(t, c, http.StatusCreated)
			checkEntity(t, c, got, sample())
			loc := c.wire.last(t).respHeader.Get("Location")
			if !strings.HasPrefix(loc, c.root+"/v1.0/office365ServicesUserCounts") || !strings.Contains(loc, *got.id) {
				t.Errorf("Location = %q, want the absolute URL of entity %s", loc, *got.id)
			}
		},
	},
	{
		name: "create keeps a client-supplied id",
		run: func(t *testing.T, c *client) {
			body := sample()
			body.id = ptr("compat-id-1")
			got := mustCreate(t, c, body)
			wantStatus(t, c, http.StatusCreated)
			if *got.id != "compat-id-1" {
				t.Errorf("id = %q, want compat-id-1", *got.id)
			}
			read, err := c.get(t.Context(), "compat-id-1")
			if err != nil {
				t.Fatalf("get: %v", err)
			}
			checkEntity(t, c, read, sample())
		},
	},
	{
		name: "ids with URL-reserved characters round-trip through the SDK's URI template",
		run: func(t *testing.T, c *client) {
			// Outlook-style ids carry '+', '/' and '='; the SDK percent-encodes them in
			// the path ({id} in the template), the emulator must decode them.
			const id = "AAMk+AGI/x=y 'z'"
			body := sample()
			body.id = ptr(id)
			mustCreate(t, c, body)
			got, err := c.get(t.Context(), id)
			if err != nil {
				t.Fatalf("get: %v", err)
			}
			if x, want := c.wire.last(t), "/office365ServicesUserCounts/AAMk%2BAGI%2Fx%3Dy%20%27z%27"; !strings.HasSuffix(x.path, want) {
				t.Errorf("path %q, want the id encoded as %s", x.path, want)
			}
			checkEntity(t, c, got, sample())
			if deref(got.id) != id {
				t.Errorf("id = %q, want %q", deref(got.id), id)
			}
			patched, err := c.patch(t.Context(), id, &userCounts{yammerActive: ptr[int64](5)})
			if err != nil {
				t.Fatalf("patch: %v", err)
			}
			if patched.yammerActive == nil || *patched.yammerActive != 5 {
				t.Errorf("yammerActive = %v after patch, want 5", patched.yammerActive)
			}
			if err := c.remove(t.Context(), id); err != nil {
				t.Fatalf("delete: %v", err)
			}
			wantStatus(t, c, http.StatusNoContent)
		},
	},
	{
		name: "get answers 200 with what create stored",
		run: func(t *testing.T, c *client) {
			created := mustCreate(t, c, sample())
			got, err := c.get(t.Context(), *created.id)
			if err != nil {
				t.Fatalf("get: %v", err)
			}
			wantStatus(t, c, http.StatusOK)
			checkEntity(t, c, got, sample())
			if *got.id != *created.id {
				t.Errorf("id = %q, want %q", *got.id, *created.id)
			}
		},
	},
	{
		name: "patch answers 200 with the merged entity",
		run: func(t *testing.T, c *client) {
			created := mustCreate(t, c, sample())
			got, err := c.patch(t.Context(), *created.id, &userCounts{
				exchangeActive: ptr[int64](99),
				reportPeriod:   ptr("30"),
			})
			if err != nil {
				t.Fatalf("patch: %v", err)
			}
			wantStatus(t, c, http.StatusOK)
			want := sample()
			want.exchangeActive = ptr[int64](99)
			want.reportPeriod = ptr("30")
			checkEntity(t, c, got, want)
			read, err := c.get(t.Context(), *created.id)
			if err != nil {
				t.Fatalf("get after patch: %v", err)
			}
			checkEntity(t, c, read, want)
		},
	},
	{
		name: "list answers 200 with every entity in creation order",
		run: func(t *testing.T, c *client) {
			var ids []string
			for i := range 3 {
				body := sample()
				body.teamsActive = ptr(int64(100 + i))
				ids = append(ids, *mustCreate(t, c, body).id)
			}
			col, err := c.list(t.Context())
			if err != nil {
				t.Fatalf("list: %v", err)
			}
			wantStatus(t, c, http.StatusOK)
			if want := c.root + "/v1.0/$metadata#office365ServicesUserCounts"; deref(col.context) != want {
				t.Errorf("@odata.context = %s, want %s", deref(col.context), want)
			}
			if col.nextLink != nil {
				t.Errorf("@odata.nextLink = %q on a 3-item collection", *col.nextLink)
			}
			if len(col.value) != len(ids) {
				t.Fatalf("%d entities listed, want %d", len(col.value), len(ids))
			}
			for i, v := range col.value {
				if v.id == nil || *v.id != ids[i] {
					t.Errorf("value[%d].id = %v, want %s", i, deref(v.id), ids[i])
				}
				if v.teamsActive == nil || *v.teamsActive != int64(100+i) {
					t.Errorf("value[%d].teamsActive = %v, want %d", i, v.teamsActive, 100+i)
				}
			}
		},
	},
	{
		name: "delete answers 204 and the entity is gone",
		run: func(t *testing.T, c *client) {
			created := mustCreate(t, c, sample())
			if err := c.remove(t.Context(), *created.id); err != nil {
				t.Fatalf("delete: %v", err)
			}
			wantStatus(t, c, http.StatusNoContent)
			_, err := c.get(t.Context(), *created.id)
			wantODataError(t, c, err, http.StatusNotFound, "Request_ResourceNotFound", notFoundMessage(*created.id))
		},
	},
	{
		name: "get of an unknown id is a typed 404",
		run: func(t *testing.T, c *client) {
			const id = "00000000-0000-0000-0000-000000000001"
			_, err := c.get(t.Context(), id)
			wantODataError(t, c, err, http.StatusNotFound, "Request_ResourceNotFound", notFoundMessage(id))
		},
	},
	{
		name: "patch of an unknown id is a typed 404",
		run: func(t *testing.T, c *client) {
			const id = "00000000-0000-0000-0000-000000000002"
			_, err := c.patch(t.Context(), id, &userCounts{exchangeActive: ptr[int64](1)})
			wantODataError(t, c, err, http.StatusNotFound, "Request_ResourceNotFound", notFoundMessage(id))
		},
	},
	{
		name: "delete of an unknown id is a typed 404",
		run: func(t *testing.T, c *client) {
			const id = "00000000-0000-0000-0000-000000000003"
			err := c.remove(t.Context(), id)
			wantODataError(t, c, err, http.StatusNotFound, "Request_ResourceNotFound", notFoundMessage(id))
		},
	},
	{
		name: "an unknown segment is a typed 400",
		run: func(t *testing.T, c *client) {
			ri := c.request(abs.GET, "{+baseurl}/noSuchSet", "")
			_, err := c.sendEntity(t.Context(), ri, nil)
			wantODataError(t, c, err, http.StatusBadRequest, "BadRequest", "Resource not found for the segment 'noSuchSet'.")
		},
	},
	{
		name: "create with an unknown property is a typed 400",
		run: func(t *testing.T, c *client) {
			body := sample()
			body.additionalData = map[string]any{"bogusProperty": ptr("x")}
			_, err := c.create(t.Context(), body)
			wantODataError(t, c, err, http.StatusBadRequest, "RequestBodyRead", unknownPropertyMessage("bogusProperty"))
			col, err := c.list(t.Context())
			if err != nil {
				t.Fatalf("list: %v", err)
			}
			if len(col.value) != 0 {
				t.Errorf("%d entities stored after a refused create", len(col.value))
			}
		},
	},
	{
		name: "patch with an unknown property is a typed 400 and changes nothing",
		run: func(t *testing.T, c *client) {
			created := mustCreate(t, c, sample())
			_, err := c.patch(t.Context(), *created.id, &userCounts{
				exchangeActive: ptr[int64](7),
				additionalData: map[string]any{"bogusProperty": ptr[int64](1)},
			})
			wantODataError(t, c, err, http.StatusBadRequest, "RequestBodyRead", unknownPropertyMessage("bogusProperty"))
			read, err := c.get(t.Context(), *created.id)
			if err != nil {
				t.Fatalf("get: %v", err)
			}
			checkEntity(t, c, read, sample())
		},
	},
}

// TestSDK runs every scenario through msgraph-sdk-go against an in-process emulator and
// against the built binary, each with a fresh emulator.
func TestSDK(t *testing.T) {
	t.Parallel()
	for _, tg := range targets(t) {
		t.Run(tg.name, func(t *testing.T) {
			t.Parallel()
			for _, sc := range scenarios {
				t.Run(sc.name, func(t *testing.T) {
					t.Parallel()
					c := newClient(t, tg.start(t))
					sc.run(t, c)
				})
			}
		})
	}
}

// TestReadmeSnippet runs the README's "Point an SDK at it" adapter lines for Go unchanged:
// the SDK's own adapter constructor, no credentials, the base URL set to the emulator.
func TestReadmeSnippet(t *testing.T) {
	t.Parallel()
	for _, tg := range targets(t) {
		t.Run(tg.name, func(t *testing.T) {
			t.Parallel()
			root := tg.start(t)
			ctx := context.Background()
			if err := readmeSnippet(ctx, root); err != nil {
				t.Fatal(err)
			}
		})
	}
}
