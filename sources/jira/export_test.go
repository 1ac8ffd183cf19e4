package jira

import "testing"

// What the end-to-end test (package jira_test, which goes through
// internal/app and so cannot live in package jira) needs of the fake.

// Fake is the loopback Jira of the tests.
type Fake = fake

// NewFake starts a loopback Jira for t.
func NewFake(t *testing.T) *Fake { return newFake(t) }

// SetCloudPage sets the Cloud search page served for nextPageToken token
// ("" is the first page).
func (f *fake) SetCloudPage(token, body string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.cloud[token] = body
}

// FailFirst answers the next request with status and body before any page.
func (f *fake) FailFirst(status int, body string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.before = append(f.before, reply{status: status, body: body})
}

// The credentials the fake accepts.
const (
	TestEmail = testEmail
	TestToken = testToken
)
