/* SPDX-License-Identifier: MIT */
/*
 * vox/sip_txn.h: the SIP transaction layer (RFC 3261 17, RFC 6026).
 *
 * A transaction layer ("txl") owns a caller-supplied pool of transactions
 * and runs the four state machines of RFC 3261 17: INVITE client (ICT),
 * non-INVITE client (NICT), INVITE server (IST), non-INVITE server (NIST),
 * with the Accepted state that RFC 6026 adds to both INVITE machines.
 *
 * It is a sans-I/O engine: the caller feeds it parsed messages and the
 * time, and pulls out bytes to send (vox_sip_txl_poll_output), the next
 * deadline, and events (timeouts, missing ACKs, freed slots). It never
 * reads a clock and never allocates. Times are milliseconds from any
 * monotonic origin; UINT64_MAX means "never".
 *
 * A transaction is named by a vox_sip_txn_id: slot and generation, so a
 * handle to a finished transaction stops working instead of reaching the
 * slot's next user. 0 is never a valid id.
 *
 * Ownership: the caller owns the struct vox_sip_txl, the pool of
 * transactions and the arena of chunks it runs on; the layer keeps
 * pointers to them. Every message handed in (a parsed one, or the bytes of
 * a request or response) is read during the call only: what must be sent
 * again is copied into the arena (struct vox_sip_chunk below).
 *
 * Cost: a message finds its transaction through a hash table on what it
 * matches on, and the next deadline is the top of a timer heap, so the work
 * per message and per timer does not grow with the size of the pool.
 */
#ifndef VOX_SIP_TXN_H
#define VOX_SIP_TXN_H

#include "vox/sip.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef uint32_t vox_sip_txn_id;

/* RFC 3261 17.1.1.1 timer values, in milliseconds. */
struct vox_sip_timers {
	uint32_t t1; /* round-trip estimate, default 500 */
	uint32_t t2; /* maximum retransmit interval, default 4000 */
	uint32_t t4; /* maximum time a message stays in the network, default 5000 */
};

enum vox_sip_txn_kind { VOX_TXN_ICT = 1, VOX_TXN_NICT, VOX_TXN_IST, VOX_TXN_NIST };

enum vox_sip_txn_state {
	VOX_TXN_FREE = 0,
	VOX_TXN_CALLING,    /* ICT: INVITE sent, nothing heard */
	VOX_TXN_TRYING,     /* NICT: request sent; NIST: request received */
	VOX_TXN_PROCEEDING, /* a provisional response was sent or received */
	VOX_TXN_COMPLETED,  /* a final non-2xx (INVITE) or any final (non-INVITE) */
	VOX_TXN_CONFIRMED,  /* IST: the ACK for a non-2xx arrived */
	VOX_TXN_ACCEPTED,   /* RFC 6026: a 2xx to an INVITE, absorbing retransmissions */
	VOX_TXN_TERMINATED
};

/* The retransmission arena (docs/architecture.md, Memory). The bytes a
 * transaction keeps (what it matches on, the message it may have to send
 * again) live in chunks of VOX_SIP_CHUNK bytes that the whole layer
 * shares; a message takes as many chunks as it needs, linked by index, and
 * gives them back (wiped) as soon as no retransmission can need them. So a
 * transaction itself is a small control block, and the memory for
 * messages is sized for the traffic (VOX_UA_ARENA), not for the worst
 * message times the number of transactions. */
#define VOX_SIP_NOCHUNK 0xffffu
struct vox_sip_chunk {
	uint16_t next; /* the message's next chunk, or VOX_SIP_NOCHUNK */
	char b[VOX_SIP_CHUNK];
};

/* A transaction's control block. Three kinds of bytes hang off it in the
 * arena, each a chain of chunks (first chunk and length):
 *   id   what a message must match, byte for byte (always);
 *   msg  the message to (re)send: a request, the last response, the ACK;
 *        held while it waits to be sent, and afterwards only while a
 *        retransmission can still need it (over UDP, see sip/txn.c);
 *   req  an INVITE server transaction: the headers its responses copy
 *        (8.2.6.2), until its final response.
 * The slot also serves the layer's lookups: bucket is the head of hash
 * bucket i (for the slot i of the pool), hnext chains the slots of one
 * bucket; heap is the timer heap's entry i, hpos this slot's place in it;
 * pprev/pnext link the slots whose msg waits to be sent. Indices are
 * slot + 1, 0 for none. */
