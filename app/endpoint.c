/* SPDX-License-Identifier: MIT */
/* One endpoint of the vox program: see endpoint.h. */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "app/endpoint.h"
#include "vox/rtp.h"
#include "vox/sdp.h"
#include "vox/sip.h"

#define FRAME 160 /* 20 ms at 8 kHz */

/* ---- what a person reads, or one JSON object per line ---------------------------- */

static void say(struct ep *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct ep *e, const char *fmt, ...)
{
	if (e->o.json)
		return;
	va_list ap;
	if (e->o.name)
		fprintf(e->o.out, "%s: ", e->o.name);
	va_start(ap, fmt);
	vfprintf(e->o.out, fmt, ap);
	va_end(ap);
	fputc('\n', e->o.out);
	fflush(e->o.out);
}

/* Starts a JSON event line; NULL when the output is for a person. */
static struct json *event(struct ep *e, const char *name)
{
	if (!e->o.json)
		return NULL;
	json_init(&e->j, e->o.out, 0);
	json_obj(&e->j, NULL);
	json_cstr(&e->j, "event", name);
	if (e->o.name)
		json_cstr(&e->j, "endpoint", e->o.name);
	return &e->j;
}

static void event_end(struct json *j)
{
	json_end_obj(j);
	json_finish(j);
}

static const char *tp_name(enum vox_transport tp)
{
	return tp == VOX_TP_TLS ? "tls" : tp == VOX_TP_TCP ? "tcp" : "udp";
}

static const char *addr_text(const struct vox_addr *a, char *buf, size_t cap)
{
	char ip[64];
	if (!inet_ntop(a->family == 6 ? AF_INET6 : AF_INET, a->ip, ip, sizeof ip))
		snprintf(ip, sizeof ip, "?");
	snprintf(buf, cap, a->family == 6 ? "[%s]:%u" : "%s:%u", ip, a->port);
	return buf;
}

static void fail(struct ep *e, const char *why)
{
	if (!e->failed)
		e->why = why;
	e->failed = 1;
}

/* ---- options ------------------------------------------------------------------------- */

const char *ep_check_play(const char *spec)
{
	if (!spec || strcmp(spec, "silence") == 0)
		return NULL;
	if (strncmp(spec, "tone:", 5) == 0) {
		char *end;
		errno = 0;
		double hz = strtod(spec + 5, &end);
		if (errno || end == spec + 5 || *end || hz < 50 || hz > 3900)
			return "a tone is tone:HZ, HZ from 50 to 3900";
		return NULL;
	}
	size_t n = strlen(spec);
	if (n < 5 || strcmp(spec + n - 4, ".wav") != 0)
		return "what to play is tone:HZ, silence or a FILE.wav";
	return NULL;
}

/* "udp:HOST:PORT": the transport, the address (IPv6 in brackets) and port. */
static const char *parse_listen(const char *spec, enum vox_transport *tp, struct vox_addr *a)
{
	memset(a, 0, sizeof *a);
	if (strncmp(spec, "udp:", 4) == 0)
		*tp = VOX_TP_UDP;
	else if (strncmp(spec, "tcp:", 4) == 0)
		*tp = VOX_TP_TCP;
	else if (strncmp(spec, "tls:", 4) == 0)
		*tp = VOX_TP_TLS;
	else
		return "a listener is udp:HOST:PORT, tcp:HOST:PORT or tls:HOST:PORT";
	const char *h = spec + 4, *colon = strrchr(h, ':');
	if (!colon || colon == h)
		return "a listener is udp:HOST:PORT, tcp:HOST:PORT or tls:HOST:PORT";
	char host[64];
	size_t hl = (size_t)(colon - h);
	if (hl > 2 && h[0] == '[' && h[hl - 1] == ']') {
		h++;
		hl -= 2;
	}
	if (hl >= sizeof host)
		return "the listener's address is too long";
	memcpy(host, h, hl);
	host[hl] = 0;
	if (inet_pton(AF_INET, host, a->ip) == 1)
		a->family = 4;
	else if (inet_pton(AF_INET6, host, a->ip) == 1)
		a->family = 6;
	else
		return "a listener's HOST is an IPv4 or IPv6 address ([::1])";
	char *end;
	errno = 0;
	unsigned long port = strtoul(colon + 1, &end, 10);
	if (errno || end == colon + 1 || *end || port > 65535)
		return "a listener's PORT is 0 to 65535 (0: the system picks one)";
	a->port = (uint16_t)port;
	return NULL;
}

const char *ep_check_listen(const char *spec)
{
	enum vox_transport tp;
	struct vox_addr a;
	return parse_listen(spec, &tp, &a);
}

/* ---- WAV files (RIFF, PCM, 16 bits, mono, 8000 Hz) ------------------------------------ */

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static int wav_read(struct ep *e, const char *path)
{
	char *buf;
	size_t len;
	if (app_read_input(path, 64u << 20, "a WAV file to play", &buf, &len) != APP_OK)
		return APP_ERROR;
	const uint8_t *p = (const uint8_t *)buf, *end = p + len;
	const char *why = NULL;
	int fmt_ok = 0;
	if (len < 12 || memcmp(p, "RIFF", 4) || memcmp(p + 8, "WAVE", 4))
		why = "not a RIFF WAVE file";
	for (p += 12; !why && end - p >= 8;) {
		uint32_t n = le32(p + 4);
		if (n > (size_t)(end - p) - 8) {
			why = "a chunk runs past the end of the file";
			break;
		}
		if (!memcmp(p, "fmt ", 4)) {
			if (n < 16 || le16(p + 8) != 1 || le16(p + 10) != 1 ||
			    le32(p + 12) != 8000 || le16(p + 22) != 16)
				why = "vox plays 16-bit PCM, mono, 8000 Hz";
			fmt_ok = 1;
		} else if (!memcmp(p, "data", 4)) {
			if (!fmt_ok) {
				why = "the data chunk comes before fmt";
				break;
			}
			e->wav_len = n / 2;
			e->wav = malloc(e->wav_len * sizeof *e->wav + 1);
			if (!e->wav) {
				why = "out of memory";
				break;
			}
			for (size_t i = 0; i < e->wav_len; i++)
				e->wav[i] = (int16_t)le16(p + 8 + 2 * i);
			break;
		}
		p += 8 + n + (n & 1);
	}
	if (!why && !e->wav)
		why = "no data chunk";
	free(buf);
	if (why) {
		fprintf(stderr, "vox ua: %s: %s\n", path, why);
		return APP_ERROR;
	}
	return APP_OK;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* The 44-byte header of a PCM WAV file of n samples. */
static void wav_header(uint8_t h[44], uint32_t n)
{
	memcpy(h, "RIFF\0\0\0\0WAVEfmt \x10\0\0\0\x01\0\x01\0\0\0\0\0\0\0\0\0\x02\0\x10\0data", 40);
	put32(h + 4, 36 + 2 * n);
	put32(h + 24, 8000);
	put32(h + 28, 16000);
	put32(h + 40, 2 * n);
}

static void rec_close(struct ep *e)
{
	if (!e->rec)
		return;
	uint8_t h[44];
	wav_header(h, e->rec_samples);
	if (fseek(e->rec, 0, SEEK_SET) != 0 || fwrite(h, 1, sizeof h, e->rec) != sizeof h)
		fprintf(stderr, "vox ua: %s: cannot finish the recording\n", e->o.record);
	fclose(e->rec);
	e->rec = NULL;
}

/* ---- the voice and the ear -------------------------------------------------------------- */

static void next_frame_of_voice(struct ep *e, struct ep_call *c, int16_t *pcm)
{
	if (e->tone > 0) {
		vox_tone_gen(pcm, FRAME, VOX_G711_RATE, e->tone, 0, 8000, &c->phase);
		return;
	}
	for (size_t i = 0; i < FRAME; i++)
		pcm[i] = e->wav && c->wav_pos < e->wav_len ? e->wav[c->wav_pos++] : 0;
}

/* What came in goes through the tone detector, a window of EP_WINDOW
 * samples (100 ms: 10 Hz apart is told apart) at a time. */
static void hear(struct ep *e, struct ep_call *c, const int16_t *pcm, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		c->win[c->win_len++] = pcm[i];
		if (c->win_len < EP_WINDOW)
			continue;
		c->win_len = 0;
		c->windows++;
		for (size_t k = 0; k < EP_NTONES; k++)
			c->power[k] += vox_tone_power(c->win, EP_WINDOW, VOX_G711_RATE,
			                              (float)(EP_TONE_LO + EP_TONE_ST * k));
	}
	if (e->rec && c->seq == 1) { /* --record: the first call */
		uint8_t b[2 * VOX_JB_MAX_FRAME];
		for (size_t i = 0; i < n; i++) {
			b[2 * i] = (uint8_t)((uint16_t)pcm[i] & 0xff);
			b[2 * i + 1] = (uint8_t)((uint16_t)pcm[i] >> 8);
		}
		if (fwrite(b, 2, n, e->rec) == n)
			e->rec_samples += (uint32_t)n;
	}
}

