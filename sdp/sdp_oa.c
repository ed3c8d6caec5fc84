/* SPDX-License-Identifier: MIT */
/* Offer/answer (RFC 3264) for one audio stream, with SDES keys (RFC 4568). */
#include <string.h>

#include "sdp/sdp_int.h"

static const struct {
	const char *name;
	int static_pt; /* RFC 3551 6, -1 for dynamic */
} codecs[VOX_SDP_CODEC_COUNT] = {
    [VOX_SDP_CODEC_PCMU] = {"PCMU", 0},
    [VOX_SDP_CODEC_PCMA] = {"PCMA", 8},
    [VOX_SDP_CODEC_TEL_EVENT] = {"telephone-event", -1},
};

/* RFC 4733 3.3: the events we take: DTMF 0-15 and flash (16). */
static const char tel_event_fmtp[] = "0-16";

enum proto { P_OTHER, P_AVP, P_SAVP };

const char *vox_sdp_policy_name(enum vox_sdp_policy p)
{
	switch (p) {
	case VOX_SDP_POLICY_OFF: return "off";
	case VOX_SDP_POLICY_OPTIONAL: return "optional";
	case VOX_SDP_POLICY_MANDATORY: return "mandatory";
	}
	return "?";
}

const char *vox_sdp_prot_name(enum vox_sdp_prot p)
{
	switch (p) {
	case VOX_SDP_PROT_NONE: return "none";
	case VOX_SDP_PROT_SDES: return "srtp-sdes";
	}
	return "?";
}

const char *vox_sdp_codec_name(enum vox_sdp_codec c)
{
	return (unsigned)c < VOX_SDP_CODEC_COUNT ? codecs[c].name : "?";
}

void vox_sdp_local_init(struct vox_sdp_local *l, struct vox_slice addr, uint16_t port)
{
	memset(l, 0, sizeof *l);
	l->username = vox_slice_cstr("-");
	l->addr = addr;
	l->port = port;
	l->rtcp_mux = 1;
	l->n_codecs = 3;
	l->codecs[0] = VOX_SDP_CODEC_PCMU;
	l->codecs[1] = VOX_SDP_CODEC_PCMA;
	l->codecs[2] = VOX_SDP_CODEC_TEL_EVENT;
	l->tel_event_pt = 101;
	l->ptime = 20;
	l->dir = VOX_SDP_SENDRECV;
	l->policy = VOX_SDP_POLICY_OPTIONAL;
	l->key_methods = VOX_SDP_KEY_SDES;
}

void vox_sdp_oa_init(struct vox_sdp_oa *oa, uint64_t sess_id)
{
	memset(oa, 0, sizeof *oa);
	oa->sess_id = sess_id;
	oa->version = sess_id;
}

void vox_sdp_oa_rekey(struct vox_sdp_oa *oa)
{
	if (!oa)
		return;
	vox_wipe(oa->offered, sizeof oa->offered);
	oa->n_offered = 0;
	vox_wipe(&oa->answered, sizeof oa->answered);
	vox_wipe(&oa->answered_peer, sizeof oa->answered_peer);
	oa->answered_valid = 0;
}

void vox_sdp_oa_free(struct vox_sdp_oa *oa)
{
	if (!oa)
		return;
	vox_wipe(oa, sizeof *oa);
}

void vox_sdp_session_free(struct vox_sdp_session *s)
{
	if (s)
		vox_wipe(s, sizeof *s);
}

static int set_fail(struct vox_sdp_fail *why, int err, int status, const char *reason, int mline)
{
	if (why) {
		why->sip_status = status;
		why->reason = reason;
		why->mline = mline;
	}
	return err;
}

static enum proto proto_of(struct vox_slice p)
{
	if (vox_slice_eq(p, vox_slice_cstr("RTP/AVP")))
		return P_AVP;
	if (vox_slice_eq(p, vox_slice_cstr("RTP/SAVP")))
		return P_SAVP;
	return P_OTHER;
}

static int local_has(const struct vox_sdp_local *l, enum vox_sdp_codec c)
{
	for (unsigned i = 0; i < l->n_codecs && i < VOX_SDP_CODEC_COUNT; i++)
		if (l->codecs[i] == c)
			return 1;
	return 0;
}

static unsigned tel_event_pt(const struct vox_sdp_local *l)
{
	return l->tel_event_pt ? l->tel_event_pt : 101; /* check_local refused the rest */
}

/* SDES is among the key methods the policy allows. */
static int sdes_allowed(const struct vox_sdp_local *l)
{
	return VOX_WITH_SDES && (l->key_methods & VOX_SDP_KEY_SDES);
}

static int zrtp_allowed(const struct vox_sdp_local *l)
{
	return (l->key_methods & VOX_SDP_KEY_ZRTP) != 0;
}

/* ZRTP can make keys for a call: the policy allows it and the build runs
 * it (zrtp/ for the exchange, SRTP for the keys it agrees). The keys then
 * come in the media path, not in the SDP: a description with no a=crypto
 * is no clear call when this holds, the media engine keeps it from
 * flowing until ZRTP is done (vox/media.h). */
static int zrtp_usable(const struct vox_sdp_local *l)
{
	return VOX_WITH_ZRTP && VOX_WITH_SRTP && zrtp_allowed(l) && l->policy != VOX_SDP_POLICY_OFF;
}

static int local_suite_ok(const struct vox_sdp_local *l, enum vox_srtp_suite s)
{
#if VOX_WITH_SDES
	if (!sdes_allowed(l))
		return 0;
	for (unsigned i = 0; i < l->n_suites && i < VOX_SRTP_SUITE_COUNT; i++)
		if (l->suites[i] == s && vox_srtp_suite_info(s))
			return 1;
#else
	(void)l;
	(void)s;
#endif
	return 0;
}

/* Codec of format fmt in m= section mi: by a=rtpmap, else by the static
 * payload types of RFC 3551 6. -1 when vox does not run it. */
