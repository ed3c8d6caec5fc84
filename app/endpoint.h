/* SPDX-License-Identifier: MIT */
/* One endpoint of the vox program: a UA on a loop (vox/loop.h), with a
 * voice (a tone, silence or a WAV file), an ear (a recording, the tone
 * detector) and a voice of its own on stdout (lines for a person, or one
 * JSON object per line). `vox ua` runs one, `vox demo` two. */
#ifndef VOX_APP_ENDPOINT_H
#define VOX_APP_ENDPOINT_H

#include <stdio.h>

#include "app/app.h"
#include "vox/loop.h"
#include "vox/sdp.h"
#include "vox/tls.h"

#define EP_MAX_LISTEN 8
/* The tone detector's window (samples) and candidate frequencies (Hz). */
#define EP_WINDOW  800
#define EP_TONE_LO 100
#define EP_TONE_HI 3800
#define EP_TONE_ST 10
#define EP_NTONES  ((EP_TONE_HI - EP_TONE_LO) / EP_TONE_ST + 1)

/* --media-enc: the key methods (docs/sdp.md): none, SDES, ZRTP, or both */
enum ep_media_enc { EP_ENC_OFF = 0, EP_ENC_SDES, EP_ENC_ZRTP, EP_ENC_SDES_ZRTP };

/* What the endpoint is asked to do; strings are the caller's and must
 * outlive the endpoint. */
struct ep_opts {
	const char *name; /* "alice": the person lines begin with it; NULL: none */
	const char *listen[EP_MAX_LISTEN];
	size_t nlisten;
	const char *account, *password, *registrar, *outbound;
	/* TLS: files, or the same in memory (vox demo) */
	const char *ca_file, *cert_file, *key_file, *pin_file;
	const uint8_t *ca, *cert, *key;
	size_t ca_len, cert_len, key_len;
	int insecure_no_verify;
	enum ep_media_enc media_enc;
	int require_encryption;
	int allow_sdes_over_insecure_hops;
	/* ZRTP: the file of our retained secrets (cache format 1, vox/zrtp.h),
	 * beside it FILE.zid our ZID; NULL: both in memory for this run */
	const char *zrtp_cache;
	const char *play;     /* tone:HZ, silence, FILE.wav; NULL: silence */
	const char *record;   /* OUT.wav or NULL */
	const char *call;     /* URI to call, or NULL */
	int answer;           /* answer every incoming call, up to VOX_UA_MAX_CALLS at once */
	int no_media;         /* signalling only (a load test): every incoming call is
	                         answered at once, with no media socket, no audio and no
	                         record of its own (--no-media) */
	uint32_t answer_ms;   /* after this long */
	uint32_t duration_ms; /* each call lasts so long once answered (0: until the peer
	                         ends it); with no call to place or answer, how long to run */
	unsigned max_calls;   /* --answer: stop once so many calls ended (0: no limit) */
	uint32_t run_ms;      /* stop so long after the start (0: no limit) */
	/* TLS: our tls: listener requires a client certificate (mutual TLS) */
	int require_client_cert;
	uint32_t handshake_ms; /* TLS handshake time limit (0: the loop's default) */
	const char *ha1;       /* digest with this HA1 (hex) instead of the password */
	enum vox_sdp_codec codecs[2];
	uint8_t n_codecs; /* 0: PCMU, PCMA */
	const char *dtmf; /* digits to send once the call is up */
	int json, trace;
	FILE *out; /* where events go (stdout) */
};

/* What the endpoint heard and did, for media_stats. */
struct ep_stats {
	uint64_t sent, received;
	int32_t lost;
	uint32_t jitter_ms;
	uint64_t srtp_failures;
	enum vox_ua_protection prot;
	int hop_verified; /* the call's signalling came over a verified TLS hop */
	float tone_hz;    /* the strongest tone heard, 0 if none */
	float tone_power; /* its mean share of the energy, 0..1 */
};

/* One call and what the endpoint does with it: its own voice (the tone's
 * phase, its place in the WAV file), its own ear (the tone detector) and
 * its own figures. */
struct ep_call {
	vox_ua_handle h; /* 0: free */
	unsigned seq;    /* 1, 2, ...: the order calls began in */
	int up, ended, stats_printed;
	uint64_t t_answer, t_hangup; /* 0: none */
	uint32_t phase;
	size_t wav_pos;
	const char *dtmf_left;
	int16_t win[EP_WINDOW];
	size_t win_len;
	double power[EP_NTONES];
	unsigned windows;
	struct ep_stats st;
};

struct ep {
	struct ep_opts o;
	struct vox_ua ua;
	struct vox_loop loop;
	struct json j;
#if VOX_WITH_TLS
	struct vox_tls_rng rng;
	struct vox_tls_config tls_server, tls_client;
	struct vox_tls_pin_file pins;
	FILE *keylog;
#endif
	uint8_t have_rng, have_server, have_client;
	char host[64];
	char lhost[VOX_UA_MAX_LISTENERS - 1][64]; /* the other listeners' hosts */
	struct vox_addr bound[EP_MAX_LISTEN];
	enum vox_transport bound_tp[EP_MAX_LISTEN];
	struct vox_peer outbound;
	vox_ua_handle account;
	vox_ua_handle call; /* the call we placed (--call), 0: none */
	struct ep_call calls[VOX_UA_MAX_CALLS];
	unsigned ncalls;          /* records of calls[] in use: no scan of it when 0 */
	unsigned seq;             /* calls begun */
	unsigned answered, ended; /* calls answered, calls ended (--no-media: counted
	                             without records) */
	int call_up;              /* the call we placed was answered */
	uint64_t t_start, t_end;
	int done;
	int failed; /* the job failed: exit 1 */
	const char *why;
	/* the voice */
	float tone;
	int16_t *wav;
	size_t wav_len;
	uint64_t next_frame;
	FILE *rec; /* the first call's sound */
	uint32_t rec_samples;
	struct ep_stats st; /* of the latest call that ended (or the one up at the end) */
	int last_verified;  /* the latest TLS connection's peer was verified */
#if VOX_MEDIA_ZRTP
	/* ZRTP's retained secrets and our ZID: the --zrtp-cache file, or this
	 * run's only (in memory) */
	struct vox_zrtp_file zfile;
	struct vox_zrtp_cache zcache;
	uint8_t zid[VOX_ZRTP_ZID_LEN];
	char sas[VOX_ZRTP_SAS_MAX]; /* the latest call's SAS once ZRTP said it, "" before */
#endif
	struct vox_sdp trace_sdp; /* --trace: a body, parsed to print it redacted */
	char trace_out[8192];
};

/* Parses a --play or --listen value; 0 or an error message (static). */
const char *ep_check_play(const char *spec);
const char *ep_check_listen(const char *spec);

/* Sets the endpoint up from o (copied): the TLS configs, the listeners
 * (printed), the UA, the registration and the call. Returns APP_OK, or
 * APP_ERROR (usage: a message on stderr says what) or APP_REJECT (the
 * job failed at once: a refused call, a port in use). */
int ep_start(struct ep *e, const struct ep_opts *o);
/* One turn of the loop, sleeping at most until `until`; handles events,
 * the voice and the timers. Returns 0, or APP_REJECT when the loop broke. */
int ep_step(struct ep *e, uint64_t until);
/* The earliest time ep_step wants to run again (next audio frame, answer
 * or hang-up timer). */
uint64_t ep_next(const struct ep *e);
/* Ends what is left (hangs up, unregisters: bounded), prints media_stats. */
void ep_finish(struct ep *e);
void ep_free(struct ep *e);

#endif
