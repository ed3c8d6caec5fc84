/* SPDX-License-Identifier: MIT */
/* vox sip parse: dissect a SIP message into JSON, and say what a UAS would do. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "vox/sip.h"

static void print_params(struct json *j, const char *key, const struct vox_sip_params *ps)
{
	if (!ps->n)
		return;
	json_arr(j, key);
	for (size_t i = 0; i < ps->n; i++) {
		json_obj(j, NULL);
		json_str(j, "name", ps->p[i].name);
		if (ps->p[i].value.p)
			json_str(j, "value", ps->p[i].value);
		if (ps->p[i].quoted)
			json_bool(j, "quoted", 1);
		json_end_obj(j);
	}
	json_end_arr(j);
}

static void print_host(struct json *j, const struct vox_sip_host *h)
{
	static const char *const kinds[] = {"", "name", "ipv4", "ipv6"};
	json_str(j, "host", h->name);
	json_cstr(j, "host_type", kinds[h->kind]);
	if (h->has_port)
		json_uint(j, "port", h->port);
}

static void print_uri(struct json *j, const char *key, const struct vox_sip_uri *u, int rc)
{
	json_obj(j, key);
	json_str(j, "scheme", u->scheme_s);
	if (u->scheme == VOX_SIP_SCHEME_OTHER || rc) {
		json_str(j, "opaque", u->raw);
		json_end_obj(j);
		return;
	}
	if (u->user.len) {
		char buf[512];
		json_str(j, u->scheme == VOX_SIP_SCHEME_TEL ? "number" : "user", u->user);
		int n = vox_sip_unescape(u->user, buf, sizeof buf);
		if (n >= 0 && ((size_t)n != u->user.len || memcmp(buf, u->user.p, u->user.len)))
			json_str(j, "user_unescaped", (struct vox_slice){buf, (size_t)n});
	}
	if (u->has_password)
		json_str(j, "password", u->password);
	if (u->scheme != VOX_SIP_SCHEME_TEL)
		print_host(j, &u->host);
	print_params(j, "params", &u->params);
	if (u->headers.len)
		json_str(j, "headers", u->headers);
	json_end_obj(j);
}

static void print_addr(struct json *j, const struct vox_sip_addr *a)
{
	if (a->display.len || a->display_quoted) {
		char buf[512];
		int n = a->display_quoted ? vox_sip_unquote(a->display, buf, sizeof buf) : -1;
		if (n >= 0)
			json_str(j, "display", (struct vox_slice){buf, (size_t)n});
		else
			json_str(j, "display", a->display);
	}
	print_uri(j, "uri", &a->uri, 0);
	if (a->tag.p)
		json_str(j, "tag", a->tag);
	print_params(j, "params", &a->params);
}

/* Typed fields of the headers vox decodes; "error" when decoding fails. */
static void print_typed(struct json *j, const struct vox_sip_msg *m, size_t i)
{
	const struct vox_sip_header *h = &m->hdr[i];
	if (vox_sip_empty_list_ok(m, i)) {
		json_arr(j, "list");
		json_end_arr(j);
		return;
	}
	union {
		struct vox_sip_via via;
		struct vox_sip_addr addr;
		struct vox_sip_contact contact;
		struct vox_sip_cseq cseq;
		struct vox_sip_ctype ctype;
		struct vox_sip_auth auth;
		struct vox_sip_date date;
	} u;
	struct vox_diag d = {0, ""};
	struct vox_slice tok;
	uint64_t n;
	uint8_t mf;
	int rc;
	switch (h->id) {
	case VOX_SIP_H_VIA:
		rc = vox_sip_via_parse(&u.via, h->value, &d);
		if (rc)
			break;
		json_obj(j, "via");
		json_str(j, "protocol", u.via.protocol);
		json_str(j, "version", u.via.version);
		json_str(j, "transport", u.via.transport);
		print_host(j, &u.via.host);
		if (u.via.branch.p)
			json_str(j, "branch", u.via.branch);
		if (u.via.received.p)
			json_str(j, "received", u.via.received);
		if (u.via.has_rport) {
			if (u.via.rport_has_value)
				json_uint(j, "rport", u.via.rport);
			else
				json_bool(j, "rport", 1);
		}
		if (u.via.maddr.p)
			json_str(j, "maddr", u.via.maddr);
		if (u.via.has_ttl)
			json_uint(j, "ttl", u.via.ttl);
		print_params(j, "params", &u.via.params);
		json_end_obj(j);
		return;
	case VOX_SIP_H_FROM:
	case VOX_SIP_H_TO:
	case VOX_SIP_H_ROUTE:
	case VOX_SIP_H_RECORD_ROUTE:
	case VOX_SIP_H_REPLY_TO:
	case VOX_SIP_H_PATH:
	case VOX_SIP_H_SERVICE_ROUTE:
	case VOX_SIP_H_REFER_TO:
	case VOX_SIP_H_REFERRED_BY:
		rc = vox_sip_addr_parse(&u.addr, h->value, &d);
		if (rc)
			break;
		json_obj(j, "addr");
		print_addr(j, &u.addr);
		json_end_obj(j);
		return;
	case VOX_SIP_H_CONTACT:
		rc = vox_sip_contact_parse(&u.contact, h->value, &d);
		if (rc)
			break;
		json_obj(j, "contact");
		if (u.contact.star) {
			json_bool(j, "star", 1);
		} else {
			print_addr(j, &u.contact.addr);
			if (u.contact.has_expires)
				json_uint(j, "expires", u.contact.expires);
			if (u.contact.has_q)
				json_uint(j, "q_per_mille", u.contact.q);
		}
		json_end_obj(j);
		return;
	case VOX_SIP_H_CSEQ:
		rc = vox_sip_cseq_parse(&u.cseq, h->value, &d);
		if (rc)
			break;
		json_obj(j, "cseq");
		json_uint(j, "seq", u.cseq.seq);
		json_str(j, "method", u.cseq.method);
		json_end_obj(j);
		return;
	case VOX_SIP_H_CALL_ID:
		rc = vox_sip_callid_parse(h->value, &d);
		if (rc)
			break;
		json_str(j, "call_id", h->value);
		return;
	case VOX_SIP_H_MAX_FORWARDS:
		rc = vox_sip_max_forwards_parse(h->value, &mf, &d);
		if (rc)
			break;
		json_uint(j, "max_forwards", mf);
		return;
	case VOX_SIP_H_CONTENT_LENGTH:
	case VOX_SIP_H_EXPIRES:
	case VOX_SIP_H_MIN_EXPIRES:
		rc = vox_sip_uint_parse(h->value, UINT32_MAX, &n, &d);
		if (rc)
			break;
		json_uint(j, "number", n);
		return;
	case VOX_SIP_H_CONTENT_TYPE:
	case VOX_SIP_H_ACCEPT:
		rc = vox_sip_ctype_parse(&u.ctype, h->value, &d);
		if (rc)
			break;
		json_obj(j, "media_type");
		json_str(j, "type", u.ctype.type);
		json_str(j, "subtype", u.ctype.subtype);
		print_params(j, "params", &u.ctype.params);
		json_end_obj(j);
		return;
	case VOX_SIP_H_ALLOW:
	case VOX_SIP_H_SUPPORTED:
	case VOX_SIP_H_REQUIRE:
	case VOX_SIP_H_PROXY_REQUIRE:
	case VOX_SIP_H_UNSUPPORTED:
	case VOX_SIP_H_CONTENT_ENCODING:
		rc = vox_sip_token_parse(h->value, &tok, &d);
		if (rc)
			break;
		json_str(j, "token", tok);
		return;
	case VOX_SIP_H_DATE:
		rc = vox_sip_date_parse(&u.date, h->value, &d);
		if (rc)
			break;
		json_obj(j, "date");
		json_uint(j, "year", u.date.year);
		json_uint(j, "month", u.date.month);
		json_uint(j, "day", u.date.day);
		json_uint(j, "hour", u.date.hour);
		json_uint(j, "min", u.date.min);
		json_uint(j, "sec", u.date.sec);
		json_end_obj(j);
		return;
	case VOX_SIP_H_AUTHORIZATION:
	case VOX_SIP_H_PROXY_AUTHORIZATION:
	case VOX_SIP_H_WWW_AUTHENTICATE:
	case VOX_SIP_H_PROXY_AUTHENTICATE:
		rc = vox_sip_auth_parse(&u.auth, h->value, &d);
		if (rc)
			break;
		json_obj(j, "auth");
		json_str(j, "scheme", u.auth.scheme);
		print_params(j, "params", &u.auth.params);
		json_end_obj(j);
		return;
	default: return;
	}
	json_obj(j, "error");
	json_cstr(j, "reason", d.what);
	json_uint(j, "offset_in_value", d.off);
	json_end_obj(j);
}

