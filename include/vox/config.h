/* SPDX-License-Identifier: MIT */
/*
 * vox compile-time configuration.
 *
 * Every option has a default below, a meaning and a unit. To change one, either
 * pass -DNAME=value or write your own file and build with
 * -DVOX_CONFIG_FILE='"myconfig.h"'; that file is read first, so whatever it
 * defines wins over the defaults here. configs/ holds the two profiles CI builds.
 *
 * The limits bound every table a parser fills. Past a limit a parser returns
 * VOX_ELIMIT (too many items) or VOX_ETOOLONG (one item too long): it never
 * truncates silently.
 */
#ifndef VOX_CONFIG_H
#define VOX_CONFIG_H

#ifdef VOX_CONFIG_FILE
#include VOX_CONFIG_FILE
#endif

/* ---- feature switches (0 or 1) ---------------------------------------- */

/* Each switch removes code: a feature switched off is not compiled in, so
 * it costs no flash (make size shows what each one saves). */

/* TLS over mbedTLS (transport/tls*.c, vox/tls.h). At 0 those files
 * compile to nothing and vox/tls.h declares nothing. */
#ifndef VOX_WITH_TLS
#define VOX_WITH_TLS 1
#endif

/* SRTP and SRTCP through libsrtp2 (srtp_glue/). At 0, srtp_glue/ compiles
 * to nothing and libsrtp2 is neither included nor linked: vox/srtp.h then
 * declares nothing, vox_srtp_suite_available() answers 0 for every suite
 * (so SDP offers and accepts only clear RTP/AVP), and a call whose media
 * policy is mandatory is refused with VOX_EPOLICY. */
#ifndef VOX_WITH_SRTP
#define VOX_WITH_SRTP 1
#endif
/* ZRTP (RFC 6189): zrtp/ and vox/zrtp.h, key agreement in the media path
 * with mbedTLS's hashes, AES and (EC)DH. At 0 zrtp/ compiles to nothing
 * and vox/zrtp.h declares nothing. */
#ifndef VOX_WITH_ZRTP
#define VOX_WITH_ZRTP 1
#endif
/* SDES keys in SDP a=crypto (RFC 4568): offered, and accepted in offers
 * and answers. At 0 vox still parses a=crypto (to refuse an RTP/SAVP offer
 * by name) but never sends or takes a key that way. Requires
 * VOX_WITH_SRTP. */
#ifndef VOX_WITH_SDES
#define VOX_WITH_SDES 1
#endif
/* SHA-256 and SHA-512/256 digest authentication (RFC 8760) besides MD5.
 * At 0 vox answers and issues MD5 challenges only (a challenge naming
 * only SHA-2 algorithms goes unanswered) and leaves out SHA-512; SHA-256
 * stays for the registrar's nonce MAC (HMAC-SHA-256). */
#ifndef VOX_WITH_DIGEST_SHA2
#define VOX_WITH_DIGEST_SHA2 1
#endif

/* ---- SIP message limits ----------------------------------------------- */

/* Largest SIP message accepted, in bytes (start line, headers and body). */
#ifndef VOX_SIP_MAX_MSG
#define VOX_SIP_MAX_MSG 65535
#endif
/* Header entries per message. A comma-separated list header counts one entry
 * per value (RFC 3261 7.3.1). */
#ifndef VOX_SIP_MAX_HEADERS
#define VOX_SIP_MAX_HEADERS 128
#endif
/* Via entries per message (a proxy chain longer than this is refused).
 * 70 matches the Max-Forwards a UAC starts with (RFC 3261 8.1.1.6). */
#ifndef VOX_SIP_MAX_VIA
#define VOX_SIP_MAX_VIA 70
#endif
/* Parameters kept per URI, Via, name-addr or authentication header; more
 * gives VOX_ELIMIT. Digest credentials have up to 11 (username, realm,
 * uri, algorithm, nonce, nc, cnonce, qop, response, opaque, userhash:
 * RFC 7616 3.4), so that is the least a profile may set. */
#ifndef VOX_SIP_MAX_PARAMS
#define VOX_SIP_MAX_PARAMS 16
#endif
/* Longest single token (method, header name, parameter name), in bytes. */
#ifndef VOX_SIP_MAX_TOKEN
#define VOX_SIP_MAX_TOKEN 256
#endif
/* Option tags kept per Require/Supported/Proxy-Require header list. */
#ifndef VOX_SIP_MAX_OPTION_TAGS
#define VOX_SIP_MAX_OPTION_TAGS 16
#endif

