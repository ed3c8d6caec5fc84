/* SPDX-License-Identifier: MIT */
/*
 * vox/sip.h: the SIP message layer (RFC 3261 sections 7, 18.3, 19, 20, 25).
 *
 * Parsing is zero-copy: every slice points into the caller's buffer and is
 * valid exactly as long as that buffer is. The parser finds the start line,
 * the headers (one entry per value, in order) and the body; it decodes
 * nothing else. Typed decoders (URI, name-addr, Via, CSeq, ...) are pure
 * functions from a header value to a caller's struct, called on demand.
 * Validation (which response a UAS would send) is a separate step again.
 *
 * Lifetimes: a struct vox_sip_msg and every typed struct a decoder fills
 * (URI, address, Via, ...) hold slices into the buffer that was parsed:
 * keep that buffer unchanged while you use them. None of them owns memory
 * and none needs freeing. A decoder's struct is unspecified after an error
 * unless its declaration says otherwise.
 *
 * Line ends: CRLF, or a bare LF, are one line end everywhere (parser and
 * stream framer alike); a CR that is not followed by LF is malformed. So a
 * message has one meaning to every part of vox.
 *
 * Control bytes (RFC 3261 25.1): a start line holds none but the HTAB a
 * Reason-Phrase may hold. A header value, known to vox or not, holds HTAB,
 * the CR LF of a fold, and any other control byte only as a quoted-pair
 * ("\" and the byte) inside a quoted-string or a comment; the parser
 * refuses the rest. So no bare NUL or ESC reaches a caller, but an unquoted
 * quoted-string may hold one (RFC 4475 3.1.1.2 escapes a NUL): treat it as
 * bytes with a length, never as a C string.
 */
#ifndef VOX_SIP_H
#define VOX_SIP_H

#include "vox/base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- methods ------------------------------------------------------------ */

enum vox_sip_method {
	VOX_SIP_METHOD_OTHER = 0, /* any other token: valid, see vox_sip_msg.method */
	VOX_SIP_INVITE,
	VOX_SIP_ACK,
	VOX_SIP_BYE,
	VOX_SIP_CANCEL,
	VOX_SIP_OPTIONS,
	VOX_SIP_REGISTER,
	VOX_SIP_PRACK,     /* RFC 3262 */
	VOX_SIP_SUBSCRIBE, /* RFC 6665 */
	VOX_SIP_NOTIFY,    /* RFC 6665 */
	VOX_SIP_PUBLISH,   /* RFC 3903 */
	VOX_SIP_INFO,      /* RFC 6086 */
	VOX_SIP_REFER,     /* RFC 3515 */
	VOX_SIP_MESSAGE,   /* RFC 3428 */
	VOX_SIP_UPDATE,    /* RFC 3311 */
	VOX_SIP_METHOD_COUNT
};

/* Method names are case-sensitive (RFC 3261 7.1). VOX_SIP_METHOD_OTHER
 * for any other token. */
enum vox_sip_method vox_sip_method_id(struct vox_slice token);
/* Upper-case name, a static string; "" for VOX_SIP_METHOD_OTHER and
 * values outside the enum. */
const char *vox_sip_method_name(enum vox_sip_method m);

/* ---- header names ----------------------------------------------------- */

