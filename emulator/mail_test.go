package emulator_test

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator"
	"github.com/graph-emulator/graph-emulator/emulator/emulatortest"
)

// Outlook's mail over HTTP, against Graph's own schema: mailboxes and well-known
// folders, drafts, sendMail between tenant users and to the outbox, replies, forwards,
// moves and copies, attachments and upload sessions, $search, and bad input answered
// with Graph's errors and nothing stored.

// mailNow is the clock of the mail tests.
var mailNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// mailFixture is a tenant with users whose mail a test reads.
type mailFixture struct {
	t   *testing.T
	srv *emulatortest.Server
	n   int
}

func newMail(t *testing.T, opts ...emulator.Option) *mailFixture {
	t.Helper()
	opts = append([]emulator.Option{emulator.WithClock(func() time.Time { return mailNow })}, opts...)
	return &mailFixture{t: t, srv: emulatortest.New(t, opts...)}
}

// user creates a user and returns its id and its userPrincipalName.
func (f *mailFixture) user(name string, extra ...string) (id, upn string) {
	f.t.Helper()
	f.n++
	nick := fmt.Sprintf("%s%d", strings.ToLower(name), f.n)
	upn = nick + "@contoso.test"
	body := `{"accountEnabled":true,"displayName":"` + name + `","mailNickname":"` + nick + `","userPrincipalName":"` + upn +
		`","passwordProfile":{"password":"x-Y-z-123!aB"}` + strings.Join(extra, "") + `}`
	return field(mustStatus(f.t, f.srv.Do("POST", "/v1.0/users", body), http.StatusCreated), "id"), upn
}

func (f *mailFixture) do(method, path, body string, headers ...string) *emulatortest.Response {
	f.t.Helper()
	return f.srv.Do(method, path, body, headers...)
}

// want checks a response's status.
func (f *mailFixture) want(r *emulatortest.Response, status int) *emulatortest.Response {
	f.t.Helper()
	return mustStatus(f.t, r, status)
}

// wantError checks a Graph error's status and code.
func (f *mailFixture) wantError(r *emulatortest.Response, status int, code string) {
	f.t.Helper()
	if r.Status != status || field(r, "error.code") != code || field(r, "error.message") == "" {
		f.t.Fatalf("want %d %s, got %s", status, code, r)
	}
}

// list reads a collection's items.
func (f *mailFixture) list(path string, headers ...string) []gjson.Result {
	f.t.Helper()
	return gjson.GetBytes(f.want(f.do("GET", path, "", headers...), 200).Body, "value").Array()
}

func to(addrs ...string) string {
	parts := make([]string, len(addrs))
	for i, a := range addrs {
		parts[i] = `{"emailAddress":{"address":"` + a + `"}}`
	}
	return "[" + strings.Join(parts, ",") + "]"
}

func subjects(items []gjson.Result) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.Get("subject").String())
	}
	return out
}

