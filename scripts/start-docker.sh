#!/usr/bin/env bash
# Make a Docker daemon answer, for `make lambda-image` and `make invoke` (CI runs this before the tests).
#
# Nothing to do when `docker info` already answers. Otherwise, as root on a Debian-like machine: install
# Debian's docker.io (and debootstrap, which scripts/build-lambda-image.sh uses) where missing, then start
# dockerd in the background without touching the host's firewall (--iptables=false --ip-masq=false: the
# containers `make invoke` runs only talk to each other and to the host's loopback through published ports).
# Exits 0 once the daemon answers, 1 (with one line saying why) when it cannot make one answer.
set -euo pipefail

LOG=${DOCKERD_LOG:-/tmp/dockerd.log}
WAIT_SECONDS=${DOCKERD_WAIT_SECONDS:-30}

answers() { docker info >/dev/null 2>&1; }

if command -v docker >/dev/null 2>&1 && answers; then
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "start-docker: no Docker daemon answers and this is not root: start Docker yourself." >&2
    exit 1
fi

missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || missing+=(debootstrap)
if [ ${#missing[@]} -gt 0 ]; then
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "start-docker: ${missing[*]} missing and no apt-get to install them with: install Docker yourself." >&2
        exit 1
    fi
    echo "start-docker: installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# A daemon of ours may already be starting (or DOCKER_HOST may point elsewhere): start one only when no
# dockerd process exists.
if ! pgrep -x dockerd >/dev/null 2>&1; then
    echo "start-docker: starting dockerd (log: $LOG)"
    nohup dockerd --iptables=false --ip-masq=false >"$LOG" 2>&1 &
fi
for _ in $(seq "$WAIT_SECONDS"); do
    answers && exit 0
    sleep 1
done
echo "start-docker: dockerd did not answer within ${WAIT_SECONDS} s (see $LOG)." >&2
exit 1
