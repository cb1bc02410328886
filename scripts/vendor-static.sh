#!/usr/bin/env bash
# Front-end libraries served from src/pubdata/web/static, taken from the npm registry (never a CDN) and checked
# against the digest recorded here. Run it to refresh a library; the result is committed.
set -euo pipefail
cd "$(dirname "$0")/.."
STATIC=src/pubdata/web/static
ECHARTS_VERSION=6.1.0
ECHARTS_SHA256=b66b25aeb4df84e33199dc21694014d336d222cbd9deb0e5a7c14bd6aa0d0fd0

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "echarts@$ECHARTS_VERSION" >/dev/null && tar xzf "echarts-$ECHARTS_VERSION.tgz")
echo "$ECHARTS_SHA256  $work/package/dist/echarts.min.js" | sha256sum --check --quiet
mkdir -p "$STATIC/echarts"
cp "$work/package/dist/echarts.min.js" "$work/package/LICENSE" "$STATIC/echarts/"
echo "echarts $ECHARTS_VERSION -> $STATIC/echarts"
