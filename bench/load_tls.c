/* SPDX-License-Identifier: MIT */
/*
 * The TLS helper of bench/tls_handshake.sh: full TLS 1.2 handshakes with
 * mbedTLS (the library vox uses), always with the parameters of vox's
 * defaults (transport/tls.c): TLS 1.2 only, ECDHE-ECDSA-AES128-GCM-SHA256,
 * the P-256 curve, renegotiation off, the server asking no client
 * certificate. Three modes:
 *
 *   raw CERT KEY N
 *       N handshakes between an mbedTLS server and client in this one
 *       process, over two memory queues: no socket, no loop, nothing of
 *       vox. The server's part (ssl_setup, every handshake step, free) is
 *       timed on CLOCK_THREAD_CPUTIME_ID, the client's apart: the raw
 *       server CPU of a handshake, the floor any TLS server built on
 *       mbedTLS stands on. Also the heap an mbedTLS server context holds
 *       once its handshake is over (glibc's mallinfo2).
 *
 *   serve CERT KEY PORT N MAXSEC
 *       the simplest mbedTLS server over TCP: on 127.0.0.1:PORT (0: the
 *       system picks, printed), N connections one after the other, each
 *       accepted, handshaken, read until the peer closes, closed; then it
 *       exits (or after MAXSEC seconds). No loop, no poll(), no vox: what
 *       the kernel's TCP adds to the raw handshake, for a server driven by
 *       the client below exactly like the others.
 *
 *   client HOST PORT N MAXSEC PID
 *       up to N handshakes one after the other against a server on
 *       loopback (HOST must be 127.0.0.1 or ::1), stopping after MAXSEC
 *       seconds; each connection sends close_notify and closes once its
 *       handshake is over. The client skips the certificate check (it is
 *       the load, not the subject). The server's CPU time is read before
 *       and after from /proc/PID/schedstat (ns; /proc/PID/stat's utime +
 *       stime in clock ticks when there is none): server CPU per
 *       handshake, beside handshakes per second of wall time.
 *
 *   hold HOST PORT K MAXSEC PID
 *       K connections opened and handshaken, held open together, then
 *       closed: the server's resident memory (/proc/PID/status VmRSS)
 *       before and while they are held, per connection.
 *
 * Every mode is bounded in count and time and prints one line of
 * `key=value` figures the script reads, after lines for a person.
 */
#define _GNU_SOURCE /* mallinfo2 */
#include <arpa/inet.h>
#include <errno.h>
#include <malloc.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#include "bench.h"

#include "vox/loop.h"

/* vox's suite and curve for an ECDSA P-256 certificate (transport/tls.c) */
static const int suites[] = {MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, 0};
static const mbedtls_ecp_group_id curves[] = {MBEDTLS_ECP_DP_SECP256R1, MBEDTLS_ECP_DP_NONE};

static mbedtls_entropy_context entropy;
static mbedtls_ctr_drbg_context drbg;

static void die(const char *what, int rc)
{
	char buf[160] = "";
	if (rc)
		mbedtls_strerror(rc, buf, sizeof buf);
	fprintf(stderr, "load_tls: %s%s%s\n", what, rc ? ": " : "", buf);
	exit(1);
}

static void rng_setup(void)
{
	mbedtls_entropy_init(&entropy);
	mbedtls_ctr_drbg_init(&drbg);
	int rc = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy,
	                               (const unsigned char *)"load_tls", 8);
	if (rc)
		die("ctr_drbg_seed", rc);
}

