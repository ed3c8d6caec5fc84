/* Registrations (RFC 3261 10): REGISTER, refresh before expiry, 423,
 * digest challenges, unregistration, and a lost binding reported. */
#include <string.h>

#include "ua/ua_int.h"

static int copy(char *dst, size_t cap, struct vox_slice s)
{
	if (s.len >= cap)
		return VOX_EINVAL;
	if (s.len)
		memcpy(dst, s.p, s.len);
	dst[s.len] = 0;
	return 0;
}

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
	if (copy(a->aor, sizeof a->aor, cfg->aor) ||
	    copy(a->registrar, sizeof a->registrar, cfg->registrar) ||
	    copy(a->username, sizeof a->username, cfg->username.len ? cfg->username : u.user) ||
	    copy(a->password, sizeof a->password, cfg->password))
		return VOX_EINVAL;
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

static void failed(struct vox_ua *ua, struct vox_ua_account *a, unsigned status, const char *reason,
                   uint64_t now);
static void reg_timeout(struct vox_ua *ua, struct vox_ua_account *a, uint64_t now);

/* Sends a REGISTER for the account: expires 0 removes the binding. */
static int send_register(struct vox_ua *ua, struct vox_ua_account *a, uint32_t expires,
                         const char *auth_name, const char *auth_value, uint64_t now)
{
	char via[160], contact[VOX_UA_STR + 32];
	struct vox_peer to;
	int rc = ua_next_hop(ua, vox_slice_cstr(a->registrar), &to);
	if (rc)
		return rc;
	int vl = ua_via(ua, to.tp, via, sizeof via);
	int cl = ua_contact(ua, vox_slice_cstr(a->aor), contact, sizeof contact);
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
	vox_writer_put_u64(&w, ++a->cseq);
	vox_writer_puts(&w, " REGISTER\r\nContact: ");
	vox_writer_put(&w, contact, (size_t)cl);
	vox_writer_puts(&w, "\r\nExpires: ");
	vox_writer_put_u64(&w, expires);
	vox_writer_puts(&w, "\r\n");
	if (auth_name) {
		vox_writer_puts(&w, auth_name);
		vox_writer_puts(&w, ": ");
		vox_writer_puts(&w, auth_value);
		vox_writer_puts(&w, "\r\n");
	}
	vox_writer_puts(&w, "User-Agent: ");
	vox_writer_puts(&w, ua->cfg.user_agent ? ua->cfg.user_agent : "vox");
	vox_writer_puts(&w, "\r\nContent-Length: 0\r\n\r\n");
	int n = vox_writer_finish(&w);
	if (n < 0)
		return n;
	rc = ua_request(ua, ua->build, (size_t)n, &to, now, &a->txn);
	if (rc)
		return rc;
	a->state = expires ? VOX_UA_REG_TRYING : VOX_UA_REG_UNREGISTERING;
	a->t_refresh = UA_NEVER;
	return 0;
}

/* A REGISTER of this account still waits for its final response. 10.2:
 * no new one may go out until then (or until it timed out). */
static int reg_busy(struct vox_ua *ua, const struct vox_ua_account *a)
{
	const struct vox_sip_txn *x = a->txn ? vox_sip_txl_get(&ua->txl, a->txn) : NULL;
	return x && (x->state == VOX_TXN_TRYING || x->state == VOX_TXN_PROCEEDING);
}

/* What the application asked for, now or once the REGISTER in flight is
 * done; the later wish replaces an earlier one still waiting. */
static int reg_request(struct vox_ua *ua, struct vox_ua_account *a, uint8_t op, uint64_t now)
{
	if (op == UA_REG_REMOVE)
		a->retrying = 0;
	if (reg_busy(ua, a)) {
		a->queued = op;
		return 0;
	}
	a->queued = 0;
	a->auth_tries = 0;
	return send_register(ua, a, op == UA_REG_REMOVE ? 0 : a->expires, NULL, NULL, now);
}

/* The REGISTER in flight is done: what waited goes out. */
static void reg_next(struct vox_ua *ua, struct vox_ua_account *a, uint64_t now)
{
	if (!a->queued || reg_busy(ua, a))
		return;
	if (reg_request(ua, a, a->queued, now) != 0)
		failed(ua, a, 503, "cannot send REGISTER", now);
}

int vox_ua_register(struct vox_ua *ua, vox_ua_handle account, uint64_t now)
{
	struct vox_ua_account *a = ua_account(ua, account);
	if (!a)
		return VOX_ENOTFOUND;
	return reg_request(ua, a, UA_REG_ADD, now);
}

int vox_ua_unregister(struct vox_ua *ua, vox_ua_handle account, uint64_t now)
{
	struct vox_ua_account *a = ua_account(ua, account);
	if (!a)
		return VOX_ENOTFOUND;
	return reg_request(ua, a, UA_REG_REMOVE, now);
}

