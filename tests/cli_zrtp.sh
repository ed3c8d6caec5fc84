#!/bin/sh
# SPDX-License-Identifier: MIT
# vox zrtp: the cache file commands and the SAS rendering, through the
# program. `make check` runs it against the ASan build: VOX=build/asan/vox.
NAME=cli_zrtp
V=tests/vectors/zrtp
. tests/clilib.sh

# --help on stdout, exit 0, for the group and each command
for c in "" "cache" "cache list" "cache forget" "cache verify" "sas"; do
	# shellcheck disable=SC2086
	status $VOX zrtp $c --help >"$tmp/out" 2>"$tmp/err"
	[ "$rc" = 0 ] && [ -s "$tmp/out" ] && [ ! -s "$tmp/err" ] || fail "zrtp $c --help: exit $rc"
done
$VOX zrtp --help | grep -q 'cache' || fail "zrtp --help lists no cache command"

# The SAS of a given value: B32 (its leftmost 20 bits), B256 (two PGP words)
[ "$($VOX zrtp sas 12345678)" = ne4f ] || fail "B32 of 12345678"
[ "$($VOX zrtp sas 0xffffffff)" = 9999 ] || fail "B32 of ffffffff"
[ "$($VOX zrtp sas --b256 12345678)" = "atlas confidence" ] || fail "B256 of 12345678"
for bad in "" 1234567 123456789 1234567g "12345678 9"; do
	# shellcheck disable=SC2086
	status $VOX zrtp sas $bad >"$tmp/out" 2>"$tmp/err"
	[ "$rc" = 2 ] && [ ! -s "$tmp/out" ] || fail "sas '$bad': exit $rc"
done
status $VOX zrtp sas --b32 12345678 >/dev/null 2>&1
[ "$rc" = 2 ] || fail "unknown option: exit $rc"
status $VOX zrtp bogus >/dev/null 2>&1
[ "$rc" = 2 ] || fail "unknown command: exit $rc"

# list: our ZID, three peers, what each holds
cp "$V/cache-3peers.vzc" "$tmp/c"
$VOX zrtp cache list --file "$tmp/c" >"$tmp/out"
head -n 1 "$tmp/out" | grep -q '^own 0102030405060708090a0b0c  peers 3$' || fail "own: $(head -n 1 "$tmp/out")"
grep -q '^peer 313131313131313131313131  secrets rs1,rs2  sas verified  saved 2023-11-14T22:13:20Z  expires never$' "$tmp/out" \
	|| fail "peer 31: $(cat "$tmp/out")"
grep -q '^peer 323232323232323232323232  secrets rs1  sas not-verified  saved .*  expires 2023-11-14T23:13:20Z (expired)$' "$tmp/out" \
	|| fail "peer 32: $(cat "$tmp/out")"
grep -q '^peer 333333333333333333333333  secrets none  sas not-verified  pbx enrolled' "$tmp/out" \
	|| fail "peer 33: $(cat "$tmp/out")"
if grep -q 4141 "$tmp/out"; then fail "list prints a secret"; fi

# verify, then forget: rewritten atomically, nothing else left in the folder
$VOX zrtp cache verify 323232323232323232323232 --file "$tmp/c"
$VOX zrtp cache list -f "$tmp/c" | grep -q '^peer 3232.*sas verified' || fail "verify did not stick"
status $VOX zrtp cache verify 333333333333333333333333 --file "$tmp/c" 2>"$tmp/err"
[ "$rc" = 1 ] && grep -q 'no retained secret' "$tmp/err" || fail "verify without secrets: exit $rc"
$VOX zrtp cache forget 313131313131313131313131 --file "$tmp/c"
$VOX zrtp cache list --file "$tmp/c" >"$tmp/out"
grep -q 'peers 2$' "$tmp/out" || fail "forget: $(cat "$tmp/out")"
if grep -q '^peer 3131' "$tmp/out"; then fail "forgotten peer still listed"; fi
[ "$(ls -A "$tmp" | grep -c '^c')" = 1 ] || fail "a temporary file was left: $(ls -A "$tmp")"
[ "$(stat -c %a "$tmp/c")" = 600 ] || fail "cache mode $(stat -c %a "$tmp/c")"
status $VOX zrtp cache forget 313131313131313131313131 --file "$tmp/c" 2>"$tmp/err"
[ "$rc" = 1 ] && grep -q 'no peer' "$tmp/err" || fail "forget twice: exit $rc"

# a damaged cache: reported, exit 1, left as it is; a missing one: exit 1
cp "$V/cache-3peers.vzc" "$tmp/d"
printf 'X' | dd of="$tmp/d" bs=1 seek=40 conv=notrunc 2>/dev/null
cp "$tmp/d" "$tmp/d.orig"
status $VOX zrtp cache forget 313131313131313131313131 --file "$tmp/d" >/dev/null 2>"$tmp/err"
[ "$rc" = 1 ] && grep -q 'damaged' "$tmp/err" || fail "damaged: exit $rc: $(cat "$tmp/err")"
cmp -s "$tmp/d" "$tmp/d.orig" || fail "a damaged cache was changed"
head -c 100 "$V/cache-3peers.vzc" >"$tmp/t"
status $VOX zrtp cache list --file "$tmp/t" >/dev/null 2>"$tmp/err"
[ "$rc" = 1 ] && grep -q 'damaged' "$tmp/err" || fail "truncated: exit $rc"
status $VOX zrtp cache list --file "$tmp/none" >/dev/null 2>"$tmp/err"
[ "$rc" = 1 ] && grep -q 'no such cache file' "$tmp/err" || fail "missing: exit $rc"

# usage errors: exit 2
for args in "cache list" "cache list --file" "cache forget --file $tmp/c" \
	"cache forget 3131 --file $tmp/c" "cache verify 31313131313131313131313g --file $tmp/c" \
	"cache list --file $tmp/c extra" "cache"; do
	# shellcheck disable=SC2086
	status $VOX zrtp $args >/dev/null 2>&1
	[ "$rc" = 2 ] || fail "zrtp $args: exit $rc"
done
echo "$NAME: ok"
