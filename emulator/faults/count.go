package faults

// counter is the gate of Rule.Count: the rule acts on the next Count requests it
// applies to, then stays listed, spent (Active false), until it is deleted.
type counter struct {
	limited   bool
	remaining int
}

func compileCount(n int, prefix string) (counter, error) {
	if n < 0 {
		return counter{}, Invalid(prefix+"count", "Want how many requests the rule acts on, 1 or more (or 0 for every one); got %d.", n)
	}
	return counter{limited: n > 0, remaining: n}, nil
}

// open reports whether the rule may still act.
func (c *counter) open() bool { return !c.limited || c.remaining > 0 }

// use counts one request the rule acted on.
func (c *counter) use() {
	if c.limited && c.remaining > 0 {
		c.remaining--
	}
}
