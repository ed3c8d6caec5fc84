/*
 * vox/ua.h: one SIP endpoint (a user agent): registrations and calls.
 *
 * The UA is a sans-I/O engine (STYLE.md rules 5 and 6). The caller feeds
 * it every SIP message that arrives (with the hop it came over) and the
 * time, and drains what it produces:
 *
 *   vox_ua_recv(ua, bytes, len, &from, now)      a datagram or a framed message
 *   vox_ua_poll_output(ua, buf, cap, &to)        bytes to send, and where
 *   vox_ua_next_deadline(ua) / vox_ua_on_deadline(ua, now)
 *   vox_ua_next_event(ua, &ev)                   what the application must know
 *
 * and drives it with actions: vox_ua_register, vox_ua_call, vox_ua_answer,
 * vox_ua_hangup, vox_ua_hold, ... Every action takes `now` and queues
 * output; nothing happens behind the caller's back. No allocation: all
 * state lives in struct vox_ua, in pools sized by config.h. When a pool is
 * full, an incoming request gets 503 with Retry-After (RFC 3261 21.5.4).
 *
 * Where requests go: to the host of the next-hop URI when it is an IP
 * literal, otherwise to the configured outbound proxy (name resolution,
 * RFC 3263, belongs to transport/).
 */
#ifndef VOX_UA_H
#define VOX_UA_H

#include "vox/dialog.h"
#include "vox/digest.h"
#include "vox/sdp.h"
#include "vox/sip_txn.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifndef VOX_UA_MAX_CALLS
#define VOX_UA_MAX_CALLS 8
#endif
#ifndef VOX_UA_MAX_ACCOUNTS
#define VOX_UA_MAX_ACCOUNTS 4
#endif
#ifndef VOX_UA_MAX_TXN
#define VOX_UA_MAX_TXN (4 * VOX_UA_MAX_CALLS + 2 * VOX_UA_MAX_ACCOUNTS)
#endif
#ifndef VOX_UA_MAX_EVENTS
#define VOX_UA_MAX_EVENTS 64
#endif
/* Bytes of the SDP answer an incoming call keeps until the application
 * answers (one audio stream, one a=crypto line: about 350 bytes). */
#ifndef VOX_UA_SDP_MAX
#define VOX_UA_SDP_MAX 640
#endif
/* Short strings a UA copies: URIs, tags, host names. */
#ifndef VOX_UA_STR
#define VOX_UA_STR 128
#endif

/* A call or account handle: slot and generation, 0 is never valid. */
typedef uint32_t vox_ua_handle;

/* How a call's media is protected (DESIGN.md, security defaults). */
enum vox_ua_protection {
	VOX_UA_PROT_NONE = 0,        /* clear RTP */
	VOX_UA_PROT_SDES,            /* SRTP, keys in SDP: hop-by-hop */
	VOX_UA_PROT_ZRTP_UNVERIFIED, /* SRTP, ZRTP keys: end to end, SAS not yet compared */
	VOX_UA_PROT_ZRTP_VERIFIED    /* SRTP, ZRTP keys, SAS compared by the users */
};

enum vox_ua_ev_type {
	VOX_UA_EV_REG_OK = 1,   /* account registered or refreshed; status, expires */
	VOX_UA_EV_REG_FAILED,   /* a registration was refused or timed out; status */
	VOX_UA_EV_REG_LOST,     /* a refresh failed: the binding is gone */
	VOX_UA_EV_UNREGISTERED, /* the binding was removed (Expires: 0 accepted) */
	VOX_UA_EV_INCOMING,     /* a new call: ring, answer or reject it */
	VOX_UA_EV_PROGRESS,     /* the callee sent a 1xx (status: 180 rings, 183 ...) */
	VOX_UA_EV_EARLY_MEDIA,  /* an answer arrived in a 1xx: media may flow */
	VOX_UA_EV_ANSWERED,     /* the call is up (2xx sent and ACKed, or 2xx received) */
	VOX_UA_EV_MEDIA,        /* the media session changed (hold, resume, new keys) */
	VOX_UA_EV_DOWNGRADE,    /* the peer's new offer lowers protection, and we took it */
	VOX_UA_EV_ENDED         /* the call is over: status and reason say why */
};

