package emulator_test

import (
	"crypto/rand"
	"fmt"
	"strings"

	"github.com/tidwall/gjson"
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

// requiredUser adds to a user's JSON body the properties Graph requires on create (a
// unique mailNickname and userPrincipalName, accountEnabled, a password, and a
// displayName when the body has none), so that tests about other things can post it.
func requiredUser(body string) string {
	tok := strings.ToLower(rand.Text()[:12])
	extra := `"accountEnabled":true,"mailNickname":"m` + tok + `","userPrincipalName":"u` + tok +
		`@contoso.test","passwordProfile":{"password":"x-Y-z-123!aB"}`
	if !gjson.Get(body, "displayName").Exists() {
		extra += `,"displayName":"d` + tok + `"`
	}
	rest := strings.TrimPrefix(strings.TrimSpace(body), "{")
	if strings.TrimSpace(rest) == "}" {
		return "{" + extra + "}"
	}
	return "{" + extra + "," + rest
}