struct vox_sip_txn {
	uint8_t kind;     /* enum vox_sip_txn_kind */
	uint8_t state;    /* enum vox_sip_txn_state */
	uint8_t reliable; /* TCP/TLS: no retransmissions, no waiting states */
	uint8_t method;   /* enum vox_sip_method of the request (CANCEL apart) */
	uint8_t pending;  /* msg waits to be sent */
	uint8_t acked;    /* IST in Accepted: the TU sends its 2xx no more */
	uint16_t gen;     /* generation of this slot */
	uint16_t status;  /* last final or provisional status sent or received */
	uint16_t idlen;   /* bytes of id (a NIST in Completed keeps its To tag after them) */
	uint16_t taglen;  /* bytes of that To tag */
	uint16_t ownlen;  /* and after the tag, bytes of the response's own part */
	uint16_t len;     /* bytes in msg */
	uint16_t reqlen;  /* bytes in req */
	uint16_t id_at, msg_at, req_at; /* first chunks */
	uint16_t bucket, hnext;         /* hash table */
	uint16_t heap, hpos;            /* timer heap */
	uint16_t lheap, lpos;           /* heap of the lingering ones, by t_end */
	uint16_t pprev, pnext;          /* output queue */
	uint32_t interval;              /* current retransmission interval (A, E, G) */
	uint64_t t_retx;                /* next retransmission (A, E, G) or UINT64_MAX */
	uint64_t t_end;                 /* B, F, H (timeout) or D, I, J, K, L, M (linger) */
	uint64_t key;                   /* hash of id: finds the bucket, a quick first test */
	struct vox_peer peer;
};

enum vox_sip_txl_ev_type {
	VOX_TXL_EV_TIMEOUT = 1,  /* client: Timer B or F fired; act as on a 408 (8.1.3.1) */
	VOX_TXL_EV_NO_ACK,       /* IST: Timer H fired, the ACK never came */
	VOX_TXL_EV_TRANSPORT_ERR /* the caller reported that sending failed */
};

struct vox_sip_txl_event {
	enum vox_sip_txl_ev_type type;
	vox_sip_txn_id id;
	enum vox_sip_method method;
	unsigned status; /* the last status of the transaction */
};

struct vox_sip_txl {
	struct vox_sip_timers timers;
	struct vox_sip_txn *pool;
	size_t npool;
	size_t active;         /* transactions in use */
	size_t reserve;        /* slots only client transactions may take (0 after init):
	                   a flood of requests cannot starve our own */
	size_t pending;        /* transactions with a message waiting to be sent */
	uint16_t phead, ptail; /* the output queue, oldest first (slot + 1) */
	uint16_t free_slot;    /* first free slot (+ 1), linked by hnext */
	size_t nheap;          /* transactions with a timer running */
	size_t nlinger;        /* lingering transactions (the eviction heap) */
	struct vox_sip_chunk *arena;
	size_t nchunks;
	size_t chunks_free;     /* chunks not in use */
	size_t chunks_low;      /* the fewest chunks ever free (for sizing VOX_UA_ARENA) */
	uint16_t free_chunk;    /* first free chunk */
	uint32_t arena_refused; /* messages the full arena could not take */
	uint32_t evicted;       /* lingering transactions ended early to make room */
	struct vox_sip_txl_event evq[VOX_SIP_TXL_QUEUE];
	uint16_t ev_head, ev_len;
	uint32_t dropped_events;    /* events lost to a full queue (never expected) */
	struct vox_sip_msg scratch; /* for reading stored messages */
	char work[VOX_SIP_TXN_MSG]; /* a stored message, copied out of the arena */
	/* A response the TU replaced before it was sent (a 180 right before
	 * the 200) waits here, its bytes still in the arena, so that it
	 * still goes out, in order; with both taken, vox_sip_txl_respond
	 * refuses with VOX_ELIMIT. */
	uint8_t nspill;
	struct {
		uint16_t len, at;
		struct vox_peer to;
		vox_sip_txn_id id; /* the transaction it belongs to */
	} spill[2];
};

/* The configuration fingerprint of vox/config.h (VOX_CONFIG_FINGERPRINT)
 * the layer was compiled with: vox_sip_txl_init passes the caller's. */
uint32_t vox_sip_txl_fingerprint(void);

/* Sets up a transaction layer over pool[0..n) and an arena of nchunks
 * chunks (n and nchunks <= 65534; larger values use only that many).
 * timers NULL, or a zero field, means the RFC default. pool and arena
 * must outlive t. Returns 0, or VOX_ECONFIG when the caller was compiled
 * with another vox/config.h than the library (the layout of struct
 * vox_sip_txl differs: nothing was touched), or VOX_EINVAL (t or pool
 * NULL, n 0, an arena of fewer chunks than one message of
 * VOX_SIP_TXN_MSG bytes and its id need). vox_sip_txl_init is a macro
 * that passes the caller's VOX_CONFIG_FINGERPRINT. */
