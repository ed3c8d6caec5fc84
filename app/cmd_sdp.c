/* SPDX-License-Identifier: MIT */
/* vox sdp parse | offer | answer: dissect a session description, or show
 * the offer or the answer vox would send. */
#define _POSIX_C_SOURCE 200809L /* inet_pton */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "app/app.h"
#include "vox/sdp.h"

static const char redacted[] = "REDACTED";

/* ---- parse ---------------------------------------------------------------- */

static void print_conn(struct json *j, const struct vox_sdp_conn *c)
{
	if (!c->present)
		return;
	json_obj_inline(j, "connection");
	json_str(j, "nettype", c->nettype);
	json_str(j, "addrtype", c->addrtype);
	json_str(j, "address", c->addr);
	/* RFC 8866 5.7: only IPv4 multicast carries a TTL suffix. */
	if (vox_slice_eq(c->addrtype, vox_slice_cstr("IP4")) && c->addr.len != c->full.len)
		json_uint(j, "ttl", c->ttl);
	if (c->num)
		json_uint(j, "addresses", c->num);
	json_end_obj(j);
}

static void print_bw(struct json *j, const struct vox_sdp_bw *bw, unsigned n)
{
	if (!n)
		return;
	json_arr(j, "bandwidths");
	for (unsigned i = 0; i < n; i++) {
		json_obj_inline(j, NULL);
		json_str(j, "type", bw[i].type);
		json_uint(j, "value", bw[i].value);
		json_end_obj(j);
	}
	json_end_arr(j);
}

/* k=<method>[:<key>]: the key may be a clear media key. */
static void print_key_field(struct json *j, struct vox_slice k, int show)
{
	const char *colon = memchr(k.p, ':', k.len);
	json_obj_inline(j, "key");
	json_str(j, "method", colon ? (struct vox_slice){k.p, (size_t)(colon - k.p)} : k);
	if (colon)
		json_str(j, "key",
		         show ? (struct vox_slice){colon + 1, (size_t)(k.p + k.len - colon - 1)}
		              : vox_slice_cstr(redacted));
	json_end_obj(j);
}

static void print_crypto(struct json *j, const struct vox_sdp_crypto *c, int show)
{
	json_obj(j, "crypto");
	json_uint(j, "tag", c->tag);
	json_str(j, "suite", c->suite_name);
	json_bool(j, "suite_known", c->suite != VOX_SRTP_NONE);
	json_arr(j, "keys");
	for (unsigned i = 0; i < c->n_keys; i++) {
		const struct vox_sdp_key_param *k = &c->keys[i];
		json_obj_inline(j, NULL);
		json_str(j, "method", k->method);
		json_str(j, "key_salt", show ? k->key_salt : vox_slice_cstr(redacted));
		if (k->lifetime)
			json_uint(j, "lifetime", k->lifetime);
		if (k->mki_len) {
			json_str(j, "mki", k->mki);
			json_uint(j, "mki_length", k->mki_len);
		}
		json_end_obj(j);
	}
	json_end_arr(j);
	if (c->kdr)
		json_uint(j, "kdr", c->kdr);
	if (c->flags & VOX_SDP_UNENCRYPTED_SRTP)
		json_bool(j, "unencrypted_srtp", 1);
	if (c->flags & VOX_SDP_UNENCRYPTED_SRTCP)
		json_bool(j, "unencrypted_srtcp", 1);
	if (c->flags & VOX_SDP_UNAUTHENTICATED_SRTP)
		json_bool(j, "unauthenticated_srtp", 1);
	if (c->fec_order)
		json_cstr(j, "fec_order", c->fec_order == 1 ? "FEC_SRTP" : "SRTP_FEC");
	if (c->fec_key.len)
		json_str(j, "fec_key", show ? c->fec_key : vox_slice_cstr(redacted));
	if (c->wsh)
		json_uint(j, "wsh", c->wsh);
	if (c->params.len && show)
		json_str(j, "session_params", c->params);
	json_bool(j, "usable", c->unusable == NULL);
	if (c->unusable)
		json_cstr(j, "unusable", c->unusable);
	json_end_obj(j);
}

