/* SPDX-License-Identifier: MIT */
/*
 * transport/loop.c: one poll() loop that runs a UA on real sockets
 * (vox/loop.h, docs/transport.md). The only file of vox that opens
 * sockets, reads the clock and sleeps.
 *
 * A turn: flush what the UA queued, poll every socket until the earliest
 * deadline, read what is ready (each read fed to the UA at once), run the
 * timers that are due, flush again, and free the connections that died
 * during the turn (a connection is only marked dead while code may still
 * hold it, so that no pointer outlives its memory within a turn).
 */
#define _POSIX_C_SOURCE 200809L

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/core_int.h"
#include "transport/loop_int.h"

#define NEVER UINT64_MAX

uint64_t vox_clock_ms(void)
{
	struct timespec ts;
	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0; /* cannot happen with CLOCK_MONOTONIC (POSIX) */
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ---- addresses ------------------------------------------------------------------ */

static socklen_t to_sockaddr(const struct vox_addr *a, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof *ss);
	if (a->family == 4) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
		s4->sin_family = AF_INET;
		s4->sin_port = htons(a->port);
		memcpy(&s4->sin_addr, a->ip, 4);
		return sizeof *s4;
	}
	if (a->family == 6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(a->port);
		memcpy(&s6->sin6_addr, a->ip, 16);
		return sizeof *s6;
	}
	return 0;
}

static void from_sockaddr(const struct sockaddr_storage *ss, struct vox_addr *a)
{
	memset(a, 0, sizeof *a);
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)ss;
		a->family = 4;
		a->port = ntohs(s4->sin_port);
		memcpy(a->ip, &s4->sin_addr, 4);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
		a->family = 6;
		a->port = ntohs(s6->sin6_port);
		memcpy(a->ip, &s6->sin6_addr, 16);
	}
}

static int same_addr(const struct vox_addr *a, const struct vox_addr *b)
{
	return a->family == b->family && a->port == b->port &&
	       memcmp(a->ip, b->ip, a->family == 4 ? 4 : 16) == 0;
}

/* An IP literal (IPv6 with or without brackets) into *a (port untouched). */
static int parse_ip(struct vox_slice s, struct vox_addr *a)
{
	char buf[64];
	if (s.len > 2 && s.p[0] == '[' && s.p[s.len - 1] == ']')
		s = vox_slice_make(s.p + 1, s.len - 2);
	if (!s.len || s.len >= sizeof buf)
		return VOX_EINVAL;
	memcpy(buf, s.p, s.len);
	buf[s.len] = 0;
	if (inet_pton(AF_INET, buf, a->ip) == 1) {
		a->family = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, buf, a->ip) == 1) {
		a->family = 6;
		return 0;
	}
	return VOX_EINVAL;
}

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	return fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ? -1 : 0;
}

static int open_socket(int family, int type)
{
	int fd = socket(family == 6 ? AF_INET6 : AF_INET, type, 0);
	if (fd < 0)
		return -1;
	if (set_nonblock(fd) != 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
		close(fd);
		return -1;
	}
	if (family == 6) { /* one family per socket: an IPv4 listener is its own */
		int on = 1;
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
	}
	return fd;
}

/* ---- events ---------------------------------------------------------------------------- */

struct vox_loop_event *loop_push_event(struct vox_loop *l, enum vox_loop_ev_type type)
{
	if (l->ev_len == VOX_LOOP_MAX_EVENTS) {
		l->ev_head = (uint16_t)((l->ev_head + 1) % VOX_LOOP_MAX_EVENTS);
		l->ev_len--;
		l->dropped_events++;
	}
	struct vox_loop_event *e = &l->evq[(l->ev_head + l->ev_len) % VOX_LOOP_MAX_EVENTS];
	l->ev_len++;
	memset(e, 0, sizeof *e);
	e->type = type;
	return e;
}

int vox_loop_next_event(struct vox_loop *l, struct vox_loop_event *ev)
{
	if (!l->ev_len)
		return 0;
	*ev = l->evq[l->ev_head];
	l->ev_head = (uint16_t)((l->ev_head + 1) % VOX_LOOP_MAX_EVENTS);
	l->ev_len--;
	return 1;
}

static struct vox_loop_event *conn_event(struct vox_loop *l, const struct vox_loop_conn *c,
                                         enum vox_loop_ev_type type, int err)
{
	struct vox_loop_event *e = loop_push_event(l, type);
	e->err = err;
	e->conn = c->id;
	e->tp = c->tp;
	e->peer = c->peer;
#if VOX_WITH_TLS
	if (c->tls_on)
		e->tls = *vox_tls_conn_info(&c->tls);
#endif
	return e;
}

/* ---- connections ------------------------------------------------------------------------- */

static uint32_t new_id(struct vox_loop *l)
{
	if (++l->next_id == 0)
		l->next_id = 1;
	return l->next_id;
}

static void send_failed(struct vox_loop *l, const struct vox_peer *to, uint32_t id, int err);

/* Closes c's socket and marks it dead; vox_loop_run frees it at the end of
 * its turn. err: why (an event says it), 0 for no event. The UA's
 * messages that waited for it to open are reported as not sent. */
static void conn_close(struct vox_loop *l, struct vox_loop_conn *c, int err)
{
	if (c->state == VOX_LOOP_CONN_DEAD)
		return;
#if VOX_WITH_TLS
	if (c->tls_on && c->fd >= 0) {
		/* the alert that says why, or our close_notify, as far as the
		 * socket takes it without waiting */
		if (err != VOX_ECLOSED && vox_tls_conn_info(&c->tls)->state == VOX_TLS_OPEN)
			(void)!vox_tls_conn_close(&c->tls);
		int n;
		while ((n = vox_tls_conn_poll_output(&c->tls, l->io, sizeof l->io)) > 0)
			if (send(c->fd, l->io, (size_t)n, MSG_NOSIGNAL) != n)
				break;
	}
#endif
	if (err) {
		if (err == VOX_ETIMEOUT)
			l->st.closed_idle++;
		else if (err == VOX_ELIMIT || err == VOX_ETOOLONG)
			l->st.closed_limit++;
		else if (err != VOX_ECLOSED)
			l->st.closed_error++;
		(void)conn_event(l, c, VOX_LOOP_EV_CONN_CLOSED, err);
	}
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->state = VOX_LOOP_CONN_DEAD;
	/* it never opened: connect refused, TLS handshake failed (17.1.4) */
	struct vox_peer to = {c->tp, c->peer, c->id, 0, c->listener};
	for (uint8_t i = 0; i < c->nwait; i++)
		send_failed(l, &to, c->wait[i], err ? err : VOX_ECLOSED);
	c->nwait = 0;
}

