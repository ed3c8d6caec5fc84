/* SPDX-License-Identifier: MIT */
/* The ZRTP engine (zrtp/engine.c): two real endpoints, A and B, and a
 * network the fuzz input drives. Each step, one input byte chooses:
 * deliver the next packet in flight to its peer, drop it, change one of
 * its bytes (with the CRC made right again, so the damage reaches the
 * engine behind the CRC check), deliver it twice, let time pass, or hand
 * an engine raw bytes from the input. Invariants checked:
 *  - every packet an engine emits parses, and carries its own SSRC;
 *  - after on_deadline(now) the next deadline lies after now;
 *  - an engine's state is one of the enum, and only SECURE has keys;
 *  - if both end SECURE, they hold the same SAS and each one's send keys
 *    are the other's receive keys: no damage in flight can make them
 *    agree on different keys (what ZRTP exists for);
 *  - an event FAILED leaves the engine FAILED.
 * The first input byte picks the key agreement (X255, EC25, or DH2k),
 * whether B is passive, and whether the two know each other from an
 * earlier call (retained secrets that match, or that do not), or whether
 * the two engines are a Multistream pair keyed from a first stream that
 * completed without interference, or whether A is a PBX (a trusted MitM,
 * 7.3) that asks B to enroll, holds a PBX key with B (the same as B's, or
 * not) and relays SASes when the input says so; B answers its enrollment
 * and relay questions as the input says. Then also: B is asked to enroll
 * only by a peer that said it is a PBX, and offered a relayed SAS only by
 * a PBX whose key matched. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vox/zrtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#if VOX_WITH_ZRTP

#define FLIGHTS 16

struct fl {
	int to;
	size_t len;
	uint8_t pkt[600];
};

struct world {
	struct vox_zrtp z[2];
	struct fl fl[FLIGHTS];
	size_t nfl;
	uint64_t now;
	uint64_t rs[2];
	struct vox_rng rng[2];
	int secure_events[2];
	int answer; /* the user's yes or no, from the last step's byte */
	struct vox_zrtp_cache cache[2];
	struct vox_zrtp first[2]; /* for Multistream: a first stream, keyed cleanly */
};

static int xrng(void *ctx, uint8_t *out, size_t len)
{
	uint64_t *s = ctx;
	for (size_t i = 0; i < len; i++) {
		*s ^= *s << 13;
		*s ^= *s >> 7;
		*s ^= *s << 17;
		out[i] = (uint8_t)(*s >> 24);
	}
	return 0;
}

static void collect(struct world *w)
{
	for (int i = 0; i < 2; i++) {
		uint8_t pkt[600];
		int n;
		while ((n = vox_zrtp_poll_output(&w->z[i], pkt, sizeof pkt)) > 0) {
			struct vox_zrtp_packet p;
			if (vox_zrtp_parse(pkt, (size_t)n, &p, NULL) != n ||
			    p.ssrc != w->z[i].cfg.ssrc)
				abort();
			if (w->nfl == FLIGHTS) /* the network is full: this one is lost */
				continue;
			struct fl *f = &w->fl[w->nfl++];
			f->to = !i;
			f->len = (size_t)n;
			memcpy(f->pkt, pkt, (size_t)n);
		}
		if (n != 0)
			abort();
	}
}

static void drain_events(struct world *w)
{
	for (int i = 0; i < 2; i++) {
		struct vox_zrtp_event e;
		while (vox_zrtp_next_event(&w->z[i], &e)) {
			if (e.type == VOX_ZRTP_EV_FAILED && w->z[i].state != VOX_ZRTP_ST_FAILED)
				abort();
			if (e.type == VOX_ZRTP_EV_SECURE)
				w->secure_events[i]++;
			if (e.type == VOX_ZRTP_EV_ENROLL &&
			    (!w->z[i].peer_mitm || vox_zrtp_enroll(&w->z[i], w->answer) != 0))
				abort();
			if (e.type == VOX_ZRTP_EV_SAS_RELAY &&
			    (!w->z[i].peer_mitm || !w->z[i].pbx_trusted ||
			     vox_zrtp_accept_relay(&w->z[i], w->answer) != 0))
				abort();
		}
	}
}

