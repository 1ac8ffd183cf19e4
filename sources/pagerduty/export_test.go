package pagerduty

// Exported for the end-to-end test (package pagerduty_test).
type (
	FakeIncident = fakeIncident
	FakeAlert    = fakeAlert
)

// NewFake starts the loopback PagerDuty API (see fakePD).
var NewFake = newFake
