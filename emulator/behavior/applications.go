package behavior

import (
	"github.com/tidwall/gjson"

	"github.com/graph-emulator/graph-emulator/odata"
)

// applicationProfile is Graph's behaviour for /applications: an application's appId is
// set by the server on create, a new GUID (see application-post-applications.md), and
// kept by every update, a replace (PUT) included.
func applicationProfile() *Profile {
	return &Profile{
		OnCreate: func(c *Call, body []byte) ([]byte, error) {
			if v := gjson.GetBytes(body, "appId"); v.Type == gjson.String && v.Str != "" {
				return body, nil
			}
			return c.Set(body, "appId", string(odata.AppendString(nil, c.NewID()))), nil
		},
		OnUpdate: func(c *Call, old, body []byte) ([]byte, error) {
			was := gjson.GetBytes(old, "appId")
			if now := gjson.GetBytes(body, "appId"); was.Type != gjson.String || now.Raw == was.Raw {
				return body, nil
			}
			return c.Set(body, "appId", was.Raw), nil
		},
	}
}