/* When to refresh a binding of `granted` seconds: early enough that a
 * refresh which needs all of Timer F (64*T1) still lands in time. */
static uint64_t refresh_at(const struct vox_ua *ua, uint32_t granted, uint64_t now)
{
	uint64_t life = (uint64_t)granted * 1000;
	uint64_t margin = 64ull * ua->txl.timers.t1;
	return now + (life > 2 * margin ? life - margin : life / 2);
}

static void failed(struct vox_ua *ua, struct vox_ua_account *a, unsigned status, const char *reason,
                   uint64_t now)
{
	int lost = a->was_ok && a->state != VOX_UA_REG_UNREGISTERING;
	a->txn = 0;
	a->state = VOX_UA_REG_FAILED;
	a->was_ok = 0;
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
	char contact[VOX_UA_STR + 32];
	struct vox_sip_contact ours, c;
	int cl = ua_contact(ua, vox_slice_cstr(a->aor), contact, sizeof contact);
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

static void reg_response(struct vox_ua *ua, struct vox_ua_account *a, const struct vox_sip_msg *m,
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
			return;
		}
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
		return;
	}
	uint32_t expires = a->state == VOX_UA_REG_UNREGISTERING ? 0 : a->expires;
	if (s == 401 || s == 407) {
		const char *name;
		char value[1024];
		int rc = ua_auth(ua, a, m, vox_slice_cstr("REGISTER"), vox_slice_cstr(a->registrar),
		                 vox_slice_make(NULL, 0), &name, value, sizeof value);
		if (rc >= 0) {
			value[rc] = 0;
			if (send_register(ua, a, expires, name, value, now) == 0)
				return;
		}
		failed(ua, a, s, "authentication failed", now);
		return;
	}
	if (s == 423 && expires) {
		/* 10.2.8: ask again with at least Min-Expires, with the
		 * credentials of the challenge we hold (nc counts on) */
		uint64_t min;
		const struct vox_sip_header *h = vox_sip_find(m, VOX_SIP_H_MIN_EXPIRES);
		if (h && vox_sip_uint_parse(h->value, UINT32_MAX, &min, NULL) == 0 &&
		    min > a->expires) {
			char value[1024];
			const char *name = NULL;
			a->expires = (uint32_t)min;
			if (a->auth.ready) {
				struct vox_digest_cred cred = {vox_slice_cstr(a->username),
				                               vox_slice_cstr(a->password),
				                               {NULL, 0},
				                               0};
				struct vox_digest_req req = {vox_slice_cstr("REGISTER"),
				                             vox_slice_cstr(a->registrar),
				                             vox_slice_make(NULL, 0)};
				int n = vox_digest_client_print(&a->auth, &cred, &req, value,
				                                sizeof value - 1);
				if (n >= 0) {
					value[n] = 0;
					name =
					    a->proxy_auth ? "Proxy-Authorization" : "Authorization";
				}
			}
			if (send_register(ua, a, a->expires, name, name ? value : NULL, now) == 0)
				return;
		}
	}
	failed(ua, a, s, "registration refused", now);
}

void ua_reg_response(struct vox_ua *ua, struct vox_ua_account *a, const struct vox_sip_msg *m,
                     uint64_t now)
{
	if (m->status < 200)
		return;
	if (a->moved) {
		/* the answer for a contact we no longer have: what counts is
		 * the REGISTER of the new one, which goes out now */
		a->moved = 0;
		a->txn = 0;
	} else {
		reg_response(ua, a, m, now);
	}
	reg_next(ua, a, now);
}

void ua_reg_timeout(struct vox_ua *ua, struct vox_ua_account *a, uint64_t now)
{
	if (a->moved) {
		a->moved = 0;
		a->txn = 0;
	} else {
		reg_timeout(ua, a, now);
	}
	reg_next(ua, a, now);
}

void ua_reg_moved(struct vox_ua *ua, struct vox_ua_account *a, uint64_t now)
{
	if (reg_busy(ua, a)) {
		a->moved = 1;
		a->queued = UA_REG_ADD;
		return;
	}
	a->t_refresh = now;
}

static void reg_timeout(struct vox_ua *ua, struct vox_ua_account *a, uint64_t now)
{
	if (a->state == VOX_UA_REG_UNREGISTERING) {
		a->state = VOX_UA_REG_IDLE; /* the binding expires by itself */
		a->txn = 0;
		a->t_refresh = UA_NEVER;
		return;
	}
	failed(ua, a, 408, "registrar did not answer", now);
}

void ua_reg_deadline(struct vox_ua *ua, struct vox_ua_account *a, uint64_t now)
{
	a->t_refresh = UA_NEVER;
	if (reg_busy(ua, a)) { /* 10.2: after the one in flight */
		a->queued = UA_REG_ADD;
		return;
	}
	a->auth_tries = 0;
	if (send_register(ua, a, a->expires, NULL, NULL, now) != 0)
		failed(ua, a, 503, "cannot send REGISTER", now);
}
