#!/usr/bin/env bash
# Installs scalper as a systemd service (run as root on the trading machine, from the repository):
# a system user, /etc/algoscalper (configuration and 0600 secrets), /var/lib/algoscalper (journal), the binary
# and the unit. It never starts trading: it prints what to fill in, then how to start.
set -euo pipefail
[[ $(id -u) -eq 0 ]] || { echo "install: run as root" >&2; exit 1; }
cd "$(dirname "$0")/../.."

binary=.build/release/scalper
if [[ ! -x $binary ]]; then
    echo "install: building the release binary (about 7 minutes on 2 cores)" >&2
    swift build -c release --product scalper
fi

id algoscalper >/dev/null 2>&1 || useradd --system --home-dir /var/lib/algoscalper --shell /usr/sbin/nologin algoscalper
install -d -o algoscalper -g algoscalper -m 0750 /var/lib/algoscalper
install -d -o root -g algoscalper -m 0750 /etc/algoscalper
install -m 0755 "$binary" /usr/local/bin/scalper

# Configuration: the repository's defaults, kept if already there.
for file in algo.yml calendar.yml; do
    [[ -e /etc/algoscalper/$file ]] || install -o root -g algoscalper -m 0640 "config/$file" "/etc/algoscalper/$file"
done
# Secrets: owned by the service user, mode 0600 (scalper refuses anything others can read).
if [[ ! -e /etc/algoscalper/credentials ]]; then
    umask 077
    cat > /etc/algoscalper/credentials <<'CREDENTIALS'
DHAN_CLIENT_ID=
DHAN_ACCESS_TOKEN=
# With TOTP enabled on the account, these let scalper generate tokens itself (then the token may stay empty):
# DHAN_PIN=
# DHAN_TOTP_SECRET=
CREDENTIALS
    chown algoscalper:algoscalper /etc/algoscalper/credentials
    chmod 0600 /etc/algoscalper/credentials
fi
if [[ ! -e /etc/algoscalper/control-token ]]; then
    umask 077
    head -c 24 /dev/urandom | base64 > /etc/algoscalper/control-token
    chown algoscalper:algoscalper /etc/algoscalper/control-token
    chmod 0600 /etc/algoscalper/control-token
fi

install -m 0644 tools/systemd/algoscalper.service /etc/systemd/system/algoscalper.service
systemctl daemon-reload

cat <<'NEXT'
installed. Next:
  1. fill in /etc/algoscalper/credentials (DHAN_CLIENT_ID, and DHAN_ACCESS_TOKEN or DHAN_PIN + DHAN_TOTP_SECRET)
  2. review /etc/algoscalper/algo.yml (mode, indices, risk; alerts: for Telegram or a webhook)
  3. systemctl enable --now algoscalper        # paper trading, day after day
  4. journalctl -u algoscalper -f              # the log;  scalper status  # the state
For real orders, edit ExecStart in /etc/systemd/system/algoscalper.service to add --live --confirm-live.
NEXT
