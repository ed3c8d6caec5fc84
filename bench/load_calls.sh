#!/bin/bash
# SPDX-License-Identifier: MIT
# The highest call rate `vox ua --answer` takes from sipp with no failed
# call (issue 11, Benchmarks). sipp's built-in UAC (Debian's sipp) calls a
# fresh `vox ua --answer` over UDP on loopback at a fixed rate for
# LOAD_SECONDS (default 30): INVITE, 100, 180, 200, ACK, then at once BYE,
# 200 (sipp's default call has no pause). Signalling only: vox runs with
# --media-enc off and --no-media (no RTP sockets, no audio), sipp sends no
# RTP; both use 1 MiB socket buffers (sipp -buff_size 1048576), without
# which the kernel drops datagrams above about 4,000 calls/s here whatever
# the server.
#
# A step passes when every call of it succeeded (sipp's SuccessfulCall
# equals the calls asked for, FailedCall is 0, sipp exits 0) and sipp
# placed them at the rate asked (within 5 %: sipp, one process on a shared
# machine, can be the bottleneck; that is printed, never hidden). The
# search doubles the rate from LOAD_START (default 500) until a step fails
# or LOAD_MAX (default 32000), then bisects between the last pass and the
# first failure until they are within 10 % or LOAD_STEPS steps in all
# (default 9) were run. Each step prints the rate, the calls, sipp's
# failed calls and retransmissions, and the CPU vox used per second of
# the step (1.00: one core busy): that is the figure that says whether vox
# or the machine was the limit.
#
# Goal: at least 10,000 calls/s on one core. Bounded: each step is killed
# after LOAD_SECONDS + 30 s; everything runs in its own network namespace
# when `unshare -n` works (else on 127.0.0.1) and is stopped by PID.
# Usage: bench/load_calls.sh   (env: LOAD_SECONDS LOAD_START LOAD_MAX LOAD_STEPS)
set -u
[ -n "${BENCH_TRACE:-}" ] && set -x
cd "$(dirname "$0")/.." || exit 1
ROOT=$(pwd)
VOX=${VOX:-$ROOT/build/vox}
SECS=${LOAD_SECONDS:-30}
START=${LOAD_START:-500}
MAX=${LOAD_MAX:-32000}
STEPS=${LOAD_STEPS:-9}

if [ -z "${BENCH_IN_NETNS:-}" ] && unshare -n true 2>/dev/null; then
	export BENCH_IN_NETNS=1
	exec unshare -n bash -c 'ip link set lo up && exec "$0" "$@"' "$ROOT/bench/load_calls.sh" "$@"
fi
[ -x "$VOX" ] || { echo "load_calls: $VOX missing (make bench-load builds it)" >&2; exit 1; }
command -v sipp >/dev/null || {
	echo "load_calls: sipp missing (apt-get install sipp; make interop installs it)" >&2
	exit 1
}

TMP=$(mktemp -d /tmp/vox-bench-calls.XXXXXX)
PIDS=""
cleanup() {
	local p
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	if [ -n "${BENCH_TRACE:-}" ]; then echo "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# stat_col CSV COLUMN: COLUMN of the last line of a sipp -trace_stat file
stat_col() {
	awk -F';' -v c="$2" 'NR==1{for(i=1;i<=NF;i++) if($i==c) k=i}
		END{print (k && $k != "" ? $k : 0)+0}' "$1" 2>/dev/null || echo 0
}
# cpu_ns PID: the CPU time the process has run (ns)
cpu_ns() { awk '{print $1}' "/proc/$1/schedstat" 2>/dev/null || echo 0; }

# rcvbuf_errors: datagrams the kernel dropped for a full receive buffer
# (this network namespace's count: /proc/net/snmp, Udp RcvbufErrors)
rcvbuf_errors() {
	awk '/^Udp:/ {n++; if (n == 1) for (i = 1; i <= NF; i++) k[$i] = i;
		else print $k["RcvbufErrors"]}' /proc/net/snmp
}

# port_drops PORT: what the kernel dropped for the UDP socket on PORT
port_drops() {
	awk -v p="$(printf ':%04X' "$1")" '$2 ~ p"$" {print $NF}' /proc/net/udp | head -n 1
}