enum vox_sip_hdr {
	VOX_SIP_H_OTHER = 0, /* not known to vox: compare names yourself */
	VOX_SIP_H_ACCEPT,
	VOX_SIP_H_ACCEPT_CONTACT, /* a */
	VOX_SIP_H_ACCEPT_ENCODING,
	VOX_SIP_H_ACCEPT_LANGUAGE,
	VOX_SIP_H_ALERT_INFO,
	VOX_SIP_H_ALLOW,
	VOX_SIP_H_ALLOW_EVENTS, /* u */
	VOX_SIP_H_AUTHENTICATION_INFO,
	VOX_SIP_H_AUTHORIZATION,
	VOX_SIP_H_CALL_ID, /* i */
	VOX_SIP_H_CALL_INFO,
	VOX_SIP_H_CONTACT, /* m */
	VOX_SIP_H_CONTENT_DISPOSITION,
	VOX_SIP_H_CONTENT_ENCODING, /* e */
	VOX_SIP_H_CONTENT_LANGUAGE,
	VOX_SIP_H_CONTENT_LENGTH, /* l */
	VOX_SIP_H_CONTENT_TYPE,   /* c */
	VOX_SIP_H_CSEQ,
	VOX_SIP_H_DATE,
	VOX_SIP_H_ERROR_INFO,
	VOX_SIP_H_EVENT, /* o */
	VOX_SIP_H_EXPIRES,
	VOX_SIP_H_FROM,     /* f */
	VOX_SIP_H_IDENTITY, /* y */
	VOX_SIP_H_IN_REPLY_TO,
	VOX_SIP_H_MAX_FORWARDS,
	VOX_SIP_H_MIME_VERSION,
	VOX_SIP_H_MIN_EXPIRES,
	VOX_SIP_H_MIN_SE,
	VOX_SIP_H_ORGANIZATION,
	VOX_SIP_H_PATH,
	VOX_SIP_H_PRIORITY,
	VOX_SIP_H_PROXY_AUTHENTICATE,
	VOX_SIP_H_PROXY_AUTHORIZATION,
	VOX_SIP_H_PROXY_REQUIRE,
	VOX_SIP_H_RACK,
	VOX_SIP_H_REASON,
	VOX_SIP_H_RECORD_ROUTE,
	VOX_SIP_H_REFER_TO,       /* r */
	VOX_SIP_H_REFERRED_BY,    /* b */
	VOX_SIP_H_REJECT_CONTACT, /* j */
	VOX_SIP_H_REPLY_TO,
	VOX_SIP_H_REQUEST_DISPOSITION, /* d */
	VOX_SIP_H_REQUIRE,
	VOX_SIP_H_RETRY_AFTER,
	VOX_SIP_H_ROUTE,
	VOX_SIP_H_RSEQ,
	VOX_SIP_H_SERVER,
	VOX_SIP_H_SERVICE_ROUTE,
	VOX_SIP_H_SESSION_EXPIRES, /* x */
	VOX_SIP_H_SUBJECT,         /* s */
	VOX_SIP_H_SUBSCRIPTION_STATE,
	VOX_SIP_H_SUPPORTED, /* k */
	VOX_SIP_H_TIMESTAMP,
	VOX_SIP_H_TO, /* t */
	VOX_SIP_H_UNSUPPORTED,
	VOX_SIP_H_USER_AGENT,
	VOX_SIP_H_VIA, /* v */
	VOX_SIP_H_WARNING,
	VOX_SIP_H_WWW_AUTHENTICATE,
	VOX_SIP_H_COUNT
};

/* Header id of a name, case-insensitive, compact forms included;
 * VOX_SIP_H_OTHER for a name vox does not know (or that is not a token). */
enum vox_sip_hdr vox_sip_hdr_id(struct vox_slice name);
/* Canonical long name ("Call-ID"), a static string; "" for
 * VOX_SIP_H_OTHER and values outside the enum. */
const char *vox_sip_hdr_name(enum vox_sip_hdr id);

/* ---- the parsed message ------------------------------------------------ */

struct vox_sip_header {
	struct vox_slice name;  /* as written: "v", "MaX-fOrWaRdS" */
	struct vox_slice value; /* one value; LWS trimmed at both ends. A folded
				   value keeps its inner CRLF SP: decoders treat
				   that as whitespace. */
	uint16_t id;            /* enum vox_sip_hdr */
	uint16_t line;          /* header line this value came from (0 = first);
				   several values of a list share one line */
};

struct vox_sip_msg {
	/* Request-Line: method SP Request-URI SP SIP-Version */
	struct vox_slice method;
	struct vox_slice uri;
	enum vox_sip_method method_id;
	/* Status-Line: SIP-Version SP Status-Code SP Reason-Phrase */
	unsigned status; /* 100..699; 0 for a request */
	struct vox_slice reason;
	struct vox_slice version; /* "SIP/2.0", or another "SIP/x.y" */

	size_t nhdr;
	struct vox_sip_header hdr[VOX_SIP_MAX_HEADERS];
	/* 1 + index of the first header with each id, 0 when absent. */
	uint16_t first[VOX_SIP_H_COUNT];
	uint16_t nvia;

