/* SPDX-License-Identifier: MIT */
/*
 * vox/rtp.h: the media path without crypto. RTP and RTCP packets (RFC 3550,
 * RFC 8285 header extensions), reception statistics (RFC 3550 A.1, A.3, A.8),
 * the RTCP transmission interval (6.3, A.7), an RTP session engine, the
 * one-socket demultiplexer (RFC 7983, RFC 5761 4), G.711, RFC 4733
 * telephone-events, a Goertzel tone detector and a jitter buffer.
 *
 * Conventions (besides those of vox/base.h):
 *  - Packet bytes are uint8_t. A parsed packet points into the caller's
 *    buffer (payload, extension data, SDES text): it is valid exactly as long
 *    as that buffer.
 *  - Parsers return the bytes consumed (the whole datagram) or a negative
 *    error and fill a struct vox_diag (may be NULL) with where and why.
 *  - Printers write into the caller's buffer and return the length, or
 *    VOX_ENOSPC when it does not fit (nothing useful is left in the buffer).
 *  - Time is a monotonic uint64_t in milliseconds passed in by the caller;
 *    UINT64_MAX means "no deadline". Randomness comes from struct vox_rng.
 *  - Nothing here allocates, reads a clock or does I/O.
 *  - Engines (RTP session, DTMF sender and receiver, jitter buffer) live in
 *    the caller's structs, need no freeing and keep no pointer to what was
 *    passed in, except the rng of a session (its ctx must outlive it).
 */
#ifndef VOX_RTP_H
#define VOX_RTP_H

#include "vox/base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================================
 * RTP packets (RFC 3550 5.1) with RFC 8285 header extensions
 * ====================================================================== */

#define VOX_RTP_VERSION  2
#define VOX_RTP_HDR_MIN  12 /* fixed header, no CSRC, no extension */
#define VOX_RTP_MAX_CSRC 15 /* the CC field has 4 bits */

/* How the header extension (X bit) is laid out. */
enum vox_rtp_ext_form {
	VOX_RTP_EXT_NONE = 0, /* X bit clear */
	VOX_RTP_EXT_ONE_BYTE, /* RFC 8285 4.2: profile 0xBEDE, IDs 1..14, 1..16 bytes */
	VOX_RTP_EXT_TWO_BYTE, /* RFC 8285 4.3: profile 0x100X, IDs 1..255, 0..255 bytes */
	VOX_RTP_EXT_OTHER     /* another profile: only the raw body is given */
};

/* One RFC 8285 extension element. data points into the packet. */
struct vox_rtp_ext {
	uint8_t id;
	uint8_t len;
	const uint8_t *data;
};

/* An RTP packet, parsed or to print. Everything a pointer names lives in the
 * caller's buffer. */
struct vox_rtp_packet {
	uint8_t marker; /* M bit, 0 or 1 */
	uint8_t pt;     /* payload type, 0..127 */
	uint16_t seq;
	uint32_t ts;
	uint32_t ssrc;
	uint8_t cc; /* CSRC count, 0..15 */
	uint32_t csrc[VOX_RTP_MAX_CSRC];

	enum vox_rtp_ext_form ext_form;
	uint16_t ext_profile;    /* the 16 "defined by profile" bits */
	const uint8_t *ext_body; /* extension words after the 4-byte extension header */
	size_t ext_body_len;     /* multiple of 4 */
	size_t n_ext;            /* elements in ext[] (ONE_BYTE or TWO_BYTE forms) */
	struct vox_rtp_ext ext[VOX_RTP_MAX_EXT];

	const uint8_t *payload;
	size_t payload_len;
	/* Padding bytes at the end including the count byte (0: P bit clear).
	 * Printing writes pad_len - 1 zero bytes and then the count. */
	uint8_t pad_len;
};

/* Clears *pkt (no extension, no padding, no payload). */
void vox_rtp_packet_init(struct vox_rtp_packet *pkt);

/* Parses one RTP datagram buf[0..len). Checks the version (2), the CSRC list,
 * the extension length, the padding count (RFC 3550 5.1: at least 1, not
 * more than what follows the header) and, for the RFC 8285 forms, every
 * element. Returns len, or
 *   VOX_EMALFORMED  too short, bad lengths, bad padding, bad extension element
 *   VOX_EVERSION    version is not 2
 *   VOX_ELIMIT      more than VOX_RTP_MAX_EXT extension elements
 *   VOX_ETOOLONG    len over INT32_MAX
 * diag (may be NULL) gets the offset and reason. *pkt is cleared first; its
 * pointers (payload, ext_body, ext[].data) point into buf. */
VOX_MUST_CHECK int vox_rtp_parse(const uint8_t *buf, size_t len, struct vox_rtp_packet *pkt,
                                 struct vox_diag *diag);

/* Writes *pkt as a datagram. The extension is written from ext[0..n_ext) in
 * the form ext_form names (ONE_BYTE refuses IDs outside 1..14 and lengths
 * outside 1..16), or from ext_body for VOX_RTP_EXT_OTHER. Returns the
 * length, VOX_ENOSPC, VOX_ETOOLONG (over INT32_MAX bytes) or VOX_EINVAL
 * (cc > 15, pt > 127, marker > 1, a NULL payload with a length, bad
 * element, body not a multiple of 4 or longer than 262140 bytes). */
VOX_MUST_CHECK int vox_rtp_print(const struct vox_rtp_packet *pkt, uint8_t *out, size_t cap);

/* The first element with this ID, or NULL; a pointer into *pkt. */
const struct vox_rtp_ext *vox_rtp_ext_find(const struct vox_rtp_packet *pkt, uint8_t id);