/* The figures media_stats prints, taken while the call's engine lives. */
static void snapshot(struct ep *e, struct ep_call *cl)
{
	const struct vox_media *m = vox_ua_media_get(&e->ua, cl->h);
	const struct vox_ua_call *c = vox_ua_call_get(&e->ua, cl->h);
	if (!m || !c || (m->state != VOX_MEDIA_FLOWING && m->state != VOX_MEDIA_WAITING))
		return; /* not started, or stopped: the figures are those of the last turn */
	const struct vox_media_stats *s = vox_media_stats(m);
	cl->st.sent = s->audio_sent;
	cl->st.received = s->rtp_accepted;
	cl->st.srtp_failures = s->srtp_auth + s->srtp_replay + s->srtp_other;
	cl->st.prot = c->prot;
	for (size_t i = 0; i < VOX_RTP_MAX_SOURCES; i++) {
		const struct vox_rtp_source *src = &m->rtp.src[i];
		if (src->in_use && src->have_rtp) {
			cl->st.lost = vox_rtp_stats_lost(&src->st);
			cl->st.jitter_ms = vox_rtp_stats_jitter_value(&src->st) / 8; /* 8 kHz */
			break;
		}
	}
}

/* Every 20 ms, each call that is up says a frame and hears one. */
static void voice_tick(struct ep *e, uint64_t now)
{
	if (now < e->next_frame)
		return;
	e->next_frame += 20;
	if (e->next_frame <= now)
		e->next_frame = now + 20; /* we fell behind: do not burst */
	int any = 0;
	for (size_t i = 0; e->ncalls && i < VOX_UA_MAX_CALLS; i++) {
		struct ep_call *c = &e->calls[i];
		if (!c->h || !c->up || c->ended)
			continue;
		int16_t pcm[FRAME], out[VOX_JB_MAX_FRAME];
		next_frame_of_voice(e, c, pcm);
		(void)!vox_ua_send_pcm(&e->ua, c->h, pcm, FRAME, now);
		int n = vox_ua_play(&e->ua, c->h, out, VOX_JB_MAX_FRAME, now);
		if (n > 0)
			hear(e, c, out, (size_t)n);
		else if (n == 0) {
			memset(out, 0, sizeof out);
			hear(e, c, out, FRAME);
		}
		if (c->dtmf_left && *c->dtmf_left) {
			int rc = vox_ua_send_dtmf(&e->ua, c->h, *c->dtmf_left, 100, now);
			if (rc >= 0)
				c->dtmf_left++;
		}
		snapshot(e, c);
		any = 1;
	}
	if (any)
		vox_loop_flush(&e->loop, now);
}

static void strongest_tone(struct ep_call *c)
{
	if (!c->windows)
		return;
	size_t best = 0;
	for (size_t k = 1; k < EP_NTONES; k++)
		if (c->power[k] > c->power[best])
			best = k;
	float share = (float)(c->power[best] / c->windows);
	if (share > 0.05f) {
		c->st.tone_hz = (float)(EP_TONE_LO + EP_TONE_ST * best);
		c->st.tone_power = share;
	}
}

static const char *level_of(enum vox_ua_protection p)
{
	switch (p) {
	case VOX_UA_PROT_SDES: return "sdes";
	case VOX_UA_PROT_ZRTP_UNVERIFIED:
	case VOX_UA_PROT_ZRTP_VERIFIED: return "zrtp";
	default: return "none";
	}
}

/* The call's figures, once, when it ends (or at the end of the run); they
 * are also the endpoint's (e->st) from then on. */
static void print_stats(struct ep *e, struct ep_call *c)
{
	if (c->stats_printed)
		return;
	c->stats_printed = 1;
	strongest_tone(c);
	e->st = c->st;
	struct json *j = event(e, "media_stats");
	if (j) {
		json_uint(j, "call", c->seq);
		json_uint(j, "packets_sent", e->st.sent);
		json_uint(j, "packets_received", e->st.received);
		json_int(j, "lost", e->st.lost);
		json_uint(j, "jitter_ms", e->st.jitter_ms);
		json_uint(j, "srtp_failures", e->st.srtp_failures);
		json_cstr(j, "security", level_of(e->st.prot));
		json_uint(j, "tone_hz", (uint64_t)(e->st.tone_hz + 0.5f));
		json_uint(j, "tone_power_pct", (uint64_t)(e->st.tone_power * 100 + 0.5f));
		event_end(j);
		return;
	}
	say(e,
	    "call %u statistics: %llu packets sent, %llu received, %d lost, jitter %u ms, "
	    "%llu SRTP failures",
	    c->seq, (unsigned long long)e->st.sent, (unsigned long long)e->st.received,
	    (int)e->st.lost, e->st.jitter_ms, (unsigned long long)e->st.srtp_failures);
	if (e->st.tone_hz > 0)
		say(e, "heard a tone of %.0f Hz (%.0f %% of the sound)", (double)e->st.tone_hz,
		    (double)e->st.tone_power * 100);
	else
		say(e, "heard no tone");
}

/* ---- the trace: a ladder of SIP messages on stderr, keys redacted ------------------------ */

static void trace_msg(void *ctx, int in, const struct vox_peer *p, const char *msg, size_t len)
{
	struct ep *e = ctx;
	char where[80];
	const char *body = msg + len, *end = msg + len, *eol = memchr(msg, '\r', len);
	for (const char *q = msg; end - q >= 4; q++)
		if (memcmp(q, "\r\n\r\n", 4) == 0) {
			body = q + 4;
			break;
		}
	fprintf(stderr, "%s%s %s %s %s\n%.*s", e->o.name ? e->o.name : "", e->o.name ? ":" : "",
	        in ? "<--" : "-->", tp_name(p->tp), addr_text(&p->addr, where, sizeof where),
	        (int)(body - msg), msg);
	(void)eol;
	if (body == end)
		return;
	int n = vox_sdp_parse(body, (size_t)(end - body), &e->trace_sdp, NULL);
	if (n >= 0)
		n = vox_sdp_print(&e->trace_sdp, 0, e->trace_out,
		                  sizeof e->trace_out); /* keys REDACTED */
	if (n >= 0)
		fprintf(stderr, "%.*s\n", n, e->trace_out);
	else
		fprintf(stderr, "[%zu bytes of body, not shown]\n\n", (size_t)(end - body));
}

/* ---- events ------------------------------------------------------------------------------- */

