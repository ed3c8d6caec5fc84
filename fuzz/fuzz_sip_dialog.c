/* SPDX-License-Identifier: MIT */
/*
 * Dialogs from arbitrary messages: the input holds a request, a response
 * and later in-dialog requests, separated by NUL bytes. Every field of the
 * dialog must stay inside its store, and every request it builds must
 * parse again. A 2xx that makes a dialog (vox_sip_dialog_uac) is never
 * malformed to vox_sip_dialog_confirm: both read its Contact alike. An
 * in-dialog request refused as out of order (12.2.2) changes nothing, and
 * one whose new target does not fit keeps the old target.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vox/dialog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct vox_sip_msg a, b, built; /* built: what check() parses back */
static struct vox_sip_dialog d, before;
static char out[4096];

static void inside(struct vox_sip_dlg_str f)
{
	if ((size_t)f.off + f.len > d.used || d.used > sizeof d.store)
		abort();
}

static void check(void)
{
	if (d.state == VOX_DLG_NONE)
		return;
	inside(d.call_id);
	inside(d.local);
	inside(d.remote);
	inside(d.target);
	inside(d.route);
	inside(d.local_tag);
	inside(d.remote_tag);
	struct vox_slice ruri = vox_sip_dialog_request_uri(&d);
	if (ruri.len && (ruri.p < d.store || ruri.p + ruri.len > d.store + d.used))
		abort();
	struct vox_sip_dialog_req r = {.method = {"BYE", 3},
	                               .via = {"SIP/2.0/UDP h;branch=z9hG4bK1", 29}};
	struct vox_slice hop;
	int n = vox_sip_dialog_request(&d, &r, out, sizeof out, &hop);
	if (n > 0) {
		if (hop.p < out || hop.p + hop.len > out + n)
			abort();
		if (vox_sip_parse(&built, out, (size_t)n, 0, NULL) != n)
			abort();
	}
}

static size_t piece(const uint8_t *data, size_t size, size_t *at, const char **p)
{
	*p = (const char *)data + *at;
	const uint8_t *z = memchr(data + *at, 0, size - *at);
	size_t n = z ? (size_t)(z - (data + *at)) : size - *at;
	*at += n + (z ? 1 : 0);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t at = 0;
	const char *p;
	size_t n = piece(data, size, &at, &p);
	memset(&d, 0, sizeof d);
	if (vox_sip_parse(&a, p, n, VOX_SIP_DATAGRAM, NULL) < 0 || a.status)
		return 0;
	n = piece(data, size, &at, &p);
	if (vox_sip_parse(&b, p, n, VOX_SIP_DATAGRAM, NULL) >= 0 && b.status) {
		if (vox_sip_dialog_uac(&d, &a, &b, 0) == 0) {
			check();
			int rc = vox_sip_dialog_confirm(&d, &b);
			if (rc == VOX_EMALFORMED && b.status >= 200)
				abort();
			if (rc == 0)
				check();
		}
	} else if (vox_sip_dialog_uas(&d, &a, (struct vox_slice){"tag1", 4}, 1) == 0) {
		check();
	}
	while (at < size && d.state != VOX_DLG_NONE) {
		n = piece(data, size, &at, &p);
		if (vox_sip_parse(&a, p, n, VOX_SIP_DATAGRAM, NULL) < 0)
			continue;
		if (vox_sip_dialog_match(&d, &a) && !a.status) {
			before = d;
			int rc = vox_sip_dialog_recv_request(&d, &a);
			if (rc == VOX_ERANGE && memcmp(&d, &before, sizeof d) != 0)
				abort();
			if (rc == VOX_ETOOLONG &&
			    !vox_slice_eq(vox_sip_dialog_str(&d, d.target),
			                  vox_sip_dialog_str(&before, before.target)))
				abort();
		}
		check();
	}
	return 0;
}
