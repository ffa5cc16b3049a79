package behavior

import (
	"context"
	"html"
	"net/http"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/entities"
	"github.com/graph-emulator/graph-emulator/odata"
)

// Replies and forwards of a message (message-reply.md, message-createreply.md, …):
//
//	reply, replyAll, forward              {"comment","message",("toRecipients")} → 202, sent at once (sendmail.go)
//	createReply, createReplyAll, createForward                                 → 201 with a draft in Drafts
//
// A reply goes to the original's replyTo, else its sender; a reply to all also to its
// other recipients (to, cc), never to the one replying. The subject is the original's
// with "RE: " or "FW: ", the body the comment above the original (HTML, with the From,
// Sent, To and Subject lines), the conversation the original's. Properties given in
// "message" replace the composed ones; giving both a comment and message.body is
// Graph's 400. A forward takes the original's attachments along.

type composeKind uint8

const (
	composeReply composeKind = iota
	composeReplyAll
	composeForward
)

func registerReplies(b *Behavior) {
	b.bindOp(graphNamespace+".reply", messageType, b.sendComposed(composeReply))
	b.bindOp(graphNamespace+".replyAll", messageType, b.sendComposed(composeReplyAll))
	b.bindOp(graphNamespace+".forward", messageType, b.sendComposed(composeForward))
	b.bindOp(graphNamespace+".createReply", messageType, b.draftComposed(composeReply))
	b.bindOp(graphNamespace+".createReplyAll", messageType, b.draftComposed(composeReplyAll))
	b.bindOp(graphNamespace+".createForward", messageType, b.draftComposed(composeForward))
}

// composed is a reply or forward made from a message.
type composed struct {
	uid  string
	t    *entities.StructuredType
	body []byte
	atts []attachmentSource
}

// compose makes the reply or forward of the message the call is bound to.
func (b *Behavior) compose(c *OpCall, kind composeKind) (*composed, error) {
	if c.Tx == nil || c.Binding.ID == "" {
		return nil, odata.ErrInternal()
	}
	uid, ok := mailboxOwner(c.BindingColl)
	if !ok {
		return nil, errOutlookNotFound()
	}
	me, err := c.Tx.Get(users(), uid)
	if err != nil {
		return nil, errOutlookNotFound()
	}
	orig := c.Binding.Body
	t := c.Schema.EntityType(messageType)
	comment := c.Args.String("Comment")
	arg := c.Args.Get("Message")
	if comment != "" && arg.Get("body").Exists() {
		return nil, &odata.Error{Status: http.StatusBadRequest, Code: "ErrorInvalidRequest",
			Message: "Your request can't be completed. Specify either a comment or the body of the message, not both."}
	}
	mine := userAddresses(me.Body)
	var to, cc []gjson.Result
	switch kind {
	case composeReply, composeReplyAll:
		to = gjson.GetBytes(orig, "replyTo").Array()
		if len(to) == 0 {
			if f := gjson.GetBytes(orig, "from"); f.IsObject() {
				to = []gjson.Result{f}
			}
		}
		if kind == composeReplyAll {
			to = append(to, gjson.GetBytes(orig, "toRecipients").Array()...)
			cc = gjson.GetBytes(orig, "ccRecipients").Array()
		}
	case composeForward:
		to = c.Args.Get("ToRecipients").Array()
	}
	prefix := "RE: "
	if kind == composeForward {
		prefix = "FW: "
	}
	subject := gjson.GetBytes(orig, "subject").String()
	if !strings.HasPrefix(strings.ToUpper(subject), strings.TrimSpace(prefix)) {
		subject = prefix + subject
	}
	pairs := []string{"subject", str(subject), "toRecipients", recipientList(to, mine), "ccRecipients", recipientList(cc, mine),
		"body", `{"contentType":"html","content":` + str(quoted(comment, orig)) + `}`,
		"conversationId", rawOr(gjson.GetBytes(orig, "conversationId"), "null")}
	body := b.set(t, keyBody(""), pairs...)
	var atts []attachmentSource
	if kind == composeForward {
		atts = storedAttachments(c.Tx, c.BindingColl, c.Binding.ID)
	}
	if arg.IsObject() {
		given, more, err := b.splitAttachments(c.Schema, t, []byte(arg.Raw), c.NewID, c.Now())
		if err != nil {
			return nil, err
		}
		var fields []entities.Field
		gjson.ParseBytes(given).ForEach(func(k, v gjson.Result) bool {
			_, i := t.Property(k.Str)
			fields = append(fields, entities.Field{Name: k.Str, Raw: v.Raw, Index: i})
			return true
		})
		sortFields(fields)
		body = b.merge(t, body, fields)
		atts = append(atts, more...)
	}
	return &composed{uid: uid, t: t, body: body, atts: atts}, nil
}

