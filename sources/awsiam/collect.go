package awsiam

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/localizevideos/posture/sources"
)

// collector is one collection: the SDK configuration of the default chain
// and the values to keep out of every message.
type collector struct {
	s       *Source
	env     sources.Env
	aws     aws.Config
	secrets []string

	reportCalls int // calls for the current account's report
}

// target is one account to read: the default credentials' or a role's.
type target struct {
	role string // "" for the default credentials
}

func (t target) label() string {
	if t.role == "" {
		return "account of the default credentials"
	}
	return "role " + t.role
}

func (c *collector) targets() []target {
	if len(c.s.cfg.RoleARNs) == 0 {
		return []target{{}}
	}
	out := make([]target, len(c.s.cfg.RoleARNs))
	for i, r := range c.s.cfg.RoleARNs {
		out[i] = target{role: r}
	}
	return out
}

type noBackoff struct{}

func (noBackoff) BackoffDelay(int, error) (time.Duration, error) { return 0, nil }

// newCollector loads the SDK's default configuration and resolves the base
// credentials, so that a missing credential fails before any call.
func (s *Source) newCollector(ctx context.Context, env sources.Env) (*collector, error) {
	c := &collector{s: s, env: env}
	opts := []func(*config.LoadOptions) error{
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = s.cfg.MaxAttempts
				o.MaxBackoff = 20 * time.Second
				// Calls are sequential: no client-side retry quota, the
				// attempts bound the retries.
				o.RateLimiter = ratelimit.None
				if s.noDelay {
					o.Backoff = noBackoff{}
				}
			})
		}),
	}
	if s.cfg.Region != "" {
		opts = append(opts, config.WithRegion(s.cfg.Region))
	}
	if s.cfg.EndpointURL != "" {
		opts = append(opts, config.WithBaseEndpoint(s.cfg.EndpointURL))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return c, fmt.Errorf("AWS SDK configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = DefaultRegion
	}
	c.aws = cfg
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		return c, fmt.Errorf("no usable AWS credentials from the SDK's default chain (environment, shared profile, web identity, container or instance role): %w", err)
	}
	c.remember(creds)
	return c, nil
}

func (c *collector) remember(creds aws.Credentials) {
	for _, v := range []string{creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken} {
		if len(v) >= 4 {
			c.secrets = append(c.secrets, v)
		}
	}
}

// redact removes every credential value seen from a message.
func (c *collector) redact(msg string) string {
	if c == nil {
		return msg
	}
	for _, v := range c.secrets {
		msg = strings.ReplaceAll(msg, v, "[redacted]")
	}
	return msg
}

// client returns the IAM client of a target: the default credentials, or
// the role's assumed with them.
func (c *collector) client(ctx context.Context, t target) (*iam.Client, error) {
	cfg := c.aws.Copy()
	if t.role != "" {
		p := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(c.aws), t.role, func(o *stscreds.AssumeRoleOptions) {
			o.RoleSessionName = DefaultSessionName
			if c.s.cfg.ExternalID != "" {
				o.ExternalID = aws.String(c.s.cfg.ExternalID)
			}
		})
		cfg.Credentials = aws.NewCredentialsCache(p)
		creds, err := cfg.Credentials.Retrieve(ctx)
		if err != nil {
			return nil, callError("sts:AssumeRole", c.s.cfg.MaxAttempts, err)
		}
		c.remember(creds)
	}
	return iam.NewFromConfig(cfg), nil
}

