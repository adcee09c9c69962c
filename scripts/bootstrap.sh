#!/usr/bin/env bash
# Installs every Debian package breeze needs to build, test and demo.
# Idempotent: when everything is present it prints nothing and runs no apt command.
# `apt-get update` runs only when something has to be installed.
set -euo pipefail

PACKAGES=(
  # build
  cmake ninja-build g++ pkg-config git
  # style: scripts/format.sh, checked by scripts/test.sh (clang-format 14)
  clang-format
  # libraries (all from Debian, found with find_package / pkg-config)
  libcli11-dev libfmt-dev libspdlog-dev nlohmann-json3-dev libgit2-dev
  libcurl4-openssl-dev libyaml-cpp-dev catch2
  # tests: local HTTP stand-ins, a real docker engine + registry, busybox for FROM scratch images
  python3 docker.io docker-registry busybox-static ca-certificates
  # tests: a real pip resolver (Debian's pip 23.0.1) against a local --find-links index
  python3-pip
  # tests: shell completion scripts are loaded by real shells (setup autocomplete); man-db's
  # `man -l` renders the generated breeze.1
  zsh fish man-db
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  if [[ "$status" != "install ok installed" ]]; then
    missing+=("$pkg")
  fi
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null; then SUDO=(sudo); else
    echo "bootstrap: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
fi

echo "bootstrap: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq >/dev/null
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
