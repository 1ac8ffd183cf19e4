package cli

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"
)

// The GitHub Action (action.yml) runs scripts/posture-action.sh; these tests
// run that script as the action would, with fake $GITHUB_OUTPUT and
// $GITHUB_STEP_SUMMARY files, and check the shape of action.yml and of the
// workflows that use it.

// postureBinary builds ./cmd/posture into a temporary folder of the test.
func postureBinary(t *testing.T) string {
	t.Helper()
	goBin := goTool(t)
	bin := filepath.Join(t.TempDir(), "posture")
	cmd := exec.Command(goBin, "build", "-o", bin, "./cmd/posture")
	cmd.Dir = repoRoot(t)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))
	return bin
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	require.NoError(t, err)
	return root
}

// copyTree copies a folder (regular files only).
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, info.Mode().Perm())
	})
	require.NoError(t, err)
}

type actionRun struct {
	code    int
	stdout  string
	stderr  string
	outputs map[string]string
	summary string
}

// runAction runs the action's script in dir with the given inputs.
func runAction(t *testing.T, dir, bin string, inputs map[string]string) actionRun {
	t.Helper()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is not installed")
	}
	out := filepath.Join(dir, "github_output")
	sum := filepath.Join(dir, "step_summary.md")
	require.NoError(t, os.WriteFile(out, nil, 0o644))
	require.NoError(t, os.WriteFile(sum, nil, 0o644))
	script := filepath.Join(repoRoot(t), "scripts", "posture-action.sh")
	// Read here so that go test's cache knows the result depends on the script.
	_, err := os.ReadFile(script)
	require.NoError(t, err)
	cmd := exec.Command("bash", script)
	cmd.Dir = dir
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "GITHUB_ACTIONS=true",
		"GITHUB_OUTPUT=" + out, "GITHUB_STEP_SUMMARY=" + sum, "RUNNER_TEMP=" + t.TempDir(), "POSTURE_BIN=" + bin}
	for k, v := range inputs {
		env = append(env, k+"="+v)
	}
	cmd.Env = env
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	err = cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else {
		require.NoError(t, err)
	}
	r := actionRun{code: code, stdout: so.String(), stderr: se.String(), outputs: map[string]string{}}
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			r.outputs[k] = v
		}
	}
	s, err := os.ReadFile(sum)
	require.NoError(t, err)
	r.summary = string(s)
	return r
}

// exampleFailing are the example's gated metrics that fail on 2026-11-27
// (see examples/localizevideos/expected.md); exampleNotMeasured the gated
// one no source feeds (it fails the gate too).
var (
	exampleFailing = []string{"audit_findings", "compliance_drift", "config_drift_events", "expired_exceptions",
		"high_critical_vulnerabilities", "tls_downgrade_attempts", "token_expiry_compliance"}
	exampleNotMeasured = "security_header_drift"
)

func sortedIDs(csv string) []string {
	if csv == "" {
		return nil
	}
	ids := strings.Split(csv, ",")
	sort.Strings(ids)
	return ids
}