static void print_message(struct json *j, const struct vox_sip_msg *m)
{
	if (m->status) {
		json_cstr(j, "type", "response");
		json_str(j, "version", m->version);
		json_uint(j, "status", m->status);
		json_str(j, "reason", m->reason);
	} else {
		json_cstr(j, "type", "request");
		json_str(j, "method", m->method);
		struct vox_sip_uri u;
		int rc = vox_sip_uri_parse(&u, m->uri, NULL);
		if (rc == 0 || rc == VOX_ESCHEME)
			print_uri(j, "uri", &u, rc);
		else
			json_str(j, "uri", m->uri);
		json_str(j, "version", m->version);
	}
	json_arr(j, "headers");
	for (size_t i = 0; i < m->nhdr; i++) {
		const struct vox_sip_header *h = &m->hdr[i];
		json_obj_inline(j, NULL);
		json_str(j, "name", h->name);
		if (h->id != VOX_SIP_H_OTHER)
			json_cstr(j, "canonical", vox_sip_hdr_name((enum vox_sip_hdr)h->id));
		json_uint(j, "line", h->line);
		json_str(j, "value", h->value);
		print_typed(j, m, i);
		json_end_obj(j);
	}
	json_end_arr(j);
	json_uint(j, "body_length", m->body.len);
	json_uint(j, "message_length", m->len);
}

