/* SPDX-License-Identifier: MIT */
/*
 * The states of a call, and every change between them, in one place.
 *
 * A call has three small state machines, each an enum in struct
 * vox_ua_call (include/vox/ua.h) and each changed only here:
 *
 *   state  the session, from the first INVITE to the end of the dialog
 *          (RFC 3261 13-15, with the Accepted state of RFC 6026 7.1 as
 *          IN_ANSWERED: our 2xx is out and retransmitted until the ACK);
 *   uac    our re-INVITE in the confirmed dialog (RFC 3261 14.1: one at a
 *          time, 491 and a retry after a random delay);
 *   uas    the peer's INVITE we serve, initial or re-INVITE, as offer and
 *          answer see it (RFC 3261 13.2.1, 13.3.1.4; RFC 3264).
 *
 * The tables below list every legal change; ua_call_set, ua_uac_set and
 * ua_uas_set refuse any other (VOX_ESTATE, the state unchanged, counted in
 * ua->fsm.refused: a bug of ours, which fuzz_ua treats as a finding). A
 * change to the state a call is already in is always allowed (a second
 * 1xx, the INVITE again with credentials) and FREE is reachable from
 * everywhere: a call can always be given up. docs/ua.md draws the machine.
 */
#include "ua/call_int.h"

struct edge {
	uint8_t from, to;
};

/* The session (enum vox_ua_call_state). */
static const struct edge call_edges[] = {
    /* caller, 13.2 */
    {VOX_UA_CALL_FREE, VOX_UA_CALL_OUT_CALLING},            /* vox_ua_call: INVITE sent (13.2.1) */
    {VOX_UA_CALL_OUT_CALLING, VOX_UA_CALL_OUT_EARLY},       /* a 1xx (13.2.2.1) */
    {VOX_UA_CALL_OUT_CALLING, VOX_UA_CALL_OUT_CANCEL_WAIT}, /* hang-up before a 1xx (9.1) */
    {VOX_UA_CALL_OUT_CALLING, VOX_UA_CALL_UP},              /* a 2xx, ACK sent (13.2.2.4) */
    {VOX_UA_CALL_OUT_EARLY, VOX_UA_CALL_OUT_CALLING},      /* 401/407 or 488: INVITE again (22.2) */
    {VOX_UA_CALL_OUT_EARLY, VOX_UA_CALL_CANCELLING},       /* hang-up: CANCEL (9.1) */
    {VOX_UA_CALL_OUT_EARLY, VOX_UA_CALL_UP},               /* a 2xx, ACK sent (13.2.2.4) */
    {VOX_UA_CALL_OUT_CANCEL_WAIT, VOX_UA_CALL_CANCELLING}, /* the first 1xx: CANCEL (9.1) */
    {VOX_UA_CALL_OUT_CANCEL_WAIT, VOX_UA_CALL_UP},         /* a 2xx anyway: ACK, then BYE (15) */
    {VOX_UA_CALL_CANCELLING, VOX_UA_CALL_UP},              /* a 2xx crossed the CANCEL (15) */
    /* callee, 13.3 */
    {VOX_UA_CALL_FREE, VOX_UA_CALL_IN_INCOMING},        /* an INVITE outside a dialog (13.3.1) */
    {VOX_UA_CALL_IN_INCOMING, VOX_UA_CALL_IN_ANSWERED}, /* vox_ua_answer: 2xx sent (13.3.1.4) */
    {VOX_UA_CALL_IN_ANSWERED, VOX_UA_CALL_UP},       /* the ACK, or 64*T1 without it (13.3.1.4) */
    {VOX_UA_CALL_IN_ANSWERED, VOX_UA_CALL_BYE_WAIT}, /* hang-up before the ACK (15) */
    /* both */
    {VOX_UA_CALL_UP, VOX_UA_CALL_BYE_WAIT}, /* hang-up while our 2xx to a re-INVITE waits (15) */
    {VOX_UA_CALL_UP, VOX_UA_CALL_ENDING},   /* BYE sent (15.1.1) */
    {VOX_UA_CALL_BYE_WAIT, VOX_UA_CALL_ENDING}, /* the ACK came (or never will): BYE (15) */
};

