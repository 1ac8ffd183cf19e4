package awsiam

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources"
)

func testSource(t *testing.T, f *fakeAWS, cfg Config) *Source {
	t.Helper()
	cfg.EndpointURL = f.srv.URL
	s, err := New(&cfg)
	require.NoError(t, err)
	s.poll = time.Millisecond
	s.maxWait = 5 * time.Second
	s.noDelay = true
	return s
}

type progress struct{ done, total []int }

func collect(t *testing.T, s *Source) (*sources.Result, *progress, error) {
	t.Helper()
	p := &progress{}
	env := sources.Env{Name: "cloud", Kind: "aws_iam", AsOf: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC),
		Progress: func(d, n int) { p.done = append(p.done, d); p.total = append(p.total, n) }}
	res, err := s.Collect(context.Background(), env)
	return res, p, err
}

func byLogin(res *sources.Result) map[string]snapshot.Account {
	out := map[string]snapshot.Account{}
	for _, a := range res.Data.Accounts {
		out[a.System+"/"+a.Login] = a
	}
	return out
}

func str(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// assertNoSecret fails when a credential value appears in s.
func assertNoSecret(t *testing.T, s string) {
	t.Helper()
	for _, v := range []string{testSecret, testSession, testKeyID,
		assumedSecret("111111111111"), assumedSession("111111111111"), assumedKeyID("111111111111"),
		assumedSecret("123456789012"), assumedSession("123456789012"), assumedKeyID("123456789012")} {
		assert.NotContains(t, s, v)
	}
}

func TestDefaultChainAccount(t *testing.T) {
	isolate(t)
	f := newFake(t).standard()
	f.states = []string{"STARTED", "INPROGRESS", "INPROGRESS"}
	f.notReady = 1
	s := testSource(t, f, Config{})
	res, p, err := collect(t, s)
	require.NoError(t, err)
	assert.Equal(t, []int{0, 1}, p.done)
	assert.Equal(t, []int{1, 1}, p.total)

	acc := byLogin(res)
	require.Len(t, acc, 6)

	root := acc["aws:123456789012/<root_account>"]
	assert.Equal(t, "root", root.Role)
	assert.True(t, root.Privileged)
	assert.Equal(t, "active", root.Status)
	require.NotNil(t, root.MFA)
	assert.True(t, *root.MFA)
	assert.Equal(t, "2019-03-01T09:00:00Z", str(root.CreatedAt))
	assert.Equal(t, "2026-10-01T08:00:00Z", str(root.LastActiveAt), "root's password_last_used")
	assert.Equal(t, "arn:aws:iam::123456789012:root#credential-report:line 2", root.Origin)
	assert.Equal(t, "aws_iam.cloud", root.Source)

	alice := acc["aws:123456789012/alice"]
	assert.Equal(t, "admin", alice.Role, "AdministratorAccess attached directly (third of three pages)")
	assert.True(t, alice.Privileged)
	assert.Equal(t, "2026-11-26T17:05:00Z", str(alice.LastActiveAt), "key used after the password")
	require.NotNil(t, alice.MFA)
	assert.True(t, *alice.MFA)
	require.NotNil(t, alice.LastActiveAtMS)
	assert.Equal(t, time.Date(2026, 11, 26, 17, 5, 0, 0, time.UTC).UnixMilli(), *alice.LastActiveAtMS)

	bob := acc["aws:123456789012/bob"]
	assert.Equal(t, "user", bob.Role)
	assert.False(t, bob.Privileged)
	assert.Nil(t, bob.LastActiveAt, "password N/A and key never used: no activity")
	assert.Equal(t, "2026-03-01T00:00:00Z", str(bob.CreatedAt))
	assert.Equal(t, "active", bob.Status)

	carol := acc["aws:123456789012/carol"]
	assert.Equal(t, "admin", carol.Role, "through the Admins group")
	assert.True(t, carol.Privileged)
	require.NotNil(t, carol.MFA)
	assert.False(t, *carol.MFA)
	assert.Equal(t, "2026-11-25T00:00:00Z", str(carol.LastActiveAt), "key 2 last used")
	assert.Equal(t, "arn:aws:iam::123456789012:user/ops/carol#credential-report:line 5", carol.Origin)

	dave := acc["aws:123456789012/dave"]
	assert.Equal(t, "no_credentials", dave.Status)
	assert.False(t, dave.Privileged, "not resolved: no credential to use it")
	assert.Equal(t, "", dave.Role)
	assert.Equal(t, "2021-01-01T00:00:00Z", str(dave.LastActiveAt))

	erin := acc["aws:123456789012/erin"]
	assert.Equal(t, "2026-08-01T00:00:00Z", str(erin.LastActiveAt), "password no_information, key 1 used, key 2 never")

	tokens := map[string]snapshot.Token{}
	for _, tk := range res.Data.Tokens {
		tokens[tk.ID] = tk
	}
	require.Len(t, tokens, 7)
	k := tokens["arn:aws:iam::123456789012:user/alice#access_key_1"]
	assert.Equal(t, "aws:123456789012/alice", k.Account)
	assert.Equal(t, "2026-10-28T12:00:00Z", str(k.CreatedAt), "last rotated")
	assert.Nil(t, k.ExpiresAt, "access keys never expire")
	assert.False(t, k.Revoked)
	assert.Equal(t, "arn:aws:iam::123456789012:user/alice#credential-report:line 3:access_key_1", k.Origin)
	assert.True(t, tokens["arn:aws:iam::123456789012:user/ops/carol#access_key_1"].Revoked, "inactive key")
	assert.False(t, tokens["arn:aws:iam::123456789012:user/ops/carol#access_key_2"].Revoked)
	assert.False(t, tokens["arn:aws:iam::123456789012:user/bob#access_key_1"].Revoked, "never used, still active")
	assert.Contains(t, tokens, "arn:aws:iam::123456789012:user/erin#access_key_2")
	assert.NotContains(t, tokens, "arn:aws:iam::123456789012:user/alice#access_key_2", "empty slot")

	calls := f.callLog()
	gens, gets := 0, 0
	for _, c := range calls {
		gens += strings.Count(c, " GenerateCredentialReport")
		gets += strings.Count(c, " GetCredentialReport")
		assert.NotContains(t, c, "AssumeRole")
		assert.NotContains(t, c, "dave", "no lookups for a user without credentials")
	}
	assert.Equal(t, 4, gens, "STARTED, INPROGRESS, INPROGRESS, COMPLETE")
	assert.Equal(t, 2, gets, "ReportInProgress once")
	require.Len(t, res.Notes, 1)
	assert.Contains(t, res.Notes[0], "account 123456789012")
	assert.Contains(t, res.Notes[0], "generated 2026-11-26T23:50:00Z")

	b, err := json.Marshal(res)
	require.NoError(t, err)
	assertNoSecret(t, string(b))
}

func TestAdminPolicyByARNAndWithoutGroups(t *testing.T) {
	isolate(t)
	f := newFake(t).standard()
	no := false
	s := testSource(t, f, Config{AdminPolicies: []string{"arn:aws:iam::aws:policy/AdministratorAccess"}, AdminViaGroups: &no})
	res, _, err := collect(t, s)
	require.NoError(t, err)
	acc := byLogin(res)
	assert.Equal(t, "admin", acc["aws:123456789012/alice"].Role)
	assert.Equal(t, "user", acc["aws:123456789012/carol"].Role, "groups not read")
	for _, c := range f.callLog() {
		assert.NotContains(t, c, "Group")
	}

	f.userPol["123456789012/alice"] = []policy{{name: "AdministratorAccess", arn: "arn:aws:iam::123456789012:policy/AdministratorAccess"}}
	res, _, err = collect(t, s)
	require.NoError(t, err)
	assert.Equal(t, "user", byLogin(res)["aws:123456789012/alice"].Role, "a customer policy of that name is not the AWS one")
}

func TestAssumedRoles(t *testing.T) {
	isolate(t)
	f := newFake(t).standard()
	s := testSource(t, f, Config{RoleARNs: []string{
		"arn:aws:iam::123456789012:role/posture-audit",
		"arn:aws:iam::111111111111:role/audit/posture-audit",
	}, ExternalID: "posture-ext"})
	res, p, err := collect(t, s)
	require.NoError(t, err)
	assert.Equal(t, []int{0, 1, 2}, p.done)
	acc := byLogin(res)
	assert.Len(t, acc, 8)
	root := acc["aws:111111111111/<root_account>"]
	assert.True(t, root.Privileged)
	require.NotNil(t, root.MFA)
	assert.False(t, *root.MFA)
	assert.Equal(t, "2026-11-26T00:00:00Z", str(root.LastActiveAt), "root password no_information, key used")
	assert.Equal(t, "admin", acc["aws:111111111111/frank"].Role)
	var rootKey *snapshot.Token
	for i, tk := range res.Data.Tokens {
		if tk.ID == "arn:aws:iam::111111111111:root#access_key_1" {
			rootKey = &res.Data.Tokens[i]
		}
	}
	require.NotNil(t, rootKey, "root's access key")
	assert.Equal(t, "aws:111111111111/<root_account>", rootKey.Account)

	// Each account's calls are signed with its assumed role's key.
	var accounts []string
	for _, c := range f.callLog() {
		if strings.HasSuffix(c, " GetCredentialReport") {
			accounts = append(accounts, strings.Fields(c)[0])
		}
	}
	assert.Equal(t, []string{"123456789012", "111111111111"}, accounts)
	b, _ := json.Marshal(res)
	assertNoSecret(t, string(b))
}

func TestSameAccountTwice(t *testing.T) {
	isolate(t)
	f := newFake(t).standard()
	s := testSource(t, f, Config{RoleARNs: []string{
		"arn:aws:iam::111111111111:role/a", "arn:aws:iam::111111111111:role/b",
	}})
	res, _, err := collect(t, s)
	require.NoError(t, err)
	assert.Len(t, res.Data.Accounts, 2)
	assert.Contains(t, strings.Join(res.Notes, "\n"), "reads account 111111111111 again")
}

func TestThrottlingThenSuccess(t *testing.T) {
	isolate(t)
	f := newFake(t).standard()
	f.throttle["GenerateCredentialReport"] = 2
	f.throttle["ListAttachedUserPolicies"] = 1
	s := testSource(t, f, Config{})
	res, _, err := collect(t, s)
	require.NoError(t, err)
	assert.Len(t, res.Data.Accounts, 6)
}

func TestThrottledTooLong(t *testing.T) {
	isolate(t)
	f := newFake(t).standard()
	f.throttle["GenerateCredentialReport"] = 100
	s := testSource(t, f, Config{MaxAttempts: 3})
	_, _, err := collect(t, s)
	require.Error(t, err)
	msg := err.Error()
	assert.Contains(t, msg, "aws_iam source cloud: account of the default credentials: iam:GenerateCredentialReport: throttled by AWS (Throttling) after 3 attempts")
	assertNoSecret(t, msg)
	assert.Equal(t, 100-3, f.throttle["GenerateCredentialReport"])
}

func TestAccessDenied(t *testing.T) {
	isolate(t)
	for _, action := range []string{"GenerateCredentialReport", "GetCredentialReport", "ListAttachedUserPolicies", "ListGroupsForUser", "ListAttachedGroupPolicies"} {
		t.Run(action, func(t *testing.T) {
			f := newFake(t).standard()
			f.deny[action] = true
			s := testSource(t, f, Config{})
			_, _, err := collect(t, s)
			require.Error(t, err)
			msg := err.Error()
			assert.Contains(t, msg, "iam:"+action+": access denied (AccessDenied): the credentials lack the permission iam:"+action)
			assert.Contains(t, msg, "[redacted]", "the fake echoes the access key id")
			assertNoSecret(t, msg)
		})
	}
}

func TestAssumeRoleDenied(t *testing.T) {
	isolate(t)
	f := newFake(t).standard()
	role := "arn:aws:iam::111111111111:role/posture-audit"
	f.denyRole[role] = true
	s := testSource(t, f, Config{RoleARNs: []string{role}})
	_, p, err := collect(t, s)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "role "+role+": sts:AssumeRole: access denied (AccessDenied): the credentials lack the permission sts:AssumeRole")
	assertNoSecret(t, err.Error())
	assert.Equal(t, []int{0}, p.done)
}

