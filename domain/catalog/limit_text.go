package catalog

// MarshalText writes a limit as it is written in catalog files ("1d4h"), so events and API
// answers carry the readable form.
func (l Limit) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// UnmarshalText reads a limit written by MarshalText. Errors: invalid.
func (l *Limit) UnmarshalText(b []byte) error {
	v, err := ParseLimit(string(b))
	if err != nil {
		return err
	}
	*l = v
	return nil
}