struct vox_ua_event {
	enum vox_ua_ev_type type;
	vox_ua_handle call;    /* calls */
	vox_ua_handle account; /* registrations */
	unsigned status;       /* SIP status that caused it, 0 when none */
	const char *reason;    /* static text */
	uint32_t expires;      /* REG_OK: seconds granted */
	enum vox_ua_protection prot;
	int remote; /* ENDED: 1 when the peer ended it */
};

/* An account: an address-of-record registered at a registrar. */
struct vox_ua_account_cfg {
	struct vox_slice aor;       /* "sip:alice@example.com" */
	struct vox_slice registrar; /* Request-URI of REGISTER: "sip:example.com" */
	struct vox_slice username;  /* digest user name; empty: the AOR user */
	struct vox_slice password;
	uint32_t expires; /* seconds asked for; 0: 3600 */
};

struct vox_ua_config {
	struct vox_slice aor;          /* identity of calls without an account */
	struct vox_slice display_name; /* for From; may be empty */
	struct vox_slice host;         /* our address as peers reach it (Via, Contact) */
	uint16_t port;
	enum vox_transport transport; /* for requests we start */
	struct vox_peer outbound;     /* next hop for names vox cannot resolve; tp 0: none */
	struct vox_sip_timers timers; /* zeros: RFC defaults */
	struct vox_rng rng;
	/* media */
	struct vox_slice media_addr; /* our RTP address */
	uint16_t media_port;         /* first RTP port; call slot i uses media_port + 2i */
	enum vox_sdp_policy policy;
	/* SDES keys travel only over TLS hops unless this is set, by name
	 * (DESIGN.md): "allow SDES over insecure hops" */
	int allow_sdes_over_insecure_hops;
	uint8_t n_suites;
	enum vox_srtp_suite suites[VOX_SRTP_SUITE_COUNT];
	/* a re-offer that drops SRTP: refused with 488 (0) or taken with a
	 * VOX_UA_EV_DOWNGRADE event (1); under policy mandatory always refused */
	int accept_downgrade;
	const char *user_agent; /* for User-Agent/Server; NULL: "vox" */
};

enum vox_ua_call_state {
	VOX_UA_CALL_FREE = 0,
	VOX_UA_CALL_OUT_CALLING, /* INVITE sent */
	VOX_UA_CALL_OUT_EARLY,   /* 1xx received */
	VOX_UA_CALL_IN_INCOMING, /* INVITE received, not answered */
	VOX_UA_CALL_IN_ANSWERED, /* 2xx sent, waiting for the ACK */
	VOX_UA_CALL_UP,          /* confirmed dialog */
	VOX_UA_CALL_ENDING       /* BYE or CANCEL sent */
};

struct vox_ua_call {
	uint8_t state; /* enum vox_ua_call_state */
	uint8_t outgoing;
	uint8_t cancel_wanted; /* hang up as soon as the state allows (9.1, 15) */
	uint8_t auth_tries;    /* challenges answered for the current INVITE */
	uint8_t have_media;
	uint8_t reinvite_out;  /* our re-INVITE is pending */
	uint8_t glare;         /* a 491 came: retry at t_retry */
	uint8_t hold;          /* we hold the call (the peer accepted it) */
	uint8_t hold_want;     /* what our pending re-INVITE asks for */
	uint8_t secure_path;   /* every hop the call was set up over was TLS */
	uint8_t ack_pending;   /* our 2xx waits for its ACK */
	uint8_t delayed_offer; /* our 2xx carried the offer; the ACK brings the answer */
	uint8_t ended;         /* the ENDED event went out */
	uint8_t savp_retry;    /* our best-effort offer got 488: offered again as RTP/SAVP */
	uint16_t last_1xx;     /* the last provisional status reported (no duplicates) */
	uint16_t gen;
	uint16_t account;          /* 1 + account index, 0 none */
	uint32_t invite_cseq;      /* of our latest INVITE */
	vox_sip_txn_id invite_txn; /* our latest INVITE (client transaction) */
	vox_sip_txn_id ist;        /* the INVITE we serve (initial or re-INVITE) */
	vox_sip_txn_id cancel_txn;
	vox_sip_txn_id bye_txn;
	uint64_t t_2xx; /* next 2xx retransmission (13.3.1.4) */
	uint32_t t_2xx_interval;
	uint64_t t_2xx_end;
	uint64_t t_retry;  /* 491 retry (14.1) */
	uint64_t t_giveup; /* CANCEL unanswered for 64*T1 (9.1) */
	enum vox_ua_protection prot;
	struct vox_peer peer; /* where the initial INVITE went / came from */
	char branch[32];      /* of the ACK for our latest INVITE's 2xx */
	char local_tag[20];
	char call_id[VOX_UA_STR + 32]; /* until the dialog holds it */
	struct vox_sip_dialog dlg;
	struct vox_sdp_oa oa;
	struct vox_sdp_session media;
	uint16_t sdp_len; /* a pending answer (incoming) */
	char sdp[VOX_UA_SDP_MAX];
	char remote_uri[VOX_UA_STR]; /* outgoing: the target until the dialog exists */
};

