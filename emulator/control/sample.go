package control

import _ "embed"

//go:embed sampledata/tenant.json
var sampleData string

// SampleData returns the sample tenant --sample-data loads, a fixture: five users of
// Contoso with a manager chain (Megan Bowen, the CEO; Miriam Graham and Lee Gu report to
// her; Adele Vance and Alex Wilber to Miriam), three groups with members and owners
// (a Microsoft 365 group, a security group, and one that holds a group), an application
// with its service principal, the organization, and mail and events for Adele Vance, the
// signed-in user (SampleSignedInUser). Each call returns a new copy.
func SampleData() []byte { return []byte(sampleData) }

// SampleSignedInUser is the id of the sample tenant's signed-in user, Adele Vance
// (adele@contoso.test), whom /me stands for with --sample-data unless --me names another.
const SampleSignedInUser = "87d349ed-44d7-43e1-9a83-5f2406dee5bd"
