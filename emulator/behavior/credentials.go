package behavior

import (
	"context"
	"crypto/sha1" //nolint:gosec // a certificate's thumbprint is its SHA-1 digest
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"net/http"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/emulator/store"
	"github.com/graph-emulator/graph-emulator/odata"
)

// The credential actions of applications and service principals:
//
//	addPassword    {"passwordCredential":{displayName, startDateTime, endDateTime}}
//	               → 200 with a new passwordCredential: keyId (a new GUID), secretText
//	               (generated, 40 characters, in this answer only), hint (its first 3
//	               characters), startDateTime (default now, from the server's clock),
//	               endDateTime (default start + 2 years). The credential is added to the
//	               object's passwordCredentials without its secretText.
//	removePassword {"keyId":…} → 204; an unknown keyId is Graph's 400.
//	addKey         {"keyCredential":{type, usage, key, …}, "passwordCredential", "proof"}
//	               → 200 with the new keyCredential, added to keyCredentials. type and
//	               usage must be AsymmetricX509Cert/Verify or X509CertAndPassword/Sign
//	               (the latter with passwordCredential.secretText). The proof of
//	               possession is required but not verified. A key that is a DER X.509
//	               certificate gives the dates and the customKeyIdentifier (its SHA-1
//	               thumbprint); another is accepted with the dates given, or now and a
//	               year. The key itself is not kept (Graph returns it only on $select).
//	removeKey      {"keyId":…, "proof":…} → 204; the proof is not verified.

func registerCredentials(b *Behavior) {
	b.operations[graphNamespace+".addPassword"] = addPassword
	b.operations[graphNamespace+".removePassword"] = removePassword
	b.operations[graphNamespace+".addKey"] = addKey
	b.operations[graphNamespace+".removeKey"] = removeKey
}

// graphTime formats a time as Graph writes credential dates.
func graphTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.9999999Z") }

// credentialTime reads an optional DateTimeOffset member of a credential parameter:
// def when absent or null.
func credentialTime(v gjson.Result, member, resource string, def time.Time) (time.Time, error) {
	m := v.Get(member)
	if !m.Exists() || m.Type == gjson.Null {
		return def, nil
	}
	t, err := time.Parse(time.RFC3339Nano, m.String())
	if err != nil {
		return time.Time{}, invalidCredential(member, resource)
	}
	return t, nil
}

func invalidCredential(prop, resource string) error {
	return &odata.Error{Status: http.StatusBadRequest, Code: "Request_BadRequest",
		Message: "Invalid value specified for property '" + prop + "' of resource '" + resource + "'.",
		Details: []odata.ErrorDetail{{Code: "InvalidValue", Target: prop}}}
}

// rawOrNull returns a member's JSON value, or null.
func rawOrNull(v gjson.Result, member string) string {
	if m := v.Get(member); m.Exists() {
		return m.Raw
	}
	return "null"
}

// newSecret makes a client secret of 40 characters in the shape Graph's have (three
// characters, "8Q~", then 34), from a new id: with the server's injected id generator
// the secrets of a test run are reproducible.
func newSecret(newID func() string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~"
	sum := sha256.Sum256([]byte("secret:" + newID()))
	var sb strings.Builder
	for i := 0; sb.Len() < 40; i++ {
		if sb.Len() == 3 {
			sb.WriteString("8Q~")
		}
		sb.WriteByte(alphabet[int(sum[i%len(sum)]+byte(i/len(sum)))%len(alphabet)])
	}
	return sb.String()
}

// credentialObject writes a JSON object of members given in order.
func credentialObject(members ...[2]string) []byte {
	b := []byte{'{'}
	for i, m := range members {
		if i > 0 {
			b = append(b, ',')
		}
		b = odata.AppendString(b, m[0])
		b = append(b, ':')
		b = append(b, m[1]...)
	}
	return append(b, '}')
}

func str(s string) string { return string(odata.AppendString(nil, s)) }

func addPassword(_ context.Context, c *OpCall) (*OpResult, error) {
	if c.Tx == nil || c.Binding.ID == "" || c.Set == nil {
		return nil, odata.ErrInternal()
	}
	pc := c.Args.Get("passwordCredential")
	start, err := credentialTime(pc, "startDateTime", "PasswordCredential", c.Now())
	if err != nil {
		return nil, err
	}
	end, err := credentialTime(pc, "endDateTime", "PasswordCredential", start.AddDate(2, 0, 0))
	if err != nil {
		return nil, err
	}
	if !end.After(start) {
		return nil, invalidCredential("endDateTime", "PasswordCredential")
	}
	keyID := c.NewID()
	secret := newSecret(c.NewID)
	cred := func(secretText string) []byte {
		return credentialObject(
			[2]string{"customKeyIdentifier", rawOrNull(pc, "customKeyIdentifier")},
			[2]string{"displayName", rawOrNull(pc, "displayName")},
			[2]string{"endDateTime", str(graphTime(end))},
			[2]string{"hint", str(secret[:3])},
			[2]string{"keyId", str(keyID)},
			[2]string{"secretText", secretText},
			[2]string{"startDateTime", str(graphTime(start))},
		)
	}
	if err := appendCredential(c, passwordCredsProp, cred("null")); err != nil {
		return nil, err
	}
	ctx := odata.MetadataURL(c.Base, c.Version) + "#microsoft.graph.passwordCredential"
	return &OpResult{Status: http.StatusOK, Body: odata.AppendEntity(nil, ctx, "", cred(str(secret)))}, nil
}

