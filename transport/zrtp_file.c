/* SPDX-License-Identifier: MIT */
/*
 * transport/zrtp_file.c: the ZRTP cache file (vox/zrtp.h), the store port
 * for a host with a POSIX file system. It lives here, in the folder that
 * touches the operating system, because zrtp/ does no I/O and reads no
 * clock: a device keeps the same byte form in flash with its own store.
 * Why the write is done this way: a crash or a full disk in the middle of
 * it must leave the old cache whole, since the retained secrets in it are
 * what protects the next call (RFC 6189 4.6.1), so the new one is written
 * beside it and renamed over it only once it is on the disk.
 */
#define _POSIX_C_SOURCE 200809L

#include "vox/config.h"

#if VOX_WITH_ZRTP

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/core_int.h"
#include "vox/zrtp.h"

#define FILE_MAX VOX_ZRTP_CACHE_BYTES(VOX_ZRTP_CACHE_MAX)
#define PATH_CAP 4096
#define TMP_TAIL ".XXXXXX"

static uint64_t wall_now(const struct vox_zrtp_file *f)
{
	if (f->now)
		return f->now();
	time_t t = time(NULL);
	return t < 0 ? 0 : (uint64_t)t;
}

/* Reads at most cap bytes; *len > max says the file is larger. */
static int read_all(int fd, uint8_t *buf, size_t cap, size_t *len)
{
	size_t n = 0;
	while (n < cap) {
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return VOX_EIO;
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*len = n;
	return 0;
}

static int new_zid(struct vox_zrtp_file *f, const struct vox_rng *rng)
{
	vox_zrtp_cache_free(&f->cache);
	/* 4.9: a ZID is random, and never all zeros (our "none yet") */
	for (int i = 0; i < 8; i++) {
		if (rng->fn(rng->ctx, f->cache.zid, VOX_ZRTP_ZID_LEN) != 0)
			return VOX_ERNG;
		for (size_t k = 0; k < VOX_ZRTP_ZID_LEN; k++)
			if (f->cache.zid[k])
				return 0;
	}
	return VOX_ERNG;
}

int vox_zrtp_file_load(struct vox_zrtp_file *f, const char *path, const struct vox_rng *rng)
{
	if (!f || !path || !rng || !rng->fn)
		return VOX_EINVAL;
	uint64_t (*now)(void) = f->now;
	memset(f, 0, sizeof *f);
	f->now = now;
	f->path = path;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT)
			return VOX_EIO;
		int rc = new_zid(f, rng);
		return rc < 0 ? rc : VOX_ZRTP_FILE_NEW;
	}
	uint8_t *buf = malloc(FILE_MAX + 1);
	if (!buf) {
		close(fd);
		return VOX_EIO;
	}
	size_t len = 0;
	int rc = read_all(fd, buf, FILE_MAX + 1, &len);
	close(fd);
	if (rc == 0) {
		rc = len > FILE_MAX ? VOX_ELIMIT : vox_zrtp_cache_decode(buf, len, &f->cache);
		if (rc >= 0) {
			int zero = 1;
			for (size_t k = 0; k < VOX_ZRTP_ZID_LEN; k++)
				zero &= f->cache.zid[k] == 0;
			if (zero)
				rc = VOX_EMALFORMED; /* we never write a cache without our ZID */
		}
	}
	vox_wipe(buf, len < FILE_MAX + 1 ? len : FILE_MAX + 1);
	free(buf);
	if (rc == VOX_EIO)
		return rc;
	if (rc >= 0)
		return VOX_ZRTP_FILE_READ;
	f->why = rc == VOX_ELIMIT ? "it holds more peers than this build keeps (VOX_ZRTP_CACHE_MAX)"
	         : len < VOX_ZRTP_CACHE_BYTES(0) ? "it is cut short"
	                                         : "it is not a vox ZRTP cache, or it is damaged";
	rc = new_zid(f, rng);
	return rc < 0 ? rc : VOX_ZRTP_FILE_DAMAGED;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return VOX_EIO;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* The folder of path, fsynced so that the rename itself is on the disk;
 * a file system that cannot fsync a folder is not an error. */
