package awsiam

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources/internal/timefmt"
)

// rootUser is the user column of the root user's row.
const rootUser = "<root_account>"

// The columns the mapping reads; a report without one of them is an error
// (AWS adds columns at the end, never renames them).
var reportColumns = []string{
	"user", "arn", "user_creation_time", "password_enabled", "password_last_used", "mfa_active",
	"access_key_1_active", "access_key_1_last_rotated", "access_key_1_last_used_date",
	"access_key_2_active", "access_key_2_last_rotated", "access_key_2_last_used_date",
}

// Optional columns: read when present.
var certColumns = []string{"cert_1_active", "cert_2_active"}

// reportRow is one user of a credential report.
type reportRow struct {
	line    int // line in the CSV (the header is line 1)
	user    string
	arn     string
	account string // account id from the ARN
	cols    map[string]string
}

func (r reportRow) root() bool { return r.user == rootUser }

// origin is the row's origin: the user's ARN and its line in the report.
func (r reportRow) origin() string {
	return fmt.Sprintf("%s#credential-report:line %d", r.arn, r.line)
}

// parseReport decodes a credential report (CSV with a header line).
func parseReport(content []byte) ([]reportRow, error) {
	rd := csv.NewReader(bytes.NewReader(content))
	rd.FieldsPerRecord = -1
	header, err := rd.Read()
	if err != nil {
		return nil, fmt.Errorf("credential report: no header: %w", err)
	}
	idx := map[string]int{}
	for i, h := range header {
		idx[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	for _, c := range reportColumns {
		if _, ok := idx[c]; !ok {
			return nil, fmt.Errorf("credential report: column %q missing from the header", c)
		}
	}
	var rows []reportRow
	for {
		rec, err := rd.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("credential report: %w", err)
		}
		line, _ := rd.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		r := reportRow{line: line, cols: map[string]string{}}
		for name, i := range idx {
			if i < len(rec) {
				r.cols[name] = strings.TrimSpace(rec[i])
			}
		}
		r.user, r.arn = r.cols["user"], r.cols["arn"]
		if r.user == "" || r.arn == "" {
			return nil, fmt.Errorf("credential report line %d: empty user or arn", line)
		}
		r.account = arnAccount(r.arn)
		if r.account == "" {
			return nil, fmt.Errorf("credential report line %d: arn %q is not an IAM ARN", line, r.arn)
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// arnAccount returns the account id of an ARN (arn:partition:service:region:account:resource).
func arnAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || !isAccountID(parts[4]) {
		return ""
	}
	return parts[4]
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// flag reads a report boolean ("true"/"false", any case). Anything else
// (N/A, not_supported) is nil.
func (r reportRow) flag(col string) *bool {
	switch strings.ToLower(r.cols[col]) {
	case "true":
		t := true
		return &t
	case "false":
		f := false
		return &f
	}
	return nil
}

func (r reportRow) on(col string) bool {
	b := r.flag(col)
	return b != nil && *b
}

// when reads a report time: ISO 8601 with offset. N/A, no_information,
// not_supported and empty are unknown (ok true, zero time); anything else
// that does not parse is an error.
func (r reportRow) when(col string) (time.Time, error) {
	v := r.cols[col]
	switch strings.ToLower(v) {
	case "", "n/a", "no_information", "not_supported":
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("credential report line %d: %s %q is not an ISO 8601 time", r.line, col, v)
	}
	return t, nil
}

func ptrs(t time.Time) (*string, *int64) {
	if t.IsZero() {
		return nil, nil
	}
	return timefmt.Ptrs(t)
}

// Status of a user without any active credential.
const statusNoCredentials = "no_credentials"

// mapRow maps a report row onto its account and its access keys. admin
// says whether an admin policy is attached to the user.
func mapRow(r reportRow, admin bool, source string) (snapshot.Account, []snapshot.Token, error) {
	system := "aws:" + r.account
	a := snapshot.Account{
		System: system, Login: r.user, Role: "user", Status: "active",
		MFA: r.flag("mfa_active"), Source: source, Origin: r.origin(),
	}
	switch {
	case r.root():
		a.Role, a.Privileged = "root", true
	case admin:
		a.Role, a.Privileged = "admin", true
	}
	created, err := r.when("user_creation_time")
	if err != nil {
		return a, nil, err
	}
	a.CreatedAt, a.CreatedAtMS = ptrs(created)

	var last time.Time
	for _, col := range []string{"password_last_used", "access_key_1_last_used_date", "access_key_2_last_used_date"} {
		t, err := r.when(col)
		if err != nil {
			return a, nil, err
		}
		if t.After(last) {
			last = t
		}
	}
	a.LastActiveAt, a.LastActiveAtMS = ptrs(last)

	credential := r.root() || r.on("password_enabled") || r.on("access_key_1_active") || r.on("access_key_2_active")
	for _, c := range certColumns {
		credential = credential || r.on(c)
	}
	if !credential {
		a.Status = statusNoCredentials
	}

	var tokens []snapshot.Token
	for _, n := range []string{"1", "2"} {
		rotated, err := r.when("access_key_" + n + "_last_rotated")
		if err != nil {
			return a, nil, err
		}
		active := r.on("access_key_" + n + "_active")
		if rotated.IsZero() && !active {
			continue // no key in this slot
		}
		t := snapshot.Token{
			ID:      r.arn + "#access_key_" + n,
			Account: system + "/" + r.user,
			Revoked: !active,
			Source:  source,
			Origin:  r.origin() + ":access_key_" + n,
		}
		t.CreatedAt, t.CreatedAtMS = ptrs(rotated)
		tokens = append(tokens, t)
	}
	return a, tokens, nil
}
