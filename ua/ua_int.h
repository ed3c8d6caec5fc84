/* SPDX-License-Identifier: MIT */
/* ua/ internals shared by ua.c (engine, I/O, timers), reg.c, media.c and
 * the call files (call*.c, whose own shared internals are in call_int.h). */
#ifndef VOX_UA_INT_H
#define VOX_UA_INT_H

#include "core/core_int.h"
#include "vox/ua.h"

#define UA_NEVER UINT64_MAX

/* 491s answered with a retry for one re-INVITE (14.1) before we give up. */
#define UA_GLARE_RETRIES 3

/* 423s answered with a longer Expires for one registration (10.2.8), and
 * the longest Min-Expires we agree to, in seconds (a day). */
#define UA_BRIEF_RETRIES   3
#define UA_MAX_MIN_EXPIRES 86400

/* Methods this UA implements (405/501 for others, RFC 3261 8.2.1). */
#define UA_ALLOW "INVITE, ACK, CANCEL, BYE, OPTIONS"

/* ---- handles ------------------------------------------------------------- */

static inline vox_ua_handle ua_handle(size_t slot, uint16_t gen)
{
	return (vox_ua_handle)(slot + 1) | (vox_ua_handle)gen << 16;
}

struct vox_ua_call *ua_call(struct vox_ua *ua, vox_ua_handle h);
struct vox_ua_account *ua_account(struct vox_ua *ua, vox_ua_handle h);
vox_ua_handle ua_call_handle(const struct vox_ua *ua, const struct vox_ua_call *c);
vox_ua_handle ua_account_handle(const struct vox_ua *ua, const struct vox_ua_account *a);

/* ---- the call tables (ua.c) ------------------------------------------------------ */

/* Takes a free slot off the free list and onto the live list (state
 * still FREE: the caller sets it), or NULL. */
struct vox_ua_call *ua_call_take(struct vox_ua *ua);
/* The slot goes back to the free list, out of the live list, its Call-ID
 * bucket and the deadline heap. */
void ua_call_give_back(struct vox_ua *ua, struct vox_ua_call *c);
/* The call joins the bucket of its Call-ID. */
void ua_call_index(struct vox_ua *ua, struct vox_ua_call *c, struct vox_slice call_id);
/* The next live call after `after` (NULL: the first) whose Call-ID hashes
 * like call_id (a candidate: the caller confirms), touched. */
struct vox_ua_call *ua_call_by_cid(struct vox_ua *ua, struct vox_slice call_id,
                                   struct vox_ua_call *after);
/* The Call-ID of a message, or an empty slice. */
struct vox_slice ua_call_id_of(const struct vox_sip_msg *m);
/* The call may have new timers or media: its deadline is computed again
 * at the next ua_settle. */
void ua_touch(struct vox_ua *ua, struct vox_ua_call *c);
/* Puts the touched calls' deadlines into the heap. Every public function
 * that can change a call ends with it. */
void ua_settle(struct vox_ua *ua);
/* The live calls, for (c = ua_live_first(ua); c; c = ua_live_next(ua, c)). */
static inline struct vox_ua_call *ua_live_first(struct vox_ua *ua)
{
	return ua->live_head ? &ua->calls[ua->live_head - 1] : NULL;
}
static inline struct vox_ua_call *ua_live_next(struct vox_ua *ua, const struct vox_ua_call *c)
{
	return c->lnext ? &ua->calls[c->lnext - 1] : NULL;
}

/* ---- events and output ------------------------------------------------------ */

struct vox_ua_event *ua_event(struct vox_ua *ua, enum vox_ua_ev_type type);
/* Queues a message sent outside any transaction (ACK for a 2xx, a
 * stateless response). */
void ua_send(struct vox_ua *ua, const char *msg, size_t len, const struct vox_peer *to);
/* A stateless response to ua->msg with up to 3 extra headers; reason NULL
 * picks the standard phrase. An error answers even a request that lacks
 * headers a response copies (best effort). */
void ua_respond_stateless_h(struct vox_ua *ua, const struct vox_peer *from, unsigned status,
                            const char *reason, const struct vox_sip_hdr_out *extra, size_t nextra);
/* A stateless response to ua->msg (which must be a request). */
void ua_respond_stateless(struct vox_ua *ua, const struct vox_peer *from, unsigned status,
                          const char *extra_name, const char *extra_value);
/* A response through a server transaction. tag: ours, or empty for a fresh
 * random one when the request has no To tag (8.2.6.2). When req is the
 * message being handled, its top Via gets received/rport (18.2.1).
 * Returns 0 or why the response did not go out. A final response that
 * cannot be built (too long, or more than 7 extra headers) is replaced by
 * a bare 500, or when even that fails the transaction is given up, so
 * that no server transaction waits for ever; the caller then undoes what
 * it changed for the response. VOX_ELIMIT from the transaction layer
 * (earlier responses still unsent) changes nothing. */