static int fmt_codec(const struct vox_sdp *sdp, int mi, struct vox_slice fmt, uint8_t *pt)
{
	uint64_t v = 0;
	if (vox_slice_u64(fmt, 127, &v) < 0)
		return -1;
	*pt = (uint8_t)v;
	const struct vox_sdp_rtpmap *r = vox_sdp_rtpmap_find(sdp, mi, (unsigned)v);
	if (!r) {
		for (int c = 0; c < VOX_SDP_CODEC_COUNT; c++)
			if (codecs[c].static_pt == (int)v)
				return c;
		return -1;
	}
	/* RFC 3551 4.5.14: G.711 at 8000 Hz, one channel. */
	if (r->clock != 8000 || (r->params.len && !vox_slice_eq(r->params, vox_slice_cstr("1"))))
		return -1;
	for (int c = 0; c < VOX_SDP_CODEC_COUNT; c++)
		if (vox_slice_case_eq_cstr(r->encoding, codecs[c].name))
			return c;
	return -1;
}

/* Common codecs of an m= section, in its order; returns the count. */
static uint8_t common_codecs(const struct vox_sdp_local *l, const struct vox_sdp *sdp, int mi,
                             struct vox_sdp_pt *out, int *audio)
{
	const struct vox_sdp_media *m = &sdp->media[mi];
	uint8_t n = 0;
	unsigned seen = 0;
	*audio = 0;
	for (unsigned f = 0; f < m->n_fmts && n < VOX_SDP_CODEC_COUNT; f++) {
		uint8_t pt = 0;
		int c = fmt_codec(sdp, mi, m->fmts[f], &pt);
		if (c < 0 || !local_has(l, (enum vox_sdp_codec)c) || (seen & (1u << c)))
			continue;
		seen |= 1u << c;
		out[n].pt = pt;
		out[n].codec = (enum vox_sdp_codec)c;
		n++;
		if (c != VOX_SDP_CODEC_TEL_EVENT)
			*audio = 1;
	}
	return n;
}

/* RFC 3264 6.1 and 8.4: what we do, given the peer's direction. The peer
 * that wrote c=0.0.0.0 (RFC 2543 hold) does not receive. */
static enum vox_sdp_dir our_dir(enum vox_sdp_dir remote, int legacy_hold, enum vox_sdp_dir want)
{
	unsigned r = (unsigned)remote;
	if (legacy_hold)
		r &= ~(unsigned)VOX_SDP_RECVONLY;
	unsigned d = ((r & VOX_SDP_RECVONLY) ? VOX_SDP_SENDONLY : 0) |
	             ((r & VOX_SDP_SENDONLY) ? VOX_SDP_RECVONLY : 0);
	return (enum vox_sdp_dir)(d & (unsigned)want);
}

static const struct vox_sdp_conn *conn_of(const struct vox_sdp *sdp, int mi)
{
	return sdp->media[mi].conn.present ? &sdp->media[mi].conn : &sdp->conn;
}

static int usable_addr(struct vox_slice nettype, struct vox_slice addrtype)
{
	return vox_slice_eq(nettype, vox_slice_cstr("IN")) &&
	       (vox_slice_eq(addrtype, vox_slice_cstr("IP4")) ||
	        vox_slice_eq(addrtype, vox_slice_cstr("IP6")));
}

static int copy_addr(char *dst, struct vox_slice a)
{
	if (a.len > VOX_SDP_MAX_ADDR)
		return VOX_ELIMIT;
	if (a.len)
		memcpy(dst, a.p, a.len);
	dst[a.len] = 0;
	return 0;
}

/* An address of the description as a transport address: family 0 unless
 * it is an IP literal (the parser checked it already). */
static void bin_addr(struct vox_slice nettype, struct vox_slice addrtype, struct vox_slice text,
                     uint16_t port, struct vox_addr *out)
{
	struct sdp_addr a;
	memset(out, 0, sizeof *out);
	if (sdp_addr_parse(text.p, NULL, nettype, addrtype, text, 0, &a) < 0 || !a.literal)
		return;
	out->family = (uint8_t)a.literal;
	memcpy(out->ip, a.ip, sizeof out->ip);
	out->port = port;
}

/* Peer's addresses and ports, RTCP (RFC 3605, RFC 5761) and ptime. */
static int fill_remote(const struct vox_sdp_local *l, const struct vox_sdp *r, int mi,
                       struct vox_sdp_session *s, struct vox_sdp_fail *why)
{
	const struct vox_sdp_media *m = &r->media[mi];
	const struct vox_sdp_conn *c = conn_of(r, mi);
	if (copy_addr(s->remote_addr, c->addr) < 0)
		return set_fail(why, VOX_ELIMIT, 488, "peer address longer than VOX_SDP_MAX_ADDR",
		                mi);
	s->remote_ip6 = vox_slice_eq(c->addrtype, vox_slice_cstr("IP6"));
	s->remote_rtcp_ip6 = s->remote_ip6;
	s->remote_legacy_hold = vox_slice_eq(c->addr, vox_slice_cstr("0.0.0.0"));
	s->remote_rtp_port = m->port;
	s->rtcp_mux = m->rtcp_mux && l->rtcp_mux;
	memcpy(s->remote_rtcp_addr, s->remote_addr, sizeof s->remote_addr);
	const struct vox_sdp_attr *rt = vox_sdp_attr_find(r, mi, "rtcp");
	if (s->rtcp_mux) {
		s->remote_rtcp_port = m->port;
	} else if (rt) {
		s->remote_rtcp_port = rt->u.rtcp.port;
		if (rt->u.rtcp.addr.len && copy_addr(s->remote_rtcp_addr, rt->u.rtcp.addr) < 0)
			return set_fail(why, VOX_ELIMIT, 488,
			                "peer RTCP address longer than VOX_SDP_MAX_ADDR", mi);
		if (rt->u.rtcp.addr.len)
			s->remote_rtcp_ip6 =
			    vox_slice_eq(rt->u.rtcp.addrtype, vox_slice_cstr("IP6"));
	} else {
		/* RFC 3550 11: RTCP on the next higher port. */
		s->remote_rtcp_port = m->port < 65535 ? (uint16_t)(m->port + 1) : 0;
	}
	s->remote_ptime = m->ptime_us / 1000;
	/* The same as transport addresses, when they are IP literals (a host
	 * name is the caller's to resolve, RFC 8866 5.7). */
	bin_addr(c->nettype, c->addrtype, c->addr, s->remote_rtp_port, &s->remote_rtp);
	if (rt && rt->u.rtcp.addr.len && !s->rtcp_mux)
		bin_addr(rt->u.rtcp.nettype, rt->u.rtcp.addrtype, rt->u.rtcp.addr,
		         s->remote_rtcp_port, &s->remote_rtcp);
	else
		bin_addr(c->nettype, c->addrtype, c->addr, s->remote_rtcp_port, &s->remote_rtcp);
	/* RFC 6189 8.1: media level, or session level for every stream. A
	 * policy that refuses ZRTP ignores it. */
	const struct vox_sdp_attr *z = vox_sdp_attr_find(r, mi, "zrtp-hash");
	if (!z)
		z = vox_sdp_attr_find(r, -1, "zrtp-hash");
	if (z && zrtp_allowed(l) &&
	    vox_hex_decode(z->u.zrtp_hash.hash, s->remote_zrtp_hash, sizeof s->remote_zrtp_hash) ==
	        32)
		s->has_remote_zrtp_hash = 1;
	return 0;
}

