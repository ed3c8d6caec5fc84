/* SPDX-License-Identifier: MIT */
/*
 * vox/ua.h: one SIP endpoint (a user agent): registrations and calls.
 *
 * The UA is a sans-I/O engine (docs/architecture.md, Sans-I/O engines and
 * Events). The caller feeds
 * it every SIP message that arrives (with the hop it came over) and the
 * time, and drains what it produces:
 *
 *   vox_ua_recv(ua, bytes, len, &from, now)      a datagram or a framed message
 *   vox_ua_poll_output(ua, buf, cap, &to)        bytes to send, and where
 *   vox_ua_transport_error(ua, id, now)          they could not be sent
 *   vox_ua_next_deadline(ua) / vox_ua_on_deadline(ua, now)
 *   vox_ua_next_event(ua, &ev)                   what the application must know
 *
 * and drives it with actions: vox_ua_register, vox_ua_call, vox_ua_answer,
 * vox_ua_hangup, vox_ua_hold, ... Every action takes `now` and queues
 * output; nothing happens behind the caller's back. No allocation: all
 * state lives in struct vox_ua, in pools sized by config.h. When a pool is
 * full, an incoming request gets 503 with Retry-After (RFC 3261 21.5.4).
 *
 * Media belongs to the call (docs/ua.md, A call's media). Each call slot
 * has a media engine (vox/media.h) that the UA starts when an answer is
 * agreed, updates after every re-INVITE, and stops and frees when the call
 * ends. The application owns the media sockets: it binds one (RTP on
 * port, RTCP on port + 1 unless rtcp-mux is agreed) and names it when it
 * commits to a session, in vox_ua_call and vox_ua_answer (struct
 * vox_ua_media_addr). Then the same engine verbs carry the media:
 *
 *   vox_ua_media_recv(ua, call, bytes, len, &from, now)   a datagram on its socket
 *   vox_ua_media_poll_output(ua, buf, cap, &call, &to)    packets to send, any call
 *   vox_ua_send_pcm, vox_ua_play, vox_ua_send_dtmf        audio and digits
 *
 * and vox_ua_next_deadline / vox_ua_on_deadline run the media timers too.
 * What the engines report comes on the UA's event queue with the call's
 * handle (VOX_UA_EV_MEDIA_ENGINE). The protection a call reports (prot) is
 * what its engine applies, never what the SDP alone says.
 *
 * Where requests go: a request outside a dialog to the outbound proxy
 * when one is configured, else to its Request-URI; one inside a dialog to
 * its route set's first URI, else the remote target (RFC 3261 8.1.2,
 * 12.2.1.1). An IP literal is used as it is. A host name is an output,
 * "resolve this" (RFC 3263):
 *
 *   vox_ua_poll_resolve(ua, &req)                 a name to look up
 *   vox_ua_resolved(ua, req.id, targets, n, now)  its targets, in order
 *
 * The request waits for the answer and then goes to the first target,
 * and to the next one, with a new branch, when that one is dead (a
 * transport error or a timeout). Nothing blocks (docs/ua.md, Names). A
 * request inside a dialog uses the answer a name already has, and fails
 * with VOX_ENOTFOUND when it has none.
 *
 * Ownership: struct vox_ua is the caller's and holds everything (it is
 * large: put it in static memory or a pool rather than on a small stack).
 * Configuration strings are copied by vox_ua_init and vox_ua_account_add,
 * except cfg->user_agent and cfg->rng.ctx, which must outlive the UA.
 * Messages passed to vox_ua_recv are read during the call only.
 *
 * Actions return 0 when the request or response went into the output
 * queue; what the peer makes of it arrives later as events. Handles carry
 * a generation: a handle of a call that ended gives VOX_ENOTFOUND (or
 * NULL), never another call.
 */
#ifndef VOX_UA_H
#define VOX_UA_H

#include "vox/dialog.h"
#include "vox/digest.h"
#include "vox/media.h"
#include "vox/sdp.h"
#include "vox/sip_txn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The pool sizes (VOX_UA_MAX_CALLS, VOX_UA_MAX_ACCOUNTS, VOX_UA_MAX_TXN,
 * VOX_UA_ARENA, VOX_UA_MAX_EVENTS) are in vox/config.h. */
/* Bytes of the peer's SDP offer an incoming call keeps until the
 * application answers: vox_ua_answer builds the answer then, for the media
 * socket it names. An offer that came in a message a transaction could
 * hold (VOX_SIP_TXN_MSG, any that came over UDP unfragmented) always fits;
 * a longer one is refused with 488. */
#ifndef VOX_UA_OFFER_MAX
#define VOX_UA_OFFER_MAX VOX_SIP_TXN_MSG
#endif
/* Media packets the UA holds for calls that ended (the RTCP BYE their
 * engines sent, RFC 3550 6.6) until vox_ua_media_poll_output takes them. A
 * BYE that finds the queue full is dropped like a lost datagram and
 * counted in dropped_media_out. */
#ifndef VOX_UA_MEDIA_OUTQ
#define VOX_UA_MEDIA_OUTQ 4
#endif
/* Longest digest credentials (an Authorization value) the UA sends, NUL
 * included. An outgoing call keeps those of its INVITE in the arena for
 * the ACK of its 2xx (RFC 3261 22.1). A challenge whose answer does not
 * fit is not answered (the call fails with the 401/407). */
#ifndef VOX_UA_CRED_MAX
#define VOX_UA_CRED_MAX 1024
#endif
/* Short strings a UA copies: URIs, tags, host names. */
#ifndef VOX_UA_STR
#define VOX_UA_STR 128
#endif
/* Bytes our Contact value takes at most, NUL included:
 * <sips:user@host:port;transport=tcp> with a user (from an AOR) and a host
 * of VOX_UA_STR - 1 bytes each, so that every AOR and host the UA takes
 * fits. */
#define VOX_UA_CONTACT_MAX (sizeof "<sips:@:65535;transport=tcp>" + 2 * (VOX_UA_STR - 1))

/* A call or account handle: slot and generation, 0 is never valid. */
typedef uint32_t vox_ua_handle;

/* How a call's media is protected (docs/architecture.md, Security
 * defaults): what its media engine applies. NONE also while no media
 * flows (before an answer, or when media could not start). */
enum vox_ua_protection {
	VOX_UA_PROT_NONE = 0,        /* clear RTP */
	VOX_UA_PROT_SDES,            /* SRTP, keys in SDP: hop-by-hop */
	VOX_UA_PROT_ZRTP_UNVERIFIED, /* SRTP, ZRTP keys: end to end, SAS not yet compared */
	VOX_UA_PROT_ZRTP_VERIFIED    /* SRTP, ZRTP keys, SAS compared by the users */
};

