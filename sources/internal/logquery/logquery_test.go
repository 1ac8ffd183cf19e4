package logquery

import (
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources"
)

func TestCollectionsArePartsPerEventType(t *testing.T) {
	c := Collections()
	require.Len(t, c, len(snapshot.EventTypes))
	for i, typ := range snapshot.EventTypes {
		assert.Equal(t, snapshot.Provided{Collection: "events." + typ, Part: typ}, c[i])
	}
}

func TestEventWeight(t *testing.T) {
	env := sources.Env{Name: "edge", Kind: "loki", AsOf: time.Date(2026, 11, 26, 10, 0, 0, 0, time.FixedZone("x", 3600))}
	e := Event(env, "o", "d", 1)
	assert.Equal(t, snapshot.Event{TimeMS: env.AsOf.UnixMilli(), Time: "2026-11-26T09:00:00Z", Source: "loki.edge", Origin: "o", Detail: "d"}, e, "a count of 1 is an ordinary event")
	assert.Equal(t, int64(7), Event(env, "o", "d", 7).Weight)
}

func TestDetailClipsSamples(t *testing.T) {
	assert.Equal(t, "ban", Detail("ban", nil))
	long := strings.Repeat("é", 200)
	d := Detail("ban", []string{"a\n b\tc", long, "3", "4"})
	assert.Equal(t, "ban; samples: a b c | "+strings.Repeat("é", MaxSampleChars)+"... | 3", d)
}

func TestCredentials(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	a, err := BasicOrToken(env(map[string]string{"T": " tok ", "U": "u", "P": "p"}), "Bearer", "T", "U", "P")
	require.NoError(t, err)
	assert.Equal(t, Auth{Header: "Bearer tok", Secrets: []string{"tok"}, Setting: "T"}, a)
	a, err = BasicOrToken(env(map[string]string{"U": "u", "P": "pw"}), "Bearer", "T", "U", "P")
	require.NoError(t, err)
	assert.Equal(t, "Basic dTpwdw==", a.Header)
	assert.Equal(t, "x *** y ***", a.Redact("x pw y dTpwdw=="))
	a, err = BasicOrToken(nil, "Bearer", "T", "U", "P")
	require.NoError(t, err)
	assert.Empty(t, a.Header)
	_, err = BasicOrToken(env(map[string]string{"P": "p"}), "Bearer", "T", "U", "P")
	assert.EqualError(t, err, "set both U and P (basic authentication), or T")
}

func TestCheckEndpoint(t *testing.T) {
	u, err := CheckEndpoint(" https://Loki.Example.com/loki/ ", "ex", "T")
	require.NoError(t, err)
	assert.Equal(t, "https://loki.example.com/loki", u.String())
	for raw, want := range map[string]string{
		"":                "the endpoint URL is required (ex)",
		"ftp://loki:3100": "must be http or https",
		"https://x/?a=1":  "without a query or fragment",
		"https://a:b@x/":  "credentials in the URL are not allowed; set T",
		"https://":        "is not a URL",
	} {
		_, err := CheckEndpoint(raw, "ex", "T")
		if assert.Error(t, err, raw) {
			assert.Contains(t, err.Error(), want, raw)
		}
	}
}

func TestExpressions(t *testing.T) {
	expr := func(src string) hcl.Expression {
		e, diags := hclsyntax.ParseExpression([]byte(src), "x.hcl", hcl.InitialPos)
		require.False(t, diags.HasErrors(), diags.Error())
		return e
	}
	s, err := String(expr(`"[${window}]"`), 7)
	require.NoError(t, err)
	assert.Equal(t, "[7d]", s)
	b, err := JSON(expr(`{ term = { "a.b" = 1 } }`), 7)
	require.NoError(t, err)
	assert.JSONEq(t, `{"term":{"a.b":1}}`, string(b))
	b, err = JSON(expr(`jsonencode({ range = { t = { gte = "now-${window}" } } })`), 30)
	require.NoError(t, err)
	assert.JSONEq(t, `{"range":{"t":{"gte":"now-30d"}}}`, string(b))
	_, err = String(expr(`1`), 7)
	assert.EqualError(t, err, "want a string")
	_, err = String(expr(`"${nope}"`), 7)
	assert.ErrorContains(t, err, "Unknown variable")
	s, err = String(nil, 7)
	require.NoError(t, err)
	assert.Empty(t, s)
}

func TestTimeoutAndWindow(t *testing.T) {
	d, err := Timeout("")
	require.NoError(t, err)
	assert.Equal(t, DefaultTimeout, d)
	d, err = Timeout("2m")
	require.NoError(t, err)
	assert.Equal(t, 2*time.Minute, d)
	_, err = Timeout("-1s")
	assert.Error(t, err)
	assert.Equal(t, 7, WindowDays(7, sources.Env{WindowDays: 30}))
	assert.Equal(t, 30, WindowDays(0, sources.Env{WindowDays: 30}))
	assert.Equal(t, DefaultWindowDays, WindowDays(0, sources.Env{}))
	assert.Error(t, CheckWindowDays(MaxWindowDays+1))
	_, err = CheckType("bans")
	assert.ErrorContains(t, err, `query "bans": not an event type (login_failed, `)
}
