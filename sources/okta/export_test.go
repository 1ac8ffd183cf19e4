package okta

import "testing"

// FakeOrg starts the fake Okta API of the tests, serving testdata/, and
// returns its org URL and the token it accepts (for the end-to-end test,
// in package okta_test).
func FakeOrg(t *testing.T) (orgURL, token string) {
	f := newFake(t)
	return f.URL(), f.Token
}
