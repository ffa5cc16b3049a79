package behavior

import (
	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/odata"
)

// applicationProfile is Graph's behaviour for /applications: an application's appId is
// set by the server on create, a new GUID (see application-post-applications.md).
func applicationProfile() *Profile {
	return &Profile{
		OnCreate: func(c *Call, body []byte) ([]byte, error) {
			if v := gjson.GetBytes(body, "appId"); v.Type == gjson.String && v.Str != "" {
				return body, nil
			}
			return c.Set(body, "appId", string(odata.AppendString(nil, c.NewID()))), nil
		},
	}
}