/* Extends 16-bit sequence numbers to 32 bits across wrap (RFC 3550 A.1's
 * cycle counting without the probation): a number within 3000 after the
 * highest seen advances it (counting a cycle when it wraps), one within 100
 * before it is a late packet of the current or previous cycle. */
struct vox_rtp_seq {
	uint32_t cycles; /* count of wraps times 65536 */
	uint16_t max_seq;
	uint8_t started;
};
/* Extended number of seq; updates the highest seen. The first number gets
 * one cycle of headroom (65536 + seq) so that a late packet from before it
 * still sorts lower. A jump of more than 3000 ahead or 100 behind restarts
 * the count at seq, never going backwards (a backward jump adds a cycle). */
uint32_t vox_rtp_seq_extend(struct vox_rtp_seq *s, uint16_t seq);

/* ======================================================================
 * RTCP packets (RFC 3550 6.4-6.7)
 * ====================================================================== */

enum vox_rtcp_type {
	VOX_RTCP_SR = 200,
	VOX_RTCP_RR = 201,
	VOX_RTCP_SDES = 202,
	VOX_RTCP_BYE = 203,
	VOX_RTCP_APP = 204
};

enum vox_sdes_type {
	VOX_SDES_END = 0,
	VOX_SDES_CNAME = 1,
	VOX_SDES_NAME = 2,
	VOX_SDES_EMAIL = 3,
	VOX_SDES_PHONE = 4,
	VOX_SDES_LOC = 5,
	VOX_SDES_TOOL = 6,
	VOX_SDES_NOTE = 7,
	VOX_SDES_PRIV = 8
};

/* One packet of a compound: header fields and the body after the 4-byte
 * header with the padding (if any) removed. */
struct vox_rtcp_pkt {
	uint8_t type;  /* packet type, 192..223 */
	uint8_t count; /* RC, SC or APP subtype: the 5 low bits of byte 0 */
	const uint8_t *body;
	size_t body_len;
};

struct vox_rtcp_compound {
	size_t n;
	struct vox_rtcp_pkt pkt[VOX_RTCP_MAX_PACKETS];
};

/* Parses a compound RTCP datagram with the validity checks of RFC 3550 A.2:
 * the first packet is SR or RR with the padding bit clear, every packet has
 * version 2, only the last may carry padding, and the length fields add up
 * to the datagram length exactly. With allow_reduced (RFC 5506 reduced-size
 * RTCP) the first packet may be of any type. Types vox does not know (e.g.
 * RTPFB 205) are kept as packets for the caller. Returns len, or
 * VOX_EMALFORMED, VOX_EVERSION, VOX_ELIMIT (more than VOX_RTCP_MAX_PACKETS),
 * VOX_ETOOLONG (len over INT32_MAX). The packet bodies point into buf. */
VOX_MUST_CHECK int vox_rtcp_parse(const uint8_t *buf, size_t len, int allow_reduced,
                                  struct vox_rtcp_compound *c, struct vox_diag *diag);

/* Reception report block (RFC 3550 6.4.1). */
struct vox_rtcp_rb {
	uint32_t ssrc;
	uint8_t fraction_lost;   /* fixed point, /256 */
	int32_t cumulative_lost; /* 24-bit signed on the wire */
	uint32_t ext_highest_seq;
	uint32_t jitter; /* timestamp units */
	uint32_t lsr;
	uint32_t dlsr; /* 1/65536 s */
};

/* Sender info of an SR (RFC 3550 6.4.1). */
struct vox_rtcp_sender_info {
	uint64_t ntp; /* 32.32 fixed point NTP timestamp */
	uint32_t rtp_ts;
	uint32_t packet_count;
	uint32_t octet_count;
};

/* Decoded SR or RR: the report blocks stay in the packet; read them with
 * vox_rtcp_report_block(). */
struct vox_rtcp_report {
	uint32_t ssrc;
	int has_sender_info; /* 1 for SR */
	struct vox_rtcp_sender_info si;
	uint8_t rc;
	const uint8_t *blocks; /* rc * 24 bytes */
	const uint8_t *ext;    /* profile-specific extension, may be empty */
	size_t ext_len;
};

/* Decodes an SR or RR packet of a parsed compound. Returns 0, VOX_EINVAL
 * (not SR/RR) or VOX_EMALFORMED (body too short for its RC). r->blocks and
 * r->ext point into the packet, that is into the parsed buffer. */
VOX_MUST_CHECK int vox_rtcp_report_parse(const struct vox_rtcp_pkt *p, struct vox_rtcp_report *r);
/* Report block i (0 <= i < r->rc); *rb is zeroed for any other i. */
void vox_rtcp_report_block(const struct vox_rtcp_report *r, unsigned i, struct vox_rtcp_rb *rb);

/* Walks the chunks and items of an SDES packet. */
struct vox_rtcp_sdes_iter {
	const uint8_t *base; /* the packet body: chunks align to 4 bytes from here */
	const uint8_t *cur;
	const uint8_t *end;
	unsigned chunks_left;
	int in_chunk;
	uint32_t ssrc;
};
struct vox_rtcp_sdes_item {
	uint32_t ssrc;         /* of the chunk the item belongs to */
	uint8_t type;          /* enum vox_sdes_type or another value */
	struct vox_slice text; /* points into the packet; not NUL-terminated */
};
/* Starts a walk; p must be an SDES packet (else VOX_EINVAL). */
VOX_MUST_CHECK int vox_rtcp_sdes_begin(const struct vox_rtcp_pkt *p, struct vox_rtcp_sdes_iter *it);
/* Next item: 1 and *item, 0 at the end, or VOX_EMALFORMED (item runs past
 * the packet, chunk not ended by a null item, too few or too many chunks). */
