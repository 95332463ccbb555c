#!/usr/bin/env bash
# Build the execution environment of execution-environment.yml from the collection tarball that
# `ansible-galaxy collection build` writes: the tarball and a requirements file naming it go to context-src/,
# ansible-builder writes its build context to context/, and builds the image when podman or docker works here.
# Usage: tools/build-ee.sh [IMAGE_TAG]   (default storage-scst-ee:VERSION)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
version=$(sed -n 's/^version: *//p' galaxy.yml)
tarball=storage-scst-$version.tar.gz
tag=${1:-storage-scst-ee:$version}

rm -rf context-src context
mkdir -p context-src
ansible-galaxy collection build --force --output-path context-src/ >/dev/null
cat > context-src/requirements.yml <<REQ
---
collections:
  - name: /build/collections/$tarball
    type: file
REQ
ansible-builder create -f execution-environment.yml --context context
for runtime in podman docker; do
    if command -v "$runtime" >/dev/null && "$runtime" info >/dev/null 2>&1; then
        exec ansible-builder build -f execution-environment.yml --context context --container-runtime "$runtime" -t "$tag"
    fi
done
echo "build-ee: context/ is ready; no working podman or docker here, so the image was not built" >&2
