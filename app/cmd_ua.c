/* SPDX-License-Identifier: MIT */
/* vox ua: one SIP endpoint on real sockets: registers, calls or answers,
 * plays a tone or a file, listens, and says how secure the call was. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app/endpoint.h"

static const char ua_help[] =
    "usage: vox ua [OPTION]...\n"
    "Runs one SIP endpoint (a user agent) on real sockets until its job is done:\n"
    "the call it placed ended; answering, --calls calls ended; --run elapsed;\n"
    "or SIGINT/SIGTERM. Then it hangs up what is still up, waits (2 s at most)\n"
    "for the answers to its BYEs, unregisters, and exits.\n"
    "\n"
    "Where it listens and who it is:\n"
    "  --listen udp:HOST:PORT|tcp:HOST:PORT|tls:HOST:PORT\n"
    "                        a listening socket (several allowed; the first names\n"
    "                        our Via and Contact; PORT 0: the system picks one,\n"
    "                        printed); default udp:0.0.0.0:5060\n"
    "  --account URI         our address of record (sip:alice@example.com)\n"
    "  --password TEXT       its digest password\n"
    "  --ha1 HEX             instead of --password: the digest HA1,\n"
    "                        H(user:realm:password) as a registrar stores it\n"
    "                        (32 hex digits: MD5, 64: SHA-256); it fits one realm\n"
    "  --registrar URI       register the account there first\n"
    "  --outbound-proxy URI  send every request there\n"
    "TLS (docs/tls.md):\n"
    "  --ca FILE             trust anchors (PEM or DER); default the system store\n"
    "  --cert FILE, --key FILE  our certificate and key (a tls: listener needs\n"
    "                        them; a client shows them when asked)\n"
    "  --pin-file FILE       trust a self-signed server on first use, pinned in FILE\n"
    "  --insecure-no-verify  check no server certificate (a warning says so; SDES\n"
    "                        keys are then not sent to it)\n"
    "  --require-client-cert our tls: listeners refuse a client that shows no\n"
    "                        certificate issued by a --ca (mutual TLS)\n"
    "  --tls-handshake-timeout SECONDS  a TLS handshake not done so long after its\n"
    "                        TCP connection is up is closed (default 5): a peer\n"
    "                        that connects and says nothing holds no slot longer\n"
    "Media:\n"
    "  --media-enc off|sdes|zrtp|sdes+zrtp\n"
    "                        how SRTP keys are agreed: in the SDP (sdes, the\n"
    "                        default), by ZRTP in the media path, end to end (zrtp:\n"
    "                        read the SAS to your peer), or both; off: clear RTP\n"
    "  --zrtp-cache FILE     our ZID and ZRTP's retained secrets per peer, in one\n"
    "                        file: later calls continue the first; default: kept\n"
    "                        in memory for this run only\n"
    "  --require-encryption  never accept clear media\n"
    "  --allow-sdes-over-insecure-hops  send and accept SDES keys over hops that\n"
    "                        are not verified TLS (anyone on the path reads them)\n"
    "  --play tone:HZ|silence|FILE.wav  what we say (8 kHz 16-bit mono WAV)\n"
    "  --record OUT.wav      what we hear\n"
    "  --dtmf DIGITS         send these digits (RFC 4733) once the call is up\n"
    "  --codecs LIST         pcmu, pcma or both, in our order of preference\n"
    "                        (default pcmu,pcma); telephone-event is always offered\n"
    "The job:\n"
    "  --call URI            call URI (after registering, with --registrar)\n"
    "  --answer[=SECONDS]    answer every incoming call (after SECONDS; default at\n"
    "                        once), several at a time (up to VOX_UA_MAX_CALLS),\n"
    "                        each with its own media, tone detector and figures\n"
    "  --no-media            with --answer, for load tests: signalling only; every\n"
    "                        call answered at once with no media socket, no audio\n"
    "                        and no line of its own (the SDP names the discard\n"
    "                        port, 9); at the end one line (event answered) counts\n"
    "                        them\n"
    "  --calls N             with --answer: stop once N calls have ended\n"
    "                        (default: answer until --run or a signal)\n"
    "  --duration SECONDS    hang up each call so long after its answer; with no\n"
    "                        call to place or answer, run so long\n"
    "  --run SECONDS         stop so long after the start, whatever is going on\n"
    "Output:\n"
    "  --json                one JSON object per line on stdout (events: listening,\n"
    "                        registered, registration_failed, incoming, call_state,\n"
    "                        media_security, tls_open, tls_failed, conn_closed,\n"
    "                        dtmf, media_stats, answered, zrtp_sas, zrtp_new_peer,\n"
    "                        zrtp_cache_mismatch, zrtp_hash_mismatch, zrtp_pbx,\n"
    "                        zrtp_failed; a call's events name it: \"call\":N)\n"
    "  --trace               the SIP messages on stderr, SDES keys redacted\n"
    "  -h, --help            this text\n"
    "\n"
    "Exit 0 when the job succeeded, 1 when it failed (a refused call, a TLS or\n"
    "registration failure, clear media under --require-encryption), 2 on a\n"
    "usage error.\n";

static volatile sig_atomic_t stop_now;

static void on_signal(int sig)
{
	(void)sig;
	stop_now = 1;
}

/* "pcmu", "pcma", "pcmu,pcma" or "pcma,pcmu" into o; NULL or why not. */
static const char *parse_codecs(const char *list, struct ep_opts *o)
{
	o->n_codecs = 0;
	for (const char *p = list; *p;) {
		size_t n = strcspn(p, ",");
		enum vox_sdp_codec c;
		if (n == 4 && strncasecmp(p, "pcmu", 4) == 0)
			c = VOX_SDP_CODEC_PCMU;
		else if (n == 4 && strncasecmp(p, "pcma", 4) == 0)
			c = VOX_SDP_CODEC_PCMA;
		else
			return "codecs are pcmu and pcma (G.711), comma-separated";
		if (o->n_codecs == 2 || (o->n_codecs == 1 && o->codecs[0] == c))
			return "each codec at most once";
		o->codecs[o->n_codecs++] = c;
		p += n;
		if (*p == ',' && *++p == 0)
			return "a codec after the comma";
	}
	return o->n_codecs ? NULL : "at least one codec";
}

