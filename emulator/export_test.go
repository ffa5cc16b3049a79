package emulator

// WithoutProfileData serves without Graph's per-type profile data (see
// behavior.Config.NoProfileData): the benchmarks measure what the profiles cost beside
// it.
func WithoutProfileData() Option {
	return func(c *config) error {
		c.noProfileData = true
		return nil
	}
}
