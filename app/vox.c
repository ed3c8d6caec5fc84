/* SPDX-License-Identifier: MIT */
/* vox: the command-line program. Each module adds one sub-command. */
#include <stdio.h>

#include "app/app.h"
#include "vox/srtp.h"

static const struct app_cmd commands[] = {
    {"sip", app_sip, "SIP messages: parse (dissect one, or a TCP stream, and judge it)"},
    {"sdp", app_sdp, "session descriptions: parse, offer, answer (SDES keys, SRTP policy)"},
    {"demo", app_demo, "a secure call on this machine: TLS, SRTP, a tone each way"},
    {"ua", app_ua, "one SIP endpoint on real sockets: register, call, answer, play, listen"},
    {"zrtp", app_zrtp, "ZRTP: the retained-secret cache file, the SAS of a value"},
};

static const struct app_group vox = {
    "vox",
    "\nOptions:\n"
    "  -h, --help     this text\n"
    "  -V, --version  the version of vox\n"
    "\nExit codes, for every command: 0 the input is good, 1 it is refused (the\n"
    "reason on stderr), 2 a usage error, an input that cannot be read or an\n"
    "output that cannot be written.\n",
    VOX_VERSION_STRING, commands, sizeof commands / sizeof commands[0]};

int main(int argc, char **argv)
{
	/* libsrtp2's process-wide set-up, once, before any subcommand; shut
	 * down again only if it was ours, so that leak checkers see nothing
	 * left (NSS, under Debian's libsrtp2, still keeps a few blocks) */
#if VOX_WITH_SRTP
	int srtp_ours = vox_srtp_global_init() == 0;
#endif
	int rc = app_dispatch(&vox, argc, argv);
#if VOX_WITH_SRTP
	if (srtp_ours)
		vox_srtp_global_shutdown();
#endif
	/* A full disk or a closed pipe must not pass for a clean run: the
	 * output is the answer (vox --help >/dev/full exits 2). */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("vox: writing the output");
		return APP_ERROR;
	}
	return rc;
}