/* ---- transactions and dialogs ------------------------------------------ */

/* The longest SIP message a UA builds and keeps to retransmit (a request,
 * a response, an ACK), and so the size of its build scratch. The bytes
 * kept live in the arena (VOX_UA_ARENA), so a long message costs its own
 * length only while it is kept; what this sets is the fixed buffers.
 * RFC 3261 18.1.1 keeps our requests under 1300 bytes over UDP, but a
 * response copies its request's Via, From, To, Call-ID and CSeq (8.2.6.2):
 * a request that came through many proxies, or over TCP, gets a long
 * answer. RFC 4475's valid longreq.dat (3,515 bytes, 34 Vias) needs 2,612
 * bytes for its 100 Trying. A request whose answers cannot fit is refused
 * with VOX_ETOOLONG from vox_ua_recv. configs/minimal.h sets 1500. */
#ifndef VOX_SIP_TXN_MSG
#define VOX_SIP_TXN_MSG 4096
#endif
/* Bytes a transaction keeps of what messages are matched to it on (RFC
 * 3261 17.1.3, 17.2.3): the branch, sent-by and method, or for an RFC
 * 2543 peer its Request-URI, From tag, Call-ID, CSeq and top Via, each
 * with a few bytes of framing. A request whose own do not fit cannot be
 * told apart from others and is refused (VOX_ETOOLONG). They live in the
 * arena (VOX_SIP_CHUNK): this is a bound, not what each one costs.
 * RFC 3261 bounds no branch: longreq.dat's (RFC 4475) has 216 bytes. */
#ifndef VOX_SIP_TXN_ID
#define VOX_SIP_TXN_ID 512
#endif
/* Bytes in one chunk of a transaction layer's arena (docs/architecture.md,
 * Memory): a stored message takes whole chunks, so smaller chunks waste
 * less at the end of each message and cost 2 bytes of link each. */
#ifndef VOX_SIP_CHUNK
#define VOX_SIP_CHUNK 64
#endif
/* Bytes a dialog keeps for its Call-ID, From, To, remote target and route
 * set (RFC 3261 12); a dialog that needs more is refused with VOX_ETOOLONG. */
#ifndef VOX_SIP_DLG_STORE
#define VOX_SIP_DLG_STORE 1024
#endif
/* Events a transaction layer queues before the caller drains them. */
#ifndef VOX_SIP_TXL_QUEUE
#define VOX_SIP_TXL_QUEUE 64
#endif

/* ---- SDP limits -------------------------------------------------------- */

/* Largest session description parsed, in bytes. */
#ifndef VOX_SDP_MAX_SIZE
#define VOX_SDP_MAX_SIZE 16384
#endif
/* Media descriptions (m= lines) per session description. */
#ifndef VOX_SDP_MAX_MEDIA
#define VOX_SDP_MAX_MEDIA 8
#endif
/* Formats (payload types) listed on one m= line. */
#ifndef VOX_SDP_MAX_FMTS
#define VOX_SDP_MAX_FMTS 32
#endif
/* a= lines per description, session and media levels together. */
#ifndef VOX_SDP_MAX_ATTRS
#define VOX_SDP_MAX_ATTRS 96
#endif
/* a=crypto lines per description (RFC 4568), all media together. */
#ifndef VOX_SDP_MAX_CRYPTO
#define VOX_SDP_MAX_CRYPTO 16
#endif
/* key-params in one a=crypto line (RFC 4568 6.1: several keys, told apart
 * by their MKI). libsrtp2 takes at most 16 master keys per stream. */
#ifndef VOX_SDP_MAX_KEYS
#define VOX_SDP_MAX_KEYS 4
#endif
/* b= lines per level; also e= and p= lines and t= lines per description,
 * and r= lines per t= line. */
#ifndef VOX_SDP_MAX_FIELDS
#define VOX_SDP_MAX_FIELDS 4
#endif
/* Longest description vox builds (offer or answer), in bytes. */
#ifndef VOX_SDP_MAX_BUILD
#define VOX_SDP_MAX_BUILD 2048
#endif
/* Longest address (IP literal or host name) copied into a negotiated
 * session, in bytes. */
#ifndef VOX_SDP_MAX_ADDR
#define VOX_SDP_MAX_ADDR 64
#endif

/* ---- RTP, RTCP and the jitter buffer (rtp/) ----------------------------- */

