#!/usr/bin/env bash
# Copy the front-end files the pages use from node_modules into app/static/vendor.
# Pages load nothing from another host: agency intranets are often offline.
set -euo pipefail
cd "$(dirname "$0")/.."
out=app/static/vendor
rm -rf "$out" && mkdir -p "$out/swagger-ui" "$out/bpmn-js"
for f in swagger-ui.css swagger-ui-bundle.js swagger-ui-standalone-preset.js favicon-32x32.png; do
  cp node_modules/swagger-ui-dist/$f "$out/swagger-ui/"
done
# bpmn-js viewers (diagrams; the navigated one pans and zooms the case page's diagram) with
# their stylesheets and icon font
cp node_modules/bpmn-js/dist/bpmn-viewer.production.min.js "$out/bpmn-js/"
cp node_modules/bpmn-js/dist/bpmn-navigated-viewer.production.min.js "$out/bpmn-js/"
cp node_modules/bpmn-js/dist/assets/diagram-js.css node_modules/bpmn-js/dist/assets/bpmn-js.css \
  "$out/bpmn-js/"
cp -r node_modules/bpmn-js/dist/assets/bpmn-font "$out/bpmn-js/"
# The modeler: bpmn-js Modeler + properties panel (Camunda 7) + bpmnlint + Chinese labels, bundled
# from assets/modeler/index.js by esbuild (its binary comes inside the npm package), with the
# stylesheets of bpmn-js, diagram-js, the properties panel and bpmn-js-bpmnlint and the icon font.
mkdir -p "$out/modeler"
node_modules/.bin/esbuild assets/modeler/index.js --bundle --minify --format=iife \
  --target=es2019 --log-level=warning --outfile="$out/modeler/modeler.js"
cp node_modules/bpmn-js/dist/assets/diagram-js.css node_modules/bpmn-js/dist/assets/bpmn-js.css \
  node_modules/@bpmn-io/properties-panel/dist/assets/properties-panel.css \
  node_modules/bpmn-js-bpmnlint/dist/assets/css/bpmn-js-bpmnlint.css "$out/modeler/"
cp -r node_modules/bpmn-js/dist/assets/bpmn-font "$out/modeler/"
echo "vendor assets copied to $out"
