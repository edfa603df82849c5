#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# IPVS autoloads the proxy while a network namespace is being dismantled
# (a container host's churn while keepalived or ipvsadm adds a service):
#
#   [zlb]    ipvsadm -A ... --pe zwin
#              holds IPVS's configuration mutex, asks the kernel for
#              ip_vs_pe_zwin (request_module) and waits for modprobe
#   [kernel] modprobe -q -- ip_vs_pe_zwin, through a wrapper that first
#              deletes namespace zgone and waits until its dismantling
#              (cleanup_net, holding pernet_ops_rwsem) is blocked in
#              IPVS's exit on that same mutex
#
# A module init that waits for pernet_ops_rwsem without a bound
# deadlocks ipvsadm, modprobe and every later namespace creation or
# deletion on the host, for good. The proxy must not: ipvsadm returns,
# the service carries the PE, and the proxy is set up in every namespace
# as soon as the dismantling is over. ipvsadm runs under a 30-s kill
# timer (it waits for modprobe killably), so that a deadlock fails the
# scenario and releases the guest.
. "$(dirname "$0")/../lib.sh"
set -e

topo_up
host modprobe -a ip_vs ip_vs_rr
ip netns add zgone
ip netns exec zgone ipvsadm -Ln > /dev/null
check "the proxy is not loaded yet" bash -c '! grep -q "^ip_vs_zwin " /proc/modules'

orig=$(cat /proc/sys/kernel/modprobe)
cat > /tmp/modprobe-wrap <<EOF
#!/bin/sh
case "\$*" in
*ip_vs_pe_zwin*)
	ip netns del zgone
	i=0
	while [ \$i -lt 100 ]; do
		if grep -qs ip_vs_service_nets_cleanup /proc/[0-9]*/stack; then
			echo blocked > /tmp/wrap.state
			break
		fi
		sleep 0.1
		i=\$((i + 1))
	done
	;;
esac
exec $orig "\$@"
EOF
chmod 755 /tmp/modprobe-wrap
echo /tmp/modprobe-wrap > /proc/sys/kernel/modprobe
trap 'echo "$orig" > /proc/sys/kernel/modprobe' EXIT

t0=$(date +%s)
rc=0
pretty zlb "ipvsadm -A -t $VIP:80 -s rr --pe zwin (killed after 30 s)"
timeout -s KILL 30 ip netns exec zlb ipvsadm -A -t "$VIP:80" -s rr --pe zwin || rc=$?
t1=$(date +%s)
echo "$orig" > /proc/sys/kernel/modprobe
echo "ipvsadm took $((t1 - t0)) s"
expect_eq "modprobe ran while zgone's dismantling waited in IPVS's exit" \
	"$(cat /tmp/wrap.state 2> /dev/null || echo not-seen)" blocked
expect_eq "ipvsadm --pe zwin returned (137: killed, a deadlock)" "$rc" 0
check "the service carries the PE" \
	bash -c "ip netns exec zlb ipvsadm -S -n | grep -q -- '-A -t $VIP:80 -s rr --pe zwin'"
check "the kernel log says the set-up went on in the background" \
	bash -c 'dmesg | grep -q "ip_vs_zwin: network namespaces are being dismantled"'
eventually "the proxy is set up in [zlb] once the dismantling is over" 30 \
	ip netns exec zlb test -r /proc/net/stat/ip_vs_zwin
check "... and the kernel log says so" \
	bash -c 'dmesg | grep -q "ip_vs_zwin: set up in every network namespace"'

lb ipvsadm -a -t "$VIP:80" -r "$RS1:80" -m
lb ipvsadm -a -t "$VIP:80" -r "$RS2:80" -m
expect_eq "a client is served" "$(get 1 | grep -c '^zr')" 1
expect_eq "through the proxy (server_syn)" "$(zstat zlb server_syn)" 1
ip netns add znew
check "a namespace created now has the proxy's counters" \
	ip netns exec znew test -r /proc/net/stat/ip_vs_zwin
ip netns del znew