/* Header-extension elements (RFC 8285) kept per parsed RTP packet; a packet
 * with more elements is refused with VOX_ELIMIT. */
#ifndef VOX_RTP_MAX_EXT
#define VOX_RTP_MAX_EXT 16
#endif
/* Remote synchronisation sources one RTP session keeps statistics for (and
 * reports on in each RTCP RR/SR). A further SSRC is ignored and counted. */
#ifndef VOX_RTP_MAX_SOURCES
#define VOX_RTP_MAX_SOURCES 8
#endif
/* Individual packets the RTCP compound parser accepts in one datagram. */
#ifndef VOX_RTCP_MAX_PACKETS
#define VOX_RTCP_MAX_PACKETS 16
#endif
/* Bytes of our own SDES CNAME kept by an RTP session (RFC 3550 6.5.1). */
#ifndef VOX_RTCP_MAX_CNAME
#define VOX_RTCP_MAX_CNAME 64
#endif
/* Events an RTP session or SRTP session queues before the oldest is dropped. */
#ifndef VOX_RTP_MAX_EVENTS
#define VOX_RTP_MAX_EVENTS 8
#endif
/* Frames a jitter buffer holds; with 20 ms frames, 16 slots hold 320 ms. */
#ifndef VOX_JB_SLOTS
#define VOX_JB_SLOTS 16
#endif
/* Largest payload of one jitter-buffer frame, in bytes (G.711 at 20 ms: 160). */
#ifndef VOX_JB_MAX_FRAME
#define VOX_JB_MAX_FRAME 320
#endif

/* ---- SRTP (srtp_glue/) ---------------------------------------------------- */

/* Packets in the SRTP/SRTCP replay window of a receiving session (RFC 3711
 * 3.3.2 asks for at least 64; libsrtp2 accepts 64..32767). */
#ifndef VOX_SRTP_REPLAY_WINDOW
#define VOX_SRTP_REPLAY_WINDOW 128
#endif
/* SSRCs a receiving session opened for "any SSRC" learns; packets of a
 * further SSRC are refused before any crypto runs. Requires VOX_WITH_SRTP. */
#ifndef VOX_SRTP_MAX_SSRC
#define VOX_SRTP_MAX_SSRC 4
#endif
/* Share of a master key's lifetime, in percent, after which a session queues
 * VOX_SRTP_EV_KEY_SOFT_LIMIT so that signalling can re-key in time. */
#ifndef VOX_SRTP_SOFT_LIMIT_PERCENT
#define VOX_SRTP_SOFT_LIMIT_PERCENT 90
#endif

/* ---- SRTP keys -------------------------------------------------------- */

/* Longest MKI a key carries, in bytes (RFC 4568 allows 1..128; phones use
 * 1 to 4). An a=crypto line with a longer MKI is unusable to vox, so the
 * answerer takes another line. Every key in a call's state holds this
 * many bytes, so the default keeps keys small. */
#ifndef VOX_SRTP_MAX_MKI
#define VOX_SRTP_MAX_MKI 32
#endif

/* ---- TLS (transport/) -------------------------------------------------- */

/* Bytes a TLS connection holds in each direction between the transport
 * and mbedTLS: received bytes mbedTLS has not read yet, and bytes it wrote
 * that the transport has not taken yet. Records larger than this pass in
 * pieces (mbedTLS keeps its own 16 KiB record buffers, vox/tls.h). */
#ifndef VOX_TLS_BUF
#define VOX_TLS_BUF 4096
#endif
/* The system trust store a TLS client uses when given no CA: a PEM file of
 * CA certificates (Debian's ca-certificates package). */
#ifndef VOX_TLS_SYSTEM_CA
#define VOX_TLS_SYSTEM_CA "/etc/ssl/certs/ca-certificates.crt"
#endif

/* ---- a user agent (ua/, vox/ua.h) --------------------------------------------- */

/* Calls a UA runs at once (each one slot of struct vox_ua). */
#ifndef VOX_UA_MAX_CALLS
#define VOX_UA_MAX_CALLS 8
#endif
/* Accounts (registrations) a UA holds. */
#ifndef VOX_UA_MAX_ACCOUNTS
#define VOX_UA_MAX_ACCOUNTS 4
#endif
/* Transaction control blocks of a UA (about 100 bytes each). A call uses
 * two or three at a time. The ones that only linger to absorb
 * retransmissions (a served INVITE for 32 s after its 2xx, a served BYE
 * for 32 s over UDP: 640 of them at 10 calls a second) keep nothing but
 * what they match on, and give way to new transactions when the pool is
 * full (vox/sip_txn.h). Requests from outside never take the last
 * 2 * VOX_UA_MAX_CALLS + VOX_UA_MAX_ACCOUNTS: our own REGISTER refreshes,
 * BYEs, CANCELs and re-INVITEs. */
