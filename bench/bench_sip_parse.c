/* SPDX-License-Identifier: MIT */
/*
 * bench/sip_parse: vox's SIP message parser and typed decoders against
 * libosip2 and Sofia-SIP, on the six realistic messages of
 * tests/vectors/sip-bench/ (issue 2).
 *
 * Every parser gets the same bytes (CRLF line ends; files with bare LF are
 * converted in memory before timing, the same for every parser) and must
 * succeed on every message, or the bench stops. Each parser is warmed up,
 * then timed over whole passes of the corpus with CLOCK_MONOTONIC; the
 * figure is the median of five repetitions, which run interleaved across
 * the parsers so that load from other processes falls on all of them.
 * Heap allocations are counted by interposing malloc and friends in this
 * binary (forwarded to glibc's __libc_* entry points) during one separate,
 * untimed pass.
 *
 * Rows:
 *  - memchr floor: memchr finds every line end of the header section and
 *    every colon in each header line; nothing else.
 *  - vox: vox_sip_parse (datagram) plus the typed decoding of every Via,
 *    From, To, CSeq, Call-ID, every Contact and the Request-URI.
 *  - vox, all decoders: also every other header vox has a decoder for in
 *    this corpus (Route, Record-Route, Max-Forwards, Content-Type, Allow,
 *    Authorization, WWW-Authenticate), which is what Sofia-SIP and libosip2
 *    parse eagerly anyway.
 *  - Sofia-SIP: msg_make(sip_default_mclass()) copies the datagram and
 *    runs msg_extract, which parses every header it has a class for.
 *  - libosip2: osip_message_init + osip_message_parse (eager) +
 *    osip_message_free.
 *
 * Usage: bench_sip_parse [-v] [-p NAME] [DIR]   (DIR: tests/vectors/sip-bench)
 *   -v adds a per-message table. -p NAME only runs 1000 untimed passes of
 *   one parser (memchr, vox, vox-all, sofia, osip), for callgrind.
 *   VOX_BENCH_SECONDS sets the length of one repetition (default 1.0).
 *   Speed is reported, never asserted.
 */
#define _POSIX_C_SOURCE 200809L

#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Sofia-SIP's headers come in with -I, not as system headers, and trip two
 * of our warnings; the bench's own code is still checked with them. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wundef"
#pragma GCC diagnostic ignored "-Wcast-qual"
#include <osipparser2/osip_parser.h>
#include <sofia-sip/msg.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sofia_features.h>
#pragma GCC diagnostic pop

#include "bench.h"

#include "vox/sip.h"

/* ---- allocation counting ------------------------------------------------ */

void *__libc_malloc(size_t n);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *p, size_t n);
void __libc_free(void *p);
void *__libc_memalign(size_t align, size_t n);

static int counting;
static unsigned long n_alloc, n_free;

void *malloc(size_t n)
{
	n_alloc += counting;
	return __libc_malloc(n);
}

void *calloc(size_t n, size_t size)
{
	n_alloc += counting;
	return __libc_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
	n_alloc += counting;
	return __libc_realloc(p, n);
}

void free(void *p)
{
	n_free += counting && p;
	__libc_free(p);
}

void *memalign(size_t align, size_t n)
{
	n_alloc += counting;
	return __libc_memalign(align, n);
}

void *aligned_alloc(size_t align, size_t n)
{
	n_alloc += counting;
	return __libc_memalign(align, n);
}

int posix_memalign(void **out, size_t align, size_t n)
{
	n_alloc += counting;
	void *p = __libc_memalign(align, n);
	if (!p)
		return 12; /* ENOMEM */
	*out = p;
	return 0;
}

/* ---- corpus --------------------------------------------------------------- */

static const char *const files[] = {"1-invite.sip", "2-200ok.sip", "3-register.sip",
                                    "4-401.sip",    "5-ack.sip",   "6-bye.sip"};
#define NMSG (sizeof files / sizeof files[0])

struct msg {
	const char *name;
	char *buf;
	size_t len;
};

static struct msg corpus[NMSG];
static int converted;