	int has_content_length;
	size_t content_length;
	/* Set when vox_sip_parse refuses a datagram whose Content-Length is
	 * larger than the bytes after its header section: the start line
	 * and headers above are complete and parsed, so a request can still
	 * be answered with 400 (RFC 3261 18.3). 0 otherwise. */
	uint8_t body_short;
	struct vox_slice body;
	const char *base; /* first byte of the message */
	size_t len;       /* start line + headers + empty line + body */
};

/* The buffer holds exactly one UDP datagram (RFC 3261 18.3): without a
 * Content-Length the body runs to the end of the datagram; a Content-Length
 * larger than what is left is an error; bytes after the body are ignored. */
#define VOX_SIP_DATAGRAM 0x1u

/*
 * Parses one message at the start of buf.
 *
 * Without VOX_SIP_DATAGRAM the input is a byte stream: Content-Length is
 * required (RFC 3261 18.3, 20.14) and VOX_EINCOMPLETE says more bytes are
 * needed. Leading CRLFs (keep-alives) are not skipped here: see
 * vox_sip_frame.
 *
 * Returns the message length (<= len), or
 *   VOX_EINCOMPLETE  stream only: more bytes are needed (with
 *                    VOX_SIP_DATAGRAM a cut-off message is VOX_EMALFORMED)
 *   VOX_EMALFORMED   the grammar is broken, a second Content-Length, a
 *                    stream message without Content-Length, or a datagram
 *                    shorter than its Content-Length
 *   VOX_ERANGE       status code outside 100..699, or Content-Length
 *                    above 2^32-1
 *   VOX_ELIMIT       more than VOX_SIP_MAX_HEADERS values or
 *                    VOX_SIP_MAX_VIA Via values
 *   VOX_ETOOLONG     larger than VOX_SIP_MAX_MSG, or a method or header
 *                    name longer than VOX_SIP_MAX_TOKEN
 * On error *diag (if not NULL) says where and why (diag->what is static);
 * *m is then unspecified. On success every slice in *m points into
 * buf[0..len): *m is valid exactly as long as buf stays as it is. *m
 * needs no freeing; parse the next message into it again.
 */
VOX_MUST_CHECK int vox_sip_parse(struct vox_sip_msg *m, const char *buf, size_t len, unsigned flags,
                                 struct vox_diag *diag);

/* First header with an id (NULL for VOX_SIP_H_OTHER: use
 * vox_sip_find_name), the next one after h with the same id (when h is an
 * unknown header: with the same name), or NULL. The pointers are into
 * m->hdr: valid as long as *m (their slices as long as the parsed buffer). */
const struct vox_sip_header *vox_sip_find(const struct vox_sip_msg *m, enum vox_sip_hdr id);
const struct vox_sip_header *vox_sip_find_next(const struct vox_sip_msg *m,
                                               const struct vox_sip_header *h);
/* First header with a given name (case-insensitive; for unknown headers). */
const struct vox_sip_header *vox_sip_find_name(const struct vox_sip_msg *m, struct vox_slice name);
/* Number of values with that id (VOX_SIP_H_OTHER: every header vox does
 * not know, whatever its name). */
size_t vox_sip_count(const struct vox_sip_msg *m, enum vox_sip_hdr id);

/* ---- stream framing (TCP, TLS) ----------------------------------------- */

enum vox_sip_frame_kind {
	VOX_SIP_FRAME_MESSAGE = 1,
	VOX_SIP_FRAME_PING, /* CRLFCRLF keep-alive, RFC 5626 4.4.1: answer with a pong */
	VOX_SIP_FRAME_PONG  /* one CRLF: the pong to our ping, or a stray line end
	                       before a message (RFC 3261 7.5: ignore it) */
};

/* Remembers how far the header section was already searched, so that each
 * call looks only at new bytes, and whether a pong is due. It holds
 * offsets, never a pointer into the caller's buffer, so that buffer may
 * move between calls as long as the unconsumed bytes stay at its start. */
struct vox_sip_framer {
	size_t scanned; /* header bytes already searched for the empty line */
	size_t head;    /* length of the header section once found, else 0 */
	size_t clen;    /* its Content-Length, valid when head != 0 */
	int pong_due;   /* vox_sip_framer_expect_pong was called, no pong yet */
};

/* Clears *f: a new connection, or a stream that failed. Cannot fail. */
void vox_sip_framer_init(struct vox_sip_framer *f);