static void conn_free(struct vox_loop_conn *c)
{
#if VOX_WITH_TLS
	if (c->tls_on)
		vox_tls_conn_free(&c->tls);
	vox_wipe(c->pt, c->pt_len);
#endif
	vox_wipe(c->rx, c->rx_len);
	free(c);
}

static void reap(struct vox_loop *l)
{
	for (size_t i = 0; i < VOX_LOOP_MAX_CONNS; i++)
		if (l->conn[i] && l->conn[i]->state == VOX_LOOP_CONN_DEAD) {
			conn_free(l->conn[i]);
			l->conn[i] = NULL;
		}
}

static struct vox_loop_conn *conn_by_id(const struct vox_loop *l, uint32_t id)
{
	for (size_t i = 0; id && i < VOX_LOOP_MAX_CONNS; i++)
		if (l->conn[i] && l->conn[i]->id == id && l->conn[i]->state != VOX_LOOP_CONN_DEAD)
			return l->conn[i];
	return NULL;
}

const struct vox_loop_conn *vox_loop_conn_get(const struct vox_loop *l, uint32_t id)
{
	return conn_by_id(l, id);
}

size_t vox_loop_conns(const struct vox_loop *l)
{
	size_t n = 0;
	for (size_t i = 0; i < VOX_LOOP_MAX_CONNS; i++)
		n += l->conn[i] && l->conn[i]->state != VOX_LOOP_CONN_DEAD;
	return n;
}

/* A free slot: a new connection, or NULL at the limit. */
static struct vox_loop_conn *conn_new(struct vox_loop *l, int fd, enum vox_transport tp,
                                      const struct vox_addr *peer)
{
	for (size_t i = 0; i < VOX_LOOP_MAX_CONNS; i++) {
		if (l->conn[i])
			continue;
		struct vox_loop_conn *c = calloc(1, sizeof *c);
		if (!c)
			return NULL;
		c->id = new_id(l);
		c->fd = fd;
		c->tp = tp;
		c->peer = *peer;
		c->t_begin = c->t_rx = l->now;
		c->t_ping = NEVER;
		vox_sip_framer_init(&c->fr);
		l->conn[i] = c;
		return c;
	}
	return NULL;
}

/* Appends bytes for the socket; a full buffer closes the connection. */
static int conn_queue(struct vox_loop *l, struct vox_loop_conn *c, const void *p, size_t n)
{
	if (c->tx_off && c->tx_off == c->tx_len)
		c->tx_off = c->tx_len = 0;
	if (n > sizeof c->tx - c->tx_len && c->tx_off) {
		memmove(c->tx, c->tx + c->tx_off, c->tx_len - c->tx_off);
		c->tx_len -= c->tx_off;
		c->tx_off = 0;
	}
	if (n > sizeof c->tx - c->tx_len) {
		conn_close(l, c, VOX_ELIMIT); /* the peer does not read: 18.4 is not ours to fix */
		return VOX_ELIMIT;
	}
	memcpy(c->tx + c->tx_len, p, n);
	c->tx_len += n;
	return 0;
}

/* Writes what the socket takes now. */
static void conn_write(struct vox_loop *l, struct vox_loop_conn *c)
{
	if (c->state == VOX_LOOP_CONN_DEAD || c->state == VOX_LOOP_CONN_CONNECTING)
		return;
	while (c->tx_off < c->tx_len) {
		ssize_t n = send(c->fd, c->tx + c->tx_off, c->tx_len - c->tx_off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			conn_close(l, c, VOX_EIO);
			return;
		}
		c->tx_off += (size_t)n;
	}
	c->tx_off = c->tx_len = 0;
}

#if VOX_WITH_TLS
/* The message carries SDES keys: an a=crypto line (RFC 4568 9.1). */
static int has_keys(const char *m, size_t n)
{
	static const char tag[] = "\na=crypto:";
	for (size_t i = 0; n >= sizeof tag - 1 && i <= n - (sizeof tag - 1); i++)
		if (m[i] == '\n' && memcmp(m + i, tag, sizeof tag - 1) == 0)
			return 1;
	return 0;
}

/* SDES keys may cross a TLS hop whose peer was not verified only when the
 * UA was told so by name (docs/architecture.md, Security defaults). */
static int keys_allowed(const struct vox_loop *l)
{
	return l->cfg.ua && l->cfg.ua->cfg.allow_sdes_over_insecure_hops;
}

/* Moves plaintext that waits into the TLS engine (once open) and the
 * engine's records into the socket buffer, as far as both have room. */
static void tls_pump(struct vox_loop *l, struct vox_loop_conn *c)
{
	for (int guard = 0; guard < 64 && c->state != VOX_LOOP_CONN_DEAD; guard++) {
		int progress = 0;
		if (c->state == VOX_LOOP_CONN_OPEN && c->pt_len) {
			int n = vox_tls_conn_write(&c->tls, c->pt, c->pt_len);
			if (n > 0) {
				memmove(c->pt, c->pt + n, c->pt_len - (size_t)n);
				c->pt_len -= (size_t)n;
				c->pt_keys = c->pt_len ? c->pt_keys : 0;
				progress = 1;
			} else if (n < 0 && n != VOX_ENOSPC) {
				conn_close(l, c, n);
				return;
			}
		}
		if (c->tx_off && sizeof c->tx - c->tx_len < 1024) {
			memmove(c->tx, c->tx + c->tx_off, c->tx_len - c->tx_off);
			c->tx_len -= c->tx_off;
			c->tx_off = 0;
		}
		size_t room = sizeof c->tx - c->tx_len;
		int k = room ? vox_tls_conn_poll_output(&c->tls, c->tx + c->tx_len, room) : 0;
		if (k > 0) {
			c->tx_len += (size_t)k;
			progress = 1;
		}
		if (!progress)
			return; /* both wait for the socket to drain */
	}
}

