/* SPDX-License-Identifier: MIT */
/* RTP packets: RFC 3550 5.1 fixed header, CSRC list, padding, and the header
 * extension in the RFC 8285 one-byte and two-byte forms. */
#include <string.h>

#include "rtp/rtp_int.h"

#define EXT_ONE_BYTE_PROFILE 0xBEDEu
#define EXT_TWO_BYTE_PROFILE 0x1000u /* RFC 8285 4.3: 0x100 and 4 app bits */

void vox_rtp_packet_init(struct vox_rtp_packet *pkt)
{
	memset(pkt, 0, sizeof *pkt);
}

/* Records one extension element of l bytes at cur (both RFC 8285 forms). */
static int add_element(const uint8_t *base, const uint8_t *cur, const uint8_t *end, uint8_t id,
                       size_t l, struct vox_rtp_packet *pkt, struct vox_diag *diag)
{
	if (l > (size_t)(end - cur))
		return vox_bfail(diag, base, cur, VOX_EMALFORMED,
		                 "extension element runs past the extension block");
	if (pkt->n_ext == VOX_RTP_MAX_EXT)
		return vox_bfail(diag, base, cur, VOX_ELIMIT,
		                 "more extension elements than VOX_RTP_MAX_EXT");
	pkt->ext[pkt->n_ext].id = id;
	pkt->ext[pkt->n_ext].len = (uint8_t)l;
	pkt->ext[pkt->n_ext].data = cur;
	pkt->n_ext++;
	return 0;
}

/* RFC 8285 4.2. A zero byte is padding; ID 15 ends processing (the rest of
 * the block is ignored, as the RFC asks); ID 0 with a length is not allowed. */
static int parse_one_byte(const uint8_t *base, const uint8_t *cur, const uint8_t *end,
                          struct vox_rtp_packet *pkt, struct vox_diag *diag)
{
	while (cur < end) {
		uint8_t b = *cur;
		if (b == 0) {
			cur++;
			continue;
		}
		uint8_t id = (uint8_t)(b >> 4);
		size_t l = (size_t)(b & 0x0f) + 1;
		if (id == 15)
			break;
		if (id == 0)
			return vox_bfail(diag, base, cur, VOX_EMALFORMED,
			                 "one-byte extension ID 0 is reserved for padding");
		cur++;
		int rc = add_element(base, cur, end, id, l, pkt, diag);
		if (rc < 0)
			return rc;
		cur += l;
	}
	return 0;
}

/* RFC 8285 4.3: ID byte, length byte, data; a zero ID byte is padding. */
static int parse_two_byte(const uint8_t *base, const uint8_t *cur, const uint8_t *end,
                          struct vox_rtp_packet *pkt, struct vox_diag *diag)
{
	while (cur < end) {
		uint8_t id = *cur;
		if (id == 0) {
			cur++;
			continue;
		}
		if (2 > (size_t)(end - cur))
			return vox_bfail(diag, base, cur, VOX_EMALFORMED,
			                 "two-byte extension element header cut off");
		size_t l = cur[1];
		cur += 2;
		int rc = add_element(base, cur, end, id, l, pkt, diag);
		if (rc < 0)
			return rc;
		cur += l;
	}
	return 0;
}

