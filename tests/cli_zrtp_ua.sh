#!/bin/sh
# SPDX-License-Identifier: MIT
# vox ua with ZRTP (issue 12): two processes on loopback, over plain UDP,
# "ZRTP mandatory, SDES refused" (--media-enc zrtp --require-encryption),
# each with its cache file. Both print the same SAS (zrtp_sas), hear each
# other's tone in SRTP, and the first call meets a new peer; the second
# call continues (no zrtp_new_peer, no zrtp_cache_mismatch); a caller
# whose cache file was damaged is told, starts with an empty cache and
# meets the other side as a new peer (its ZID was in the file too). Every wait is
# bounded; the processes started here are killed by PID on exit. `make
# check` runs it with VOX=build/asan/vox.
NAME=cli_zrtp_ua
. tests/clilib.sh
pids=""
trap 'for p in $pids; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"' EXIT

if ! $VOX ua --media-enc zrtp --help >/dev/null 2>&1 ||
	$VOX ua --media-enc zrtp --listen udp:127.0.0.1:0 --duration 0 2>&1 | grep -q 'no ZRTP'; then
	echo "cli_zrtp_ua: skipped (this build has no ZRTP)"
	exit 0
fi

# bob OUT ARGS...: an answering vox ua in the background (at most 30 s);
# waits (at most 10 s) until it prints its port, sets $port.
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

field() {
	grep "\"event\":\"$2\"" "$1" | head -n 1 | sed -n "s/.*\"$3\":\"*\([^,\"}]*\).*/\1/p"
}

# call N: bob and alice, each with its cache; both exit 0
call() {
	bob "$tmp/bob$1" --play tone:600 --media-enc zrtp --require-encryption \
		--zrtp-cache "$tmp/bob.cache"
	status timeout 30 $VOX ua --listen udp:127.0.0.1:0 --call "sip:bob@127.0.0.1:$port" \
		--play tone:1000 --duration 2 --media-enc zrtp --require-encryption \
		--zrtp-cache "$tmp/alice.cache" --json >"$tmp/alice$1" 2>"$tmp/alice$1.err"
	[ "$rc" = 0 ] || fail "alice $1: exit $rc: $(cat "$tmp/alice$1" "$tmp/alice$1.err")"
	status wait $bpid
	[ "$rc" = 0 ] || fail "bob $1: exit $rc: $(cat "$tmp/bob$1" "$tmp/bob$1.err")"
	for who in alice bob; do
		f="$tmp/$who$1"
		[ "$(field "$f" media_stats security)" = zrtp ] || fail "$f: not ZRTP: $(cat "$f")"
		[ "$(field "$f" media_stats srtp_failures)" = 0 ] || fail "$f: SRTP failures"
		[ "$(field "$f" media_security level)" = zrtp ] || fail "$f: media_security"
	done
	sa=$(field "$tmp/alice$1" zrtp_sas sas)
	sb=$(field "$tmp/bob$1" zrtp_sas sas)
	[ -n "$sa" ] && [ "$sa" = "$sb" ] || fail "call $1: SAS alice '$sa', bob '$sb'"
	[ "$(field "$tmp/alice$1" media_stats tone_hz)" -ge 580 ] || fail "alice $1: no tone"
	[ "$(field "$tmp/bob$1" media_stats tone_hz)" -ge 980 ] || fail "bob $1: no tone"
}

# 1. a first call: a new peer on both sides, the same SAS
call 1
grep -q '"event":"zrtp_new_peer"' "$tmp/alice1" || fail "alice 1: no zrtp_new_peer"
grep -q '"event":"zrtp_new_peer"' "$tmp/bob1" || fail "bob 1: no zrtp_new_peer"
[ -s "$tmp/alice.cache" ] && [ -s "$tmp/bob.cache" ] || fail "no cache files" # our ZID is kept inside (vox_zrtp_file)

# 2. the second call continues the first
call 2
for f in "$tmp/alice2" "$tmp/bob2"; do
	if grep -q '"event":"zrtp_new_peer"\|"event":"zrtp_cache_mismatch"' "$f"; then
		fail "$f: call 2 does not continue: $(cat "$f")"
	fi
done

# 3. alice's cache damaged: she is told and starts afresh, with a new ZID
# too (the cache file holds it): a new peer for her, and for bob, who
# meets a ZID he never saw (a cache mismatch needs the same ZID)
printf 'not a cache' >"$tmp/alice.cache"
call 3
grep -q 'does not read' "$tmp/alice3.err" || fail "alice 3: no word of the damage"
grep -q '"event":"zrtp_new_peer"' "$tmp/alice3" || fail "alice 3: not a new peer"
grep -q '"event":"zrtp_new_peer"' "$tmp/bob3" || fail "bob 3: not a new peer: $(cat "$tmp/bob3")"
echo "cli_zrtp_ua: passed (SAS $sa, a second call continued, a damaged cache said so)"
