#!/usr/bin/env bash
# Installs the npm packages the plots page carries inline (vega, vega-lite, vega-embed, pinned by
# src/Pipeline.Reports/Vega/package-lock.json), which the build embeds into Pipeline.Reports: the page then opens
# offline and fetches nothing. Without npm it says so and leaves the rest working: only the Plots targets need them.
set -euo pipefail
case "${BASH_SOURCE[0]}" in */*) cd "${BASH_SOURCE[0]%/*}/.." ;; *) cd .. ;; esac
cd src/Pipeline.Reports/Vega

builds=(node_modules/vega/build/vega.min.js node_modules/vega-lite/build/vega-lite.min.js node_modules/vega-embed/build/vega-embed.min.js)
installed=true
for build in "${builds[@]}"; do [[ -f $build ]] || installed=false; done
# npm records what it installed; a lock file newer than that record means other versions are pinned.
if $installed && [[ node_modules/.package-lock.json -nt package-lock.json ]]; then
  echo "setup-plots: vega, vega-lite and vega-embed are installed; nothing to do"
  exit 0
fi

if ! command -v npm > /dev/null; then
  echo "setup-plots: npm is not installed, so the plots page's scripts are not: install Node.js with npm (apt-get install npm) and run this again to use the Plots targets" >&2
  exit 0
fi

echo "setup-plots: installing vega, vega-lite and vega-embed from npm"
npm ci --no-audit --no-fund --loglevel=error > /dev/null
