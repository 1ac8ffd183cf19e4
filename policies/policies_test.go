package policies

import (
	"context"
	"io/fs"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/tester"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// catalogue is the built-in metric catalogue (docs/metrics.md): id -> category.
var catalogue = map[string]string{
	"mttd_hours":                    "detection_response",
	"mttr_hours":                    "detection_response",
	"incident_count":                "detection_response",
	"sev1_incidents":                "detection_response",
	"alert_to_incident_ratio":       "detection_response",
	"failed_login_rate":             "prevention_controls",
	"rate_limit_triggers":           "prevention_controls",
	"blocked_ips":                   "prevention_controls",
	"security_header_drift":         "prevention_controls",
	"tls_downgrade_attempts":        "prevention_controls",
	"privileged_accounts":           "identity_access",
	"orphaned_accounts":             "identity_access",
	"token_expiry_compliance":       "identity_access",
	"unauthorized_access_attempts":  "identity_access",
	"open_vulnerabilities":          "vulnerability_management",
	"high_critical_vulnerabilities": "vulnerability_management",
	"mean_time_to_patch_days":       "vulnerability_management",
	"repeat_findings":               "vulnerability_management",
	"config_drift_events":           "operational_hygiene",
	"manual_prod_changes":           "operational_hygiene",
	"failed_deployments":            "operational_hygiene",
	"rollbacks":                     "operational_hygiene",
	"compliance_drift":              "compliance_signals",
	"open_exceptions":               "compliance_signals",
	"expired_exceptions":            "compliance_signals",
	"audit_findings":                "compliance_signals",
}

// loadModules parses every .rego file of FS (Rego v1, annotations processed).
func loadModules(t testing.TB) map[string]*ast.Module {
	t.Helper()
	mods, err := parseFS()
	require.NoError(t, err)
	require.NotEmpty(t, mods)
	return mods
}

func parseFS() (map[string]*ast.Module, error) {
	mods := map[string]*ast.Module{}
	err := fs.WalkDir(FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".rego") {
			return err
		}
		src, err := fs.ReadFile(FS, path)
		if err != nil {
			return err
		}
		m, err := ast.ParseModuleWithOpts(path, string(src), ast.ParserOptions{
			RegoVersion:       ast.RegoV1,
			ProcessAnnotation: true,
		})
		if err != nil {
			return err
		}
		mods[path] = m
		return nil
	})
	return mods, err
}

func ruleName(r *ast.Rule) string {
	return r.Head.Ref()[0].Value.(ast.Var).String()
}

// metricRules returns the annotated metric rules: rule path -> custom annotation.
func metricRules(t *testing.T, mods map[string]*ast.Module) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for name, m := range mods {
		if strings.HasSuffix(name, "_test.rego") {
			continue
		}
		for _, r := range m.Rules {
			for _, a := range r.Annotations {
				if a.Scope != "rule" || a.Custom["id"] == nil {
					continue
				}
				path := m.Package.Path.String() + "." + ruleName(r)
				require.NotContains(t, out, path, "%s annotated twice", path)
				out[path] = a.Custom
				assert.NotEmpty(t, a.Title, "%s: title", path)
				assert.NotEmpty(t, a.Description, "%s: description", path)
			}
		}
	}
	return out
}

func TestRegoUnitTests(t *testing.T) {
	ctx := context.Background()
	mods := loadModules(t)
	store := inmem.New()
	txn := storage.NewTransactionOrDie(ctx, store)
	defer store.Abort(ctx, txn)

	ch, err := tester.NewRunner().
		SetCompiler(ast.NewCompiler().WithEnablePrintStatements(true)).
		SetStore(store).
		SetModules(mods).
		CapturePrintOutput(true).
		SetTimeout(30*time.Second).
		RunTests(ctx, txn)
	require.NoError(t, err)

	var names []string
	for r := range ch {
		names = append(names, r.Name)
		if !assert.True(t, r.Pass(), "%s.%s: fail=%v error=%v output=%s", r.Package, r.Name, r.Fail, r.Error, r.Output) {
			continue
		}
	}
	require.NotEmpty(t, names, "no Rego test found")

	for id := range catalogue {
		assert.True(t, slices.ContainsFunc(names, func(n string) bool { return strings.Contains(n, id) }),
			"no Rego test named after metric %s", id)
	}
}

