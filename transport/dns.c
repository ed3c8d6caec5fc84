/* SPDX-License-Identifier: MIT */
/*
 * transport/dns.c: A and AAAA lookups for the loop (vox_loop_resolve)
 * through c-ares, without blocking: c-ares's sockets join the loop's
 * poll() and its timeouts the loop's deadline. c-ares reads
 * /etc/resolv.conf and /etc/hosts when the channel is made.
 */
#define _POSIX_C_SOURCE 200809L

#include <sys/select.h> /* fd_set, struct timeval: ares.h needs them first */
#include <sys/time.h>

#include <ares.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "transport/loop_int.h"

/* A query ended: its event, with the addresses IPv4 first (the order
 * getaddrinfo gives on most hosts, and what RFC 3263 leaves to us). */
static void on_answer(void *arg, int status, int timeouts, struct ares_addrinfo *res)
{
	struct vox_loop_query *q = arg;
	(void)timeouts;
	if (status == ARES_EDESTRUCTION || !q->loop) {
		ares_freeaddrinfo(res);
		return; /* the loop is being freed */
	}
	struct vox_loop *l = q->loop;
	/* the UA's question: the answer waits in q for the next flush
	 * (loop_dns_deliver), never fed to the UA from inside c-ares */
	struct vox_loop_event ue;
	struct vox_loop_event *e = q->ua_id ? &ue : loop_push_event(l, VOX_LOOP_EV_RESOLVED);
	if (q->ua_id)
		memset(e, 0, sizeof *e);
	e->query = q->id;
	if (!q->ua_id)
		q->loop = NULL;
	switch (status) {
	case ARES_SUCCESS: e->err = 0; break;
	case ARES_ENOTFOUND:
	case ARES_ENODATA:
	case ARES_ENONAME: e->err = VOX_ENOTFOUND; break;
	case ARES_ETIMEOUT: e->err = VOX_ETIMEOUT; break;
	case ARES_EBADNAME:
	case ARES_EBADFLAGS: e->err = VOX_EMALFORMED; break;
	default: e->err = VOX_EIO; break;
	}
	for (int fam = 4; res && fam <= 6; fam += 2)
		for (struct ares_addrinfo_node *n = res->nodes; n; n = n->ai_next) {
			if (e->naddrs == VOX_LOOP_MAX_ADDRS)
				break;
			struct vox_addr *a = &e->addrs[e->naddrs];
			memset(a, 0, sizeof *a);
			if (fam == 4 && n->ai_family == AF_INET) {
				a->family = 4;
				memcpy(a->ip,
				       &((const struct sockaddr_in *)(void *)n->ai_addr)->sin_addr,
				       4);
			} else if (fam == 6 && n->ai_family == AF_INET6) {
				a->family = 6;
				memcpy(
				    a->ip,
				    &((const struct sockaddr_in6 *)(void *)n->ai_addr)->sin6_addr,
				    16);
			} else {
				continue;
			}
			/* the same address twice (one per socket type) counts once */
			int dup = 0;
			for (size_t k = 0; k < e->naddrs; k++)
				dup |= memcmp(&e->addrs[k], a, sizeof *a) == 0;
			if (!dup)
				e->naddrs++;
		}
	if (!e->err && !e->naddrs)
		e->err = VOX_ENOTFOUND;
	if (q->ua_id) {
		q->done = 1;
		q->err = e->err;
		q->naddrs = e->naddrs;
		memcpy(q->addrs, e->addrs, sizeof q->addrs);
	}
	ares_freeaddrinfo(res);
}

static int channel(struct vox_loop *l)
{
	if (l->dns)
		return 0;
	if (ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS)
		return VOX_EIO;
	struct ares_options o;
	memset(&o, 0, sizeof o);
	o.timeout = 1000; /* ms per try */
	o.tries = 2;
	ares_channel ch;
	if (ares_init_options(&ch, &o, ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES) != ARES_SUCCESS) {
		ares_library_cleanup();
		return VOX_EIO;
	}
	l->dns = ch;
	return 0;
}

