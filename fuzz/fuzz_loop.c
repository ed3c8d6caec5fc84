/* SPDX-License-Identifier: MIT */
/*
 * The loop's stream side (transport/loop.c): a peer connects to a TCP
 * listener of a loop that runs a UA, and sends the fuzz input, cut into
 * reads as the input says, over a real loopback socket. What the loop
 * does with it: framing across reads and many messages per read, pings
 * and pongs, the UA's answers on the same connection, the receive limit,
 * closing on bytes that cannot be framed.
 *
 * Input: byte 0: the number of cuts (low four bits) and whether the peer
 * ends its side at the end (bit 4) or stops reading our answers (bit 5);
 * bit 6: the peer connects to a TLS listener instead (its bytes then meet
 * the TLS engine through the loop: a handshake that fails, a close, or
 * the handshake time limit, 2 ms here, so that it fires too); one byte
 * per cut (each read is 1 + 16 * that byte, the rest goes in the last);
 * then the stream.
 *
 * Invariants checked after every turn: at most one connection; its
 * buffers within VOX_LOOP_CONN_RX and VOX_LOOP_CONN_TX; a connection the
 * loop closed says why with a named error; messages
 * handed to the UA never outnumber the units the stream can hold; the
 * UA's output queue never overflows (every answer was sent).
 *
 * Real sockets make this slower than the pure targets (a few thousand
 * runs a second); the framer itself is fuzzed alone by fuzz_sip_stream.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vox/loop.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct vox_ua ua;
static struct vox_loop loop;
static uint64_t seed, tls_seed;
#if VOX_WITH_TLS
static struct vox_tls_config tls_server; /* made once: a self-signed certificate */
static int tls_ready;
#endif

static int rng(void *ctx, uint8_t *out, size_t len)
{
	uint64_t *s = ctx;
	for (size_t i = 0; i < len; i++) {
		*s ^= *s << 13;
		*s ^= *s >> 7;
		*s ^= *s << 17;
		out[i] = (uint8_t)*s;
	}
	return 0;
}

#if VOX_WITH_TLS
static void tls_setup(void)
{
	if (tls_ready)
		return;
	static uint8_t key[512], cert[2048];
	struct vox_tls_cert_spec spec;
	memset(&spec, 0, sizeof spec);
	struct vox_addr ip = {4, {127, 0, 0, 1}, 0};
	spec.cn = "fuzz";
	spec.ips = &ip;
	spec.n_ips = 1;
	spec.not_before = 946684800;     /* 2000 */
	spec.not_after = 253402300799LL; /* 9999 */
	tls_seed = 0x71500d;
	struct vox_tls_cert_out o = {key, cert, sizeof key, sizeof cert, 0, 0};
	struct vox_tls_opts to;
	memset(&to, 0, sizeof to);
	to.role = VOX_TLS_SERVER;
	to.cert = cert;
	to.key = key;
	to.rng = (struct vox_rng){rng, &tls_seed};
	if (vox_tls_cert_make(&spec, VOX_TLS_PEM, to.rng, &o) != 0)
		abort();
	to.cert_len = o.cert_len;
	to.key_len = o.key_len;
	if (vox_tls_config_init(&tls_server, &to, NULL) != 0)
		abort();
	tls_ready = 1;
}
#endif

static void check(void)
{
	size_t n = 0;
	for (size_t i = 0; i < VOX_LOOP_MAX_CONNS; i++) {
		const struct vox_loop_conn *c = loop.conn[i];
		if (!c)
			continue;
		n++;
		if (c->rx_len > sizeof c->rx || c->tx_off > c->tx_len || c->tx_len > sizeof c->tx)
			abort();
	}
	if (n > 1 || ua.dropped_out)
		abort();
	struct vox_loop_event ev;
	while (vox_loop_next_event(&loop, &ev)) {
		if (ev.type != VOX_LOOP_EV_CONN_CLOSED)
			continue;
		/* a named error: the framer's, a limit, the socket's, or what
		 * vox_ua_recv said of a message that is no SIP it takes */
		if (ev.err >= 0 || !strcmp(vox_strerror(ev.err), "unknown error"))
			abort();
	}
}