// account reads one account's credential report into res.
func (c *collector) account(ctx context.Context, t target, res *sources.Result, done map[string]string) error {
	cl, err := c.client(ctx, t)
	if err != nil {
		return err
	}
	content, generated, err := c.report(ctx, cl)
	if err != nil {
		return err
	}
	rows, err := parseReport(content)
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		return fmt.Errorf("credential report has no rows (not even the root user)")
	}
	acct := rows[0].account
	for _, r := range rows {
		if r.account != acct {
			return fmt.Errorf("credential report line %d: account %s in a report of account %s", r.line, r.account, acct)
		}
	}
	if prev, ok := done[acct]; ok {
		res.Notes = append(res.Notes, fmt.Sprintf("aws_iam: %s reads account %s again (already read by %s): skipped", t.label(), acct, prev))
		return nil
	}
	done[acct] = t.label()
	admins := newAdminResolver(cl, c.s.cfg.AdminPolicies, c.s.groups, c.s.cfg.MaxAttempts)
	users := 0
	for _, r := range rows {
		a, tokens, err := mapRow(r, false, c.env.ID())
		if err != nil {
			return err
		}
		if !r.root() {
			users++
			if a.Status == statusNoCredentials {
				a.Role = "" // not resolved: the user cannot sign in
			} else {
				admin, err := admins.admin(ctx, r.user)
				if err != nil {
					return err
				}
				if admin {
					a.Role, a.Privileged = "admin", true
				}
			}
		}
		res.Data.Accounts = append(res.Data.Accounts, a)
		res.Data.Tokens = append(res.Data.Tokens, tokens...)
	}
	res.Notes = append(res.Notes, fmt.Sprintf("aws_iam: account %s (%s): credential report generated %s, %d IAM users and the root user, %d IAM API calls",
		acct, t.label(), generated.UTC().Format(time.RFC3339), users, admins.calls+c.reportCalls))
	return nil
}

// report generates the credential report (or reuses one AWS has from the
// last 4 hours), waits for it and downloads it.
func (c *collector) report(ctx context.Context, cl *iam.Client) ([]byte, time.Time, error) {
	c.reportCalls = 0
	poll, maxWait := c.s.poll, c.s.maxWait
	if poll <= 0 {
		poll = defaultPoll
	}
	if maxWait <= 0 {
		maxWait = defaultMaxWait
	}
	deadline := time.Now().Add(maxWait)
	for {
		c.reportCalls++
		out, err := cl.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{})
		if err != nil {
			return nil, time.Time{}, callError("iam:GenerateCredentialReport", c.s.cfg.MaxAttempts, err)
		}
		if out.State == iamtypes.ReportStateTypeComplete {
			break
		}
		if err := c.wait(ctx, poll, deadline, out.State); err != nil {
			return nil, time.Time{}, err
		}
	}
	for {
		c.reportCalls++
		out, err := cl.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})
		if err != nil {
			var ae smithy.APIError
			if errors.As(err, &ae) && ae.ErrorCode() == "ReportInProgress" {
				if err := c.wait(ctx, poll, deadline, "INPROGRESS"); err != nil {
					return nil, time.Time{}, err
				}
				continue
			}
			return nil, time.Time{}, callError("iam:GetCredentialReport", c.s.cfg.MaxAttempts, err)
		}
		if f := out.ReportFormat; f != "" && f != iamtypes.ReportFormatTypeTextCsv {
			return nil, time.Time{}, fmt.Errorf("iam:GetCredentialReport: report format %q, want text/csv", f)
		}
		return out.Content, aws.ToTime(out.GeneratedTime), nil
	}
}

func (c *collector) wait(ctx context.Context, d time.Duration, deadline time.Time, state iamtypes.ReportStateType) error {
	if time.Now().Add(d).After(deadline) {
		return fmt.Errorf("iam:GenerateCredentialReport: the report is still %s after %s", state, c.s.maxWaitOrDefault())
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-tm.C:
		return nil
	}
}

func (s *Source) maxWaitOrDefault() time.Duration {
	if s.maxWait > 0 {
		return s.maxWait
	}
	return defaultMaxWait
}

// adminResolver tells whether a user has an admin policy attached, directly
// or (when groups is set) through a group. Group answers are cached.
type adminResolver struct {
	cl       *iam.Client
	policies []string
	groups   bool
	attempts int
	group    map[string]bool
	calls    int
}