#ifndef VOX_UA_MAX_TXN
#define VOX_UA_MAX_TXN (24 * VOX_UA_MAX_CALLS + 2 * VOX_UA_MAX_ACCOUNTS)
#endif
/* Bytes of a UA's retransmission arena: the messages its transactions may
 * still have to send again over UDP, and what each one matches on.
 * make check's simulator holds 10 calls a second on the default; a UA that
 * finds it full answers new requests with 503 and its own actions fail
 * with VOX_EPOOL. */
#ifndef VOX_UA_ARENA
#define VOX_UA_ARENA (4096 * VOX_UA_MAX_CALLS)
#endif
/* Messages a UA sends outside transactions (ACKs for 2xx, stateless
 * answers such as 400 or 481) that wait for vox_ua_poll_output. Their
 * bytes are in the arena, which they may fill to a quarter at most; one
 * that finds no room is dropped like a lost datagram (the peer
 * retransmits) and counted in struct vox_ua's dropped_out. */
#ifndef VOX_UA_OUTQ
#define VOX_UA_OUTQ 32
#endif
/* Host names a UA resolves or keeps the answer of at once (RFC 3263:
 * the outbound proxy's, registrars', callees'); about 260 bytes each. A
 * request to a new name when every slot waits for an answer fails with
 * VOX_EPOOL; an answer no request waits for gives way to a new name. */
#ifndef VOX_UA_MAX_NAMES
#define VOX_UA_MAX_NAMES 4
#endif
/* Targets one answer holds (vox_ua_resolved): a request tries them in
 * turn when one is dead (RFC 3263 4.3). */
#ifndef VOX_UA_MAX_TARGETS
#define VOX_UA_MAX_TARGETS 4
#endif
/* Events a UA queues before the oldest is dropped. */
#ifndef VOX_UA_MAX_EVENTS
#define VOX_UA_MAX_EVENTS 64
#endif

/* ---- ZRTP (zrtp/) ---------------------------------------------------------- */

/* The time, in ms from the start of a call's media, that its ZRTP exchange
 * has to complete (vox_ua_config.zrtp_timeout_ms overrides it per UA).
 * Past it the session is given up (VOX_UA_EV_ZRTP_FAILED, "timeout"), and
 * under policy mandatory a call with no other keys ends with that reason:
 * no media ever flowed in it. RFC 6189 6 lets a Hello go unanswered for
 * about 4 s (T1) and a Commit or DHPart2 for about 11 s (T2); 15 s is
 * above a handshake through heavy loss, below a person's patience.
 * Requires VOX_WITH_ZRTP. */
#ifndef VOX_ZRTP_SETUP_MS
#define VOX_ZRTP_SETUP_MS 15000
#endif

/* Peers whose retained secrets a struct vox_zrtp_cache remembers (121
 * bytes each, and as many in its file). Requires VOX_WITH_ZRTP. */
#ifndef VOX_ZRTP_CACHE_MAX
#define VOX_ZRTP_CACHE_MAX 32
#endif

/* ---- consistency check ------------------------------------------------ */

