#!/usr/bin/env bash
# posture-action.sh — the work of the posture GitHub Action (action.yml at the
# repository root), kept in a script so it runs, and is tested, outside GitHub
# too (internal/cli/action_test.go).
#
# It runs one posture command, then:
#   - sets the step outputs in $GITHUB_OUTPUT: status (pass | fail | error,
#     from the exit code 0 | 1 | other; 1 is a gated metric that failed its
#     target or was not measured), exit-code, failed-metrics and
#     not-measured-metrics (comma-separated ids) and report-path (the dated
#     JSON report the command wrote);
#   - makes sure $GITHUB_STEP_SUMMARY has the Markdown report and stderr the
#     ::error / ::warning annotations of failing, not measured (gated) and
#     worsening metrics (posture writes them itself in eval, gate, report and
#     run; the script fills in when a command did not);
#   - with commit=true (command run): posture commits the report files and
#     the script pushes the commit (rebasing on a branch that moved).
#
# Inputs, as environment variables (action.yml maps its inputs to them):
#   POSTURE_BIN      the posture binary (default: posture on PATH)
#   INPUT_COMMAND    posture subcommand (default run)
#   INPUT_CONFIG     config file (default posture.hcl)
#   INPUT_AS_OF      --as-of (optional)
#   INPUT_FORMAT     --format (optional)
#   INPUT_COMMIT     true | false: `run --commit`, then push (default false)
#   INPUT_PUSH       true | false: push the commit (default true)
#   INPUT_ARGS       more arguments, split on white space (no quoting)
#   INPUT_FAIL_ON    fail (exit non-zero on exit 1 and 2, the default) |
#                    error (only on 2: report KPI failures, fail on breakage) |
#                    never
# and GitHub's: GITHUB_ACTIONS, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY,
# GITHUB_REF, GITHUB_REF_NAME, RUNNER_TEMP.
#
# Reading the report JSON needs jq (installed on GitHub's runners); without
# it failed-metrics and not-measured-metrics fall back to the ids posture
# names on exit 1.
set -uo pipefail

bin=${POSTURE_BIN:-posture}
command=${INPUT_COMMAND:-run}
config=${INPUT_CONFIG:-posture.hcl}
as_of=${INPUT_AS_OF:-}
format=${INPUT_FORMAT:-}
commit=${INPUT_COMMIT:-false}
push=${INPUT_PUSH:-true}
extra=${INPUT_ARGS:-}
fail_on=${INPUT_FAIL_ON:-fail}

die() { echo "::error title=posture action::$*" >&2; exit 2; }

case "$command" in
  '' | *[!a-z-]*) die "input command: \"$command\" is not a posture subcommand" ;;
esac
case "$commit" in true | false) ;; *) die "input commit: want true or false, got \"$commit\"" ;; esac
case "$push" in true | false) ;; *) die "input push: want true or false, got \"$push\"" ;; esac
case "$fail_on" in fail | error | never) ;; *) die "input fail-on: want fail, error or never, got \"$fail_on\"" ;; esac
if [ "$commit" = true ] && [ "$command" != run ]; then
  die "input commit: only the run command commits (command is \"$command\")"
fi

tmp=$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/posture-action.XXXXXX") || die "cannot create a temporary folder"
trap 'rm -rf "$tmp"' EXIT
: >"$tmp/start"

args=(--config "$config")
[ -n "$as_of" ] && args+=(--as-of "$as_of")
[ -n "$format" ] && args+=(--format "$format")
args+=("$command")
[ "$commit" = true ] && args+=(--commit)
if [ -n "$extra" ]; then
  read -r -a more <<<"$extra"
  args+=("${more[@]}")
fi

if [ "$commit" = true ] && [ -z "${POSTURE_GIT_AUTHOR:-}" ]; then
  export POSTURE_GIT_AUTHOR="github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>"
fi
head_before=$(git rev-parse -q --verify HEAD 2>/dev/null || true)

summary=${GITHUB_STEP_SUMMARY:-}
summary_before=0
[ -n "$summary" ] && [ -f "$summary" ] && summary_before=$(wc -c <"$summary")

echo "posture ${args[*]}" >&2
# stdout goes through; stderr is shown and kept (for the annotations and the
# "gate failed: ..." lines).
{ "$bin" "${args[@]}" 2>&1 1>&3 3>&- | tee "$tmp/stderr"; } 3>&1 1>&2
rc=${PIPESTATUS[0]}

case $rc in
  0) status=pass ;;
  1) status=fail ;;
  *) status=error ;;
esac

# The dated report the command wrote (report, run): the newest YYYY-MM-DD.json
# written since the start.
report_path=""
case "$command" in
  run | report)
    report_path=$(find . \( -name .git -o -name node_modules \) -prune -o -type f -newer "$tmp/start" \
      -name '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9].json' -print 2>/dev/null | sed 's|^\./||' | sort | tail -n 1)
    ;;
