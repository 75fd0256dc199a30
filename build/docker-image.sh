#!/usr/bin/env bash
# Builds AutoDev's sandbox image locally, without a registry: a minimal Debian with python3 from the machine's own
# package sources (mmdebstrap), imported into the engine. Skips the build when the image exists.
#   AUTODEV_IMAGE (default autodev/python:3.11), DOCKER_SOCKET (default /var/run/docker.sock)
set -euo pipefail
image="${AUTODEV_IMAGE:-autodev/python:3.11}"
socket="${DOCKER_SOCKET:-/var/run/docker.sock}"
docker=(docker -H "unix://$socket")

if "${docker[@]}" image inspect "$image" >/dev/null 2>&1; then
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# python3 (not python3-minimal, which lacks most of the standard library) on Debian's essential set.
mmdebstrap --quiet --variant=essential --include=python3 bookworm "$work/rootfs.tar"
"${docker[@]}" import --change 'CMD ["/usr/bin/python3"]' "$work/rootfs.tar" "$image" >/dev/null
"${docker[@]}" run --rm --network none --read-only --user 65534:65534 "$image" /usr/bin/python3 -I -S -c 'import json; print(json.dumps("ok"))' >/dev/null
echo "built $image"
