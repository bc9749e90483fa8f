#!/usr/bin/env bash
# Makes sure the Debian packages the test suite drives are installed: socat (a TCP peer nobody here wrote),
# chromium (the browser the webview is tested in), python3 (the conformance suite's ports whose connects hang:
# a listener that never accepts, which Node cannot make). Installs them when running as root with apt-get, as on
# this project's machines and CI; otherwise says what to install.
set -euo pipefail

needed=(socat chromium)
missing=()
for package in "${needed[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
command -v python3 >/dev/null 2>&1 || missing+=(python3-minimal)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test-prerequisites: installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
    echo "test-prerequisites: the tests need these Debian packages: ${missing[*]} (apt-get install -y ${missing[*]})" >&2
    exit 1
fi
