#!/usr/bin/env bash
# Installs the system packages the rehearsals need (test/image-build/rehearsal.test.ts, script-errors.test.ts), on a
# Debian or Ubuntu machine, with apt-get as root or through sudo. It says what it installs before it does, installs
# only what is missing, and runs `apt-get update` at most once.
#
# Where it cannot install (not Debian, no root and no password-less sudo, SKIP_SYSTEM_DEPS=1, or apt fails), it says
# so and exits 0: the rehearsals are then reported as skipped, each naming what it needs, and every other test runs.
# Under CI=true it exits 1 instead, because CI must not skip a rehearsal.
#
# What each package is for:
#   docker-registry  Distribution registry 2.8, the stand-in for ECR's registry API (`docker-registry serve CONFIG`)
#   apache2-utils    `htpasswd -B`, to give the registry the moto login token as the password of user AWS
#   podman           the engine behind `docker login/build/push/manifest` (daemonless; builds as root with vfs storage)
#   podman-docker    /usr/bin/docker, a `docker` command that runs podman, so the script runs unchanged
#   skopeo           reads manifests and tags from the registry in the test assertions, independently of the script
#   runc             OCI runtime; crun (podman's first choice) refuses this host's hybrid cgroups
#   busybox-static   a static shell and coreutils, imported as the local base image for the rehearsal's RUN step
#   dash, curl       the script must run under a strict POSIX sh; it talks to the registry API with curl
#   openssl          a CA and a certificate for the rehearsal's registry, which speaks HTTPS as ECR does
#   graphviz         `dot`, which renders docs/architecture.png from docs/architecture.dot (scripts/diagram.ts)
#   python3-setuptools, python3-wheel  build the Python bindings' wheel and sdist offline (test/adoption/python.test.ts)
# Not needed here: buildah (podman bundles the build code; the rehearsal Dockerfiles are FROM scratch + COPY),
# uidmap and fuse-overlayfs (rootless and overlay storage only; the rehearsal is root with vfs).
set -euo pipefail

PACKAGES=(docker-registry apache2-utils podman podman-docker skopeo runc busybox-static dash curl openssl graphviz python3-setuptools python3-wheel)

# Not installing: fine on a developer's machine (the rehearsals are skipped), a failure in CI.
cannot_install() {
  echo "install-system-deps: cannot install ${PACKAGES[*]}: $1" >&2
  if [ "${CI:-}" = true ]; then
    echo "install-system-deps: CI=true: the rehearsals must run, so this is a failure" >&2
    exit 1
  fi
  echo "install-system-deps: the rehearsal tests will be reported as skipped, each naming what it needs; every other test runs" >&2
  exit 0
}

echo "install-system-deps: the rehearsals need these Debian packages: ${PACKAGES[*]} (what each is for: scripts/install-system-deps.sh)"
if [ "${SKIP_SYSTEM_DEPS:-}" = 1 ]; then cannot_install "SKIP_SYSTEM_DEPS=1"; fi
command -v dpkg-query >/dev/null && command -v apt-get >/dev/null || cannot_install "this is not a Debian or Ubuntu machine (no apt-get)"

missing=()
for pkg in "${PACKAGES[@]}"; do
  # dpkg-query prints "install ok installed" only for a fully installed package.
  if [ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)" != "install ok installed" ]; then missing+=("$pkg"); fi
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-system-deps: all installed"
  exit 0
fi

# apt-get needs root: sudo when a developer runs this as themselves, never a password prompt in the middle of a build.
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    SUDO=(sudo -n)
  else
    cannot_install "apt-get needs root, and sudo is not available without a password (run this script as root once: sudo bash scripts/install-system-deps.sh)"
  fi
fi

echo "install-system-deps: ${SUDO[*]:+${SUDO[*]} }apt-get install ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -q || cannot_install "apt-get update failed"
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" || cannot_install "apt-get install failed"

# Debian's package starts a registry service where an init system runs; the rehearsal starts its own on a free port.
if command -v service >/dev/null 2>&1 && service docker-registry status >/dev/null 2>&1; then
  echo "install-system-deps: stopping the packaged docker-registry service (the rehearsal starts its own)"
  "${SUDO[@]}" service docker-registry stop || true
fi

for cmd in docker-registry htpasswd podman skopeo runc busybox dash curl openssl; do
  command -v "$cmd" >/dev/null || cannot_install "$cmd is still missing after the install"
done
test -x /usr/bin/docker || cannot_install "/usr/bin/docker (podman-docker) is missing after the install"
echo "install-system-deps: done ($(podman --version), $(docker-registry --version 2>&1 | head -n 1))"
