/* SPDX-License-Identifier: MIT */
/* vox zrtp: the ZRTP cache file (list the peers, forget one, mark its SAS
 * verified) and, for students, the SAS rendering of a 32-bit SAS value. */
#define _POSIX_C_SOURCE 200809L /* gmtime_r */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/app.h"
#include "vox/zrtp.h"

#if VOX_WITH_ZRTP

static const char cache_opts[] =
    "  -f, --file FILE  the cache file (as vox ua --zrtp-cache writes it)\n"
    "  -h, --help       this text\n"
    "\n"
    "ZID is a peer's ZRTP identifier, 24 hex digits, as list prints it. The\n"
    "file is checked as a whole: a damaged one is reported and left as it is.\n"
    "Exit 0 on success, 1 when the file is missing or damaged or the ZID is not\n"
    "in it, 2 on a usage error or a file that cannot be read or written.\n";

static const char list_help[] =
    "usage: vox zrtp cache list --file FILE\n"
    "Prints our own ZID and, one a line, every peer the cache remembers:\n"
    "its ZID, the retained secrets held (rs1, rs2), whether the SAS was\n"
    "verified, whether it is an enrolled PBX, when it was saved and when\n"
    "its secrets expire (RFC 6189 4.9).\n"
    "\n";
static const char forget_help[] =
    "usage: vox zrtp cache forget ZID --file FILE\n"
    "Removes a peer and its secrets: the next call with it counts as a first\n"
    "call (compare the SAS again). The file is rewritten atomically.\n"
    "\n";
static const char verify_help[] =
    "usage: vox zrtp cache verify ZID --file FILE\n"
    "Records that you compared the SAS with this peer and it matched: later\n"
    "calls whose retained secrets continue show it as verified. The file is\n"
    "rewritten atomically.\n"
    "\n";

/* The rng a new cache would draw its ZID from; these commands never write
 * a new cache, but loading one needs it. */
static int no_rng(void *ctx, uint8_t *out, size_t len)
{
	(void)ctx;
	memset(out, 0x5a, len);
	return 0;
}

static int read_cache(const char *prog, const char *path, struct vox_zrtp_file *f)
{
	struct vox_rng rng = {no_rng, NULL};
	memset(f, 0, sizeof *f);
	int rc = vox_zrtp_file_load(f, path, &rng);
	if (rc == VOX_ZRTP_FILE_READ)
		return APP_OK;
	if (rc == VOX_ZRTP_FILE_NEW)
		fprintf(stderr, "%s: %s: no such cache file\n", prog, path);
	else if (rc == VOX_ZRTP_FILE_DAMAGED)
		fprintf(stderr, "%s: %s: damaged: %s\n", prog, path, f->why);
	else
		fprintf(stderr, "%s: %s: cannot read it (%s)\n", prog, path, vox_strerror(rc));
	vox_zrtp_file_free(f);
	return rc < 0 ? APP_ERROR : APP_REJECT;
}

static void put_hex(const uint8_t *p, size_t n)
{
	char hex[2 * VOX_ZRTP_ZID_LEN + 1];
	if (n > VOX_ZRTP_ZID_LEN || vox_hex_encode(p, n, hex, sizeof hex) < 0)
		return;
	hex[2 * n] = 0;
	fputs(hex, stdout);
}

