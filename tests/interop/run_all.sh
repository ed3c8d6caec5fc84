#!/bin/bash
# SPDX-License-Identifier: MIT
# Runs every interop scenario once, each bounded by `timeout`; prints one
# line per scenario and "N passed, N failed"; exit 0 when all passed.
# Logs stay in /tmp/vox-interop-run.*/ (the path is printed).
cd "$(dirname "$0")" || exit 1
out=$(mktemp -d /tmp/vox-interop-run.XXXXXX)
pass=0
failn=0
T0=$(date +%s.%N)
for s in [0-9][0-9]_*.sh; do
	[ -x "$s" ] || continue
	t0=$(date +%s.%N)
	timeout -k 5 "${RIG_SCENARIO_TIMEOUT:-120}" "./$s" >"$out/${s%.sh}.log" 2>&1
	rc=$?
	dt=$(echo "$(date +%s.%N) - $t0" | bc | cut -c1-5)
	if [ $rc = 0 ]; then
		pass=$((pass + 1))
		st=PASS
	else
		failn=$((failn + 1))
		st="FAIL(rc=$rc)"
	fi
	printf '%-24s %-10s %6ss  %s\n' "$s" "$st" "$dt" \
		"$(grep -a 'RESULT' "$out/${s%.sh}.log" | tail -1 | sed 's/^.*RESULT //' | cut -c1-90)"
done
echo "logs: $out; wall $(echo "$(date +%s.%N) - $T0" | bc | cut -c1-5)s"
echo "$pass passed, $failn failed"
[ $failn = 0 ]
