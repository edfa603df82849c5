#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Stock ipvsadm and the "zwin" persistence engine: --pe zwin autoloads the
# module, marks the service, round-trips through ipvsadm -S / -R, is cleared
# by -E without --pe, keeps source-IP persistence with -p, and pins the
# module until the services and persistence templates using it are gone.
. "$(dirname "$0")/../lib.sh"
set -e

topo_up
check "module not loaded yet" bash -c '! grep -q "^ip_vs_zwin " /proc/modules'
ipvs_nat_service --pe zwin
check "ipvsadm --pe zwin autoloaded the module" module_loaded
check "modinfo shows the alias" bash -c 'modinfo ip_vs_zwin | grep -q "alias: *ip_vs_pe_zwin"'

saved=$(lb ipvsadm -S -n)
echo "$saved"
check "ipvsadm -S prints --pe zwin" grep -q -- "-A -t $VIP:80 -s rr --pe zwin" <<< "$saved"

bodies=$(get 4)
echo "$bodies"
expect_eq "clients served through the zwin service" \
	"$(grep -c '^zr[12]$' <<< "$bodies")" 4
expect_ge "SYNs to the zwin service counted" "$(zstat zlb syn_zwin)" 4
expect_eq "no SYN counted as plain" "$(zstat zlb syn_plain)" 0

# Unload is refused while a service holds the PE.
check "rmmod refused while in use" bash -c '! rmmod ip_vs_zwin 2>/dev/null'
check "module still loaded" module_loaded

# Restore from the saved rules.
lb ipvsadm -C
check "ipvsadm -R accepts the saved rules" \
	ip netns exec zlb ipvsadm -R <<< "$saved"
check "ipvsadm -S after -R still has --pe zwin" \
	bash -c "ip netns exec zlb ipvsadm -S -n | grep -q -- '--pe zwin'"
# Debian's ipvsadm-save / ipvsadm-restore scripts, through a file
lb ipvsadm-save -n > /tmp/ipvs.rules
lb ipvsadm -C
lb ipvsadm-restore < /tmp/ipvs.rules
expect_eq "ipvsadm-save | ipvsadm-restore gives the same table" \
	"$(ip netns exec zlb ipvsadm -S -n)" "$saved"

# -E without --pe removes it: SYNs become plain.
lb ipvsadm -E -t "$VIP:80" -s rr
check "-E without --pe clears it" \
	bash -c "! ip netns exec zlb ipvsadm -S -n | grep -q -- '--pe'"
plain=$(zstat zlb syn_plain)
get 2 > /dev/null
expect_eq "SYNs now counted as plain" "$(zstat zlb syn_plain)" $((plain + 2))

# Persistent service with the PE: normal source-IP persistence.
lb ipvsadm -E -t "$VIP:80" -s rr -p 60 --pe zwin
check "-p 60 --pe zwin accepted" \
	bash -c "ip netns exec zlb ipvsadm -S -n | grep -q -- '-p 60 --pe zwin'"
bodies=$(get 6)
echo "$bodies"
expect_eq "persistence keeps one real server" "$(sort -u <<< "$bodies" | wc -l)" 1
conns=$(lb ipvsadm -Lnc)
echo "$conns"
# A template has client port 0 (state NONE, or ASSURED on newer kernels).
check "IPVS made a persistence template" grep -q " $CIP:0 " <<< "$conns"

# Persistence templates carry the PE and a module reference of their own:
# the module stays pinned after ipvsadm -C until they expire, or until the
# namespace goes and IPVS flushes its connections.
lb ipvsadm -C
check "rmmod refused while persistence templates live" \
	bash -c '! rmmod ip_vs_zwin 2>/dev/null'
host ip netns del zlb
check "module unloads once the templates are gone" unload_eventually
