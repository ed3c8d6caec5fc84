/* SPDX-License-Identifier: MIT */
/*
 * vox/zrtp.h: ZRTP (RFC 6189), media path key agreement between the two
 * endpoints themselves. This part: the packets of section 5, parsed and
 * built without copying, and the CRC-32c that ends each of them.
 *
 * Conventions (besides those of vox/base.h):
 *  - Packet bytes are uint8_t. A parsed packet points into the caller's
 *    buffer (hash images, ZIDs, public values, MACs, encrypted parts): it
 *    is valid exactly as long as that buffer.
 *  - Algorithm names are the 4-character blocks of RFC 6189 5.1.2-5.1.6
 *    held as one uint32_t, first character in the high byte
 *    (VOX_ZRTP_ALG('S','2','5','6')), so they compare with ==.
 *  - Nothing here allocates, reads a clock or does I/O.
 *
 * With VOX_WITH_ZRTP = 0 (vox/config.h) zrtp/ compiles to nothing and this
 * header declares nothing.
 */
#ifndef VOX_ZRTP_H
#define VOX_ZRTP_H

#include "vox/base.h"

#if VOX_WITH_ZRTP

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================================
 * Wire constants (RFC 6189 5)
 * ====================================================================== */

#define VOX_ZRTP_HDR_LEN       12         /* 0x10 0x00, sequence, magic cookie, SSRC */
#define VOX_ZRTP_CRC_LEN       4          /* CRC-32c after the message */
#define VOX_ZRTP_MAGIC         0x5a525450 /* "ZRTP" (5.1) */
#define VOX_ZRTP_PREAMBLE      0x505a     /* "PZ", first 16 bits of every message */
#define VOX_ZRTP_ZID_LEN       12         /* ZRTP endpoint identifier (4.9) */
#define VOX_ZRTP_H_LEN         32         /* H0..H3 are 256 bits whatever the hash (9) */
#define VOX_ZRTP_MAC_LEN       8          /* the MAC of every message is 64 bits */
#define VOX_ZRTP_ID_LEN        8          /* rs1IDr, rs2IDr, auxsecretIDr, pbxsecretIDr */
#define VOX_ZRTP_IV_LEN        16         /* CFB initialisation vector of Confirm, SASrelay */
#define VOX_ZRTP_HVI_LEN       32         /* hvi is truncated to 256 bits (5.4.1.1) */
#define VOX_ZRTP_NONCE_LEN     16         /* Multistream and Preshared Commit nonce */
#define VOX_ZRTP_CLIENT_ID_LEN 16         /* Hello's Client Identifier */
/* RFC 6189 5.2: a Hello lists at most seven algorithms of each type
 * (bzrtp and GNU ZRTP both refuse a Hello with eight). */
#define VOX_ZRTP_MAX_ALGS 7
/* Longest message body a length field can state: 65535 words. */
#define VOX_ZRTP_MAX_MSG (65535u * 4u)

/* A 4-character algorithm name (5.1.2-5.1.6) as one number. */
#define VOX_ZRTP_ALG(a, b, c, d)                                                                   \
	((uint32_t)(uint8_t)(a) << 24 | (uint32_t)(uint8_t)(b) << 16 |                             \
	 (uint32_t)(uint8_t)(c) << 8 | (uint32_t)(uint8_t)(d))

/* hash (5.1.2) */
#define VOX_ZRTP_S256 VOX_ZRTP_ALG('S', '2', '5', '6')
#define VOX_ZRTP_S384 VOX_ZRTP_ALG('S', '3', '8', '4')
/* cipher (5.1.3): AES1 = AES-128, AES3 = AES-256, both in CFB mode */
#define VOX_ZRTP_AES1 VOX_ZRTP_ALG('A', 'E', 'S', '1')
#define VOX_ZRTP_AES3 VOX_ZRTP_ALG('A', 'E', 'S', '3')
/* SRTP authentication tag (5.1.4) */
#define VOX_ZRTP_HS32 VOX_ZRTP_ALG('H', 'S', '3', '2')
#define VOX_ZRTP_HS80 VOX_ZRTP_ALG('H', 'S', '8', '0')
/* key agreement (5.1.5); Curve25519 is "X255" in bzrtp and "E255" in GNU
 * ZRTP, one and the same exchange */
#define VOX_ZRTP_DH3K VOX_ZRTP_ALG('D', 'H', '3', 'k')
#define VOX_ZRTP_DH2K VOX_ZRTP_ALG('D', 'H', '2', 'k')
#define VOX_ZRTP_EC25 VOX_ZRTP_ALG('E', 'C', '2', '5')
#define VOX_ZRTP_EC38 VOX_ZRTP_ALG('E', 'C', '3', '8')
#define VOX_ZRTP_X255 VOX_ZRTP_ALG('X', '2', '5', '5')
#define VOX_ZRTP_E255 VOX_ZRTP_ALG('E', '2', '5', '5')
#define VOX_ZRTP_X448 VOX_ZRTP_ALG('X', '4', '4', '8')
#define VOX_ZRTP_MULT VOX_ZRTP_ALG('M', 'u', 'l', 't')
#define VOX_ZRTP_PRSH VOX_ZRTP_ALG('P', 'r', 's', 'h')
/* SAS rendering (5.1.6) */
#define VOX_ZRTP_B32  VOX_ZRTP_ALG('B', '3', '2', ' ')
#define VOX_ZRTP_B256 VOX_ZRTP_ALG('B', '2', '5', '6')

/* The five algorithm types of a Hello, in the order they appear there. */
enum vox_zrtp_alg_type {
	VOX_ZRTP_T_HASH = 0,
	VOX_ZRTP_T_CIPHER,
	VOX_ZRTP_T_AUTH,
	VOX_ZRTP_T_KEYAGR,
	VOX_ZRTP_T_SAS,
	VOX_ZRTP_T_COUNT
};