# step RATE: one run at RATE calls/s; prints a line, returns 0 on a pass
step() {
	local rate=$1 d="$TMP/r$1" calls=$(($1 * SECS)) rc vpid spid t0 t1 c0 c1
	mkdir -p "$d"
	"$VOX" ua --listen udp:127.0.0.1:5090 --answer --media-enc off --no-media \
		--run $((SECS + 60)) >"$d/vox.out" 2>"$d/vox.err" &
	vpid=$!
	PIDS="$PIDS $vpid"
	local i
	for i in $(seq 1 50); do grep -q listening "$d/vox.out" 2>/dev/null && break; sleep 0.1; done
	c0=$(cpu_ns $vpid)
	local drop0 drop1
	drop0=$(rcvbuf_errors)
	t0=$(date +%s%N)
	(cd "$d" && exec timeout $((SECS + 30)) sipp -sn uac 127.0.0.1:5090 -i 127.0.0.1 -p 5091 \
		-r "$rate" -m "$calls" -l $((rate * 4 + 100)) -buff_size 1048576 -nostdin \
		-timeout $((SECS + 25)) -timeout_error -trace_err -trace_stat -stf stat.csv -fd 1 \
		>sipp.out 2>&1) &
	spid=$!
	PIDS="$PIDS $spid"
	wait $spid
	rc=$?
	t1=$(date +%s%N)
	c1=$(cpu_ns $vpid)
	drop1=$(rcvbuf_errors)
	local vdrop
	vdrop=$(port_drops 5090) # vox's socket; sipp's is closed by now
	kill $vpid 2>/dev/null
	wait $vpid 2>/dev/null
	local ok failed retr secs got cpu
	ok=$(stat_col "$d/stat.csv" 'SuccessfulCall(C)')
	failed=$(stat_col "$d/stat.csv" 'FailedCall(C)')
	retr=$(stat_col "$d/stat.csv" 'Retransmissions(C)')
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", (b-a)/1e9}')
	# the rate sipp achieved: its calls over the time it took to place them
	got=$(awk -v n="$ok" -v s="$secs" 'BEGIN{printf "%.0f", (s > 0) ? n/s : 0}')
	cpu=$(awk -v a="$c0" -v b="$c1" -v s="$secs" 'BEGIN{printf "%.2f", (s > 0) ? (b-a)/1e9/s : 0}')
	# vox's CPU per call: what a busy machine does not change much
	local us
	us=$(awk -v a="$c0" -v b="$c1" -v n="$ok" 'BEGIN{printf "%.0f", (n > 0) ? (b-a)/1e3/n : 0}')
	echo "$us" >"$TMP/us.$rate"
	local verdict=pass
	if [ "$rc" != 0 ] || [ "$failed" != 0 ] || [ "$ok" != "$calls" ]; then
		verdict=FAIL
	elif [ "$(awk -v g="$got" -v r="$rate" -v s="$SECS" -v t="$secs" \
		'BEGIN{print (t <= s * 1.05 + 1) ? 1 : 0}')" != 1 ]; then
		verdict="FAIL (sipp fell behind)"
	fi
	printf '%6s calls/s: %7s calls, %7s ok, %6s failed, %6s retransmitted, %5ss,' \
		"$rate" "$calls" "$ok" "$failed" "$retr" "$secs"
	printf ' %s dropped by the kernel (%s to vox), vox CPU %s core (%s us a call),' \
		"$((drop1 - drop0))" "${vdrop:-?}" "$cpu" "$us"
	printf ' sipp rc %s: %s\n' "$rc" "$verdict"
	[ -n "${BENCH_TRACE:-}" ] && tail -n 1 "$d/vox.out"
	[ "$verdict" = pass ]
}

echo "sipp UAC -> vox ua --answer --no-media, UDP on loopback, $SECS s a step;" \
	"load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
best=0 bad=0 n=0 r=$START
while [ $n -lt "$STEPS" ] && [ "$r" -le "$MAX" ]; do
	n=$((n + 1))
	if step "$r"; then best=$r; r=$((r * 2)); else bad=$r; break; fi
done
while [ $n -lt "$STEPS" ] && [ $bad -gt 0 ] && [ $best -gt 0 ] &&
	[ $((bad - best)) -gt $((best / 10)) ]; do
	n=$((n + 1))
	r=$(((best + bad) / 2))
	if step "$r"; then best=$r; else bad=$r; fi
done
if [ $best = 0 ]; then
	echo "highest rate with no failed call: none (even $START calls/s failed)"
else
	echo "highest rate with no failed call over $SECS s: $best calls/s" \
		"$([ $bad -gt 0 ] && echo "($bad failed)" || echo "(the search stopped at $MAX)")"
fi
if [ $best -gt 0 ] && [ -s "$TMP/us.$best" ]; then
	us=$(cat "$TMP/us.$best")
	echo "vox's CPU per call at $best calls/s: $us us: one core kept busy by vox alone" \
		"would take about $(awk -v u="$us" 'BEGIN{printf "%.0f", (u > 0) ? 1e6/u : 0}') calls/s"
fi
goal=$([ $best -ge 10000 ] && echo met || echo MISSED)
echo "goal (at least 10,000 calls/s on one core): $goal"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
