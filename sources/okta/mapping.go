package okta

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources/internal/timefmt"
)

// statusActive is the account status of a user who can sign in: the
// policies count "" and "active" as active.
const statusActive = "active"

// accountStatus maps an Okta user status onto the account status. A user
// who can still sign in (or finish signing up, or unlock, or recover) is
// active: ACTIVE, PASSWORD_EXPIRED (signs in, then changes the password),
// LOCKED_OUT (unlocked by time or by an admin, rights intact), RECOVERY
// (finishing a password reset) and PROVISIONED (activated, the user has
// yet to set a password: the activation link signs them in). The others
// are recorded lower-cased and are not active: STAGED (never activated),
// SUSPENDED, DEPROVISIONED, and any status Okta adds later ("" reads
// "unknown").
func accountStatus(okta string) string {
	switch s := strings.ToUpper(strings.TrimSpace(okta)); s {
	case "ACTIVE", "PASSWORD_EXPIRED", "LOCKED_OUT", "RECOVERY", "PROVISIONED":
		return statusActive
	case "":
		return "unknown"
	default:
		return strings.ToLower(s)
	}
}

// account maps a user onto an Account (role, privilege and MFA are filled
// later).
func (c *collector) account(u oktaUser) (snapshot.Account, error) {
	a := snapshot.Account{
		System: c.src.cfg.System,
		Login:  strings.TrimSpace(u.Profile.Login),
		Status: accountStatus(u.Status),
		Source: c.id,
		Origin: c.userPath(u.ID),
	}
	if a.Login == "" {
		a.Login = u.ID
	}
	var err error
	if a.CreatedAt, a.CreatedAtMS, err = stamp(u.Created); err != nil {
		return a, fmt.Errorf("user %s: created: %w", a.Origin, err)
	}
	if a.LastActiveAt, a.LastActiveAtMS, err = stamp(u.LastLogin); err != nil {
		return a, fmt.Errorf("user %s: lastLogin: %w", a.Origin, err)
	}
	return a, nil
}

// stamp reads an Okta timestamp ("2013-06-24T16:39:18.000Z"); null or
// empty is unknown.
func stamp(v *string) (*string, *int64, error) {
	if v == nil || strings.TrimSpace(*v) == "" {
		return nil, nil, nil
	}
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(*v))
	if err != nil {
		return nil, nil, fmt.Errorf("%q is not an RFC 3339 time", clip(*v))
	}
	s, ms := timefmt.Ptrs(t)
	return s, ms, nil
}

// rank is a role type's place in roleRank (lower is more powerful); a type
// not listed ranks just before REPORT_ADMIN.
func rank(t string) int {
	if i := slices.Index(roleRank, t); i >= 0 {
		if i >= slices.Index(roleRank, "REPORT_ADMIN") {
			return i + 1
		}
		return i
	}
	return slices.Index(roleRank, "REPORT_ADMIN")
}

// judgeRoles returns the account's role (its highest active role type,
// lower-cased) and whether one of its active roles is counted as
// privileged (admin_roles; by default every role). Inactive assignments
// are left out.
func (s *Source) judgeRoles(roles []oktaRole) (role string, privileged bool) {
	best := ""
	for _, r := range roles {
		t := strings.ToUpper(strings.TrimSpace(r.Type))
		if t == "" || (r.Status != "" && !strings.EqualFold(r.Status, "ACTIVE")) {
			continue
		}
		if best == "" || rank(t) < rank(best) {
			best = t
		}
		if s.admins == nil || s.admins[t] {
			privileged = true
		}
	}
	return strings.ToLower(best), privileged
}

// mfaOf says whether a user has a second factor: an enrolled factor whose
// status is ACTIVE, other than a security question (a second thing the
// user knows, like the password). A user with the password alone has none.
func mfaOf(factors []oktaFactor) *bool {
	has := false
	for _, f := range factors {
		if strings.EqualFold(f.Status, "ACTIVE") && !strings.EqualFold(f.FactorType, "question") {
			has = true
			break
		}
	}
	return &has
}