/* The same master key and salt, compared without a data-dependent branch
 * (they are secrets). */
static int same_key(const struct vox_srtp_key *a, const struct vox_srtp_key *b)
{
	uint8_t d = 0;
	for (size_t i = 0; i < sizeof a->key; i++)
		d |= (uint8_t)(a->key[i] ^ b->key[i]);
	for (size_t i = 0; i < sizeof a->salt; i++)
		d |= (uint8_t)(a->salt[i] ^ b->salt[i]);
	return d == 0;
}

static int fresh_key(const struct vox_rng *rng, enum vox_srtp_suite suite, struct vox_srtp_key *k)
{
	const struct vox_srtp_suite_info *info = vox_srtp_suite_info(suite);
	memset(k, 0, sizeof *k);
	k->suite = suite;
	if (!info || !rng || !rng->fn)
		return VOX_EINVAL;
	if (rng->fn(rng->ctx, k->key, info->key_len) != 0 ||
	    rng->fn(rng->ctx, k->salt, info->salt_len) != 0) {
		vox_wipe(k, sizeof *k);
		return VOX_ERNG;
	}
	return 0;
}

static int check_local(const struct vox_sdp_local *l, struct vox_sdp_fail *why)
{
	int audio = 0;
	for (unsigned i = 0; i < l->n_codecs && i < VOX_SDP_CODEC_COUNT; i++) {
		if ((unsigned)l->codecs[i] >= VOX_SDP_CODEC_COUNT)
			return set_fail(why, VOX_EINVAL, 500, "unknown codec in local settings",
			                -1);
		if (l->codecs[i] != VOX_SDP_CODEC_TEL_EVENT)
			audio = 1;
	}
	if (!audio || l->n_codecs > VOX_SDP_CODEC_COUNT)
		return set_fail(why, VOX_EINVAL, 500, "no audio codec in local settings", -1);
	/* Our o= and c= carry addr after "IN IP4" or "IN IP6": it must be an
	 * address that our own parser, and so the peer's, reads as one of that
	 * type, unicast (we do not send to a group). */
	if (l->addr.len == 0 || l->addr.len > VOX_SDP_MAX_ADDR)
		return set_fail(why, VOX_EINVAL, 500, "no local media address", -1);
	struct sdp_addr a;
	struct vox_diag d = {0, NULL};
	int bad = sdp_addr_parse(l->addr.p, &d, vox_slice_cstr("IN"),
	                         vox_slice_cstr(l->ip6 ? "IP6" : "IP4"), l->addr, 0, &a);
	if (a.multicast) /* an IPv4 group is a parse error in o= as well */
		return set_fail(why, VOX_EINVAL, 500, "local media address is a multicast group",
		                -1);
	if (bad < 0)
		return set_fail(why, VOX_EINVAL, 500,
		                l->ip6
		                    ? "local media address is not an IPv6 address or a host name"
		                    : "local media address is not an IPv4 address or a host name",
		                -1);
	for (size_t i = 0; i < l->username.len; i++)
		if (!sdp_is_nonws((unsigned char)l->username.p[i]))
			return set_fail(why, VOX_EINVAL, 500, "bad o= username", -1);
	if (l->zrtp_hash.len && l->zrtp_hash.len != 64)
		return set_fail(why, VOX_EINVAL, 500, "a=zrtp-hash needs 64 hex digits", -1);
	for (size_t i = 0; i < l->zrtp_hash.len; i++)
		if (vox_hexval((unsigned char)l->zrtp_hash.p[i]) < 0)
			return set_fail(why, VOX_EINVAL, 500, "a=zrtp-hash needs 64 hex digits",
			                -1);
	if (l->dir > VOX_SDP_SENDRECV || l->policy > VOX_SDP_POLICY_MANDATORY)
		return set_fail(why, VOX_EINVAL, 500, "bad direction or policy", -1);
	if (l->key_methods & ~(unsigned)(VOX_SDP_KEY_SDES | VOX_SDP_KEY_ZRTP))
		return set_fail(why, VOX_EINVAL, 500, "unknown key method in the policy", -1);
	if (l->tel_event_pt && (l->tel_event_pt < 96 || l->tel_event_pt > 127))
		return set_fail(
		    why, VOX_EINVAL, 500,
		    "telephone-event needs a dynamic payload type, 96..127 (RFC 3551 6)", -1);
	if (l->port == 0)
		return set_fail(why, VOX_EINVAL, 500,
		                "local RTP port 0 would refuse our own stream (RFC 3264 5.1)", -1);
	if (!l->rtcp_mux && l->port == 65535)
		return set_fail(why, VOX_EINVAL, 500,
		                "local RTP port 65535 leaves no port for RTCP (RFC 3550 11)", -1);
	if (l->n_suites > VOX_SRTP_SUITE_COUNT)
		return set_fail(why, VOX_EINVAL, 500, "more SRTP suites than there are", -1);
	for (unsigned i = 0; i < l->n_suites; i++)
		if (!vox_srtp_suite_info(l->suites[i]))
			return set_fail(why, VOX_EINVAL, 500,
			                "unknown SRTP suite in the local list", -1);
	return 0;
}

