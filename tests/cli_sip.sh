#!/bin/sh
# SPDX-License-Identifier: MIT
# vox sip parse, end to end through the program (issue 2's acceptance
# checks). `make check` runs it against the ASan build: VOX=build/asan/vox.
NAME=cli_sip
V=tests/vectors/rfc4475
. tests/clilib.sh

# 3.1.1.1: accepted, with the fields the RFC calls out decoded.
status $VOX sip parse "$V/wsinv.dat" >"$tmp/j" 2>"$tmp/err"
[ "$rc" = 0 ] || fail "wsinv: exit $rc: $(cat "$tmp/err")"
for f in '"max_forwards":68' '"cseq":{"seq":9,"method":"INVITE"}' \
	'"tag":"1918181833n"' '"display":"J Rosenberg \\\""' '"branch":"z9hG4bK30239"' \
	'"q_per_mille":330' '"body_length":150' '"verdict":{"accept":true}'; do
	grep -qF "$f" "$tmp/j" || fail "wsinv: no $f"
done

# 3.1.2: every one is refused, with a reason and the response on stderr.
n=0
for f in $(sed -n 's/^| \([a-z0-9]*\.dat\) | 3\.1\.2\..*/\1/p' "$V/INDEX.md"); do
	status $VOX sip parse "$V/$f" >/dev/null 2>"$tmp/err"
	[ "$rc" = 1 ] || fail "$f: exit $rc"
	grep -q 'offset [0-9]*: ' "$tmp/err" || fail "$f: no offset and reason: $(cat "$tmp/err")"
	n=$((n + 1))
done
[ "$n" = 19 ] || fail "$n messages of RFC 4475 3.1.2, not 19"

# tests/vectors/sip-verdicts: each file gets the verdict its INDEX.md row asks.
W=tests/vectors/sip-verdicts
sed -n 's/^| \([a-z0-9-]*\.dat\) | [^|]* | \([a-z0-9]*\) |.*/\1 \2/p' "$W/INDEX.md" >"$tmp/want"
m=0
while read -r f want; do
	status $VOX sip parse "$W/$f" >"$tmp/j" 2>"$tmp/err"
	case $want in
	accept) [ "$rc" = 0 ] && grep -qF '"accept":true' "$tmp/j" ||
		fail "$f: exit $rc, not accepted: $(cat "$tmp/err")" ;;
	drop) [ "$rc" = 1 ] && grep -q 'a UA would drop it' "$tmp/err" ||
		fail "$f: exit $rc, not dropped: $(cat "$tmp/err")" ;;
	*) [ "$rc" = 1 ] && grep -q "offset [0-9]*: .*a UAS would send $want " "$tmp/err" ||
		fail "$f: exit $rc, not $want: $(cat "$tmp/err")" ;;
	esac
	m=$((m + 1))
done <"$tmp/want"
[ "$m" = "$(ls "$W"/*.dat | wc -l)" ] || fail "$m rows in $W/INDEX.md for $(ls "$W"/*.dat | wc -l) files"

# --stream: two messages in one byte stream, each framed and reported.
cat "$V/wsinv.dat" "$V/intmeth.dat" >"$tmp/two"
status $VOX sip parse --stream "$tmp/two" >"$tmp/j" 2>"$tmp/err"
[ "$rc" = 0 ] || fail "stream: exit $rc: $(cat "$tmp/err")"
[ "$(grep -c '"verdict"' "$tmp/j")" = 2 ] || fail "stream: not two messages"

# A lone line end at the end of a --stream file is a pong (RFC 5626 4.4.1):
# no second line end can follow it to make a ping. A CR alone is not.
for end in '\r\n' '\n'; do
	{ cat "$V/intmeth.dat"; printf "$end"; } >"$tmp/pong"
	status $VOX sip parse --stream "$tmp/pong" >"$tmp/j" 2>"$tmp/err"
	[ "$rc" = 0 ] || fail "stream + lone line end: exit $rc: $(cat "$tmp/err")"
	tail -n 1 "$tmp/j" | grep -q '"kind":"pong"' || fail "stream + lone line end: no pong: $(cat "$tmp/j")"
done
{ cat "$V/intmeth.dat"; printf '\r\n\r'; } >"$tmp/cr"
status $VOX sip parse --stream "$tmp/cr" >"$tmp/j" 2>"$tmp/err"
[ "$rc" = 1 ] && grep -q 'stream ends inside a message' "$tmp/err" ||
	fail "stream + CRLF CR: exit $rc: $(cat "$tmp/err")"
grep -q '"kind":"pong"' "$tmp/j" || fail "stream + CRLF CR: no pong before the CR"

# A response in lower case that does not parse is dropped, in a stream too.
status $VOX sip parse --stream "$W/vers-lower-bad.dat" >/dev/null 2>"$tmp/err"
[ "$rc" = 1 ] && grep -q 'a UA would drop it' "$tmp/err" ||
	fail "stream vers-lower-bad: exit $rc, not dropped: $(cat "$tmp/err")"

# Usage errors exit 2.
status $VOX sip parse --no-such-flag "$V/wsinv.dat" >/dev/null 2>&1
[ "$rc" = 2 ] || fail "bad flag: exit $rc"
status $VOX sip parse "$tmp/absent" >/dev/null 2>&1
[ "$rc" = 2 ] || fail "missing file: exit $rc"
echo "cli_sip: passed (wsinv accepted, $n of 3.1.2 refused, $m verdicts, --stream, pongs, usage)"
