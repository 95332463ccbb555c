#!/usr/bin/env bash
# Copy the working tree to WORK/ac/ansible_collections/storage/scst: ansible-test needs the collection at a
# real (not symlinked) path of that shape, outside any other git checkout, and Ansible finds it there
# through ANSIBLE_COLLECTIONS_PATH=WORK/ac.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=${1:?usage: stage-collection.sh WORK}
dest=$work/ac/ansible_collections/storage/scst
mkdir -p "$dest"
rsync -a --delete \
    --exclude=/.git --exclude=/.venv --exclude=/.ansible --exclude=/.work --exclude=/tests/output --exclude=__pycache__ --exclude=.pytest_cache \
    --exclude='*.egg-info' "$repo/" "$dest/"
# Tests read the real scst.conf examples from ../shared beside the checkout; ansible-test passes no environment
# variables through, so the staged copy gets the same neighbour. Where ../shared is absent the tests say so.
if [ -d "$repo/../shared" ]; then
    ln -sfn "$(cd "$repo/../shared" && pwd)" "$work/ac/ansible_collections/storage/shared"
fi
echo "$dest"
