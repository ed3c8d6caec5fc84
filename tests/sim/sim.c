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
			s->link[a][b].latency = s->mlink[a][b].latency = 10;
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
	if (cfg->transport != VOX_TP_TLS) /* a hop marked TLS: the sim does not encrypt */
		cfg->transport = VOX_TP_UDP;
	cfg->rng.fn = sim_rng;
	cfg->rng.ctx = s;
	struct sim_node *n = &s->node[i];
	memset(n, 0, sizeof *n);
	n->kind = SIM_UA;
	n->addr = node_addr(i);
	n->ua = ua;
	n->next_port = 40000;
	n->listens = cfg->n_listeners > 0;
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
	s->link[a][b] = s->mlink[a][b] = l;
	s->link[b][a] = s->mlink[b][a] = l;
}

void sim_add_name(struct sim *s, const char *name, size_t n, const struct vox_ua_target *t)
{
	if (s->nnames == SIM_MAX_NAMES || n > VOX_UA_MAX_TARGETS)
		return;
	struct sim_name *e = &s->names[s->nnames++];
	e->name = name;
	e->n = n;
	memcpy(e->t, t, n * sizeof *t);
}

/* The node's questions, answered from the table (RFC 3263 done by the
 * application, as docs/ua.md says). */
static void answer_names(struct sim *s, size_t i)
{
	struct vox_ua_resolve q;
	while (!s->hold_answers && vox_ua_poll_resolve(s->node[i].ua, &q) == 1) {
		const struct sim_name *e = NULL;
		for (size_t k = 0; k < s->nnames && !e; k++)
			if (strcmp(s->names[k].name, q.name) == 0)
				e = &s->names[k];
		s->last_q = q;
		s->resolves++;
		if (s->trace)
			fprintf(s->trace_out ? s->trace_out : stderr,
			        "[%8llu] node %zu: resolve %s: %zu\n", (unsigned long long)s->now,
			        i, q.name, e ? e->n : 0);
		int rc =
		    vox_ua_resolved(s->node[i].ua, q.id, e ? e->t : NULL, e ? e->n : 0, s->now);
		if (rc)
			fprintf(stderr, "sim: vox_ua_resolved: %d\n", rc);
	}
}

void sim_media_link(struct sim *s, size_t a, size_t b, struct sim_link l)
{
	s->mlink[a][b] = l;
	s->mlink[b][a] = l;
}

static int node_of(const struct sim *s, const struct vox_addr *a)
{
	for (size_t i = 0; i < s->nnodes; i++)
		if (memcmp(s->node[i].addr.ip, a->ip, 4) == 0 &&
		    (s->node[i].addr.port == a->port || s->node[i].listens))
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
                     const struct vox_peer *to, uint32_t id)
{
	char w[16];
	first_word(p, len, w, sizeof w);
	int to_node = node_of(s, &to->addr);
	if (to_node >= 0 && s->link[from][to_node].refuse && s->node[from].kind == SIM_UA) {
		/* it never reaches the wire: the transport says so at once,
		 * under the message's id */
		s->refused++;
		if (s->trace)
			fprintf(trace_file(s), "[%8llu] %zu -> %d %s REFUSED\n",
			        (unsigned long long)s->now, from, to_node, w);
		vox_ua_transport_error(s->node[from].ua, id, s->now);
		return;
	}
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

	/* a hop marked TLS is a stream: it loses, repeats and reorders
	 * nothing (only a partition cuts it) */
	int stream = s->node[from].kind == SIM_UA && to->tp != VOX_TP_UDP &&
	             (to->tp == VOX_TP_TCP || s->node[from].ua->cfg.transport == VOX_TP_TLS ||
	              s->node[from].listens);
	if (l->down || (!stream && sim_rand(s) % 1000 < l->loss)) {
		s->wire_lost++;
		return;
	}
	if (!stream && sim_rand(s) % 1000 < l->dup)
		copies = 2;
	for (int c = 0; c < copies && s->ninflight < SIM_MAX_INFLIGHT; c++) {
		struct sim_packet *pk = &s->inflight[s->ninflight++];
		pk->at = s->now + l->latency +
		         (l->jitter && !stream ? sim_rand(s) % (l->jitter + 1) : 0);
		pk->seq = s->seq++;
		pk->from = (uint8_t)from;
		pk->to = (uint8_t)dst;
		pk->media = pk->replay = 0;
		pk->tp = (uint8_t)to->tp;
		pk->dport = to->addr.port;
		pk->len = (uint16_t)len;
		memcpy(pk->data, p, len);
		if (s->sip_tap)
			s->sip_tap(s, from, pk->data, len, s->tap_ctx);
	}
}