/* Message types (5.1.1), by their type block. */
enum vox_zrtp_msg {
	VOX_ZRTP_HELLO = 1, /* "Hello   " */
	VOX_ZRTP_HELLOACK,  /* "HelloACK" */
	VOX_ZRTP_COMMIT,    /* "Commit  " */
	VOX_ZRTP_DHPART1,   /* "DHPart1 " */
	VOX_ZRTP_DHPART2,   /* "DHPart2 " */
	VOX_ZRTP_CONFIRM1,  /* "Confirm1" */
	VOX_ZRTP_CONFIRM2,  /* "Confirm2" */
	VOX_ZRTP_CONF2ACK,  /* "Conf2ACK" */
	VOX_ZRTP_ERROR,     /* "Error   " */
	VOX_ZRTP_ERRORACK,  /* "ErrorACK" */
	VOX_ZRTP_GOCLEAR,   /* "GoClear " */
	VOX_ZRTP_CLEARACK,  /* "ClearACK" */
	VOX_ZRTP_SASRELAY,  /* "SASrelay" */
	VOX_ZRTP_RELAYACK,  /* "RelayACK" */
	VOX_ZRTP_PING,      /* "Ping    " */
	VOX_ZRTP_PINGACK    /* "PingACK " */
};

/* Error codes of the Error message (5.9). */
enum vox_zrtp_error {
	VOX_ZRTP_ERR_MALFORMED = 0x10,       /* malformed packet (CRC OK, wrong structure) */
	VOX_ZRTP_ERR_SOFTWARE = 0x20,        /* critical software error */
	VOX_ZRTP_ERR_VERSION = 0x30,         /* unsupported ZRTP version */
	VOX_ZRTP_ERR_HELLO_MISMATCH = 0x40,  /* Hello components mismatch */
	VOX_ZRTP_ERR_HASH = 0x51,            /* hash type not supported */
	VOX_ZRTP_ERR_CIPHER = 0x52,          /* cipher type not supported */
	VOX_ZRTP_ERR_KEYAGR = 0x53,          /* public key exchange not supported */
	VOX_ZRTP_ERR_AUTH = 0x54,            /* SRTP auth tag not supported */
	VOX_ZRTP_ERR_SAS = 0x55,             /* SAS rendering scheme not supported */
	VOX_ZRTP_ERR_NO_SECRET = 0x56,       /* no shared secret available, DH mode required */
	VOX_ZRTP_ERR_DH_BAD_PV = 0x61,       /* DH error: bad pvi or pvr (== 1, 0, or p-1) */
	VOX_ZRTP_ERR_DH_HVI = 0x62,          /* DH error: hvi != hashed data */
	VOX_ZRTP_ERR_UNTRUSTED_MITM = 0x63,  /* relayed SAS from an untrusted MiTM */
	VOX_ZRTP_ERR_CONFIRM_MAC = 0x70,     /* auth error: bad Confirm packet MAC */
	VOX_ZRTP_ERR_NONCE_REUSE = 0x80,     /* nonce reuse */
	VOX_ZRTP_ERR_EQUAL_ZID = 0x90,       /* equal ZIDs in Hello */
	VOX_ZRTP_ERR_SSRC_COLLISION = 0x91,  /* SSRC collision */
	VOX_ZRTP_ERR_UNAVAILABLE = 0xA0,     /* service unavailable */
	VOX_ZRTP_ERR_TIMEOUT = 0xB0,         /* protocol timeout error */
	VOX_ZRTP_ERR_GOCLEAR_REFUSED = 0x100 /* GoClear received but not allowed */
};

/* A short static description of an Error code ("bad Confirm packet
 * MAC"), "unknown error code" for others. Never NULL. */
const char *vox_zrtp_error_name(uint32_t code);
/* The 8-character type block of a message type ("Hello   "), or NULL for
 * a value outside the enum. Not NUL-terminated after 8: read 8 bytes. */
const char *vox_zrtp_msg_block(enum vox_zrtp_msg type);

/* ======================================================================
 * Messages (5.2-5.16). Pointers name fixed-size fields (their length is
 * the constant above) inside the packet; for printing they name the
 * caller's bytes, and a NULL MAC prints as zeros (to be filled in with
 * vox_zrtp_seal once the MAC key is known).
 * ====================================================================== */

/* Hello (5.2). */
struct vox_zrtp_hello {
	const uint8_t *version;      /* 4 bytes, "1.10" */
	const uint8_t *client_id;    /* 16 bytes */
	const uint8_t *h3;           /* 32 bytes */
	const uint8_t *zid;          /* 12 bytes */
	uint8_t sigcap;              /* S: can parse signatures */
	uint8_t mitm;                /* M: sender is a trusted MitM (a PBX) */
	uint8_t passive;             /* P: passive endpoint, never initiates */
	uint8_t n[VOX_ZRTP_T_COUNT]; /* hc, cc, ac, kc, sc: 0..7 */
	uint32_t alg[VOX_ZRTP_T_COUNT][VOX_ZRTP_MAX_ALGS]; /* in the sender's order */
	const uint8_t *mac;                                /* 8 bytes */
};

enum vox_zrtp_mode { VOX_ZRTP_MODE_DH = 0, VOX_ZRTP_MODE_MULTI, VOX_ZRTP_MODE_PRESHARED };

/* Commit (5.4). The mode follows from keyagr: "Mult" is Multistream,
 * "Prsh" Preshared, any other DH. */
struct vox_zrtp_commit {
	const uint8_t *h2;              /* 32 bytes */
	const uint8_t *zid;             /* 12 bytes */
	uint32_t alg[VOX_ZRTP_T_COUNT]; /* hash, cipher, auth tag, key agreement, SAS */
	enum vox_zrtp_mode mode;        /* derived from alg[VOX_ZRTP_T_KEYAGR] */
	const uint8_t *hvi;             /* 32 bytes, DH mode */
	const uint8_t *nonce;           /* 16 bytes, Multistream and Preshared */
	const uint8_t *key_id;          /* 8 bytes, Preshared */
	const uint8_t *mac;             /* 8 bytes */
};

/* DHPart1 (5.5) and DHPart2 (5.6). The parser cannot know which key
 * agreement is in use: pv is whatever lies between the IDs and the MAC
 * (a multiple of 4 bytes); the state machine checks its length. */
struct vox_zrtp_dhpart {
	const uint8_t *h1;              /* 32 bytes */
	const uint8_t *rs1_id, *rs2_id; /* 8 bytes each */
	const uint8_t *aux_id, *pbx_id; /* 8 bytes each */
	const uint8_t *pv;
	size_t pv_len;
	const uint8_t *mac; /* 8 bytes */
};

/* Confirm1 and Confirm2 (5.7), and SASrelay (5.13): a MAC, an IV and an
 * encrypted part that only the keys of the exchange open. */
