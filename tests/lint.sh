#!/bin/sh
# SPDX-License-Identifier: MIT
# Part of `make check`: the tree is formatted with .clang-format, free of
# the calls docs/architecture.md (Code style) bans, and every source carries
# its SPDX licence line. Prints what is wrong and exits 1.
set -u
cd "$(dirname "$0")/.." || exit 1
rc=0
files=$(git ls-files '*.c' '*.h' 2>/dev/null)
[ -n "$files" ] || files=$(find . -path ./build -prune -o \( -name '*.c' -o -name '*.h' \) -print)
bad=$(for f in $files; do clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || echo "$f"; done)
if [ -n "$bad" ]; then
	echo "lint: not formatted (run: clang-format -i FILE):"
	echo "$bad" | sed 's/^/  /'
	rc=1
fi
banned='\b(sprintf|vsprintf|strcpy|strcat|strncat|gets|strtok|atoi|atol|alloca)[[:space:]]*\('
hits=$(grep -nE "$banned" $files | grep -v 'lint-allow')
if [ -n "$hits" ]; then
	echo "lint: banned calls (docs/architecture.md, Code style):"
	echo "$hits" | sed 's/^/  /'
	rc=1
fi
# Every source file and script names its licence in its first two lines.
srcs=$(git ls-files '*.c' '*.h' '*.cpp' '*.sh' '*.py' Makefile .ci/run 2>/dev/null)
nolic=$(for f in $srcs; do head -n 2 "$f" | grep -q 'SPDX-License-Identifier: MIT' || echo "$f"; done)
if [ -n "$nolic" ]; then
	echo "lint: no SPDX-License-Identifier line at the top (see LICENSE):"
	echo "$nolic" | sed 's/^/  /'
	rc=1
fi
n=$(echo "$files" | wc -w)
[ $rc = 0 ] && echo "lint: $n files formatted, no banned calls, every source names its licence"
exit $rc
