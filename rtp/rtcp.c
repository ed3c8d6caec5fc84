/* SPDX-License-Identifier: MIT */
/* RTCP compound packets (RFC 3550 6.4-6.7) with the validity checks of
 * A.2, typed decoders and printers. */
#include <string.h>

#include "rtp/rtp_int.h"

#define RTCP_HDR 4
#define RB_LEN   24
#define SI_LEN   20

int vox_rtcp_parse(const uint8_t *buf, size_t len, int allow_reduced, struct vox_rtcp_compound *c,
                   struct vox_diag *diag)
{
	c->n = 0;
	if (len > (size_t)INT32_MAX)
		return vox_bfail(diag, buf, buf, VOX_ETOOLONG, "datagram longer than 2 GiB");
	const uint8_t *cur = buf;
	const uint8_t *end = buf + len;
	if (RTCP_HDR > len)
		return vox_bfail(diag, buf, cur, VOX_EMALFORMED,
		                 "RTCP shorter than its 4-byte header");
	if (len % 4)
		return vox_bfail(diag, buf, cur, VOX_EMALFORMED,
		                 "RTCP compound length is not a multiple of 4");
	/* A.2: the first packet is SR or RR (RFC 5506 relaxes this), padding
	 * bit clear: the mask 0xc000 | 0x2000 | 0xfe of the reference code. */
	if (!allow_reduced) {
		if (buf[0] & 0x20)
			return vox_bfail(diag, buf, cur, VOX_EMALFORMED,
			                 "padding bit set in the first RTCP packet");
		if (buf[1] != VOX_RTCP_SR && buf[1] != VOX_RTCP_RR)
			return vox_bfail(diag, buf, cur + 1, VOX_EMALFORMED,
			                 "compound RTCP does not start with SR or RR");
	}
	while (cur < end) {
		if (RTCP_HDR > (size_t)(end - cur))
			return vox_bfail(diag, buf, cur, VOX_EMALFORMED, "RTCP header cut off");
		if ((cur[0] >> 6) != VOX_RTP_VERSION)
			return vox_bfail(diag, buf, cur, VOX_EVERSION, "RTCP version is not 2");
		if (cur[1] < 192 || cur[1] > 223)
			return vox_bfail(diag, buf, cur + 1, VOX_EMALFORMED,
			                 "RTCP packet type outside 192..223");
		size_t plen = ((size_t)vox_get16(cur + 2) + 1) * 4;
		if (plen > (size_t)(end - cur))
			return vox_bfail(diag, buf, cur + 2, VOX_EMALFORMED,
			                 "RTCP length field runs past the datagram");
		size_t body_len = plen - RTCP_HDR;
		if (cur[0] & 0x20) {
			/* RFC 3550 6.4.1: only the last packet of a compound is padded. */
			if (plen != (size_t)(end - cur))
				return vox_bfail(diag, buf, cur, VOX_EMALFORMED,
				                 "padding in an RTCP packet that is not the last");
			uint8_t pad = end[-1];
			if (pad == 0 || pad > body_len)
				return vox_bfail(diag, buf, end - 1, VOX_EMALFORMED,
				                 "bad RTCP padding count");
			body_len -= pad;
		}
		if (c->n == VOX_RTCP_MAX_PACKETS)
			return vox_bfail(diag, buf, cur, VOX_ELIMIT,
			                 "more RTCP packets than VOX_RTCP_MAX_PACKETS");
		struct vox_rtcp_pkt *p = &c->pkt[c->n++];
		p->type = cur[1];
		p->count = (uint8_t)(cur[0] & 0x1f);
		p->body = cur + RTCP_HDR;
		p->body_len = body_len;
		cur += plen;
	}
	return (int)len;
}

int vox_rtcp_report_parse(const struct vox_rtcp_pkt *p, struct vox_rtcp_report *r)
{
	memset(r, 0, sizeof *r);
	if (p->type != VOX_RTCP_SR && p->type != VOX_RTCP_RR)
		return VOX_EINVAL;
	size_t fixed = 4 + (p->type == VOX_RTCP_SR ? SI_LEN : 0);
	size_t need = fixed + (size_t)p->count * RB_LEN;
	if (need > p->body_len)
		return VOX_EMALFORMED;
	const uint8_t *b = p->body;
	r->ssrc = vox_get32(b);
	if (p->type == VOX_RTCP_SR) {
		r->has_sender_info = 1;
		r->si.ntp = (uint64_t)vox_get32(b + 4) << 32 | vox_get32(b + 8);
		r->si.rtp_ts = vox_get32(b + 12);
		r->si.packet_count = vox_get32(b + 16);
		r->si.octet_count = vox_get32(b + 20);
	}
	r->rc = p->count;
	r->blocks = b + fixed;
	r->ext = b + need;
	r->ext_len = p->body_len - need;
	return 0;
}

