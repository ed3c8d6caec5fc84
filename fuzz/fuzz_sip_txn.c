/* SPDX-License-Identifier: MIT */
/*
 * Transaction layer driven by the fuzz input: received messages (raw bytes
 * through the parser), requests and responses from the TU, time steps, and
 * output polling, in any order; ops from 240 up drive what a TU asks of
 * the layer besides: a response built from the request the transaction
 * keeps, a CANCEL, the end of a 2xx's retransmissions, a request that must
 * find room (lingering transactions give way), and bytes of its own in the
 * arena. Checks the bookkeeping after every step: every chunk of the arena
 * is free or in exactly one chain, of the length it claims.
 * Input: records of [op][len][bytes...].
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vox/sip_txn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define POOL  6
#define ARENA 160
static struct vox_sip_txn pool[POOL];
static struct vox_sip_chunk arena[ARENA];
static struct vox_sip_txl txl;
static struct vox_sip_msg m;
static uint16_t blob_at = VOX_SIP_NOCHUNK, blob_len; /* the TU's bytes in the arena */
static char out[VOX_SIP_TXN_MSG + 64];

/* Chunks of the chain from at, which must hold len bytes exactly. */
static size_t chain(uint16_t at, size_t len)
{
	size_t n = 0;
	for (; at != VOX_SIP_NOCHUNK; at = arena[at].next) {
		if (at >= ARENA || ++n > ARENA)
			abort(); /* out of the arena, or a loop */
	}
	if (n != vox_sip_chunks_for(len))
		abort();
	return n;
}

/* The bookkeeping: counts agree with the slots, every chain has the
 * length it claims, and every chunk is either free or in exactly one
 * chain (the chunks counted add up). */
static void check(void)
{
	size_t active = 0, pending = 0, used = 0;
	for (size_t i = 0; i < POOL; i++) {
		const struct vox_sip_txn *x = &pool[i];
		active += x->state != VOX_TXN_FREE;
		pending += x->pending;
		if (x->state == VOX_TXN_FREE) {
			if (x->id_at != VOX_SIP_NOCHUNK || x->msg_at != VOX_SIP_NOCHUNK ||
			    x->req_at != VOX_SIP_NOCHUNK || x->pending)
				abort(); /* a free slot holds nothing */
			continue;
		}
		if (x->len > VOX_SIP_TXN_MSG || (x->pending && !x->len))
			abort();
		used += chain(x->id_at, (size_t)x->idlen + (x->taglen == 0xffff ? 0u : x->taglen));
		used += chain(x->msg_at, x->len);
		used += chain(x->req_at, x->reqlen);
	}
	for (size_t i = 0; i < txl.nspill; i++)
		used += chain(txl.spill[i].at, txl.spill[i].len);
	used += chain(blob_at, blob_len);
	size_t nfree = 0;
	for (uint16_t at = txl.free_chunk; at != VOX_SIP_NOCHUNK; at = arena[at].next)
		if (at >= ARENA || ++nfree > ARENA)
			abort();
	if (active != txl.active || pending != txl.pending || nfree != txl.chunks_free ||
	    used + nfree != ARENA)
		abort();
}

static int make_request(char *buf, size_t cap, const char *method, const uint8_t *p, size_t n)
{
	char via[96];
	unsigned b = n ? p[0] : 0;
	snprintf(via, sizeof via, "SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK%u", b);
	const struct vox_sip_hdr_out h[] = {
	    {"Via", vox_slice_cstr(via)},
	    {"From", vox_slice_cstr("<sip:a@example.com>;tag=1")},
	    {"To", vox_slice_cstr("<sip:b@example.com>")},
	    {"Call-ID", vox_slice_cstr("c@x")},
	    {"CSeq", vox_slice_cstr(strcmp(method, "INVITE") ? "2 OPTIONS" : "1 INVITE")},
	};
	struct vox_sip_request_spec s = {vox_slice_cstr(method),
	                                 vox_slice_cstr("sip:b@example.com"),
	                                 h,
	                                 5,
	                                 {NULL, 0},
	                                 {NULL, 0}};
	return vox_sip_build_request(&s, buf, cap);
}

static struct vox_slice mk(const char *p, size_t len)
{
	struct vox_slice s = {p, len};
	return s;
}

