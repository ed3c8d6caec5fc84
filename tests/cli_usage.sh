#!/bin/sh
# SPDX-License-Identifier: MIT
# vox behaves like a Unix tool at every level (issue 9): getopt_long
# options (--name=value, abbreviations, "--", options after operands),
# --help on stdout with exit 0, --version, a usage error that names what
# was wrong (exit 2, two lines, nothing on stdout), an input above a limit
# refused (exit 1), an output that cannot be written reported (exit 2).
# `make check` runs it against the ASan build: VOX=build/asan/vox.
NAME=cli_usage
. tests/clilib.sh
unset POSIXLY_CORRECT # options may follow operands, as with GNU getopt by default
W=tests/vectors/rfc4475/wsinv.dat
O=tests/vectors/sdp/rfc4568-offer.sdp

# --help and -h, at every level: stdout, exit 0, nothing on stderr.
for cmd in "" sip "sip parse" sdp "sdp parse" "sdp offer" "sdp answer" ua demo zrtp "zrtp cache" "zrtp cache list" "zrtp cache forget" \
	"zrtp cache verify" "zrtp sas"; do
	name="vox${cmd:+ $cmd}"
	for h in --help -h; do
		status $VOX $cmd $h >"$tmp/out" 2>"$tmp/err"
		[ "$rc" = 0 ] || fail "vox $cmd $h: exit $rc"
		[ ! -s "$tmp/err" ] || fail "vox $cmd $h: stderr: $(cat "$tmp/err")"
		head -n 1 "$tmp/out" | grep -q "^usage: $name " ||
			fail "vox $cmd $h: $(head -n 1 "$tmp/out")"
	done
	# an unknown option, named, in two lines on stderr, exit 2
	status $VOX $cmd --no-such-option >"$tmp/out" 2>"$tmp/err"
	[ "$rc" = 2 ] || fail "vox $cmd --no-such-option: exit $rc"
	grep -q "^$name: unknown option '--no-such-option'" "$tmp/err" ||
		fail "vox $cmd --no-such-option: $(cat "$tmp/err")"
	[ "$(wc -l <"$tmp/err")" = 2 ] || fail "vox $cmd --no-such-option: $(cat "$tmp/err")"
	[ ! -s "$tmp/out" ] || fail "vox $cmd --no-such-option: stdout"
done

# --version (and -V) print the version; vox alone is a usage error.
$VOX --version | grep -qx 'vox [0-9][0-9]*\.[0-9][0-9]*\.[0-9][0-9]*.*' || fail "--version"
[ "$($VOX -V)" = "$($VOX --version)" ] || fail "-V"
status $VOX >/dev/null 2>"$tmp/err"
[ "$rc" = 2 ] && grep -q 'missing command' "$tmp/err" || fail "vox alone: exit $rc"

