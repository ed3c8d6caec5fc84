#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs the Debian 12 packages the interop scenarios drive, when missing.
# Run as root; non-interactive. The packages' own services (kamailio) are
# never used: the scenarios start their own instances on 127.0.0.1.
set -eu
pkgs="sip-tester baresip-core linphone-cli kamailio kamailio-tls-modules sipsak
      openssl python3 iproute2 util-linux bc"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "interop: missing packages; run as root:"
	echo "  apt-get install -y --no-install-recommends$missing"
	exit 1
fi
echo "interop: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
