/* SPDX-License-Identifier: MIT */
/*
 * vox/loop.h: the event loop that runs one UA (vox/ua.h) on real sockets:
 * UDP, TCP and TLS over IPv4 and IPv6, one poll(), the POSIX monotonic
 * clock. docs/transport.md is the guide.
 *
 * Everything below transport/ is sans-I/O: bytes and time in, bytes and a
 * deadline out. This file is the other half, the one piece of vox that
 * opens sockets, reads the clock and sleeps:
 *
 *   vox_loop_init(loop, &cfg)                  the UA it drives, TLS configs
 *   vox_loop_listen(loop, VOX_TP_UDP, &addr, &bound)   as many as needed
 *   for (;;) {
 *           vox_loop_run(loop, until);         poll until I/O, a deadline or until
 *           while (vox_loop_next_event(loop, &ev)) handle(&ev);
 *   }
 *
 * vox_loop_run feeds what arrives to the UA (vox_ua_recv for SIP,
 * vox_ua_media_recv for a call's RTP and RTCP), runs its timers, and sends
 * what it emits. After calling the UA directly (vox_ua_register,
 * vox_ua_send_pcm, vox_ua_hangup, ...), call vox_loop_flush so that its
 * output leaves at once; vox_loop_call and vox_loop_answer bind a call's
 * media sockets for you.
 *
 * Connections (RFC 3261 18): a request to a TCP or TLS peer goes over the
 * connection already open to that peer, or a new one (opened without
 * blocking; what is sent meanwhile waits in the connection's buffer); a
 * response goes back over the connection its request came on (18.2.2).
 * Each connection has a framer (vox_sip_frame): a message split over many
 * reads, or many messages in one read, come out whole and one at a time.
 * Limits, each an error that closes the one connection (an event says
 * which), never memory that grows: VOX_LOOP_MAX_CONNS connections,
 * VOX_LOOP_CONN_RX bytes of a message not yet complete, VOX_LOOP_CONN_TX
 * bytes waiting to be written; a connection that receives nothing for
 * idle_ms, is not connected connect_ms after it began, or has not finished
 * its TLS handshake handshake_ms after that, is closed. On
 * connections it opened the loop sends a CRLF keep-alive every
 * keepalive_ms and answers the peer's (RFC 5626 4.4.1).
 *
 * TLS (vox/tls.h): a TLS listener takes cfg.tls_server, a connection we
 * open cfg.tls_client. The client checks the server's certificate against
 * the name vox_loop_tls_name gave for the address, else the address as an
 * IP literal (the UA sends only to addresses today: names come with DNS).
 * The hop is reported to the UA as VOX_TP_TLS only when the peer's
 * certificate was verified; a TLS connection whose peer is not verified
 * (a client without certificate on our server, a pinned or unchecked
 * server) is reported as VOX_TP_TCP, which is how the current UA API
 * learns that SDES keys must not travel over it (docs/transport.md). The
 * other way, a message with SDES keys (an a=crypto line) is not sent
 * over a TLS connection whose peer was not verified, unless the UA's
 * allow_sdes_over_insecure_hops says so: VOX_LOOP_EV_SEND_FAILED with
 * VOX_EPOLICY (and a connection opened for it closes with that code).
 *
 * Memory: struct vox_loop is the caller's (96 KiB on x86-64 with the
 * default limits, most of it the datagram buffer and the event queue:
 * keep it off small stacks). Each connection is allocated when it opens
 * (sizeof(struct vox_loop_conn), 57 KiB with TLS and the default limits,
 * plus mbedTLS's 36 KiB on a TLS one) and freed when it closes; c-ares
 * allocates for its channel and each lookup. Nothing else allocates. Not thread-safe: a loop, its
 * UA and its TLS configs belong to one thread.
 */
#ifndef VOX_LOOP_H
#define VOX_LOOP_H

#include "vox/tls.h"
#include "vox/ua.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Listening sockets (UDP, TCP, TLS; each IPv4 or IPv6). */
#ifndef VOX_LOOP_MAX_LISTENERS
#define VOX_LOOP_MAX_LISTENERS 8
#endif
/* TCP and TLS connections open at once, both directions together. One
 * more is refused: an accepted one is closed at once, one we would open
 * fails its message (VOX_LOOP_EV_SEND_FAILED, VOX_ELIMIT). */
