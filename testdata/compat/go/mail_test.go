package compat_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/microsoft/kiota-abstractions-go/serialization"
	msgraph "github.com/microsoftgraph/msgraph-sdk-go"
	"github.com/microsoftgraph/msgraph-sdk-go-core/fileuploader"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/users"
)

// Mail and calendar through msgraph-sdk-go's builders and msgraph-sdk-go-core's
// helpers: sendMail between two users of the tenant, a calendarView of a weekly series,
// and a large attachment uploaded with the LargeFileUploadTask.

// val dereferences a pointer the SDK answers with, or gives the zero value.
func val[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// recipient is a recipient for the SDK's models.
func recipient(addr string) models.Recipientable {
	e := models.NewEmailAddress()
	e.SetAddress(&addr)
	r := models.NewRecipient()
	r.SetEmailAddress(e)
	return r
}

// dateTimeTimeZone is an SDK dateTimeTimeZone.
func dateTimeTimeZone(dt, zone string) models.DateTimeTimeZoneable {
	d := models.NewDateTimeTimeZone()
	d.SetDateTime(&dt)
	d.SetTimeZone(&zone)
	return d
}

func TestMailThroughSDK(t *testing.T) {
	t.Parallel()
	eachTarget(t, func(t *testing.T, c *client) {
		gc := msgraph.NewGraphServiceClient(c.adapter)
		ctx := t.Context()
		aID, bID := postSDKUser(t, gc, "adele"), postSDKUser(t, gc, "bob")

		// sendMail from Adele to Bob: Sent Items and Bob's Inbox, unread.
		msg := models.NewMessage()
		msg.SetSubject(ptr("Lunch?"))
		body := models.NewItemBody()
		ct := models.TEXT_BODYTYPE
		body.SetContentType(&ct)
		body.SetContent(ptr("Pizza at noon."))
		msg.SetBody(body)
		msg.SetToRecipients([]models.Recipientable{recipient("bob@contoso.test")})
		req := users.NewItemSendMailPostRequestBody()
		req.SetMessage(msg)
		if err := gc.Users().ByUserId(aID).SendMail().Post(ctx, req, nil); err != nil {
			t.Fatalf("sendMail: %v", err)
		}
		inbox, err := gc.Users().ByUserId(bID).MailFolders().ByMailFolderId("inbox").Messages().Get(ctx, nil)
		if err != nil {
			t.Fatalf("bob's inbox: %v", err)
		}
		got := inbox.GetValue()
		if len(got) != 1 || deref(got[0].GetSubject()) != "Lunch?" || val(got[0].GetIsRead()) ||
			deref(got[0].GetFrom().GetEmailAddress().GetAddress()) != "adele@contoso.test" || got[0].GetReceivedDateTime() == nil {
			t.Fatalf("bob's inbox: %d messages", len(got))
		}
		sent, err := gc.Users().ByUserId(aID).MailFolders().ByMailFolderId("sentitems").Messages().Get(ctx, nil)
		if err != nil || len(sent.GetValue()) != 1 || deref(sent.GetValue()[0].GetInternetMessageId()) != deref(got[0].GetInternetMessageId()) {
			t.Fatalf("sent items: %v", err)
		}
		folder, err := gc.Users().ByUserId(bID).MailFolders().ByMailFolderId("Inbox").Get(ctx, nil)
		if err != nil || val(folder.GetUnreadItemCount()) != 1 {
			t.Fatalf("inbox folder: %v", err)
		}
		// Bob replies; Adele has the reply.
		reply := users.NewItemMessagesItemReplyPostRequestBody()
		reply.SetComment(ptr("Sure!"))
		if err := gc.Users().ByUserId(bID).Messages().ByMessageId(deref(got[0].GetId())).Reply().Post(ctx, reply, nil); err != nil {
			t.Fatalf("reply: %v", err)
		}
		all, err := gc.Users().ByUserId(aID).Messages().Get(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		subjects := []string{}
		for _, m := range all.GetValue() {
			subjects = append(subjects, deref(m.GetSubject()))
		}
		if strings.Join(subjects, ",") != "RE: Lunch?,Lunch?" && strings.Join(subjects, ",") != "Lunch?,RE: Lunch?" {
			t.Errorf("adele's messages: %v", subjects)
		}
	})
}

func TestCalendarViewThroughSDK(t *testing.T) {
	t.Parallel()
	eachTarget(t, func(t *testing.T, c *client) {
		gc := msgraph.NewGraphServiceClient(c.adapter)
		ctx := t.Context()
		aID := postSDKUser(t, gc, "adele")
		ev := models.NewEvent()
		ev.SetSubject(ptr("standup"))
		ev.SetStart(dateTimeTimeZone("2026-03-02T09:00:00", "Pacific Standard Time"))
		ev.SetEnd(dateTimeTimeZone("2026-03-02T09:15:00", "Pacific Standard Time"))
		pattern := models.NewRecurrencePattern()
		weekly := models.WEEKLY_RECURRENCEPATTERNTYPE
		pattern.SetTypeEscaped(&weekly)
		pattern.SetInterval(ptr(int32(1)))
		pattern.SetDaysOfWeek([]models.DayOfWeek{models.MONDAY_DAYOFWEEK})
		rng := models.NewRecurrenceRange()
		noEnd := models.NOEND_RECURRENCERANGETYPE
		rng.SetTypeEscaped(&noEnd)
		rng.SetStartDate(serialization.NewDateOnly(time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)))
		rec := models.NewPatternedRecurrence()
		rec.SetPattern(pattern)
		rec.SetRangeEscaped(rng)
		ev.SetRecurrence(rec)
		created, err := gc.Users().ByUserId(aID).Events().Post(ctx, ev, nil)
		if err != nil {
			t.Fatalf("event: %v", err)
		}
		if val(created.GetTypeEscaped()) != models.SERIESMASTER_EVENTTYPE {
			t.Errorf("type %v", created.GetTypeEscaped())
		}
		// Four Mondays in March, page by page (two per page), with the SDK's
		// query parameters and the zone the test asks for.
		from, to := "2026-03-01T00:00:00Z", "2026-03-29T00:00:00Z"
		cfg := &users.ItemCalendarViewRequestBuilderGetRequestConfiguration{
			QueryParameters: &users.ItemCalendarViewRequestBuilderGetQueryParameters{StartDateTime: &from, EndDateTime: &to, Top: ptr(int32(2))},
		}
		page, err := gc.Users().ByUserId(aID).CalendarView().Get(ctx, cfg)
		if err != nil {
			t.Fatalf("calendarView: %v", err)
		}
		var startsAt []string
		for {
			for _, e := range page.GetValue() {
				startsAt = append(startsAt, deref(e.GetStart().GetDateTime()))
				if val(e.GetTypeEscaped()) != models.OCCURRENCE_EVENTTYPE || deref(e.GetSeriesMasterId()) != deref(created.GetId()) {
					t.Errorf("occurrence %s: type %v", deref(e.GetId()), e.GetTypeEscaped())
				}
			}
			next := page.GetOdataNextLink()
			if next == nil {
				break
			}
			if page, err = gc.Users().ByUserId(aID).CalendarView().WithUrl(*next).Get(ctx, nil); err != nil {
				t.Fatalf("next page: %v", err)
			}
		}
		want := "2026-03-02T17:00:00.0000000,2026-03-09T16:00:00.0000000,2026-03-16T16:00:00.0000000,2026-03-23T16:00:00.0000000"
		if strings.Join(startsAt, ",") != want {
			t.Errorf("occurrences: %v", startsAt)
		}
		// Without its window the view is Graph's 400.
		if _, err := gc.Users().ByUserId(aID).CalendarView().Get(ctx, nil); err == nil ||
			!strings.Contains(err.Error(), "StartDateTime and EndDateTime") {
			t.Errorf("calendarView without a window: %v", err)
		}
	})
}

func TestLargeAttachmentThroughSDK(t *testing.T) {
	t.Parallel()
	eachTarget(t, func(t *testing.T, c *client) {
		gc := msgraph.NewGraphServiceClient(c.adapter)
		ctx := t.Context()
		aID := postSDKUser(t, gc, "adele")
		draft := models.NewMessage()
		draft.SetSubject(ptr("with a large file"))
		m, err := gc.Users().ByUserId(aID).Messages().Post(ctx, draft, nil)
		if err != nil {
			t.Fatal(err)
		}
		mID := deref(m.GetId())
		// A file of a little over 3 MB, sent in slices of 320 KiB.
		data := bytes.Repeat([]byte("0123456789abcdef"), 200_000)
		path := filepath.Join(t.TempDir(), "report.bin")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		file, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer file.Close()
		item := models.NewAttachmentItem()
		kind := models.FILE_ATTACHMENTTYPE
		item.SetAttachmentType(&kind)
		item.SetName(ptr("report.bin"))
		item.SetSize(ptr(int64(len(data))))
		req := users.NewItemMessagesItemAttachmentsCreateUploadSessionPostRequestBody()
		req.SetAttachmentItem(item)
		session, err := gc.Users().ByUserId(aID).Messages().ByMessageId(mID).Attachments().CreateUploadSession().Post(ctx, req, nil)
		if err != nil {
			t.Fatalf("createUploadSession: %v", err)
		}
		task := fileuploader.NewLargeFileUploadTask[models.FileAttachmentable](c.adapter, session, file, 320*1024,
			models.CreateFileAttachmentFromDiscriminatorValue, errorMapping)
		var progressed int64
		res := task.Upload(func(current, total int64) { progressed = current + 1 })
		if !res.GetUploadSucceeded() {
			t.Fatalf("upload failed: %v", res.GetResponseErrors())
		}
		if progressed != int64(len(data)) || res.GetURI() == nil || !strings.Contains(*res.GetURI(), "/attachments('") {
			t.Errorf("upload: progress %d of %d, URI %v", progressed, len(data), res.GetURI())
		}
		atts, err := gc.Users().ByUserId(aID).Messages().ByMessageId(mID).Attachments().Get(ctx, nil)
		if err != nil || len(atts.GetValue()) != 1 {
			t.Fatalf("attachments: %v", err)
		}
		fa, ok := atts.GetValue()[0].(models.FileAttachmentable)
		if !ok || deref(fa.GetName()) != "report.bin" || val(fa.GetSize()) != int32(len(data)) || !bytes.Equal(fa.GetContentBytes(), data) {
			t.Errorf("attachment: %T", atts.GetValue()[0])
		}
		msg, err := gc.Users().ByUserId(aID).Messages().ByMessageId(mID).Get(ctx, nil)
		if err != nil || !val(msg.GetHasAttachments()) {
			t.Errorf("hasAttachments: %v", err)
		}
	})
}

// postSDKUser creates the user newSDKUser(name) and returns its id.
func postSDKUser(t *testing.T, gc *msgraph.GraphServiceClient, name string) string {
	t.Helper()
	u, err := gc.Users().Post(t.Context(), newSDKUser(name), nil)
	if err != nil {
		t.Fatal(err)
	}
	return deref(u.GetId())
}
