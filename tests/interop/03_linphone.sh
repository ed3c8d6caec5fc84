#!/bin/bash
# SPDX-License-Identifier: MIT
# Scenario 3, linphonec <-> vox, direct, SDES-SRTP mandatory, both
# directions. linphonec calls vox over TLS (linphonec verifies vox's
# certificate against the test CA). linphonec 5.1 takes no incoming TLS
# connection ("New connection arriving on TLS, not handled !": it has no
# server certificate), so vox calls linphonec over UDP, with the named
# opt-out --allow-sdes-over-insecure-hops. vox says 1000 Hz, linphonec plays
# a 440 Hz WAV; vox's media_stats names the tone it heard, linphonec
# records what it heard (checked with tools/tone.py).
cd "$(dirname "$0")" || exit 1
. ./lib.sh
command -v linphonec >/dev/null || fail "linphonec missing (./install.sh)"
[ -x "$VOX" ] || fail "$VOX missing (make build/vox)"
SECS=${SECS:-3}
make_pki "$RIG_TMP/pki"
make_tone "$RIG_TMP/tone440.wav" 440 30
lp_config "$RIG_TMP/lin.rc" lin 5073 7078 "$RIG_TMP/pki"
lp_start lin "$RIG_TMP/lin.rc" "$RIG_TMP/tone440.wav"
wait_port tcp 5073 10 || fail "linphonec has no TLS listener"
tlsopts=(--cert "$RIG_TMP/pki/server.pem" --key "$RIG_TMP/pki/server.key" --ca "$RIG_TMP/pki/ca.pem")

status=0
summary=""
n=0
check() {
	local name=$1 what=$2 vrc=$3 sec hz pct lh
	sec=$(json_field "$RIG_TMP/$name.json" media_stats security)
	hz=$(json_field "$RIG_TMP/$name.json" media_stats tone_hz)
	pct=$(json_field "$RIG_TMP/$name.json" media_stats tone_power_pct)
	wait_count "$RIG_TMP/lin.out" 'ended' "$n" 10 || log "$what: linphonec saw no end of call"
	lp_cmd "record $RIG_TMP/none.wav" # closes the recording of the call
	lh=$(heard "$RIG_TMP/lin-rx-$n.wav")
	log "$what: vox rc=$vrc security=$sec vox heard ${hz} Hz (${pct}%); linphonec heard ${lh% *} Hz (${lh#* }%)"
	if [ "$vrc" = 0 ] && [ "$sec" = sdes ] && [ "$hz" = 440 ] && [ "${lh% *}" = 1000 ]; then
		summary="$summary $what sdes 440/1000 ok;"
	else
		summary="$summary $what FAILED;"
		status=1
		tail -5 "$RIG_TMP/$name.err"
	fi
}

# vox calls linphonec
n=$((n + 1))
lp_cmd "record $RIG_TMP/lin-rx-$n.wav"
timeout 30 "$VOX" ua --json --listen udp:127.0.0.1:5092 --allow-sdes-over-insecure-hops \
	--call "sip:lin@127.0.0.1:5072" --require-encryption --play tone:1000 \
	--duration "$SECS" >"$RIG_TMP/to-lin.json" 2>"$RIG_TMP/to-lin.err"
check to-lin "vox->linphonec/udp" $?

# linphonec calls vox
n=$((n + 1))
lp_cmd "record $RIG_TMP/lin-rx-$n.wav"
vox_start from-lin 30 --listen tls:127.0.0.1:5091 "${tlsopts[@]}" --answer --calls 1 \
	--require-encryption --play tone:1000 --duration "$SECS" --trace
vpid=$VOX_PID
vox_wait_listening from-lin
lp_cmd "call sip:vox@127.0.0.1:5091;transport=tls"
wait_pid $vpid $((SECS + 20)) || log "vox still running"
wait $vpid
check from-lin "linphonec->vox/tls" $?
# vox hung up: its BYE went over the connection linphonec opened (the
# call's flow; linphonec takes no TLS connection of its own), and
# linphonec's 200 came back over it (vox --trace: "<-- tls", "SIP/2.0 200",
# "CSeq: N BYE")
if awk '/^ *(<--|-->) (udp|tcp|tls) /{dir=$1; start=""; next}
	start=="" {start=$0}
	/^CSeq: [0-9]+ BYE/ && dir=="<--" && start ~ /^SIP\/2.0 200/ {ok=1}
	END{exit !ok}' "$RIG_TMP/from-lin.err"; then
	log "linphonec->vox/tls: vox's BYE answered 200 by linphonec over the call's connection"
	summary="$summary BYE-over-flow ok;"
else
	log "linphonec->vox/tls: vox's BYE got no 200 from linphonec"
	summary="$summary BYE-over-flow FAILED;"
	status=1
fi
lp_cmd quit
log "RESULT$summary"
exit $status
