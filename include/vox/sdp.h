/* SPDX-License-Identifier: MIT */
/*
 * vox/sdp.h: session descriptions (RFC 8866), SDES keys (RFC 4568) and the
 * offer/answer model (RFC 3264).
 *
 * Three parts, each usable alone:
 *  - vox_sdp_parse() turns a description into a struct vox_sdp: a table of
 *    slices into the caller's buffer, with every attribute vox knows decoded
 *    into a typed field. No allocation, fixed tables (limits in
 *    vox/config.h); past a limit VOX_ELIMIT, never a silent truncation. A
 *    malformed description is refused with the line, the column and what
 *    was expected.
 *  - vox_sdp_print() writes a parsed description back, with every SRTP key
 *    redacted unless the caller asks for the keys by name.
 *  - vox_sdp_oa_*() build offers and answers for one audio stream and give
 *    the result as one plain struct vox_sdp_session: payload types, the
 *    peer's addresses, direction, and for SRTP the master keys of both
 *    directions, ready for srtp_glue/.
 *
 * A struct vox_sdp holds slices into the buffer passed to vox_sdp_parse():
 * it is valid exactly as long as that buffer. A struct vox_sdp_session is a
 * copy and owes nothing to any buffer. Structs that hold SRTP keys
 * (vox_sdp_oa, vox_sdp_session, vox_srtp_key) are the caller's to wipe,
 * with the _free function or vox_wipe().
 */
#ifndef VOX_SDP_H
#define VOX_SDP_H

#include "vox/base.h"
#include "vox/suite.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- parsed description ------------------------------------------------ */

/* Where parsing stopped: byte offset and what was expected (at), and the
 * same place as a 1-based line and a 1-based byte column. */
struct vox_sdp_diag {
	struct vox_diag at;
	uint32_t line;
	uint32_t col;
};

/* Media direction (RFC 3264 5.1), from the point of view of the side that
 * wrote the description. The values are bit sets: 1 sends, 2 receives. */
enum vox_sdp_dir {
	VOX_SDP_INACTIVE = 0,
	VOX_SDP_SENDONLY = 1,
	VOX_SDP_RECVONLY = 2,
	VOX_SDP_SENDRECV = 3
};

/* c= (RFC 8866 5.7). addr is the address alone; ttl and num come from the
 * multicast suffixes "/ttl" (IPv4) and "/num". Under "IN IP4" and "IN IP6"
 * addr is a literal of that family or a host name (the caller resolves
 * it); docs/sdp.md says what else the parser refuses. */
struct vox_sdp_conn {
	int present;
	struct vox_slice nettype;  /* "IN" */
	struct vox_slice addrtype; /* "IP4", "IP6" */
	struct vox_slice addr;
	struct vox_slice full; /* the whole value, suffixes included */
	int multicast;         /* addr is an IPv4 (224..239) or IPv6 (ff00::/8) group */
	uint16_t ttl;          /* IPv4 multicast: its TTL (always given); else 0 */
	uint32_t num;          /* number of addresses, 0 when absent */
};

/* b= (RFC 8866 5.8). */
struct vox_sdp_bw {
	struct vox_slice type; /* "AS", "CT", "TIAS", ... */
	uint64_t value;
};

/* t= and its r= lines (RFC 8866 5.9, 5.10). Times are NTP seconds. */
struct vox_sdp_time {
	uint64_t start;
	uint64_t stop;
	uint8_t n_repeat;
	struct vox_slice repeat[VOX_SDP_MAX_FIELDS]; /* each r= value, checked */
};

