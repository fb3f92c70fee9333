#!/usr/bin/env bash
# `cmake --install` into a temporary prefix (as `make install` does into
# PREFIX): every program is there and runs --version from there, with the
# installed libvybar; every manual page is there and renders (man -l), or,
# without man-db, is a roff page that starts with .TH.
#   tests/install_check.sh BUILD_DIR VERSION
set -euo pipefail
build=$1
version=$2
programs="vybar-board vybar-commission vybar-registrar vybar-trustee vybar-vote vybar-verify vybar-witness"
prefix=$(mktemp -d "${TMPDIR:-/tmp}/vybar-install.XXXXXX")
trap 'rm -rf "$prefix"' EXIT

cmake --install "$build" --prefix "$prefix" >"$prefix.log" 2>&1 || { cat "$prefix.log"; rm -f "$prefix.log"; exit 1; }
rm -f "$prefix.log"
failed=0
fail() { echo "FAILED: $*"; failed=1; }

for p in $programs; do
  bin="$prefix/bin/$p"
  [ -x "$bin" ] || { fail "$bin is not installed"; continue; }
  got=$(ASAN_OPTIONS=detect_leaks=0 "$bin" --version) || fail "$p --version exited $?"
  [ "$got" = "$p (Vybar) $version" ] || fail "$p --version said '$got'"
  lib=$(ldd "$bin" | awk '/libvybar/ { print $3 }')
  case "$lib" in
    "$prefix"/*) ;;
    *) fail "$p uses $lib, not the installed libvybar" ;;
  esac
  page="$prefix/share/man/man1/$p.1"
  [ -f "$page" ] || { fail "$page is not installed"; continue; }
  if command -v man >/dev/null 2>&1; then
    text=$(MANWIDTH=80 man -l "$page" 2>/dev/null) || fail "man -l $page exited $?"
    for section in NAME SYNOPSIS DESCRIPTION "EXIT STATUS"; do
      grep -q "^$section" <<<"$text" || fail "$p.1 has no $section section"
    done
  else
    head -n 5 "$page" | grep -q '^\.TH ' || fail "$p.1 is not a roff page starting with .TH"
  fi
done
[ "$failed" = 0 ] && echo "installed $programs and their manual pages: 6 passed, 0 failed"
exit "$failed"