func TestActionScriptOnTheExample(t *testing.T) {
	if testing.Short() {
		t.Skip("builds posture")
	}
	bin := postureBinary(t)
	dir := t.TempDir()
	copyTree(t, filepath.Join(repoRoot(t), "examples", "localizevideos"), filepath.Join(dir, "localizevideos"))
	base := map[string]string{"INPUT_CONFIG": "localizevideos/posture.hcl", "INPUT_AS_OF": "2026-11-27"}

	t.Run("eval", func(t *testing.T) {
		r := runAction(t, dir, bin, merge(base, map[string]string{"INPUT_COMMAND": "eval"}))
		assert.Equal(t, 1, r.code, r.stderr)
		assert.Equal(t, "fail", r.outputs["status"])
		assert.Equal(t, "1", r.outputs["exit-code"])
		assert.Equal(t, exampleFailing, sortedIDs(r.outputs["failed-metrics"]))
		assert.Equal(t, exampleNotMeasured, r.outputs["not-measured-metrics"])
		assert.Equal(t, "", r.outputs["report-path"], "eval writes no report file")
		assert.Contains(t, r.summary, "| Metric | Value | Target | Status | Trend | Owner |", "the metrics table")
		assert.Contains(t, r.summary, "`tls_downgrade_attempts`")
		assert.Contains(t, r.stderr, "::error title=posture tls_downgrade_attempts::")
		assert.Contains(t, r.stderr, "::warning title=posture ")
	})

	t.Run("report", func(t *testing.T) {
		r := runAction(t, dir, bin, merge(base, map[string]string{"INPUT_COMMAND": "report"}))
		assert.Equal(t, 1, r.code, r.stderr)
		assert.Equal(t, "fail", r.outputs["status"])
		assert.Equal(t, "localizevideos/security/reports/2026-11-27.json", r.outputs["report-path"])
		assert.FileExists(t, filepath.Join(dir, r.outputs["report-path"]))
		if _, err := exec.LookPath("jq"); err == nil {
			assert.Equal(t, exampleFailing, sortedIDs(r.outputs["failed-metrics"]), "every metric with status fail")
			assert.Equal(t, exampleNotMeasured, r.outputs["not-measured-metrics"])
		}
		assert.Contains(t, r.stderr, "::error title=posture "+exampleNotMeasured+" not measured::")
		assert.Contains(t, r.summary, "| Metric | Value | Target | Status | Trend | Owner |")
		assert.Equal(t, 1, strings.Count(r.summary, "# LocalizeVideos security KPIs"),
			"the summary is written once (by posture), not again by the script")
	})

	t.Run("fail-on error", func(t *testing.T) {
		r := runAction(t, dir, bin, merge(base, map[string]string{"INPUT_COMMAND": "gate", "INPUT_FAIL_ON": "error"}))
		assert.Equal(t, 0, r.code, "a failed KPI does not fail the step")
		assert.Equal(t, "fail", r.outputs["status"])
		assert.Equal(t, exampleFailing, sortedIDs(r.outputs["failed-metrics"]))
		assert.Equal(t, exampleNotMeasured, r.outputs["not-measured-metrics"])
	})

	t.Run("error", func(t *testing.T) {
		r := runAction(t, dir, bin, merge(base, map[string]string{"INPUT_COMMAND": "eval", "INPUT_CONFIG": "missing.hcl", "INPUT_FAIL_ON": "error"}))
		assert.Equal(t, 2, r.code)
		assert.Equal(t, "error", r.outputs["status"])
		assert.Equal(t, "", r.outputs["failed-metrics"])
		assert.Equal(t, "", r.outputs["not-measured-metrics"])
	})

	t.Run("bad inputs", func(t *testing.T) {
		for _, in := range []map[string]string{
			{"INPUT_COMMAND": "eval; rm -rf /"},
			{"INPUT_COMMAND": "eval", "INPUT_COMMIT": "yes"},
			{"INPUT_COMMAND": "gate", "INPUT_COMMIT": "true"},
			{"INPUT_COMMAND": "eval", "INPUT_FAIL_ON": "sometimes"},
		} {
			r := runAction(t, dir, bin, merge(base, in))
			assert.Equal(t, 2, r.code, in)
			assert.Contains(t, r.stderr, "::error title=posture action::", in)
			assert.Empty(t, r.outputs, in)
		}
	})
}

