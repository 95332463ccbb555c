#!/usr/bin/env bash
# Prepare a fresh Debian 12 machine for `make test` and `make demo`: the Debian packages the virtual SCST
# host needs (FUSE 3, sshd, shellcheck for ansible-test sanity, perl for SCST's scstadmin in the tests) and the pinned virtual environment at .venv.
# Safe to run again: each step is skipped when its result is already there.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

packages=(fuse3 libfuse3-3 openssh-server shellcheck rsync perl)
missing=()
for pkg in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "setup: missing Debian packages (${missing[*]}) and not root; install them first" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

stamp=.venv/.ready
if [ ! -f "$stamp" ] || [ requirements/venv.txt -nt "$stamp" ] || [ emulator/pyproject.toml -nt "$stamp" ]; then
    if [ ! -x .venv/bin/python ]; then
        # The machine's Python 3.11 (pyenv) carries venv and ensurepip; Debian's needs python3-venv for that.
        python=$(command -v python3.11 || command -v python3)
        if ! "$python" -m venv .venv 2>/dev/null; then
            rm -rf .venv
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
            /usr/bin/python3 -m venv .venv
        fi
    fi
    .venv/bin/pip install -q --upgrade pip
    .venv/bin/pip install -q -r requirements/venv.txt
    .venv/bin/pip install -q -e emulator
    touch "$stamp"
fi
