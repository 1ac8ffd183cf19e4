package awsiam

import (
	"encoding/base64"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Test credentials of the default chain (environment) and of assumed roles.
const (
	testKeyID   = "AKIDTESTBASE0000001"
	testSecret  = "base-secret-do-not-leak-0001"
	testSession = "base-session-token-do-not-leak-0001"
	baseAccount = "123456789012"
)

func assumedKeyID(acct string) string   { return "ASIATEST" + acct }
func assumedSecret(acct string) string  { return "assumed-secret-do-not-leak-" + acct }
func assumedSession(acct string) string { return "assumed-session-do-not-leak-" + acct }

type policy struct{ name, arn string }

func managed(name string) policy { return policy{name, "arn:aws:iam::aws:policy/" + name} }

// fakeAWS speaks the IAM and STS Query APIs (form-encoded POST, XML
// answers) for several accounts; the account of a call is the one of the
// access key that signed it.
type fakeAWS struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	reports  map[string][]byte // account -> CSV
	keys     map[string]string // access key id -> account
	states   []string          // GenerateCredentialReport states before COMPLETE
	notReady int               // GetCredentialReport answers ReportInProgress this many times
	throttle map[string]int    // action -> Throttling answers to give first
	deny     map[string]bool   // action -> AccessDenied
	denyRole map[string]bool   // role ARN -> AssumeRole AccessDenied
	userPol  map[string][]policy
	userGrp  map[string][]string
	groupPol map[string][]policy
	page     int // items per page of the List calls

	calls []string // "<account> <Action>"
	gens  map[string]int
	gets  map[string]int
}

