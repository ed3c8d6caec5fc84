#!/bin/bash
# SPDX-License-Identifier: MIT
# Scenario 2, baresip <-> vox, direct (no proxy), SDES-SRTP mandatory on
# both sides, both directions, over UDP (vox needs the named opt-out
# --allow-sdes-over-insecure-hops there) and over TLS (vox verifies
# baresip's certificate; baresip 1.0.0 verifies none). vox says 1000 Hz,
# baresip says 440 Hz (a WAV file); the tone must cross both ways: vox's
# media_stats names the tone it heard, baresip's sndfile module records
# what it heard, checked with tools/tone.py.
cd "$(dirname "$0")" || exit 1
. ./lib.sh
command -v baresip >/dev/null || fail "baresip missing (./install.sh)"
[ -x "$VOX" ] || fail "$VOX missing (make build/vox)"
SECS=${SECS:-3}

make_pki "$RIG_TMP/pki"
make_tone "$RIG_TMP/tone440.wav" 440 30
bs_config "$RIG_TMP/bs" 5064 4446 20100 "$RIG_TMP/tone440.wav" \
	"sip_certificate	$RIG_TMP/pki/server-combined.pem" "sip_cafile	$RIG_TMP/pki/ca.pem"
echo "<sip:bob@127.0.0.1:5064>;regint=0;answermode=auto;audio_codecs=PCMU;mediaenc=srtp-mand" \
	>"$RIG_TMP/bs/accounts"
bs_start bs "$RIG_TMP/bs"
wait_port tcp 5065 10 || fail "baresip has no TLS listener on 5065"

status=0
summary=""
n=0
# check NAME DIRECTION: vox NAME's result and baresip's last recording
check() {
	local name=$1 what=$2 vrc=$3 sec hz pct bsheard
	sec=$(json_field "$RIG_TMP/$name.json" media_stats security)
	hz=$(json_field "$RIG_TMP/$name.json" media_stats tone_hz)
	pct=$(json_field "$RIG_TMP/$name.json" media_stats tone_power_pct)
	wait_count "$RIG_TMP/bs.log" 'terminated' "$n" 10 || log "$what: baresip saw no end of call"
	sleep 0.5 # sndfile closes its files at the end of the call
	bsheard=$(heard "$(ls -t "$RIG_TMP"/bs/snd/*-dec.wav | head -1)")
	log "$what: vox rc=$vrc security=$sec vox heard ${hz} Hz (${pct}%); baresip heard ${bsheard% *} Hz (${bsheard#* }%)"
	if [ "$vrc" = 0 ] && [ "$sec" = sdes ] && [ "$hz" = 440 ] && [ "${bsheard% *}" = 1000 ]; then
		summary="$summary $what sdes 440/1000 ok;"
	else
		summary="$summary $what FAILED;"
		status=1
		tail -5 "$RIG_TMP/$name.err"
	fi
}

# vox calls baresip
call_bs() {
	local tr=$1 uri=$2
	shift 2
	n=$((n + 1))
	timeout 30 "$VOX" ua --json --listen "$tr:127.0.0.1:0" --call "$uri" --require-encryption \
		--play tone:1000 --duration "$SECS" "$@" >"$RIG_TMP/to-bs-$tr.json" 2>"$RIG_TMP/to-bs-$tr.err"
	check "to-bs-$tr" "vox->baresip/$tr" $?
}

# baresip calls vox
call_vox() {
	local tr=$1 port=$2 uri=$3
	shift 3
	n=$((n + 1))
	vox_start "from-bs-$tr" 30 --listen "$tr:127.0.0.1:$port" --answer --calls 1 --require-encryption \
		--play tone:1000 --duration "$SECS" "$@"
	local vpid=$VOX_PID
	vox_wait_listening "from-bs-$tr"
	bsctl 4446 dial "$uri" >/dev/null || fail "baresip refused to dial $uri"
	wait_pid $vpid $((SECS + 20)) || log "vox still running"
	wait $vpid
	check "from-bs-$tr" "baresip->vox/$tr" $?
}

call_bs udp "sip:bob@127.0.0.1:5064" --allow-sdes-over-insecure-hops
call_vox udp 5090 "sip:vox@127.0.0.1:5090" --allow-sdes-over-insecure-hops
call_bs tls "sips:bob@127.0.0.1:5065" --ca "$RIG_TMP/pki/ca.pem" \
	--cert "$RIG_TMP/pki/server.pem" --key "$RIG_TMP/pki/server.key"
call_vox tls 5091 "sip:vox@127.0.0.1:5091;transport=tls" \
	--cert "$RIG_TMP/pki/server.pem" --key "$RIG_TMP/pki/server.key" --ca "$RIG_TMP/pki/ca.pem"
bsctl 4446 quit >/dev/null
log "RESULT$summary"
exit $status