// recipientList writes recipients, each once, leaving out the addresses mine.
func recipientList(list []gjson.Result, mine []string) string {
	out := []byte{'['}
	seen := map[string]bool{}
	for _, r := range list {
		addr := strings.ToLower(r.Get("emailAddress.address").String())
		if addr == "" || seen[addr] || hasAddress(mine, addr) {
			continue
		}
		seen[addr] = true
		if len(out) > 1 {
			out = append(out, ',')
		}
		out = append(out, r.Raw...)
	}
	return string(append(out, ']'))
}

// quoted writes the body of a reply or forward: the comment, then the original with
// its header lines.
func quoted(comment string, orig []byte) string {
	r := gjson.GetManyBytes(orig, "from.emailAddress.name", "from.emailAddress.address", "sentDateTime", "subject",
		"body.contentType", "body.content", "toRecipients")
	var to []string
	r[6].ForEach(func(_, x gjson.Result) bool {
		to = append(to, html.EscapeString(x.Get("emailAddress.name").String()))
		return true
	})
	inner := r[5].String()
	if strings.EqualFold(r[4].String(), "html") {
		lower := strings.ToLower(inner)
		if i := strings.Index(lower, "<body"); i >= 0 {
			if j := strings.IndexByte(lower[i:], '>'); j >= 0 {
				inner = inner[i+j+1:]
				if k := strings.Index(strings.ToLower(inner), "</body>"); k >= 0 {
					inner = inner[:k]
				}
			}
		}
	} else {
		inner = strings.ReplaceAll(html.EscapeString(inner), "\n", "<br>")
	}
	var sb strings.Builder
	sb.WriteString("<html><head>\r\n<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">\r\n</head>\r\n<body>\r\n")
	sb.WriteString("<div>" + strings.ReplaceAll(html.EscapeString(comment), "\n", "<br>") + "</div>\r\n")
	sb.WriteString("<hr style=\"display:inline-block;width:98%\" tabindex=\"-1\">\r\n<div id=\"divRplyFwdMsg\" dir=\"ltr\">")
	sb.WriteString("<b>From:</b> " + html.EscapeString(r[0].String()) + " &lt;" + html.EscapeString(r[1].String()) + "&gt;<br>\r\n")
	sb.WriteString("<b>Sent:</b> " + html.EscapeString(r[2].String()) + "<br>\r\n")
	sb.WriteString("<b>To:</b> " + strings.Join(to, "; ") + "<br>\r\n")
	sb.WriteString("<b>Subject:</b> " + html.EscapeString(r[3].String()) + "</div>\r\n<div>" + inner + "</div>\r\n</body>\r\n</html>")
	return sb.String()
}

// sendComposed answers reply, replyAll and forward: the composed message is sent.
func (b *Behavior) sendComposed(kind composeKind) Operation {
	return func(_ context.Context, c *OpCall) (*OpResult, error) {
		m, err := b.compose(c, kind)
		if err != nil {
			return nil, err
		}
		o := &outgoing{schema: c.Schema, t: m.t, tx: c.Tx, uid: m.uid, body: m.body, atts: m.atts, save: true,
			now: c.Now(), newID: c.NewID}
		if err := b.submit(o); err != nil {
			return nil, err
		}
		return acceptedResult()
	}
}

// draftComposed answers createReply, createReplyAll and createForward: the composed
// message is a draft in Drafts.
func (b *Behavior) draftComposed(kind composeKind) Operation {
	return func(_ context.Context, c *OpCall) (*OpResult, error) {
		m, err := b.compose(c, kind)
		if err != nil {
			return nil, err
		}
		if err := b.ensureMailbox(c.Schema, c.Tx, m.uid, c.NewID); err != nil {
			return nil, err
		}
		me, _ := c.Tx.Get(users(), m.uid)
		name, addr := userAddress(me.Body)
		id := c.NewID()
		coll := folderMessages(m.uid, draftsFolder)
		body := withID(m.body, id)
		body = b.stampMessage(m.t, body, messageStamp{folder: folderID(m.uid, draftsFolder), draft: true, read: true,
			now: c.Now(), owner: [2]string{name, addr}, keepIDs: true, newID: c.NewID, attachment: hasFileAttachments(m.atts)})
		e, err := c.Tx.Insert(coll, store.Entity{ID: id, Type: m.t.QualifiedName(), Body: body})
		if err != nil {
			return nil, err
		}
		if err := copyAttachments(c.Schema, c.Tx, m.atts, coll.Contained(id, attachmentsNav), c.NewID); err != nil {
			return nil, err
		}
		return &OpResult{Status: http.StatusCreated, Entity: &e, EntitySet: "users('" + urlKey(m.uid) + "')/messages",
			EntityColl: coll}, nil
	}
}