enum vox_ua_ev_type {
	VOX_UA_EV_REG_OK = 1,   /* account registered or refreshed; status, expires */
	VOX_UA_EV_REG_FAILED,   /* a registration was refused or timed out; status. A 423
	                           is answered with its longer Min-Expires (10.2.8) at most
	                           3 times, never beyond a day, and a 401/407 once (twice
	                           for a stale nonce); then this event */
	VOX_UA_EV_REG_LOST,     /* a refresh failed: the binding is gone */
	VOX_UA_EV_UNREGISTERED, /* the binding was removed (Expires: 0 accepted) */
	VOX_UA_EV_INCOMING,     /* a new call: ring, answer or reject it. peer: who
	                           calls (their From); account: the account it came
	                           in on, 0 when it names none of ours */
	VOX_UA_EV_PROGRESS,     /* the callee sent a 1xx (status: 180 rings, 183 ...) */
	VOX_UA_EV_EARLY_MEDIA,  /* an answer arrived in a 1xx: media may flow */
	VOX_UA_EV_ANSWERED,     /* the call is up (2xx sent and ACKed, or 2xx received) */
	VOX_UA_EV_MEDIA,        /* the media session changed (hold, resume, new keys), or
	                           with a status: our re-INVITE was refused and nothing
	                           changed (a 491 is retried 3 times first, 14.1) */
	VOX_UA_EV_DOWNGRADE,    /* the peer's new offer lowers protection, and we took it */
	VOX_UA_EV_ENDED,        /* the call is over: status and reason say why. A BYE
	                           from the peer ends it even when out of order (it gets
	                           500, 12.2.2, and our own BYE follows) */
	VOX_UA_EV_MEDIA_ENGINE, /* the call's media engine reports: ev->media (media
	                           started and its protection, new keys, first packet,
	                           SRTP failures counted and never played, RTCP reports,
	                           DTMF, remote silence, ...; see vox/media.h) */
	VOX_UA_EV_MEDIA_FAILED, /* the call's media could not start or follow the
	                           new session, and is stopped: reason says why (the
	                           peer's address is a host name, the engine refused the
	                           session); the call itself goes on */
	/* ZRTP (RFC 6189; key_methods has VOX_SDP_KEY_ZRTP): what the call's
	 * ZRTP session says, details in ev->media.zrtp (vox/media.h) */
	VOX_UA_EV_ZRTP_SAS,            /* the SAS for the users to compare: media.zrtp.sas
	                                  (rendered), .verified (compared on an earlier
	                                  call, and the cache continues), .continuity */
	VOX_UA_EV_ZRTP_SECURE,         /* ZRTP's keys are in use: prot is ZRTP now */
	VOX_UA_EV_ZRTP_NEW_PEER,       /* a peer ZID never met before (4.3.2): compare the SAS
	                                  (not a cache mismatch) */
	VOX_UA_EV_ZRTP_CACHE_MISMATCH, /* a known peer whose retained secrets do not match:
	                                  a MitM may be at work; compare the SAS (4.3.2) */
	VOX_UA_EV_ZRTP_HASH_MISMATCH,  /* the peer's ZRTP Hello is not the one its SDP
	                                  announced (a=zrtp-hash, 8.1): the media path was
	                                  tampered with */
	VOX_UA_EV_ZRTP_PBX,            /* the peer is a trusted MitM, a PBX (M flag, 7.3): the
	                                  SAS you read is with the server, not the person */
	VOX_UA_EV_ZRTP_FAILED          /* ZRTP ended without keys: reason says why,
	                                  media.zrtp.code (5.9) and .timeout. Under policy
	                                  mandatory a call without other keys then ends
	                                  (ENDED with that reason); else it goes on as prot
	                                  says */
};

struct vox_ua_event {
	enum vox_ua_ev_type type;
	vox_ua_handle call;    /* calls */
	vox_ua_handle account; /* registrations; calls: the call's account, or 0 */
	unsigned status;       /* SIP status that caused it, 0 when none */
	const char *reason;    /* static text */
	uint32_t expires;      /* REG_OK: seconds granted */
	enum vox_ua_protection prot;
	int remote;                   /* ENDED: 1 when the peer ended it (its BYE,
	                                 CANCEL or final refusal); 0 when we did,
	                                 our CANCEL's 487 included, or nobody
	                                 answered (a timeout) */
	struct vox_media_event media; /* MEDIA_ENGINE: what the engine said */
	/* INCOMING: the caller's From header value as it came ("Alice"
	 * <sip:alice@example.com>;tag=...; vox_sip_addr_parse reads it). It
	 * points into the call's state: valid while vox_ua_call_get(ua,
	 * call) is not NULL. Empty for other events. */
	struct vox_slice peer;
};

/* An account: an address-of-record registered at a registrar. */
struct vox_ua_account_cfg {
	struct vox_slice aor;       /* "sip:alice@example.com" */
	struct vox_slice registrar; /* Request-URI of REGISTER: "sip:example.com" */
	struct vox_slice username;  /* digest user name; empty: the AOR user */
	struct vox_slice password;
	uint32_t expires; /* seconds asked for; 0: 3600 */
	/* Instead of the password (which must then be empty): the precomputed
	 * HA1 = H(username ":" realm ":" password) in hex, as a registrar's
	 * database keeps it (RFC 7616 3.4.2, vox_digest_ha1_print). It answers
	 * challenges of its realm and hash only: ha1_alg says which
	 * (VOX_DIGEST_MD5: 32 hex digits, VOX_DIGEST_SHA256 or
	 * VOX_DIGEST_SHA512_256: 64; their -sess twins share it). */
	struct vox_slice ha1;
	enum vox_digest_alg ha1_alg;
};

/* Listening sockets a UA has besides its first (host, port, transport in
 * struct vox_ua_config): at most VOX_UA_MAX_LISTENERS in all. */
#define VOX_UA_MAX_LISTENERS 4

/* One more listening socket, as peers reach it (docs/ua.md, Listeners). */
struct vox_ua_listener {
	enum vox_transport tp;
	struct vox_slice host; /* our address on it, as peers reach it; copied */
	uint16_t port;         /* 0: the transport's default (5060, 5061 for TLS) */
};

struct vox_ua_config {
	struct vox_slice aor;          /* identity of calls without an account */
	struct vox_slice display_name; /* for From; may be empty */
	struct vox_slice host;         /* our address as peers reach it (Via, Contact) */
	uint16_t port;
	enum vox_transport transport; /* for requests we start */
	/* Those three are listener 0; these are the others. A message's Via
	 * and Contact name the listener it leaves from: the one its hop's
	 * message came in on when the transport said (vox_peer.listener in
	 * vox_ua_recv's from), else the first of its
	 * hop's transport and address family, else of its transport, else
	 * listener 0 (vox_ua_dest.listener says which). */
	uint8_t n_listeners; /* up to VOX_UA_MAX_LISTENERS - 1 */
	struct vox_ua_listener listeners[VOX_UA_MAX_LISTENERS - 1];
	/* RFC 3581: put what the responses' top Via say of our address
	 * (received, rport) into our Contact, per listener, once a response
	 * told it: behind a NAT, that is where peers reach us. 0 (default):
	 * the Contact names the listener's configured host and port. */
	uint8_t contact_from_rport;
	/* The outbound proxy (RFC 3261 8.1.2): every request outside a
	 * dialog goes to it. Either a SIP URI (sip:proxy.example.com, a host
	 * name the UA asks to resolve, or an address; copied, under
	 * VOX_UA_STR bytes) or an address (outbound, tp not 0), not both.
	 * Neither: a request goes to its Request-URI's host, resolved when a
	 * name (RFC 3263, docs/ua.md, Names). */
	struct vox_slice outbound_proxy;
	struct vox_peer outbound;
	struct vox_sip_timers timers; /* zeros: RFC defaults */
	struct vox_rng rng;
	/* media */
	struct vox_slice media_addr; /* our media address for calls that name none */
	enum vox_sdp_policy policy;  /* the requirement: off, optional, mandatory */
	unsigned key_methods;        /* VOX_SDP_KEY_SDES | VOX_SDP_KEY_ZRTP: how keys may
	                                be agreed (docs/sdp.md); 0: none, clear media */
	/* SDES keys travel only over TLS hops unless this is set, by name
	 * (docs/architecture.md, Security defaults): "allow SDES over insecure
 * hops" */
	int allow_sdes_over_insecure_hops;
	/* Whether the TLS hops we open are verified: 1 when the application's
	 * TLS client checks every server it connects to against trust anchors
	 * and refuses one that fails (vox/tls.h without insecure_no_verify and
	 * without pins). A request's first hop is chosen before its connection
	 * exists, so the UA cannot learn this from the handshake: it takes the
	 * application's word. 0 (the default): a TLS next hop the UA picks
	 * (literal or outbound) counts as unverified, and no SDES key goes to
	 * it. Incoming messages say it themselves (struct vox_peer, verified);
	 * transport/loop.c closes a connection that fails to keep this promise. */
	uint8_t tls_client_verifies;
	uint8_t n_suites;
	enum vox_srtp_suite suites[VOX_SRTP_SUITE_COUNT];
	/* Audio codecs we offer and accept, in our order of preference
	 * (VOX_SDP_CODEC_PCMU, VOX_SDP_CODEC_PCMA; telephone-event is always
	 * added). n_codecs 0: vox's default, PCMU then PCMA. */
	uint8_t n_codecs;
	enum vox_sdp_codec codecs[VOX_SDP_CODEC_COUNT];
	/* a re-offer that drops SRTP: refused with 488 (0) or taken with a
	 * VOX_UA_EV_DOWNGRADE event (1); under policy mandatory always refused */
	int accept_downgrade;
	uint32_t media_silence_ms; /* the peer sent no RTP for this long while we receive:
	                              a remote-silence media event; 0: never */
#if VOX_MEDIA_ZRTP
	/* ZRTP, when key_methods has VOX_SDP_KEY_ZRTP (and the policy is not
	 * off): each call runs a session in its media engine (docs/ua.md, ZRTP
	 * calls). zrtp_zid: our ZID, the same on every call and run (RFC 6189
	 * 4.9; two endpoints with one ZID refuse each other, Error 0x90).
	 * zrtp_store: the application's retained secrets (vox/zrtp.h: a file,
	 * flash, vox_zrtp_cache_store in memory; load NULL: none, every call
	 * meets a new peer); its ctx must outlive the UA. zrtp_timeout_ms:
	 * the time ZRTP has to complete from the media's start; 0:
	 * VOX_ZRTP_SETUP_MS (vox/config.h). */
	uint8_t zrtp_zid[VOX_ZRTP_ZID_LEN];
	struct vox_zrtp_store zrtp_store;
	uint32_t zrtp_timeout_ms;
#endif
	const char *user_agent; /* for User-Agent/Server; NULL: "vox" */
};