int ua_respond(struct vox_ua *ua, vox_sip_txn_id txn, const struct vox_sip_msg *req,
               unsigned status, struct vox_slice tag, const struct vox_sip_hdr_out *extra,
               size_t nextra, struct vox_slice body, uint64_t now);

/* A response through the INVITE server transaction txn, built by the
 * transaction from the copy of the request it keeps (a response given
 * after the request's buffer is gone). Falls back to a bare 500 as
 * ua_respond does. Returns 0 or why the response did not go out. */
int ua_respond_ist(struct vox_ua *ua, vox_sip_txn_id txn, unsigned status, struct vox_slice tag,
                   const struct vox_sip_hdr_out *extra, size_t nextra, struct vox_slice body,
                   uint64_t now);

/* ---- building ------------------------------------------------------------------ */

/* "SIP/2.0/UDP host:port;branch=z9hG4bK...;rport" for a request to `to`
 * (its transport; the host and port of its listener): with `branch` (under
 * UA_BRANCH_MAX bytes), or a fresh one when it is NULL. Returns the
 * length, VOX_EINVAL (a longer branch), VOX_ERNG, or VOX_ENOSPC (cap under
 * UA_VIA_MAX: any host the UA takes fits that). */
#define UA_BRANCH_MAX 40
#define UA_VIA_MAX    (sizeof "SIP/2.0/UDP :65535;branch=;rport" + VOX_UA_STR - 1 + UA_BRANCH_MAX - 1)
int ua_via(struct vox_ua *ua, const struct vox_peer *to, const char *branch, char *out, size_t cap);
/* The listener a message to `to` leaves from (docs/ua.md, Listeners): the
 * one to->listener names (the hop's message came in on it), else the
 * first of its transport and address family, else of its transport, else
 * the first; 0 is the configured host, port and transport. */
size_t ua_listener(const struct vox_ua *ua, const struct vox_peer *to);
/* The credentials header (when auth_name is set: auth_name with the
 * NUL-terminated auth_value) and our User-Agent, into h (room for 2).
 * Returns how many it wrote. */
size_t ua_auth_agent(const struct vox_ua *ua, const char *auth_name, const char *auth_value,
                     struct vox_sip_hdr_out *h);
/* The one builder of the requests the UA writes itself (REGISTER, the
 * initial INVITE, and the facts kept of it; in-dialog requests go through
 * vox_sip_dialog_request, CANCEL and the ACK for a failure through the
 * transaction layer): the request line, the headers h in wire order, an
 * SDP body when sdp is not empty, and Content-Length, by
 * vox_sip_build_request. Returns the length, VOX_ENOSPC or VOX_EINVAL. */
int ua_build_request(const char *method, struct vox_slice uri, const struct vox_sip_hdr_out *h,
                     size_t n, struct vox_slice sdp, char *out, size_t cap);
/* "<sip:user@host:port;transport=tcp>" for a message to `to`: the host
 * and port of its listener (or what rport/received taught us of it, when
 * contact_from_rport is set). Over TLS: "<sips:user@host:port>" when sips,
 * else "<sip:user@host:port;transport=tls>". Returns the length, or
 * VOX_ENOSPC (cap under VOX_UA_CONTACT_MAX: any AOR and host the UA takes
 * fit that). */
int ua_contact(const struct vox_ua *ua, struct vox_slice aor, const struct vox_peer *to, int sips,
               char *out, size_t cap);
/* The account's secret as the digest code takes it: its password, or
 * its precomputed HA1 (vox_ua_account_cfg.ha1). */
static inline struct vox_digest_cred ua_cred(const struct vox_ua_account *a)
{
	struct vox_digest_cred c = {
	    vox_slice_cstr(a->username), vox_slice_cstr(a->password), {NULL, 0}, VOX_DIGEST_MD5};
	if (a->ha1[0]) {
		c.password = (struct vox_slice){NULL, 0};
		c.ha1 = vox_slice_cstr(a->ha1);
		c.ha1_alg = (enum vox_digest_alg)a->ha1_alg;
	}
	return c;
}
/* Our codecs into l, in the configured order (vox_ua_config.codecs),
 * telephone-event after them; none configured: vox_sdp_local_init's. */
static inline void ua_codecs(const struct vox_ua_config *cfg, struct vox_sdp_local *l)
{
	if (!cfg->n_codecs || cfg->n_codecs >= VOX_SDP_CODEC_COUNT)
		return;
	for (uint8_t i = 0; i < cfg->n_codecs; i++)
		l->codecs[i] = cfg->codecs[i];
	l->codecs[cfg->n_codecs] = VOX_SDP_CODEC_TEL_EVENT;
	l->n_codecs = (uint8_t)(cfg->n_codecs + 1);
}
/* A hop SDES keys may cross: TLS with a verified certificate (struct
 * vox_peer). */