#if VOX_WITH_SDES && !VOX_WITH_SRTP
#error "VOX_WITH_SDES requires VOX_WITH_SRTP"
#endif
#if VOX_SIP_MAX_MSG < 1300 || VOX_SIP_MAX_MSG > 16777215
#error "VOX_SIP_MAX_MSG must lie between 1300 (RFC 3261 18.1.1) and 16 MiB"
#endif
#if VOX_UA_OUTQ < 1 || VOX_UA_OUTQ > 65535
#error "VOX_UA_OUTQ must lie between 1 and 65535"
#endif
#if VOX_SIP_MAX_HEADERS < 8
#error "VOX_SIP_MAX_HEADERS below 8 cannot hold the mandatory headers of RFC 3261 8.1.1"
#endif
#if VOX_SIP_MAX_VIA < 1 || VOX_SIP_MAX_VIA > VOX_SIP_MAX_HEADERS
#error "VOX_SIP_MAX_VIA must lie between 1 and VOX_SIP_MAX_HEADERS"
#endif
#if VOX_SIP_MAX_PARAMS < 11
#error "VOX_SIP_MAX_PARAMS below 11 cannot hold the digest credentials of RFC 7616 3.4"
#endif
#if VOX_SRTP_MAX_MKI < 4 || VOX_SRTP_MAX_MKI > 128
#error "VOX_SRTP_MAX_MKI must lie between 4 and 128 (RFC 4568 9.2)"
#endif
#if VOX_SIP_TXN_MSG < 512 || VOX_SIP_TXN_MSG > 65535
#error "VOX_SIP_TXN_MSG must lie between 512 and 65535"
#endif
#if VOX_SIP_TXN_ID < 64 || VOX_SIP_TXN_ID > 4096
#error "VOX_SIP_TXN_ID must lie between 64 and 4096"
#endif
#if VOX_SIP_CHUNK < 16 || VOX_SIP_CHUNK > 4096
#error "VOX_SIP_CHUNK must lie between 16 and 4096 bytes"
#endif
#if VOX_UA_MAX_CALLS < 1 || VOX_UA_MAX_CALLS > 65534
#error "VOX_UA_MAX_CALLS must lie between 1 and 65534 (a handle's slot is 16 bits)"
#endif
#if VOX_UA_MAX_ACCOUNTS < 1 || VOX_UA_MAX_ACCOUNTS > 65534
#error "VOX_UA_MAX_ACCOUNTS must lie between 1 and 65534"
#endif
#if VOX_UA_MAX_TXN < 4 * VOX_UA_MAX_CALLS + 2 * VOX_UA_MAX_ACCOUNTS || VOX_UA_MAX_TXN > 65534
#error "VOX_UA_MAX_TXN must hold four transactions a call and two an account, and at most 65534"
#endif
#if VOX_UA_ARENA / VOX_SIP_CHUNK > 65534
#error "VOX_UA_ARENA holds more than 65534 chunks of VOX_SIP_CHUNK: make the chunks larger"
#endif
#if VOX_UA_ARENA < 4 * (VOX_SIP_TXN_MSG + VOX_SIP_TXN_ID + VOX_SIP_CHUNK)
#error "VOX_UA_ARENA must hold at least four messages of VOX_SIP_TXN_MSG bytes"
#endif
#if VOX_UA_MAX_NAMES < 1 || VOX_UA_MAX_NAMES > 255
#error "VOX_UA_MAX_NAMES must lie between 1 and 255"
#endif
#if VOX_UA_MAX_TARGETS < 1 || VOX_UA_MAX_TARGETS > 255
#error "VOX_UA_MAX_TARGETS must lie between 1 and 255"
#endif
#if VOX_UA_MAX_EVENTS < 4 || VOX_UA_MAX_EVENTS > 65535
#error "VOX_UA_MAX_EVENTS must lie between 4 and 65535"
#endif
#if VOX_SIP_DLG_STORE < 256 || VOX_SIP_DLG_STORE > 65535
#error "VOX_SIP_DLG_STORE must lie between 256 and 65535"
#endif
#if VOX_SIP_TXL_QUEUE < 4
#error "VOX_SIP_TXL_QUEUE must be at least 4"
#endif
#if VOX_SIP_MAX_TOKEN < 32
#error "VOX_SIP_MAX_TOKEN below 32 cannot hold common header names"
#endif