static void die(const char *who, const char *name, const char *why)
{
	fprintf(stderr, "bench_sip_parse: %s failed on %s: %s\n", who, name, why);
	exit(1);
}

/* Reads a file; bare LF line ends become CRLF. */
static void load(struct msg *m, const char *dir, const char *name)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "rb");
	if (!f)
		die("loading", path, "cannot open");
	char raw[65536];
	size_t n = fread(raw, 1, sizeof raw, f);
	if (ferror(f) || !feof(f))
		die("loading", path, "read error or larger than 64 KiB");
	fclose(f);
	m->buf = __libc_malloc(2 * n + 1);
	if (!m->buf)
		die("loading", path, "out of memory");
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		if (raw[i] == '\n' && (i == 0 || raw[i - 1] != '\r')) {
			m->buf[o++] = '\r';
			converted = 1;
		}
		m->buf[o++] = raw[i];
	}
	m->buf[o] = '\0'; /* not part of the message; no parser is told about it */
	m->name = name;
	m->len = o;
}

/* ---- the parsers ---------------------------------------------------------- */

typedef uint64_t (*parse_fn)(const struct msg *m);

static uint64_t run_memchr(const struct msg *m)
{
	const char *p = m->buf, *end = m->buf + m->len;
	uint64_t n = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			break;
		for (const char *c = p; (c = memchr(c, ':', (size_t)(nl - c))) != NULL; c++)
			n++;
		n += (uint64_t)(nl - p);
		if (nl - p <= 1)
			break; /* the empty line: the body is not scanned */
		p = nl + 1;
	}
	return n;
}

static struct vox_sip_msg vm;

static uint64_t vox_common(const struct msg *m, int all)
{
	struct vox_diag d;
	int rc = vox_sip_parse(&vm, m->buf, m->len, VOX_SIP_DATAGRAM, &d);
	if (rc < 0)
		die("vox_sip_parse", m->name, d.what);
	uint64_t s = (uint64_t)rc + vm.nhdr;
	int from = 0, to = 0, cseq = 0, callid = 0, via = 0;
	for (size_t i = 0; i < vm.nhdr; i++) {
		const struct vox_sip_header *h = &vm.hdr[i];
		switch (h->id) {
		case VOX_SIP_H_VIA: {
			struct vox_sip_via v;
			if (vox_sip_via_parse(&v, h->value, &d))
				die("vox_sip_via_parse", m->name, d.what);
			s += v.host.name.len + v.host.port + v.branch.len + v.rport;
			via++;
			break;
		}
		case VOX_SIP_H_FROM:
		case VOX_SIP_H_TO: {
			if (vm.first[h->id] != i + 1)
				break; /* From and To are single; decode the first */
			struct vox_sip_addr a;
			if (vox_sip_addr_parse(&a, h->value, &d))
				die("vox_sip_addr_parse", m->name, d.what);
			s += a.uri.host.name.len + a.tag.len + a.display.len;
			*(h->id == VOX_SIP_H_FROM ? &from : &to) = 1;
			break;
		}
		case VOX_SIP_H_CSEQ: {
			struct vox_sip_cseq c;
			if (vox_sip_cseq_parse(&c, h->value, &d))
				die("vox_sip_cseq_parse", m->name, d.what);
			s += c.seq + (uint64_t)c.method_id;
			cseq = 1;
			break;
		}
		case VOX_SIP_H_CALL_ID:
			if (vox_sip_callid_parse(h->value, &d))
				die("vox_sip_callid_parse", m->name, d.what);
			s += h->value.len;
			callid = 1;
			break;
		case VOX_SIP_H_CONTACT: {
			struct vox_sip_contact c;
			if (vox_sip_contact_parse(&c, h->value, &d))
				die("vox_sip_contact_parse", m->name, d.what);
			s += c.addr.uri.host.name.len + c.addr.uri.host.port + c.expires;
			break;
		}
		default: break;
		}
		if (!all)
			continue;
		switch (h->id) {
		case VOX_SIP_H_ROUTE:
		case VOX_SIP_H_RECORD_ROUTE: {
			struct vox_sip_addr a;
			if (vox_sip_addr_parse(&a, h->value, &d))
				die("vox_sip_addr_parse (Route)", m->name, d.what);
			s += a.uri.host.name.len + a.uri.params.n;
			break;
		}
		case VOX_SIP_H_MAX_FORWARDS: {
			uint8_t mf;
			if (vox_sip_max_forwards_parse(h->value, &mf, &d))
				die("vox_sip_max_forwards_parse", m->name, d.what);
			s += mf;
			break;
		}
		case VOX_SIP_H_CONTENT_TYPE: {
			struct vox_sip_ctype c;
			if (vox_sip_ctype_parse(&c, h->value, &d))
				die("vox_sip_ctype_parse", m->name, d.what);
			s += c.subtype.len;
			break;
		}
		case VOX_SIP_H_ALLOW: {
			struct vox_slice t;
			if (vox_sip_token_parse(h->value, &t, &d))
				die("vox_sip_token_parse", m->name, d.what);
			s += t.len;
			break;
		}
		case VOX_SIP_H_AUTHORIZATION:
		case VOX_SIP_H_WWW_AUTHENTICATE: {
			struct vox_sip_auth a;
			if (vox_sip_auth_parse(&a, h->value, &d))
				die("vox_sip_auth_parse", m->name, d.what);
			s += a.nonce.len + a.params.n;
			break;
		}
		default: break;
		}
	}
	if (vm.status == 0) {
		struct vox_sip_uri u;
		if (vox_sip_uri_parse(&u, vm.uri, &d))
			die("vox_sip_uri_parse (Request-URI)", m->name, d.what);
		s += u.host.name.len + u.params.n;
	}
	if (!via || !from || !to || !cseq || !callid)
		die("vox", m->name, "a mandatory header is missing");
	return s;
}