static void turn(int peer, int read_back)
{
	(void)!vox_loop_run(&loop, 0);
	check();
	char sink[4096];
	while (read_back && recv(peer, sink, sizeof sink, MSG_DONTWAIT) > 0)
		;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t ncuts = data[0] & 15;
	int end_write = data[0] & 16, read_back = !(data[0] & 32), tls = 0;
#if VOX_WITH_TLS
	tls = (data[0] & 64) != 0;
	if (tls)
		tls_setup();
#endif
	if (size < 1 + ncuts)
		return 0;
	const uint8_t *cuts = data + 1, *p = data + 1 + ncuts;
	size_t left = size - 1 - ncuts;
	/* each message ends its header section with an empty line: LF, an
	 * optional CR, LF (the framer takes bare LF line ends too) */
	uint64_t ends = 0;
	for (size_t i = 0; i + 2 <= left; i++)
		ends += p[i] == '\n' && (p[i + 1] == '\n' ||
		                         (i + 3 <= left && p[i + 1] == '\r' && p[i + 2] == '\n'));

	struct vox_ua_config uc;
	memset(&uc, 0, sizeof uc);
	seed = 0x5eed;
	uc.aor = vox_slice_cstr("sip:fuzz@127.0.0.1");
	uc.host = vox_slice_cstr("127.0.0.1");
	uc.transport = VOX_TP_TCP;
	uc.rng = (struct vox_rng){rng, &seed};
	struct vox_loop_config lc;
	memset(&lc, 0, sizeof lc);
	lc.ua = &ua;
#if VOX_WITH_TLS
	if (tls) {
		lc.tls_server = &tls_server;
		lc.handshake_ms = 2;
	}
#endif
	struct vox_addr lo = {4, {127, 0, 0, 1}, 0}, bound;
	if (vox_loop_init(&loop, &lc) != 0 ||
	    vox_loop_listen(&loop, tls ? VOX_TP_TLS : VOX_TP_TCP, &lo, &bound) < 0)
		abort();
	uc.port = bound.port;
	if (vox_ua_init(&ua, &uc) != 0)
		abort();

	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in to;
	memset(&to, 0, sizeof to);
	to.sin_family = AF_INET;
	to.sin_port = htons(bound.port);
	memcpy(&to.sin_addr, lo.ip, 4);
	/* closed with a reset: no TIME_WAIT piles up over millions of runs */
	struct linger lg = {1, 0};
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg) != 0 ||
	    connect(fd, (struct sockaddr *)&to, sizeof to) != 0)
		abort();
	turn(fd, read_back);

	for (size_t k = 0; k <= ncuts && left; k++) {
		size_t n = k < ncuts ? 1 + 16 * (size_t)cuts[k] : left;
		if (n > left)
			n = left;
		size_t off = 0;
		for (int tries = 0; off < n && tries < 64; tries++) {
			ssize_t w = send(fd, p + off, n - off, MSG_DONTWAIT | MSG_NOSIGNAL);
			if (w > 0)
				off += (size_t)w;
			else if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				break; /* the loop closed the connection */
			turn(fd, read_back);
		}
		p += n;
		left -= n;
		turn(fd, read_back);
	}
	if (end_write)
		shutdown(fd, SHUT_WR);
	for (int i = 0; i < 4; i++)
		turn(fd, read_back);
	/* TLS: long enough for the handshake time limit to fire */
	for (uint64_t t = vox_clock_ms() + 3; tls && vox_clock_ms() < t;)
		turn(fd, read_back);
	close(fd);
	turn(-1, 0);
	if (loop.st.stream_in > ends)
		abort();
	vox_loop_free(&loop);
	vox_ua_free(&ua);
	return 0;
}