func TestMailboxWellKnownFolders(t *testing.T) {
	t.Parallel()
	f := newMail(t, emulator.WithSingletonKey("me", "me-id"))
	mustStatus(t, f.srv.Do("POST", "/v1.0/users", `{"id":"me-id","accountEnabled":true,"displayName":"Me","mailNickname":"me","userPrincipalName":"me@contoso.test","passwordProfile":{"password":"x-Y-z-123!aB"}}`), 201)
	want := []string{"Archive", "Conversation History", "Deleted Items", "Drafts", "Inbox", "Junk Email", "Outbox", "Sent Items"}
	// Before anything is written the mailbox reads as it will be stored.
	for round := range 2 {
		folders := f.list("/v1.0/me/mailFolders")
		var names []string
		for _, it := range folders {
			names = append(names, it.Get("displayName").String())
			if it.Get("totalItemCount").Int() != 0 || round == 0 && it.Get("childFolderCount").Int() != 0 || it.Get("parentFolderId").String() == "" {
				t.Errorf("round %d: folder %s", round, it.Raw)
			}
		}
		if strings.Join(names, ",") != strings.Join(want, ",") {
			t.Fatalf("round %d: folders %v", round, names)
		}
		inbox := f.want(f.do("GET", "/v1.0/me/mailFolders/inbox", ""), 200)
		for _, name := range []string{"Inbox", "INBOX", "iNbOx"} {
			if got := field(f.want(f.do("GET", "/v1.0/users/me-id/mailFolders/"+name, ""), 200), "id"); got != field(inbox, "id") {
				t.Errorf("round %d: %s is %s, want %s", round, name, got, field(inbox, "id"))
			}
		}
		if got := field(f.want(f.do("GET", "/v1.0/me/mailFolders/"+field(inbox, "id"), ""), 200), "displayName"); got != "Inbox" {
			t.Errorf("round %d: by id: %q", round, got)
		}
		root := f.want(f.do("GET", "/v1.0/me/mailFolders/msgfolderroot", ""), 200)
		if field(root, "id") != field(inbox, "parentFolderId") || field(root, "displayName") != "Top of Information Store" ||
			field(root, "childFolderCount") != "8" {
			t.Errorf("round %d: root: %s", round, root.Body)
		}
		f.want(f.do("GET", "/v1.0/me/mailFolders/"+field(root, "id"), ""), 200)
		if got := field(f.want(f.do("GET", "/v1.0/me/calendar", ""), 200), "isDefaultCalendar"); got != "true" {
			t.Errorf("round %d: default calendar %q", round, got)
		}
		if n := len(f.list("/v1.0/me/calendars")); n != 1 {
			t.Errorf("round %d: %d calendars", round, n)
		}
		// The first write stores the mailbox.
		if round == 0 {
			child := f.want(f.do("POST", "/v1.0/me/mailFolders/inbox/childFolders", `{"displayName":"Receipts"}`), 201)
			if field(child, "parentFolderId") != field(inbox, "id") || field(child, "totalItemCount") != "0" {
				t.Errorf("child folder: %s", child.Body)
			}
		}
	}
	if got := field(f.want(f.do("GET", "/v1.0/me/mailFolders/inbox", ""), 200), "childFolderCount"); got != "1" {
		t.Errorf("childFolderCount %s", got)
	}
	// Bad input: unknown folder names, duplicate names, empty names; nothing stored.
	f.wantError(f.do("GET", "/v1.0/me/mailFolders/nosuchfolder", ""), 404, "ResourceNotFound")
	f.wantError(f.do("GET", "/v1.0/me/mailFolders/clutter/messages", ""), 404, "ResourceNotFound")
	f.wantError(f.do("POST", "/v1.0/me/mailFolders", `{"displayName":"inbox"}`), 409, "ErrorFolderExists")
	f.wantError(f.do("POST", "/v1.0/me/mailFolders", `{"displayName":""}`), 400, "ErrorInvalidRequest")
	f.wantError(f.do("POST", "/v1.0/me/mailFolders", `{"displayName":"X","nope":1}`), 400, "RequestBodyRead")
	inboxID := field(f.want(f.do("GET", "/v1.0/me/mailFolders/inbox", ""), 200), "id")
	f.wantError(f.do("DELETE", "/v1.0/me/mailFolders/"+inboxID, ""), 400, "ErrorDeleteDistinguishedFolder")
	if n := len(f.list("/v1.0/me/mailFolders")); n != 8 {
		t.Errorf("%d folders after bad input", n)
	}
	// A folder of one's own can be deleted, with what it holds.
	mine := field(f.want(f.do("POST", "/v1.0/me/mailFolders", `{"displayName":"Mine"}`), 201), "id")
	f.want(f.do("POST", "/v1.0/me/mailFolders/"+mine+"/messages", `{"subject":"in mine"}`), 201)
	f.want(f.do("DELETE", "/v1.0/me/mailFolders/"+mine, ""), 204)
	if n := len(f.list("/v1.0/me/messages")); n != 0 {
		t.Errorf("messages after deleting their folder: %d", n)
	}
	// A user that does not exist has no mailbox.
	f.wantError(f.do("GET", "/v1.0/users/nobody/mailFolders/inbox", ""), 404, "Request_ResourceNotFound")
}

