#!/usr/bin/env bash
# Front-end libraries served from src/pubdata/web/static, taken from the npm registry (never a CDN) and checked
# against the digest recorded here. Run it to refresh a library; the result is committed.
set -euo pipefail
cd "$(dirname "$0")/.."
STATIC=src/pubdata/web/static
ECHARTS_VERSION=6.1.0
ECHARTS_SHA256=b66b25aeb4df84e33199dc21694014d336d222cbd9deb0e5a7c14bd6aa0d0fd0
# SM2 and SM3 in the citizen's browser: the public ledger's proofs are checked there, not by us (static/verify.js).
SM_CRYPTO_VERSION=0.5.8
SM2_SHA256=eb352d6c48a2bc6210b5687d3b80cfeed034a3cd6095118762fe4b076642c5a6
SM3_SHA256=27155525fcb072cfed85449595e40c1588256649083828ccfa12fe88885af2b7

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "echarts@$ECHARTS_VERSION" >/dev/null && tar xzf "echarts-$ECHARTS_VERSION.tgz")
echo "$ECHARTS_SHA256  $work/package/dist/echarts.min.js" | sha256sum --check --quiet
mkdir -p "$STATIC/echarts"
cp "$work/package/dist/echarts.min.js" "$work/package/LICENSE" "$STATIC/echarts/"
echo "echarts $ECHARTS_VERSION -> $STATIC/echarts"

(cd "$work" && rm -rf package && npm pack --silent "sm-crypto@$SM_CRYPTO_VERSION" >/dev/null \
  && tar xzf "sm-crypto-$SM_CRYPTO_VERSION.tgz")
echo "$SM2_SHA256  $work/package/dist/sm2.js" | sha256sum --check --quiet
echo "$SM3_SHA256  $work/package/dist/sm3.js" | sha256sum --check --quiet
mkdir -p "$STATIC/sm-crypto"
cp "$work/package/dist/sm2.js" "$work/package/dist/sm3.js" "$work/package/LICENCE_MIT" "$STATIC/sm-crypto/"
echo "sm-crypto $SM_CRYPTO_VERSION -> $STATIC/sm-crypto"