func TestRefusedCredentials(t *testing.T) {
	isolate(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDUNKNOWN00000000")
	f := newFake(t).standard()
	s := testSource(t, f, Config{})
	_, _, err := collect(t, s)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "iam:GenerateCredentialReport: AWS refused the credentials (InvalidClientTokenId)")
	assert.NotContains(t, err.Error(), "AKIDUNKNOWN00000000")
	assertNoSecret(t, err.Error())
}

func TestNoCredentials(t *testing.T) {
	isolate(t)
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"} {
		t.Setenv(k, "")
	}
	f := newFake(t).standard()
	s := testSource(t, f, Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err := s.Collect(ctx, sources.Env{Name: "cloud", Kind: "aws_iam"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no usable AWS credentials from the SDK's default chain")
	assert.Empty(t, f.callLog())
}

func TestReportNeverReady(t *testing.T) {
	isolate(t)
	f := newFake(t).standard()
	f.states = make([]string, 10000)
	for i := range f.states {
		f.states[i] = "INPROGRESS"
	}
	s := testSource(t, f, Config{})
	s.maxWait = 50 * time.Millisecond
	_, _, err := collect(t, s)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "iam:GenerateCredentialReport: the report is still INPROGRESS after 50ms")
}

func TestBadReport(t *testing.T) {
	isolate(t)
	f := newFake(t).standard()
	f.reports[baseAccount] = []byte("user,arn\nalice,arn:aws:iam::123456789012:user/alice\n")
	_, _, err := collect(t, testSource(t, f, Config{}))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `credential report: column "user_creation_time" missing from the header`)

	f.reports[baseAccount] = []byte(strings.Replace(string(f.standard().reports[baseAccount]), "2026-11-20T09:30:00+00:00", "yesterday", 1))
	_, _, err = collect(t, testSource(t, f, Config{}))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `credential report line 3: password_last_used "yesterday" is not an ISO 8601 time`)

	header, _, _ := strings.Cut(string(f.standard().reports[baseAccount]), "\n")
	f.reports[baseAccount] = []byte(header + "\n\"alice,arn\n")
	_, _, err = collect(t, testSource(t, f, Config{}))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "credential report: parse error on line 2")
}

