/* SPDX-License-Identifier: MIT */
/* What transport/loop.c and transport/dns.c share; not part of the API. */
#ifndef VOX_LOOP_INT_H
#define VOX_LOOP_INT_H

#include <poll.h>

#include "vox/loop.h"

/* A fresh event at the back of the loop's queue (the oldest goes when it
 * is full). */
struct vox_loop_event *loop_push_event(struct vox_loop *l, enum vox_loop_ev_type type);

/* The resolver's sockets for the next poll(): at most cap entries written
 * to pf, their count returned; *due lowered to c-ares's next timeout. */
size_t loop_dns_fds(struct vox_loop *l, struct pollfd *pf, size_t cap, uint64_t *due, uint64_t now);
/* After poll(): what c-ares's n sockets in pf said, and its timeouts. */
void loop_dns_process(struct vox_loop *l, const struct pollfd *pf, size_t n);
/* Ends every lookup (no event) and the channel. */
void loop_dns_free(struct vox_loop *l);
/* vox_loop_resolve for the application (ua_id 0) or for the UA's question
 * ua_id, whose answer waits in the query for the loop to deliver. */
int loop_dns_ask(struct vox_loop *l, struct vox_slice name, uint32_t ua_id, uint32_t *query);

#endif