/* Supported by the command-line UAS: no extensions yet, SDP bodies. */
static const char *const accept_types[] = {"application/sdp", "multipart/mixed"};

static int judge(struct json *j, const struct vox_sip_msg *m, enum vox_sip_role role,
                 const char *name)
{
	struct vox_sip_validate_opts o = {0};
	o.role = role;
	if (role == VOX_SIP_ROLE_UAS) {
		o.accept = accept_types;
		o.naccept = 2;
	}
	struct vox_sip_verdict v;
	if (vox_sip_validate(m, &o, &v) != 0)
		return APP_REJECT;
	json_obj(j, "verdict");
	int ok = !v.status && !v.drop;
	json_bool(j, "accept", ok);
	if (!ok) {
		if (v.drop)
			json_cstr(j, "action", "drop");
		else
			json_uint(j, "status", v.status);
		json_cstr(j, "reason", v.reason);
		if (v.detail)
			json_cstr(j, "detail", v.detail);
		json_uint(j, "offset", v.off);
		if (v.nunsupported) {
			json_arr(j, "unsupported");
			for (size_t i = 0; i < v.nunsupported; i++)
				json_str(j, NULL, v.unsupported[i]);
			json_end_arr(j);
		}
		if (v.drop)
			fprintf(stderr, "%s: offset %zu: %s%s%s; a UA would drop it\n", name, v.off,
			        v.reason, v.detail ? ": " : "", v.detail ? v.detail : "");
		else
			fprintf(stderr, "%s: offset %zu: %s%s%s; a UAS would send %u %s\n", name,
			        v.off, v.reason, v.detail ? ": " : "", v.detail ? v.detail : "",
			        v.status, v.reason);
	}
	json_end_obj(j);
	return ok ? APP_OK : APP_REJECT;
}

