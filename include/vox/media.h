/* SPDX-License-Identifier: MIT */
/*
 * vox/media.h: one call's media engine. It owns the RTP session (RTCP
 * reports, BYE, statistics), the SRTP and SRTCP contexts, the RFC 7983
 * demultiplexer, the jitter buffer, G.711, RFC 4733 DTMF both ways and the
 * remote-silence watch, and ties them together so that the layer above
 * (ua/, or your own code) passes datagrams, PCM frames and the time, and
 * gets back datagrams to send, PCM to play, events and a deadline.
 *
 * Conventions (besides those of vox/base.h and vox/rtp.h):
 *  - Sans-I/O, like every vox engine: the five verbs vox_media_recv,
 *    vox_media_poll_output, vox_media_next_deadline, vox_media_on_deadline
 *    and vox_media_next_event, plus the media inputs vox_media_send_pcm,
 *    vox_media_send_dtmf and vox_media_play. Time is a monotonic uint64_t
 *    in ms; an input with an earlier time than one before counts as that
 *    earlier input's time.
 *  - After every input (recv, send_pcm, send_dtmf, set_keys, update, stop,
 *    on_deadline), call vox_media_poll_output until it returns 0: the
 *    engine holds one audio packet, one DTMF packet and the RTCP report that
 *    are due, and builds each into your buffer when you poll. A second
 *    frame before the first was polled is refused (VOX_EPOOL), never lost
 *    silently.
 *  - The struct is a complete type of fixed size: put it where you like.
 *    Nothing here allocates; libsrtp2 does, when keys are set (see
 *    vox/srtp.h): two contexts per key set, three for a short while after a
 *    re-key, each about 30 to 40 KiB of heap with Debian 12's libsrtp2 (its
 *    NSS backend), and about 1 KiB more per SSRC a context learns.
 *    vox_media_free releases them.
 *  - Keys come in through one call, vox_media_set_keys, whatever made them:
 *    SDES (RFC 4568) from the SDP, or ZRTP (RFC 6189) from the engine's own
 *    ZRTP session (vox_media_zrtp_start), which calls it when the exchange
 *    is confirmed. The engine reports the protection it really applies
 *    (vox_media_prot), never what was asked.
 *  - Under VOX_MEDIA_REQUIRE_MANDATORY not one clear media packet leaves:
 *    until keys are set, send_pcm and send_dtmf return VOX_EPOLICY,
 *    poll_output returns 0 (RTCP waits too), and received RTP and RTCP are
 *    dropped and counted.
 *  - Addresses: RTP must come from the configured remote RTP address and
 *    RTCP from the remote RTCP address (the RTP one with rtcp-mux); other
 *    sources are dropped and counted (bad_source). Symmetric RTP (RFC 4961)
 *    is assumed; following a peer behind a NAT (latching) is a later step.
 *  - Datagrams that are not RTP or RTCP (STUN, ZRTP, DTLS, TURN, RFC 7983)
 *    are counted and handed back: vox_media_recv returns their kind so the
 *    caller can pass them on; ZRTP is taken by the engine itself while a
 *    ZRTP session runs (vox_media_zrtp_start): the port is shared.
 *  - ZRTP packets are key agreement, not media: they leave and are taken
 *    under every requirement, MANDATORY before keys included.
 *  - Built with VOX_WITH_SRTP 0, the engine runs clear RTP only:
 *    vox_media_set_keys returns VOX_EUNSUPPORTED, and a mandatory engine
 *    never sends.
 */
#ifndef VOX_MEDIA_H
#define VOX_MEDIA_H

#include "vox/base.h"
#include "vox/rtp.h"
#include "vox/suite.h"
#if VOX_WITH_SRTP
#include "vox/srtp.h"
#endif
#include "vox/zrtp.h"

/* ZRTP in the media engine: zrtp/ built, and SRTP to carry its keys. */
#define VOX_MEDIA_ZRTP (VOX_WITH_ZRTP && VOX_WITH_SRTP)