static inline int ua_hop_secure(const struct vox_peer *p)
{
	return p->tp == VOX_TP_TLS && p->verified;
}
/* Where a request to `uri` went, without asking anything: its address,
 * or the target a name's answer kept leads to, or the outbound address
 * (cfg outbound): the hop a REGISTER's Contact was written for. A TLS hop is verified when the application's TLS client
 * verifies (tls_client_verifies). Returns 0 or VOX_ENOTFOUND. */
int ua_next_hop(const struct vox_ua *ua, struct vox_slice uri, struct vox_peer *to);
/* Where a request outside a dialog to `uri` goes (RFC 3261 8.1.2, RFC
 * 3263): the outbound proxy when one is configured, else uri's host. An
 * address: *to, 0. A name with an answer: its first target not known
 * dead, 0, and *hop says which (for failover). A name without one yet:
 * UA_WAIT, *hop says which (hop->wait): the question is an output, and
 * the answer comes to ua_call_hop or ua_reg_hop. VOX_EPOOL: every name
 * slot waits for an answer; VOX_ENOTFOUND: no host to reach. */
#define UA_WAIT 1
int ua_route(struct vox_ua *ua, struct vox_slice uri, struct vox_peer *to, struct vox_ua_hop *hop,
             uint64_t now);
/* Where a request inside a dialog to `uri` (its first route, else its
 * remote target: 12.2.1.1) goes: an address as it is; a name with an
 * answer kept (even a stale one: the server the dialog reached so far):
 * its current target, 0; else the outbound address when one is given;
 * else the name is asked for as ua_route does (UA_WAIT, hop->wait; the
 * answer comes to ua_call_dialog_hop). *hop says which name slot and
 * target, for failover (hop->name 0: an address). Returns 0, UA_WAIT,
 * VOX_EPOOL or VOX_ENOTFOUND as ua_route. */
int ua_dialog_route(struct vox_ua *ua, struct vox_slice uri, struct vox_peer *to,
                    struct vox_ua_hop *hop, uint64_t now);
/* The target hop->k of a request's name is dead: *to gets the next one
 * (hop->k moves), 0; or VOX_ENOTFOUND: no other target (an address, or
 * every one dead). */
int ua_hop_next(struct vox_ua *ua, struct vox_ua_hop *hop, struct vox_peer *to, uint64_t now);
/* A client transaction for a request we built. */
int ua_request(struct vox_ua *ua, const char *msg, size_t len, const struct vox_peer *to,
               uint64_t now, vox_sip_txn_id *id);
/* Authorization or Proxy-Authorization for a 401/407, from the account's
 * credentials: *hname and a NUL-terminated value. *tries counts the
 * challenges answered for this request. Returns the value's length, or an
 * error when the challenge cannot be answered (no credentials, tried). */
int ua_auth(struct vox_ua *ua, struct vox_ua_account *a, uint8_t *tries,
            const struct vox_sip_msg *resp, struct vox_slice method, struct vox_slice uri,
            struct vox_slice body, const char **hname, char *value, size_t cap);
/* Copies a string into a fixed buffer; VOX_EINVAL when it does not fit. */
int ua_copy(char *dst, size_t cap, struct vox_slice s);
const char *ua_tp_name(enum vox_transport tp);

/* ---- registrations (reg.c) ------------------------------------------------------ */

void ua_reg_response(struct vox_ua *ua, struct vox_ua_account *a, const struct vox_sip_msg *m,
                     uint64_t now);
void ua_reg_timeout(struct vox_ua *ua, struct vox_ua_account *a, unsigned status, uint64_t now);
void ua_reg_deadline(struct vox_ua *ua, struct vox_ua_account *a, uint64_t now);
/* The account's REGISTER goes to `to` (its name answered, or the target
 * before was dead: a new transaction); NULL: the name did not resolve,
 * the registration fails with 503. */
void ua_reg_hop(struct vox_ua *ua, struct vox_ua_account *a, const struct vox_peer *to,
                uint64_t now);

/* ---- calls (call*.c) ------------------------------------------------------------ */

void ua_call_request(struct vox_ua *ua, vox_sip_txn_id txn, const struct vox_peer *from,
                     uint64_t now);
void ua_call_response(struct vox_ua *ua, struct vox_ua_call *c, vox_sip_txn_id txn,
                      const struct vox_sip_msg *m, uint64_t now);