static void put_time(uint64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char buf[32];
	if ((uint64_t)tt != t || !gmtime_r(&tt, &tm) ||
	    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		printf("%llu", (unsigned long long)t);
	else
		fputs(buf, stdout);
}

static void list_entry(const struct vox_zrtp_secrets *e, uint64_t now)
{
	fputs("peer ", stdout);
	put_hex(e->zid, VOX_ZRTP_ZID_LEN);
	int rs1 = e->flags & VOX_ZRTP_RS1, rs2 = e->flags & VOX_ZRTP_RS2;
	printf("  secrets %s", rs1 && rs2 ? "rs1,rs2" : rs1 ? "rs1" : rs2 ? "rs2" : "none");
	printf("  sas %s", e->flags & VOX_ZRTP_VERIFIED ? "verified" : "not-verified");
	if (e->flags & VOX_ZRTP_PBX)
		fputs("  pbx enrolled", stdout);
	fputs("  saved ", stdout);
	if (e->saved)
		put_time(e->saved);
	else
		fputs("unknown", stdout);
	fputs("  expires ", stdout);
	if (e->expiry == VOX_ZRTP_NEVER)
		fputs("never", stdout);
	else if (!e->saved)
		printf("%lu s after saving", (unsigned long)e->expiry);
	else {
		put_time(e->saved + e->expiry);
		if (now >= e->saved + e->expiry)
			fputs(" (expired)", stdout);
	}
	fputc('\n', stdout);
}

/* The options of the cache commands, and the ZID operand where want_zid. */
static int cache_args(const char *prog, const char *help, int argc, char **argv, int want_zid,
                      const char **path, uint8_t zid[VOX_ZRTP_ZID_LEN])
{
	static const struct option opts[] = {
	    {"help", no_argument, NULL, 'h'}, {"file", required_argument, NULL, 'f'}, {0, 0, 0, 0}};
	int c;
	*path = NULL;
	while ((c = app_getopt(prog, argc, argv, ":hf:", opts)) != -1) {
		switch (c) {
		case 'h':
			fputs(help, stdout);
			fputs(cache_opts, stdout);
			return -1;
		case 'f': *path = optarg; break;
		default: return app_try(prog);
		}
	}
	if (!*path)
		return app_usage_error(prog, "missing --file FILE");
	int n = argc - optind;
	if (!want_zid && n > 0)
		return app_usage_error(prog, "takes no operand: '%s'", argv[optind]);
	if (want_zid && n == 0)
		return app_usage_error(prog, "missing ZID (24 hex digits)");
	if (want_zid && n > 1)
		return app_usage_error(prog, "one ZID only: '%s' is another", argv[optind + 1]);
	if (want_zid) {
		struct vox_slice s = vox_slice_cstr(argv[optind]);
		if (s.len != 2 * VOX_ZRTP_ZID_LEN ||
		    vox_hex_decode(s, zid, VOX_ZRTP_ZID_LEN) != VOX_ZRTP_ZID_LEN)
			return app_usage_error(prog, "'%s' is not a ZID (24 hex digits)",
			                       argv[optind]);
	}
	return APP_OK;
}

static int cmd_list(int argc, char **argv)
{
	const char *prog = "vox zrtp cache list", *path;
	uint8_t zid[VOX_ZRTP_ZID_LEN];
	int rc = cache_args(prog, list_help, argc, argv, 0, &path, zid);
	if (rc != APP_OK)
		return rc < 0 ? APP_OK : rc;
	static struct vox_zrtp_file f;
	if ((rc = read_cache(prog, path, &f)) != APP_OK)
		return rc;
	fputs("own ", stdout);
	put_hex(f.cache.zid, VOX_ZRTP_ZID_LEN);
	printf("  peers %zu\n", f.cache.n);
	time_t now = time(NULL);
	for (size_t i = 0; i < f.cache.n; i++)
		list_entry(&f.cache.e[i], now < 0 ? 0 : (uint64_t)now);
	vox_zrtp_file_free(&f);
	return APP_OK;
}

static int change(int argc, char **argv, int verify)
{
	const char *prog = verify ? "vox zrtp cache verify" : "vox zrtp cache forget", *path;
	uint8_t zid[VOX_ZRTP_ZID_LEN];
	int rc = cache_args(prog, verify ? verify_help : forget_help, argc, argv, 1, &path, zid);
	if (rc != APP_OK)
		return rc < 0 ? APP_OK : rc;
	static struct vox_zrtp_file f;
	if ((rc = read_cache(prog, path, &f)) != APP_OK)
		return rc;
	struct vox_zrtp_secrets *e = vox_zrtp_cache_find(&f.cache, zid);
	rc = APP_REJECT;
	if (!e)
		fprintf(stderr, "%s: %s: no peer with ZID %s\n", prog, path, argv[optind]);
	else if (verify && !(e->flags & VOX_ZRTP_RS1))
		fprintf(stderr, "%s: %s: no retained secret with %s to vouch for\n", prog, path,
		        argv[optind]);
	else {
		if (verify)
			e->flags |= VOX_ZRTP_VERIFIED;
		else if (vox_zrtp_cache_forget(&f.cache, zid) != 0)
			abort(); /* found just above */
		int w = vox_zrtp_file_save(&f);
		if (w < 0)
			fprintf(stderr, "%s: %s: cannot write it (%s); the old file is unchanged\n",
			        prog, path, vox_strerror(w));
		rc = w < 0 ? APP_ERROR : APP_OK;
	}
	vox_zrtp_file_free(&f);
	return rc;
}

static int cmd_forget(int argc, char **argv)
{
	return change(argc, argv, 0);
}

static int cmd_verify(int argc, char **argv)
{
	return change(argc, argv, 1);
}

static int cmd_cache(int argc, char **argv)
{
	static const struct app_cmd cmds[] = {
	    {"list", cmd_list, "the peers a cache file remembers"},
	    {"forget", cmd_forget, "remove a peer and its secrets"},
	    {"verify", cmd_verify, "record that the SAS with a peer was compared"}};
	static const struct app_group g = {"vox zrtp cache", NULL, NULL, cmds, 3};
	return app_dispatch(&g, argc, argv);
}

static const char sas_help[] =
    "usage: vox zrtp sas [--b256] HEX\n"
    "Renders a SAS value (RFC 6189 5.1.6) as the two people read it: HEX is the\n"
    "32-bit sasvalue, the leftmost 32 bits of sashash, as 8 hex digits. B32 (the\n"
    "default) reads its leftmost 20 bits as four characters of ZRTP's base 32;\n"
    "B256 its leftmost 16 bits as two words of the PGP word list.\n"
    "\n"
    "  --b256       two PGP words instead of four characters\n"
    "  -h, --help   this text\n"
    "\n"
    "Exit 0 with the rendering on stdout, 2 on a usage error.\n";

static int cmd_sas(int argc, char **argv)
{
	const char *prog = "vox zrtp sas";
	static const struct option opts[] = {
	    {"help", no_argument, NULL, 'h'}, {"b256", no_argument, NULL, 'b'}, {0, 0, 0, 0}};
	uint32_t scheme = VOX_ZRTP_B32;
	int c;
	while ((c = app_getopt(prog, argc, argv, ":h", opts)) != -1) {
		switch (c) {
		case 'h': fputs(sas_help, stdout); return APP_OK;
		case 'b': scheme = VOX_ZRTP_B256; break;
		default: return app_try(prog);
		}
	}
	if (optind >= argc)
		return app_usage_error(prog, "missing HEX (8 hex digits)");
	if (argc - optind > 1)
		return app_usage_error(prog, "one HEX only: '%s' is another", argv[optind + 1]);
	const char *hex = argv[optind];
	if (hex[0] == '0' && (hex[1] == 'x' || hex[1] == 'X'))
		hex += 2;
	uint8_t b[4];
	struct vox_slice s = vox_slice_cstr(hex);
	if (s.len != 8 || vox_hex_decode(s, b, sizeof b) != 4)
		return app_usage_error(prog, "'%s' is not a 32-bit value (8 hex digits)",
		                       argv[optind]);
	uint32_t v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	char out[VOX_ZRTP_SAS_MAX];
	if (vox_zrtp_sas_render(scheme, v, out, sizeof out) < 0) {
		fprintf(stderr, "%s: cannot render it\n", prog);
		return APP_ERROR;
	}
	printf("%s\n", out);
	return APP_OK;
}

int app_zrtp(int argc, char **argv)
{
	static const struct app_cmd cmds[] = {
	    {"cache", cmd_cache, "the retained-secret cache file: list, forget, verify"},
	    {"sas", cmd_sas, "render a 32-bit SAS value as B32 or B256"}};
	static const struct app_group g = {"vox zrtp", NULL, NULL, cmds, 2};
	return app_dispatch(&g, argc, argv);
}

#else

int app_zrtp(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "vox zrtp: this build has no ZRTP (VOX_WITH_ZRTP is 0)\n");
	return APP_ERROR;
}

#endif
