#!/bin/bash
# SPDX-License-Identifier: MIT
# Scenario 4, Kamailio as registrar and proxy with digest auth (conf/:
# 401 for REGISTER, 407 for INVITE, users in an in-memory table), on
# UDP and TCP 5060, TLS 5061 and TLS 5062 (client certificates required).
# Over each: two vox endpoints register (one with --ha1 instead of the
# password), alice calls bob through Kamailio, each says its tone (alice
# 1000 Hz, bob 600 Hz) and must hear the other's; SDES-SRTP mandatory:
# over TLS with every hop verified (Kamailio shows the test CA's
# certificate on its connections to vox too), over UDP and TCP with the
# named opt-out. A vox without a certificate is refused on 5062. Then vox
# and baresip (carol, over UDP) call each other through Kamailio, both
# ways, the tone crossing both ways. Certificates are made here; every
# wait is bounded; only the PIDs started here are stopped.
cd "$(dirname "$0")" || exit 1
. ./lib.sh
for c in kamailio baresip openssl python3; do
	command -v $c >/dev/null || fail "$c missing (./install.sh)"
done
[ -x "$VOX" ] || fail "$VOX missing (make build/vox)"
SECS=${SECS:-2}

make_pki "$RIG_TMP/pki"
P="$RIG_TMP/pki"
make_tone "$RIG_TMP/tone440.wav" 440 30
sed "s|@TMP@|$RIG_TMP|g" conf/kamailio.cfg.in >"$RIG_TMP/kamailio.cfg"
sed "s|@TMP@|$RIG_TMP|g" conf/tls.cfg.in >"$RIG_TMP/tls.cfg"
mkdir -p "$RIG_TMP/kamrun"
kamailio -c -f "$RIG_TMP/kamailio.cfg" >"$RIG_TMP/kamailio-check.log" 2>&1 ||
	fail "kamailio config check: $(tail -5 "$RIG_TMP/kamailio-check.log")"
timeout 170 kamailio -f "$RIG_TMP/kamailio.cfg" -DD -E -m 64 -M 8 -Y "$RIG_TMP/kamrun" \
	-w "$RIG_TMP/kamrun" >"$RIG_TMP/kamailio.log" 2>&1 &
track $!
# ready once every socket listens (no race with the first REGISTER)
wait_port udp 5060 10 && wait_port tcp 5060 5 && wait_port tcp 5061 5 && wait_port tcp 5062 5 ||
	fail "kamailio did not open its ports: $(tail -5 "$RIG_TMP/kamailio.log")"
log "kamailio $(kamailio -v 2>/dev/null | head -1 | awk '{print $3}') ready on udp/tcp 5060, tls 5061, tls 5062 (client certificate required)"

TLSOPTS=(--ca "$P/ca.pem" --cert "$P/server.pem" --key "$P/server.key")
# HA1 of alice in Kamailio's realm (the To domain, 127.0.0.1), MD5
ALICE_HA1=$(printf '%s' 'alice:127.0.0.1:alicepw' | md5sum | cut -d' ' -f1)
status=0
summary=""

# vox_result NAME: "HZ SECURITY HOP_VERIFIED" of vox NAME's call
vox_result() {
	echo "$(json_field "$RIG_TMP/$1.json" media_stats tone_hz)" \
		"$(json_field "$RIG_TMP/$1.json" media_stats security)" \
		"$(json_field "$RIG_TMP/$1.json" media_security hop_verified)"
}

