package compat_test

import (
	absser "github.com/microsoft/kiota-abstractions-go/serialization"
)

// userCounts is office365ServicesUserCounts as a Kiota model, written the way Kiota
// generates models (the v1.0 SDK has none for this type; the beta SDK's
// models.Office365ServicesUserCounts has the same fields). Nil fields are not sent, so a
// userCounts with one field set is a PATCH of that field.
type userCounts struct {
	odataType                *string
	id                       *string
	reportRefreshDate        *absser.DateOnly
	exchangeActive           *int64
	exchangeInactive         *int64
	oneDriveActive           *int64
	oneDriveInactive         *int64
	sharePointActive         *int64
	sharePointInactive       *int64
	skypeForBusinessActive   *int64
	skypeForBusinessInactive *int64
	yammerActive             *int64
	yammerInactive           *int64
	teamsActive              *int64
	teamsInactive            *int64
	office365Active          *int64
	office365Inactive        *int64
	reportPeriod             *string
	additionalData           map[string]any
}

var (
	_ absser.Parsable             = (*userCounts)(nil)
	_ absser.AdditionalDataHolder = (*userCounts)(nil)
	_ absser.Parsable             = (*userCountsCollection)(nil)
)

// createUserCounts is the ParsableFactory the request adapter calls for a response body.
func createUserCounts(absser.ParseNode) (absser.Parsable, error) {
	return &userCounts{additionalData: map[string]any{}}, nil
}

// int64Fields lists the Int64 properties in schema order with their field pointers, so
// that (de)serialisation and comparisons stay in one place.
func (m *userCounts) int64Fields() []struct {
	name string
	ptr  **int64
} {
	return []struct {
		name string
		ptr  **int64
	}{
		{"exchangeActive", &m.exchangeActive},
		{"exchangeInactive", &m.exchangeInactive},
		{"oneDriveActive", &m.oneDriveActive},
		{"oneDriveInactive", &m.oneDriveInactive},
		{"sharePointActive", &m.sharePointActive},
		{"sharePointInactive", &m.sharePointInactive},
		{"skypeForBusinessActive", &m.skypeForBusinessActive},
		{"skypeForBusinessInactive", &m.skypeForBusinessInactive},
		{"yammerActive", &m.yammerActive},
		{"yammerInactive", &m.yammerInactive},
		{"teamsActive", &m.teamsActive},
		{"teamsInactive", &m.teamsInactive},
		{"office365Active", &m.office365Active},
		{"office365Inactive", &m.office365Inactive},
	}
}

// GetFieldDeserializers implements absser.Parsable.
func (m *userCounts) GetFieldDeserializers() map[string]func(absser.ParseNode) error {
	res := map[string]func(absser.ParseNode) error{
		"@odata.type": func(n absser.ParseNode) error {
			v, err := n.GetStringValue()
			m.odataType = v
			return err
		},
		"id": func(n absser.ParseNode) error {
			v, err := n.GetStringValue()
			m.id = v
			return err
		},
		"reportRefreshDate": func(n absser.ParseNode) error {
			v, err := n.GetDateOnlyValue()
			m.reportRefreshDate = v
			return err
		},
		"reportPeriod": func(n absser.ParseNode) error {
			v, err := n.GetStringValue()
			m.reportPeriod = v
			return err
		},
	}
	for _, f := range m.int64Fields() {
		ptr := f.ptr
		res[f.name] = func(n absser.ParseNode) error {
			v, err := n.GetInt64Value()
			*ptr = v
			return err
		}
	}
	return res
}

// Serialize implements absser.Parsable.
func (m *userCounts) Serialize(w absser.SerializationWriter) error {
	if err := w.WriteStringValue("@odata.type", m.odataType); err != nil {
		return err
	}
	if err := w.WriteStringValue("id", m.id); err != nil {
		return err
	}
	if err := w.WriteDateOnlyValue("reportRefreshDate", m.reportRefreshDate); err != nil {
		return err
	}
	for _, f := range m.int64Fields() {
		if err := w.WriteInt64Value(f.name, *f.ptr); err != nil {
			return err
		}
	}
	if err := w.WriteStringValue("reportPeriod", m.reportPeriod); err != nil {
		return err
	}
	return w.WriteAdditionalData(m.additionalData)
}

// GetAdditionalData implements absser.AdditionalDataHolder: the keys the model does not
// declare (the response's @odata.context, or a property sent on purpose).
func (m *userCounts) GetAdditionalData() map[string]any { return m.additionalData }

// SetAdditionalData implements absser.AdditionalDataHolder.
func (m *userCounts) SetAdditionalData(v map[string]any) { m.additionalData = v }

// userCountsCollection is the collection response: {"@odata.context":...,
// "@odata.nextLink":..., "value":[...]}. GetValue and GetOdataNextLink are what
// msgraph-sdk-go-core's PageIterator reads from each page, as from the generated
// ...CollectionResponse types.
type userCountsCollection struct {
	context  *string
	value    []*userCounts
	nextLink *string
}

func createUserCountsCollection(absser.ParseNode) (absser.Parsable, error) {
	return &userCountsCollection{}, nil
}

// GetValue returns the page's entities.
func (c *userCountsCollection) GetValue() []*userCounts { return c.value }

// GetOdataNextLink returns the page's @odata.nextLink, nil on the last page.
func (c *userCountsCollection) GetOdataNextLink() *string { return c.nextLink }

// GetFieldDeserializers implements absser.Parsable.
func (c *userCountsCollection) GetFieldDeserializers() map[string]func(absser.ParseNode) error {
	return map[string]func(absser.ParseNode) error{
		"value": func(n absser.ParseNode) error {
			vs, err := n.GetCollectionOfObjectValues(createUserCounts)
			if err != nil {
				return err
			}
			c.value = make([]*userCounts, len(vs))
			for i, v := range vs {
				c.value[i] = v.(*userCounts)
			}
			return nil
		},
		"@odata.context": func(n absser.ParseNode) error {
			v, err := n.GetStringValue()
			c.context = v
			return err
		},
		"@odata.nextLink": func(n absser.ParseNode) error {
			v, err := n.GetStringValue()
			c.nextLink = v
			return err
		},
	}
}

// Serialize implements absser.Parsable.
func (c *userCountsCollection) Serialize(w absser.SerializationWriter) error {
	vs := make([]absser.Parsable, len(c.value))
	for i, v := range c.value {
		vs[i] = v
	}
	return w.WriteCollectionOfObjectValues("value", vs)
}