VOX_MUST_CHECK int vox_rtcp_sdes_next(struct vox_rtcp_sdes_iter *it,
                                      struct vox_rtcp_sdes_item *item);

/* Decoded BYE (RFC 3550 6.6). */
struct vox_rtcp_bye {
	uint8_t sc;
	const uint8_t *ssrcs;    /* sc * 4 bytes, big-endian */
	struct vox_slice reason; /* empty when absent */
};
/* Returns 0, VOX_EINVAL (not a BYE) or VOX_EMALFORMED (the SSRC list or
 * the reason runs past the packet, or more than 3 bytes follow the
 * reason). ssrcs and reason point into the packet. */
VOX_MUST_CHECK int vox_rtcp_bye_parse(const struct vox_rtcp_pkt *p, struct vox_rtcp_bye *b);
/* SSRC i of the BYE; 0 for i >= b->sc. */
uint32_t vox_rtcp_bye_ssrc(const struct vox_rtcp_bye *b, unsigned i);

/* Decoded APP (RFC 3550 6.7). */
struct vox_rtcp_app {
	uint8_t subtype;
	uint32_t ssrc;
	char name[4]; /* four ASCII characters, not NUL-terminated */
	const uint8_t *data;
	size_t data_len; /* multiple of 4 */
};
/* Returns 0, VOX_EINVAL (not an APP) or VOX_EMALFORMED (body under 8
 * bytes). data points into the packet. */
VOX_MUST_CHECK int vox_rtcp_app_parse(const struct vox_rtcp_pkt *p, struct vox_rtcp_app *a);

/* Printers append one packet each to a compound being written with a
 * struct vox_writer (base.h); the writer's sticky error reports VOX_ENOSPC
 * at vox_writer_finish(). They return 0, or VOX_EINVAL for arguments the
 * wire cannot carry (more than 31 blocks or SSRCs, text over 255 bytes,
 * APP subtype over 31, APP data not a multiple of 4 or over 262132 bytes)
 * or a NULL array with a count; nothing is written then. A cumulative
 * loss outside the 24-bit field is clamped to it (RFC 3550 6.4.1). */
VOX_MUST_CHECK int vox_rtcp_print_sr(struct vox_writer *w, uint32_t ssrc,
                                     const struct vox_rtcp_sender_info *si,
                                     const struct vox_rtcp_rb *rb, unsigned n);
VOX_MUST_CHECK int vox_rtcp_print_rr(struct vox_writer *w, uint32_t ssrc,
                                     const struct vox_rtcp_rb *rb, unsigned n);
/* An SDES packet of one chunk holding one CNAME item: the item RFC 3550
 * 6.1 requires in every compound (the other items are optional, and the
 * parser reads them all). */
VOX_MUST_CHECK int vox_rtcp_print_sdes_cname(struct vox_writer *w, uint32_t ssrc,
                                             struct vox_slice cname);
VOX_MUST_CHECK int vox_rtcp_print_bye(struct vox_writer *w, const uint32_t *ssrc, unsigned n,
                                      struct vox_slice reason);
VOX_MUST_CHECK int vox_rtcp_print_app(struct vox_writer *w, uint32_t ssrc, uint8_t subtype,
                                      const char name[4], const uint8_t *data, size_t len);

/* ======================================================================
 * Reception statistics of one source (RFC 3550 A.1, A.3, A.8)
 * ====================================================================== */

#define VOX_RTP_MIN_SEQUENTIAL 2    /* A.1: packets in sequence to validate */
#define VOX_RTP_MAX_DROPOUT    3000 /* A.1: largest forward jump kept */
#define VOX_RTP_MAX_MISORDER   100  /* A.1: largest backward step kept */

struct vox_rtp_stats {
	/* A.1 */
	uint16_t max_seq;
	uint32_t cycles; /* shifted count of seq number cycles */
	uint32_t base_seq;
	uint32_t bad_seq;
	uint32_t probation;
	uint32_t received;
	uint32_t expected_prior;
	uint32_t received_prior;
	/* A.8 */
	uint32_t transit;
	uint32_t jitter; /* estimate scaled by 16 */
	uint8_t have_transit;
};

/* A.1: a new source first seen with seq (max_seq = seq - 1, probation set). */
void vox_rtp_stats_init(struct vox_rtp_stats *s, uint16_t seq);
/* A.1 update_seq(): 1 if the packet counts (source valid, in window), 0 if
 * it is held back (probation, or a large jump that needs a second packet to
 * confirm). Duplicates count as received, as in A.3. */
int vox_rtp_stats_update(struct vox_rtp_stats *s, uint16_t seq);
/* A.8: one packet with RTP timestamp ts arrived at arrival (same units). */
void vox_rtp_stats_jitter(struct vox_rtp_stats *s, uint32_t ts, uint32_t arrival);
/* Highest sequence number received, extended (the RR field). */
uint32_t vox_rtp_stats_ext_max(const struct vox_rtp_stats *s);
/* A.3: expected - received since the start, clamped to 24-bit signed. */
int32_t vox_rtp_stats_lost(const struct vox_rtp_stats *s);
/* A.3: fraction lost since the previous call, /256; updates the priors. */
uint8_t vox_rtp_stats_fraction(struct vox_rtp_stats *s);
/* Interarrival jitter in timestamp units (the RR field). */
uint32_t vox_rtp_stats_jitter_value(const struct vox_rtp_stats *s);