#ifndef VOX_LOOP_MAX_CONNS
#define VOX_LOOP_MAX_CONNS 32
#endif
/* Bytes a connection holds of a message that is not complete yet: the
 * longest SIP message a stream may carry. A longer one closes it. */
#ifndef VOX_LOOP_CONN_RX
#define VOX_LOOP_CONN_RX 16384
#endif
/* Bytes a connection holds that the peer has not taken yet (and, on TLS,
 * plaintext waiting for the handshake). A message that does not fit
 * closes it: a peer that stops reading cannot make us grow. */
#ifndef VOX_LOOP_CONN_TX
#define VOX_LOOP_CONN_TX 16384
#endif
/* SIP messages a connection remembers by their UA output id
 * (vox_ua_dest.id) while it is not open yet: if it fails to open (connect
 * refused, TLS handshake failed), each is reported to the UA with
 * vox_ua_transport_error. Beyond this many, the transaction learns of the
 * failure by its own timer. */
#ifndef VOX_LOOP_CONN_WAIT
#define VOX_LOOP_CONN_WAIT 8
#endif
/* Events waiting for vox_loop_next_event; when full the oldest goes. The
 * loop reads no more datagrams in a turn once half of them are taken, so
 * that a burst of messages never pushes out events not yet drained. */
#ifndef VOX_LOOP_MAX_EVENTS
#define VOX_LOOP_MAX_EVENTS 64
#endif
/* Bytes of kernel buffer asked for each UDP listener, each way
 * (SO_RCVBUF, SO_SNDBUF; Linux caps them at net.core.rmem_max and
 * wmem_max). The default, about 208 KiB on Linux, holds some 300 INVITEs:
 * a few thousand calls a second overflow it during one slow turn, and
 * every datagram dropped there costs a retransmission 500 ms later.
 * 0: the system's default. */
#ifndef VOX_LOOP_UDP_BUF
#define VOX_LOOP_UDP_BUF 1048576
#endif
/* Names for TLS peers (vox_loop_tls_name). */
#ifndef VOX_LOOP_MAX_NAMES
#define VOX_LOOP_MAX_NAMES 8
#endif
/* Name lookups running at once (vox_loop_resolve), and addresses one
 * answer keeps (the rest are dropped: RFC 3263 tries them in order, and a
 * handful is plenty). */
#ifndef VOX_LOOP_MAX_QUERIES
#define VOX_LOOP_MAX_QUERIES 8
#endif
#ifndef VOX_LOOP_MAX_ADDRS
#define VOX_LOOP_MAX_ADDRS 8
#endif
/* Defaults of struct vox_loop_config's times (ms). */
#define VOX_LOOP_IDLE_MS      120000
#define VOX_LOOP_CONNECT_MS   10000
#define VOX_LOOP_HANDSHAKE_MS 5000
#define VOX_LOOP_KEEPALIVE_MS 30000

#if VOX_LOOP_CONN_RX < VOX_SIP_TXN_MSG || VOX_LOOP_CONN_TX < VOX_SIP_TXN_MSG
#error "VOX_LOOP_CONN_RX and VOX_LOOP_CONN_TX must hold a message of VOX_SIP_TXN_MSG"
#endif

struct vox_tls_config; /* vox/tls.h; only declared when VOX_WITH_TLS is 0 */

/* Sees every SIP message the loop hands to the UA (in = 1, with the hop as
 * the UA is told it) or sends (in = 0): for a trace. msg is valid during
 * the call; it may hold SDES keys, so redact before printing. Must not
 * call into the loop or the UA. */
typedef void (*vox_loop_trace_fn)(void *ctx, int in, const struct vox_peer *peer, const char *msg,
                                  size_t len);

struct vox_loop_config {
	struct vox_ua *ua; /* set up by vox_ua_init; must outlive the loop */
	/* TLS: a listener of VOX_TP_TLS needs tls_server, a connection we
	 * open needs tls_client. Both must outlive the loop. NULL: none. */
	const struct vox_tls_config *tls_server;
	const struct vox_tls_config *tls_client;
	uint32_t idle_ms;    /* nothing received for so long: closed. 0: VOX_LOOP_IDLE_MS */
	uint32_t connect_ms; /* our TCP connect() not done by then: closed. 0: default */
	/* A TLS handshake not finished so long after its TCP part is up
	 * (accepted, or our connect() done): closed (VOX_LOOP_EV_CONN_CLOSED,
	 * VOX_ETIMEOUT). A peer that opens a connection to a TLS listener and
	 * says nothing holds a connection slot this long, no longer.
	 * 0: VOX_LOOP_HANDSHAKE_MS */
	uint32_t handshake_ms;
	uint32_t keepalive_ms;   /* CRLF ping on connections we opened. 0: default,
	                          UINT32_MAX: none */
	vox_loop_trace_fn trace; /* NULL: none */
	void *trace_ctx;
};

