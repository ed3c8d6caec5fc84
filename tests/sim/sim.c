/* SPDX-License-Identifier: MIT */
/* The simulated network: see sim.h. */
#include "sim.h"

#include <stdio.h>
#include <string.h>

uint64_t sim_rand(struct sim *s)
{
	s->rng ^= s->rng >> 12;
	s->rng ^= s->rng << 25;
	s->rng ^= s->rng >> 27;
	return s->rng * 0x2545F4914F6CDD1DULL;
}

int sim_rng(void *ctx, uint8_t *out, size_t len)
{
	struct sim *s = ctx;
	for (size_t i = 0; i < len; i++)
		out[i] = (uint8_t)(sim_rand(s) >> 56);
	return 0;
}

void sim_init(struct sim *s, uint64_t seed)
{
	memset(s, 0, sizeof *s);
	s->rng = seed * 0x9E3779B97F4A7C15ULL + 1;
	for (size_t a = 0; a < SIM_MAX_NODES; a++)
		for (size_t b = 0; b < SIM_MAX_NODES; b++)
			s->link[a][b].latency = 10;
}

static struct vox_addr node_addr(size_t i)
{
	struct vox_addr a = {4, {10, 0, 0, (uint8_t)(i + 1)}, 5060};
	return a;
}

const char *sim_uri(const struct sim *s, size_t n, const char *user, char *buf, size_t cap)
{
	(void)s;
	snprintf(buf, cap, "sip:%s@10.0.0.%zu:5060", user, n + 1);
	return buf;
}

int sim_add_ua(struct sim *s, struct vox_ua *ua, struct vox_ua_config *cfg)
{
	static char hosts[SIM_MAX_NODES][16];
	size_t i = s->nnodes;
	if (i == SIM_MAX_NODES)
		return -1;
	snprintf(hosts[i], sizeof hosts[i], "10.0.0.%zu", i + 1);
	cfg->host = vox_slice_cstr(hosts[i]);
	cfg->port = 5060;
	cfg->transport = VOX_TP_UDP;
	cfg->rng.fn = sim_rng;
	cfg->rng.ctx = s;
	struct sim_node *n = &s->node[i];
	memset(n, 0, sizeof *n);
	n->kind = SIM_UA;
	n->addr = node_addr(i);
	n->ua = ua;
	if (vox_ua_init(ua, cfg) != 0)
		return -1;
	s->nnodes++;
	return (int)i;
}

int sim_add_registrar(struct sim *s, const char *user, const char *password)
{
	size_t i = s->nnodes;
	if (i == SIM_MAX_NODES)
		return -1;
	struct sim_node *n = &s->node[i];
	memset(n, 0, sizeof *n);
	n->kind = SIM_REGISTRAR;
	n->addr = node_addr(i);
	uint8_t key[VOX_DIGEST_KEY_LEN];
	sim_rng(s, key, sizeof key);
	vox_digest_server_init(&n->reg.digest, key, vox_slice_cstr("sim.example"), 30000);
	snprintf(n->reg.user, sizeof n->reg.user, "%s", user);
	snprintf(n->reg.password, sizeof n->reg.password, "%s", password);
	s->nnodes++;
	return (int)i;
}

void sim_link(struct sim *s, size_t a, size_t b, struct sim_link l)
{
	s->link[a][b] = l;
	s->link[b][a] = l;
}

static int node_of(const struct sim *s, const struct vox_addr *a)
{
	for (size_t i = 0; i < s->nnodes; i++)
		if (memcmp(s->node[i].addr.ip, a->ip, 4) == 0 && s->node[i].addr.port == a->port)
			return (int)i;
	return -1;
}

/* The first word of a start line: the method, or the status code. */
static void first_word(const char *p, size_t len, char *out, size_t cap)
{
	size_t k = 0;
	if (len >= 8 && memcmp(p, "SIP/2.0 ", 8) == 0) {
		p += 8;
		len -= 8;
	}
	while (k < len && k + 1 < cap && p[k] != ' ' && p[k] != '\r')
		out[k] = p[k], k++;
	out[k] = 0;
}