/* ======================================================================
 * RTCP transmission interval (RFC 3550 6.3, A.7)
 * ====================================================================== */

struct vox_rtcp_interval {
	uint32_t members;
	uint32_t senders;
	uint32_t rtcp_bw; /* bytes per second for RTCP (5 % of the session) */
	int we_sent;
	uint32_t avg_rtcp_size; /* bytes, including UDP/IP overhead */
	int initial;
	uint32_t min_ms; /* Tmin, 5000 in RFC 3550 6.2 */
};
/* Deterministic interval Td in ms (A.7 rtcp_interval() before the random
 * factor): the one 6.3.5 uses to time out members. */
uint64_t vox_rtcp_interval_det(const struct vox_rtcp_interval *in);
/* A.7 rtcp_interval(): Td times a random factor in [0.5, 1.5) from rng,
 * divided by e - 3/2. Returns 0 and *ms, or VOX_ERNG (rng or its fn NULL,
 * or the hook failed), or VOX_EINVAL (rtcp_bw 0). */
VOX_MUST_CHECK int vox_rtcp_interval_draw(const struct vox_rtcp_interval *in,
                                          const struct vox_rng *rng, uint64_t *ms);

/* ======================================================================
 * RTP session: one local SSRC, its sender state, the remote sources and
 * RTCP (6.3 timing with reconsideration, SR/RR/SDES/BYE, RTT, 8.2
 * collisions). Sans-I/O: bytes and the time in, RTCP datagrams out.
 * ====================================================================== */

enum vox_rtp_event_type {
	VOX_RTP_EV_NEW_SOURCE = 1, /* a remote SSRC passed probation */
	VOX_RTP_EV_BYE,            /* a remote source left (BYE); reason copied */
	VOX_RTP_EV_TIMEOUT,        /* a remote source was silent for 5 Td (6.3.5) */
	VOX_RTP_EV_COLLISION,      /* our SSRC collided; ssrc is the new one (8.2) */
	VOX_RTP_EV_LOOP,           /* our own packets came back (8.2) */
	VOX_RTP_EV_REPORT          /* a remote receiver reported on us: rb, rtt */
};

/* Bytes of a BYE reason an event carries, and the longest reason
 * vox_rtp_session_bye sends. */
#define VOX_RTP_EV_REASON 32

struct vox_rtp_event {
	enum vox_rtp_event_type type;
	uint32_t ssrc;         /* the source concerned (ours for COLLISION: the new one) */
	uint32_t old_ssrc;     /* COLLISION: the SSRC we gave up */
	struct vox_rtcp_rb rb; /* REPORT: the block about our stream */
	uint32_t rtt_ms;       /* REPORT: round-trip time, UINT32_MAX if unknown */
	uint8_t reason_len;    /* BYE: bytes in reason, at most VOX_RTP_EV_REASON */
	uint8_t reason_cut;    /* BYE: 1 when the peer's reason was longer (up to 255
	                          bytes, RFC 3550 6.6) and reason holds its first
	                          VOX_RTP_EV_REASON bytes only */
	char reason[VOX_RTP_EV_REASON];
};

/* One remote source as the session tracks it. Read-only for the caller. */
struct vox_rtp_source {
	uint32_t ssrc;
	uint8_t in_use;
	uint8_t valid;     /* a member: passed A.1 probation, or sent valid RTCP */
	uint8_t announced; /* VOX_RTP_EV_NEW_SOURCE was queued */
	uint8_t sender;    /* sent RTP within the last two report intervals */
	uint8_t have_rtp;  /* st and from are set */
	uint8_t have_rtcp; /* from_rtcp is set */
	uint8_t rtp_since_report;
	uint64_t from;      /* caller's tag of the address its RTP came from */
	uint64_t from_rtcp; /* ... and its RTCP */
	uint64_t foreign;   /* packets with its SSRC from another address (8.2) */
	struct vox_rtp_stats st;
	uint64_t last_rtp_ms;
	uint64_t last_seen_ms;
	/* From its last SR: middle 32 bits of the NTP time and when it came. */
	uint32_t lsr;
	uint64_t lsr_at_ms;
	uint8_t have_sr;
	/* Its last report about us. */
	struct vox_rtcp_rb about_us;
	uint32_t rtt_ms;      /* UINT32_MAX until known */
	uint64_t rtp_packets; /* packets accepted from it (after probation) */
};

struct vox_rtp_params {
	uint32_t clock_rate;    /* RTP timestamp units per second (8000 for G.711) */
	uint32_t session_bw;    /* bytes per second of the whole session; RTCP gets 5 % */
	uint32_t rtcp_min_ms;   /* minimum RTCP interval; 0 means 5000 (6.2) */
	uint64_t ntp_base_ms;   /* NTP wallclock in ms (since 1900) at time 0; may be 0 */
	struct vox_slice cname; /* copied; at most VOX_RTCP_MAX_CNAME bytes */
};

struct vox_rtp_session {
	struct vox_rtp_params p;
	char cname[VOX_RTCP_MAX_CNAME];
	uint8_t cname_len;
	struct vox_rng rng;
	uint8_t started;

	/* our stream */
	uint32_t ssrc;
	uint16_t seq;          /* next sequence number */
	uint32_t ts_base;      /* random offset added to the caller's media time */
	uint32_t last_ts;      /* last RTP timestamp sent */
	uint64_t last_send_ms; /* when */
	uint32_t packet_count; /* SR sender info: since the SSRC was chosen */
	uint32_t octet_count;
	uint8_t we_sent; /* sent RTP since the report before the last (6.3.8) */
	uint8_t sent_in_cur, sent_in_prev;

