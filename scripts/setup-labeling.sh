#!/usr/bin/env bash
# Installs the Label Studio editor that the labeling page (dotnet cake --target=Label) serves, into
# artifacts/label-studio-editor, unless it is there: the npm package @heartexlabs/label-studio at the pinned version,
# fetched with npm pack and checked against the integrity pinned below before anything is unpacked. 1.4.0 is the
# newest release on npm that carries its built bundle (1.8.0's package has no build/ folder).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

package="@heartexlabs/label-studio@1.4.0"
integrity="sha512-NczF2gDF/Whq7+xI3tYZLrAk8Pq6hacXhYEDmWfHAQIZ0eiieyrMxxHz4KIU7wnagComaGv+QJ2Zc6SBcBmuCg=="
target=artifacts/label-studio-editor

if [[ -f $target/js/main.js && -f $target/css/main.css ]]; then
  echo "setup-labeling: the Label Studio editor is installed in $target"
  exit 0
fi

command -v npm > /dev/null || { echo "setup-labeling: npm is needed to fetch the Label Studio editor (apt-get install npm)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "setup-labeling: fetching $package"
(cd "$work" && npm pack --silent "$package" > /dev/null)
tarball=$(ls "$work"/*.tgz)
actual="sha512-$(node -e 'process.stdout.write(require("crypto").createHash("sha512").update(require("fs").readFileSync(process.argv[1])).digest("base64"))' "$tarball")"
if [[ $actual != "$integrity" ]]; then
  echo "setup-labeling: $package does not match the pinned integrity (got $actual); nothing installed" >&2
  exit 1
fi

tar -xzf "$tarball" -C "$work" package/build/static/js/main.js package/build/static/css/main.css package/LICENSE
# Assembled beside the target and renamed into place: a half-unpacked editor is never served. Two installs at once
# (parallel test processes) each assemble their own copy; the first rename wins and the other copy is dropped.
partial="$target.partial-$$"
mkdir -p "$partial"
cp -r "$work/package/build/static/js" "$work/package/build/static/css" "$work/package/LICENSE" "$partial/"
[[ -f $target/js/main.js ]] || rm -rf "$target"
mv -T "$partial" "$target" 2> /dev/null || rm -rf "$partial"
echo "setup-labeling: installed the Label Studio editor ($package) in $target"