static uint64_t run_vox(const struct msg *m)
{
	return vox_common(m, 0);
}

static uint64_t run_vox_all(const struct msg *m)
{
	return vox_common(m, 1);
}

static uint64_t run_sofia(const struct msg *m)
{
	msg_t *msg = msg_make(sip_default_mclass(), 0, m->buf, (ssize_t)m->len);
	if (!msg)
		die("Sofia-SIP msg_make", m->name, "returned NULL");
	sip_t *sip = sip_object(msg);
	if (!sip || msg_has_error(msg) || msg_extract_errors(msg) || sip->sip_error)
		die("Sofia-SIP msg_make", m->name, "parse error");
	if (!sip->sip_via || !sip->sip_from || !sip->sip_to || !sip->sip_cseq ||
	    !sip->sip_call_id || !(sip->sip_request || sip->sip_status))
		die("Sofia-SIP", m->name, "a mandatory header is missing");
	uint64_t s = sip->sip_cseq->cs_seq + strlen(sip->sip_call_id->i_id);
	for (sip_via_t const *v = sip->sip_via; v; v = v->v_next)
		s += (unsigned char)v->v_host[0] + (v->v_branch ? 1u : 0u);
	s += (unsigned char)sip->sip_from->a_url->url_host[0];
	s += (unsigned char)sip->sip_to->a_url->url_host[0];
	s += sip->sip_from->a_tag ? 1u : 0u;
	for (sip_contact_t const *c = sip->sip_contact; c; c = c->m_next)
		s += (unsigned char)c->m_url->url_host[0];
	if (sip->sip_request)
		s += (unsigned char)sip->sip_request->rq_url->url_host[0];
	else
		s += (uint64_t)sip->sip_status->st_status;
	size_t clen = sip->sip_content_length ? sip->sip_content_length->l_length : 0;
	if (clen ? !sip->sip_payload || sip->sip_payload->pl_len != clen : !!sip->sip_payload)
		die("Sofia-SIP", m->name, "body does not match Content-Length");
	s += clen;
	msg_destroy(msg);
	return s;
}

