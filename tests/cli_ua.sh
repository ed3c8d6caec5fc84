#!/bin/sh
# SPDX-License-Identifier: MIT
# vox ua end to end: two processes on loopback, over UDP, with --json.
# bob answers, alice calls; each plays its tone, SRTP with SDES keys
# (opted in by name over UDP), and each side's media_stats must show the
# other's tone, SRTP, and no SRTP failure; bob hears alice's digits. Then
# a clear caller is refused by a side that requires encryption, and
# vox demo runs its secure call. Every wait is bounded; the processes
# started here are killed by PID on exit. `make check` runs it with
# VOX=build/asan/vox.
NAME=cli_ua
. tests/clilib.sh
pids=""
trap 'for p in $pids; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"' EXIT

# bob OUT ARGS...: starts an answering vox ua in the background (at most
# 30 s), waits (at most 10 s) until it prints its port, sets $port.
bob() {
	out=$1
	shift
	timeout 30 $VOX ua --listen udp:127.0.0.1:0 --answer --calls 1 --json "$@" >"$out" 2>"$out.err" &
	bpid=$!
	pids="$pids $bpid"
	i=0
	until grep -q '"event":"listening"' "$out" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 200 ] || fail "bob never listened: $(cat "$out.err")"
		kill -0 $bpid 2>/dev/null || fail "bob exited: $(cat "$out.err")"
		sleep 0.05
	done
	port=$(sed -n 's/.*"event":"listening".*"port":\([0-9]*\).*/\1/p' "$out" | head -n 1)
}

# field FILE EVENT KEY: the value of KEY in the first EVENT line of FILE.
field() {
	grep "\"event\":\"$2\"" "$1" | head -n 1 | sed -n "s/.*\"$3\":\"*\([^,\"}]*\).*/\1/p"
}

# heard FILE HZ: media_stats says the strongest tone was HZ (+-20), clearly,
# over SRTP with no failure, after more than a second of packets.
heard() {
	grep -q '"event":"media_stats"' "$1" || fail "$1: no media_stats: $(cat "$1")"
	hz=$(field "$1" media_stats tone_hz)
	pct=$(field "$1" media_stats tone_power_pct)
	[ "$hz" -ge $(($2 - 20)) ] && [ "$hz" -le $(($2 + 20)) ] ||
		fail "$1: heard $hz Hz, not $2: $(cat "$1")"
	[ "$pct" -ge 50 ] || fail "$1: the tone is $pct % of the sound"
	[ "$(field "$1" media_stats security)" = sdes ] || fail "$1: not SRTP/SDES: $(cat "$1")"
	[ "$(field "$1" media_stats srtp_failures)" = 0 ] || fail "$1: SRTP failures"
	[ "$(field "$1" media_stats packets_received)" -gt 50 ] || fail "$1: few packets"
}

# 1. a call with tones both ways and two digits
bob "$tmp/bob" --play tone:600 --require-encryption --allow-sdes-over-insecure-hops
status timeout 30 $VOX ua --listen udp:127.0.0.1:0 --call "sip:bob@127.0.0.1:$port" \
	--play tone:1000 --duration 2 --dtmf 49 --require-encryption \
	--allow-sdes-over-insecure-hops --json >"$tmp/alice" 2>"$tmp/alice.err"
[ "$rc" = 0 ] || fail "alice: exit $rc: $(cat "$tmp/alice" "$tmp/alice.err")"
status wait $bpid
[ "$rc" = 0 ] || fail "bob: exit $rc: $(cat "$tmp/bob" "$tmp/bob.err")"
heard "$tmp/alice" 600
heard "$tmp/bob" 1000
[ "$(field "$tmp/alice" media_security level)" = sdes ] || fail "alice: media_security"
[ "$(grep -c '"event":"dtmf"' "$tmp/bob")" = 2 ] || fail "bob: digits: $(cat "$tmp/bob")"
[ "$(field "$tmp/bob" dtmf digit)" = 4 ] || fail "bob: first digit: $(cat "$tmp/bob")"
grep -q '"state":"ended".*"remote":true' "$tmp/bob" || fail "bob: not ended by alice"

# 2. clear media offered to a side that requires encryption: refused
# with 488, and the caller's job failed (exit 1). The caller names bob by
# a host name, which the loop looks up (c-ares reads /etc/hosts).
bob "$tmp/bob2" --require-encryption --allow-sdes-over-insecure-hops --duration 5
status timeout 30 $VOX ua --listen udp:127.0.0.1:0 --call "sip:bob@localhost:$port" \
	--media-enc off --duration 1 --json >"$tmp/alice2" 2>"$tmp/alice2.err"
[ "$rc" = 1 ] || fail "clear caller: exit $rc: $(cat "$tmp/alice2" "$tmp/alice2.err")"
grep -q '"state":"ended","status":488' "$tmp/alice2" || fail "no 488: $(cat "$tmp/alice2")"
kill $bpid 2>/dev/null || true
status $VOX ua --listen udp:127.0.0.1:0 --call sip:bob@no-such-host.invalid --duration 1 \
	>"$tmp/nx" 2>&1
[ "$rc" = 1 ] && grep -q 'no-such-host.invalid: no such host' "$tmp/nx" ||
	fail "an unknown host: exit $rc: $(cat "$tmp/nx")"

# 2b. through an outbound proxy given by name: the UA asks the loop for
# "localhost" (RFC 3263 as an output, c-ares reads /etc/hosts), and the
# INVITE for sip:bob@localhost (no port: it could not reach bob itself)
# goes to the proxy's address, here bob's own listener. The call is up
# and ended by alice when her duration is over.
bob "$tmp/bob2b" --media-enc off --duration 5
status timeout 30 $VOX ua --listen udp:127.0.0.1:0 --outbound-proxy "sip:localhost:$port" \
	--call sip:bob@localhost --media-enc off --duration 1 --json >"$tmp/alice2b" 2>&1