/* Does request m belong to the dialog of a live call? */
int ua_call_owns(struct vox_ua *ua, const struct vox_sip_msg *m);
void ua_call_ack(struct vox_ua *ua, const struct vox_peer *from, uint64_t now);
/* A 2xx to an INVITE that no current transaction of a call expects (a
 * retransmission, another fork): ACK it, and end it when unwanted. */
void ua_call_stray_2xx(struct vox_ua *ua, uint64_t now);
void ua_call_txn_failed(struct vox_ua *ua, struct vox_ua_call *c, vox_sip_txn_id txn,
                        unsigned status, uint64_t now);
void ua_call_deadline(struct vox_ua *ua, struct vox_ua_call *c, uint64_t now);
/* The call's INVITE goes to `to` (its name answered, or the target before
 * was dead: the same request, a new branch, RFC 3263 4.3); NULL: the name
 * did not resolve, the call ends with 503. A call hung up while it waited
 * ends instead. */
void ua_call_hop(struct vox_ua *ua, struct vox_ua_call *c, const struct vox_peer *to, uint64_t now);
/* The call's request inside its dialog that waited for its first hop's
 * name (c->dwait: BYE or re-INVITE) goes to `to` now; NULL: the name did
 * not resolve, the request fails (a BYE ends the dialog, a re-INVITE
 * leaves the session as it was). */
void ua_call_dialog_hop(struct vox_ua *ua, struct vox_ua_call *c, const struct vox_peer *to,
                        uint64_t now);
/* RFC 3263 4.3 for the call's BYE or re-INVITE, transaction txn, whose
 * target is dead (Timer B/F, or a transport error): the same request (its
 * CSeq, and for a re-INVITE its offer) goes as a new transaction to the
 * next target of its first hop's name. Returns 0 when it went, else
 * VOX_ENOTFOUND (not such a request, no other target, or it could not be
 * sent): the caller reports the failure as before. */
int ua_call_dialog_next(struct vox_ua *ua, struct vox_ua_call *c, vox_sip_txn_id txn, uint64_t now);
uint64_t ua_call_next_deadline(const struct vox_ua_call *c);

/* ---- a call's media (media.c) ------------------------------------------------------- */

/* The port a description carries while the call's socket is not named yet:
 * only the check of an incoming offer sees it (9, "discard"). */
#define UA_PORT_UNNAMED 9

struct vox_ua_media *ua_media_of(struct vox_ua *ua, const struct vox_ua_call *c);
/* Takes the call's media socket. Returns 0 or VOX_EINVAL (NULL, port 0 or
 * 65535, an address too long); nothing changes on an error. */
int ua_media_local(struct vox_ua *ua, struct vox_ua_call *c, const struct vox_ua_media_addr *m);
/* Gives the call's engine the session agreed (s): starts it, or
 * updates it (address, direction, codec) and its keys. hold_tx: we answered
 * a re-offer, so a new send key of ours waits for the ACK. A session the
 * engine cannot run stops the media (VOX_UA_EV_MEDIA_FAILED). Sets c->prot
 * from the engine. */
void ua_media_apply(struct vox_ua *ua, struct vox_ua_call *c, const struct vox_sdp_session *s,
                    int hold_tx, uint64_t now);
/* The ACK came: a send key that waited for it takes over. */
void ua_media_acked(struct vox_ua *ua, struct vox_ua_call *c, uint64_t now);
/* The call's media ends: the engine's last events, its RTCP BYE into the
 * UA's media queue, its contexts freed and keys wiped; the offer wiped.
 * Safe to call again. */
void ua_media_end(struct vox_ua *ua, struct vox_ua_call *c);
/* Moves what the engines reported onto the UA's queue. */
void ua_media_pump(struct vox_ua *ua);
/* Runs call c's media engine's timers, when due; ends a call whose ZRTP
 * failed under policy mandatory (ms->zrtp_ended). */
void ua_media_deadline(struct vox_ua *ua, struct vox_ua_call *c, uint64_t now);
#if VOX_MEDIA_ZRTP
/* Starts the call's ZRTP session, when the policy allows ZRTP and it runs
 * none yet, so that our a=zrtp-hash is known (ms->zrtp_hash) before our
 * first SDP. Returns 0 or the error of vox_media_zrtp_start. */
int ua_media_zrtp_begin(struct vox_ua *ua, struct vox_ua_call *c, uint64_t now);
/* Ends every call whose ZRTP failed under mandatory with no keys
 * (ms->zrtp_ended): at the end of an entry point, never from inside the
 * pumping that learnt it. */
void ua_media_enforce(struct vox_ua *ua, uint64_t now);
/* ZRTP failed under mandatory and the media has no keys: the call ends
 * (BYE, CANCEL or a refusal, as its state allows) with reason. */
void ua_call_end_insecure(struct vox_ua *ua, struct vox_ua_call *c, const char *reason,
                          uint64_t now);
#endif

#endif
