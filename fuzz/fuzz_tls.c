/* SPDX-License-Identifier: MIT */
/*
 * One TLS engine (transport/tls.c) fed arbitrary bytes as its peer's: a
 * server fed a client's bytes, or a client fed a server's.
 *
 * Input: byte 0 chooses the engine and its configuration, bytes 1..8 seed
 * its rng (xorshift64*: a run repeats exactly), then steps of a 2-byte
 * head, op = b0 >> 5 and n = (b0 & 0x1f) << 8 | b1:
 *
 *   op 0..3  the next n bytes (fewer at the end) arrive from the peer
 *   op 4     the layer above writes n bytes of the input as plaintext
 *   op 5     the transport closes (EOF)
 *   op 6     the layer above closes (close_notify)
 *   op 7     the layer above reads with a buffer of n + 1 bytes
 *
 *   byte 0   bit 0  0: a server (sip.example.com); 1: a client asking for
 *                   sip.example.com, trusting the harness's CA
 *            bit 1  mutual TLS: the server requires a client certificate,
 *                   the client has one
 *            bit 2  client: trust on first use, with an in-memory pin store
 *                   that is empty, or (bit 3) holds another fingerprint
 *            bit 4  client: the pin store fails
 *            bit 5  client: insecure_no_verify (bit 2 then ignored)
 *            bit 6  client: asks for the IP literal 192.0.2.1 instead
 *
 * The server's certificate names sip.example.com three ways (dNSName,
 * sip: URI, and its address 192.0.2.1), so that mutations of it reach
 * every branch of the name check.
 *
 * After every step the harness takes all output, reads plaintext and
 * drains the events, and checks (abort() on violation):
 *  - a failed engine has a cause with a name and a sentence; recv, read
 *    and write then all return that cause's error, and exactly one FAILED
 *    event carried that cause;
 *  - an open engine sent CONNECTED, once, and PINNED only before it;
 *    verified means trust CA; trust PIN_* only with a pin store;
 *  - recv takes every byte or none, VOX_ENOSPC only when they do not fit;
 *    poll_output and read never return more than asked for.
 * LeakSanitizer checks that vox_tls_conn_free leaves nothing behind.
 *
 * The seeds in fuzz/corpus/fuzz_tls are whole conversations recorded with
 * this harness: a vox engine played the peer, and the seed of the engine
 * under test made its randoms and ECDHE keys those of the recording, so a
 * seed replays to the open state, with application data, and a close.
 * Build with -DVOX_FUZZ_TLS_SEEDS for a main() that writes them again
 * (into the folder given). FUZZ_TLS_TRACE=1 prints each input's end state.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vox/tls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* mbedTLS 2.28 puts the time into the first 4 bytes of each hello's
 * random and checks certificate dates against it. A fixed clock makes a
 * run repeat exactly, and recorded conversations replay: this definition
 * takes the place of libc's, also for the shared mbedTLS (ELF symbol
 * interposition). 2023-11-14, inside every certificate's validity. */
time_t time(time_t *t)
{
	time_t now = 1700000000;
	if (t)
		*t = now;
	return now;
}

static int xorshift(void *ctx, uint8_t *out, size_t len)
{
	uint64_t *s = ctx;
	for (size_t i = 0; i < len; i++) {
		*s ^= *s >> 12;
		*s ^= *s << 25;
		*s ^= *s >> 27;
		out[i] = (uint8_t)((*s * 0x2545F4914F6CDD1DULL) >> 56);
	}
	return 0;
}

/* ---- certificates and configurations, made once ----------------------- */

struct pem {
	uint8_t key[512], cert[2048];
	size_t key_len, cert_len;
};

static struct pem ca, server_cert, client_cert, self_cert;
static uint64_t rng_state; /* the engine's rng, reseeded by each input */
static struct vox_tls_config cfgs[64];
static uint8_t cfg_ready[64];

struct mem_pins {
	int have, fail;
	uint8_t fp[VOX_TLS_FP_LEN];
};
static struct mem_pins pins;