/* ---- media ---------------------------------------------------------------------------- */

static int node_by_ip(const struct sim *s, const struct vox_addr *a)
{
	for (size_t i = 0; i < s->nnodes; i++)
		if (a->family == 4 && memcmp(s->node[i].addr.ip, a->ip, 4) == 0)
			return (int)i;
	return -1;
}

struct sim_media *sim_media_of(struct sim *s, size_t n, vox_ua_handle call)
{
	struct sim_node *nd = &s->node[n];
	for (size_t i = 0; i < nd->nmedia && i < SIM_MAX_MEDIA; i++)
		if (nd->media[i].call == call)
			return &nd->media[i];
	return NULL;
}

/* The socket a datagram to port dport of node n lands on (RTP or RTCP). */
static struct sim_media *socket_at(struct sim_node *nd, uint16_t dport)
{
	for (size_t i = 0; i < nd->nmedia && i < SIM_MAX_MEDIA; i++)
		if (nd->media[i].port == dport || nd->media[i].port + 1 == dport)
			return &nd->media[i];
	return NULL;
}

/* A fresh socket pair of node n: what the application would bind. */
static struct vox_ua_media_addr bind_socket(struct sim_node *nd)
{
	struct vox_ua_media_addr m = {{NULL, 0}, nd->next_port};
	if (nd->media_host)
		m.addr = vox_slice_cstr(nd->media_host);
	nd->next_port = (uint16_t)(nd->next_port < 59998 ? nd->next_port + 2 : 40000);
	return m;
}

static void remember_socket(struct sim_node *nd, uint16_t port, vox_ua_handle call)
{
	struct sim_media *b = &nd->media[nd->nmedia++ % SIM_MAX_MEDIA];
	memset(b, 0, sizeof *b);
	b->port = port;
	b->call = call;
}

int sim_call(struct sim *s, size_t n, const char *target, vox_ua_handle account,
             vox_ua_handle *call)
{
	struct sim_node *nd = &s->node[n];
	struct vox_ua_media_addr m = bind_socket(nd);
	int rc = vox_ua_call(nd->ua, vox_slice_cstr(target), account, &m, s->now, call);
	if (rc == 0)
		remember_socket(nd, m.port, *call);
	return rc;
}

int sim_answer(struct sim *s, size_t n, vox_ua_handle call)
{
	struct sim_node *nd = &s->node[n];
	struct vox_ua_media_addr m = bind_socket(nd);
	int rc = vox_ua_answer(nd->ua, call, &m, s->now);
	if (rc == 0)
		remember_socket(nd, m.port, call);
	return rc;
}

void sim_voice(struct sim *s, unsigned period_ms)
{
	s->voice = period_ms;
	if (period_ms)
		s->next_frame = (s->now / period_ms + 1) * period_ms;
}

unsigned sim_srtp_contexts(const struct sim *s, size_t n)
{
	unsigned k = 0;
	for (size_t i = 0; i < VOX_UA_MAX_CALLS; i++)
		k += vox_media_srtp_contexts(&s->node[n].ua->media[i].engine);
	return k;
}

/* What a media datagram on the wire is: clear or protected; and, for RTP,
 * whether its payload read as G.711 mu-law carries the sender's tone (it
 * does in the clear; SRTP leaves noise). The sim's calls send 20 ms frames
 * of PCMU and 4-byte telephone-events: SRTP adds a tag to either. */