/* ---- names to resolve (RFC 3263) ------------------------------------------ */

/* What the application's resolver looks up for a name (RFC 3263 4.1,
 * 4.2), from what the URI already says. */
enum vox_ua_lookup {
	VOX_UA_LOOKUP_NAPTR = 1, /* no port and no transport in the URI: NAPTR, then
	                            SRV of the transports it names (without NAPTR
	                            records: SRV of _sip._udp, _sip._tcp, _sips._tcp,
	                            in the order the UA supports), then A/AAAA on the
	                            transport's default port */
	VOX_UA_LOOKUP_SRV,       /* the transport given, no port: SRV of that
	                            transport, then A/AAAA on its default port */
	VOX_UA_LOOKUP_ADDR       /* a port given: A/AAAA only (4.2) */
};

/* "Resolve this", an output (vox_ua_poll_resolve): the host name of a
 * request's next hop (the outbound proxy, else the Request-URI), and what
 * the URI says of how to reach it. */
struct vox_ua_resolve {
	uint32_t id;           /* names the answer (vox_ua_resolved); never 0 */
	char name[VOX_UA_STR]; /* the host name, NUL-terminated */
	uint16_t port;         /* the URI's port; 0: none given */
	enum vox_transport tp; /* the URI's transport (sips: TLS, or transport=), or the
	                          UA's configured one when the URI names none */
	uint8_t tp_given;      /* 1: the URI named tp, every target must use it; 0: the
	                          NAPTR records may pick another (tp: the UA's choice) */
	uint8_t sips;          /* a sips: URI: TLS targets only (RFC 3263 4.1) */
	enum vox_ua_lookup lookup;
};

/* One target of an answer, in the order to try them (RFC 3263 4.4 and
 * RFC 2782: NAPTR order, SRV priority and weight, then address order). */
struct vox_ua_target {
	enum vox_transport tp;
	struct vox_addr addr; /* IPv4 or IPv6, with its port (not 0) */
};

/* Which answered name a request's next hop came from, so that a dead
 * target moves the request to the next one (RFC 3263 4.3). Kept by each
 * call and account: 4 bytes. */
struct vox_ua_hop {
	uint8_t name; /* 1 + the UA's name slot; 0: an address, no other target */
	uint8_t k;    /* the target the request went to */
	uint8_t wait; /* the request waits for the name's answer */
	uint8_t gen;  /* the slot's generation, that it still holds the name */
};

/* Where a call's media socket is bound, as the application names it to
 * vox_ua_call and vox_ua_answer: the address written into the call's SDP
 * (c=, o=) and the RTP port. RTCP comes and goes on port + 1 unless the
 * peer agrees to rtcp-mux (RFC 5761; vox always offers it), so bind both.
 * Read during the call only: the UA copies it. */
struct vox_ua_media_addr {
	struct vox_slice addr; /* an IPv4 or IPv6 literal, or a host name; empty: the
	                          configured media_addr */
	uint16_t port;         /* 1..65534 */
};

/* A call's three state machines (docs/ua.md, The states of a call, draws
 * them; ua/call_fsm.c lists every legal change and makes each one). */

/* The session, from the first INVITE to the end of the dialog (RFC 3261
 * 13-15; IN_ANSWERED is the Accepted state of RFC 6026 7.1). */
enum vox_ua_call_state {
	VOX_UA_CALL_FREE = 0,
	VOX_UA_CALL_OUT_CALLING,     /* our INVITE sent, no provisional response yet */
	VOX_UA_CALL_OUT_EARLY,       /* a 1xx came (an early dialog when it had a To tag) */
	VOX_UA_CALL_IN_INCOMING,     /* an INVITE came, not answered */
	VOX_UA_CALL_IN_ANSWERED,     /* our 2xx sent, waiting for the ACK (RFC 6026 Accepted) */
	VOX_UA_CALL_UP,              /* confirmed dialog */
	VOX_UA_CALL_ENDING,          /* BYE sent: the session is over (ENDED went out), the
	                            slot waits for the BYE's answer (15.1.1) */
	VOX_UA_CALL_OUT_CANCEL_WAIT, /* hung up before any 1xx: the CANCEL waits for one (9.1) */
	VOX_UA_CALL_CANCELLING,      /* CANCEL sent: the INVITE's final response ends the call */
	VOX_UA_CALL_BYE_WAIT,        /* hung up while our 2xx waits for its ACK: the BYE
	                                goes after it (15) */
	VOX_UA_CALL_STATES           /* how many */
};

/* Our re-INVITE in the confirmed dialog (RFC 3261 14.1). */
enum vox_ua_uac_state {
	VOX_UA_UAC_IDLE = 0,
	VOX_UA_UAC_REINVITING, /* our re-INVITE is out (or waits for its hop's name) */
	VOX_UA_UAC_GLARE_WAIT, /* it got 491: sent again at t_retry (14.1) */
	VOX_UA_UAC_STATES
};

/* The peer's INVITE we serve (initial or re-INVITE), as offer/answer sees
 * it (RFC 3261 13.2.1, 13.3.1.4; RFC 3264). */
enum vox_ua_uas_state {
	VOX_UA_UAS_IDLE = 0,
	VOX_UA_UAS_OFFERED,         /* its INVITE carried an offer, not answered yet */
	VOX_UA_UAS_NO_OFFER,        /* its INVITE carried none: our 2xx will carry ours */
	VOX_UA_UAS_ACK_WAIT,        /* our 2xx (with the answer) waits for its ACK */
	VOX_UA_UAS_ACK_WAIT_ANSWER, /* our 2xx carried our offer: the ACK brings the answer */
	VOX_UA_UAS_STATES
};

