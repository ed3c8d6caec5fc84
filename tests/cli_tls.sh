#!/bin/sh
# SPDX-License-Identifier: MIT
# vox ua over TLS with certificates from files (made here by openssl):
# mutual TLS, both hops verified, SDES-SRTP and the tones cross; one-way
# TLS, where bob cannot verify alice, so bob refuses her SDES keys (488);
# an unknown CA, refused with its cause in a tls_failed event; trust on
# first use, pinned, then a changed certificate refused with both
# fingerprints. Every wait is bounded; the processes started here are
# killed by PID on exit. `make check` runs it with VOX=build/asan/vox.
NAME=cli_tls
. tests/clilib.sh
pids=""
trap 'for p in $pids; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"' EXIT

# cert NAME ISSUER: an EC P-256 key and certificate for 127.0.0.1 signed by
# ISSUER (a CA made by ca), in $tmp/NAME.key and $tmp/NAME.crt.
ca() {
	openssl ecparam -name prime256v1 -genkey -noout -out "$tmp/$1.key" 2>/dev/null
	openssl req -x509 -new -key "$tmp/$1.key" -sha256 -days 2 -subj "/CN=$1" \
		-addext basicConstraints=critical,CA:TRUE -addext keyUsage=keyCertSign,cRLSign \
		-out "$tmp/$1.crt" 2>/dev/null || fail "openssl: CA $1"
}
cert() {
	openssl ecparam -name prime256v1 -genkey -noout -out "$tmp/$1.key" 2>/dev/null
	openssl req -new -key "$tmp/$1.key" -subj "/CN=$1" -out "$tmp/$1.csr" 2>/dev/null
	printf 'subjectAltName=IP:127.0.0.1\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\n' \
		>"$tmp/$1.ext"
	openssl x509 -req -in "$tmp/$1.csr" -CA "$tmp/$2.crt" -CAkey "$tmp/$2.key" \
		-CAcreateserial -days 2 -sha256 -extfile "$tmp/$1.ext" -out "$tmp/$1.crt" \
		2>/dev/null || fail "openssl: $1"
}
ca ca
ca other
cert bob ca
cert alice ca
cert bob2 other