/* A listening socket. */
struct vox_loop_listener {
	int fd;
	enum vox_transport tp;
	struct vox_addr addr; /* as bound (the port the system picked for 0) */
};

enum vox_loop_conn_state {
	VOX_LOOP_CONN_CONNECTING = 1, /* our connect() is on its way */
	VOX_LOOP_CONN_HANDSHAKE,      /* TLS handshake */
	VOX_LOOP_CONN_OPEN,
	VOX_LOOP_CONN_DEAD /* closed; freed at the end of the loop's turn */
};

/* One TCP or TLS connection; allocated by the loop. Read-only. */
struct vox_loop_conn {
	uint32_t id; /* the vox_peer.conn the UA sees: never 0, never reused */
	int fd;
	enum vox_transport tp; /* TCP or TLS */
	enum vox_loop_conn_state state;
	uint8_t outgoing;                  /* we opened it */
	uint8_t verified;                  /* TLS: the peer's certificate was verified */
	uint8_t pong_wait;                 /* our ping is out, no pong yet */
	uint8_t nwait;                     /* ids in wait */
	uint8_t listener;                  /* accepted: 1 + the listener it came in on */
	uint32_t wait[VOX_LOOP_CONN_WAIT]; /* the UA's messages queued before it opened */
	struct vox_addr peer;
	uint64_t t_begin; /* when it began (connect, accept) */
	uint64_t t_tls;   /* when its TLS handshake began */
	uint64_t t_rx;    /* when bytes last arrived (idle_ms counts from here) */
	uint64_t t_ping;  /* next keep-alive (outgoing, open) */
	uint64_t msgs_in, msgs_out, pings, pongs;
	struct vox_sip_framer fr;
	size_t rx_len;
	char rx[VOX_LOOP_CONN_RX]; /* stream bytes not framed yet */
	size_t tx_off, tx_len;
	uint8_t tx[VOX_LOOP_CONN_TX]; /* bytes for the socket (TLS: records) */
#if VOX_WITH_TLS
	size_t pt_len;
	uint8_t pt[VOX_LOOP_CONN_TX]; /* TLS: plaintext waiting for the handshake */
	uint8_t pt_keys;              /* and it holds SDES keys (a=crypto) */
	uint8_t tls_on;
	struct vox_tls_conn tls;
#endif
};

/* A call's media sockets: RTP on port, RTCP on port + 1. */
struct vox_loop_media {
	vox_ua_handle call; /* 0: free */
	int fd[2];          /* RTP, RTCP */
	uint16_t port;
};

enum vox_loop_ev_type {
	VOX_LOOP_EV_UA = 1,       /* ua: what the UA said (vox_ua_next_event) */
	VOX_LOOP_EV_TLS_OPEN,     /* a TLS connection is open: tls says how far its
	                             peer is trusted (verified, trust, peer_fp) */
	VOX_LOOP_EV_TLS_FAILED,   /* a TLS connection failed: tls.cause says why */
	VOX_LOOP_EV_CONN_CLOSED,  /* a connection closed: err says why (VOX_ECLOSED the
	                             peer closed, VOX_ETIMEOUT idle or never open,
	                             VOX_ELIMIT a buffer or the connection limit,
	                             VOX_EMALFORMED/ETOOLONG/ERANGE the stream could not
	                             be framed, or a message in it is no SIP the UA
	                             takes (vox_ua_recv < 0), VOX_EIO a socket error,
	                             VOX_EAUTH and the other TLS failures) */
	VOX_LOOP_EV_SEND_FAILED,  /* a SIP message could not be sent to peer: err;
	                             id names it, and the UA was told
	                             (vox_ua_transport_error) */
	VOX_LOOP_EV_MEDIA_FAILED, /* a media packet could not be sent: err */
	VOX_LOOP_EV_RESOLVED      /* a name lookup ended (query): err 0 and addrs, or
	                             VOX_ENOTFOUND (no such name, or no address),
	                             VOX_ETIMEOUT (no server answered), VOX_EMALFORMED
	                             (not a host name), VOX_EIO (another failure) */
};

