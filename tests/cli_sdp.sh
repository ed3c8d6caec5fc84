#!/bin/sh
# SPDX-License-Identifier: MIT
# vox sdp, end to end through the program (issue 3's acceptance checks).
# `make check` runs it against the ASan build: VOX=build/asan/vox.
NAME=cli_sdp
V=tests/vectors/sdp
. tests/clilib.sh

# An RFC 4568 offer: a valid answer with the offer's tag and another key.
status $VOX sdp answer "$V/rfc4568-offer.sdp" >"$tmp/a.sdp" 2>"$tmp/err"
[ "$rc" = 0 ] || fail "answer: exit $rc: $(cat "$tmp/err")"
$VOX sdp parse "$tmp/a.sdp" >/dev/null || fail "the answer does not parse"
grep -q '^a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:' "$tmp/a.sdp" || fail "no a=crypto:1"
key=$(sed -n 's/^a=crypto:1 [^ ]* inline:\([^|]*\).*/\1/p' "$tmp/a.sdp" | tr -d '\r')
[ ${#key} = 40 ] || fail "answer key '$key'"
if grep -q "$key" "$V/rfc4568-offer.sdp"; then fail "the answer reuses the offer's key"; fi
grep -q 'protection srtp-sdes' "$tmp/err" || fail "summary: $(cat "$tmp/err")"

# Mandatory SRTP and a clear offer: exit 1, no answer, 488 named.
status $VOX sdp answer --policy mandatory "$V/clear-offer.sdp" >"$tmp/out" 2>"$tmp/err"
[ "$rc" = 1 ] || fail "mandatory on a clear offer: exit $rc"
grep -q 'SIP 488' "$tmp/err" || fail "no 488: $(cat "$tmp/err")"
[ ! -s "$tmp/out" ] || fail "an answer was printed"

# parse: keys redacted unless --show-keys; exit 0, 1 (with line and column), 2.
$VOX sdp parse "$V/offer.sdp" >"$tmp/j"
if grep -q PS1uQCVe "$tmp/j"; then fail "a key in the default output"; fi
grep -q REDACTED "$tmp/j" || fail "no REDACTED"
$VOX sdp parse --show-keys "$V/offer.sdp" | grep -q PS1uQCVe || fail "--show-keys hides the key"
$VOX sdp parse - <"$V/rfc4317-2.1-offer.sdp" | grep -q '"video"' || fail "stdin"
printf 'v=0\r\no=- 1 1 IN IP4 host\r\ns=-\r\nt=0 0\r\nm=audio 70000 RTP/AVP 0\r\n' >"$tmp/bad"
status $VOX sdp parse "$tmp/bad" >"$tmp/out" 2>"$tmp/err"
[ "$rc" = 1 ] || fail "invalid input: exit $rc"
grep -q 'line 5, column 9' "$tmp/err" || fail "where: $(cat "$tmp/err")"
status $VOX sdp parse --bogus >/dev/null 2>&1
[ "$rc" = 2 ] || fail "usage: exit $rc"
status $VOX sdp answer >/dev/null 2>&1
[ "$rc" = 2 ] || fail "answer without offer: exit $rc"

# Two vox: an RTP/SAVP offer under mandatory, answered under mandatory.
$VOX sdp offer --policy mandatory --codecs pcma >"$tmp/o.sdp"
status $VOX sdp answer --policy mandatory "$tmp/o.sdp" >"$tmp/a2.sdp" 2>"$tmp/err"
[ "$rc" = 0 ] || fail "vox to vox: $(cat "$tmp/err")"
grep -q '^m=audio 40000 RTP/SAVP 8' "$tmp/a2.sdp" || fail "vox to vox answer"
# ... and refused under policy off.
status $VOX sdp answer --policy off "$tmp/o.sdp" >/dev/null 2>"$tmp/err"
[ "$rc" = 1 ] && grep -q 'SIP 488' "$tmp/err" || fail "policy off on RTP/SAVP"
# Local settings no description can carry are refused before any offer,
# with the cause (issue 9): exit 2, nothing printed.
status $VOX sdp offer --addr 192.0.2.300 >"$tmp/out" 2>"$tmp/err"
[ "$rc" = 2 ] || fail "bad --addr: exit $rc"
grep -q "'192.0.2.300' is not an IPv4 or IPv6 address" "$tmp/err" || fail "why: $(cat "$tmp/err")"
[ ! -s "$tmp/out" ] || fail "an offer was printed"
status $VOX sdp answer --addr 233.252.0.1 "$V/offer.sdp" >"$tmp/out" 2>"$tmp/err"
[ "$rc" = 2 ] && grep -q 'multicast' "$tmp/err" || fail "multicast --addr: $rc $(cat "$tmp/err")"
$VOX sdp offer --addr 2001:db8::5 | grep -q '^c=IN IP6 2001:db8::5' || fail "IPv6 --addr"
# The policy is key methods times a requirement (issue 10): "ZRTP
# mandatory, SDES refused" can be said: RTP/AVP (RFC 6189 8), no a=crypto;
# SDES refused under optional offers no a=crypto.
$VOX sdp offer --policy mandatory --keys zrtp >"$tmp/out" 2>"$tmp/err" ||
	fail "ZRTP alone under mandatory: $(cat "$tmp/err")"
grep -q '^m=audio [0-9]* RTP/AVP ' "$tmp/out" || fail "ZRTP alone: not RTP/AVP"
if grep -q 'a=crypto' "$tmp/out"; then fail "a=crypto with ZRTP alone"; fi
status $VOX sdp offer --policy mandatory --keys none >/dev/null 2>"$tmp/err"
[ "$rc" = 2 ] && grep -q 'no key method' "$tmp/err" || fail "no key method: $(cat "$tmp/err")"
$VOX sdp offer --keys zrtp >"$tmp/out" || fail "optional with ZRTP only"
if grep -q 'a=crypto' "$tmp/out"; then fail "a=crypto with SDES refused"; fi
$VOX sdp offer --policy mandatory --keys sdes,zrtp | grep -q 'RTP/SAVP' || fail "sdes,zrtp"
status $VOX sdp offer --keys sdes,pgp >/dev/null 2>"$tmp/err"
[ "$rc" = 2 ] && grep -q "'pgp' is not a key method" "$tmp/err" || fail "--keys pgp"
status $VOX sdp answer --keys zrtp "$V/offer.sdp" >/dev/null 2>"$tmp/err"
[ "$rc" = 1 ] && grep -q 'our policy refuses' "$tmp/err" || fail "SDES refused: $(cat "$tmp/err")"
echo "cli_sdp: passed"
