/* SPDX-License-Identifier: MIT */
/* zrtp/zrtp_proto.h: the hash chain, message MACs and algorithm
 * negotiation of RFC 6189 (not installed). */
#ifndef VOX_ZRTP_PROTO_H
#define VOX_ZRTP_PROTO_H

#include "zrtp/zrtp_keys.h"

#if VOX_WITH_ZRTP

/* ---- hash chain (9) and message MACs ------------------------------------------ */

/* h[0] = H0, h[n+1] = SHA-256(h[n]): the chain is SHA-256 whatever hash
 * is negotiated, since H3 travels in the Hello before any negotiation. */
VOX_MUST_CHECK int zrtp_chain_make(const uint8_t h0[VOX_ZRTP_H_LEN], uint8_t h[4][VOX_ZRTP_H_LEN]);
/* 1 if SHA-256 applied `steps` times to lower gives upper, else 0 (also
 * when the hash fails). */
int zrtp_chain_check(const uint8_t lower[VOX_ZRTP_H_LEN], const uint8_t upper[VOX_ZRTP_H_LEN],
                     int steps);
/* The MAC of a message (Hello, Commit, DHPart1, DHPart2): the leftmost 64
 * bits of HMAC-SHA-256 keyed with the hash image the sender reveals next,
 * over the message from its preamble up to the MAC (its last 8 bytes).
 * mac_set writes it into msg's last 8 bytes; mac_ok checks it in constant
 * time (1 or 0). msg_len must exceed 8. */
VOX_MUST_CHECK int zrtp_msg_mac_set(const uint8_t key[VOX_ZRTP_H_LEN], uint8_t *msg,
                                    size_t msg_len);
int zrtp_msg_mac_ok(const uint8_t key[VOX_ZRTP_H_LEN], const uint8_t *msg, size_t msg_len);

/* ---- algorithm negotiation (4.1.2) ---------------------------------------------- */

/* One algorithm per type, as the Commit names them. */
struct zrtp_choice {
	uint32_t alg[VOX_ZRTP_T_COUNT];
};

/* 1 if name is Curve25519 under either spelling. */
static inline int zrtp_is_25519(uint32_t a)
{
	return a == VOX_ZRTP_X255 || a == VOX_ZRTP_E255;
}

/* Picks the algorithms of a DH-mode exchange from our offer and the
 * peer's Hello. Both endpoints compute the same choice from the same two
 * Hellos, whichever of them becomes the initiator:
 *  - a peer's Hello is read as also listing the mandatory algorithms of
 *    5.1 (they need not be listed);
 *  - for each type, each side's first choice is the first algorithm of
 *    its own list that the other offers too;
 *  - key agreement: if both first choices are the same it is taken, else
 *    the faster one (4.1.2), in this order, fastest first: DH2k, X255
 *    (= E255), EC25, X448, DH3k, EC38. The RFC ranks DH2k, EC25, DH3k
 *    and EC38 in that order; where X255 and X448 sit is vox's choice (the
 *    order of bzrtp, so that the two agree);
 *  - hash, cipher, SRTP auth tag, SAS: if the first choices are the same it
 *    is taken; else (the RFC does not rank these) vox takes the stronger:
 *    S384 over S256, AES3 over AES1, HS80 over HS32, and B256 over B32
 *    (more bits of the SAS are compared);
 *  - after EC38 or X448, S384 and AES3 are taken whenever both offer them
 *    (5.1.5: a 192-bit curve with a 128-bit hash would waste it).
 * The Curve25519 name in the choice is the one the peer's Hello uses when
 * it lists only one of the two spellings, so a Commit to that peer names
 * what it offered. Returns 0, or the Error code of 5.9 for the type with
 * nothing in common (0x51 hash, 0x52 cipher, 0x53 key agreement, 0x54 auth
 * tag, 0x55 SAS). */
uint32_t zrtp_negotiate(const struct vox_zrtp_algs *ours, const struct vox_zrtp_hello *peer,
                        struct zrtp_choice *out);

/* 1 if the algorithm of type t is in our offer (the mandatory ones always
 * are; X255 and E255 stand for each other), else 0: a responder checks
 * each choice of a Commit with it. */
int zrtp_offered(const struct vox_zrtp_algs *ours, int t, uint32_t alg);

#endif /* VOX_WITH_ZRTP */

#endif