func newFake(t *testing.T) *fakeAWS {
	f := &fakeAWS{
		t: t, reports: map[string][]byte{}, keys: map[string]string{testKeyID: baseAccount},
		throttle: map[string]int{}, deny: map[string]bool{}, denyRole: map[string]bool{},
		userPol: map[string][]policy{}, userGrp: map[string][]string{}, groupPol: map[string][]policy{},
		page: 1, gens: map[string]int{}, gets: map[string]int{},
	}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// standard loads the two test reports with their policies: alice admin
// directly, carol through the Admins group, frank by the policy's ARN,
// dave admin but without credentials.
func (f *fakeAWS) standard() *fakeAWS {
	for _, acct := range []string{"123456789012", "111111111111"} {
		b, err := os.ReadFile(filepath.Join("testdata", "report-"+acct+".csv"))
		if err != nil {
			f.t.Fatal(err)
		}
		f.reports[acct] = b
	}
	f.userPol["123456789012/alice"] = []policy{managed("ReadOnlyAccess"), managed("IAMUserChangePassword"), managed("AdministratorAccess")}
	f.userPol["123456789012/bob"] = []policy{managed("ReadOnlyAccess")}
	f.userPol["123456789012/dave"] = []policy{managed("AdministratorAccess")}
	f.userGrp["123456789012/carol"] = []string{"Developers", "Admins"}
	f.userGrp["123456789012/bob"] = []string{"Developers"}
	f.userGrp["123456789012/erin"] = []string{"Developers"}
	f.groupPol["123456789012/Developers"] = []policy{managed("PowerUserAccess")}
	f.groupPol["123456789012/Admins"] = []policy{managed("ReadOnlyAccess"), managed("AdministratorAccess")}
	f.userPol["111111111111/frank"] = []policy{managed("AdministratorAccess")}
	return f
}

var credentialRe = regexp.MustCompile(`Credential=([A-Za-z0-9]+)/`)

func (f *fakeAWS) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.ParseForm() != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	action := r.PostForm.Get("Action")
	m := credentialRe.FindStringSubmatch(r.Header.Get("Authorization"))
	if m == nil {
		f.error(w, 403, "MissingAuthenticationToken", "Request is missing Authentication Token", "Sender")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	acct, ok := f.keys[m[1]]
	if !ok {
		f.error(w, 403, "InvalidClientTokenId", "The security token included in the request is invalid.", "Sender")
		return
	}
	f.calls = append(f.calls, acct+" "+action)
	if f.throttle[action] > 0 {
		f.throttle[action]--
		f.error(w, 400, "Throttling", "Rate exceeded", "Sender")
		return
	}
	if f.deny[action] {
		f.error(w, 403, "AccessDenied", fmt.Sprintf("User: arn:aws:iam::%s:user/posture is not authorized to perform: iam:%s on resource: * (access key %s)", acct, action, m[1]), "Sender")
		return
	}
	switch action {
	case "AssumeRole":
		f.assumeRole(w, r)
	case "GenerateCredentialReport":
		n := f.gens[acct]
		f.gens[acct]++
		state := "COMPLETE"
		if n < len(f.states) {
			state = f.states[n]
		}
		f.iamOK(w, action, fmt.Sprintf("<Description>No report exists. Starting a new report generation task</Description><State>%s</State>", state))
	case "GetCredentialReport":
		n := f.gets[acct]
		f.gets[acct]++
		if n < f.notReady {
			f.error(w, 404, "ReportInProgress", "Credential report is being generated.", "Sender")
			return
		}
		rep, ok := f.reports[acct]
		if !ok {
			f.error(w, 410, "ReportNotPresent", "Credential report not present.", "Sender")
			return
		}
		f.iamOK(w, action, fmt.Sprintf("<Content>%s</Content><ReportFormat>text/csv</ReportFormat><GeneratedTime>2026-11-26T23:50:00Z</GeneratedTime>",
			base64.StdEncoding.EncodeToString(rep)))
	case "ListAttachedUserPolicies":
		f.listPolicies(w, r, action, f.userPol[acct+"/"+r.PostForm.Get("UserName")])
	case "ListAttachedGroupPolicies":
		f.listPolicies(w, r, action, f.groupPol[acct+"/"+r.PostForm.Get("GroupName")])
	case "ListGroupsForUser":
		groups := f.userGrp[acct+"/"+r.PostForm.Get("UserName")]
		items, more, next := f.pageOf(r, len(groups))
		var b strings.Builder
		b.WriteString("<Groups>")
		for _, i := range items {
			g := groups[i]
			fmt.Fprintf(&b, "<member><Path>/</Path><GroupName>%s</GroupName><GroupId>AGPA%s%d</GroupId><Arn>arn:aws:iam::%s:group/%s</Arn><CreateDate>2020-01-01T00:00:00Z</CreateDate></member>",
				g, acct, i, acct, g)
		}
		b.WriteString("</Groups>")
		f.iamOK(w, action, b.String()+pageTail(more, next))
	default:
		f.error(w, 400, "InvalidAction", "Could not find operation "+action, "Sender")
	}
}

// pageOf returns the indexes of one page of n items, from the Marker.
func (f *fakeAWS) pageOf(r *http.Request, n int) (items []int, more bool, next string) {
	start := 0
	if m := r.PostForm.Get("Marker"); m != "" {
		var err error
		if start, err = strconv.Atoi(strings.TrimPrefix(m, "marker-")); err != nil {
			f.t.Errorf("bad marker %q", m)
		}
	}
	end := min(start+f.page, n)
	for i := start; i < end; i++ {
		items = append(items, i)
	}
	if end < n {
		return items, true, "marker-" + strconv.Itoa(end)
	}
	return items, false, ""
}

func pageTail(more bool, next string) string {
	if more {
		return "<IsTruncated>true</IsTruncated><Marker>" + next + "</Marker>"
	}
	return "<IsTruncated>false</IsTruncated>"
}

func (f *fakeAWS) listPolicies(w http.ResponseWriter, r *http.Request, action string, pols []policy) {
	items, more, next := f.pageOf(r, len(pols))
	var b strings.Builder
	b.WriteString("<AttachedPolicies>")
	for _, i := range items {
		fmt.Fprintf(&b, "<member><PolicyName>%s</PolicyName><PolicyArn>%s</PolicyArn></member>", pols[i].name, pols[i].arn)
	}
	b.WriteString("</AttachedPolicies>")
	f.iamOK(w, action, b.String()+pageTail(more, next))
}

func (f *fakeAWS) assumeRole(w http.ResponseWriter, r *http.Request) {
	role := r.PostForm.Get("RoleArn")
	if f.denyRole[role] {
		f.stsError(w, 403, "AccessDenied", "User: arn:aws:iam::123456789012:user/posture is not authorized to perform: sts:AssumeRole on resource: "+role)
		return
	}
	acct := arnAccount(role)
	f.keys[assumedKeyID(acct)] = acct
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprintf(w, `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::%[1]s:assumed-role/%[2]s/%[3]s</Arn>
      <AssumedRoleId>AROATEST%[1]s:%[3]s</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>%[4]s</AccessKeyId>
      <SecretAccessKey>%[5]s</SecretAccessKey>
      <SessionToken>%[6]s</SessionToken>
      <Expiration>%[7]s</Expiration>
    </Credentials>
    <PackedPolicySize>6</PackedPolicySize>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
</AssumeRoleResponse>`, acct, role[strings.LastIndex(role, "/")+1:], r.PostForm.Get("RoleSessionName"),
		assumedKeyID(acct), assumedSecret(acct), assumedSession(acct), time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
}

func (f *fakeAWS) iamOK(w http.ResponseWriter, action, result string) {
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprintf(w, `<%[1]sResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <%[1]sResult>%[2]s</%[1]sResult>
  <ResponseMetadata><RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId></ResponseMetadata>
</%[1]sResponse>`, action, result)
}

func (f *fakeAWS) error(w http.ResponseWriter, status int, code, msg, typ string) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <Error><Type>%s</Type><Code>%s</Code><Message>%s</Message></Error>
  <RequestId>4a2b3c4d-EXAMPLE</RequestId>
</ErrorResponse>`, typ, code, html.EscapeString(msg))
}

func (f *fakeAWS) stsError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error>
  <RequestId>4a2b3c4d-EXAMPLE</RequestId>
</ErrorResponse>`, code, html.EscapeString(msg))
}

func (f *fakeAWS) callLog() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

// isolate points the SDK's default chain at the test credentials only: no
// shared files, no instance metadata, no real endpoint.
func isolate(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID":                      testKeyID,
		"AWS_SECRET_ACCESS_KEY":                  testSecret,
		"AWS_SESSION_TOKEN":                      testSession,
		"AWS_REGION":                             "us-east-1",
		"AWS_CONFIG_FILE":                        empty,
		"AWS_SHARED_CREDENTIALS_FILE":            empty,
		"AWS_EC2_METADATA_DISABLED":              "true",
		"AWS_PROFILE":                            "",
		"AWS_DEFAULT_PROFILE":                    "",
		"AWS_ROLE_ARN":                           "",
		"AWS_WEB_IDENTITY_TOKEN_FILE":            "",
		"AWS_ENDPOINT_URL":                       "",
		"AWS_ENDPOINT_URL_IAM":                   "",
		"AWS_ENDPOINT_URL_STS":                   "",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI":     "",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "",
	} {
		t.Setenv(k, v)
	}
}