struct vox_zrtp_sealed {
	const uint8_t *mac; /* 8 bytes: confirm_mac or the SASrelay MAC */
	const uint8_t *iv;  /* 16 bytes */
	const uint8_t *enc; /* a multiple of 4 bytes */
	size_t enc_len;
};

/* Ping (5.15) and PingACK (5.16). */
struct vox_zrtp_ping {
	const uint8_t *version;       /* 4 bytes */
	const uint8_t *endpoint_hash; /* 8 bytes: the sender's (PingACK: its own) */
	const uint8_t *received_hash; /* 8 bytes, PingACK only: the Ping's hash */
	uint32_t received_ssrc;       /* PingACK only: SSRC of the Ping */
};

/* One ZRTP packet (5.1 header, one message, the CRC). */
struct vox_zrtp_packet {
	uint16_t seq;
	uint32_t ssrc;
	enum vox_zrtp_msg type;
	/* Parsed only: the message from the preamble to the last byte before
	 * the CRC, what hashes and MACs are computed over. */
	const uint8_t *msg;
	size_t msg_len;
	union {
		struct vox_zrtp_hello hello;
		struct vox_zrtp_commit commit;
		struct vox_zrtp_dhpart dh;      /* DHPart1, DHPart2 */
		struct vox_zrtp_sealed confirm; /* Confirm1, Confirm2, SASrelay */
		uint32_t error_code;            /* Error */
		const uint8_t *clear_mac;       /* GoClear: 8 bytes */
		struct vox_zrtp_ping ping;      /* Ping, PingACK */
	} u;
};

/* The encrypted part of Confirm1 and Confirm2 (5.7), once decrypted. */
struct vox_zrtp_confirm_body {
	const uint8_t *h0;  /* 32 bytes: the sender's H0, which opens its chain */
	uint8_t e;          /* E: PBX enrollment */
	uint8_t v;          /* V: SAS verified */
	uint8_t a;          /* A: allow clear (GoClear) */
	uint8_t d;          /* D: disclosure */
	uint32_t expiry;    /* cache expiration interval in seconds; 0xffffffff: never */
	const uint8_t *sig; /* signature block (type and signature), sig_len bytes */
	size_t sig_len;     /* a multiple of 4, at most 511 words */
};

/* The encrypted part of SASrelay (5.13), once decrypted. */
struct vox_zrtp_relay_body {
	uint8_t v, a, d;         /* as in Confirm */
	uint32_t rendering;      /* SAS rendering scheme of the relayed SAS */
	const uint8_t *sas_hash; /* 32 bytes: the trusted MitM's sashash */
	const uint8_t *sig;
	size_t sig_len;
};

/* Decode and encode those parts. parse returns len, or VOX_EMALFORMED
 * (wrong length for the signature length it states, non-zero unused bits)
 * or VOX_ETOOLONG (len over INT32_MAX); pointers point into p. print
 * returns the length, VOX_ENOSPC or VOX_EINVAL (NULL h0 or sas_hash, a
 * flag above 1, a signature not a multiple of 4 or over 511 words). */
VOX_MUST_CHECK int vox_zrtp_confirm_body_parse(const uint8_t *p, size_t len,
                                               struct vox_zrtp_confirm_body *b,
                                               struct vox_diag *diag);
VOX_MUST_CHECK int vox_zrtp_confirm_body_print(const struct vox_zrtp_confirm_body *b, uint8_t *out,
                                               size_t cap);
VOX_MUST_CHECK int vox_zrtp_relay_body_parse(const uint8_t *p, size_t len,
                                             struct vox_zrtp_relay_body *b, struct vox_diag *diag);
VOX_MUST_CHECK int vox_zrtp_relay_body_print(const struct vox_zrtp_relay_body *b, uint8_t *out,
                                             size_t cap);

/* CRC-32c (RFC 4960 appendix B, the Castagnoli polynomial) of buf[0..len):
 * ZRTP's packet check (5.1). On the wire it follows the message least
 * significant byte first, as in SCTP. */
uint32_t vox_zrtp_crc32c(const uint8_t *buf, size_t len);

/* Parses one ZRTP packet buf[0..len) (one datagram, nothing after the
 * CRC). Checks, in this order: the header (first four bits 0001, magic
 * cookie), the CRC, the preamble, the length field against len, the type
 * block, and the message's own layout (fixed length, counts in a Hello).
 * Returns len, or
 *   VOX_EMALFORMED   not ZRTP, cut short, a length that disagrees, a
 *                    message laid out wrongly, a count over seven in a
 *                    Hello (5.2), a signature length past the message
 *   VOX_EAUTH        the CRC does not match (5.1: drop the packet silently)
 *   VOX_EUNSUPPORTED a type block that is no message of section 5
 *   VOX_ETOOLONG     len over INT32_MAX
 * diag (may be NULL) gets the offset and reason. *pkt is cleared first;
 * its pointers point into buf. */
VOX_MUST_CHECK int vox_zrtp_parse(const uint8_t *buf, size_t len, struct vox_zrtp_packet *pkt,
                                  struct vox_diag *diag);

/* Writes *pkt as a datagram: header, message, CRC. Returns the length, or
 * VOX_ENOSPC, or VOX_EINVAL (a type outside the enum, a NULL field the
 * message needs, a count over seven, a Commit whose mode disagrees with
 * its key agreement, a pv or encrypted part whose length is not a
 * multiple of 4 or does not fit the length field). */
VOX_MUST_CHECK int vox_zrtp_print(const struct vox_zrtp_packet *pkt, uint8_t *out, size_t cap);

/* Recomputes the CRC of the packet pkt[0..len) written by vox_zrtp_print,
 * after its MAC bytes have been filled in. Returns 0 or VOX_EINVAL
 * (len shorter than a header, a message and a CRC). */
VOX_MUST_CHECK int vox_zrtp_seal(uint8_t *pkt, size_t len);

/* ======================================================================
 * What an endpoint offers (5.1.2-5.1.6, 4.1.2)
 * ====================================================================== */

/* The algorithms of each type an endpoint lists in its Hello, in its
 * order of preference. */
struct vox_zrtp_algs {
	uint8_t n[VOX_ZRTP_T_COUNT];
	uint32_t alg[VOX_ZRTP_T_COUNT][VOX_ZRTP_MAX_ALGS];
};

