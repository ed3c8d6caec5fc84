#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"

char *app_read_input(const char *path, size_t max, size_t *len)
{
	int use_stdin = !path || strcmp(path, "-") == 0;
	FILE *f = use_stdin ? stdin : fopen(path, "rb");
	if (!f) {
		perror(path);
		return NULL;
	}
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);
	while (buf) {
		if (n == cap) {
			if (cap > max) {
				fprintf(stderr, "%s: input larger than %zu bytes\n",
				        use_stdin ? "stdin" : path, max);
				free(buf);
				buf = NULL;
				break;
			}
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		size_t r = fread(buf + n, 1, cap - n, f);
		if (r == 0)
			break;
		n += r;
	}
	if (buf && ferror(f)) {
		perror(use_stdin ? "stdin" : path);
		free(buf);
		buf = NULL;
	}
	if (buf && n > max) {
		fprintf(stderr, "%s: input larger than %zu bytes\n", use_stdin ? "stdin" : path,
		        max);
		free(buf);
		buf = NULL;
	}
	if (!use_stdin)
		fclose(f);
	if (!buf)
		return NULL;
	/* Shrink to the exact size so that sanitizers and valgrind catch any
	 * read past the input. */
	char *exact = malloc(n + 1);
	if (!exact) {
		free(buf);
		return NULL;
	}
	if (n)
		memcpy(exact, buf, n);
	exact[n] = 0;
	free(buf);
	*len = n;
	return exact;
}

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