// A command that writes a report but neither a step summary nor
// annotations: the script fills both in from the report.
func TestActionScriptFillsInSummaryAndAnnotations(t *testing.T) {
	if _, err := exec.LookPath("jq"); err != nil {
		t.Skip("jq is not installed")
	}
	dir := t.TempDir()
	fake := filepath.Join(dir, "fake-posture")
	require.NoError(t, os.WriteFile(fake, []byte(`#!/usr/bin/env bash
mkdir -p out/reports
cat > out/reports/2026-11-27.json <<'JSON'
{"schema":"posture.report/v1","project":"P","as_of":"2026-11-27T00:00:00Z","metrics":[
 {"id":"a_metric","title":"A metric","owner":"sec","unit":"count","value":3,"status":"fail","target":{"max":0},"trend":{"direction":"stable"}},
 {"id":"b_metric","title":"B metric","owner":"ops","unit":"count","value":9,"status":"tracked","target":{"trend":"down"},"trend":{"direction":"worsening"}},
 {"id":"c_metric","title":"C metric","owner":"ops","unit":"count","value":0,"status":"pass","target":{"max":0},"trend":{"direction":"stable"}},
 {"id":"d_metric","title":"D metric","owner":"ops","unit":"count","value":null,"status":"unmeasured","gate":true,"target":{"max":0},"trend":{"direction":"insufficient_history"}},
 {"id":"e_metric","title":"E metric","owner":"ops","unit":"count","value":null,"status":"unmeasured","gate":false,"target":{"max":0},"trend":{"direction":"insufficient_history"}}]}
JSON
echo "args: $*"
exit 1
`), 0o755))
	r := runAction(t, dir, fake, map[string]string{"INPUT_COMMAND": "run", "INPUT_ARGS": "--no-issues", "INPUT_AS_OF": "2026-11-27"})
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stdout, "args: --config posture.hcl --as-of 2026-11-27 run --no-issues")
	assert.Equal(t, "out/reports/2026-11-27.json", r.outputs["report-path"])
	assert.Equal(t, "a_metric", r.outputs["failed-metrics"])
	assert.Equal(t, "d_metric", r.outputs["not-measured-metrics"], "gated and unmeasured")
	assert.Contains(t, r.summary, "| `a_metric` | A metric | 3 count | max 0 | fail | stable | sec |")
	assert.Contains(t, r.stderr, "::error title=posture a_metric::A metric (a_metric, owner sec): value 3 count, status fail, trend stable")
	assert.Contains(t, r.stderr, "::warning title=posture b_metric::")
	assert.NotContains(t, r.stderr, "c_metric::")
	assert.Contains(t, r.stderr, "::error title=posture d_metric::", "a gated metric not measured fails the gate")
	assert.NotContains(t, r.stderr, "e_metric::", "not gated: only listed")

	// With a Markdown report beside it, that is the summary.
	require.NoError(t, os.WriteFile(fake, []byte(`#!/usr/bin/env bash
mkdir -p out/reports
echo '{"schema":"posture.report/v1","metrics":[]}' > out/reports/2026-11-28.json
echo '# The human report' > out/reports/2026-11-28.md
`), 0o755))
	r = runAction(t, dir, fake, map[string]string{"INPUT_COMMAND": "report"})
	assert.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, "pass", r.outputs["status"])
	assert.Equal(t, "out/reports/2026-11-28.json", r.outputs["report-path"], "the report written by this run, not an older one")
	assert.Equal(t, "# The human report\n", r.summary)
}

func merge(a, b map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		out[k] = v
	}
	return out
}

// actionMeta is the part of action.yml the tests check.
type actionMeta struct {
	Name        string            `json:"name"`
	Description string            `json:"description"`
	Author      string            `json:"author"`
	Branding    map[string]string `json:"branding"`
	Inputs      map[string]struct {
		Description string  `json:"description"`
		Required    bool    `json:"required"`
		Default     *string `json:"default"`
	} `json:"inputs"`
	Outputs map[string]struct {
		Description string `json:"description"`
		Value       string `json:"value"`
	} `json:"outputs"`
	Runs struct {
		Using string `json:"using"`
		Steps []struct {
			ID               string            `json:"id"`
			Name             string            `json:"name"`
			If               string            `json:"if"`
			Uses             string            `json:"uses"`
			Run              string            `json:"run"`
			Shell            string            `json:"shell"`
			WorkingDirectory string            `json:"working-directory"`
			With             map[string]string `json:"with"`
			Env              map[string]string `json:"env"`
		} `json:"steps"`
	} `json:"runs"`
}

