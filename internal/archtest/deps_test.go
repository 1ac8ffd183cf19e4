package archtest

import (
	"errors"
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/localizevideos/posture"

// opaFree are the packages that score, store, aggregate and render reports:
// they must build without the policy engine.
var opaFree = []string{
	"kpi",
	"report",
	"report/publish",
	"report/rollup",
	"report/synthetic",
	"output",
	"output/actions",
	"output/dashboard",
	"output/dashboard/internal/demo",
	"output/issue",
	"output/openmetrics",
	"output/periodic",
	"output/text",
	"history",
	"config",
}

// deps runs `go list -deps` on pkgs (module-relative) and returns each
// package's dependencies.
func deps(t *testing.T, pkgs ...string) map[string][]string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go is not on PATH")
	}
	args := []string{"list", "-f", "{{.ImportPath}} {{join .Deps \" \"}}"}
	for _, p := range pkgs {
		args = append(args, module+"/"+p)
	}
	cmd := exec.Command(goBin, args...)
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("go list: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("go list: %v", err)
	}
	got := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) > 0 {
			got[f[0]] = f[1:]
		}
	}
	for _, p := range pkgs {
		if _, ok := got[module+"/"+p]; !ok {
			t.Fatalf("go list gave nothing for %s:\n%s", p, out)
		}
	}
	return got
}

func TestReportPackagesDoNotDependOnOPA(t *testing.T) {
	for pkg, ds := range deps(t, opaFree...) {
		var opa []string
		for _, d := range ds {
			if strings.HasPrefix(d, "github.com/open-policy-agent/") {
				opa = append(opa, d)
			}
		}
		if len(opa) > 0 {
			t.Errorf("%s depends on %d OPA packages (e.g. %s): score with package kpi, not engine", pkg, len(opa), opa[0])
		}
	}
}

func TestEngineDoesNotDependOnConfig(t *testing.T) {
	for pkg, ds := range deps(t, "engine", "kpi") {
		for _, d := range ds {
			if d == module+"/config" {
				t.Errorf("%s depends on config: translate the config where the pipeline is wired (internal/app)", pkg)
			}
		}
	}
}

// The commands go through the pipeline (internal/app), never its steps:
// internal/cli writes no report file, ledger, store entry or history itself.
func TestCommandsCallThePipeline(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go is not on PATH")
	}
	cmd := exec.Command(goBin, "list", "-f", `{{join .Imports " "}}`, module+"/internal/cli")
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	steps := []string{"report/publish", "ledger", "store", "history", "report/synthetic", "sources/configfiles"}
	for _, imp := range strings.Fields(string(out)) {
		for _, s := range steps {
			if imp == module+"/"+s {
				t.Errorf("internal/cli imports %s: call the pipeline (internal/app) instead", s)
			}
		}
	}
}