struct vox_ua_call {
	uint8_t state; /* enum vox_ua_call_state */
	uint8_t uac;   /* enum vox_ua_uac_state */
	uint8_t uas;   /* enum vox_ua_uas_state */
	/* Facts and counters, independent of the states above: */
	uint8_t outgoing;    /* we sent the initial INVITE (our role, for the call's life) */
	uint8_t auth_tries;  /* challenges answered for the current INVITE or BYE */
	uint8_t have_media;  /* a session was agreed (media below) */
	uint8_t glare;       /* 491s answered to what we ask (retried at t_retry, 14.1) */
	uint8_t hold;        /* we hold the call (the peer accepted it) */
	uint8_t hold_want;   /* what our re-INVITE asks for (hold while REINVITING) */
	uint8_t secure_path; /* every hop the call was set up over was TLS, our
	                        own (first or last) verified */
	uint8_t ended;       /* the ENDED event went out (exactly once, whatever the state) */
	uint8_t savp_retry;  /* our best-effort offer got 488: offered again as RTP/SAVP */
	uint8_t cred_proxy;  /* cred_at holds a Proxy-Authorization value */
	uint8_t dwait;       /* our request inside the dialog that waits for its first
	                        hop's name (dhop): 0 none, 1 BYE, 2 re-INVITE, 3 re-INVITE
	                        with new keys */
	uint16_t last_1xx;   /* the last provisional status reported (no duplicates) */
	uint16_t gen;
	uint16_t account;          /* 1 + account index, 0 none */
	uint32_t invite_cseq;      /* of our latest INVITE */
	vox_sip_txn_id invite_txn; /* our latest INVITE (client transaction) */
	vox_sip_txn_id ist;        /* the INVITE we serve (initial or re-INVITE) */
	vox_sip_txn_id cancel_txn;
	vox_sip_txn_id bye_txn;
	uint64_t t_2xx; /* next 2xx retransmission (13.3.1.4) */
	uint32_t t_2xx_interval;
	uint32_t ack_cseq; /* CSeq of the INVITE whose 2xx waits for its ACK */
	uint64_t t_2xx_end;
	uint64_t t_retry;            /* 491 retry (14.1) */
	uint64_t t_giveup;           /* CANCEL unanswered for 64*T1 (9.1) */
	enum vox_ua_protection prot; /* what the call's media engine applies */
	struct vox_peer peer;        /* where the initial INVITE went / came from */
	struct vox_ua_hop hop;       /* outgoing: the resolved name its INVITE goes to
	                                (here, where it costs no padding) */
	struct vox_ua_hop dhop;      /* the name our latest BYE or re-INVITE went to
	                                (the dialog's first hop), for failover */
	vox_sip_txn_id fork_bye;     /* our BYE to an unwanted fork (13.2.2.4) */
	uint64_t fork_key;           /* that fork's To tag, hashed */
	char branch[32];             /* of the ACK for our latest INVITE's 2xx */
	uint16_t cred_at, cred_len;  /* the credentials of our INVITE, for its ACK (22.1):
	                                in the arena (vox_sip_arena_put) */
	char local_tag[20];
	char call_id[VOX_UA_STR + 32]; /* until the dialog holds it */
	struct vox_sip_dialog dlg;
	struct vox_sdp_oa oa;
	/* the session agreed (have_media), as far as the call's signalling
	 * needs it; the engine holds the rest, and the keys (vox_ua_media_get) */
	struct {
		uint8_t prot;             /* enum vox_sdp_prot */
		uint8_t dir;              /* enum vox_sdp_dir: ours */
		uint16_t remote_rtp_port; /* the peer's RTP port */
	} media;
	char remote_uri[VOX_UA_STR]; /* outgoing: the target until the dialog exists */
	/* the UA's tables (ua/ua.c): slot + 1, 0 for none */
	uint16_t hnext;        /* next call of its Call-ID bucket, or the next free slot */
	uint16_t lprev, lnext; /* the list of live calls */
	uint8_t indexed;       /* in its Call-ID bucket */
	uint8_t dirty;         /* its next deadline must be computed again */
	uint64_t cid_key;      /* hash of its Call-ID */
};

/* A call slot's media, kept beside struct vox_ua_call so that the
 * signalling state stays small: the engine, the call's media socket and,
 * until the call is answered, the peer's offer. Read-only for the caller
 * (vox_ua_media_get). */
struct vox_ua_media {
	struct vox_media engine;         /* IDLE until an answer is agreed, again after the end */
	uint16_t port;                   /* the call's RTP port (0: not named yet) */
	uint8_t tx_at_ack;               /* we answered a re-key: our new send key (tx_next)
	                                    waits for
	                            the ACK (the peer cannot decrypt it before) */
	struct vox_srtp_key tx_next;     /* that key (wiped once taken) */
	const char *failed;              /* a VOX_UA_EV_MEDIA_FAILED to report (static text) */
	char addr[VOX_SDP_MAX_ADDR + 1]; /* the call's media address */
	uint16_t offer_at, offer_len;    /* an incoming call's offer, until answered: in
	                                    the arena (vox_sip_arena_put) */
#if VOX_MEDIA_ZRTP
	char zrtp_hash[65];     /* our a=zrtp-hash (64 hex digits), "" without ZRTP */
	const char *zrtp_ended; /* ZRTP failed under mandatory, no keys: the call ends
	                            at the next deadline, with this reason */
#endif
};

/* A media packet of a call that ended (its RTCP BYE), waiting to be polled. */
struct vox_ua_media_out {
	vox_ua_handle call;
	struct vox_media_dest to;
	uint16_t len;
	uint32_t data[VOX_MEDIA_OUT_MAX / 4 + 1]; /* 4-byte aligned, as libsrtp2 wants */
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
	uint8_t was_ok;      /* a failure now means the binding is lost */
	uint8_t proxy_auth;  /* the challenge we hold came in a 407 */
	uint8_t retrying;    /* a lost binding is being registered again (quietly) */
	uint8_t want;        /* asked while a REGISTER was out: 1 register, 2 unregister */
	uint8_t brief_tries; /* 423s answered for this registration (10.2.8) */
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
	char ha1[VOX_DIGEST_MAX_HEX + 1]; /* hex, or "" (password) */
	uint8_t ha1_alg;                  /* enum vox_digest_alg of ha1 */
	char call_id[VOX_UA_STR + 32];
	char tag[20];
	char old_contact[VOX_UA_CONTACT_MAX]; /* to remove after a contact change */
	struct vox_digest_client auth;
	struct vox_ua_hop hop; /* the resolved name its REGISTER goes to */
	struct vox_peer peer;  /* where its latest REGISTER went (tp 0: none yet) */
};

/* A request or response the UA sends outside transactions (an ACK for a
 * 2xx, a stateless answer: 400, 481, 503), waiting in the arena until
 * vox_ua_poll_output takes it. VOX_UA_OUTQ (vox/config.h) of them wait at
 * most, and together they take at most a quarter of the arena. */
struct vox_ua_out {
	uint16_t len;
	uint16_t at; /* first arena chunk */
	struct vox_peer to;
};

#if VOX_UA_OFFER_MAX < 1 || VOX_UA_OFFER_MAX > VOX_SIP_TXN_MSG
#error "VOX_UA_OFFER_MAX must lie between 1 and VOX_SIP_TXN_MSG (it is read back into build)"
#endif
#if VOX_UA_MEDIA_OUTQ < 1 || VOX_UA_MEDIA_OUTQ > 65535
#error "VOX_UA_MEDIA_OUTQ must lie between 1 and 65535"
#endif