/* vox's default offer: S384 S256 | AES3 AES1 | HS80 HS32 | X255 EC25 DH3k
 * DH2k EC38 X448 | B32 B256 (X448 only where mbedTLS runs it). Curve25519
 * is offered as "X255" (bzrtp's name); "E255" (GNU ZRTP's) is accepted. */
void vox_zrtp_algs_default(struct vox_zrtp_algs *a);

/* Checks an offer: at most seven of a type (5.2), every name one vox runs
 * (the types they are listed under, no repeats, X255 and E255 not both)
 * and the mandatory ones of 5.1 present: S256, AES1, HS32 and HS80, DH3k,
 * B32. Returns 0, VOX_ELIMIT (more than seven), VOX_EUNSUPPORTED (a name
 * vox does not run) or VOX_EINVAL (a repeat or a mandatory one missing). */
VOX_MUST_CHECK int vox_zrtp_algs_check(const struct vox_zrtp_algs *a);

/* The a=zrtp-hash value of a Hello (RFC 6189 8.1): "1.10 " and the
 * SHA-256 of the Hello message (msg[0..len), from its preamble to its MAC)
 * in lower-case hex, 69 characters, then a NUL. Returns 69, VOX_ENOSPC
 * (cap under 70) or VOX_ECRYPTO. */
#define VOX_ZRTP_HELLO_HASH_LEN 69
VOX_MUST_CHECK int vox_zrtp_hello_hash(const uint8_t *msg, size_t len, char *out, size_t cap);

/* ======================================================================
 * The short authentication string (5.1.6)
 * ====================================================================== */

/* Room for any rendering with its NUL: two PGP words and a space. */
#define VOX_ZRTP_SAS_MAX 24

/* Renders the SAS for people to read aloud, from the 32-bit sasvalue (the
 * leftmost 32 bits of sashash, 4.5.2): B32 as four characters of ZRTP's
 * base 32 (its leftmost 20 bits), B256 as two words of the PGP word list
 * (its leftmost 16 bits: an even word, then an odd one), separated by a
 * space. Writes a NUL after the text. Returns the length without the NUL,
 * or VOX_ENOSPC (cap too small) or VOX_EUNSUPPORTED (another scheme). */
VOX_MUST_CHECK int vox_zrtp_sas_render(uint32_t scheme, uint32_t sasvalue, char *out, size_t cap);

/* ======================================================================
 * Retained secrets (4.3, 4.9, 4.6.1): key continuity from call to call
 * ====================================================================== */

#define VOX_ZRTP_RS_LEN 32

/* What an endpoint remembers of one peer. */
struct vox_zrtp_secrets {
	uint8_t zid[VOX_ZRTP_ZID_LEN]; /* the peer's */
	uint8_t flags; /* VOX_ZRTP_RS1 | VOX_ZRTP_RS2 | VOX_ZRTP_VERIFIED | VOX_ZRTP_PBX */
	uint8_t rs1[VOX_ZRTP_RS_LEN]; /* from the last exchange */
	uint8_t rs2[VOX_ZRTP_RS_LEN]; /* from the one before */
	/* 4.9: how long rs1 and rs2 may be used after they were saved, in
	 * seconds, the smaller of the two sides' Confirm values;
	 * VOX_ZRTP_NEVER: no limit. The engine sets it. */
	uint32_t expiry;
	/* when the store saved the entry, in seconds of its own clock (UNIX
	 * time in the cache file); 0 unknown. The engine has no clock: a
	 * store that has one stamps it and drops expired secrets in load. */
	uint64_t saved;
	/* 7.3.1: the trusted MitM key of an enrolled PBX (or, on a PBX, of
	 * an enrolled client), valid when flags has VOX_ZRTP_PBX */
	uint8_t pbx[VOX_ZRTP_RS_LEN];
};
#define VOX_ZRTP_RS1      0x01
#define VOX_ZRTP_RS2      0x02
#define VOX_ZRTP_VERIFIED 0x04 /* the users compared the SAS and said so */
#define VOX_ZRTP_PBX      0x08 /* pbx holds a trusted MitM key: an enrolled PBX */
#define VOX_ZRTP_NEVER    0xffffffffu

/* The storage port: where the engine finds and keeps retained secrets (a
 * file on a host, flash on a device). load fills *out for a peer ZID and
 * returns 1, or 0 for a peer it does not know, or a negative VOX_E* code
 * (treated as not known). save returns 0 or a negative code. The engine
 * calls them synchronously from vox_zrtp_recv, vox_zrtp_set_verified and
 * vox_zrtp_enroll; they must not call back into the engine. */
struct vox_zrtp_store {
	int (*load)(void *ctx, const uint8_t zid[VOX_ZRTP_ZID_LEN], struct vox_zrtp_secrets *out);
	int (*save)(void *ctx, const struct vox_zrtp_secrets *s);
	void *ctx;
};

/* A ready-made store in memory, and its byte form for a file or flash.
 * The byte form ("cache format 2"), all integers big-endian:
 *   "VZC2"                 4 bytes, the format
 *   own ZID               12 bytes, our persistent ZID (4.9); zeros: none yet
 *   count                  2 bytes, entries that follow
 *   count entries of 121 bytes: peer ZID (12), flags (1), expiry (4),
 *                          saved (8), rs1 (32), rs2 (32), pbx (32)
 *   CRC-32c                4 bytes over all of the above, low byte first
 * Secrets a flag does not mark valid are zeros. A program writes it
 * atomically: to a temporary file in the same folder, fsync, then rename
 * over the old one, so that a crash leaves the old cache or the new one,
 * never half of one (vox_zrtp_file_save does). */
/* VOX_ZRTP_CACHE_MAX (vox/config.h): the peers a struct vox_zrtp_cache holds. */
#define VOX_ZRTP_CACHE_ENTRY    121
#define VOX_ZRTP_CACHE_BYTES(n) (4u + VOX_ZRTP_ZID_LEN + 2u + VOX_ZRTP_CACHE_ENTRY * (n) + 4u)

struct vox_zrtp_cache {
	uint8_t zid[VOX_ZRTP_ZID_LEN]; /* our own ZID, kept with the secrets */
	size_t n;
	struct vox_zrtp_secrets e[VOX_ZRTP_CACHE_MAX];
};

