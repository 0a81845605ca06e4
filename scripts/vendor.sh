#!/usr/bin/env bash
# Copy the pinned front-end packages (package.json + package-lock.json) into static/vendor/,
# which is committed, so that running the project needs no Node.
set -euo pipefail
cd "$(dirname "$0")/.."
target=static/vendor
rm -rf "$target"
mkdir -p "$target"
copy() { cp "node_modules/$1" "$target/$2"; }
copy htmx.org/dist/htmx.min.js htmx.min.js
copy chart.js/dist/chart.umd.min.js chart.umd.min.js
copy @zxing/library/umd/index.min.js zxing-library.min.js
copy axe-core/axe.min.js axe.min.js
copy hds-core/lib/base.min.css hds-base.min.css
copy hds-core/lib/components/all.min.css hds-components.min.css
for package in htmx.org chart.js @zxing/library axe-core hds-core; do
  version=$(node -p "require('./node_modules/$package/package.json').version")
  license=$(node -p "require('./node_modules/$package/package.json').license")
  echo "$package $version ($license)"
done > "$target/VERSIONS.txt"
echo "vendored into $target:" && cat "$target/VERSIONS.txt"
