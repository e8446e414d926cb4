#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with a fresh, unlocked gnome-keyring
# (Secret Service), so keytar/libsecret work headless (tests, CI).
# usage: scripts/with-keyring.sh <command> [args...]
# If a session bus is already present (a desktop), the command runs as it is.
set -euo pipefail
if [[ -n "${QIWI_DESK_OWN_KEYRING:-}" ]]; then exec "$@"; fi
# A throwaway keyring directory: a login.keyring left in ~/.local/share/keyrings with
# another password would stay locked ("Cannot create an item in a locked collection").
KEYRING_HOME="$(mktemp -d)"
trap 'rm -rf "$KEYRING_HOME"' EXIT
export XDG_DATA_HOME="$KEYRING_HOME/data" XDG_RUNTIME_DIR="$KEYRING_HOME/run"
mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
export QIWI_DESK_OWN_KEYRING=1
dbus-run-session -- bash -c '
  set -euo pipefail
  # --unlock reads the keyring password from stdin; the daemon forks into the background.
  eval "$(printf "%s" "ci-keyring-password" | gnome-keyring-daemon --unlock --components=secrets)"
  export GNOME_KEYRING_CONTROL
  exec "$@"
' with-keyring "$@" 2> >(grep -v "Failed to set fd limit" >&2)