[ "$rc" = 0 ] || fail "call through a named proxy: exit $rc: $(cat "$tmp/alice2b")"
grep -q '"state":"answered"' "$tmp/alice2b" || fail "named proxy: $(cat "$tmp/alice2b")"
kill $bpid 2>/dev/null || true

# 3. what bob heard of alice's tone, recorded to a WAV file, played back by
# another caller: bob hears 1000 Hz again. The trace shows the SDP with
# every key REDACTED, never a key.
bob "$tmp/bob3" --record "$tmp/heard.wav" --allow-sdes-over-insecure-hops
status timeout 30 $VOX ua --listen udp:127.0.0.1:0 --call "sip:bob@127.0.0.1:$port" \
	--play tone:1000 --duration 1.5 --allow-sdes-over-insecure-hops --trace \
	>"$tmp/alice3" 2>"$tmp/trace"
[ "$rc" = 0 ] || fail "recording call: exit $rc: $(cat "$tmp/alice3" "$tmp/trace")"
status wait $bpid
[ "$rc" = 0 ] || fail "recording bob: exit $rc: $(cat "$tmp/bob3.err")"
[ "$(head -c 4 "$tmp/heard.wav")" = RIFF ] || fail "no WAV recorded"
[ "$(wc -c <"$tmp/heard.wav")" -gt 16000 ] || fail "a short recording"
grep -q '^a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:REDACTED' "$tmp/trace" ||
	fail "the trace shows no redacted key: $(cat "$tmp/trace")"
grep 'inline:' "$tmp/trace" | grep -qv 'inline:REDACTED' && fail "a key in the trace"
grep -q '^[a-z: ]*--> udp 127.0.0.1:[0-9]*$' "$tmp/trace" || fail "no ladder: $(head "$tmp/trace")"
bob "$tmp/bob4" --allow-sdes-over-insecure-hops
status timeout 30 $VOX ua --listen udp:127.0.0.1:0 --call "sip:bob@127.0.0.1:$port" \
	--play "$tmp/heard.wav" --duration 1.5 --allow-sdes-over-insecure-hops \
	>"$tmp/alice4" 2>&1
[ "$rc" = 0 ] || fail "playing the file: exit $rc: $(cat "$tmp/alice4")"
status wait $bpid
[ "$(field "$tmp/bob4" media_stats tone_hz)" = 1000 ] ||
	fail "the recording played back: $(cat "$tmp/bob4")"
printf 'RIFF\0\0\0\0WAVEnope' >"$tmp/bad.wav"
status $VOX ua --play "$tmp/bad.wav" --answer >"$tmp/out" 2>"$tmp/err"
[ "$rc" = 2 ] && grep -q 'bad.wav: no data chunk' "$tmp/err" || fail "a bad WAV: $(cat "$tmp/err")"

# 4. REGISTER to an endpoint that is no registrar: refused (405), said so,
# and the job failed
bob "$tmp/bob5" --duration 5
status timeout 30 $VOX ua --listen udp:127.0.0.1:0 --account sip:alice@127.0.0.1 \
	--registrar "sip:127.0.0.1:$port" --json >"$tmp/alice5" 2>&1
[ "$rc" = 1 ] || fail "registration: exit $rc: $(cat "$tmp/alice5")"
[ "$(field "$tmp/alice5" registration_failed status)" = 405 ] ||
	fail "registration: $(cat "$tmp/alice5")"
kill $bpid 2>/dev/null || true

# 5. signalling only (--no-media, the load benchmark's callee): two
# callers at once, both answered (no media socket: the SDP names port 9),
# and once both ended (--calls 2) bob says how many, with none left up
bob "$tmp/bob6" --no-media --media-enc off --calls 2 --run 10
timeout 30 $VOX ua --listen udp:127.0.0.1:0 --call "sip:bob@127.0.0.1:$port" \
	--media-enc off --duration 0.5 --json >"$tmp/alice6a" 2>&1 &
apid=$!
pids="$pids $apid"
status timeout 30 $VOX ua --listen udp:127.0.0.1:0 --call "sip:bob@127.0.0.1:$port" \
	--media-enc off --duration 0.5 --json >"$tmp/alice6b" 2>&1
[ "$rc" = 0 ] || fail "no-media caller: exit $rc: $(cat "$tmp/alice6b")"
status wait $apid
[ "$rc" = 0 ] || fail "no-media caller: exit $rc: $(cat "$tmp/alice6a")"
for a in "$tmp/alice6a" "$tmp/alice6b"; do
	grep -q '"state":"answered"' "$a" || fail "not answered: $(cat "$a")"
done
status wait $bpid
[ "$rc" = 0 ] || fail "no-media bob: exit $rc: $(cat "$tmp/bob6" "$tmp/bob6.err")"
[ "$(field "$tmp/bob6" answered calls)" = 2 ] || fail "no-media bob: $(cat "$tmp/bob6")"
[ "$(field "$tmp/bob6" answered calls_left)" = 0 ] || fail "no-media bob: $(cat "$tmp/bob6")"

# 6. vox demo: TLS both ways verified, SRTP, each side hears the other
status timeout 30 $VOX demo >"$tmp/demo" 2>&1
[ "$rc" = 0 ] || fail "vox demo: exit $rc: $(cat "$tmp/demo")"
grep -q '^demo: passed' "$tmp/demo" || fail "vox demo: $(cat "$tmp/demo")"
grep -q '^alice: TLS with .*peer verified' "$tmp/demo" || fail "vox demo: TLS: $(cat "$tmp/demo")"
echo "cli_ua: passed"