static void print_ms(struct json *j, const char *key, uint32_t us)
{
	if (us % 1000 == 0) {
		json_uint(j, key, us / 1000);
	} else {
		char b[32];
		int n = snprintf(b, sizeof b, "%u.%03u", us / 1000, us % 1000);
		json_str(j, key, (struct vox_slice){b, (size_t)n});
	}
}

static void print_attr(struct json *j, const struct vox_sdp *s, const struct vox_sdp_attr *a,
                       int show)
{
	json_obj(j, NULL);
	json_str(j, "name", a->name);
	int secret =
	    a->kind == VOX_SDP_ATTR_CRYPTO || vox_slice_eq(a->name, vox_slice_cstr("key-mgmt"));
	if (a->has_value)
		json_str(j, "value", secret && !show ? vox_slice_cstr(redacted) : a->value);
	switch (a->kind) {
	case VOX_SDP_ATTR_RTPMAP:
		json_obj_inline(j, "rtpmap");
		json_uint(j, "pt", a->u.rtpmap.pt);
		json_str(j, "encoding", a->u.rtpmap.encoding);
		json_uint(j, "clock", a->u.rtpmap.clock);
		if (a->u.rtpmap.params.len)
			json_str(j, "params", a->u.rtpmap.params);
		json_end_obj(j);
		break;
	case VOX_SDP_ATTR_FMTP:
		json_obj_inline(j, "fmtp");
		json_str(j, "format", a->u.fmtp.fmt);
		json_str(j, "params", a->u.fmtp.params);
		json_end_obj(j);
		break;
	case VOX_SDP_ATTR_PTIME: print_ms(j, "ptime_ms", a->u.ptime_us); break;
	case VOX_SDP_ATTR_MAXPTIME: print_ms(j, "maxptime_ms", a->u.ptime_us); break;
	case VOX_SDP_ATTR_DIRECTION: json_cstr(j, "direction", vox_sdp_dir_name(a->u.dir)); break;
	case VOX_SDP_ATTR_RTCP:
		json_obj_inline(j, "rtcp");
		json_uint(j, "port", a->u.rtcp.port);
		if (a->u.rtcp.addr.len) {
			json_str(j, "nettype", a->u.rtcp.nettype);
			json_str(j, "addrtype", a->u.rtcp.addrtype);
			json_str(j, "address", a->u.rtcp.addr);
		}
		json_end_obj(j);
		break;
	case VOX_SDP_ATTR_RTCP_MUX: json_bool(j, "rtcp_mux", 1); break;
	case VOX_SDP_ATTR_CRYPTO: print_crypto(j, &s->crypto[a->u.crypto], show); break;
	case VOX_SDP_ATTR_ZRTP_HASH:
		json_obj_inline(j, "zrtp_hash");
		json_str(j, "version", a->u.zrtp_hash.version);
		json_str(j, "hash", a->u.zrtp_hash.hash);
		json_end_obj(j);
		break;
	case VOX_SDP_ATTR_FINGERPRINT:
		json_obj_inline(j, "fingerprint");
		json_str(j, "hash_func", a->u.fingerprint.hash_func);
		json_str(j, "value", a->u.fingerprint.value);
		json_end_obj(j);
		break;
	case VOX_SDP_ATTR_SETUP: {
		static const char *const roles[] = {"active", "passive", "actpass", "holdconn"};
		json_cstr(j, "setup", roles[a->u.setup]);
		break;
	}
	case VOX_SDP_ATTR_OTHER: break;
	}
	json_end_obj(j);
}

static void print_attrs(struct json *j, const struct vox_sdp *s, int media, int show)
{
	unsigned first = media < 0 ? 0 : s->media[media].attr_first;
	unsigned n = 0;
	for (unsigned i = first; i < s->n_attrs && s->attrs[i].media == media; i++)
		n++;
	if (!n)
		return;
	json_arr(j, "attributes");
	for (unsigned i = first; i < first + n; i++)
		print_attr(j, s, &s->attrs[i], show);
	json_end_arr(j);
}

