#!/usr/bin/env bash
# Installs what the browser tests need when it is missing: Debian's chromium and a CJK font
# (the pages speak Chinese first; without the font a screenshot shows boxes). Under CI=true a
# failed install is an error; elsewhere a warning (the browser tests then skip).
set -u
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
fc-list 2>/dev/null | grep -qi 'noto sans cjk' || missing+=(fonts-noto-cjk)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "browser: installing ${missing[*]}"
as_root=()
[ "$(id -u)" -ne 0 ] && as_root=(sudo)
if "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/tmp/chengyun-apt.log 2>&1 ||
  { "${as_root[@]}" apt-get update -q >/dev/null 2>&1 &&
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/tmp/chengyun-apt.log 2>&1; }; then
  echo "browser: installed ${missing[*]}"
  exit 0
fi
echo "browser: could not install ${missing[*]} (see /tmp/chengyun-apt.log)" >&2
[ "${CI:-}" = "true" ] && exit 1
exit 0
