/*
 * store.c - the content-addressed store of originals: store/<ab>/<sha256>,
 * where <ab> is the first two hex digits. An object is written once,
 * atomically, and made read-only (for the owner only); the same bytes are
 * never stored twice.
 * Intake puts files here; media/ reads them to make renditions. This file
 * alone knows the layout: nothing else lists store/.
 *
 * An object is deleted only when no asset refers to it, and only by the
 * sweep, under the store lock: the advisory lock (flock) on the file
 * .lock-store in the library folder. Whoever writes objects (an import, a
 * submission) holds it shared from before its first lib_store_add until
 * the transaction that refers to them has committed or rolled back; the
 * sweep holds it exclusive. So while the sweep runs, every object that is
 * in the store and not referenced by a committed asset belongs to no one:
 * it is the leftover of a failed run or of a killed one.
 *
 * Two imports at once, one fails: A and B both take the lock shared and
 * store their objects (perhaps some of the same ones: the bytes are the
 * same, and storing is idempotent). B commits; A fails and rolls back.
 * Neither deletes anything itself. A then asks for a sweep without
 * waiting: while B still holds the lock it is skipped, and B's sweep (or
 * the next `hearth gc`) runs when nobody holds it shared. That sweep sees
 * B's committed assets and keeps their objects; what only A stored is
 * referenced by nothing and goes. An object A and B share is kept because
 * B's asset refers to it. A killed import releases its lock when its
 * process dies, and its objects are swept in the same way.
 */
#define _GNU_SOURCE
#include "libraryInt.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

struct lib_store_lock {
	int fd;
	enum lib_lock_mode mode;
};

char *lib_store_path(const hearth_lib *lib, const char *sha256)
{
	return xasprintf("%s/store/%.2s/%s", lib->dir, sha256, sha256);
}

int lib_store_add(hearth_lib *lib, const char *path, char sha_out[65],
		  struct hearth_err *err)
{
	struct file_id seen;
	char *dst = NULL;
	int rc;

	if (!path_is_file(path))
		return herr(err, HEARTH_ENOENT, "'%s' is not a file", path);
	if ((rc = sha256_file_id(path, sha_out, &seen, err)))
		return rc;
	dst = lib_store_path(lib, sha_out);
	if (path_is_file(dst))
		goto end; /* already stored: objects never change */
	if ((rc = file_copy_unchanged(path, dst, &seen, err)))
		goto end;
	if (chmod(dst, 0400) != 0) /* private, like store/ itself */
		rc = herr(err, HEARTH_EIO, "cannot make '%s' read-only: %s", dst,
			  strerror(errno));
end:
	free(dst);
	return rc;
}

int lib_store_add_known(hearth_lib *lib, const char *path, const char *sha256,
			const struct file_id *seen, struct hearth_err *err)
{
	char *dst = NULL;
	int rc = 0;

	if (!path_is_file(path))
		return herr(err, HEARTH_ENOENT, "'%s' is not a file", path);
	dst = lib_store_path(lib, sha256);
	if (path_is_file(dst))
		goto end; /* already stored: objects never change, nothing to read */
	if ((rc = file_copy_unchanged(path, dst, seen, err)))
		goto end;
	if (chmod(dst, 0400) != 0)
		rc = herr(err, HEARTH_EIO, "cannot make '%s' read-only: %s", dst,
			  strerror(errno));
end:
	free(dst);
	return rc;
}

/* ---- the lock ---------------------------------------------------------- */

int lib_store_lock(hearth_lib *lib, enum lib_lock_mode mode, bool wait,
		   struct lib_store_lock **out, struct hearth_err *err)
{
	char *path = path_join(lib->dir, ".lock-store");
	int op = (mode == LIB_LOCK_EXCLUSIVE ? LOCK_EX : LOCK_SH) | (wait ? 0 : LOCK_NB);
	int fd, rc = 0;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = herr(err, HEARTH_EIO, "cannot open the store lock '%s': %s", path,
			  strerror(errno));
		goto end;
	}
	while (flock(fd, op) != 0) {
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK)
			rc = herr(err, HEARTH_EIO, "cannot lock '%s': %s", path, strerror(errno));
		close(fd);
		goto end; /* busy and not waiting: *out stays NULL */
	}
	*out = xcalloc(1, sizeof **out);
	(*out)->fd = fd;
	(*out)->mode = mode;
