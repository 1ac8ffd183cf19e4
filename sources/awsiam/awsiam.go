// Package awsiam is the `aws_iam` source kind: it reads the IAM credential
// report of one or more AWS accounts (the default credentials' account, or
// the accounts of the roles it assumes) and records every IAM user (and the
// root user) as an account and every access key as a token. It records
// facts only; policies judge them. The reference is awsiam.md.
//
//	source "aws_iam" "prod" {
//	  role_arns      = ["arn:aws:iam::111111111111:role/posture-audit"]
//	  admin_policies = ["AdministratorAccess"]
//	}
//
// Credentials come only from the AWS SDK's default chain (environment,
// shared profile, web identity, container or instance role); they never
// reach records, notes or errors.
package awsiam

import (
	"context"
	_ "embed"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/localizevideos/posture/snapshot"
	"github.com/localizevideos/posture/sources"
)

// Defaults.
const (
	DefaultRegion      = "us-east-1"
	DefaultSessionName = "posture"
	DefaultMaxAttempts = 8
	defaultPoll        = 2 * time.Second
	defaultMaxWait     = 5 * time.Minute
)

// DefaultAdminPolicies are the managed policies that make a user an admin.
var DefaultAdminPolicies = []string{"AdministratorAccess"}

// Config is the source block.
type Config struct {
	RoleARNs       []string `hcl:"role_arns,optional" doc:"IAM roles to assume (sts:AssumeRole, with the default credentials as base), one per account to read. Empty reads the account of the default credentials only."`
	ExternalID     string   `hcl:"external_id,optional" doc:"External id passed to sts:AssumeRole when the roles' trust policy requires one (an identifier, not a secret)."`
	Region         string   `hcl:"region,optional" doc:"AWS region of the STS endpoint and of the partition (cn-north-1 reads the China partition). IAM itself is global."`
	AdminPolicies  []string `hcl:"admin_policies,optional" doc:"Managed policies (names, or ARNs for an exact match) whose attachment makes a user an admin (role admin, privileged)."`
	AdminViaGroups *bool    `hcl:"admin_via_groups,optional" doc:"Also count as admins the users in a group that has an admin policy attached (one more call per user and one per group)."`
	EndpointURL    string   `hcl:"endpoint_url,optional" doc:"Base URL of the IAM and STS APIs instead of AWS's, for an API double (LocalStack, moto) or a proxy."`
	MaxAttempts    int      `hcl:"max_attempts,optional" doc:"Attempts per API call, retried with exponential backoff on throttling and server errors, before the source fails."`
}

//go:embed awsiam.md
var doc string

func init() {
	sources.Register(sources.Kind{
		Name:    "aws_iam",
		Summary: "AWS IAM credential reports (one or more accounts via assumed roles): users and root as accounts, access keys as tokens",
		Doc:     doc,
		Defaults: map[string]any{
			"role_arns":        sources.DefaultDoc("none: the account of the default credentials"),
			"region":           sources.DefaultDoc("`$AWS_REGION` or the profile's region, else `\"" + DefaultRegion + "\"`"),
			"admin_policies":   DefaultAdminPolicies,
			"admin_via_groups": true,
			"endpoint_url":     sources.DefaultDoc("AWS's endpoints (or `$AWS_ENDPOINT_URL_IAM` / `$AWS_ENDPOINT_URL_STS`)"),
			"max_attempts":     DefaultMaxAttempts,
		},
		Collections: []snapshot.Provided{
			{Collection: snapshot.Accounts.Name(), Traits: []snapshot.Trait{snapshot.TraitActivity}},
			{Collection: snapshot.Tokens.Name()},
		},
		Build: sources.Typed(New),
	})
}

// Source collects one configured aws_iam source.
type Source struct {
	cfg    Config
	groups bool

	// Test hooks; zero means the real thing.
	poll    time.Duration
	maxWait time.Duration
	noDelay bool // retry without backoff
}

// New checks a decoded config and fills its defaults.
func New(c *Config) (*Source, error) {
	cfg := *c
	cfg.RoleARNs = append([]string(nil), cfg.RoleARNs...)
	seen := map[string]bool{}
	for i, r := range cfg.RoleARNs {
		r = strings.TrimSpace(r)
		if !roleARN(r) {
			return nil, fmt.Errorf("role_arns[%d] %q: want an IAM role ARN (arn:aws:iam::<account id>:role/<name>)", i, r)
		}
		if seen[r] {
			return nil, fmt.Errorf("role_arns[%d] %q: listed twice", i, r)
		}
		seen[r] = true
		cfg.RoleARNs[i] = r
	}
	cfg.ExternalID = strings.TrimSpace(cfg.ExternalID)
	if cfg.ExternalID != "" && len(cfg.RoleARNs) == 0 {
		return nil, fmt.Errorf("external_id is only used with role_arns")
	}
	cfg.Region = strings.TrimSpace(cfg.Region)
	if len(cfg.AdminPolicies) == 0 {
		cfg.AdminPolicies = append([]string(nil), DefaultAdminPolicies...)
	} else {
		cfg.AdminPolicies = append([]string(nil), cfg.AdminPolicies...)
		for i, p := range cfg.AdminPolicies {
			p = strings.TrimSpace(p)
			if p == "" {
				return nil, fmt.Errorf("admin_policies[%d]: empty policy name", i)
			}
			cfg.AdminPolicies[i] = p
		}
	}
	groups := cfg.AdminViaGroups == nil || *cfg.AdminViaGroups
	if cfg.EndpointURL != "" {
		u, err := url.Parse(cfg.EndpointURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
			return nil, fmt.Errorf("endpoint_url %q: want an http(s) URL without credentials", cfg.EndpointURL)
		}
	}
	if cfg.MaxAttempts < 0 || cfg.MaxAttempts > 20 {
		return nil, fmt.Errorf("max_attempts must be between 1 and 20")
	}
	if cfg.MaxAttempts == 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	return &Source{cfg: cfg, groups: groups}, nil
}

// Config returns the effective configuration (defaults filled).
func (s *Source) Config() Config { return s.cfg }

// roleARN accepts arn:<partition>:iam::<12 digits>:role/<path/name>.
func roleARN(s string) bool {
	p := strings.SplitN(s, ":", 6)
	return len(p) == 6 && p[0] == "arn" && p[1] != "" && p[2] == "iam" && p[3] == "" &&
		isAccountID(p[4]) && strings.HasPrefix(p[5], "role/") && len(p[5]) > len("role/")
}

// Collect reads the credential report of every configured account.
func (s *Source) Collect(ctx context.Context, env sources.Env) (*sources.Result, error) {
	c, err := s.newCollector(ctx, env)
	if err != nil {
		return nil, fmt.Errorf("aws_iam source %s: %s", env.Name, c.redact(err.Error()))
	}
	res := &sources.Result{}
	targets := c.targets()
	env.Report(0, len(targets))
	done := map[string]string{} // account id -> what read it
	for i, t := range targets {
		if err := c.account(ctx, t, res, done); err != nil {
			return nil, fmt.Errorf("aws_iam source %s: %s: %s", env.Name, t.label(), c.redact(err.Error()))
		}
		env.Report(i+1, len(targets))
	}
	for i := range res.Notes {
		res.Notes[i] = c.redact(res.Notes[i])
	}
	return res, nil
}
