#!/bin/bash
# SPDX-License-Identifier: MIT
# Scenario 6, the TLS matrix: `vox ua --call sips:` against `openssl
# s_server` serving, one at a time: a good certificate (accepted), and
# certificates expired, not yet valid, for another name, a wildcard, from
# an unknown CA, a server speaking TLS 1.1 only, one offering only ciphers
# without forward secrecy, and one requiring a client certificate vox
# lacks: each must be refused with its own cause (the tls_failed event).
# Then a pinned certificate that changed is refused (--pin-file), and
# `openssl s_client` connects to `vox ua --listen tls:` with and without a
# client certificate. All certificates are made here with openssl.
cd "$(dirname "$0")" || exit 1
. ./lib.sh
command -v openssl >/dev/null || fail "openssl missing (./install.sh)"
[ -x "$VOX" ] || fail "$VOX missing (make build/vox)"
P="$RIG_TMP/pki"
make_pki "$P"

# sign NAME CN SAN START END [CA]: NAME.pem/NAME.key, by CA (default ca)
mkdir -p "$P/db"
: >"$P/db/index.txt"
echo 1000 >"$P/db/serial"
printf '%s\n' "[ca]" "default_ca = d" "[d]" "database = $P/db/index.txt" \
	"serial = $P/db/serial" "new_certs_dir = $P/db" "default_md = sha256" "policy = p" \
	"unique_subject = no" "[p]" "commonName = supplied" "[ext]" "basicConstraints = CA:FALSE" \
	"extendedKeyUsage = serverAuth,clientAuth" "subjectAltName = \$ENV::SAN" >"$P/ca.cnf"
sign() {
	local kt=(-newkey ec -pkeyopt ec_paramgen_curve:P-256)
	[ "$1" = rsa ] && kt=(-newkey rsa:2048)
	openssl req "${kt[@]}" -nodes -subj "/CN=$2" -keyout "$P/$1.key" -out "$P/$1.csr" 2>/dev/null &&
		SAN=$3 openssl ca -batch -config "$P/ca.cnf" -cert "$P/${6:-ca}.pem" -keyfile "$P/${6:-ca}.key" \
			-in "$P/$1.csr" -out "$P/$1.pem" -extensions ext -startdate "$4" -enddate "$5" \
			-notext 2>/dev/null || fail "openssl: cannot make $1"
}
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=other CA" \
	-keyout "$P/oca.key" -out "$P/oca.pem" -addext basicConstraints=critical,CA:TRUE \
	-addext keyUsage=critical,keyCertSign 2>/dev/null || fail "openssl: other CA"
ip="IP:127.0.0.1,DNS:127.0.0.1"
now=$(date -u +%Y%m%d000000Z)
later=$(date -u -d '+2 days' +%Y%m%d000000Z)
sign expired 127.0.0.1 "$ip" 20200101000000Z 20210101000000Z
sign future 127.0.0.1 "$ip" 20400101000000Z 20410101000000Z
sign wrongname other.example "DNS:other.example" "$now" "$later"
sign wildcard "*.0.0.1" "DNS:*.0.0.1,DNS:*.example" "$now" "$later"
sign unknownca 127.0.0.1 "$ip" "$now" "$later" oca
sign rsa 127.0.0.1 "$ip" "$now" "$later"

status=0
summary=""
port=5400
# case NAME WANT_CAUSE VOX_ARGS -- S_SERVER_ARGS: vox's first tls_* event
# must be tls_open (WANT_CAUSE "ok") or tls_failed with cause WANT_CAUSE
case_() {
	local name=$1 want=$2 va=() sa=() got text
	shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do va+=("$1"); shift; done
	shift
	sa=("$@")
	port=$((port + 1))
	timeout 20 openssl s_server -accept "127.0.0.1:$port" -naccept 1 -quiet "${sa[@]}" \
		>"$RIG_TMP/s-$name.out" 2>&1 </dev/null &
	local spid=$!
	track $spid
	wait_port tcp $port 10 || fail "s_server $name did not listen"
	vox_start "m-$name" 15 --listen udp:127.0.0.1:0 "${va[@]}" --call "sips:x@127.0.0.1:$port" --duration 1
	wait_log "$RIG_TMP/m-$name.json" '"event":"tls_(open|failed)"' 10
	kill "$VOX_PID" 2>/dev/null
	kill "$spid" 2>/dev/null
	if grep -aq '"event":"tls_open"' "$RIG_TMP/m-$name.json"; then
		got=ok
		text="verified=$(json_field "$RIG_TMP/m-$name.json" tls_open verified)"
	else
		got=$(json_field "$RIG_TMP/m-$name.json" tls_failed cause)
		text=$(json_field "$RIG_TMP/m-$name.json" tls_failed text)
	fi
	log "$name: want $want, got ${got:-nothing}: $text"
	if [ "$got" = "$want" ]; then summary="$summary $name:$got;"; else
		summary="$summary $name:FAILED(${got:-nothing});"
		status=1
	fi
}
C=(--ca "$P/ca.pem")
case_ good ok "${C[@]}" -- -cert "$P/server.pem" -key "$P/server.key"
case_ expired expired "${C[@]}" -- -cert "$P/expired.pem" -key "$P/expired.key"
case_ not-yet-valid not-yet-valid "${C[@]}" -- -cert "$P/future.pem" -key "$P/future.key"
case_ wrong-name name-mismatch "${C[@]}" -- -cert "$P/wrongname.pem" -key "$P/wrongname.key"
case_ wildcard name-mismatch "${C[@]}" -- -cert "$P/wildcard.pem" -key "$P/wildcard.key"
case_ unknown-ca unknown-ca "${C[@]}" -- -cert "$P/unknownca.pem" -key "$P/unknownca.key"
case_ tls1.1-only no-shared-cipher "${C[@]}" -- -cert "$P/server.pem" -key "$P/server.key" \
	-tls1_1 -cipher DEFAULT@SECLEVEL=0
