#!/usr/bin/env bash
# test-workflows.sh - the GitHub Actions workflows' tier (make test-workflows; .github/workflows/,
# docs/deploy/ci-cd.md, docs/decisions/0051-github-actions.md):
#   1. actionlint (built from the project's Go module tools/actionlint through
#      scripts/k8s/gobuild.sh, cached machine-wide) on every workflow, with its shellcheck
#      integration on (Debian's shellcheck, scripts/bootstrap.sh --test) so every `run:` script
#      is checked too; pyflakes off (no Python in the workflows). Shown to fail on two broken
#      copies: an expression naming an unknown context property, and a `run:` script with a
#      shellcheck finding;
#   2. tests/workflows/test_workflows.py: ci.yml runs `make test` and otherwise only Makefile
#      targets and setup steps, release.yml uses scripts/build-web.sh, deploy/Containerfile and
#      the chart through scripts/deploy.sh rather than copies, ... (each check shown to fail);
#   3. tests/workflows/smoke_test.sh: scripts/smoke.sh against a real `todo serve`.
# Needs python3 with PyYAML, shellcheck, go, curl, node and build/todo (TODO_BIN).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
say() { printf 'test-workflows: %s\n' "$*" >&2; }

nice -n 10 scripts/k8s/gobuild.sh actionlint
actionlint=$(scripts/k8s/gobuild.sh path actionlint)
shellcheck=$(command -v shellcheck) ||
    { say "shellcheck is required (scripts/bootstrap.sh --test)"; exit 2; }
python3 -c 'import yaml' 2>/dev/null ||
    { say "python3 with PyYAML is required (scripts/bootstrap.sh --test)"; exit 2; }
lint() { "$actionlint" -no-color -shellcheck="$shellcheck" -pyflakes= "$@"; }

status=0
workflows=(.github/workflows/*.yml)
if lint "${workflows[@]}"; then
    say "actionlint: ${#workflows[@]} workflows: ok"
else
    say "actionlint: FAILED"
    status=1
fi

# actionlint must catch a broken workflow: an unknown property and a shell mistake
tmp=$(mktemp -d "${TMPDIR:-/tmp}/todo-workflows.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
sed 's/\${{ env.NODE_VERSION }}/${{ env.NODE_VERSION }}${{ github.no_such_property }}/' \
    .github/workflows/ci.yml >"$tmp/context.yml"
sed 's/^\( *\)mkdir -p ci-logs$/\1mkdir -p ci-logs\n\1cd $NO_SUCH_DIR/' \
    .github/workflows/ci.yml >"$tmp/shell.yml"
for broken in context shell; do
    want=$([[ $broken == context ]] && echo 'no_such_property' || echo 'shellcheck reported issue')
    if cmp -s .github/workflows/ci.yml "$tmp/$broken.yml"; then
        say "actionlint negative test '$broken': the break was not applied"; status=1
    elif out=$(lint "$tmp/$broken.yml" 2>&1); then
        say "actionlint passed a broken workflow ($broken)"; status=1
    elif ! grep -q "$want" <<<"$out"; then
        echo "$out" >&2; say "actionlint did not name the break ($broken)"; status=1
    else
        say "actionlint: fails on a broken workflow ($broken): ok"
    fi
done

(cd tests/workflows && python3 -m unittest -v test_workflows) || status=1
tests/workflows/smoke_test.sh || status=1
exit $status