/* Listener i + 1's copy (listener 0 is cfg.host, cfg.port, cfg.transport). */
struct vox_ua_lis {
	uint8_t tp;
	uint16_t port;
	char host[VOX_UA_STR];
};

/* What responses said of our address on a listener (RFC 3581), port 0: nothing yet. */
struct vox_ua_seen {
	uint16_t port;
	char host[48]; /* an IPv4 address, or an IPv6 one in [ ] */
};

/* A name the UA resolves or has resolved (RFC 3263), in a table of
 * VOX_UA_MAX_NAMES (ua/ua.c, Names). */
enum vox_ua_name_state {
	VOX_UA_NAME_FREE = 0,
	VOX_UA_NAME_TO_ASK,  /* waits for vox_ua_poll_resolve */
	VOX_UA_NAME_ASKED,   /* polled, waits for vox_ua_resolved */
	VOX_UA_NAME_ANSWERED /* targets known */
};
struct vox_ua_name {
	uint8_t state; /* enum vox_ua_name_state */
	uint8_t gen;   /* changes whenever the slot takes another name */
	uint8_t n;     /* targets */
	uint8_t cur;   /* the first target not known dead: where requests go */
	uint8_t tp, tp_given, sips;
	uint16_t port;
	uint32_t id;   /* of the question (TO_ASK, ASKED) */
	uint64_t t;    /* TO_ASK, ASKED: given up at; ANSWERED: stale from (new
	                     requests ask again) */
	uint64_t used; /* last taken: the least recently used answer makes room */
	struct vox_ua_target target[VOX_UA_MAX_TARGETS];
	char name[VOX_UA_STR];
};

struct vox_ua {
	struct vox_ua_config cfg;
	char outbound_uri[VOX_UA_STR]; /* copy of cfg.outbound_proxy */
	struct vox_ua_name names[VOX_UA_MAX_NAMES];
	uint32_t next_name_id;
	uint8_t nlis; /* listeners besides the first */
	struct vox_ua_lis lis[VOX_UA_MAX_LISTENERS - 1];
	struct vox_ua_seen seen[VOX_UA_MAX_LISTENERS];
	char host[VOX_UA_STR]; /* copies of the configured strings */
	char aor[VOX_UA_STR];
	char display[64];
	char media_addr[64];
	struct vox_sip_txl txl;
	struct vox_sip_txn txn[VOX_UA_MAX_TXN]; /* control blocks (vox/sip_txn.h) */
	struct vox_sip_chunk arena[VOX_UA_ARENA / VOX_SIP_CHUNK]; /* their bytes */
	struct vox_ua_call calls[VOX_UA_MAX_CALLS];
	/* Finding a call without walking every slot (docs/architecture.md,
	 * Memory): a hash table on the Call-ID, the live calls in a list, the
	 * free slots in another, and a heap of the calls' next deadlines
	 * (each call's own timers and its media engine's), computed again
	 * for the calls an operation touched (dirty). Slots + 1, 0 none. */
	uint16_t call_bucket[VOX_UA_MAX_CALLS];
	uint16_t free_call, live_head, live_tail, ncalls;
	uint16_t heap_at[VOX_UA_MAX_CALLS], heap_pos[VOX_UA_MAX_CALLS];
	uint64_t heap_key[VOX_UA_MAX_CALLS];
	size_t heap_n;
	uint16_t dirty[VOX_UA_MAX_CALLS];
	size_t ndirty;
	struct vox_ua_media media[VOX_UA_MAX_CALLS]; /* media[i] is calls[i]'s */
	struct vox_ua_account acct[VOX_UA_MAX_ACCOUNTS];
	struct vox_ua_event evq[VOX_UA_MAX_EVENTS];
	uint16_t ev_head, ev_len;
	uint32_t dropped_events; /* events pushed out of a full queue */
	uint16_t out_head, out_len;
	struct vox_ua_out outq[VOX_UA_OUTQ];
	uint32_t out_chunks;  /* arena chunks they hold */
	uint32_t dropped_out; /* stateless messages lost to a full queue */
	uint16_t mout_head, mout_len;
	struct vox_ua_media_out mout[VOX_UA_MEDIA_OUTQ];
	uint32_t dropped_media_out; /* RTCP BYEs of ended calls lost to a full queue */
	uint16_t mpoll;             /* the call (slot + 1) media output is polled from next */
	/* The changes of state the calls made (ua/call_fsm.c): bit t of
	 * call[f] is set once a call went from state f to state t; likewise
	 * for the re-INVITE (uac) and served-INVITE (uas) machines. refused
	 * counts changes the tables do not allow (refused, the state kept):
	 * any is a bug in the UA. Read-only, for tests and the curious. */
	struct {
		uint16_t call[VOX_UA_CALL_STATES];
		uint16_t uac[VOX_UA_UAC_STATES];
		uint16_t uas[VOX_UA_UAS_STATES];
		uint32_t refused;
	} fsm;
	struct vox_peer cur_from; /* the hop the message being handled came over */
	uint8_t cur_secure;       /* it and every hop before it were TLS, it verified */
	struct vox_sip_msg msg;   /* parse scratch: the message being handled */
	struct vox_sip_msg msg2;  /* parse scratch: our INVITE, from a call's facts */
	char facts[3 * VOX_UA_STR + VOX_UA_STR + 32 + 128]; /* its bytes */
	struct vox_sdp sdp;                                 /* parse scratch */
	struct vox_sdp_oa oa_saved;      /* a call's offer/answer state, while a change may fail */
	struct vox_sip_dialog fork;      /* the dialog of a fork's 2xx we end (13.2.2.4) */
	char sdp_out[VOX_SDP_MAX_BUILD]; /* offers and answers on their way out */
	char build[VOX_SIP_TXN_MSG];     /* build scratch */
};

/* Checks a configuration the way vox_ua_init does, and says why it would
 * refuse it: a host, a random source (rng.fn), and strings that fit their
 * copies (host and aor under VOX_UA_STR bytes, display_name and the media
 * address under 64: an empty media_addr stands for the host); at most
 * VOX_UA_MAX_LISTENERS - 1 listeners besides the first, each UDP, TCP or
 * TLS with a host under VOX_UA_STR bytes; the SDP
 * settings every call is made from (vox_sdp_local_check, with the
 * configured key methods and suites). Every host and AOR it accepts fit
 * our Via and Contact. Returns 0, VOX_EPOLICY (policy mandatory and no key
 * method that can make a call: SDES without a suite, none at all, or ZRTP
 * alone in a build without it, "this build has no ZRTP") or VOX_EINVAL; *why (if not
 * NULL) gets the reason, a static string. */
VOX_MUST_CHECK int vox_ua_config_check(const struct vox_ua_config *cfg, const char **why);
/* Sets up a UA; copies the configured strings (host and aor under
 * VOX_UA_STR bytes, display_name and media_addr under 64). transport 0
 * means UDP, port 0 the transport's default, an empty media_addr the host.
 * Returns 0, or what vox_ua_config_check returns (VOX_EINVAL, VOX_EPOLICY:
 * call it for the reason). *ua is cleared first, so after an error it
 * holds nothing to free, or VOX_ECONFIG: the caller was compiled with
 * another vox/config.h than the library, so that its struct vox_ua has
 * another size and layout (*ua is not touched). vox_ua_init is a macro
 * that passes the caller's VOX_CONFIG_FINGERPRINT to vox_ua_init_fp. */
VOX_MUST_CHECK int vox_ua_init_fp(struct vox_ua *ua, const struct vox_ua_config *cfg,
                                  uint32_t fingerprint);
