#!/usr/bin/env bash
# The action's grading step. It grades the workspace (PYGRADE_ACTION_WORKSPACE, with
# `pygrade check`) or, when PYGRADE_ACTION_COHORT names a folder, a cohort (`pygrade batch`);
# writes the reports into PYGRADE_ACTION_REPORTS, the Markdown summary into
# $GITHUB_STEP_SUMMARY, annotations into the log (a workspace's), and the outputs `score`,
# `max-score`, `passed` and `reports` into $GITHUB_OUTPUT. It exits 2 when pygrade could not
# grade, 1 when some work did not pass and PYGRADE_ACTION_FAIL_ON is `failure`, else 0. In a
# cohort, some work did not pass when a learner has fewer points than the maximum.
set -uo pipefail

: "${GITHUB_OUTPUT:?is not set: this script runs as a step of the pygrade action}"
: "${GITHUB_STEP_SUMMARY:?is not set: this script runs as a step of the pygrade action}"
workspace="${PYGRADE_ACTION_WORKSPACE:-.}"
cohort="${PYGRADE_ACTION_COHORT:-}"
fail_on="${PYGRADE_ACTION_FAIL_ON:-failure}"
reports="${PYGRADE_ACTION_REPORTS:-pygrade-reports}"
if [ -n "${PYGRADE_ACTION_BANK:-}" ]; then
  export PYGRADE_BANK="$PYGRADE_ACTION_BANK"
fi
case "$fail_on" in
  failure | error) ;;
  *)
    echo "::error title=pygrade::fail-on is '$fail_on': it must be failure or error"
    exit 2
    ;;
esac

mkdir -p "$reports"
reports="$(cd "$reports" && pwd)"
echo "reports=$reports" >> "$GITHUB_OUTPUT"

if [ -n "$cohort" ]; then
  pygrade batch "$cohort" --out "$reports" --format junit
  code=$?
  summary="$reports/summary.md"
  totals="$reports/learners"
else
  # An unquoted list: the exercises input holds names separated by spaces.
  # shellcheck disable=SC2086
  annotations="$(mktemp)"
  pygrade check ${PYGRADE_ACTION_EXERCISES:-} --workspace "$workspace" \
    --format terminal \
    --format github="$annotations" \
    --format markdown="$reports/summary.md" \
    --format junit="$reports/junit.xml" \
    --format json="$reports/report.json"
  code=$?
  # The runner reads workflow commands from the log: the annotations, after the report.
  cat "$annotations"
  rm -f "$annotations"
  summary="$reports/summary.md"
  totals="$reports/report.json"
fi

if [ -f "$summary" ]; then
  cat "$summary" >> "$GITHUB_STEP_SUMMARY"
fi
full=false
if [ "$code" -ne 2 ] && [ -e "$totals" ]; then
  # A workspace's JSON report, or a cohort's folder of them (one per learner).
  totals_said="$(python3 - "$totals" <<'PY'
import json
import pathlib
import sys

path = pathlib.Path(sys.argv[1])
files = sorted(path.glob("*.json")) if path.is_dir() else [path]
summaries = [json.loads(file.read_text(encoding="utf-8"))["summary"] for file in files]
score = sum(s["score"] for s in summaries)
max_score = sum(s["max_score"] for s in summaries)
print(f"score={score:g}")
print(f"max-score={max_score:g}")
print("full=" + str(all(s["score"] >= s["max_score"] for s in summaries)).lower())
PY
)" || code=2
  grep -v '^full=' <<< "$totals_said" >> "$GITHUB_OUTPUT"
  full="$(sed -n 's/^full=//p' <<< "$totals_said")"
fi
if [ -n "$cohort" ] && [ "$code" -eq 0 ] && [ "$full" != true ]; then
  code=1
fi
echo "passed=$([ "$code" -eq 0 ] && echo true || echo false)" >> "$GITHUB_OUTPUT"

case "$code" in
  0) exit 0 ;;
  1)
    if [ "$fail_on" = failure ]; then
      echo "::error title=pygrade::some work did not pass (fail-on: failure); the job summary says what"
      exit 1
    fi
    exit 0
    ;;
  *)
    echo "::error title=pygrade::pygrade could not grade (exit $code): its message is above"
    exit 2
    ;;
esac
