package behavior

import (
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator/store"
)

// The outbox: mail the emulator would have sent out of the tenant. Every send (sendMail,
// send, reply, replyAll, forward; an event forwarded) whose recipients include
// addresses that are no tenant user's leaves one entry here, in the tenant's state:
//
//	{"id", "kind": "message" | "event", "from": sender address, "to": [the outside
//	 recipients], "sentDateTime", "internetMessageId", "subject", "message": the message
//	 (or event) as sent}
//
// Tests read it with GET /_emulator/mail (optionally ?to=address) and empty it with
// DELETE /_emulator/mail; a reset empties it too.

// outboxColl is where a tenant's outbox is kept.
func outboxColl() store.Coll { return store.Set("$emulator.outbox") }

// toOutbox records a message (or event) sent to addresses outside the tenant.
func (b *Behavior) toOutbox(tx store.Tx, id, from string, to []string, kind string, message []byte, now time.Time) error {
	list := []byte{'['}
	for i, a := range to {
		if i > 0 {
			list = append(list, ',')
		}
		list = append(list, str(a)...)
	}
	list = append(list, ']')
	subject := memberString(message, "subject")
	imid := memberString(message, "internetMessageId")
	if imid == "" {
		imid = memberString(message, "iCalUId")
	}
	body := credentialObject([2]string{"id", str(id)}, [2]string{"kind", str(kind)}, [2]string{"from", str(from)},
		[2]string{"to", string(list)}, [2]string{"sentDateTime", str(graphDateTime(now))},
		[2]string{"internetMessageId", str(imid)}, [2]string{"subject", str(subject)}, [2]string{"message", string(message)})
	_, err := tx.Insert(outboxColl(), store.Entity{ID: id, Type: "emulator.outboxEntry", Body: body})
	return err
}

// Outbox writes the tenant's outbox, oldest first, as {"value":[entries]}: all of it,
// or the entries sent to the address to (ignoring case) when to is not empty.
func (b *Behavior) Outbox(v store.View, to string) []byte {
	out := []byte(`{"value":[`)
	n := 0
	v.Scan(outboxColl(), 0, func(e store.Entity) bool {
		if to == "" || outboxHas(e.Body, to) {
			if n > 0 {
				out = append(out, ',')
			}
			out = append(out, e.Body...)
			n++
		}
		return true
	})
	return append(out, "]}"...)
}

func outboxHas(body []byte, to string) bool {
	for _, a := range memberStrings(body, "to") {
		if strings.EqualFold(a, to) {
			return true
		}
	}
	return false
}

// ClearOutbox empties the tenant's outbox and reports how many entries it held.
func (b *Behavior) ClearOutbox(tx store.Tx) (int, error) {
	var ids []string
	tx.Scan(outboxColl(), 0, func(e store.Entity) bool { ids = append(ids, e.ID); return true })
	for _, id := range ids {
		if err := tx.Delete(outboxColl(), id); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}

// jsonString reads a string member of a JSON object ("" when absent).
func memberString(body []byte, name string) string { return gjson.GetBytes(body, name).String() }

// jsonStrings reads a collection of strings of a JSON object.
func memberStrings(body []byte, name string) []string {
	var out []string
	gjson.GetBytes(body, name).ForEach(func(_, v gjson.Result) bool {
		out = append(out, v.String())
		return true
	})
	return out
}
