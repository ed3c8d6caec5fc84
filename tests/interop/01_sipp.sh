#!/bin/bash
# SPDX-License-Identifier: MIT
# Scenario 1, sipp (Debian's build: UDP and TCP, no TLS, no SRTP):
#  - sipp's built-in UAC (-sn uac) places N calls, up to 3 at once, to one
#    `vox ua --answer --calls N`, which answers them all, concurrently;
#  - sipp's built-in UAS (-sn uas) answers `vox ua --call`.
# Passes with 0 failed calls on each side and vox exiting 0. Media is clear
# (--media-enc off): sipp offers plain RTP and has no SRTP.
# Usage: ./01_sipp.sh [N]
cd "$(dirname "$0")" || exit 1
. ./lib.sh
N=${1:-6}
command -v sipp >/dev/null || fail "sipp missing (./install.sh)"
[ -x "$VOX" ] || fail "$VOX missing (make build/vox)"

# stat_col CSV COLUMN: COLUMN of the last line of a sipp -trace_stat file
stat_col() {
	awk -F';' -v c="$2" 'NR==1{for(i=1;i<=NF;i++) if($i==c) k=i}
		END{print ($k=="" ? 0 : $k)+0}' "$1"
}

# uac_to_vox udp|tcp: sipp UAC places N calls (3 at a time, each held
# 1 s) to one `vox ua --answer --calls N`
uac_to_vox() {
	local tr=$1 t=u1 d="$RIG_TMP/$1-uac" rc vrc
	[ "$tr" = tcp ] && t=t1
	mkdir -p "$d"
	vox_start "$tr-ans" 40 --listen "$tr:127.0.0.1:5090" --answer --calls "$N" --media-enc off
	local vpid=$VOX_PID
	vox_wait_listening "$tr-ans"
	(cd "$d" && exec timeout 30 sipp -sn uac -t $t 127.0.0.1:5090 -i 127.0.0.1 -p 5091 \
		-m "$N" -l 3 -r 10 -d 1000 -nostdin -timeout 25 -timeout_error -trace_err \
		-trace_stat -stf uac_stat.csv >uac.out 2>&1)
	rc=$?
	wait_pid $vpid 10 || fail "vox ua --answer --calls $N still running after the calls ($tr)"
	wait $vpid
	vrc=$?
	local ok failed answered most
	ok=$(stat_col "$d/uac_stat.csv" 'SuccessfulCall(C)')
	failed=$(stat_col "$d/uac_stat.csv" 'FailedCall(C)')
	answered=$(grep -c '"state":"answered"' "$RIG_TMP/$tr-ans.json")
	# the most calls vox had up at once, from its events in order
	most=$(grep -oE '"state":"(answered|ended)"' "$RIG_TMP/$tr-ans.json" |
		awk '/answered/{n++; if(n>m)m=n} /ended/{n--} END{print m+0}')
	log "sipp uac -> vox ($tr): sipp rc=$rc ok=$ok failed=$failed; vox rc=$vrc" \
		"answered=$answered, at most $most at once"
	[ $rc = 0 ] && [ "$ok" = "$N" ] && [ "$failed" = 0 ] && [ $vrc = 0 ] && [ "$answered" = "$N" ]
}

# vox_to_uas udp|tcp: `vox ua --call` to sipp's UAS
vox_to_uas() {
	local tr=$1 t=u1 d="$RIG_TMP/$1-uas" uri="sip:service@127.0.0.1:5070" rc vrc
	[ "$tr" = tcp ] && t=t1 && uri="$uri;transport=tcp"
	mkdir -p "$d"
	(cd "$d" && exec timeout 20 sipp -sn uas -t $t -i 127.0.0.1 -p 5070 -m 1 \
		-nostdin -timeout 15 -timeout_error -trace_err \
		-trace_stat -stf uas_stat.csv >uas.out 2>&1) &
	local spid=$!
	track $spid
	wait_port "$tr" 5070 10 || fail "sipp UAS is not listening on $tr 5070"
	timeout 20 "$VOX" ua --json --listen "$tr:127.0.0.1:5092" --media-enc off \
		--call "$uri" --duration 1 >"$RIG_TMP/$tr-call.json" 2>"$RIG_TMP/$tr-call.err"
	vrc=$?
	wait_pid $spid 10
	wait $spid
	rc=$?
	local ok failed closed
	ok=$(stat_col "$d/uas_stat.csv" 'SuccessfulCall(C)')
	failed=$(stat_col "$d/uas_stat.csv" 'FailedCall(C)')
	closed=$(stat_col "$d/uas_stat.csv" 'FailedTcpClosed(C)')
	log "vox -> sipp uas ($tr): vox rc=$vrc state=$(json_field "$RIG_TMP/$tr-call.json" call_state state);" \
		"sipp rc=$rc ok=$ok failed=$failed tcp_closed=$closed"
	# sipp's built-in UAS waits 4 s after the BYE; on TCP, vox closing the
	# connection in that wait (once its BYE was answered) counts as
	# FailedTcpClosed although the call completed: those count as completed.
	[ $vrc = 0 ] && [ $((ok + closed)) = 1 ] && [ "$failed" = "$closed" ]
}

status=0
summary=""
for tr in udp tcp; do
	if uac_to_vox $tr; then summary="$summary sipp-uac->vox/$tr $N/$N;"; else
		summary="$summary sipp-uac->vox/$tr FAILED;"
		status=1
	fi
	if vox_to_uas $tr; then summary="$summary vox->sipp-uas/$tr ok;"; else
		summary="$summary vox->sipp-uas/$tr FAILED;"
		status=1
	fi
done
log "RESULT$summary"
exit $status