static void conf_setup(mbedtls_ssl_config *c, int endpoint)
{
	mbedtls_ssl_config_init(c);
	int rc = mbedtls_ssl_config_defaults(c, endpoint, MBEDTLS_SSL_TRANSPORT_STREAM,
	                                     MBEDTLS_SSL_PRESET_DEFAULT);
	if (rc)
		die("ssl_config_defaults", rc);
	mbedtls_ssl_conf_min_version(c, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
	mbedtls_ssl_conf_max_version(c, MBEDTLS_SSL_MAJOR_VERSION_3, MBEDTLS_SSL_MINOR_VERSION_3);
	mbedtls_ssl_conf_ciphersuites(c, suites);
	mbedtls_ssl_conf_curves(c, curves);
	mbedtls_ssl_conf_cert_profile(c, &mbedtls_x509_crt_profile_next);
	mbedtls_ssl_conf_renegotiation(c, MBEDTLS_SSL_RENEGOTIATION_DISABLED);
	mbedtls_ssl_conf_authmode(c, MBEDTLS_SSL_VERIFY_NONE);
	mbedtls_ssl_conf_rng(c, mbedtls_ctr_drbg_random, &drbg);
}

static long num(const char *s, long lo, long hi, const char *what)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi) {
		fprintf(stderr, "load_tls: %s: %s is not a number from %ld to %ld\n", what, s, lo,
		        hi);
		exit(2);
	}
	return v;
}

/* ---- raw: server and client in one process, over memory ---------------------------------- */

struct queue {
	unsigned char b[65536];
	size_t len;
};

/* One side's view: it writes to out and reads from in. */
struct side {
	struct queue *out, *in;
};

static int q_send(void *p, const unsigned char *buf, size_t len)
{
	struct queue *q = ((struct side *)p)->out;
	if (len > sizeof q->b - q->len)
		len = sizeof q->b - q->len;
	if (!len)
		return MBEDTLS_ERR_SSL_WANT_WRITE;
	memcpy(q->b + q->len, buf, len);
	q->len += len;
	return (int)len;
}

static int q_recv(void *p, unsigned char *buf, size_t len)
{
	struct queue *q = ((struct side *)p)->in;
	if (!q->len)
		return MBEDTLS_ERR_SSL_WANT_READ;
	if (len > q->len)
		len = q->len;
	memcpy(buf, q->b, len);
	memmove(q->b, q->b + len, q->len - len);
	q->len -= len;
	return (int)len;
}

static struct queue c2s, s2c;
static struct side server_side = {&s2c, &c2s}, client_side = {&c2s, &s2c};