/* Clears *c. */
void vox_zrtp_cache_init(struct vox_zrtp_cache *c);
/* The store port over *c (which must outlive the engines using it): save
 * replaces the peer's entry or adds one, VOX_EPOOL when the table is
 * full. It has no clock: load ignores expiry and save leaves saved as
 * given. */
struct vox_zrtp_store vox_zrtp_cache_store(struct vox_zrtp_cache *c);
/* The entry of a peer ZID, or NULL. Valid until the cache changes. */
struct vox_zrtp_secrets *vox_zrtp_cache_find(struct vox_zrtp_cache *c,
                                             const uint8_t zid[VOX_ZRTP_ZID_LEN]);
/* Removes a peer's entry (its secrets wiped). Returns 0 or VOX_ENOTFOUND. */
VOX_MUST_CHECK int vox_zrtp_cache_forget(struct vox_zrtp_cache *c,
                                         const uint8_t zid[VOX_ZRTP_ZID_LEN]);
/* Writes the byte form. Returns its length, or VOX_ENOSPC, or VOX_EINVAL
 * (more entries than VOX_ZRTP_CACHE_MAX). */
VOX_MUST_CHECK int vox_zrtp_cache_encode(const struct vox_zrtp_cache *c, uint8_t *out, size_t cap);
/* Reads the byte form into *c. A cache that is cut short, has another
 * format, a wrong CRC, a count that disagrees with its length, unknown
 * flag bits, secrets where no flag says so, or one ZID twice is refused
 * with VOX_EMALFORMED (and *c left empty: treat it as a new cache and
 * tell the user), more entries than VOX_ZRTP_CACHE_MAX with VOX_ELIMIT
 * (*c empty too). Returns the entry count. */
VOX_MUST_CHECK int vox_zrtp_cache_decode(const uint8_t *in, size_t len, struct vox_zrtp_cache *c);
/* Wipes every secret. */
void vox_zrtp_cache_free(struct vox_zrtp_cache *c);

/* ----------------------------------------------------------------------
 * The cache file (transport/zrtp_file.c). zrtp/ does no I/O: this is the
 * store port for a host with a POSIX file system, in transport/, the one
 * folder that touches the operating system; a device replaces it with
 * one over its flash. The file holds the byte form above, mode 0600.
 * ---------------------------------------------------------------------- */

enum vox_zrtp_file_status {
	VOX_ZRTP_FILE_READ = 0, /* the file was read and checked */
	VOX_ZRTP_FILE_NEW,      /* there was no file: an empty cache, a new ZID */
	VOX_ZRTP_FILE_DAMAGED   /* it did not check (why says how): treated as
	                           empty, with a new ZID; the next save replaces it */
};

struct vox_zrtp_file {
	const char *path; /* kept, not copied: must outlive the store */
	struct vox_zrtp_cache cache;
	const char *why; /* static: what was wrong with a damaged file */
	/* the wall clock in seconds for expiry (4.9); NULL: time() */
	uint64_t (*now)(void);
};

/* Reads path into f (f->path = path). An absent file or one that does
 * not check is not an error: the status says which, the cache is empty
 * and a new ZID is drawn from rng (nothing is written until a save).
 * Returns a status, or VOX_EIO (the file exists but cannot be read),
 * VOX_ERNG, VOX_EINVAL (NULL path or rng). */
VOX_MUST_CHECK int vox_zrtp_file_load(struct vox_zrtp_file *f, const char *path,
                                      const struct vox_rng *rng);
/* Writes f->cache to f->path atomically: a temporary file beside it
 * (mode 0600), fsync, rename over the old file, fsync of the folder. On
 * failure the old file is untouched and no temporary file is left.
 * Returns 0, VOX_EIO, VOX_ETOOLONG (path too long), VOX_EINVAL. */
VOX_MUST_CHECK int vox_zrtp_file_save(struct vox_zrtp_file *f);
/* The store port over f: load drops secrets whose expiry has passed
 * (4.9: an expired secret is as none) and keeps a PBX key; save stamps
 * saved with the clock, keeps the entry in f->cache and writes the file
 * (VOX_EIO, VOX_EPOOL as vox_zrtp_cache_store). f must outlive the
 * engines using it. */
struct vox_zrtp_store vox_zrtp_file_store(struct vox_zrtp_file *f);
/* Wipes the secrets held in memory; NULL and twice are fine. */
void vox_zrtp_file_free(struct vox_zrtp_file *f);

/* ======================================================================
 * The engine: one ZRTP session of one media stream, DH mode (section 4)
 * ====================================================================== */

/* Sizes of what an engine keeps. */
#define VOX_ZRTP_HASH_MAX   48  /* S384 */
#define VOX_ZRTP_KEY_MAX    32  /* AES3 */
#define VOX_ZRTP_PV_MAX     384 /* DH3k */
#define VOX_ZRTP_SECRET_MAX 64  /* DH3k's exponent with AES3 */
#define VOX_ZRTP_SALT_LEN   14  /* SRTP master salt: 112 bits (4.5.3) */
#define VOX_ZRTP_CTX_MAX    (2 * VOX_ZRTP_ZID_LEN + VOX_ZRTP_HASH_MAX) /* KDF_Context */
/* Longest message kept: a Hello with 35 algorithms (228 bytes) or a
 * DHPart with a DH3k value (468 bytes). */
#define VOX_ZRTP_HELLO_MSG_MAX   (4 * (22 + 5 * VOX_ZRTP_MAX_ALGS))
#define VOX_ZRTP_COMMIT_MSG_MAX  116
#define VOX_ZRTP_DH_MSG_MAX      (4 * 21 + VOX_ZRTP_PV_MAX)
#define VOX_ZRTP_CONFIRM_MSG_MAX 76 /* no signature */
/* Packets queued for the caller before poll_output drains them. */
#define VOX_ZRTP_OUT_QUEUE 8
#define VOX_ZRTP_EV_QUEUE  6

/* Internal to the engine (zrtp/crypto.c and zrtp/keys.c); declared here
 * only so that struct vox_zrtp is a complete type the caller can own. */
/* One side's Diffie-Hellman key pair (zrtp/crypto.c). */
struct vox_zrtp_keypair {
	uint32_t ka;
	uint8_t sv[VOX_ZRTP_SECRET_MAX]; /* the secret value as given */
	size_t sv_len;
	uint8_t pv[VOX_ZRTP_PV_MAX]; /* the public value in ZRTP's wire form */
	size_t pv_len;
};

