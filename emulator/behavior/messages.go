package behavior

import (
	"html"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/entities"
)

// Messages: the values Graph sets on a message, whoever writes it (a POST, sendMail, a
// delivery, a reply, a copy).
//
// A message created by POST (to /me/messages or to a folder's messages) is a draft:
// isDraft true, read, in its folder (parentFolderId), with createdDateTime,
// lastModifiedDateTime, receivedDateTime and sentDateTime from the server's clock, a new
// conversationId and internetMessageId, webLink, bodyPreview (the first 255 characters
// of the body as text), hasAttachments false, and from and sender the mailbox owner
// unless given. An update keeps what the server set, recomputes bodyPreview and
// lastModifiedDateTime. changeKey is the message's version, as its @odata.etag
// (W/"changeKey"), written on read.

// graphDateTime formats a time as Outlook writes its timestamps.
func graphDateTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// messageStamp is what the server sets on a message it stores.
type messageStamp struct {
	folder     string // parentFolderId
	draft      bool
	read       bool
	now        time.Time
	sent       time.Time // sentDateTime; now when zero
	owner      [2]string // name, address of the mailbox owner: from and sender by default
	keepIDs    bool      // keep the body's conversationId and internetMessageId
	newID      func() string
	attachment bool // hasAttachments
}

// stampMessage returns body (a message of type t) with the server's values set.
func (b *Behavior) stampMessage(t *entities.StructuredType, body []byte, st messageStamp) []byte {
	now := str(graphDateTime(st.now))
	sent := now
	if !st.sent.IsZero() {
		sent = str(graphDateTime(st.sent))
	}
	get := func(name string) gjson.Result { return gjson.GetBytes(body, name) }
	pairs := []string{
		"createdDateTime", now, "lastModifiedDateTime", now, "receivedDateTime", now, "sentDateTime", sent,
		"changeKey", str(""), "parentFolderId", str(st.folder), "isDraft", strconv.FormatBool(st.draft),
		"isRead", strconv.FormatBool(st.read), "hasAttachments", strconv.FormatBool(st.attachment),
		"bodyPreview", str(bodyPreview(get("body"))),
	}
	if !st.keepIDs || get("conversationId").String() == "" {
		pairs = append(pairs, "conversationId", str(conversationID(st.newID())))
	}
	if !st.keepIDs || get("internetMessageId").String() == "" {
		pairs = append(pairs, "internetMessageId", str(internetMessageID(st.newID(), st.owner[1])))
	}
	if id := gjson.GetBytes(body, "id").String(); id != "" {
		pairs = append(pairs, "webLink", str(messageWebLink(id)))
	}
	def := func(name, raw string) {
		if v := get(name); !v.Exists() || v.Type == gjson.Null {
			pairs = append(pairs, name, raw)
		}
	}
	def("categories", "[]")
	def("body", `{"contentType":"text","content":""}`)
	def("importance", str("normal"))
	def("inferenceClassification", str("focused"))
	def("isDeliveryReceiptRequested", "false")
	def("isReadReceiptRequested", "false")
	def("flag", `{"flagStatus":"notFlagged"}`)
	for _, p := range [...]string{"toRecipients", "ccRecipients", "bccRecipients", "replyTo"} {
		def(p, "[]")
	}
	if st.owner[1] != "" {
		who := recipientJSON(st.owner[0], st.owner[1])
		def("from", who)
		def("sender", who)
	}
	return b.set(t, body, pairs...)
}

// conversationID makes a conversation's id.
func conversationID(seed string) string {
	return "AAQk" + strings.ReplaceAll(seed, "-", "")
}

// internetMessageID makes an RFC 5322 Message-ID on the sender's domain.
func internetMessageID(seed, addr string) string {
	domain := "outlook.graph.test"
	if _, d, ok := strings.Cut(addr, "@"); ok && d != "" {
		domain = strings.ToLower(d)
	}
	return "<" + strings.ReplaceAll(seed, "-", "") + "@" + domain + ">"
}

// messageWebLink is the Outlook on the web link of a message.
func messageWebLink(id string) string {
	return "https://outlook.office365.com/owa/?ItemID=" + url.QueryEscape(id) + "&exvsurl=1&viewmodel=ReadMessageItem"
}

// recipientJSON writes a recipient.
func recipientJSON(name, addr string) string {
	if name == "" {
		name = addr
	}
	return `{"emailAddress":{"name":` + str(name) + `,"address":` + str(addr) + `}}`
}

// bodyPreview is the first 255 characters of an itemBody's content, as text.
func bodyPreview(body gjson.Result) string {
	text := body.Get("content").String()
	if strings.EqualFold(body.Get("contentType").String(), "html") {
		text = htmlToText(text)
	}
	text = strings.TrimSpace(text)
	if utf8.RuneCountInString(text) > 255 {
		r := []rune(text)
		text = string(r[:255])
	}
	return text
}