static void call_state(struct ep *e, const struct ep_call *c, const char *state,
                       const struct vox_ua_event *ev)
{
	struct json *j = event(e, "call_state");
	if (j) {
		json_uint(j, "call", c->seq);
		json_cstr(j, "state", state);
		if (ev->status)
			json_uint(j, "status", ev->status);
		if (ev->reason && *ev->reason)
			json_cstr(j, "reason", ev->reason);
		if (ev->type == VOX_UA_EV_ENDED)
			json_bool(j, "remote", ev->remote);
		event_end(j);
	}
}

static void media_security(struct ep *e, struct ep_call *cl, enum vox_ua_protection p)
{
	const struct vox_ua_call *c = vox_ua_call_get(&e->ua, cl->h);
	cl->st.prot = p;
	cl->st.hop_verified = c && c->secure_path;
	struct json *j = event(e, "media_security");
	if (j) {
		json_uint(j, "call", cl->seq);
		json_cstr(j, "level", level_of(p));
		json_bool(j, "verified", p == VOX_UA_PROT_ZRTP_VERIFIED);
		json_bool(j, "hop_verified", cl->st.hop_verified);
		event_end(j);
	} else if (p == VOX_UA_PROT_SDES) {
		say(e, "media: SRTP with SDES keys (hop by hop; %s)",
		    cl->st.hop_verified ? "keys crossed TLS hops whose certificates were verified"
		                        : "keys crossed a hop that is NOT verified TLS");
	} else if (p == VOX_UA_PROT_ZRTP_UNVERIFIED || p == VOX_UA_PROT_ZRTP_VERIFIED) {
		say(e, "media: SRTP with ZRTP keys (end to end; the SAS %s)",
		    p == VOX_UA_PROT_ZRTP_VERIFIED ? "was confirmed" : "is not confirmed yet");
	} else {
		say(e, "media: NOT encrypted (clear RTP)");
	}
	if (e->o.require_encryption && p == VOX_UA_PROT_NONE)
		fail(e, "the media is not encrypted (--require-encryption)");
}

/* The endpoint's record of call h, or NULL. */
static struct ep_call *call_of(struct ep *e, vox_ua_handle h)
{
	/* no record (--no-media): no scan, whatever VOX_UA_MAX_CALLS is */
	for (size_t i = 0; h && e->ncalls && i < VOX_UA_MAX_CALLS; i++)
		if (e->calls[i].h == h)
			return &e->calls[i];
	return NULL;
}

/* A fresh record for call h, or NULL when every one is taken (the UA has
 * as many call slots: it cannot happen while records follow the calls). */
static struct ep_call *call_new(struct ep *e, vox_ua_handle h)
{
	for (size_t i = 0; i < VOX_UA_MAX_CALLS; i++) {
		struct ep_call *c = &e->calls[i];
		/* an ended call whose slot the UA freed has said all it had */
		if (c->h && !(c->ended && c->h != e->call && !vox_ua_call_get(&e->ua, c->h)))
			continue;
		if (!c->h)
			e->ncalls++;
		memset(c, 0, sizeof *c);
		c->h = h;
		c->seq = ++e->seq;
		return c;
	}
	return NULL;
}

/* Is the job done? The call we placed ended; or, answering, --calls
 * calls ended; or --run elapsed, or (nothing to place nor answer)
 * --duration. */
static void check_done(struct ep *e, uint64_t now)
{
	if (e->o.run_ms && now >= e->t_start + e->o.run_ms)
		e->done = 1;
	if (!e->o.call && e->o.answer && e->o.max_calls && e->ended >= e->o.max_calls)
		e->done = 1;
	if (!e->o.call && !e->o.answer && e->o.duration_ms && now >= e->t_start + e->o.duration_ms)
		e->done = 1;
}

/* --no-media: 180 and 200 at once, every call. The SDP answer names the
 * discard port (9) on our media address: no socket is bound, nothing is
 * sent or heard, and the call's media engine gets no packet. One line at
 * the end says how many were answered (ep_finish). */
static void answer_no_media(struct ep *e, vox_ua_handle call, uint64_t now)
{
	struct vox_ua_media_addr ma = {{NULL, 0}, 9};
	if (vox_ua_ring(&e->ua, call, now) == 0 && vox_ua_answer(&e->ua, call, &ma, now) == 0)
		e->answered++;
	else
		(void)!vox_ua_reject(&e->ua, call, 503, now);
	vox_loop_flush(&e->loop, now);
}

/* ---- ZRTP: our ZID and the retained secrets ----------------------------------------------- */

#if VOX_MEDIA_ZRTP
/* Our ZID and the retained secrets: the --zrtp-cache file (vox/zrtp.h,
 * the cache file: our ZID is kept in it, a damaged one is said and
 * replaced), or this run's only. The UA's config gets both. */
static int zrtp_open(struct ep *e, struct vox_rng rng, struct vox_ua_config *uc)
{
	vox_zrtp_cache_init(&e->zcache);
	if (!e->o.zrtp_cache) {
		if (rng.fn(rng.ctx, e->zid, sizeof e->zid) != 0)
			return -1;
		uc->zrtp_store = vox_zrtp_cache_store(&e->zcache);
	} else {
		int st = vox_zrtp_file_load(&e->zfile, e->o.zrtp_cache, &rng);
		if (st < 0) {
			fprintf(stderr, "vox ua: cannot read the ZRTP cache %s: %s\n",
			        e->o.zrtp_cache, vox_strerror(st));
			return -1;
		}
		if (st == VOX_ZRTP_FILE_DAMAGED)
			fprintf(stderr,
			        "vox ua: the ZRTP cache %s does not read (%s): starting with an "
			        "empty one\n",
			        e->o.zrtp_cache, e->zfile.why ? e->zfile.why : "damaged");
		/* a new ZID is ours from now on: written at once, so that a call
		 * that never keys does not leave us with another next time */
		if (st != VOX_ZRTP_FILE_READ && (st = vox_zrtp_file_save(&e->zfile)) < 0) {
			fprintf(stderr, "vox ua: cannot write the ZRTP cache %s: %s\n",
			        e->o.zrtp_cache, vox_strerror(st));
			return -1;
		}
		memcpy(e->zid, e->zfile.cache.zid, sizeof e->zid);
		uc->zrtp_store = vox_zrtp_file_store(&e->zfile);
	}
	memcpy(uc->zrtp_zid, e->zid, sizeof uc->zrtp_zid);
	return 0;
}

/* What the call's ZRTP session says: one JSON event each, or lines for a
 * person (the SAS in large letters: the one thing to read aloud). */
static void zrtp_event(struct ep *e, const struct ep_call *cl, const struct vox_ua_event *ev)
{
	struct json *j;
	const char *name = NULL;
	switch (ev->type) {
	case VOX_UA_EV_ZRTP_SAS:
		memcpy(e->sas, ev->media.zrtp.sas, sizeof e->sas);
		e->sas[sizeof e->sas - 1] = 0;
		if ((j = event(e, "zrtp_sas"))) {
			json_uint(j, "call", cl->seq);
			json_cstr(j, "sas", e->sas);
			json_bool(j, "verified", ev->media.zrtp.verified);
			event_end(j);
		} else {
			say(e, "ZRTP: compare this with your peer, aloud:");
			say(e, "%s", "");
			say(e, "        >>>   %s   <<<%s", e->sas,
			    ev->media.zrtp.verified
			        ? "   (you both confirmed it on an earlier call)"
			        : "");
			say(e, "%s", "");
		}
		return;
	case VOX_UA_EV_ZRTP_SECURE:
		return; /* media_security follows, from the engine's event; the
		           store wrote the secrets already */
	case VOX_UA_EV_ZRTP_NEW_PEER: name = "zrtp_new_peer"; break;
	case VOX_UA_EV_ZRTP_CACHE_MISMATCH: name = "zrtp_cache_mismatch"; break;
	case VOX_UA_EV_ZRTP_HASH_MISMATCH: name = "zrtp_hash_mismatch"; break;
	case VOX_UA_EV_ZRTP_PBX: name = "zrtp_pbx"; break;
	case VOX_UA_EV_ZRTP_FAILED: name = "zrtp_failed"; break;
	default: return;
	}
	if ((j = event(e, name))) {
		json_uint(j, "call", cl->seq);
		if (ev->reason)
			json_cstr(j, "reason", ev->reason);
		if (ev->type == VOX_UA_EV_ZRTP_FAILED) {
			json_uint(j, "code", ev->media.zrtp.code);
			json_bool(j, "timeout", ev->media.zrtp.timeout);
		}
		event_end(j);
	} else {
		say(e, "%s%s", ev->type == VOX_UA_EV_ZRTP_NEW_PEER ? "" : "WARNING: ",
		    ev->reason ? ev->reason : name);
	}
	if (ev->type == VOX_UA_EV_ZRTP_FAILED && e->o.require_encryption)
		fail(e, "ZRTP did not key the media (--require-encryption)");
}
#endif

