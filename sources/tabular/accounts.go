package tabular

import (
	"context"
	"strings"

	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources"
)

// account is an Account being built, remembering whether the privileged
// flag was given explicitly (false and unset look the same in the record).
type account struct {
	snapshot.Account
	privilegedSet bool
}

// AccountFromRow maps a row onto an Account; set reports whether the
// privileged column had a value.
func AccountFromRow(r *Row, source string) (a snapshot.Account, set bool) {
	a = snapshot.Account{
		System: r.Str("system"),
		Login:  r.Str("login"),
		Role:   r.Enum("role"),
		Status: r.Enum("status"),
		MFA:    r.Bool("mfa"),
		Source: source,
		Origin: r.Origin(),
	}
	if b := r.Bool("privileged"); b != nil {
		a.Privileged, set = *b, true
	}
	a.CreatedAt, a.CreatedAtMS = r.Time("created_at")
	a.LastActiveAt, a.LastActiveAtMS = r.Time("last_active_at")
	return a, set
}

// accountKey identifies an account: (system, login), compared case-insensitively.
func accountKey(a snapshot.Account) string {
	return strings.ToLower(a.System) + "\x00" + strings.ToLower(a.Login)
}

// merge fills the fields empty in a from b: records are unique by
// (system, login), and a later row for the same account completes the
// first one (it never overwrites a value the first row gave). The merged
// record keeps the first row's origin.
func (a *account) merge(b snapshot.Account, bPrivilegedSet bool) {
	if a.Role == "" {
		a.Role = b.Role
	}
	if a.Status == "" {
		a.Status = b.Status
	}
	if a.MFA == nil {
		a.MFA = b.MFA
	}
	if !a.privilegedSet && bPrivilegedSet {
		a.Privileged, a.privilegedSet = b.Privileged, true
	}
	if a.CreatedAt == nil {
		a.CreatedAt, a.CreatedAtMS = b.CreatedAt, b.CreatedAtMS
	}
	if a.LastActiveAt == nil {
		a.LastActiveAt, a.LastActiveAtMS = b.LastActiveAt, b.LastActiveAtMS
	}
}

func collectAccounts(ctx context.Context, env sources.Env, cfg *sources.FileConfig) (*sources.Result, error) {
	var list []*account
	index := map[string]*account{}
	paths, err := Each(ctx, env, cfg, AccountColumns, nil, func(r *Row) error {
		a, set := AccountFromRow(r, env.ID())
		if err := r.Err(); err != nil {
			return err
		}
		k := accountKey(a)
		if prev, ok := index[k]; ok {
			prev.merge(a, set)
			return nil
		}
		acc := &account{Account: a, privilegedSet: set}
		index[k] = acc
		list = append(list, acc)
		return nil
	})
	if err != nil {
		return nil, err
	}
	res := &sources.Result{Files: paths}
	for _, a := range list {
		res.Data.Accounts = append(res.Data.Accounts, a.Account)
	}
	return res, nil
}