enum vox_sdp_attr_kind {
	VOX_SDP_ATTR_OTHER = 0,   /* kept as name and value slices */
	VOX_SDP_ATTR_RTPMAP,      /* RFC 8866 6.6 */
	VOX_SDP_ATTR_FMTP,        /* RFC 8866 6.15 */
	VOX_SDP_ATTR_PTIME,       /* RFC 8866 6.4 */
	VOX_SDP_ATTR_MAXPTIME,    /* RFC 8866 6.5 */
	VOX_SDP_ATTR_DIRECTION,   /* sendrecv sendonly recvonly inactive, RFC 8866 6.7 */
	VOX_SDP_ATTR_RTCP,        /* RFC 3605 */
	VOX_SDP_ATTR_RTCP_MUX,    /* RFC 5761 5.1.1 */
	VOX_SDP_ATTR_CRYPTO,      /* RFC 4568 */
	VOX_SDP_ATTR_ZRTP_HASH,   /* RFC 6189 8.1 */
	VOX_SDP_ATTR_FINGERPRINT, /* RFC 8122 5 */
	VOX_SDP_ATTR_SETUP        /* RFC 4145 4 */
};

struct vox_sdp_rtpmap {
	uint8_t pt;                /* 0..127 */
	struct vox_slice encoding; /* "PCMU", "telephone-event" (compare case-insensitively) */
	uint32_t clock;            /* Hz */
	struct vox_slice params;   /* encoding parameters (audio: channels); empty if absent */
};

struct vox_sdp_fmtp {
	struct vox_slice fmt;
	struct vox_slice params;
};

/* a=rtcp (RFC 3605 2.1): the port, and optionally a connection-address
 * checked as in c= (addr without its suffixes). */
struct vox_sdp_rtcp {
	uint16_t port;
	struct vox_slice nettype, addrtype, addr; /* empty when absent */
	int multicast;
	uint16_t ttl;
	uint32_t num;
};

struct vox_sdp_zrtp_hash {
	struct vox_slice version; /* "1.10" */
	struct vox_slice hash;    /* 64 hex digits */
};

struct vox_sdp_fingerprint {
	struct vox_slice hash_func; /* "sha-256" */
	struct vox_slice value;     /* "AB:CD:..." */
};

enum vox_sdp_setup {
	VOX_SDP_SETUP_ACTIVE,
	VOX_SDP_SETUP_PASSIVE,
	VOX_SDP_SETUP_ACTPASS,
	VOX_SDP_SETUP_HOLDCONN
};

struct vox_sdp_attr {
	enum vox_sdp_attr_kind kind;
	int16_t media; /* index of its m= section, -1 at session level */
	uint32_t line; /* 1-based line number */
	struct vox_slice name;
	struct vox_slice value; /* after the ':', empty when has_value is 0 */
	int has_value;
	union {
		struct vox_sdp_rtpmap rtpmap;
		struct vox_sdp_fmtp fmtp;
		uint32_t ptime_us; /* ptime and maxptime, in microseconds */
		enum vox_sdp_dir dir;
		struct vox_sdp_rtcp rtcp;
		uint16_t crypto; /* index into vox_sdp.crypto */
		struct vox_sdp_zrtp_hash zrtp_hash;
		struct vox_sdp_fingerprint fingerprint;
		enum vox_sdp_setup setup;
	} u;
};

/* One key-param of a=crypto (RFC 4568 6.1, 9.2). */
struct vox_sdp_key_param {
	struct vox_slice method;   /* "inline" */
	struct vox_slice key_salt; /* base64 of key||salt; decode with vox_sdp_key_decode() */
	uint64_t lifetime;         /* packets; 0 when absent (the suite maximum applies) */
	uint8_t mki_len;           /* MKI bytes in each packet (1..128); 0 when absent */
	struct vox_slice mki;      /* decimal MKI value as written; it fits in mki_len bytes */
};

/* Bits of vox_sdp_crypto.flags: the RFC 4568 6.3 session parameters that
 * switch protection off. vox honours none of them. */
enum {
	VOX_SDP_UNENCRYPTED_SRTP = 1,
	VOX_SDP_UNENCRYPTED_SRTCP = 2,
	VOX_SDP_UNAUTHENTICATED_SRTP = 4
};