static void on_ua_event(struct ep *e, const struct vox_ua_event *ev, uint64_t now)
{
	struct ep_call *cl = call_of(e, ev->call);
	struct json *j;
	char where[80];
	switch (ev->type) {
	case VOX_UA_EV_REG_OK:
		if ((j = event(e, "registered"))) {
			json_uint(j, "expires", ev->expires);
			event_end(j);
		} else {
			say(e, "registered (for %u s)", ev->expires);
		}
		if (e->o.call && !e->call) {
			int rc = vox_loop_call(&e->loop, vox_slice_cstr(e->o.call), e->account, now,
			                       &e->call);
			if (rc) {
				say(e, "cannot call %s: %s", e->o.call, vox_strerror(rc));
				fail(e, "the call could not be placed");
				e->done = 1;
			} else {
				(void)call_new(e, e->call);
			}
		}
		break;
	case VOX_UA_EV_REG_FAILED:
	case VOX_UA_EV_REG_LOST:
		if ((j = event(e, "registration_failed"))) {
			json_uint(j, "status", ev->status);
			if (ev->reason && *ev->reason)
				json_cstr(j, "reason", ev->reason);
			event_end(j);
		} else {
			say(e, "registration failed: %u %s", ev->status,
			    ev->reason ? ev->reason : "");
		}
		fail(e, "registration failed");
		e->done = 1;
		break;
	case VOX_UA_EV_INCOMING: {
		const struct vox_ua_call *c = vox_ua_call_get(&e->ua, ev->call);
		if (e->o.no_media) {
			answer_no_media(e, ev->call, now);
			break;
		}
		/* every call gets its own record while it lives (the UA refuses
		 * one beyond VOX_UA_MAX_CALLS itself, with 503) */
		cl = e->o.answer ? call_new(e, ev->call) : NULL;
		if (e->o.answer && !cl) {
			(void)!vox_ua_reject(&e->ua, ev->call, 486, now); /* busy */
			vox_loop_flush(&e->loop, now);
			break;
		}
		/* who: the From of the INVITE (the peer's own words: shown,
		 * never trusted), valid while the call lives */
		struct vox_slice who = c ? ev->peer : (struct vox_slice){NULL, 0};
		struct vox_sip_addr from;
		if (who.len && vox_sip_addr_parse(&from, who, NULL) == 0)
			who = from.uri.raw; /* the URI, without display name and tag */
		char shown[128];            /* for a terminal: no control bytes from the peer */
		size_t k = 0;
		for (; k < who.len && k + 1 < sizeof shown; k++)
			shown[k] = who.p[k] >= 0x20 && who.p[k] < 0x7f ? who.p[k] : '?';
		shown[k] = 0;
		if ((j = event(e, "incoming"))) {
			if (cl)
				json_uint(j, "call", cl->seq);
			if (who.len)
				json_str(j, "from", who);
			if (c)
				json_cstr(j, "peer", addr_text(&c->peer.addr, where, sizeof where));
			if (c)
				json_cstr(j, "transport", tp_name(c->peer.tp));
			event_end(j);
		} else {
			say(e, "incoming call from %s (%s)", k ? shown : "?",
			    c ? addr_text(&c->peer.addr, where, sizeof where) : "?");
		}
		if (cl) {
			(void)!vox_ua_ring(&e->ua, ev->call, now);
			cl->t_answer = now + e->o.answer_ms;
			if (!cl->t_answer)
				cl->t_answer = 1;
		} else {
			(void)!vox_ua_reject(&e->ua, ev->call, 603, now); /* not asked to answer */
		}
		vox_loop_flush(&e->loop, now);
		break;
	}
	case VOX_UA_EV_PROGRESS:
		if (cl) {
			call_state(e, cl, "progress", ev);
			say(e, "ringing (%u)", ev->status);
		}
		break;
	case VOX_UA_EV_EARLY_MEDIA:
		if (cl)
			call_state(e, cl, "early", ev);
		break;
	case VOX_UA_EV_ANSWERED:
		if (!cl)
			break;
		cl->up = 1;
		e->answered++;
		if (ev->call == e->call)
			e->call_up = 1;
		cl->dtmf_left = e->o.dtmf;
		if (e->o.duration_ms)
			cl->t_hangup = now + e->o.duration_ms;
		call_state(e, cl, "answered", ev);
		say(e, "call answered");
		break;
	case VOX_UA_EV_ENDED:
		if (!cl && e->o.no_media) {
			e->ended++; /* a call answered without a record */
			check_done(e, now);
			break;
		}
		if (!cl || cl->ended)
			break;
		if (!cl->up && !ev->remote && ev->status >= 300)
			fail(e, "the call failed");
		else if (!cl->up && ev->status >= 300 && ev->call == e->call)
			fail(e, "the call failed");
		cl->ended = 1;
		e->ended++;
		call_state(e, cl, "ended", ev);
		if (ev->status)
			say(e, "call ended (%u %s)", ev->status, ev->reason ? ev->reason : "");
		else
			say(e, "call ended (%s)", ev->reason ? ev->reason : "");
		if (cl->up)
			print_stats(e, cl);
		if (ev->call == e->call)
			e->done = 1;
		/* the record stays until the call's slot is free (its BYE
		 * answered): ep_finish waits for that */
		check_done(e, now);
		break;
	case VOX_UA_EV_MEDIA_ENGINE:
		if (!cl)
			break;
		if (ev->media.type == VOX_MEDIA_EV_STARTED ||
		    ev->media.type == VOX_MEDIA_EV_PROTECTION)
			media_security(e, cl, ev->prot);
		else if (ev->media.type == VOX_MEDIA_EV_DTMF && ev->media.dtmf.end) {
			if ((j = event(e, "dtmf"))) {
				char d[2] = {ev->media.dtmf.digit ? ev->media.dtmf.digit : '?', 0};
				json_cstr(j, "digit", d);
				json_uint(j, "duration_ms", ev->media.dtmf.duration_ms);
				event_end(j);
			} else {
				say(e, "digit %c (%u ms)", ev->media.dtmf.digit,
				    ev->media.dtmf.duration_ms);
			}
		}
		break;
	case VOX_UA_EV_MEDIA_FAILED:
		if (cl) {
			say(e, "media failed: %s", ev->reason ? ev->reason : "");
			fail(e, "the media could not start");
		}
		break;
#if VOX_MEDIA_ZRTP
	case VOX_UA_EV_ZRTP_SAS:
	case VOX_UA_EV_ZRTP_SECURE:
	case VOX_UA_EV_ZRTP_NEW_PEER:
	case VOX_UA_EV_ZRTP_CACHE_MISMATCH:
	case VOX_UA_EV_ZRTP_HASH_MISMATCH:
	case VOX_UA_EV_ZRTP_PBX:
	case VOX_UA_EV_ZRTP_FAILED:
		if (cl)
			zrtp_event(e, cl, ev);
		break;
#endif
	default: break;
	}
}