struct vox_loop_event {
	enum vox_loop_ev_type type;
	int err;
	uint32_t conn;         /* the connection, 0 for UDP */
	enum vox_transport tp; /* and its transport */
	struct vox_addr peer;
	struct vox_ua_event ua; /* VOX_LOOP_EV_UA */
	uint32_t id;            /* SEND_FAILED: the UA's output id (vox_ua_dest.id) */
	uint32_t query;         /* RESOLVED: what vox_loop_resolve returned */
	size_t naddrs;          /* RESOLVED: addresses found (port 0), IPv4 first */
	struct vox_addr addrs[VOX_LOOP_MAX_ADDRS];
#if VOX_WITH_TLS
	struct vox_tls_info tls; /* TLS_OPEN, TLS_FAILED, and CONN_CLOSED of a TLS one */
#endif
};

/* Counters since init. */
struct vox_loop_stats {
	uint64_t udp_in, udp_out;       /* SIP datagrams */
	uint64_t stream_in, stream_out; /* SIP messages over TCP and TLS */
	uint64_t accepted, connected;   /* connections accepted, opened by us */
	uint64_t refused;               /* accepted beyond VOX_LOOP_MAX_CONNS: closed at once */
	uint64_t closed_idle, closed_limit, closed_error;
	uint64_t send_failed;
	uint64_t pings_sent, pongs_sent, pongs_received;
	uint64_t media_in, media_out, media_dropped;
	uint64_t ua_rejected; /* messages vox_ua_recv dropped as no SIP it takes (< 0); on
	                         a stream that closes the connection */
};

/* A name lookup in flight: the application's (vox_loop_resolve), or the
 * UA's (vox_ua_poll_resolve, ua_id not 0), whose answer waits here until
 * the loop hands it to the UA (vox_ua_resolved). */
struct vox_loop_query {
	struct vox_loop *loop; /* NULL: free */
	uint32_t id;
	uint32_t ua_id;        /* the UA's question, 0: the application's */
	uint8_t done;          /* answered: err, addrs */
	enum vox_transport tp; /* the UA's: the targets' transport */
	uint16_t port;         /*           and port (0: the transport's default) */
	int err;
	size_t naddrs;
	struct vox_addr addrs[VOX_LOOP_MAX_ADDRS];
	char name[254]; /* the UA's: for the TLS check of its targets */
};

struct vox_loop_name {
	struct vox_addr addr;
	char name[256];
};

struct vox_loop {
	struct vox_loop_config cfg;
	struct vox_loop_listener lis[VOX_LOOP_MAX_LISTENERS];
	size_t nlis;
	struct vox_loop_conn *conn[VOX_LOOP_MAX_CONNS];
	uint32_t next_id;
	struct vox_loop_media media[VOX_UA_MAX_CALLS];
	size_t nmedia; /* media slots with sockets open: no scan of media[] when 0 */
	struct vox_loop_name names[VOX_LOOP_MAX_NAMES];
	size_t nnames;
	void *dns; /* the c-ares channel, made by the first lookup */
	struct vox_loop_query queries[VOX_LOOP_MAX_QUERIES];
	uint32_t next_query;
	struct vox_loop_event evq[VOX_LOOP_MAX_EVENTS];
	uint16_t ev_head, ev_len;
	uint32_t dropped_events;
	struct vox_loop_stats st;
	uint64_t now; /* the time of the turn being run */
	char sip[VOX_SIP_TXN_MSG];
	uint32_t mbuf[VOX_MEDIA_MAX_PACKET / 4 + 1]; /* media in and out (4-aligned) */
	uint8_t io[65536];                           /* datagrams and stream reads */
};

/* Milliseconds of CLOCK_MONOTONIC: the `now` every vox engine takes. */
uint64_t vox_clock_ms(void);

/* Sets the loop up for cfg->ua. Opens nothing yet. cfg->ua may be NULL:
 * the loop then only listens and looks names up (a program that needs an
 * address before it can configure its UA), until vox_loop_set_ua. Returns
 * 0, or VOX_EINVAL (cfg NULL). */
