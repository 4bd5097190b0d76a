#!/usr/bin/env bash
# The action's install step: pygrade into a virtual environment of its own under
# $RUNNER_TEMP, from PyPI (PYGRADE_ACTION_VERSION, `latest` for the newest) or from a wheel
# (PYGRADE_ACTION_WHEEL, a path or a glob), then its Python environment (pinned pytest and
# mypy). The environment's bin/ is added to $GITHUB_PATH for the steps that follow.
set -euo pipefail

: "${RUNNER_TEMP:?is not set: this script runs as a step of the pygrade action}"
: "${GITHUB_PATH:?is not set: this script runs as a step of the pygrade action}"
version="${PYGRADE_ACTION_VERSION:-latest}"
wheel="${PYGRADE_ACTION_WHEEL:-}"
python="$(command -v python3 || command -v python || true)"
if [ -z "$python" ]; then
  echo "::error title=pygrade::no python3 on this runner: add actions/setup-python before the pygrade action"
  exit 2
fi

venv="$RUNNER_TEMP/pygrade-venv"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip

if [ -n "$wheel" ]; then
  # A glob must match exactly one wheel: two would be a guess.
  shopt -s nullglob
  # shellcheck disable=SC2206 # the glob is meant to expand here
  matches=($wheel)
  shopt -u nullglob
  if [ "${#matches[@]}" -ne 1 ]; then
    echo "::error title=pygrade::the wheel input ($wheel) matches ${#matches[@]} files; it must match one"
    exit 2
  fi
  requirement="${matches[0]}"
elif [ "$version" = latest ]; then
  requirement=pygrade
else
  requirement="pygrade==$version"
fi
echo "installing $requirement into $venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$requirement"
echo "$venv/bin" >> "$GITHUB_PATH"

"$venv/bin/pygrade" --version
# pygrade builds its own Python environment on first use; building it here keeps its log
# apart from the grading's.
"$venv/bin/pygrade" setup
