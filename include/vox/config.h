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

/* TLS transport over mbedTLS. */
#ifndef VOX_WITH_TLS
#define VOX_WITH_TLS 1
#endif
/* SRTP through libsrtp2 (srtp_glue/). */
#ifndef VOX_WITH_SRTP
#define VOX_WITH_SRTP 1
#endif
/* SDES keys in SDP a=crypto (RFC 4568). Requires VOX_WITH_SRTP. */
#ifndef VOX_WITH_SDES
#define VOX_WITH_SDES 1
#endif
/* ZRTP key agreement (RFC 6189). Requires VOX_WITH_SRTP. */
#ifndef VOX_WITH_ZRTP
#define VOX_WITH_ZRTP 1
#endif
/* SHA-256 and SHA-512-256 digest authentication (RFC 8760) besides MD5. */
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
/* Parameters kept per URI, Via or name-addr; more gives VOX_ELIMIT. */
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

/* Bytes a transaction keeps to retransmit (the request, the last response
 * or the ACK). RFC 3261 18.1.1: requests above 1300 bytes should not go
 * over UDP, so 1500 holds any message that needs retransmitting. */
#ifndef VOX_SIP_TXN_MSG
#define VOX_SIP_TXN_MSG 1500
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
/* Longest description vox builds (offer or answer), in bytes. The
 * offer/answer state keeps a copy of the last one sent, to decide whether
 * the o= version must grow (RFC 3264 8). */
#ifndef VOX_SDP_MAX_BUILD
#define VOX_SDP_MAX_BUILD 2048
#endif
/* Longest address (IP literal or host name) copied into a negotiated
 * session, in bytes. */
#ifndef VOX_SDP_MAX_ADDR
#define VOX_SDP_MAX_ADDR 64
#endif

/* ---- consistency check ------------------------------------------------ */

#if VOX_WITH_SDES && !VOX_WITH_SRTP
#error "VOX_WITH_SDES requires VOX_WITH_SRTP"
#endif
#if VOX_WITH_ZRTP && !VOX_WITH_SRTP
#error "VOX_WITH_ZRTP requires VOX_WITH_SRTP"
#endif
#if VOX_SIP_MAX_MSG < 1300 || VOX_SIP_MAX_MSG > 16777215
#error "VOX_SIP_MAX_MSG must lie between 1300 (RFC 3261 18.1.1) and 16 MiB"
#endif
#if VOX_SIP_MAX_HEADERS < 8
#error "VOX_SIP_MAX_HEADERS below 8 cannot hold the mandatory headers of RFC 3261 8.1.1"
#endif
#if VOX_SIP_MAX_VIA < 1 || VOX_SIP_MAX_VIA > VOX_SIP_MAX_HEADERS
#error "VOX_SIP_MAX_VIA must lie between 1 and VOX_SIP_MAX_HEADERS"
#endif
#if VOX_SIP_MAX_PARAMS < 4
#error "VOX_SIP_MAX_PARAMS below 4 cannot hold branch, received, rport and a tag"
#endif
#if VOX_SIP_TXN_MSG < 512 || VOX_SIP_TXN_MSG > 65535
#error "VOX_SIP_TXN_MSG must lie between 512 and 65535"
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

#endif /* VOX_CONFIG_H */