VOX_MUST_CHECK int vox_sip_txl_init_fp(struct vox_sip_txl *t, struct vox_sip_txn *pool, size_t n,
                                       struct vox_sip_chunk *arena, size_t nchunks,
                                       const struct vox_sip_timers *timers, uint32_t fingerprint);
#define vox_sip_txl_init(t, pool, n, arena, nchunks, timers)                                       \
	vox_sip_txl_init_fp((t), (pool), (n), (arena), (nchunks), (timers), VOX_CONFIG_FINGERPRINT)

/* Chunks a message of len bytes takes in the arena. */
static inline size_t vox_sip_chunks_for(size_t len)
{
	return (len + VOX_SIP_CHUNK - 1) / VOX_SIP_CHUNK;
}

/* What vox_sip_txl_recv made of a message. */
enum vox_sip_txl_result {
	VOX_TXL_NEW_REQUEST = 1, /* a new server transaction *id: hand it to the TU */
	VOX_TXL_RESPONSE,        /* a response for client transaction *id: hand it to the TU */
	VOX_TXL_ACK,             /* an ACK the TU must see (for a 2xx: RFC 6026 / 13.3.1.4) */
	VOX_TXL_ABSORBED,        /* a retransmission handled here; nothing for the TU */
	VOX_TXL_STRAY_RESPONSE   /* a response matching no transaction (a late 2xx: the
				    TU/dialog re-ACKs it, 13.2.2.4), *id is 0 */
};

/*
 * Feeds one received, parsed message (validated by the caller first).
 * from is the hop it came over. A message belongs to a transaction when
 * everything 17.1.3 / 17.2.3 match on is equal, byte for byte (sent-by
 * host regardless of case). Returns an enum vox_sip_txl_result, or
 * VOX_EPOOL when a new request finds no free slot (answer it statelessly
 * with 503), VOX_EMALFORMED when it lacks what matching needs (Via, CSeq),
 * VOX_EINVAL when an argument is NULL, or VOX_ETOOLONG for a request (not
 * an ACK) whose matching fields do not fit VOX_SIP_TXN_ID (dropped: no
 * transaction, no answer). *id is the transaction, 0 for
 * VOX_TXL_STRAY_RESPONSE, for an ACK that matches none, and on errors. A
 * new INVITE gets its 100 Trying queued here; when that does not fit
 * VOX_SIP_TXN_MSG no transaction is made and the result is VOX_ETOOLONG
 * (its responses could never be sent); when the arena has no room for it,
 * VOX_EPOOL as for a full pool.
 */
VOX_MUST_CHECK int vox_sip_txl_recv(struct vox_sip_txl *t, const struct vox_sip_msg *m,
                                    const struct vox_peer *from, uint64_t now, vox_sip_txn_id *id);

/* As vox_sip_txl_recv, for a request the TU must not refuse for want of
 * room: a BYE inside a dialog it has (a BYE answered 503 would leave the
 * call up at our end for ever, RFC 3261 15.1.2). Its transaction may also
 * take the slots kept for client transactions (reserve). Returns as
 * vox_sip_txl_recv.
 *
 * Room, for every new transaction: when no slot (or not enough of the
 * arena) is free, the lingering transaction that would end first (one
 * that only absorbs retransmissions: Timers D, I, J, K, L, M) ends early
 * and gives its place (counted in evicted); a late retransmission it would
 * have absorbed then reads as a new request. VOX_EPOOL comes only when
 * nothing lingers. */
VOX_MUST_CHECK int vox_sip_txl_recv_must(struct vox_sip_txl *t, const struct vox_sip_msg *m,
                                         const struct vox_peer *from, uint64_t now,
                                         vox_sip_txn_id *id);

/* Starts a client transaction for a request the TU built (its top Via
 * carries a fresh branch). The request is copied and queued for sending
 * to `to`. Returns 0 and *id, or
 *   VOX_EPOOL       no free slot, or no room in the arena
 *   VOX_ETOOLONG    longer than VOX_SIP_TXN_MSG, or a branch and method
 *                   longer than VOX_SIP_TXN_ID
 *   VOX_EMALFORMED  not a request that parses, or no Via with an RFC 3261
 *                   branch, or no CSeq
 *   VOX_EINVAL      to or id NULL, or an ACK (an ACK for a 2xx is sent
 *                   outside transactions, RFC 3261 17) */
VOX_MUST_CHECK int vox_sip_txl_request(struct vox_sip_txl *t, const char *msg, size_t len,
                                       const struct vox_peer *to, uint64_t now, vox_sip_txn_id *id);