static void sync_dir(const char *path)
{
	char dir[PATH_CAP];
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : 0;
	if (n == 0 && slash)
		n = 1; /* "/file" */
	if (n >= sizeof dir)
		return;
	if (n)
		memcpy(dir, path, n);
	else
		dir[n++] = '.';
	dir[n] = 0;
	int fd = open(dir, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

int vox_zrtp_file_save(struct vox_zrtp_file *f)
{
	if (!f || !f->path)
		return VOX_EINVAL;
	size_t plen = strlen(f->path);
	char tmp[PATH_CAP];
	if (plen == 0 || plen + sizeof TMP_TAIL > sizeof tmp)
		return VOX_ETOOLONG;
	memcpy(tmp, f->path, plen);
	memcpy(tmp + plen, TMP_TAIL, sizeof TMP_TAIL);
	size_t cap = VOX_ZRTP_CACHE_BYTES(f->cache.n);
	uint8_t *buf = malloc(cap);
	if (!buf)
		return VOX_EIO;
	int n = vox_zrtp_cache_encode(&f->cache, buf, cap);
	if (n < 0) {
		free(buf);
		return n;
	}
	int fd = mkstemp(tmp); /* mode 0600: the file holds secrets */
	int rc = fd < 0 ? VOX_EIO : write_all(fd, buf, (size_t)n);
	vox_wipe(buf, (size_t)n);
	free(buf);
	if (fd >= 0) {
		if (rc == 0 && fsync(fd) != 0)
			rc = VOX_EIO;
		if (close(fd) != 0)
			rc = VOX_EIO;
		if (rc == 0 && rename(tmp, f->path) != 0)
			rc = VOX_EIO;
		if (rc != 0)
			(void)unlink(tmp);
	}
	if (rc == 0)
		sync_dir(f->path);
	return rc;
}

static int file_load(void *ctx, const uint8_t zid[VOX_ZRTP_ZID_LEN], struct vox_zrtp_secrets *out)
{
	struct vox_zrtp_file *f = ctx;
	const struct vox_zrtp_secrets *e = vox_zrtp_cache_find(&f->cache, zid);
	if (!e)
		return 0;
	*out = *e;
	/* 4.9: past its expiry a retained secret is as none, and so is the
	 * verified flag that rode on it; a PBX key is not a retained secret */
	if (e->expiry != VOX_ZRTP_NEVER && e->saved &&
	    wall_now(f) >= e->saved + (uint64_t)e->expiry) {
		out->flags &= VOX_ZRTP_PBX;
		vox_wipe(out->rs1, sizeof out->rs1);
		vox_wipe(out->rs2, sizeof out->rs2);
	}
	return out->flags ? 1 : 0;
}

static int file_save(void *ctx, const struct vox_zrtp_secrets *s)
{
	struct vox_zrtp_file *f = ctx;
	struct vox_zrtp_secrets *e = vox_zrtp_cache_find(&f->cache, s->zid);
	if (!e) {
		if (f->cache.n >= VOX_ZRTP_CACHE_MAX)
			return VOX_EPOOL;
		e = &f->cache.e[f->cache.n++];
	}
	*e = *s;
	e->saved = wall_now(f);
	return vox_zrtp_file_save(f);
}

struct vox_zrtp_store vox_zrtp_file_store(struct vox_zrtp_file *f)
{
	struct vox_zrtp_store st = {file_load, file_save, f};
	return st;
}

void vox_zrtp_file_free(struct vox_zrtp_file *f)
{
	if (f)
		vox_zrtp_cache_free(&f->cache);
}

#endif /* VOX_WITH_ZRTP */