static void print_sdp(struct json *j, const struct vox_sdp *s, int show)
{
	json_obj(j, "origin");
	json_str(j, "username", s->username);
	json_uint(j, "sess_id", s->sess_id);
	json_uint(j, "sess_version", s->sess_version);
	json_str(j, "nettype", s->o_nettype);
	json_str(j, "addrtype", s->o_addrtype);
	json_str(j, "address", s->o_addr);
	json_end_obj(j);
	json_str(j, "name", s->name);
	if (s->has_info)
		json_str(j, "info", s->info);
	if (s->has_uri)
		json_str(j, "uri", s->uri);
	if (s->n_email) {
		json_arr(j, "emails");
		for (unsigned i = 0; i < s->n_email; i++)
			json_str(j, NULL, s->email[i]);
		json_end_arr(j);
	}
	if (s->n_phone) {
		json_arr(j, "phones");
		for (unsigned i = 0; i < s->n_phone; i++)
			json_str(j, NULL, s->phone[i]);
		json_end_arr(j);
	}
	print_conn(j, &s->conn);
	print_bw(j, s->bw, s->n_bw);
	json_arr(j, "times");
	for (unsigned i = 0; i < s->n_times; i++) {
		json_obj_inline(j, NULL);
		json_uint(j, "start", s->times[i].start);
		json_uint(j, "stop", s->times[i].stop);
		if (s->times[i].n_repeat) {
			json_arr(j, "repeats");
			for (unsigned r = 0; r < s->times[i].n_repeat; r++)
				json_str(j, NULL, s->times[i].repeat[r]);
			json_end_arr(j);
		}
		json_end_obj(j);
	}
	json_end_arr(j);
	if (s->zone.len)
		json_str(j, "zone_adjustments", s->zone);
	if (s->has_key)
		print_key_field(j, s->key, show);
	json_cstr(j, "direction", vox_sdp_dir_name(s->dir));
	print_attrs(j, s, -1, show);
	json_arr(j, "media");
	for (unsigned mi = 0; mi < s->n_media; mi++) {
		const struct vox_sdp_media *m = &s->media[mi];
		json_obj(j, NULL);
		json_str(j, "media", m->media);
		json_uint(j, "port", m->port);
		if (m->nports)
			json_uint(j, "ports", m->nports);
		json_str(j, "proto", m->proto);
		json_arr(j, "formats");
		for (unsigned f = 0; f < m->n_fmts; f++)
			json_str(j, NULL, m->fmts[f]);
		json_end_arr(j);
		if (m->info.p)
			json_str(j, "info", m->info);
		print_conn(j, &m->conn);
		print_bw(j, m->bw, m->n_bw);
		if (m->has_key)
			print_key_field(j, m->key, show);
		json_cstr(j, "direction", vox_sdp_dir_name(m->dir));
		json_bool(j, "rtcp_mux", m->rtcp_mux);
		if (m->ptime_us)
			print_ms(j, "ptime_ms", m->ptime_us);
		print_attrs(j, s, (int)mi, show);
		json_end_obj(j);
	}
	json_end_arr(j);
}

static int parse_failed(int rc, const struct vox_sdp_diag *d, const char *name)
{
	fprintf(stderr, "%s: line %u, column %u: %s (%s)\n", name, d->line, d->col,
	        d->at.what ? d->at.what : "invalid", vox_strerror(rc));
	return APP_REJECT;
}

/* ---- local settings for offer and answer ---------------------------------- */

/* The suites srtp_glue/ finds in the installed libsrtp2, strongest first. */
static void add_suites(struct vox_sdp_local *l)
{
	static const enum vox_srtp_suite order[] = {
	    VOX_SRTP_AEAD_AES_256_GCM,        VOX_SRTP_AES_256_CM_HMAC_SHA1_80,
	    VOX_SRTP_AEAD_AES_128_GCM,        VOX_SRTP_AES_CM_128_HMAC_SHA1_80,
	    VOX_SRTP_AES_256_CM_HMAC_SHA1_32, VOX_SRTP_AES_CM_128_HMAC_SHA1_32};
	l->n_suites = 0;
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
		if (vox_srtp_suite_available(order[i]))
			l->suites[l->n_suites++] = order[i];
}

