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
 * one byte per cut (each read is 1 + 16 * that byte, the rest goes in the
 * last); then the stream.
 *
 * Invariants checked after every turn: at most one connection; its
 * buffers within VOX_LOOP_CONN_RX and VOX_LOOP_CONN_TX; a connection the
 * loop closed says why with one of the codes vox/loop.h lists; messages
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
static uint64_t seed;

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
		switch (ev.err) {
		case VOX_ECLOSED:
		case VOX_ETOOLONG:
		case VOX_EMALFORMED:
		case VOX_ERANGE:
		case VOX_ELIMIT:
		case VOX_EIO:
		case VOX_ETIMEOUT: break;
		default: abort();
		}
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
	int end_write = data[0] & 16, read_back = !(data[0] & 32);
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
	struct vox_addr lo = {4, {127, 0, 0, 1}, 0}, bound;
	if (vox_loop_init(&loop, &lc) != 0 || vox_loop_listen(&loop, VOX_TP_TCP, &lo, &bound) < 0)
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
	close(fd);
	turn(-1, 0);
	if (loop.st.stream_in > ends)
		abort();
	vox_loop_free(&loop);
	vox_ua_free(&ua);
	return 0;
}
