#!/usr/bin/env bash
# Copy the front-end files the pages use from node_modules into app/static/vendor.
# Pages load nothing from another host: agency intranets are often offline.
set -euo pipefail
cd "$(dirname "$0")/.."
out=app/static/vendor
rm -rf "$out" && mkdir -p "$out/swagger-ui"
for f in swagger-ui.css swagger-ui-bundle.js swagger-ui-standalone-preset.js favicon-32x32.png; do
  cp node_modules/swagger-ui-dist/$f "$out/swagger-ui/"
done
echo "vendor assets copied to $out"