static FILE *trace_file(const struct sim *s)
{
	return s->trace_out ? s->trace_out : stderr;
}

/* A message as the trace shows it: start line and headers as they came,
 * and the body, which can carry SDES keys, only as vox_sdp_print writes
 * it (every key REDACTED), or as its size when it is no SDP: vox prints
 * no key, not even in a test's trace. */
static void trace_message(FILE *f, const char *p, size_t len)
{
	static struct vox_sdp sdp;
	static char out[2 * VOX_SIP_TXN_MSG];
	const char *end = p + len, *body = end;
	for (const char *q = p; end - q >= 4; q++)
		if (memcmp(q, "\r\n\r\n", 4) == 0) {
			body = q + 4;
			break;
		}
	fprintf(f, "%.*s", (int)(body - p), p);
	if (body == end) {
		fputc('\n', f);
		return;
	}
	int n = vox_sdp_parse(body, (size_t)(end - body), &sdp, NULL);
	if (n >= 0)
		n = vox_sdp_print(&sdp, 0, out, sizeof out);
	if (n >= 0)
		fprintf(f, "%.*s\n", n, out);
	else
		fprintf(f, "[%zu bytes of body, not shown]\n", (size_t)(end - body));
}

static void transmit(struct sim *s, size_t from, const char *p, size_t len,
                     const struct vox_peer *to)
{
	char w[16];
	first_word(p, len, w, sizeof w);
	s->wire_total++;
	s->node[from].sent++;
	if (s->nwire < sizeof s->wire_log / sizeof s->wire_log[0])
		memcpy(s->wire_log[s->nwire++], w, sizeof w);
	int dst = node_of(s, &to->addr);
	if (s->trace > 1) {
		fprintf(trace_file(s), "[%8llu] %zu -> %d\n", (unsigned long long)s->now, from,
		        dst);
		trace_message(trace_file(s), p, len);
	} else if (s->trace) {
		fprintf(trace_file(s), "[%8llu] %zu -> %d %s\n", (unsigned long long)s->now, from,
		        dst, w);
	}
	if (dst < 0 || len > VOX_SIP_TXN_MSG) {
		s->wire_lost++;
		return;
	}
	const struct sim_link *l = &s->link[from][dst];
	int copies = 1;
	if (l->down || sim_rand(s) % 1000 < l->loss) {
		s->wire_lost++;
		return;
	}
	if (sim_rand(s) % 1000 < l->dup)
		copies = 2;
	for (int c = 0; c < copies && s->ninflight < SIM_MAX_INFLIGHT; c++) {
		struct sim_packet *pk = &s->inflight[s->ninflight++];
		pk->at = s->now + l->latency + (l->jitter ? sim_rand(s) % (l->jitter + 1) : 0);
		pk->seq = s->seq++;
		pk->from = (uint8_t)from;
		pk->to = (uint8_t)dst;
		pk->len = (uint16_t)len;
		memcpy(pk->data, p, len);
	}
}

/* ---- the registrar ---------------------------------------------------------------- */

