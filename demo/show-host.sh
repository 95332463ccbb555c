#!/bin/sh
# Runs on one virtual storage host (over SSH): prints what an administrator checks after the role ran.
section() { printf '\n--- %s\n' "$1"; }
section "/etc/modules (modules loaded at boot)"
grep -v '^#' /etc/modules | grep -v '^$'
for file in /etc/modprobe.d/storage-scst*.conf; do
    [ -e "$file" ] || continue
    section "$file"
    cat "$file"
done
section "/etc/scst.conf (mode $(stat -c %a /etc/scst.conf 2>/dev/null))"
# CHAP secrets stay on the host: print the file with them masked.
if [ -e /etc/scst.conf ]; then
    sed -E 's/^([[:space:]]*(Incoming|Outgoing)User[0-9]*[[:space:]]+"?[^[:space:]"]+[[:space:]]+)[^"]*/\1********/' /etc/scst.conf
else
    echo "(absent)"
fi
section "FC ports (/sys/class/fc_host)"
for port in /sys/class/fc_host/host*; do
    [ -e "$port/port_name" ] && echo "$(basename "$port") $(cat "$port/port_name") $(cat "$port/port_state")"
done
section "targets and LUNs (/sys/kernel/scst_tgt)"
cd /sys/kernel/scst_tgt/targets || exit 1
for target in */*/; do
    target=${target%/}
    [ -d "$target/luns" ] || continue
    [ "${target%%/*}" = copy_manager ] && continue
    enabled=$(head -n 1 "$target/enabled" 2>/dev/null)
    echo "$target enabled=${enabled:-n/a}"
    for lun in "$target"/luns/*/; do
        [ -e "${lun}device" ] && echo "    LUN $(basename "$lun") -> $(basename "$(readlink "${lun}device")")"
    done
    for group in "$target"/ini_groups/*/; do
        [ -d "$group" ] || continue
        initiators=
        for initiator in "$group"initiators/*; do
            [ "$(basename "$initiator")" = mgmt ] || initiators="$initiators $(cat "$initiator")"
        done
        echo "    group $(basename "$group"): initiators$initiators"
        for lun in "$group"luns/*/; do
            [ -e "${lun}device" ] && echo "        LUN $(basename "$lun") -> $(basename "$(readlink "${lun}device")")"
        done
    done
done
