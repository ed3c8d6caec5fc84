/* The vox program: shared helpers for its sub-commands. */
#ifndef VOX_APP_H
#define VOX_APP_H

#include <stdint.h>
#include <stdio.h>

#include "vox/base.h"

/* Exit codes every sub-command uses. */
enum { APP_OK = 0, APP_REJECT = 1, APP_USAGE = 2 };

/* Sub-commands: argv[0] is the module name ("sip"). */
int app_sip(int argc, char **argv);
int app_sdp(int argc, char **argv);

/* Reads a whole file ("-" or NULL for stdin) into a malloc'd buffer of
 * exactly *len bytes (plus one spare byte that is not part of the input).
 * Returns NULL and prints why on failure. Inputs above max are refused. */
char *app_read_input(const char *path, size_t max, size_t *len);

/* A small JSON emitter with a stable key order: keys come out in the order
 * the caller writes them. In pretty mode every member goes on its own line,
 * except inside an object opened with json_obj_inline (one line). Strings
 * are written as UTF-8 (RFC 8259 8.1): see put_string in util.c for what
 * happens to bytes that are not. */
struct json {
	FILE *f;
	int pretty;
	int depth;
	int inline_depth; /* 0: none; else the depth at which one-line output began */
	int count[32];    /* members written at each depth */
};

void json_init(struct json *j, FILE *f, int pretty);
void json_obj(struct json *j, const char *key);
void json_obj_inline(struct json *j, const char *key);
void json_arr(struct json *j, const char *key);
void json_end_obj(struct json *j);
void json_end_arr(struct json *j);
void json_str(struct json *j, const char *key, struct vox_slice s);
void json_cstr(struct json *j, const char *key, const char *s);
void json_int(struct json *j, const char *key, int64_t v);
void json_uint(struct json *j, const char *key, uint64_t v);
void json_bool(struct json *j, const char *key, int v);
void json_null(struct json *j, const char *key);
void json_finish(struct json *j);

#endif