#define vox_ua_init(ua, cfg) vox_ua_init_fp((ua), (cfg), VOX_CONFIG_FINGERPRINT)
/* The library's VOX_CONFIG_FINGERPRINT (vox/config.h): what vox_ua_init
 * compares the caller's with. */
uint32_t vox_ua_fingerprint(void);
/* Wipes keys and passwords, and frees every media engine (their libsrtp2
 * contexts). Sends nothing: hang up and unregister first if the peers
 * should know. NULL is fine, and so is a second call. */
void vox_ua_free(struct vox_ua *ua);

/* What vox_ua_recv did with a request it refused, with an answer sent. */
#define VOX_UA_REFUSED 1 /* it failed the checks of RFC 3261 8.2 or 18.3 */
#define VOX_UA_BUSY    2 /* no free transaction: 503 with Retry-After (21.5.4) */

/* One message arrived from `from` (framed, for a stream; from->listener:
 * the listening socket it came in on, so that the answers and the
 * requests of the call it makes leave from it too). Bad input is
 * answered (400, 420, ...) or dropped; it never changes other state.
 * msg and from are read during the call only. Returns
 *   0               the message was handled (also when the call logic
 *                   answered it with an error status, 481 or 488 say)
 *   VOX_UA_REFUSED  a request that failed the checks of RFC 3261 8.2
 *                   (vox_sip_validate: 400, 405, 415, 416, 420, 505, ...)
 *                   or whose Content-Length passes the datagram (18.3:
 *                   400) got that response, statelessly; best effort
 *                   when it lacks headers a response copies (RFC 4475:
 *                   "ideally, respond with 400"): those it has are
 *                   copied, and without a Via it goes back to `from`
 *   VOX_UA_BUSY     no free transaction: answered 503 with Retry-After
 * or, dropped with nothing answered:
 *   VOX_EMALFORMED, VOX_ERANGE, VOX_ELIMIT, VOX_ETOOLONG
 *                   not a SIP message vox takes (vox_sip_parse with
 *                   VOX_SIP_DATAGRAM), or a response that fails the
 *                   checks of 8.2
 *   VOX_ETOOLONG    also: an INVITE whose responses cannot fit
 *                   VOX_SIP_TXN_MSG (a long Via set), a request whose list
 *                   of unsupported extensions does not fit a 420, one too
 *                   long to tell its retransmissions apart (VOX_SIP_TXN_ID)
 * The positive codes mean the sender speaks SIP: a stream transport keeps
 * the connection. A negative one on a stream means the peer sent
 * something that is not SIP at all: close the connection. None of these
 * needs other action: the UA stays consistent. */
int vox_ua_recv(struct vox_ua *ua, const char *msg, size_t len, const struct vox_peer *from,
                uint64_t now);
/* Where a message from vox_ua_poll_output_dest goes, and the id the
 * transport names it by if it cannot send it (vox_ua_transport_error). */
struct vox_ua_dest {
	struct vox_peer to; /* address, transport, connection (0: any or a new one) */
	uint32_t id;        /* the transaction that sends it; 0 for a message sent
	                       outside transactions (an ACK for a 2xx, a stateless
	                       answer), whose loss the peer's retransmission mends */
	uint8_t listener;   /* the listener to send it from, whose address its Via
	                       and Contact name: 0 the configured host, port and
	                       transport, i the configured listeners[i - 1] */
};
/* As vox_ua_poll_output, and names the message's sender in d->id. d is
 * cleared first. Returns as vox_ua_poll_output. */
VOX_MUST_CHECK int vox_ua_poll_output_dest(struct vox_ua *ua, char *buf, size_t cap,
                                           struct vox_ua_dest *d);
/* The transport could not send the message polled under id: a connection
 * refused or reset before it left, a TLS handshake that failed, a send()
 * the system refused (not a full buffer: that is a lost datagram, which
 * retransmissions mend). RFC 3261 8.1.3.1 and 17.1.4: the transaction
 * that sent it ends and its TU acts as on a 503: an INVITE's call ends
 * (VOX_UA_EV_ENDED, status 503, reason "transport error: ..."), a
 * re-INVITE's call is hung up, a REGISTER fails (VOX_UA_EV_REG_FAILED or
 * REG_LOST, status 503), a BYE's call is freed. A response of ours that
 * cannot be sent (17.2.4) has no other address to try (a sent-by host
 * name would need a lookup first), so its call ends the same way. id 0,
 * and an id whose transaction already ended, change nothing. Cannot
 * fail; drain the output and events afterwards. */
void vox_ua_transport_error(struct vox_ua *ua, uint32_t id, uint64_t now);
/* The next name to resolve (RFC 3263; docs/ua.md, Names): a request's
 * next hop is a host name whose targets the UA does not know. Returns 1
 * and fills *req, or 0 when no name waits. Answer each one with
 * vox_ua_resolved under req->id, from a lookup that does not block (the
 * UA waits for it; what waits on the name is held until then, and fails
 * as unresolved when no answer came within 64*T1). Poll after every call
 * into the UA, as for the output. */
VOX_MUST_CHECK int vox_ua_poll_resolve(struct vox_ua *ua, struct vox_ua_resolve *req);
/* The answer to the question id: n targets in the order to try them (the
 * UA copies them). Every request that waited on the name goes to the
 * first, and moves to the next with a new branch when a target is dead (a
 * transport error or a timeout, RFC 3263 4.3); when all are dead its
 * transaction fails as the last did (503 or 408). n 0: the name did not
 * resolve (no such name, or the lookup failed): what waited on it fails
 * with 503 (VOX_UA_EV_ENDED or VOX_UA_EV_REG_FAILED, reason "the next
 * hop's name did not resolve"). Returns 0, or, with nothing changed:
 *   VOX_ENOTFOUND  no question id is open (never asked, answered
 *                  already, or given up)
 *   VOX_ELIMIT     n over VOX_UA_MAX_TARGETS: answer again with the best
 *                  VOX_UA_MAX_TARGETS
 *   VOX_EINVAL     targets NULL with n > 0, or a target that is none
 *                  (transport not UDP, TCP or TLS, family not 4 or 6, port
 *                  0), or not the transport the question gave (tp_given),
 *                  or not TLS for a sips: name
 * Drain the output and events afterwards. */
VOX_MUST_CHECK int vox_ua_resolved(struct vox_ua *ua, uint32_t id,
                                   const struct vox_ua_target *targets, size_t n, uint64_t now);
/* Copies the next message to send into buf (no NUL) and sets *to: first
 * what the UA sends outside transactions (ACKs for 2xx, stateless
 * answers), then the transaction layer's. Returns its length, 0 when
 * nothing waits, or VOX_ENOSPC (the message stays queued; a buffer of
 * VOX_SIP_TXN_MSG bytes always suffices). Drain the output after every
 * call into the UA: messages sent outside transactions wait in a queue of
 * VOX_UA_OUTQ; one that finds it full is dropped like a lost datagram and
 * counted in dropped_out. */
VOX_MUST_CHECK int vox_ua_poll_output(struct vox_ua *ua, char *buf, size_t cap,
                                      struct vox_peer *to);
/* Earliest time vox_ua_on_deadline wants to run (transaction timers,
 * refreshes, 2xx retransmissions, glare retries, the media engines' RTCP,
 * DTMF, silence and re-key timers), or UINT64_MAX. */
uint64_t vox_ua_next_deadline(const struct vox_ua *ua);
/* Runs everything due at or before now. Cannot fail: what goes wrong
 * becomes an event (a REGISTER that cannot be sent: REG_FAILED with 503; a
 * transaction timeout: as a 408 response). */