/* Call after sending a ping (RFC 5626 4.4.1) on this connection: the next
 * line end between messages is its pong, reported as soon as it arrives.
 * Without it, a line end that ends the bytes received so far could be the
 * first half of a ping, and the framer waits for the next byte to tell.
 * Once the stream has ended (no byte can follow), call it too and frame
 * again: a last lone line end is then the whole pong it must be. */
void vox_sip_framer_expect_pong(struct vox_sip_framer *f);

/*
 * Given the bytes received so far (buf always starts at the first unconsumed
 * byte), says whether a whole unit is present. Returns its length and kind:
 * a message (headers and body; pass the same bytes to vox_sip_parse), a ping
 * or a pong. The caller then drops that many bytes and calls again.
 * Returns VOX_EINCOMPLETE when more bytes are needed, or an error
 * (VOX_EMALFORMED, VOX_ETOOLONG, VOX_ERANGE): the stream cannot be framed
 * any more and the connection should be closed. VOX_EMALFORMED: a broken
 * start line or header, a second Content-Length or none; VOX_ETOOLONG: no
 * empty line in the first VOX_SIP_MAX_MSG bytes, a longer message, or an
 * over-long header name; VOX_ERANGE: a Content-Length above 2^32-1.
 * Every unit and every error depends only on the bytes of the stream, never
 * on how they were cut into reads (fuzz/fuzz_sip_stream.c checks it).
 * *kind is set only with a length; *diag (if not NULL) only with an error.
 */
VOX_MUST_CHECK int vox_sip_frame(struct vox_sip_framer *f, const char *buf, size_t len,
                                 enum vox_sip_frame_kind *kind, struct vox_diag *diag);

/* ---- parameters --------------------------------------------------------- */

struct vox_sip_param {
	struct vox_slice name;
	struct vox_slice value; /* value.p == NULL: the parameter has no "=".
				   Header parameters (RFC 3261 gen-value): a
				   token, an IPv6reference with its [ ], or a
				   quoted-string; only Via's received may be a
				   bare IPv6address */
	int quoted;             /* value was a quoted-string; the slice excludes
				   the quotes and keeps backslash escapes */
};

struct vox_sip_params {
	size_t n;
	struct vox_sip_param p[VOX_SIP_MAX_PARAMS];
};

/* Parameter by name (case-insensitive), or NULL. The pointer is into *ps. */
const struct vox_sip_param *vox_sip_param_find(const struct vox_sip_params *ps, const char *name);

/* Copies a quoted-string's content without its backslash escapes into out
 * (no NUL); the copy may hold any byte but CR and LF, NUL included (see the
 * top of this file). Returns the length, VOX_ENOSPC, VOX_EMALFORMED (a
 * backslash at the very end) or VOX_ETOOLONG (over INT32_MAX bytes). */
VOX_MUST_CHECK int vox_sip_unquote(struct vox_slice in, char *out, size_t cap);
/* Copies a URI component with %HH escapes decoded (RFC 3261 19.1.2) into
 * out (no NUL). Returns the length, VOX_ENOSPC, VOX_EMALFORMED (a '%' not
 * followed by two hex digits) or VOX_ETOOLONG (over INT32_MAX bytes). */
VOX_MUST_CHECK int vox_sip_unescape(struct vox_slice in, char *out, size_t cap);

/* ---- URIs (RFC 3261 19.1, RFC 3966) ----------------------------------- */

enum vox_sip_scheme {
	VOX_SIP_SCHEME_OTHER = 0, /* an absoluteURI vox does not decode */
	VOX_SIP_SCHEME_SIP,
	VOX_SIP_SCHEME_SIPS,
	VOX_SIP_SCHEME_TEL
};

enum vox_sip_host_kind { VOX_SIP_HOST_NAME = 1, VOX_SIP_HOST_IPV4, VOX_SIP_HOST_IPV6 };

struct vox_sip_host {
	struct vox_slice name; /* as written; an IPv6 reference without [ ] */
	enum vox_sip_host_kind kind;
	uint8_t addr[16]; /* IPv4 in addr[0..3], IPv6 in addr[0..15] */
	int has_port;
	uint16_t port;
};