static void put_fp(struct json *j, const char *key, const uint8_t *fp)
{
#if VOX_WITH_TLS
	char hex[2 * VOX_TLS_FP_LEN];
	if (vox_hex_encode(fp, VOX_TLS_FP_LEN, hex, sizeof hex) > 0)
		json_str(j, key, (struct vox_slice){hex, sizeof hex});
#else
	(void)j, (void)key, (void)fp;
#endif
}

static void on_event(struct ep *e, const struct vox_loop_event *ev, uint64_t now)
{
	char where[80];
	struct json *j;
	addr_text(&ev->peer, where, sizeof where);
	switch (ev->type) {
	case VOX_LOOP_EV_UA: on_ua_event(e, &ev->ua, now); break;
#if VOX_WITH_TLS
	case VOX_LOOP_EV_TLS_OPEN:
		e->last_verified = ev->tls.verified;
		if ((j = event(e, "tls_open"))) {
			json_cstr(j, "peer", where);
			json_bool(j, "verified", ev->tls.verified);
			json_cstr(j, "version", ev->tls.version ? ev->tls.version : "");
			json_cstr(j, "suite", ev->tls.suite ? ev->tls.suite : "");
			if (ev->tls.peer_cert)
				put_fp(j, "peer_fp", ev->tls.peer_fp);
			event_end(j);
		} else {
			say(e, "TLS with %s: %s, %s, peer %s", where, ev->tls.version,
			    ev->tls.suite,
			    ev->tls.verified                           ? "verified"
			    : ev->tls.trust == VOX_TLS_TRUST_PIN_FIRST ? "pinned now (first use)"
			    : ev->tls.trust == VOX_TLS_TRUST_PIN_MATCH ? "matches its pin"
			    : ev->tls.trust == VOX_TLS_TRUST_OFF       ? "NOT checked"
			                                               : "showed no certificate");
		}
		break;
	case VOX_LOOP_EV_TLS_FAILED:
		if ((j = event(e, "tls_failed"))) {
			json_cstr(j, "peer", where);
			json_cstr(j, "cause", vox_tls_cause_name(ev->tls.cause));
			json_cstr(j, "text", vox_tls_cause_text(ev->tls.cause));
			if (ev->tls.alert)
				json_cstr(j, "alert", vox_tls_alert_name(ev->tls.alert));
			if (ev->tls.peer_cert)
				put_fp(j, "peer_fp", ev->tls.peer_fp);
			if (ev->tls.cause == VOX_TLS_CAUSE_PIN_MISMATCH)
				put_fp(j, "pinned_fp", ev->tls.pinned_fp);
			event_end(j);
		} else {
			say(e, "TLS with %s failed: %s (%s)", where,
			    vox_tls_cause_text(ev->tls.cause), vox_tls_cause_name(ev->tls.cause));
		}
		/* the UA cannot be told yet (its output has no id the loop could
		 * report against): a call of ours not yet answered is over. A
		 * client that failed our server is its own problem: we go on */
		if (e->o.call && !e->call_up) {
			fail(e, "a TLS connection failed");
			e->done = 1;
		}
		break;
#endif
	case VOX_LOOP_EV_SEND_FAILED:
		if (ev->err == VOX_EPOLICY)
			say(e,
			    "not sent to %s: it carries SDES keys, and the TLS peer's certificate "
			    "was not verified (use --ca, --media-enc off, or "
			    "--allow-sdes-over-insecure-hops)",
			    where);
		else
			say(e, "could not send to %s over %s: %s", where, tp_name(ev->tp),
			    vox_strerror(ev->err));
		if ((j = event(e, "send_failed"))) {
			json_cstr(j, "peer", where);
			json_cstr(j, "transport", tp_name(ev->tp));
			json_cstr(j, "error", vox_strerror(ev->err));
			event_end(j);
		}
		if (e->o.call && !e->call_up && ev->tp != VOX_TP_UDP) {
			fail(e, "a message could not be sent");
			e->done = 1;
		}
		break;
	case VOX_LOOP_EV_CONN_CLOSED: {
		const char *during = "";
#if VOX_WITH_TLS
		if (ev->tp == VOX_TP_TLS && ev->tls.state != VOX_TLS_OPEN &&
		    ev->tls.state != VOX_TLS_CLOSED && ev->tls.state != VOX_TLS_FAILED)
			during = "tls-handshake";
#endif
		if (ev->err == VOX_ETIMEOUT && *during) {
			/* a peer that opened a connection and never finished its
			 * handshake: closed after --tls-handshake-timeout */
			say(e, "TLS handshake with %s not finished in time: connection closed",
			    where);
		} else if (ev->err != VOX_ECLOSED && e->o.call && e->call && !e->call_up) {
			/* a connection we opened that never got to carry anything */
			say(e, "connection to %s closed: %s", where, vox_strerror(ev->err));
			fail(e, "the connection to the peer failed");
			e->done = 1;
		}
		if (ev->err != VOX_ECLOSED && (j = event(e, "conn_closed"))) {
			json_cstr(j, "peer", where);
			json_cstr(j, "transport", tp_name(ev->tp));
			json_cstr(j, "error", vox_strerror(ev->err));
			if (*during)
				json_cstr(j, "during", during);
			event_end(j);
		}
		break;
	}
	default: break;
	}
}

/* ---- setup ----------------------------------------------------------------------------------- */

/* The peer a URI names. A host name is looked up through the loop
 * (vox_loop_resolve: A and AAAA, /etc/hosts first, never blocking the
 * loop; RFC 3263's NAPTR and SRV steps are not taken yet), and kept as the
 * name the TLS check wants. Returns 0, -1 (not a sip: or sips: URI) or
 * -2 (the name did not resolve; said on stderr). */
static int resolve_uri(struct ep *e, const char *uri, struct vox_peer *p)
{
	struct vox_sip_uri u;
	if (vox_sip_uri_parse(&u, vox_slice_cstr(uri), NULL) != 0 ||
	    (u.scheme != VOX_SIP_SCHEME_SIP && u.scheme != VOX_SIP_SCHEME_SIPS))
		return -1;
	const struct vox_sip_param *tp = vox_sip_param_find(&u.params, "transport");
	memset(p, 0, sizeof *p);
	p->tp = u.scheme == VOX_SIP_SCHEME_SIPS                  ? VOX_TP_TLS
	        : tp && vox_slice_case_eq_cstr(tp->value, "tcp") ? VOX_TP_TCP
	        : tp && vox_slice_case_eq_cstr(tp->value, "tls") ? VOX_TP_TLS
	                                                         : VOX_TP_UDP;
	p->addr.port = u.host.has_port ? u.host.port : p->tp == VOX_TP_TLS ? 5061 : 5060;
	if (u.host.kind == VOX_SIP_HOST_IPV4 || u.host.kind == VOX_SIP_HOST_IPV6) {
		p->addr.family = u.host.kind == VOX_SIP_HOST_IPV4 ? 4 : 6;
		memcpy(p->addr.ip, u.host.addr, 16);
		return 0;
	}
	uint32_t q;
	int rc = vox_loop_resolve(&e->loop, u.host.name, &q);
	uint64_t end = vox_clock_ms() + 10000; /* c-ares gives up before */
	while (rc == 0 && vox_clock_ms() < end) {
		if (vox_loop_run(&e->loop, vox_clock_ms() + 100) != 0)
			break;
		struct vox_loop_event ev;
		int got = 0;
		while (vox_loop_next_event(&e->loop, &ev))
			if (ev.type == VOX_LOOP_EV_RESOLVED && ev.query == q) {
				got = 1;
				rc = ev.err;
				if (!rc) {
					uint16_t port = p->addr.port;
					p->addr = ev.addrs[0];
					p->addr.port = port;
				}
			}
		if (got)
			break;
	}
	if (rc == 0 && !p->addr.family)
		rc = VOX_ETIMEOUT;
	if (rc) {
		fprintf(stderr, "vox ua: %.*s: %s\n", (int)u.host.name.len, u.host.name.p,
		        rc == VOX_ENOTFOUND ? "no such host (no A or AAAA record)"
		                            : vox_strerror(rc));
		return -2;
	}
	(void)!vox_loop_tls_name(&e->loop, &p->addr, u.host.name);
	return 0;
}