/* Whether SDES has any suite to work with: the build has it, the policy
 * allows it, and the list names one (check_local made sure every one is
 * known). */
static int local_has_suite(const struct vox_sdp_local *l)
{
	return sdes_allowed(l) && l->n_suites > 0;
}

/* Why no call can meet a mandatory requirement with these key methods,
 * or NULL. ZRTP needs nothing from the SDP but its method; a build
 * without it (VOX_WITH_ZRTP 0) says so rather than pretend. */
static const char *mandatory_unmet(const struct vox_sdp_local *l)
{
	if (local_has_suite(l) || zrtp_usable(l))
		return NULL;
	if (!(l->key_methods & VOX_SDP_KEY_SDES))
		return zrtp_allowed(l)
		           ? "this build has no ZRTP (VOX_WITH_ZRTP 0, or no SRTP): with "
		             "SDES refused, media encryption cannot be mandatory"
		           : "media encryption is mandatory but the policy allows no "
		             "key method: no call could be made";
	return VOX_WITH_SDES ? "media encryption is mandatory but the SRTP suite list is empty: "
	                       "no call could be made"
	                     : "media encryption is mandatory but this build has no SDES "
	                       "(VOX_WITH_SDES 0): no call could be made";
}

int vox_sdp_local_check(const struct vox_sdp_local *l, struct vox_sdp_fail *why)
{
	if (!l)
		return set_fail(why, VOX_EINVAL, 500, "missing argument", -1);
	int rc = check_local(l, why);
	if (rc < 0)
		return rc;
	/* Per call an empty list is normal (a hop that is not TLS), and the
	 * offer or answer says so; as the configuration, under mandatory it
	 * means that no call can ever be made. */
	const char *unmet = l->policy == VOX_SDP_POLICY_MANDATORY ? mandatory_unmet(l) : NULL;
	if (unmet)
		return set_fail(why, VOX_EPOLICY, 500, unmet, -1);
	return 0;
}

/* ---- writing ---------------------------------------------------------------- */

static void put_crypto(struct vox_writer *w, uint32_t tag, const struct vox_srtp_key *k)
{
	const struct vox_srtp_suite_info *info = vox_srtp_suite_info(k->suite);
	uint8_t raw[VOX_SRTP_MAX_KEY + VOX_SRTP_MAX_SALT];
	char b64[64];
	memcpy(raw, k->key, info->key_len);
	memcpy(raw + info->key_len, k->salt, info->salt_len);
	int n = vox_base64_encode(raw, (size_t)info->key_len + info->salt_len, b64, sizeof b64);
	vox_wipe(raw, sizeof raw);
	vox_writer_puts(w, "a=crypto:");
	vox_writer_put_u64(w, tag);
	vox_writer_putc(w, ' ');
	vox_writer_puts(w, info->name);
	vox_writer_puts(w, " inline:");
	if (n > 0)
		vox_writer_put(w, b64, (size_t)n);
	else
		w->err = VOX_ENOSPC; /* cannot happen: 46 bytes need 64 characters */
	vox_wipe(b64, sizeof b64);
	vox_writer_puts(w, "\r\n");
}

/* v= o= s= c= t=: the version's place is noted so that it can be left out
 * when comparing with the last description. */
static void put_head(struct vox_writer *w, const struct vox_sdp_oa *oa,
                     const struct vox_sdp_local *l, uint64_t version, uint64_t t0, uint64_t t1,
                     size_t *vs, size_t *ve)
{
	const char *at = l->ip6 ? " IN IP6 " : " IN IP4 ";
	vox_writer_puts(w, "v=0\r\no=");
	if (l->username.len)
		vox_writer_put_slice(w, l->username);
	else
		vox_writer_putc(w, '-');
	vox_writer_putc(w, ' ');
	vox_writer_put_u64(w, oa->sess_id);
	vox_writer_putc(w, ' ');
	*vs = w->len;
	vox_writer_put_u64(w, version);
	*ve = w->len;
	vox_writer_puts(w, at);
	vox_writer_put_slice(w, l->addr);
	vox_writer_puts(w, "\r\ns=-\r\nc=");
	vox_writer_puts(w, at + 1);
	vox_writer_put_slice(w, l->addr);
	vox_writer_puts(w, "\r\nt=");
	vox_writer_put_u64(w, t0);
	vox_writer_putc(w, ' ');
	vox_writer_put_u64(w, t1);
	vox_writer_puts(w, "\r\n");
}

struct audio_desc {
	const char *proto;
	uint8_t n_pts;
	const struct vox_sdp_pt *pts;
	int rtcp_mux;
	enum vox_sdp_dir dir;
	uint8_t n_crypto;
	const uint32_t *tags;
	const struct vox_srtp_key *keys;
};

