/* SPDX-License-Identifier: MIT */
/*
 * vox/dialog.h: SIP dialogs (RFC 3261 12).
 *
 * A dialog is the peer-to-peer relationship an INVITE (or SUBSCRIBE, REFER)
 * sets up: Call-ID, the two tags, the CSeq numbers, the remote target and
 * the route set. vox copies what it keeps into the dialog's own bounded
 * store (docs/architecture.md, Memory), so a dialog outlives the messages
 * that made it. Pure data and functions: no I/O, no clock, no allocation.
 *
 * Lifetimes: the messages passed in are read during the call only. The
 * slices a dialog hands out (vox_sip_dialog_str, vox_sip_dialog_first_hop)
 * point into d->store and stay valid until the next call that writes the
 * dialog (vox_sip_dialog_uac, _uas, _confirm, _recv_request,
 * _target_refresh): writing may compact the store and move every field.
 */
#ifndef VOX_DIALOG_H
#define VOX_DIALOG_H

#include "vox/sip.h"

#ifdef __cplusplus
extern "C" {
#endif

enum vox_sip_dialog_state {
	VOX_DLG_NONE = 0,
	VOX_DLG_EARLY,     /* from a 1xx with a To tag */
	VOX_DLG_CONFIRMED, /* from a 2xx */
	VOX_DLG_TERMINATED
};

/* A piece of the dialog's store. */
struct vox_sip_dlg_str {
	uint16_t off, len;
};

struct vox_sip_dialog {
	uint8_t state;  /* enum vox_sip_dialog_state */
	uint8_t secure; /* 12.1.1: TLS hop and a SIPS Request-URI */
	uint8_t uac;    /* we sent the request that made it */
	/* 0 while no request of the peer has set remote_seq; else 1 + the
	 * enum vox_sip_method of the last request that did */
	uint8_t remote_seq_method;
	uint32_t local_seq;
	uint32_t remote_seq;
	struct vox_sip_dlg_str call_id;
	struct vox_sip_dlg_str local_tag, remote_tag;
	struct vox_sip_dlg_str local;  /* From (UAC) / To (UAS) value, with our tag */
	struct vox_sip_dlg_str remote; /* the peer's header value, with its tag */
	struct vox_sip_dlg_str target; /* remote target URI (Contact) */
	struct vox_sip_dlg_str route;  /* route set: name-addrs separated by ", " */
	uint16_t used;
	char store[VOX_SIP_DLG_STORE];
};

/* A field of the dialog as a slice into its store (see Lifetimes above). */
static inline struct vox_slice vox_sip_dialog_str(const struct vox_sip_dialog *d,
                                                  struct vox_sip_dlg_str s)
{
	struct vox_slice r = {d->store + s.off, s.len};
	return r;
}

/*
 * UAC side (12.1.2): a dialog from our request and a 1xx (with a To tag:
 * early) or 2xx (confirmed) response. secure: the request went over TLS.
 * Returns 0, or
 *   VOX_EINVAL      req is a response, resp is not a 1xx or 2xx, or From,
 *                   To or a CSeq that parses is missing
 *   VOX_EMALFORMED  the To tag of resp or the From tag of req is missing
 *                   or empty, no Call-ID, a Record-Route that is not a
 *                   <sip:> or <sips:> name-addr (16.6), or a 2xx without
 *                   a usable Contact (none, "*", or not sip:/sips:, 8.1.1.8;
 *                   12.1.2 takes the remote target from it), which
 *                   vox_sip_dialog_confirm refuses alike
 *   VOX_ETOOLONG    the dialog does not fit VOX_SIP_DLG_STORE
 * A 1xx without a usable Contact makes an early dialog whose remote target
 * is the Request-URI, until the 2xx gives the real one. On an error *d is
 * in state VOX_DLG_NONE.
 */
VOX_MUST_CHECK int vox_sip_dialog_uac(struct vox_sip_dialog *d, const struct vox_sip_msg *req,
                                      const struct vox_sip_msg *resp, int secure);

/*
 * UAS side (12.1.1): a dialog from a received request and the To tag we
 * put in our response (early for a 1xx, confirmed for a 2xx: call
 * vox_sip_dialog_confirm when the 2xx goes out). secure: it came over TLS.
 * local_tag is copied. Returns 0, or
 *   VOX_EINVAL      req is a response, local_tag is empty, From, To or a
 *                   CSeq that parses is missing, or To has a tag already
 *                   (the request belongs to an existing dialog)
 *   VOX_EMALFORMED  From or To does not parse, no Call-ID, no usable
 *                   Contact (one sip: or sips: URI, required here), or a
 *                   bad Record-Route
 *   VOX_ETOOLONG    the dialog does not fit VOX_SIP_DLG_STORE
 * On an error *d is in state VOX_DLG_NONE.
 */
VOX_MUST_CHECK int vox_sip_dialog_uas(struct vox_sip_dialog *d, const struct vox_sip_msg *req,
                                      struct vox_slice local_tag, int secure);

/* Early to confirmed. For a UAC, resp (the 2xx) refreshes the remote target
 * and the route set (13.2.2.4); a UAS passes NULL. Returns 0, VOX_ESTATE
 * (the dialog is neither early nor confirmed), VOX_EMALFORMED (the 2xx has
 * no usable Contact, or a bad Record-Route) or VOX_ETOOLONG. On an error
 * the state stays as it was, but on VOX_ETOOLONG the field that did not
 * fit (remote target or route set) is left empty, and a new target may
 * already be in place when the route set fails. */
VOX_MUST_CHECK int vox_sip_dialog_confirm(struct vox_sip_dialog *d, const struct vox_sip_msg *resp);

/* Does the message belong to this dialog? Call-ID and both tags (12.2):
 * for a request To tag = ours and From tag = theirs; for a response the
 * other way round. Returns 1 or 0. */
int vox_sip_dialog_match(const struct vox_sip_dialog *d, const struct vox_sip_msg *m);

/*
 * A request inside the dialog arrived (12.2.2): checks the CSeq order,
 * records it, and takes a new remote target from the Contact of a target
 * refresh (re-INVITE, UPDATE; without a SIP or SIPS Contact URI the target
 * stays). Out of order (VOX_ERANGE: answer 500) is a CSeq number lower than
 * the remote sequence number, or the same number and method as the request
 * that set it (that request again, by another path). The same number with
 * another method is a new request (a BYE that reuses the INVITE's number):
 * it is taken, and the number stays. ACK and CANCEL carry the number of
 * the request they belong to and are not checked. Methods vox does not
 * know all count as one method here.
 * Returns 0, VOX_ERANGE, VOX_EMALFORMED, or VOX_ETOOLONG (the new target
 * does not fit: the CSeq is recorded, the old target stays).
 */
VOX_MUST_CHECK int vox_sip_dialog_recv_request(struct vox_sip_dialog *d,
                                               const struct vox_sip_msg *req);

/* The remote target changed: a 2xx to our target refresh (re-INVITE,
 * UPDATE) carries the new one in its Contact (12.2.1.2). Returns 0,
 * VOX_EMALFORMED (no usable Contact: the target stays) or VOX_ETOOLONG
 * (the new target does not fit: the remote target is left empty). */
VOX_MUST_CHECK int vox_sip_dialog_target_refresh(struct vox_sip_dialog *d,
                                                 const struct vox_sip_msg *m);

/* The URI an in-dialog request goes to first: the first route of the route
 * set, or the remote target when there is none (12.2.1.1). A slice into
 * d->store (see Lifetimes above). */
struct vox_slice vox_sip_dialog_first_hop(const struct vox_sip_dialog *d);

/* The Request-URI of the dialog's next request (12.2.1.1): the remote
 * target, or a strict router's URI when one is first in the route set.
 * A slice into the dialog's store, valid until the dialog changes; empty
 * when the first route does not parse. What a digest answer to a
 * challenged in-dialog request signs (22.4). */
struct vox_slice vox_sip_dialog_request_uri(const struct vox_sip_dialog *d);

/* The most extra headers one in-dialog request takes. */
#define VOX_SIP_DLG_MAX_EXTRA 8

/* What an in-dialog request needs besides the dialog. */
struct vox_sip_dialog_req {
	struct vox_slice method;
	struct vox_slice via;     /* our Via value, with a fresh branch */
	struct vox_slice contact; /* our Contact value, or empty */
	const struct vox_sip_hdr_out *extra;
	size_t nextra;
	struct vox_slice content_type;
	struct vox_slice body;
	uint32_t cseq; /* 0: the next local CSeq (an ACK or CANCEL passes the INVITE's) */
};

/*
 * Builds a request inside the dialog (12.2.1.1): Request-URI and Route
 * from the remote target and route set (loose or strict routing), From,
 * To, Call-ID, CSeq, written by vox_sip_build_request like every request
 * vox builds. *next_hop is set to the URI the request goes to
 * first (the first route, or the Request-URI) as a slice into out
 * (next_hop may be NULL). r and its slices are read during the call only.
 * With r->cseq 0 the local CSeq counts up, only when the request was
 * written. Returns the length (no NUL), or
 *   VOX_ESTATE   the dialog is neither early nor confirmed
 *   VOX_EINVAL   empty method or Via; CR, LF or NUL in a field (or what
 *                vox_sip_build_request refuses: a method or header name
 *                that is not a token, another control byte than HTAB in
 *                a value); an extra header without a name, or more than
 *                VOX_SIP_DLG_MAX_EXTRA; a stored route set that does not
 *                parse
 *   VOX_ENOSPC   out is too small
 */
VOX_MUST_CHECK int vox_sip_dialog_request(struct vox_sip_dialog *d,
                                          const struct vox_sip_dialog_req *r, char *out, size_t cap,
                                          struct vox_slice *next_hop);

#ifdef __cplusplus
}
#endif

#endif /* VOX_DIALOG_H */
