#!/usr/bin/env bash
# Install hinge-coach as a systemd service on Raspberry Pi OS (bookworm or later).
#
#   sudo scripts/install-pi.sh [--source PIP_SPEC_OR_DIR] [--extras plot] [--no-start]
#
# Safe to run again: it upgrades the code, keeps /etc/hinge-coach/config.toml and the history
# in /var/lib/hinge-coach, and restarts the service. See docs/appliance.md.
set -euo pipefail

readonly APP=hinge-coach
readonly SERVICE_USER=hinge-coach
readonly GROUPS_NEEDED=(audio gpio i2c)
readonly PREFIX=/opt/hinge-coach
readonly VENV=$PREFIX/venv
readonly CONFIG_DIR=/etc/hinge-coach
readonly CONFIG=$CONFIG_DIR/config.toml
readonly STATE_DIR=/var/lib/hinge-coach
readonly CACHE_DIR=/var/cache/hinge-coach
readonly UNIT_DIR=/etc/systemd/system
readonly WRAPPER=/usr/local/bin/hinge-coach
readonly WRAPPER_MARK="hinge-coach wrapper from install-pi.sh"
# Debian's interpreter, not one on PATH: apt's python3-lgpio is installed for it.
readonly PYTHON=/usr/bin/python3
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly REPO

# Required: speech out (espeak-ng), audio I/O (PortAudio over ALSA), echo cancellation
# (speexdsp), the venv.
readonly APT_REQUIRED=(python3 python3-venv espeak-ng libespeak-ng1 libportaudio2 libspeexdsp1
    alsa-utils)
# Wanted when the distribution has them: lgpio (the Pi 5 GPIO backend) comes from the
# Raspberry Pi OS archive; i2c-tools lets you see the ToF sensor with i2cdetect.
readonly APT_OPTIONAL=(python3-lgpio i2c-tools)

source_spec=$REPO
extras=
start=1

log() { printf '==> %s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() {
    printf 'error: %s\n' "$*" >&2
    exit 1
}

usage() {
    sed -n '2,7s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
}

while (($#)); do
    case $1 in
        --source) source_spec=${2:?--source needs a value}; shift 2 ;;
        --extras) extras=${2:?--extras needs a value}; shift 2 ;;
        --no-start) start=0; shift ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; die "unknown option: $1" ;;
    esac
done

((EUID == 0)) || die "run as root: sudo $0 $*"
command -v apt-get >/dev/null || die "apt-get not found: this installer is for Raspberry Pi OS"
[[ -r /etc/rpi-issue ]] || warn "this does not look like Raspberry Pi OS; continuing anyway"

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
available() { apt-cache show "$1" >/dev/null 2>&1; }

# Packages still to install: required ones, and optional ones the archive has.
missing_packages() {
    local pkg
    for pkg in "${APT_REQUIRED[@]}"; do
        installed "$pkg" || echo "$pkg"
    done
    for pkg in "${APT_OPTIONAL[@]}"; do
        installed "$pkg" || ! available "$pkg" || echo "$pkg"
    done
}