#if VOX_SDP_MAX_SIZE < 512 || VOX_SDP_MAX_SIZE > 16777215
#error "VOX_SDP_MAX_SIZE must lie between 512 and 16 MiB"
#endif
#if VOX_SDP_MAX_MEDIA < 1 || VOX_SDP_MAX_MEDIA > 127
#error "VOX_SDP_MAX_MEDIA must lie between 1 and 127"
#endif
#if VOX_SDP_MAX_FMTS < 4 || VOX_SDP_MAX_FMTS > 255
#error "VOX_SDP_MAX_FMTS must lie between 4 (PCMU, PCMA, telephone-event, one more) and 255"
#endif
#if VOX_SDP_MAX_ATTRS < 8 || VOX_SDP_MAX_ATTRS > 65535
#error "VOX_SDP_MAX_ATTRS must lie between 8 and 65535"
#endif
#if VOX_SDP_MAX_CRYPTO < 1 || VOX_SDP_MAX_CRYPTO > 255
#error "VOX_SDP_MAX_CRYPTO must lie between 1 and 255"
#endif
#if VOX_SDP_MAX_KEYS < 1 || VOX_SDP_MAX_KEYS > 16
#error "VOX_SDP_MAX_KEYS must lie between 1 and 16 (libsrtp2's master key limit)"
#endif
#if VOX_SDP_MAX_FIELDS < 1 || VOX_SDP_MAX_FIELDS > 255
#error "VOX_SDP_MAX_FIELDS must lie between 1 and 255"
#endif
#if VOX_SDP_MAX_BUILD < 512 || VOX_SDP_MAX_BUILD > VOX_SDP_MAX_SIZE
#error "VOX_SDP_MAX_BUILD must lie between 512 and VOX_SDP_MAX_SIZE"
#endif
#if VOX_SDP_MAX_ADDR < 46 || VOX_SDP_MAX_ADDR > 255
#error "VOX_SDP_MAX_ADDR must lie between 46 (an IPv6 literal) and 255 (a DNS name)"
#endif
#if VOX_RTP_MAX_EXT < 1 || VOX_RTP_MAX_EXT > 255
#error "VOX_RTP_MAX_EXT must lie between 1 and 255 (the two-byte form's ID space)"
#endif
#if VOX_RTP_MAX_SOURCES < 1 || VOX_RTP_MAX_SOURCES > 31
#error "VOX_RTP_MAX_SOURCES must lie between 1 and 31 (report blocks in one RR, RFC 3550 6.4.2)"
#endif
#if VOX_RTCP_MAX_PACKETS < 2
#error "VOX_RTCP_MAX_PACKETS below 2 cannot hold a report and an SDES (RFC 3550 6.1)"
#endif
#if VOX_RTCP_MAX_CNAME < 1 || VOX_RTCP_MAX_CNAME > 255
#error "VOX_RTCP_MAX_CNAME must lie between 1 and 255 (SDES item length, RFC 3550 6.5)"
#endif
#if VOX_RTP_MAX_EVENTS < 1
#error "VOX_RTP_MAX_EVENTS must be at least 1"
#endif
#if VOX_JB_SLOTS < 4 || VOX_JB_SLOTS > 1024
#error "VOX_JB_SLOTS must lie between 4 and 1024"
#endif
#if VOX_JB_MAX_FRAME < 160 || VOX_JB_MAX_FRAME > 65535
#error "VOX_JB_MAX_FRAME must hold at least one 20 ms G.711 frame (160 bytes)"
#endif
#if VOX_SRTP_REPLAY_WINDOW < 64 || VOX_SRTP_REPLAY_WINDOW > 32767
#error "VOX_SRTP_REPLAY_WINDOW must lie between 64 (RFC 3711 3.3.2) and 32767 (libsrtp2)"
#endif
#if VOX_SRTP_MAX_SSRC < 1 || VOX_SRTP_MAX_SSRC > 64
#error "VOX_SRTP_MAX_SSRC must lie between 1 and 64"
#endif
#if VOX_SRTP_SOFT_LIMIT_PERCENT < 1 || VOX_SRTP_SOFT_LIMIT_PERCENT > 99
#error "VOX_SRTP_SOFT_LIMIT_PERCENT must lie between 1 and 99"
#endif
#if VOX_ZRTP_SETUP_MS < 1000 || VOX_ZRTP_SETUP_MS > 600000
#error "VOX_ZRTP_SETUP_MS must lie between 1000 and 600000 (ms)"
#endif
#if VOX_ZRTP_CACHE_MAX < 1 || VOX_ZRTP_CACHE_MAX > 65535
#error "VOX_ZRTP_CACHE_MAX must lie between 1 and 65535 (the cache file's 16-bit count)"
#endif
#if VOX_TLS_BUF < 256 || VOX_TLS_BUF > 1048576
#error "VOX_TLS_BUF must lie between 256 (a record's overhead and some data) and 1 MiB"
#endif

/* ---- configuration fingerprint --------------------------------------------- */

/* A number made of the options above that shape a struct. The
 * _init functions of structs that depend on the configuration (vox_ua_init,
 * vox_sip_txl_init) are macros that pass the caller's fingerprint to the
 * library, which refuses one that differs from its own with VOX_ECONFIG:
 * a program compiled with other limits than the library would otherwise
 * hand it a struct of another size and layout. */
