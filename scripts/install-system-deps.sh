#!/usr/bin/env bash
# Installs the system packages the build-and-push rehearsal (test/image-build/rehearsal.test.ts) needs, on a
# Debian 12 machine with no Docker engine, as root. Idempotent: installs only what is missing, runs `apt-get update`
# at most once, and prints what it does.
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
# Not needed here: buildah (podman bundles the build code; the rehearsal Dockerfiles are FROM scratch + COPY),
# uidmap and fuse-overlayfs (rootless and overlay storage only; the rehearsal is root with vfs).
set -euo pipefail

PACKAGES=(docker-registry apache2-utils podman podman-docker skopeo runc busybox-static dash curl openssl graphviz)

# apt-get needs root: use sudo when a developer runs this as themselves.
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-system-deps: run as root or install sudo (apt-get install needs root)" >&2; exit 1; }
  SUDO=(sudo)
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  # dpkg-query prints "install ok installed" only for a fully installed package.
  if [ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)" = "install ok installed" ]; then
    echo "install-system-deps: $pkg already installed"
  else
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-system-deps: nothing to install"
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
echo "install-system-deps: apt-get update"
"${SUDO[@]}" apt-get update -q
echo "install-system-deps: apt-get install ${missing[*]}"
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"

# Debian's package starts a registry service where an init system runs; the rehearsal starts its own on a free port.
if command -v service >/dev/null 2>&1 && service docker-registry status >/dev/null 2>&1; then
  echo "install-system-deps: stopping the packaged docker-registry service (the rehearsal starts its own)"
  "${SUDO[@]}" service docker-registry stop || true
fi

for cmd in docker-registry htpasswd podman skopeo runc busybox dash curl openssl; do
  command -v "$cmd" >/dev/null || { echo "install-system-deps: $cmd still missing after install" >&2; exit 1; }
done
test -x /usr/bin/docker || { echo "install-system-deps: /usr/bin/docker (podman-docker) missing after install" >&2; exit 1; }
echo "install-system-deps: done ($(podman --version), $(docker-registry --version 2>&1 | head -n 1))"