struct vox_sip_uri {
	enum vox_sip_scheme scheme;
	struct vox_slice raw;      /* the whole URI as written */
	struct vox_slice scheme_s; /* "sip", "SIP", "nobodyknows" */
	struct vox_slice user;     /* escapes kept; tel: the subscriber number */
	int has_password;
	struct vox_slice password;
	struct vox_sip_host host;     /* sip and sips only */
	struct vox_sip_params params; /* uri-parameters, or tel: parameters */
	struct vox_slice headers;     /* after "?", escapes kept; empty if none */
};

/*
 * Decodes a URI. sip:/sips: fully; tel: into number and parameters;
 * any other scheme that is a syntactically valid absoluteURI gives
 * VOX_ESCHEME with u->scheme_s and u->raw set (callers that keep unknown
 * URIs opaque, as RFC 3261 allows in To and From, treat that as success).
 * Returns 0, VOX_ESCHEME, VOX_EMALFORMED, VOX_ERANGE (port above 65535),
 * VOX_ELIMIT (more than VOX_SIP_MAX_PARAMS parameters). The slices in *u
 * point into s.
 */
VOX_MUST_CHECK int vox_sip_uri_parse(struct vox_sip_uri *u, struct vox_slice s,
                                     struct vox_diag *diag);

/* URI equality of RFC 3261 19.1.4 (sip/sips) or RFC 3966 5 (tel); other
 * schemes compare byte for byte. Returns 1 equal, 0 different. */
int vox_sip_uri_eq(const struct vox_sip_uri *a, const struct vox_sip_uri *b);

/* ---- name-addr / addr-spec (From, To, Contact, Route, Reply-To, ...) ------ */

struct vox_sip_addr {
	struct vox_slice display; /* quoted: the content, escapes kept; else the
				     tokens as written; empty when absent */
	int display_quoted;
	int bracketed;                /* name-addr form with < > */
	struct vox_sip_uri uri;       /* scheme OTHER: kept opaque in uri.raw */
	struct vox_sip_params params; /* header parameters after the URI */
	struct vox_slice tag;         /* the tag parameter, p == NULL if absent */
};

/* name-addr or addr-spec with header parameters (RFC 3261 20.10, 25.1).
 * Returns 0, VOX_EMALFORMED, VOX_ELIMIT (more than VOX_SIP_MAX_PARAMS
 * parameters), VOX_ERANGE (port above 65535) or VOX_ETOOLONG (a parameter
 * name over VOX_SIP_MAX_TOKEN). An unknown URI scheme is accepted
 * (uri.scheme == VOX_SIP_SCHEME_OTHER). The slices point into value. */
VOX_MUST_CHECK int vox_sip_addr_parse(struct vox_sip_addr *a, struct vox_slice value,
                                      struct vox_diag *diag);

struct vox_sip_contact {
	int star; /* "Contact: *" (REGISTER only) */
	struct vox_sip_addr addr;
	int has_expires;
	uint32_t expires; /* seconds; values above 2^32-1 give VOX_ERANGE */
	int has_q;
	uint16_t q; /* qvalue times 1000: "0.33" is 330 */
};

/* One Contact value, or "*". Returns 0, or what vox_sip_addr_parse
 * returns, or VOX_EMALFORMED / VOX_ERANGE for an expires that is not
 * delta-seconds below 2^32 or a q that is not a qvalue up to 1. */
VOX_MUST_CHECK int vox_sip_contact_parse(struct vox_sip_contact *c, struct vox_slice value,
                                         struct vox_diag *diag);

/* ---- Via (RFC 3261 20.42, RFC 3581) ------------------------------------ */

struct vox_sip_via {
	struct vox_slice protocol;  /* "SIP" */
	struct vox_slice version;   /* "2.0" */
	struct vox_slice transport; /* "UDP", "TCP", "TLS", "SCTP", "WS", or other token */
	struct vox_sip_host host;   /* sent-by */
	struct vox_sip_params params;
	struct vox_slice branch;   /* p == NULL if absent */
	struct vox_slice received; /* p == NULL if absent */
	struct vox_slice maddr;    /* p == NULL if absent */
	int has_rport;             /* ";rport" with or without a value */
	int rport_has_value;
	uint16_t rport;
	int has_ttl;
	uint8_t ttl;
};