/* Our re-INVITE (enum vox_ua_uac_state). */
static const struct edge uac_edges[] = {
    {VOX_UA_UAC_IDLE, VOX_UA_UAC_REINVITING}, /* hold, resume, re-key: re-INVITE sent (14.1) */
    {VOX_UA_UAC_REINVITING, VOX_UA_UAC_IDLE}, /* its final response (14.1), or it failed */
    {VOX_UA_UAC_REINVITING, VOX_UA_UAC_GLARE_WAIT}, /* 491: a retry after a random time (14.1) */
    {VOX_UA_UAC_GLARE_WAIT, VOX_UA_UAC_REINVITING}, /* the time came: re-INVITE again */
    {VOX_UA_UAC_GLARE_WAIT, VOX_UA_UAC_IDLE},       /* it could not go, or the call ends */
};

/* The peer's INVITE we serve (enum vox_ua_uas_state). */
static const struct edge uas_edges[] = {
    {VOX_UA_UAS_IDLE, VOX_UA_UAS_OFFERED},             /* a new INVITE with an offer (RFC 3264 5) */
    {VOX_UA_UAS_IDLE, VOX_UA_UAS_NO_OFFER},            /* a new INVITE without one (13.2.1) */
    {VOX_UA_UAS_OFFERED, VOX_UA_UAS_ACK_WAIT},         /* our 2xx carries the answer */
    {VOX_UA_UAS_NO_OFFER, VOX_UA_UAS_ACK_WAIT_ANSWER}, /* our 2xx carries our offer */
    {VOX_UA_UAS_OFFERED, VOX_UA_UAS_IDLE},             /* the INVITE ends unanswered */
    {VOX_UA_UAS_NO_OFFER, VOX_UA_UAS_IDLE},            /* the INVITE ends unanswered */
    {VOX_UA_UAS_IDLE, VOX_UA_UAS_ACK_WAIT},            /* a re-INVITE answered at once (14.2) */
    {VOX_UA_UAS_IDLE, VOX_UA_UAS_ACK_WAIT_ANSWER}, /* a re-INVITE without an offer: ours (14.2) */
    {VOX_UA_UAS_ACK_WAIT, VOX_UA_UAS_IDLE},        /* the ACK, or 64*T1 without it (13.3.1.4) */
    {VOX_UA_UAS_ACK_WAIT_ANSWER, VOX_UA_UAS_IDLE}, /* the ACK with the answer (13.2.1), or none */
};

static int legal(const struct edge *e, size_t n, unsigned from, unsigned to)
{
	for (size_t i = 0; i < n; i++)
		if (e[i].from == from && e[i].to == to)
			return 1;
	return 0;
}

int ua_call_legal(unsigned from, unsigned to)
{
	return from < VOX_UA_CALL_STATES && to < VOX_UA_CALL_STATES &&
	       (from == to || to == VOX_UA_CALL_FREE ||
	        legal(call_edges, sizeof call_edges / sizeof call_edges[0], from, to));
}

int ua_uac_legal(unsigned from, unsigned to)
{
	return from < VOX_UA_UAC_STATES && to < VOX_UA_UAC_STATES &&
	       (from == to || legal(uac_edges, sizeof uac_edges / sizeof uac_edges[0], from, to));
}

int ua_uas_legal(unsigned from, unsigned to)
{
	return from < VOX_UA_UAS_STATES && to < VOX_UA_UAS_STATES &&
	       (from == to || legal(uas_edges, sizeof uas_edges / sizeof uas_edges[0], from, to));
}

/* One change of one machine: allowed and recorded, or refused. */
static int move(struct vox_ua *ua, uint8_t *st, uint16_t *seen, int ok, unsigned to)
{
	if (!ok) {
		ua->fsm.refused++;
		return VOX_ESTATE;
	}
	seen[*st] |= (uint16_t)(1u << to);
	*st = (uint8_t)to;
	return 0;
}

int ua_call_set(struct vox_ua *ua, struct vox_ua_call *c, enum vox_ua_call_state to)
{
	return move(ua, &c->state, ua->fsm.call, ua_call_legal(c->state, to), to);
}

int ua_uac_set(struct vox_ua *ua, struct vox_ua_call *c, enum vox_ua_uac_state to)
{
	return move(ua, &c->uac, ua->fsm.uac, ua_uac_legal(c->uac, to), to);
}

int ua_uas_set(struct vox_ua *ua, struct vox_ua_call *c, enum vox_ua_uas_state to)
{
	return move(ua, &c->uas, ua->fsm.uas, ua_uas_legal(c->uas, to), to);
}
