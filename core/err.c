/* SPDX-License-Identifier: MIT */
#include "vox/base.h"

const char *vox_strerror(int err)
{
	switch (err) {
	case VOX_OK: return "success";
	case VOX_EINCOMPLETE: return "incomplete input, more bytes needed";
	case VOX_EMALFORMED: return "malformed input";
	case VOX_ERANGE: return "number out of range";
	case VOX_EVERSION: return "unsupported protocol version";
	case VOX_ESCHEME: return "unsupported URI scheme";
	case VOX_ELIMIT: return "too many items for the configured limit";
	case VOX_ETOOLONG: return "item or message too long";
	case VOX_ENOSPC: return "output buffer too small";
	case VOX_EINVAL: return "invalid argument";
	case VOX_ESTATE: return "not allowed in the current state";
	case VOX_ENOTFOUND: return "not found";
	case VOX_EPOOL: return "object pool full";
	case VOX_EUNSUPPORTED: return "not supported";
	case VOX_EPOLICY: return "refused by security policy";
	case VOX_ECONFIG: return "caller built with another vox/config.h than the library";
	case VOX_EAUTH: return "authentication failed";
	case VOX_EREPLAY: return "replayed packet";
	case VOX_ETOOOLD: return "packet too old for the replay window";
	case VOX_ECRYPTO: return "cryptographic operation failed";
	case VOX_EKEYEXPIRED: return "key lifetime exhausted";
	case VOX_ERNG: return "random number generator failed";
	case VOX_EIO: return "transport error";
	case VOX_ETIMEOUT: return "timed out";
	case VOX_ECLOSED: return "connection closed";
	}
	return "unknown error";
}
