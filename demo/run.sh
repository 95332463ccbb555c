#!/usr/bin/env bash
# `make demo`: the collection's main job on a virtual fleet of two storage hosts, each with two emulated
# QLogic FC ports. Runs playbooks/site.yml twice (the second run must change nothing), then prints what an
# administrator checks on each host and where the fleet report went. Needs the venv and ANSIBLE_COLLECTIONS_PATH
# that the Makefile sets up.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=${WORK:-/tmp/storage-scst}/demo
state=$work/fleet
inventory=$work/fleet-inventory.ini
report_dir=$work/report
mkdir -p "$work"

scst-emulator fleet down --state-dir "$state" >/dev/null 2>&1 || true
trap 'scst-emulator fleet down --state-dir "$state" >/dev/null 2>&1 || true' EXIT
scst-emulator fleet up --hosts 2 --fc-ports-per-host 2 --inventory "$inventory" --state-dir "$state"

export ANSIBLE_HOST_KEY_CHECKING=false ANSIBLE_NOCOLOR=1 ANSIBLE_DISPLAY_SKIPPED_HOSTS=false
play() {
    ansible-playbook -i "$inventory" -i "$repo/demo/inventory" -e "scst_report_dir=$report_dir" "$@"
}
play "$repo/demo/prepare.yml" >/dev/null

echo; echo "===== first run of playbooks/site.yml"
play "$repo/playbooks/site.yml"
echo; echo "===== second run: nothing may change"
play "$repo/playbooks/site.yml" | tee "$work/second-run.log" | sed -n '/PLAY RECAP/,$p'
if grep -E '^h[0-9]+ .*changed=[1-9]' "$work/second-run.log" >/dev/null; then
    echo "demo: the second run changed something" >&2
    exit 1
fi

key=$state/ssh/id_ed25519
while read -r name address; do
    echo; echo "===== $name ($address)"
    ssh -q -i "$key" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes \
        "root@$address" sh -s < "$repo/demo/show-host.sh"
done < <(awk '/^h[0-9]+ /{split($2, a, "="); print $1, a[2]}' "$inventory")

echo; echo "===== fleet report (playbooks/gather.yml)"
ls -1 "$report_dir"/*