static int uses_tls(const char *s)
{
	return s && (strncmp(s, "sips:", 5) == 0 || strstr(s, "transport=tls"));
}

#if VOX_WITH_TLS
static void keylog_warning(void *ctx, enum vox_log_level lv, struct vox_slice msg)
{
	(void)ctx, (void)lv;
	fprintf(stderr, "vox ua: WARNING: %.*s\n", (int)msg.len, msg.p);
}

static int tls_setup(struct ep *e, int server, int client)
{
	if (vox_tls_rng_init(&e->rng) != 0) {
		fprintf(stderr, "vox ua: no entropy from the system\n");
		return APP_REJECT;
	}
	e->have_rng = 1;
	const char *kl = getenv("SSLKEYLOGFILE");
	if (kl && *kl) {
		e->keylog = fopen(kl, "a");
		if (!e->keylog) {
			perror(kl);
			return APP_ERROR;
		}
		fprintf(stderr,
		        "vox ua: WARNING: SSLKEYLOGFILE is set: TLS secrets go to %s, "
		        "whoever reads it can decrypt this call's signalling and its keys\n",
		        kl);
	}
	struct vox_tls_opts o = {0};
	struct vox_diag why = {0, ""};
	o.ca_file = e->o.ca_file;
	o.ca = e->o.ca;
	o.ca_len = e->o.ca_len;
	o.cert_file = e->o.cert_file;
	o.key_file = e->o.key_file;
	o.cert = e->o.cert;
	o.cert_len = e->o.cert_len;
	o.key = e->o.key;
	o.key_len = e->o.key_len;
	o.rng = (struct vox_rng){vox_tls_rng_bytes, &e->rng};
	o.keylog = e->keylog ? vox_tls_keylog_file : NULL;
	o.keylog_ctx = e->keylog;
	o.log = (struct vox_log){keylog_warning, NULL};
	if (server) {
		o.role = VOX_TLS_SERVER;
		if (!o.cert_file && !o.cert) {
			fprintf(stderr, "vox ua: a tls: listener needs --cert and --key\n");
			return APP_ERROR;
		}
		/* mutual TLS: a client without a certificate of our CAs is
		 * refused in the handshake (missing-client-cert) */
		o.require_client_cert = (uint8_t)e->o.require_client_cert;
		if (o.require_client_cert && !o.ca_file && !o.ca) {
			fprintf(stderr, "vox ua: --require-client-cert needs --ca (the CAs "
			                "that issue the clients' certificates)\n");
			return APP_ERROR;
		}
		int rc = vox_tls_config_init(&e->tls_server, &o, &why);
		if (rc) {
			fprintf(stderr, "vox ua: TLS server: %s: %s\n", why.what, vox_strerror(rc));
			return APP_ERROR;
		}
		e->have_server = 1;
	}
	if (client) {
		o.role = VOX_TLS_CLIENT;
		o.require_client_cert = 0;
		o.insecure_no_verify = (uint8_t)e->o.insecure_no_verify;
		if (e->o.pin_file) {
			e->pins.path = e->o.pin_file;
			o.pins = (struct vox_tls_pins){vox_tls_pin_file_lookup,
			                               vox_tls_pin_file_store, &e->pins};
		}
		int rc = vox_tls_config_init(&e->tls_client, &o, &why);
		if (rc) {
			fprintf(stderr, "vox ua: TLS client: %s: %s\n", why.what, vox_strerror(rc));
			return APP_ERROR;
		}
		e->have_client = 1;
	}
	return APP_OK;
}
#endif

/* Our address for Via and Contact: the first listener's, or, if that is a
 * wildcard, the address the system would send from towards peer. */
static void pick_host_into(const struct vox_addr *a, const struct vox_peer *peer, char *out,
                           size_t cap)
{
	struct vox_addr use = *a;
	static const uint8_t zero[16] = {0};
	if (!memcmp(a->ip, zero, a->family == 4 ? 4 : 16)) {
		use.ip[0] = 127, use.ip[3] = 1; /* loopback unless a route says better */
		if (a->family == 6) {
			memset(use.ip, 0, 16);
			use.ip[15] = 1;
		}
		int fd = peer && peer->addr.family == a->family
		             ? socket(a->family == 6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0)
		             : -1;
		if (fd >= 0) {
			struct sockaddr_storage ss = {0}, me = {0};
			socklen_t sl = sizeof me;
			if (a->family == 4) {
				struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
				s4->sin_family = AF_INET;
				s4->sin_port = htons(peer->addr.port);
				memcpy(&s4->sin_addr, peer->addr.ip, 4);
			} else {
				struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
				s6->sin6_family = AF_INET6;
				s6->sin6_port = htons(peer->addr.port);
				memcpy(&s6->sin6_addr, peer->addr.ip, 16);
			}
			if (connect(fd, (struct sockaddr *)&ss, sizeof ss) == 0 &&
			    getsockname(fd, (struct sockaddr *)&me, &sl) == 0)
				memcpy(use.ip,
				       a->family == 4
				           ? (const void *)&((struct sockaddr_in *)&me)->sin_addr
				           : (const void *)&((struct sockaddr_in6 *)&me)->sin6_addr,
				       a->family == 4 ? 4 : 16);
			close(fd);
		}
	}
	char ip[64];
	inet_ntop(use.family == 6 ? AF_INET6 : AF_INET, use.ip, ip, sizeof ip);
	snprintf(out, cap, use.family == 6 ? "[%s]" : "%s", ip);
}

static void pick_host(struct ep *e, const struct vox_addr *a, const struct vox_peer *peer)
{
	pick_host_into(a, peer, e->host, sizeof e->host);
}