static int pins_lookup(void *ctx, struct vox_slice host, uint8_t fp[VOX_TLS_FP_LEN])
{
	struct mem_pins *p = ctx;
	(void)host;
	if (p->fail)
		return VOX_EIO;
	if (p->have)
		memcpy(fp, p->fp, VOX_TLS_FP_LEN);
	return p->have;
}

static int pins_store(void *ctx, struct vox_slice host, const uint8_t fp[VOX_TLS_FP_LEN])
{
	struct mem_pins *p = ctx;
	(void)host;
	if (p->fail)
		return VOX_EIO;
	memcpy(p->fp, fp, VOX_TLS_FP_LEN);
	p->have = 1;
	return 0;
}

static void make(struct pem *out, const char *cn, const char *dns, const struct pem *issuer,
                 uint64_t *seed)
{
	const char *names[1] = {dns};
	char uri[64];
	const char *uris[1] = {uri};
	const struct vox_addr ip = {4, {192, 0, 2, 1}, 0};
	struct vox_tls_cert_spec s = {0};
	s.cn = cn;
	s.dns = names;
	s.n_dns = dns ? 1 : 0;
	if (dns && strlen(dns) < sizeof uri - 4) {
		memcpy(uri, "sip:", 4);
		memcpy(uri + 4, dns, strlen(dns) + 1);
		s.uris = uris;
		s.n_uris = 1;
		s.ips = &ip;
		s.n_ips = 1;
	}
	s.not_before = 946684800;   /* 2000 */
	s.not_after = 253402300799; /* 9999 */
	s.ca = issuer == NULL && dns == NULL;
	if (issuer) {
		s.issuer_cert = issuer->cert;
		s.issuer_cert_len = issuer->cert_len;
		s.issuer_key = issuer->key;
		s.issuer_key_len = issuer->key_len;
	}
	struct vox_tls_cert_out o = {out->key, out->cert, sizeof out->key, sizeof out->cert, 0, 0};
	if (vox_tls_cert_make(&s, VOX_TLS_PEM, (struct vox_rng){xorshift, seed}, &o) != 0)
		abort();
	out->key_len = o.key_len;
	out->cert_len = o.cert_len;
}

static void own(struct vox_tls_opts *o, const struct pem *p)
{
	o->cert = p->cert;
	o->cert_len = p->cert_len;
	o->key = p->key;
	o->key_len = p->key_len;
}

/* Byte 0 with only the bits that matter for its role. */
static uint8_t norm(uint8_t mode)
{
	mode &= mode & 1 ? 0x7f : 0x03;
	if (mode & 0x20)
		mode &= (uint8_t)~0x1c;
	return mode;
}

/* The configuration of a normalised mode. */
static const struct vox_tls_config *config(uint8_t mode)
{
	int client = mode & 1;
	if (cfg_ready[mode])
		return &cfgs[mode];
	if (!ca.cert_len) {
		/* the same certificates every run, so that recorded seeds replay */
		uint64_t seed = 0x5eed;
		make(&ca, "fuzz CA", NULL, NULL, &seed);
		make(&server_cert, "sip.example.com", "sip.example.com", &ca, &seed);
		make(&client_cert, "alice.example.com", "alice.example.com", &ca, &seed);
		/* self-signed, for the recorder's trust-on-first-use seeds */
		make(&self_cert, "sip.example.com", "sip.example.com", NULL, &seed);
	}
	struct vox_tls_opts o = {0};
	o.role = client ? VOX_TLS_CLIENT : VOX_TLS_SERVER;
	o.rng = (struct vox_rng){xorshift, &rng_state};
	if (client) {
		o.ca = ca.cert;
		o.ca_len = ca.cert_len;
		if (mode & 2)
			own(&o, &client_cert);
		if (mode & 4)
			o.pins = (struct vox_tls_pins){pins_lookup, pins_store, &pins};
		o.insecure_no_verify = (mode & 0x20) != 0;
	} else {
		own(&o, &server_cert);
		if (mode & 2) {
			o.ca = ca.cert;
			o.ca_len = ca.cert_len;
			o.require_client_cert = 1;
		}
	}
	if (vox_tls_config_init(&cfgs[mode], &o, NULL) != 0)
		abort();
	cfg_ready[mode] = 1;
	return &cfgs[mode];
}