/* Everything 4.5.2 and 4.5.3 derive from s0, for the negotiated hash and
 * cipher. */
struct vox_zrtp_keyset {
	uint32_t hash, cipher;
	size_t hl, kl; /* hash and cipher key lengths */
	uint8_t ctx[VOX_ZRTP_CTX_MAX];
	size_t ctx_len;
	uint8_t sess[VOX_ZRTP_HASH_MAX]; /* ZRTPSess */
	uint8_t sashash[32];             /* 256 bits whatever the hash */
	uint32_t sasvalue;               /* its leftmost 32 bits */
	uint8_t srtp_key_i[VOX_ZRTP_KEY_MAX], srtp_salt_i[VOX_ZRTP_SALT_LEN];
	uint8_t srtp_key_r[VOX_ZRTP_KEY_MAX], srtp_salt_r[VOX_ZRTP_SALT_LEN];
	uint8_t mackey_i[VOX_ZRTP_HASH_MAX], mackey_r[VOX_ZRTP_HASH_MAX];
	uint8_t zrtpkey_i[VOX_ZRTP_KEY_MAX], zrtpkey_r[VOX_ZRTP_KEY_MAX];
	uint8_t rs1[32]; /* the new retained secret */
};

/* Timers of RFC 6189 6: T1 for Hello, T2 for Commit, DHPart2, Confirm2
 * and Error; each doubles from its start up to its cap. */
struct vox_zrtp_config {
	struct vox_zrtp_algs algs;                 /* what we offer; vox_zrtp_algs_default */
	uint8_t zid[VOX_ZRTP_ZID_LEN];             /* our ZID: persistent per endpoint (4.9) */
	uint8_t client_id[VOX_ZRTP_CLIENT_ID_LEN]; /* shown to the peer, space padded */
	uint32_t ssrc;   /* the SSRC our ZRTP packets carry (our media's) */
	uint8_t passive; /* 1: never send Commit, wait for the peer's (4.2) */
	/* 7.3: we are a trusted MitM, a PBX: the M flag in our Hello, and
	 * vox_zrtp_sas_relay allowed. enroll (with mitm): ask each client to
	 * enroll us (the E flag in our Confirm, 7.3.1) and keep the trusted
	 * MitM key with it in the store. A client sets neither. */
	uint8_t mitm;
	uint8_t enroll;
	struct vox_zrtp_store store; /* retained secrets; load NULL: none kept */
	uint32_t t1_ms;              /* 50 */
	uint32_t t1_cap_ms;          /* 200 */
	uint32_t t1_max;             /* 20 retransmissions */
	uint32_t t2_ms;              /* 150 */
	uint32_t t2_cap_ms;          /* 1200 */
	uint32_t t2_max;             /* 10 retransmissions */
};

/* Defaults: vox_zrtp_algs_default, client id "vox", the timers above,
 * active. zid and ssrc are zero: set them. */
void vox_zrtp_config_default(struct vox_zrtp_config *c);

enum vox_zrtp_state {
	VOX_ZRTP_ST_IDLE = 0,      /* before vox_zrtp_start */
	VOX_ZRTP_ST_DISCOVERY,     /* Hello sent (T1), waiting for the peer's and for HelloACK */
	VOX_ZRTP_ST_COMMIT_SENT,   /* Commit sent (T2), waiting for DHPart1 */
	VOX_ZRTP_ST_WAIT_DHPART2,  /* responder: DHPart1 sent */
	VOX_ZRTP_ST_WAIT_CONFIRM1, /* initiator: DHPart2 sent (T2) */
	VOX_ZRTP_ST_WAIT_CONFIRM2, /* responder: Confirm1 sent */
	VOX_ZRTP_ST_WAIT_CONF2ACK, /* initiator: Confirm2 sent (T2) */
	VOX_ZRTP_ST_SECURE,        /* keys confirmed on both sides */
	VOX_ZRTP_ST_FAILED         /* an Error sent or received, or a timeout */
};

/* A static name for a state ("discovery"), "?" for others. */
const char *vox_zrtp_state_name(enum vox_zrtp_state s);

enum vox_zrtp_continuity { VOX_ZRTP_NEW_PEER = 0, VOX_ZRTP_CONTINUES, VOX_ZRTP_CACHE_MISMATCH };

enum vox_zrtp_ev_type {
	VOX_ZRTP_EV_SAS = 1, /* the SAS is known and the peer's Confirm checked */
	VOX_ZRTP_EV_SECURE,  /* SRTP keys ready (vox_zrtp_srtp_keys) */
	VOX_ZRTP_EV_FAILED,  /* the session is over: see code and by_peer */
	/* the peer's Hello is not the one its SDP announced (a=zrtp-hash,
	 * 8.1): something on the media path changed it. The Hello is not
	 * used; the session waits for one that matches. */
	VOX_ZRTP_EV_HELLO_HASH_MISMATCH,
	/* the peer's Hello says it is a trusted MitM, a PBX (the M flag,
	 * 7.3): the SAS you read is the one with that server, not with the
	 * person at the far end (vox_zrtp_event_text says so in words) */
	VOX_ZRTP_EV_PBX,
	/* a PBX asks to be enrolled (the E flag of its Confirm, 7.3.1): its
	 * relayed SASes would then be trusted in later calls. Ask the user
	 * and answer with vox_zrtp_enroll; no answer is no. */
	VOX_ZRTP_EV_ENROLL,
	/* an enrolled PBX relayed the SAS of the far end (SASrelay, 7.3):
	 * sas, sasvalue and rendering are that relayed SAS. It is shown only
	 * if the user agrees: vox_zrtp_accept_relay. */
	VOX_ZRTP_EV_SAS_RELAY
};

struct vox_zrtp_event {
	enum vox_zrtp_ev_type type;
	/* SAS */
	uint32_t sasvalue;
	uint32_t rendering; /* VOX_ZRTP_B32 or VOX_ZRTP_B256 */
	char sas[VOX_ZRTP_SAS_MAX];
	/* what the retained secrets said (4.3.2): a peer never met, a peer
	 * whose secret matched (the exchange continues the last one), or a
	 * peer we knew whose secrets do not match: then the SAS must be
	 * compared again, a MitM may be at work */
	enum vox_zrtp_continuity continuity;
	uint8_t verified; /* SAS compared before, and the secrets continue */
	/* SAS: the peer is a PBX (M flag), so this SAS is the one with the
	 * server; relayed: the user accepted the far end's SAS relayed by an
	 * enrolled PBX, and this is it */
	uint8_t pbx, relayed;
	/* FAILED: the Error code of 5.9 (VOX_ZRTP_ERR_TIMEOUT when the peer
	 * stopped answering), and whether the peer sent it (1) or we did (0) */
	uint32_t code;
	uint8_t by_peer;
};

