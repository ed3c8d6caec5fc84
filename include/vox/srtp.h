/* SPDX-License-Identifier: MIT */
/*
 * vox/srtp.h: SRTP and SRTCP (RFC 3711, RFC 6188, RFC 7714) sessions built
 * from a struct vox_srtp_key as SDES (RFC 4568) or ZRTP hand it over. The
 * cipher work is libsrtp2's; this seam adds (docs/architecture.md, Layers):
 *  - const input and a separate output buffer: capacity in, length out,
 *    VOX_ENOSPC when the output is too small;
 *  - header checks before libsrtp2 sees a byte;
 *  - the MKI (RFC 3711 3.1) written and checked here, for every suite (the
 *    libsrtp2 2.5.0 of Debian 12 looks for an SRTCP MKI in the wrong place
 *    when the SRTP and SRTCP tags differ in length, as in the _32 suites;
 *    fixed upstream in 2.7.0 by commit 63a19f4);
 *  - the key lifetime (RFC 4568 6.1) counted here: a soft-limit event so
 *    that signalling can re-key in time, then the session stops with an
 *    event before the key protects one packet too many;
 *  - every libsrtp2 status mapped to a vox error;
 *  - no allocation per packet in vox (libsrtp2 allocates in
 *    vox_srtp_session_start; a receiving session opened for any SSRC
 *    allocates once per new SSRC that authenticates, at most
 *    VOX_SRTP_MAX_SSRC times). Note that Debian's libsrtp2 is built on NSS,
 *    whose AES-CM code creates an NSS cipher context for every packet
 *    (aes_icm_nss.c, set_iv) and whose GCM calls PK11_Encrypt: that
 *    allocation happens inside libsrtp2 and the glue cannot avoid it; a
 *    libsrtp2 built with its own AES or with OpenSSL does not do it.
 *
 * libsrtp2 global state: libsrtp2 keeps one crypto kernel per process,
 * which srtp_init() sets up. vox keeps no state of its own about it (no
 * mutable static data anywhere in the library): the application calls
 * vox_srtp_global_init() once at start-up, from one thread, before any
 * session starts, and vox_srtp_global_shutdown() at exit if that call
 * returned 0. Sessions themselves share nothing: two sessions in two
 * threads are independent, one session is used by one thread at a time.
 *
 * Output buffers must be 4-byte aligned (libsrtp2 reads headers as 32-bit
 * words); an unaligned one gets VOX_EINVAL.
 *
 * Cost: starting a session creates libsrtp2 cipher contexts; with Debian
 * 12's libsrtp2 (NSS backend) that takes about 5 ms. Start sessions when a
 * call is set up, never per packet.
 */
#ifndef VOX_SRTP_H
#define VOX_SRTP_H

#include "vox/base.h"
#include "vox/suite.h"