/* One Via value. Returns 0, VOX_EMALFORMED (grammar; branch, received,
 * maddr of the wrong form), VOX_ERANGE (sent-by port or rport above
 * 65535, ttl above 255), VOX_ELIMIT (more than VOX_SIP_MAX_PARAMS
 * parameters) or VOX_ETOOLONG (a parameter name over VOX_SIP_MAX_TOKEN).
 * The slices point into value. */
VOX_MUST_CHECK int vox_sip_via_parse(struct vox_sip_via *v, struct vox_slice value,
                                     struct vox_diag *diag);
/* 1 if the branch starts with the RFC 3261 magic cookie "z9hG4bK"
 * (17.2.3), else 0. */
int vox_sip_via_is_rfc3261(const struct vox_sip_via *v);

/* ---- small typed headers ------------------------------------------------ */

struct vox_sip_cseq {
	uint32_t seq; /* < 2^32 (RFC 3261 8.1.1.5) */
	struct vox_slice method;
	enum vox_sip_method method_id;
};

/* Returns 0, VOX_EMALFORMED or VOX_ERANGE (number above 2^32-1). */
VOX_MUST_CHECK int vox_sip_cseq_parse(struct vox_sip_cseq *c, struct vox_slice value,
                                      struct vox_diag *diag);
/* Call-ID = word [ "@" word ] (RFC 3261 25.1). Returns 0 or VOX_EMALFORMED. */
VOX_MUST_CHECK int vox_sip_callid_parse(struct vox_slice value, struct vox_diag *diag);
/* Max-Forwards: 0..255 (RFC 3261 20.22). Returns 0, VOX_EMALFORMED or
 * VOX_ERANGE; *out is written only on success. */
VOX_MUST_CHECK int vox_sip_max_forwards_parse(struct vox_slice value, uint8_t *out,
                                              struct vox_diag *diag);
/* Content-Length, Expires, Min-Expires: delta-seconds up to max, LWS
 * around it allowed. Returns 0, VOX_EMALFORMED or VOX_ERANGE (> max);
 * *out is written only on success. */
VOX_MUST_CHECK int vox_sip_uint_parse(struct vox_slice value, uint64_t max, uint64_t *out,
                                      struct vox_diag *diag);

/* media-type (RFC 3261 20.15): type "/" subtype *(";" parameter) */
struct vox_sip_ctype {
	struct vox_slice type;
	struct vox_slice subtype;
	struct vox_sip_params params;
};

/* Returns 0, VOX_EMALFORMED, VOX_ELIMIT (more than VOX_SIP_MAX_PARAMS
 * parameters) or VOX_ETOOLONG (a parameter name over VOX_SIP_MAX_TOKEN). */
VOX_MUST_CHECK int vox_sip_ctype_parse(struct vox_sip_ctype *c, struct vox_slice value,
                                       struct vox_diag *diag);

/* One token of a list header (Allow, Supported, Require, Proxy-Require,
 * Unsupported, Content-Encoding): checks it and returns it trimmed in
 * *token (a slice of value). Returns 0 or VOX_EMALFORMED (empty, or not a
 * token). */
VOX_MUST_CHECK int vox_sip_token_parse(struct vox_slice value, struct vox_slice *token,
                                       struct vox_diag *diag);

/* Is m->hdr[i] an empty list that its grammar allows? RFC 3261 25.1 lets
 * Accept, Accept-Encoding, Accept-Language, Allow and Supported be empty
 * ("Supported:", as baresip sends it) when the whole header line is empty;
 * an empty element inside a list ("a,,b") is never allowed. Returns 1 or 0
 * (0 also for i >= m->nhdr). */
int vox_sip_empty_list_ok(const struct vox_sip_msg *m, size_t i);

/* Date = rfc1123-date in GMT (RFC 3261 20.17). */
struct vox_sip_date {
	uint16_t year;
	uint8_t month; /* 1..12 */
	uint8_t day, hour, min, sec;
	uint8_t wday; /* 0 = Sunday */
};

/* Returns 0 or VOX_EMALFORMED. Checks the grammar and each field's range,
 * not the calendar: the weekday and the length of the month are not
 * compared with the date. */
VOX_MUST_CHECK int vox_sip_date_parse(struct vox_sip_date *d, struct vox_slice value,
                                      struct vox_diag *diag);

