#!/usr/bin/env bash
# Builds both programs and links them, side by side, into $PREFIX/bin (default ~/.local/bin):
# `thumbprint` runs `thumbprint-server` from its own folder for the server, admin and API commands.
# Usage: scripts/install.sh [--debug] [--no-build]
#   --debug     link the debug build (release by default)
#   --no-build  link what is already built (after `swift build`, or in tests)
set -euo pipefail
cd "$(dirname "$0")/.."
configuration=release
build=yes
for argument in "$@"; do
    case "$argument" in
        --debug) configuration=debug ;;
        --no-build) build=no ;;
        *) echo "scripts/install.sh: unknown argument $argument (use --debug, --no-build)" >&2; exit 2 ;;
    esac
done
prefix="${PREFIX:-$HOME/.local}"

built="$PWD/.build/$configuration"
if [ "$build" = yes ]; then
    echo "Building thumbprint and thumbprint-server ($configuration; the first build takes several minutes)" >&2
    swift build -c "$configuration" --product thumbprint-server >&2
    swift build -c "$configuration" --product thumbprint >&2
    built="$(swift build -c "$configuration" --show-bin-path)"
fi
for program in thumbprint thumbprint-server; do
    if [ ! -x "$built/$program" ]; then echo "scripts/install.sh: $built/$program is not built" >&2; exit 1; fi
done

mkdir -p "$prefix/bin"
for program in thumbprint thumbprint-server; do
    ln -sf "$built/$program" "$prefix/bin/$program"
done
echo "Installed thumbprint and thumbprint-server in $prefix/bin" >&2
case ":$PATH:" in
    *":$prefix/bin:"*) ;;
    *) echo "Put them on your PATH:  export PATH=\"$prefix/bin:\$PATH\"" >&2 ;;
esac
