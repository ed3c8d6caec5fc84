/* SPDX-License-Identifier: MIT */
/* What the files of a call (ua/call*.c) share; each function's comment
 * is at its definition. */
#ifndef VOX_UA_CALL_INT_H
#define VOX_UA_CALL_INT_H

#include "ua/ua_int.h"

/* ---- call_fsm.c: the states and every change between them --------------- */

/* Whether the tables allow a change from `from` to `to` (1) or not (0,
 * also for a value that is no state). */
int ua_call_legal(unsigned from, unsigned to);
int ua_uac_legal(unsigned from, unsigned to);
int ua_uas_legal(unsigned from, unsigned to);
/* The one way each machine of call c changes: 0, or VOX_ESTATE (an
 * illegal change: refused, the state kept, counted in ua->fsm.refused). */
int ua_call_set(struct vox_ua *ua, struct vox_ua_call *c, enum vox_ua_call_state to);
int ua_uac_set(struct vox_ua *ua, struct vox_ua_call *c, enum vox_ua_uac_state to);
int ua_uas_set(struct vox_ua *ua, struct vox_ua_call *c, enum vox_ua_uas_state to);
/* Our 2xx to the peer's INVITE waits for its ACK (13.3.1.4). */
static inline int ua_ack_awaited(const struct vox_ua_call *c)
{
	return c->uas == VOX_UA_UAS_ACK_WAIT || c->uas == VOX_UA_UAS_ACK_WAIT_ANSWER;
}

/* ---- call.c ---------------------------------------------------------------- */
struct vox_ua_call *call_alloc(struct vox_ua *ua);
void call_free(struct vox_ua *ua, struct vox_ua_call *c);
void end_call(struct vox_ua *ua, struct vox_ua_call *c, unsigned status, const char *reason,
              int remote);
void call_event(struct vox_ua *ua, struct vox_ua_call *c, enum vox_ua_ev_type type, unsigned status,
                const char *reason);
struct vox_ua_account *call_account(struct vox_ua *ua, const struct vox_ua_call *c);
const char *call_aor(struct vox_ua *ua, const struct vox_ua_call *c);
int contact_of(struct vox_ua *ua, const struct vox_ua_call *c, const struct vox_peer *to, char *out,
               size_t cap);
/* What c->dwait says waits for the dialog's first hop's name. */
enum { UA_DWAIT_NONE = 0, UA_DWAIT_BYE, UA_DWAIT_REINVITE, UA_DWAIT_REKEY };
/* dialog_hop and dialog_request: the first hop is a name being asked for
 * (hop->wait); never returned by the UA's public functions. */
#define UA_EWAIT (-1000)
int dialog_hop(struct vox_ua *ua, const struct vox_ua_call *c, const struct vox_sip_dialog *d,
               struct vox_peer *to, struct vox_ua_hop *hop, uint64_t now);
int dialog_request(struct vox_ua *ua, struct vox_ua_call *c, struct vox_sip_dialog *d,
                   const char *method, uint32_t cseq, const char *branch,
                   const struct vox_sip_hdr_out *extra, size_t nextra, struct vox_slice body,
                   char *out, size_t cap, struct vox_peer *to, struct vox_ua_hop *hop,
                   uint64_t now);
void send_ack(struct vox_ua *ua, struct vox_ua_call *c, struct vox_sip_dialog *d, uint32_t cseq,
              uint64_t now);
void hang_up_dialog(struct vox_ua *ua, struct vox_ua_call *c, unsigned status, const char *reason,
                    int remote, uint64_t now);
unsigned cseq_of(const struct vox_sip_msg *m);

/* ---- call_out.c ------------------------------------------------------------ */
int send_cancel(struct vox_ua *ua, struct vox_ua_call *c, uint64_t now);
void invite_2xx(struct vox_ua *ua, struct vox_ua_call *c, const struct vox_sip_msg *m,
                uint64_t now);
void invite_response(struct vox_ua *ua, struct vox_ua_call *c, const struct vox_sip_msg *m,
                     uint64_t now);

/* ---- call_in.c ------------------------------------------------------------- */
void start_2xx_timer(struct vox_ua *ua, struct vox_ua_call *c, uint32_t cseq, int our_offer,
                     uint64_t now);
void answer_487(struct vox_ua *ua, struct vox_ua_call *c, uint64_t now);
void new_invite(struct vox_ua *ua, vox_sip_txn_id txn, const struct vox_peer *from, uint64_t now);

/* ---- call_reinvite.c ------------------------------------------------------- */
int send_reinvite(struct vox_ua *ua, struct vox_ua_call *c, int rekey, uint32_t cseq, uint64_t now);
void reinvite_failed(struct vox_ua *ua, struct vox_ua_call *c, unsigned status);
void reinvite_response(struct vox_ua *ua, struct vox_ua_call *c, const struct vox_sip_msg *m,
                       uint64_t now);
void reinvite(struct vox_ua *ua, struct vox_ua_call *c, vox_sip_txn_id txn, uint64_t now);

/* ---- call_sdp.c ------------------------------------------------------------ */
enum vox_ua_protection prot_of(const struct vox_sdp_session *s);
void take_media(struct vox_ua *ua, struct vox_ua_call *c, const struct vox_sdp_session *s,
                int hold_tx, uint64_t now);
enum vox_ua_protection agreed_prot(const struct vox_ua_call *c);
void local_sdp(const struct vox_ua *ua, const struct vox_ua_call *c, int keys, int hold,
               struct vox_sdp_local *l);
void ua_scrub(struct vox_ua *ua, int sdp_len, int build_len);
int parse_body(struct vox_ua *ua, const struct vox_sip_msg *m);
int take_answer(struct vox_ua *ua, struct vox_ua_call *c, const struct vox_sip_msg *m, int keys,
                const char **why_text, uint64_t now);

#endif