static void tls_events(struct vox_loop *l, struct vox_loop_conn *c)
{
	struct vox_tls_event ev;
	while (vox_tls_conn_next_event(&c->tls, &ev)) {
		const struct vox_tls_info *in = vox_tls_conn_info(&c->tls);
		if (ev.type == VOX_TLS_EV_CONNECTED) {
			/* the UA was told our TLS client verifies
			 * (tls_client_verifies) and may have put SDES keys
			 * in what waits: an unverified server gets none */
			if (c->outgoing && !in->verified && l->cfg.ua &&
			    l->cfg.ua->cfg.tls_client_verifies) {
				(void)conn_event(l, c, VOX_LOOP_EV_TLS_FAILED, VOX_EAUTH);
				conn_close(l, c, VOX_EAUTH);
				return;
			}
			c->state = VOX_LOOP_CONN_OPEN;
			c->nwait = 0; /* what waited goes now */
			c->verified = in->verified;
			if (c->outgoing && l->cfg.keepalive_ms != UINT32_MAX)
				c->t_ping = l->now + l->cfg.keepalive_ms;
			(void)conn_event(l, c, VOX_LOOP_EV_TLS_OPEN, 0);
			if (!c->verified && c->pt_keys && !keys_allowed(l)) {
				/* what waits for this hop has SDES keys in it, and
				 * nobody vouches for the peer: it never leaves */
				(void)conn_event(l, c, VOX_LOOP_EV_SEND_FAILED, VOX_EPOLICY);
				l->st.send_failed++;
				conn_close(l, c, VOX_EPOLICY);
				return;
			}
		} else if (ev.type == VOX_TLS_EV_FAILED) {
			(void)conn_event(l, c, VOX_LOOP_EV_TLS_FAILED, vox_tls_cause_err(ev.cause));
			conn_close(l, c, vox_tls_cause_err(ev.cause));
			return;
		} else if (ev.type == VOX_TLS_EV_CLOSED) {
			conn_close(l, c, VOX_ECLOSED);
			return;
		}
	}
}

/* The name a TLS client checks the server's certificate against. */
static struct vox_slice tls_host(struct vox_loop *l, const struct vox_addr *a, char *buf,
                                 size_t cap)
{
	for (size_t i = 0; i < l->nnames; i++)
		if (same_addr(&l->names[i].addr, a))
			return vox_slice_cstr(l->names[i].name);
	if (!inet_ntop(a->family == 6 ? AF_INET6 : AF_INET, a->ip, buf, (socklen_t)cap))
		return vox_slice_make(NULL, 0);
	return vox_slice_cstr(buf);
}
#endif

/* Writes what waits, TLS plaintext included, as far as the socket takes it. */
static void conn_flush(struct vox_loop *l, struct vox_loop_conn *c)
{
	for (int i = 0; i < 16 && c->state != VOX_LOOP_CONN_DEAD; i++) {
#if VOX_WITH_TLS
		if (c->tls_on)
			tls_pump(l, c);
#endif
		conn_write(l, c);
		if (c->state == VOX_LOOP_CONN_DEAD || c->tx_off < c->tx_len)
			return; /* the socket is full: POLLOUT comes back here */
#if VOX_WITH_TLS
		if (!c->tls_on || !c->pt_len || c->state != VOX_LOOP_CONN_OPEN)
			return;
#else
		return;
#endif
	}
}

/* Starts TLS on c (its TCP part is up). */
static int conn_start_tls(struct vox_loop *l, struct vox_loop_conn *c)
{
#if VOX_WITH_TLS
	char ip[64];
	const struct vox_tls_config *cfg = c->outgoing ? l->cfg.tls_client : l->cfg.tls_server;
	struct vox_slice host =
	    c->outgoing ? tls_host(l, &c->peer, ip, sizeof ip) : vox_slice_make(NULL, 0);
	int rc = cfg ? vox_tls_conn_init(&c->tls, cfg, host) : VOX_EINVAL;
	if (rc) {
		conn_close(l, c, rc);
		return rc;
	}
	c->tls_on = 1;
	c->state = VOX_LOOP_CONN_HANDSHAKE;
	c->t_tls = l->now;
	conn_flush(l, c);
	return 0;
#else
	conn_close(l, c, VOX_EUNSUPPORTED);
	return VOX_EUNSUPPORTED;
#endif
}

/* The TCP part is up (accepted, or our connect() finished). */
static void conn_up(struct vox_loop *l, struct vox_loop_conn *c)
{
	if (c->tp == VOX_TP_TLS) {
		(void)conn_start_tls(l, c);
		return;
	}
	c->state = VOX_LOOP_CONN_OPEN;
	c->nwait = 0; /* what waited goes now */
	if (c->outgoing && l->cfg.keepalive_ms != UINT32_MAX)
		c->t_ping = l->now + l->cfg.keepalive_ms;
	conn_flush(l, c);
}

/* Opens a connection to peer (non-blocking: it is CONNECTING until the
 * socket says it is writable). */
static struct vox_loop_conn *conn_open(struct vox_loop *l, enum vox_transport tp,
                                       const struct vox_addr *peer, int *err)
{
	struct sockaddr_storage ss;
	socklen_t sl = to_sockaddr(peer, &ss);
	if (!sl || (tp == VOX_TP_TLS && !l->cfg.tls_client)) {
		*err = VOX_EINVAL;
		return NULL;
	}
	if (vox_loop_conns(l) >= VOX_LOOP_MAX_CONNS) {
		*err = VOX_ELIMIT;
		return NULL;
	}
	int fd = open_socket(peer->family, SOCK_STREAM);
	if (fd < 0) {
		*err = VOX_EIO;
		return NULL;
	}
	int on = 1;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
	struct vox_loop_conn *c = conn_new(l, fd, tp, peer);
	if (!c) {
		close(fd);
		*err = VOX_ELIMIT;
		return NULL;
	}
	c->outgoing = 1;
	l->st.connected++;
	if (connect(fd, (struct sockaddr *)&ss, sl) == 0) {
		conn_up(l, c);
	} else if (errno == EINPROGRESS || errno == EINTR) {
		c->state = VOX_LOOP_CONN_CONNECTING;
	} else {
		conn_close(l, c, VOX_EIO);
		*err = VOX_EIO;
		return NULL;
	}
	return c;
}

/* A live connection for a message to `to`: the one it names (a response
 * goes back where its request came from, RFC 3261 18.2.2), else one open
 * to the same peer with the same transport, else a new one. */
static struct vox_loop_conn *conn_for(struct vox_loop *l, const struct vox_peer *to, int *err)
{
	struct vox_loop_conn *any = NULL;
	for (size_t i = 0; i < VOX_LOOP_MAX_CONNS; i++) {
		struct vox_loop_conn *c = l->conn[i];
		if (!c || c->state == VOX_LOOP_CONN_DEAD)
			continue;
		if (to->conn && c->id == to->conn)
			return c;
		if (!any && same_addr(&c->peer, &to->addr) && c->tp == to->tp)
			any = c;
	}
	if (any)
		return any;
	return conn_open(l, to->tp, &to->addr, err);
}

/* ---- sending SIP ----------------------------------------------------------------------------- */

/* The UA's message id could not be sent: RFC 3261 8.1.3.1, 17.1.4 and
 * 17.2.4 want its transaction told, which the UA does. */