static int parse_codecs(const char *prog, struct vox_sdp_local *l, const char *list)
{
	static const struct {
		const char *name;
		enum vox_sdp_codec c;
	} names[] = {{"pcmu", VOX_SDP_CODEC_PCMU},
	             {"pcma", VOX_SDP_CODEC_PCMA},
	             {"telephone-event", VOX_SDP_CODEC_TEL_EVENT},
	             {"dtmf", VOX_SDP_CODEC_TEL_EVENT}};
	l->n_codecs = 0;
	const char *p = list;
	for (;;) {
		size_t n = strcspn(p, ",");
		size_t k = 0;
		for (; k < sizeof names / sizeof names[0]; k++)
			if (vox_slice_case_eq_cstr((struct vox_slice){p, n}, names[k].name))
				break;
		if (n == 0)
			return app_usage_error(prog, "--codecs: an empty name in '%s'", list);
		if (k == sizeof names / sizeof names[0])
			return app_usage_error(prog,
			                       "--codecs: unknown codec '%.*s' (pcmu, pcma, "
			                       "telephone-event)",
			                       (int)n, p);
		for (unsigned i = 0; i < l->n_codecs; i++)
			if (l->codecs[i] == names[k].c)
				return app_usage_error(prog, "--codecs: '%.*s' is listed twice",
				                       (int)n, p);
		l->codecs[l->n_codecs++] = names[k].c; /* distinct, so it fits */
		p += n;
		if (!*p)
			return APP_OK;
		p++;
	}
}

/* --keys: the key methods the policy allows, "none" for none. */
static int parse_keys(const char *prog, struct vox_sdp_local *l, const char *list)
{
	static const struct {
		const char *name;
		unsigned bit;
	} names[] = {{"sdes", VOX_SDP_KEY_SDES}, {"zrtp", VOX_SDP_KEY_ZRTP}};
	l->key_methods = 0;
	if (strcmp(list, "none") == 0)
		return APP_OK;
	const char *p = list;
	for (;;) {
		size_t n = strcspn(p, ",");
		size_t k = 0;
		for (; k < sizeof names / sizeof names[0]; k++)
			if (vox_slice_case_eq_cstr((struct vox_slice){p, n}, names[k].name))
				break;
		if (k == sizeof names / sizeof names[0])
			return app_usage_error(prog,
			                       "--keys: '%.*s' is not a key method (sdes, zrtp; or "
			                       "none alone)",
			                       (int)n, p);
		l->key_methods |= names[k].bit;
		p += n;
		if (!*p)
			return APP_OK;
		p++;
	}
}

/* Keys for the CLI come from the kernel; the library only sees the hook. */
static int urandom_rng(void *ctx, uint8_t *out, size_t len)
{
	FILE *f = ctx;
	return fread(out, 1, len, f) == len ? 0 : VOX_ERNG;
}

static const char parse_help[] =
    "usage: vox sdp parse [--pretty] [--show-keys] [FILE|-]\n"
    "Dissects the session description in FILE (or stdin) into JSON on stdout.\n"
    "\n"
    "  --pretty     indent the JSON\n"
    "  --show-keys  print SRTP keys (a=crypto, k=, a=key-mgmt); by default they\n"
    "               are REDACTED, because a key in a log decrypts the call\n"
    "  -h, --help   this text\n"
    "\n"
    "Exit 0 if it is valid, 1 if not (line, column and reason on stderr) or if\n"
    "it is larger than VOX_SDP_MAX_SIZE, 2 on a usage error or an unreadable FILE.\n";

static const char offer_answer_options[] =
    "  --policy P     media encryption: off (clear RTP), optional (SRTP if the\n"
    "                 peer has it; the default) or mandatory (SRTP or no call)\n"
    "  --keys LIST    key methods the policy allows: sdes, zrtp, comma-separated,\n"
    "                 or none (default sdes). ZRTP's keys come in the media\n"
    "                 path: with it, mandatory offers RTP/AVP without a=crypto\n"
    "  --codecs LIST  comma-separated pcmu, pcma, telephone-event (or dtmf);\n"
    "                 the default: all three, in that order of preference\n"
    "  --addr IP      our media address, IPv4 or IPv6 (default 192.0.2.1)\n"
    "  --port N       our RTP port, 1..65535 (default 40000)\n"
    "  --hold         put the call on hold (a=sendonly)\n"
    "  -h, --help     this text\n"
    "\n"
    "The description carries fresh SRTP keys: it is the one place they are\n"
    "printed without --show-keys.\n";