int vox_rtp_parse(const uint8_t *buf, size_t len, struct vox_rtp_packet *pkt, struct vox_diag *diag)
{
	vox_rtp_packet_init(pkt);
	if (len > (size_t)INT32_MAX)
		return vox_bfail(diag, buf, buf, VOX_ETOOLONG, "datagram longer than 2 GiB");
	const uint8_t *cur = buf;
	const uint8_t *end = buf + len;
	if (VOX_RTP_HDR_MIN > len)
		return vox_bfail(diag, buf, cur, VOX_EMALFORMED,
		                 "RTP header shorter than 12 bytes");
	if ((buf[0] >> 6) != VOX_RTP_VERSION)
		return vox_bfail(diag, buf, cur, VOX_EVERSION, "RTP version is not 2");
	int has_pad = (buf[0] & 0x20) != 0;
	int has_ext = (buf[0] & 0x10) != 0;
	pkt->cc = (uint8_t)(buf[0] & 0x0f);
	pkt->marker = (uint8_t)(buf[1] >> 7);
	pkt->pt = (uint8_t)(buf[1] & 0x7f);
	pkt->seq = vox_get16(buf + 2);
	pkt->ts = vox_get32(buf + 4);
	pkt->ssrc = vox_get32(buf + 8);
	cur += VOX_RTP_HDR_MIN;

	size_t need = (size_t)pkt->cc * 4;
	if (need > (size_t)(end - cur))
		return vox_bfail(diag, buf, cur, VOX_EMALFORMED, "CSRC list runs past the packet");
	for (unsigned i = 0; i < pkt->cc; i++, cur += 4)
		pkt->csrc[i] = vox_get32(cur);

	if (has_ext) {
		if (4 > (size_t)(end - cur))
			return vox_bfail(diag, buf, cur, VOX_EMALFORMED,
			                 "header extension header runs past the packet");
		pkt->ext_profile = vox_get16(cur);
		need = (size_t)vox_get16(cur + 2) * 4;
		cur += 4;
		if (need > (size_t)(end - cur))
			return vox_bfail(diag, buf, cur, VOX_EMALFORMED,
			                 "header extension runs past the packet");
		pkt->ext_body = cur;
		pkt->ext_body_len = need;
		int rc = 0;
		if (pkt->ext_profile == EXT_ONE_BYTE_PROFILE) {
			pkt->ext_form = VOX_RTP_EXT_ONE_BYTE;
			rc = parse_one_byte(buf, cur, cur + need, pkt, diag);
		} else if ((pkt->ext_profile & 0xfff0u) == EXT_TWO_BYTE_PROFILE) {
			pkt->ext_form = VOX_RTP_EXT_TWO_BYTE;
			rc = parse_two_byte(buf, cur, cur + need, pkt, diag);
		} else {
			pkt->ext_form = VOX_RTP_EXT_OTHER;
		}
		if (rc < 0)
			return rc;
		cur += need;
	}

	pkt->payload = cur;
	pkt->payload_len = (size_t)(end - cur);
	if (has_pad) {
		/* RFC 3550 5.1: the last octet counts the padding, itself included.
		 * A count equal to all that follows the header is accepted:
		 * padding-only packets are sent for bandwidth probing. */
		if (pkt->payload_len == 0)
			return vox_bfail(diag, buf, cur, VOX_EMALFORMED,
			                 "padding bit set but no room for the padding count");
		uint8_t pad = end[-1];
		if (pad == 0)
			return vox_bfail(diag, buf, end - 1, VOX_EMALFORMED, "padding count is 0");
		if (pad > pkt->payload_len)
			return vox_bfail(diag, buf, end - 1, VOX_EMALFORMED,
			                 "padding count larger than the payload");
		pkt->payload_len -= pad;
		pkt->pad_len = pad;
	}
	return (int)len;
}

/* Bytes the extension body takes in the given form (before rounding to 4),
 * or VOX_EINVAL. */
static int ext_body_size(const struct vox_rtp_packet *pkt, size_t *out)
{
	size_t n = 0;
	if (pkt->n_ext > VOX_RTP_MAX_EXT)
		return VOX_EINVAL;
	switch (pkt->ext_form) {
	case VOX_RTP_EXT_NONE: *out = 0; return 0;
	case VOX_RTP_EXT_ONE_BYTE:
		for (size_t i = 0; i < pkt->n_ext; i++) {
			const struct vox_rtp_ext *e = &pkt->ext[i];
			if (e->id < 1 || e->id > 14 || e->len < 1 || e->len > 16)
				return VOX_EINVAL;
			if (!e->data)
				return VOX_EINVAL;
			n += 1u + e->len;
		}
		break;
	case VOX_RTP_EXT_TWO_BYTE:
		for (size_t i = 0; i < pkt->n_ext; i++) {
			const struct vox_rtp_ext *e = &pkt->ext[i];
			if (e->id < 1 || (e->len && !e->data))
				return VOX_EINVAL;
			n += 2u + e->len;
		}
		break;
	case VOX_RTP_EXT_OTHER:
		if (pkt->ext_body_len % 4 || (pkt->ext_body_len && !pkt->ext_body))
			return VOX_EINVAL;
		n = pkt->ext_body_len;
		break;
	default: return VOX_EINVAL;
	}
	n = (n + 3) & ~(size_t)3;
	if (n / 4 > 0xffffu)
		return VOX_EINVAL;
	*out = n;
	return 0;
}