static void send_failed(struct vox_loop *l, const struct vox_peer *to, uint32_t id, int err)
{
	l->st.send_failed++;
	struct vox_loop_event *e = loop_push_event(l, VOX_LOOP_EV_SEND_FAILED);
	e->err = err;
	e->conn = to->conn;
	e->tp = to->tp;
	e->peer = to->addr;
	e->id = id;
	if (l->cfg.ua)
		vox_ua_transport_error(l->cfg.ua, id, l->now);
}

/* The UDP listener a datagram to `to` leaves from: the first of its family. */
static int udp_socket(const struct vox_loop *l, uint8_t family)
{
	for (size_t i = 0; i < l->nlis; i++)
		if (l->lis[i].tp == VOX_TP_UDP && l->lis[i].addr.family == family)
			return l->lis[i].fd;
	return -1;
}

static void trace(struct vox_loop *l, int in, const struct vox_peer *p, const char *msg, size_t len)
{
	if (l->cfg.trace)
		l->cfg.trace(l->cfg.trace_ctx, in, p, msg, len);
}

static void send_sip(struct vox_loop *l, const char *msg, size_t len, const struct vox_ua_dest *d)
{
	const struct vox_peer *to = &d->to;
	if (to->tp == VOX_TP_UDP) {
		trace(l, 0, to, msg, len);
		struct sockaddr_storage ss;
		socklen_t sl = to_sockaddr(&to->addr, &ss);
		/* the listener the UA named (its Via says so), when it is a
		 * UDP one of the family; else the first that is */
		int fd = d->listener < l->nlis && l->lis[d->listener].tp == VOX_TP_UDP &&
		                 l->lis[d->listener].addr.family == to->addr.family
		             ? l->lis[d->listener].fd
		             : udp_socket(l, to->addr.family);
		if (!sl || fd < 0) {
			send_failed(l, to, d->id, VOX_EINVAL);
			return;
		}
		if (sendto(fd, msg, len, 0, (struct sockaddr *)&ss, sl) != (ssize_t)len) {
			/* a full buffer is a lost datagram (timers retransmit); no
			 * route, refused, ...: the transaction must know */
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS ||
			    errno == EINTR)
				l->st.send_failed++;
			else
				send_failed(l, to, d->id, VOX_EIO);
			return;
		}
		l->st.udp_out++;
		return;
	}
	int err = 0;
	struct vox_loop_conn *c = conn_for(l, to, &err);
	if (!c) {
		trace(l, 0, to, msg, len);
		send_failed(l, to, d->id, err);
		return;
	}
	/* the trace shows where it really goes: the connection's peer (a
	 * request in a dialog takes the call's connection, whose port is
	 * not the one of the peer's Contact) */
	struct vox_peer hop = *to;
	hop.addr = c->peer;
	hop.conn = c->id;
	trace(l, 0, &hop, msg, len);

	int rc = 0;
#if VOX_WITH_TLS
	if (c->tp == VOX_TP_TLS) {
		int keys = has_keys(msg, len) && !keys_allowed(l);
		if (c->state == VOX_LOOP_CONN_DEAD) {
			rc = VOX_ECLOSED;
		} else if (keys && c->state == VOX_LOOP_CONN_OPEN && !c->verified) {
			rc = VOX_EPOLICY; /* SDES keys to a peer nobody vouched for */
		} else if (len > sizeof c->pt - c->pt_len) {
			rc = VOX_ELIMIT;
			conn_close(l, c, rc);
		} else {
			memcpy(c->pt + c->pt_len, msg, len);
			c->pt_len += len;
			c->pt_keys |= (uint8_t)keys;
		}
	} else
#endif
		rc = c->state == VOX_LOOP_CONN_DEAD ? VOX_ECLOSED : conn_queue(l, c, msg, len);
	if (rc) {
		send_failed(l, to, d->id, rc);
		return;
	}
	/* not open yet: if it never opens, the UA hears of this message */
	if (c->state != VOX_LOOP_CONN_OPEN && d->id && c->nwait < VOX_LOOP_CONN_WAIT)
		c->wait[c->nwait++] = d->id;
	c->msgs_out++;
	l->st.stream_out++;
	conn_flush(l, c);
}

/* ---- media ---------------------------------------------------------------------------------- */

static struct vox_loop_media *media_of(struct vox_loop *l, vox_ua_handle call)
{
	/* no socket open (signalling only, or no call): no scan either */
	for (size_t i = 0; call && l->nmedia && i < VOX_UA_MAX_CALLS; i++)
		if (l->media[i].call == call)
			return &l->media[i];
	return NULL;
}

static void media_close(struct vox_loop *l, struct vox_loop_media *m)
{
	if (m->fd[0] >= 0 || m->fd[1] >= 0)
		l->nmedia--;
	for (int k = 0; k < 2; k++)
		if (m->fd[k] >= 0)
			close(m->fd[k]);
	m->fd[0] = m->fd[1] = -1;
	m->call = 0;
	m->port = 0;
}

static int bind_port(int fd, const struct vox_addr *a, uint16_t port)
{
	struct vox_addr b = *a;
	struct sockaddr_storage ss;
	b.port = port;
	socklen_t sl = to_sockaddr(&b, &ss);
	return sl && bind(fd, (struct sockaddr *)&ss, sl) == 0 ? 0 : -1;
}

/* A free media slot with RTP bound to an even port and RTCP to the next
 * one, on the UA's media address. */
static int media_open(struct vox_loop *l, struct vox_loop_media **out)
{
	struct vox_loop_media *m = media_of(l, 0);
	for (size_t i = 0; !m && i < VOX_UA_MAX_CALLS; i++)
		if (!l->media[i].call && l->media[i].fd[0] < 0)
			m = &l->media[i];
	if (!m)
		return VOX_EPOOL;
	if (!l->cfg.ua)
		return VOX_ESTATE;
	struct vox_addr a;
	memset(&a, 0, sizeof a);
	if (parse_ip(l->cfg.ua->cfg.media_addr, &a))
		return VOX_EINVAL;
	/* the system picks a port for RTP; RTCP wants the next one (RFC 3550
	 * 11: RTP even, RTCP odd), which may be taken: a few tries */
	for (int tries = 0; tries < 32; tries++) {
		int f0 = open_socket(a.family, SOCK_DGRAM), f1 = open_socket(a.family, SOCK_DGRAM);
		struct sockaddr_storage ss;
		socklen_t sl = sizeof ss;
		int ok = f0 >= 0 && f1 >= 0 && bind_port(f0, &a, 0) == 0 &&
		         getsockname(f0, (struct sockaddr *)&ss, &sl) == 0;
		struct vox_addr got;
		if (ok) {
			from_sockaddr(&ss, &got);
			ok = got.port % 2 == 0 && got.port < 65534 &&
			     bind_port(f1, &a, (uint16_t)(got.port + 1)) == 0;
		}
		if (ok) {
			m->fd[0] = f0;
			m->fd[1] = f1;
			m->port = got.port;
			l->nmedia++;
			*out = m;
			return 0;
		}
		if (f0 >= 0)
			close(f0);
		if (f1 >= 0)
			close(f1);
	}
	return VOX_EIO;
}

