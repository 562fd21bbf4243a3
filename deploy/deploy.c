/*
 * deploy.c - the run of `hearth deploy`: the library's build lock held
 * while the site is listed (site.c) and one of folder.c, rsync.c or s3.c
 * publishes it.
 */
#include "deployInt.h"

#include <string.h>

/* ---- the run ------------------------------------------------------------ */

int deploy_run(const char *site_dir, const struct deploy_dest *dest,
	       const struct deploy_opts *opts, struct deploy_report *report,
	       struct hearth_err *err)
{
	struct dep_site site = {0};
	struct deploy_opts none = {0};
	int rc;

	if (!opts)
		opts = &none;
	memset(report, 0, sizeof *report);
	if (dest->kind == DEPLOY_S3 && (rc = dep_s3_check_env(err)))
		return rc;
	if ((rc = dep_site_list(site_dir, &site, err)))
		return rc;
	report->files = site.n;
	switch (dest->kind) {
	case DEPLOY_FOLDER:
		rc = dep_folder_run(&site, dest->where, opts, report, err);
		break;
	case DEPLOY_RSYNC:
		rc = dep_rsync_run(&site, dest->where, opts, report, err);
		break;
	case DEPLOY_S3:
		rc = dep_s3_run(&site, dest, opts, report, err);
		break;
	}
	dep_site_release(&site);
	return rc;
}

int deploy_site(hearth_lib *lib, const char *site_dir, const struct deploy_dest *dest,
		const struct deploy_opts *opts, struct deploy_report *report,
		struct hearth_err *err)
{
	lib_build_lock *lock = NULL;
	int rc;

	memset(report, 0, sizeof *report);
	/* the credentials first: no reason to wait for a build to learn they are missing */
	if (dest->kind == DEPLOY_S3 && (rc = dep_s3_check_env(err)))
		return rc;
	if ((rc = lib_build_lock_take(lib, !opts->no_wait, opts->waiting, opts->waiting_arg,
				      &lock, err)))
		return rc;
	rc = deploy_run(site_dir, dest, opts, report, err);
	lib_build_unlock(&lock);
	return rc;
}