func TestDraftMessage(t *testing.T) {
	t.Parallel()
	f := newMail(t)
	a, upn := f.user("Adele")
	drafts := field(f.want(f.do("GET", "/v1.0/users/"+a+"/mailFolders/Drafts", ""), 200), "id")
	r := f.want(f.do("POST", "/v1.0/users/"+a+"/messages", `{"subject":"Plan","body":{"contentType":"html","content":"<p>Hello <b>world</b></p>"},"toRecipients":`+to("x@example.com")+`}`), 201)
	m := gjson.ParseBytes(r.Body)
	etag := m.Get(`@odata\.etag`).String()
	for name, ok := range map[string]bool{
		"isDraft":                m.Get("isDraft").Bool(),
		"isRead":                 m.Get("isRead").Bool(),
		"parentFolderId":         m.Get("parentFolderId").String() == drafts,
		"etag is changeKey":      etag == `W/"`+m.Get("changeKey").String()+`"` && r.Header.Get("ETag") == etag,
		"createdDateTime":        m.Get("createdDateTime").String() == "2026-03-01T12:00:00Z",
		"receivedDateTime":       m.Get("receivedDateTime").String() == "2026-03-01T12:00:00Z",
		"sentDateTime":           m.Get("sentDateTime").Exists(),
		"conversationId":         m.Get("conversationId").String() != "",
		"internetMessageId":      strings.HasSuffix(m.Get("internetMessageId").String(), "@contoso.test>"),
		"webLink":                strings.Contains(m.Get("webLink").String(), "ItemID="),
		"bodyPreview":            m.Get("bodyPreview").String() == "Hello world",
		"hasAttachments":         m.Get("hasAttachments").Type == gjson.False,
		"from":                   m.Get("from.emailAddress.address").String() == upn,
		"sender":                 m.Get("sender.emailAddress.name").String() == "Adele",
		"recipient name":         m.Get("toRecipients.0.emailAddress.name").String() == "x@example.com",
		"Location":               strings.Contains(r.Header.Get("Location"), "/messages('"+m.Get("id").String()+"')"),
		"context (/me/messages)": strings.HasSuffix(m.Get(`@odata\.context`).String(), "#users('"+a+"')/messages/$entity"),
	} {
		if !ok {
			t.Errorf("%s: %s", name, r.Body)
		}
	}
	id := m.Get("id").String()
	// The draft is in Drafts, and among all messages.
	if got := f.list("/v1.0/users/" + a + "/mailFolders/drafts/messages"); len(got) != 1 || got[0].Get("id").String() != id {
		t.Errorf("drafts: %v", got)
	}
	if got := f.list("/v1.0/users/" + a + "/messages"); len(got) != 1 {
		t.Errorf("messages: %v", got)
	}
	// An update changes the changeKey and keeps what the server set.
	u := f.want(f.do("PATCH", "/v1.0/users/"+a+"/messages/"+id, `{"subject":"Plan B","isDraft":false,"parentFolderId":"x","body":{"contentType":"text","content":"changed"}}`), 200)
	if field(u, "changeKey") == m.Get("changeKey").String() || field(u, "parentFolderId") != drafts || field(u, "isDraft") != "true" ||
		field(u, "bodyPreview") != "changed" || field(u, "subject") != "Plan B" {
		t.Errorf("update: %s", u.Body)
	}
	f.want(f.do("PATCH", "/v1.0/users/"+a+"/mailFolders/drafts/messages/"+id, `{"importance":"high"}`, "If-Match", field(u, `@odata\.etag`)), 200)
	f.want(f.do("PATCH", "/v1.0/users/"+a+"/messages/"+id, `{"importance":"low"}`, "If-Match", etag), 412)
	// Bad input: nothing stored.
	f.wantError(f.do("POST", "/v1.0/users/"+a+"/messages", `{"subject":"x","toRecipients":{}}`), 400, "Request_BadRequest")
	f.wantError(f.do("POST", "/v1.0/users/"+a+"/messages", `{"subject":5}`), 400, "Request_BadRequest")
	f.wantError(f.do("GET", "/v1.0/users/"+a+"/messages/nope", ""), 404, "ResourceNotFound")
	f.wantError(f.do("PATCH", "/v1.0/users/"+a+"/messages/nope", `{"subject":"x"}`), 404, "ResourceNotFound")
	if got := f.list("/v1.0/users/" + a + "/messages"); len(got) != 1 {
		t.Errorf("messages after bad input: %v", subjects(got))
	}
	// Delete.
	f.want(f.do("DELETE", "/v1.0/users/"+a+"/messages/"+id, ""), 204)
	if got := f.list("/v1.0/users/" + a + "/mailFolders/drafts/messages"); len(got) != 0 {
		t.Errorf("after delete: %v", got)
	}
}