end:
	free(path);
	return rc;
}

void lib_store_unlock(struct lib_store_lock **pl)
{
	struct lib_store_lock *l = pl ? *pl : NULL;
	if (!l)
		return;
	close(l->fd); /* releases the flock */
	free(l);
	*pl = NULL;
}

/* ---- the sweep --------------------------------------------------------- */

static bool is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every hash an asset (live, or of a pending revision) refers to, sorted. */
static int referenced(hearth_lib *lib, char ***out, size_t *n, struct hearth_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = lib_db_prepare(lib, err, &st,
				"SELECT sha256 FROM assets UNION SELECT sha256 FROM revision_assets "
				"ORDER BY 1",
				"");
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	if (rc)
		return rc;
	while ((rc = lib_db_step(lib, st, err)) == 1) {
		const char *h = (const char *)sqlite3_column_text(st, 0);
		strv_append(out, n, &cap, h ? h : "");
	}
	sqlite3_finalize(st);
	if (rc) {
		strv_free(*out);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

/*
 * What a name in store/<ab>/ is: 1 an object (64 hex digits starting
 * with ab), 2 a temporary file of one being written (object.tmp-XXXXXX),
 * 0 anything else, which the sweep leaves alone.
 */
static int entry_kind(const char *ab, const char *name)
{
	size_t n = strlen(name);
	if (n < 64 || !is_hex(name, 64) || strncmp(name, ab, 2))
		return 0;
	if (n == 64)
		return 1;
	return str_starts(name + 64, ".tmp-") ? 2 : 0;
}

int lib_store_sweep(hearth_lib *lib, const struct lib_store_lock *l, char ***removed,
		    size_t *n_temp, struct hearth_err *err)
{
	char *store = path_join(lib->dir, "store");
	char **refs = NULL, *key = NULL;
	size_t n_refs = 0;
	DIR *top = NULL;
	struct dirent *de;
	int rc;

	if (n_temp)
		*n_temp = 0;
	if (!l || l->mode != LIB_LOCK_EXCLUSIVE) {
		rc = herr(err, HEARTH_ESTATE, "the store is swept only under its exclusive lock");
		goto end;
	}
	if (lib->depth > 0) {
		/* the sweep must see what others committed, not a snapshot */
		rc = herr(err, HEARTH_ESTATE, "the store is not swept inside a transaction");
		goto end;
	}
	if ((rc = referenced(lib, &refs, &n_refs, err)))
		goto end;
	if (!(top = opendir(store))) {
		if (errno != ENOENT)
			rc = herr(err, HEARTH_EIO, "cannot read '%s': %s", store, strerror(errno));
		goto end;
	}
	while (!rc && (de = readdir(top))) {
		const char *ab = de->d_name;
		if (strlen(ab) != 2 || !is_hex(ab, 2))
			continue;
		char *sub = path_join(store, ab);
		DIR *d = opendir(sub);
		struct dirent *e;
		while (d && (e = readdir(d))) {
			int kind = entry_kind(ab, e->d_name);
			if (!kind)
				continue;
			key = xstrndup(e->d_name, 64);
			bool used = kind == 1 && n_refs > 0 &&
				    bsearch(&key, refs, n_refs, sizeof *refs, cmp_str) != NULL;
			if (!used && unlinkat(dirfd(d), e->d_name, 0) == 0) {
				if (kind == 1 && removed)
					*removed = strv_push(*removed, key);
				else if (kind == 2 && n_temp)
					(*n_temp)++;
			} else if (!used && errno != ENOENT) {
				rc = herr(err, HEARTH_EIO, "cannot remove '%s/%s': %s", sub,
					  e->d_name, strerror(errno));
				xfree(&key);
				break;
			}
			xfree(&key);
		}
		if (d)
			closedir(d);
		rmdir(sub); /* only when it is empty now */
		free(sub);
	}
end:
	if (top)
		closedir(top);
	strv_free(refs);
	free(store);
	return rc;
}
