package okta

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A user who can still sign in is active; the others are not.
func TestAccountStatus(t *testing.T) {
	for okta, want := range map[string]string{
		"ACTIVE":           "active",
		"PASSWORD_EXPIRED": "active",
		"LOCKED_OUT":       "active",
		"RECOVERY":         "active",
		"PROVISIONED":      "active",
		"STAGED":           "staged",
		"SUSPENDED":        "suspended",
		"DEPROVISIONED":    "deprovisioned",
		"ACTIVATING":       "activating",
		"":                 "unknown",
		" active ":         "active",
	} {
		assert.Equal(t, want, accountStatus(okta), okta)
	}
}

func TestJudgeRoles(t *testing.T) {
	all := &Source{}
	some := &Source{admins: map[string]bool{"SUPER_ADMIN": true, "ORG_ADMIN": true}}
	r := func(typ string) oktaRole { return oktaRole{Type: typ, Status: "ACTIVE", AssignmentType: "USER"} }
	for _, tc := range []struct {
		name  string
		src   *Source
		roles []oktaRole
		role  string
		priv  bool
	}{
		{"none", all, nil, "", false},
		{"super", all, []oktaRole{r("READ_ONLY_ADMIN"), r("SUPER_ADMIN"), r("APP_ADMIN")}, "super_admin", true},
		{"org over app", all, []oktaRole{r("APP_ADMIN"), r("ORG_ADMIN")}, "org_admin", true},
		{"read-only counts by default", all, []oktaRole{r("READ_ONLY_ADMIN")}, "read_only_admin", true},
		{"report over read-only", all, []oktaRole{r("READ_ONLY_ADMIN"), r("REPORT_ADMIN")}, "report_admin", true},
		{"a later type ranks before report", all, []oktaRole{r("REPORT_ADMIN"), r("NEW_ADMIN")}, "new_admin", true},
		{"custom under app", all, []oktaRole{r("CUSTOM"), r("HELP_DESK_ADMIN")}, "help_desk_admin", true},
		{"inactive left out", all, []oktaRole{{Type: "SUPER_ADMIN", Status: "INACTIVE"}, r("HELP_DESK_ADMIN")}, "help_desk_admin", true},
		{"group assignment counts", all, []oktaRole{{Type: "APP_ADMIN", Status: "ACTIVE", AssignmentType: "GROUP"}}, "app_admin", true},
		{"override: not counted", some, []oktaRole{r("APP_ADMIN"), r("READ_ONLY_ADMIN")}, "app_admin", false},
		{"override: counted", some, []oktaRole{r("APP_ADMIN"), r("ORG_ADMIN")}, "org_admin", true},
	} {
		role, priv := tc.src.judgeRoles(tc.roles)
		assert.Equal(t, tc.role, role, tc.name)
		assert.Equal(t, tc.priv, priv, tc.name)
	}
}

func TestMFAFromFactors(t *testing.T) {
	f := func(typ, status string) oktaFactor { return oktaFactor{FactorType: typ, Status: status} }
	for _, tc := range []struct {
		name    string
		factors []oktaFactor
		want    bool
	}{
		{"password only", nil, false},
		{"push", []oktaFactor{f("push", "ACTIVE")}, true},
		{"webauthn", []oktaFactor{f("webauthn", "ACTIVE")}, true},
		{"totp", []oktaFactor{f("token:software:totp", "ACTIVE")}, true},
		{"fastpass", []oktaFactor{f("signed_nonce", "ACTIVE")}, true},
		{"security question alone", []oktaFactor{f("question", "ACTIVE")}, false},
		{"pending", []oktaFactor{f("sms", "PENDING_ACTIVATION")}, false},
		{"not set up", []oktaFactor{f("sms", "NOT_SETUP"), f("push", "INACTIVE")}, false},
		{"question and sms", []oktaFactor{f("question", "ACTIVE"), f("sms", "ACTIVE")}, true},
	} {
		got := mfaOf(tc.factors)
		require.NotNil(t, got, tc.name)
		assert.Equal(t, tc.want, *got, tc.name)
	}
}

func TestNextLink(t *testing.T) {
	h := http.Header{}
	h.Add("Link", `<https://acme.okta.com/api/v1/users?limit=200>; rel="self"`)
	h.Add("Link", `<https://acme.okta.com/api/v1/users?after=00ubfjQEMYBLRUWIEDKK&limit=200>; rel="next"`)
	assert.Equal(t, "https://acme.okta.com/api/v1/users?after=00ubfjQEMYBLRUWIEDKK&limit=200", nextLink(h))

	h = http.Header{"Link": {`<https://a/x?after=1>; rel="self", <https://a/x?after=2>; rel="next"`}}
	assert.Equal(t, "https://a/x?after=2", nextLink(h), "one header, comma-separated")

	h = http.Header{"Link": {`<https://a/x?limit=200>; rel="self"`}}
	assert.Empty(t, nextLink(h), "the last page")
	assert.Empty(t, nextLink(http.Header{}))
}

func TestStamp(t *testing.T) {
	s, ms, err := stamp(ptr("2013-06-24T16:39:18.000Z"))
	require.NoError(t, err)
	assert.Equal(t, "2013-06-24T16:39:18Z", *s)
	assert.Equal(t, int64(1372091958000), *ms)
	s, ms, err = stamp(nil)
	require.NoError(t, err)
	assert.Nil(t, s)
	assert.Nil(t, ms)
	_, _, err = stamp(ptr("yesterday"))
	assert.Error(t, err)
}
