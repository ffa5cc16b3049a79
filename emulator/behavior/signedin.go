package behavior

import (
	"strings"

	"github.com/graph-emulator/graph-emulator/odata"
)

// SignedInSingleton is the singleton that stands for the signed-in user: Graph's /me.
const SignedInSingleton = "me"

// SignedInUserType is the type SignedInUser's body is of.
const SignedInUserType = "microsoft.graph.user"

// SignedInUserDomain is the domain of the user principal name given to a signed-in user
// created from an id alone.
const SignedInUserDomain = "contoso.test"

// SignedInUser returns the user created for the signed-in user named by idOrUPN (--me)
// when no fixture holds it, as a JSON object for a fixture's users:
//
//   - a user principal name (it holds '@'), such as adele@contoso.test: a user with a
//     new id (from newID), that userPrincipalName and mail, the part before '@' as
//     mailNickname and displayName, accountEnabled true;
//   - an id: a user with that id, displayName "Signed-in User", mailNickname "me",
//     userPrincipalName me@contoso.test, accountEnabled true.
func SignedInUser(idOrUPN string, newID func() string) (id string, body []byte) {
	id, nick, upn, name := idOrUPN, "me", "me@"+SignedInUserDomain, "Signed-in User"
	if local, _, ok := strings.Cut(idOrUPN, "@"); ok {
		id, upn, nick, name = newID(), idOrUPN, local, local
	}
	b := []byte(`{"id":`)
	b = odata.AppendString(b, id)
	b = append(b, `,"accountEnabled":true,"displayName":`...)
	b = odata.AppendString(b, name)
	if upn == idOrUPN {
		b = append(b, `,"mail":`...)
		b = odata.AppendString(b, upn)
	}
	b = append(b, `,"mailNickname":`...)
	b = odata.AppendString(b, nick)
	b = append(b, `,"userPrincipalName":`...)
	b = odata.AppendString(b, upn)
	return id, append(b, '}')
}