static int parse_failed(struct json *j, int rc, const struct vox_diag *d, const char *name,
                        const char *buf, size_t len)
{
	/* A request whose start line was readable gets a 400; anything else
	 * cannot be answered and is dropped. A start line that begins with
	 * SIP-Version, in any case (RFC 3261 7.1), is a response's, as the
	 * parser reads it. */
	int request = len >= 4 && !vox_slice_case_eq_cstr((struct vox_slice){buf, 4}, "SIP/");
	json_obj(j, "error");
	json_cstr(j, "reason", d->what ? d->what : vox_strerror(rc));
	json_cstr(j, "code", vox_strerror(rc));
	json_uint(j, "offset", d->off);
	json_end_obj(j);
	json_obj(j, "verdict");
	json_bool(j, "accept", 0);
	if (request)
		json_uint(j, "status", 400);
	else
		json_cstr(j, "action", "drop");
	json_end_obj(j);
	fprintf(stderr, "%s: offset %zu: %s (%s); %s\n", name, d->off,
	        d->what ? d->what : vox_strerror(rc), vox_strerror(rc),
	        request ? "a UAS would send 400 Bad Request" : "a UA would drop it");
	return APP_REJECT;
}

static int parse_one(const char *buf, size_t len, int pretty, enum vox_sip_role role,
                     const char *name)
{
	static struct vox_sip_msg m; /* large: keep it off the stack */
	struct vox_diag d = {0, NULL};
	struct json j;
	json_init(&j, stdout, pretty);
	json_obj(&j, NULL);
	int rc = vox_sip_parse(&m, buf, len, VOX_SIP_DATAGRAM, &d);
	int ret = rc < 0 ? parse_failed(&j, rc, &d, name, buf, len)
	                 : (print_message(&j, &m), judge(&j, &m, role, name));
	json_end_obj(&j);
	json_finish(&j);
	return ret;
}

static int parse_stream(const char *buf, size_t len, int pretty, enum vox_sip_role role,
                        const char *name)
{
	static struct vox_sip_msg m;
	struct vox_sip_framer f;
	vox_sip_framer_init(&f);
	size_t off = 0;
	int ret = APP_OK;
	while (off < len) {
		enum vox_sip_frame_kind kind;
		struct vox_diag d = {0, NULL};
		struct json j;
		json_init(&j, stdout, pretty);
		json_obj(&j, NULL);
		json_uint(&j, "offset", off);
		int n = vox_sip_frame(&f, buf + off, len - off, &kind, &d);
		if (n == VOX_EINCOMPLETE) {
			/* The framer waits after a line end that ends the bytes:
			 * it may be the first half of a ping. At the end of the
			 * file no byte follows, so it is a whole pong (RFC 5626
			 * 4.4.1), as the framer reads it when a pong is due. */
			vox_sip_framer_expect_pong(&f);
			n = vox_sip_frame(&f, buf + off, len - off, &kind, &d);
		}
		if (n == VOX_EINCOMPLETE) {
			json_cstr(&j, "kind", "incomplete");
			json_uint(&j, "pending_bytes", len - off);
			json_end_obj(&j);
			json_finish(&j);
			fprintf(stderr, "%s: offset %zu: stream ends inside a message\n", name,
			        off);
			return APP_REJECT;
		}
		if (n < 0) {
			json_cstr(&j, "kind", "error");
			d.off += off;
			parse_failed(&j, n, &d, name, buf + off, len - off);
			json_end_obj(&j);
			json_finish(&j);
			return APP_REJECT;
		}
		json_cstr(&j, "kind",
		          kind == VOX_SIP_FRAME_MESSAGE ? "message"
		          : kind == VOX_SIP_FRAME_PING  ? "ping"
		                                        : "pong");
		json_uint(&j, "length", (uint64_t)n);
		if (kind == VOX_SIP_FRAME_MESSAGE) {
			int rc = vox_sip_parse(&m, buf + off, (size_t)n, 0, &d);
			json_obj(&j, "message");
			if (rc < 0) {
				d.off += off;
				ret = parse_failed(&j, rc, &d, name, buf + off, (size_t)n);
			} else {
				print_message(&j, &m);
				if (judge(&j, &m, role, name) != APP_OK)
					ret = APP_REJECT;
			}
			json_end_obj(&j);
		}
		json_end_obj(&j);
		json_finish(&j);
		off += (size_t)n;
	}
	return ret;
}