case_ no-forward-secrecy no-shared-cipher "${C[@]}" -- -cert "$P/rsa.pem" -key "$P/rsa.key" \
	-tls1_2 -cipher AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA
case_ client-cert-required missing-client-cert "${C[@]}" -- -cert "$P/server.pem" \
	-key "$P/server.key" -Verify 1 -CAfile "$P/ca.pem"
# trust on first use, then the server's certificate changes
case_ pin-first-use ok --pin-file "$RIG_TMP/pins" -- -cert "$P/server.pem" -key "$P/server.key"
case_ pin-changed pin-mismatch --pin-file "$RIG_TMP/pins" -- -cert "$P/rsa.pem" -key "$P/rsa.key"

# openssl s_client against vox's TLS listener, with and without a client
# certificate: a listener that asks for one but takes clients without
# (port 5491), and one with --require-client-cert (5492), which refuses a
# client without a certificate in the handshake and says why
# (missing-client-cert)
vox_start listener 30 --listen tls:127.0.0.1:5491 --cert "$P/server.pem" --key "$P/server.key" \
	--ca "$P/ca.pem" --duration 20
vox_wait_listening listener
vox_start required 30 --listen tls:127.0.0.1:5492 --cert "$P/server.pem" --key "$P/server.key" \
	--ca "$P/ca.pem" --require-client-cert --duration 20
vox_wait_listening required
# s_client_options PORT yes|no: the handshake with vox, then an OPTIONS
s_client_options() {
	local port=$1 extra=()
	[ "$2" = yes ] && extra=(-cert "$P/server.pem" -key "$P/server.key")
	{
		printf 'OPTIONS sip:127.0.0.1:%s SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:9;branch=z9hG4bKm%s\r\nMax-Forwards: 70\r\nFrom: <sip:m@127.0.0.1>;tag=1\r\nTo: <sip:127.0.0.1>\r\nCall-ID: m%s@127.0.0.1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n' "$port" "$port$2" "$port$2"
		sleep 1.5 # the answer comes back before s_client ends at this EOF
	} | timeout 10 openssl s_client -connect "127.0.0.1:$port" -CAfile "$P/ca.pem" \
		-verify_return_error "${extra[@]}" 2>&1 | head -c 20000
}
for withcert in no yes; do
	out=$(s_client_options 5491 $withcert)
	if echo "$out" | grep -aq 'Verify return code: 0' && echo "$out" | grep -aq '^SIP/2.0 200'; then
		log "s_client (client cert: $withcert, optional): handshake verified, OPTIONS answered 200"
		summary="$summary s_client/optional/cert-$withcert:ok;"
	else
		log "s_client (client cert: $withcert, optional): FAILED: $(echo "$out" | grep -a 'Verify\|error\|SIP/2.0' | head -3)"
		summary="$summary s_client/optional/cert-$withcert:FAILED;"
		status=1
	fi
	out=$(s_client_options 5492 $withcert)
	ok=0
	if [ $withcert = yes ]; then
		echo "$out" | grep -aq '^SIP/2.0 200' && ok=1
	else
		# refused in the handshake: no SIP answer, and vox says why
		! echo "$out" | grep -aq '^SIP/2.0' &&
			wait_log "$RIG_TMP/required.json" '"cause":"missing-client-cert"' 5 && ok=1
	fi
	if [ $ok = 1 ]; then
		log "s_client (client cert: $withcert, --require-client-cert): $([ $withcert = yes ] && echo 'OPTIONS answered 200' || echo "refused: $(grep -ao '"text":"[^"]*"' "$RIG_TMP/required.json" | head -1)")"
		summary="$summary s_client/required/cert-$withcert:ok;"
	else
		log "s_client (client cert: $withcert, --require-client-cert): FAILED: $(echo "$out" | grep -a 'Verify\|error\|SIP/2.0\|alert' | head -3)"
		summary="$summary s_client/required/cert-$withcert:FAILED;"
		status=1
	fi
done
log "RESULT$summary"
exit $status