static int mode_raw(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: load_tls raw CERT KEY N\n");
		return 2;
	}
	long n = num(argv[4], 1, 100000, "N");
	rng_setup();
	mbedtls_x509_crt crt;
	mbedtls_pk_context key;
	mbedtls_x509_crt_init(&crt);
	mbedtls_pk_init(&key);
	int rc = mbedtls_x509_crt_parse_file(&crt, argv[2]);
	if (rc)
		die("the certificate", rc);
	rc = mbedtls_pk_parse_keyfile(&key, argv[3], NULL);
	if (rc)
		die("the key", rc);
	mbedtls_ssl_config sc, cc;
	conf_setup(&sc, MBEDTLS_SSL_IS_SERVER);
	conf_setup(&cc, MBEDTLS_SSL_IS_CLIENT);
	if ((rc = mbedtls_ssl_conf_own_cert(&sc, &crt, &key)) != 0)
		die("ssl_conf_own_cert", rc);

	double *srv = calloc((size_t)n, sizeof *srv), *cli = calloc((size_t)n, sizeof *cli);
	if (!srv || !cli)
		die("out of memory", 0);
	size_t held = 0;
	const char *suite = "";
	double w0 = bench_ns(CLOCK_MONOTONIC);
	for (long i = 0; i < n; i++) {
		mbedtls_ssl_context s, c;
		c2s.len = s2c.len = 0;
		size_t heap0 = mallinfo2().uordblks;
		double t0 = bench_ns(CLOCK_THREAD_CPUTIME_ID);
		mbedtls_ssl_init(&s);
		if ((rc = mbedtls_ssl_setup(&s, &sc)) != 0)
			die("ssl_setup (server)", rc);
		mbedtls_ssl_set_bio(&s, &server_side, q_send, q_recv, NULL);
		double ts = bench_ns(CLOCK_THREAD_CPUTIME_ID) - t0, tc = 0;
		t0 = bench_ns(CLOCK_THREAD_CPUTIME_ID);
		mbedtls_ssl_init(&c);
		if ((rc = mbedtls_ssl_setup(&c, &cc)) != 0)
			die("ssl_setup (client)", rc);
		mbedtls_ssl_set_bio(&c, &client_side, q_send, q_recv, NULL);
		tc += bench_ns(CLOCK_THREAD_CPUTIME_ID) - t0;
		int sdone = 0, cdone = 0;
		for (int step = 0; step < 1000 && !(sdone && cdone); step++) {
			if (!cdone) {
				t0 = bench_ns(CLOCK_THREAD_CPUTIME_ID);
				rc = mbedtls_ssl_handshake(&c);
				tc += bench_ns(CLOCK_THREAD_CPUTIME_ID) - t0;
				if (rc == 0)
					cdone = 1;
				else if (rc != MBEDTLS_ERR_SSL_WANT_READ &&
				         rc != MBEDTLS_ERR_SSL_WANT_WRITE)
					die("client handshake", rc);
			}
			if (!sdone) {
				t0 = bench_ns(CLOCK_THREAD_CPUTIME_ID);
				rc = mbedtls_ssl_handshake(&s);
				ts += bench_ns(CLOCK_THREAD_CPUTIME_ID) - t0;
				if (rc == 0)
					sdone = 1;
				else if (rc != MBEDTLS_ERR_SSL_WANT_READ &&
				         rc != MBEDTLS_ERR_SSL_WANT_WRITE)
					die("server handshake", rc);
			}
		}
		if (!sdone || !cdone)
			die("a handshake did not finish in 1000 steps", 0);
		if (i == 0)
			suite = mbedtls_ssl_get_ciphersuite(&s);
		mbedtls_ssl_free(&c);
		/* what the server context holds now, the client's freed */
		size_t heap1 = mallinfo2().uordblks;
		if (heap1 > heap0 && heap1 - heap0 > held)
			held = heap1 - heap0;
		t0 = bench_ns(CLOCK_THREAD_CPUTIME_ID);
		mbedtls_ssl_free(&s);
		ts += bench_ns(CLOCK_THREAD_CPUTIME_ID) - t0;
		srv[i] = ts;
		cli[i] = tc;
	}
	double wall = bench_ns(CLOCK_MONOTONIC) - w0;
	double sum = 0;
	for (long i = 0; i < n; i++)
		sum += srv[i];
	double mean = sum / (double)n;
	double med = bench_median(srv, (int)n), cmed = bench_median(cli, (int)n);
	printf("raw mbedTLS pair in one process: %ld handshakes (%s), %.1f s\n", n, suite,
	       wall / 1e9);
	printf("  server CPU per handshake: median %.3f ms, mean %.3f ms; client: median %.3f ms\n",
	       med / 1e6, mean / 1e6, cmed / 1e6);
	printf("  heap an mbedTLS server context holds after its handshake: %zu bytes, "
	       "plus sizeof(mbedtls_ssl_context) %zu\n",
	       held, sizeof(mbedtls_ssl_context));
	printf("RESULT mode=raw n=%ld server_ms_median=%.4f server_ms_mean=%.4f client_ms=%.4f "
	       "heap=%zu ctx=%zu conn=%zu\n",
	       n, med / 1e6, mean / 1e6, cmed / 1e6, held, sizeof(mbedtls_ssl_context),
	       sizeof(struct vox_loop_conn));
	free(srv);
	free(cli);
	mbedtls_ssl_config_free(&sc);
	mbedtls_ssl_config_free(&cc);
	mbedtls_x509_crt_free(&crt);
	mbedtls_pk_free(&key);
	return 0;
}

/* ---- the server process: CPU and memory from /proc ----------------------------------------- */

