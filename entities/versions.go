package entities

// Versions returns the Graph API versions the emulator serves, in the order they are
// listed: the one list every package reads.
func Versions() []string { return []string{"v1.0", "beta"} }

// IsVersion reports whether v is one of Versions.
func IsVersion(v string) bool {
	for _, x := range Versions() {
		if x == v {
			return true
		}
	}
	return false
}