VOX_MUST_CHECK int vox_loop_init(struct vox_loop *l, const struct vox_loop_config *cfg);
/* Gives a loop made without a UA its UA. Returns 0, VOX_EINVAL (ua NULL)
 * or VOX_ESTATE (it has one). */
VOX_MUST_CHECK int vox_loop_set_ua(struct vox_loop *l, struct vox_ua *ua);
/* Closes every socket and frees every connection (nothing is sent: hang
 * up and unregister first). NULL and a second call are fine. */
void vox_loop_free(struct vox_loop *l);

/* Listens on addr (an IPv4 or IPv6 address, port 0: the system picks)
 * with transport tp; *bound (if not NULL) gets the address as bound.
 * Returns the listener's index, or
 *   VOX_EINVAL   tp unknown, addr's family neither 4 nor 6, or TLS without
 *                cfg.tls_server
 *   VOX_ELIMIT   VOX_LOOP_MAX_LISTENERS in use
 *   VOX_EIO      the system refused (the address is in use, not ours) */
VOX_MUST_CHECK int vox_loop_listen(struct vox_loop *l, enum vox_transport tp,
                                   const struct vox_addr *addr, struct vox_addr *bound);

/* The host name a TLS connection to addr checks the certificate against
 * and sends as SNI (RFC 5922 7.1: the name the user asked for, before
 * resolution). Copied. Returns 0, VOX_ETOOLONG (over 255 bytes) or
 * VOX_ELIMIT (VOX_LOOP_MAX_NAMES given already). */
VOX_MUST_CHECK int vox_loop_tls_name(struct vox_loop *l, const struct vox_addr *addr,
                                     struct vox_slice name);

/* Starts looking up the A and AAAA records of name (RFC 3263 4.2 once a
 * target is chosen; /etc/hosts first), without blocking: c-ares's sockets
 * join the loop's poll(), and a VOX_LOOP_EV_RESOLVED event with *query
 * brings the answer. Every lookup ends with that event (a server that
 * does not answer: after about two seconds). A name that is an IP literal
 * is answered at once. c-ares keeps process-wide state of its own,
 * set up once (ares_library_init). Returns 0 and *query, or
 *   VOX_EINVAL   name empty or longer than 253 bytes
 *   VOX_EPOOL    VOX_LOOP_MAX_QUERIES lookups are running
 *   VOX_EIO      c-ares could not start (no resolver configuration) */
VOX_MUST_CHECK int vox_loop_resolve(struct vox_loop *l, struct vox_slice name, uint32_t *query);

/* One turn: sends what waits, sleeps in poll() until a socket is ready,
 * the UA's or a connection's deadline, or `until` (absolute, vox_clock_ms;
 * 0: do not sleep), then reads what arrived, feeds it to the UA, runs the
 * timers that are due and sends what came of it. Events wait for
 * vox_loop_next_event. Returns 0, or VOX_EIO (poll failed; errno says
 * why; EINTR is not a failure). */
VOX_MUST_CHECK int vox_loop_run(struct vox_loop *l, uint64_t until);
/* Sends what the UA has queued (SIP and media) and collects its events,
 * at time now. Call it after every direct call into the UA. */
void vox_loop_flush(struct vox_loop *l, uint64_t now);
/* Next event: 1 and *ev, or 0. */
int vox_loop_next_event(struct vox_loop *l, struct vox_loop_event *ev);

/* Binds a media socket pair for a new call on the UA's media address
 * (ua->cfg.media_addr, an IP literal) and calls target (vox_ua_call). The
 * sockets close when the call ends. Returns 0 and *call, an error of
 * vox_ua_call, or VOX_EPOOL (no free media slot), VOX_EIO (no port pair
 * could be bound), VOX_EINVAL (the media address is no IP literal). */
VOX_MUST_CHECK int vox_loop_call(struct vox_loop *l, struct vox_slice target, vox_ua_handle account,
                                 uint64_t now, vox_ua_handle *call);
/* The same for answering an incoming call (vox_ua_answer). */
VOX_MUST_CHECK int vox_loop_answer(struct vox_loop *l, vox_ua_handle call, uint64_t now);

/* The connection with this id, or NULL. Valid until the next loop call. */
const struct vox_loop_conn *vox_loop_conn_get(const struct vox_loop *l, uint32_t id);
/* Connections open now (every state but DEAD). */
size_t vox_loop_conns(const struct vox_loop *l);

#ifdef __cplusplus
}
#endif

#endif /* VOX_LOOP_H */