/* a=crypto (RFC 4568 9.1): tag, suite, key-params, session parameters. */
struct vox_sdp_crypto {
	uint32_t tag;                /* 1..999999999 */
	int16_t media;               /* m= section */
	struct vox_slice suite_name; /* as written */
	enum vox_srtp_suite suite;   /* VOX_SRTP_NONE for a suite vox does not know */
	uint8_t n_keys;
	struct vox_sdp_key_param keys[VOX_SDP_MAX_KEYS];
	uint8_t kdr;              /* KDR=n (RFC 4568 6.3.1), 0 when absent */
	unsigned flags;           /* VOX_SDP_UNENCRYPTED_SRTP, ... */
	uint8_t fec_order;        /* 0 absent, 1 FEC_SRTP, 2 SRTP_FEC (RFC 4568 6.3.5) */
	struct vox_slice fec_key; /* FEC_KEY key-params (RFC 4568 6.3.6), empty if absent */
	uint32_t wsh;             /* WSH window size hint (RFC 4568 6.3.7), 0 when absent */
	struct vox_slice params;  /* all session parameters as written */
	/* NULL when vox can use this line, else why not (a static string):
	 * an unknown suite or key method, a session parameter vox cannot
	 * honour, an MKI longer than VOX_SRTP_MAX_MKI, ... RFC 4568 7.1.2: such
	 * a line is skipped by the answerer, not an error in the description. */
	const char *unusable;
};

/* One m= section and the fields that belong to it. */
struct vox_sdp_media {
	uint32_t line;
	struct vox_slice media; /* "audio" */
	uint16_t port;
	uint16_t nports;        /* the "/<number of ports>" suffix, 0 when absent */
	struct vox_slice proto; /* "RTP/AVP", "RTP/SAVP", ... */
	uint8_t n_fmts;
	struct vox_slice fmts[VOX_SDP_MAX_FMTS];
	struct vox_slice info; /* i= */
	struct vox_sdp_conn conn;
	uint8_t n_bw;
	struct vox_sdp_bw bw[VOX_SDP_MAX_FIELDS];
	struct vox_slice key; /* k= (obsolete, RFC 8866 5.12), empty if absent */
	int has_key;
	uint16_t attr_first, n_attrs;    /* range of vox_sdp.attrs */
	uint16_t crypto_first, n_crypto; /* range of vox_sdp.crypto */
	/* Summaries of the attributes, for the offer/answer code: */
	enum vox_sdp_dir dir; /* media level, else session level, else sendrecv */
	int rtcp_mux;
	uint32_t ptime_us; /* 0 when absent */
};

struct vox_sdp {
	const char *buf; /* the parsed input */
	size_t len;
	/* o= (RFC 8866 5.2) */
	struct vox_slice username;
	uint64_t sess_id;
	uint64_t sess_version;
	struct vox_slice o_nettype, o_addrtype, o_addr;
	struct vox_slice name; /* s= (may be empty: vox accepts "s=" as many peers send it) */
	struct vox_slice info; /* i= */
	struct vox_slice uri;  /* u= */
	int has_info, has_uri, has_key;
	uint8_t n_email, n_phone, n_bw, n_times;
	struct vox_slice email[VOX_SDP_MAX_FIELDS];
	struct vox_slice phone[VOX_SDP_MAX_FIELDS];
	struct vox_sdp_conn conn;
	struct vox_sdp_bw bw[VOX_SDP_MAX_FIELDS];
	struct vox_sdp_time times[VOX_SDP_MAX_FIELDS];
	struct vox_slice zone; /* z= value, empty if absent */
	struct vox_slice key;  /* k= value, empty if absent */
	enum vox_sdp_dir dir;  /* session-level direction attribute, else sendrecv */
	/* Tables, filled in order: */
	uint16_t n_attrs;
	uint16_t n_crypto;
	uint8_t n_media;
	struct vox_sdp_attr attrs[VOX_SDP_MAX_ATTRS];
	struct vox_sdp_crypto crypto[VOX_SDP_MAX_CRYPTO];
	struct vox_sdp_media media[VOX_SDP_MAX_MEDIA];
};

