package web

// PageNames lists every page template, for tests that render each one.
func PageNames() ([]string, error) {
	p, err := parsePages()
	if err != nil {
		return nil, err
	}
	return p.names(), nil
}
