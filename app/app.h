/* SPDX-License-Identifier: MIT */
/* The vox program: shared helpers for its sub-commands. */
#ifndef VOX_APP_H
#define VOX_APP_H

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>

#include "vox/base.h"

/* Exit codes every sub-command uses: 0 the input is good (accepted,
 * answered), 1 it is refused (the reason on stderr: malformed, refused by
 * policy, larger than a limit), 2 the command could not do its job (a
 * usage error, a file that cannot be read, an output that cannot be
 * written). */
enum { APP_OK = 0, APP_REJECT = 1, APP_ERROR = 2 };

/* Sub-commands: argv[0] is the module name ("sip"). */
int app_sip(int argc, char **argv);
int app_sdp(int argc, char **argv);
int app_ua(int argc, char **argv);
int app_demo(int argc, char **argv);
int app_zrtp(int argc, char **argv);

/* A command that only chooses among sub-commands ("vox", "vox sdp"). */
struct app_cmd {
	const char *name;
	int (*run)(int argc, char **argv); /* argv[0] is name */
	const char *summary;
};

struct app_group {
	const char *prog;    /* "vox sdp", for messages */
	const char *about;   /* printed after the commands by --help, or NULL */
	const char *version; /* answers --version when not NULL */
	const struct app_cmd *cmds;
	size_t n;
};

/* Runs the sub-command argv names after the group's own options (--help,
 * and --version when it has a version), or prints the group's help (to
 * stdout for --help, exit 0) or a usage error (to stderr, exit 2). */
int app_dispatch(const struct app_group *g, int argc, char **argv);

/* getopt_long for a command with operands: shortopts should begin with ':'
 * (so that a missing value is told apart from an unknown option); long
 * options are any unique prefix, --name=value or --name value, and "--" ends
 * the options. Returns the option's val, -1 once the options end (optind
 * then indexes the first operand), or '?' after printing, as prog, which
 * option was wrong: return app_try(prog) then. */
int app_getopt(const char *prog, int argc, char **argv, const char *shortopts,
               const struct option *opts);

/* Prints "prog: <message>" and how to get help, to stderr; returns
 * APP_ERROR. */
int app_usage_error(const char *prog, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The last line of a usage error alone (app_getopt printed the first). */
int app_try(const char *prog);

/* Reads a whole file ("-" or NULL for stdin) into *out, a malloc'd buffer of
 * exactly *len bytes (plus one spare NUL that is not part of the input).
 * Returns APP_OK; APP_REJECT when the input is larger than max (what
 * names the limit in the message: the input is refused, not misused); or
 * APP_ERROR when it cannot be read. Says why on stderr in both cases. */
int app_read_input(const char *path, size_t max, const char *what, char **out, size_t *len);

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
