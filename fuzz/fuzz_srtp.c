/* SPDX-License-Identifier: MIT */
/* srtp_glue/: unprotect of arbitrary bytes under a fixed key, for every
 * suite, SRTP and SRTCP, with and without MKI, one SSRC or any; and a
 * protect/unprotect round trip of the input, where one flipped bit (chosen
 * by the input) must be refused.
 *
 * Byte 0 chooses the mode, byte 1 the bit to flip, the rest is the packet.
 * Setting up a libsrtp2 session takes milliseconds (Debian's libsrtp2 opens
 * NSS contexts), so sessions are made once per mode and kept:
 *  - a receiver that accepted a packet is rebuilt, so every input meets a
 *    receiver in its initial state (failed packets change nothing);
 *  - the round trip rewrites the SSRC to the session's and the sequence
 *    number to a per-mode counter, so the sender never repeats one (and the
 *    counter wraps, which runs the ROC across 65535 -> 0 again and again). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vox/srtp.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* libsrtp2's process-wide set-up, once (vox/srtp.h) */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return vox_srtp_global_init() < 0;
}

#define SSRC 0x12345678u

static const enum vox_srtp_suite suites[] = {
    VOX_SRTP_AES_CM_128_HMAC_SHA1_80, VOX_SRTP_AES_CM_128_HMAC_SHA1_32,
    VOX_SRTP_AES_256_CM_HMAC_SHA1_80, VOX_SRTP_AES_256_CM_HMAC_SHA1_32,
    VOX_SRTP_AEAD_AES_128_GCM,        VOX_SRTP_AEAD_AES_256_GCM};

struct mode {
	uint8_t ready;
	struct vox_srtp_key key;
	unsigned flags;
	struct vox_srtp_session rx;                 /* arbitrary bytes */
	struct vox_srtp_session tx, rt_rx, flip_rx; /* round trip */
	uint16_t seq;
};

static struct mode modes[6][2][2]; /* suite, MKI, any SSRC */
static uint32_t in[1100], out[1100], back[1100];

static void start(struct vox_srtp_session *s, struct mode *m, enum vox_srtp_dir dir)
{
	vox_srtp_session_init(s);
	if (vox_srtp_session_start(s, dir, &m->key, SSRC, dir == VOX_SRTP_RECV ? m->flags : 0) != 0)
		abort();
}

static struct mode *get_mode(int suite, int mki, int any)
{
	struct mode *m = &modes[suite][mki][any];
	if (m->ready)
		return m;
	memset(&m->key, 0, sizeof m->key);
	m->key.suite = suites[suite];
	for (size_t i = 0; i < sizeof m->key.key; i++)
		m->key.key[i] = (uint8_t)(0x11 * i + 3);
	for (size_t i = 0; i < sizeof m->key.salt; i++)
		m->key.salt[i] = (uint8_t)(0x2b * i + 7);
	if (mki) {
		m->key.mki[3] = 1;
		m->key.mki_len = 4;
	}
	m->flags = any ? VOX_SRTP_ANY_SSRC : 0;
	start(&m->rx, m, VOX_SRTP_RECV);
	start(&m->tx, m, VOX_SRTP_SEND);
	start(&m->rt_rx, m, VOX_SRTP_RECV);
	start(&m->flip_rx, m, VOX_SRTP_RECV);
	m->ready = 1;
	return m;
}

static int unprotect(struct vox_srtp_session *s, int rtcp, const uint8_t *p, size_t n)
{
	return rtcp ? vox_srtp_session_unprotect_rtcp(s, p, n, (uint8_t *)back, sizeof back)
	            : vox_srtp_session_unprotect(s, p, n, (uint8_t *)back, sizeof back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2 || size > 4000)
		return 0;
	uint8_t mode = data[0], flip = data[1];
	data += 2;
	size -= 2;
	int suite = (mode & 7) % 6;
	if (!vox_srtp_suite_available(suites[suite]))
		return 0;
	int rtcp = (mode & 8) != 0;
	struct mode *m = get_mode(suite, (mode & 16) != 0, (mode & 64) != 0);
	memcpy(in, data, size);
	uint8_t *ib = (uint8_t *)in;

	if (!(mode & 32)) {
		int n = unprotect(&m->rx, rtcp, ib, size);
		if (memcmp(in, data, size) != 0)
			abort(); /* the input is const */
		if (n >= 0) {
			if ((size_t)n >= size)
				abort();
			vox_srtp_session_free(&m->rx); /* back to a fresh receiver */
			start(&m->rx, m, VOX_SRTP_RECV);
		}
		return 0;
	}

	/* round trip */
	size_t hdr = rtcp ? 8 : 12;
	if (size < hdr)
		return 0;
	size_t at = rtcp ? 4 : 8;
	ib[at] = (uint8_t)(SSRC >> 24);
	ib[at + 1] = (uint8_t)(SSRC >> 16);
	ib[at + 2] = (uint8_t)(SSRC >> 8);
	ib[at + 3] = (uint8_t)SSRC;
	if (!rtcp) {
		ib[2] = (uint8_t)(m->seq >> 8);
		ib[3] = (uint8_t)m->seq;
	}
	uint8_t plain[4000];
	memcpy(plain, ib, size);
	int n = rtcp ? vox_srtp_session_protect_rtcp(&m->tx, ib, size, (uint8_t *)out, sizeof out)
	             : vox_srtp_session_protect(&m->tx, ib, size, (uint8_t *)out, sizeof out);
	if (n < 0)
		return 0; /* not an RTP/RTCP packet: refused before any crypto */
	if (!rtcp)
		m->seq++;
	if ((size_t)n <= size)
		abort();
	uint8_t *o = (uint8_t *)out;
	/* a changed bit anywhere is refused: header and SRTCP E/index by the
	 * tag (or the GCM AAD), the MKI by the key lookup, lengths by checks */
	size_t bit = ((size_t)flip * 7919u) % ((size_t)n * 8);
	o[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	if (unprotect(&m->flip_rx, rtcp, o, (size_t)n) >= 0)
		abort();
	o[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	int b = unprotect(&m->rt_rx, rtcp, o, (size_t)n);
	if (b != (int)size || memcmp(back, plain, size) != 0)
		abort();
	return 0;
}
