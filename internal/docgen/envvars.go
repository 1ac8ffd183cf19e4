package docgen

// EnvVar documents environment variables posture reads. A test fails when
// the code reads one that is not listed here.
type EnvVar struct {
	Names []string
	Doc   string // Markdown
}

// EnvVars are the environment variables posture reads, in the order they
// are documented.
var EnvVars = []EnvVar{
	{[]string{"GITHUB_TOKEN"}, "Token of the `github` source and of `posture issues` (unless the source authenticates as a GitHub App). Sent only in the `Authorization` header, never printed."},
	{[]string{"GH_TOKEN"}, "Used when `GITHUB_TOKEN` is not set."},
	{[]string{"GITHUB_API_URL"}, "GitHub REST API base for `posture issues` and for `github` sources without `api_url`. Default `https://api.github.com`; a GitHub Enterprise Server URL (`https://<host>/api/v3`) works."},
	{[]string{"GITHUB_REPOSITORY"}, "`owner/repo`: the repository of `posture issues` when neither `--repo` nor `issues_repository` is given (GitHub Actions sets it)."},
	{[]string{"POSTURE_AS_OF"}, "The evaluation instant when `--as-of` is not given: RFC 3339, or `YYYY-MM-DD` meaning midnight UTC. Default: now."},
	{[]string{"GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY"}, "Inside GitHub Actions (`GITHUB_ACTIONS=true`), `eval`, `gate`, `report`, `run` and `issues` append their Markdown summary to the file `GITHUB_STEP_SUMMARY` names and print `::error` / `::warning` annotations for failing metrics."},
	{[]string{"GITHUB_SERVER_URL", "GITHUB_WORKSPACE", "GITHUB_REF", "GITHUB_REF_NAME"}, "Inside GitHub Actions, make the issues' link to the dated report point at the file in the repository."},
	{[]string{"GITHUB_ACTOR", "USER"}, "Who approved the baseline, recorded by `posture baseline --approve` when `--approved-by` is not given."},
	{[]string{"POSTURE_GIT_AUTHOR"}, "Author (`Name <email>`) of the commit `posture run --commit` makes, when `--author` is not given; else git's own configuration."},
	{[]string{"NO_COLOR"}, "Any value turns colours off, like `--no-color`."},
	{[]string{"JIRA_EMAIL", "JIRA_API_TOKEN"}, "Credentials of `jira` sources with `deployment = \"cloud\"`: the Atlassian account's email and an API token (basic auth). Sent only in the `Authorization` header, never printed."},
	{[]string{"JIRA_TOKEN"}, "Personal access token of `jira` sources with `deployment = \"server\"` (Server / Data Center, bearer). Never printed."},
	{[]string{"PAGERDUTY_TOKEN"}, "REST API key of `pagerduty` sources (an account or user key; read-only is enough). Sent only in the `Authorization` header, never printed."},
	{[]string{"OKTA_API_TOKEN"}, "API token of the `okta` source (sent as `Authorization: SSWS <token>`), never printed."},
	{[]string{"OKTA_ACCESS_TOKEN"}, "OAuth 2.0 access token of the `okta` source (scopes `okta.users.read`, `okta.roles.read`), used when `OKTA_API_TOKEN` is not set; never printed."},
	{[]string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_REGION"}, "Read by the AWS SDK's default credential chain for `aws_iam` sources (as are shared config files and GitHub Actions OIDC web identity); posture never prints them."},
	{[]string{"PROMETHEUS_TOKEN"}, "Bearer token of `prometheus` sources. Sent only in the `Authorization` header, never printed."},
	{[]string{"PROMETHEUS_USERNAME", "PROMETHEUS_PASSWORD"}, "Basic auth of `prometheus` sources, used when `PROMETHEUS_TOKEN` is not set (both needed). Never printed."},
	{[]string{"LOKI_TOKEN"}, "Bearer token of `loki` sources (sent as `Authorization: Bearer <token>`), never printed."},
	{[]string{"LOKI_USERNAME", "LOKI_PASSWORD"}, "Basic-auth credentials of `loki` sources, used when `LOKI_TOKEN` is not set; never printed."},
	{[]string{"ELASTICSEARCH_API_KEY"}, "Encoded API key of `elasticsearch` sources (sent as `Authorization: ApiKey <key>`; needs `read` on the queried indices), never printed."},
	{[]string{"ELASTICSEARCH_USERNAME", "ELASTICSEARCH_PASSWORD"}, "Basic-auth credentials of `elasticsearch` sources (OpenSearch internal users), used when `ELASTICSEARCH_API_KEY` is not set; never printed."},
	{[]string{"TERM"}, "`dumb` turns colours and the live progress line off (as `NO_COLOR` and a non-terminal output do)."},
	{[]string{"POSTURE_TRACE"}, "Any value prints how long each phase took (config, collection per source, compile, evaluation) to stderr."},
	{[]string{"POSTURE_CPUPROFILE"}, "Writes a CPU profile of the run to that file (performance work)."},
	{[]string{"GOGC"}, "Go's garbage collector setting; posture uses 200 unless it is set."},
	{[]string{"GOMEMLIMIT"}, "Go's soft memory limit. Unless it is set, `eval`, `gate` and `explain` of a stored snapshot (`--snapshot`) keep their memory within four times the snapshot's size on disk (at least 256 MiB), the collector working harder near it; set it (e.g. `GOMEMLIMIT=off` or a size) to trade memory for speed the other way."},
}
