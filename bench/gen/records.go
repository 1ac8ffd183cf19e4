package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// file is a buffered output file.
type file struct {
	f *os.File
	*bufio.Writer
}

func (g *gen) create(rel string) (*file, error) {
	p := g.path(rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return nil, err
	}
	f, err := os.Create(p)
	if err != nil {
		return nil, err
	}
	return &file{f: f, Writer: bufio.NewWriterSize(f, 1<<20)}, nil
}

func (f *file) Close() error {
	if err := f.Flush(); err != nil {
		return err
	}
	return f.f.Close()
}

// writeCSV streams rows from next (nil ends) under the header.
func (g *gen) writeCSV(rel string, header []string, next func() []string) error {
	f, err := g.create(rel)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	if err := w.Write(header); err != nil {
		return err
	}
	for row := next(); row != nil; row = next() {
		if err := w.Write(row); err != nil {
			return err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	return f.Close()
}

// jsonArray streams the values from next (nil ends) as an indented JSON array.
func (g *gen) jsonArray(rel string, next func() any) error {
	f, err := g.create(rel)
	if err != nil {
		return err
	}
	if _, err := f.WriteString("[\n"); err != nil {
		return err
	}
	first := true
	for v := next(); v != nil; v = next() {
		b, err := json.MarshalIndent(v, "  ", "  ")
		if err != nil {
			return err
		}
		if !first {
			f.WriteString(",\n")
		}
		first = false
		f.WriteString("  ")
		f.Write(b)
	}
	f.WriteString("\n]\n")
	return f.Close()
}

func (g *gen) writeJSON(rel string, v any) error {
	f, err := g.create(rel)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(f)
	enc.SetIndent("", " ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	return f.Close()
}

// lognormal returns a duration with the given median and spread (sigma).
func lognormal(r *rand.Rand, median time.Duration, sigma float64) time.Duration {
	return time.Duration(float64(median) * math.Exp(sigma*r.NormFloat64()))
}

// ---------------------------------------------------------------------------
// accounts.csv

type system struct {
	name  string
	share int
	roles []string // weighted by repetition; "!" prefix: the privileged flag is set
}

var systems = []system{
	{"aws", 25, append(repeat("ReadOnlyAccess", 60), append(repeat("PowerUserAccess", 15), append(repeat("Billing", 20), "!AdministratorAccess", "!AdministratorAccess", "!AdministratorAccess", "admin")...)...)},
	{"okta", 30, append(repeat("member", 95), "admin", "admin", "admin", "!super administrator", "owner")},
	{"github", 20, append(repeat("member", 90), append(repeat("maintainer", 6), "owner", "owner", "admin")...)},
	{"bastion", 10, append(repeat("user", 85), append(repeat("!sudo", 10), "root", "root")...)},
	{"postgres", 15, append(repeat("readonly", 70), append(repeat("readwrite", 25), "superuser", "superuser", "superuser")...)},
}

func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}

func (g *gen) accounts() error {
	r := g.rng("accounts")
	n := 1000 * g.scale
	cutoff := asOf.Add(-90 * 24 * time.Hour)
	perSystem := map[string]int{}
	type acc struct{ system, login string }
	var written []acc
	i := 0
	return g.writeCSV("data/exports/accounts.csv",
		[]string{"system", "login", "role", "privileged", "status", "mfa", "created_at", "last_active_at"},
		func() []string {
			if i >= n {
				return nil
			}
			i++
			if len(written) > 10 && chance(r, 0.005) {
				// the same login exported again by another job, with gaps
				a := pick(r, written)
				return []string{a.system, a.login, "", "", "", "", "", rfc3339(within(r, asOf.Add(-20*24*time.Hour), asOf))}
			}
			k := r.IntN(100)
			var s system
			for _, s = range systems {
				if k < s.share {
					break
				}
				k -= s.share
			}
			idx := perSystem[s.name]
			perSystem[s.name]++
			login := person(idx)
			if chance(r, 0.1) {
				login = fmt.Sprintf("svc-%s-%d", pick(r, []string{"backup", "ci", "terraform", "reporting", "transcoder", "metrics", "deployer"}), idx)
			}
			if s.name == "github" {
				login = strings.ReplaceAll(login, ".", "-")
			}
			role := pick(r, s.roles)
			privileged := "false"
			if strings.HasPrefix(role, "!") {
				role, privileged = role[1:], "true"
			}
			status := "active"
			switch q := r.IntN(100); {
			case q < 4:
				status = ""
			case q < 7:
				status = "Active"
			case q < 13:
				status = "disabled"
			case q < 15:
				status = "suspended"
			}
			mfa := "true"
			switch q := r.IntN(100); {
			case q < 10:
				mfa = "false"
			case q < 14:
				mfa = ""
			case q < 20 && s.name == "okta":
				mfa = "yes"
			}
			created := within(r, asOf.Add(-6*365*24*time.Hour), asOf.Add(-24*time.Hour))
			last := ""
			var lastT time.Time
			switch q := r.IntN(100); {
			case status == "disabled" || status == "suspended":
				lastT = within(r, created, asOf.Add(-60*24*time.Hour))
			case q < 85:
				lastT = within(r, asOf.Add(-30*24*time.Hour), asOf)
			case q < 93:
				lastT = within(r, asOf.Add(-90*24*time.Hour), asOf.Add(-30*24*time.Hour))
			case q < 98:
				lastT = within(r, created, cutoff)
			}
			if !lastT.IsZero() {
				if lastT.Before(created) {
					lastT = created
				}
				last = rfc3339(lastT)
			}
			active := status == "" || strings.EqualFold(status, "active")
			scope := s.name + "/" + login
			if active && ((last != "" && lastT.Before(cutoff)) || (last == "" && created.Before(cutoff))) {
				g.orphans = append(g.orphans, scope)
			}
			if active && mfa == "false" && (privileged == "true" || role == "admin" || role == "owner" || role == "root" || role == "superuser") {
				g.noMFAAdmins = append(g.noMFAAdmins, scope)
			}
			if s.name == "bastion" && active && len(g.bastionUsers) < 40 {
				g.bastionUsers = append(g.bastionUsers, login)
			}
			written = append(written, acc{s.name, login})
			return []string{s.name, login, role, privileged, status, mfa, rfc3339(created), last}
		})
}

// ---------------------------------------------------------------------------
// tokens.csv

func (g *gen) tokens() error {
	r := g.rng("tokens")
	n := 1000 * g.scale
	i := 0
	return g.writeCSV("data/exports/tokens.csv", []string{"id", "account", "created_at", "expires_at", "revoked", "scopes"}, func() []string {
		if i >= n {
			return nil
		}
		i++
		created := within(r, asOf.Add(-730*24*time.Hour), asOf.Add(-time.Hour))
		if chance(r, 0.4) {
			created = within(r, asOf.Add(-90*24*time.Hour), asOf.Add(-time.Hour))
		}
		expires := ""
		switch q := r.IntN(100); {
		case q < 20:
			expires = rfc3339(created.Add(30 * 24 * time.Hour))
		case q < 35:
			expires = rfc3339(created.Add(60 * 24 * time.Hour))
		case q < 70:
			expires = rfc3339(created.Add(90 * 24 * time.Hour))
		case q < 80:
			expires = rfc3339(created.Add(180 * 24 * time.Hour))
		case q < 90:
			expires = rfc3339(created.Add(365 * 24 * time.Hour))
		}
		revoked := "false"
		if chance(r, 0.15) {
			revoked = pick(r, []string{"true", "true", "yes"})
		}
		account := pick(r, systems).name + "/" + person(r.IntN(800*g.scale))
		return []string{fmt.Sprintf("tok_%s%06d", strings.ToUpper(hexString(r, 6)), i), account, rfc3339(created), expires, revoked,
			pick(r, []string{"read", "read write", "deploy", "admin"})}
	})
}

// ---------------------------------------------------------------------------
// incidents.csv and alerts.csv

var incidentTitles = []string{"Credential stuffing against the web login", "S3 bucket with subtitle drafts publicly listable",
	"Phishing mail to finance, credentials entered", "GitHub PAT leaked in a public gist", "Ransomware note on a build agent",
	"Customer API key used from an unexpected country", "Transcoder worker mining cryptocurrency", "DDoS on the upload API",
	"Misconfigured CORS on the API", "Expired certificate on the TV endpoint", "Suspicious admin login at night",
	"Secrets in a Docker image layer"}

type incident struct {
	id       string
	detected time.Time
}

func (g *gen) incidentsAndAlerts() error {
	r := g.events("incidents")
	n := 100 * g.scale
	var incs []incident
	i := 0
	err := g.writeCSV("data/exports/incidents.csv", []string{"id", "title", "severity", "started_at", "detected_at", "resolved_at"}, func() []string {
		if i >= n {
			return nil
		}
		i++
		id := fmt.Sprintf("INC-2026-%05d", i)
		detected := within(r, asOf.Add(-60*24*time.Hour), asOf)
		started := detected.Add(-lognormal(r, 3*time.Hour, 1.2))
		resolved := detected.Add(lognormal(r, 8*time.Hour, 1.0))
		sev := ""
		switch q := r.IntN(100); {
		case q < 5:
			sev = pick(r, []string{"Sev 1", "SEV-1", "sev1"})
		case q < 25:
			sev = pick(r, []string{"Sev 2", "SEV-2", "sev2"})
		case q < 70:
			sev = pick(r, []string{"Sev 3", "sev3"})
		default:
			sev = pick(r, []string{"Sev 4", "sev4"})
		}
		row := []string{id, pick(r, incidentTitles), sev, rfc3339(started), rfc3339(detected), rfc3339(resolved)}
		if chance(r, 0.05) {
			row[3] = ""
		}
		if chance(r, 0.1) || resolved.After(asOf) {
			row[5] = ""
		}
		incs = append(incs, incident{id, detected})
		return row
	})
	if err != nil {
		return err
	}
	r = g.events("alerts")
	n, i = 1000*g.scale, 0
	names := []string{"CertificateExpiringSoon", "KubePodCrashLooping", "AuthzFailuresHigh", "LoginFailuresHigh", "HighErrorRate",
		"NodeDiskPressure", "WAFBlockSpike", "UnusualEgressTraffic", "GuardDutyFinding"}
	return g.writeCSV("data/exports/alerts.csv", []string{"id", "fired_at", "alertname", "severity", "incident_id"}, func() []string {
		if i >= n {
			return nil
		}
		i++
		fired := within(r, asOf.Add(-span), asOf)
		linked := ""
		if chance(r, 0.08) {
			inc := pick(r, incs)
			linked = inc.id
			if d := inc.detected.Add(-lognormal(r, 30*time.Minute, 1)); d.Before(asOf) {
				fired = d
			}
		}
		return []string{fmt.Sprintf("ALR-%07d", 40000+i), rfc3339(fired), pick(r, names), pick(r, []string{"info", "warning", "warning", "critical"}), linked}
	})
}

// ---------------------------------------------------------------------------
// audit_findings.csv

var auditTitles = []string{"Quarterly user access reviews not evidenced (CC6.2)", "Terminated employee access not removed within 24h (CC6.3)",
	"Change approvals missing for production changes (CC8.1)", "Backup restore test not performed in period (A1.3)",
	"Vendor risk assessment overdue (CC9.2)", "Encryption at rest not enabled for a data store (CC6.1)",
	"Incident response tabletop not performed (CC7.4)", "Logging retention below policy (CC7.2)"}

func (g *gen) auditFindings() error {
	r := g.events("audit")
	n := 40 * g.scale
	i := 0
	return g.writeCSV("data/exports/audit_findings.csv", []string{"id", "title", "severity", "status", "opened_at", "closed_at"}, func() []string {
		if i >= n {
			return nil
		}
		i++
		opened := within(r, asOf.Add(-400*24*time.Hour), asOf)
		status := pick(r, []string{"Open", "open", "Closed", "closed", "In Progress", "Risk Accepted"})
		closed := ""
		if strings.EqualFold(status, "closed") {
			closed = within(r, opened, asOf).Format("2006-01-02")
		}
		op := opened.Format("2006-01-02")
		if chance(r, 0.05) {
			op = ""
		}
		return []string{fmt.Sprintf("SOC2-2026-%04d", i), pick(r, auditTitles), pick(r, []string{"High", "Medium", "medium", "Low"}), status, op, closed}
	})
}

// ---------------------------------------------------------------------------
// deployments.json

type deployment struct {
	ID          string   `json:"id"`
	Repo        string   `json:"repo,omitempty"`
	Environment string   `json:"environment"`
	SHA         string   `json:"sha"`
	Ref         string   `json:"ref"`
	Task        string   `json:"task"`
	Description string   `json:"description"`
	Creator     string   `json:"creator"`
	CreatedAt   string   `json:"created_at"`
	Status      string   `json:"status"`
	Statuses    []string `json:"statuses,omitempty"`
}

func (g *gen) deployments() error {
	r := g.events("deployments")
	n := 500 * g.scale
	repos := []string{"localizevideos/web", "localizevideos/api", "localizevideos/transcoder", "localizevideos/player"}
	for i := 1; i < g.scale; i++ {
		repos = append(repos, fmt.Sprintf("localizevideos/svc-%03d", i))
	}
	type repoState struct {
		shas    []string
		version int
	}
	state := map[string]*repoState{}
	t := asOf.Add(-span)
	step := span / time.Duration(n+1)
	i := 0
	var pending []any
	return g.jsonArray("data/deploy/deployments.json", func() any {
		if len(pending) > 0 {
			v := pending[0]
			pending = pending[1:]
			return v
		}
		if i >= n {
			return nil
		}
		repo := pick(r, repos)
		st := state[repo]
		if st == nil {
			st = &repoState{}
			state[repo] = st
		}
		st.version++
		sha := hexString(r, 40)
		tag := fmt.Sprintf("refs/tags/v2026.%d.%d", 10+st.version/30, st.version%30)
		creator := "github-actions[bot]"
		if chance(r, 0.04) {
			creator = pick(r, []string{"anna-keller", "sre-lead", "plat-oncall"})
		}
		status := func() string {
			switch q := r.IntN(100); {
			case q < 90:
				return "success"
			case q < 95:
				return "failure"
			case q < 97:
				return "error"
			}
			return "in_progress"
		}
		prodEnv := "production"
		if t.Before(time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC)) {
			prodEnv = "prod"
		}
		mk := func(env, sha, ref, task, desc string, at time.Time, status string) *deployment {
			i++
			d := &deployment{ID: strconv.Itoa(2284510000 + i*7), Repo: repo, Environment: env, SHA: sha, Ref: ref, Task: task,
				Description: desc, Creator: creator, CreatedAt: rfc3339(clamp(at)), Status: status}
			if status == "success" && chance(r, 0.2) {
				d.Status, d.Statuses = "inactive", []string{"success", "inactive"}
			}
			return d
		}
		t = t.Add(time.Duration(float64(step) * 3.6 * r.Float64()))
		if t.After(asOf.Add(-time.Hour)) {
			t = asOf.Add(-time.Hour)
		}
		switch q := r.IntN(100); {
		case q < 4 && len(st.shas) > 1: // redeploy an earlier good sha
			old := st.shas[r.IntN(len(st.shas)-1)]
			d := mk(prodEnv, old, "refs/heads/main", "deploy", "Deploy "+old[:7]+" to "+prodEnv, t, "success")
			st.shas = append(st.shas, old)
			return d
		case q < 6 && len(st.shas) > 0:
			old := st.shas[len(st.shas)-1]
			return mk(prodEnv, old, "refs/heads/main", "rollback", "Rollback "+repo+" after failed release", t, "success")
		case q < 12:
			return mk("preview-"+strconv.Itoa(r.IntN(900)+100), sha, "refs/pull/"+strconv.Itoa(r.IntN(3000))+"/head", "deploy", "Preview", t, status())
		}
		stg := mk("staging", sha, tag, "deploy", "Deploy "+tag[10:]+" to staging", t, status())
		if stg.Status == "failure" || stg.Status == "error" {
			return stg
		}
		pst := status()
		pending = append(pending, mk(prodEnv, sha, tag, "deploy", "Deploy "+tag[10:]+" to "+prodEnv, t.Add(time.Duration(1+r.IntN(5))*time.Hour), pst))
		if pst == "success" {
			st.shas = append(st.shas, sha)
		}
		return stg
	})
}

// ---------------------------------------------------------------------------
// Scanner reports.

type advisory struct {
	id, pkg, version, fixed, severity, title string
}

var (
	osPackages = []string{"libcrypto3", "libssl3", "busybox", "musl", "zlib", "curl", "libcurl", "expat", "sqlite-libs",
		"libxml2", "openssh-client", "ncurses-libs", "libavfilter9", "libavcodec60", "libc6", "libgnutls30", "libtiff6", "python3.12"}
	goModules = []string{"golang.org/x/crypto", "golang.org/x/net", "golang.org/x/text", "google.golang.org/grpc",
		"github.com/golang-jwt/jwt/v4", "github.com/docker/docker", "stdlib", "github.com/gin-gonic/gin", "gopkg.in/yaml.v3"}
	vulnWords = []string{"heap buffer overflow", "use after free", "denial of service", "request smuggling", "path traversal",
		"improper certificate validation", "integer overflow", "out-of-bounds read", "regular expression DoS", "privilege escalation"}
)

// advisories is the vulnerability database the scans draw from: n entries.
func advisories(r *rand.Rand, n int, prefix string, pkgs []string) []advisory {
	out := make([]advisory, n)
	for i := range out {
		var sev string
		switch q := r.IntN(100); {
		case q < 5:
			sev = "CRITICAL"
		case q < 25:
			sev = "HIGH"
		case q < 70:
			sev = "MEDIUM"
		case q < 95:
			sev = "LOW"
		default:
			sev = "UNKNOWN"
		}
		pkg := pick(r, pkgs)
		out[i] = advisory{
			id:       fmt.Sprintf("%s-%d-%d", prefix, 2023+r.IntN(4), 10000+i),
			pkg:      pkg,
			version:  fmt.Sprintf("%d.%d.%d-r%d", 1+r.IntN(3), r.IntN(20), r.IntN(10), r.IntN(3)),
			severity: sev,
			title:    pkg + ": " + pick(r, vulnWords),
		}
		out[i].fixed = out[i].version + ".1"
	}
	return out
}

// choose returns k distinct entries, common ones (the base image's) more often.
func choose(r *rand.Rand, db []advisory, k int) []advisory {
	seen := map[int]bool{}
	var out []advisory
	for len(out) < k && len(seen) < len(db) {
		j := r.IntN(r.IntN(len(db)) + 1)
		if chance(r, 0.5) {
			j = r.IntN(len(db))
		}
		if seen[j] {
			continue
		}
		seen[j] = true
		out = append(out, db[j])
	}
	return out
}

// current returns the findings of one scan on g.day: the default day's list
// with the slots whose finding has been replaced since (g.churned) holding
// another advisory of db, distinct from the rest of the list.
func (g *gen) current(name string, db []advisory, base []advisory) []advisory {
	out := make([]advisory, len(base))
	copy(out, base)
	if g.day == 0 {
		return out
	}
	seen := map[string]bool{}
	var redo []int
	for i, a := range base {
		if _, ok := g.churned(name, i); ok {
			redo = append(redo, i)
		} else {
			seen[a.id] = true
		}
	}
	for _, i := range redo {
		cr, _ := g.churned(name, i)
		for try := 0; try < 20; try++ {
			j := cr.IntN(cr.IntN(len(db)) + 1)
			if chance(cr, 0.5) {
				j = cr.IntN(len(db))
			}
			if !seen[db[j].id] {
				out[i] = db[j]
				break
			}
		}
		seen[out[i].id] = true
	}
	return out
}

func (g *gen) noteHigh(sev, key string) {
	if s := strings.ToLower(sev); s == "high" || s == "critical" {
		g.highKeys = append(g.highKeys, key)
	}
}

func (g *gen) trivy() error {
	r := g.rng("trivy")
	db := advisories(r, 500*g.scale, "CVE", osPackages)
	images := 4 * g.scale
	per := 600 * g.scale / images
	for im := 0; im < images; im++ {
		name := fmt.Sprintf("ghcr.io/localizevideos/%s-%03d:2026.11.%d", pick(r, []string{"api", "web", "worker", "player"}), im, 1+r.IntN(26))
		target := name + " (alpine 3.20.3)"
		var vulns []map[string]any
		base := choose(r, db, per)
		cur := g.current(fmt.Sprintf("trivy/%d", im), db, base)
		for k, a := range cur {
			vulns = append(vulns, map[string]any{
				"VulnerabilityID": a.id, "PkgID": a.pkg + "@" + a.version, "PkgName": a.pkg,
				"InstalledVersion": a.version, "FixedVersion": a.fixed, "Status": "fixed",
				"SeveritySource": "nvd", "PrimaryURL": "https://avd.aquasec.com/nvd/" + strings.ToLower(a.id),
				"Title": a.title, "Description": "A " + a.title + " allows remote attackers to cause harm via crafted input.",
				"Severity": a.severity, "CweIDs": []string{"CWE-" + strconv.Itoa(20+r.IntN(900))},
				"CVSS":          map[string]any{"nvd": map[string]any{"V3Vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "V3Score": 5 + r.Float64()*5}},
				"PublishedDate": "2025-02-11T16:15:38.827Z", "LastModifiedDate": "2025-06-02T18:44:11.000Z",
			})
			b := base[k] // the exceptions are written for the default day's findings
			g.noteHigh(b.severity, b.id+"|"+b.pkg+"|"+target)
		}
		report := map[string]any{
			"SchemaVersion": 2, "CreatedAt": rfc3339(asOf.Add(-21*time.Hour - 50*time.Minute)), "ArtifactName": name, "ArtifactType": "container_image",
			"Metadata": map[string]any{"OS": map[string]any{"Family": "alpine", "Name": "3.20.3"}},
			"Results": []map[string]any{
				{"Target": target, "Class": "os-pkgs", "Type": "alpine", "Vulnerabilities": vulns},
				{"Target": "app/" + strings.SplitN(name, ":", 2)[0][len("ghcr.io/localizevideos/"):], "Class": "lang-pkgs", "Type": "gobinary", "Vulnerabilities": nil},
			},
		}
		if err := g.writeJSON(fmt.Sprintf("data/scans/trivy-%03d.json", im), report); err != nil {
			return err
		}
	}
	return nil
}

func (g *gen) grype() error {
	r := g.rng("grype")
	db := advisories(r, 250*g.scale, "CVE", osPackages)
	images := 2 * g.scale
	per := 200 * g.scale / images
	for im := 0; im < images; im++ {
		ref := fmt.Sprintf("ghcr.io/localizevideos/transcoder-%03d:2026.11.%d", im, 1+r.IntN(26))
		var matches []map[string]any
		base := choose(r, db, per)
		cur := g.current(fmt.Sprintf("grype/%d", im), db, base)
		for k, a := range cur {
			sev := strings.ToUpper(a.severity[:1]) + strings.ToLower(a.severity[1:])
			// r draws for the default day's finding, so that a replaced one does not shift the rest
			if base[k].severity == "LOW" && chance(r, 0.3) && sev == "Low" {
				sev = "Negligible"
			}
			matches = append(matches, map[string]any{
				"vulnerability": map[string]any{
					"id": a.id, "dataSource": "https://ubuntu.com/security/" + a.id, "namespace": "ubuntu:distro:ubuntu:24.04",
					"severity": sev, "description": "A " + a.title + " in " + a.pkg + ".",
					"fix": map[string]any{"versions": []string{a.fixed}, "state": "fixed"},
				},
				"relatedVulnerabilities": []any{},
				"matchDetails":           []map[string]any{{"type": "exact-indirect-match", "matcher": "dpkg-matcher"}},
				"artifact":               map[string]any{"id": hexString(r, 16), "name": a.pkg, "version": a.version, "type": "deb"},
			})
			b := base[k]
			g.noteHigh(b.severity, b.id+"|"+b.pkg+"|"+ref)
		}
		report := map[string]any{
			"matches":    matches,
			"source":     map[string]any{"type": "image", "target": map[string]any{"userInput": ref, "imageID": "sha256:" + hexString(r, 64), "tags": []string{ref}}},
			"distro":     map[string]any{"name": "ubuntu", "version": "24.04"},
			"descriptor": map[string]any{"name": "grype", "version": "0.86.1"},
		}
		if err := g.writeJSON(fmt.Sprintf("data/scans/grype-%03d.json", im), report); err != nil {
			return err
		}
	}
	return nil
}

func (g *gen) govulncheck() error {
	r := g.rng("govulncheck")
	for m := 0; m < g.scale; m++ {
		f, err := g.create(fmt.Sprintf("data/scans/govulncheck-%03d.json", m))
		if err != nil {
			return err
		}
		enc := json.NewEncoder(f)
		enc.SetIndent("", "  ")
		_ = enc.Encode(map[string]any{"config": map[string]any{"protocol_version": "v1.0.0", "scanner_name": "govulncheck", "scanner_version": "v1.1.4",
			"db": "https://vuln.go.dev", "go_version": "go1.25.4", "scan_level": "symbol", "scan_mode": "source"}})
		_ = enc.Encode(map[string]any{"progress": map[string]any{"message": "Scanning your code and 412 packages across 61 dependent modules for known vulnerabilities..."}})
		for i := 0; i < 50; i++ {
			id := fmt.Sprintf("GO-%d-%04d", 2024+r.IntN(3), 1000+r.IntN(3000))
			mod := pick(r, goModules)
			osv := map[string]any{"schema_version": "1.3.1", "id": id, "summary": mod + ": " + pick(r, vulnWords),
				"details":  "A " + pick(r, vulnWords) + " in " + mod + ".",
				"affected": []map[string]any{{"package": map[string]any{"name": mod, "ecosystem": "Go"}}}}
			if chance(r, 0.6) {
				osv["severity"] = []map[string]any{{"type": "CVSS_V3", "score": pick(r, []string{
					"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:H", "CVSS:3.1/AV:L/AC:H/PR:L/UI:N/S:U/C:L/I:N/A:N"})}}
			}
			_ = enc.Encode(map[string]any{"osv": osv}) // maps of plain values: only a write can fail, and Close reports it
			for c := 0; c < 1+r.IntN(3); c++ {
				fn := pick(r, []string{"Conn.Read", "ParseRequest", "Unmarshal", "Client.Do", "Verify"})
				_ = enc.Encode(map[string]any{"finding": map[string]any{"osv": id, "fixed_version": "v0." + strconv.Itoa(30+r.IntN(20)) + ".0",
					"trace": []map[string]any{
						{"module": mod, "version": "v0.2" + strconv.Itoa(r.IntN(9)) + ".0", "package": mod, "function": fn},
						{"module": "github.com/localizevideos/api", "package": "github.com/localizevideos/api/internal/jobs", "function": "Run"},
					}}})
			}
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	return nil
}

var codeqlRules = []struct {
	id, name string
	severity string
}{
	{"go/sql-injection", "Database query built from user-controlled sources", "8.8"},
	{"go/request-forgery", "Uncontrolled data used in network request", "9.1"},
	{"go/path-injection", "Uncontrolled data used in path expression", "7.5"},
	{"go/reflected-xss", "Reflected cross-site scripting", "6.1"},
	{"go/log-injection", "Log entries created from user input", "7.8"},
	{"go/incomplete-hostname-regexp", "Incomplete regular expression for hostnames", "7.8"},
	{"go/clear-text-logging", "Clear-text logging of sensitive information", "7.5"},
	{"go/weak-crypto-key", "Use of a weak cryptographic key", "7.5"},
	{"go/insecure-tls", "Insecure TLS configuration", "7.5"},
	{"go/unsafe-quoting", "Potentially unsafe quoting", "9.3"},
	{"go/zipslip", "Arbitrary file access during archive extraction", "7.5"},
	{"go/allocation-size-overflow", "Size computation for allocation may overflow", "8.1"},
	{"go/missing-jwt-signature-check", "Missing JWT signature check", "7.0"},
	{"go/uncontrolled-allocation-size", "Slice memory allocation with excessive size value", "6.5"},
	{"go/disabled-certificate-check", "Disabled TLS certificate check", "7.5"},
	{"go/redundant-recover", "Redundant call to recover", ""},
}

func (g *gen) sarif() error {
	r := g.rng("sarif")
	var rules []map[string]any
	for _, ru := range codeqlRules {
		props := map[string]any{"tags": []string{"security"}, "precision": "high", "problem.severity": "error"}
		if ru.severity != "" {
			props["security-severity"] = ru.severity
		}
		rules = append(rules, map[string]any{"id": ru.id, "name": ru.id, "shortDescription": map[string]any{"text": ru.name},
			"defaultConfiguration": map[string]any{"enabled": true, "level": "error"}, "properties": props})
	}
	n := 150 * g.scale
	results := make([]map[string]any, 0, n)
	for i := 0; i < n; i++ {
		ri := r.IntN(len(codeqlRules))
		uri := fmt.Sprintf("internal/%s/%s_%d.go", pick(r, []string{"api", "jobs", "upload", "auth", "player", "billing"}),
			pick(r, []string{"handler", "store", "client", "service"}), r.IntN(40*g.scale))
		line, hash := 1+r.IntN(400), hexString(r, 16)
		suppressed := chance(r, 0.03)
		if s, _ := strconv.ParseFloat(codeqlRules[ri].severity, 64); !suppressed && s >= 7 {
			g.noteHigh("high", codeqlRules[ri].id+"||"+uri) // the default day's, for the exceptions
		}
		if cr, ok := g.churned("sarif", i); ok { // fixed; a new alert in its place
			ri = cr.IntN(len(codeqlRules))
			uri = fmt.Sprintf("internal/%s/%s_%d.go", pick(cr, []string{"api", "jobs", "upload", "auth", "player", "billing"}),
				pick(cr, []string{"handler", "store", "client", "service"}), cr.IntN(40*g.scale))
			line, hash = 1+cr.IntN(400), hexString(cr, 16)
		}
		res := map[string]any{"ruleId": codeqlRules[ri].id, "ruleIndex": ri, "level": "error",
			"message": map[string]any{"text": codeqlRules[ri].name + "."},
			"locations": []map[string]any{{"physicalLocation": map[string]any{
				"artifactLocation": map[string]any{"uri": uri, "uriBaseId": "%SRCROOT%", "index": 0},
				"region":           map[string]any{"startLine": line, "startColumn": 2, "endColumn": 40}}}},
			"partialFingerprints": map[string]any{"primaryLocationLineHash": hash + ":1"}}
		if suppressed {
			res["suppressions"] = []map[string]any{{"kind": "inSource"}}
		}
		results = append(results, res)
	}
	doc := map[string]any{"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0",
		"runs": []map[string]any{{"tool": map[string]any{"driver": map[string]any{"name": "CodeQL", "organization": "GitHub",
			"semanticVersion": "2.23.5", "rules": rules}}, "results": results}}}
	return g.writeJSON("data/scans/codeql-go.sarif", doc)
}
