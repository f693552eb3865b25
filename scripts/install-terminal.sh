#!/usr/bin/env bash
# Puts lifecheck on a terminal: the code under /opt/lifecheck, the systemd unit, the udev rules,
# a default hardware configuration (kept if one exists), the service user. Idempotent.
#   sudo scripts/install-terminal.sh            install and enable
#   DESTDIR=/tmp/root scripts/install-terminal.sh   stage into a folder (no users, no systemctl)
set -euo pipefail
cd "$(dirname "$0")/.."
root="${DESTDIR:-}"
prefix="$root/opt/lifecheck"

install -d "$prefix" "$root/etc/systemd/system" "$root/etc/udev/rules.d" "$root/etc/lifecheck"
# The built code and its runtime dependencies (make build && npm ci --omit=dev beforehand).
parts=(bin dist config package.json package-lock.json README.md node_modules)
# Staging tests skip the (large) dependencies.
[ "${WITHOUT_NODE_MODULES:-}" = 1 ] && parts=("${parts[@]:0:6}")
for part in "${parts[@]}"; do
  [ -e "$part" ] || { echo "install: $part is missing; run make build first" >&2; exit 1; }
  rm -rf "${prefix:?}/$part"
  cp -a "$part" "$prefix/$part"
done
install -m 0644 systemd/lifecheck.service "$root/etc/systemd/system/lifecheck.service"
install -m 0644 systemd/90-lifecheck.rules "$root/etc/udev/rules.d/90-lifecheck.rules"
if [ ! -e "$root/etc/lifecheck/config.json" ]; then
  # Hardware profile (its preset: config/hardware.json); the terminal number, SI address and
  # certificates, outbox key and touch calibration are set per terminal afterwards.
  cat > "$root/etc/lifecheck/config.json" <<'JSON'
{
  "profile": "hardware",
  "terminal": { "number": "0000" }
}
JSON
  chmod 0640 "$root/etc/lifecheck/config.json"
fi

if [ -z "$root" ]; then
  id lifecheck >/dev/null 2>&1 || useradd --system --home-dir /var/lib/lifecheck --shell /usr/sbin/nologin --groups dialout,video,input,lp,audio lifecheck
  chgrp lifecheck /etc/lifecheck/config.json
  udevadm control --reload-rules && udevadm trigger || true
  systemctl daemon-reload
  systemctl enable lifecheck.service
  echo "installed; edit /etc/lifecheck/config.json, then: systemctl start lifecheck"
else
  echo "staged into $root"
fi