# usage_error CODE-ARGS... EXPECTED: exit 2, stderr's first line names it.
usage_error() {
	expect=$1
	shift
	status $VOX "$@" >"$tmp/out" 2>"$tmp/err"
	[ "$rc" = 2 ] || fail "vox $*: exit $rc"
	head -n 1 "$tmp/err" | grep -qF -e "$expect" || fail "vox $*: $(cat "$tmp/err")"
	[ "$(wc -l <"$tmp/err")" = 2 ] || fail "vox $*: not two lines: $(cat "$tmp/err")"
	[ ! -s "$tmp/out" ] || fail "vox $*: stdout"
}
usage_error "unknown command 'nope'" sip nope
usage_error "unknown command 'nope'" nope
usage_error "--policy: 'foo' is not off, optional or mandatory" sdp offer --policy foo
usage_error "--policy: 'foo'" sdp answer --policy=foo "$O"
usage_error "option '--policy' needs a value" sdp offer --policy
usage_error "--codecs: unknown codec 'opus'" sdp offer --codecs pcmu,opus
usage_error "--codecs: an empty name" sdp offer --codecs pcmu,
usage_error "--codecs: 'pcmu' is listed twice" sdp offer --codecs PCMU,pcmu
usage_error "--port: '0'" sdp offer --port 0
usage_error "--port: '+5'" sdp offer --port +5
usage_error "--port: '65536'" sdp offer --port 65536
usage_error "--addr: 'a b' is not an IPv4 or IPv6 address" sdp offer --addr 'a b'
usage_error "option '--pretty' takes no value" sip parse --pretty=yes "$W"
usage_error "option '--p' is ambiguous" sip parse --p "$W"
usage_error "one FILE at most: 'b'" sip parse a b
usage_error "one FILE at most: 'b'" sdp parse a b
usage_error "takes no operand: 'x'" sdp offer x
usage_error "missing OFFER" sdp answer
usage_error "one OFFER only: 'b'" sdp answer a b
usage_error "--media-enc foo: off, sdes, zrtp or sdes+zrtp" ua --media-enc=foo --answer
usage_error "--listen udp:nohost:1: a listener's HOST" ua --listen udp:nohost:1 --answer
usage_error "--listen sctp:1.2.3.4:5: a listener is" ua --listen sctp:1.2.3.4:5 --answer
usage_error "--play tone:5: a tone is tone:HZ" ua --play tone:5 --answer
usage_error "--answer=soon: a number of seconds" ua --answer=soon
usage_error "--call bob: a sip: or sips: URI" ua --call bob
usage_error "nothing to do" ua --listen udp:127.0.0.1:0
usage_error "--registrar needs --account" ua --registrar sip:127.0.0.1
usage_error "--no-media is for a callee under load" ua --no-media --duration 1
usage_error "--no-media is for a callee under load" ua --no-media --answer --call sip:b@127.0.0.1
usage_error "--no-media answers at once" ua --no-media --answer=2
usage_error "--no-media: the callers end their calls" ua --no-media --answer --duration 2
usage_error "--duration 0: seconds, 0.5 to 60" demo --duration 0
# each command takes its own options, not its neighbours'
usage_error "unknown option '--show-keys'" sdp offer --show-keys
usage_error "unknown option '--pretty'" sdp answer --pretty "$O"
usage_error "unknown option '--policy'" sdp parse --policy off "$O"
usage_error "unknown option '--stream'" sdp parse --stream "$O"

# getopt_long: --name=value, a unique prefix, options after the operand,
# and "--" before an operand that starts with '-'.
$VOX sdp offer --policy=mandatory --codecs=pcma --port=5004 >"$tmp/o" || fail "--policy=mandatory"
grep -q '^m=audio 5004 RTP/SAVP 8' "$tmp/o" || fail "--policy=mandatory: $(cat "$tmp/o")"
$VOX sdp offer --pol off --addr 2001:db8::1 | grep -q '^c=IN IP6 2001:db8::1' || fail "--pol, IPv6"
$VOX sip parse "$W" --pretty | grep -q '^  "type": "request",' || fail "option after FILE"
cp "$W" "$tmp/-w.dat"
vox=$(cd "$(dirname "$VOX")" && pwd)/$(basename "$VOX")
(cd "$tmp" && "$vox" sip parse -- -w.dat) >/dev/null || fail "-- -w.dat"
$VOX sip parse - <"$W" >/dev/null || fail "- for stdin"

# An input above a limit is refused (exit 1, the limit named), not misused.
head -c 70000 /dev/zero >"$tmp/big"
status $VOX sip parse "$tmp/big" >/dev/null 2>"$tmp/err"
[ "$rc" = 1 ] && grep -q 'larger than 65535 bytes' "$tmp/err" || fail "sip parse big: exit $rc"
head -c 2000000 /dev/zero >"$tmp/huge"
for cmd in "sdp parse" "sdp answer"; do
	status $VOX $cmd - <"$tmp/huge" >/dev/null 2>"$tmp/err"
	[ "$rc" = 1 ] && grep -q 'stdin: larger than' "$tmp/err" || fail "$cmd huge: exit $rc"
done
# ... while a file that cannot be read is not an answer about it: exit 2.
status $VOX sdp parse "$tmp/absent" >/dev/null 2>&1
[ "$rc" = 2 ] || fail "missing file: exit $rc"

# An output that cannot be written is an error, not a clean run.
if [ -w /dev/full ]; then
	status $VOX sip parse "$W" >/dev/full 2>"$tmp/err"
	[ "$rc" = 2 ] && grep -q 'writing the output' "$tmp/err" || fail "/dev/full: exit $rc"
fi
echo "cli_usage: passed"