/* The CPU time (ns) the process has run, or -1. */
static double proc_cpu_ns(long pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%ld/schedstat", pid);
	FILE *f = fopen(path, "r");
	if (f) {
		unsigned long long run = 0;
		int ok = fscanf(f, "%llu", &run) == 1;
		fclose(f);
		if (ok)
			return (double)run;
	}
	snprintf(path, sizeof path, "/proc/%ld/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	size_t len = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[len] = 0;
	/* the name (field 2) may hold spaces: count fields after its ')' */
	char *p = strrchr(buf, ')');
	if (!p)
		return -1;
	unsigned long long ut = 0, st = 0;
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
		return -1;
	return (double)(ut + st) * 1e9 / (double)sysconf(_SC_CLK_TCK);
}

/* VmRSS of the process in KiB, or -1. */
static long proc_rss_kib(long pid)
{
	char path[64], line[256];
	snprintf(path, sizeof path, "/proc/%ld/status", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	long kib = -1;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/* ---- over sockets -------------------------------------------------------------------------- */

struct peer {
	struct sockaddr_storage ss;
	socklen_t sl;
};

static void peer_parse(struct peer *p, const char *host, const char *port)
{
	memset(p, 0, sizeof *p);
	uint16_t po = (uint16_t)num(port, 1, 65535, "PORT");
	struct sockaddr_in *s4 = (struct sockaddr_in *)&p->ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&p->ss;
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		/* loopback only: this is load, and it must not leave the machine */
		if ((ntohl(s4->sin_addr.s_addr) >> 24) != 127) {
			fprintf(stderr, "load_tls: %s: loopback only (127.0.0.0/8 or ::1)\n", host);
			exit(2);
		}
		s4->sin_family = AF_INET;
		s4->sin_port = htons(po);
		p->sl = sizeof *s4;
	} else if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1 &&
	           IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr)) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(po);
		p->sl = sizeof *s6;
	} else {
		fprintf(stderr, "load_tls: %s: loopback only (127.0.0.0/8 or ::1)\n", host);
		exit(2);
	}
}

static int net_send(void *p, const unsigned char *buf, size_t len)
{
	ssize_t n = send(*(int *)p, buf, len, MSG_NOSIGNAL);
	return n < 0 ? MBEDTLS_ERR_NET_SEND_FAILED : (int)n;
}

static int net_recv(void *p, unsigned char *buf, size_t len)
{
	ssize_t n = recv(*(int *)p, buf, len, 0);
	if (n == 0)
		return MBEDTLS_ERR_SSL_CONN_EOF;
	return n < 0 ? MBEDTLS_ERR_NET_RECV_FAILED : (int)n;
}

struct link {
	int fd;
	mbedtls_ssl_context ssl;
};

/* Connects and shakes hands; 0, or -1 (said on stderr). Every socket
 * call waits at most 5 s. */
