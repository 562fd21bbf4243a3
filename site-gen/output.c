/*
 * output.c - the output folder: a build is written whole into a staging
 * folder beside out_dir (same file system), then swapped in with one
 * rename, so a reader or a crash sees the old site or the new one, never a
 * mix. Every build leaves a marker file in the site; a folder without it is
 * someone's own and is never replaced.
 */
#define _GNU_SOURCE
#include "siteInt.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* True when dir holds nothing at all. */
static bool dir_is_empty(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	bool empty = true;
	if (!d)
		return false;
	while (empty && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			empty = false;
	closedir(d);
	return empty;
}

int site_out_check(const char *out_dir, struct hearth_err *err)
{
	struct stat st;
	if (lstat(out_dir, &st) != 0)
		return errno == ENOENT ? 0
				       : herr(err, HEARTH_EIO, "output folder '%s': %s",
					      out_dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return herr(err, HEARTH_EEXIST,
			    "output folder '%s' exists and is not a folder; "
			    "choose another output folder",
			    out_dir);
	char *marker = path_join(out_dir, SITE_MARKER);
	bool ours = path_is_file(marker);
	free(marker);
	if (!ours && !dir_is_empty(out_dir))
		return herr(err, HEARTH_EEXIST,
			    "output folder '%s' exists and was not made by hearth "
			    "(no %s file in it); it would be replaced, so choose another "
			    "output folder or remove it",
			    out_dir, SITE_MARKER);
	return 0;
}

int site_staging_make(const char *out_dir, char **staging, struct hearth_err *err)
{
	char *dir = path_dir(out_dir);
	char *name = xasprintf(".%s.new-XXXXXX", path_base(out_dir));
	char *tmpl = path_join(dir, name);
	int rc = mkdir_p(dir, err);

	*staging = NULL;
	if (!rc && !mkdtemp(tmpl))
		rc = herr(err, HEARTH_EIO, "cannot make a staging folder beside '%s': %s",
			  out_dir, strerror(errno));
	if (!rc && chmod(tmpl, 0755) != 0)
		rc = herr(err, HEARTH_EIO, "cannot set the mode of '%s': %s", tmpl,
			  strerror(errno));
	if (rc) {
		rmdir(tmpl);
		free(tmpl);
	} else {
		*staging = tmpl;
	}
	free(dir);
	free(name);
	return rc;
}

/*
 * For file systems without RENAME_EXCHANGE: out_dir moves aside, staging
 * moves in. Between the two renames the site is briefly absent, never
 * mixed.
 */
static int swap_in_two_steps(const char *staging, const char *out_dir, char **old,
			     struct hearth_err *err)
{
	char *dir = path_dir(out_dir);
	char *name = xasprintf(".%s.old-XXXXXX", path_base(out_dir));
	char *aside = path_join(dir, name);
	int rc = 0;

	free(dir);
	free(name);
	/* reserve a unique name, then move the old site onto it */
	if (!mkdtemp(aside) || rmdir(aside) != 0 || rename(out_dir, aside) != 0) {
		rc = herr(err, HEARTH_EIO, "cannot move '%s' aside: %s", out_dir,
			  strerror(errno));
		free(aside);
		return rc;
	}
	if (rename(staging, out_dir) != 0) {
		rc = herr(err, HEARTH_EIO, "cannot move '%s' to '%s': %s", staging, out_dir,
			  strerror(errno));
		rename(aside, out_dir);
		free(aside);
		return rc;
	}
	*old = aside;
	return 0;
}

int site_swap(const char *staging, const char *out_dir, struct hearth_err *err)
{
	char *old = NULL;
	int rc;

	if (!path_exists(out_dir)) {
		if (rename(staging, out_dir) != 0)
			return herr(err, HEARTH_EIO, "cannot move '%s' to '%s': %s", staging,
				    out_dir, strerror(errno));
		return 0;
	}
	if (renameat2(AT_FDCWD, staging, AT_FDCWD, out_dir, RENAME_EXCHANGE) == 0) {
		old = xstrdup(staging); /* the old site now lives at the staging name */
	} else if (errno == EINVAL || errno == ENOSYS || errno == ENOTSUP) {
		rc = swap_in_two_steps(staging, out_dir, &old, err);
		if (rc)
			return rc;
	} else {
		return herr(err, HEARTH_EIO, "cannot swap '%s' into '%s': %s", staging,
			    out_dir, strerror(errno));
	}
	/* the new site is in place; failing to tidy the old one is only a leftover */
	rc = rm_rf(old, err);
	if (rc)
		herr_prefix(err, "the site was built, but the old one is left in '%s'", old);
	free(old);
	return rc;
}
