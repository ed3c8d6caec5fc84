/* SPDX-License-Identifier: MIT */
/* The public headers from C++ (part of make check): every public header
 * compiles with g++ and its functions link against libvox.a with C names
 * (the extern "C" guards). One call per header; the Makefile checks that
 * this file names every header. */
#include <cstdio>
#include <cstring>

#include "vox/base.h"
#include "vox/config.h"
#include "vox/dialog.h"
#include "vox/loop.h"
#include "vox/digest.h"
#include "vox/media.h"
#include "vox/rtp.h"
#include "vox/sdp.h"
#include "vox/sip.h"
#include "vox/sip_txn.h"
#include "vox/srtp.h"
#include "vox/suite.h"
#include "vox/tls.h"
#include "vox/ua.h"
#include "vox/zrtp.h"

static int failed;

static void expect(bool ok, const char *what)
{
	if (!ok) {
		std::printf("cxx_headers: FAILED: %s\n", what);
		failed = 1;
	}
}

int main()
{
	/* base.h: the run-time version is the one of these headers */
	expect(std::strcmp(vox_version(), VOX_VERSION_STRING) == 0, "vox_version()");
	expect(std::strcmp(vox_strerror(VOX_EINVAL), "invalid argument") == 0, "vox_strerror");
	/* sip.h */
	expect(vox_sip_method_id(vox_slice_cstr("INVITE")) == VOX_SIP_INVITE, "vox_sip_method_id");
	/* dialog.h */
	static struct vox_sip_dialog dlg;
	expect(vox_sip_dialog_first_hop(&dlg).len == 0, "vox_sip_dialog_first_hop");
	/* digest.h */
	expect(std::strcmp(vox_digest_alg_name(VOX_DIGEST_MD5), "MD5") == 0, "vox_digest_alg_name");
	/* sip_txn.h */
	static struct vox_sip_txn txns[2];
	static struct vox_sip_chunk chunks[128]; /* one message of VOX_SIP_TXN_MSG and its id */
	static struct vox_sip_txl txl;
	expect(vox_sip_txl_init(&txl, txns, 2, chunks, 128, NULL) == 0, "vox_sip_txl_init");
	expect(vox_sip_txl_init_fp(&txl, txns, 2, chunks, 128, NULL, VOX_CONFIG_FINGERPRINT + 1) ==
	           VOX_ECONFIG,
	       "vox_sip_txl_init_fp refuses another configuration");
	/* rtp.h */
	static struct vox_jb jb;
	vox_jb_init(&jb);
	/* suite.h */
	expect(vox_srtp_suite_by_name(vox_slice_cstr("AES_CM_128_HMAC_SHA1_80")) ==
	           VOX_SRTP_AES_CM_128_HMAC_SHA1_80,
	       "vox_srtp_suite_by_name");
	/* sdp.h */
	expect(std::strcmp(vox_sdp_codec_name(VOX_SDP_CODEC_PCMU), "PCMU") == 0,
	       "vox_sdp_codec_name");
	/* media.h */
	expect(std::strcmp(vox_media_prot_name(VOX_MEDIA_PROT_NONE), "none") == 0,
	       "vox_media_prot_name");
	/* ua.h */
	expect(vox_ua_protection_name(VOX_UA_PROT_NONE)[0] != 0, "vox_ua_protection_name");
#if VOX_WITH_SRTP
	/* srtp.h */
	static struct vox_srtp_session srtp;
	vox_srtp_session_init(&srtp);
	vox_srtp_session_free(&srtp);
#endif
#if VOX_WITH_TLS
	/* tls.h */
	expect(std::strcmp(vox_tls_cause_name(VOX_TLS_CAUSE_EXPIRED), "expired") == 0,
	       "vox_tls_cause_name");
#endif
#if VOX_WITH_ZRTP
	/* zrtp.h */
	static const uint8_t digits[4] = {'1', '2', '3', '4'};
	expect(vox_zrtp_crc32c(digits, 4) != 0 && VOX_ZRTP_S256 == 0x53323536u, "vox_zrtp_crc32c");
#endif
	if (!failed)
		std::printf(
		    "cxx_headers: every public header compiles and links from C++ (vox %s)\n",
		    vox_version());
	return failed;
}