static void classify(struct sim_node *nd, const uint8_t *p, size_t len)
{
	static struct vox_rtcp_compound comp;
	enum vox_demux_kind k = vox_demux_classify(p, len);
	if (k == VOX_DEMUX_RTCP) {
		if (vox_rtcp_parse(p, len, 0, &comp, NULL) == (int)len)
			nd->ms.rtcp_clear++;
		else
			nd->ms.rtcp_protected++;
		return;
	}
	if (k != VOX_DEMUX_RTP)
		return;
	struct vox_rtp_packet pkt;
	if (vox_rtp_parse(p, len, &pkt, NULL) < 0) {
		nd->ms.rtp_protected++;
		return;
	}
	if (pkt.payload_len == VOX_G711_FRAME || pkt.payload_len == VOX_DTMF_PAYLOAD)
		nd->ms.rtp_clear++;
	else
		nd->ms.rtp_protected++;
	if (nd->tone_hz > 0 && pkt.payload_len >= VOX_G711_FRAME) {
		int16_t pcm[VOX_G711_FRAME];
		vox_g711_decode(VOX_G711_ULAW, pkt.payload, VOX_G711_FRAME, pcm);
		if (vox_tone_power(pcm, VOX_G711_FRAME, VOX_G711_RATE, nd->tone_hz) > 0.5f)
			nd->ms.rtp_audible++;
	}
}

static void enqueue(struct sim *s, const struct sim_packet *pk)
{
	if (s->ninflight < SIM_MAX_INFLIGHT)
		s->inflight[s->ninflight++] = *pk;
}

/* A datagram node `from` sends for call from its socket to `to`. */
static void transmit_media(struct sim *s, size_t from, vox_ua_handle call, uint8_t *p, size_t len,
                           const struct vox_media_dest *to)
{
	static struct sim_packet pk;
	struct sim_node *nd = &s->node[from];
	struct sim_media *b = sim_media_of(s, from, call);
	int dst = node_by_ip(s, &to->addr);
	if (s->trace > 2)
		fprintf(trace_file(s), "[%8llu] %zu -> %d media %zu bytes\n",
		        (unsigned long long)s->now, from, dst, len);
	classify(nd, p, len);
	int tampered = 0;
	if (s->tamper_from == (int)from + 1 && vox_demux_classify(p, len) == VOX_DEMUX_RTP &&
	    len > 40) {
		p[24] ^= 0x10; /* a bit of the payload */
		s->tamper_from = 0;
		tampered = 1;
	}
	if (!b || dst < 0 || len > sizeof pk.data) {
		nd->ms.lost++;
		return;
	}
	const struct sim_link *l = &s->mlink[from][dst];
	if (!tampered && (l->down || sim_rand(s) % 1000 < l->loss)) {
		nd->ms.lost++;
		return;
	}
	int copies = !tampered && sim_rand(s) % 1000 < l->dup ? 2 : 1;
	memset(&pk, 0, offsetof(struct sim_packet, data));
	pk.from = (uint8_t)from;
	pk.to = (uint8_t)dst;
	pk.media = 1;
	pk.sport = (uint16_t)(b->port + (to->rtcp_port ? 1 : 0));
	pk.dport = to->addr.port;
	pk.len = (uint16_t)len;
	memcpy(pk.data, p, len);
	for (int c = 0; c < copies; c++) {
		pk.at = s->now + l->latency + (l->jitter ? sim_rand(s) % (l->jitter + 1) : 0);
		pk.seq = s->seq++;
		enqueue(s, &pk);
	}
}

/* A media datagram reaches node pk->to: the UA takes it for the call on
 * that socket. A datagram the UA refuses must leave the engine's RTP
 * session and jitter buffer as they were (never played). */
void sim_media_inject(struct sim *s, size_t from, size_t to, uint16_t sport, uint16_t dport,
                      const uint8_t *p, size_t len, uint32_t delay)
{
	static struct sim_packet pk;
	if (len > sizeof pk.data)
		return;
	memset(&pk, 0, offsetof(struct sim_packet, data));
	pk.at = s->now + delay;
	pk.seq = s->seq++;
	pk.from = (uint8_t)from;
	pk.to = (uint8_t)to;
	pk.media = 2; /* injected: the tap does not see it again */
	pk.sport = sport;
	pk.dport = dport;
	pk.len = (uint16_t)len;
	memcpy(pk.data, p, len);
	enqueue(s, &pk);
}

