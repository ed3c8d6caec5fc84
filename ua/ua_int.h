/* ua/ internals shared by ua.c (engine, I/O, timers), reg.c and call.c. */
#ifndef VOX_UA_INT_H
#define VOX_UA_INT_H

#include "core/core_int.h"
#include "vox/ua.h"

#define UA_NEVER UINT64_MAX

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

/* ---- events and output ------------------------------------------------------ */

struct vox_ua_event *ua_event(struct vox_ua *ua, enum vox_ua_ev_type type);
/* Queues a message sent outside any transaction (ACK for a 2xx, a
 * stateless response). */
void ua_send(struct vox_ua *ua, const char *msg, size_t len, const struct vox_peer *to);
/* A stateless response to ua->msg (which must be a request). */
void ua_respond_stateless(struct vox_ua *ua, const struct vox_peer *from, unsigned status,
                          const char *extra_name, const char *extra_value);
/* A response through a server transaction, with our tag when given. */
int ua_respond(struct vox_ua *ua, vox_sip_txn_id txn, const struct vox_sip_msg *req,
               unsigned status, struct vox_slice tag, const struct vox_sip_hdr_out *extra,
               size_t nextra, struct vox_slice body, uint64_t now);

/* ---- building ------------------------------------------------------------------ */

/* "SIP/2.0/UDP host:port;branch=z9hG4bK...;rport" with a fresh branch. */
int ua_via(struct vox_ua *ua, enum vox_transport tp, char *out, size_t cap);
/* "<sip:user@host:port;transport=tcp>" */
int ua_contact(const struct vox_ua *ua, struct vox_slice aor, char *out, size_t cap);
/* Where a request to `uri` goes first. Returns 0 or VOX_ENOTFOUND. */
int ua_next_hop(const struct vox_ua *ua, struct vox_slice uri, struct vox_peer *to);
/* A client transaction for a request we built. */
int ua_request(struct vox_ua *ua, const char *msg, size_t len, const struct vox_peer *to,
               uint64_t now, vox_sip_txn_id *id);
/* Authorization or Proxy-Authorization for a 401/407, from the account's
 * credentials; writes "Name: value" pieces. Returns 0, or an error when
 * the challenge cannot be answered (no credentials, tried already). */
int ua_auth(struct vox_ua *ua, struct vox_ua_account *a, const struct vox_sip_msg *resp,
            struct vox_slice method, struct vox_slice uri, struct vox_slice body,
            const char **hname, char *value, size_t cap);
const char *ua_tp_name(enum vox_transport tp);

/* ---- registrations (reg.c) ------------------------------------------------------ */

/* What a REGISTER adds or removes (struct vox_ua_account.queued). */
enum { UA_REG_ADD = 1, UA_REG_REMOVE = 2 };

void ua_reg_response(struct vox_ua *ua, struct vox_ua_account *a, const struct vox_sip_msg *m,
                     uint64_t now);
/* Our contact changed: register it again, after the REGISTER in flight. */
void ua_reg_moved(struct vox_ua *ua, struct vox_ua_account *a, uint64_t now);
void ua_reg_timeout(struct vox_ua *ua, struct vox_ua_account *a, uint64_t now);
void ua_reg_deadline(struct vox_ua *ua, struct vox_ua_account *a, uint64_t now);

/* ---- calls (call.c) ------------------------------------------------------------- */

void ua_call_request(struct vox_ua *ua, vox_sip_txn_id txn, const struct vox_peer *from,
                     uint64_t now);
void ua_call_response(struct vox_ua *ua, struct vox_ua_call *c, vox_sip_txn_id txn,
                      const struct vox_sip_msg *m, uint64_t now);
void ua_call_ack(struct vox_ua *ua, const struct vox_peer *from, uint64_t now);
void ua_call_stray_2xx(struct vox_ua *ua, uint64_t now);
void ua_call_txn_failed(struct vox_ua *ua, struct vox_ua_call *c, vox_sip_txn_id txn,
                        unsigned status, uint64_t now);
void ua_call_deadline(struct vox_ua *ua, struct vox_ua_call *c, uint64_t now);
uint64_t ua_call_next_deadline(const struct vox_ua_call *c);

#endif