int vox_loop_call(struct vox_loop *l, struct vox_slice target, vox_ua_handle account, uint64_t now,
                  vox_ua_handle *call)
{
	struct vox_loop_media *m;
	int rc = media_open(l, &m);
	if (rc)
		return rc;
	struct vox_ua_media_addr ma = {{NULL, 0}, m->port};
	rc = vox_ua_call(l->cfg.ua, target, account, &ma, now, call);
	if (rc) {
		media_close(l, m);
		return rc;
	}
	m->call = *call;
	vox_loop_flush(l, now);
	return 0;
}

int vox_loop_answer(struct vox_loop *l, vox_ua_handle call, uint64_t now)
{
	struct vox_loop_media *m;
	int rc = media_open(l, &m);
	if (rc)
		return rc;
	struct vox_ua_media_addr ma = {{NULL, 0}, m->port};
	m->call = call; /* set first: a 2xx that cannot be built ends the call at once */
	rc = vox_ua_answer(l->cfg.ua, call, &ma, now);
	if (rc && vox_ua_call_get(l->cfg.ua, call))
		media_close(l, m);
	vox_loop_flush(l, now);
	return rc;
}

static void send_media(struct vox_loop *l)
{
	vox_ua_handle call;
	struct vox_media_dest to;
	int n;
	while ((n = vox_ua_media_poll_output(l->cfg.ua, (uint8_t *)l->mbuf, sizeof l->mbuf, &call,
	                                     &to)) > 0) {
		struct vox_loop_media *m = media_of(l, call);
		struct sockaddr_storage ss;
		socklen_t sl = to_sockaddr(&to.addr, &ss);
		int fd = m ? m->fd[to.rtcp_port ? 1 : 0] : -1;
		if (fd < 0 || !sl ||
		    sendto(fd, l->mbuf, (size_t)n, 0, (struct sockaddr *)&ss, sl) != n) {
			l->st.media_dropped++;
			struct vox_loop_event *e = loop_push_event(l, VOX_LOOP_EV_MEDIA_FAILED);
			e->err = fd < 0 ? VOX_ENOTFOUND : VOX_EIO;
			e->peer = to.addr;
			continue;
		}
		l->st.media_out++;
	}
}

/* ---- the UA's output and events ------------------------------------------------------------ */

/* ---- the UA's names (RFC 3263, docs/transport.md, Names) ------------------------------------ */

/* name is the one to check addr's certificate against: kept, or replacing
 * what an earlier answer said of addr. */
static int tls_name_set(struct vox_loop *l, const struct vox_addr *addr, const char *name)
{
	for (size_t i = 0; i < l->nnames; i++)
		if (same_addr(&l->names[i].addr, addr)) {
			size_t n = strlen(name);
			if (n >= sizeof l->names[i].name)
				return VOX_ETOOLONG;
			memcpy(l->names[i].name, name, n + 1);
			return 0;
		}
	return vox_loop_tls_name(l, addr, vox_slice_cstr(name));
}

/* The UA's questions go to c-ares. One that cannot be asked is answered
 * at once with no target: what waits on it fails (503). */
static void ua_questions(struct vox_loop *l)
{
	struct vox_ua_resolve q;
	while (vox_ua_poll_resolve(l->cfg.ua, &q) == 1) {
		uint32_t id;
		if (loop_dns_ask(l, vox_slice_cstr(q.name), q.id, &id) != 0) {
			(void)!vox_ua_resolved(l->cfg.ua, q.id, NULL, 0, l->now);
			continue;
		}
		for (size_t i = 0; i < VOX_LOOP_MAX_QUERIES; i++)
			if (l->queries[i].loop && l->queries[i].id == id) {
				l->queries[i].tp = q.tp;
				l->queries[i].port = q.port;
			}
	}
}

/* Answers c-ares gave to the UA's questions go to the UA: the addresses,
 * IPv4 first, on the transport the question named and its port (or the
 * transport's default). A/AAAA only: NAPTR and SRV (RFC 3263 4.1, 4.2)
 * are not looked up yet, so every question is answered as if its URI
 * named transport and port. Returns how many were delivered. */
static int ua_answers(struct vox_loop *l)
{
	int delivered = 0;
	for (size_t i = 0; i < VOX_LOOP_MAX_QUERIES; i++) {
		struct vox_loop_query *q = &l->queries[i];
		if (!q->loop || !q->ua_id || !q->done)
			continue;
		struct vox_ua_target t[VOX_UA_MAX_TARGETS];
		size_t n = 0;
		/* a resolver hands on its best few: the UA holds
		 * VOX_UA_MAX_TARGETS */
		for (size_t k = 0; !q->err && k < q->naddrs && n < VOX_UA_MAX_TARGETS; k++) {
			t[n].tp = q->tp;
			t[n].addr = q->addrs[k];
			t[n].addr.port = q->port ? q->port : q->tp == VOX_TP_TLS ? 5061 : 5060;
			/* RFC 5922 7.1: the certificate names the host asked for,
			 * not its address; a name that cannot be kept makes the
			 * check fail, never pass */
			if (q->tp == VOX_TP_TLS)
				(void)!tls_name_set(l, &t[n].addr, q->name);
			n++;
		}
		uint32_t id = q->ua_id;
		q->loop = NULL; /* free before the UA can ask again */
		(void)!vox_ua_resolved(l->cfg.ua, id, t, n, l->now);
		delivered++;
	}
	return delivered;
}

/* SIP out, then the calls' media, then the events. media 0: the media
 * waits for the end of the turn (vox_loop_run flushes it all then): after
 * each datagram of a burst, asking every live call's engine for a packet
 * is a walk over the calls each time, for packets no datagram made. An
 * ENDED still sends what is queued before its call's sockets close. */
