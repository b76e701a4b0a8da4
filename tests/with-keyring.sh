#!/usr/bin/env bash
# Runs a test program under a private D-Bus session with an unlocked gnome-keyring (the
# Secret Service) whose files live in a temporary folder, removed afterwards.
#   tests/with-keyring.sh PROGRAM [ARGS…]
set -euo pipefail
if [[ -z "${LH_IN_KEYRING_SESSION:-}" ]]; then
  export LH_IN_KEYRING_SESSION=1
  exec dbus-run-session -- "$0" "$@"
fi
home=$(mktemp -d)
# The daemon ends with the session bus; its folder goes with this script.
trap 'rm -rf "$home"' EXIT
export XDG_DATA_HOME="$home/data" XDG_RUNTIME_DIR="$home/run"
mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
eval "$(printf 'litehouse-test' | gnome-keyring-daemon --unlock --components=secrets --daemonize)"
export GNOME_KEYRING_CONTROL
"$@"