/* A sum of the options, each times its own odd constant (mod 2^32). */
#define VOX_CONFIG_FINGERPRINT                                                                     \
	((uint32_t)(0x564f5801u /* "VOX", 1 */                                                     \
	            + 0x9e3779b1u * (uint32_t)(VOX_SIP_MAX_HEADERS) +                              \
	            0xc9497997u * (uint32_t)(VOX_SIP_MAX_VIA) +                                    \
	            0xdd2f5685u * (uint32_t)(VOX_SIP_MAX_PARAMS) +                                 \
	            0x6af02fdbu * (uint32_t)(VOX_SIP_MAX_OPTION_TAGS) +                            \
	            0xad0ee179u * (uint32_t)(VOX_SIP_TXN_MSG) +                                    \
	            0xe96b89bfu * (uint32_t)(VOX_SIP_TXN_ID) +                                     \
	            0x1bb1978du * (uint32_t)(VOX_SIP_CHUNK) +                                      \
	            0xcb7bc043u * (uint32_t)(VOX_SIP_DLG_STORE) +                                  \
	            0x994bbdc1u * (uint32_t)(VOX_SIP_TXL_QUEUE) +                                  \
	            0x5e8e3467u * (uint32_t)(VOX_SDP_MAX_MEDIA) +                                  \
	            0xfb2ba115u * (uint32_t)(VOX_SDP_MAX_FMTS) +                                   \
	            0xee05af2bu * (uint32_t)(VOX_SDP_MAX_ATTRS) +                                  \
	            0xb47cd689u * (uint32_t)(VOX_SDP_MAX_CRYPTO) +                                 \
	            0x715ca18fu * (uint32_t)(VOX_SDP_MAX_KEYS) +                                   \
	            0xc1dd7b1du * (uint32_t)(VOX_SDP_MAX_FIELDS) +                                 \
	            0x95b16493u * (uint32_t)(VOX_SDP_MAX_BUILD) +                                  \
	            0x591573d1u * (uint32_t)(VOX_SDP_MAX_ADDR) +                                   \
	            0x41cc7937u * (uint32_t)(VOX_SRTP_MAX_MKI) +                                   \
	            0x56bfada5u * (uint32_t)(VOX_SRTP_MAX_SSRC) +                                  \
	            0xb230c87bu * (uint32_t)(VOX_RTP_MAX_EXT) +                                    \
	            0xc0355d99u * (uint32_t)(VOX_RTP_MAX_SOURCES) +                                \
	            0xad45e35fu * (uint32_t)(VOX_RTCP_MAX_PACKETS) +                               \
	            0xa08b40adu * (uint32_t)(VOX_RTCP_MAX_CNAME) +                                 \
	            0xb62c42e3u * (uint32_t)(VOX_RTP_MAX_EVENTS) +                                 \
	            0x2bf0dbe1u * (uint32_t)(VOX_JB_SLOTS) +                                       \
	            0x2f4b8807u * (uint32_t)(VOX_JB_MAX_FRAME) +                                   \
	            0x8d41bc35u * (uint32_t)(VOX_TLS_BUF) +                                        \
	            0xac2abbcbu * (uint32_t)(VOX_WITH_SRTP) +                                      \
	            0x6d2b79f5u * (uint32_t)(VOX_WITH_ZRTP) +                                      \
	            0x2e18b6a9u * (uint32_t)(VOX_WITH_SDES) +                                      \
	            0xe4a28f2fu * (uint32_t)(VOX_WITH_TLS) +                                       \
	            0xca35283du * (uint32_t)(VOX_WITH_DIGEST_SHA2) +                               \
	            0x71f99b33u * (uint32_t)(VOX_UA_MAX_CALLS) +                                   \
	            0x538235f1u * (uint32_t)(VOX_UA_MAX_ACCOUNTS) +                                \
	            0x58faa0d7u * (uint32_t)(VOX_UA_MAX_TXN) +                                     \
	            0xb4900cc5u * (uint32_t)(VOX_UA_ARENA) +                                       \
	            0x0294c91bu * (uint32_t)(VOX_UA_MAX_EVENTS) +                                  \
	            0x7feb352du * (uint32_t)(VOX_UA_OUTQ) +                                        \
	            0x3c6ef373u * (uint32_t)(VOX_UA_MAX_NAMES) +                                   \
	            0xa54ff53bu * (uint32_t)(VOX_UA_MAX_TARGETS)))

#endif /* VOX_CONFIG_H */