void vox_rtcp_report_block(const struct vox_rtcp_report *r, unsigned i, struct vox_rtcp_rb *rb)
{
	memset(rb, 0, sizeof *rb);
	if (i >= r->rc)
		return;
	const uint8_t *b = r->blocks + (size_t)i * RB_LEN;
	rb->ssrc = vox_get32(b);
	rb->fraction_lost = b[4];
	uint32_t lost = vox_get24(b + 5);
	/* 24-bit two's complement (RFC 3550 6.4.1: cumulative lost is signed). */
	rb->cumulative_lost = (lost & 0x800000u) ? (int32_t)lost - 0x1000000 : (int32_t)lost;
	rb->ext_highest_seq = vox_get32(b + 8);
	rb->jitter = vox_get32(b + 12);
	rb->lsr = vox_get32(b + 16);
	rb->dlsr = vox_get32(b + 20);
}

int vox_rtcp_sdes_begin(const struct vox_rtcp_pkt *p, struct vox_rtcp_sdes_iter *it)
{
	memset(it, 0, sizeof *it);
	if (p->type != VOX_RTCP_SDES)
		return VOX_EINVAL;
	it->base = p->body;
	it->cur = p->body;
	it->end = p->body + p->body_len;
	it->chunks_left = p->count;
	return 0;
}

int vox_rtcp_sdes_next(struct vox_rtcp_sdes_iter *it, struct vox_rtcp_sdes_item *item)
{
	for (;;) {
		if (!it->in_chunk) {
			if (it->chunks_left == 0) {
				if (it->cur != it->end)
					return VOX_EMALFORMED; /* more data than SC chunks */
				return 0;
			}
			if (4 > (size_t)(it->end - it->cur))
				return VOX_EMALFORMED; /* fewer chunks than SC says */
			it->ssrc = vox_get32(it->cur);
			it->cur += 4;
			it->in_chunk = 1;
			it->chunks_left--;
		}
		if (it->cur == it->end)
			return VOX_EMALFORMED; /* chunk not ended by a null item */
		uint8_t type = *it->cur;
		if (type == VOX_SDES_END) {
			/* RFC 3550 6.5: the item list ends with one or more null
			 * octets up to the next 32-bit boundary of the packet. */
			it->cur++;
			while ((size_t)(it->cur - it->base) % 4) {
				if (it->cur == it->end || *it->cur != 0)
					return VOX_EMALFORMED;
				it->cur++;
			}
			it->in_chunk = 0;
			continue;
		}
		if (2 > (size_t)(it->end - it->cur))
			return VOX_EMALFORMED;
		size_t l = it->cur[1];
		if (l > (size_t)(it->end - it->cur) - 2)
			return VOX_EMALFORMED;
		item->ssrc = it->ssrc;
		item->type = type;
		item->text.p = (const char *)(it->cur + 2);
		item->text.len = l;
		it->cur += 2 + l;
		return 1;
	}
}

int vox_rtcp_bye_parse(const struct vox_rtcp_pkt *p, struct vox_rtcp_bye *b)
{
	memset(b, 0, sizeof *b);
	if (p->type != VOX_RTCP_BYE)
		return VOX_EINVAL;
	size_t need = (size_t)p->count * 4;
	if (need > p->body_len)
		return VOX_EMALFORMED;
	b->sc = p->count;
	b->ssrcs = p->body;
	size_t rest = p->body_len - need;
	if (rest) {
		const uint8_t *r = p->body + need;
		size_t l = r[0];
		if (l > rest - 1)
			return VOX_EMALFORMED; /* reason runs past the packet */
		/* What follows the reason is padding to 32 bits: under 4 bytes. */
		if (rest - 1 - l >= 4)
			return VOX_EMALFORMED;
		b->reason.p = (const char *)(r + 1);
		b->reason.len = l;
	}
	return 0;
}

uint32_t vox_rtcp_bye_ssrc(const struct vox_rtcp_bye *b, unsigned i)
{
	if (i >= b->sc)
		return 0;
	return vox_get32(b->ssrcs + (size_t)i * 4);
}

int vox_rtcp_app_parse(const struct vox_rtcp_pkt *p, struct vox_rtcp_app *a)
{
	memset(a, 0, sizeof *a);
	if (p->type != VOX_RTCP_APP)
		return VOX_EINVAL;
	if (8 > p->body_len)
		return VOX_EMALFORMED;
	a->subtype = p->count;
	a->ssrc = vox_get32(p->body);
	memcpy(a->name, p->body + 4, 4);
	a->data = p->body + 8;
	a->data_len = p->body_len - 8;
	return 0;
}