/* ---- one engine and its checks -------------------------------------------- */

struct run {
	struct vox_tls_conn c;
	uint8_t mode;
	int connected, pinned, failed, closed;
	/* where output goes (the recorder sends it to a peer) */
	void (*sink)(void *ctx, const uint8_t *p, size_t n);
	void *sink_ctx;
};

static void check(struct run *r)
{
	const struct vox_tls_info *in = vox_tls_conn_info(&r->c);
	struct vox_tls_event ev;
	while (vox_tls_conn_next_event(&r->c, &ev)) {
		switch (ev.type) {
		case VOX_TLS_EV_PINNED:
			if (r->pinned++ || r->connected || !(r->mode & 4))
				abort();
			break;
		case VOX_TLS_EV_CONNECTED:
			if (r->connected++ || r->failed)
				abort();
			break;
		case VOX_TLS_EV_FAILED:
			if (r->failed++ || r->closed || ev.cause == VOX_TLS_CAUSE_NONE ||
			    ev.cause != in->cause)
				abort();
			break;
		case VOX_TLS_EV_CLOSED:
			if (r->closed++ || r->failed)
				abort();
			break;
		default: abort();
		}
	}
	if (in->state == VOX_TLS_FAILED) {
		uint8_t b[4] = {0};
		int err = vox_tls_cause_err(in->cause);
		if (!r->failed || in->cause == VOX_TLS_CAUSE_NONE || err >= 0 ||
		    !strcmp(vox_tls_cause_name(in->cause), "unknown") ||
		    !strcmp(vox_tls_cause_text(in->cause), "unknown") ||
		    vox_tls_conn_read(&r->c, b, sizeof b) != err ||
		    vox_tls_conn_write(&r->c, b, sizeof b) != err ||
		    vox_tls_conn_recv(&r->c, b, 1) != err)
			abort();
	}
	if (in->state == VOX_TLS_OPEN && r->connected != 1)
		abort();
	if (in->verified && in->trust != VOX_TLS_TRUST_CA)
		abort();
	if ((in->trust == VOX_TLS_TRUST_PIN_FIRST || in->trust == VOX_TLS_TRUST_PIN_MATCH) &&
	    !(r->mode & 4))
		abort();
}

static void after_step(struct run *r)
{
	uint8_t buf[1500];
	int n;
	while ((n = vox_tls_conn_poll_output(&r->c, buf, sizeof buf)) > 0) {
		if ((size_t)n > sizeof buf)
			abort();
		if (r->sink)
			r->sink(r->sink_ctx, buf, (size_t)n);
	}
	while ((n = vox_tls_conn_read(&r->c, buf, sizeof buf)) > 0)
		if ((size_t)n > sizeof buf)
			abort();
	check(r);
}

static void deliver(struct run *r, const uint8_t *p, size_t n)
{
	while (n > 0) {
		size_t room = vox_tls_conn_recv_room(&r->c);
		size_t k = n < room ? n : room;
		if (k == 0) {
			/* full: only reading makes room, and after_step read all */
			if (vox_tls_conn_recv(&r->c, p, n) != VOX_ENOSPC)
				abort();
			return;
		}
		int ret = vox_tls_conn_recv(&r->c, p, k);
		if (ret == VOX_ENOSPC)
			abort();
		if (ret < 0)
			return;
		p += k;
		n -= k;
		after_step(r);
	}
}

