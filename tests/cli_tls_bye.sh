#!/bin/sh
# SPDX-License-Identifier: MIT
# vox ua over TLS: the side that hangs up sends its BYE to the peer's
# Contact, on a fresh TLS connection, and must not exit before that BYE is
# out (it did, leaving baresip's call up). bob answers and hangs up after
# 1 s; alice (who would stay 20 s) must see the call ended by bob, soon.
# Certificates are made here with openssl. `make check` runs it with
# VOX=build/asan/vox.
NAME=cli_tls_bye
. tests/clilib.sh
pids=""
trap 'for p in $pids; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"' EXIT
command -v openssl >/dev/null || fail "openssl missing (make deps-check)"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
	-subj "/CN=cli test CA" -keyout "$tmp/ca.key" -out "$tmp/ca.pem" \
	-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=127.0.0.1" \
	-keyout "$tmp/ep.key" -out "$tmp/ep.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n' \
	>"$tmp/ext.cnf"
openssl x509 -req -in "$tmp/ep.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" -CAcreateserial \
	-days 2 -out "$tmp/ep.pem" -extfile "$tmp/ext.cnf" 2>/dev/null
tlsopts="--cert $tmp/ep.pem --key $tmp/ep.key --ca $tmp/ca.pem"

# shellcheck disable=SC2086
timeout 30 $VOX ua --listen tls:127.0.0.1:0 $tlsopts --answer --calls 1 --duration 1 --json \
	>"$tmp/bob" 2>"$tmp/bob.err" &
bpid=$!
pids="$pids $bpid"
i=0
until grep -q '"event":"listening"' "$tmp/bob" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 200 ] || fail "bob never listened: $(cat "$tmp/bob.err")"
	sleep 0.05
done
port=$(sed -n 's/.*"event":"listening".*"port":\([0-9]*\).*/\1/p' "$tmp/bob" | head -n 1)
t0=$(date +%s)
# shellcheck disable=SC2086
status timeout 30 $VOX ua --listen tls:127.0.0.1:0 $tlsopts \
	--call "sip:bob@127.0.0.1:$port;transport=tls" --duration 20 --json \
	>"$tmp/alice" 2>"$tmp/alice.err"
t1=$(date +%s)
[ "$rc" = 0 ] || fail "alice: exit $rc: $(cat "$tmp/alice" "$tmp/alice.err")"
grep -q '"state":"answered"' "$tmp/alice" || fail "alice: no call: $(cat "$tmp/alice")"
grep -q '"state":"ended".*"remote":true' "$tmp/alice" ||
	fail "alice: bob's BYE never came: $(cat "$tmp/alice" "$tmp/bob")"
[ $((t1 - t0)) -lt 15 ] || fail "alice: the call lasted $((t1 - t0)) s"
status wait $bpid
[ "$rc" = 0 ] || fail "bob: exit $rc: $(cat "$tmp/bob" "$tmp/bob.err")"
echo "cli_tls_bye: passed"