static void flush(struct vox_loop *l, uint64_t now, int media)
{
	struct vox_ua *ua = l->cfg.ua;
	struct vox_ua_dest to;
	int n;
	l->now = now;
	if (!ua)
		return;
	/* names first: an answer (one from /etc/hosts comes at once) lets
	 * the requests that waited on it out now */
	ua_questions(l);
	if (ua_answers(l))
		ua_questions(l);
	/* SIP, then media (an ended call's RTCP BYE leaves before its sockets
	 * close), then the events (ENDED closes them) */
	while ((n = vox_ua_poll_output_dest(ua, l->sip, sizeof l->sip, &to)) > 0)
		send_sip(l, l->sip, (size_t)n, &to);
	if (media)
		send_media(l);
	struct vox_ua_event ev;
	while (vox_ua_next_event(ua, &ev)) {
		loop_push_event(l, VOX_LOOP_EV_UA)->ua = ev;
		if (ev.type == VOX_UA_EV_ENDED) {
			struct vox_loop_media *m = media_of(l, ev.call);
			if (m) {
				if (!media)
					send_media(l); /* its RTCP BYE before its sockets go */
				media_close(l, m);
			}
		}
	}
	/* a call gone without its ENDED seen here (it cannot, but sockets
	 * must never outlive their call) */
	for (size_t i = 0; l->nmedia && i < VOX_UA_MAX_CALLS; i++)
		if (l->media[i].call && !vox_ua_call_get(ua, l->media[i].call))
			media_close(l, &l->media[i]);
}

void vox_loop_flush(struct vox_loop *l, uint64_t now)
{
	flush(l, now, 1);
}

/* ---- reading ----------------------------------------------------------------------------------- */

static struct vox_peer hop_of(const struct vox_loop_conn *c)
{
	struct vox_peer p;
	memset(&p, 0, sizeof p);
	/* the UA's SDES rule reads the verified bit (vox/base.h) */
	p.tp = c->tp;
	p.verified = c->tp == VOX_TP_TLS && c->verified;
	p.addr = c->peer;
	p.conn = c->id;
	p.listener = c->listener; /* an accepted one's; ours: 0, the UA picks */
	return p;
}

/* Cuts c's received bytes into messages and keep-alives. */
static void conn_frame(struct vox_loop *l, struct vox_loop_conn *c)
{
	while (c->state != VOX_LOOP_CONN_DEAD && c->rx_len) {
		enum vox_sip_frame_kind kind;
		int n = vox_sip_frame(&c->fr, c->rx, c->rx_len, &kind, NULL);
		if (n == VOX_EINCOMPLETE) {
			if (c->rx_len == sizeof c->rx)
				conn_close(l, c, VOX_ETOOLONG); /* longer than VOX_LOOP_CONN_RX */
			return;
		}
		if (n < 0) {
			conn_close(l, c, n);
			return;
		}
		if (kind == VOX_SIP_FRAME_MESSAGE) {
			struct vox_peer from = hop_of(c);
			c->msgs_in++;
			l->st.stream_in++;
			trace(l, 1, &from, c->rx, (size_t)n);
			int rc = l->cfg.ua ? vox_ua_recv(l->cfg.ua, c->rx, (size_t)n, &from, l->now)
			                   : VOX_ESTATE;
			if (rc < 0)
				l->st.ua_rejected++;
			if (rc < 0 && l->cfg.ua) {
				/* not SIP at all (vox_ua_recv): a peer that sends such
				 * bytes on a stream is not one to keep talking to */
				conn_close(l, c, rc);
				return;
			}
		} else if (kind == VOX_SIP_FRAME_PING) {
			/* RFC 5626 4.4.1: a double CRLF gets a single one */
			l->st.pongs_sent++;
			if (c->tp == VOX_TP_TCP)
				(void)!conn_queue(l, c, "\r\n", 2);
#if VOX_WITH_TLS
			else if (c->pt_len + 2 <= sizeof c->pt) {
				memcpy(c->pt + c->pt_len, "\r\n", 2);
				c->pt_len += 2;
			}
#endif
			conn_flush(l, c);
		} else if (c->pong_wait) {
			c->pong_wait = 0;
			c->pongs++;
			l->st.pongs_received++;
		}
		memmove(c->rx, c->rx + n, c->rx_len - (size_t)n);
		c->rx_len -= (size_t)n;
		/* the UA's answer leaves before the next message is taken: its
		 * queue of stateless output is small */
		vox_loop_flush(l, l->now);
	}
}

static void conn_readable(struct vox_loop *l, struct vox_loop_conn *c)
{
	for (int rounds = 0; rounds < 16 && c->state != VOX_LOOP_CONN_DEAD; rounds++) {
		size_t room = sizeof l->io;
#if VOX_WITH_TLS
		if (c->tls_on)
			room = vox_tls_conn_recv_room(&c->tls);
		else
#endif
			room = sizeof c->rx - c->rx_len;
		if (!room) {
			conn_close(l, c, VOX_ETOOLONG);
			return;
		}
		if (room > sizeof l->io)
			room = sizeof l->io;
		ssize_t n = recv(c->fd, l->io, room, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n < 0) {
			conn_close(l, c, VOX_EIO);
			return;
		}
		if (n > 0)
			c->t_rx = l->now;
#if VOX_WITH_TLS
		if (c->tls_on) {
			(void)!vox_tls_conn_recv(&c->tls, l->io, (size_t)n); /* failures: events */
			tls_events(l, c);
			for (;;) {
				if (c->state == VOX_LOOP_CONN_DEAD)
					return;
				size_t space = sizeof c->rx - c->rx_len;
				int k = space ? vox_tls_conn_read(
				                    &c->tls, (uint8_t *)c->rx + c->rx_len, space)
				              : 0;
				if (k > 0) {
					c->rx_len += (size_t)k;
					conn_frame(l, c);
					continue;
				}
				tls_events(l, c);
				if (k == VOX_ECLOSED && c->state != VOX_LOOP_CONN_DEAD)
					conn_close(l, c, VOX_ECLOSED);
				else if (k < 0 && c->state != VOX_LOOP_CONN_DEAD)
					conn_close(l, c, k);
				break;
			}
			if (c->state == VOX_LOOP_CONN_DEAD)
				return;
			if (c->rx_len == sizeof c->rx) {
				conn_close(l, c, VOX_ETOOLONG);
				return;
			}
			conn_flush(l, c);
			if (n == 0 && c->state != VOX_LOOP_CONN_DEAD)
				conn_close(l, c, VOX_ECLOSED);
			continue;
		}
#endif
		if (n == 0) {
			conn_close(l, c, VOX_ECLOSED);
			return;
		}
		memcpy(c->rx + c->rx_len, l->io, (size_t)n);
		c->rx_len += (size_t)n;
		conn_frame(l, c);
	}
}