func TestActionYAMLShape(t *testing.T) {
	root := repoRoot(t)
	data, err := os.ReadFile(filepath.Join(root, "action.yml"))
	require.NoError(t, err)
	var a actionMeta
	require.NoError(t, yaml.UnmarshalStrict(data, &a), "action.yml parses, with no unknown keys")

	assert.NotEmpty(t, a.Name)
	assert.NotEmpty(t, a.Description)
	assert.Equal(t, "composite", a.Runs.Using)

	defaults := map[string]string{"command": "run", "config": "posture.hcl", "as-of": "", "format": "", "commit": "false"}
	for name, def := range defaults {
		in, ok := a.Inputs[name]
		if assert.True(t, ok, "input %s", name) {
			assert.NotEmpty(t, in.Description, name)
			if assert.NotNil(t, in.Default, name) {
				assert.Equal(t, def, *in.Default, name)
			}
		}
	}
	for _, name := range []string{"status", "failed-metrics", "not-measured-metrics", "report-path"} {
		out, ok := a.Outputs[name]
		if assert.True(t, ok, "output %s", name) {
			assert.NotEmpty(t, out.Description)
			assert.Equal(t, "${{ steps.posture.outputs."+name+" }}", out.Value)
		}
	}

	// Every step: run steps name a shell; setup-go reads the action's own go.mod / go.sum.
	inputRef := regexp.MustCompile(`inputs\.([a-z-]+)`)
	var sawSetupGo, sawScript bool
	stepIDs := map[string]bool{}
	for _, s := range a.Runs.Steps {
		if s.ID != "" {
			stepIDs[s.ID] = true
		}
		assert.True(t, (s.Run == "") != (s.Uses == ""), "a step runs or uses: %+v", s)
		if s.Run != "" {
			assert.Equal(t, "bash", s.Shell, "step %q", s.Name)
		}
		if strings.HasPrefix(s.Uses, "actions/setup-go@") {
			sawSetupGo = true
			assert.Equal(t, "${{ github.action_path }}/go.mod", s.With["go-version-file"])
			assert.Equal(t, "${{ github.action_path }}/go.sum", s.With["cache-dependency-path"])
			assert.NotEmpty(t, s.With["cache"])
		}
		all := s.Run + s.If + s.WorkingDirectory
		for _, v := range s.With {
			all += v
		}
		for k, v := range s.Env {
			all += v
			if strings.HasPrefix(k, "INPUT_") {
				name := strings.ToLower(strings.ReplaceAll(strings.TrimPrefix(k, "INPUT_"), "_", "-"))
				assert.Equal(t, "${{ inputs."+name+" }}", v, "env %s", k)
			}
		}
		for _, m := range inputRef.FindAllStringSubmatch(all, -1) {
			_, ok := a.Inputs[m[1]]
			assert.True(t, ok, "step %q uses undeclared input %s", s.Name, m[1])
		}
		assert.NotContains(t, s.Run, "${{ inputs.", "inputs reach scripts through env, never spliced into the script")
		if strings.Contains(s.Run, "scripts/posture-action.sh") {
			sawScript = true
			assert.Equal(t, "posture", s.ID)
		}
	}
	assert.True(t, sawSetupGo, "actions/setup-go")
	assert.True(t, sawScript, "the step script")
	assert.True(t, stepIDs["posture"])

	// Each step script reads exactly the INPUT_ variables its step sets.
	scriptRef := regexp.MustCompile(`scripts/([a-z-]+\.sh)`)
	scripts := map[string]bool{}
	for _, s := range a.Runs.Steps {
		m := scriptRef.FindStringSubmatch(s.Run)
		if m == nil {
			continue
		}
		scripts[m[1]] = true
		script, err := os.ReadFile(filepath.Join(root, "scripts", m[1]))
		require.NoError(t, err)
		used := map[string]bool{}
		for _, v := range regexp.MustCompile(`INPUT_[A-Z_]+`).FindAllString(string(script), -1) {
			used[v] = true
		}
		set := map[string]bool{}
		for k := range s.Env {
			if strings.HasPrefix(k, "INPUT_") {
				set[k] = true
			}
		}
		assert.Equal(t, set, used, "the INPUT_ variables of %s", m[1])
	}
	assert.Equal(t, map[string]bool{"posture-install.sh": true, "posture-action.sh": true}, scripts)
	every := map[string]bool{}
	for _, s := range a.Runs.Steps {
		for k := range s.Env {
			if strings.HasPrefix(k, "INPUT_") {
				every[k] = true
			}
		}
	}
	for name := range a.Inputs {
		if name == "token" || name == "working-directory" {
			continue // the step's GITHUB_TOKEN and working-directory
		}
		k := "INPUT_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
		assert.True(t, every[k], "input %s reaches a script as %s", name, k)
	}
}

