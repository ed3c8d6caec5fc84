#!/bin/sh
# SPDX-License-Identifier: MIT
# Part of `make check`: every command that README.md and docs/*.md show runs
# as shown, in the order shown, so that a page that drifts from the program
# fails here. The commands are read from the pages, never copied:
#
#   ```sh          a block of commands, one per line (a line ending in \ goes
#                  on). Each runs with sh -c, stdin from /dev/null, in a
#                  scratch folder made for its page, where every entry of the
#                  tree's top level is a link (build/vox, tests/vectors/...
#                  resolve; a file a command writes, like offer.sdp, stays in
#                  the scratch folder for the page's next commands). It must
#                  exit 0, or N when its comment begins "# exit N".
#   ```output      directly after a sh block: exactly what the block's last
#                  command printed, stdout and stderr together.
#
# `make check` is the command that runs this script: it is not run again.
# Another `make ...` line is only dry-run (make -n): it proves the targets
# exist, without minutes of fuzzing or the bench's extra packages.
#
# A command in a code span of the prose (`build/vox sdp offer ...`) would be
# checked by nobody: that is an error here, with the place to move it from.
# Arguments: other pages to check instead (tests/cli_docs.sh tests this
# script on pages that drift).
set -u
cd "$(dirname "$0")/.." || exit 1
root=$PWD
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$root/$BUILD ;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ $# -gt 0 ]; then pages="$*"; else pages="README.md $(ls docs/*.md)"; fi

# The pages become one shell script of calls to page, run and expect (each
# item's text in a here-document), plus prose commands as "stray" calls.
awk '
FNR == 1 { print "page " FILENAME; fence = 0; last = "" }
/^ *```/ {
	if (!fence) {
		info = $0; sub(/^ *```[ \t]*/, "", info); sub(/[ \t].*/, "", info)
		fence = 1; kind = info; cont = ""
		if (kind == "output" && last != "sh") {
			printf "stray %s %d '\''an output block must follow a sh block'\''\n", FILENAME, FNR
			kind = ""
		} else if (kind == "output") {
			printf "expect %s %d <<'\''VOX_DOC_EOF'\''\n", FILENAME, FNR
		}
		next
	}
	if (kind == "output")
		print "VOX_DOC_EOF"
	fence = 0; last = kind
	next
}
fence && kind == "sh" {
	line = $0
	if (cont == "" && (line ~ /^[ \t]*#/ || line ~ /^[ \t]*$/))
		next
	if (line ~ /\\$/) {
		if (cont == "") cstart = FNR
		cont = cont line "\n"
		next
	}
	if (cont != "") { line = cont line; n = cstart; cont = "" } else n = FNR
	want = 0
	if (match(line, /[ \t]#[ \t]*exit [0-9]+/)) {
		w = substr(line, RSTART, RLENGTH); sub(/.*exit /, "", w); want = w
	}
	printf "run %s %d %d <<'\''VOX_DOC_EOF'\''\n%s\nVOX_DOC_EOF\n", FILENAME, n, want, line
	next
}
fence && kind == "output" { print; next }
fence { next }
/[^ \t]/ { last = "" }
{
	# code spans in prose: a program under build/ with arguments, perhaps
	# after VAR=value words, is a command
	s = $0
	while (match(s, /`[^`]+`/)) {
		span = substr(s, RSTART + 1, RLENGTH - 2); s = substr(s, RSTART + RLENGTH)
		whole = span; env = 0
		while (match(span, /^[A-Za-z_][A-Za-z0-9_]*=[^ ]* +/)) {
			span = substr(span, RLENGTH + 1); env = 1
		}
		if (span ~ /^build\/[^ ]+ / || (env && span ~ /^build\//)) {
			gsub(/'\''/, "", whole)
			printf "stray %s %d '\''a command outside a sh block is not checked: %s'\''\n", FILENAME, FNR, whole
		}
	}
}
' $pages >"$tmp/script" || exit 1

n=0 npage=0 bad=0 last=/dev/null
say() { echo "docs: $*"; bad=$((bad + 1)); }
page() {
	npage=$((npage + 1))
	work=$tmp/page.$npage
	mkdir "$work"
	for e in "$root"/*; do
		[ -e "$e" ] && [ "${e##*/}" != build ] && ln -s "$e" "$work/${e##*/}"
	done
	ln -s "$BUILD" "$work/build"
}
run() {
	cmd=$(cat)
	n=$((n + 1))
	last=$tmp/out.$n
	case $cmd in
	"make check" | "make check "*) echo "(the command running this check)" >"$last"; return ;;
	make | "make "*) cmd="MAKEFLAGS= make -n ${cmd#make}" ;;
	esac
	(cd "$work" && sh -c "$cmd") </dev/null >"$last" 2>&1
	rc=$?
	if [ "$rc" != "$3" ]; then
		say "$1:$2: exit $rc, not $3: $cmd"
		sed 's/^/  | /' "$last" | tail -n 20
	fi
}
expect() {
	cat >"$tmp/want"
	if ! diff -u "$tmp/want" "$last" >"$tmp/diff"; then
		say "$1:$2: the output differs from the page (-) in what the command printed (+):"
		sed 's/^/  /' "$tmp/diff"
	fi
}
stray() { say "$1:$2: $3"; }

. "$tmp/script"
[ "$n" -gt 0 ] || say "no commands found in $pages"
[ "$bad" = 0 ] || exit 1
echo "docs: $n commands in $(echo $pages | wc -w) pages ran as shown"