/* Packets dropped, by reason. */
struct vox_zrtp_stats {
	uint32_t rx, tx;
	uint32_t bad_crc;     /* dropped silently (5.1) */
	uint32_t malformed;   /* CRC right, layout wrong: Error 0x10 */
	uint32_t unexpected;  /* not of this state, or a message type vox ignores */
	uint32_t bad_chain;   /* a hash image or MAC that does not check: dropped (9) */
	uint32_t ev_dropped;  /* events lost to a full queue */
	uint32_t out_dropped; /* packets lost to a full output queue */
};

/* One queued packet, built when the caller polls it. */
struct vox_zrtp_out {
	uint8_t kind; /* enum vox_zrtp_msg */
	uint32_t code;
};

/* The engine. The caller owns it; everything is inside (no allocation but
 * mbedTLS's bignums during a key agreement, zrtp/zrtp_crypto.h). The rng
 * given to vox_zrtp_start must outlive it. */
struct vox_zrtp {
	struct vox_zrtp_config cfg;
	struct vox_rng rng;
	enum vox_zrtp_state state;
	uint8_t initiator;
	uint8_t have_peer_hello, hello_acked;
	uint16_t seq;
	uint8_t h[4][VOX_ZRTP_H_LEN];  /* our H0..H3 */
	uint8_t ph[4][VOX_ZRTP_H_LEN]; /* the peer's, as revealed */
	uint8_t peer_zid[VOX_ZRTP_ZID_LEN];
	uint32_t chosen[VOX_ZRTP_T_COUNT]; /* from negotiation, then the Commit */
	uint8_t own_hello[VOX_ZRTP_HELLO_MSG_MAX], peer_hello[VOX_ZRTP_HELLO_MSG_MAX];
	uint8_t commit[VOX_ZRTP_COMMIT_MSG_MAX]; /* the Commit in force (ours or theirs) */
	uint8_t dh1[VOX_ZRTP_DH_MSG_MAX], dh2[VOX_ZRTP_DH_MSG_MAX];
	uint8_t confirm[VOX_ZRTP_CONFIRM_MSG_MAX]; /* our Confirm1 or Confirm2 */
	uint16_t own_hello_len, peer_hello_len, commit_len, dh1_len, dh2_len, confirm_len;
	struct vox_zrtp_keypair kp;
	struct vox_zrtp_keyset keys;
	struct vox_zrtp_secrets sec; /* the peer's retained secrets, as loaded */
	uint8_t known_peer;          /* load found the peer */
	uint8_t s1[VOX_ZRTP_RS_LEN]; /* the matched retained secret */
	uint8_t have_s1, peer_v, peer_expiry_zero;
	uint32_t peer_expiry; /* the cache expiry of the peer's Confirm (4.9) */
	/* Multistream (4.4.3): the first stream's ZRTPSess, algorithms, peer */
	uint8_t multi;
	uint8_t ms_sess[VOX_ZRTP_HASH_MAX];
	uint32_t ms_alg[VOX_ZRTP_T_COUNT];
	uint8_t ms_peer_zid[VOX_ZRTP_ZID_LEN];
	enum vox_zrtp_continuity continuity;
	/* retransmission: which message, when, how often so far, the interval */
	uint8_t rt_kind;
	uint32_t rt_count, rt_interval, rt_code;
	uint64_t rt_due;
	struct vox_zrtp_out out[VOX_ZRTP_OUT_QUEUE];
	uint8_t out_head, out_n;
	struct vox_zrtp_event ev[VOX_ZRTP_EV_QUEUE];
	uint8_t ev_head, ev_n;
	struct vox_zrtp_stats st;
	uint8_t want_hello_hash[32]; /* from the peer's a=zrtp-hash */
	uint8_t have_want_hash;
	/* the trusted MitM case (7.3) */
	uint8_t peer_mitm;     /* the peer's Hello had the M flag */
	uint8_t peer_enroll;   /* the peer asked to enroll; the user has not answered */
	uint8_t pbx_trusted;   /* our PBX keys matched (s3): the peer is an enrolled PBX */
	uint8_t relay_pending; /* a relayed SAS waits for the user's consent */
	uint32_t relay_sasvalue, relay_rendering;
	uint8_t relay_seen[VOX_ZRTP_HVI_LEN];    /* the sas hash last relayed to us */
	uint8_t relay[VOX_ZRTP_CONFIRM_MSG_MAX]; /* our SASrelay, kept for T2 (PBX) */
	uint16_t relay_len;
};

/* Clears *z (state IDLE). Cannot fail. */
void vox_zrtp_init(struct vox_zrtp *z);
/* Wipes every key and secret; safe on an IDLE engine, and twice. */
void vox_zrtp_free(struct vox_zrtp *z);

/* Starts discovery: draws H0 from rng, builds our Hello and queues it
 * (T1 retransmits it). Returns 0, VOX_EINVAL (cfg fails
 * vox_zrtp_algs_check, a timer of 0), VOX_ESTATE (not IDLE), VOX_ERNG. */
VOX_MUST_CHECK int vox_zrtp_start(struct vox_zrtp *z, const struct vox_zrtp_config *cfg,
                                  const struct vox_rng *rng, uint64_t now);

/* Starts a further media stream of the same call in Multistream mode
 * (4.4.3): no Diffie-Hellman, the keys come from the ZRTPSess of first, a
 * SECURE session with the same peer, whose algorithms it keeps. Our Hello
 * adds "Mult" to the key agreements (so cfg may list at most six); a peer
 * with another ZID, or one that does not offer Multistream, gets Error
 * 0x56. No SAS event: the SAS is the first stream's. Returns as
 * vox_zrtp_start, and VOX_ESTATE when first is not SECURE. */
VOX_MUST_CHECK int vox_zrtp_start_multistream(struct vox_zrtp *z, const struct vox_zrtp_config *cfg,
                                              const struct vox_zrtp *first,
                                              const struct vox_rng *rng, uint64_t now);

