# SPDX-License-Identifier: MIT
# Common helpers for the interop scenarios (tests/interop/NN_*.sh). A scenario
# does:   cd "$(dirname "$0")" && . ./lib.sh
# Everything a scenario starts listens on 127.0.0.1, is tracked by PID and is
# stopped by PID only (never by name). Each scenario runs bounded: run_all.sh
# wraps it in `timeout`, and every wait below has its own deadline.

set -u
RIG_DIR="$(pwd)"
VOX="${VOX:-$RIG_DIR/../../build/vox}"

# Isolation: re-run the scenario in a private network namespace with only its
# own loopback (unshare -n), so nothing can leave the machine even from peers
# that bind 0.0.0.0, and no port clashes with other runs. RIG_NETNS=0 runs in
# the host namespace instead (everything still bound to 127.0.0.1).
if [ "${RIG_NETNS:-1}" = 1 ] && [ -z "${RIG_IN_NETNS:-}" ]; then
	if unshare -n true 2>/dev/null; then
		export RIG_IN_NETNS=1
		exec unshare -n bash -c 'ip link set lo up && exec "$0" "$@"' \
			"$RIG_DIR/$(basename "$0")" "$@"
	else
		echo "[rig] unshare -n unavailable: running in the host network namespace" >&2
	fi
fi

RIG_PIDS=""
RIG_KEEP="${RIG_KEEP:-0}" # RIG_KEEP=1 keeps the scratch directory
RIG_TMP="$(mktemp -d "/tmp/vox-interop.$(basename "$0" .sh).XXXXXX")"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }
fail() {
	log "FAIL: $*"
	exit 1
}

# track PID: the EXIT trap stops it (by PID)
track() { RIG_PIDS="$RIG_PIDS $1"; }

rig_cleanup() {
	local rc=$? p i alive
	for p in $RIG_PIDS; do kill -0 "$p" 2>/dev/null && kill "$p" 2>/dev/null; done
	for i in 1 2 3 4 5 6 7 8 9 10; do
		alive=0
		for p in $RIG_PIDS; do kill -0 "$p" 2>/dev/null && alive=1; done
		[ $alive = 0 ] && break
		sleep 0.3
	done
	for p in $RIG_PIDS; do kill -0 "$p" 2>/dev/null && kill -9 "$p" 2>/dev/null; done
	if [ "$RIG_KEEP" = 1 ] || [ $rc != 0 ]; then
		log "scratch kept in $RIG_TMP"
	else
		rm -rf "$RIG_TMP"
	fi
	exit $rc
}
trap rig_cleanup EXIT
trap 'exit 130' INT TERM