	struct vox_rtp_source src[VOX_RTP_MAX_SOURCES];
	uint64_t sources_dropped; /* SSRCs not tracked: table full */

	/* 6.3 / A.7 state */
	uint64_t tp, tn;
	uint32_t pmembers;
	uint32_t avg_rtcp_size16; /* avg_rtcp_size scaled by 16 */
	uint8_t initial;
	uint8_t report_due;     /* on_deadline decided a report goes out */
	uint8_t bye_pending;    /* 1: BYE backing off (6.3.7), 2: BYE due now */
	uint8_t bye_sent;       /* we left: no more RTP or RTCP */
	uint8_t bye_reconsider; /* 6.3.7 back-off running */
	uint32_t bye_members;   /* BYEs counted during the back-off, plus one */
	uint8_t bye_reason_len;
	char bye_reason[VOX_RTP_EV_REASON];
	uint8_t coll_bye_pending; /* 8.2: BYE for the SSRC we gave up */
	uint32_t coll_bye_ssrc;
	uint64_t rtcp_sent;
	uint64_t rtcp_received;
	uint64_t rtcp_invalid;

	/* 8.2: transport addresses that sent our SSRC (conflict list). */
	uint64_t conflict_from[4];
	uint64_t conflict_at[4];
	uint32_t collisions;
	uint32_t loops;

	struct vox_rtp_event ev[VOX_RTP_MAX_EVENTS];
	unsigned ev_head, ev_len;
	uint64_t ev_dropped;
};

/* Clears *s. Cannot fail. */
void vox_rtp_session_init(struct vox_rtp_session *s);
/* Picks a random SSRC, initial sequence number and timestamp offset (RFC
 * 3550 5.1) and schedules the first RTCP report (6.3.2, initial half
 * interval). The rng is kept for later draws (intervals, new SSRC after a
 * collision): rng is copied, and its ctx must outlive the session. The
 * CNAME is copied. Returns 0, VOX_ERNG, or VOX_EINVAL (p or rng NULL, no
 * rng->fn, clock_rate or session_bw 0, CNAME empty or longer than
 * VOX_RTCP_MAX_CNAME). On an error *s is cleared (not started). */
VOX_MUST_CHECK int vox_rtp_session_start(struct vox_rtp_session *s, const struct vox_rtp_params *p,
                                         const struct vox_rng *rng, uint64_t now);
/* Builds our next RTP packet: pkt gives pt, marker, payload, CSRCs,
 * extensions and the media time in pkt->ts (timestamp units, any origin);
 * the session writes its SSRC, the next sequence number and ts plus its
 * random offset into *pkt and prints it. Returns the length, VOX_ESTATE
 * (not started, or a BYE pending or sent), or an error of vox_rtp_print
 * (VOX_ENOSPC, VOX_EINVAL, VOX_ETOOLONG): then pkt->ts is restored and
 * the sequence number is not used up. */
VOX_MUST_CHECK int vox_rtp_session_send(struct vox_rtp_session *s, struct vox_rtp_packet *pkt,
                                        uint8_t *out, size_t cap, uint64_t now);
/* Takes one received RTP datagram (already SRTP-unprotected) from the
 * transport address the caller tags as from. Parses it into *pkt, runs
 * A.1/A.8 for its source, and checks for an SSRC collision or loop (8.2).
 * Returns 1 when the packet should be played (its source is valid), 0 when
 * it is held back (probation, loop, collision, another address using the
 * SSRC, table full), a parse error of vox_rtp_parse (VOX_EMALFORMED,
 * VOX_EVERSION, VOX_ELIMIT, VOX_ETOOLONG), or VOX_ESTATE (not started),
 * VOX_ERNG (a collision needed a new SSRC and the rng failed). *pkt points
 * into buf. */
VOX_MUST_CHECK int vox_rtp_session_recv_rtp(struct vox_rtp_session *s, const uint8_t *buf,
                                            size_t len, uint64_t from, uint64_t now,
                                            struct vox_rtp_packet *pkt);
/* Takes one received RTCP compound (already SRTCP-unprotected): records SR
 * times for LSR/DLSR, reports about us (RTT), BYEs, and updates avg_rtcp_size
 * and the member count (A.7 OnReceive). Returns 0, a parse error of
 * vox_rtcp_parse (VOX_EMALFORMED, VOX_EVERSION, VOX_ELIMIT, VOX_ETOOLONG;
 * counted in rtcp_invalid), VOX_ESTATE (not started) or VOX_ERNG (a
 * collision needed a new SSRC). Nothing points into buf afterwards (a BYE
 * reason is copied into its event, which says when it was cut). */
VOX_MUST_CHECK int vox_rtp_session_recv_rtcp(struct vox_rtp_session *s, const uint8_t *buf,
                                             size_t len, uint64_t from, uint64_t now);
/* Writes the next RTCP compound that is due (SR or RR, SDES CNAME, and a BYE
 * when leaving) into out. Returns its length, 0 if nothing is due (or not
 * started), or VOX_ENOSPC (the report stays due). */
VOX_MUST_CHECK int vox_rtp_session_poll_output(struct vox_rtp_session *s, uint8_t *out, size_t cap,
                                               uint64_t now);
/* When on_deadline wants to run next (UINT64_MAX: never). */
uint64_t vox_rtp_session_next_deadline(const struct vox_rtp_session *s);
/* Runs the timer: A.7 OnExpire with reconsideration, 6.3.5 timeouts.
 * Returns 0 (also when nothing is due), or VOX_ERNG. */