/* One ZRTP packet from the peer (the demultiplexer hands over datagrams
 * whose first byte is 16..19, RFC 7983). What does not parse or check is
 * dropped and counted in st (a bad CRC silently, 5.1); what the protocol
 * answers with an Error (5.9) queues it and ends the session. Returns 0
 * (taken or dropped: see st), VOX_ESTATE (IDLE). */
int vox_zrtp_recv(struct vox_zrtp *z, const uint8_t *pkt, size_t len, uint64_t now);

/* Copies the next packet to send into out. Returns its length, 0 when
 * none is queued, or VOX_ENOSPC (cap too small: the packet stays queued;
 * 500 bytes always suffice). */
int vox_zrtp_poll_output(struct vox_zrtp *z, uint8_t *out, size_t cap);

/* When the engine wants vox_zrtp_on_deadline, UINT64_MAX for never. */
uint64_t vox_zrtp_next_deadline(const struct vox_zrtp *z);
/* Retransmits what is due, or gives up (VOX_ZRTP_EV_FAILED with
 * VOX_ZRTP_ERR_TIMEOUT) after the last retransmission. A responder, which
 * never retransmits, gives up when the initiator has been silent for as
 * long as its T2 retransmissions would last. */
void vox_zrtp_on_deadline(struct vox_zrtp *z, uint64_t now);

/* Takes the oldest event: 1 and *ev filled, or 0 when none. */
int vox_zrtp_next_event(struct vox_zrtp *z, struct vox_zrtp_event *ev);

/* The SRTP keys of a SECURE session, from our side: we send with tx and
 * receive with rx (4.5.3: the initiator sends with its own keys). */
struct vox_zrtp_srtp {
	uint32_t cipher;   /* AES1 (AES-128) or AES3 (AES-256), in counter mode for SRTP */
	uint32_t auth_tag; /* HS32 or HS80 */
	size_t key_len;    /* 16 or 32 */
	uint8_t tx_key[VOX_ZRTP_KEY_MAX], tx_salt[VOX_ZRTP_SALT_LEN];
	uint8_t rx_key[VOX_ZRTP_KEY_MAX], rx_salt[VOX_ZRTP_SALT_LEN];
};
/* Returns 0 and fills *out, or VOX_ESTATE before SECURE. */
VOX_MUST_CHECK int vox_zrtp_srtp_keys(const struct vox_zrtp *z, struct vox_zrtp_srtp *out);

/* The a=zrtp-hash (RFC 6189 8.1) of the peer's SDP: "1.10 " and 64 hex
 * digits. The peer's Hello must hash to it; one that does not gives
 * VOX_ZRTP_EV_HELLO_HASH_MISMATCH and is not used. May be called before
 * vox_zrtp_start or later (a Hello already taken is checked at once, and a
 * mismatch then ends the session: VOX_ZRTP_EV_FAILED with
 * VOX_ZRTP_ERR_HELLO_MISMATCH, no Error sent). Returns 0, VOX_EVERSION (another version
 * than 1.10: look for the 1.10 line) or VOX_EMALFORMED. */
VOX_MUST_CHECK int vox_zrtp_expect_hello_hash(struct vox_zrtp *z, struct vox_slice value);
/* Our own a=zrtp-hash for our SDP, once started: as vox_zrtp_hello_hash.
 * Returns 69, VOX_ENOSPC or VOX_ESTATE (IDLE). */
VOX_MUST_CHECK int vox_zrtp_own_hello_hash(const struct vox_zrtp *z, char *out, size_t cap);

/* The users compared the SAS (verified 1) or found it wrong or want it
 * compared again (0): kept with the peer's retained secrets (store.save)
 * and sent as the V flag next time. Returns 0, VOX_ESTATE (not SECURE),
 * or the store's error. */
VOX_MUST_CHECK int vox_zrtp_set_verified(struct vox_zrtp *z, int verified);

/* ---- the trusted MitM, a PBX (7.3) -------------------------------------- */

/* What an event means, in plain words for a person ("The far end is a
 * PBX: ..."). Static, never NULL. For a SAS event it says whether the SAS
 * is with the person, with a PBX, or relayed by one. */
const char *vox_zrtp_event_text(const struct vox_zrtp_event *ev);

/* The user's answer to VOX_ZRTP_EV_ENROLL (client side). accept 1: the
 * trusted MitM key, KDF(ZRTPSess, "Trusted MiTM key", ZIDi || ZIDr),
 * is kept with the PBX's ZID (its leftmost 256 bits, as for retained
 * secrets), so that in later calls this PBX's relayed SASes can be
 * offered to the user; 0: nothing is kept. Returns 0, VOX_ESTATE (not
 * SECURE, or no enrollment asked), or the store's error (VOX_EINVAL
 * without a store). */
VOX_MUST_CHECK int vox_zrtp_enroll(struct vox_zrtp *z, int accept);

/* The user's answer to VOX_ZRTP_EV_SAS_RELAY: accept 1 shows the relayed
 * SAS (a VOX_ZRTP_EV_SAS with relayed 1 follows), 0 keeps the SAS with
 * the PBX. Returns 0 or VOX_ESTATE (no relayed SAS waiting). */
VOX_MUST_CHECK int vox_zrtp_accept_relay(struct vox_zrtp *z, int accept);

/* The sashash of a SECURE session (4.5.2), which a PBX relays to the
 * other leg of the call. Returns 0 or VOX_ESTATE. */
VOX_MUST_CHECK int vox_zrtp_sas_hash(const struct vox_zrtp *z, uint8_t out[32]);

/* PBX side (cfg.mitm): sends SASrelay (5.13) with the sashash and SAS
 * rendering of the call's other leg, retransmitted on T2 until the
 * RelayACK. A client accepts it only from a PBX it enrolled (with the
 * user's consent again); any other answers Error 0x63. Returns 0,
 * VOX_ESTATE (not SECURE, or not a PBX), VOX_EINVAL (a rendering vox does
 * not know), VOX_ERNG, VOX_ECRYPTO. */
VOX_MUST_CHECK int vox_zrtp_sas_relay(struct vox_zrtp *z, const uint8_t sashash[32],
                                      uint32_t rendering, uint64_t now);

#ifdef __cplusplus
}
#endif

#endif /* VOX_WITH_ZRTP */

#endif /* VOX_ZRTP_H */