/* Parses one complete session description of len bytes (RFC 8866 5, 9).
 * Lines end in CRLF or, leniently, in LF alone; the last line may lack its
 * end; empty lines are allowed only at the very end. Every line must come
 * in the order RFC 8866 5 fixes. Attributes vox knows are checked against
 * their grammar; a=crypto lines that are well formed but that vox cannot
 * use are kept with a reason in vox_sdp_crypto.unusable.
 * Returns len on success, or:
 *   VOX_EMALFORMED  the grammar is broken (diag says where and why);
 *   VOX_ERANGE      a number is too large (port above 65535, lifetime
 *                   above 2^64-1, MKI value wider than its length, ...);
 *   VOX_EVERSION    v= is not 0;
 *   VOX_EUNSUPPORTED a line type RFC 8866 does not define (5: such a
 *                   description must be ignored whole);
 *   VOX_ELIMIT      more items than a table holds (config.h);
 *   VOX_ETOOLONG    len > VOX_SDP_MAX_SIZE;
 *   VOX_EINVAL      NULL arguments.
 * diag may be NULL; on success diag->line is the line count. sdp is written
 * whatever the outcome, and is valid only on success and only as long as
 * buf (sdp->buf is buf). */
VOX_MUST_CHECK int vox_sdp_parse(const char *buf, size_t len, struct vox_sdp *sdp,
                                 struct vox_sdp_diag *diag);

/* Decodes the value of one a=crypto attribute (the text after "crypto:").
 * Pure function of the slice; the slices in *out point into value. diag
 * offsets count from value.p. Returns 0 or VOX_EMALFORMED (bad base64, a
 * key||salt of the wrong length for the suite, a broken lifetime, MKI or
 * session parameter), VOX_ERANGE (lifetime or MKI value overflows, MKI
 * length outside 1..128, tag above 999999999, KDR above 24, WSH below
 * 64 or above 2^32-1), VOX_ELIMIT (more than VOX_SDP_MAX_KEYS key-params)
 * or VOX_EINVAL (out NULL, value.p NULL with a length). A line that
 * parses but that vox cannot use returns 0 with out->unusable set. */
VOX_MUST_CHECK int vox_sdp_crypto_parse(struct vox_slice value, struct vox_sdp_crypto *out,
                                        struct vox_diag *diag);

/* Decodes key-param i of a usable crypto line into *key: suite, master key
 * and salt, lifetime, MKI. Returns 0, VOX_EINVAL (an argument NULL, no
 * such key, unknown suite, a key method other than inline, an MKI longer
 * than VOX_SRTP_MAX_MKI) or VOX_EMALFORMED (key||salt not base64 or of
 * the wrong length, an MKI value that does not fit its length). On an
 * error *key holds no key material. Wipe *key with vox_wipe() when done. */
VOX_MUST_CHECK int vox_sdp_key_decode(const struct vox_sdp_crypto *c, unsigned i,
                                      struct vox_srtp_key *key);

/* First attribute named name (case-sensitive, RFC 8866 6) at a level:
 * media >= 0 for an m= section, -1 for the session. NULL if none. The
 * pointer is into *sdp (its slices into the parsed buffer). */
const struct vox_sdp_attr *vox_sdp_attr_find(const struct vox_sdp *sdp, int media,
                                             const char *name);

/* The a=rtpmap of payload type pt in m= section media, or NULL; a pointer
 * into *sdp. */
const struct vox_sdp_rtpmap *vox_sdp_rtpmap_find(const struct vox_sdp *sdp, int media, unsigned pt);

/* Name of a direction: "sendrecv", ...; a static string, "?" outside the
 * enum. */
const char *vox_sdp_dir_name(enum vox_sdp_dir d);

/* ---- printer -------------------------------------------------------------- */

/* Flags of vox_sdp_print(). */
enum {
	/* Print SRTP keys as they are. Without it every inline: key (a=crypto,
	 * FEC_KEY), every k= line and every a=key-mgmt value is replaced with
	 * "REDACTED", so a description can go to a log or a trace. */
	VOX_SDP_PRINT_SHOW_KEYS = 1
};