# bob OUT ARGS...: an answering vox ua on tls:127.0.0.1:0 in the
# background (at most 30 s); waits (at most 10 s) for its port in $port.
bob() {
	out=$1
	shift
	timeout 30 $VOX ua --listen tls:127.0.0.1:0 --answer --calls 1 --json "$@" >"$out" 2>"$out.err" &
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
alice() { # ARGS...: alice calls bob over TLS; exit code in rc
	status timeout 30 $VOX ua --listen tls:127.0.0.1:0 --cert "$tmp/alice.crt" \
		--key "$tmp/alice.key" --call "sips:bob@127.0.0.1:$port" --json "$@" \
		>"$tmp/alice" 2>"$tmp/alice.err"
}

# 1. mutual TLS: each side verifies the other; SRTP with SDES, mandatory
bob "$tmp/b1" --cert "$tmp/bob.crt" --key "$tmp/bob.key" --ca "$tmp/ca.crt" \
	--require-encryption --play tone:600
alice --ca "$tmp/ca.crt" --require-encryption --play tone:1000 --duration 1.5
[ "$rc" = 0 ] || fail "mutual TLS: alice exit $rc: $(cat "$tmp/alice" "$tmp/alice.err")"
status wait $bpid
[ "$rc" = 0 ] || fail "mutual TLS: bob exit $rc: $(cat "$tmp/b1" "$tmp/b1.err")"
for f in "$tmp/alice" "$tmp/b1"; do
	[ "$(field "$f" tls_open verified)" = true ] || fail "$f: not verified: $(cat "$f")"
	[ "$(field "$f" media_security level)" = sdes ] || fail "$f: media: $(cat "$f")"
	[ "$(field "$f" media_security hop_verified)" = true ] || fail "$f: hop: $(cat "$f")"
	[ "$(field "$f" media_stats srtp_failures)" = 0 ] || fail "$f: SRTP failures"
done
[ "$(field "$tmp/alice" media_stats tone_hz)" = 600 ] || fail "alice: $(cat "$tmp/alice")"
[ "$(field "$tmp/b1" media_stats tone_hz)" = 1000 ] || fail "bob: $(cat "$tmp/b1")"

# 2. one-way TLS: bob asks for no client certificate, so his side of the
# hop is not verified, and he refuses SDES keys over it (488)
bob "$tmp/b2" --cert "$tmp/bob.crt" --key "$tmp/bob.key" --require-encryption --duration 5
alice --ca "$tmp/ca.crt" --require-encryption --duration 1
[ "$rc" = 1 ] || fail "one-way TLS: alice exit $rc: $(cat "$tmp/alice")"
grep -q '"state":"ended","status":488' "$tmp/alice" || fail "one-way TLS: $(cat "$tmp/alice")"
[ "$(field "$tmp/b2" tls_open verified)" = false ] || fail "bob verified: $(cat "$tmp/b2")"
kill $bpid 2>/dev/null || true

# 3. a server whose CA alice does not trust: refused, and said why
bob "$tmp/b3" --cert "$tmp/bob2.crt" --key "$tmp/bob2.key" --duration 5
alice --ca "$tmp/ca.crt" --duration 1
[ "$rc" = 1 ] || fail "unknown CA: alice exit $rc: $(cat "$tmp/alice")"
[ "$(field "$tmp/alice" tls_failed cause)" = unknown-ca ] || fail "unknown CA: $(cat "$tmp/alice")"
grep -q '"peer_fp":"[0-9a-f]\{64\}"' "$tmp/alice" || fail "no fingerprint: $(cat "$tmp/alice")"

# and with --insecure-no-verify: taken, said to be unchecked, warned about
alice --insecure-no-verify --media-enc off --duration 0.5
[ "$rc" = 0 ] || fail "insecure: alice exit $rc: $(cat "$tmp/alice" "$tmp/alice.err")"
[ "$(field "$tmp/alice" tls_open verified)" = false ] || fail "insecure: $(cat "$tmp/alice")"
grep -q 'WARNING: --insecure-no-verify' "$tmp/alice.err" || fail "no warning: $(cat "$tmp/alice.err")"
kill $bpid 2>/dev/null || true
# but SDES keys do not go to a server nobody checked: the UA knows its TLS
# client does not verify (tls_client_verifies unset), so it offers no keys
# and, under the optional policy, the call runs in clear and says so
bob "$tmp/b3b" --cert "$tmp/bob2.crt" --key "$tmp/bob2.key" --duration 5
alice --insecure-no-verify --duration 0.5 --trace
[ "$rc" = 0 ] || fail "insecure with SDES: alice exit $rc: $(cat "$tmp/alice")"
[ "$(field "$tmp/alice" media_stats security)" = none ] ||
	fail "insecure with SDES: $(cat "$tmp/alice")"
! grep -q 'a=crypto' "$tmp/alice.err" || fail "insecure with SDES: keys sent: $(cat "$tmp/alice.err")"
kill $bpid 2>/dev/null || true

# 4. trust on first use: the first certificate is pinned, a changed one
# refused with both fingerprints (clear media: the hop is not verified)
bob "$tmp/b4" --cert "$tmp/bob2.crt" --key "$tmp/bob2.key" --media-enc off --duration 5
alice --pin-file "$tmp/pins" --media-enc off --duration 0.5
[ "$rc" = 0 ] || fail "first use: alice exit $rc: $(cat "$tmp/alice" "$tmp/alice.err")"
grep -q '^127.0.0.1 [0-9a-f]\{64\}$' "$tmp/pins" || fail "no pin: $(cat "$tmp/pins")"
kill $bpid 2>/dev/null || true
bob "$tmp/b5" --cert "$tmp/bob.crt" --key "$tmp/bob.key" --media-enc off --duration 5
alice --pin-file "$tmp/pins" --media-enc off --duration 0.5
[ "$rc" = 1 ] || fail "changed certificate: alice exit $rc: $(cat "$tmp/alice")"
[ "$(field "$tmp/alice" tls_failed cause)" = pin-mismatch ] || fail "pin: $(cat "$tmp/alice")"
grep -q '"pinned_fp":"[0-9a-f]\{64\}"' "$tmp/alice" || fail "no pinned_fp: $(cat "$tmp/alice")"
kill $bpid 2>/dev/null || true
echo "cli_tls: passed"
