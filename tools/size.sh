#!/bin/sh
# SPDX-License-Identifier: MIT
# The table of `make size` (the Makefile says how the bytes are counted).
# Usage: tools/size.sh SIZE_DIR "BUILD..." MODULE...
# SIZE_DIR holds one folder per build (arm-full, arm-minimal, x64-full,
# x64-minimal), each with objs.txt (the objects linked) and gc.txt (what the
# linker's --print-gc-sections removed); the table shows the builds named,
# in that order.
set -eu
dir=$1
builds=$2
shift 2
budget=98304 # 96 KiB: the whole core on the Cortex-M4

{
	# G build object section: removed by --gc-sections
	for b in $builds; do
		sed -n "s/.*removing unused section '\([^']*\)' in file '\([^']*\)'.*/G $b \2 \1/p" \
			"$dir/$b/gc.txt"
	done
	# S build object section class bytes
	for b in $builds; do
		for o in $(cat "$dir/$b/objs.txt"); do
			readelf -SW "$o" | sed -n 's/^ *\[ *[0-9]*\] //p' | awk -v b="$b" -v o="$o" '
			function hex(s,  v, i) {
				v = 0
				for (i = 1; i <= length(s); i++)
					v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
				return v
			}
			$1 == "Name" { next }
			{
				flags = NF >= 10 ? $7 : ""
				if (flags !~ /A/)
					next
				class = $2 == "NOBITS" ? "bss" : flags ~ /W/ ? "data" : "text"
				print "S", b, o, $1, class, hex($5)
			}'
		done
	done
} | awk -v builds="$builds" -v modules="$*" -v budget="$budget" '
$1 == "G" { gone[$2 SUBSEP $3 SUBSEP $4] = 1; next }
$1 == "S" {
	if (($2 SUBSEP $3 SUBSEP $4) in gone)
		next
	n = split($3, part, "/")
	for (i = 1; i < n; i++)
		if (part[i] == $2)
			break
	sum[$2, part[i + 1], $5] += $6
	sum[$2, "total", $5] += $6
}
END {
	nb = split(builds, b, " ")
	nm = split(modules, m, " ")
	print "size: the protocol core, -Os; bytes of the sections a --gc-sections link keeps with"
	print "      every public function as a root (text: code and read-only data; not counted:"
	print "      libc, libgcc, mbedTLS, libsrtp2)"
	line = sprintf("%-10s", "")
	for (i = 1; i <= nb; i++) {
		name = b[i]
		sub(/^arm-/, "Cortex-M4 ", name)
		sub(/^x64-/, "x86-64 ", name)
		line = line sprintf("  %-20s", name)
	}
	sub(/ +$/, "", line)
	printf "%s\n%-10s", line, "module"
	for (i = 1; i <= nb; i++)
		printf "  %7s %5s %6s", "text", "data", "bss"
	printf "\n"
	m[nm + 1] = "total"
	for (j = 1; j <= nm + 1; j++) {
		printf "%-10s", m[j]
		for (i = 1; i <= nb; i++)
			printf "  %7d %5d %6d", sum[b[i], m[j], "text"], sum[b[i], m[j], "data"], \
				sum[b[i], m[j], "bss"]
		printf "\n"
	}
	printf "budget: %d bytes (96 KiB) of flash (text + data) for the core on the Cortex-M4\n", budget
	na = 0
	for (i = 1; i <= nb; i++)
		if (b[i] ~ /^arm-/)
			a[++na] = b[i]
	for (i = 1; i <= na; i++) {
		flash = sum[a[i], "total", "text"] + sum[a[i], "total", "data"]
		printf "  %-8s %6d bytes (%5.1f KiB): ", substr(a[i], 5), flash, flash / 1024
		if (flash <= budget)
			printf "met, %d bytes to spare\n", budget - flash
		else
			printf "NOT met, %d bytes over\n", flash - budget
	}
}'