static int link_open(struct link *k, const struct peer *p, const mbedtls_ssl_config *conf)
{
	k->fd = socket(p->ss.ss_family, SOCK_STREAM, 0);
	mbedtls_ssl_init(&k->ssl);
	if (k->fd < 0) {
		perror("load_tls: socket");
		return -1;
	}
	struct timeval tv = {5, 0};
	int on = 1;
	(void)setsockopt(k->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	(void)setsockopt(k->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	(void)setsockopt(k->fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
	if (connect(k->fd, (const struct sockaddr *)&p->ss, p->sl) != 0) {
		perror("load_tls: connect");
		return -1;
	}
	int rc = mbedtls_ssl_setup(&k->ssl, conf);
	if (rc == 0)
		mbedtls_ssl_set_bio(&k->ssl, &k->fd, net_send, net_recv, NULL);
	while (rc == 0 && (rc = mbedtls_ssl_handshake(&k->ssl)) != 0)
		if (rc != MBEDTLS_ERR_SSL_WANT_READ && rc != MBEDTLS_ERR_SSL_WANT_WRITE)
			break;
	if (rc) {
		char buf[160];
		mbedtls_strerror(rc, buf, sizeof buf);
		fprintf(stderr, "load_tls: handshake: %s\n", buf);
		return -1;
	}
	return 0;
}

static void link_close(struct link *k)
{
	if (k->fd >= 0) {
		(void)mbedtls_ssl_close_notify(&k->ssl);
		close(k->fd);
	}
	k->fd = -1;
	mbedtls_ssl_free(&k->ssl);
}

static int mode_serve(int argc, char **argv)
{
	if (argc != 7) {
		fprintf(stderr, "usage: load_tls serve CERT KEY PORT N MAXSEC\n");
		return 2;
	}
	long port = num(argv[4], 0, 65535, "PORT"), n = num(argv[5], 1, 1000000, "N");
	long maxsec = num(argv[6], 1, 3600, "MAXSEC");
	alarm((unsigned)maxsec); /* bounded whatever the client does */
	rng_setup();
	mbedtls_x509_crt crt;
	mbedtls_pk_context key;
	mbedtls_x509_crt_init(&crt);
	mbedtls_pk_init(&key);
	int rc = mbedtls_x509_crt_parse_file(&crt, argv[2]);
	if (rc)
		die("the certificate", rc);
	if ((rc = mbedtls_pk_parse_keyfile(&key, argv[3], NULL)) != 0)
		die("the key", rc);
	mbedtls_ssl_config sc;
	conf_setup(&sc, MBEDTLS_SSL_IS_SERVER);
	if ((rc = mbedtls_ssl_conf_own_cert(&sc, &crt, &key)) != 0)
		die("ssl_conf_own_cert", rc);
	int lfd = socket(AF_INET, SOCK_STREAM, 0), on = 1;
	struct sockaddr_in a;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t al = sizeof a;
	(void)setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof a) != 0 || listen(lfd, 64) != 0 ||
	    getsockname(lfd, (struct sockaddr *)&a, &al) != 0) {
		perror("load_tls: listen");
		return 1;
	}
	printf("listening on tls:127.0.0.1:%u\n", ntohs(a.sin_port));
	fflush(stdout);
	long ok = 0;
	for (long i = 0; i < n; i++) {
		int fd = accept(lfd, NULL, NULL);
		if (fd < 0) {
			perror("load_tls: accept");
			return 1;
		}
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
		mbedtls_ssl_context ssl;
		mbedtls_ssl_init(&ssl);
		rc = mbedtls_ssl_setup(&ssl, &sc);
		if (rc == 0)
			mbedtls_ssl_set_bio(&ssl, &fd, net_send, net_recv, NULL);
		while (rc == 0 && (rc = mbedtls_ssl_handshake(&ssl)) != 0)
			if (rc != MBEDTLS_ERR_SSL_WANT_READ && rc != MBEDTLS_ERR_SSL_WANT_WRITE)
				break;
		if (rc == 0) {
			ok++;
			unsigned char b[256];
			while (mbedtls_ssl_read(&ssl, b, sizeof b) > 0)
				; /* until close_notify or EOF */
		}
		mbedtls_ssl_free(&ssl);
		close(fd);
	}
	close(lfd);
	mbedtls_ssl_config_free(&sc);
	mbedtls_x509_crt_free(&crt);
	mbedtls_pk_free(&key);
	fprintf(stderr, "serve: %ld of %ld handshakes done\n", ok, n);
	return ok == n ? 0 : 1;
}

static int mode_client(int argc, char **argv)
{
	if (argc != 7) {
		fprintf(stderr, "usage: load_tls client HOST PORT N MAXSEC PID\n");
		return 2;
	}
	struct peer p;
	peer_parse(&p, argv[2], argv[3]);
	long n = num(argv[4], 1, 1000000, "N"), maxsec = num(argv[5], 1, 600, "MAXSEC");
	long pid = num(argv[6], 1, 1L << 22, "PID");
	rng_setup();
	mbedtls_ssl_config cc;
	conf_setup(&cc, MBEDTLS_SSL_IS_CLIENT);
	/* one handshake before the clock starts: the server's first-time costs
	 * (tables mbedTLS builds once, pages touched once) are not the rate */
	struct link k;
	if (link_open(&k, &p, &cc) != 0)
		return 1;
	const char *suite = mbedtls_ssl_get_ciphersuite(&k.ssl);
	printf("client: suite %s\n", suite ? suite : "?");
	if (!suite || strcmp(suite, "TLS-ECDHE-ECDSA-WITH-AES-128-GCM-SHA256") != 0) {
		fprintf(stderr, "load_tls: the server chose another suite\n");
		return 1;
	}
	link_close(&k);
	usleep(100000); /* let the server see that close before the count starts */
	double c0 = proc_cpu_ns(pid), w0 = bench_ns(CLOCK_MONOTONIC);
	double mine0 = bench_ns(CLOCK_PROCESS_CPUTIME_ID);
	if (c0 < 0) {
		fprintf(stderr, "load_tls: cannot read the CPU time of process %ld\n", pid);
		return 1;
	}
	long done = 0, failed = 0;
	while (done < n && bench_ns(CLOCK_MONOTONIC) - w0 < (double)maxsec * 1e9) {
		if (link_open(&k, &p, &cc) == 0)
			done++;
		else
			failed++;
		link_close(&k);
		if (failed > 10)
			break;
	}
	double wall = bench_ns(CLOCK_MONOTONIC) - w0;
	usleep(100000); /* the server's work for the last close */
	double c1 = proc_cpu_ns(pid);
	double mine = bench_ns(CLOCK_PROCESS_CPUTIME_ID) - mine0;
	mbedtls_ssl_config_free(&cc);
	if (!done || c1 < c0) {
		fprintf(stderr, "load_tls: no handshake done (%ld failed)\n", failed);
		return 1;
	}
	double per = (c1 - c0) / (double)done;
	printf("client: %ld handshakes (%ld failed) in %.2f s: %.0f/s; server CPU %.3f ms each, "
	       "client %.3f ms\n",
	       done, failed, wall / 1e9, (double)done / (wall / 1e9), per / 1e6,
	       mine / (double)done / 1e6);
	printf("RESULT mode=client n=%ld failed=%ld wall_s=%.3f rate=%.1f server_ms=%.4f "
	       "client_ms=%.4f\n",
	       done, failed, wall / 1e9, (double)done / (wall / 1e9), per / 1e6,
	       mine / (double)done / 1e6);
	return failed ? 1 : 0;
}

static int mode_hold(int argc, char **argv)
{
	if (argc != 7) {
		fprintf(stderr, "usage: load_tls hold HOST PORT K MAXSEC PID\n");
		return 2;
	}
	struct peer p;
	peer_parse(&p, argv[2], argv[3]);
	long n = num(argv[4], 1, 256, "K"), maxsec = num(argv[5], 1, 600, "MAXSEC");
	long pid = num(argv[6], 1, 1L << 22, "PID");
	rng_setup();
	mbedtls_ssl_config cc;
	conf_setup(&cc, MBEDTLS_SSL_IS_CLIENT);
	struct link *k = calloc((size_t)n, sizeof *k);
	if (!k)
		die("out of memory", 0);
	for (long i = 0; i < n; i++)
		k[i].fd = -1;
	/* one before: first-time costs again */
	if (link_open(&k[0], &p, &cc) != 0)
		return 1;
	link_close(&k[0]);
	usleep(200000);
	long r0 = proc_rss_kib(pid);
	double w0 = bench_ns(CLOCK_MONOTONIC);
	long open = 0;
	for (; open < n && bench_ns(CLOCK_MONOTONIC) - w0 < (double)maxsec * 1e9; open++)
		if (link_open(&k[open], &p, &cc) != 0) {
			link_close(&k[open]);
			break;
		}
	usleep(200000); /* the server finishes its side of the last one */
	long r1 = proc_rss_kib(pid);
	for (long i = 0; i < open; i++)
		link_close(&k[i]);
	free(k);
	mbedtls_ssl_config_free(&cc);
	if (r0 < 0 || r1 < 0 || !open) {
		fprintf(stderr, "load_tls: held %ld connections, RSS %ld -> %ld KiB\n", open, r0,
		        r1);
		return 1;
	}
	printf("hold: %ld connections open at once; server RSS %ld -> %ld KiB: %.1f KiB each\n",
	       open, r0, r1, (double)(r1 - r0) / (double)open);
	printf("RESULT mode=hold k=%ld rss0_kib=%ld rss1_kib=%ld per_conn_kib=%.2f\n", open, r0, r1,
	       (double)(r1 - r0) / (double)open);
	return open == n ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "raw") == 0)
		return mode_raw(argc, argv);
	if (argc > 1 && strcmp(argv[1], "serve") == 0)
		return mode_serve(argc, argv);
	if (argc > 1 && strcmp(argv[1], "client") == 0)
		return mode_client(argc, argv);
	if (argc > 1 && strcmp(argv[1], "hold") == 0)
		return mode_hold(argc, argv);
	fprintf(stderr, "usage: load_tls raw CERT KEY N | serve CERT KEY PORT N MAXSEC |\n"
	                "       client HOST PORT N MAXSEC PID | hold HOST PORT K MAXSEC PID\n");
	return 2;
}