static void accept_on(struct vox_loop *l, const struct vox_loop_listener *li)
{
	for (int k = 0; k < 16; k++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof ss;
		int fd = accept(li->fd, (struct sockaddr *)&ss, &sl);
		if (fd < 0)
			return; /* EAGAIN, or an error of that one connection */
		struct vox_addr peer;
		from_sockaddr(&ss, &peer);
		struct vox_loop_conn *c = NULL;
		if (set_nonblock(fd) == 0 && fcntl(fd, F_SETFD, FD_CLOEXEC) == 0 &&
		    vox_loop_conns(l) < VOX_LOOP_MAX_CONNS)
			c = conn_new(l, fd, li->tp, &peer);
		if (c)
			c->listener = (uint8_t)(li - l->lis + 1);
		if (!c) {
			l->st.refused++; /* over the limit: closed at once, nothing read */
			close(fd);
			continue;
		}
		int on = 1;
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
		l->st.accepted++;
		conn_up(l, c);
	}
}

static void udp_readable(struct vox_loop *l, const struct vox_loop_listener *li)
{
	for (int k = 0; k < 64; k++) {
		/* The application drains the events between turns. A burst of
		 * datagrams must not push out events it has not seen (an
		 * INCOMING lost is a call nobody answers): with the queue half
		 * full, the rest waits in the socket for the next turn. */
		if (l->ev_len >= VOX_LOOP_MAX_EVENTS / 2)
			return;
		struct sockaddr_storage ss;
		socklen_t sl = sizeof ss;
		ssize_t n = recvfrom(li->fd, l->io, sizeof l->io, 0, (struct sockaddr *)&ss, &sl);
		if (n < 0)
			return;
		struct vox_peer from;
		memset(&from, 0, sizeof from);
		from.tp = VOX_TP_UDP;
		from.listener = (uint8_t)(li - l->lis + 1); /* its answers leave from li */
		from_sockaddr(&ss, &from.addr);
		l->st.udp_in++;
		trace(l, 1, &from, (const char *)l->io, (size_t)n);
		if (!l->cfg.ua ||
		    vox_ua_recv(l->cfg.ua, (const char *)l->io, (size_t)n, &from, l->now) < 0)
			l->st.ua_rejected++;
		flush(l, l->now, 0); /* the answer now; media at the turn's end */
	}
}

static void media_readable(struct vox_loop *l, struct vox_loop_media *m, int k)
{
	for (int r = 0; r < 64 && m->call && m->fd[k] >= 0; r++) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof ss;
		ssize_t n =
		    recvfrom(m->fd[k], l->mbuf, sizeof l->mbuf, 0, (struct sockaddr *)&ss, &sl);
		if (n < 0)
			return;
		struct vox_addr from;
		from_sockaddr(&ss, &from);
		l->st.media_in++;
		(void)vox_ua_media_recv(l->cfg.ua, m->call, (const uint8_t *)l->mbuf, (size_t)n,
		                        &from, l->now); /* refusals are counted by the engine */
		vox_loop_flush(l, l->now);
	}
}

/* ---- timers ------------------------------------------------------------------------------------ */

static uint64_t conn_deadline(const struct vox_loop *l, const struct vox_loop_conn *c)
{
	if (c->state == VOX_LOOP_CONN_DEAD)
		return NEVER;
	if (c->state == VOX_LOOP_CONN_HANDSHAKE)
		return c->t_tls + l->cfg.handshake_ms;
	if (c->state != VOX_LOOP_CONN_OPEN)
		return c->t_begin + l->cfg.connect_ms;
	uint64_t t = c->t_rx + l->cfg.idle_ms;
	return c->t_ping < t ? c->t_ping : t;
}

static void conn_timers(struct vox_loop *l, struct vox_loop_conn *c)
{
	if (c->state == VOX_LOOP_CONN_DEAD)
		return;
	if (c->state != VOX_LOOP_CONN_OPEN) {
		/* a peer that never finishes (or never starts) its handshake
		 * must not keep a connection slot */
		if (l->now >= conn_deadline(l, c))
			conn_close(l, c, VOX_ETIMEOUT);
		return;
	}
	if (l->now >= c->t_rx + l->cfg.idle_ms) {
		conn_close(l, c, VOX_ETIMEOUT);
		return;
	}
	if (l->now >= c->t_ping) {
		/* RFC 5626 4.4.1: CRLF CRLF; the peer answers with CRLF */
		c->t_ping = l->now + l->cfg.keepalive_ms;
		c->pings++;
		c->pong_wait = 1;
		l->st.pings_sent++;
		vox_sip_framer_expect_pong(&c->fr);
#if VOX_WITH_TLS
		if (c->tls_on) {
			if (c->pt_len + 4 <= sizeof c->pt) {
				memcpy(c->pt + c->pt_len, "\r\n\r\n", 4);
				c->pt_len += 4;
			}
		} else
#endif
			(void)!conn_queue(l, c, "\r\n\r\n", 4);
		conn_flush(l, c);
	}
}

/* ---- the turn ------------------------------------------------------------------------------------ */

