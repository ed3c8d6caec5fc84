/* SPDX-License-Identifier: MIT */
/* Registrations (RFC 3261 10): REGISTER, refresh before expiry, 423,
 * digest challenges, unregistration, and a lost binding reported. */
#include <string.h>

#include "ua/ua_int.h"

int vox_ua_account_add(struct vox_ua *ua, const struct vox_ua_account_cfg *cfg,
                       vox_ua_handle *account)
{
	struct vox_sip_uri u;
	if (!cfg || vox_sip_uri_parse(&u, cfg->aor, NULL) ||
	    (u.scheme != VOX_SIP_SCHEME_SIP && u.scheme != VOX_SIP_SCHEME_SIPS))
		return VOX_EINVAL;
	struct vox_ua_account *a = NULL;
	for (size_t i = 0; i < VOX_UA_MAX_ACCOUNTS && !a; i++)
		if (!ua->acct[i].used)
			a = &ua->acct[i];
	if (!a)
		return VOX_EPOOL;
	uint16_t gen = a->gen;
	memset(a, 0, sizeof *a);
	a->gen = gen;
	if (ua_copy(a->aor, sizeof a->aor, cfg->aor) ||
	    ua_copy(a->registrar, sizeof a->registrar, cfg->registrar) ||
	    ua_copy(a->username, sizeof a->username, cfg->username.len ? cfg->username : u.user) ||
	    ua_copy(a->password, sizeof a->password, cfg->password) ||
	    ua_copy(a->ha1, sizeof a->ha1, cfg->ha1))
		return VOX_EINVAL;
	if (a->ha1[0]) {
		/* RFC 7616 3.4.2: H(A1) in hex, as long as the hash's output */
		size_t want =
		    cfg->ha1_alg == VOX_DIGEST_MD5 || cfg->ha1_alg == VOX_DIGEST_MD5_SESS ? 32 : 64;
		int bad =
		    a->password[0] || cfg->ha1_alg >= VOX_DIGEST_ALG_COUNT || cfg->ha1.len != want;
		for (size_t i = 0; !bad && i < cfg->ha1.len; i++)
			bad = !((a->ha1[i] >= '0' && a->ha1[i] <= '9') ||
			        (a->ha1[i] >= 'a' && a->ha1[i] <= 'f') ||
			        (a->ha1[i] >= 'A' && a->ha1[i] <= 'F'));
		if (bad) {
			vox_wipe(a->ha1, sizeof a->ha1);
			vox_wipe(a->password, sizeof a->password);
			return VOX_EINVAL;
		}
		a->ha1_alg = (uint8_t)cfg->ha1_alg;
	}
	int n = vox_sip_make_callid(&ua->cfg.rng, ua->cfg.host, a->call_id, sizeof a->call_id - 1);
	if (n < 0)
		return n;
	a->call_id[n] = 0;
	n = vox_sip_make_tag(&ua->cfg.rng, a->tag, sizeof a->tag - 1);
	if (n < 0)
		return n;
	a->tag[n] = 0;
	a->expires = cfg->expires ? cfg->expires : 3600;
	a->t_refresh = UA_NEVER;
	vox_digest_client_init(&a->auth);
	a->used = 1;
	*account = ua_account_handle(ua, a);
	return 0;
}

/* A REGISTER is out and not answered yet: 10.2 allows one at a time. */
static int outstanding(struct vox_ua *ua, const struct vox_ua_account *a)
{
	return a->txn && vox_sip_txl_get(&ua->txl, a->txn) != NULL;
}

static int send_register_to(struct vox_ua *ua, struct vox_ua_account *a, const struct vox_peer *hop,
                            uint32_t expires, const char *auth_name, const char *auth_value,
                            uint64_t now);

/* Sends a REGISTER for the account: expires 0 removes the binding. Its
 * registrar's name may have to be resolved first (RFC 3263): then it
 * waits (0). */
static int send_register(struct vox_ua *ua, struct vox_ua_account *a, uint32_t expires,
                         const char *auth_name, const char *auth_value, uint64_t now)
{
	struct vox_peer to;
	struct vox_ua_hop hop;
	int rc = ua_route(ua, vox_slice_cstr(a->registrar), &to, &hop, now);
	if (rc < 0)
		return rc;
	a->hop = hop;
	if (rc == UA_WAIT) {
		/* the registrar's name first: sent from ua_reg_hop */
		a->txn = 0;
		a->state = expires ? VOX_UA_REG_TRYING : VOX_UA_REG_UNREGISTERING;
		a->t_refresh = UA_NEVER;
		return 0;
	}
	return send_register_to(ua, a, &to, expires, auth_name, auth_value, now);
}