static uint64_t run_osip(const struct msg *m)
{
	osip_message_t *msg;
	if (osip_message_init(&msg) != 0)
		die("osip_message_init", m->name, "failed");
	if (osip_message_parse(msg, m->buf, m->len) != 0)
		die("osip_message_parse", m->name, "returned an error");
	if (!msg->from || !msg->from->url || !msg->to || !msg->to->url || !msg->cseq ||
	    !msg->call_id || (msg->status_code == 0 && (!msg->req_uri || !msg->req_uri->host)))
		die("libosip2", m->name, "a mandatory header is missing");
	uint64_t s = (unsigned char)msg->cseq->number[0] + (unsigned char)msg->call_id->number[0];
	int nvia = osip_list_size(&msg->vias);
	if (nvia <= 0)
		die("libosip2", m->name, "no Via");
	for (int i = 0; i < nvia; i++) {
		osip_via_t *v;
		if (osip_message_get_via(msg, i, &v) < 0 || !v->host)
			die("libosip2", m->name, "bad Via");
		s += (unsigned char)v->host[0];
	}
	s += (unsigned char)msg->from->url->host[0] + (unsigned char)msg->to->url->host[0];
	osip_contact_t *c;
	for (int i = 0; osip_message_get_contact(msg, i, &c) >= 0; i++)
		s += c->url && c->url->host ? (unsigned char)c->url->host[0] : 0u;
	if (msg->status_code == 0)
		s += (unsigned char)msg->req_uri->host[0];
	else
		s += (uint64_t)msg->status_code;
	int has_body = osip_list_size(&msg->bodies) > 0;
	if (has_body != (msg->content_length && strcmp(msg->content_length->value, "0") != 0))
		die("libosip2", m->name, "body does not match Content-Length");
	osip_message_free(msg);
	return s;
}

/* ---- timing ------------------------------------------------------------- */

static volatile uint64_t sink;

struct sample {
	double wall; /* CLOCK_MONOTONIC, ns per message */
	double cpu;  /* CLOCK_PROCESS_CPUTIME_ID, ns per message */
};

/* Time `passes` passes over messages [first, first + n). */
static struct sample time_passes(parse_fn fn, size_t first, size_t n, unsigned long passes)
{
	uint64_t s = 0;
	double c0 = bench_ns(CLOCK_PROCESS_CPUTIME_ID);
	double t0 = bench_ns(CLOCK_MONOTONIC);
	for (unsigned long k = 0; k < passes; k++)
		for (size_t i = first; i < first + n; i++)
			s += fn(&corpus[i]);
	double t1 = bench_ns(CLOCK_MONOTONIC);
	double c1 = bench_ns(CLOCK_PROCESS_CPUTIME_ID);
	sink += s;
	double per = (double)passes * (double)n;
	return (struct sample){(t1 - t0) / per, (c1 - c0) / per};
}

/* Passes that take about `secs`, after a warm-up. */
static unsigned long calibrate(parse_fn fn, size_t first, size_t n, double secs)
{
	unsigned long passes = 1;
	double t;
	for (;;) {
		t = time_passes(fn, first, n, passes).wall * (double)passes * (double)n;
		if (t > 0.05e9 || passes > (1ul << 30))
			break;
		passes *= 2;
	}
	passes = (unsigned long)((double)passes * secs * 1e9 / t) + 1;
	(void)time_passes(fn, first, n, passes / 5 + 1); /* warm-up */
	return passes;
}

#define REPS 5

struct result {
	double med, min, max; /* wall-clock ns per message */
	double cpu;           /* median CPU ns per message */
};

static struct result summarize(const struct sample r[REPS])
{
	double w[REPS], c[REPS];
	for (int i = 0; i < REPS; i++) {
		w[i] = r[i].wall;
		c[i] = r[i].cpu;
	}
	qsort(w, REPS, sizeof w[0], bench_cmp);
	qsort(c, REPS, sizeof c[0], bench_cmp);
	return (struct result){w[REPS / 2], w[0], w[REPS - 1], c[REPS / 2]};
}