# vox_pair CASE LISTEN_TP REGISTRAR CALL_URI SECRET_OPT... -- EXTRA...:
# bob registers and answers, alice registers and calls bob through Kamailio
vox_pair() {
	local name=$1 tp=$2 reg=$3 uri=$4 secret=() extra=() apid bpid arc brc a b want_hop=false
	shift 4
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		secret+=("$1")
		shift
	done
	[ $# -gt 0 ] && shift
	extra=("$@")
	[ "$tp" = tls ] && want_hop=true
	vox_start "bob-$name" 40 --listen "$tp:127.0.0.1:5094" --account sip:bob@127.0.0.1 \
		--password bobpw --registrar "$reg" --answer --calls 1 --play tone:600 \
		--require-encryption "${extra[@]}"
	bpid=$VOX_PID
	wait_log "$RIG_TMP/bob-$name.json" '"event":"registered"' 10 ||
		{ log "$name: bob did not register: $(tail -3 "$RIG_TMP/bob-$name.err")"; }
	vox_start "alice-$name" 40 --listen "$tp:127.0.0.1:5096" --account sip:alice@127.0.0.1 \
		"${secret[@]}" --registrar "$reg" --call "$uri" --play tone:1000 --duration "$SECS" \
		--require-encryption "${extra[@]}"
	apid=$VOX_PID
	wait_pid $apid $((SECS + 25))
	wait $apid
	arc=$?
	wait_pid $bpid 10
	wait $bpid
	brc=$?
	a=$(vox_result "alice-$name")
	b=$(vox_result "bob-$name")
	log "$name: alice rc=$arc heard/security/hop-verified: $a; bob rc=$brc: $b"
	if [ $arc = 0 ] && [ $brc = 0 ] && [ "$a" = "600 sdes $want_hop" ] &&
		[ "$b" = "1000 sdes $want_hop" ]; then
		summary="$summary vox<->vox/$name sdes$([ $want_hop = true ] && echo '(verified)') 1000/600 ok;"
	else
		summary="$summary vox<->vox/$name FAILED;"
		status=1
		tail -3 "$RIG_TMP/alice-$name.err" "$RIG_TMP/bob-$name.err"
	fi
}

OPTOUT=(--allow-sdes-over-insecure-hops)
vox_pair udp udp "sip:127.0.0.1" "sip:bob@127.0.0.1" --password alicepw -- "${OPTOUT[@]}"
vox_pair tcp tcp "sip:127.0.0.1;transport=tcp" "sip:bob@127.0.0.1;transport=tcp" \
	--ha1 "$ALICE_HA1" -- "${OPTOUT[@]}"
vox_pair tls tls "sip:127.0.0.1;transport=tls" "sip:bob@127.0.0.1;transport=tls" \
	--password alicepw -- "${TLSOPTS[@]}"
vox_pair tls-client-cert tls "sip:127.0.0.1:5062;transport=tls" \
	"sip:bob@127.0.0.1:5062;transport=tls" --password alicepw -- "${TLSOPTS[@]}" \
	--require-client-cert

# a vox without a certificate on the port that requires one: refused
timeout 20 "$VOX" ua --json --listen udp:127.0.0.1:5098 --account sip:alice@127.0.0.1 \
	--password alicepw --registrar "sip:127.0.0.1:5062;transport=tls" --ca "$P/ca.pem" \
	>"$RIG_TMP/nocert.json" 2>"$RIG_TMP/nocert.err"
rc=$?
cause=$(json_field "$RIG_TMP/nocert.json" tls_failed cause)
log "no client certificate on 5062: vox rc=$rc, tls_failed cause '$cause'," \
	"registered: $(grep -c '"event":"registered"' "$RIG_TMP/nocert.json")"
if [ $rc = 1 ] && [ -n "$cause" ] && ! grep -q '"event":"registered"' "$RIG_TMP/nocert.json"; then
	summary="$summary no-client-cert refused ($cause);"
else
	summary="$summary no-client-cert FAILED;"
	status=1
fi

# vox <-> baresip through Kamailio, over UDP (baresip 1.0 verifies no
# certificate, so its hop is never a verified one: the named opt-out)
bs_config "$RIG_TMP/bs" 5064 4446 20100 "$RIG_TMP/tone440.wav"
echo "<sip:carol@127.0.0.1>;auth_pass=carolpw;regint=60;answermode=auto;audio_codecs=PCMU;mediaenc=srtp-mand" \
	>"$RIG_TMP/bs/accounts"
bs_start bs "$RIG_TMP/bs"
wait_log "$RIG_TMP/bs.log" '200 OK.*binding' 10 || fail "baresip did not register at kamailio"
n=0
# bs_check NAME WHAT RC: vox NAME's result and baresip's latest recording
bs_check() {
	local name=$1 what=$2 vrc=$3 v bsheard
	n=$((n + 1))
	wait_count "$RIG_TMP/bs.log" 'terminated' "$n" 10 || log "$what: baresip saw no end of call"
	sleep 0.5 # sndfile closes its files at the end of the call
	bsheard=$(heard "$(ls -t "$RIG_TMP"/bs/snd/*-dec.wav | head -1)")
	v=$(vox_result "$name")
	log "$what: vox rc=$vrc heard/security/hop-verified: $v; baresip heard ${bsheard% *} Hz (${bsheard#* }%)"
	if [ "$vrc" = 0 ] && [ "$v" = "440 sdes false" ] && [ "${bsheard% *}" = 1000 ]; then
		summary="$summary $what sdes 440/1000 ok;"
	else
		summary="$summary $what FAILED;"
		status=1
		tail -3 "$RIG_TMP/$name.err"
	fi
}
vox_start to-bs 40 --listen udp:127.0.0.1:5096 --account sip:alice@127.0.0.1 --password alicepw \
	--registrar sip:127.0.0.1 --call sip:carol@127.0.0.1 --play tone:1000 --duration "$SECS" \
	--require-encryption "${OPTOUT[@]}"
vpid=$VOX_PID
wait_pid $vpid $((SECS + 25))
wait $vpid
bs_check to-bs "vox->kamailio->baresip/udp" $?
vox_start from-bs 40 --listen udp:127.0.0.1:5094 --account sip:bob@127.0.0.1 --password bobpw \
	--registrar sip:127.0.0.1 --answer --calls 1 --play tone:1000 --duration "$SECS" \
	--require-encryption "${OPTOUT[@]}"
vpid=$VOX_PID
wait_log "$RIG_TMP/from-bs.json" '"event":"registered"' 10 || log "vox bob did not register"
bsctl 4446 dial sip:bob@127.0.0.1 >/dev/null || fail "baresip refused to dial"
wait_pid $vpid $((SECS + 25))
wait $vpid
bs_check from-bs "baresip->kamailio->vox/udp" $?
bsctl 4446 quit >/dev/null

# what Kamailio saw: registrations per transport, digest challenges (401
# for REGISTER, 407 for INVITE) and INVITEs that then authenticated
grep -aoE 'REGISTER sip:[a-z]+@127.0.0.1: (OK via [a-z]+|challenge)|INVITE from [a-z]+: (proxy challenge|authenticated)' \
	"$RIG_TMP/kamailio.log" | sort | uniq -c | sed 's/^ */  kamailio: /'
invites=$(grep -ac 'INVITE from [a-z]*: authenticated' "$RIG_TMP/kamailio.log")
challenged=$(grep -ac 'INVITE from [a-z]*: proxy challenge' "$RIG_TMP/kamailio.log")
# 4 vox<->vox calls, vox->baresip, baresip->vox: each INVITE challenged once
if [ "$invites" -ge 6 ] && [ "$challenged" -ge 6 ]; then
	summary="$summary digest 401+407 ok;"
else
	log "INVITEs authenticated: $invites, challenged: $challenged (6 each expected)"
	summary="$summary digest FAILED;"
	status=1
fi
log "RESULT$summary"
exit $status