static void put_audio(struct vox_writer *w, const struct vox_sdp_local *l,
                      const struct audio_desc *a)
{
	vox_writer_puts(w, "m=audio ");
	vox_writer_put_u64(w, l->port);
	vox_writer_putc(w, ' ');
	vox_writer_puts(w, a->proto);
	for (unsigned i = 0; i < a->n_pts; i++) {
		vox_writer_putc(w, ' ');
		vox_writer_put_u64(w, a->pts[i].pt);
	}
	vox_writer_puts(w, "\r\n");
	for (unsigned i = 0; i < a->n_pts; i++) {
		vox_writer_puts(w, "a=rtpmap:");
		vox_writer_put_u64(w, a->pts[i].pt);
		vox_writer_putc(w, ' ');
		vox_writer_puts(w, codecs[a->pts[i].codec].name);
		vox_writer_puts(w, "/8000\r\n");
		if (a->pts[i].codec == VOX_SDP_CODEC_TEL_EVENT) {
			vox_writer_puts(w, "a=fmtp:");
			vox_writer_put_u64(w, a->pts[i].pt);
			vox_writer_putc(w, ' ');
			vox_writer_puts(w, tel_event_fmtp);
			vox_writer_puts(w, "\r\n");
		}
	}
	if (l->ptime) {
		vox_writer_puts(w, "a=ptime:");
		vox_writer_put_u64(w, l->ptime);
		vox_writer_puts(w, "\r\n");
	}
	if (a->rtcp_mux)
		vox_writer_puts(w, "a=rtcp-mux\r\n");
	/* n_crypto is 0 without SDES; saying so leaves put_crypto out */
	for (unsigned i = 0; VOX_WITH_SDES && i < a->n_crypto; i++)
		put_crypto(w, a->tags[i], &a->keys[i]);
	if (l->zrtp_hash.len && zrtp_allowed(l)) {
		vox_writer_puts(w, "a=zrtp-hash:1.10 ");
		vox_writer_put_slice(w, l->zrtp_hash);
		vox_writer_puts(w, "\r\n");
	}
	vox_writer_puts(w, "a=");
	vox_writer_puts(w, vox_sdp_dir_name(a->dir));
	vox_writer_puts(w, "\r\n");
}

/* What a description is made of, apart from its version. */
struct desc {
	const struct vox_sdp_oa *oa;
	const struct vox_sdp_local *l;
	uint64_t t0, t1;
	const struct vox_sdp *offer; /* NULL for an offer */
	int chosen;                  /* answer: the accepted m= line */
	struct audio_desc audio;
};

static void put_desc(struct vox_writer *w, const struct desc *d, uint64_t version, size_t *vs,
                     size_t *ve)
{
	put_head(w, d->oa, d->l, version, d->t0, d->t1, vs, ve);
	if (!d->offer) {
		put_audio(w, d->l, &d->audio);
		return;
	}
	/* RFC 3264 6: one m= line per offered one, in order; a refused stream
	 * keeps its media, proto and formats, with port 0. */
	for (int i = 0; i < d->offer->n_media; i++) {
		const struct vox_sdp_media *m = &d->offer->media[i];
		if (i == d->chosen) {
			put_audio(w, d->l, &d->audio);
			continue;
		}
		vox_writer_puts(w, "m=");
		vox_writer_put_slice(w, m->media);
		vox_writer_puts(w, " 0 ");
		vox_writer_put_slice(w, m->proto);
		for (unsigned f = 0; f < m->n_fmts; f++) {
			vox_writer_putc(w, ' ');
			vox_writer_put_slice(w, m->fmts[f]);
		}
		vox_writer_puts(w, "\r\n");
	}
}

/* FNV-1a over a description without its version: a dialog remembers 16
 * bytes of what it sent, not the text. Two different descriptions with one
 * hash (odds 2^-64) would keep the old version number. */