int vox_rtp_print(const struct vox_rtp_packet *pkt, uint8_t *out, size_t cap)
{
	if (pkt->pt > 127 || pkt->cc > VOX_RTP_MAX_CSRC || pkt->marker > 1)
		return VOX_EINVAL;
	if (pkt->payload_len && !pkt->payload)
		return VOX_EINVAL;
	size_t body = 0;
	int rc = ext_body_size(pkt, &body);
	if (rc < 0)
		return rc;
	size_t hdr = VOX_RTP_HDR_MIN + (size_t)pkt->cc * 4 +
	             (pkt->ext_form != VOX_RTP_EXT_NONE ? 4 + body : 0);
	/* Each term is checked against what is left, so the sum cannot wrap. */
	if (hdr > cap || pkt->payload_len > cap - hdr ||
	    pkt->pad_len > cap - hdr - pkt->payload_len)
		return VOX_ENOSPC;
	size_t total = hdr + pkt->payload_len + pkt->pad_len;
	if (total > (size_t)INT32_MAX)
		return VOX_ETOOLONG;

	uint8_t *p = out;
	p[0] = (uint8_t)(VOX_RTP_VERSION << 6 | (pkt->pad_len ? 0x20 : 0) |
	                 (pkt->ext_form != VOX_RTP_EXT_NONE ? 0x10 : 0) | pkt->cc);
	p[1] = (uint8_t)(pkt->marker << 7 | pkt->pt);
	vox_put16(p + 2, pkt->seq);
	vox_put32(p + 4, pkt->ts);
	vox_put32(p + 8, pkt->ssrc);
	p += VOX_RTP_HDR_MIN;
	for (unsigned i = 0; i < pkt->cc; i++, p += 4)
		vox_put32(p, pkt->csrc[i]);
	if (pkt->ext_form != VOX_RTP_EXT_NONE) {
		uint16_t profile = pkt->ext_profile;
		if (pkt->ext_form == VOX_RTP_EXT_ONE_BYTE)
			profile = EXT_ONE_BYTE_PROFILE;
		else if (pkt->ext_form == VOX_RTP_EXT_TWO_BYTE)
			profile = (uint16_t)(EXT_TWO_BYTE_PROFILE | (pkt->ext_profile & 0x0fu));
		vox_put16(p, profile);
		vox_put16(p + 2, (uint16_t)(body / 4));
		p += 4;
		uint8_t *bstart = p;
		if (pkt->ext_form == VOX_RTP_EXT_OTHER) {
			if (body)
				memcpy(p, pkt->ext_body, body);
			p += body;
		} else {
			for (size_t i = 0; i < pkt->n_ext; i++) {
				const struct vox_rtp_ext *e = &pkt->ext[i];
				if (pkt->ext_form == VOX_RTP_EXT_ONE_BYTE) {
					*p++ = (uint8_t)(e->id << 4 | (e->len - 1));
				} else {
					*p++ = e->id;
					*p++ = e->len;
				}
				if (e->len)
					memcpy(p, e->data, e->len);
				p += e->len;
			}
			/* RFC 8285 4.1: pad the block to 32 bits with zero bytes. */
			while ((size_t)(p - bstart) < body)
				*p++ = 0;
		}
	}
	if (pkt->payload_len)
		memcpy(p, pkt->payload, pkt->payload_len);
	p += pkt->payload_len;
	if (pkt->pad_len) {
		memset(p, 0, (size_t)pkt->pad_len - 1);
		p[pkt->pad_len - 1] = pkt->pad_len;
	}
	return (int)total;
}

const struct vox_rtp_ext *vox_rtp_ext_find(const struct vox_rtp_packet *pkt, uint8_t id)
{
	for (size_t i = 0; i < pkt->n_ext && i < VOX_RTP_MAX_EXT; i++)
		if (pkt->ext[i].id == id)
			return &pkt->ext[i];
	return NULL;
}

uint32_t vox_rtp_seq_extend(struct vox_rtp_seq *s, uint16_t seq)
{
	if (!s->started) {
		/* One cycle of headroom so that a late packet from before the first
		 * one still gets a smaller extended number. */
		s->started = 1;
		s->cycles = 65536;
		s->max_seq = seq;
		return s->cycles + seq;
	}
	uint16_t udelta = (uint16_t)(seq - s->max_seq);
	if (udelta < VOX_RTP_MAX_DROPOUT) {
		if (seq < s->max_seq)
			s->cycles += 65536;
		s->max_seq = seq;
		return s->cycles + seq;
	}
	if (udelta >= 65536 - VOX_RTP_MAX_MISORDER) {
		/* Late: from this cycle, or from the previous one if it is
		 * numerically above the highest seen. */
		if (seq > s->max_seq)
			return s->cycles - 65536 + seq;
		return s->cycles + seq;
	}
	/* A jump: restart at seq, never going backwards. */
	if (seq < s->max_seq)
		s->cycles += 65536;
	s->max_seq = seq;
	return s->cycles + seq;
}