func TestSendMail(t *testing.T) {
	t.Parallel()
	f := newMail(t)
	a, aUPN := f.user("Adele")
	b, bUPN := f.user("Bob")
	c, _ := f.user("Carol", `,"proxyAddresses":["SMTP:carol@fabrikam.test","smtp:cc@fabrikam.test"]`)
	d, _ := f.user("Dan", `,"mail":"dan@fabrikam.test"`)
	msg := `{"message":{"subject":"Lunch?","body":{"contentType":"Text","content":"Pizza at noon."},"toRecipients":` + to(bUPN, "ext@example.com") +
		`,"ccRecipients":` + to("CC@fabrikam.test") + `,"bccRecipients":` + to("dan@fabrikam.test", strings.ToUpper(bUPN)) + `}}`
	r := f.want(f.do("POST", "/v1.0/users/"+a+"/sendMail", msg), 202)
	if len(r.Body) != 0 {
		t.Errorf("202 with a body: %s", r.Body)
	}
	sent := f.list("/v1.0/users/" + a + "/mailFolders/sentitems/messages")
	if len(sent) != 1 || sent[0].Get("isDraft").Bool() || !sent[0].Get("isRead").Bool() || sent[0].Get("bccRecipients.#").Int() != 2 {
		t.Fatalf("sent items: %v", sent)
	}
	imid := sent[0].Get("internetMessageId").String()
	for _, u := range []string{b, c, d} {
		in := f.list("/v1.0/users/" + u + "/mailFolders/inbox/messages")
		if len(in) != 1 {
			t.Fatalf("inbox of %s: %v", u, in)
		}
		m := in[0]
		if m.Get("isRead").Bool() || m.Get("isDraft").Bool() || m.Get("internetMessageId").String() != imid ||
			m.Get("conversationId").String() != sent[0].Get("conversationId").String() || m.Get("bccRecipients.#").Int() != 0 ||
			m.Get("from.emailAddress.address").String() != aUPN || m.Get("receivedDateTime").String() != "2026-03-01T12:00:00Z" ||
			m.Get("subject").String() != "Lunch?" || m.Get("id").String() == sent[0].Get("id").String() {
			t.Errorf("delivered to %s: %s", u, m.Raw)
		}
		folder := f.want(f.do("GET", "/v1.0/users/"+u+"/mailFolders/inbox", ""), 200)
		if field(folder, "unreadItemCount") != "1" || field(folder, "totalItemCount") != "1" {
			t.Errorf("inbox counts of %s: %s", u, folder.Body)
		}
	}
	// The address outside the tenant is in the outbox.
	out := f.want(f.do("GET", emulator.OutboxPath, ""), 200)
	if gjson.GetBytes(out.Body, "value.#").Int() != 1 || field(out, "value.0.to.0") != "ext@example.com" ||
		field(out, "value.0.from") != aUPN || field(out, "value.0.internetMessageId") != imid || field(out, "value.0.message.subject") != "Lunch?" {
		t.Errorf("outbox: %s", out.Body)
	}
	if gjson.GetBytes(f.want(f.do("GET", emulator.OutboxPath+"?to=EXT@example.com", ""), 200).Body, "value.#").Int() != 1 ||
		gjson.GetBytes(f.want(f.do("GET", emulator.OutboxPath+"?to=other@example.com", ""), 200).Body, "value.#").Int() != 0 {
		t.Error("outbox filter by recipient")
	}
	f.want(f.do("DELETE", emulator.OutboxPath, ""), 204)
	if gjson.GetBytes(f.want(f.do("GET", emulator.OutboxPath, ""), 200).Body, "value.#").Int() != 0 {
		t.Error("outbox not emptied")
	}
	f.want(f.do("PUT", emulator.OutboxPath, ""), 405)
	// saveToSentItems false (as the docs write it, a string): nothing in Sent Items.
	f.want(f.do("POST", "/v1.0/users/"+a+"/sendMail", `{"message":{"subject":"quiet","toRecipients":`+to(bUPN)+`},"saveToSentItems":"false"}`), 202)
	if n := len(f.list("/v1.0/users/" + a + "/mailFolders/sentitems/messages")); n != 1 {
		t.Errorf("sent items after saveToSentItems false: %d", n)
	}
	if n := len(f.list("/v1.0/users/" + b + "/messages")); n != 2 {
		t.Errorf("bob's messages: %d", n)
	}
	// Bad input: Graph's errors, nothing sent.
	for name, body := range map[string]string{
		"no recipients": `{"message":{"subject":"x"}}`,
		"bad address":   `{"message":{"subject":"x","toRecipients":` + to("not-an-address") + `}}`,
	} {
		r := f.do("POST", "/v1.0/users/"+a+"/sendMail", body)
		if r.Status != 400 || field(r, "error.code") != "ErrorInvalidRecipients" {
			t.Errorf("%s: %s", name, r)
		}
	}
	f.wantError(f.do("POST", "/v1.0/users/"+a+"/sendMail", `{"saveToSentItems":true}`), 400, "BadRequest")
	f.wantError(f.do("POST", "/v1.0/users/"+a+"/sendMail", `{"message":{"subject":7,"toRecipients":`+to(bUPN)+`}}`), 400, "BadRequest")
	f.wantError(f.do("POST", "/v1.0/users/"+a+"/sendMail", `{"message":{"subject":"x","toRecipients":`+to(bUPN)+`},"nope":1}`), 400, "BadRequest")
	f.wantError(f.do("POST", "/v1.0/users/nobody/sendMail", `{"message":{"subject":"x","toRecipients":`+to(bUPN)+`}}`), 404, "Request_ResourceNotFound")
	f.want(f.do("GET", "/v1.0/users/"+a+"/sendMail", ""), 405)
	if n := len(f.list("/v1.0/users/" + a + "/mailFolders/sentitems/messages")); n != 1 {
		t.Errorf("sent items after bad input: %d", n)
	}
	if n := len(f.list("/v1.0/users/" + b + "/messages")); n != 2 {
		t.Errorf("bob's messages after bad input: %d", n)
	}
}

