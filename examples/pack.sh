#!/usr/bin/env sh
# Packs a cloud service folder (ServiceDefinition.csdef and one folder per role) into a service
# package, a ZIP archive, with Python's zipfile (no zip program needed).
# Usage: examples/pack.sh FOLDER OUT.cspkg     e.g. examples/pack.sh examples/webapp app.cspkg
set -eu
folder="$1"
out="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"
cd "$folder"
python3 -m zipfile -c "$out" ServiceDefinition.csdef $(for d in */; do printf '%s ' "${d%/}"; done)
echo "$out"
