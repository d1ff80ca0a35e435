#!/usr/bin/env bash
# Installs, from Debian 12 packages only, exactly the build and test
# dependencies that are missing. Safe to run again; needs root (or sudo).
set -euo pipefail

packages=(
  # toolchain
  g++ clang cmake ninja-build pkg-config
  # libraries (all found by find_package / pkg-config)
  libboost1.81-dev libcurl4-openssl-dev libssl-dev libspdlog-dev libfmt-dev libyaml-cpp-dev
  librapidxml-dev libgtest-dev libgmock-dev libbenchmark-dev libsqlite3-dev libre2-dev
  libsystemd-dev libcli11-dev nlohmann-json3-dev libgmime-3.0-dev
  # sanitizer and fuzzer runtimes for clang
  libclang-rt-14-dev
  # schema tests and the exchangelib peer run on Debian's own Python
  python3 python3-jsonschema python3-yaml python3-exchangelib
  # EWS request builders are validated against Microsoft's schemas
  libxml2-utils
  # the Windows service code is compiled by the MinGW-w64 cross compiler (ctest windows.syntax);
  # the -posix flavour, because that file uses std::thread/std::mutex
  g++-mingw-w64-x86-64-posix
)

# Node.js runs the npm peers (tests/peers). A machine that already has a
# node (e.g. from NodeSource) keeps it; otherwise Debian's.
command -v node >/dev/null 2>&1 || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: every Debian package is installed"
else
  echo "install-deps: installing ${missing[*]}"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The npm peers, at the versions pinned in tests/peers/package-lock.json.
peers="$(dirname "$0")/../tests/peers"
if ! npm ls --prefix "$peers" >/dev/null 2>&1; then
  echo "install-deps: installing the npm peers (tests/peers)"
  npm ci --prefix "$peers" --no-audit --no-fund --loglevel=error
fi
