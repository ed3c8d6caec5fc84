/* SPDX-License-Identifier: MIT */
/* The vox program's shared helpers: command dispatch, option errors, input
 * reading and the JSON writer. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"

/* ---- commands and options -------------------------------------------------- */

int app_try(const char *prog)
{
	fprintf(stderr, "Try '%s --help' for more information.\n", prog);
	return APP_ERROR;
}

int app_usage_error(const char *prog, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return app_try(prog);
}

/* getopt_long's own messages would name argv[0], which is "parse" for
 * "vox sdp parse": opterr is off and the messages are written here. */
int app_getopt(const char *prog, int argc, char **argv, const char *shortopts,
               const struct option *opts)
{
	opterr = 0;
	int c = getopt_long(argc, argv, shortopts, opts, NULL);
	if (c != '?' && c != ':')
		return c;
	/* glibc has stepped past the element that was wrong, except inside a
	 * group of short options ("-hx"), where optopt names the letter. */
	const char *arg = optind > 0 && optind <= argc ? argv[optind - 1] : "";
	const struct option *o = NULL;
	size_t prefix = 0; /* long options that the unknown one abbreviates */
	for (const struct option *p = opts; p->name; p++) {
		if (optopt && p->val == optopt)
			o = p;
		if (arg[0] == '-' && arg[1] == '-' && arg[2] &&
		    strncmp(p->name, arg + 2, strcspn(arg + 2, "=")) == 0)
			prefix++;
	}
	if (c == ':' && o)
		fprintf(stderr, "%s: option '--%s' needs a value\n", prog, o->name);
	else if (c == ':')
		fprintf(stderr, "%s: option '-%c' needs a value\n", prog, optopt);
	else if (o && arg[0] == '-' && arg[1] == '-')
		fprintf(stderr, "%s: option '--%s' takes no value\n", prog, o->name);
	else if (optopt)
		fprintf(stderr, "%s: unknown option '-%c'\n", prog, optopt);
	else if (prefix > 1)
		fprintf(stderr, "%s: option '%s' is ambiguous\n", prog, arg);
	else
		fprintf(stderr, "%s: unknown option '%s'\n", prog, arg);
	return '?';
}

static void print_commands(FILE *f, const struct app_group *g)
{
	fprintf(f, "usage: %s%s COMMAND [OPTION]... [ARG]...\n\ncommands:\n", g->prog,
	        g->version ? " [--help | --version]" : " [--help]");
	for (size_t i = 0; i < g->n; i++)
		fprintf(f, "  %-8s %s\n", g->cmds[i].name, g->cmds[i].summary);
	fprintf(f, "\nRun '%s COMMAND --help' for what a command takes.\n", g->prog);
}

int app_dispatch(const struct app_group *g, int argc, char **argv)
{
	static const struct option help[] = {{"help", no_argument, NULL, 'h'}, {0, 0, 0, 0}};
	static const struct option help_version[] = {
	    {"help", no_argument, NULL, 'h'}, {"version", no_argument, NULL, 'V'}, {0, 0, 0, 0}};
	const struct option *opts = g->version ? help_version : help;
	int c;
	/* '+': options end at the first operand, the command's name; what
	 * follows it is the command's own. */
	while ((c = app_getopt(g->prog, argc, argv, g->version ? "+:hV" : "+:h", opts)) != -1) {
		if (c == 'h') {
			print_commands(stdout, g);
			if (g->about)
				printf("%s", g->about);
			return APP_OK;
		}
		if (c == 'V') {
			printf("%s %s\n", g->prog, g->version);
			return APP_OK;
		}
		return app_try(g->prog);
	}
	if (optind >= argc) {
		fprintf(stderr, "%s: missing command\n", g->prog);
		print_commands(stderr, g);
		return APP_ERROR;
	}
	for (size_t i = 0; i < g->n; i++)
		if (strcmp(argv[optind], g->cmds[i].name) == 0) {
			char **sub = argv + optind;
			int nsub = argc - optind;
			/* glibc (and musl) start over, taking the next optstring's
			 * '+' or its absence, only when optind is 0. */
			optind = 0;
			return g->cmds[i].run(nsub, sub);
		}
	return app_usage_error(g->prog, "unknown command '%s'", argv[optind]);
}

/* ---- input ----------------------------------------------------------------- */

