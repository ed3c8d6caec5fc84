/* SPDX-License-Identifier: MIT */
/* sdp/ offer/answer: arbitrary bytes in as the peer's description. As an
 * offer, vox answers it under each policy: it must answer or fail cleanly,
 * an answer must parse again with one m= line per offered one, and the
 * mandatory policy must never agree to clear media, nor any policy to a
 * multicast stream. As an answer to vox's own offer, it must be taken or
 * refused cleanly. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vox/sdp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct vox_sdp peer, back;
static struct vox_sdp_oa oa;
static char buf[VOX_SDP_MAX_BUILD];

static int counter_rng(void *ctx, uint8_t *out, size_t len)
{
	uint32_t *c = ctx;
	for (size_t i = 0; i < len; i++)
		out[i] = (uint8_t)(++*c * 2654435761u >> 24);
	return 0;
}

static void local(struct vox_sdp_local *l, enum vox_sdp_policy p)
{
	vox_sdp_local_init(l, vox_slice_cstr("192.0.2.99"), 30000);
	l->policy = p;
	for (int s = VOX_SRTP_NONE + 1; s < VOX_SRTP_SUITE_COUNT; s++)
		l->suites[l->n_suites++] = (enum vox_srtp_suite)s;
	if (p == VOX_SDP_POLICY_OPTIONAL)
		l->zrtp_hash = vox_slice_cstr(
		    "fe30efd02423cb054e50efd0248742ac7a52c8f91bc2df881ae642c371ba46df");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (vox_sdp_parse((const char *)data, size, &peer, NULL) < 0)
		return 0;
	uint32_t ctr = 0;
	struct vox_rng rng = {counter_rng, &ctr};
	for (int p = VOX_SDP_POLICY_OFF; p <= VOX_SDP_POLICY_MANDATORY; p++) {
		struct vox_sdp_local l;
		struct vox_sdp_session s;
		struct vox_sdp_fail why;
		local(&l, (enum vox_sdp_policy)p);
		if (vox_sdp_local_check(&l, &why) != 0)
			abort();
		/* as an offer */
		vox_sdp_oa_init(&oa, 1000);
		int n = vox_sdp_oa_answer(&oa, &l, &peer, &rng, buf, sizeof buf, &s, &why);
		if (n < 0) {
			if (!why.reason || (why.sip_status != 488 && why.sip_status != 500))
				abort();
		} else {
			if (vox_sdp_parse(buf, (size_t)n, &back, NULL) != n)
				abort();
			if (back.n_media != peer.n_media || s.mline >= back.n_media ||
			    back.media[s.mline].port != 30000)
				abort();
			if (p == VOX_SDP_POLICY_MANDATORY && s.prot != VOX_SDP_PROT_SDES)
				abort();
			if (p == VOX_SDP_POLICY_OFF &&
			    (s.prot != VOX_SDP_PROT_NONE || back.n_crypto))
				abort();
			if ((s.prot == VOX_SDP_PROT_SDES) != (back.n_crypto == 1))
				abort();
			if (s.send_pt < 0 || s.n_pts == 0)
				abort();
			const struct vox_sdp_media *m = &peer.media[s.mline];
			if ((m->conn.present ? &m->conn : &peer.conn)->multicast)
				abort();
			/* A repeat of the same offer changes nothing. */
			uint64_t v = back.sess_version;
			int n2 = vox_sdp_oa_answer(&oa, &l, &peer, &rng, buf, sizeof buf, &s, &why);
			if (n2 != n || vox_sdp_parse(buf, (size_t)n2, &back, NULL) != n2 ||
			    back.sess_version != v)
				abort();
		}
		vox_sdp_session_free(&s);
		vox_sdp_oa_free(&oa);
		/* as the answer to our offer */
		vox_sdp_oa_init(&oa, 2000);
		n = vox_sdp_oa_offer(&oa, &l, &rng, buf, sizeof buf, &why);
		if (n < 0 || vox_sdp_parse(buf, (size_t)n, &back, NULL) != n)
			abort();
		int rc = vox_sdp_oa_recv_answer(&oa, &l, &peer, &s, &why);
		if (rc == 0) {
			if (p == VOX_SDP_POLICY_MANDATORY && s.prot != VOX_SDP_PROT_SDES)
				abort();
			if (p == VOX_SDP_POLICY_OFF && s.prot != VOX_SDP_PROT_NONE)
				abort();
		} else if (!why.reason) {
			abort();
		}
		vox_sdp_session_free(&s);
		vox_sdp_oa_free(&oa);
	}
	return 0;
}
