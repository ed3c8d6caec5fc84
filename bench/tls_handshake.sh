#!/bin/bash
# SPDX-License-Identifier: MIT
# TLS handshakes on loopback: what a `vox ua --listen tls:` server spends on
# each full handshake, beside the same handshake in raw mbedTLS and in two
# other servers, all driven by one client (build/bench/load_tls, source in
# bench/load_tls.c) in the same run. The parameters are vox's defaults for
# an ECDSA certificate: TLS 1.2, ECDHE-ECDSA-AES128-GCM-SHA256, P-256, no
# client certificate asked. Servers:
#
#   raw      an mbedTLS server and client in one process over memory: the
#            server's CPU per handshake, the floor (load_tls raw)
#   tcp      the simplest mbedTLS server over TCP, blocking, one connection
#            after the other (load_tls serve): raw plus the kernel's TCP
#   openssl  openssl s_server, same certificate, suite and group (OpenSSL's
#            own crypto, so not the same floor: shown for scale)
#   vox      vox ua --listen tls:127.0.0.1:0 --cert --key --duration
#
# Per round, each server takes TLS_N handshakes (client: one after the
# other, close_notify and close after each); the rounds alternate the
# servers, so a busy machine slows them alike. The figure is the server's
# CPU per handshake (/proc/PID/schedstat before and after, all its threads
# being one), median over the rounds; handshakes per second are wall time
# and bounded by the client's own CPU, which is printed too. Then TLS_HOLD
# connections held open at once on the vox server: its RSS before and
# during, per connection, beside what it allocates for one (struct
# vox_loop_conn plus what mbedTLS holds, measured by the raw mode).
#
# Goal (issue 11): vox's server CPU per handshake at most 1.10 x raw.
# Everything runs in its own network namespace when `unshare -n` works
# (else on 127.0.0.1), is bounded in count and time, and is stopped by PID.
# Usage: bench/tls_handshake.sh   (env: TLS_N=200 TLS_ROUNDS=3 TLS_HOLD=24)
set -u
[ -n "${BENCH_TRACE:-}" ] && set -x
cd "$(dirname "$0")/.." || exit 1
ROOT=$(pwd)
VOX=${VOX:-$ROOT/build/vox}
LT=${LOAD_TLS:-$ROOT/build/bench/load_tls}
N=${TLS_N:-200}
ROUNDS=${TLS_ROUNDS:-3}
HOLD=${TLS_HOLD:-24}

if [ -z "${BENCH_IN_NETNS:-}" ] && unshare -n true 2>/dev/null; then
	export BENCH_IN_NETNS=1
	exec unshare -n bash -c 'ip link set lo up && exec "$0" "$@"' "$ROOT/bench/tls_handshake.sh" "$@"
fi

for x in "$VOX" "$LT"; do
	[ -x "$x" ] || { echo "tls_handshake: $x missing (make bench-load builds it)" >&2; exit 1; }
done
command -v openssl >/dev/null || { echo "tls_handshake: openssl missing" >&2; exit 1; }