esac

have_jq=false
command -v jq >/dev/null 2>&1 && have_jq=true

failed=""
not_measured=""
if [ -n "$report_path" ] && $have_jq; then
  failed=$(jq -r '[.metrics[]? | select(.status == "fail") | .id] | join(",")' "$report_path" 2>/dev/null || true)
  not_measured=$(jq -r '[.metrics[]? | select(.gate == true and (.status == "unmeasured" or .status == "no_data")) | .id] | join(",")' \
    "$report_path" 2>/dev/null || true)
elif [ "$rc" -eq 1 ]; then
  # eval / gate: the gated metrics posture names on exit 1, in
  #   gate failed: 2 gated metrics failed their target: a, b
  #   gate failed: 1 gated metric not measured (c): configure ...
  failed=$(sed -n 's/.*gate failed: [0-9]* gated metrics\{0,1\} failed [a-z]* target: //p' "$tmp/stderr" | tail -n 1 | tr -d ' \r')
  not_measured=$(sed -n 's/.*gate failed: [0-9]* gated metrics\{0,1\} not measured (\([^)]*\)).*/\1/p' "$tmp/stderr" | tail -n 1 | tr -d ' \r')
fi

# Step summary and annotations, when the command did not write them.
if [ "${GITHUB_ACTIONS:-}" = true ] && [ -n "$report_path" ]; then
  summary_after=0
  [ -n "$summary" ] && [ -f "$summary" ] && summary_after=$(wc -c <"$summary")
  if [ -n "$summary" ] && [ "$summary_after" -eq "$summary_before" ]; then
    md="${report_path%.json}.md"
    if [ -f "$md" ]; then
      head -c 900000 "$md" >>"$summary"
    elif $have_jq; then
      jq -r '"## posture: \(.project) as of \(.as_of[0:10])\n\n| id | title | value | target | status | trend | owner |\n|---|---|---|---|---|---|---|",
        (.metrics[] | "| `\(.id)` | \(.title) | \(.value // "—") \(.unit) | \(.target | [to_entries[] | "\(.key) \(.value)"] | join(", ")) | \(.status) | \(.trend.direction) | \(.owner) |")' \
        "$report_path" >>"$summary" 2>/dev/null || true
    fi
  fi
  if ! grep -q -e '^::error title=posture ' -e '^::warning title=posture ' "$tmp/stderr" && $have_jq; then
    jq -r 'def esc: gsub("%"; "%25") | gsub("\r"; "%0D") | gsub("\n"; "%0A");
      .metrics[]?
      | (if .status == "fail" or .status == "error"
           or (.gate == true and (.status == "unmeasured" or .status == "no_data")) then "error"
         elif .status == "warn" or .trend.direction == "worsening" then "warning" else empty end) as $level
      | "::\($level) title=posture \(.id)::" + ("\(.title) (\(.id), owner \(.owner)): value \(.value // "none") \(.unit), status \(.status), trend \(.trend.direction)" | esc)' \
      "$report_path" >&2 2>/dev/null || true
  fi
fi

# Push the commit `run --commit` made.
if [ "$commit" = true ] && [ "$push" = true ]; then
  head_after=$(git rev-parse -q --verify HEAD 2>/dev/null || true)
  if [ -n "$head_after" ] && [ "$head_after" != "$head_before" ]; then
    branch=""
    case "${GITHUB_REF:-}" in refs/heads/*) branch=${GITHUB_REF_NAME:-${GITHUB_REF#refs/heads/}} ;; esac
    [ -z "$branch" ] && branch=$(git symbolic-ref -q --short HEAD 2>/dev/null || true)
    if [ -z "$branch" ]; then
      echo "::warning title=posture action::not on a branch: the report commit was not pushed" >&2
    else
      pushed=false
      for attempt in 1 2 3; do
        if git push origin "HEAD:refs/heads/$branch"; then
          pushed=true
          break
        fi
        echo "push refused (attempt $attempt): rebasing on origin/$branch" >&2
        git pull --rebase origin "$branch" || { git rebase --abort 2>/dev/null || true; break; }
      done
      if ! $pushed; then
        echo "::error title=posture action::could not push the report commit to $branch" >&2
        rc=2
        status=error
      fi
    fi
  fi
fi

if [ -n "${GITHUB_OUTPUT:-}" ]; then
  {
    echo "status=$status"
    echo "exit-code=$rc"
    echo "failed-metrics=$failed"
    echo "not-measured-metrics=$not_measured"
    echo "report-path=$report_path"
  } >>"$GITHUB_OUTPUT"
fi
echo "posture $command: status $status (exit $rc)${failed:+, failed: $failed}${not_measured:+, not measured: $not_measured}${report_path:+, report $report_path}" >&2

case "$fail_on" in
  fail) exit "$rc" ;;
  error) [ "$rc" -ge 2 ] && exit "$rc"; exit 0 ;;
  never) exit 0 ;;
esac