VOX_MUST_CHECK int vox_rtp_session_on_deadline(struct vox_rtp_session *s, uint64_t now);
/* Leave the session: a BYE goes out through poll_output (immediately below
 * 50 members, else with the 6.3.7 back-off). reason may be empty; it is
 * copied. Returns 0, VOX_ESTATE (not started, or a BYE already pending or
 * sent), VOX_EINVAL (reason.p NULL with a length), VOX_ETOOLONG (reason
 * longer than VOX_RTP_EV_REASON bytes) or VOX_ERNG (the back-off needed a
 * random draw). On every error but VOX_ERNG nothing changed. */
VOX_MUST_CHECK int vox_rtp_session_bye(struct vox_rtp_session *s, struct vox_slice reason,
                                       uint64_t now);
/* Next queued event: 1 and *ev, or 0. When VOX_RTP_MAX_EVENTS wait, a new
 * event drops the oldest (counted in ev_dropped). */
int vox_rtp_session_next_event(struct vox_rtp_session *s, struct vox_rtp_event *ev);
/* The source with this SSRC, read-only, or NULL. A pointer into s->src:
 * valid until the next vox_rtp_session_recv_rtcp or _on_deadline, which
 * may remove the source (BYE, timeout) and reuse its slot. */
const struct vox_rtp_source *vox_rtp_session_source(const struct vox_rtp_session *s, uint32_t ssrc);
/* Members (us included) and senders as 6.3 counts them. */
uint32_t vox_rtp_session_members(const struct vox_rtp_session *s);
uint32_t vox_rtp_session_senders(const struct vox_rtp_session *s);
/* Converts ms since time 0 to the 64-bit NTP format of the session. */
uint64_t vox_rtp_session_ntp(const struct vox_rtp_session *s, uint64_t now);

/* ======================================================================
 * One socket, several protocols (RFC 7983, RFC 5761 4)
 * ====================================================================== */

enum vox_demux_kind {
	VOX_DEMUX_UNKNOWN = 0,
	VOX_DEMUX_STUN, /* first byte 0..3 */
	VOX_DEMUX_ZRTP, /* 16..19 */
	VOX_DEMUX_DTLS, /* 20..63 */
	VOX_DEMUX_TURN, /* 64..79: TURN ChannelData */
	VOX_DEMUX_RTP,  /* 128..191, payload type outside 64..95 */
	VOX_DEMUX_RTCP  /* 128..191, second byte 192..223 (RFC 5761 4) */
};

/* Classifies a datagram by its first two bytes and checks the least length
 * and fixed marks of each kind (STUN magic cookie RFC 5389 6, ZRTP magic
 * cookie RFC 6189 5). Anything else is VOX_DEMUX_UNKNOWN. Never reads past
 * len. */
enum vox_demux_kind vox_demux_classify(const uint8_t *buf, size_t len);
/* Short name ("rtp", "rtcp", ...), a static string, never NULL. */
const char *vox_demux_name(enum vox_demux_kind k);

/* ======================================================================
 * G.711 (ITU-T G.711, A-law and mu-law) at 8 kHz
 * ====================================================================== */

#define VOX_G711_RATE   8000
#define VOX_G711_FRAME  160 /* samples in 20 ms, the usual packet */
#define VOX_RTP_PT_PCMU 0
#define VOX_RTP_PT_PCMA 8

enum vox_g711_law { VOX_G711_ULAW = 0, VOX_G711_ALAW = 1 };

/* One sample. The 16-bit input is reduced to the law's range (14 bits for
 * mu-law, 13 for A-law) by dropping low bits of its magnitude. */
uint8_t vox_g711_ulaw_encode(int16_t pcm);
int16_t vox_g711_ulaw_decode(uint8_t code);
uint8_t vox_g711_alaw_encode(int16_t pcm);
int16_t vox_g711_alaw_decode(uint8_t code);
/* n samples each way. */
void vox_g711_encode(enum vox_g711_law law, const int16_t *pcm, size_t n, uint8_t *out);
void vox_g711_decode(enum vox_g711_law law, const uint8_t *in, size_t n, int16_t *pcm);

/* ======================================================================
 * RFC 4733 telephone-events (DTMF)
 * ====================================================================== */

#define VOX_DTMF_PAYLOAD 4 /* bytes of one event report */

/* Event codes 0..15 for "0123456789*#ABCD" (RFC 4733 3.2). -1 otherwise. */
int vox_dtmf_event_of(char digit);
/* The digit of an event code 0..15, or 0 (NUL) for any other code. */
char vox_dtmf_digit_of(uint8_t event);

struct vox_dtmf_payload {
	uint8_t event;
	uint8_t end;       /* E bit */
	uint8_t volume;    /* 0..63, -dBm0 */
	uint16_t duration; /* timestamp units */
};
/* The first event report of a payload. Returns 0 or VOX_EMALFORMED (len
 * not a positive multiple of 4). */
VOX_MUST_CHECK int vox_dtmf_payload_parse(const uint8_t *buf, size_t len,
                                          struct vox_dtmf_payload *p);
void vox_dtmf_payload_print(const struct vox_dtmf_payload *p, uint8_t out[VOX_DTMF_PAYLOAD]);

/* Sender of one event at a time: the first packet has the marker bit, the
 * duration grows with each update, the final packet (E bit) goes out three
 * times (RFC 4733 2.5.1.4), and an event longer than 65535 units is cut into
 * segments, each with its own timestamp (2.5.1.3). */
