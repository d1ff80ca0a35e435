#!/bin/sh
# Compiles the Windows service code with the MinGW-w64 cross compiler
# (syntax and types against the real Win32 headers; nothing is linked or run).
# usage: windows_syntax.sh DAEMON_SOURCE_DIR
set -u
cxx=x86_64-w64-mingw32-g++
if ! command -v $cxx >/dev/null 2>&1; then
  echo "SKIPPED: $cxx is not installed (Debian package: g++-mingw-w64-x86-64-posix)"
  exit 77
fi
exec $cxx -std=c++20 -fsyntax-only -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Werror -DUNICODE -D_UNICODE \
  -I "$1" "$1/service/windows_service.cpp"