static void check(struct world *w)
{
	struct vox_zrtp_srtp k[2];
	for (int i = 0; i < 2; i++) {
		if ((unsigned)w->z[i].state > VOX_ZRTP_ST_FAILED)
			abort();
		int rc = vox_zrtp_srtp_keys(&w->z[i], &k[i]);
		if ((rc == 0) != (w->z[i].state == VOX_ZRTP_ST_SECURE))
			abort();
	}
	if (w->z[0].state == VOX_ZRTP_ST_SECURE && w->z[1].state == VOX_ZRTP_ST_SECURE) {
		if (w->z[0].keys.sasvalue != w->z[1].keys.sasvalue ||
		    k[0].key_len != k[1].key_len ||
		    memcmp(k[0].tx_key, k[1].rx_key, k[0].key_len) != 0 ||
		    memcmp(k[0].rx_key, k[1].tx_key, k[0].key_len) != 0 ||
		    memcmp(k[0].tx_salt, k[1].rx_salt, VOX_ZRTP_SALT_LEN) != 0)
			abort();
	}
}

static void deliver(struct world *w, size_t i)
{
	struct fl f = w->fl[i];
	w->fl[i] = w->fl[--w->nfl];
	vox_zrtp_recv(&w->z[f.to], f.pkt, f.len, w->now);
}

