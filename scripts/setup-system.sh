#!/usr/bin/env bash
# Install the Debian packages the test suite needs, only when one is missing
# (so a repeated run costs a dpkg query, not an apt-get update).
set -euo pipefail

# openjdk-17-jre-headless: the Spark test (the optional Ibis-on-Spark engine) needs a Java runtime.
PACKAGES=(chromium chromium-driver poppler-utils fonts-noto-cjk fonts-wqy-microhei postgresql openjdk-17-jre-headless)

missing=()
for pkg in "${PACKAGES[@]}"; do
    status="$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)"
    [ "$status" = "installed" ] || missing+=("$pkg")
done
if [ "${#missing[@]}" -eq 0 ]; then
    echo "setup-system: Debian packages present"
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
else
    echo "setup-system: missing ${missing[*]}; run as root or install sudo" >&2
    exit 1
fi

echo "setup-system: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -q
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q "${missing[@]}" </dev/null