func newAdminResolver(cl *iam.Client, policies []string, groups bool, attempts int) *adminResolver {
	return &adminResolver{cl: cl, policies: policies, groups: groups, attempts: attempts, group: map[string]bool{}}
}

func (r *adminResolver) matches(p iamtypes.AttachedPolicy) bool {
	name, arn := aws.ToString(p.PolicyName), aws.ToString(p.PolicyArn)
	for _, want := range r.policies {
		if strings.HasPrefix(want, "arn:") {
			if want == arn {
				return true
			}
		} else if want == name {
			return true
		}
	}
	return false
}

func (r *adminResolver) admin(ctx context.Context, user string) (bool, error) {
	p := iam.NewListAttachedUserPoliciesPaginator(r.cl, &iam.ListAttachedUserPoliciesInput{UserName: aws.String(user)})
	for p.HasMorePages() {
		r.calls++
		page, err := p.NextPage(ctx)
		if err != nil {
			return false, callError("iam:ListAttachedUserPolicies", r.attempts, err)
		}
		for _, ap := range page.AttachedPolicies {
			if r.matches(ap) {
				return true, nil
			}
		}
	}
	if !r.groups {
		return false, nil
	}
	gp := iam.NewListGroupsForUserPaginator(r.cl, &iam.ListGroupsForUserInput{UserName: aws.String(user)})
	for gp.HasMorePages() {
		r.calls++
		page, err := gp.NextPage(ctx)
		if err != nil {
			return false, callError("iam:ListGroupsForUser", r.attempts, err)
		}
		for _, g := range page.Groups {
			admin, err := r.groupAdmin(ctx, aws.ToString(g.GroupName))
			if err != nil {
				return false, err
			}
			if admin {
				return true, nil
			}
		}
	}
	return false, nil
}

func (r *adminResolver) groupAdmin(ctx context.Context, group string) (bool, error) {
	if v, ok := r.group[group]; ok {
		return v, nil
	}
	p := iam.NewListAttachedGroupPoliciesPaginator(r.cl, &iam.ListAttachedGroupPoliciesInput{GroupName: aws.String(group)})
	admin := false
	for p.HasMorePages() && !admin {
		r.calls++
		page, err := p.NextPage(ctx)
		if err != nil {
			return false, callError("iam:ListAttachedGroupPolicies", r.attempts, err)
		}
		for _, ap := range page.AttachedPolicies {
			admin = admin || r.matches(ap)
		}
	}
	r.group[group] = admin
	return admin, nil
}

// Error codes AWS answers for a missing permission, a throttled call and
// refused credentials.
var (
	deniedCodes   = map[string]bool{"AccessDenied": true, "AccessDeniedException": true, "UnauthorizedOperation": true}
	throttleCodes = map[string]bool{"Throttling": true, "ThrottlingException": true, "ThrottledException": true,
		"RequestLimitExceeded": true, "TooManyRequestsException": true, "RequestThrottled": true, "RequestThrottledException": true}
	refusedCodes = map[string]bool{"InvalidClientTokenId": true, "SignatureDoesNotMatch": true, "ExpiredToken": true,
		"ExpiredTokenException": true, "UnrecognizedClientException": true, "InvalidAccessKeyId": true}
)

// callError says which API call failed and why, without the SDK's request
// details. The caller redacts credential values.
func callError(op string, attempts int, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%s: %w", op, err)
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return fmt.Errorf("%s failed: %w", op, err)
	}
	code, msg := ae.ErrorCode(), ae.ErrorMessage()
	switch {
	case deniedCodes[code]:
		return fmt.Errorf("%s: access denied (%s): the credentials lack the permission %s: %s", op, code, op, msg)
	case throttleCodes[code]:
		return fmt.Errorf("%s: throttled by AWS (%s) after %d attempts: %s; run again later or raise max_attempts", op, code, attempts, msg)
	case refusedCodes[code]:
		return fmt.Errorf("%s: AWS refused the credentials (%s): %s", op, code, msg)
	}
	return fmt.Errorf("%s failed (%s): %s", op, code, msg)
}