#ifdef __cplusplus
extern "C" {
#endif

/* With VOX_WITH_SRTP = 0 (vox/config.h) srtp_glue/ is not built and this
 * header declares nothing: code that protects media must be compiled out
 * with it, so a call of these functions fails at compile time, not at run
 * time. */
#if VOX_WITH_SRTP

/* Bytes SRTP adds at most to an RTP packet (tag and MKI) and SRTCP to an
 * RTCP packet (E flag and index, tag and MKI). */
#define VOX_SRTP_MAX_OVERHEAD  (16 + VOX_SRTP_MAX_MKI)
#define VOX_SRTCP_MAX_OVERHEAD (4 + 16 + VOX_SRTP_MAX_MKI)

/* Largest packet index a master key may protect: 2^48 SRTP, 2^31 SRTCP
 * packets (RFC 3711 9.2). */
#define VOX_SRTP_MAX_LIFETIME  ((uint64_t)1 << 48)
#define VOX_SRTCP_MAX_LIFETIME ((uint64_t)1 << 31)

enum vox_srtp_dir { VOX_SRTP_SEND = 1, VOX_SRTP_RECV = 2 };

/* Flags for vox_srtp_session_start. */
#define VOX_SRTP_ANY_SSRC 1u /* receive: accept any SSRC (learn them) */

enum vox_srtp_event_type {
	VOX_SRTP_EV_KEY_SOFT_LIMIT = 1, /* VOX_SRTP_SOFT_LIMIT_PERCENT of the lifetime used */
	VOX_SRTP_EV_KEY_EXPIRED,        /* lifetime used up: the session stopped */
	VOX_SRTP_EV_NEW_SSRC            /* an any-SSRC session learned an SSRC */
};

struct vox_srtp_event {
	enum vox_srtp_event_type type;
	uint32_t ssrc;     /* NEW_SSRC; for key events the packet's SSRC */
	uint8_t rtcp;      /* key events: 1 if SRTCP packets ran out */
	uint64_t used;     /* key events: packets protected or accepted so far */
	uint64_t lifetime; /* key events: the limit */
};

struct vox_srtp_stats {
	uint64_t rtp_ok, rtcp_ok; /* protected, or unprotected and accepted */
	uint64_t auth_fail;       /* VOX_EAUTH */
	uint64_t replay;          /* VOX_EREPLAY */
	uint64_t too_old;         /* VOX_ETOOOLD */
	uint64_t bad_mki;         /* MKI names no key of the session */
	uint64_t malformed;       /* header or length check failed */
	uint64_t other;           /* any other error */
	uint64_t ev_dropped;      /* events lost to a full queue (the oldest goes) */
};

/* A session for one direction and one master key. Complete type: put it
 * where you like; vox_srtp_session_init() before anything else. */
struct vox_srtp_session {
	void *ctx; /* libsrtp2's srtp_t, allocated by start, freed by free */
	enum vox_srtp_dir dir;
	enum vox_srtp_suite suite;
	uint8_t tag_len, rtcp_tag_len; /* bytes */
	uint8_t aead;                  /* GCM: the MKI follows the tag */
	uint8_t mki_len;
	uint8_t mki[VOX_SRTP_MAX_MKI];
	uint8_t any_ssrc;
	uint32_t ssrc;                     /* the one SSRC, unless any_ssrc */
	uint32_t ssrcs[VOX_SRTP_MAX_SSRC]; /* learned (any_ssrc) */
	uint8_t n_ssrc;
	uint64_t lifetime_rtp, lifetime_rtcp; /* packets the key may protect */
	uint64_t soft_rtp, soft_rtcp;         /* where the soft event fires */
	uint64_t used_rtp, used_rtcp;
	uint8_t soft_sent;
	uint8_t expired;
	struct vox_srtp_event ev[4];
	unsigned ev_head, ev_len;
	struct vox_srtp_stats st;
};

/* Sets up libsrtp2's process-wide crypto kernel (srtp_init). Call once at
 * start-up, from one thread, before vox_srtp_session_start or
 * vox_srtp_suite_available. Returns 0 when this call initialised libsrtp2
 * (call vox_srtp_global_shutdown at exit), 1 when libsrtp2 was already
 * initialised, by an earlier call or by another part of the program, and
 * works (not ours to shut down), or VOX_ECRYPTO when it cannot be used. */
VOX_MUST_CHECK int vox_srtp_global_init(void);
/* srtp_shutdown(): only after vox_srtp_global_init returned 0, once every
 * session is freed. */
void vox_srtp_global_shutdown(void);

/* Clears *s. Cannot fail. The struct is the caller's; only its ctx points
 * at memory libsrtp2 owns (from start to free). */
void vox_srtp_session_init(struct vox_srtp_session *s);
/* Sets up the session for dir with key (suite, master key and salt, MKI,
 * lifetime: 0 means the suite's maximum, larger values are cut to it).
 * ssrc is our SSRC for VOX_SRTP_SEND and the peer's for VOX_SRTP_RECV, or
 * ignored with VOX_SRTP_ANY_SSRC (receive only). The key is copied into
 * libsrtp2; the caller wipes its own copy when done. Replay protection is
 * on for receiving (window VOX_SRTP_REPLAY_WINDOW) and a sender refuses to
 * protect one sequence number twice. key is read during the call only.
 * Returns 0, or
 *   VOX_EINVAL       key NULL; bad direction, suite, MKI length or flags
 *   VOX_EUNSUPPORTED the installed libsrtp2 cannot run this suite, or was
 *                    not initialised (vox_srtp_global_init)
 *   VOX_ESTATE       the session was started already (free it first)
 *   VOX_ECRYPTO / VOX_EPOOL  libsrtp2 failed or could not allocate
 * On an error *s is left as it was. */
VOX_MUST_CHECK int vox_srtp_session_start(struct vox_srtp_session *s, enum vox_srtp_dir dir,
                                          const struct vox_srtp_key *key, uint32_t ssrc,
                                          unsigned flags);
/* RTP in[0..len) to SRTP in out (cap bytes; in and out may be the same
 * buffer). Returns the SRTP length (len + tag + MKI), or
 *   VOX_ENOSPC       cap < len + tag + MKI
 *   VOX_EMALFORMED   not an RTP packet (version, CSRC or extension overrun)
 *   VOX_ENOTFOUND    SSRC is not the session's
 *   VOX_EREPLAY      this sequence number was protected already
 *   VOX_EKEYEXPIRED  the key's lifetime is used up
 *   VOX_ESTATE       not a sending session; VOX_EINVAL: out unaligned
 *   VOX_ETOOLONG     len + tag + MKI over INT_MAX (libsrtp2 counts in int)
 *   VOX_ETOOOLD, VOX_ECRYPTO  libsrtp2 refused: a sequence number far
 *                    behind the ones sent, or a cipher failure (any other
 *                    libsrtp2 status maps as vox_srtp_map_status says)
 * On error out holds nothing useful. The packet counts against the key's
 * lifetime only on success. */
VOX_MUST_CHECK int vox_srtp_session_protect(struct vox_srtp_session *s, const uint8_t *in,
                                            size_t len, uint8_t *out, size_t cap);
/* SRTP in[0..len) to RTP in out (cap >= len; in and out may be the same
 * buffer). Returns the RTP length, or
 *   VOX_EAUTH        authentication tag wrong (tampered, or another key)
 *   VOX_EREPLAY      seen before; VOX_ETOOOLD: behind the replay window
 *   VOX_ENOTFOUND    MKI or SSRC names no key of this session
 *   VOX_ELIMIT       a new SSRC, and VOX_SRTP_MAX_SSRC are learned already
 *   VOX_EMALFORMED   too short for header, tag and MKI, or a bad header
 *   VOX_EKEYEXPIRED, VOX_ENOSPC, VOX_ESTATE, VOX_EINVAL as above
 *   VOX_ETOOLONG     len over INT_MAX; VOX_ECRYPTO: another libsrtp2 failure
 * On error out holds nothing useful; errors are counted in s->st. */
VOX_MUST_CHECK int vox_srtp_session_unprotect(struct vox_srtp_session *s, const uint8_t *in,
                                              size_t len, uint8_t *out, size_t cap);
/* The same for RTCP compounds (RFC 3711 3.4): SRTCP adds the E flag and
 * 31-bit index, the MKI and the tag (80 bits for the _32 suites too). */
VOX_MUST_CHECK int vox_srtp_session_protect_rtcp(struct vox_srtp_session *s, const uint8_t *in,
                                                 size_t len, uint8_t *out, size_t cap);
VOX_MUST_CHECK int vox_srtp_session_unprotect_rtcp(struct vox_srtp_session *s, const uint8_t *in,
                                                   size_t len, uint8_t *out, size_t cap);
/* Next queued event: 1 and *ev, or 0. Four events wait at most; a fifth
 * drops the oldest, counted in st.ev_dropped. */
int vox_srtp_session_next_event(struct vox_srtp_session *s, struct vox_srtp_event *ev);
/* Releases libsrtp2's context (which zeroes its key schedule) and wipes the
 * whole struct. NULL and a second call are fine. */
void vox_srtp_session_free(struct vox_srtp_session *s);

/* The ROC (RFC 3711 3.3.1) of an SSRC's stream, for tests and for telling a
 * peer that joins late. Returns 0, or VOX_ENOTFOUND (session not started,
 * or no stream for that SSRC). */
VOX_MUST_CHECK int vox_srtp_session_roc(const struct vox_srtp_session *s, uint32_t ssrc,
                                        uint32_t *roc);

#endif /* VOX_WITH_SRTP */

#ifdef __cplusplus
}
#endif

#endif /* VOX_SRTP_H */