install_packages() {
    local missing pkg
    mapfile -t missing < <(missing_packages)
    if ((${#missing[@]})); then
        log "apt-get update"
        apt-get update -q
        mapfile -t missing < <(missing_packages) # optional ones may be known only now
        log "apt-get install ${missing[*]}"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
    else
        log "apt packages already installed"
    fi
    for pkg in "${APT_OPTIONAL[@]}"; do
        installed "$pkg" || warn "$pkg is not in this distribution's archive; skipped"
    done
}

check_python() {
    "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
        die "hinge-coach needs Python 3.11 or newer (found $("$PYTHON" -V 2>&1))"
}

ensure_user() {
    local group
    for group in "${GROUPS_NEEDED[@]}"; do
        # systemd refuses to start a unit whose SupplementaryGroups= names a missing group.
        getent group "$group" >/dev/null || { log "creating group $group"; groupadd --system "$group"; }
    done
    if id -u "$SERVICE_USER" >/dev/null 2>&1; then
        usermod --append --groups "$(IFS=,; echo "${GROUPS_NEEDED[*]}")" "$SERVICE_USER"
    else
        log "creating system user $SERVICE_USER"
        useradd --system --user-group --home-dir "$STATE_DIR" --no-create-home \
            --shell /usr/sbin/nologin --groups "$(IFS=,; echo "${GROUPS_NEEDED[*]}")" \
            --comment "hinge-coach appliance" "$SERVICE_USER"
    fi
    # The unit creates these too; made here so the cue cache can be built before first start.
    install -d -m 0750 -o "$SERVICE_USER" -g "$SERVICE_USER" "$STATE_DIR" "$CACHE_DIR"
    install -d -m 0750 -o root -g "$SERVICE_USER" "$CONFIG_DIR"
    install -d -m 0755 "$PREFIX" "$PREFIX/docs"
}

install_venv() {
    if [[ ! -x $VENV/bin/python ]]; then
        log "creating $VENV"
        # System site packages: python3-lgpio from apt is the supported GPIO backend on a Pi 5.
        "$PYTHON" -m venv --system-site-packages "$VENV"
    fi
    local spec=$source_spec
    [[ -n $extras ]] && spec="${spec}[${extras}]"
    log "pip install $spec"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check --upgrade "$spec"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check --no-deps \
        -r "$REPO/requirements-nodeps.txt"
    # The same results with less CPU (docs/voice.md, "Native speedups"); optional.
    bash "$REPO/scripts/build-native.sh" "$VENV/bin/python" \
        || log "native speedups not built: the unit runs without them"
    "$VENV/bin/python" -m compileall -q "$VENV/lib" >/dev/null || true # service can't write .pyc
    [[ -r $REPO/docs/appliance.md ]] && install -m 0644 "$REPO/docs/appliance.md" "$PREFIX/docs/"
    return 0
}

# /usr/local/bin/hinge-coach: run any command (doctor, history, cache build) as the service
# user with the directories and config the service gets, so they see the same state.
install_wrapper() {
    local wrapper
    wrapper=$(mktemp)
    cat >"$wrapper" <<EOF
#!/bin/sh
# $WRAPPER_MARK: runs hinge-coach as the service user, as the service does.
set -eu
if [ "\$(id -un)" != $SERVICE_USER ]; then
    if [ "\$(id -u)" = 0 ]; then exec runuser -u $SERVICE_USER -- "\$0" "\$@"; fi
    exec sudo -u $SERVICE_USER -- "\$0" "\$@"
fi
export STATE_DIRECTORY=$STATE_DIR CACHE_DIRECTORY=$CACHE_DIR HOME=$STATE_DIR
export HINGE_COACH_CONFIG=$CONFIG
cd $STATE_DIR
exec $VENV/bin/hinge-coach "\$@"
EOF
    install -m 0755 "$wrapper" "$WRAPPER"
    rm -f "$wrapper"
}

install_config() {
    local fresh
    fresh=$(mktemp)
    "$VENV/bin/hinge-coach" config --default >"$fresh"
    # Keep the shipped defaults beside the config so an upgrade's new options can be diffed.
    install -m 0644 -o root -g root "$fresh" "$CONFIG_DIR/config.toml.default"
    if [[ -e $CONFIG ]]; then
        log "keeping existing $CONFIG (new defaults: $CONFIG.default)"
    else
        log "writing $CONFIG"
        install -m 0640 -o root -g "$SERVICE_USER" "$fresh" "$CONFIG"
    fi
    rm -f "$fresh"
}

build_cue_cache() {
    # Renders every spoken cue to WAV once (pyttsx3 + espeak-ng), so the live loop only plays.
    log "building the cue cache in $CACHE_DIR"
    "$WRAPPER" cache build --config "$CONFIG" ||
        die "'hinge-coach cache build' failed; see the messages above"
}

install_unit() {
    install -m 0644 "$REPO/systemd/$APP.service" "$UNIT_DIR/$APP.service"
    if [[ ! -d /run/systemd/system ]]; then
        warn "systemd is not running (chroot or image build?): unit installed, not enabled"
        return
    fi
    systemctl daemon-reload
    systemctl enable "$APP.service" >/dev/null
    if ((start)); then
        log "restarting $APP.service"
        systemctl restart "$APP.service"
        systemctl --no-pager --lines=0 status "$APP.service" || true
    else
        log "enabled $APP.service; start it with: sudo systemctl start $APP"
    fi
}

hints() {
    compgen -G '/dev/i2c-*' >/dev/null ||
        warn "no /dev/i2c-*: for the ToF sensor run 'sudo raspi-config nonint do_i2c 0' and reboot"
    compgen -G '/dev/snd/pcmC*' >/dev/null || warn "no sound card found under /dev/snd"
    log "done. Check it with: hinge-coach doctor; logs: journalctl -u $APP -f"
}

install_packages
check_python
ensure_user
install_venv
install_config
install_wrapper
build_cue_cache
install_unit
hints