// The action installs a release first and builds from source only when the
// install step asks for it; the command runs the binary the install step names.
func TestActionInstallsBeforeBuilding(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot(t), "action.yml"))
	require.NoError(t, err)
	var a actionMeta
	require.NoError(t, yaml.UnmarshalStrict(data, &a))

	in, ok := a.Inputs["version"]
	require.True(t, ok, "input version")
	require.NotNil(t, in.Default)
	assert.Equal(t, "", *in.Default, "default: the action's own release tag, else source")
	for _, word := range []string{"latest", "source", "v0.2.0", "checksums"} {
		assert.Contains(t, in.Description, word)
	}

	steps := a.Runs.Steps
	require.NotEmpty(t, steps)
	install := steps[0]
	assert.Equal(t, "install", install.ID, "the first step installs")
	assert.Contains(t, install.Run, "scripts/posture-install.sh")
	assert.Equal(t, "${{ github.action_ref }}", install.Env["POSTURE_ACTION_REF"])
	assert.Equal(t, "${{ github.action_repository }}", install.Env["POSTURE_ACTION_REPOSITORY"])

	const fromSource = "steps.install.outputs.method == 'source'"
	var built bool
	for _, s := range steps[1:] {
		if s.ID == "posture" {
			assert.Empty(t, s.If, "the command always runs")
			assert.Equal(t, "${{ steps.install.outputs.bin }}", s.Env["POSTURE_BIN"])
			continue
		}
		assert.True(t, strings.HasPrefix(s.If, fromSource), "step %q runs only for a source build (if: %q)", s.Name, s.If)
		if strings.Contains(s.Run, "go build") {
			built = true
			assert.Equal(t, "${{ steps.install.outputs.bin }}", s.Env["POSTURE_BIN"])
			assert.Contains(t, s.Run, `-o "$POSTURE_BIN"`)
			assert.Contains(t, s.Run, "GITHUB_PATH")
		}
	}
	assert.True(t, built, "a step builds posture from source")
	assert.Equal(t, "posture", steps[len(steps)-1].ID, "the command is the last step")
}

type workflow struct {
	On          map[string]any            `json:"on"`
	OnYAML11    map[string]any            `json:"true"` // YAML 1.1 reads the key on as true
	Permissions map[string]string         `json:"permissions"`
	Concurrency map[string]any            `json:"concurrency"`
	Jobs        map[string]map[string]any `json:"jobs"`
}

func readWorkflow(t *testing.T, path string) (workflow, string) {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var w workflow
	require.NoError(t, yaml.Unmarshal(data, &w), path)
	if w.On == nil {
		w.On = w.OnYAML11
	}
	return w, string(data)
}