/* The REGISTER itself, to the hop found. */
static int send_register_to(struct vox_ua *ua, struct vox_ua_account *a, const struct vox_peer *hop,
                            uint32_t expires, const char *auth_name, const char *auth_value,
                            uint64_t now)
{
	char via[UA_VIA_MAX], contact[VOX_UA_CONTACT_MAX];
	struct vox_peer to = *hop;
	int rc;
	int vl = ua_via(ua, &to, NULL, via, sizeof via);
	int cl = ua_contact(ua, vox_slice_cstr(a->aor), &to, 1, contact, sizeof contact);
	if (vl < 0 || cl < 0)
		return vl < 0 ? vl : cl;
	struct vox_writer w;
	vox_writer_init(&w, ua->build, sizeof ua->build);
	vox_writer_puts(&w, "REGISTER ");
	vox_writer_puts(&w, a->registrar);
	vox_writer_puts(&w, " SIP/2.0\r\nVia: ");
	vox_writer_put(&w, via, (size_t)vl);
	vox_writer_puts(&w, "\r\nMax-Forwards: 70\r\nFrom: <");
	vox_writer_puts(&w, a->aor);
	vox_writer_puts(&w, ">;tag=");
	vox_writer_puts(&w, a->tag);
	vox_writer_puts(&w, "\r\nTo: <");
	vox_writer_puts(&w, a->aor);
	/* 10.2: one Call-ID for all registrations of this AOR from this UA,
	 * and a CSeq that grows */
	vox_writer_puts(&w, ">\r\nCall-ID: ");
	vox_writer_puts(&w, a->call_id);
	vox_writer_puts(&w, "\r\nCSeq: ");
	vox_writer_put_u64(&w, a->cseq + 1);
	vox_writer_puts(&w, " REGISTER\r\nContact: ");
	vox_writer_put(&w, contact, (size_t)cl);
	if (a->old_contact[0] && expires) {
		/* the address changed: the old binding goes with this request */
		vox_writer_puts(&w, "\r\nContact: ");
		vox_writer_puts(&w, a->old_contact);
		vox_writer_puts(&w, ";expires=0");
	}
	vox_writer_puts(&w, "\r\nExpires: ");
	vox_writer_put_u64(&w, expires);
	vox_writer_puts(&w, "\r\n");
	ua_put_auth_agent(&w, ua, auth_name, auth_value);
	vox_writer_puts(&w, "Content-Length: 0\r\n\r\n");
	int n = vox_writer_finish(&w);
	if (n < 0)
		return n;
	rc = ua_request(ua, ua->build, (size_t)n, &to, now, &a->txn);
	if (rc)
		return rc;
	a->peer = to; /* our Contact in its answer is the one for this hop */
	a->cseq++;
	a->state = expires ? VOX_UA_REG_TRYING : VOX_UA_REG_UNREGISTERING;
	a->t_refresh = UA_NEVER;
	return 0;
}

/* A registration that starts afresh (not a repeat after 401/407 or 423):
 * new challenges and a new 423 may be answered again. */
static int start_register(struct vox_ua *ua, struct vox_ua_account *a, uint32_t expires,
                          uint64_t now)
{
	a->auth_tries = 0;
	a->brief_tries = 0;
	return send_register(ua, a, expires, NULL, NULL, now);
}

int vox_ua_register(struct vox_ua *ua, vox_ua_handle account, uint64_t now)
{
	struct vox_ua_account *a = ua_account(ua, account);
	if (!a)
		return VOX_ENOTFOUND;
	if (outstanding(ua, a)) {
		/* one REGISTER at a time (10.2): a registration in flight is
		 * what was asked for; after an unregistration, register again */
		if (a->state == VOX_UA_REG_UNREGISTERING)
			a->want = 1;
		return 0;
	}
	return start_register(ua, a, a->expires, now);
}

int vox_ua_unregister(struct vox_ua *ua, vox_ua_handle account, uint64_t now)
{
	struct vox_ua_account *a = ua_account(ua, account);
	if (!a)
		return VOX_ENOTFOUND;
	a->retrying = 0;
	if (outstanding(ua, a)) {
		a->want = 2;
		return 0;
	}
	return start_register(ua, a, 0, now);
}

/* When to refresh a binding of `granted` seconds: early enough that a
 * refresh which needs all of Timer F (64*T1) still lands in time. */