/* ---- printers ---------------------------------------------------------- */

/* Opens a packet: header with a zero length, patched by close_pkt. */
static size_t open_pkt(struct vox_writer *w, uint8_t count, uint8_t type)
{
	size_t start = w->len;
	vox_w8(w, (uint8_t)(VOX_RTP_VERSION << 6 | count));
	vox_w8(w, type);
	vox_w16(w, 0);
	return start;
}

static void close_pkt(struct vox_writer *w, size_t start)
{
	if (w->err)
		return;
	size_t words = (w->len - start) / 4 - 1;
	vox_put16((uint8_t *)w->buf + start + 2, (uint16_t)words);
}

static void put_rb(struct vox_writer *w, const struct vox_rtcp_rb *rb)
{
	int32_t lost = rb->cumulative_lost;
	if (lost > 0x7fffff)
		lost = 0x7fffff;
	if (lost < -0x800000)
		lost = -0x800000;
	vox_w32(w, rb->ssrc);
	vox_w32(w, (uint32_t)rb->fraction_lost << 24 | ((uint32_t)lost & 0xffffffu));
	vox_w32(w, rb->ext_highest_seq);
	vox_w32(w, rb->jitter);
	vox_w32(w, rb->lsr);
	vox_w32(w, rb->dlsr);
}

int vox_rtcp_print_sr(struct vox_writer *w, uint32_t ssrc, const struct vox_rtcp_sender_info *si,
                      const struct vox_rtcp_rb *rb, unsigned n)
{
	if (n > 31 || (n && !rb))
		return VOX_EINVAL;
	size_t start = open_pkt(w, (uint8_t)n, VOX_RTCP_SR);
	vox_w32(w, ssrc);
	vox_w32(w, (uint32_t)(si->ntp >> 32));
	vox_w32(w, (uint32_t)si->ntp);
	vox_w32(w, si->rtp_ts);
	vox_w32(w, si->packet_count);
	vox_w32(w, si->octet_count);
	for (unsigned i = 0; i < n; i++)
		put_rb(w, &rb[i]);
	close_pkt(w, start);
	return 0;
}

int vox_rtcp_print_rr(struct vox_writer *w, uint32_t ssrc, const struct vox_rtcp_rb *rb, unsigned n)
{
	if (n > 31 || (n && !rb))
		return VOX_EINVAL;
	size_t start = open_pkt(w, (uint8_t)n, VOX_RTCP_RR);
	vox_w32(w, ssrc);
	for (unsigned i = 0; i < n; i++)
		put_rb(w, &rb[i]);
	close_pkt(w, start);
	return 0;
}

static void pad_to_word(struct vox_writer *w, size_t start)
{
	while (!w->err && (w->len - start) % 4)
		vox_w8(w, 0);
}

int vox_rtcp_print_sdes_cname(struct vox_writer *w, uint32_t ssrc, struct vox_slice cname)
{
	if (cname.len > 255 || (cname.len && !cname.p))
		return VOX_EINVAL;
	size_t start = open_pkt(w, 1, VOX_RTCP_SDES);
	vox_w32(w, ssrc);
	vox_w8(w, VOX_SDES_CNAME);
	vox_w8(w, (uint8_t)cname.len);
	vox_writer_put(w, cname.p, cname.len);
	vox_w8(w, VOX_SDES_END); /* at least one null octet ends the list */
	pad_to_word(w, start);
	close_pkt(w, start);
	return 0;
}

int vox_rtcp_print_bye(struct vox_writer *w, const uint32_t *ssrc, unsigned n,
                       struct vox_slice reason)
{
	if (n > 31 || (n && !ssrc) || reason.len > 255 || (reason.len && !reason.p))
		return VOX_EINVAL;
	size_t start = open_pkt(w, (uint8_t)n, VOX_RTCP_BYE);
	for (unsigned i = 0; i < n; i++)
		vox_w32(w, ssrc[i]);
	if (reason.len) {
		vox_w8(w, (uint8_t)reason.len);
		vox_writer_put(w, reason.p, reason.len);
		pad_to_word(w, start);
	}
	close_pkt(w, start);
	return 0;
}

int vox_rtcp_print_app(struct vox_writer *w, uint32_t ssrc, uint8_t subtype, const char name[4],
                       const uint8_t *data, size_t len)
{
	if (subtype > 31 || len % 4 || (len && !data) || len > 4 * 65535u - 8)
		return VOX_EINVAL;
	size_t start = open_pkt(w, subtype, VOX_RTCP_APP);
	vox_w32(w, ssrc);
	vox_writer_put(w, name, 4);
	vox_writer_put(w, data, len);
	close_pkt(w, start);
	return 0;
}