struct vox_dtmf_tx {
	uint32_t clock_rate;
	uint32_t interval_ms; /* between updates: the audio packet time */
	uint8_t active;
	uint8_t event;
	uint8_t volume;
	uint8_t first;      /* next packet is the event's first: marker bit */
	uint8_t end_left;   /* repeats of a final packet still to send */
	uint8_t seg_final;  /* the repeats close a segment, not the event */
	uint32_t ts;        /* media time of the current segment's start */
	uint64_t start_ms;  /* when the event began */
	uint64_t stop_ms;   /* when it ends (UINT64_MAX: at vox_dtmf_tx_stop) */
	uint64_t next_ms;   /* next packet due */
	uint32_t seg_units; /* units in finished segments */
	uint16_t duration;  /* duration field of the last packet */
};
struct vox_dtmf_out {
	struct vox_rtp_packet pkt; /* pt unset; marker, ts (media time) and payload set */
	uint8_t payload[VOX_DTMF_PAYLOAD];
};
/* Cannot fail; a zero clock_rate or interval is refused by _start. */
void vox_dtmf_tx_init(struct vox_dtmf_tx *tx, uint32_t clock_rate, uint32_t interval_ms);
/* Starts event (0..255) at media time ts; duration_ms 0 means "until
 * vox_dtmf_tx_stop". Returns 0, VOX_ESTATE (an event is still being sent) or
 * VOX_EINVAL (volume > 63, clock_rate or interval 0). */
VOX_MUST_CHECK int vox_dtmf_tx_start(struct vox_dtmf_tx *tx, uint8_t event, uint8_t volume,
                                     uint32_t duration_ms, uint32_t ts, uint64_t now);
/* Ends an open-ended event now. */
void vox_dtmf_tx_stop(struct vox_dtmf_tx *tx, uint64_t now);
/* The next packet when one is due at now: 1 and *out, or 0. Call it until it
 * returns 0; pass out->pkt to vox_rtp_session_send with the telephone-event
 * payload type. out->pkt.payload points into out->payload: use the packet
 * while *out lives. */
int vox_dtmf_tx_poll(struct vox_dtmf_tx *tx, uint64_t now, struct vox_dtmf_out *out);
/* When _poll wants to run next; UINT64_MAX when idle. */
uint64_t vox_dtmf_tx_next_deadline(const struct vox_dtmf_tx *tx);
/* 1 while an event is being sent, else 0. */
int vox_dtmf_tx_busy(const struct vox_dtmf_tx *tx);

/* Receiver: turns the packets of a telephone-event stream into one begin and
 * one end per event, whatever was lost, repeated or reordered. */
enum vox_dtmf_ev_type { VOX_DTMF_BEGIN = 1, VOX_DTMF_END };
struct vox_dtmf_event {
	enum vox_dtmf_ev_type type;
	uint8_t event;
	uint32_t ts;       /* RTP timestamp of the event start */
	uint32_t duration; /* END: total units, segments added */
	uint8_t volume;
	uint8_t end_seen; /* END: 1 if an E-bit packet arrived, 0 if timed out */
};
struct vox_dtmf_rx {
	uint32_t clock_rate;
	uint32_t timeout_ms; /* no packet for this long ends an event (1000) */
	uint8_t active;
	uint8_t event;
	uint8_t volume;
	uint32_t ts;        /* timestamp of the current segment */
	uint32_t first_ts;  /* of the event's first segment */
	uint32_t seg_units; /* units of finished segments */
	uint16_t duration;  /* longest duration seen in the current segment */
	uint8_t have_ended;
	uint32_t ended_ts; /* segment timestamp of the last event that ended */
	uint64_t last_ms;
	struct vox_dtmf_event q[4];
	unsigned q_head, q_len;
	uint64_t dropped; /* events lost because nobody drained the queue */
};
/* Cannot fail. */
void vox_dtmf_rx_init(struct vox_dtmf_rx *rx, uint32_t clock_rate);
/* Feeds one telephone-event RTP packet (payload already parsed). Returns 0
 * or VOX_EMALFORMED (payload not 4n bytes). */
VOX_MUST_CHECK int vox_dtmf_rx_recv(struct vox_dtmf_rx *rx, const struct vox_rtp_packet *pkt,
                                    uint64_t now);
/* Ends an event whose end packets were all lost (no packet for timeout_ms). */
void vox_dtmf_rx_on_deadline(struct vox_dtmf_rx *rx, uint64_t now);
/* When _on_deadline wants to run; UINT64_MAX when no event is open. */
uint64_t vox_dtmf_rx_next_deadline(const struct vox_dtmf_rx *rx);
/* Next event: 1 and *ev, or 0. Four wait at most; a fifth drops the oldest
 * (counted in dropped). */
int vox_dtmf_rx_next_event(struct vox_dtmf_rx *rx, struct vox_dtmf_event *ev);

/* ======================================================================
 * Goertzel tone detector
 * ====================================================================== */

/* Share of the block's energy at freq_hz (Goertzel): about 1 when pcm[0..n)
 * is a pure tone at that frequency, about 0.5 for each of two equal tones,
 * near 0 for other frequencies and for silence. */
float vox_tone_power(const int16_t *pcm, size_t n, uint32_t rate, float freq_hz);
/* DTMF digit in the block (e.g. 205 samples at 8 kHz), or 0 if none: one
 * row and one column tone clearly above the others and the block's energy,
 * twist within 8 dB (ITU-T Q.24). */
char vox_tone_dtmf(const int16_t *pcm, size_t n, uint32_t rate);
/* Writes n samples of sin(f1) + sin(f2) at amplitude amp each (tests,
 * demo, DTMF in-band). phase is a sample counter the caller keeps. */
void vox_tone_gen(int16_t *pcm, size_t n, uint32_t rate, float f1, float f2, int16_t amp,
                  uint32_t *phase);

