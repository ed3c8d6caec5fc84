#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/docs_commands.sh, which runs the commands of README.md and docs/,
# catches a page that drifts: a command that fails or exits otherwise than
# its comment says, an output block that differs, a command left in the
# prose. And it runs a walk-through in order: a file one command writes is
# there for the next, and for no other page.
NAME=cli_docs
. tests/clilib.sh
F='```'

# check EXPECTED PAGE...: the script fails and says EXPECTED, or passes
# when EXPECTED is "pass".
check() {
	expect=$1
	shift
	status sh tests/docs_commands.sh "$@" >"$tmp/out" 2>&1
	if [ "$expect" = pass ]; then
		[ "$rc" = 0 ] || fail "$*: exit $rc: $(cat "$tmp/out")"
	else
		[ "$rc" = 1 ] || fail "$*: exit $rc, not 1: $(cat "$tmp/out")"
		grep -qF -e "$expect" "$tmp/out" || fail "$*: no '$expect' in $(cat "$tmp/out")"
	fi
}

# a file written, a status other than 0 announced, a line continued, the
# output of the block's last command, a program named (not run) in prose
printf '%s\n' "$F"sh 'echo one >step1.txt   # writes a file' 'false   # exit 1: refused' \
	'grep -q one step1.txt \' '  && cat step1.txt' "$F" '' "$F"output 'one' "$F" \
	'Prose with `build/vox` named.' >"$tmp/good.md"
check pass "$tmp/good.md"

printf '%s\n' "$F"sh 'cat step1.txt' "$F" >"$tmp/next.md"
check "next.md:2: exit 1, not 0: cat step1.txt" "$tmp/good.md" "$tmp/next.md"

printf '%s\n' "$F"sh 'echo a' 'false' "$F" >"$tmp/fails.md"
check "fails.md:3: exit 1, not 0: false" "$tmp/fails.md"

printf '%s\n' "$F"sh 'true   # exit 1: refused' "$F" >"$tmp/status.md"
check "status.md:2: exit 0, not 1" "$tmp/status.md"

printf '%s\n' "$F"sh 'printf "two\n"' "$F" '' "$F"output 'one' "$F" >"$tmp/drift.md"
check "drift.md:5: the output differs" "$tmp/drift.md"

printf '%s\n' 'Run `build/vox sdp offer --hold` to see.' >"$tmp/prose.md"
check "prose.md:1: a command outside a sh block is not checked: build/vox sdp offer" \
	"$tmp/prose.md"

printf '%s\n' "$F"sh 'true' "$F" 'text' "$F"output 'x' "$F" >"$tmp/orphan.md"
check "orphan.md:5: an output block must follow a sh block" "$tmp/orphan.md"

printf '%s\n' "$F"sh 'test -x build/vox -o -d build' 'test -f tests/clilib.sh' \
	'printf "%s\n" "a \' '  b"' "$F" '' "$F"output 'a   b' "$F" >"$tmp/tree.md"
check pass "$tmp/tree.md"
echo "cli_docs: passed"
