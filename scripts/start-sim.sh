#!/usr/bin/env bash
# `make start`: the reference SI service (lifecheck si-dev) in the background on 127.0.0.1 with
# fresh test certificates, then the terminal on the sim profile talking to it over HTTPS with a
# client certificate, through the durable encrypted outbox, with the browser panel on
# http://127.0.0.1:8470/ (LIFECHECK_PANEL_LISTEN to change it). It prints the transcript and runs
# until Ctrl-C. `make demo` (this script with --demo): one whole session played by a simulated
# person, then it exits. Everything lives in a temporary directory removed on exit; si-dev is
# stopped with the terminal.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=(--transcript)
if [ "${1:-}" = "--demo" ]; then
  mode=(--demo)
  shift
fi

state=$(mktemp -d -t lifecheck-sim.XXXXXX)
si_pid=""
cleanup() {
  if [ -n "$si_pid" ]; then kill "$si_pid" 2>/dev/null || true; wait "$si_pid" 2>/dev/null || true; fi
  rm -rf "$state"
}
trap cleanup EXIT

node bin/lifecheck.js si-dev --dir "$state/si-dev" --port 0 --admin-port 0 --fresh >"$state/si-dev.log" 2>&1 &
si_pid=$!
node bin/lifecheck.js outbox keygen --key "$state/outbox.key" >/dev/null

# si-dev writes ready.json (atomically) once both listeners are up; give it at most 20 s.
ready="$state/si-dev/ready.json"
for _ in $(seq 1 200); do
  [ -s "$ready" ] && break
  if ! kill -0 "$si_pid" 2>/dev/null; then echo "si-dev did not start:" >&2; cat "$state/si-dev.log" >&2; exit 1; fi
  sleep 0.1
done
[ -s "$ready" ] || { echo "si-dev not ready after 20 s" >&2; cat "$state/si-dev.log" >&2; exit 1; }
field() { node -e 'process.stdout.write(String(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))[process.argv[2]]))' "$ready" "$1"; }

export LIFECHECK_SI_KIND=https
LIFECHECK_SI_URL=$(field url); export LIFECHECK_SI_URL
LIFECHECK_SI_CA_FILE=$(field caFile); export LIFECHECK_SI_CA_FILE
LIFECHECK_SI_CERT_FILE=$(field certFile); export LIFECHECK_SI_CERT_FILE
LIFECHECK_SI_KEY_FILE=$(field keyFile); export LIFECHECK_SI_KEY_FILE
export LIFECHECK_OUTBOX_STORE=sqlite
export LIFECHECK_OUTBOX_PATH="$state/outbox.sqlite"
export LIFECHECK_OUTBOX_KEY_FILE="$state/outbox.key"
# The panel's SI faults go to this si-dev's fault switch.
LIFECHECK_PANEL_SI_ADMIN=$(field adminUrl); export LIFECHECK_PANEL_SI_ADMIN
echo "SI: lifecheck si-dev at $LIFECHECK_SI_URL (HTTPS, client certificate); outbox: $LIFECHECK_OUTBOX_PATH"

# The capture steps run the real face pipeline (OpenCV, dlib landmarks, action judges, auto-capture)
# on a person synthesised from the bundled portrait, who does what the terminal asks. The landmark
# model's converted copy is kept in var/cache: only the first start converts it (~15 s).
export LIFECHECK_VISION="${LIFECHECK_VISION:-opencv}"
export LIFECHECK_CAMERA="${LIFECHECK_CAMERA:-synth}"
export LIFECHECK_VISION_MODEL_CACHE="${LIFECHECK_VISION_MODEL_CACHE:-var/cache/vision/landmarks-68.bin}"
[ -s "$LIFECHECK_VISION_MODEL_CACHE" ] || echo "first start: converting the landmark model to $LIFECHECK_VISION_MODEL_CACHE (about 15 s, once)"
echo "vision: $LIFECHECK_VISION on camera $LIFECHECK_CAMERA (the synthesised person of assets/faces/astronaut.jpg)"

if [ "${mode[0]}" = "--transcript" ]; then
  echo "terminal: open the panel URL below in a browser; Ctrl-C stops the terminal and si-dev"
fi
node bin/lifecheck.js run "${mode[@]}" "$@"
node bin/lifecheck.js outbox status
