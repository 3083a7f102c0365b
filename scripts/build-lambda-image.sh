#!/usr/bin/env bash
# `make lambda-image`: make sure Docker has the python3.13 Lambda base image `sam local invoke` runs.
#
#   scripts/build-lambda-image.sh /path/to/python3.13
#
# Nothing to do when an image of that name exists. Otherwise it is pulled from public.ecr.aws as usual;
# only where that fails (no route to the registry) is a stand-in built offline, under the same name so that
# `sam local invoke --skip-pull-image` uses it: a minimal Debian bookworm (debootstrap) with the given
# Python 3.13 copied to /var/lang, awslambdaric and boto3 in /var/runtime (the python3.13 runtime provides
# boto3) and a /var/runtime/bootstrap that starts awslambdaric, the layout of the public image
# (https://docs.aws.amazon.com/lambda/latest/dg/images-create.html, "AWS base images"). SAM mounts its own
# runtime interface emulator into the container. The stand-in carries the label named below, so it can be
# told from the real image (and removed: docker image rm IMAGE).
set -euo pipefail

PYTHON=${1:?usage: build-lambda-image.sh /path/to/python3.13}
case "$(uname -m)" in
    x86_64 | amd64) ARCH=x86_64 PLATFORM=manylinux2014_x86_64 ;;
    aarch64 | arm64) ARCH=arm64 PLATFORM=manylinux2014_aarch64 ;;
    *) echo "build-lambda-image: no Lambda base image for $(uname -m)" >&2; exit 1 ;;
esac
IMAGE=${LAMBDA_IMAGE:-public.ecr.aws/lambda/python:3.13-$ARCH}
LABEL=genesys-participant-data.local-lambda-image
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
WORK=${LAMBDA_IMAGE_WORK:-build/lambda-image}
# Libraries a CPython build links against (ssl, ctypes, zlib, sqlite3, bz2, lzma, readline) and the CA
# certificates, beside minbase.
DEBIAN_PACKAGES=libssl3,libffi8,zlib1g,libsqlite3-0,libbz2-1.0,liblzma5,libreadline8,ca-certificates

if docker image inspect "$IMAGE" >/dev/null 2>&1; then
    echo "==> $IMAGE is there"
    exit 0
fi
# LAMBDA_IMAGE_PULL=no skips the pull: CI here knows the registry is out of reach and sends nothing to it.
if [ "${LAMBDA_IMAGE_PULL:-yes}" != no ] && docker pull --quiet "$IMAGE" >/dev/null 2>&1; then
    echo "==> Pulled $IMAGE"
    exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v debootstrap >/dev/null 2>&1; then
    echo "build-lambda-image: $IMAGE cannot be pulled, and building it offline needs root and debootstrap." >&2
    exit 1
fi
"$PYTHON" -c 'import sys; assert sys.version_info[:2] == (3, 13)' || {
    echo "build-lambda-image: $PYTHON is not Python 3.13" >&2
    exit 1
}

echo "==> $IMAGE cannot be pulled: building a local stand-in (debootstrap + $PYTHON, a few minutes)"
ROOT="$WORK/rootfs"
rm -rf "$ROOT"
mkdir -p "$ROOT"
trap 'rm -rf "$ROOT"' EXIT
debootstrap --variant=minbase --include="$DEBIAN_PACKAGES" bookworm "$ROOT" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 || {
    echo "build-lambda-image: debootstrap failed (see $WORK/debootstrap.log)" >&2
    exit 1
}

# The interpreter's installation, minus its own tests and installed packages, as /var/lang.
PREFIX=$("$PYTHON" -c 'import sys; print(sys.base_prefix)')
mkdir -p "$ROOT/var/lang" "$ROOT/var/runtime" "$ROOT/var/task"
tar -C "$PREFIX" --exclude='./lib/python3.13/test' --exclude='./lib/python3.13/site-packages/*' \
    --exclude='__pycache__' -cf - . | tar -C "$ROOT/var/lang" -xf -
ln -sf python3.13 "$ROOT/var/lang/bin/python3"
echo /var/lang/lib >"$ROOT/etc/ld.so.conf.d/var-lang.conf"
chroot "$ROOT" /sbin/ldconfig

# (grep: minus the notices this machine's pip configuration prints for local mirrors that may not exist)
PIP_ROOT_USER_ACTION=ignore "$PYTHON" -m pip install --quiet --disable-pip-version-check --no-compile \
    --platform "$PLATFORM" --only-binary=:all: --python-version 3.13 --implementation cp \
    --target "$ROOT/var/runtime" awslambdaric boto3 2>&1 | { grep -v "is ignored: it is neither" || true; }
test "${PIPESTATUS[0]}" -eq 0
cat >"$ROOT/var/runtime/bootstrap" <<'EOF'
#!/bin/sh
# The runtime's start: awslambdaric serves the handler named by _HANDLER (set by the runtime API emulator).
export PYTHONPATH="/var/runtime${PYTHONPATH:+:$PYTHONPATH}"
exec /var/lang/bin/python3.13 -m awslambdaric "$_HANDLER"
EOF
chmod 755 "$ROOT/var/runtime/bootstrap"

tar -C "$ROOT" -cf - . | docker import \
    --change 'ENV LANG=en_US.UTF-8' \
    --change 'ENV TZ=:/etc/localtime' \
    --change 'ENV PATH=/var/lang/bin:/usr/local/bin:/usr/bin:/bin:/opt/bin' \
    --change 'ENV LD_LIBRARY_PATH=/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib' \
    --change 'ENV LAMBDA_TASK_ROOT=/var/task' \
    --change 'ENV LAMBDA_RUNTIME_DIR=/var/runtime' \
    --change 'WORKDIR /var/task' \
    --change 'ENTRYPOINT ["/var/runtime/bootstrap"]' \
    --change "LABEL $LABEL=true" \
    - "$IMAGE" >/dev/null
echo "==> Built $IMAGE (label $LABEL)"