static int start(struct run *r, uint8_t mode, uint64_t seed)
{
	memset(r, 0, sizeof *r);
	r->mode = norm(mode);
	const struct vox_tls_config *cfg = config(r->mode & 0x3f);
	rng_state = seed | 1;
	pins.have = (r->mode & 8) != 0;
	pins.fail = (r->mode & 0x10) != 0;
	memset(pins.fp, 0xa5, sizeof pins.fp);
	const char *host = !(mode & 1) ? NULL : mode & 0x40 ? "192.0.2.1" : "sip.example.com";
	return vox_tls_conn_init(&r->c, cfg, vox_slice_cstr(host));
}

static void step(struct run *r, unsigned op, const uint8_t *p, size_t n)
{
	uint8_t buf[8192];
	int ret;
	switch (op) {
	case 4:
		ret = vox_tls_conn_write(&r->c, p, n);
		if (ret > (int)n)
			abort();
		break;
	case 5: (void)!vox_tls_conn_recv(&r->c, NULL, 0); break;
	case 6: (void)!vox_tls_conn_close(&r->c); break;
	case 7:
		ret = vox_tls_conn_read(&r->c, buf, n + 1);
		if (ret > (int)n + 1)
			abort();
		break;
	default: deliver(r, p, n);
	}
	after_step(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run r;
	if (size < 9)
		return 0;
	uint64_t seed = 0;
	for (int i = 1; i <= 8; i++)
		seed = seed << 8 | data[i];
	if (start(&r, data[0], seed) != 0)
		abort();
	size_t at = 9;
	while (at + 2 <= size) {
		unsigned op = data[at] >> 5;
		size_t n = (size_t)(data[at] & 0x1f) << 8 | data[at + 1];
		at += 2;
		size_t avail = size - at;
		size_t take = op <= 4 ? (n < avail ? n : avail) : 0;
		step(&r, op, data + at, op == 7 ? n : take);
		at += take;
	}
	if (getenv("FUZZ_TLS_TRACE")) {
		const struct vox_tls_info *in = vox_tls_conn_info(&r.c);
		fprintf(stderr,
		        "fuzz_tls: mode %#x, state %d, cause %s, trust %d, alert %d, mbedtls %d\n",
		        r.mode, (int)in->state, vox_tls_cause_name(in->cause), (int)in->trust,
		        in->alert, in->mbedtls_err);
	}
	vox_tls_conn_free(&r.c);
	return 0;
}

#ifdef VOX_FUZZ_TLS_SEEDS
/* Records the seeds: clang -Iinclude -I. -DVOX_FUZZ_TLS_SEEDS
 * fuzz/fuzz_tls.c build/asan/transport/ *.o build/asan/core/ *.o
 * -fsanitize=address,undefined -lmbedtls -lmbedx509 -lmbedcrypto, then
 * ./a.out fuzz/corpus/fuzz_tls. */

struct rec {
	uint8_t buf[65536];
	size_t len;
};

static void put_step(struct rec *f, unsigned op, const uint8_t *p, size_t n)
{
	if (n > 0x1fff || f->len + 2 + n > sizeof f->buf)
		abort();
	f->buf[f->len++] = (uint8_t)(op << 5 | n >> 8);
	f->buf[f->len++] = (uint8_t)n;
	if (op <= 4 && n)
		memcpy(f->buf + f->len, p, n);
	f->len += op <= 4 ? n : 0;
}

static void to_peer(void *ctx, const uint8_t *p, size_t n)
{
	/* a closed or failed peer drops what comes after */
	if (vox_tls_conn_recv(ctx, p, n) == VOX_ENOSPC)
		abort();
}

/* Moves the peer's output into the engine under test, recorded as steps. */
static int peer_to_engine(struct vox_tls_conn *peer, struct run *r, struct rec *f)
{
	uint8_t b[2000];
	int n, moved = 0;
	while ((n = vox_tls_conn_poll_output(peer, b, sizeof b)) > 0) {
		put_step(f, 0, b, (size_t)n);
		step(r, 0, b, (size_t)n);
		moved = 1;
	}
	return moved;
}

static void record(const char *dir, const char *name, uint8_t mode, uint64_t seed, int require)
{
	struct rec f = {.len = 0};
	struct run r;
	struct vox_tls_config pcfg;
	struct vox_tls_conn peer;
	uint64_t peer_seed = seed ^ 0xabcdef;
	int client = mode & 1;
	(void)config(norm(mode) & 0x3f); /* makes the certificates */
	struct vox_tls_opts o = {0};
	o.role = client ? VOX_TLS_SERVER : VOX_TLS_CLIENT;
	o.rng = (struct vox_rng){xorshift, &peer_seed};
	if (client) {
		own(&o, mode & 4 ? &self_cert : &server_cert);
		if ((mode & 2) || require) {
			o.ca = ca.cert;
			o.ca_len = ca.cert_len;
			o.require_client_cert = 1;
		}
	} else {
		o.ca = ca.cert;
		o.ca_len = ca.cert_len;
		if (mode & 2)
			own(&o, &client_cert);
	}
	if (vox_tls_config_init(&pcfg, &o, NULL) != 0 ||
	    vox_tls_conn_init(&peer, &pcfg, vox_slice_cstr(client ? NULL : "sip.example.com")) != 0)
		abort();
	f.buf[f.len++] = mode;
	for (int i = 7; i >= 0; i--)
		f.buf[f.len++] = (uint8_t)(seed >> (8 * i));
	if (start(&r, mode, seed) != 0)
		abort();
	r.sink = to_peer;
	r.sink_ctx = &peer;
	after_step(&r); /* a client's ClientHello */
	for (int i = 0; i < 50 && peer_to_engine(&peer, &r, &f); i++)
		;
	static const char sip[] = "OPTIONS sip:example.com SIP/2.0\r\nContent-Length: 0\r\n\r\n";
	if (vox_tls_conn_info(&peer)->state == VOX_TLS_OPEN) {
		if (vox_tls_conn_write(&peer, (const uint8_t *)sip, sizeof sip - 1) <= 0)
			abort();
		(void)peer_to_engine(&peer, &r, &f);
		put_step(&f, 4, (const uint8_t *)sip, sizeof sip - 1);
		step(&r, 4, (const uint8_t *)sip, sizeof sip - 1);
		if (vox_tls_conn_close(&peer) != 0)
			abort();
		(void)peer_to_engine(&peer, &r, &f);
	}
	printf("%s: engine %s (%s), peer %s\n", name,
	       vox_tls_conn_info(&r.c)->state == VOX_TLS_OPEN     ? "open"
	       : vox_tls_conn_info(&r.c)->state == VOX_TLS_CLOSED ? "closed"
	                                                          : "failed",
	       vox_tls_cause_name(vox_tls_conn_info(&r.c)->cause),
	       vox_tls_conn_info(&peer)->state == VOX_TLS_CLOSED ? "closed" : "not closed");
	vox_tls_conn_free(&r.c);
	vox_tls_conn_free(&peer);
	vox_tls_config_free(&pcfg);
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *out = fopen(path, "wb");
	if (!out || fwrite(f.buf, 1, f.len, out) != f.len || fclose(out) != 0)
		abort();
	printf("%s: %zu bytes\n", path, f.len);
}

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	record(argv[1], "server-handshake", 0x00, 1, 0);
	record(argv[1], "server-mutual", 0x02, 2, 0);
	record(argv[1], "client-handshake", 0x01, 3, 0);
	record(argv[1], "client-mutual", 0x03, 4, 0);
	record(argv[1], "client-tofu-first", 0x05, 5, 0);
	record(argv[1], "client-tofu-mismatch", 0x0d, 6, 0);
	record(argv[1], "client-pins-fail", 0x15, 7, 0);
	record(argv[1], "client-insecure", 0x21, 8, 0);
	record(argv[1], "client-ip-literal", 0x41, 9, 0);
	record(argv[1], "client-no-cert-refused", 0x01, 10, 1);
	return 0;
}
#endif
