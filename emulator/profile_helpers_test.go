package emulator_test

import (
	"fmt"
	"strings"
)

// userJSON is the body of a user Graph creates (with the required properties), named
// name, with the members more (`"jobTitle":"Lead"`) added.
func userJSON(name string, more ...string) string {
	nick := strings.ToLower(strings.NewReplacer(" ", "", ".", "").Replace(name))
	b := fmt.Sprintf(`{"accountEnabled":true,"displayName":%q,"mailNickname":%q,"userPrincipalName":"%s@contoso.test","passwordProfile":{"password":"x-Y-z-123!aB"}`, name, nick, nick)
	for _, m := range more {
		b += "," + m
	}
	return b + "}"
}

// groupJSON is the body of a security group Graph creates, named name, with the members
// more added.
func groupJSON(name string, more ...string) string {
	nick := strings.ToLower(strings.NewReplacer(" ", "", ".", "").Replace(name))
	b := fmt.Sprintf(`{"displayName":%q,"mailEnabled":false,"mailNickname":%q,"securityEnabled":true`, name, nick)
	for _, m := range more {
		b += "," + m
	}
	return b + "}"
}