void vox_ua_on_deadline(struct vox_ua *ua, uint64_t now);
/* Next event: 1 and *ev, or 0. ev->reason is a static string. When
 * VOX_UA_MAX_EVENTS wait, a new event drops the oldest (counted in
 * dropped_events): drain the queue after every call. */
int vox_ua_next_event(struct vox_ua *ua, struct vox_ua_event *ev);

/* ---- registrations (RFC 3261 10) ---------------------------------------- */

/* Adds an account (not registered yet: call vox_ua_register). Copies cfg's
 * strings: aor and registrar under VOX_UA_STR bytes, username and
 * password under 64 (the password and HA1 are wiped by vox_ua_free). The
 * registrar is not checked here: a bad one makes vox_ua_register fail.
 * Returns 0 and *account, or VOX_EINVAL (cfg NULL, aor not a sip: or sips:
 * URI, a string too long, both a password and an HA1, an HA1 that is not
 * hex of ha1_alg's length, or a host in the UA's config that is no Call-ID
 * word),
 * VOX_EPOOL (VOX_UA_MAX_ACCOUNTS in use) or VOX_ERNG. Accounts are never
 * removed. */
VOX_MUST_CHECK int vox_ua_account_add(struct vox_ua *ua, const struct vox_ua_account_cfg *cfg,
                                      vox_ua_handle *account);
/* Sends REGISTER; refreshes follow by themselves until unregister. While
 * a REGISTER of the account waits for its final response, the new one
 * (this, vox_ua_unregister, a refresh or a contact change) goes out after
 * it (RFC 3261 10.2); the latest wish wins. The outcome arrives as
 * VOX_UA_EV_REG_OK or VOX_UA_EV_REG_FAILED. Returns 0 (sent, or waiting
 * behind the REGISTER in flight, or for the answer to its next hop's
 * name), or
 *   VOX_ENOTFOUND   no such account
 *   VOX_EPOOL       no free transaction, or the registrar's (or outbound
 *                   proxy's) host is a name to resolve and every name slot
 *                   waits for an answer (VOX_UA_MAX_NAMES)
 *   VOX_ENOSPC      the REGISTER does not fit VOX_SIP_TXN_MSG (long
 *                   host, AOR, registrar or credentials)
 *   VOX_EMALFORMED  the REGISTER built from the account does not parse (a
 *                   bad registrar URI)
 *   VOX_ERNG        no branch: the rng failed */
VOX_MUST_CHECK int vox_ua_register(struct vox_ua *ua, vox_ua_handle account, uint64_t now);
/* Sends REGISTER with Expires: 0 (after the one in flight, as above); the
 * outcome arrives as VOX_UA_EV_UNREGISTERED. Returns as vox_ua_register. */
VOX_MUST_CHECK int vox_ua_unregister(struct vox_ua *ua, vox_ua_handle account, uint64_t now);
/* The local address or transport changed (a phone moved networks): new
 * Via/Contact, and every registered account registers again, removing its
 * old contact: at the next vox_ua_on_deadline (the deadline becomes now),
 * or after the REGISTER in flight. host is copied; as for vox_ua_init, tp
 * 0 means UDP and port 0 the transport's default. Returns 0 or VOX_EINVAL
 * (host empty or not under VOX_UA_STR bytes; nothing changed then). */
VOX_MUST_CHECK int vox_ua_set_contact(struct vox_ua *ua, struct vox_slice host, uint16_t port,
                                      enum vox_transport tp, uint64_t now);

/* ---- calls (RFC 3261 13, 14, 15) ---------------------------------------- */

/* Calls `target` (a SIP URI; copied). account may be 0: then the UA's own
 * aor is the caller. media names the socket the call's media uses (the
 * offer carries it; the engine starts when the answer comes, early media
 * included). Returns 0 and *call, or
 *   VOX_EINVAL      target not a sip: or sips: URI under VOX_UA_STR bytes,
 *                   account neither 0 nor a live account, media NULL, its
 *                   port 0 or 65535 (RTCP needs port + 1), its address
 *                   over VOX_SDP_MAX_ADDR bytes, or media settings the SDP
 *                   offer refuses (vox_sdp_oa_offer: an address that is not
 *                   one, ...)
 *   VOX_EPOOL       VOX_UA_MAX_CALLS calls in use, no free transaction,
 *                   or the next hop's host is a name to resolve and every
 *                   name slot waits for an answer (VOX_UA_MAX_NAMES)
 *   VOX_EPOLICY     policy mandatory, and no SRTP suite may be offered
 *                   (none configured, or the first hop is not TLS and
 *                   allow_sdes_over_insecure_hops is 0)
 *   VOX_ENOSPC      the INVITE does not fit VOX_SIP_TXN_MSG (long host,
 *                   AOR or target)
 *   VOX_EMALFORMED  the INVITE built does not parse
 *   VOX_ERNG, VOX_ERANGE, VOX_ETOOLONG  from the tag, Call-ID, branch and
 *                   SDP offer
 * On an error no call exists. When the next hop is a name still to
 * resolve, the call exists and its INVITE waits for the answer
 * (vox_ua_poll_resolve); the errors of building it (VOX_EPOLICY, ...) then
 * end the call with VOX_UA_EV_ENDED. Then come VOX_UA_EV_PROGRESS,
 * VOX_UA_EV_EARLY_MEDIA, VOX_UA_EV_ANSWERED and, always last,
 * VOX_UA_EV_ENDED. */
VOX_MUST_CHECK int vox_ua_call(struct vox_ua *ua, struct vox_slice target, vox_ua_handle account,
                               const struct vox_ua_media_addr *media, uint64_t now,
                               vox_ua_handle *call);
/* 180 for an incoming call. Returns 0, VOX_ENOTFOUND, VOX_ESTATE (not
 * ringing), VOX_ENOSPC (the 180 does not fit: nothing sent), or
 * VOX_ELIMIT (responses of earlier calls still wait to be sent: poll the
 * output, then ring again). */
VOX_MUST_CHECK int vox_ua_ring(struct vox_ua *ua, vox_ua_handle call, uint64_t now);
/* 2xx for an incoming call, with our answer to the INVITE's offer (kept
 * since it came, checked then: an offer we could not answer was refused
 * with 488 and never made a call), or our offer when the INVITE had none.
 * media names the socket the call's media uses; the description is built
 * for it now, and the media engine starts with the 2xx (with the ACK when
 * the ACK brings the answer). Returns 0, VOX_ENOTFOUND, VOX_ESTATE,
 * VOX_ELIMIT (as for vox_ua_ring: nothing changed), VOX_EINVAL (media as
 * for vox_ua_call: nothing changed), VOX_EPOLICY / VOX_ERNG (no offer or
 * answer could be made: nothing changed), or VOX_ENOSPC: the 2xx is too
 * long for VOX_SIP_TXN_MSG, the caller got 500 in its place and the call
 * has ended (ENDED, status 500, and vox_ua_call_get returns NULL). */
VOX_MUST_CHECK int vox_ua_answer(struct vox_ua *ua, vox_ua_handle call,
                                 const struct vox_ua_media_addr *media, uint64_t now);
/* A final refusal (300-699) for an incoming call, which ends. Returns 0,
 * VOX_ENOTFOUND, VOX_EINVAL (status outside 300-699: nothing changed),
 * VOX_ESTATE (the call does not ring), VOX_ELIMIT (as for vox_ua_ring:
 * nothing changed, the call still rings), or the error of a refusal that
 * could not be built (500 went in its place; the call has ended). */
VOX_MUST_CHECK int vox_ua_reject(struct vox_ua *ua, vox_ua_handle call, unsigned status,
                                 uint64_t now);