/* Writes a parsed description in wire form (CRLF line ends) into buf (no
 * NUL). Returns the length written, VOX_ENOSPC if cap is too small, or
 * VOX_EINVAL (sdp NULL, buf NULL with a capacity). Without
 * VOX_SDP_PRINT_SHOW_KEYS, what it writes holds no key. */
VOX_MUST_CHECK int vox_sdp_print(const struct vox_sdp *sdp, unsigned flags, char *buf, size_t cap);

/* ---- offer/answer (RFC 3264) -------------------------------------------- */

/* The media policy (docs/architecture.md, Security defaults) has two
 * parts: which key methods may be used (the VOX_SDP_KEY_* bits below) and
 * how much protection is required (this enum). "ZRTP mandatory, SDES
 * refused" is VOX_SDP_POLICY_MANDATORY with key_methods VOX_SDP_KEY_ZRTP.
 * The third method, none (clear RTP), is what the requirement allows:
 * under off and optional, never under mandatory. */
enum vox_sdp_policy {
	VOX_SDP_POLICY_OFF = 0,  /* never offers keys; answers SRTP-only offers with 488 */
	VOX_SDP_POLICY_OPTIONAL, /* offers RTP/AVP with a=crypto, accepts clear */
	VOX_SDP_POLICY_MANDATORY /* offers RTP/SAVP; never agrees to clear media */
};

/* Key methods: bits of vox_sdp_local.key_methods (0: none allowed). */
enum {
	/* RFC 4568 a=crypto: the SRTP keys travel in the SDP, hop by hop */
	VOX_SDP_KEY_SDES = 1,
	/* RFC 6189: keys agreed in the media path, announced by a=zrtp-hash.
	 * ZRTP keeps the RTP/AVP profile (RFC 6189 8: the profile stays that
	 * of best-effort media, since SRTP starts only after the exchange);
	 * next to SDES under mandatory the SDES profile, RTP/SAVP, is used.
	 * With ZRTP allowed (and built: VOX_WITH_ZRTP and VOX_WITH_SRTP) an
	 * answer or offer without a=crypto is no clear call: the media engine
	 * runs ZRTP and, under mandatory, sends no media before its keys. A
	 * build without ZRTP refuses "ZRTP mandatory, SDES refused" by name. */
	VOX_SDP_KEY_ZRTP = 2
};

/* The codecs vox's media path runs. */
enum vox_sdp_codec {
	VOX_SDP_CODEC_PCMU = 0,      /* G.711 mu-law, static payload type 0 */
	VOX_SDP_CODEC_PCMA = 1,      /* G.711 A-law, static payload type 8 */
	VOX_SDP_CODEC_TEL_EVENT = 2, /* RFC 4733 telephone-event/8000, dynamic */
	VOX_SDP_CODEC_COUNT
};

/* What this endpoint can do and wants: the input of every offer/answer
 * call. The slices are read during the call only. */
