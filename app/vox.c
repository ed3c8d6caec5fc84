/* vox: the command-line program. Each module adds one sub-command. */
#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "vox/srtp.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;
};

static const struct command commands[] = {
    {"sip", app_sip, "sip parse [--pretty] [--stream] [--proxy] [FILE|-]   dissect a SIP message"},
    {"sdp", app_sdp,
     "sdp parse|offer|answer ...                           dissect SDP, offer/answer"},
};

static int usage(FILE *f)
{
	fprintf(f, "usage: vox COMMAND ...\n\ncommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  vox %s\n", commands[i].help);
	return APP_USAGE;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage(stderr);
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return APP_OK;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(argv[1], commands[i].name) == 0) {
			int rc = commands[i].run(argc - 1, argv + 1);
			/* the SRTP suite probe set up libsrtp2; leave nothing behind
			 * for leak checkers (NSS, under Debian's libsrtp2, still keeps
			 * a few blocks of its own) */
#if VOX_WITH_SRTP
			vox_srtp_global_shutdown();
#endif
			return rc;
		}
	fprintf(stderr, "vox: unknown command '%s'\n", argv[1]);
	return usage(stderr);
}