int ep_start(struct ep *e, const struct ep_opts *o)
{
	e->o = *o;
	e->t_start = vox_clock_ms();
	if (!e->o.out)
		e->o.out = stdout;
	if (!e->o.nlisten) {
		e->o.listen[0] = "udp:0.0.0.0:5060";
		e->o.nlisten = 1;
	}
	int need_server = 0, need_client = 0;
	for (size_t i = 0; i < e->o.nlisten; i++) {
		enum vox_transport tp;
		struct vox_addr a;
		if (parse_listen(e->o.listen[i], &tp, &a))
			return app_usage_error("vox ua", "--listen %s: %s", e->o.listen[i],
			                       parse_listen(e->o.listen[i], &tp, &a));
		need_server |= tp == VOX_TP_TLS;
		need_client |= tp == VOX_TP_TLS;
	}
	need_client |= uses_tls(e->o.call) || uses_tls(e->o.registrar) || uses_tls(e->o.outbound);
	if (e->o.play && strcmp(e->o.play, "silence") != 0) {
		if (strncmp(e->o.play, "tone:", 5) == 0)
			e->tone = strtof(e->o.play + 5, NULL);
		else if (wav_read(e, e->o.play) != APP_OK)
			return APP_ERROR;
	}
	if (e->o.record) {
		e->rec = fopen(e->o.record, "wb");
		uint8_t h[44];
		wav_header(h, 0);
		if (!e->rec || fwrite(h, 1, sizeof h, e->rec) != sizeof h) {
			perror(e->o.record);
			return APP_ERROR;
		}
	}
	if (e->o.insecure_no_verify)
		fprintf(stderr, "vox ua: WARNING: --insecure-no-verify: no TLS server is checked; "
		                "anyone on the path can read and change this endpoint's signalling "
		                "(SDES keys are not sent over such a hop unless "
		                "--allow-sdes-over-insecure-hops)\n");
#if VOX_WITH_TLS
	if (need_server || need_client) {
		int rc = tls_setup(e, need_server, need_client);
		if (rc)
			return rc;
	}
#else
	if (need_server || need_client) {
		fprintf(stderr, "vox ua: TLS is not in this build (VOX_WITH_TLS = 0)\n");
		return APP_ERROR;
	}
#endif
	struct vox_loop_config lc = {0};
	/* the UA comes once names are known (vox_loop_set_ua) */
#if VOX_WITH_TLS
	lc.tls_server = e->have_server ? &e->tls_server : NULL;
	lc.tls_client = e->have_client ? &e->tls_client : NULL;
#endif
	if (e->o.trace) {
		lc.trace = trace_msg;
		lc.trace_ctx = e;
	}
	lc.handshake_ms = e->o.handshake_ms;
	if (vox_loop_init(&e->loop, &lc) != 0)
		return APP_ERROR;
	for (size_t i = 0; i < e->o.nlisten; i++) {
		struct vox_addr a;
		char where[80];
		(void)parse_listen(e->o.listen[i], &e->bound_tp[i], &a);
		int rc = vox_loop_listen(&e->loop, e->bound_tp[i], &a, &e->bound[i]);
		if (rc < 0) {
			fprintf(stderr, "vox ua: cannot listen on %s: %s (%s)\n", e->o.listen[i],
			        vox_strerror(rc), strerror(errno));
			return APP_REJECT;
		}
		struct json *j = event(e, "listening");
		if (j) {
			json_cstr(j, "transport", tp_name(e->bound_tp[i]));
			json_cstr(j, "address", addr_text(&e->bound[i], where, sizeof where));
			json_uint(j, "port", e->bound[i].port);
			event_end(j);
		} else {
			say(e, "listening on %s:%s", tp_name(e->bound_tp[i]),
			    addr_text(&e->bound[i], where, sizeof where));
		}
	}
	/* the peer we talk to first: only to pick the address of ours that
	 * reaches it (the UA asks the loop for every name it sends to,
	 * RFC 3263, and the loop resolves them without blocking) */
	struct vox_peer first, *fp = NULL;
	memset(&first, 0, sizeof first);
	if (e->o.outbound) {
		int r = resolve_uri(e, e->o.outbound, &e->outbound);
		if (r == -1)
			return app_usage_error("vox ua",
			                       "--outbound-proxy %s: not a sip: or sips: URI",
			                       e->o.outbound);
		if (r)
			return APP_REJECT;
		fp = &e->outbound;
	}
	const char *target = e->o.registrar ? e->o.registrar : e->o.call;
	int tr = target ? resolve_uri(e, target, &first) : -1;
	if (tr == -2)
		return APP_REJECT;
	if (tr == 0 && !fp)
		fp = &first;
	pick_host(e, &e->bound[0], fp);

	struct vox_ua_config uc;
	memset(&uc, 0, sizeof uc);
	char aor[96];
	snprintf(aor, sizeof aor, "sip:vox@%s", e->host);
	uc.aor = vox_slice_cstr(e->o.account ? e->o.account : aor);
	uc.host = vox_slice_cstr(e->host);
	uc.port = e->bound[0].port;
	uc.transport = e->bound_tp[0];
	/* the other listeners, in the loop's order: the UA's listener i is
	 * the loop's (vox_ua_dest.listener picks the socket) */
	for (size_t i = 1; i < e->o.nlisten && i < VOX_UA_MAX_LISTENERS; i++) {
		pick_host_into(&e->bound[i], fp, e->lhost[i - 1], sizeof e->lhost[i - 1]);
		uc.listeners[i - 1] = (struct vox_ua_listener){
		    e->bound_tp[i], vox_slice_cstr(e->lhost[i - 1]), e->bound[i].port};
		uc.n_listeners = (uint8_t)i;
	}
	uc.outbound_proxy = vox_slice_cstr(e->o.outbound ? e->o.outbound : "");
#if VOX_WITH_TLS
	uc.rng = e->have_rng ? (struct vox_rng){vox_tls_rng_bytes, &e->rng} : uc.rng;
	if (!e->have_rng) {
		if (vox_tls_rng_init(&e->rng) != 0)
			return APP_REJECT;
		e->have_rng = 1;
		uc.rng = (struct vox_rng){vox_tls_rng_bytes, &e->rng};
	}
#else
	fprintf(stderr, "vox ua: this build has no random source (VOX_WITH_TLS = 0)\n");
	return APP_ERROR;
#endif
	uc.policy = e->o.media_enc == EP_ENC_OFF ? VOX_SDP_POLICY_OFF
	            : e->o.require_encryption    ? VOX_SDP_POLICY_MANDATORY
	                                         : VOX_SDP_POLICY_OPTIONAL;
	if (e->o.media_enc == EP_ENC_SDES || e->o.media_enc == EP_ENC_SDES_ZRTP) {
		uc.key_methods = VOX_SDP_KEY_SDES;
		uc.n_suites = 1;
		uc.suites[0] = VOX_SRTP_AES_CM_128_HMAC_SHA1_80;
	}
	if (e->o.media_enc == EP_ENC_ZRTP || e->o.media_enc == EP_ENC_SDES_ZRTP) {
#if VOX_MEDIA_ZRTP
		if (zrtp_open(e, uc.rng, &uc) != 0)
			return APP_ERROR;
		uc.key_methods |= VOX_SDP_KEY_ZRTP;
#else
		fprintf(stderr, "vox ua: this build has no ZRTP (VOX_WITH_ZRTP = 0)\n");
		return APP_ERROR;
#endif
	}
	uc.allow_sdes_over_insecure_hops = e->o.allow_sdes_over_insecure_hops;
	uc.n_codecs = e->o.n_codecs;
	memcpy(uc.codecs, e->o.codecs, e->o.n_codecs * sizeof e->o.codecs[0]);
	/* pinned certificates are trusted, not verified (vox/tls.h) */
	uc.tls_client_verifies =
	    (uint8_t)(e->have_client && !e->o.insecure_no_verify && !e->o.pin_file);
	uc.user_agent = "vox/" VOX_VERSION_STRING;
	const char *why = NULL;
	int rc = vox_ua_config_check(&uc, &why);
	if (rc) {
		fprintf(stderr, "vox ua: %s\n", why ? why : vox_strerror(rc));
		return APP_ERROR;
	}
	if (vox_ua_init(&e->ua, &uc) != 0 || vox_loop_set_ua(&e->loop, &e->ua) != 0)
		return APP_ERROR;
	e->next_frame = vox_clock_ms();
	if (e->o.account && e->o.registrar) {
		struct vox_ua_account_cfg ac = {0};
		ac.aor = vox_slice_cstr(e->o.account);
		ac.registrar = vox_slice_cstr(e->o.registrar);
		ac.password = vox_slice_cstr(e->o.password ? e->o.password : "");
		if (e->o.ha1) {
			/* the hash by the length: 32 hex digits MD5, 64 SHA-256 */
			ac.ha1 = vox_slice_cstr(e->o.ha1);
			ac.ha1_alg = ac.ha1.len == 64 ? VOX_DIGEST_SHA256 : VOX_DIGEST_MD5;
		}
		rc = vox_ua_account_add(&e->ua, &ac, &e->account);
		if (rc == 0)
			rc = vox_ua_register(&e->ua, e->account, vox_clock_ms());
		if (rc) {
			fprintf(stderr, "vox ua: cannot register %s at %s: %s\n", e->o.account,
			        e->o.registrar, vox_strerror(rc));
			return APP_REJECT;
		}
		vox_loop_flush(&e->loop, vox_clock_ms());
		return APP_OK; /* the call, if any, follows the registration */
	}
	if (e->o.call) {
		rc =
		    vox_loop_call(&e->loop, vox_slice_cstr(e->o.call), 0, vox_clock_ms(), &e->call);
		if (rc) {
			fprintf(stderr, "vox ua: cannot call %s: %s\n", e->o.call,
			        vox_strerror(rc));
			return rc == VOX_EINVAL || rc == VOX_ENOTFOUND ? APP_ERROR : APP_REJECT;
		}
		(void)call_new(e, e->call);
		say(e, "calling %s", e->o.call);
	}
	return APP_OK;
}

