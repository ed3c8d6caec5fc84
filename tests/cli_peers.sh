#!/bin/sh
# SPDX-License-Identifier: MIT
# Messages and SDP captured from real peers (Debian 12 packages, on
# loopback; see tests/vectors/peers/README.md) through the program: vox must
# read what deployed stacks send. `make check` runs it with the ASan build.
#   *.uas.sip    a UA accepts it (vox sip parse exits 0)
#   *.proxy.sip  a response on its way through a proxy (two Via): a UA drops
#                it (RFC 3261 8.1.3.3, exit 1), --proxy accepts it (exit 0)
#   *.sdp        the body of one of them: parses, and vox answers it with the
#                optional policy; the answer parses again
NAME=cli_peers
V=tests/vectors/peers
. tests/clilib.sh

nuas=0 nproxy=0 nsdp=0 nsavp=0
for f in "$V"/*.uas.sip; do
	status $VOX sip parse "$f" >/dev/null 2>"$tmp/err"
	[ "$rc" = 0 ] || fail "$f: exit $rc: $(cat "$tmp/err")"
	nuas=$((nuas + 1))
done
for f in "$V"/*.proxy.sip; do
	status $VOX sip parse "$f" >/dev/null 2>"$tmp/err"
	[ "$rc" = 1 ] || fail "$f as a UA: exit $rc"
	grep -q '8.1.3.3' "$tmp/err" || fail "$f as a UA: $(cat "$tmp/err")"
	status $VOX sip parse --proxy "$f" >/dev/null 2>"$tmp/err"
	[ "$rc" = 0 ] || fail "$f as a proxy: exit $rc: $(cat "$tmp/err")"
	nproxy=$((nproxy + 1))
done
for f in "$V"/*.sdp; do
	status $VOX sdp parse "$f" >/dev/null 2>"$tmp/err"
	[ "$rc" = 0 ] || fail "$f: exit $rc: $(cat "$tmp/err")"
	status $VOX sdp answer --policy optional "$f" >"$tmp/a.sdp" 2>"$tmp/err"
	[ "$rc" = 0 ] || fail "$f: answer: exit $rc: $(cat "$tmp/err")"
	$VOX sdp parse "$tmp/a.sdp" >/dev/null || fail "$f: the answer does not parse"
	if grep -q '^m=audio [0-9]* RTP/SAVP' "$f"; then
		# keys offered: the answer keeps SRTP, and policy off refuses
		grep -q 'protection srtp-sdes' "$tmp/err" || fail "$f: $(cat "$tmp/err")"
		status $VOX sdp answer --policy off "$f" >/dev/null 2>"$tmp/err"
		[ "$rc" = 1 ] && grep -q 'SIP 488' "$tmp/err" || fail "$f: policy off: exit $rc"
		nsavp=$((nsavp + 1))
	fi
	nsdp=$((nsdp + 1))
done
[ "$nuas" -gt 0 ] && [ "$nproxy" -gt 0 ] && [ "$nsdp" -gt 0 ] || fail "no vectors in $V"
echo "cli_peers: passed ($nuas messages for a UA, $nproxy through a proxy, $nsdp SDP of which $nsavp SRTP)"
