#!/usr/bin/env bash
# The README's run command: installs thumbprint and thumbprint-server (scripts/install.sh), then
# starts the management API server with the data folder ./.thumbprint. Arguments go to the
# server, e.g. scripts/run.sh --listen 127.0.0.1:9443.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh
exec "${PREFIX:-$HOME/.local}/bin/thumbprint-server" server "$@"