/* A number of seconds (fractions allowed) into ms, or -1. */
static long seconds_ms(const char *s)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || v < 0 || v > 86400)
		return -1;
	return (long)(v * 1000 + 0.5);
}

int app_ua(int argc, char **argv)
{
	static const char prog[] = "vox ua";
	enum {
		O_LISTEN = 256,
		O_ACCOUNT,
		O_PASSWORD,
		O_REGISTRAR,
		O_OUTBOUND,
		O_CA,
		O_CERT,
		O_KEY,
		O_PIN,
		O_INSECURE,
		O_MEDIA_ENC,
		O_ZRTP_CACHE,
		O_REQUIRE,
		O_ALLOW_SDES,
		O_PLAY,
		O_RECORD,
		O_CALL,
		O_ANSWER,
		O_NO_MEDIA,
		O_DURATION,
		O_DTMF,
		O_JSON,
		O_TRACE,
		O_HA1,
		O_CODECS,
		O_CALLS,
		O_RUN,
		O_REQ_CLIENT_CERT,
		O_HANDSHAKE
	};
	static const struct option opts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {"listen", required_argument, NULL, O_LISTEN},
	    {"account", required_argument, NULL, O_ACCOUNT},
	    {"password", required_argument, NULL, O_PASSWORD},
	    {"registrar", required_argument, NULL, O_REGISTRAR},
	    {"outbound-proxy", required_argument, NULL, O_OUTBOUND},
	    {"ca", required_argument, NULL, O_CA},
	    {"cert", required_argument, NULL, O_CERT},
	    {"key", required_argument, NULL, O_KEY},
	    {"pin-file", required_argument, NULL, O_PIN},
	    {"insecure-no-verify", no_argument, NULL, O_INSECURE},
	    {"media-enc", required_argument, NULL, O_MEDIA_ENC},
	    {"zrtp-cache", required_argument, NULL, O_ZRTP_CACHE},
	    {"require-encryption", no_argument, NULL, O_REQUIRE},
	    {"allow-sdes-over-insecure-hops", no_argument, NULL, O_ALLOW_SDES},
	    {"play", required_argument, NULL, O_PLAY},
	    {"record", required_argument, NULL, O_RECORD},
	    {"call", required_argument, NULL, O_CALL},
	    {"answer", optional_argument, NULL, O_ANSWER},
	    {"no-media", no_argument, NULL, O_NO_MEDIA},
	    {"duration", required_argument, NULL, O_DURATION},
	    {"dtmf", required_argument, NULL, O_DTMF},
	    {"json", no_argument, NULL, O_JSON},
	    {"trace", no_argument, NULL, O_TRACE},
	    {"ha1", required_argument, NULL, O_HA1},
	    {"codecs", required_argument, NULL, O_CODECS},
	    {"calls", required_argument, NULL, O_CALLS},
	    {"run", required_argument, NULL, O_RUN},
	    {"require-client-cert", no_argument, NULL, O_REQ_CLIENT_CERT},
	    {"tls-handshake-timeout", required_argument, NULL, O_HANDSHAKE},
	    {0, 0, 0, 0}};
	struct ep_opts o;
	memset(&o, 0, sizeof o);
	o.media_enc = EP_ENC_SDES;
	o.out = stdout;
	int c;
	long ms;
	const char *why;
	while ((c = app_getopt(prog, argc, argv, ":h", opts)) != -1) {
		switch (c) {
		case 'h': fputs(ua_help, stdout); return APP_OK;
		case O_LISTEN:
			if ((why = ep_check_listen(optarg)))
				return app_usage_error(prog, "--listen %s: %s", optarg, why);
			if (o.nlisten == EP_MAX_LISTEN)
				return app_usage_error(prog, "--listen: at most %d listeners",
				                       EP_MAX_LISTEN);
			o.listen[o.nlisten++] = optarg;
			break;
		case O_ACCOUNT: o.account = optarg; break;
		case O_PASSWORD: o.password = optarg; break;
		case O_REGISTRAR: o.registrar = optarg; break;
		case O_OUTBOUND: o.outbound = optarg; break;
		case O_CA: o.ca_file = optarg; break;
		case O_CERT: o.cert_file = optarg; break;
		case O_KEY: o.key_file = optarg; break;
		case O_PIN: o.pin_file = optarg; break;
		case O_INSECURE: o.insecure_no_verify = 1; break;
		case O_MEDIA_ENC:
			if (strcmp(optarg, "off") == 0)
				o.media_enc = EP_ENC_OFF;
			else if (strcmp(optarg, "sdes") == 0)
				o.media_enc = EP_ENC_SDES;
			else if (strcmp(optarg, "zrtp") == 0 && VOX_MEDIA_ZRTP)
				o.media_enc = EP_ENC_ZRTP;
			else if (strcmp(optarg, "sdes+zrtp") == 0 && VOX_MEDIA_ZRTP)
				o.media_enc = EP_ENC_SDES_ZRTP;
			else if (strcmp(optarg, "zrtp") == 0 || strcmp(optarg, "sdes+zrtp") == 0)
				return app_usage_error(prog,
				                       "--media-enc %s: this build has no ZRTP "
				                       "(VOX_WITH_ZRTP 0)",
				                       optarg);
			else
				return app_usage_error(
				    prog, "--media-enc %s: off, sdes, zrtp or sdes+zrtp", optarg);
			break;
		case O_ZRTP_CACHE: o.zrtp_cache = optarg; break;
		case O_REQUIRE: o.require_encryption = 1; break;
		case O_ALLOW_SDES: o.allow_sdes_over_insecure_hops = 1; break;
		case O_PLAY:
			if ((why = ep_check_play(optarg)))
				return app_usage_error(prog, "--play %s: %s", optarg, why);
			o.play = optarg;
			break;
		case O_RECORD: o.record = optarg; break;
		case O_CALL: o.call = optarg; break;
		case O_ANSWER:
			o.answer = 1;
			if (optarg && (ms = seconds_ms(optarg)) < 0)
				return app_usage_error(prog, "--answer=%s: a number of seconds",
				                       optarg);
			o.answer_ms = optarg ? (uint32_t)ms : 0;
			break;
		case O_NO_MEDIA: o.no_media = 1; break;
		case O_DURATION:
			if ((ms = seconds_ms(optarg)) <= 0)
				return app_usage_error(
				    prog, "--duration %s: a number of seconds above 0", optarg);
			o.duration_ms = (uint32_t)ms;
			break;
		case O_DTMF:
			if (!*optarg || strspn(optarg, "0123456789*#ABCD") != strlen(optarg))
				return app_usage_error(prog, "--dtmf %s: digits 0-9, *, #, A-D",
				                       optarg);
			o.dtmf = optarg;
			break;
		case O_HA1: {
			size_t n = strlen(optarg);
			if ((n != 32 && n != 64) || strspn(optarg, "0123456789abcdefABCDEF") != n)
				return app_usage_error(prog,
				                       "--ha1 %s: 32 hex digits (MD5) or 64 "
				                       "(SHA-256)",
				                       optarg);
			o.ha1 = optarg;
			break;
		}
		case O_CODECS:
			if ((why = parse_codecs(optarg, &o)))
				return app_usage_error(prog, "--codecs %s: %s", optarg, why);
			break;
		case O_CALLS: {
			char *end;
			errno = 0;
			unsigned long n = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || n < 1 || n > 1000000)
				return app_usage_error(
				    prog, "--calls %s: a number from 1 to 1000000", optarg);
			o.max_calls = (unsigned)n;
			break;
		}
		case O_RUN:
			if ((ms = seconds_ms(optarg)) <= 0)
				return app_usage_error(
				    prog, "--run %s: a number of seconds above 0", optarg);
			o.run_ms = (uint32_t)ms;
			break;
		case O_REQ_CLIENT_CERT: o.require_client_cert = 1; break;
		case O_HANDSHAKE:
			if ((ms = seconds_ms(optarg)) <= 0)
				return app_usage_error(
				    prog, "--tls-handshake-timeout %s: a number of seconds above 0",
				    optarg);
			o.handshake_ms = (uint32_t)ms;
			break;
		case O_JSON: o.json = 1; break;
		case O_TRACE: o.trace = 1; break;
		default: return app_try(prog);
		}
	}
	if (optind < argc)
		return app_usage_error(prog, "unexpected argument '%s'", argv[optind]);
	if (o.require_encryption && o.media_enc == EP_ENC_OFF)
		return app_usage_error(prog, "--require-encryption with --media-enc off: no call "
		                             "could ever be made");
	if (o.no_media && (!o.answer || o.call || o.play || o.record || o.dtmf))
		return app_usage_error(prog,
		                       "--no-media is for a callee under load: give it with "
		                       "--answer, without --call, --play, --record or --dtmf");
	if (o.no_media && o.answer_ms)
		return app_usage_error(prog, "--no-media answers at once: --answer takes no delay "
		                             "with it");
	if (o.no_media && o.duration_ms)
		return app_usage_error(prog, "--no-media: the callers end their calls; bound the "
		                             "run with --run or --calls, not --duration");
	if (o.registrar && !o.account)
		return app_usage_error(prog, "--registrar needs --account");
	if (o.ha1 && o.password)
		return app_usage_error(prog, "--ha1 and --password: give one of them");
	if (o.max_calls && !o.answer)
		return app_usage_error(prog, "--calls needs --answer");
	if (!o.call && !o.answer && !o.duration_ms && !o.registrar && !o.run_ms)
		return app_usage_error(prog, "nothing to do: give --call, --answer, --registrar, "
		                             "--duration or --run");
	if (o.call && strncmp(o.call, "sip:", 4) && strncmp(o.call, "sips:", 5))
		return app_usage_error(prog, "--call %s: a sip: or sips: URI", o.call);

	struct ep *e = calloc(1, sizeof *e);
	if (!e) {
		perror(prog);
		return APP_REJECT;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGTERM, &sa, NULL);
	int rc = ep_start(e, &o);
	if (rc == APP_OK) {
		while (!e->done && !stop_now)
			(void)ep_step(e, vox_clock_ms() + 1000);
		ep_finish(e);
		if (e->failed) {
			if (!o.json)
				fprintf(stderr, "vox ua: %s\n", e->why);
			rc = APP_REJECT;
		}
	}
	ep_free(e);
	free(e);
	return rc;
}