// htmlToText renders HTML as plain text, as Outlook does for bodyPreview and for
// Prefer: outlook.body-content-type="text": scripts, styles and the head dropped, tags
// removed, block ends and <br> as line breaks, entities decoded, runs of blank space
// within a line folded.
func htmlToText(s string) string {
	var sb strings.Builder
	lower := strings.ToLower(s)
	for i := 0; i < len(s); {
		if s[i] != '<' {
			j := strings.IndexByte(s[i:], '<')
			if j < 0 {
				j = len(s) - i
			}
			// Line ends in HTML source are blank space; lines come from tags.
			sb.WriteString(strings.NewReplacer("\r", " ", "\n", " ").Replace(s[i : i+j]))
			i += j
			continue
		}
		end := strings.IndexByte(s[i:], '>')
		if end < 0 {
			sb.WriteString(s[i:])
			break
		}
		closing := strings.HasPrefix(lower[i+1:], "/")
		tag := strings.TrimLeft(lower[i+1:i+end], "/")
		name := tag
		if k := strings.IndexAny(tag, " \t\r\n/"); k >= 0 {
			name = tag[:k]
		}
		i += end + 1
		switch name {
		case "script", "style", "head", "title":
			if !closing {
				if k := strings.Index(lower[i:], "</"+name); k >= 0 {
					i += k
				} else {
					i = len(s)
				}
			}
		case "br", "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table":
			sb.WriteString("\n")
		}
	}
	lines := strings.Split(html.UnescapeString(sb.String()), "\n")
	out := lines[:0]
	for _, l := range lines {
		l = strings.Join(strings.Fields(l), " ")
		if l == "" && (len(out) == 0 || out[len(out)-1] == "") {
			continue
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\r\n"))
}

// textToHTML wraps text as Outlook writes a text body asked for as HTML.
func textToHTML(s string) string {
	return "<html><head>\r\n<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">\r\n</head>\r\n<body>\r\n<div>" +
		strings.ReplaceAll(html.EscapeString(s), "\n", "<br>\r\n") + "</div>\r\n</body>\r\n</html>"
}

// messageFolder returns the user and the folder key of a folder's messages
// collection.
func messageFolder(c store.Coll) (uid, folder string, ok bool) {
	parent, key, nav, ok := c.Owner()
	if !ok || nav != messagesNav || parent.IsRoot() {
		return "", "", false
	}
	if _, _, pnav, ok := parent.Owner(); !ok || pnav != mailFoldersNav && pnav != childFoldersNav {
		return "", "", false
	}
	uid, ok = mailboxOwner(c)
	return uid, key, ok
}

// writingMessage completes a message the generic handlers store: a new one is a draft
// in its folder; an update keeps what the server set.
func (b *Behavior) writingMessage(w *EntityWrite, body []byte) ([]byte, error) {
	uid, folder, ok := messageFolder(w.Coll)
	if !ok {
		return body, nil
	}
	if w.Old != nil {
		pairs := make([]string, 0, 24)
		for _, p := range [...]string{"createdDateTime", "receivedDateTime", "sentDateTime", "changeKey", "parentFolderId",
			"conversationId", "internetMessageId", "webLink", "isDraft", "hasAttachments"} {
			if v := gjson.GetBytes(w.Old, p); v.Exists() {
				pairs = append(pairs, p, v.Raw)
			}
		}
		pairs = append(pairs, "lastModifiedDateTime", str(graphDateTime(w.Now())),
			"bodyPreview", str(bodyPreview(gjson.GetBytes(body, "body"))))
		return w.Merge(body, fieldsOf(w.Type, pairs...)), nil
	}
	name, addr := "", ""
	if u, err := w.Tx.Get(users(), uid); err == nil {
		name, addr = userAddress(u.Body)
	}
	body = b.set(w.Type, body, "toRecipients", b.namedRecipients(w.Tx, gjson.GetBytes(body, "toRecipients")),
		"ccRecipients", b.namedRecipients(w.Tx, gjson.GetBytes(body, "ccRecipients")),
		"bccRecipients", b.namedRecipients(w.Tx, gjson.GetBytes(body, "bccRecipients")))
	return b.stampMessage(w.Type, body, messageStamp{folder: folder, draft: true, read: true, now: w.Now(),
		owner: [2]string{name, addr}, newID: w.NewID}), nil
}

// namedRecipients returns a collection of recipients with each one's name filled in:
// the tenant user's display name, else the address (as Graph writes it). Anything else
// is returned as given.
func (b *Behavior) namedRecipients(v store.View, list gjson.Result) string {
	if !list.IsArray() {
		if list.Exists() {
			return list.Raw
		}
		return "[]"
	}
	out := []byte{'['}
	for i, r := range list.Array() {
		if i > 0 {
			out = append(out, ',')
		}
		addr := r.Get("emailAddress.address").String()
		name := r.Get("emailAddress.name").String()
		if addr == "" || name != "" {
			out = append(out, r.Raw...)
			continue
		}
		if u, ok := findRecipient(v, addr); ok {
			name = gjson.GetBytes(u.Body, "displayName").String()
		}
		out = append(out, recipientJSON(name, addr)...)
	}
	return string(append(out, ']'))
}

// findRecipient finds the tenant user an address delivers to: by mail,
// userPrincipalName or one of its proxyAddresses (SMTP:…), ignoring case.
func findRecipient(v store.View, addr string) (store.Entity, bool) {
	addr = strings.TrimSpace(addr)
	if addr == "" {
		return store.Entity{}, false
	}
	var hit store.Entity
	found := false
	v.Scan(users(), 0, func(e store.Entity) bool {
		r := gjson.GetManyBytes(e.Body, "mail", "userPrincipalName", "proxyAddresses")
		if strings.EqualFold(r[0].String(), addr) || strings.EqualFold(r[1].String(), addr) {
			hit, found = e, true
			return false
		}
		r[2].ForEach(func(_, p gjson.Result) bool {
			s := p.String()
			if i := strings.IndexByte(s, ':'); i >= 0 {
				s = s[i+1:]
			}
			if strings.EqualFold(s, addr) {
				hit, found = e, true
			}
			return !found
		})
		return !found
	})
	return hit, found
}
