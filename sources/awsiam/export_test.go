package awsiam

import "testing"

// What the end-to-end test (package awsiam_test, which goes through
// internal/app and so cannot live in package awsiam) needs of the fake.

// Fake is the loopback IAM and STS of the tests.
type Fake = fakeAWS

// NewStandardFake starts the fake with its standard two accounts.
func NewStandardFake(t *testing.T) *Fake { return newFake(t).standard() }

// URL is the fake's base URL (the source's endpoint_url).
func (f *fakeAWS) URL() string { return f.srv.URL }

// Deny makes the fake refuse an IAM action with AccessDenied.
func (f *fakeAWS) Deny(action string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.deny[action] = true
}

// Isolate keeps the SDK away from the machine's AWS config, credentials and
// instance metadata, with static test credentials.
func Isolate(t *testing.T) { isolate(t) }