TMP=$(mktemp -d /tmp/vox-bench-tls.XXXXXX)
PIDS=""
cleanup() {
	local p
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	[ -n "${BENCH_TRACE:-}" ] && echo "kept $TMP" || rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# field KEY LINE: the value of KEY=... in a RESULT line
field() { sed -nE "s/.* $1=([^ ]+).*/\1/p" <<<"$2"; }
# port_of FILE: the port a server printed as "listening on tls:127.0.0.1:PORT"
port_of() {
	local i
	for i in $(seq 1 50); do
		p=$(sed -nE 's/.*tls:127\.0\.0\.1:([0-9]+).*/\1/p' "$1" | head -n 1)
		[ -n "$p" ] && { echo "$p"; return 0; }
		sleep 0.1
	done
	return 1
}
# wait_tcp PORT: until something listens there (5 s)
wait_tcp() {
	local i
	for i in $(seq 1 50); do
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
	-keyout "$TMP/key.pem" -out "$TMP/cert.pem" -subj /CN=localhost \
	-addext subjectAltName=DNS:localhost,IP:127.0.0.1 >/dev/null 2>&1 ||
	{ echo "tls_handshake: openssl could not make a certificate" >&2; exit 1; }

# The servers live through every round (their CPU is read around each
# run); each is bounded by its own count or duration, and by the trap.
TOTAL=$(((N + 2) * ROUNDS + HOLD + 4))
"$LT" serve "$TMP/cert.pem" "$TMP/key.pem" 0 "$TOTAL" 900 >"$TMP/tcp.out" 2>"$TMP/tcp.err" &
TCP_PID=$!
PIDS="$PIDS $TCP_PID"
"$VOX" ua --listen tls:127.0.0.1:0 --cert "$TMP/cert.pem" --key "$TMP/key.pem" \
	--duration 900 >"$TMP/vox.out" 2>"$TMP/vox.err" &
VOX_PID=$!
PIDS="$PIDS $VOX_PID"
SS_PORT=$((20000 + RANDOM % 20000))
openssl s_server -accept "127.0.0.1:$SS_PORT" -cert "$TMP/cert.pem" -key "$TMP/key.pem" \
	-tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256 -groups P-256 -naccept "$TOTAL" -quiet \
	</dev/null >"$TMP/ossl.out" 2>"$TMP/ossl.err" &
SS_PID=$!
PIDS="$PIDS $SS_PID"
TCP_PORT=$(port_of "$TMP/tcp.out") || { echo "tls_handshake: load_tls serve did not start" >&2; exit 1; }
VOX_PORT=$(port_of "$TMP/vox.out") || { echo "tls_handshake: vox ua did not start:" >&2; cat "$TMP/vox.err" >&2; exit 1; }
wait_tcp "$SS_PORT" || { echo "tls_handshake: openssl s_server did not start:" >&2; cat "$TMP/ossl.err" >&2; exit 1; }

echo "TLS handshakes on loopback: TLS 1.2, ECDHE-ECDSA-AES128-GCM-SHA256, P-256;"
echo "$ROUNDS rounds of $N handshakes per server; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
declare -A cpu rate cli
for r in $(seq 1 "$ROUNDS"); do
	# the order turns each round
	order="raw tcp openssl vox"
	[ $((r % 2)) = 0 ] && order="vox openssl tcp raw"
	for s in $order; do
		case $s in
		raw) line=$("$LT" raw "$TMP/cert.pem" "$TMP/key.pem" "$N" | grep '^RESULT') ;;
		tcp) line=$("$LT" client 127.0.0.1 "$TCP_PORT" "$N" 60 "$TCP_PID" | grep '^RESULT') ;;
		openssl) line=$("$LT" client 127.0.0.1 "$SS_PORT" "$N" 60 "$SS_PID" | grep '^RESULT') ;;
		vox) line=$("$LT" client 127.0.0.1 "$VOX_PORT" "$N" 60 "$VOX_PID" | grep '^RESULT') ;;
		esac
		[ -n "$line" ] || { echo "tls_handshake: the $s run failed" >&2; exit 1; }
		round="${round:-}$s $(field server_ms "$line")$(field server_ms_median "$line") "
		if [ $s = raw ]; then
			cpu[$s]="${cpu[$s]:-} $(field server_ms_median "$line")"
			heap=$(field heap "$line")
			conn=$(field conn "$line")
			cli[$s]="${cli[$s]:-} $(field client_ms "$line")"
		else
			cpu[$s]="${cpu[$s]:-} $(field server_ms "$line")"
			rate[$s]="${rate[$s]:-} $(field rate "$line")"
			cli[$s]="${cli[$s]:-} $(field client_ms "$line")"
		fi
	done
	echo "  round $r, server CPU ms/handshake: $round"
	round=""
done
hold=$("$LT" hold 127.0.0.1 "$VOX_PORT" "$HOLD" 60 "$VOX_PID" | grep '^RESULT')
[ -n "$hold" ] || { echo "tls_handshake: holding $HOLD connections on vox failed" >&2; exit 1; }

median() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{v[NR]=$1} END{print v[int((NR+1)/2)]}'; }
printf '%-34s %12s %14s %12s\n' server "server CPU" handshakes/s "client CPU"
printf '%-34s %12s %14s %12s\n' "" "ms/handshake" "(wall)" "ms/handshake"
name() {
	case $1 in
	raw) echo "raw mbedTLS pair, memory" ;;
	tcp) echo "mbedTLS over TCP (load_tls serve)" ;;
	openssl) echo "openssl s_server" ;;
	vox) echo "vox ua --listen tls:" ;;
	esac
}
for s in raw tcp openssl vox; do
	rt="-"
	[ $s != raw ] && rt=$(median "${rate[$s]}")
	printf '%-34s %12.3f %14s %12.3f\n' "$(name $s)" "$(median "${cpu[$s]}")" "$rt" "$(median "${cli[$s]}")"
done
raw=$(median "${cpu[raw]}")
vox=$(median "${cpu[vox]}")
tcp=$(median "${cpu[tcp]}")
ratio=$(awk -v a="$vox" -v b="$raw" 'BEGIN{printf "%.3f", a/b}')
ratio_tcp=$(awk -v a="$vox" -v b="$tcp" 'BEGIN{printf "%.3f", a/b}')
goal=$(awk -v r="$ratio" 'BEGIN{print (r <= 1.10) ? "met" : "MISSED"}')
echo "vox / raw mbedTLS: $ratio (goal: at most 1.10): $goal"
echo "vox / mbedTLS over TCP: $ratio_tcp (what vox's loop adds beyond the kernel's TCP)"
per=$(field per_conn_kib "$hold")
k=$(field k "$hold")
echo "memory per TLS connection (vox, $k held at once): RSS +$per KiB;" \
	"allocated: struct vox_loop_conn $conn B + mbedTLS $heap B after the handshake" \
	"= $(((conn + heap) / 1024)) KiB"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
