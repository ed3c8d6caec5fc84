#!/bin/sh
# SPDX-License-Identifier: MIT
# vox ua --answer takes every call, several at once, each with its own
# media: bob answers two callers talking at the same time (1000 Hz and
# 1500 Hz), each caller hears bob's 600 Hz, and bob's media_stats of each
# call names that caller's tone; --calls 2 ends bob once both ended.
# --codecs sets the offer's order. A TLS listener closes a connection
# that never starts its handshake (--tls-handshake-timeout). Bounded;
# processes started here are killed by PID on exit.
NAME=cli_answer
. tests/clilib.sh
pids=""
trap 'for p in $pids; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"' EXIT

# wait_listening FILE PID: until FILE has the listening event (10 s); sets $port
wait_listening() {
	i=0
	until grep -q '"event":"listening"' "$1" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 200 ] || fail "never listened: $(cat "$1.err")"
		kill -0 "$2" 2>/dev/null || fail "exited: $(cat "$1.err")"
		sleep 0.05
	done
	port=$(sed -n 's/.*"event":"listening".*"port":\([0-9]*\).*/\1/p' "$1" | head -n 1)
}

# tone_of FILE N: tone_hz of media_stats of call N in FILE
tone_of() {
	grep '"event":"media_stats"' "$1" | grep "\"call\":$2," | sed -n 's/.*"tone_hz":\([0-9]*\).*/\1/p'
}

# 1. two calls at once
timeout 30 $VOX ua --listen udp:127.0.0.1:0 --answer --calls 2 --play tone:600 --json \
	--require-encryption --allow-sdes-over-insecure-hops >"$tmp/bob" 2>"$tmp/bob.err" &
bpid=$!
pids="$pids $bpid"
wait_listening "$tmp/bob" $bpid
for hz in 1000 1500; do
	timeout 30 $VOX ua --listen udp:127.0.0.1:0 --call "sip:bob@127.0.0.1:$port" \
		--play tone:$hz --duration 2 --require-encryption --allow-sdes-over-insecure-hops \
		--json >"$tmp/alice$hz" 2>"$tmp/alice$hz.err" &
	eval "apid$hz=\$!"
	pids="$pids $!"
done
for hz in 1000 1500; do
	eval "p=\$apid$hz"
	status wait "$p"
	[ "$rc" = 0 ] || fail "caller $hz: exit $rc: $(cat "$tmp/alice$hz" "$tmp/alice$hz.err")"
	got=$(grep '"event":"media_stats"' "$tmp/alice$hz" | sed -n 's/.*"tone_hz":\([0-9]*\).*/\1/p')
	[ "$got" = 600 ] || fail "caller $hz heard $got Hz: $(cat "$tmp/alice$hz")"
done
status wait $bpid
[ "$rc" = 0 ] || fail "bob: exit $rc: $(cat "$tmp/bob" "$tmp/bob.err")"
[ "$(grep -c '"event":"incoming"' "$tmp/bob")" = 2 ] || fail "bob: not two calls: $(cat "$tmp/bob")"
heard="$(tone_of "$tmp/bob" 1) $(tone_of "$tmp/bob" 2)"
case "$heard" in
"1000 1500" | "1500 1000") ;;
*) fail "bob heard '$heard', not 1000 and 1500 on separate calls: $(cat "$tmp/bob")" ;;
esac
# both calls were up at once: the second was answered before the first ended
first_end=$(grep -n '"state":"ended"' "$tmp/bob" | head -n 1 | cut -d: -f1)
second_up=$(grep -n '"call":2,"state":"answered"' "$tmp/bob" | head -n 1 | cut -d: -f1)
[ -n "$second_up" ] && [ "$second_up" -lt "$first_end" ] || fail "calls not concurrent: $(cat "$tmp/bob")"

# 2. --codecs: the offer lists PCMA (8) only, then telephone-event
timeout 30 $VOX ua --listen udp:127.0.0.1:0 --answer --calls 1 --media-enc off --json \
	>"$tmp/bob2" 2>"$tmp/bob2.err" &
bpid=$!
pids="$pids $bpid"
wait_listening "$tmp/bob2" $bpid
status timeout 30 $VOX ua --listen udp:127.0.0.1:0 --call "sip:bob@127.0.0.1:$port" \
	--media-enc off --codecs pcma --duration 0.5 --trace >"$tmp/alice2" 2>"$tmp/alice2.err"
[ "$rc" = 0 ] || fail "--codecs pcma: exit $rc: $(cat "$tmp/alice2.err")"
grep -q '^m=audio [0-9]* RTP/AVP 8 101' "$tmp/alice2.err" || fail "--codecs pcma: $(grep '^m=' "$tmp/alice2.err")"
status wait $bpid

# 3. a peer that connects to a TLS listener and says nothing is closed
# after --tls-handshake-timeout
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
	-subj /CN=127.0.0.1 -keyout "$tmp/k.pem" -out "$tmp/c.pem" >/dev/null 2>&1 ||
	fail "openssl could not make a certificate"
timeout 30 $VOX ua --listen tls:127.0.0.1:0 --cert "$tmp/c.pem" --key "$tmp/k.pem" \
	--tls-handshake-timeout 0.3 --run 4 --json >"$tmp/srv" 2>"$tmp/srv.err" &
spid=$!
pids="$pids $spid"
wait_listening "$tmp/srv" $spid
bash -c "exec 3<>/dev/tcp/127.0.0.1/$port; sleep 2" 2>/dev/null &
pids="$pids $!"
i=0
until grep -q '"event":"conn_closed"' "$tmp/srv" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 60 ] || fail "silent TLS peer not closed: $(cat "$tmp/srv")"
	sleep 0.05
done
grep '"event":"conn_closed"' "$tmp/srv" | grep -q '"during":"tls-handshake"' ||
	fail "conn_closed: $(cat "$tmp/srv")"
status wait $spid
[ "$rc" = 0 ] || fail "--run 4: exit $rc: $(cat "$tmp/srv.err")"
echo "cli_answer: passed"
