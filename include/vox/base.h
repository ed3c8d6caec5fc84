/* SPDX-License-Identifier: MIT */
/*
 * vox/base.h: the types every vox module shares.
 *
 * Conventions for the whole library (read these once):
 *  - Functions return int: 0 or a positive count on success, a negative
 *    enum vox_err on failure. vox_strerror() names every code.
 *  - Strings on the parsing path are slices {p, len} into the caller's
 *    buffer. A slice is valid exactly as long as that buffer; vox never
 *    writes a NUL behind one and never copies it unless the doc says so.
 *  - Nothing in the library allocates, reads a clock or touches a socket
 *    below transport/. Time and randomness come in from the caller.
 *  - Parsers that fail say where (byte offset) and why in a struct vox_diag.
 *  - Ownership: the caller owns every struct and buffer it passes. Unless a
 *    declaration says otherwise, vox reads what you pass during the call
 *    only and keeps no pointer to it afterwards.
 *  - Lifetimes: a returned pointer into an object (a header of a parsed
 *    message, a source of a session) is valid as long as that object and
 *    until the next call that changes it; strings named "static" (error
 *    names, method names, diag->what) live as long as the program.
 *  - Writers into a caller's buffer (out, cap) never write past cap and
 *    never add a NUL unless the declaration says so; on an error the
 *    buffer holds nothing useful.
 * docs/architecture.md explains these rules and the layers behind them.
 */
#ifndef VOX_BASE_H
#define VOX_BASE_H

#include <stddef.h>
#include <stdint.h>

#include "vox/config.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define VOX_MUST_CHECK __attribute__((warn_unused_result))
#else
#define VOX_MUST_CHECK
#endif

/* ---- version ---------------------------------------------------------- */

/* The version of these headers. The Makefile takes its VERSION from these
 * three lines (in this order), so they are the one place to change it. */
#define VOX_VERSION_MAJOR 0
#define VOX_VERSION_MINOR 1
#define VOX_VERSION_PATCH 0
/* "MAJOR.MINOR.PATCH", e.g. "0.1.0". */
#define VOX_VERSION_STRING                                                                         \
	VOX_VERSION_STR_(VOX_VERSION_MAJOR)                                                        \
	"." VOX_VERSION_STR_(VOX_VERSION_MINOR) "." VOX_VERSION_STR_(VOX_VERSION_PATCH)
#define VOX_VERSION_STR_(n)  VOX_VERSION_STR2_(n)
#define VOX_VERSION_STR2_(n) #n

/* The version of the library as it was built: VOX_VERSION_STRING of the
 * headers it was compiled with. A program that finds another string than
 * its own VOX_VERSION_STRING runs against a library built from other
 * headers (struct layouts may differ). Never NULL; the string is static. */
const char *vox_version(void);

/* ---- errors ----------------------------------------------------------- */

/* One enum for the library. Classes: -1 incomplete, -10.. malformed input,
 * -20.. limits, -30.. state and usage, -40.. crypto and authentication,
 * -50.. I/O. */
enum vox_err {
	VOX_OK = 0,
	VOX_EINCOMPLETE = -1, /* more input bytes are needed */

	VOX_EMALFORMED = -10, /* input does not follow the grammar */
	VOX_ERANGE = -11,     /* a number is out of its allowed range */
	VOX_EVERSION = -12,   /* unknown protocol version */
	VOX_ESCHEME = -13,    /* URI scheme vox does not decode */

	VOX_ELIMIT = -20,   /* more items than the configured table holds */
	VOX_ETOOLONG = -21, /* one item or the whole message is too long */
	VOX_ENOSPC = -22,   /* the caller's output buffer is too small */

	VOX_EINVAL = -30,       /* bad argument from the caller */
	VOX_ESTATE = -31,       /* call not allowed in the object's state */
	VOX_ENOTFOUND = -32,    /* no such item (header, dialog, ...) */
	VOX_EPOOL = -33,        /* a fixed pool of objects is full */
	VOX_EUNSUPPORTED = -34, /* valid, but vox does not implement it */
	VOX_EPOLICY = -35,      /* refused by the configured security policy */
	VOX_ECONFIG = -36,      /* the caller was compiled with another vox/config.h
	                           than the library (struct layouts differ) */