/* ---- running ------------------------------------------------------------------------------------ */

uint64_t ep_next(const struct ep *e)
{
	uint64_t t = UINT64_MAX;
	for (size_t i = 0; e->ncalls && i < VOX_UA_MAX_CALLS; i++) {
		const struct ep_call *c = &e->calls[i];
		if (!c->h)
			continue;
		if (c->up && !c->ended && e->next_frame < t)
			t = e->next_frame;
		if (c->t_answer && c->t_answer < t)
			t = c->t_answer;
		if (c->t_hangup && c->t_hangup < t)
			t = c->t_hangup;
	}
	if (!e->o.call && !e->o.answer && e->o.duration_ms && e->t_start + e->o.duration_ms < t)
		t = e->t_start + e->o.duration_ms;
	if (e->o.run_ms && e->t_start + e->o.run_ms < t)
		t = e->t_start + e->o.run_ms;
	return t;
}

static void timers(struct ep *e, uint64_t now)
{
	for (size_t i = 0; e->ncalls && i < VOX_UA_MAX_CALLS; i++) {
		struct ep_call *c = &e->calls[i];
		if (!c->h)
			continue;
		if (c->t_answer && now >= c->t_answer) {
			c->t_answer = 0;
			int rc = vox_loop_answer(&e->loop, c->h, now);
			if (rc) {
				say(e, "cannot answer: %s", vox_strerror(rc));
				fail(e, "the call could not be answered");
			}
		}
		if (c->t_hangup && now >= c->t_hangup) {
			c->t_hangup = 0;
			if (vox_ua_call_get(&e->ua, c->h))
				(void)!vox_ua_hangup(&e->ua, c->h, now);
			vox_loop_flush(&e->loop, now);
		}
		/* the call's slot is free (its BYE was answered): so is its
		 * record, once its figures are out */
		if (c->ended && !vox_ua_call_get(&e->ua, c->h) && c->h != e->call) {
			c->h = 0;
			e->ncalls--;
		}
	}
	check_done(e, now);
	voice_tick(e, now);
}

int ep_step(struct ep *e, uint64_t until)
{
	uint64_t next = ep_next(e);
	if (vox_loop_run(&e->loop, next < until ? next : until) != 0) {
		perror("vox ua: poll");
		fail(e, "the event loop failed");
		e->done = 1;
		return APP_REJECT;
	}
	uint64_t now = vox_clock_ms();
	struct vox_loop_event ev;
	while (vox_loop_next_event(&e->loop, &ev))
		on_event(e, &ev, now);
	timers(e, now);
	while (vox_loop_next_event(&e->loop, &ev))
		on_event(e, &ev, now);
	return 0;
}

/* 1 while a connection still has bytes for the peer: connecting, in its
 * TLS handshake, or with records or plaintext not yet sent. */
static int conns_busy(const struct ep *e)
{
	for (size_t i = 0; i < VOX_LOOP_MAX_CONNS; i++) {
		const struct vox_loop_conn *c = e->loop.conn[i];
		if (!c || c->state == VOX_LOOP_CONN_DEAD)
			continue;
		if (c->state != VOX_LOOP_CONN_OPEN || c->tx_off < c->tx_len)
			return 1;
#if VOX_WITH_TLS
		if (c->pt_len)
			return 1;
#endif
	}
	return 0;
}

/* Calls whose slot is still in use: up, or ended with our BYE not yet
 * answered. */
static int calls_busy(const struct ep *e)
{
	return vox_ua_calls_active(&e->ua) > 0;
}

void ep_finish(struct ep *e)
{
	uint64_t now = vox_clock_ms(), end = now + 2000;
	for (size_t i = 0; i < VOX_UA_MAX_CALLS; i++) {
		struct ep_call *c = &e->calls[i];
		if (c->h && !c->ended && vox_ua_call_get(&e->ua, c->h))
			(void)!vox_ua_hangup(&e->ua, c->h, now);
	}
	vox_loop_flush(&e->loop, now);
	/* Every call ended, and our BYEs answered (the call's slot is free
	 * then, RFC 3261 15.1.1): a peer that gets its 200 out before we
	 * close sees an orderly end, not a connection reset. Bounded: a peer
	 * that never answers holds us 2 s at most. */
	while (calls_busy(e) && vox_clock_ms() < end)
		(void)ep_step(e, vox_clock_ms() + 20);
	if (e->account && vox_ua_unregister(&e->ua, e->account, vox_clock_ms()) == 0) {
		vox_loop_flush(&e->loop, vox_clock_ms());
		uint64_t until = vox_clock_ms() + 1000;
		while (vox_clock_ms() < until &&
		       vox_ua_account_get(&e->ua, e->account)->state == VOX_UA_REG_UNREGISTERING)
			(void)ep_step(e, vox_clock_ms() + 20);
	}
	/* What we sent last (our BYE, often on a fresh connection to the
	 * peer's Contact: a TCP connect and a TLS handshake away) goes out
	 * before we close: up to 2 s more. */
	uint64_t until = vox_clock_ms() + 2000;
	while (conns_busy(e) && vox_clock_ms() < until)
		(void)ep_step(e, vox_clock_ms() + 20);
	for (size_t i = 0; i < VOX_UA_MAX_CALLS; i++)
		if (e->calls[i].h && e->calls[i].up)
			print_stats(e, &e->calls[i]);
	if (e->o.no_media) {
		struct json *j = event(e, "answered");
		if (j) {
			json_uint(j, "calls", e->answered);
			json_uint(j, "calls_left", vox_ua_calls_active(&e->ua));
			json_uint(j, "events_dropped", e->loop.dropped_events);
			event_end(j);
		} else {
			say(e,
			    "answered %u calls (signalling only); %zu still up at the end; "
			    "events dropped: %u",
			    e->answered, (size_t)vox_ua_calls_active(&e->ua),
			    e->loop.dropped_events);
		}
	}
	rec_close(e);
}

void ep_free(struct ep *e)
{
	vox_loop_free(&e->loop);
	vox_ua_free(&e->ua);
#if VOX_MEDIA_ZRTP
	vox_zrtp_cache_free(&e->zcache); /* the secrets wiped */
	vox_zrtp_file_free(&e->zfile);
#endif
#if VOX_WITH_TLS
	if (e->have_client)
		vox_tls_config_free(&e->tls_client);
	if (e->have_server)
		vox_tls_config_free(&e->tls_server);
	if (e->have_rng)
		vox_tls_rng_free(&e->rng);
	if (e->keylog)
		fclose(e->keylog);
#endif
	free(e->wav);
	if (e->rec)
		fclose(e->rec);
}