#define FNV_OFFSET 0xcbf29ce484222325ULL
static uint64_t desc_hash(uint64_t h, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* Writes the description; RFC 3264 8: the o= version grows by one when it
 * differs from the last one we sent, and only then. */
static int emit(struct vox_sdp_oa *oa, const struct desc *d, char *buf, size_t cap,
                struct vox_sdp_fail *why)
{
	struct vox_writer w;
	size_t vs = 0, ve = 0;
	uint64_t version = oa->version;
	for (int pass = 0; pass < 2; pass++) {
		vox_writer_init(&w, buf, cap);
		put_desc(&w, d, version, &vs, &ve);
		int n = vox_writer_finish(&w);
		if (n < 0)
			return set_fail(why, n, 500, "output buffer too small for the description",
			                -1);
		size_t rest = (size_t)n - ve;
		if ((size_t)n - (ve - vs) > VOX_SDP_MAX_BUILD)
			return set_fail(why, VOX_ETOOLONG, 500,
			                "description above VOX_SDP_MAX_BUILD", -1);
		uint64_t h = desc_hash(desc_hash(FNV_OFFSET, buf, vs), buf + ve, rest);
		int same = oa->sent && oa->last_len == vs + rest && oa->last_hash == h;
		if (!oa->sent || same || pass == 1) {
			oa->last_hash = h;
			oa->last_len = vs + rest;
			oa->version = version;
			oa->sent = 1;
			return n;
		}
		if (version == UINT64_MAX)
			return set_fail(why, VOX_ERANGE, 500, "o= version exhausted", -1);
		version++;
	}
	return set_fail(why, VOX_EINVAL, 500, "internal error", -1); /* not reached */
}

/* ---- offer ------------------------------------------------------------------- */

int vox_sdp_oa_offer(struct vox_sdp_oa *oa, const struct vox_sdp_local *l,
                     const struct vox_rng *rng, char *buf, size_t cap, struct vox_sdp_fail *why)
{
	if (!oa || !l || (!buf && cap))
		return set_fail(why, VOX_EINVAL, 500, "missing argument", -1);
	int rc = check_local(l, why);
	if (rc < 0)
		return rc;

	uint32_t tags[VOX_SRTP_SUITE_COUNT];
	struct vox_srtp_key keys[VOX_SRTP_SUITE_COUNT];
	uint8_t n = 0;
	if (l->policy != VOX_SDP_POLICY_OFF) {
		for (unsigned i = 0; i < l->n_suites && i < VOX_SRTP_SUITE_COUNT; i++) {
			enum vox_srtp_suite s = l->suites[i];
			int dup = 0;
			for (unsigned j = 0; j < n; j++)
				dup |= keys[j].suite == s;
			if (dup || !local_suite_ok(l, s))
				continue;
			/* A re-offer keeps the key it gave for this suite
			 * (RFC 4568 7.1.4 lets the offerer keep its keys). */
			int reused = 0;
			for (unsigned j = 0; j < oa->n_offered; j++)
				if (oa->offered[j].key.suite == s) {
					keys[n] = oa->offered[j].key;
					reused = 1;
				}
			if (!reused && (rc = fresh_key(rng, s, &keys[n])) < 0) {
				vox_wipe(keys, sizeof keys);
				return set_fail(why, rc, 500, "random number generator failed", -1);
			}
			tags[n] = n + 1u;
			n++;
		}
	}
	if (l->policy == VOX_SDP_POLICY_MANDATORY && n == 0 && !zrtp_usable(l))
		return set_fail(why, VOX_EPOLICY, 488,
		                sdes_allowed(l)
		                    ? "media encryption is mandatory but no SRTP suite may be "
		                      "offered (none available, or the signalling hop is not TLS)"
		                    : mandatory_unmet(l),
		                -1);

	struct vox_sdp_pt pts[VOX_SDP_CODEC_COUNT];
	uint8_t np = 0;
	for (unsigned i = 0; i < l->n_codecs; i++) {
		enum vox_sdp_codec c = l->codecs[i];
		int dup = 0;
		for (unsigned j = 0; j < np; j++)
			dup |= pts[j].codec == c;
		if (dup)
			continue;
		pts[np].codec = c;
		pts[np].pt = (uint8_t)(codecs[c].static_pt >= 0 ? (unsigned)codecs[c].static_pt
		                                                : tel_event_pt(l));
		np++;
	}
	struct desc d = {
	    .oa = oa,
	    .l = l,
	    .offer = NULL,
	    .chosen = -1,
	    /* RFC 6189 8 (and RFC 4568 for SDES): RTP/SAVP says the
	     * keys are in the SDP. ZRTP alone keeps RTP/AVP, mandatory or
	     * not, since its keys come in the media path. */
	    .audio = {.proto = l->policy == VOX_SDP_POLICY_MANDATORY && n ? "RTP/SAVP" : "RTP/AVP",
	              .n_pts = np,
	              .pts = pts,
	              .rtcp_mux = l->rtcp_mux,
	              .dir = l->dir,
	              .n_crypto = n,
	              .tags = tags,
	              .keys = keys},
	};
	rc = emit(oa, &d, buf, cap, why);
	if (rc >= 0) {
		vox_wipe(oa->offered, sizeof oa->offered);
		for (unsigned i = 0; i < n; i++) {
			oa->offered[i].tag = tags[i];
			oa->offered[i].key = keys[i];
		}
		oa->n_offered = n;
		oa->offer_pending = 1;
		oa->offered_policy = l->policy;
		oa->offered_savp = l->policy == VOX_SDP_POLICY_MANDATORY && n;
	}
	vox_wipe(keys, sizeof keys);
	return rc;
}

/* ---- answer ------------------------------------------------------------------ */

struct cand {
	int err; /* 0: we can run this stream */
	const char *why;
	enum proto proto;
	int crypto; /* index into offer->crypto, -1 none */
	uint8_t n_pts;
	struct vox_sdp_pt pts[VOX_SDP_CODEC_COUNT];
};

/* Why no a=crypto line of m= section m was taken, naming the side at
 * fault: the offer (no line, or none vox can run) or our own suite list. */
static const char *no_crypto_why(const struct vox_sdp_local *l, const struct vox_sdp *o,
                                 const struct vox_sdp_media *m, const char *none)
{
	int runnable = 0;
	for (unsigned i = m->crypto_first; i < (unsigned)m->crypto_first + m->n_crypto; i++)
		runnable |= !o->crypto[i].unusable;
	if (!m->n_crypto)
		return none;
	if (!sdes_allowed(l))
		return "the offer's keys are SDES (a=crypto), which our policy refuses";
	if (!runnable)
		return "no a=crypto line of the offer that vox can run (unknown suite, key method "
		       "or session parameter)";
	if (!local_has_suite(l))
		return "the offer's a=crypto is fine but our SRTP suite list is empty (none "
		       "configured or available, or SDES keys may not cross this hop)";
	return "none of the offer's a=crypto suites is in our SRTP suite list";
}

static void evaluate(const struct vox_sdp_local *l, const struct vox_sdp *o, int mi, struct cand *c)
{
	const struct vox_sdp_media *m = &o->media[mi];
	int audio = 0;
	memset(c, 0, sizeof *c);
	c->crypto = -1;
	c->err = VOX_EUNSUPPORTED;
	c->proto = proto_of(m->proto);
	if (!vox_slice_eq(m->media, vox_slice_cstr("audio"))) {
		c->why = "not an audio stream";
		return;
	}
	if (m->port == 0) {
		c->why = "stream disabled by the offerer (port 0)";
		return;
	}
	if (c->proto == P_OTHER) {
		c->why = "transport protocol other than RTP/AVP and RTP/SAVP";
		return;
	}
	/* RFC 3264 6.2 lets an answerer refuse a multicast stream; vox sends
	 * and receives unicast only, and to IP addresses or host names. */
	const struct vox_sdp_conn *cn = conn_of(o, mi);
	const struct vox_sdp_attr *rt = vox_sdp_attr_find(o, mi, "rtcp");
	if (!usable_addr(cn->nettype, cn->addrtype) ||
	    (rt && rt->u.rtcp.addr.len && !usable_addr(rt->u.rtcp.nettype, rt->u.rtcp.addrtype))) {
		c->why = "address type other than IN IP4 and IN IP6";
		return;
	}
	if (cn->multicast || (rt && rt->u.rtcp.multicast)) {
		c->why = "multicast stream: vox runs unicast media only";
		return;
	}
	c->n_pts = common_codecs(l, o, mi, c->pts, &audio);
	if (!audio) {
		c->why = "no common audio codec";
		return;
	}
	/* RFC 4568 7.1.2: the first acceptable crypto line, in the offerer's
	 * order of preference. */
	for (unsigned i = m->crypto_first; i < (unsigned)m->crypto_first + m->n_crypto; i++) {
		const struct vox_sdp_crypto *k = &o->crypto[i];
		if (!k->unusable && local_suite_ok(l, k->suite)) {
			c->crypto = (int)i;
			break;
		}
	}
	c->err = VOX_EPOLICY;
	if (l->policy == VOX_SDP_POLICY_OFF) {
		c->crypto = -1; /* off: never keys, not even best-effort ones */
		if (c->proto == P_SAVP) {
			c->why = "RTP/SAVP offered but the media encryption policy is off";
			return;
		}
	} else if (c->crypto < 0 && zrtp_usable(l) &&
	           (c->proto == P_AVP || vox_sdp_attr_find(o, mi, "zrtp-hash") ||
	            vox_sdp_attr_find(o, -1, "zrtp-hash"))) {
		/* no SDES keys, and ZRTP will make them in the media path:
		 * RTP/AVP, or RTP/SAVP from a peer that announces ZRTP */
	} else if (c->crypto < 0) {
		if (c->proto == P_SAVP) {
			c->why = no_crypto_why(l, o, m, "RTP/SAVP offer without a=crypto");
			return;
		}
		if (l->policy == VOX_SDP_POLICY_MANDATORY) {
			c->why = no_crypto_why(l, o, m,
			                       "the offer is clear RTP and media encryption is "
			                       "mandatory");
			return;
		}
	}
	c->err = 0;
	c->why = NULL;
}

int vox_sdp_oa_answer(struct vox_sdp_oa *oa, const struct vox_sdp_local *l,
                      const struct vox_sdp *offer, const struct vox_rng *rng, char *buf, size_t cap,
                      struct vox_sdp_session *out, struct vox_sdp_fail *why)
{
	if (!oa || !l || !offer || !out || (!buf && cap))
		return set_fail(why, VOX_EINVAL, 500, "missing argument", -1);
	int rc = check_local(l, why);
	if (rc < 0)
		return rc;
	memset(out, 0, sizeof *out);

	struct cand cands[VOX_SDP_MAX_MEDIA];
	int chosen = -1;
	for (int i = 0; i < offer->n_media && i < VOX_SDP_MAX_MEDIA; i++) {
		evaluate(l, offer, i, &cands[i]);
		if (cands[i].err)
			continue;
		/* The first stream we can run; a later one that gets SRTP beats
		 * a clear one. */
		if (chosen < 0 || (cands[chosen].crypto < 0 && cands[i].crypto >= 0))
			chosen = i;
	}
	if (chosen < 0) {
		/* Name the first audio stream's problem: it says most. */
		for (int i = 0; i < offer->n_media; i++)
			if (vox_slice_eq(offer->media[i].media, vox_slice_cstr("audio")) &&
			    offer->media[i].port)
				return set_fail(why, cands[i].err, 488, cands[i].why, i);
		return set_fail(why, VOX_EUNSUPPORTED, 488, "no audio stream in the offer", -1);
	}
	const struct cand *c = &cands[chosen];
	const struct vox_sdp_media *m = &offer->media[chosen];

	rc = fill_remote(l, offer, chosen, out, why);
	if (rc < 0)
		return rc;
	out->mline = (uint8_t)chosen;
	out->n_pts = c->n_pts;
	memcpy(out->pts, c->pts, sizeof out->pts);
	out->send_pt = -1;
	out->tel_event_pt = -1;
	for (unsigned i = 0; i < c->n_pts; i++) {
		if (c->pts[i].codec == VOX_SDP_CODEC_TEL_EVENT) {
			if (out->tel_event_pt < 0)
				out->tel_event_pt = c->pts[i].pt;
		} else if (out->send_pt < 0) {
			out->send_pt = c->pts[i].pt;
		}
	}
	out->dir = our_dir(m->dir, out->remote_legacy_hold, l->dir);

	uint32_t tag = 0;
	struct vox_srtp_key tx;
	memset(&tx, 0, sizeof tx);
	if (VOX_WITH_SDES && c->crypto >= 0) { /* (never without SDES: local_suite_ok) */
		const struct vox_sdp_crypto *k = &offer->crypto[c->crypto];
		tag = k->tag;
		for (unsigned i = 0; i < k->n_keys; i++) {
			rc = vox_sdp_key_decode(k, i, &out->rx[i]);
			if (rc < 0) {
				vox_sdp_session_free(out);
				return set_fail(why, rc, 488, "peer key does not decode", chosen);
			}
		}
		out->n_rx = k->n_keys;
		out->rx_window = k->wsh;
		out->prot = VOX_SDP_PROT_SDES;
		out->best_effort = c->proto == P_AVP;
		out->crypto_tag = tag;
		/* Keep our key across a refresh of the same choice. An offerer
		 * that brings a new key re-keys the call (RFC 4568 7.1.4: new
		 * keys, new SRTP contexts): we answer with a new key too, so
		 * that both directions are renewed, as whoever asked expects. */
		if (oa->answered_valid && oa->answered_mline == chosen && oa->answered_tag == tag &&
		    oa->answered.suite == k->suite && same_key(&oa->answered_peer, &out->rx[0])) {
			tx = oa->answered;
		} else if ((rc = fresh_key(rng, k->suite, &tx)) < 0) {
			vox_sdp_session_free(out);
			return set_fail(why, rc, 500, "random number generator failed", -1);
		}
		out->tx = tx;
	}
	/* RFC 3264 6: the answer's t= equals the offer's. */
	struct desc d = {
	    .oa = oa,
	    .l = l,
	    .t0 = offer->n_times ? offer->times[0].start : 0,
	    .t1 = offer->n_times ? offer->times[0].stop : 0,
	    .offer = offer,
	    .chosen = chosen,
	    .audio = {.proto = c->proto == P_SAVP ? "RTP/SAVP" : "RTP/AVP",
	              .n_pts = c->n_pts,
	              .pts = c->pts,
	              .rtcp_mux = out->rtcp_mux,
	              .dir = out->dir,
	              .n_crypto = c->crypto >= 0,
	              .tags = &tag,
	              .keys = &tx},
	};
	rc = emit(oa, &d, buf, cap, why);
	if (rc < 0) {
		vox_wipe(&tx, sizeof tx);
		vox_sdp_session_free(out);
		return rc;
	}
	oa->answered_valid = c->crypto >= 0;
	oa->answered_mline = (uint8_t)chosen;
	oa->answered_tag = tag;
	oa->answered = tx;
	oa->answered_peer = out->rx[0];
	vox_wipe(&tx, sizeof tx);
	return rc;
}

/* ---- the answer to our offer ------------------------------------------------ */

int vox_sdp_oa_recv_answer(struct vox_sdp_oa *oa, const struct vox_sdp_local *l,
                           const struct vox_sdp *a, struct vox_sdp_session *out,
                           struct vox_sdp_fail *why)
{
	if (!oa || !l || !a || !out)
		return set_fail(why, VOX_EINVAL, 500, "missing argument", -1);
	if (!oa->offer_pending)
		return set_fail(why, VOX_ESTATE, 500, "no offer of ours waits for an answer", -1);
	memset(out, 0, sizeof *out);
	/* RFC 3264 6: as many m= lines as the offer, which had one. */
	if (a->n_media != 1)
		return set_fail(why, VOX_EMALFORMED, 488,
		                "the answer has another number of m= lines than the offer", -1);
	const struct vox_sdp_media *m = &a->media[0];
	if (!vox_slice_eq(m->media, vox_slice_cstr("audio")))
		return set_fail(why, VOX_EMALFORMED, 488, "the answer's m= line is not audio", 0);
	if (m->port == 0)
		return set_fail(why, VOX_EUNSUPPORTED, 488, "the peer refused the audio stream", 0);
	enum proto want = oa->offered_savp ? P_SAVP : P_AVP;
	if (proto_of(m->proto) != want)
		return set_fail(why, VOX_EMALFORMED, 488,
		                "the answer's transport protocol differs from the offer's", 0);

	/* Payload types: only those we offered, as we numbered them. */
	int audio = 0;
	out->send_pt = -1;
	out->tel_event_pt = -1;
	for (unsigned f = 0; f < m->n_fmts; f++) {
		uint8_t pt = 0;
		int c = fmt_codec(a, 0, m->fmts[f], &pt);
		if (c < 0 || !local_has(l, (enum vox_sdp_codec)c) ||
		    out->n_pts >= VOX_SDP_CODEC_COUNT)
			continue;
		unsigned ours =
		    codecs[c].static_pt >= 0 ? (unsigned)codecs[c].static_pt : tel_event_pt(l);
		int dup = 0;
		for (unsigned j = 0; j < out->n_pts; j++)
			dup |= out->pts[j].codec == (enum vox_sdp_codec)c;
		if (pt != ours || dup)
			continue;
		out->pts[out->n_pts].pt = pt;
		out->pts[out->n_pts].codec = (enum vox_sdp_codec)c;
		out->n_pts++;
		if (c == VOX_SDP_CODEC_TEL_EVENT) {
			out->tel_event_pt = pt;
		} else if (!audio) {
			audio = 1;
			out->send_pt = pt;
		}
	}
	if (!audio)
		return set_fail(why, VOX_EUNSUPPORTED, 488, "no common audio codec in the answer",
		                0);

	int rc = fill_remote(l, a, 0, out, why);
	if (rc < 0)
		return rc;
	out->dir = our_dir(m->dir, out->remote_legacy_hold, l->dir);

	/* RFC 4568 7.1.3: one a=crypto line, answering one of ours. */
	if (m->n_crypto > 1) {
		vox_sdp_session_free(out);
		return set_fail(why, VOX_EMALFORMED, 488, "the answer has more than one a=crypto",
		                0);
	}
	if (m->n_crypto == 1) {
		const struct vox_sdp_crypto *k = &a->crypto[m->crypto_first];
		int idx = -1;
		for (unsigned i = 0; i < oa->n_offered; i++)
			if (oa->offered[i].tag == k->tag && oa->offered[i].key.suite == k->suite)
				idx = (int)i;
		if (idx < 0) {
			vox_sdp_session_free(out);
			return set_fail(why, VOX_EMALFORMED, 488,
			                "the answer's a=crypto tag or suite is not one we offered",
			                0);
		}
		if (k->unusable) {
			vox_sdp_session_free(out);
			return set_fail(why, VOX_EPOLICY, 488, k->unusable, 0);
		}
		for (unsigned i = 0; i < k->n_keys; i++) {
			rc = vox_sdp_key_decode(k, i, &out->rx[i]);
			if (rc < 0) {
				vox_sdp_session_free(out);
				return set_fail(why, rc, 488, "peer key does not decode", 0);
			}
		}
		out->n_rx = k->n_keys;
		out->rx_window = k->wsh;
		out->tx = oa->offered[idx].key;
		out->crypto_tag = k->tag;
		out->prot = VOX_SDP_PROT_SDES;
		out->best_effort = want == P_AVP;
	} else if (oa->offered_policy == VOX_SDP_POLICY_MANDATORY && !zrtp_usable(l)) {
		vox_sdp_session_free(out);
		return set_fail(why, VOX_EPOLICY, 488,
		                "the answer is clear RTP and media encryption is mandatory", 0);
	}
	oa->offer_pending = 0;
	return 0;
}