static void registrar_recv(struct sim *s, size_t self, const struct sim_packet *pk)
{
	static struct vox_sip_msg m;
	static char out[VOX_SIP_TXN_MSG];
	struct sim_registrar *r = &s->node[self].reg;
	if (vox_sip_parse(&m, pk->data, pk->len, VOX_SIP_DATAGRAM, NULL) < 0 || m.status ||
	    m.method_id != VOX_SIP_REGISTER)
		return;
	struct vox_peer from = {VOX_TP_UDP, s->node[pk->from].addr, 0}, to;
	if (vox_sip_response_peer(&m, &from, &to))
		return;
	struct vox_sip_hdr_out h[3];
	size_t nh = 0;
	unsigned status = 200;
	char chal[512], contact[256], minexp[16];
	uint64_t expires = 3600;
	const struct vox_sip_header *eh = vox_sip_find(&m, VOX_SIP_H_EXPIRES);
	if (eh && vox_sip_uint_parse(eh->value, UINT32_MAX, &expires, NULL))
		expires = 3600;
	const struct vox_sip_header *ah = vox_sip_find(&m, VOX_SIP_H_AUTHORIZATION);
	struct vox_sip_auth cred;
	int verdict = VOX_EAUTH;
	if (ah && vox_sip_auth_parse(&cred, ah->value, NULL) == 0) {
		struct vox_digest_cred secret = {
		    vox_slice_cstr(r->user), vox_slice_cstr(r->password), {NULL, 0}, 0};
		struct vox_digest_req req = {m.method, m.uri, m.body};
		verdict = vox_digest_server_verify(&r->digest, &cred, &secret, &req,
		                                   vox_slice_make(NULL, 0), s->now, NULL, NULL);
	}
	if (r->refuse) {
		status = (unsigned)r->refuse;
	} else if (verdict != 0) {
		struct vox_rng rng = {sim_rng, s};
		/* SHA-256 unless the profile leaves SHA-2 out */
		int n = vox_digest_challenge_print(
		    &r->digest, VOX_WITH_DIGEST_SHA2 ? VOX_DIGEST_SHA256 : VOX_DIGEST_MD5,
		    verdict == VOX_EKEYEXPIRED, vox_slice_make(NULL, 0), vox_slice_make(NULL, 0),
		    s->now, &rng, chal, sizeof chal);
		if (n < 0)
			return;
		h[nh++] = (struct vox_sip_hdr_out){"WWW-Authenticate", {chal, (size_t)n}};
		status = 401;
		r->challenges++;
	} else if (expires && expires < r->min_expires) {
		snprintf(minexp, sizeof minexp, "%u", r->min_expires);
		h[nh++] = (struct vox_sip_hdr_out){"Min-Expires", vox_slice_cstr(minexp)};
		status = 423;
		r->min_expires += r->min_step;
	} else {
		const struct vox_sip_header *ch = vox_sip_find(&m, VOX_SIP_H_CONTACT);
		r->accepted++;
		r->bound = expires != 0;
		r->bound_expires = (uint32_t)expires;
		if (ch && expires) {
			snprintf(contact, sizeof contact, "%.*s;expires=%u", (int)ch->value.len,
			         ch->value.p, (unsigned)expires);
			h[nh++] = (struct vox_sip_hdr_out){"Contact", vox_slice_cstr(contact)};
		}
	}
	int n = vox_sip_build_response(&m, &from.addr, status, NULL, vox_slice_cstr("reg1"), h, nh,
	                               vox_slice_make(NULL, 0), vox_slice_make(NULL, 0), out,
	                               sizeof out);
	if (n > 0)
		transmit(s, self, out, (size_t)n, &to);
}

/* ---- the loop ------------------------------------------------------------------------ */

static const char *ev_name(enum vox_ua_ev_type t)
{
	static const char *const names[] = {"",         "REG_OK",   "REG_FAILED", "REG_LOST",
	                                    "UNREG",    "INCOMING", "PROGRESS",   "EARLY_MEDIA",
	                                    "ANSWERED", "MEDIA",    "DOWNGRADE",  "ENDED"};
	return (unsigned)t < sizeof names / sizeof names[0] ? names[t] : "?";
}

static void drain(struct sim *s, size_t i)
{
	static char buf[VOX_SIP_TXN_MSG + 64];
	struct sim_node *n = &s->node[i];
	if (n->kind != SIM_UA)
		return;
	struct vox_peer to;
	int len;
	while ((len = vox_ua_poll_output(n->ua, buf, sizeof buf, &to)) > 0)
		transmit(s, i, buf, (size_t)len, &to);
	struct vox_ua_event ev;
	while (vox_ua_next_event(n->ua, &ev)) {
		if (n->nlog == SIM_MAX_LOG)
			continue;
		n->last[n->nlog] = ev;
		if (ev.type == VOX_UA_EV_ENDED)
			snprintf(n->log[n->nlog], sizeof n->log[0], "ENDED %u%s", ev.status,
			         ev.remote ? " remote" : "");
		else if (ev.status && ev.type != VOX_UA_EV_ANSWERED)
			snprintf(n->log[n->nlog], sizeof n->log[0], "%s %u", ev_name(ev.type),
			         ev.status);
		else
			snprintf(n->log[n->nlog], sizeof n->log[0], "%s", ev_name(ev.type));
		if (s->trace)
			fprintf(trace_file(s), "[%8llu] node %zu: %s\n", (unsigned long long)s->now,
			        i, n->log[n->nlog]);
		n->nlog++;
	}
}