enum vox_ua_reg_state {
	VOX_UA_REG_IDLE = 0,
	VOX_UA_REG_TRYING, /* REGISTER sent */
	VOX_UA_REG_OK,     /* bound, refresh scheduled */
	VOX_UA_REG_UNREGISTERING,
	VOX_UA_REG_FAILED
};

struct vox_ua_account {
	uint8_t state; /* enum vox_ua_reg_state */
	uint8_t used;
	uint8_t auth_tries;
	uint8_t was_ok;     /* a failure now means the binding is lost */
	uint8_t proxy_auth; /* the challenge we hold came in a 407 */
	uint8_t retrying;   /* a lost binding is being registered again (quietly) */
	uint8_t want;       /* asked while a REGISTER was out: 1 register, 2 unregister */
	uint16_t gen;
	uint32_t cseq;
	uint32_t expires; /* asked for */
	uint32_t granted; /* by the registrar */
	uint32_t backoff; /* ms until the next attempt while retrying */
	uint64_t t_refresh;
	vox_sip_txn_id txn;
	char aor[VOX_UA_STR];
	char registrar[VOX_UA_STR];
	char username[64];
	char password[64];
	char call_id[VOX_UA_STR + 32];
	char tag[20];
	char old_contact[VOX_UA_STR + 32]; /* to remove after a contact change */
	struct vox_digest_client auth;
};

/* Requests and responses the UA sends outside transactions: ACKs for
 * 2xx and stateless answers (481, 503). */
#define VOX_UA_OUTQ 4
struct vox_ua_out {
	uint16_t len;
	struct vox_peer to;
	char msg[VOX_SIP_TXN_MSG];
};

struct vox_ua {
	struct vox_ua_config cfg;
	char host[VOX_UA_STR]; /* copies of the configured strings */
	char aor[VOX_UA_STR];
	char display[64];
	char media_addr[64];
	struct vox_sip_txl txl;
	struct vox_sip_txn txn[VOX_UA_MAX_TXN];
	struct vox_ua_call calls[VOX_UA_MAX_CALLS];
	struct vox_ua_account acct[VOX_UA_MAX_ACCOUNTS];
	struct vox_ua_event evq[VOX_UA_MAX_EVENTS];
	uint16_t ev_head, ev_len;
	uint32_t dropped_events;
	uint16_t out_head, out_len;
	struct vox_ua_out outq[VOX_UA_OUTQ];
	uint32_t dropped_out;            /* stateless messages lost to a full queue */
	struct vox_peer cur_from;        /* the hop the message being handled came over */
	uint8_t cur_secure;              /* it and every hop before it were TLS */
	struct vox_sip_msg msg;          /* parse scratch: the message being handled */
	struct vox_sip_msg msg2;         /* parse scratch: a stored request */
	struct vox_sdp sdp;              /* parse scratch */
	char sdp_out[VOX_SDP_MAX_BUILD]; /* offers and answers on their way out */
	char build[VOX_SIP_TXN_MSG];     /* build scratch */
};