/* CANCEL before an answer, BYE after; an unanswered incoming call is
 * refused with 603 (vox_ua_reject). Some cases wait: before any 1xx
 * (RFC 3261 9.1) the CANCEL goes when one comes, and a callee's BYE waits
 * for the ACK of its 2xx (15). Once the BYE is sent VOX_UA_EV_ENDED comes
 * at once; the call's slot lives until the BYE is answered. Returns 0
 * (sent, or waiting as above), or VOX_ENOTFOUND, VOX_ESTATE (the call is
 * ending already, or the INVITE to cancel is gone), an error of
 * vox_ua_reject, or for a CANCEL VOX_EPOOL, VOX_ENOSPC or VOX_EINVAL (the
 * call stays as it was). A BYE that cannot be sent frees the call at once,
 * with 0. */
VOX_MUST_CHECK int vox_ua_hangup(struct vox_ua *ua, vox_ua_handle call, uint64_t now);
/* re-INVITE with a sendonly (hold) or sendrecv (resume) offer; the result
 * arrives as VOX_UA_EV_MEDIA (the peer's refusal leaves the media as it
 * was). Returns 0, or
 *   VOX_ENOTFOUND   no such call, or no next hop for the dialog's first URI
 *   VOX_ESTATE      the call is not up, a re-INVITE is pending, our 2xx
 *                   waits for its ACK, or a 491 retry is scheduled
 *   VOX_EPOLICY     the call uses SDES keys under policy mandatory,
 *                   allow_sdes_over_insecure_hops is 0, and the call's
 *                   path or the request's first hop is not TLS
 *   VOX_ERNG        no branch for the request: the rng failed
 *   VOX_EPOOL, VOX_ENOSPC, VOX_EINVAL, VOX_EMALFORMED, and the errors of
 *                   vox_sdp_oa_offer
 * On an error the call and its offer/answer state stay as they were. */
VOX_MUST_CHECK int vox_ua_hold(struct vox_ua *ua, vox_ua_handle call, int hold, uint64_t now);
/* re-INVITE with new SDES keys for the same session (RFC 4568 7.1.4: new
 * keys, new SRTP contexts); the peer answers with a new key of its own, so
 * that both directions are re-keyed, and the call goes on: packets still
 * on their way under the old keys are taken for a grace time
 * (VOX_MEDIA_REKEY_GRACE_MS). Do it when a VOX_MEDIA_EV_KEY_SOFT_LIMIT
 * comes, or at will. The result arrives as VOX_UA_EV_MEDIA. Returns as
 * vox_ua_hold, and VOX_EPOLICY also when no SDES key may be offered (the
 * call is clear, SDES is refused, or the hop is not TLS). */
VOX_MUST_CHECK int vox_ua_rekey(struct vox_ua *ua, vox_ua_handle call, uint64_t now);

/* ---- a call's media (vox/media.h) ------------------------------------------ */

/* One datagram that arrived on call's media socket (its RTP or RTCP port)
 * from *from. Returns what vox_media_recv returns: 0 taken, > 0 an enum
 * vox_demux_kind the engine does not run (STUN, ZRTP, DTLS, TURN: handed
 * back), < 0 dropped and counted (an SRTP failure is never played); or
 * VOX_ENOTFOUND (no such call, or it ended) or VOX_ESTATE (its media is not
 * running). buf and from are read during the call only. */
int vox_ua_media_recv(struct vox_ua *ua, vox_ua_handle call, const uint8_t *buf, size_t len,
                      const struct vox_addr *from, uint64_t now);
/* Writes the next media packet of any call into buf (cap bytes, 4-byte
 * aligned), SRTP or SRTCP applied as its keys say, and sets *call and *to:
 * send it from that call's socket (its RTCP port when to->rtcp_port) to
 * to->addr. The RTCP BYE of a call that ended comes first, under the
 * ended call's handle: poll after every call into the UA, before the
 * events, so that it leaves before the application closes the socket on
 * ENDED. Returns the length, 0 when nothing waits, VOX_ENOSPC (cap below
 * VOX_MEDIA_OUT_MAX) or VOX_EINVAL (buf unaligned), both before anything is
 * taken. A packet an engine could not build or protect is skipped (the
 * engine counts it). Under policy mandatory not one clear packet comes out. */
VOX_MUST_CHECK int vox_ua_media_poll_output(struct vox_ua *ua, uint8_t *buf, size_t cap,
                                            vox_ua_handle *call, struct vox_media_dest *to);
/* The application's next frame of audio for call (n samples of 20 ms at
 * 8 kHz, 160). Returns what vox_media_send_pcm returns (1 a packet waits
 * for vox_ua_media_poll_output, 0 nothing goes out now: on hold, ...), or
 * VOX_ENOTFOUND, VOX_ESTATE (no media running). */
VOX_MUST_CHECK int vox_ua_send_pcm(struct vox_ua *ua, vox_ua_handle call, const int16_t *pcm,
                                   size_t n, uint64_t now);
/* The frame of call's audio to play at now, decoded into pcm: returns what
 * vox_media_play returns (samples, 0 for silence), or VOX_ENOTFOUND,
 * VOX_ESTATE. Call it once per 20 ms. */
VOX_MUST_CHECK int vox_ua_play(struct vox_ua *ua, vox_ua_handle call, int16_t *pcm, size_t cap,
                               uint64_t now);
/* An RFC 4733 digit for call: returns what vox_media_send_dtmf returns,
 * or VOX_ENOTFOUND, VOX_ESTATE. */
VOX_MUST_CHECK int vox_ua_send_dtmf(struct vox_ua *ua, vox_ua_handle call, char digit,
                                    uint32_t duration_ms, uint64_t now);
#if VOX_MEDIA_ZRTP
/* The users compared the call's SAS (VOX_UA_EV_ZRTP_SAS) and found it
 * right (1), or wrong or to be compared again (0): kept with the peer's
 * retained secrets in zrtp_store, and the call's prot becomes
 * ZRTP_VERIFIED (or UNVERIFIED). Returns 0, VOX_ENOTFOUND, VOX_ESTATE (no
 * ZRTP keys in use), or the store's error. */
VOX_MUST_CHECK int vox_ua_zrtp_verify(struct vox_ua *ua, vox_ua_handle call, int verified);
#endif
/* The call's media engine, read-only (its statistics: vox_media_stats), or
 * NULL for a handle that names no live call. Valid as vox_ua_call_get's
 * pointer is. */
const struct vox_media *vox_ua_media_get(const struct vox_ua *ua, vox_ua_handle call);

/* The call, read-only, or NULL for a handle that names no live call. A
 * pointer into ua: valid until the next vox_ua_* call that can end the
 * call (recv, on_deadline, hangup, reject); look it up again after each. */
const struct vox_ua_call *vox_ua_call_get(const struct vox_ua *ua, vox_ua_handle call);
/* The account, read-only, or NULL; valid as long as ua (accounts are never
 * removed), its fields changing with every call into the UA. */
const struct vox_ua_account *vox_ua_account_get(const struct vox_ua *ua, vox_ua_handle account);
/* Calls in use (every call ends in FREE: the chaos test checks this). */
size_t vox_ua_calls_active(const struct vox_ua *ua);
/* The handles of the live calls, oldest slot first: writes min(n, cap) of
 * them into out (out may be NULL when cap is 0) and returns n, the number
 * of calls in use; n > cap says out was too small for them all. */
size_t vox_ua_calls_list(const struct vox_ua *ua, vox_ua_handle *out, size_t cap);
/* "none", "srtp-sdes", ...: a static string, "unknown" outside the enum. */
const char *vox_ua_protection_name(enum vox_ua_protection p);

#ifdef __cplusplus
}
#endif

#endif /* VOX_UA_H */