static uint64_t refresh_at(const struct vox_ua *ua, uint32_t granted, uint64_t now)
{
	uint64_t life = (uint64_t)granted * 1000;
	uint64_t margin = 64ull * ua->txl.timers.t1;
	return now + (life > 2 * margin ? life - margin : life / 2);
}

/* What the application asked for while a REGISTER was out goes now. */
static int run_wanted(struct vox_ua *ua, struct vox_ua_account *a, uint64_t now)
{
	uint8_t want = a->want;
	a->want = 0;
	if (!want)
		return 0;
	return start_register(ua, a, want == 2 ? 0 : a->expires, now) == 0;
}

static void failed(struct vox_ua *ua, struct vox_ua_account *a, unsigned status, const char *reason,
                   uint64_t now)
{
	int lost = a->was_ok && a->state != VOX_UA_REG_UNREGISTERING;
	a->txn = 0;
	a->state = VOX_UA_REG_FAILED;
	a->was_ok = 0;
	if (run_wanted(ua, a, now))
		return;
	if (a->retrying) {
		/* still gone: try again later, doubling up to 10 minutes */
		a->backoff = a->backoff * 2 < 600000 ? a->backoff * 2 : 600000;
		a->t_refresh = now + a->backoff;
		return;
	}
	struct vox_ua_event *e = ua_event(ua, lost ? VOX_UA_EV_REG_LOST : VOX_UA_EV_REG_FAILED);
	e->account = ua_account_handle(ua, a);
	e->status = status;
	e->reason = reason;
	/* A lost binding is registered again by itself; a first attempt that
	 * failed waits for the application. */
	a->retrying = (uint8_t)lost;
	a->backoff = 30000;
	a->t_refresh = lost ? now + a->backoff : UA_NEVER;
}

/* The expiry the registrar granted our contact (10.2.4): its expires
 * parameter, else the Expires header, else what we asked. */
static uint32_t granted_expiry(struct vox_ua *ua, struct vox_ua_account *a,
                               const struct vox_sip_msg *m, int *found)
{
	char contact[VOX_UA_CONTACT_MAX];
	struct vox_sip_contact ours, c;
	struct vox_peer to = a->peer;
	int cl = a->peer.tp ? 0 : ua_next_hop(ua, vox_slice_cstr(a->registrar), &to);
	if (cl == 0)
		cl = ua_contact(ua, vox_slice_cstr(a->aor), &to, 1, contact, sizeof contact);
	*found = 0;
	if (cl < 0 || vox_sip_contact_parse(&ours, vox_slice_make(contact, (size_t)cl), NULL))
		return 0;
	uint64_t e = a->expires;
	const struct vox_sip_header *eh = vox_sip_find(m, VOX_SIP_H_EXPIRES);
	if (eh && vox_sip_uint_parse(eh->value, UINT32_MAX, &e, NULL))
		e = a->expires;
	for (const struct vox_sip_header *h = vox_sip_find(m, VOX_SIP_H_CONTACT); h;
	     h = vox_sip_find_next(m, h)) {
		if (vox_sip_contact_parse(&c, h->value, NULL) || c.star ||
		    !vox_sip_uri_eq(&c.addr.uri, &ours.addr.uri))
			continue;
		*found = 1;
		return c.has_expires ? c.expires : (uint32_t)e;
	}
	return (uint32_t)e;
}

/* Credentials for the challenge we hold, for a REGISTER we send again
 * without a new challenge (after 423): nc counts on. */
static const char *held_credentials(struct vox_ua_account *a, char *value, size_t cap)
{
	if (!a->auth.ready || cap == 0)
		return NULL;
	struct vox_digest_cred cred = ua_cred(a);
	struct vox_digest_req req = {vox_slice_cstr("REGISTER"), vox_slice_cstr(a->registrar),
	                             vox_slice_make(NULL, 0)};
	int n = vox_digest_client_print(&a->auth, &cred, &req, value, cap - 1);
	if (n < 0)
		return NULL;
	value[n] = 0;
	return a->proxy_auth ? "Proxy-Authorization" : "Authorization";
}

