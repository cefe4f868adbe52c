#!/usr/bin/env bash
# Runs every vitest project alone, each from a tree with nothing built: before each project,
# every untracked or ignored file outside node_modules (builds, packed tarballs, stamps) is
# removed. Proves that no project relies on another project's set-up or on an order of steps.
#
#   scripts/test-each-project.sh                 # every project
#   scripts/test-each-project.sh server docs     # some of them
#
# It deletes build outputs in the working tree: run it on a clone, not on a tree with work
# in progress that is not committed (it refuses to run on a tree with uncommitted changes).
set -uo pipefail
cd "$(dirname "$0")/.."

if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
  echo "test-each-project: the tree has uncommitted changes; commit them or run this on a clone" >&2
  exit 2
fi

if [ $# -gt 0 ]; then
  projects=("$@")
else
  # The projects' names, from the configurations the root vitest.config.ts lists.
  mapfile -t projects < <(grep -hoE '^\s+name: "[^"]+"' packages/*/vitest.config.ts examples/*/vitest.config.ts \
    docs/vitest.config.ts packages/server/vitest.reliability.config.ts | sed -E 's/.*"([^"]+)".*/\1/')
fi

failed=()
summary=()
for project in "${projects[@]}"; do
  git clean -fdxq -e node_modules
  echo "== ${project}: alone, nothing built" >&2
  started=$(date +%s)
  # A browser project is named "<name> (chromium)": the pattern matches both forms.
  pnpm exec vitest run --project "${project}" --project "${project} (*)"
  status=$?
  elapsed=$(($(date +%s) - started))
  summary+=("$(printf '%-18s %s after %4d s' "${project}" "$([ $status -eq 0 ] && echo passed || echo FAILED)" "${elapsed}")")
  [ $status -eq 0 ] || failed+=("${project}")
done

echo >&2
printf '%s\n' "${summary[@]}" >&2
if [ ${#failed[@]} -gt 0 ]; then
  echo "test-each-project: failed alone: ${failed[*]}" >&2
  exit 1
fi
echo "test-each-project: every project passed alone" >&2
