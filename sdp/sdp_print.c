/* SPDX-License-Identifier: MIT */
/* Printer: a parsed description back to wire form, keys redacted. */
#include <string.h>

#include "sdp/sdp_int.h"

static const char redacted[] = "REDACTED";

static void line_start(struct vox_writer *w, char t)
{
	char h[2] = {t, '='};
	vox_writer_put(w, h, 2);
}

static void crlf(struct vox_writer *w)
{
	vox_writer_put(w, "\r\n", 2);
}

static void text_line(struct vox_writer *w, char t, struct vox_slice v)
{
	line_start(w, t);
	vox_writer_put_slice(w, v);
	crlf(w);
}

static void conn_line(struct vox_writer *w, const struct vox_sdp_conn *c)
{
	if (!c->present)
		return;
	line_start(w, 'c');
	vox_writer_put_slice(w, c->nettype);
	vox_writer_putc(w, ' ');
	vox_writer_put_slice(w, c->addrtype);
	vox_writer_putc(w, ' ');
	vox_writer_put_slice(w, c->full);
	crlf(w);
}

static void bw_lines(struct vox_writer *w, const struct vox_sdp_bw *bw, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		line_start(w, 'b');
		vox_writer_put_slice(w, bw[i].type);
		vox_writer_putc(w, ':');
		vox_writer_put_u64(w, bw[i].value);
		crlf(w);
	}
}

/* k=<method>[:<encryption key>] (RFC 8866 5.12): the key may be the clear
 * media key, so it is redacted like a=crypto. */
static void key_line(struct vox_writer *w, struct vox_slice k, int show)
{
	const char *colon = memchr(k.p, ':', k.len);
	line_start(w, 'k');
	if (show || !colon) {
		vox_writer_put_slice(w, k);
	} else {
		vox_writer_put(w, k.p, (size_t)(colon - k.p) + 1);
		vox_writer_puts(w, redacted);
	}
	crlf(w);
}

/* Copies v, replacing what follows every "inline:" (a=crypto key-params,
 * FEC_KEY included) up to the next '|', ';' or white space. */
static void put_redacted_crypto(struct vox_writer *w, struct vox_slice v)
{
	static const char tag[] = "inline:";
	const size_t tl = sizeof tag - 1;
	const char *p = v.p, *end = v.p + v.len;
	while (p < end) {
		if (tl <= (size_t)(end - p) &&
		    vox_slice_case_eq(vox_slice_make(p, tl), vox_slice_make(tag, tl))) {
			vox_writer_put(w, p, tl);
			p += tl;
			while (p < end && *p != '|' && *p != ';' && !vox_is_wsp((unsigned char)*p))
				p++;
			vox_writer_puts(w, redacted);
			continue;
		}
		vox_writer_putc(w, *p++);
	}
}

static void attr_line(struct vox_writer *w, const struct vox_sdp_attr *a, int show)
{
	line_start(w, 'a');
	vox_writer_put_slice(w, a->name);
	if (a->has_value) {
		vox_writer_putc(w, ':');
		if (show) {
			vox_writer_put_slice(w, a->value);
		} else if (a->kind == VOX_SDP_ATTR_CRYPTO) {
			put_redacted_crypto(w, a->value);
		} else if (vox_slice_eq(a->name, vox_slice_cstr("key-mgmt"))) {
			/* RFC 4567: key-mgmt:<prtcl-id> <data>; MIKEY can carry
			 * keys unprotected (MIKEY-NULL). */
			const char *sp = memchr(a->value.p, ' ', a->value.len);
			if (sp) {
				vox_writer_put(w, a->value.p, (size_t)(sp - a->value.p) + 1);
				vox_writer_puts(w, redacted);
			} else {
				vox_writer_put_slice(w, a->value);
			}
		} else {
			vox_writer_put_slice(w, a->value);
		}
	}
	crlf(w);
}

int vox_sdp_print(const struct vox_sdp *sdp, unsigned flags, char *buf, size_t cap)
{
	if (!sdp || (!buf && cap))
		return VOX_EINVAL;
	int show = (flags & VOX_SDP_PRINT_SHOW_KEYS) != 0;
	struct vox_writer w;
	vox_writer_init(&w, buf, cap);

	vox_writer_puts(&w, "v=0\r\no=");
	vox_writer_put_slice(&w, sdp->username);
	vox_writer_putc(&w, ' ');
	vox_writer_put_u64(&w, sdp->sess_id);
	vox_writer_putc(&w, ' ');
	vox_writer_put_u64(&w, sdp->sess_version);
	vox_writer_putc(&w, ' ');
	vox_writer_put_slice(&w, sdp->o_nettype);
	vox_writer_putc(&w, ' ');
	vox_writer_put_slice(&w, sdp->o_addrtype);
	vox_writer_putc(&w, ' ');
	vox_writer_put_slice(&w, sdp->o_addr);
	crlf(&w);
	text_line(&w, 's', sdp->name);
	if (sdp->has_info)
		text_line(&w, 'i', sdp->info);
	if (sdp->has_uri)
		text_line(&w, 'u', sdp->uri);
	for (unsigned i = 0; i < sdp->n_email; i++)
		text_line(&w, 'e', sdp->email[i]);
	for (unsigned i = 0; i < sdp->n_phone; i++)
		text_line(&w, 'p', sdp->phone[i]);
	conn_line(&w, &sdp->conn);
	bw_lines(&w, sdp->bw, sdp->n_bw);
	for (unsigned i = 0; i < sdp->n_times; i++) {
		const struct vox_sdp_time *t = &sdp->times[i];
		vox_writer_puts(&w, "t=");
		vox_writer_put_u64(&w, t->start);
		vox_writer_putc(&w, ' ');
		vox_writer_put_u64(&w, t->stop);
		crlf(&w);
		for (unsigned r = 0; r < t->n_repeat; r++)
			text_line(&w, 'r', t->repeat[r]);
	}
	if (sdp->zone.len)
		text_line(&w, 'z', sdp->zone);
	if (sdp->has_key)
		key_line(&w, sdp->key, show);
	unsigned ai = 0;
	for (; ai < sdp->n_attrs && sdp->attrs[ai].media < 0; ai++)
		attr_line(&w, &sdp->attrs[ai], show);

	for (unsigned mi = 0; mi < sdp->n_media; mi++) {
		const struct vox_sdp_media *m = &sdp->media[mi];
		vox_writer_puts(&w, "m=");
		vox_writer_put_slice(&w, m->media);
		vox_writer_putc(&w, ' ');
		vox_writer_put_u64(&w, m->port);
		if (m->nports) {
			vox_writer_putc(&w, '/');
			vox_writer_put_u64(&w, m->nports);
		}
		vox_writer_putc(&w, ' ');
		vox_writer_put_slice(&w, m->proto);
		for (unsigned f = 0; f < m->n_fmts; f++) {
			vox_writer_putc(&w, ' ');
			vox_writer_put_slice(&w, m->fmts[f]);
		}
		crlf(&w);
		if (m->info.p)
			text_line(&w, 'i', m->info);
		conn_line(&w, &m->conn);
		bw_lines(&w, m->bw, m->n_bw);
		if (m->has_key)
			key_line(&w, m->key, show);
		for (unsigned a = m->attr_first; a < (unsigned)m->attr_first + m->n_attrs; a++)
			attr_line(&w, &sdp->attrs[a], show);
	}
	return vox_writer_finish(&w);
}
