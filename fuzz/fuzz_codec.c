/* SPDX-License-Identifier: MIT */
/* core/ base64 and hex decoders: arbitrary bytes in; a decode that succeeds
 * must re-encode to exactly the input (one encoding per byte string). For
 * vox_base64_decode_any the input is the encoding with or without its
 * padding, nothing else. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_int.h"
#include "vox/base.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t out[512];
	char again[1024];
	struct vox_slice in = {(const char *)data, size};
	int n = vox_base64_decode(in, out, sizeof out);
	if (n >= 0) {
		int m = vox_base64_encode(out, (size_t)n, again, sizeof again);
		if (m != (int)size || memcmp(again, data, size) != 0)
			abort();
	}
	n = vox_base64_decode_any(in, out, sizeof out);
	if (n >= 0) {
		int m = vox_base64_encode(out, (size_t)n, again, sizeof again);
		size_t pad = (size_t)m - size;
		if (m < (int)size || pad > 2 || memcmp(again, data, size) != 0 ||
		    (pad && memcmp(again + size, "==", pad) != 0))
			abort();
	}
	n = vox_hex_decode(in, out, sizeof out);
	if (n >= 0) {
		int m = vox_hex_encode(out, (size_t)n, again, sizeof again);
		if (m != (int)size)
			abort();
		for (size_t i = 0; i < size; i++)
			if (again[i] !=
			    (char)(data[i] | ((data[i] >= 'A' && data[i] <= 'F') ? 0x20 : 0)))
				abort();
	}
	return 0;
}