/* Sends a response through a server transaction (a 2xx to an INVITE moves
 * it to Accepted; retransmitting that 2xx later is the TU's job, done by
 * calling this again). msg is copied. The transaction's previous response
 * may not have been polled yet: a 100 Trying is then dropped (17.2.1), any
 * other is kept to go out first, in one of two spill slots the layer
 * shares. Returns 0, VOX_EPOOL (no room in the arena: nothing changed),
 * VOX_ENOTFOUND (no such transaction), VOX_ESTATE (a
 * final response was already sent; for an INVITE in Accepted only a 2xx
 * again), VOX_ETOOLONG (longer than VOX_SIP_TXN_MSG), VOX_EINVAL (a client
 * transaction, or msg does not start with "SIP/2.0 NNN ", SIP-Version in
 * any case, RFC 3261 7.1), or VOX_ELIMIT (the spill slots are full:
 * nothing changed; poll the output and respond again). */
VOX_MUST_CHECK int vox_sip_txl_respond(struct vox_sip_txl *t, vox_sip_txn_id id, const char *msg,
                                       size_t len, uint64_t now);

/* Sends a response through an INVITE server transaction, built from the
 * copy of the request's headers that the transaction keeps until its
 * final response (Via as stamped when it came, From, To, Call-ID, CSeq:
 * 8.2.6.2), for a TU that answers later, after the request's own buffer is
 * gone. tag: our To tag (not added to a 100, nor when the request had
 * one). extra, content_type and body as for vox_sip_build_response.
 * Returns what vox_sip_txl_respond returns, or VOX_ESTATE (the final
 * response was sent: no copy any more), VOX_ENOSPC (the response does not
 * fit VOX_SIP_TXN_MSG) or VOX_EINVAL (status, tag or a header the builder
 * refuses); on any error nothing changed. */
VOX_MUST_CHECK int vox_sip_txl_respond_build(struct vox_sip_txl *t, vox_sip_txn_id id,
                                             unsigned status, struct vox_slice tag,
                                             const struct vox_sip_hdr_out *extra, size_t nextra,
                                             struct vox_slice content_type, struct vox_slice body,
                                             uint64_t now);

/* Starts the CANCEL of an INVITE client transaction (RFC 3261 9.1), built
 * from the INVITE it keeps until a final response (same Request-URI, top
 * Via, Route, From, To, Call-ID and CSeq number), to the INVITE's
 * destination. Returns 0 and *id, VOX_ENOTFOUND (no such transaction),
 * VOX_ESTATE (not an INVITE client transaction, or a final response came),
 * or what vox_sip_txl_request returns. */
VOX_MUST_CHECK int vox_sip_txl_cancel(struct vox_sip_txl *t, vox_sip_txn_id invite, uint64_t now,
                                      vox_sip_txn_id *id);

/* The TU will not send the 2xx of this INVITE server transaction again
 * (its ACK came, or it gave up, 13.3.1.4): the 2xx's bytes go back to the
 * arena. The transaction stays in Accepted until Timer L. An unknown id
 * or another state is ignored. */
void vox_sip_txl_acked(struct vox_sip_txl *t, vox_sip_txn_id id);

/* The TU's own bytes in the layer's arena (docs/architecture.md, Memory):
 * what a TU must keep for a while but not for the whole life of a call (a
 * UA keeps an incoming call's offer until it is answered, and the
 * credentials of an INVITE until its ACK) takes chunks only while it is
 * held, instead of a fixed buffer in every call slot.
 *
 * vox_sip_arena_put copies len bytes (up to 65535) into fresh chunks and
 * sets *at to the first (VOX_SIP_NOCHUNK for 0 bytes). When the arena is
 * full, lingering transactions give way as for a new transaction. Returns
 * 0, VOX_EPOOL (no room even so: nothing kept), VOX_ETOOLONG or
 * VOX_EINVAL. vox_sip_arena_get copies the first len bytes of what at
 * holds into out. vox_sip_arena_drop gives the chunks back, wiped, and
 * sets *at to VOX_SIP_NOCHUNK (safe to call again). The TU must drop
 * what it put: the chunks are the layer's. */
VOX_MUST_CHECK int vox_sip_arena_put(struct vox_sip_txl *t, const void *p, size_t len,
                                     uint16_t *at);
void vox_sip_arena_get(const struct vox_sip_txl *t, uint16_t at, size_t len, void *out);
void vox_sip_arena_drop(struct vox_sip_txl *t, uint16_t *at);