struct vox_sdp_local {
	struct vox_slice username; /* o= username; "-" when empty */
	struct vox_slice addr;     /* our media address, written in o= and c= */
	int ip6;                   /* addr is IPv6 */
	uint16_t port;             /* our RTP port (RTCP on port + 1 without rtcp-mux) */
	int rtcp_mux;              /* offer and accept RFC 5761 multiplexing */
	uint8_t n_codecs;
	enum vox_sdp_codec codecs[VOX_SDP_CODEC_COUNT]; /* in our order of preference */
	uint8_t tel_event_pt;       /* payload type we offer for telephone-event; 0: 101 */
	uint32_t ptime;             /* ms for a=ptime; 0: none */
	enum vox_sdp_dir dir;       /* what we want: SENDRECV, SENDONLY to hold, INACTIVE */
	enum vox_sdp_policy policy; /* the requirement: off, optional, mandatory */
	unsigned key_methods;       /* VOX_SDP_KEY_SDES | VOX_SDP_KEY_ZRTP: the methods
	                               allowed; without SDES no a=crypto is offered or
	                               taken, without ZRTP no a=zrtp-hash */
	/* SRTP suites we may use, strongest first (the offer lists them in this
	 * order). The caller passes only what the installed libsrtp2 runs
	 * (vox_srtp_suite_available()), and none at all when the hop that
	 * carries the SDP is not TLS and the user has not opted out by name
	 * (docs/architecture.md, Security defaults: SDES keys never travel in
 * clear). */
	uint8_t n_suites;
	enum vox_srtp_suite suites[VOX_SRTP_SUITE_COUNT];
	/* 64 hex digits for a=zrtp-hash:1.10 (RFC 6189 8.1), the hash of our
	 * ZRTP Hello, written into offers and accepted answers when
	 * key_methods has VOX_SDP_KEY_ZRTP; empty for none. zrtp/ (a later
	 * issue) fills it. */
	struct vox_slice zrtp_hash;
};

/* Fills *local with vox's defaults: PCMU, PCMA, telephone-event/8000 on
 * 101, ptime 20, rtcp-mux, sendrecv, policy optional with SDES as the key
 * method, no suites, and the
 * given address and port. Cannot fail. local->addr is the caller's slice,
 * not a copy: keep addr's memory alive while *local is used. */
void vox_sdp_local_init(struct vox_sdp_local *local, struct vox_slice addr, uint16_t port);

/* How a stream is protected. */
enum vox_sdp_prot {
	VOX_SDP_PROT_NONE = 0, /* clear RTP */
	VOX_SDP_PROT_SDES      /* SRTP with keys from a=crypto: hop-by-hop, as safe as the
	                          signalling path (docs/sdp.md) */
};

/* One negotiated payload type. */
struct vox_sdp_pt {
	uint8_t pt;
	enum vox_sdp_codec codec;
};

/* The result of an offer/answer exchange: one audio stream, ready for rtp/
 * and srtp_glue/. Everything is copied; nothing points into a buffer. */
struct vox_sdp_session {
	uint8_t mline; /* index of the audio m= line in offer and answer */
	uint8_t n_pts; /* common payload types, in the offerer's order */
	struct vox_sdp_pt pts[VOX_SDP_CODEC_COUNT];
	int send_pt;           /* audio payload type to send (the first common codec) */
	int tel_event_pt;      /* -1 when telephone-event was not agreed */
	uint32_t remote_ptime; /* ms from the peer's a=ptime, 0 when absent */
	/* The peer's unicast address: an IP literal of the family remote_ip6
	 * says, or a host name to resolve in that family (RFC 8866 5.7). */
	char remote_addr[VOX_SDP_MAX_ADDR + 1]; /* NUL-terminated copy */
	int remote_ip6;
	uint16_t remote_rtp_port;
	char remote_rtcp_addr[VOX_SDP_MAX_ADDR + 1]; /* a=rtcp's address, else remote_addr */
	int remote_rtcp_ip6;       /* a=rtcp may name the other family (RFC 3605 2.1) */
	uint16_t remote_rtcp_port; /* a=rtcp (RFC 3605), else RTP port + 1, 0 if none */
	/* The same two as transport addresses, for the media engine: family 4
	 * or 6 with the port, or family 0 when the text is a host name (it
	 * must be resolved first). */
	struct vox_addr remote_rtp;
	struct vox_addr remote_rtcp;
	int rtcp_mux;
	enum vox_sdp_dir dir;   /* ours: SENDONLY means we send and do not receive */
	int remote_legacy_hold; /* the peer's c= was 0.0.0.0 (RFC 3264 8.4) */
	enum vox_sdp_prot prot;
	int best_effort; /* SRTP agreed inside RTP/AVP rather than RTP/SAVP */
	uint32_t crypto_tag;
	struct vox_srtp_key tx; /* protects what we send */
	uint8_t n_rx;           /* the peer's keys: several only with an MKI each */
	struct vox_srtp_key rx[VOX_SDP_MAX_KEYS];
	uint32_t rx_window;           /* the peer's WSH hint (RFC 4568 6.3.7), 0 when absent */
	int has_remote_zrtp_hash;     /* the peer sent a=zrtp-hash (RFC 6189 8.1) */
	uint8_t remote_zrtp_hash[32]; /* its SHA-256, for zrtp/ to check the Hello against */
};

