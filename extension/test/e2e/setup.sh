#!/usr/bin/env bash
# Installs what the code-server end-to-end test needs, once per machine (../shared/E2E.md):
#   - Debian's chromium (+ libkrb5-dev for code-server's kerberos module, ripgrep) via apt, when missing;
#   - code-server 4.100.3 (the newest whose engines.node is 20) via npm into a cache folder outside
#     the repo, with E2E.md's four workarounds (rg pre-seeded from Debian, unsafe-perm as root,
#     node headers from /usr/include/node, npx without a prompt).
# Prints the code-server folder on its last line. Usage: setup.sh [CACHE_DIR]
set -euo pipefail
version=4.100.3
cache=${1:-${KDUMPDEBUG_E2E_CACHE:-$HOME/.cache/kdumpdebug-e2e}}
dir=$cache/code-server-$version
mkdir -p "$cache"

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
# Only building code-server needs ripgrep (its download is pre-seeded from Debian's) and the krb5 headers.
if [ ! -x "$dir/node_modules/.bin/code-server" ]; then
    command -v rg >/dev/null 2>&1 || need+=(ripgrep)
    [ -f /usr/include/gssapi/gssapi.h ] || need+=(libkrb5-dev)
fi
if [ ${#need[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        echo "e2e setup: missing ${need[*]} and cannot apt-get install (not root or no apt)" >&2
        exit 3
    fi
    echo "e2e setup: apt-get install ${need[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq "${need[@]}" >&2
fi

if [ ! -x "$dir/node_modules/.bin/code-server" ]; then
    echo "e2e setup: npm install code-server@$version into $dir" >&2
    rm -rf "$dir.tmp"
    mkdir -p "$dir.tmp"
    cd "$dir.tmp"
    echo '{"name":"kdumpdebug-e2e-code-server","private":true}' > package.json
    # (1) @vscode/ripgrep's postinstall downloads rg: pre-seed its cache with Debian's rg.
    export TMPDIR=$dir.tmp/tmp
    mkdir -p "$TMPDIR/vscode-ripgrep-cache-1.15.11" rgstage
    cp "$(command -v rg)" rgstage/
    tar czf "$TMPDIR/vscode-ripgrep-cache-1.15.11/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C rgstage rg
    # (2) unsafe-perm as root, (3) node headers from /usr/include/node, (4) npx without a prompt.
    npm_config_unsafe_perm=true npm_config_nodedir=/usr npm_config_yes=true \
        npm install --no-audit --no-fund --unsafe-perm "code-server@$version" >&2
    rm -rf rgstage "$TMPDIR"
    cd "$cache"
    rm -rf "$dir"
    mv "$dir.tmp" "$dir"
fi
echo "$dir"
