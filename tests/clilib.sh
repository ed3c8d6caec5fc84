# SPDX-License-Identifier: MIT
# Sourced by the tests/cli_*.sh scripts (after setting NAME): the program
# under test, a scratch folder removed on exit, fail and status.
set -eu
VOX=${VOX:-build/vox}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() {
	echo "$NAME: FAILED: $*"
	exit 1
}
status() { # runs "$@", stores the exit code in rc, never stops the script
	set +e
	"$@"
	rc=$?
	set -e
}