static const char offer_help[] =
    "usage: vox sdp offer [--policy P] [--keys LIST] [--codecs LIST] [--addr IP]\n"
    "                     [--port N] [--hold]\n"
    "Prints the offer vox would send (RFC 3264 5), one audio stream. Exit 0\n"
    "with an offer, 1 when vox cannot make one (the reason on stderr), 2 on a\n"
    "usage error.\n"
    "\n";

static const char answer_help[] =
    "usage: vox sdp answer [--policy P] [--keys LIST] [--codecs LIST] [--addr IP]\n"
    "                      [--port N] [--hold] OFFER|-\n"
    "Prints the answer vox would send to the offer in the file OFFER (or stdin)\n"
    "(RFC 3264 6, RFC 4568 7), and what was agreed on stderr. Exit 0 with an\n"
    "answer, 1 when vox cannot answer (the reason and the SIP status a UA\n"
    "would send on stderr) or the offer is larger than VOX_SDP_MAX_SIZE, 2 on\n"
    "a usage error or an unreadable OFFER.\n"
    "\n";

struct opts {
	struct vox_sdp_local local;
	char addr[64];
};

static int set_policy(const char *prog, struct vox_sdp_local *l, const char *v)
{
	static const struct {
		const char *name;
		enum vox_sdp_policy p;
	} names[] = {{"off", VOX_SDP_POLICY_OFF},
	             {"optional", VOX_SDP_POLICY_OPTIONAL},
	             {"mandatory", VOX_SDP_POLICY_MANDATORY}};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(v, names[i].name) == 0) {
			l->policy = names[i].p;
			return APP_OK;
		}
	return app_usage_error(prog, "--policy: '%s' is not off, optional or mandatory", v);
}

static int set_addr(const char *prog, struct opts *o, const char *v)
{
	unsigned char bin[16];
	int ip6 = inet_pton(AF_INET6, v, bin) == 1;
	if (!ip6 && inet_pton(AF_INET, v, bin) != 1)
		return app_usage_error(prog, "--addr: '%s' is not an IPv4 or IPv6 address", v);
	snprintf(o->addr, sizeof o->addr, "%s", v); /* INET6_ADDRSTRLEN < 64: it fits */
	o->local.addr = vox_slice_cstr(o->addr);
	o->local.ip6 = ip6;
	return APP_OK;
}

static int set_port(const char *prog, struct vox_sdp_local *l, const char *v)
{
	/* digits only: strtoul would also take " 5", "+5" and "-1" */
	unsigned long p = 0;
	size_t n = strspn(v, "0123456789");
	if (n && n <= 5 && !v[n])
		p = strtoul(v, NULL, 10);
	if (p == 0 || p > 65535)
		return app_usage_error(prog, "--port: '%s' is not a port number 1..65535", v);
	l->port = (uint16_t)p;
	return APP_OK;
}

/* get_opts printed the help: the command is done, and exits 0. */
enum { HELP_SHOWN = -1 };

/* The options offer and answer share: APP_OK, HELP_SHOWN or APP_ERROR. */
static int get_opts(const char *prog, const char *help, int argc, char **argv, struct opts *o)
{
	enum { O_POLICY = 256, O_KEYS, O_CODECS, O_ADDR, O_PORT, O_HOLD };
	static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
	                                     {"policy", required_argument, NULL, O_POLICY},
	                                     {"keys", required_argument, NULL, O_KEYS},
	                                     {"codecs", required_argument, NULL, O_CODECS},
	                                     {"addr", required_argument, NULL, O_ADDR},
	                                     {"port", required_argument, NULL, O_PORT},
	                                     {"hold", no_argument, NULL, O_HOLD},
	                                     {0, 0, 0, 0}};
	memset(o, 0, sizeof *o);
	snprintf(o->addr, sizeof o->addr, "%s", "192.0.2.1");
	vox_sdp_local_init(&o->local, vox_slice_cstr(o->addr), 40000);
	int c, rc = APP_OK;
	while (rc == APP_OK && (c = app_getopt(prog, argc, argv, ":h", opts)) != -1) {
		switch (c) {
		case 'h':
			fputs(help, stdout);
			fputs(offer_answer_options, stdout);
			return HELP_SHOWN;
		case O_POLICY: rc = set_policy(prog, &o->local, optarg); break;
		case O_KEYS: rc = parse_keys(prog, &o->local, optarg); break;
		case O_CODECS: rc = parse_codecs(prog, &o->local, optarg); break;
		case O_ADDR: rc = set_addr(prog, o, optarg); break;
		case O_PORT: rc = set_port(prog, &o->local, optarg); break;
		case O_HOLD: o->local.dir = VOX_SDP_SENDONLY; break;
		default: return app_try(prog);
		}
	}
	add_suites(&o->local);
	return rc;
}