int vox_loop_resolve(struct vox_loop *l, struct vox_slice name, uint32_t *query)
{
	return loop_dns_ask(l, name, 0, query);
}

int loop_dns_ask(struct vox_loop *l, struct vox_slice name, uint32_t ua_id, uint32_t *query)
{
	char host[254];
	if (!name.len || name.len >= sizeof host || memchr(name.p, 0, name.len))
		return VOX_EINVAL;
	memcpy(host, name.p, name.len);
	host[name.len] = 0;
	struct vox_loop_query *q = NULL;
	for (size_t i = 0; !q && i < VOX_LOOP_MAX_QUERIES; i++)
		if (!l->queries[i].loop)
			q = &l->queries[i];
	if (!q)
		return VOX_EPOOL;
	int rc = channel(l);
	if (rc)
		return rc;
	if (++l->next_query == 0)
		l->next_query = 1;
	memset(q, 0, sizeof *q);
	q->loop = l;
	q->id = l->next_query;
	q->ua_id = ua_id;
	memcpy(q->name, host, name.len + 1);
	*query = q->id;
	struct ares_addrinfo_hints h;
	memset(&h, 0, sizeof h);
	h.ai_family = AF_UNSPEC;
	h.ai_socktype = SOCK_DGRAM; /* one entry per address, not one per type */
	/* may answer at once (a literal, /etc/hosts): the event is queued */
	ares_getaddrinfo((ares_channel)l->dns, host, NULL, &h, on_answer, q);
	return 0;
}

size_t loop_dns_fds(struct vox_loop *l, struct pollfd *pf, size_t cap, uint64_t *due, uint64_t now)
{
	if (!l->dns)
		return 0;
	ares_channel ch = (ares_channel)l->dns;
	ares_socket_t s[ARES_GETSOCK_MAXNUM];
	/* the bits, read unsigned: ares.h's ARES_GETSOCK_WRITABLE shifts an
	 * int into its sign bit for the last socket */
	unsigned bits = (unsigned)ares_getsock(ch, s, ARES_GETSOCK_MAXNUM);
	size_t n = 0;
	for (unsigned i = 0; i < ARES_GETSOCK_MAXNUM && n < cap; i++) {
		short ev = (short)((bits & 1u << i ? POLLIN : 0) |
		                   (bits & 1u << (ARES_GETSOCK_MAXNUM + i) ? POLLOUT : 0));
		if (ev)
			pf[n++] = (struct pollfd){s[i], ev, 0};
	}
	struct timeval tv, *t = ares_timeout(ch, NULL, &tv);
	if (t) {
		uint64_t at = now + (uint64_t)t->tv_sec * 1000u + (uint64_t)t->tv_usec / 1000u;
		if (at < *due)
			*due = at;
	}
	return n;
}

void loop_dns_process(struct vox_loop *l, const struct pollfd *pf, size_t n)
{
	if (!l->dns)
		return;
	ares_channel ch = (ares_channel)l->dns;
	for (size_t i = 0; i < n; i++)
		if (pf[i].revents)
			ares_process_fd(ch,
			                pf[i].revents & (POLLIN | POLLERR | POLLHUP)
			                    ? pf[i].fd
			                    : ARES_SOCKET_BAD,
			                pf[i].revents & POLLOUT ? pf[i].fd : ARES_SOCKET_BAD);
	ares_process_fd(ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD); /* timeouts */
}

void loop_dns_free(struct vox_loop *l)
{
	if (!l->dns)
		return;
	for (size_t i = 0; i < VOX_LOOP_MAX_QUERIES; i++)
		l->queries[i].loop = NULL; /* their callbacks see ARES_EDESTRUCTION */
	ares_destroy((ares_channel)l->dns);
	l->dns = NULL;
	ares_library_cleanup();
}