func TestSendDraftReplyForward(t *testing.T) {
	t.Parallel()
	f := newMail(t)
	a, aUPN := f.user("Adele")
	b, bUPN := f.user("Bob")
	c, cUPN := f.user("Carol")
	// A draft, sent later with its attachment.
	d := field(f.want(f.do("POST", "/v1.0/users/"+a+"/messages", `{"subject":"Report","toRecipients":`+to(bUPN)+`,"ccRecipients":`+to(cUPN)+`}`), 201), "id")
	f.want(f.do("POST", "/v1.0/users/"+a+"/messages/"+d+"/attachments", `{"@odata.type":"#microsoft.graph.fileAttachment","name":"r.txt","contentBytes":"cmVwb3J0"}`), 201)
	f.want(f.do("POST", "/v1.0/users/"+a+"/messages/"+d+"/send", ""), 202)
	f.wantError(f.do("GET", "/v1.0/users/"+a+"/messages/"+d, ""), 404, "ResourceNotFound")
	if n := len(f.list("/v1.0/users/" + a + "/mailFolders/drafts/messages")); n != 0 {
		t.Errorf("drafts after send: %d", n)
	}
	in := f.list("/v1.0/users/" + b + "/mailFolders/inbox/messages")
	if len(in) != 1 || !in[0].Get("hasAttachments").Bool() {
		t.Fatalf("bob's inbox: %v", in)
	}
	orig := in[0].Get("id").String()
	if atts := f.list("/v1.0/users/" + b + "/messages/" + orig + "/attachments"); len(atts) != 1 || atts[0].Get("name").String() != "r.txt" {
		t.Errorf("delivered attachments: %v", atts)
	}
	// Sending a message that is no draft is refused.
	f.wantError(f.do("POST", "/v1.0/users/"+b+"/messages/"+orig+"/send", ""), 400, "ErrorInvalidRequest")
	// reply: to the sender, RE:, the comment first, same conversation.
	f.want(f.do("POST", "/v1.0/users/"+b+"/messages/"+orig+"/reply", `{"comment":"Thanks!"}`), 202)
	ra := f.list("/v1.0/users/" + a + "/mailFolders/inbox/messages")
	if len(ra) != 1 || ra[0].Get("subject").String() != "RE: Report" || !strings.HasPrefix(ra[0].Get("bodyPreview").String(), "Thanks!") ||
		ra[0].Get("conversationId").String() != in[0].Get("conversationId").String() || ra[0].Get("toRecipients.0.emailAddress.address").String() != aUPN {
		t.Fatalf("reply: %v", ra)
	}
	if n := len(f.list("/v1.0/users/" + c + "/mailFolders/inbox/messages")); n != 1 {
		t.Errorf("carol after reply: %d", n)
	}
	// replyAll: the sender and the other recipients, never oneself.
	f.want(f.do("POST", "/v1.0/users/"+b+"/messages/"+orig+"/replyAll", `{"comment":"All"}`), 202)
	if n := len(f.list("/v1.0/users/" + c + "/mailFolders/inbox/messages")); n != 2 {
		t.Errorf("carol after replyAll: %d", n)
	}
	if n := len(f.list("/v1.0/users/" + b + "/mailFolders/inbox/messages")); n != 1 {
		t.Errorf("bob replied to himself: %d", n)
	}
	// forward: with the attachments, FW:.
	f.want(f.do("POST", "/v1.0/users/"+b+"/messages/"+orig+"/forward", `{"comment":"FYI","toRecipients":`+to(cUPN)+`}`), 202)
	fw := f.list("/v1.0/users/" + c + "/mailFolders/inbox/messages?$filter=startswith(subject,'FW')")
	if len(fw) != 1 || !fw[0].Get("hasAttachments").Bool() {
		t.Fatalf("forward: %v", fw)
	}
	f.wantError(f.do("POST", "/v1.0/users/"+b+"/messages/"+orig+"/forward", `{"comment":"FYI"}`), 400, "ErrorInvalidRecipients")
	f.wantError(f.do("POST", "/v1.0/users/"+b+"/messages/"+orig+"/reply", `{"comment":"x","message":{"body":{"content":"y"}}}`), 400, "ErrorInvalidRequest")
	// createReply, createReplyAll, createForward: 201 with a draft in Drafts.
	for _, op := range []string{"createReply", "createReplyAll", "createForward"} {
		r := f.want(f.do("POST", "/v1.0/users/"+b+"/messages/"+orig+"/"+op, ""), 201)
		if field(r, "isDraft") != "true" || !strings.HasSuffix(field(r, `@odata\.context`), "/messages/$entity") ||
			field(r, "parentFolderId") != field(f.want(f.do("GET", "/v1.0/users/"+b+"/mailFolders/drafts", ""), 200), "id") {
			t.Errorf("%s: %s", op, r.Body)
		}
	}
	if n := len(f.list("/v1.0/users/" + b + "/mailFolders/drafts/messages")); n != 3 {
		t.Errorf("drafts after create*: %d", n)
	}
	reply := f.list("/v1.0/users/" + b + "/mailFolders/drafts/messages?$filter=" + urlQuery("subject eq 'RE: Report'"))
	if len(reply) != 2 {
		t.Errorf("reply drafts: %v", subjects(reply))
	}
}

func TestMoveCopy(t *testing.T) {
	t.Parallel()
	f := newMail(t)
	a, _ := f.user("Adele")
	m := field(f.want(f.do("POST", "/v1.0/users/"+a+"/messages", `{"subject":"keep"}`), 201), "id")
	f.want(f.do("POST", "/v1.0/users/"+a+"/messages/"+m+"/attachments", `{"@odata.type":"#microsoft.graph.fileAttachment","name":"a.txt","contentBytes":"YQ=="}`), 201)
	archive := field(f.want(f.do("GET", "/v1.0/users/"+a+"/mailFolders/archive", ""), 200), "id")
	cp := f.want(f.do("POST", "/v1.0/users/"+a+"/messages/"+m+"/copy", `{"destinationId":"`+archive+`"}`), 201)
	if field(cp, "id") == m || field(cp, "parentFolderId") != archive || field(cp, "subject") != "keep" || field(cp, "hasAttachments") != "true" {
		t.Errorf("copy: %s", cp.Body)
	}
	f.want(f.do("GET", "/v1.0/users/"+a+"/messages/"+m, ""), 200)
	mv := f.want(f.do("POST", "/v1.0/users/"+a+"/mailFolders/drafts/messages/"+m+"/move", `{"destinationId":"DeletedItems"}`), 201)
	del := f.want(f.do("GET", "/v1.0/users/"+a+"/mailFolders/deleteditems", ""), 200)
	if field(mv, "id") == m || field(mv, "parentFolderId") != field(del, "id") || field(del, "totalItemCount") != "1" {
		t.Errorf("move: %s / %s", mv.Body, del.Body)
	}
	if n := len(f.list("/v1.0/users/" + a + "/messages/" + field(mv, "id") + "/attachments")); n != 1 {
		t.Errorf("moved attachments: %d", n)
	}
	f.wantError(f.do("GET", "/v1.0/users/"+a+"/messages/"+m, ""), 404, "ResourceNotFound")
	// Bad input.
	f.wantError(f.do("POST", "/v1.0/users/"+a+"/messages/"+field(mv, "id")+"/move", `{"destinationId":"nowhere"}`), 404, "ResourceNotFound")
	f.wantError(f.do("POST", "/v1.0/users/"+a+"/messages/"+field(mv, "id")+"/move", `{}`), 400, "BadRequest")
	f.wantError(f.do("POST", "/v1.0/users/"+a+"/messages/nope/copy", `{"destinationId":"inbox"}`), 404, "ResourceNotFound")
	if n := len(f.list("/v1.0/users/" + a + "/messages")); n != 2 {
		t.Errorf("messages after bad moves: %d", n)
	}
}