void ua_reg_response(struct vox_ua *ua, struct vox_ua_account *a, const struct vox_sip_msg *m,
                     uint64_t now)
{
	unsigned s = m->status;
	if (s < 200)
		return;
	a->txn = 0;
	if (s < 300) {
		a->auth_tries = 0;
		if (a->state == VOX_UA_REG_UNREGISTERING) {
			a->state = VOX_UA_REG_IDLE;
			a->was_ok = 0;
			a->t_refresh = UA_NEVER;
			ua_event(ua, VOX_UA_EV_UNREGISTERED)->account = ua_account_handle(ua, a);
			(void)run_wanted(ua, a, now);
			return;
		}
		a->old_contact[0] = 0; /* removed with this request */
		int found;
		uint32_t g = granted_expiry(ua, a, m, &found);
		if (!found || !g) {
			failed(ua, a, s, "registrar did not keep our contact", now);
			return;
		}
		a->granted = g;
		a->state = VOX_UA_REG_OK;
		a->was_ok = 1;
		a->retrying = 0;
		a->t_refresh = refresh_at(ua, g, now);
		struct vox_ua_event *e = ua_event(ua, VOX_UA_EV_REG_OK);
		e->account = ua_account_handle(ua, a);
		e->status = s;
		e->expires = g;
		(void)run_wanted(ua, a, now);
		return;
	}
	uint32_t expires = a->state == VOX_UA_REG_UNREGISTERING ? 0 : a->expires;
	if ((s == 401 || s == 407) && !a->want) {
		const char *name;
		char value[1024];
		int rc = ua_auth(ua, a, &a->auth_tries, m, vox_slice_cstr("REGISTER"),
		                 vox_slice_cstr(a->registrar), vox_slice_make(NULL, 0), &name,
		                 value, sizeof value);
		if (rc >= 0) {
			a->proxy_auth = s == 407;
			if (send_register(ua, a, expires, name, value, now) == 0)
				return;
		}
		failed(ua, a, s, "authentication failed", now);
		return;
	}
	if (s == 423 && expires && !a->want) {
		/* 10.2.8: ask again with at least Min-Expires, with the
		 * credentials of the challenge we hold. Only for a longer
		 * interval than we asked, one we can live with, and a few
		 * times: a registrar whose every 423 asks for more would
		 * otherwise have us register for ever. */
		uint64_t min;
		const struct vox_sip_header *h = vox_sip_find(m, VOX_SIP_H_MIN_EXPIRES);
		const char *why = !h || vox_sip_uint_parse(h->value, UINT32_MAX, &min, NULL)
		                      ? "423 without Min-Expires"
		                  : min <= a->expires        ? "423 for an interval we did not ask"
		                  : min > UA_MAX_MIN_EXPIRES ? "423: Min-Expires longer than a day"
		                  : a->brief_tries >= UA_BRIEF_RETRIES ? "423 again and again"
		                                                       : NULL;
		if (why) {
			failed(ua, a, s, why, now);
			return;
		}
		char value[1024];
		const char *name = held_credentials(a, value, sizeof value);
		if (send_register(ua, a, (uint32_t)min, name, name ? value : NULL, now) == 0) {
			a->expires = (uint32_t)min;
			a->brief_tries++;
			return;
		}
	}
	failed(ua, a, s, "registration refused", now);
}

void ua_reg_timeout(struct vox_ua *ua, struct vox_ua_account *a, unsigned status, uint64_t now)
{
	if (a->state == VOX_UA_REG_UNREGISTERING) {
		a->state = VOX_UA_REG_IDLE; /* the binding expires by itself */
		a->txn = 0;
		a->t_refresh = UA_NEVER;
		(void)run_wanted(ua, a, now);
		return;
	}
	failed(ua, a, status,
	       status == 503 ? "transport error: REGISTER could not be sent"
	                     : "registrar did not answer",
	       now);
}

void ua_reg_deadline(struct vox_ua *ua, struct vox_ua_account *a, uint64_t now)
{
	a->t_refresh = UA_NEVER;
	if (outstanding(ua, a)) {
		a->want = 1;
		return;
	}
	if (start_register(ua, a, a->expires, now) != 0)
		failed(ua, a, 503, "cannot send REGISTER", now);
}

void ua_reg_hop(struct vox_ua *ua, struct vox_ua_account *a, const struct vox_peer *to,
                uint64_t now)
{
	uint32_t expires = a->state == VOX_UA_REG_UNREGISTERING ? 0 : a->expires;
	if (!to) {
		failed(ua, a, 503, "the registrar's name did not resolve", now);
		return;
	}
	/* RFC 3263 4.3: a new transaction (new branch) to the next target;
	 * the challenge answered before, if any, is answered again when the
	 * new server asks */
	if (send_register_to(ua, a, to, expires, NULL, NULL, now) != 0)
		failed(ua, a, 503, "cannot send REGISTER", now);
}
