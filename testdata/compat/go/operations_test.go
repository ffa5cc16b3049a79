package compat_test

import (
	"net/http"
	"strings"
	"testing"

	msgraph "github.com/microsoftgraph/msgraph-sdk-go"
	"github.com/microsoftgraph/msgraph-sdk-go/directoryobjects"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
)

// TestOperationsThroughSDK calls operations with msgraph-sdk-go's builders: the usage
// report (the 302 the SDK's redirect handler follows to the emulator's download URL,
// then the CSV as bytes), directoryObjects/getByIds (items typed by @odata.type) and
// validateProperties (204, then the typed 422 for a taken mail nickname).
func TestOperationsThroughSDK(t *testing.T) {
	t.Parallel()
	eachTarget(t, func(t *testing.T, c *client) {
		gc := msgraph.NewGraphServiceClient(c.adapter)
		ctx := t.Context()

		body := sample()
		body.reportPeriod = ptr("D7")
		if _, err := c.create(ctx, body); err != nil {
			t.Fatal(err)
		}
		period := "D7"
		csv, err := gc.Reports().GetOffice365ServicesUserCountsWithPeriod(&period).Get(ctx, nil)
		if err != nil {
			t.Fatalf("report: %v", err)
		}
		lines := strings.Split(strings.TrimSpace(string(csv)), "\n")
		if len(lines) != 2 || !strings.HasPrefix(lines[0], "Report Refresh Date,Exchange Active,") ||
			!strings.HasPrefix(lines[1], "2021-05-18,14,0,") {
			t.Errorf("report CSV:\n%s", csv)
		}
		wantStatus(t, c, http.StatusOK)
		bad := "D8"
		_, err = gc.Reports().GetOffice365ServicesUserCountsWithPeriod(&bad).Get(ctx, nil)
		if err == nil || !strings.Contains(err.Error(), "not a valid period parameter") {
			t.Errorf("period D8: %v", err)
		}

		u, err := gc.Users().Post(ctx, newUser("Ada"), nil)
		if err != nil {
			t.Fatal(err)
		}
		group := models.NewGroup()
		group.SetDisplayName(ptr("Sales"))
		group.SetMailNickname(ptr("sales"))
		group.SetMailEnabled(ptr(false))
		group.SetSecurityEnabled(ptr(true))
		g, err := gc.Groups().Post(ctx, group, nil)
		if err != nil {
			t.Fatal(err)
		}
		req := directoryobjects.NewGetByIdsPostRequestBody()
		req.SetIds([]string{deref(g.GetId()), "nobody", deref(u.GetId())})
		got, err := gc.DirectoryObjects().GetByIds().PostAsGetByIdsPostResponse(ctx, req, nil)
		if err != nil {
			t.Fatalf("getByIds: %v", err)
		}
		v := got.GetValue()
		if len(v) != 2 {
			t.Fatalf("getByIds answered %d objects", len(v))
		}
		if _, ok := v[0].(models.Groupable); !ok {
			t.Errorf("first object is a %T, want a group", v[0])
		}
		if gu, ok := v[1].(models.Userable); !ok || deref(gu.GetDisplayName()) != "Ada" {
			t.Errorf("second object is a %T, want the user", v[1])
		}
		req.SetTypes([]string{"user"})
		got, err = gc.DirectoryObjects().GetByIds().PostAsGetByIdsPostResponse(ctx, req, nil)
		if err != nil || len(got.GetValue()) != 1 {
			t.Errorf("getByIds with types: %v", err)
		}

		vp := directoryobjects.NewValidatePropertiesPostRequestBody()
		vp.SetEntityType(ptr("Group"))
		vp.SetDisplayName(ptr("Marketing"))
		vp.SetMailNickname(ptr("marketing"))
		if err := gc.DirectoryObjects().ValidateProperties().Post(ctx, vp, nil); err != nil {
			t.Errorf("validateProperties: %v", err)
		}
		wantStatus(t, c, http.StatusNoContent)
		vp.SetMailNickname(ptr("SALES"))
		err = gc.DirectoryObjects().ValidateProperties().Post(ctx, vp, nil)
		wantODataError(t, c, err, http.StatusUnprocessableEntity, "Request_UnprocessableEntity",
			"The values provided contain one or more validation errors.")
	})
}