# wait_log FILE REGEX SECONDS: 0 once REGEX shows up in FILE
wait_log() {
	local f=$1 re=$2 t=${3:-10} i=0
	while [ $i -lt $((t * 10)) ]; do
		[ -f "$f" ] && grep -Eaq "$re" "$f" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# wait_count FILE REGEX N SECONDS: 0 once REGEX matches N lines of FILE
wait_count() {
	local f=$1 re=$2 n=$3 t=${4:-10} i=0
	while [ $i -lt $((t * 10)) ]; do
		[ -f "$f" ] && [ "$(grep -Eac "$re" "$f")" -ge "$n" ] && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# wait_port udp|tcp PORT SECONDS: 0 once something listens on PORT
wait_port() {
	local flag=-tln t=${3:-10} i=0
	[ "$1" = udp ] && flag=-uln
	while [ $i -lt $((t * 10)) ]; do
		ss -H $flag "sport = :$2" 2>/dev/null | grep -q . && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# wait_pid PID SECONDS: 0 once PID has exited (its status is then in $?
# of a later `wait PID`); 1 if it still runs at the deadline
wait_pid() {
	local t=${2:-10} i=0
	while [ $i -lt $((t * 10)) ]; do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# vox_start NAME SECONDS ARGS...: starts `vox ua --json ARGS` in the
# background, bounded by `timeout SECONDS`; stdout in $RIG_TMP/NAME.json,
# stderr in $RIG_TMP/NAME.err; its PID in VOX_PID
vox_start() {
	local name=$1 t=$2
	shift 2
	timeout "$t" "$VOX" ua --json "$@" >"$RIG_TMP/$name.json" 2>"$RIG_TMP/$name.err" &
	VOX_PID=$!
	track $VOX_PID
}

# vox_wait_listening NAME: waits for vox NAME's "listening" event
vox_wait_listening() {
	wait_log "$RIG_TMP/$1.json" '"event":"listening"' 10 ||
		fail "vox $1 is not listening: $(tail -3 "$RIG_TMP/$1.err")"
}

# json_field FILE EVENT FIELD: FIELD of the last EVENT line in FILE
json_field() {
	grep -a "\"event\":\"$2\"" "$1" | tail -1 |
		sed -n "s/.*\"$3\":\\(\"[^\"]*\"\\|[^,}]*\\).*/\\1/p" | tr -d '"'
}

# make_tone FILE HZ [SECONDS]: 8 kHz 16-bit mono WAV with a sine of HZ
make_tone() {
	python3 - "$1" "$2" "${3:-20}" <<'PY'
import math, struct, sys, wave
f, hz, secs = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
w = wave.open(f, "wb"); w.setnchannels(1); w.setsampwidth(2); w.setframerate(8000)
w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * hz * i / 8000)))
                       for i in range(8000 * secs)))
w.close()
PY
}

# make_pki DIR: a test CA (ca.pem, ca.key) and a server/client certificate
# for 127.0.0.1 (server.pem, server.key, server-combined.pem) signed by it.
# The name is in the SANs as IP:127.0.0.1 and as DNS:127.0.0.1 (mbedTLS
# based peers match only DNS names), plus DNS:localhost.
make_pki() {
	local d=$1
	mkdir -p "$d"
	(
		cd "$d" || exit 1
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
			-subj "/CN=vox interop test CA" -keyout ca.key -out ca.pem \
			-addext basicConstraints=critical,CA:TRUE \
			-addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null &&
			openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
				-subj "/CN=127.0.0.1" -keyout server.key -out server.csr 2>/dev/null &&
			printf '%s\n' "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:127.0.0.1" \
				"basicConstraints=CA:FALSE" "extendedKeyUsage=serverAuth,clientAuth" >ext.cnf &&
			openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
				-days 2 -out server.pem -extfile ext.cnf 2>/dev/null &&
			cat server.pem server.key >server-combined.pem
	) || fail "openssl: could not make the test PKI in $d"
}

# ---- baresip (headless: aufile source, aubridge null player, sndfile
# records what it hears and says, ctrl_tcp control)
# bs_config DIR SIP_PORT CTRL_PORT RTP_MIN TONE.wav [extra config lines...]
bs_config() {
	local d=$1 sp=$2 cp=$3 rmin=$4 tone=$5
	shift 5
	mkdir -p "$d/snd"
	{
		printf '%s\n' "poll_method	epoll" "sip_listen	127.0.0.1:$sp" \
			"call_local_timeout	30" "audio_source	aufile,$tone" \
			"audio_player	aubridge,null$sp" "audio_alert	aubridge,null$sp" \
			"rtp_ports	$rmin-$((rmin + 39))" "rtcp_mux	no" \
			"dns_server	127.0.0.1:53" "module_path	/usr/lib/baresip/modules" \
			"module	g711.so" "module	aufile.so" "module	aubridge.so" \
			"module	srtp.so" "module	sndfile.so" "snd_path	$d/snd" \
			"module_tmp	account.so" "module_app	menu.so" "module_app	ctrl_tcp.so" \
			"ctrl_tcp_listen	127.0.0.1:$cp"
		for l in "$@"; do printf '%s\n' "$l"; done
	} >"$d/config"
	: >"$d/contacts"
	: >"$d/accounts"
}