/* Why an offer/answer call failed, for the UA and for a person. */
struct vox_sdp_fail {
	int sip_status;     /* the response a UA sends: 488, 400 or 500 */
	const char *reason; /* static string */
	int mline;          /* the m= line concerned, -1 for the whole description */
};

/*
 * Checks settings as a configuration, when they are made (a UA's setup,
 * `vox sdp`), so that one that cannot work is refused with its cause
 * rather than met later as a 488 or 500 on a call. Refused:
 *   VOX_EINVAL   what no description can be built from: no audio codec or
 *                an unknown one; an address that is not a unicast address
 *                or host name of its family (ip6); a bad o= username,
 *                zrtp_hash, direction or policy; a key method vox does
 *                not know; a telephone-event payload type outside 96..127
 *                (0 means 101); port 0; port 65535 without rtcp_mux; an
 *                unknown SRTP suite in the list;
 *   VOX_EPOLICY  policy mandatory and no key method that can make a call:
 *                SDES allowed but no SRTP suite (or a build without SDES),
 *                no key method at all, or ZRTP alone in a build without
 *                ZRTP ("this build has no ZRTP"): no call could ever be made.
 * Returns 0 or one of those; why (may be NULL) gets the reason, a static
 * string, and sip_status 500. vox_sdp_oa_offer and vox_sdp_oa_answer make
 * the VOX_EINVAL checks on every call too; an empty suite list there is
 * normal (SDES not allowed over the hop) and fails only what needs keys.
 */
VOX_MUST_CHECK int vox_sdp_local_check(const struct vox_sdp_local *local, struct vox_sdp_fail *why);

/* Offer/answer state of one dialog, owned by the caller. It remembers our
 * o= line, the last description we sent (RFC 3264 8: the version grows
 * only when the description changes) and our keys, so that a refresh
 * re-INVITE keeps them. */
struct vox_sdp_oa {
	uint64_t sess_id;
	uint64_t version;
	int sent;          /* a description went out with this state */
	int offer_pending; /* we sent an offer and wait for the answer */
	enum vox_sdp_policy offered_policy;
	uint8_t offered_savp; /* our offer was RTP/SAVP (SDES keys, policy mandatory) */
	size_t last_len;      /* the last description we sent, without its version: */
	uint64_t last_hash;   /* its length and hash */
	uint8_t n_offered;
	struct {
		uint32_t tag;
		struct vox_srtp_key key;
	} offered[VOX_SRTP_SUITE_COUNT]; /* our keys per crypto line of our offers */
	int answered_valid;
	uint8_t answered_mline;
	uint32_t answered_tag;
	struct vox_srtp_key answered;      /* our key in our last answer */
	struct vox_srtp_key answered_peer; /* the offerer's key it answered */
};

/* Starts the state of a dialog. sess_id goes into o= (RFC 8866 5.2
 * suggests an NTP timestamp); the first description carries it as its
 * version too. Cannot fail. */
void vox_sdp_oa_init(struct vox_sdp_oa *oa, uint64_t sess_id);
/* Wipes the whole state, keys included. NULL is fine, and so is a second
 * call. */
void vox_sdp_oa_free(struct vox_sdp_oa *oa);
/* Forgets (wipes) our keys, so that the next description carries fresh
 * ones. NULL is fine. */
void vox_sdp_oa_rekey(struct vox_sdp_oa *oa);

