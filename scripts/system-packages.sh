#!/usr/bin/env bash
# Debian packages: chromium (page tests), CJK fonts (Chinese renders), bubblewrap and libseccomp2 (isolated jobs
# and their seccomp filter), openssl (the outside tool that checks SM2 signatures), Pango (statements as PDF,
# through WeasyPrint). With arguments, only those
# (the demo needs no browser). Installs only what is missing.
set -euo pipefail
if [ $# -gt 0 ]; then wanted=("$@"); else wanted=(chromium fonts-noto-cjk bubblewrap libseccomp2 openssl libpango-1.0-0 libpangoft2-1.0-0); fi
missing=()
for package in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null; then
  echo "need root to install: ${missing[*]} (apt-get install ${missing[*]})" >&2
  exit 1
fi
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
echo "installing ${missing[*]}"
as_root apt-get update -qq
DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