/* Sends the last message of a transaction again: the TU's 2xx
 * retransmissions for an INVITE server transaction in Accepted (13.3.1.4).
 * Returns 0, VOX_ENOTFOUND or VOX_ESTATE (nothing to resend: over TCP and
 * TLS, which never retransmit, the 2xx is not kept once sent). */
VOX_MUST_CHECK int vox_sip_txl_retransmit(struct vox_sip_txl *t, vox_sip_txn_id id);
/* Ends a transaction the TU has given up on (an INVITE that stays in
 * Proceeding after our CANCEL, RFC 3261 9.1). No event; an unknown id is
 * ignored. */
void vox_sip_txl_abandon(struct vox_sip_txl *t, vox_sip_txn_id id);

/* Copies the next message to send into buf (no NUL) and sets *to. Returns
 * its length, 0 when nothing is pending, or VOX_ENOSPC (the message stays
 * queued; a buffer of VOX_SIP_TXN_MSG bytes always suffices). Messages
 * leave in the order they were queued. */
VOX_MUST_CHECK int vox_sip_txl_poll_output(struct vox_sip_txl *t, char *buf, size_t cap,
                                           struct vox_peer *to);
/* As vox_sip_txl_poll_output, and sets *id (when the length is > 0) to the
 * transaction that sends the message: what vox_sip_txl_transport_error
 * takes when the transport cannot send it. id may be NULL. */
VOX_MUST_CHECK int vox_sip_txl_poll_output_id(struct vox_sip_txl *t, char *buf, size_t cap,
                                              struct vox_peer *to, vox_sip_txn_id *id);

/* Earliest time the layer wants vox_sip_txl_on_deadline, or UINT64_MAX. */
uint64_t vox_sip_txl_next_deadline(const struct vox_sip_txl *t);
/* Runs every timer due at or before now, but stops at a timeout whose
 * event finds the queue full: drain the events and call again while the
 * next deadline is still due (none is ever lost). */
void vox_sip_txl_on_deadline(struct vox_sip_txl *t, uint64_t now);
/* Pops one event; returns 1, or 0 when there is none. When
 * VOX_SIP_TXL_QUEUE events wait, a new one is lost and counted in
 * dropped_events. */
int vox_sip_txl_next_event(struct vox_sip_txl *t, struct vox_sip_txl_event *ev);
/* The transport could not send for transaction id (RFC 3261 17.1.4,
 * 17.2.4): the transaction ends and a VOX_TXL_EV_TRANSPORT_ERR event says
 * so (a client's TU acts as on a 503, 8.1.3.1). A server transaction has
 * one address to answer to (18.2.2: the connection, or the received/rport
 * address); RFC 3263 5's further addresses of a sent-by host name need a
 * lookup the layer does not make, so it gives up at once and tells the TU.
 * An unknown id (a transaction already ended) is ignored. */
void vox_sip_txl_transport_error(struct vox_sip_txl *t, vox_sip_txn_id id);

/* A live transaction, read-only, or NULL. The pointer is into the
 * caller's pool: valid until the transaction ends, which the next
 * vox_sip_txl_on_deadline, _abandon or _transport_error may do (the slot
 * is then reused): look it up again after those calls. */
const struct vox_sip_txn *vox_sip_txl_get(const struct vox_sip_txl *t, vox_sip_txn_id id);

/* The server INVITE transaction a CANCEL refers to (9.2), or 0 (none, or
 * the CANCEL lacks a Via or CSeq that parses). */
vox_sip_txn_id vox_sip_txl_find_invite(const struct vox_sip_txl *t,
                                       const struct vox_sip_msg *cancel);

/* Where responses to a request go (RFC 3261 18.2.2, RFC 3581 4): back on
 * the connection it came over, or for UDP to its source address and the
 * port of the top Via's sent-by (the source port with rport).
 * Returns 0 and *to, or VOX_EMALFORMED (no Via, or it does not parse). */
VOX_MUST_CHECK int vox_sip_response_peer(const struct vox_sip_msg *req, const struct vox_peer *from,
                                         struct vox_peer *to);

/* Builds the CANCEL for an INVITE we sent (RFC 3261 9.1): same Request-URI,
 * Call-ID, To, From, CSeq number and top Via, and the Route headers.
 * Returns its length (no NUL), VOX_ENOSPC or VOX_EINVAL (invite NULL or
 * not an INVITE request, or without Via, From, To, Call-ID or a CSeq that
 * parses). */
VOX_MUST_CHECK int vox_sip_build_cancel(const struct vox_sip_msg *invite, char *out, size_t cap);

#ifdef __cplusplus
}
#endif

#endif /* VOX_SIP_TXN_H */