static uint64_t next_time(const struct sim *s)
{
	uint64_t t = UINT64_MAX;
	for (size_t i = 0; i < s->ninflight; i++)
		if (s->inflight[i].at < t)
			t = s->inflight[i].at;
	for (size_t i = 0; i < s->nnodes; i++)
		if (s->node[i].kind == SIM_UA) {
			uint64_t d = vox_ua_next_deadline(s->node[i].ua);
			if (d < t)
				t = d;
		}
	return t;
}

/* One step: deliver what is due, fire timers, drain outputs. */
static void step(struct sim *s)
{
	for (;;) {
		size_t best = SIZE_MAX;
		for (size_t i = 0; i < s->ninflight; i++)
			if (s->inflight[i].at <= s->now &&
			    (best == SIZE_MAX || s->inflight[i].seq < s->inflight[best].seq))
				best = i;
		if (best == SIZE_MAX)
			break;
		static struct sim_packet pk;
		pk = s->inflight[best];
		s->inflight[best] = s->inflight[--s->ninflight];
		struct sim_node *n = &s->node[pk.to];
		if (n->kind == SIM_UA) {
			struct vox_peer from = {VOX_TP_UDP, s->node[pk.from].addr, 0};
			(void)vox_ua_recv(n->ua, pk.data, pk.len, &from, s->now);
		} else {
			registrar_recv(s, pk.to, &pk);
		}
		drain(s, pk.to);
	}
	for (size_t i = 0; i < s->nnodes; i++)
		if (s->node[i].kind == SIM_UA && vox_ua_next_deadline(s->node[i].ua) <= s->now) {
			vox_ua_on_deadline(s->node[i].ua, s->now);
			drain(s, i);
		}
	for (size_t i = 0; i < s->nnodes; i++)
		drain(s, i);
}

uint64_t sim_run(struct sim *s, uint64_t until)
{
	step(s);
	for (;;) {
		uint64_t t = next_time(s);
		if (t == UINT64_MAX || t > until) {
			if (t != UINT64_MAX)
				s->now = until;
			return s->now;
		}
		if (t > s->now)
			s->now = t;
		step(s);
	}
}

int sim_run_to_event(struct sim *s, size_t n, const char *prefix, uint64_t until)
{
	size_t seen = s->node[n].nlog;
	size_t plen = strlen(prefix);
	step(s);
	for (;;) {
		for (size_t i = seen; i < s->node[n].nlog; i++)
			if (strncmp(s->node[n].log[i], prefix, plen) == 0)
				return 1;
		seen = s->node[n].nlog;
		uint64_t t = next_time(s);
		if (t == UINT64_MAX || t > until)
			return 0;
		if (t > s->now)
			s->now = t;
		step(s);
	}
}

unsigned sim_wire_count(const struct sim *s, const char *what)
{
	unsigned n = 0;
	for (size_t i = 0; i < s->nwire; i++)
		n += strcmp(s->wire_log[i], what) == 0;
	return n;
}

void sim_ua_config(struct vox_ua_config *c, const char *aor)
{
	memset(c, 0, sizeof *c);
	c->aor = vox_slice_cstr(aor);
	c->policy = VOX_SDP_POLICY_OPTIONAL;
	c->media_port = 40000;
	c->n_suites = 1;
	c->suites[0] = VOX_SRTP_AES_CM_128_HMAC_SHA1_80;
}