static void print_session(const struct vox_sdp_session *s)
{
	fprintf(stderr, "vox sdp answer: m-line %u accepted, send pt %d", s->mline, s->send_pt);
	if (s->tel_event_pt >= 0)
		fprintf(stderr, ", telephone-event pt %d", s->tel_event_pt);
	fprintf(stderr, ", %s, peer %s:%u (RTCP %u%s), protection %s", vox_sdp_dir_name(s->dir),
	        s->remote_addr, s->remote_rtp_port, s->remote_rtcp_port,
	        s->rtcp_mux ? ", muxed" : "", vox_sdp_prot_name(s->prot));
	if (s->prot == VOX_SDP_PROT_SDES)
		fprintf(stderr, " %s tag %u%s", vox_srtp_suite_info(s->tx.suite)->name,
		        s->crypto_tag, s->best_effort ? " (best effort in RTP/AVP)" : "");
	fprintf(stderr, "\n");
}

static int cmd_offer_answer(int argc, char **argv, int answer)
{
	const char *prog = answer ? "vox sdp answer" : "vox sdp offer";
	struct opts o;
	int rc = get_opts(prog, answer ? answer_help : offer_help, argc, argv, &o);
	if (rc == HELP_SHOWN)
		return APP_OK;
	if (rc != APP_OK)
		return rc;
	if (!answer && optind < argc)
		return app_usage_error(prog, "takes no operand: '%s'", argv[optind]);
	if (answer && optind >= argc)
		return app_usage_error(prog, "missing OFFER: a file, or - for stdin");
	if (answer && argc - optind > 1)
		return app_usage_error(prog, "one OFFER only: '%s' is another", argv[optind + 1]);
	const char *path = answer ? argv[optind] : NULL;
	/* Settings that can make no call are the user's to fix, said now. */
	struct vox_sdp_fail bad = {0, NULL, -1};
	if (vox_sdp_local_check(&o.local, &bad) < 0)
		return app_usage_error(prog, "local settings refused: %s", bad.reason);
	struct vox_sdp *offer = NULL;
	char *in = NULL;
	size_t len = 0;
	const char *name = path && strcmp(path, "-") ? path : "stdin";
	if (answer) {
		rc = app_read_input(path, VOX_SDP_MAX_SIZE, "of a description (VOX_SDP_MAX_SIZE)",
		                    &in, &len);
		if (rc != APP_OK)
			return rc;
		offer = malloc(sizeof *offer);
		if (!offer) {
			free(in);
			fprintf(stderr, "%s: out of memory\n", prog);
			return APP_ERROR;
		}
		struct vox_sdp_diag d;
		rc = vox_sdp_parse(in, len, offer, &d);
		if (rc < 0) {
			free(offer);
			free(in);
			parse_failed(rc, &d, name);
			fprintf(stderr, "vox sdp answer: a UA would answer 400 Bad Request\n");
			return APP_REJECT;
		}
	}
	FILE *rnd = fopen("/dev/urandom", "rb");
	if (!rnd) {
		perror("/dev/urandom");
		free(offer);
		free(in);
		return APP_ERROR;
	}
	struct vox_rng rng = {urandom_rng, rnd};
	struct vox_sdp_oa *oa = malloc(sizeof *oa);
	if (!oa) {
		fclose(rnd);
		free(offer);
		free(in);
		fprintf(stderr, "%s: out of memory\n", prog);
		return APP_ERROR;
	}
	char out[VOX_SDP_MAX_BUILD];
	struct vox_sdp_session s;
	struct vox_sdp_fail why = {0, NULL, -1};
	/* o= sess-id: any number unique to this session (RFC 8866 5.2). */
	uint64_t id = 0;
	if (urandom_rng(rnd, (uint8_t *)&id, sizeof id) == 0)
		id = id % 9000000000u + 1000000000u;
	vox_sdp_oa_init(oa, id);
	int n = answer ? vox_sdp_oa_answer(oa, &o.local, offer, &rng, out, sizeof out, &s, &why)
	               : vox_sdp_oa_offer(oa, &o.local, &rng, out, sizeof out, &why);
	fclose(rnd);
	int ret = APP_OK;
	if (n < 0) {
		static const struct {
			int code;
			const char *text;
		} st[] = {{400, "Bad Request"},
		          {488, "Not Acceptable Here"},
		          {500, "Server Internal Error"}};
		const char *text = "";
		for (size_t i = 0; i < sizeof st / sizeof st[0]; i++)
			if (st[i].code == why.sip_status)
				text = st[i].text;
		fprintf(stderr, "vox sdp %s: cannot %s: %s", answer ? "answer" : "offer",
		        answer ? "answer" : "offer", why.reason ? why.reason : vox_strerror(n));
		if (why.mline >= 0)
			fprintf(stderr, " (m-line %d)", why.mline);
		fprintf(stderr, "\nvox sdp %s: a UA would send SIP %d %s\n",
		        answer ? "answer" : "offer", why.sip_status, text);
		ret = APP_REJECT;
	} else {
		fwrite(out, 1, (size_t)n, stdout);
		fflush(stdout);
		if (answer) {
			print_session(&s);
			vox_sdp_session_free(&s);
		}
	}
	vox_wipe(out, sizeof out);
	vox_sdp_oa_free(oa);
	free(oa);
	free(offer);
	free(in);
	return ret;
}

