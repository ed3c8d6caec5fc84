#!/bin/bash
# SPDX-License-Identifier: MIT
# Scenario 5, sipsak: OPTIONS to a running `vox ua` (no call, --duration)
# over UDP and TCP; vox must answer 200 OK with its Allow list. (sipsak's
# TLS never reads the reply, upstream issue sipsak#96, so no TLS here.)
cd "$(dirname "$0")" || exit 1
. ./lib.sh
command -v sipsak >/dev/null || fail "sipsak missing (./install.sh)"
[ -x "$VOX" ] || fail "$VOX missing (make build/vox)"

vox_start ua 30 --listen udp:127.0.0.1:5094 --listen tcp:127.0.0.1:5094 --duration 20
vox_wait_listening ua
wait_count "$RIG_TMP/ua.json" '"event":"listening"' 2 5 || fail "vox has no TCP listener"

status=0
summary=""
for tr in udp tcp; do
	out=$(timeout 10 sipsak -i -H 127.0.0.1 -vv --transport $tr -s sip:127.0.0.1:5094 2>&1)
	rc=$?
	echo "$out" >"$RIG_TMP/sipsak-$tr.out"
	if [ $rc = 0 ] && echo "$out" | grep -aq '^SIP/2.0 200 OK' &&
		echo "$out" | grep -aq '^Allow: .*OPTIONS'; then
		log "OPTIONS $tr: 200 OK ($(echo "$out" | grep -ao 'reply received after [0-9.]* ms'))"
		summary="$summary OPTIONS/$tr 200;"
	else
		log "OPTIONS $tr: FAILED (sipsak rc=$rc)"
		echo "$out" | tail -20
		summary="$summary OPTIONS/$tr FAILED;"
		status=1
	fi
done
# vox is still up and well after the probes
kill -0 "$VOX_PID" 2>/dev/null || {
	log "vox ua died: $(tail -3 "$RIG_TMP/ua.err")"
	status=1
}
log "RESULT$summary"
exit $status