/* What a TU asks of the layer besides requests and responses. */
static void extra_op(uint8_t op, const uint8_t *p, size_t n, uint64_t now,
                     vox_sip_txn_id *last_server, vox_sip_txn_id *last_client,
                     const struct vox_peer *from)
{
	static const unsigned codes[] = {100, 180, 183, 200, 302, 486, 500, 603};
	vox_sip_txn_id id = 0;
	switch ((op - 240) % 6) {
	case 0: { /* a late response, built from the request the IST keeps */
		const struct vox_sip_hdr_out h = {"Contact", vox_slice_cstr("<sip:b@192.0.2.7>")};
		struct vox_slice body = mk((const char *)p, n > 1 ? n - 1 : 0);
		(void)!vox_sip_txl_respond_build(
		    &txl, *last_server, codes[(n ? p[0] : 0) % 8], vox_slice_cstr("t1"), &h,
		    n && (p[0] & 8) ? 1 : 0,
		    body.len ? vox_slice_cstr("application/sdp") : mk(NULL, 0), body, now);
		break;
	}
	case 1: /* our INVITE is cancelled */
		(void)!vox_sip_txl_cancel(&txl, *last_client, now, &id);
		break;
	case 2: /* the ACK for our 2xx came */ vox_sip_txl_acked(&txl, *last_server); break;
	case 3: /* a request that must find room */
		if (vox_sip_parse(&m, (const char *)p, n, VOX_SIP_DATAGRAM, NULL) >= 0) {
			struct vox_sip_verdict v;
			if (vox_sip_validate(&m, NULL, &v) == 0 && !v.status && !v.drop &&
			    vox_sip_txl_recv_must(&txl, &m, from, now, &id) == VOX_TXL_NEW_REQUEST)
				*last_server = id;
		}
		break;
	case 4: { /* the TU keeps bytes of its own, and reads them back */
		char back[256];
		vox_sip_arena_drop(&txl, &blob_at);
		blob_len = 0;
		if (vox_sip_arena_put(&txl, p, n, &blob_at) == 0) {
			blob_len = (uint16_t)n;
			vox_sip_arena_get(&txl, blob_at, n, back);
			if (memcmp(back, p, n))
				abort(); /* the arena gave back other bytes */
		}
		break;
	}
	default: /* and gives them back */
		vox_sip_arena_drop(&txl, &blob_at);
		blob_len = 0;
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct vox_peer peers[2] = {
	    {VOX_TP_UDP, {4, {192, 0, 2, 1}, 5060}, 0, 0, 0},
	    {VOX_TP_TCP, {4, {192, 0, 2, 2}, 5060}, 3, 0, 0},
	};
	if (vox_sip_txl_init(&txl, pool, POOL, arena, ARENA, NULL))
		abort();
	uint64_t now = 0;
	vox_sip_txn_id last_server = 0, last_client = 0;
	blob_at = VOX_SIP_NOCHUNK;
	blob_len = 0;
	size_t i = 0;
	while (i + 2 <= size) {
		uint8_t op = data[i], len = data[i + 1];
		i += 2;
		size_t n = len <= size - i ? len : size - i;
		const uint8_t *p = data + i;
		i += n;
		vox_sip_txn_id id = 0;
		char req[512];
		int k;
		if (op >= 240) {
			extra_op(op, p, n, now, &last_server, &last_client, &peers[op & 1]);
			check();
			continue;
		}
		switch (op % 6) {
		case 0: /* time passes */
			now += n ? (uint64_t)p[0] * 250 : 1;
			while (vox_sip_txl_next_deadline(&txl) <= now)
				vox_sip_txl_on_deadline(&txl, vox_sip_txl_next_deadline(&txl));
			break;
		case 1: /* a message arrives */
			if (vox_sip_parse(&m, (const char *)p, n, VOX_SIP_DATAGRAM, NULL) >= 0) {
				struct vox_sip_verdict v;
				if (vox_sip_validate(&m, NULL, &v) == 0 && !v.status && !v.drop) {
					int r = vox_sip_txl_recv(&txl, &m, &peers[op & 1 ? 1 : 0],
					                         now, &id);
					if (r == VOX_TXL_NEW_REQUEST)
						last_server = id;
				}
			}
			break;
		case 2: /* the TU sends a request */
			k = make_request(req, sizeof req, op & 8 ? "INVITE" : "OPTIONS", p, n);
			if (k > 0)
				if (vox_sip_txl_request(&txl, req, (size_t)k, &peers[op >> 7], now,
				                        &id) == 0)
					last_client = id;
			break;
		case 3: /* the TU answers the last server transaction */
			if (last_server) {
				static const unsigned codes[] = {100, 180, 200, 302, 486, 503};
				char resp[64];
				int l = snprintf(resp, sizeof resp, "SIP/2.0 %u X\r\n\r\n",
				                 codes[(n ? p[0] : 0) % 6]);
				(void)!vox_sip_txl_respond(&txl, last_server, resp, (size_t)l, now);
			}
			break;
		case 4: { /* the transport drains */
			struct vox_peer to;
			while (vox_sip_txl_poll_output(&txl, out, sizeof out, &to) > 0)
				;
			break;
		}
		default: { /* events are drained, a send fails */
			struct vox_sip_txl_event ev;
			while (vox_sip_txl_next_event(&txl, &ev))
				if (!ev.id)
					abort();
			if (n && p[0] == 0xee)
				vox_sip_txl_transport_error(&txl, last_server);
			break;
		}
		}
		check();
	}
	return 0;
}
