/* SPDX-License-Identifier: MIT */
/*
 * Every typed header decoder. The first byte picks the decoder, the rest is
 * the header value. Checks that reported error offsets stay in the value,
 * that slices of a decoded value point into it, and that a tag or branch is
 * a token (RFC 3261 25.1: never a ':', '[' or '"' in it).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vox/sip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *lo, *hi;

static void inside(struct vox_slice s)
{
	if (s.len && (s.p < lo || s.p + s.len > hi))
		abort();
}

static void token(struct vox_slice s)
{
	if (s.p && (!s.len || memchr(s.p, ':', s.len) || memchr(s.p, '[', s.len) ||
	            memchr(s.p, '"', s.len)))
		abort();
}

static void params_inside(const struct vox_sip_params *ps)
{
	if (ps->n > VOX_SIP_MAX_PARAMS)
		abort();
	for (size_t i = 0; i < ps->n; i++) {
		inside(ps->p[i].name);
		inside(ps->p[i].value);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct vox_slice v = {(const char *)data + 1, size - 1};
	lo = v.p;
	hi = v.p + v.len;
	struct vox_diag d = {0, NULL};
	union {
		struct vox_sip_via via;
		struct vox_sip_addr addr;
		struct vox_sip_contact contact;
		struct vox_sip_cseq cseq;
		struct vox_sip_ctype ctype;
		struct vox_sip_auth auth;
		struct vox_sip_date date;
	} u;
	struct vox_slice tok;
	uint64_t n;
	uint8_t mf;
	char tmp[512];
	int rc;
	switch (data[0] % 10) {
	case 0:
		rc = vox_sip_via_parse(&u.via, v, &d);
		if (!rc) {
			inside(u.via.branch);
			token(u.via.branch);
			inside(u.via.host.name);
			params_inside(&u.via.params);
		}
		break;
	case 1:
		rc = vox_sip_addr_parse(&u.addr, v, &d);
		if (!rc) {
			inside(u.addr.display);
			inside(u.addr.tag);
			token(u.addr.tag);
			params_inside(&u.addr.params);
			params_inside(&u.addr.uri.params);
			if (u.addr.display_quoted)
				(void)!vox_sip_unquote(u.addr.display, tmp, sizeof tmp);
		}
		break;
	case 2:
		rc = vox_sip_contact_parse(&u.contact, v, &d);
		if (!rc && u.contact.has_q && u.contact.q > 1000)
			abort();
		break;
	case 3: rc = vox_sip_cseq_parse(&u.cseq, v, &d); break;
	case 4: rc = vox_sip_callid_parse(v, &d); break;
	case 5:
		rc = vox_sip_ctype_parse(&u.ctype, v, &d);
		if (!rc)
			params_inside(&u.ctype.params);
		break;
	case 6: rc = vox_sip_token_parse(v, &tok, &d); break;
	case 7:
		rc = vox_sip_date_parse(&u.date, v, &d);
		if (!rc && (u.date.month < 1 || u.date.month > 12 || u.date.hour > 23))
			abort();
		break;
	case 8:
		rc = vox_sip_auth_parse(&u.auth, v, &d);
		if (!rc) {
			inside(u.auth.nonce);
			params_inside(&u.auth.params);
		}
		break;
	default:
		rc = vox_sip_max_forwards_parse(v, &mf, &d);
		rc |= vox_sip_uint_parse(v, UINT32_MAX, &n, &d);
		if (!rc && n > UINT32_MAX)
			abort();
		break;
	}
	if (rc < 0 && d.off > v.len)
		abort();
	return 0;
}
