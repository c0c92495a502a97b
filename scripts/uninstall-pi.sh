#!/usr/bin/env bash
# Remove the hinge-coach service installed by scripts/install-pi.sh.
#
#   sudo scripts/uninstall-pi.sh            # keeps config, workout history and the user
#   sudo scripts/uninstall-pi.sh --purge    # also deletes them
#
# Removed: the service, /opt/hinge-coach (code and venv), /var/cache/hinge-coach (cue cache),
# the /usr/local/bin/hinge-coach wrapper.
# Kept unless --purge: /etc/hinge-coach (config), /var/lib/hinge-coach (history, calibration)
# and the hinge-coach user. apt packages are left alone; other software may use them.
set -euo pipefail

readonly APP=hinge-coach
readonly SERVICE_USER=hinge-coach
readonly UNIT=/etc/systemd/system/$APP.service

purge=0

log() { printf '==> %s\n' "$*"; }
die() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}

while (($#)); do
    case $1 in
        --purge) purge=1; shift ;;
        -h | --help) sed -n '2,10s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) die "unknown option: $1 (try --help)" ;;
    esac
done

((EUID == 0)) || die "run as root: sudo $0 $*"

if [[ -d /run/systemd/system ]]; then
    log "stopping and disabling $APP.service"
    systemctl disable --now "$APP.service" 2>/dev/null || true
fi
if [[ -e $UNIT || -d $UNIT.d ]]; then
    rm -rf "$UNIT" "$UNIT.d"
    if [[ -d /run/systemd/system ]]; then
        systemctl daemon-reload
        systemctl reset-failed "$APP.service" 2>/dev/null || true
    fi
fi

# The command wrapper, only if install-pi.sh wrote it (never someone else's hinge-coach).
if grep -qs "hinge-coach wrapper from install-pi.sh" /usr/local/bin/hinge-coach; then
    rm -f /usr/local/bin/hinge-coach
fi

# Literal paths: an rm -rf never depends on a variable being set.
log "removing /opt/hinge-coach and /var/cache/hinge-coach"
rm -rf /opt/hinge-coach /var/cache/hinge-coach

if ((purge)); then
    log "purging /etc/hinge-coach, /var/lib/hinge-coach and the $SERVICE_USER user"
    rm -rf /etc/hinge-coach /var/lib/hinge-coach
    if id -u "$SERVICE_USER" >/dev/null 2>&1; then
        userdel "$SERVICE_USER"
    fi
    # The audio, gpio and i2c groups belong to the system and stay.
else
    log "kept /etc/hinge-coach (config) and /var/lib/hinge-coach (history); --purge removes them"
fi
log "done"
