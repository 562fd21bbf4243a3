/*
 * store.c - the content-addressed store of originals: store/<ab>/<sha256>,
 * where <ab> is the first two hex digits. An object is written once,
 * atomically, and made read-only (for the owner only); the same bytes are
 * never stored twice.
 * Intake puts files here; media/ reads them to make renditions.
 */
#include "libraryInt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

char *lib_store_path(const hearth_lib *lib, const char *sha256)
{
	return xasprintf("%s/store/%.2s/%s", lib->dir, sha256, sha256);
}

int lib_store_add(hearth_lib *lib, const char *path, char sha_out[65],
		  struct hearth_err *err)
{
	char *dst = NULL;
	int rc;

	if (!path_is_file(path))
		return herr(err, HEARTH_ENOENT, "'%s' is not a file", path);
	if ((rc = sha256_file(path, sha_out, err)))
		return rc;
	dst = lib_store_path(lib, sha_out);
	if (path_is_file(dst))
		goto end; /* already stored: objects never change */
	if ((rc = file_copy(path, dst, err)))
		goto end;
	if (chmod(dst, 0400) != 0) /* private, like store/ itself */
		rc = herr(err, HEARTH_EIO, "cannot make '%s' read-only: %s", dst,
			  strerror(errno));
end:
	free(dst);
	return rc;
}