int vox_loop_run(struct vox_loop *l, uint64_t until)
{
	struct pollfd pf[VOX_LOOP_MAX_LISTENERS + VOX_LOOP_MAX_CONNS + 2 * VOX_UA_MAX_CALLS + 16];
	/* what each pollfd stands for: 0 listener, 1 connection, 2 media; the
	 * resolver's come last */
	uint8_t kind[sizeof pf / sizeof pf[0]];
	uint32_t which[sizeof pf / sizeof pf[0]];
	nfds_t n = 0;
	vox_loop_flush(l, vox_clock_ms());

	uint64_t due = l->cfg.ua ? vox_ua_next_deadline(l->cfg.ua) : NEVER;
	if (until < due)
		due = until;
	for (size_t i = 0; i < l->nlis; i++) {
		pf[n] = (struct pollfd){l->lis[i].fd, POLLIN, 0};
		kind[n] = 0;
		which[n++] = (uint32_t)i;
	}
	for (size_t i = 0; i < VOX_LOOP_MAX_CONNS; i++) {
		struct vox_loop_conn *c = l->conn[i];
		if (!c || c->state == VOX_LOOP_CONN_DEAD)
			continue;
		uint64_t t = conn_deadline(l, c);
		if (t < due)
			due = t;
		short ev = c->state == VOX_LOOP_CONN_CONNECTING ? POLLOUT : POLLIN;
		if (c->tx_off < c->tx_len)
			ev |= POLLOUT;
		pf[n] = (struct pollfd){c->fd, ev, 0};
		kind[n] = 1;
		which[n++] = c->id;
	}
	for (size_t i = 0; l->nmedia && i < VOX_UA_MAX_CALLS; i++)
		for (int k = 0; k < 2; k++)
			if (l->media[i].call && l->media[i].fd[k] >= 0) {
				pf[n] = (struct pollfd){l->media[i].fd[k], POLLIN, 0};
				kind[n] = 2;
				which[n++] = (uint32_t)(i * 2 + (size_t)k);
			}

	uint64_t now = vox_clock_ms();
	nfds_t ndns = (nfds_t)loop_dns_fds(l, pf + n, sizeof pf / sizeof pf[0] - n, &due, now);
	nfds_t nio = n;
	n += ndns;
	int timeout = due <= now ? 0 : due - now > 60000 ? 60000 : (int)(due - now);
	int ready = poll(pf, n, timeout);
	if (ready < 0 && errno != EINTR)
		return VOX_EIO;
	l->now = vox_clock_ms();

	for (nfds_t i = 0; ready > 0 && i < nio; i++) {
		if (!pf[i].revents)
			continue;
		if (kind[i] == 0) {
			const struct vox_loop_listener *li = &l->lis[which[i]];
			if (li->tp == VOX_TP_UDP)
				udp_readable(l, li);
			else
				accept_on(l, li);
		} else if (kind[i] == 1) {
			struct vox_loop_conn *c = conn_by_id(l, which[i]);
			if (!c)
				continue;
			if (c->state == VOX_LOOP_CONN_CONNECTING) {
				int soerr = 0;
				socklen_t sl = sizeof soerr;
				if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0 ||
				    soerr)
					conn_close(l, c, VOX_EIO);
				else
					conn_up(l, c);
				continue;
			}
			if (pf[i].revents & (POLLIN | POLLHUP | POLLERR))
				conn_readable(l, c);
			if (pf[i].revents & POLLOUT)
				conn_flush(l, c);
		} else {
			struct vox_loop_media *m = &l->media[which[i] / 2];
			media_readable(l, m, (int)(which[i] % 2));
		}
	}

	loop_dns_process(l, pf + nio, ndns);
	if (l->cfg.ua && vox_ua_next_deadline(l->cfg.ua) <= l->now)
		vox_ua_on_deadline(l->cfg.ua, l->now);
	for (size_t i = 0; i < VOX_LOOP_MAX_CONNS; i++)
		if (l->conn[i])
			conn_timers(l, l->conn[i]);
	vox_loop_flush(l, l->now);
	reap(l);
	return 0;
}

/* ---- setup ------------------------------------------------------------------------------------- */

int vox_loop_init(struct vox_loop *l, const struct vox_loop_config *cfg)
{
	if (!l)
		return VOX_EINVAL;
	memset(l, 0, sizeof *l);
	if (!cfg)
		return VOX_EINVAL;
	l->cfg = *cfg;
	if (!l->cfg.idle_ms)
		l->cfg.idle_ms = VOX_LOOP_IDLE_MS;
	if (!l->cfg.connect_ms)
		l->cfg.connect_ms = VOX_LOOP_CONNECT_MS;
	if (!l->cfg.keepalive_ms)
		l->cfg.keepalive_ms = VOX_LOOP_KEEPALIVE_MS;
	if (!l->cfg.handshake_ms)
		l->cfg.handshake_ms = VOX_LOOP_HANDSHAKE_MS;
	for (size_t i = 0; i < VOX_UA_MAX_CALLS; i++)
		l->media[i].fd[0] = l->media[i].fd[1] = -1;
	l->now = vox_clock_ms();
	return 0;
}

int vox_loop_set_ua(struct vox_loop *l, struct vox_ua *ua)
{
	if (!ua)
		return VOX_EINVAL;
	if (l->cfg.ua)
		return VOX_ESTATE;
	l->cfg.ua = ua;
	return 0;
}

void vox_loop_free(struct vox_loop *l)
{
	if (!l)
		return;
	loop_dns_free(l);
	for (size_t i = 0; i < l->nlis; i++)
		if (l->lis[i].fd >= 0)
			close(l->lis[i].fd);
	l->nlis = 0;
	for (size_t i = 0; i < VOX_LOOP_MAX_CONNS; i++)
		if (l->conn[i]) {
			if (l->conn[i]->fd >= 0)
				close(l->conn[i]->fd);
			conn_free(l->conn[i]);
			l->conn[i] = NULL;
		}
	for (size_t i = 0; i < VOX_UA_MAX_CALLS; i++)
		if (l->media[i].fd[0] >= 0 || l->media[i].fd[1] >= 0)
			media_close(l, &l->media[i]);
}

int vox_loop_listen(struct vox_loop *l, enum vox_transport tp, const struct vox_addr *addr,
                    struct vox_addr *bound)
{
	struct sockaddr_storage ss;
	socklen_t sl = addr ? to_sockaddr(addr, &ss) : 0;
	if (!sl || (tp != VOX_TP_UDP && tp != VOX_TP_TCP && tp != VOX_TP_TLS) ||
	    (tp == VOX_TP_TLS && !l->cfg.tls_server))
		return VOX_EINVAL;
	if (l->nlis == VOX_LOOP_MAX_LISTENERS)
		return VOX_ELIMIT;
	int fd = open_socket(addr->family, tp == VOX_TP_UDP ? SOCK_DGRAM : SOCK_STREAM);
	if (fd < 0)
		return VOX_EIO;
	if (tp != VOX_TP_UDP) {
		int on = 1; /* a restarted server gets its port back at once */
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
	} else if (VOX_LOOP_UDP_BUF > 0) {
		int b = VOX_LOOP_UDP_BUF; /* capped by the system: a wish, not a need */
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &b, sizeof b);
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &b, sizeof b);
	}
	socklen_t gl = sizeof ss;
	if (bind(fd, (struct sockaddr *)&ss, sl) != 0 ||
	    (tp != VOX_TP_UDP && listen(fd, 64) != 0) ||
	    getsockname(fd, (struct sockaddr *)&ss, &gl) != 0) {
		close(fd);
		return VOX_EIO;
	}
	struct vox_loop_listener *li = &l->lis[l->nlis];
	li->fd = fd;
	li->tp = tp;
	from_sockaddr(&ss, &li->addr);
	if (bound)
		*bound = li->addr;
	return (int)l->nlis++;
}

int vox_loop_tls_name(struct vox_loop *l, const struct vox_addr *addr, struct vox_slice name)
{
	if (name.len >= sizeof l->names[0].name)
		return VOX_ETOOLONG;
	if (l->nnames == VOX_LOOP_MAX_NAMES)
		return VOX_ELIMIT;
	struct vox_loop_name *n = &l->names[l->nnames++];
	n->addr = *addr;
	memcpy(n->name, name.p, name.len);
	n->name[name.len] = 0;
	return 0;
}