/* Sets up a UA; copies the configured strings (each must fit VOX_UA_STR).
 * Returns 0 or VOX_EINVAL (missing host or rng, string too long). */
VOX_MUST_CHECK int vox_ua_init(struct vox_ua *ua, const struct vox_ua_config *cfg);
/* Wipes keys and passwords. NULL is fine, and so is a second call. */
void vox_ua_free(struct vox_ua *ua);

/* One message arrived from `from` (framed, for a stream). Bad input is
 * answered (400, 420, ...) or dropped; it never changes other state. An
 * INVITE whose responses cannot fit VOX_SIP_TXN_MSG (a long Via set) is
 * dropped with VOX_ETOOLONG.
 * Returns 0, or the parse or validation error for the caller's logs. */
int vox_ua_recv(struct vox_ua *ua, const char *msg, size_t len, const struct vox_peer *from,
                uint64_t now);
VOX_MUST_CHECK int vox_ua_poll_output(struct vox_ua *ua, char *buf, size_t cap,
                                      struct vox_peer *to);
uint64_t vox_ua_next_deadline(const struct vox_ua *ua);
void vox_ua_on_deadline(struct vox_ua *ua, uint64_t now);
int vox_ua_next_event(struct vox_ua *ua, struct vox_ua_event *ev);

/* ---- registrations (RFC 3261 10) ---------------------------------------- */

VOX_MUST_CHECK int vox_ua_account_add(struct vox_ua *ua, const struct vox_ua_account_cfg *cfg,
                                      vox_ua_handle *account);
/* Sends REGISTER; refreshes follow by themselves until unregister. While
 * a REGISTER of the account waits for its final response, the new one
 * (this, vox_ua_unregister, a refresh or a contact change) goes out after
 * it (RFC 3261 10.2); the latest wish wins. */
VOX_MUST_CHECK int vox_ua_register(struct vox_ua *ua, vox_ua_handle account, uint64_t now);
/* Sends REGISTER with Expires: 0 (after the one in flight, as above). */
VOX_MUST_CHECK int vox_ua_unregister(struct vox_ua *ua, vox_ua_handle account, uint64_t now);
/* The local address or transport changed (a phone moved networks): new
 * Via/Contact, and every registered account registers again. */
VOX_MUST_CHECK int vox_ua_set_contact(struct vox_ua *ua, struct vox_slice host, uint16_t port,
                                      enum vox_transport tp, uint64_t now);

/* ---- calls (RFC 3261 13, 14, 15) ---------------------------------------- */

/* Calls `target` (a SIP URI). account may be 0. */
VOX_MUST_CHECK int vox_ua_call(struct vox_ua *ua, struct vox_slice target, vox_ua_handle account,
                               uint64_t now, vox_ua_handle *call);
VOX_MUST_CHECK int vox_ua_ring(struct vox_ua *ua, vox_ua_handle call, uint64_t now);
VOX_MUST_CHECK int vox_ua_answer(struct vox_ua *ua, vox_ua_handle call, uint64_t now);
VOX_MUST_CHECK int vox_ua_reject(struct vox_ua *ua, vox_ua_handle call, unsigned status,
                                 uint64_t now);
/* CANCEL before an answer, BYE after. */
VOX_MUST_CHECK int vox_ua_hangup(struct vox_ua *ua, vox_ua_handle call, uint64_t now);
/* re-INVITE with a sendonly (hold) or sendrecv (resume) offer. */
VOX_MUST_CHECK int vox_ua_hold(struct vox_ua *ua, vox_ua_handle call, int hold, uint64_t now);

const struct vox_ua_call *vox_ua_call_get(const struct vox_ua *ua, vox_ua_handle call);
const struct vox_ua_account *vox_ua_account_get(const struct vox_ua *ua, vox_ua_handle account);
/* Calls in use (every call ends in FREE: the chaos test checks this). */
size_t vox_ua_calls_active(const struct vox_ua *ua);
const char *vox_ua_protection_name(enum vox_ua_protection p);

#ifdef __cplusplus
}
#endif

#endif /* VOX_UA_H */
