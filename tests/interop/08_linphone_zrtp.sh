#!/bin/bash
# SPDX-License-Identifier: MIT
# Scenario 8, linphonec <-> vox, direct over UDP, ZRTP mandatory (SDES
# refused on vox's side: --media-enc zrtp --require-encryption), both
# directions. linphonec (bzrtp) and vox agree the SRTP keys in the media
# path; the SAS linphonec prints ("auth token is XXXX") must be the one
# vox prints (zrtp_sas), and the tones must cross in SRTP: vox says
# 1000 Hz, linphonec plays 440 Hz; vox's media_stats names the tone it
# heard, linphonec records what it heard (checked with tools/tone.py).
# KA=MS_ZRTP_KEY_AGREEMENT_X255 (etc.), SAS=MS_ZRTP_SAS_B256,
# HASH=MS_ZRTP_HASH_S384, CIPHER=MS_ZRTP_CIPHER_AES3, AUTH=MS_ZRTP_AUTHTAG_HS32
# set what linphonec offers (zrtp_key_agreements_suites, zrtp_sas_suites,
# zrtp_hash_suites, zrtp_cipher_suites, zrtp_auth_suites); the algorithms
# agreed are logged from linphonec's log.
cd "$(dirname "$0")" || exit 1
. ./lib.sh
command -v linphonec >/dev/null || fail "linphonec missing (./install.sh)"
[ -x "$VOX" ] || fail "$VOX missing (make build/vox)"
SECS=${SECS:-3}
make_pki "$RIG_TMP/pki"
make_tone "$RIG_TMP/tone440.wav" 440 30
lp_config "$RIG_TMP/lin.rc" lin 5073 7078 "$RIG_TMP/pki"
sed -i 's/^media_encryption=srtp$/media_encryption=zrtp/' "$RIG_TMP/lin.rc"
[ -n "${KA:-}" ] && sed -i "/^\\[sip\\]/a zrtp_key_agreements_suites=$KA" "$RIG_TMP/lin.rc"
[ -n "${SAS:-}" ] && sed -i "/^\\[sip\\]/a zrtp_sas_suites=$SAS" "$RIG_TMP/lin.rc"
[ -n "${HASH:-}" ] && sed -i "/^\\[sip\\]/a zrtp_hash_suites=$HASH" "$RIG_TMP/lin.rc"
[ -n "${CIPHER:-}" ] && sed -i "/^\\[sip\\]/a zrtp_cipher_suites=$CIPHER" "$RIG_TMP/lin.rc"
[ -n "${AUTH:-}" ] && sed -i "/^\\[sip\\]/a zrtp_auth_suites=$AUTH" "$RIG_TMP/lin.rc"
lp_start lin "$RIG_TMP/lin.rc" "$RIG_TMP/tone440.wav"
cache="$RIG_TMP/vox.zcache"

status=0
summary=""
n=0
check() {
	local name=$1 what=$2 vrc=$3 sec hz pct lh vs ls
	sec=$(json_field "$RIG_TMP/$name.json" media_stats security)
	hz=$(json_field "$RIG_TMP/$name.json" media_stats tone_hz)
	pct=$(json_field "$RIG_TMP/$name.json" media_stats tone_power_pct)
	vs=$(json_field "$RIG_TMP/$name.json" zrtp_sas sas)
	wait_count "$RIG_TMP/lin.out" 'ended' "$n" 10 || log "$what: linphonec saw no end of call"
	# B256: bzrtp joins the two PGP words with ':', vox with a space
	ls=$(grep -ao 'auth token is [^ .]*' "$RIG_TMP/lin.out" | sed -n "${n}p" | awk '{print $4}' |
		tr ':' ' ')
	lp_cmd "record $RIG_TMP/none.wav" # closes the recording of the call
	lh=$(heard "$RIG_TMP/lin-rx-$n.wav")
	log "$what: vox rc=$vrc security=$sec SAS vox=$vs linphonec=$ls; vox heard ${hz} Hz (${pct}%); linphonec heard ${lh% *} Hz (${lh#* }%)"
	grep -a 'ZRTP algo used' "$RIG_TMP/lin.lplog" | sed -n "${n}p" | sed 's/.*ZRTP algo used/  linphonec: ZRTP algo used/' 
	if [ "$vrc" = 0 ] && [ "$sec" = zrtp ] && [ -n "$vs" ] && [ "$vs" = "$ls" ] &&
		[ "$hz" = 440 ] && [ "${lh% *}" = 1000 ]; then
		summary="$summary $what zrtp SAS $vs 440/1000 ok;"
	else
		summary="$summary $what FAILED;"
		status=1
		tail -5 "$RIG_TMP/$name.err"
	fi
}

# vox calls linphonec
n=$((n + 1))
lp_cmd "record $RIG_TMP/lin-rx-$n.wav"
timeout 30 "$VOX" ua --json --listen udp:127.0.0.1:5092 --media-enc zrtp --require-encryption \
	--zrtp-cache "$cache" --call "sip:lin@127.0.0.1:5072" --play tone:1000 \
	--duration "$SECS" >"$RIG_TMP/to-lin.json" 2>"$RIG_TMP/to-lin.err"
check to-lin "vox->linphonec/udp" $?

# linphonec calls vox
n=$((n + 1))
lp_cmd "record $RIG_TMP/lin-rx-$n.wav"
vox_start from-lin 30 --listen udp:127.0.0.1:5093 --answer --calls 1 --media-enc zrtp \
	--require-encryption --zrtp-cache "$cache" --play tone:1000 --duration "$SECS"
vpid=$VOX_PID
vox_wait_listening from-lin
lp_cmd "call sip:vox@127.0.0.1:5093"
wait_pid $vpid $((SECS + 20)) || log "vox still running"
wait $vpid
check from-lin "linphonec->vox/udp" $?
lp_cmd quit
log "RESULT$summary"
exit $status