/* ======================================================================
 * Jitter buffer
 * ====================================================================== */

struct vox_jb_params {
	uint32_t clock_rate;   /* timestamp units per second */
	uint32_t frame_ms;     /* packet time, e.g. 20 */
	uint32_t min_delay_ms; /* the playout delay never goes below ... */
	uint32_t max_delay_ms; /* ... nor above these */
};

struct vox_jb_slot {
	uint8_t used;
	uint8_t marker;
	uint8_t pt;
	uint16_t len;
	uint32_t ext_seq;
	uint32_t ts;
	uint8_t data[VOX_JB_MAX_FRAME];
};

struct vox_jb_stats {
	uint64_t received;  /* packets put */
	uint64_t played;    /* frames handed out */
	uint64_t concealed; /* frames missing at their playout time */
	uint64_t late;      /* arrived after their playout time: dropped */
	uint64_t duplicate; /* already held or played: dropped */
	uint64_t overflow;  /* too far ahead of playout: buffer restarted */
	uint64_t too_big;   /* payload over VOX_JB_MAX_FRAME: dropped */
	uint64_t drained;   /* ran dry (end of a talkspurt, or packets late) */
	uint64_t shrunk;    /* frames dropped to bring the delay down */
	uint64_t resync;    /* playout (re)anchored: first packet, talkspurt */
};

enum vox_jb_state {
	VOX_JB_IDLE = 0, /* nothing received yet */
	VOX_JB_PLAYING,  /* anchored: frames play at anchor_ms + (ts - anchor_ts) */
	VOX_JB_PAUSED    /* ran dry; the next packet re-anchors with a new delay */
};

struct vox_jb {
	struct vox_jb_params p;
	uint8_t configured;
	uint32_t frame_units;
	struct vox_jb_slot slot[VOX_JB_SLOTS];
	unsigned held;
	struct vox_rtp_seq seqx;
	enum vox_jb_state state;
	uint8_t started;    /* a frame went out since the anchor */
	uint32_t next_seq;  /* extended seq of the next frame to play */
	uint32_t play_ts;   /* its expected timestamp */
	uint64_t anchor_ms; /* playout time of anchor_ts */
	uint32_t anchor_ts;
	uint32_t delay_ms; /* the playout delay in force */
	uint32_t last_out; /* highest extended seq handed out (played or concealed) */
	uint8_t have_out;
	/* extended seqs recently held or played: duplicate detection */
	uint32_t win_top;
	uint64_t win_bits;
	uint8_t win_init;
	/* interarrival jitter, RFC 3550 A.8 style, in timestamp units x 16 */
	uint32_t transit;
	uint8_t have_transit;
	uint32_t jitter16;
	uint32_t target_ms;
	unsigned min_held; /* fewest frames held after a get, this window */
	unsigned window_gets;
	struct vox_jb_stats st;
};

enum vox_jb_result {
	VOX_JB_EMPTY = 0,  /* nothing to play: silence (buffering, DTX, underrun) */
	VOX_JB_FRAME = 1,  /* a frame was copied out */
	VOX_JB_CONCEAL = 2 /* a frame is missing: the caller conceals it */
};

struct vox_jb_frame {
	uint32_t ts;
	uint32_t ext_seq;
	uint8_t pt;
	uint8_t marker;
	size_t len;
};

/* Clears *jb (not configured: _put refuses, _get plays nothing). */
void vox_jb_init(struct vox_jb *jb);
/* Clears *jb and sets it up. Returns 0 or VOX_EINVAL (zero rate or frame,
 * a frame under one or over 65535 timestamp units, min > max, max beyond
 * what VOX_JB_SLOTS frames hold); *jb is unchanged on an error. */
VOX_MUST_CHECK int vox_jb_configure(struct vox_jb *jb, const struct vox_jb_params *p);
/* Stores a received packet's payload (copied: pkt may go away). Returns 0,
 * or VOX_EREPLAY (duplicate), VOX_ETOOOLD (late), VOX_ETOOLONG (payload
 * over VOX_JB_MAX_FRAME), each counted, or VOX_ESTATE (not configured),
 * VOX_EINVAL (pkt NULL, or a NULL payload with a length: nothing
 * counted, nothing changed). */
VOX_MUST_CHECK int vox_jb_put(struct vox_jb *jb, const struct vox_rtp_packet *pkt, uint64_t now);
/* The frame due at now: VOX_JB_FRAME with its payload in out[0..f->len),
 * VOX_JB_CONCEAL, or VOX_JB_EMPTY; VOX_ENOSPC if cap is too small (the frame
 * stays). Call it once per frame time (every frame_ms). */
VOX_MUST_CHECK int vox_jb_get(struct vox_jb *jb, uint64_t now, uint8_t *out, size_t cap,
                              struct vox_jb_frame *f);
/* Current playout delay target, ms. */
uint32_t vox_jb_target_ms(const struct vox_jb *jb);

/* Loss concealment for decoded audio: the n samples to play for the
 * lost_run-th frame in a row that vox_jb_get reported as VOX_JB_CONCEAL,
 * made from the last good frame last[0..n): a repeat that fades by 6 dB
 * per frame (from 1 to 1/2 over the first lost frame, 1/2 to 1/4 over the
 * second, ...) and is silence from the fifth on. Simple waveform
 * substitution, not G.711 Appendix I. out may equal last. */
void vox_jb_conceal(const int16_t *last, size_t n, unsigned lost_run, int16_t *out);

#ifdef __cplusplus
}
#endif

#endif /* VOX_RTP_H */