/* ---- authentication headers (RFC 3261 22, RFC 7616, RFC 8760) ------------ */

struct vox_sip_auth {
	struct vox_slice scheme; /* "Digest", or any other token */
	struct vox_sip_params params;
	/* Digest parameters, p == NULL when absent (quoted values unquoted by
	 * slicing; escapes kept) */
	struct vox_slice realm, nonce, opaque, algorithm, qop, stale, domain;
	struct vox_slice username, uri, response, cnonce, nc, userhash;
};

/* WWW-Authenticate, Proxy-Authenticate (challenge) and Authorization,
 * Proxy-Authorization (credentials) share one grammar. Returns 0,
 * VOX_EMALFORMED (grammar, a Digest parameter given twice) or VOX_ELIMIT
 * (more than VOX_SIP_MAX_PARAMS parameters). Only a Digest value gets
 * these errors: another scheme whose parameters do not parse (a token68,
 * RFC 7235 2.1) is kept opaque, 0 with params.n == 0. The slices point
 * into value. */
VOX_MUST_CHECK int vox_sip_auth_parse(struct vox_sip_auth *a, struct vox_slice value,
                                      struct vox_diag *diag);

/* ---- validation (RFC 3261 8.2, 16.3) --------------------------------- */

enum vox_sip_role { VOX_SIP_ROLE_UAS = 0, VOX_SIP_ROLE_PROXY };

struct vox_sip_validate_opts {
	enum vox_sip_role role;
	/* Option tags we support (Require / Proxy-Require are checked against
	 * them); NULL and 0: none. */
	const char *const *supported;
	size_t nsupported;
	/* Methods we implement (405 otherwise); NULL: do not check methods. */
	const enum vox_sip_method *methods;
	size_t nmethods;
	/* Content types we accept, "type/subtype" (415 otherwise); NULL: any. */
	const char *const *accept;
	size_t naccept;
};

struct vox_sip_verdict {
	unsigned status;     /* 0: accept for processing; else the response to send */
	int drop;            /* a bad response or unusable request: discard silently */
	char reason[96];     /* reason phrase for the response, or why it is dropped */
	const char *detail;  /* what exactly is wrong (static string), or NULL */
	size_t off;          /* offset in the message of what is wrong */
	size_t nunsupported; /* for 420: the option tags to list in Unsupported */
	struct vox_slice unsupported[VOX_SIP_MAX_OPTION_TAGS];
};

/* Applies RFC 3261 8.2 (UAS) or 16.3 (proxy) checks to a parsed message:
 * version (505), mandatory headers present (400), no header repeated that
 * is not a list (400, 7.3.1), every header vox has a decoder for well
 * formed (400), a Content-Type for a body (400, 20.15), CSeq method equal
 * to the request method (400), Request-URI scheme (416), Max-Forwards
 * (483 for a proxy), Require / Proxy-Require (420), method (405),
 * Content-Type (415).
 * Responses are checked for the same syntax and are dropped if bad.
 * Fills *v and returns 0, or VOX_EINVAL (m or v NULL; opts NULL means the
 * defaults: UAS, nothing supported, methods and types not checked).
 * v->reason is a NUL-terminated copy in *v; v->detail is static;
 * v->unsupported[] are slices into m's buffer, at most
 * VOX_SIP_MAX_OPTION_TAGS of them (further tags are not listed). */
VOX_MUST_CHECK int vox_sip_validate(const struct vox_sip_msg *m,
                                    const struct vox_sip_validate_opts *opts,
                                    struct vox_sip_verdict *v);

/* ---- building messages ------------------------------------------------- */

/* Random identifiers from the rng hook (RFC 3261 8.1.1.4, 8.1.1.7, 19.3).
 * Each writes printable characters into out (no NUL) and returns the
 * length: 27 for a branch (it includes the "z9hG4bK" cookie), 16 for a
 * tag, 24 for a Call-ID plus "@" and host when host is not empty. Errors:
 * VOX_ENOSPC (checked before the rng is asked), VOX_ERNG (the hook
 * failed), VOX_EINVAL (rng or rng->fn NULL; for a Call-ID, a host that is
 * not a word of RFC 3261 25.1). */
