package compat_test

import (
	"strings"

	"github.com/microsoftgraph/msgraph-sdk-go/models"
)

// newUser is a user Graph creates: the properties it requires (accountEnabled,
// displayName, mailNickname, passwordProfile, userPrincipalName), named after name.
func newUser(name string) models.Userable {
	nick := strings.ToLower(strings.ReplaceAll(name, " ", ""))
	u := models.NewUser()
	u.SetAccountEnabled(ptr(true))
	u.SetDisplayName(ptr(name))
	u.SetMailNickname(ptr(nick))
	u.SetUserPrincipalName(ptr(nick + "@contoso.test"))
	password := models.NewPasswordProfile()
	password.SetPassword(ptr("x-Y-z-123!aB"))
	u.SetPasswordProfile(password)
	return u
}