	VOX_EAUTH = -40,       /* authentication tag or credentials wrong */
	VOX_EREPLAY = -41,     /* packet already seen */
	VOX_ETOOOLD = -42,     /* packet older than the replay window */
	VOX_ECRYPTO = -43,     /* a crypto primitive failed */
	VOX_EKEYEXPIRED = -44, /* key lifetime used up */
	VOX_ERNG = -45,        /* the random number hook failed */

	VOX_EIO = -50,      /* transport error */
	VOX_ETIMEOUT = -51, /* the peer did not answer in time */
	VOX_ECLOSED = -52   /* the connection was closed */
};

/* Name of an error code; "unknown error" for values outside the enum.
 * Never returns NULL; the string is static. */
const char *vox_strerror(int err);

/* Where a parser stopped and why. off counts bytes from the start of the
 * input the caller passed; what is a static string ("expected SIP-Version"). */
struct vox_diag {
	size_t off;
	const char *what;
};

/* ---- slices ----------------------------------------------------------- */

struct vox_slice {
	const char *p;
	size_t len;
};

/* A slice of a NUL-terminated string (for literals and tests): it points
 * at s itself, no copy, so it lives as long as s. NULL gives {NULL, 0}. */
struct vox_slice vox_slice_cstr(const char *s);
/* Byte-wise equality: 1 or 0. */
int vox_slice_eq(struct vox_slice a, struct vox_slice b);
/* ASCII case-insensitive equality (SIP tokens, header names). */
int vox_slice_case_eq(struct vox_slice a, struct vox_slice b);
/* Case-insensitive comparison with a NUL-terminated literal. */
int vox_slice_case_eq_cstr(struct vox_slice a, const char *lit);
/* Decimal digits only (at least one) into *out, no sign, no space.
 * Returns 0, VOX_EMALFORMED (empty or a non-digit) or VOX_ERANGE (> max).
 * Leading zeros are allowed: "0068" is 68 (RFC 4475 3.1.1.1). *out is
 * written only on success. */
VOX_MUST_CHECK int vox_slice_u64(struct vox_slice s, uint64_t max, uint64_t *out);

/* ---- bounded writer --------------------------------------------------- */

/* Appends into a caller's buffer. The first write that does not fit sets
 * err = VOX_ENOSPC; later writes are ignored, so a builder can write
 * everything and check once at the end. The buffer is not NUL-terminated.
 * The writer points at the caller's buffer and copies nothing elsewhere:
 * the bytes are the caller's, at buf[0..len). init and the put functions
 * cannot fail (a NULL buf counts as capacity 0). */
struct vox_writer {
	char *buf;
	size_t cap;
	size_t len;
	int err;
};

void vox_writer_init(struct vox_writer *w, char *buf, size_t cap);
void vox_writer_put(struct vox_writer *w, const void *p, size_t n);
void vox_writer_putc(struct vox_writer *w, char c);
void vox_writer_puts(struct vox_writer *w, const char *s);
void vox_writer_put_slice(struct vox_writer *w, struct vox_slice s);
void vox_writer_put_u64(struct vox_writer *w, uint64_t v);
/* Length written (<= INT32_MAX by construction of callers' buffers), or
 * VOX_ENOSPC if anything did not fit, or VOX_ETOOLONG if len > INT32_MAX. */
VOX_MUST_CHECK int vox_writer_finish(const struct vox_writer *w);

/* ---- where a message came from or goes to ---------------------------- */

enum vox_transport { VOX_TP_UDP = 1, VOX_TP_TCP, VOX_TP_TLS };

/* A transport address: IPv4 in ip[0..3] (family 4) or IPv6 (family 6). */
struct vox_addr {
	uint8_t family;
	uint8_t ip[16];
	uint16_t port;
};