# bs_start NAME DIR: starts baresip (log $RIG_TMP/NAME.log), PID in BS_PID
bs_start() {
	local name=$1 d=$2
	timeout 120 baresip -f "$d" -n 127.0.0.1 -t 120 </dev/null >"$RIG_TMP/$name.log" 2>&1 &
	BS_PID=$!
	track $BS_PID
	wait_log "$RIG_TMP/$name.log" 'baresip is ready' 15 ||
		fail "baresip $name did not start (see $RIG_TMP/$name.log)"
}

bsctl() { timeout 10 python3 "$RIG_DIR/tools/bsctl.py" "$@"; }

# heard FILE.wav: "HZ PCT", the strongest candidate tone in a recording
# (the recorder finishes the file when the call is freed: retried for 5 s)
heard() {
	local i
	for i in 1 2 3 4 5 6 7 8 9 10; do
		timeout 20 python3 "$RIG_DIR/tools/tone.py" "$1" 2>/dev/null && return 0
		sleep 0.5
	done
	echo "0 0"
}

# ---- linphonec (headless: "soundcard use files", plays a WAV, records
# what it hears; commands through a FIFO held open by this shell)
# lp_config RCFILE NAME TLS_PORT RTP_PORT PKI_DIR: SDES-SRTP mandatory,
# PCMU only, SIP over TLS (and UDP on TLS_PORT - 1: linphonec 5.1 takes no
# incoming TLS connection), server certificates verified against
# PKI_DIR/ca.pem, PKI_DIR/server.pem as its own certificate
lp_config() {
	local rc=$1 name=$2 tp=$3 rp=$4 pki=$5
	printf '%s\n' "[sip]" "sip_port=$((tp - 1))" "sip_tcp_port=0" "sip_tls_port=$tp" \
		"bind_address=127.0.0.1" "guess_hostname=0" "ipv6=0" \
		"contact=\"$name\" <sip:$name@127.0.0.1>" \
		"media_encryption=srtp" "media_encryption_mandatory=1" "inc_timeout=30" \
		"register_only_when_network_is_up=0" "auto_net_state_mon=0" \
		"root_ca=$pki/ca.pem" \
		"verify_server_certs=1" "verify_server_cn=1" \
		"client_cert_chain=$pki/server.pem" "client_cert_key=$pki/server.key" \
		"[rtp]" "audio_rtp_port=$rp" "bind_address=127.0.0.1" \
		"audio_adaptive_jitt_comp_enabled=0" "[sound]" "echocancellation=0" \
		"[net]" "firewall_policy=0" "mtu=0" "[video]" "enabled=0" "capture=0" "display=0" \
		"[audio_codec_0]" "mime=PCMU" "rate=8000" "channels=1" "enabled=1" \
		"[audio_codec_1]" "mime=opus" "rate=48000" "channels=2" "enabled=0" \
		"[audio_codec_2]" "mime=speex" "rate=16000" "channels=1" "enabled=0" >"$rc"
}

# (auto_net_state_mon=0: in a namespace with no default route linphonec
# would declare the network down every few seconds and drop its calls)
# lp_start NAME RCFILE TONE.wav: linphonec auto-answering, reading commands
# from $RIG_TMP/NAME.in (fd LP_FD), output in $RIG_TMP/NAME.out
lp_start() {
	local name=$1 rc=$2 tone=$3 h="$RIG_TMP/home-$1"
	mkdir -p "$h/.local/share/linphone" "$h/.config"
	mkfifo "$RIG_TMP/$name.in"
	exec {LP_FD}<>"$RIG_TMP/$name.in"
	HOME="$h" timeout 120 linphonec -c "$rc" -d 6 -l "$RIG_TMP/$name.lplog" -a \
		<"$RIG_TMP/$name.in" >"$RIG_TMP/$name.out" 2>&1 &
	LP_PID=$!
	track $LP_PID
	wait_log "$RIG_TMP/$name.out" 'linphonec>' 20 || fail "linphonec $name did not start"
	lp_cmd "soundcard use files"
	lp_cmd "play $tone"
}

lp_cmd() { printf '%s\n' "$1" >&"$LP_FD"; }