func TestExampleWorkflows(t *testing.T) {
	root := repoRoot(t)

	daily, text := readWorkflow(t, filepath.Join(root, "examples", "workflows", "posture-daily.yml"))
	assert.Contains(t, daily.On, "schedule")
	assert.Contains(t, daily.On, "workflow_dispatch")
	assert.Equal(t, "write", daily.Permissions["contents"])
	assert.Equal(t, "write", daily.Permissions["issues"])
	assert.NotEmpty(t, daily.Concurrency["group"], "two runs never push at once")
	assert.Equal(t, false, daily.Concurrency["cancel-in-progress"])
	assert.Contains(t, text, "command: run")
	assert.Contains(t, text, "commit: true")
	assert.Contains(t, text, "posture aggregate --month")
	assert.Contains(t, text, "posture review --quarter")

	gate, text := readWorkflow(t, filepath.Join(root, "examples", "workflows", "posture-gate.yml"))
	require.Contains(t, gate.Jobs, "deploy")
	assert.Equal(t, "gate", gate.Jobs["deploy"]["needs"])
	assert.Contains(t, text, "command: gate")
	assert.Contains(t, text, "format: sarif")
	assert.Contains(t, text, "github/codeql-action/upload-sarif@v3")
	assert.Contains(t, text, "if: always()")
	gp, _ := gate.Jobs["gate"]["permissions"].(map[string]any)
	assert.Equal(t, "write", gp["security-events"])

	for _, name := range []string{"posture-daily.yml", "posture-gate.yml"} {
		_, text := readWorkflow(t, filepath.Join(root, "examples", "workflows", name))
		assert.Contains(t, text, "uses: localizevideos/posture@v0\n", name)
		assert.Contains(t, text, "version: latest", name)
		assert.NotContains(t, text, "posture@main", name)
	}

	own, text := readWorkflow(t, filepath.Join(root, ".github", "workflows", "posture.yml"))
	assert.Contains(t, own.On, "schedule")
	assert.Contains(t, own.On, "workflow_dispatch")
	assert.Contains(t, text, "uses: ./")
	assert.Contains(t, text, "examples/localizevideos/posture.hcl")
	assert.NotContains(t, text, "commit: true")
}

// The workflow `posture init` scaffolds runs the action with a released
// posture (no `go install ...@latest`), pinned to the release running init.
func TestScaffoldWorkflow(t *testing.T) {
	b, err := scaffold.ReadFile("scaffold/" + scaffoldWorkflow)
	require.NoError(t, err)
	text := string(b)
	assert.NotContains(t, text, "go install")
	assert.NotContains(t, text, "setup-go")
	assert.Contains(t, text, "uses: localizevideos/posture@v0\n")
	assert.Contains(t, text, "version: latest #")

	var w workflow
	require.NoError(t, yaml.Unmarshal(b, &w))
	if w.On == nil {
		w.On = w.OnYAML11
	}
	assert.Contains(t, w.On, "schedule")
	assert.Equal(t, "read", w.Permissions["contents"])
	steps, _ := w.Jobs["gate"]["steps"].([]any)
	var with map[string]any
	for _, s := range steps {
		if m, _ := s.(map[string]any); m["uses"] == "localizevideos/posture@v0" {
			with, _ = m["with"].(map[string]any)
		}
	}
	require.NotNil(t, with, "a step uses the action")
	assert.Equal(t, "gate", with["command"])
	// Every input the workflow gives is one action.yml declares.
	data, err := os.ReadFile(filepath.Join(repoRoot(t), "action.yml"))
	require.NoError(t, err)
	var a actionMeta
	require.NoError(t, yaml.Unmarshal(data, &a))
	for k := range with {
		assert.Contains(t, a.Inputs, k)
	}

	for v, want := range map[string][2]string{
		"v1.4.2":                             {"uses: localizevideos/posture@v1\n", "version: v1.4.2 #"},
		"v0.3.0":                             {"uses: localizevideos/posture@v0\n", "version: v0.3.0 #"},
		"devel":                              {"uses: localizevideos/posture@v0\n", "version: latest #"},
		"v1.5.0-rc.1":                        {"uses: localizevideos/posture@v0\n", "version: latest #"},
		"v0.0.0-20261206103100-6e87c26abcde": {"uses: localizevideos/posture@v0\n", "version: latest #"},
	} {
		got := string(pinWorkflow(b, v))
		assert.Contains(t, got, want[0], v)
		assert.Contains(t, got, want[1], v)
	}

	// init writes the pinned file.
	defer func(f func() string) { buildVersion = f }(buildVersion)
	buildVersion = func() string { return "v2.1.0" }
	dir := t.TempDir()
	code, _, errs := run(t, dir, "init")
	require.Equal(t, 0, code, errs)
	got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(scaffoldWorkflow)))
	require.NoError(t, err)
	assert.Contains(t, string(got), "uses: localizevideos/posture@v2\n")
	assert.Contains(t, string(got), "version: v2.1.0 #")
}
