#!/bin/sh
# SPDX-License-Identifier: MIT
# The JSON that vox sip parse and vox sdp parse print is valid UTF-8
# (RFC 8259 8.1), whatever bytes came in (issue 9): UTF-8 passes through,
# each maximal ill-formed subpart becomes one \ufffd, control characters
# (C0, DEL, C1) are escaped. `make check` runs it with VOX=build/asan/vox.
NAME=cli_json
. tests/clilib.sh

# utf8 FILE: the file is well-formed UTF-8 (iconv refuses anything else).
utf8() { iconv -f UTF-8 -t UTF-8 "$1" >/dev/null 2>&1 || fail "$1: not UTF-8: $(cat "$1")"; }
has() { grep -qF -e "$2" "$1" || fail "no $2 in $(cat "$1")"; }

# A display name in UTF-8 (RFC 3261 25.1, UTF8-NONASCII), then bytes that
# are not: FF, a C2 cut short, a surrogate (ED A0 80), then a C1 control.
printf 'INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n' >"$tmp/m.sip"
printf 'To: <sip:bob@example.com>\r\n' >>"$tmp/m.sip"
printf 'From: "Zo\303\253 \377\302 \355\240\200 \302\233" <sip:zoe@example.com>;tag=1\r\n' >>"$tmp/m.sip"
printf 'Call-ID: c\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\nContact: <sip:zoe@h>\r\n\r\n' >>"$tmp/m.sip"
$VOX sip parse "$tmp/m.sip" >"$tmp/j" || fail "sip parse: exit $?"
utf8 "$tmp/j"
has "$tmp/j" "$(printf '"display":"Zo\303\253 \\ufffd\\ufffd \\ufffd\\ufffd\\ufffd \\u009b"')"
has "$tmp/j" "$(printf '"value":"\\"Zo\303\253 \\ufffd')"
$VOX sip parse --pretty "$tmp/m.sip" >"$tmp/j" || fail "sip parse --pretty: exit $?"
utf8 "$tmp/j"

# s= and i= are byte strings (RFC 8866 5.3): three- and four-byte UTF-8,
# then overlong C0 AF and E0 9F BF, F4 90 80 80 above U+10FFFF, NEL
# (C2 85), DEL.
printf 'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n' >"$tmp/s.sdp"
printf 's=\342\202\254 \360\237\223\236 \300\257 \340\237\277 \364\220\200\200 \302\205\r\n' \
	>>"$tmp/s.sdp"
printf 'i=\177 tab\tend\r\nt=0 0\r\n' >>"$tmp/s.sdp"
$VOX sdp parse "$tmp/s.sdp" >"$tmp/j" || fail "sdp parse: exit $?"
utf8 "$tmp/j"
has "$tmp/j" "$(printf '"name":"\342\202\254 \360\237\223\236 \\ufffd\\ufffd \\ufffd\\ufffd\\ufffd \\ufffd\\ufffd\\ufffd\\ufffd \\u0085"')"
has "$tmp/j" '"info":"\u007f tab\tend"'

# A sequence cut off by the end of the value is one \ufffd, no over-read
# (the ASan build runs this): E2 82 at the end of s=.
printf 'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=\342\202\r\nt=0 0\r\n' >"$tmp/cut.sdp"
$VOX sdp parse "$tmp/cut.sdp" >"$tmp/j" || fail "sdp parse cut: exit $?"
has "$tmp/j" '"name":"\ufffd"'
echo "cli_json: passed"