static int cmd_parse(int argc, char **argv)
{
	static const char prog[] = "vox sdp parse";
	enum { O_PRETTY = 256, O_SHOW_KEYS };
	static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
	                                     {"pretty", no_argument, NULL, O_PRETTY},
	                                     {"show-keys", no_argument, NULL, O_SHOW_KEYS},
	                                     {0, 0, 0, 0}};
	int pretty = 0, show_keys = 0, c;
	while ((c = app_getopt(prog, argc, argv, ":h", opts)) != -1) {
		switch (c) {
		case 'h': fputs(parse_help, stdout); return APP_OK;
		case O_PRETTY: pretty = 1; break;
		case O_SHOW_KEYS: show_keys = 1; break;
		default: return app_try(prog);
		}
	}
	if (argc - optind > 1)
		return app_usage_error(prog, "one FILE at most: '%s' is another", argv[optind + 1]);
	const char *path = optind < argc ? argv[optind] : NULL;
	size_t len = 0;
	char *buf;
	int ret = app_read_input(path, VOX_SDP_MAX_SIZE, "of a description (VOX_SDP_MAX_SIZE)",
	                         &buf, &len);
	if (ret != APP_OK)
		return ret;
	const char *name = path && strcmp(path, "-") ? path : "stdin";
	struct vox_sdp *s = malloc(sizeof *s);
	ret = APP_ERROR;
	if (!s)
		fprintf(stderr, "%s: out of memory\n", prog);
	if (s) {
		struct vox_sdp_diag d;
		int rc = vox_sdp_parse(buf, len, s, &d);
		if (rc < 0) {
			ret = parse_failed(rc, &d, name);
		} else {
			struct json j;
			json_init(&j, stdout, pretty);
			json_obj(&j, NULL);
			print_sdp(&j, s, show_keys);
			json_end_obj(&j);
			json_finish(&j);
			ret = APP_OK;
		}
	}
	free(s);
	free(buf);
	return ret;
}

static int cmd_offer(int argc, char **argv)
{
	return cmd_offer_answer(argc, argv, 0);
}

static int cmd_answer(int argc, char **argv)
{
	return cmd_offer_answer(argc, argv, 1);
}

int app_sdp(int argc, char **argv)
{
	static const struct app_cmd cmds[] = {
	    {"parse", cmd_parse, "dissect a session description into JSON, keys redacted"},
	    {"offer", cmd_offer, "print the offer vox would send"},
	    {"answer", cmd_answer, "print the answer vox would send to an offer"}};
	static const struct app_group sdp = {"vox sdp", NULL, NULL, cmds, 3};
	return app_dispatch(&sdp, argc, argv);
}