/* Builds an offer for one audio stream into buf: RTP/AVP under policy off,
 * RTP/AVP with a=crypto lines (best-effort SRTP) under optional, RTP/SAVP
 * under mandatory; one a=crypto line per local suite, strongest first, with
 * fresh keys from rng (kept in oa and reused by later offers). Returns the
 * length, or VOX_EPOLICY (mandatory without any usable suite, as
 * vox_sdp_local_check says), VOX_EINVAL (an argument NULL, or settings
 * vox_sdp_local_check refuses as VOX_EINVAL), VOX_ENOSPC, VOX_ETOOLONG (above VOX_SDP_MAX_BUILD), VOX_ERANGE
 * (o= version exhausted), VOX_ERNG. why (may be NULL) says why in words (a
 * static string) and which SIP status fits. On an error *oa is unchanged.
 * buf gets no NUL. */
VOX_MUST_CHECK int vox_sdp_oa_offer(struct vox_sdp_oa *oa, const struct vox_sdp_local *local,
                                    const struct vox_rng *rng, char *buf, size_t cap,
                                    struct vox_sdp_fail *why);

/* Answers a parsed offer into buf and fills *out. One m= line per offered
 * one, in order (RFC 3264 6); the first audio stream vox can run (the one
 * that gets SRTP, if the policy wants it) is accepted, the others get port
 * 0. Codecs: the common ones in the offerer's order. Direction: the
 * complement of the offer's, limited by local->dir; c=0.0.0.0 counts as the
 * offerer not receiving. SRTP: the first usable a=crypto line is answered
 * with its tag and our own fresh key. Returns the length, or
 * VOX_EPOLICY (policy mandatory and the offer has no usable a=crypto, or
 * policy off and the offer is RTP/SAVP only: 488), VOX_EUNSUPPORTED (no
 * audio stream with a common codec: 488), VOX_ELIMIT (the peer's address
 * is longer than VOX_SDP_MAX_ADDR: 488), VOX_EMALFORMED or VOX_EINVAL (the
 * chosen line's key does not decode: 488), VOX_EINVAL (as for
 * vox_sdp_oa_offer), VOX_ENOSPC, VOX_ETOOLONG, VOX_ERANGE, VOX_ERNG.
 * *out is valid only on success and holds no key after an error; *oa is
 * unchanged on an error. offer is read during the call only. */
VOX_MUST_CHECK int vox_sdp_oa_answer(struct vox_sdp_oa *oa, const struct vox_sdp_local *local,
                                     const struct vox_sdp *offer, const struct vox_rng *rng,
                                     char *buf, size_t cap, struct vox_sdp_session *out,
                                     struct vox_sdp_fail *why);

/* Takes the parsed answer to our last offer and fills *out. Returns 0, or
 * VOX_ESTATE (no offer pending), VOX_EMALFORMED (the answer does not fit
 * the offer: other m= count, unknown crypto tag or suite, payload type we
 * did not offer), VOX_EUNSUPPORTED (audio rejected or no common codec),
 * VOX_EPOLICY (mandatory and the answer is clear, or the answer's
 * a=crypto line is unusable to vox), VOX_ELIMIT (the peer's address is
 * longer than VOX_SDP_MAX_ADDR), VOX_EINVAL (an argument NULL, or the
 * peer's key does not decode; VOX_EMALFORMED for that too). On an error
 * the offer stays pending and *out holds no key. */
VOX_MUST_CHECK int vox_sdp_oa_recv_answer(struct vox_sdp_oa *oa, const struct vox_sdp_local *local,
                                          const struct vox_sdp *answer, struct vox_sdp_session *out,
                                          struct vox_sdp_fail *why);

/* Wipes the keys in a negotiated session. NULL is fine. */
void vox_sdp_session_free(struct vox_sdp_session *s);

/* Names for the CLI and logs: static strings, "?" outside the enum. */
const char *vox_sdp_policy_name(enum vox_sdp_policy p);
const char *vox_sdp_prot_name(enum vox_sdp_prot p);
const char *vox_sdp_codec_name(enum vox_sdp_codec c);

#ifdef __cplusplus
}
#endif

#endif /* VOX_SDP_H */