func TestMetricAnnotations(t *testing.T) {
	rules := metricRules(t, loadModules(t))

	var paths []string
	for id, category := range catalogue {
		path := "data.posture.metrics." + category + "." + id
		paths = append(paths, path)
		custom, ok := rules[path]
		if !assert.True(t, ok, "missing metric rule %s", path) {
			continue
		}
		assert.Equal(t, id, custom["id"], path)
		assert.Equal(t, category, custom["category"], path)
		assert.Contains(t, []any{"hours", "days", "percent", "count"}, custom["unit"], path)
		assert.IsType(t, false, custom["gate"], path)
		inputs, ok := custom["inputs"].([]any)
		assert.True(t, ok && len(inputs) > 0, "%s: inputs", path)
		if target, ok := custom["target"].(map[string]any); ok {
			for k := range target {
				assert.Contains(t, []string{"max", "min", "trend", "soft"}, k, path)
			}
		}
	}
	sort.Strings(paths)
	assert.Len(t, rules, len(catalogue), "annotated metric rules: %v", paths)
}

func TestMetricDefaults(t *testing.T) {
	rules := metricRules(t, loadModules(t))
	type target = map[string]any
	want := map[string]struct {
		unit   string
		target target
		gate   bool
	}{
		"mttd_hours":                    {"hours", target{"trend": "down"}, false},
		"mttr_hours":                    {"hours", target{"trend": "down"}, false},
		"incident_count":                {"count", target{"trend": "stable"}, false},
		"sev1_incidents":                {"count", target{"max": 0.0, "soft": true}, false},
		"alert_to_incident_ratio":       {"percent", target{"trend": "up"}, false},
		"failed_login_rate":             {"percent", target{"trend": "stable"}, false},
		"rate_limit_triggers":           {"count", nil, false},
		"blocked_ips":                   {"count", nil, false},
		"security_header_drift":         {"count", target{"max": 0.0}, true},
		"tls_downgrade_attempts":        {"count", target{"max": 0.0}, true},
		"privileged_accounts":           {"count", target{"trend": "down", "soft": true}, false},
		"orphaned_accounts":             {"count", target{"max": 0.0}, true},
		"token_expiry_compliance":       {"percent", target{"min": 100.0}, true},
		"unauthorized_access_attempts":  {"count", target{"trend": "down"}, false},
		"open_vulnerabilities":          {"count", target{"trend": "down"}, false},
		"high_critical_vulnerabilities": {"count", target{"max": 0.0}, true},
		"mean_time_to_patch_days":       {"days", target{"trend": "down"}, false},
		"repeat_findings":               {"count", target{"max": 0.0}, true},
		"config_drift_events":           {"count", target{"max": 0.0}, true},
		"manual_prod_changes":           {"count", target{"max": 0.0}, true},
		"failed_deployments":            {"count", target{"trend": "down"}, false},
		"rollbacks":                     {"count", target{"trend": "down"}, false},
		"compliance_drift":              {"count", target{"max": 0.0}, true},
		"open_exceptions":               {"count", target{"trend": "down"}, false},
		"expired_exceptions":            {"count", target{"max": 0.0}, true},
		"audit_findings":                {"count", target{"max": 0.0}, true},
	}
	require.Len(t, want, len(catalogue))
	for id, w := range want {
		custom := rules["data.posture.metrics."+catalogue[id]+"."+id]
		require.NotNil(t, custom, id)
		assert.Equal(t, w.unit, custom["unit"], id)
		assert.Equal(t, w.gate, custom["gate"], id)
		got, _ := custom["target"].(map[string]any)
		normalised := target{}
		for k, v := range got {
			if n, ok := v.(int); ok { // YAML integers
				v = float64(n)
			}
			normalised[k] = v
		}
		if w.target == nil {
			assert.Nil(t, custom["target"], id)
			continue
		}
		assert.Equal(t, w.target, normalised, id)
	}
}

// Every metric rule is defined, with the result shape, on an input that lacks every
// collection.
func TestMetricsDefinedOnEmptyInput(t *testing.T) {
	ctx := context.Background()
	var opts []func(*rego.Rego)
	for name, m := range loadModules(t) {
		if !strings.HasSuffix(name, "_test.rego") {
			opts = append(opts, rego.ParsedModule(m))
		}
	}
	for id, category := range catalogue {
		path := "data.posture.metrics." + category + "." + id
		rs, err := rego.New(append(opts, rego.Query(path), rego.Input(map[string]any{}))...).Eval(ctx)
		require.NoError(t, err, path)
		require.Len(t, rs, 1, "%s undefined", path)
		v, ok := rs[0].Expressions[0].Value.(map[string]any)
		require.True(t, ok, path)
		assert.ElementsMatch(t, []string{"value", "items", "records", "waived"}, keys(v), path)
		assert.Equal(t, []any{}, v["records"], path)
		assert.Equal(t, []any{}, v["waived"], path)
	}
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