/* Allocations and frees of one untimed pass, per message. */
static void count_allocs(parse_fn fn, unsigned long alloc[NMSG], unsigned long frees[NMSG])
{
	for (size_t i = 0; i < NMSG; i++) {
		n_alloc = n_free = 0;
		counting = 1;
		sink += fn(&corpus[i]);
		counting = 0;
		alloc[i] = n_alloc;
		frees[i] = n_free;
	}
}

/* ---- main ----------------------------------------------------------------- */

struct parser {
	const char *name;
	const char *short_name;
	parse_fn fn;
	struct result r;
	unsigned long alloc[NMSG], frees[NMSG];
};

/* Calibrates every parser, then runs the repetitions interleaved (one of
 * each parser per round) so that load from other processes falls on all
 * of them alike. */
static void measure_all(struct parser *ps, size_t np, size_t first, size_t n, double secs)
{
	unsigned long passes[8];
	struct sample r[8][REPS];
	for (size_t k = 0; k < np; k++)
		passes[k] = calibrate(ps[k].fn, first, n, secs);
	for (int i = 0; i < REPS; i++)
		for (size_t k = 0; k < np; k++)
			r[k][i] = time_passes(ps[k].fn, first, n, passes[k]);
	for (size_t k = 0; k < np; k++)
		ps[k].r = summarize(r[k]);
}

static void print_loadavg(void)
{
	char line[128];
	FILE *f = fopen("/proc/loadavg", "r");
	if (!f)
		return;
	if (fgets(line, sizeof line, f))
		printf("load average before the run: %s", line);
	fclose(f);
}