/* The longest byte stream --stream reads: many messages, framed one by one. */
#define STREAM_MAX (64u << 20)

static const char parse_help[] =
    "usage: vox sip parse [--pretty] [--stream] [--proxy] [FILE|-]\n"
    "Dissects the SIP message in FILE (or stdin) into JSON on stdout: every\n"
    "header with its typed fields, and the verdict of a UAS (RFC 3261 8.2).\n"
    "\n"
    "  --pretty   indent the JSON\n"
    "  --stream   the input is a TCP or TLS byte stream: frame it into messages\n"
    "             (RFC 3261 18.3): one JSON object per message, ping or pong\n"
    "  --proxy    judge as a proxy would (RFC 3261 16.3), not as a UAS\n"
    "  -h, --help this text\n"
    "\n"
    "Exit 0 if a UAS (with --proxy, a proxy) would accept every message, 1 if it\n"
    "would reject or drop one (the reason and the response on stderr) or the\n"
    "input is too large (a message above VOX_SIP_MAX_MSG bytes, a stream above\n"
    "64 MiB), 2 on a usage error or an unreadable FILE.\n";

static int cmd_parse(int argc, char **argv)
{
	static const char prog[] = "vox sip parse";
	enum { O_PRETTY = 256, O_STREAM, O_PROXY };
	static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
	                                     {"pretty", no_argument, NULL, O_PRETTY},
	                                     {"stream", no_argument, NULL, O_STREAM},
	                                     {"proxy", no_argument, NULL, O_PROXY},
	                                     {0, 0, 0, 0}};
	int pretty = 0, stream = 0, c;
	enum vox_sip_role role = VOX_SIP_ROLE_UAS;
	while ((c = app_getopt(prog, argc, argv, ":h", opts)) != -1) {
		switch (c) {
		case 'h': fputs(parse_help, stdout); return APP_OK;
		case O_PRETTY: pretty = 1; break;
		case O_STREAM: stream = 1; break;
		case O_PROXY: role = VOX_SIP_ROLE_PROXY; break;
		default: return app_try(prog);
		}
	}
	if (argc - optind > 1)
		return app_usage_error(prog, "one FILE at most: '%s' is another", argv[optind + 1]);
	const char *path = optind < argc ? argv[optind] : NULL;
	char *buf;
	size_t len;
	int rc = stream ? app_read_input(path, STREAM_MAX, "of a stream (64 MiB)", &buf, &len)
	                : app_read_input(path, VOX_SIP_MAX_MSG,
	                                 "of a SIP message (VOX_SIP_MAX_MSG)", &buf, &len);
	if (rc != APP_OK)
		return rc;
	const char *name = path && strcmp(path, "-") ? path : "stdin";
	rc = stream ? parse_stream(buf, len, pretty, role, name)
	            : parse_one(buf, len, pretty, role, name);
	free(buf);
	return rc;
}

int app_sip(int argc, char **argv)
{
	static const struct app_cmd cmds[] = {
	    {"parse", cmd_parse, "dissect a SIP message into JSON, and say what a UAS would do"}};
	static const struct app_group sip = {"vox sip", NULL, NULL, cmds, 1};
	return app_dispatch(&sip, argc, argv);
}