/* The other end of one hop. conn names the TCP/TLS connection (chosen by
 * transport/, 0 for UDP or "open a new one"). verified: 1 only for a TLS
 * hop whose peer's certificate was verified (it chains to a trust anchor
 * and, when we are the client, names the host we asked for; vox_tls_info
 * says so in its own field of that name). A TLS hop with verification off,
 * a pinned (trust on first use) certificate or a client that showed none
 * is 0: it encrypts, but anyone on the path may be the peer. The UA's rule
 * that SDES keys travel only over secure hops reads this bit
 * (docs/architecture.md, The transport contract); 0 for UDP and TCP.
 * listener: 1 + the index of our listening socket the message came in on
 * (an input: the transport says it) or leaves from; 0: not said, and the
 * UA picks one by transport and address family (docs/ua.md, Listeners).
 * The UA's listener i is its configuration's (0 the configured host,
 * port and transport, i the listeners[i - 1]). */
struct vox_peer {
	enum vox_transport tp;
	struct vox_addr addr;
	uint32_t conn;
	uint8_t verified;
	uint8_t listener;
};

/* ---- port hooks ------------------------------------------------------- */

/* Fills out[0..len) with unpredictable bytes; returns 0, or VOX_ERNG on
 * failure. Branches, tags, Call-IDs, SSRCs, keys and nonces all come from it. */
typedef int (*vox_rng_fn)(void *ctx, uint8_t *out, size_t len);

struct vox_rng {
	vox_rng_fn fn;
	void *ctx;
};

enum vox_log_level { VOX_LOG_ERROR = 0, VOX_LOG_WARN, VOX_LOG_INFO, VOX_LOG_DEBUG };

/* Receives one log line (no trailing newline). msg is valid only during the
 * call. Secrets are never passed to it. */
typedef void (*vox_log_fn)(void *ctx, enum vox_log_level level, struct vox_slice msg);

struct vox_log {
	vox_log_fn fn;
	void *ctx;
};

/* ---- base64 (RFC 4648 section 4) and hex ------------------------------ */

/* These four carry keys (SDES inline:, digest HA1) and run in constant
 * time: no branch and no table look-up depends on a byte's value, only on
 * lengths. A failed decode zeroes the bytes it may have written. */

/* Exact encoded length of n bytes: 4 * ceil(n / 3). */
size_t vox_base64_len(size_t n);
/* Encodes with padding, no NUL. Returns the length written, or
 * VOX_ENOSPC (cap < vox_base64_len(n)) or VOX_ETOOLONG (the result would
 * pass INT32_MAX bytes). */
VOX_MUST_CHECK int vox_base64_encode(const uint8_t *in, size_t n, char *out, size_t cap);
/* Decodes padded base64 (the form RFC 4568 keys use). Rejects characters
 * outside the alphabet, wrong padding and non-zero bits in the final
 * character, so each byte string has one encoding. Returns the number of
 * bytes, VOX_EMALFORMED, VOX_ENOSPC or VOX_ETOOLONG (over INT32_MAX
 * bytes). On an error out may hold some decoded bytes: wipe it if the
 * input was a key. */
VOX_MUST_CHECK int vox_base64_decode(struct vox_slice in, uint8_t *out, size_t cap);
/* Lower-case hex, no NUL. Returns 2n, or VOX_ENOSPC (cap < 2n) or
 * VOX_ETOOLONG (2n over INT32_MAX). */
VOX_MUST_CHECK int vox_hex_encode(const uint8_t *in, size_t n, char *out, size_t cap);
/* Hex of either case, even length. Returns bytes, VOX_EMALFORMED (odd
 * length or a non-hex character; out may hold the bytes before it),
 * VOX_ENOSPC or VOX_ETOOLONG. */
VOX_MUST_CHECK int vox_hex_decode(struct vox_slice in, uint8_t *out, size_t cap);

/* Overwrites n bytes in a way the compiler may not remove (key material). */
void vox_wipe(void *p, size_t n);

#ifdef __cplusplus
}
#endif

#endif /* VOX_BASE_H */
