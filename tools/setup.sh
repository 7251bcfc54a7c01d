#!/usr/bin/env bash
# Installs the system packages the project builds against (Debian): LMDB, zlib, ISA-L and OpenSSL headers.
# As root it runs apt-get; otherwise it says exactly what to install.
set -euo pipefail

packages=(liblmdb-dev zlib1g-dev libisal-dev libssl-dev pkg-config)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

if ((${#missing[@]} > 0)); then
    if [[ $(id -u) -eq 0 ]]; then
        echo "setup: installing ${missing[*]}" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
        echo "setup: missing system packages: ${missing[*]}" >&2
        echo "setup: install them with: sudo apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
fi

if ! command -v swift >/dev/null 2>&1; then
    echo "setup: no 'swift' on PATH; install Swift 6.1 or newer from swift.org" >&2
    exit 1
fi