int main(int argc, char **argv)
{
	const char *dir = "tests/vectors/sip-bench";
	const char *only = NULL;
	int verbose = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-v") == 0)
			verbose = 1;
		else if (strcmp(argv[i], "-p") == 0 && i + 1 < argc)
			only = argv[++i];
		else
			dir = argv[i];
	}
	double secs = 1.0;
	const char *e = getenv("VOX_BENCH_SECONDS");
	if (e) {
		secs = strtod(e, NULL);
		if (!(secs > 0.001 && secs < 1000))
			secs = 1.0;
	}
	size_t bytes = 0;
	for (size_t i = 0; i < NMSG; i++) {
		load(&corpus[i], dir, files[i]);
		bytes += corpus[i].len;
	}
	if (parser_init() != 0)
		die("libosip2 parser_init", "-", "failed");

	struct parser ps[] = {
	    {"memchr floor (line ends, colons)", "memchr", run_memchr, {0, 0, 0, 0}, {0}, {0}},
	    {"vox (parse + typed Via/From/To/...)", "vox", run_vox, {0, 0, 0, 0}, {0}, {0}},
	    {"vox (parse + all vox decoders)", "vox-all", run_vox_all, {0, 0, 0, 0}, {0}, {0}},
	    {"Sofia-SIP " SOFIA_SIP_VERSION " msg_make",
	     "sofia",
	     run_sofia,
	     {0, 0, 0, 0},
	     {0},
	     {0}},
	    {"libosip2 osip_message_parse", "osip", run_osip, {0, 0, 0, 0}, {0}, {0}},
	};
	const size_t np = sizeof ps / sizeof ps[0];
	const struct result *vox = &ps[1].r, *voxall = &ps[2].r, *sofia = &ps[3].r,
	                    *osip = &ps[4].r, *flo = &ps[0].r;
	if (only) {
		for (size_t k = 0; k < np; k++)
			if (strcmp(only, ps[k].short_name) == 0) {
				(void)time_passes(ps[k].fn, 0, NMSG, 1000);
				return 0;
			}
		fprintf(stderr, "bench_sip_parse: -p memchr|vox|vox-all|sofia|osip\n");
		return 2;
	}

	printf("sip_parse: %zu messages, %zu bytes (%.0f per message), line ends %s\n", NMSG, bytes,
	       (double)bytes / NMSG,
	       converted ? "LF converted to CRLF in memory for every parser" : "CRLF as stored");
	printf("timing: CLOCK_MONOTONIC; per parser a warm-up, then %d repetitions of ~%.1f s,\n"
	       "interleaved across parsers; median shown (min..max of the %d); cpu = median\n"
	       "CLOCK_PROCESS_CPUTIME_ID (leaves out time descheduled, not hypervisor steal)\n",
	       REPS, secs, REPS);
	print_loadavg();
	/* Counting first also checks every parser accepts every message. */
	for (size_t k = 0; k < np; k++)
		count_allocs(ps[k].fn, ps[k].alloc, ps[k].frees);
	measure_all(ps, np, 0, NMSG, secs);

	printf("\n%-36s %8s %15s %8s %10s %9s %9s %8s %8s\n", "parser", "ns/msg", "min..max",
	       "cpu ns", "msgs/s", "vox x", "vox x cpu", "alloc/m", "free/m");
	for (size_t k = 0; k < np; k++) {
		const struct parser *p = &ps[k];
		unsigned long a = 0, f = 0;
		for (size_t i = 0; i < NMSG; i++) {
			a += p->alloc[i];
			f += p->frees[i];
		}
		char range[32], rw[16] = "-", rc[16] = "-";
		snprintf(range, sizeof range, "%.0f..%.0f", p->r.min, p->r.max);
		if (k >= 3) {
			snprintf(rw, sizeof rw, "%.2fx", p->r.med / vox->med);
			snprintf(rc, sizeof rc, "%.2fx", p->r.cpu / vox->cpu);
		}
		printf("%-36s %8.0f %15s %8.0f %10.0f %9s %9s %8.1f %8.1f\n", p->name, p->r.med,
		       range, p->r.cpu, 1e9 / p->r.med, rw, rc, (double)a / NMSG, (double)f / NMSG);
	}
	printf("\nheap allocations (malloc/calloc/realloc/memalign calls) in one parse, by "
	       "message:\n%-36s",
	       "");
	for (size_t i = 0; i < NMSG; i++)
		printf(" %14s", files[i]);
	printf("\n");
	for (size_t k = 1; k < np; k++) {
		printf("%-36s", ps[k].name);
		for (size_t i = 0; i < NMSG; i++)
			printf(" %14lu", ps[k].alloc[i]);
		printf("\n");
	}
	double rs = sofia->med / vox->med, ro = osip->med / vox->med;
	printf("\nvox vs Sofia-SIP: %.2fx (goal >= 4x: %s); cpu %.2fx; fastest rep %.2fx; "
	       "all vox decoders %.2fx\n",
	       rs, rs >= 4 ? "met" : "missed", sofia->cpu / vox->cpu, sofia->min / vox->min,
	       sofia->med / voxall->med);
	printf("vox vs libosip2:  %.2fx (goal >= 10x: %s); cpu %.2fx; fastest rep %.2fx; "
	       "all vox decoders %.2fx\n",
	       ro, ro >= 10 ? "met" : "missed", osip->cpu / vox->cpu, osip->min / vox->min,
	       osip->med / voxall->med);
	printf("vox takes %.1fx the memchr floor\n", vox->med / flo->med);
	unsigned long va = 0;
	for (size_t i = 0; i < NMSG; i++)
		va += ps[1].alloc[i] + ps[2].alloc[i];
	if (va)
		printf("BUG: vox allocated on the parse path (%lu allocations)\n", va);

	if (verbose) {
		double per[8][NMSG];
		for (size_t i = 0; i < NMSG; i++) {
			measure_all(ps, np, i, 1, secs / 5);
			for (size_t k = 0; k < np; k++)
				per[k][i] = ps[k].r.med;
		}
		printf("\nper message, ns (median of %d x ~%.2f s):\n%-36s", REPS, secs / 5, "");
		for (size_t i = 0; i < NMSG; i++)
			printf(" %14s", files[i]);
		printf("\n");
		for (size_t k = 0; k < np; k++) {
			printf("%-36s", ps[k].name);
			for (size_t i = 0; i < NMSG; i++)
				printf(" %14.0f", per[k][i]);
			printf("\n");
		}
	}
	return 0;
}
