/* SPDX-License-Identifier: MIT */
/*
 * transport/tls_file.c: the two helpers of vox/tls.h that write files: the
 * reference pin store for trust on first use, and the key-log sink. The
 * engine itself only calls the hooks (struct vox_tls_pins, keylog).
 */
#include "vox/config.h"

#if VOX_WITH_TLS

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vox/tls.h"

/* host, a space, 64 hex digits, a line end, and the NUL fgets adds */
#define PIN_LINE (VOX_TLS_MAX_HOST + 1 + 2 * VOX_TLS_FP_LEN + 2)

static int host_eq(const char *a, size_t alen, struct vox_slice b)
{
	return alen == b.len && vox_slice_case_eq((struct vox_slice){a, alen}, b);
}

/* One line: 1 and *fp when it is host's, 0 when another host's, or
 * VOX_EMALFORMED. */
static int pin_line(const char *line, size_t n, struct vox_slice host, uint8_t fp[VOX_TLS_FP_LEN])
{
	const char *sp = memchr(line, ' ', n);
	if (!sp || sp == line)
		return VOX_EMALFORMED;
	size_t hlen = (size_t)(sp - line);
	uint8_t tmp[VOX_TLS_FP_LEN];
	struct vox_slice hex = {sp + 1, n - hlen - 1};
	if (hex.len != 2 * VOX_TLS_FP_LEN || vox_hex_decode(hex, tmp, sizeof tmp) != VOX_TLS_FP_LEN)
		return VOX_EMALFORMED;
	if (!host_eq(line, hlen, host))
		return 0;
	memcpy(fp, tmp, sizeof tmp);
	return 1;
}

int vox_tls_pin_file_lookup(void *ctx, struct vox_slice host, uint8_t fp[VOX_TLS_FP_LEN])
{
	const struct vox_tls_pin_file *pf = ctx;
	if (!pf || !pf->path || !fp)
		return VOX_EINVAL;
	FILE *f = fopen(pf->path, "r");
	if (!f)
		return errno == ENOENT ? 0 : VOX_EIO;
	char line[PIN_LINE];
	int r = 0;
	while (r == 0 && fgets(line, sizeof line, f)) {
		size_t n = strlen(line);
		if (n > 0 && line[n - 1] == '\n')
			n--;
		else if (!feof(f))
			r = VOX_EMALFORMED; /* longer than any line we write */
		/* a damaged line may be this host's pin: never read past it as if
		 * the host had none, which would pin a new certificate */
		if (r == 0)
			r = pin_line(line, n, host, fp);
	}
	if (r == 0 && ferror(f))
		r = VOX_EIO;
	fclose(f);
	return r;
}

int vox_tls_pin_file_store(void *ctx, struct vox_slice host, const uint8_t fp[VOX_TLS_FP_LEN])
{
	const struct vox_tls_pin_file *pf = ctx;
	if (!pf || !pf->path || !fp || !host.p || host.len == 0 || host.len > VOX_TLS_MAX_HOST)
		return VOX_EINVAL;
	for (size_t i = 0; i < host.len; i++)
		if (host.p[i] == ' ' || host.p[i] == '\n' || host.p[i] == '\r' || host.p[i] == '\0')
			return VOX_EINVAL;
	uint8_t old[VOX_TLS_FP_LEN];
	int r = vox_tls_pin_file_lookup(ctx, host, old);
	if (r < 0)
		return r;
	if (r == 1)
		return memcmp(old, fp, sizeof old) == 0 ? 0 : VOX_EPOLICY;
	char hex[2 * VOX_TLS_FP_LEN];
	if (vox_hex_encode(fp, VOX_TLS_FP_LEN, hex, sizeof hex) != (int)sizeof hex)
		return VOX_EINVAL;
	FILE *f = fopen(pf->path, "a");
	if (!f)
		return VOX_EIO;
	int bad = fwrite(host.p, 1, host.len, f) != host.len || fputc(' ', f) == EOF ||
	          fwrite(hex, 1, sizeof hex, f) != sizeof hex || fputc('\n', f) == EOF ||
	          fflush(f) != 0;
	if (fclose(f) != 0)
		bad = 1;
	return bad ? VOX_EIO : 0;
}

void vox_tls_keylog_file(void *ctx, struct vox_slice line)
{
	FILE *f = ctx;
	if (!f)
		return;
	(void)!fwrite(line.p, 1, line.len, f);
	(void)!fputc('\n', f);
	(void)!fflush(f);
}

#endif /* VOX_WITH_TLS */