#ifdef __cplusplus
extern "C" {
#endif

/* ---- limits (these move to vox/config.h) -------------------------------- */

/* Events queued before the caller drains them; when full, the oldest is
 * dropped and counted in vox_media_stats.ev_dropped. */
#ifndef VOX_MEDIA_MAX_EVENTS
#define VOX_MEDIA_MAX_EVENTS 8
#endif
/* Largest RTP or RTCP datagram the engine accepts, SRTP trailer included,
 * in bytes. Larger ones are dropped and counted (too_long). 192 bytes above
 * the largest frame hold the RTP header, a CSRC list, a header extension and
 * the SRTP tag and MKI. */
#ifndef VOX_MEDIA_MAX_PACKET
#define VOX_MEDIA_MAX_PACKET (VOX_JB_MAX_FRAME + 192)
#endif
/* DTMF digits waiting to be sent after the one being sent. */
#ifndef VOX_MEDIA_DTMF_QUEUE
#define VOX_MEDIA_DTMF_QUEUE 8
#endif
/* Sequence numbers of received telephone-event packets remembered, so
 * that the gaps they leave in the audio stream are not concealed as lost
 * frames. One jitter buffer's worth is enough. */
#define VOX_MEDIA_DTMF_SEQS VOX_JB_SLOTS
/* After a re-key, packets under the peer's previous key are still accepted
 * until this many ms after the first packet under its new one (packets
 * that were on their way, or reordered). Requires VOX_WITH_SRTP. */
#ifndef VOX_MEDIA_REKEY_GRACE_MS
#define VOX_MEDIA_REKEY_GRACE_MS 2000
#endif

/* Bytes poll_output needs at most: the larger of an RTP packet with the
 * largest frame and the largest RTCP compound the RTP session builds (SR
 * with a report block per source, SDES CNAME, BYE with a reason), plus the
 * SRTCP trailer (which is also larger than the SRTP one). */
#define VOX_MEDIA_RTP_MAX (12 + VOX_JB_MAX_FRAME)
#define VOX_MEDIA_RTCP_MAX                                                                         \
	(28 + 24 * VOX_RTP_MAX_SOURCES + 12 + VOX_RTCP_MAX_CNAME + 3 + 12 + VOX_RTP_EV_REASON + 3)
#define VOX_MEDIA_TRAILER_MAX (4 + 16 + VOX_SRTP_MAX_MKI) /* = VOX_SRTCP_MAX_OVERHEAD */
#define VOX_MEDIA_SRTP_OUT_MAX                                                                     \
	((VOX_MEDIA_RTP_MAX > VOX_MEDIA_RTCP_MAX ? VOX_MEDIA_RTP_MAX : VOX_MEDIA_RTCP_MAX) +       \
	 VOX_MEDIA_TRAILER_MAX)
/* The longest ZRTP packet the engine sends: a DHPart with a DH3k value. */
#if VOX_MEDIA_ZRTP
#define VOX_MEDIA_ZRTP_OUT_MAX (VOX_ZRTP_HDR_LEN + VOX_ZRTP_DH_MSG_MAX + VOX_ZRTP_CRC_LEN)
#else
#define VOX_MEDIA_ZRTP_OUT_MAX 0
#endif
#define VOX_MEDIA_OUT_MAX                                                                          \
	(VOX_MEDIA_SRTP_OUT_MAX > VOX_MEDIA_ZRTP_OUT_MAX ? VOX_MEDIA_SRTP_OUT_MAX                  \
	                                                 : VOX_MEDIA_ZRTP_OUT_MAX)

#if VOX_MEDIA_MAX_EVENTS < 1
#error "VOX_MEDIA_MAX_EVENTS must be at least 1"
#endif
#if VOX_MEDIA_MAX_PACKET < VOX_MEDIA_OUT_MAX || VOX_MEDIA_MAX_PACKET > 65535
#error "VOX_MEDIA_MAX_PACKET must hold what an engine sends (VOX_MEDIA_OUT_MAX)"
#endif
#if VOX_MEDIA_DTMF_QUEUE < 1 || VOX_MEDIA_DTMF_QUEUE > 255
#error "VOX_MEDIA_DTMF_QUEUE must lie between 1 and 255"
#endif

/* ---- configuration ---------------------------------------------------------- */

/* Media direction (RFC 3264 5.1), ours: bit 1 sends, bit 2 receives. The
 * values are those of enum vox_sdp_dir. RTCP flows in every direction,
 * inactive included (RFC 3264 5.1). */
enum vox_media_dir {
	VOX_MEDIA_INACTIVE = 0,
	VOX_MEDIA_SENDONLY = 1,
	VOX_MEDIA_RECVONLY = 2,
	VOX_MEDIA_SENDRECV = 3
};

/* What the call's policy asks of the media (the values of enum
 * vox_sdp_policy):
 *  OFF        clear RTP only; vox_media_set_keys is refused
 *  OPTIONAL   SRTP once keys are set, clear RTP until then
 *  MANDATORY  SRTP only: nothing is sent or accepted before keys are set */
enum vox_media_require {
	VOX_MEDIA_REQUIRE_OFF = 0,
	VOX_MEDIA_REQUIRE_OPTIONAL,
	VOX_MEDIA_REQUIRE_MANDATORY
};

struct vox_media_config {
	uint8_t pt;            /* audio payload type, sent and accepted (0 PCMU, 8 PCMA) */
	enum vox_g711_law law; /* the codec of pt */
	uint32_t clock_rate;   /* RTP clock, Hz: 8000 (the G.711 rate) */
	uint32_t ptime_ms;     /* audio per packet we send; one frame of send_pcm */
	uint32_t rx_ptime_ms;  /* the peer's packet time (its a=ptime); 0: ptime_ms */
	uint8_t dtmf_pt;       /* telephone-event payload type (RFC 4733), 0: none */
	enum vox_media_dir dir;
	struct vox_addr remote_rtp;  /* where RTP goes and comes from */
	struct vox_addr remote_rtcp; /* RTCP without rtcp-mux (a=rtcp, RFC 3605); port 0:
	                                remote_rtp's address, port + 1 */
	int rtcp_mux;                /* RFC 5761: RTCP on the RTP ports */
	enum vox_media_require require;
	uint32_t silence_ms;    /* VOX_MEDIA_EV_REMOTE_SILENCE after this long without
	                         RTP while we receive; 0: never */
	uint32_t jb_min_ms;     /* jitter-buffer delay bounds; 0: 40 ms ... */
	uint32_t jb_max_ms;     /* ... and 200 ms or what VOX_JB_SLOTS frames hold */
	uint32_t rtcp_min_ms;   /* minimum RTCP interval; 0: 5000 (RFC 3550 6.2) */
	uint64_t ntp_base_ms;   /* wall clock (ms since 1900) at time 0, for SR; may be 0 */
	struct vox_slice cname; /* RTCP CNAME (RFC 3550 6.5.1): read by start only, which
	                           copies it into the RTP session */
};

/* Fills *cfg with vox's defaults: PCMU (pt 0), 8000 Hz, 20 ms, no DTMF,
 * sendrecv, rtcp-mux, requirement optional, no silence watch, default
 * jitter-buffer and RTCP settings, and the given remote RTP address and
 * CNAME (the slice is stored, not copied). Cannot fail. */
void vox_media_config_init(struct vox_media_config *cfg, const struct vox_addr *remote_rtp,
                           struct vox_slice cname);

/* ---- keys ------------------------------------------------------------------- */

/* Where keys came from; also the protection the engine applies. */
enum vox_media_prot {
	VOX_MEDIA_PROT_NONE = 0, /* clear RTP */
	VOX_MEDIA_PROT_SDES,     /* SRTP with keys from a=crypto: hop by hop */
	VOX_MEDIA_PROT_ZRTP      /* SRTP with keys ZRTP agreed: end to end */
};

/* One key set: SDES gives our a=crypto key (tx) and the peer's (rx); ZRTP
 * derives both. A peer that offers several keys told apart by MKI (RFC 4568
 * 6.1) needs one chosen here: the engine holds one receive key at a time. */
struct vox_media_keys {
	enum vox_media_prot source; /* VOX_MEDIA_PROT_NONE: protection off */
	struct vox_srtp_key tx;     /* protects what we send */
	struct vox_srtp_key rx;     /* authenticates and decrypts what the peer sends */
};

/* ---- events ------------------------------------------------------------------ */

enum vox_media_ev_type {
	VOX_MEDIA_EV_STARTED = 1,    /* media may flow now (policy allows it); prot */
	VOX_MEDIA_EV_PROTECTION,     /* keys were set, replaced or removed; prot */
	VOX_MEDIA_EV_FIRST_PACKET,   /* the peer's first RTP past probation (RFC 3550
	                                A.1); ssrc */
	VOX_MEDIA_EV_SRTP_FAILURE,   /* packets refused by SRTP: err, count */
	VOX_MEDIA_EV_REPORT,         /* the peer reported on our stream (RTCP): report */
	VOX_MEDIA_EV_DTMF,           /* an RFC 4733 digit began or ended: dtmf */
	VOX_MEDIA_EV_REMOTE_SILENCE, /* no RTP for silence_ms while receiving */
	VOX_MEDIA_EV_REMOTE_ACTIVE,  /* RTP again after REMOTE_SILENCE */
	VOX_MEDIA_EV_REMOTE_BYE,     /* the peer's source left (RTCP BYE); ssrc */
	VOX_MEDIA_EV_KEY_SOFT_LIMIT, /* a key nears its lifetime: re-key (RFC 4568 6.1) */
	VOX_MEDIA_EV_KEY_EXPIRED,    /* a key is used up: that direction stopped */
	/* ZRTP (vox_media_zrtp_start); the details are in zrtp: */
	VOX_MEDIA_EV_ZRTP_SAS,           /* the SAS to compare: sas, rendering, verified,
	                                    continuity (new peer, continues, mismatch) */
	VOX_MEDIA_EV_ZRTP_SECURE,        /* ZRTP keys confirmed and in use (a PROTECTION
	                                    or STARTED event follows) */
	VOX_MEDIA_EV_ZRTP_HASH_MISMATCH, /* the peer's Hello is not the one its SDP
	                                    announced (a=zrtp-hash): the media path was
	                                    tampered with (RFC 6189 8.1) */
	VOX_MEDIA_EV_ZRTP_PBX,           /* the peer's Hello says it is a trusted MitM
	                                    (M flag, 7.3): the SAS is with a server */
	VOX_MEDIA_EV_ZRTP_FAILED         /* the ZRTP session ended without keys, or the
	                                    setup time ran out: code, by_peer, timeout */
};

struct vox_media_event {
	enum vox_media_ev_type type;
	enum vox_media_prot prot; /* STARTED, PROTECTION */
	uint32_t ssrc;            /* FIRST_PACKET, REMOTE_BYE, REPORT: the peer's source */
	int err;                  /* SRTP_FAILURE: VOX_EAUTH, VOX_EREPLAY or VOX_ETOOOLD */
	uint32_t count;           /* SRTP_FAILURE: packets this event stands for (a burst
	                             of one kind is one event) */
	struct {
		uint8_t fraction_lost;   /* /256, since the peer's previous report */
		int32_t cumulative_lost; /* packets */
		uint32_t jitter_ms;      /* interarrival jitter (RFC 3550 A.8) */
		uint32_t rtt_ms;         /* UINT32_MAX while unknown (RFC 3550 6.4.1) */
	} report;
	struct {
		char digit;           /* '0'..'9', '*', '#', 'A'..'D'; 0 for other events */
		uint8_t event;        /* RFC 4733 event code */
		uint8_t end;          /* 0 begin, 1 end */
		uint32_t duration_ms; /* end: how long it lasted */
	} dtmf;
#if VOX_MEDIA_ZRTP
	struct {
		char sas[VOX_ZRTP_SAS_MAX]; /* SAS: rendered, NUL-terminated */
		uint32_t rendering;         /* SAS: VOX_ZRTP_B32 or VOX_ZRTP_B256 */
		uint8_t verified;           /* SAS: compared before, and the secrets continue */
		uint8_t continuity;         /* SAS: enum vox_zrtp_continuity */
		uint8_t by_peer;            /* FAILED: the peer sent the Error */
		uint8_t timeout;            /* FAILED: not complete within the setup time */
		uint32_t code;              /* FAILED: the Error code of RFC 6189 5.9 */
	} zrtp;
#endif
};

/* ---- statistics --------------------------------------------------------- */

/* Counters since start. Every datagram recv drops is counted in exactly one
 * of the rx drop counters (bad_source ... too_long); the RTP session
 * (m->rtp), the SRTP contexts and the jitter buffer (m->jb.st) keep finer
 * figures. */
struct vox_media_stats {
	uint64_t by_kind[VOX_DEMUX_RTCP + 1]; /* datagrams received, by RFC 7983 kind */
	uint64_t rtp_accepted;                /* RTP that reached the RTP session */
	uint64_t rtcp_accepted;               /* RTCP that reached the RTP session */
	uint64_t audio_sent, dtmf_sent, rtcp_sent;
	/* receive drops */
	uint64_t bad_source;    /* from an address that is not the peer's */
	uint64_t not_receiving; /* RTP while our direction does not receive */
	uint64_t no_keys;       /* RTP/RTCP under MANDATORY before keys */
	uint64_t srtp_auth;     /* SRTP/SRTCP authentication failed (tampered, wrong key) */
	uint64_t srtp_replay;   /* replayed, or behind the replay window */
	uint64_t srtp_other;    /* other SRTP refusals (unknown MKI, SSRC limit, ...) */
	uint64_t bad_pt;        /* RTP with a payload type that was not negotiated */
	uint64_t malformed;     /* not valid RTP, RTCP or telephone-event, or unknown
	                           to RFC 7983 */
	uint64_t rx_errors;     /* the rng failed while taking a packet (an SSRC collision) */
	uint64_t too_long;      /* over VOX_MEDIA_MAX_PACKET */
	uint64_t old_key;       /* accepted under the previous key after a re-key */
	/* play side */
	uint64_t played;    /* frames out of the jitter buffer */
	uint64_t concealed; /* frames missing at their time, concealed (the jitter
	                       buffer's own count also has the sequence numbers
	                       telephone-events took) */
	/* send side */
	uint64_t tx_policy;  /* frames and digits refused under MANDATORY without keys */
	uint64_t tx_held;    /* frames not sent: our direction does not send */
	uint64_t tx_overrun; /* frames refused: the previous one was not polled yet */
	uint64_t tx_errors;  /* packets lost to a build or protect failure */
	uint64_t ev_dropped; /* events lost to a full queue */
	/* ZRTP: packets sent, and those received that went to the session
	 * (the session's own figures: m->zrtp.st) */
	uint64_t zrtp_sent, zrtp_taken;
};

/* ---- the engine ------------------------------------------------------------ */

/* Named states; the transitions are in media/engine.c (start, stop and
 * vox_media_settle). */
enum vox_media_state {
	VOX_MEDIA_IDLE = 0, /* initialised, not started */
	VOX_MEDIA_WAITING,  /* started; MANDATORY and no keys: nothing flows */
	VOX_MEDIA_FLOWING,  /* media may flow (each way as the direction allows) */
	VOX_MEDIA_STOPPED   /* vox_media_stop: BYE on its way, nothing more */
};

/* Read-only for the caller, except through the functions below. */
struct vox_media {
	enum vox_media_state state;
	struct vox_media_config cfg; /* as started or updated; cname emptied (the RTP
	                                session holds the copy) */
	struct vox_addr rtcp_addr;   /* where RTCP goes and comes from */
	enum vox_media_prot prot;    /* what the contexts below really do */
	uint32_t tx_frame;           /* samples per frame we send */
	uint32_t rx_frame;           /* samples per frame the peer sends */
	uint64_t now;                /* the latest time an input brought */

	struct vox_rtp_session rtp;
	struct vox_jb jb;
	struct vox_dtmf_tx dtmf_tx;
	struct vox_dtmf_rx dtmf_rx;

	/* send side: what poll_output builds next */
	uint32_t tx_units; /* media clock: RTP timestamp of the next frame, less the
	                      session's random offset */
	uint8_t tx_marker; /* the next audio packet starts a talkspurt (RFC 3551 4.1) */
	uint8_t audio_pending;
	uint8_t dtmf_pending;
	uint16_t audio_len;
	uint32_t audio_ts;
	uint8_t audio[VOX_JB_MAX_FRAME];
	uint8_t dtmf_marker;
	uint32_t dtmf_ts;
	uint8_t dtmf_payload[VOX_DTMF_PAYLOAD];
	/* digits waiting: event code and duration in ms */
	uint8_t dq_event[VOX_MEDIA_DTMF_QUEUE];
	uint16_t dq_ms[VOX_MEDIA_DTMF_QUEUE];
	uint8_t dq_head, dq_len;
	uint64_t dtmf_next_ms; /* when the next queued digit may start */

	/* receive side */
	uint8_t got_first;
	uint8_t silent;
	uint64_t last_rx_ms;                    /* last accepted RTP, or when receiving began */
	unsigned lost_run;                      /* frames concealed in a row */
	uint16_t dtmf_seq[VOX_MEDIA_DTMF_SEQS]; /* taken by telephone-events: no audio lost */
	uint16_t dtmf_seq_head, dtmf_seq_len;
	uint8_t last[VOX_JB_MAX_FRAME]; /* the last frame out of the jitter buffer */
	uint16_t last_len;

#if VOX_WITH_SRTP
	struct vox_media_keys keys; /* the last keys set (a copy, wiped by free) */
	uint8_t have_keys;          /* keys holds them, and (once started) tx and rx
	                               are their contexts; prot says if they are used */
	struct vox_srtp_session tx;
	struct vox_srtp_session rx;
	struct vox_srtp_session rx_old; /* the previous receive key, for a grace time */
	uint64_t rx_old_until;          /* when rx_old goes */
	uint8_t rx_seen;                /* a packet authenticated under rx */
	uint32_t rx_scratch[VOX_MEDIA_MAX_PACKET / 4]; /* unprotect output (4-aligned) */
#endif

#if VOX_MEDIA_ZRTP
	/* ZRTP (vox_media_zrtp_start): the session on the RTP port, and the
	 * watch on its setup time */
	struct vox_zrtp zrtp;
	uint8_t zrtp_on;          /* a ZRTP session was started */
	uint8_t zrtp_over;        /* it reached SECURE or failed: the watch is off */
	uint8_t zrtp_pbx;         /* the PBX event was given */
	uint8_t zrtp_verified;    /* see vox_media_zrtp_verified */
	uint32_t zrtp_timeout_ms; /* the setup time, from the media's start */
	uint64_t zrtp_until;      /* when it runs out; UINT64_MAX: not watched (yet) */
#endif

	struct vox_media_event ev[VOX_MEDIA_MAX_EVENTS];
	unsigned ev_head, ev_len;
	struct vox_media_stats st;
};

/* Where poll_output's packet goes. */
struct vox_media_dest {
	struct vox_addr addr;
	uint8_t rtcp_port; /* 1: send it from our RTCP port (RTP port + 1): RTCP
	                      without rtcp-mux; 0: from our RTP port */
};

/* Clears *m. Cannot fail. */
void vox_media_init(struct vox_media *m);

/* Starts the engine with *cfg: picks the SSRC, sequence number and
 * timestamp offset from rng (kept for RTCP timing), schedules the first
 * RTCP report, and sets up the SRTP contexts if keys were set before.
 * Then media flows (VOX_MEDIA_EV_STARTED), unless the requirement is
 * MANDATORY and there are no keys yet. Returns 0, or
 *   VOX_EINVAL   a bad configuration: clock_rate not 8000; pt or dtmf_pt
 *                above 127, in 64..95 (RFC 5761 4: they would read as RTCP)
 *                or equal; a frame over VOX_JB_MAX_FRAME bytes or under
 *                10 ms; an address family not 4 or 6; direction or
 *                requirement out of range; jitter-buffer bounds that do
 *                not fit VOX_JB_SLOTS; an empty or long CNAME; rng NULL
 *   VOX_EPOLICY  keys were set and the requirement is OFF
 *   VOX_ESTATE   started already
 *   VOX_ERNG     the rng failed
 *   and the errors of vox_srtp_session_start. On error the engine stays
 *   unstarted, with the keys it was given. */
VOX_MUST_CHECK int vox_media_start(struct vox_media *m, const struct vox_media_config *cfg,
                                   const struct vox_rng *rng, uint64_t now);

/* Applies a renegotiated session (re-INVITE): a new remote address or port
 * (re-targeting), direction (hold and resume), rtcp-mux, payload types,
 * packet times, silence timeout. SSRC, sequence numbers, statistics and
 * keys stay; the CNAME, the RTCP bandwidth, rtcp_min_ms and ntp_base_ms
 * stay as started. A
 * change of codec or of the peer's packet time empties the jitter buffer;
 * a direction that stops sending drops the pending audio packet and DTMF.
 * Returns 0, VOX_EINVAL (as start), VOX_ESTATE (not started, or stopped), or
 * VOX_EPOLICY (a requirement lower than before: lowering protection is the
 * policy's decision, made by starting a new engine). */
VOX_MUST_CHECK int vox_media_update(struct vox_media *m, const struct vox_media_config *cfg,
                                    uint64_t now);

/* Sets the call's keys, from SDES or ZRTP, before or after start. New keys
 * get new SRTP and SRTCP contexts (RFC 4568 7.1.4); a direction whose key
 * did not change keeps its context (its packet index and replay window go
 * on: a fresh context under the same key would repeat keystream and take
 * old packets for new). The previous receive key keeps working for
 * VOX_MEDIA_REKEY_GRACE_MS after the first packet under the new one.
 * Keys of source NONE turn protection off (clear media where the
 * requirement allows it, none under MANDATORY); the contexts are kept,
 * unused, until other keys or free, so that the same keys coming back go
 * on where they stopped. Queues VOX_MEDIA_EV_PROTECTION (or EV_STARTED
 * when this lets media flow). The engine copies the keys and wipes its
 * copy in free; wipe yours. Returns 0, or
 *   VOX_EINVAL        unknown source, suite NONE or an unknown suite, MKI too long
 *   VOX_EPOLICY       keys under requirement OFF
 *   VOX_EUNSUPPORTED  built without SRTP, or libsrtp2 lacks the suite
 *   VOX_ESTATE        stopped
 *   VOX_ECRYPTO, VOX_EPOOL  libsrtp2 failed
 * On error the previous keys and contexts stay as they were. */
VOX_MUST_CHECK int vox_media_set_keys(struct vox_media *m, const struct vox_media_keys *keys,
                                      uint64_t now);

/* One datagram that arrived on the call's media ports from *from. Returns
 *   0   consumed: RTP went to the statistics and the jitter buffer (or the
 *       DTMF receiver), RTCP to the RTP session; a packet held back by RFC
 *       3550 A.1 probation, or refused by the jitter buffer as late or
 *       duplicate, also returns 0 (counted there)
 *   > 0 an enum vox_demux_kind the engine does not run (VOX_DEMUX_STUN,
 *       _ZRTP, _DTLS, _TURN): counted; pass it to whoever does
 *   < 0 dropped, and counted in vox_media_stats; nothing it carried reached
 *       the RTP statistics, the jitter buffer or the DTMF receiver (but for
 *       VOX_ERNG: an SSRC collision needed a new SSRC and the rng failed):
 *       VOX_ENOTFOUND (bad_source,
 *       or an unknown MKI or SSRC), VOX_ESTATE (not_receiving, or not
 *       started), VOX_EPOLICY (no_keys), VOX_EAUTH, VOX_EREPLAY, VOX_ETOOOLD
 *       (SRTP, never played), VOX_EUNSUPPORTED (bad_pt), VOX_ETOOLONG,
 *       VOX_EMALFORMED and the other parse errors of vox/rtp.h, or an error
 *       of vox_srtp_session_unprotect.
 * buf is read during the call only. */
int vox_media_recv(struct vox_media *m, const uint8_t *buf, size_t len, const struct vox_addr *from,
                   uint64_t now);

/* One frame of the application's audio (tx_frame samples: ptime_ms at
 * 8 kHz), encoded at once; poll_output packetizes and protects it. Every
 * accepted call advances the media clock by one frame, sent or not, so that
 * timestamps follow the application's clock across hold. Returns
 *   1             a packet is waiting for poll_output
 *   0             nothing goes out: our direction does not send (tx_held)
 *   VOX_EPOLICY   MANDATORY and no keys yet (tx_policy)
 *   VOX_EPOOL     the previous frame was not polled yet (tx_overrun)
 *   VOX_EINVAL    n is not tx_frame
 *   VOX_ESTATE    not started, or stopped */
VOX_MUST_CHECK int vox_media_send_pcm(struct vox_media *m, const int16_t *pcm, size_t n,
                                      uint64_t now);

/* Queues an RFC 4733 digit ('0'-'9', '*', '#', 'A'-'D', either case) of
 * duration_ms (40..5000). Digits go out one after the other, 60 ms apart,
 * interleaved with the audio, from the next on_deadline on. Returns 0, or
 *   VOX_EUNSUPPORTED  no telephone-event payload type was negotiated
 *   VOX_EPOLICY       MANDATORY and no keys yet
 *   VOX_ESTATE        not started, stopped, or our direction does not send
 *   VOX_EPOOL         VOX_MEDIA_DTMF_QUEUE digits wait already
 *   VOX_EINVAL        not a digit, or a duration out of range */
VOX_MUST_CHECK int vox_media_send_dtmf(struct vox_media *m, char digit, uint32_t duration_ms,
                                       uint64_t now);

/* The frame to play at now, decoded into pcm (cap samples, at least
 * VOX_JB_MAX_FRAME: a peer may send longer frames than its a=ptime says):
 * call it once per rx_ptime_ms. A frame the jitter buffer knows is missing
 * is concealed (vox_jb_conceal: the last frame, fading). Returns the
 * samples written (the frame's length, rx_frame normally), 0 when there is
 * nothing to play (before the first packet, in a pause, while buffering:
 * play silence), VOX_ENOSPC (cap too small; nothing is consumed), or
 * VOX_ESTATE (not started). */
VOX_MUST_CHECK int vox_media_play(struct vox_media *m, int16_t *pcm, size_t cap, uint64_t now);

/* Writes the next packet to send into buf (cap bytes, 4-byte aligned:
 * libsrtp2 works on 32-bit words) with SRTP or SRTCP applied as the keys
 * say, and where it goes into *to. Order: RTCP, DTMF, audio. Returns its
 * length, 0 when nothing is due (or MANDATORY and no keys), VOX_ENOSPC
 * (cap below VOX_MEDIA_OUT_MAX) or VOX_EINVAL (buf unaligned), both before
 * anything is consumed, or an error of building or protecting the packet:
 * the packet is lost and counted in tx_errors (VOX_EKEYEXPIRED when the
 * key's lifetime is used up: the engine never falls back to clear). */
VOX_MUST_CHECK int vox_media_poll_output(struct vox_media *m, uint8_t *buf, size_t cap,
                                         struct vox_media_dest *to);

/* When on_deadline wants to run next: RTCP, DTMF sending and receiving,
 * the silence watch, the end of a re-key grace. UINT64_MAX: never. */
uint64_t vox_media_next_deadline(const struct vox_media *m);
/* Runs the timers that are due at now. Returns 0, or VOX_ERNG (the RTP
 * session needed a random draw and the rng failed). */
VOX_MUST_CHECK int vox_media_on_deadline(struct vox_media *m, uint64_t now);

/* Next queued event: 1 and *ev, or 0. When VOX_MEDIA_MAX_EVENTS wait, a
 * new event drops the oldest (counted in vox_media_stats.ev_dropped). The
 * engine passes on the events of its RTP session, DTMF receiver and SRTP
 * sessions at the end of each input; what one of those lost before that
 * (one RTCP compound can carry more reports or BYEs than the RTP session
 * queues) is counted in that engine: m->rtp.ev_dropped, m->dtmf_rx.dropped,
 * and st.ev_dropped of m->tx, m->rx and m->rx_old. */
int vox_media_next_event(struct vox_media *m, struct vox_media_event *ev);

/* Leaves the session: an RTCP BYE (RFC 3550 6.6) goes out through
 * poll_output (unless MANDATORY and no keys: then nothing), and no more
 * media. Returns 0 or VOX_ESTATE (not started, or stopped already). */
VOX_MUST_CHECK int vox_media_stop(struct vox_media *m, uint64_t now);

/* Releases the SRTP contexts (libsrtp2's heap) and wipes every key and the
 * whole struct. NULL is fine, and so is a second call. */
void vox_media_free(struct vox_media *m);

#if VOX_MEDIA_ZRTP
/* ---- ZRTP (RFC 6189) ------------------------------------------------------------ */

/* Starts a ZRTP session (DH mode) for the call, before or after
 * vox_media_start: its Hello is built now (so that our a=zrtp-hash can go
 * into the SDP, vox_media_zrtp_own_hash) and leaves once the engine runs.
 * From then on the engine takes ZRTP packets from the peer's RTP address
 * (the port is shared, RFC 7983), sends the session's packets first in
 * poll_output (under every requirement: they carry no media), runs its
 * timers in its deadline, and when the exchange is confirmed sets the
 * SRTP keys it agreed through vox_media_set_keys (source
 * VOX_MEDIA_PROT_ZRTP): a MANDATORY engine starts to flow then, an
 * OPTIONAL one goes from clear (or SDES) to ZRTP keys. cfg->ssrc is
 * replaced by our RTP SSRC. timeout_ms (> 0): if the session is not
 * SECURE that long after the engine started (or after this call, when it
 * runs already), it is given up with VOX_MEDIA_EV_ZRTP_FAILED (timeout
 * 1, code VOX_ZRTP_ERR_TIMEOUT). cfg->store and rng must outlive the
 * engine. Returns 0, or
 *   VOX_ESTATE   a ZRTP session was started already, or the engine stopped
 *   VOX_EINVAL   timeout_ms 0, or what vox_zrtp_start refuses in cfg
 *   VOX_ERNG     the rng failed (no session then) */
VOX_MUST_CHECK int vox_media_zrtp_start(struct vox_media *m, const struct vox_zrtp_config *cfg,
                                        const struct vox_rng *rng, uint32_t timeout_ms,
                                        uint64_t now);
/* Our a=zrtp-hash value without its version: 64 hex digits and a NUL
 * into out. Returns 64, VOX_ENOSPC (cap under 65) or VOX_ESTATE (no
 * session started). */
VOX_MUST_CHECK int vox_media_zrtp_own_hash(const struct vox_media *m, char *out, size_t cap);
/* The SHA-256 of the Hello the peer's SDP announced (a=zrtp-hash:1.10,
 * RFC 6189 8.1): a Hello that does not hash to it gives
 * VOX_MEDIA_EV_ZRTP_HASH_MISMATCH and is not used (when the session
 * already rests on it, the session fails). Returns 0 or VOX_ESTATE (no
 * session started). */
VOX_MUST_CHECK int vox_media_zrtp_expect_hash(struct vox_media *m, const uint8_t hash[32]);
/* The users compared the SAS and found it right (1), or not (0): kept in
 * the retained-secret store (vox_zrtp_set_verified). Returns 0, VOX_ESTATE
 * (no session, or not SECURE) or the store's error. */
VOX_MUST_CHECK int vox_media_zrtp_set_verified(struct vox_media *m, int verified);
/* The ZRTP session, read-only (its state, its statistics), or NULL when
 * none was started. */
const struct vox_zrtp *vox_media_zrtp(const struct vox_media *m);
/* 1 once the ZRTP keys are in use and the peer's SAS was marked verified
 * before (the SAS event's verified flag) or vox_media_zrtp_set_verified(1)
 * was called since; else 0. */
int vox_media_zrtp_verified(const struct vox_media *m);
#endif

/* The protection the engine applies now. */
enum vox_media_prot vox_media_prot(const struct vox_media *m);
/* libsrtp2 contexts the engine holds now: 0 before keys and after
 * vox_media_free, 2 with keys, 3 during a re-key grace. Lets a test or an
 * embedded port check that every call gave its heap back. */
unsigned vox_media_srtp_contexts(const struct vox_media *m);
/* The counters; valid as long as *m. */
const struct vox_media_stats *vox_media_stats(const struct vox_media *m);
/* "none", "srtp-sdes", "srtp-zrtp"; never NULL. */
const char *vox_media_prot_name(enum vox_media_prot p);
/* "started", "protection", ...; never NULL. */
const char *vox_media_ev_name(enum vox_media_ev_type t);

#ifdef __cplusplus
}
#endif

#endif /* VOX_MEDIA_H */