func removePassword(_ context.Context, c *OpCall) (*OpResult, error) {
	return removeCredential(c, passwordCredsProp, "No password credential found with keyId ")
}

func addKey(_ context.Context, c *OpCall) (*OpResult, error) {
	if c.Tx == nil || c.Binding.ID == "" || c.Set == nil {
		return nil, odata.ErrInternal()
	}
	kc := c.Args.Get("keyCredential")
	typ, usage := kc.Get("type").String(), kc.Get("usage").String()
	switch {
	case strings.EqualFold(typ, "AsymmetricX509Cert") && strings.EqualFold(usage, "Verify"):
		typ, usage = "AsymmetricX509Cert", "Verify"
	case strings.EqualFold(typ, "X509CertAndPassword") && strings.EqualFold(usage, "Sign"):
		typ, usage = "X509CertAndPassword", "Sign"
		if c.Args.Get("passwordCredential").Get("secretText").String() == "" {
			return nil, invalidCredential("secretText", "PasswordCredential")
		}
	case !strings.EqualFold(typ, "AsymmetricX509Cert") && !strings.EqualFold(typ, "X509CertAndPassword"):
		return nil, invalidCredential("type", "KeyCredential")
	default:
		return nil, invalidCredential("usage", "KeyCredential")
	}
	key := kc.Get("key").String()
	if key == "" {
		return nil, invalidCredential("key", "KeyCredential")
	}
	now := c.Now()
	start, err := credentialTime(kc, "startDateTime", "KeyCredential", now)
	if err != nil {
		return nil, err
	}
	end, err := credentialTime(kc, "endDateTime", "KeyCredential", start.AddDate(1, 0, 0))
	if err != nil {
		return nil, err
	}
	custom := rawOrNull(kc, "customKeyIdentifier")
	if der, err := base64.StdEncoding.DecodeString(key); err == nil {
		if cert, err := x509.ParseCertificate(der); err == nil {
			start, end = cert.NotBefore, cert.NotAfter
			thumb := sha1.Sum(cert.Raw) //nolint:gosec // a thumbprint, not a signature
			custom = str(base64.StdEncoding.EncodeToString(thumb[:]))
		}
	}
	cred := credentialObject(
		[2]string{"customKeyIdentifier", custom},
		[2]string{"displayName", rawOrNull(kc, "displayName")},
		[2]string{"endDateTime", str(graphTime(end))},
		[2]string{"key", "null"},
		[2]string{"keyId", str(c.NewID())},
		[2]string{"startDateTime", str(graphTime(start))},
		[2]string{"type", str(typ)},
		[2]string{"usage", str(usage)},
	)
	if err := appendCredential(c, keyCredsProp, cred); err != nil {
		return nil, err
	}
	ctx := odata.MetadataURL(c.Base, c.Version) + "#microsoft.graph.keyCredential"
	return &OpResult{Status: http.StatusOK, Body: odata.AppendEntity(nil, ctx, "", cred)}, nil
}

func removeKey(_ context.Context, c *OpCall) (*OpResult, error) {
	return removeCredential(c, keyCredsProp, "No key credential found with keyId ")
}

// appendCredential adds cred to the bound entity's collection property prop.
func appendCredential(c *OpCall, prop string, cred []byte) error {
	body := c.Binding.Body
	cur := gjson.GetBytes(body, prop)
	var list []byte
	if cur.IsArray() {
		items := cur.Array()
		list = append(list, '[')
		for _, it := range items {
			list = append(list, it.Raw...)
			list = append(list, ',')
		}
		list = append(append(list, cred...), ']')
	} else {
		list = append(append([]byte{'['}, cred...), ']')
	}
	return replaceBinding(c, prop, c.Set(body, prop, string(list)))
}

// removeCredential removes from the bound entity's collection property prop the
// credential whose keyId is the parameter keyId, or answers Graph's 400 (notFound
// followed by the key id).
func removeCredential(c *OpCall, prop, notFound string) (*OpResult, error) {
	if c.Tx == nil || c.Binding.ID == "" || c.Set == nil {
		return nil, odata.ErrInternal()
	}
	keyID := c.Args.String("keyId")
	list := []byte{'['}
	found := false
	for _, it := range gjson.GetBytes(c.Binding.Body, prop).Array() {
		if !found && strings.EqualFold(it.Get("keyId").String(), keyID) {
			found = true
			continue
		}
		if len(list) > 1 {
			list = append(list, ',')
		}
		list = append(list, it.Raw...)
	}
	if !found {
		return nil, &odata.Error{Status: http.StatusBadRequest, Code: "Request_BadRequest", Message: notFound + keyID + "."}
	}
	list = append(list, ']')
	if err := replaceBinding(c, prop, c.Set(c.Binding.Body, prop, string(list))); err != nil {
		return nil, err
	}
	return &OpResult{Status: http.StatusNoContent}, nil
}

// replaceBinding stores the bound entity with a new body (prop changed).
func replaceBinding(c *OpCall, prop string, body []byte) error {
	e := c.Binding
	_, err := c.Tx.Replace(c.BindingColl, store.Entity{ID: e.ID, Type: e.Type, Body: body}, []string{prop})
	return err
}