func TestAttachments(t *testing.T) {
	t.Parallel()
	f := newMail(t)
	a, _ := f.user("Adele")
	m := "/v1.0/users/" + a + "/messages/" + field(f.want(f.do("POST", "/v1.0/users/"+a+"/messages", `{"subject":"s"}`), 201), "id")
	content := "Hello, attachment!"
	fa := f.want(f.do("POST", m+"/attachments", `{"@odata.type":"#microsoft.graph.fileAttachment","name":"hello.txt","contentBytes":"`+
		base64.StdEncoding.EncodeToString([]byte(content))+`"}`), 201)
	if field(fa, `@odata\.type`) != "#microsoft.graph.fileAttachment" || field(fa, "size") != strconv.Itoa(len(content)) ||
		field(fa, "contentType") != "text/plain" || field(fa, "isInline") != "false" || field(fa, "lastModifiedDateTime") == "" {
		t.Errorf("file attachment: %s", fa.Body)
	}
	if field(f.want(f.do("GET", m, ""), 200), "hasAttachments") != "true" {
		t.Error("hasAttachments after a file attachment")
	}
	raw := f.want(f.do("GET", m+"/attachments/"+field(fa, "id")+"/$value", ""), 200)
	if string(raw.Body) != content || raw.Header.Get("Content-Type") != "text/plain" {
		t.Errorf("$value: %q %s", raw.Body, raw.Header.Get("Content-Type"))
	}
	item := f.want(f.do("POST", m+"/attachments", `{"@odata.type":"#microsoft.graph.itemAttachment","name":"event"}`), 201)
	ref := f.want(f.do("POST", m+"/attachments", `{"@odata.type":"#microsoft.graph.referenceAttachment","name":"doc"}`), 201)
	if atts := f.list(m + "/attachments"); len(atts) != 3 || atts[1].Get(`@odata\.type`).String() != "#microsoft.graph.itemAttachment" {
		t.Errorf("attachments: %v", atts)
	}
	f.want(f.do("GET", m+"/attachments/"+field(item, "id")+"/$value", ""), 400)
	// Bad input.
	f.wantError(f.do("POST", m+"/attachments", `{"@odata.type":"#microsoft.graph.fileAttachment","name":"x","contentBytes":"***"}`), 400, "ErrorInvalidProperty")
	f.wantError(f.do("POST", m+"/attachments", `{"name":"abstract"}`), 400, "BadRequest")
	f.wantError(f.do("GET", m+"/attachments/nope", ""), 404, "ResourceNotFound")
	if n := len(f.list(m + "/attachments")); n != 3 {
		t.Errorf("attachments after bad input: %d", n)
	}
	// Removing the attachments clears hasAttachments.
	for _, id := range []string{field(fa, "id"), field(item, "id"), field(ref, "id")} {
		f.want(f.do("DELETE", m+"/attachments/"+id, ""), 204)
	}
	if field(f.want(f.do("GET", m, ""), 200), "hasAttachments") != "false" {
		t.Error("hasAttachments after deleting them")
	}
}