func TestConfig(t *testing.T) {
	s, err := New(&Config{})
	require.NoError(t, err)
	assert.Equal(t, []string{"AdministratorAccess"}, s.Config().AdminPolicies)
	assert.True(t, s.groups)
	assert.Equal(t, DefaultMaxAttempts, s.Config().MaxAttempts)

	for _, c := range []struct {
		cfg  Config
		want string
	}{
		{Config{RoleARNs: []string{"arn:aws:iam::123:role/x"}}, "role_arns[0]"},
		{Config{RoleARNs: []string{"arn:aws:iam::123456789012:user/x"}}, "want an IAM role ARN"},
		{Config{RoleARNs: []string{"arn:aws:iam::123456789012:role/x", "arn:aws:iam::123456789012:role/x"}}, "listed twice"},
		{Config{ExternalID: "x"}, "external_id is only used with role_arns"},
		{Config{AdminPolicies: []string{" "}}, "admin_policies[0]"},
		{Config{EndpointURL: "ftp://x"}, "endpoint_url"},
		{Config{EndpointURL: "http://user:pw@x"}, "endpoint_url"},
		{Config{MaxAttempts: 50}, "max_attempts"},
	} {
		_, err := New(&c.cfg)
		if assert.Error(t, err, c.want) {
			assert.Contains(t, err.Error(), c.want)
		}
	}
}

func TestKindRegistered(t *testing.T) {
	k, ok := sources.Lookup("aws_iam")
	require.True(t, ok)
	assert.Contains(t, k.Doc, "##### Field mapping")
	assert.Contains(t, k.Doc, "##### Permissions")
	assert.Contains(t, k.Doc, "##### API calls per run")
	assert.NotRegexp(t, "(?s)```(text|csv|json)\n", k.Doc, "the reference reads such fences as sample files of the kind")
	require.Len(t, k.Collections, 2)
	assert.Equal(t, []snapshot.Trait{snapshot.TraitActivity}, k.Collections[0].Traits)
}