/* Runs the first streams to SECURE with no loss. */
static int key_first(struct world *w, const struct vox_zrtp_config c[2])
{
	for (int i = 0; i < 2; i++) {
		vox_zrtp_init(&w->first[i]);
		if (vox_zrtp_start(&w->first[i], &c[i], &w->rng[i], 0) != 0)
			return -1;
	}
	for (int round = 0; round < 20; round++) {
		for (int i = 0; i < 2; i++) {
			uint8_t pkt[600];
			int n;
			while ((n = vox_zrtp_poll_output(&w->first[i], pkt, sizeof pkt)) > 0)
				vox_zrtp_recv(&w->first[!i], pkt, (size_t)n, 0);
		}
	}
	return w->first[0].state == VOX_ZRTP_ST_SECURE && w->first[1].state == VOX_ZRTP_ST_SECURE
	           ? 0
	           : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct world w;
	if (size < 1)
		return 0;
	memset(&w, 0, sizeof w);
	static const uint32_t kas[3] = {VOX_ZRTP_X255, VOX_ZRTP_EC25, VOX_ZRTP_DH2K};
	uint32_t ka = kas[data[0] < 200 ? 0 : data[0] < 250 ? 1 : 2];
	struct vox_zrtp_config cfg[2];
	int multi = (data[0] & 0x18) == 0x18;
	int pbx = !multi && (data[0] & 0x20);
	for (int i = 0; i < 2; i++) {
		struct vox_zrtp_config c;
		vox_zrtp_config_default(&c);
		memset(c.zid, 0x10 + i, sizeof c.zid);
		c.ssrc = 0x100u + (uint32_t)i;
		c.passive = (uint8_t)(i == 1 && (data[0] & 1));
		c.algs.n[VOX_ZRTP_T_KEYAGR] = 2;
		c.algs.alg[VOX_ZRTP_T_KEYAGR][0] = ka;
		c.algs.alg[VOX_ZRTP_T_KEYAGR][1] = VOX_ZRTP_DH3K;
		w.rs[i] = (uint64_t)0x9e3779b97f4a7c15u + (uint64_t)i;
		w.rng[i].fn = xrng;
		w.rng[i].ctx = &w.rs[i];
		vox_zrtp_cache_init(&w.cache[i]);
		if (data[0] & 6) {
			/* each knows the other: the same rs1, unless bit 2 says the
			 * caches disagree; rs2 only on A */
			struct vox_zrtp_secrets e;
			memset(&e, 0, sizeof e);
			memset(e.zid, 0x10 + !i, sizeof e.zid);
			e.flags =
			    (uint8_t)(VOX_ZRTP_RS1 | VOX_ZRTP_VERIFIED | (i ? 0 : VOX_ZRTP_RS2));
			memset(e.rs1, (data[0] & 4) && i ? 0x77 : 0x55, sizeof e.rs1);
			memset(e.rs2, 0x66, sizeof e.rs2);
			if (pbx) {
				e.flags |= VOX_ZRTP_PBX;
				memset(e.pbx, (data[0] & 0x40) && i ? 0x34 : 0x33, sizeof e.pbx);
			}
			w.cache[i].e[0] = e;
			w.cache[i].n = 1;
		}
		c.store = vox_zrtp_cache_store(&w.cache[i]);
		c.mitm = c.enroll = (uint8_t)(pbx && i == 0);
		cfg[i] = c;
	}
	if (multi && key_first(&w, cfg) != 0)
		abort(); /* a clean exchange must complete */
	for (int i = 0; i < 2; i++) {
		vox_zrtp_init(&w.z[i]);
		cfg[i].ssrc += 0x10;
		int rc =
		    multi ? vox_zrtp_start_multistream(&w.z[i], &cfg[i], &w.first[i], &w.rng[i], 0)
		          : vox_zrtp_start(&w.z[i], &cfg[i], &w.rng[i], 0);
		if (rc != 0)
			abort();
	}
	size_t pos = 1;
	int steps = 0;
	while (pos < size && steps++ < 200) {
		collect(&w);
		uint8_t op = data[pos++];
		w.answer = op >> 7;
		size_t pick = w.nfl ? (size_t)(op >> 4) % w.nfl : 0;
		switch (op & 7) {
		case 0:
		case 1: /* deliver (twice as likely as the rest) */
			if (w.nfl)
				deliver(&w, pick);
			break;
		case 2: /* drop */
			if (w.nfl)
				w.fl[pick] = w.fl[--w.nfl];
			break;
		case 3: /* change a byte, fix the CRC, deliver */
			if (w.nfl && pos + 1 < size) {
				struct fl *f = &w.fl[pick];
				size_t at = data[pos] % f->len;
				f->pkt[at] ^= data[pos + 1] ? data[pos + 1] : 1;
				pos += 2;
				if (vox_zrtp_seal(f->pkt, f->len) < 0)
					abort(); /* every packet in flight came from an engine */
				deliver(&w, pick);
			}
			break;
		case 4: /* deliver a copy, keep the original in flight */
			if (w.nfl) {
				struct fl f = w.fl[pick];
				vox_zrtp_recv(&w.z[f.to], f.pkt, f.len, w.now);
			}
			break;
		case 5: /* time passes; a PBX may relay a SAS (from the input) */
			if (pbx && (op & 8) && size - pos >= 32) {
				int rc = vox_zrtp_sas_relay(
				    &w.z[0], data + pos, op & 0x10 ? VOX_ZRTP_B256 : VOX_ZRTP_B32,
				    w.now);
				if (rc != 0 &&
				    (rc != VOX_ESTATE || w.z[0].state == VOX_ZRTP_ST_SECURE))
					abort();
				pos += 32;
			}
			if (pos < size) {
				w.now += (uint64_t)data[pos++] * 10;
				for (int i = 0; i < 2; i++) {
					vox_zrtp_on_deadline(&w.z[i], w.now);
					if (vox_zrtp_next_deadline(&w.z[i]) <= w.now)
						abort();
				}
			}
			break;
		default: { /* raw bytes from the input to one engine */
			size_t n = pos < size ? data[pos++] : 0;
			if (n > size - pos)
				n = size - pos;
			uint8_t buf[256];
			memcpy(buf, data + pos, n);
			if (op & 8) {
				/* below a minimal packet it cannot be sealed: sent as it is */
				int sealed = vox_zrtp_seal(buf, n);
				(void)sealed;
			}
			vox_zrtp_recv(&w.z[(op >> 3) & 1], buf, n, w.now);
			pos += n;
			break;
		}
		}
		drain_events(&w);
		check(&w);
	}
	for (int i = 0; i < 2; i++) {
		vox_zrtp_free(&w.z[i]);
		vox_zrtp_free(&w.first[i]);
	}
	return 0;
}

#else

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	(void)data;
	(void)size;
	return 0;
}

#endif
