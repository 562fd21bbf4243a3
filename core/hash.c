/*
 * hash.c - SHA-256 (for the content-addressed store, the source hash of an
 * imported bundle and cache keys) and UUIDv5 (the Podcasting 2.0 guid and
 * the story item GUIDs), as thin wrappers over maintained libraries:
 * nettle for SHA-256, libuuid for UUIDv5 (RFC 4122, SHA-1 name-based).
 *
 * nettle's header defines sha256_init and friends as macros for its own
 * names; they are undefined here so that Hearth's wrappers keep theirs,
 * and nettle is called by its real (nettle_) names.
 */
#include "core.h"

#include <errno.h>
#include <fcntl.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <uuid/uuid.h>

#undef sha256_init
#undef sha256_update
#undef sha256_digest

_Static_assert(sizeof(struct sha256_ctx) <= sizeof(((struct sha256 *)0)->ctx),
	       "struct sha256 is too small for nettle's context");
_Static_assert(_Alignof(struct sha256_ctx) <= _Alignof(struct sha256),
	       "struct sha256 is aligned less strictly than nettle's context");

static struct sha256_ctx *ctx(struct sha256 *s)
{
	return (struct sha256_ctx *)(void *)s->ctx;
}

void sha256_init(struct sha256 *s)
{
	nettle_sha256_init(ctx(s));
}

void sha256_update(struct sha256 *s, const void *data, size_t n)
{
	nettle_sha256_update(ctx(s), n, data);
}

void sha256_final(struct sha256 *s, unsigned char out[32])
{
	nettle_sha256_digest(ctx(s), SHA256_DIGEST_SIZE, out);
}

void sha256_final_hex(struct sha256 *s, char out[65])
{
	static const char hx[] = "0123456789abcdef";
	unsigned char d[32];

	sha256_final(s, d);
	for (size_t i = 0; i < 32; i++) {
		out[2 * i] = hx[d[i] >> 4];
		out[2 * i + 1] = hx[d[i] & 15];
	}
	out[64] = '\0';
}

void sha256_hex(const void *data, size_t n, char out[65])
{
	struct sha256 s;
	sha256_init(&s);
	sha256_update(&s, data, n);
	sha256_final_hex(&s, out);
}

bool sha256_is_hex(const char *s)
{
	return s && strlen(s) == 64 && strspn(s, "0123456789abcdef") == 64;
}

/*
 * Hashes the file at path through one open fd. Its identity is taken
 * before the first read and again after the last: a write in between
 * changes the size, mtime or ctime, so the hash is refused rather than
 * paired with an identity that does not describe the bytes it was taken
 * from.
 */
int sha256_file_id(const char *path, char out[65], struct file_id *id,
		   struct hearth_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	unsigned char chunk[65536];
	struct file_id before, after;
	struct sha256 s;
	ssize_t n;
	int rc = 0;

	if (fd < 0)
		return herr(err, HEARTH_EIO, "cannot read '%s': %s", path, strerror(errno));
	if (file_id_of_fd(fd, &before) != 0) {
		rc = herr(err, HEARTH_EIO, "cannot read '%s': %s", path, strerror(errno));
		goto end;
	}
	sha256_init(&s);
	while ((n = read(fd, chunk, sizeof chunk)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = herr(err, HEARTH_EIO, "cannot read '%s': %s", path, strerror(errno));
			goto end;
		}
		sha256_update(&s, chunk, (size_t)n);
	}
	if (file_id_of_fd(fd, &after) != 0) {
		rc = herr(err, HEARTH_EIO, "cannot read '%s': %s", path, strerror(errno));
		goto end;
	}
	if (!file_id_same(&before, &after)) {
		rc = herr(err, HEARTH_EINVAL, "'%s' changed while it was being read; try again",
			  path);
		goto end;
	}
	sha256_final_hex(&s, out);
	if (id)
		*id = before;
end:
	close(fd);
	return rc;
}

int sha256_file(const char *path, char out[65], struct hearth_err *err)
{
	return sha256_file_id(path, out, NULL, err);
}

int uuid5(const char *ns, const char *name, char out[37])
{
	uuid_t space, u;

	if (!ns || uuid_parse(ns, space) != 0)
		return HEARTH_EINVAL;
	uuid_generate_sha1(u, space, name, strlen(name));
	uuid_unparse_lower(u, out);
	return 0;
}