int app_read_input(const char *path, size_t max, const char *what, char **out, size_t *len)
{
	int use_stdin = !path || strcmp(path, "-") == 0;
	const char *name = use_stdin ? "stdin" : path;
	FILE *f = use_stdin ? stdin : fopen(path, "rb");
	if (!f) {
		perror(path);
		return APP_ERROR;
	}
	/* One byte more than max tells "too large" from "exactly max"; nothing
	 * beyond it is read. */
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	int ret = buf ? APP_OK : APP_ERROR;
	while (buf && n <= max) {
		if (n == cap) {
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				ret = APP_ERROR;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		size_t want = cap - n < max + 1 - n ? cap - n : max + 1 - n;
		size_t r = fread(buf + n, 1, want, f);
		if (r == 0)
			break;
		n += r;
	}
	if (ret == APP_OK && ferror(f)) {
		perror(name);
		ret = APP_ERROR;
	} else if (ret == APP_OK && n > max) {
		fprintf(stderr, "%s: larger than %zu bytes, the limit %s; refused\n", name, max,
		        what);
		ret = APP_REJECT;
	} else if (ret != APP_OK) {
		fprintf(stderr, "%s: out of memory\n", name);
	}
	if (!use_stdin)
		fclose(f);
	/* Shrink to the exact size so that sanitizers and valgrind catch any
	 * read past the input. */
	char *exact = ret == APP_OK ? malloc(n + 1) : NULL;
	if (ret == APP_OK && !exact) {
		fprintf(stderr, "%s: out of memory\n", name);
		ret = APP_ERROR;
	}
	if (exact) {
		if (n)
			memcpy(exact, buf, n);
		exact[n] = 0;
		*out = exact;
		*len = n;
	}
	free(buf);
	return ret;
}

/* ---- JSON ------------------------------------------------------------------ */

void json_init(struct json *j, FILE *f, int pretty)
{
	memset(j, 0, sizeof *j);
	j->f = f;
	j->pretty = pretty;
}

static void newline(struct json *j)
{
	if (!j->pretty || j->inline_depth)
		return;
	fputc('\n', j->f);
	for (int i = 0; i < j->depth; i++)
		fputs("  ", j->f);
}

/* The length of the well-formed UTF-8 sequence at p (RFC 3629 4, Unicode
 * table 3-7: no overlong forms, no surrogates, nothing above U+10FFFF), or,
 * when there is none, minus the length of its maximal subpart: the bytes
 * that began a sequence before it went wrong (at least 1). */
static long utf8_len(const unsigned char *p, size_t n)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xbf;
	size_t need;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		need = 2;
	else if (c >= 0xe0 && c <= 0xef)
		need = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		need = 4;
	else
		return -1; /* a continuation byte, C0, C1 (overlong) or F5..FF */
	if (c == 0xe0)
		lo = 0xa0; /* below: overlong */
	else if (c == 0xed)
		hi = 0x9f; /* above: UTF-16 surrogates */
	else if (c == 0xf0)
		lo = 0x90; /* below: overlong */
	else if (c == 0xf4)
		hi = 0x8f; /* above: past U+10FFFF */
	for (size_t i = 1; i < need; i++) {
		if (i >= n || p[i] < (i == 1 ? lo : 0x80) || p[i] > (i == 1 ? hi : 0xbf))
			return -(long)i;
	}
	return (long)need;
}

/* JSON text is Unicode, written here as UTF-8 (RFC 8259 8.1), so a string
 * carries characters, not bytes. Well-formed UTF-8 goes out as it came (a
 * display name "Zoë" stays "Zoë"). A byte sequence that is not UTF-8 has no
 * character to stand for: it becomes one U+FFFD REPLACEMENT CHARACTER per
 * maximal subpart (Unicode 3.9, "U+FFFD Substitution of Maximal Subparts",
 * what browsers' decoders do too), so the output stays valid JSON and a
 * reader sees where the bad bytes were, one mark per broken sequence; the bytes themselves are in the input, at the
 * offsets the output gives. It is written as the escape \ufffd, so that a
 * replacement is told apart from a U+FFFD that was in the input. Control
 * characters (C0, DEL, and C1, which terminals obey) are escaped so that
 * printing the output cannot drive the terminal. */
static void put_string(FILE *f, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	fputc('"', f);
	for (size_t i = 0; i < n;) {
		unsigned char c = p[i];
		long k = utf8_len(p + i, n - i);
		if (k < 0) {
			fputs("\\ufffd", f);
			i += (size_t)-k;
			continue;
		}
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c == '\r')
			fputs("\\r", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else if (c == 0xc2 && p[i + 1] < 0xa0) /* U+0080..U+009F */
			fprintf(f, "\\u%04x", p[i + 1]);
		else
			fwrite(p + i, 1, (size_t)k, f);
		i += (size_t)k;
	}
	fputc('"', f);
}

static void member(struct json *j, const char *key)
{
	if (j->count[j->depth]++)
		fputc(',', j->f);
	if (j->pretty && j->inline_depth && j->count[j->depth] > 1)
		fputc(' ', j->f);
	newline(j);
	if (key) {
		put_string(j->f, key, strlen(key));
		fputs(j->pretty ? ": " : ":", j->f);
	}
}

static void open(struct json *j, const char *key, char c, int one_line)
{
	if (j->depth > 0 || j->count[0])
		member(j, key);
	fputc(c, j->f);
	if (j->depth < 31)
		j->depth++;
	j->count[j->depth] = 0;
	if (one_line && !j->inline_depth)
		j->inline_depth = j->depth;
}

static void close_(struct json *j, char c)
{
	int had = j->count[j->depth] > 0;
	int was_inline = j->inline_depth == j->depth;
	if (j->depth > 0)
		j->depth--;
	if (was_inline)
		j->inline_depth = 0;
	else if (had)
		newline(j);
	fputc(c, j->f);
}

void json_obj(struct json *j, const char *key)
{
	open(j, key, '{', 0);
}
void json_obj_inline(struct json *j, const char *key)
{
	open(j, key, '{', 1);
}
void json_arr(struct json *j, const char *key)
{
	open(j, key, '[', 0);
}
void json_end_obj(struct json *j)
{
	close_(j, '}');
}
void json_end_arr(struct json *j)
{
	close_(j, ']');
}

void json_str(struct json *j, const char *key, struct vox_slice s)
{
	member(j, key);
	put_string(j->f, s.p, s.len);
}

void json_cstr(struct json *j, const char *key, const char *s)
{
	json_str(j, key, vox_slice_cstr(s));
}

void json_int(struct json *j, const char *key, int64_t v)
{
	member(j, key);
	fprintf(j->f, "%lld", (long long)v);
}

void json_uint(struct json *j, const char *key, uint64_t v)
{
	member(j, key);
	fprintf(j->f, "%llu", (unsigned long long)v);
}

void json_bool(struct json *j, const char *key, int v)
{
	member(j, key);
	fputs(v ? "true" : "false", j->f);
}

void json_null(struct json *j, const char *key)
{
	member(j, key);
	fputs("null", j->f);
}

void json_finish(struct json *j)
{
	fputc('\n', j->f);
	fflush(j->f);
}