func TestAttachmentUploadSession(t *testing.T) {
	t.Parallel()
	f := newMail(t)
	a, _ := f.user("Adele")
	m := "/v1.0/users/" + a + "/messages/" + field(f.want(f.do("POST", "/v1.0/users/"+a+"/messages", `{"subject":"big"}`), 201), "id")
	const size = 3<<20 + 1000
	data := make([]byte, size)
	for i := range data {
		data[i] = byte(i * 7)
	}
	s := f.want(f.do("POST", m+"/attachments/createUploadSession", `{"AttachmentItem":{"attachmentType":"file","name":"big.bin","size":`+strconv.Itoa(size)+`}}`), 201)
	up := field(s, "uploadUrl")
	if !strings.HasPrefix(up, f.srv.URL+"/") || field(s, "nextExpectedRanges.0") != "0-" || field(s, "expirationDateTime") == "" ||
		!strings.HasSuffix(field(s, `@odata\.context`), "#microsoft.graph.uploadSession") {
		t.Fatalf("session: %s", s.Body)
	}
	put := func(start, end int) *emulatortest.Response {
		return f.do("PUT", up, string(data[start:end+1]), "Content-Type", "application/octet-stream",
			"Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, end, size), "Authorization", "")
	}
	// Out of order, as an SDK sending slices side by side may.
	r := f.want(put(2<<20, size-1), 200)
	if got := gjson.GetBytes(r.Body, "nextExpectedRanges").String(); got != `["0-2097151"]` {
		t.Errorf("after the tail: %s", r.Body)
	}
	// Bad ranges change nothing.
	for name, cr := range map[string]string{"total": "bytes 0-9/10", "outside": fmt.Sprintf("bytes 0-%d/%d", size, size), "garbled": "0-9"} {
		if r := f.do("PUT", up, "0123456789", "Content-Range", cr); r.Status != 400 {
			t.Errorf("%s: %s", name, r)
		}
	}
	if r := f.do("PUT", up, "short", "Content-Range", fmt.Sprintf("bytes 0-9/%d", size)); r.Status != 400 {
		t.Errorf("length mismatch: %s", r)
	}
	f.want(put(0, 1<<20-1), 200)
	st := f.want(f.do("GET", up, ""), 200)
	if got := gjson.GetBytes(st.Body, "nextExpectedRanges").String(); got != `["1048576-2097151"]` {
		t.Errorf("status: %s", st.Body)
	}
	done := f.want(put(1<<20, 2<<20-1), 201)
	loc := done.Header.Get("Location")
	if len(done.Body) != 0 || !strings.Contains(loc, "/attachments('") {
		t.Fatalf("final: %s Location %q", done, loc)
	}
	att := f.want(f.do("GET", loc, ""), 200)
	if field(att, "name") != "big.bin" || field(att, "size") != strconv.Itoa(size) || field(att, "contentType") != "application/octet-stream" {
		t.Errorf("attachment: %.300s", att.Body)
	}
	if got := f.want(f.do("GET", loc+"/$value", ""), 200); string(got.Body) != string(data) {
		t.Error("uploaded bytes differ")
	}
	if field(f.want(f.do("GET", m, ""), 200), "hasAttachments") != "true" {
		t.Error("hasAttachments after the upload")
	}
	// The session is over.
	f.wantError(f.do("GET", up, ""), 404, "ErrorItemNotFound")
	f.wantError(f.do("GET", up+"x", ""), 404, "ErrorItemNotFound")
	// A session can be cancelled; small files are refused.
	s2 := field(f.want(f.do("POST", m+"/attachments/createUploadSession", `{"AttachmentItem":{"attachmentType":"file","name":"b","size":`+strconv.Itoa(size)+`}}`), 201), "uploadUrl")
	f.want(f.do("DELETE", s2, ""), 204)
	f.wantError(f.do("PUT", s2, "x", "Content-Range", "bytes 0-0/"+strconv.Itoa(size)), 404, "ErrorItemNotFound")
	f.wantError(f.do("POST", m+"/attachments/createUploadSession", `{"AttachmentItem":{"attachmentType":"file","name":"s","size":100}}`), 400, "ErrorAttachmentSizeShouldNotBeLessThanMinimumSize")
	f.wantError(f.do("POST", m+"/attachments/createUploadSession", `{"AttachmentItem":{"attachmentType":"item","name":"s","size":`+strconv.Itoa(size)+`}}`), 400, "ErrorInvalidRequest")
	f.wantError(f.do("POST", "/v1.0/users/"+a+"/messages/nope/attachments/createUploadSession", `{"AttachmentItem":{"attachmentType":"file","name":"s","size":`+strconv.Itoa(size)+`}}`), 404, "ResourceNotFound")
	if n := len(f.list(m + "/attachments?$select=name")); n != 1 {
		t.Errorf("attachments: %d", n)
	}
}

func TestMessageQueries(t *testing.T) {
	t.Parallel()
	f := newMail(t)
	a, aUPN := f.user("Adele")
	b, bUPN := f.user("Bob")
	for _, m := range []string{
		`{"subject":"Pizza party","body":{"contentType":"html","content":"<p>Bring <b>drinks</b></p>"}}`,
		`{"subject":"Quarterly report","body":{"contentType":"text","content":"numbers inside"},"importance":"high"}`,
		`{"subject":"Lunch","body":{"contentType":"text","content":"pizza or sushi?"}}`,
	} {
		body := strings.Replace(m, "{", `{"toRecipients":`+to(bUPN)+`,`, 1)
		f.want(f.do("POST", "/v1.0/users/"+a+"/sendMail", `{"message":`+body+`}`), 202)
	}
	inbox := "/v1.0/users/" + b + "/messages"
	for q, want := range map[string]string{
		`"pizza"`:                                  "Pizza party,Lunch",
		`"from:adele"`:                             "Pizza party,Quarterly report,Lunch",
		`"from:` + aUPN + `"`:                      "Pizza party,Quarterly report,Lunch",
		`"from:zed"`:                               "",
		`"subject:report"`:                         "Quarterly report",
		`"subject:\"quarterly report\""`:           "Quarterly report",
		`"\"party pizza\""`:                        "",
		`"body:drinks"`:                            "Pizza party",
		`"pizza AND sushi"`:                        "Lunch",
		`"pizza OR numbers"`:                       "Pizza party,Quarterly report,Lunch",
		`"pizza NOT sushi"`:                        "Pizza party",
		`"importance:high"`:                        "Quarterly report",
		`"to:bob received>=2026-03-01"`:            "Pizza party,Quarterly report,Lunch",
		`"received<2026-03-01"`:                    "",
		`"(subject:lunch OR subject:pizza) bring"`: "Pizza party",
	} {
		got := subjects(f.list(inbox + "?$search=" + urlQuery(q)))
		if strings.Join(got, ",") != want {
			t.Errorf("$search=%s: %v, want %s", q, got, want)
		}
	}
	f.wantError(f.do("GET", inbox+"?$search="+urlQuery(`"subject:(x"`), ""), 400, "BadRequest")
	f.wantError(f.do("GET", inbox+"?$search="+urlQuery(`"received:yesterday"`), ""), 400, "BadRequest")
	f.wantError(f.do("GET", inbox+"?$search="+urlQuery(`"pizza"`)+"&$orderby=subject", ""), 400, "BadRequest")
	// $filter on message properties.
	if got := subjects(f.list(inbox + "?$filter=" + urlQuery("importance eq 'high' and isRead eq false"))); len(got) != 1 {
		t.Errorf("$filter: %v", got)
	}
	if got := f.list(inbox + "?$filter=" + urlQuery("from/emailAddress/address eq '"+aUPN+"'") + "&$count=true&$top=1"); len(got) != 1 {
		t.Errorf("$filter on from: %v", got)
	}
	// Prefer: outlook.body-content-type.
	first := f.list(inbox)[0].Get("id").String()
	r := f.want(f.do("GET", inbox+"/"+first, "", "Prefer", `outlook.body-content-type="text"`), 200)
	if field(r, "body.contentType") != "text" || field(r, "body.content") != "Bring drinks" ||
		r.Header.Get("Preference-Applied") != `outlook.body-content-type="text"` {
		t.Errorf("text body: %s %q", r.Body, r.Header.Get("Preference-Applied"))
	}
	items := f.list(inbox+"?$select=body", "Prefer", `outlook.body-content-type="html"`)
	if items[2].Get("body.contentType").String() != "html" || !strings.Contains(items[2].Get("body.content").String(), "pizza or sushi?") {
		t.Errorf("html body: %s", items[2].Raw)
	}
	if r := f.want(f.do("GET", inbox+"/"+first, ""), 200); field(r, "body.contentType") != "html" || r.Header.Get("Preference-Applied") != "" {
		t.Errorf("stored body: %s", r.Body)
	}
}

// urlQuery escapes a query option's value.
func urlQuery(s string) string {
	r := strings.NewReplacer("%", "%25", " ", "%20", `"`, "%22", "&", "%26", "+", "%2B", "#", "%23", "'", "%27", "<", "%3C", ">", "%3E", "=", "%3D")
	return r.Replace(s)
}

func TestMessageWithAttachments(t *testing.T) {
	t.Parallel()
	f := newMail(t)
	a, _ := f.user("Adele")
	r := f.want(f.do("POST", "/v1.0/users/"+a+"/messages", `{"subject":"with","attachments":[{"@odata.type":"#microsoft.graph.fileAttachment","name":"a.txt","contentBytes":"YQ=="}]}`), 201)
	if field(r, "hasAttachments") != "true" || gjson.GetBytes(r.Body, "attachments").Exists() {
		t.Errorf("created: %s", r.Body)
	}
	atts := f.list("/v1.0/users/" + a + "/messages/" + field(r, "id") + "/attachments")
	if len(atts) != 1 || atts[0].Get("size").Int() != 1 {
		t.Errorf("attachments: %v", atts)
	}
	f.wantError(f.do("POST", "/v1.0/users/"+a+"/messages", `{"subject":"bad","attachments":[{"@odata.type":"#microsoft.graph.fileAttachment","name":"a","contentBytes":"!!"}]}`), 400, "ErrorInvalidProperty")
	if n := len(f.list("/v1.0/users/" + a + "/messages")); n != 1 {
		t.Errorf("messages after a bad attachment: %d", n)
	}
}

// TestSendMailConcurrently sends mail from several goroutines at once: every send is
// one write (Sent Items, the Inbox, the outbox together), so none is lost or half done.
func TestSendMailConcurrently(t *testing.T) {
	t.Parallel()
	f := newMail(t)
	a, _ := f.user("Adele")
	b, bUPN := f.user("Bob")
	const workers, each = 6, 8
	errs := make(chan error, workers)
	for w := range workers {
		go func() {
			for i := range each {
				body := fmt.Sprintf(`{"message":{"subject":"m%d-%d","toRecipients":%s}}`, w, i, to(bUPN, "ext@example.com"))
				r, err := f.srv.Send("POST", "/v1.0/users/"+a+"/sendMail", body)
				if err == nil && r.Status != 202 {
					err = fmt.Errorf("sendMail: %s", r)
				}
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range workers {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	inbox := f.want(f.do("GET", "/v1.0/users/"+b+"/mailFolders/inbox", ""), 200)
	sent := f.want(f.do("GET", "/v1.0/users/"+a+"/mailFolders/sentitems", ""), 200)
	out := f.want(f.do("GET", emulator.OutboxPath, ""), 200)
	n := strconv.Itoa(workers * each)
	if field(inbox, "totalItemCount") != n || field(inbox, "unreadItemCount") != n || field(sent, "totalItemCount") != n ||
		gjson.GetBytes(out.Body, "value.#").String() != n {
		t.Errorf("inbox %s, sent %s, outbox %d", inbox.Body, sent.Body, gjson.GetBytes(out.Body, "value.#").Int())
	}
}