static void deliver_media(struct sim *s, const struct sim_packet *pk)
{
	struct sim_node *nd = &s->node[pk->to];
	if (pk->media == 1 && s->media_tap && s->media_tap(s, pk, s->tap_ctx))
		return;
	struct sim_media *b = nd->kind == SIM_UA ? socket_at(nd, pk->dport) : NULL;
	nd->ms.received++;
	if (!b) {
		nd->ms.nowhere++;
		return;
	}
	struct vox_addr from = s->node[pk->from].addr;
	from.port = pk->sport;
	const struct vox_media *m = vox_ua_media_get(nd->ua, b->call);
	uint64_t before[3] = {0, 0, 0};
	if (m) {
		before[0] = m->st.rtp_accepted;
		before[1] = m->st.rtcp_accepted;
		before[2] = m->jb.st.received;
	}
	int rc =
	    vox_ua_media_recv(nd->ua, b->call, (const uint8_t *)pk->data, pk->len, &from, s->now);
	if (rc == VOX_ENOTFOUND || rc == VOX_ESTATE) {
		nd->ms.nowhere++; /* the call ended, or its media does not run */
		return;
	}
	if (rc < 0) {
		nd->ms.refused++;
		nd->ms.auth += rc == VOX_EAUTH;
		nd->ms.replay += rc == VOX_EREPLAY || rc == VOX_ETOOOLD;
		m = vox_ua_media_get(nd->ua, b->call);
		if (m && (m->st.rtp_accepted != before[0] || m->st.rtcp_accepted != before[1] ||
		          m->jb.st.received != before[2]))
			nd->ms.leaked++;
		return;
	}
	if (s->replay_from == pk->from + 1 &&
	    vox_demux_classify((const uint8_t *)pk->data, pk->len) == VOX_DEMUX_RTP) {
		/* the same bytes again, as an attacker on the path would send them */
		static struct sim_packet again;
		again = *pk;
		again.at = s->now + 100;
		again.seq = s->seq++;
		enqueue(s, &again);
		s->replay_from = 0;
	}
}

/* Every SIM_FRAME_MS: each node hands each of its calls a frame of its
 * tone and plays what the call gives back, through the tone detector. */