VOX_MUST_CHECK int vox_sip_make_branch(const struct vox_rng *rng, char *out, size_t cap);
VOX_MUST_CHECK int vox_sip_make_tag(const struct vox_rng *rng, char *out, size_t cap);
VOX_MUST_CHECK int vox_sip_make_callid(const struct vox_rng *rng, struct vox_slice host, char *out,
                                       size_t cap);

/* A header for the builder: name and value written as given (read during
 * the call only). */
struct vox_sip_hdr_out {
	const char *name;
	struct vox_slice value;
};

struct vox_sip_request_spec {
	struct vox_slice method;
	struct vox_slice uri;
	const struct vox_sip_hdr_out *hdr; /* in wire order, without Content-Length */
	size_t nhdr;
	struct vox_slice content_type; /* empty: no Content-Type */
	struct vox_slice body;
};

/* Writes a request and its Content-Length into out (no NUL). Returns bytes
 * written, VOX_ENOSPC, or VOX_EINVAL (a NULL name, a non-token method or
 * name, a value with a control byte other than HTAB in it, CR and LF
 * included, an empty Request-URI or one with whitespace). */
VOX_MUST_CHECK int vox_sip_build_request(const struct vox_sip_request_spec *spec, char *out,
                                         size_t cap);

/*
 * Writes a response to a request as RFC 3261 8.2.6.2 asks: every Via in
 * order, From, To (with to_tag added when To has none and to_tag is not
 * empty; never for 100), Call-ID and CSeq copied; then extra headers, then
 * Content-Type / Content-Length and the body. reason NULL picks the
 * standard phrase. source (may be NULL) is where the request came from: the
 * top Via then gets received= when sent-by is not that address (RFC 3261
 * 18.2.1) and the port in an empty rport (RFC 3581 4); a top Via that
 * vox_sip_via_stamp refuses (it does not parse, or its stamped form would
 * pass VOX_SIP_MAX_TOKEN + 256 bytes) is copied as it came, unstamped.
 * Returns bytes written (no NUL), VOX_ENOSPC or VOX_EINVAL (req NULL or a
 * response; status outside 100..699; a reason, to_tag or extra header as
 * vox_sip_build_request refuses them, or a to_tag that is not a token; req
 * without Via, From, To, Call-ID or CSeq, or with a To that does not
 * parse).
 */
VOX_MUST_CHECK int vox_sip_build_response(const struct vox_sip_msg *req,
                                          const struct vox_addr *source, unsigned status,
                                          const char *reason, struct vox_slice to_tag,
                                          const struct vox_sip_hdr_out *extra, size_t nextra,
                                          struct vox_slice content_type, struct vox_slice body,
                                          char *out, size_t cap);

/* The best-effort answer to a request that failed the checks of RFC 3261
 * 8.2 (vox_sip_validate): RFC 4475 asks for a 400 "ideally" even when the
 * request lacks headers a response copies. Like vox_sip_build_response,
 * without a body, but it copies only the Via, From, To, Call-ID and CSeq
 * the request has, and adds to_tag only to a To that parses. The peer may
 * not be able to match it; it is still better than silence. Returns bytes
 * written, VOX_ENOSPC or VOX_EINVAL (req NULL or a response; status below
 * 300 or above 699; reason, to_tag or extra refused as above). */
VOX_MUST_CHECK int vox_sip_build_error_response(const struct vox_sip_msg *req,
                                                const struct vox_addr *source, unsigned status,
                                                const char *reason, struct vox_slice to_tag,
                                                const struct vox_sip_hdr_out *extra, size_t nextra,
                                                char *out, size_t cap);

/* The top Via value of a response as RFC 3261 18.2.1 and RFC 3581 4 want
 * it, for a request that came from `source`: received= when the sent-by
 * host is not that address, and rport=port when rport came empty (then
 * received= always). Writes it into out (no NUL); source must not be
 * NULL. Returns the length, VOX_ENOSPC or VOX_EMALFORMED (via does not
 * parse as a Via value). */
VOX_MUST_CHECK int vox_sip_via_stamp(struct vox_slice via, const struct vox_addr *source, char *out,
                                     size_t cap);

/* Standard reason phrase of a status code (RFC 3261 21), or "Unknown";
 * a static string. */
const char *vox_sip_reason_phrase(unsigned status);

#ifdef __cplusplus
}
#endif

#endif /* VOX_SIP_H */
