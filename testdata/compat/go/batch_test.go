package compat_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	abs "github.com/microsoft/kiota-abstractions-go"
	core "github.com/microsoftgraph/msgraph-sdk-go-core"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
)

// registerBatchErrors gives msgraph-sdk-go-core's batch helpers the ODataError mapping
// for failed items (and a failed batch), as an application does once. The SDK keeps it
// in a registry of its own, shared by the whole test binary; its item errors look up
// "4XX" and "5XX" only.
var registerBatchErrors = sync.OnceValue(func() error {
	return core.RegisterError(core.BatchRequestErrorRegistryKey, abs.ErrorMappings{
		"4XX": odataerrors.CreateODataErrorFromDiscriminatorValue,
		"5XX": odataerrors.CreateODataErrorFromDiscriminatorValue,
	})
})

// batchStep is a batch step built from the same RequestInformation a request sent
// alone would use.
func (c *client) batchStep(t *testing.T, method abs.HttpMethod, template, id string, body *userCounts) abs.RequestInformation {
	t.Helper()
	ri := c.request(method, template, id)
	if body != nil {
		if err := ri.SetContentFromParsable(t.Context(), c.adapter, "application/json", body); err != nil {
			t.Fatal(err)
		}
	}
	return *ri
}

// TestBatch sends batches with msgraph-sdk-go-core's helpers: NewBatchRequest with
// dependsOn (a read that sees an earlier write, a 404 and the 424 of its dependent) and
// BatchRequestCollection, which splits 25 steps into batches Graph accepts.
func TestBatch(t *testing.T) {
	t.Parallel()
	if err := registerBatchErrors(); err != nil {
		t.Fatal(err)
	}
	for _, tg := range targets(t) {
		t.Run(tg.name, func(t *testing.T) {
			t.Parallel()
			t.Run("dependsOn", func(t *testing.T) {
				t.Parallel()
				c := newClient(t, tg.start(t))
				body := sample()
				body.id = ptr("batch-1")
				batch := core.NewBatchRequest(c.adapter)
				create, err := batch.AddBatchRequestStep(c.batchStep(t, abs.POST, collectionTemplate, "", body))
				if err != nil {
					t.Fatal(err)
				}
				read, err := batch.AddBatchRequestStep(c.batchStep(t, abs.GET, entityTemplate, "batch-1", nil))
				if err != nil {
					t.Fatal(err)
				}
				read.DependsOnItem(create)
				missing, err := batch.AddBatchRequestStep(c.batchStep(t, abs.PATCH, entityTemplate, "none", &userCounts{yammerActive: ptr[int64](1)}))
				if err != nil {
					t.Fatal(err)
				}
				dependent, err := batch.AddBatchRequestStep(c.batchStep(t, abs.GET, entityTemplate, "none2", nil))
				if err != nil {
					t.Fatal(err)
				}
				dependent.DependsOnItem(missing)

				resp, err := batch.Send(t.Context(), c.adapter)
				if err != nil {
					t.Fatalf("batch Send: %v", err)
				}
				x := c.wire.last(t)
				if x.method != http.MethodPost || !strings.HasSuffix(x.path, "/v1.0/$batch") || x.status != http.StatusOK {
					t.Errorf("batch went out as %s %s and got %d", x.method, x.path, x.status)
				}
				want := map[string]int32{*create.GetId(): 201, *read.GetId(): 200, *missing.GetId(): 404, *dependent.GetId(): 424}
				got := resp.GetStatusCodes()
				for id, status := range want {
					if got[id] != status {
						t.Errorf("item %s: status %d, want %d (all: %v)", id, got[id], status, got)
					}
				}
				if failed := resp.GetFailedResponses(); len(failed) != 2 {
					t.Errorf("failed responses %v, want the 404 and the 424", failed)
				}
				entity, err := core.GetBatchResponseById[*userCounts](resp, *read.GetId(), createUserCounts)
				if err != nil {
					t.Fatalf("GetBatchResponseById: %v", err)
				}
				if deref(entity.id) != "batch-1" || deref(entity.reportPeriod) != deref(sample().reportPeriod) {
					t.Errorf("read in the batch: id %q reportPeriod %q", deref(entity.id), deref(entity.reportPeriod))
				}
				for id, code := range map[string]string{*missing.GetId(): "Request_ResourceNotFound", *dependent.GetId(): "FailedDependency"} {
					_, err = core.GetBatchResponseById[*userCounts](resp, id, createUserCounts)
					var oe *odataerrors.ODataError
					if !errors.As(err, &oe) || oe.GetErrorEscaped() == nil || deref(oe.GetErrorEscaped().GetCode()) != code ||
						deref(oe.GetErrorEscaped().GetMessage()) == "" {
						t.Errorf("item %s: error %v, want an ODataError %s", id, err, code)
					}
				}
				if item := resp.GetResponseById(*create.GetId()); !strings.HasPrefix(item.GetHeaders()["Location"], c.root+"/v1.0/") {
					t.Errorf("created item's Location %q", item.GetHeaders()["Location"])
				}
				// The write is there for a request sent alone.
				if got, err := c.get(t.Context(), "batch-1"); err != nil || deref(got.id) != "batch-1" {
					t.Errorf("get after the batch: %v", err)
				}
			})
			t.Run("collection of 25", func(t *testing.T) {
				t.Parallel()
				c := newClient(t, tg.start(t))
				coll := core.NewBatchRequestCollection(c.adapter)
				var ids []string
				for i := range 25 {
					body := sample()
					body.id = ptr(fmt.Sprintf("coll-%d", i))
					item, err := coll.AddBatchRequestStep(c.batchStep(t, abs.POST, collectionTemplate, "", body))
					if err != nil {
						t.Fatal(err)
					}
					ids = append(ids, *item.GetId())
				}
				resp, err := coll.Send(t.Context(), c.adapter)
				if err != nil {
					t.Fatalf("collection Send: %v", err)
				}
				batches := 0
				for _, x := range c.wire.exchanges() {
					if strings.HasSuffix(x.path, "/$batch") {
						batches++
					}
				}
				if batches != 2 {
					t.Errorf("%d batches for 25 steps, want 2", batches)
				}
				codes := resp.GetStatusCodes()
				for _, id := range ids {
					if codes[id] != http.StatusCreated {
						t.Errorf("item %s: status %d, want 201", id, codes[id])
					}
				}
				list, err := c.list(t.Context())
				if err != nil || len(list.GetValue()) != 25 {
					t.Errorf("list after the batches: %v, %d entities", err, len(list.GetValue()))
				}
			})
		})
	}
}