static void voice_tick(struct sim *s)
{
	int16_t pcm[VOX_G711_FRAME], out[VOX_JB_MAX_FRAME];
	for (size_t i = 0; i < s->nnodes; i++) {
		struct sim_node *nd = &s->node[i];
		if (nd->kind != SIM_UA)
			continue;
		if (nd->tone_hz > 0)
			vox_tone_gen(pcm, VOX_G711_FRAME, VOX_G711_RATE, nd->tone_hz, 0, 8000,
			             &nd->phase);
		for (size_t k = 0; k < nd->nmedia && k < SIM_MAX_MEDIA; k++) {
			struct sim_media *b = &nd->media[k];
			if (nd->tone_hz > 0)
				(void)!vox_ua_send_pcm(nd->ua, b->call, pcm, VOX_G711_FRAME,
				                       s->now);
			int n = vox_ua_play(nd->ua, b->call, out, VOX_JB_MAX_FRAME, s->now);
			if (n > 0) {
				b->frames++;
				if (nd->hear_hz > 0 && vox_tone_power(out, (size_t)n, VOX_G711_RATE,
				                                      nd->hear_hz) > 0.9f)
					b->tone++;
			} else if (n == 0) {
				b->quiet++;
			}
		}
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
	struct vox_peer from = {VOX_TP_UDP, s->node[pk->from].addr, 0, 0, 0}, to;
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
		transmit(s, self, out, (size_t)n, &to, 0);
}

/* ---- the loop ------------------------------------------------------------------------ */

static const char *ev_name(enum vox_ua_ev_type t)
{
	static const char *const names[] = {"",
	                                    "REG_OK",
	                                    "REG_FAILED",
	                                    "REG_LOST",
	                                    "UNREG",
	                                    "INCOMING",
	                                    "PROGRESS",
	                                    "EARLY_MEDIA",
	                                    "ANSWERED",
	                                    "MEDIA",
	                                    "DOWNGRADE",
	                                    "ENDED",
	                                    "RTP",
	                                    "MEDIA_FAILED",
	                                    "ZRTP_SAS",
	                                    "ZRTP_SECURE",
	                                    "ZRTP_NEW_PEER",
	                                    "ZRTP_CACHE_MISMATCH",
	                                    "ZRTP_HASH_MISMATCH",
	                                    "ZRTP_PBX",
	                                    "ZRTP_FAILED"};
	return (unsigned)t < sizeof names / sizeof names[0] ? names[t] : "?";
}

static void drain(struct sim *s, size_t i)
{
	static char buf[VOX_SIP_TXN_MSG + 64];
	static uint32_t mbuf[VOX_MEDIA_OUT_MAX / 4 + 1];
	struct sim_node *n = &s->node[i];
	if (n->kind != SIM_UA)
		return;
	struct vox_ua_dest to;
	struct vox_media_dest mto;
	vox_ua_handle call;
	int len;
	answer_names(s, i);
	while ((len = vox_ua_poll_output_dest(n->ua, buf, sizeof buf, &to)) > 0) {
		struct sim_sent *k = &n->sent_log[n->nsent_log++ % SIM_SENT_LOG];
		k->d = to;
		k->len = (uint16_t)(len < (int)sizeof k->msg ? len : (int)sizeof k->msg);
		memcpy(k->msg, buf, k->len);
		transmit(s, i, buf, (size_t)len, &to.to, to.id);
	}
	/* media before the events: the BYE of a call that ended leaves first */
	while ((len = vox_ua_media_poll_output(n->ua, (uint8_t *)mbuf, sizeof mbuf, &call, &mto)) >
	       0)
		transmit_media(s, i, call, (uint8_t *)mbuf, (size_t)len, &mto);
	struct vox_ua_event ev;
	while (vox_ua_next_event(n->ua, &ev)) {
		if (n->nlog == SIM_MAX_LOG)
			continue;
		n->last[n->nlog] = ev;
		if (ev.type == VOX_UA_EV_ENDED)
			snprintf(n->log[n->nlog], sizeof n->log[0], "ENDED %u%s", ev.status,
			         ev.remote ? " remote" : "");
		else if (ev.type == VOX_UA_EV_MEDIA_ENGINE)
			snprintf(n->log[n->nlog], sizeof n->log[0], "RTP %s",
			         vox_media_ev_name(ev.media.type));
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
	if (s->voice && s->next_frame < t)
		t = s->next_frame;
	return t;
}

/* 1 + the UA's listener of transport tp on port, as the transport says
 * it (vox_peer.listener); 0 none. */
static uint8_t listener_of(const struct vox_ua *ua, enum vox_transport tp, uint16_t port)
{
	if (ua->cfg.transport == tp && ua->cfg.port == port)
		return 1;
	for (size_t i = 0; i < ua->cfg.n_listeners; i++) {
		const struct vox_ua_listener *li = &ua->cfg.listeners[i];
		uint16_t p = li->port ? li->port : li->tp == VOX_TP_TLS ? 5061 : 5060;
		if (li->tp == tp && p == port)
			return (uint8_t)(i + 2);
	}
	return 0;
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
		if (pk.media) {
			deliver_media(s, &pk);
		} else if (n->kind == SIM_UA) {
			const struct sim_node *src = &s->node[pk.from];
			struct vox_peer from = {src->kind == SIM_UA ? src->ua->cfg.transport
			                                            : VOX_TP_UDP,
			                        src->addr, 0, 0, 0};
			if (n->listens || src->listens) /* the hop's own transport */
				from.tp = (enum vox_transport)pk.tp;
			if (n->listens) /* and the listener it reached */
				from.listener = listener_of(n->ua, from.tp, pk.dport);
			from.verified = from.tp == VOX_TP_TLS && !src->cert_unverified;
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
	if (s->voice && s->next_frame <= s->now) {
		voice_tick(s);
		s->next_frame += s->voice;
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

vox_ua_handle sim_last_call(const struct sim *s, size_t n)
{
	for (size_t i = s->node[n].nlog; i-- > 0;)
		if (s->node[n].last[i].call)
			return s->node[n].last[i].call;
	return 0;
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
	c->key_methods = VOX_SDP_KEY_SDES;
	c->n_suites = 1;
	c->suites[0] = VOX_SRTP_AES_CM_128_HMAC_SHA1_80;
	c->tls_client_verifies = 1; /* the sim's TLS hops verify unless a test says */
}
