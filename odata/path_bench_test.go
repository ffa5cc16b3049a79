package odata_test

import (
	"testing"

	"github.com/graph-emulator/graph-emulator/odata"
)

// BenchmarkParsePath resolves typical paths: exact names, keys, and (Folded) names in
// another case.
func BenchmarkParsePath(b *testing.B) {
	s := newGraphLikeSchema(b)
	for _, bc := range []struct{ name, escaped string }{
		{"Set", "users"},
		{"Key", "users/6c9949b7-49b7-6c99-b749-996cb749996c"},
		{"UPN", "users/ada.lovelace@contoso.com"},
		{"Navigation", "users/u1/mailFolders/inbox/messages"},
		{"Folded", "Users/u1/MailFolders/Inbox/Messages"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := odata.ParsePath(s, bc.escaped); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
