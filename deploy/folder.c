/*
 * folder.c - deploying to a local folder (a web server's document root,
 * a mounted share): each file of the site that the folder lacks or holds
 * with other bytes is copied in under a temporary name and renamed,
 * keeping the site's modification time, a phase at a time (one syncfs
 * before a phase's renames); a file whose size and time match is taken as
 * it is, and one whose size matches is compared by SHA-256 before it is
 * copied. Then what the site no longer has is deleted, and the folders
 * that leaves empty. Unchanged files are never touched (their inode and
 * time stay).
 */
#define _GNU_SOURCE
#include "deployInt.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The temporary name of a file being copied in. */
#define TMP_PREFIX ".hearth-deploy-tmp."

/*
 * Refuses a destination that is the site, holds it, or lies inside it:
 * the deletions would then reach the site or the library.
 */
static int check_apart(const char *site, const char *dest, struct hearth_err *err)
{
	char s[PATH_MAX], d[PATH_MAX];
	char *dir = NULL;
	int rc = 0;

	if (!realpath(site, s))
		return herr(err, HEARTH_EIO, "cannot resolve '%s': %s", site, strerror(errno));
	/* the destination may not exist yet: resolve the deepest part that does */
	dir = path_strip_slashes(dest);
	bool exists = true; /* a folder not there yet holds nothing */
	while (!realpath(dir, d)) {
		exists = false;
		char *up = path_dir(dir);
		if (!strcmp(up, dir)) {
			free(up);
			rc = herr(err, HEARTH_EIO, "cannot resolve '%s': %s", dest, strerror(errno));
			goto end;
		}
		free(dir);
		dir = up;
	}
	size_t sn = strlen(s), dn = strlen(d);
	bool same = !strcmp(s, d) && path_is_dir(dest);
	bool inside = dn >= sn && !strncmp(s, d, sn) && (d[sn] == '/' || d[sn] == '\0');
	bool holds = exists && sn > dn && !strncmp(s, d, dn) && (s[dn] == '/' || dn == 1);
	if (same || inside)
		rc = herr(err, HEARTH_EINVAL, "'%s' is the site or inside it: deploy elsewhere",
			  dest);
	else if (holds)
		rc = herr(err, HEARTH_EINVAL,
			  "'%s' holds the site itself: deploying there would delete the "
			  "library", dest);
end:
	free(dir);
	return rc;
}

/* True when dir holds a name that does not start with '.'. */
static bool has_visible(const char *dir)
{
	char **names = dir_list(dir, false);
	bool any = names && names[0];
	strv_free(names);
	return any;
}

static int write_marker(const char *dest, struct hearth_err *err)
{
	static const char text[] = "hearth deploy: this folder is published by 'hearth deploy',\n"
				   "which deletes here what the site no longer has\n";
	char *path = path_join(dest, DEPLOY_MARKER);
	int rc = file_write_atomic(path, text, sizeof text - 1, err);
	free(path);
	return rc;
}

/* True when the file at path holds the bytes of src (same size known). */
static bool same_bytes(const char *src, const char *path)
{
	char a[65], b[65];
	return sha256_file(src, a, NULL) == 0 && sha256_file(path, b, NULL) == 0 &&
	       !strcmp(a, b);
}

/*
 * Copies src beside path under a temporary name, with the site's time,
 * not synced (the phase syncs once); *tmp_out gets its name (a new
 * allocation) on success.
 */
static int copy_in(const char *src, const char *path, const struct dep_file *f,
		   char **tmp_out, struct hearth_err *err)
{
	char *dir = path_dir(path);
	char *tmp = NULL;
	int in = -1, out = -1, rc = 0;
	char chunk[1 << 16];

	*tmp_out = NULL;
	if ((rc = mkdir_p(dir, err)))
		goto end;
	tmp = xasprintf("%s/" TMP_PREFIX "XXXXXX", dir);
	if ((in = open(src, O_RDONLY | O_CLOEXEC)) < 0) {
		rc = herr(err, HEARTH_EIO, "cannot read '%s': %s", src, strerror(errno));
		goto end;
	}
	if ((out = mkostemp(tmp, O_CLOEXEC)) < 0) {
		rc = herr(err, HEARTH_EIO, "cannot write in '%s': %s", dir, strerror(errno));
		goto end;
	}
	for (;;) {
		ssize_t n = read(in, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = herr(err, HEARTH_EIO, "cannot read '%s': %s", src, strerror(errno));
			goto end;
		}
		if (n == 0)
			break;
		if (fd_write_all(out, chunk, (size_t)n) != 0) {
			rc = herr(err, HEARTH_EIO, "cannot write '%s': %s", path, strerror(errno));
			goto end;
		}
	}
	struct timespec times[2] = {f->mtime, f->mtime};
	if (fchmod(out, 0644) != 0 || futimens(out, times) != 0) {
		rc = herr(err, HEARTH_EIO, "cannot write '%s': %s", path, strerror(errno));
		goto end;
	}
	if (close(out) != 0) {
		out = -1;
		rc = herr(err, HEARTH_EIO, "cannot write '%s': %s", path, strerror(errno));
		goto end;
	}
	out = -1;
	*tmp_out = tmp;
	tmp = NULL;
end:
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	if (tmp)
		unlink(tmp);
	free(tmp);
	free(dir);
	return rc;
}

/* True when the destination holds f's bytes already. */
static bool unchanged(const char *src, const char *path, const struct dep_file *f)
{
	struct stat st;
	return lstat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == f->size &&
	       ((st.st_mtim.tv_sec == f->mtime.tv_sec && st.st_mtim.tv_nsec == f->mtime.tv_nsec) ||
		same_bytes(src, path));
}

struct pending {
	char *tmp;         /* the copy, beside its place */
	char *path;        /* its place */
	const char *rel;   /* borrowed from the site */
};

/*
 * Sends the files of one phase (site->files[from..to)): each the
 * destination lacks or holds with other bytes is copied beside its place,
 * then one syncfs makes the copies (and the renames of the phase before)
 * durable, then each is renamed into place, in order. One sync per phase
 * instead of one per file: a first deploy of thousands of files waited
 * on thousands of fsyncs.
 */
static int send_phase(const struct dep_site *site, size_t from, size_t to, const char *dest,
		      const struct deploy_opts *o, struct deploy_report *r,
		      struct hearth_err *err)
{
	struct pending *p = NULL;
	size_t n = 0, done = 0;
	int rc = 0, fd = -1;

	for (size_t i = from; i < to && !rc; i++) {
		const struct dep_file *f = &site->files[i];
		char *src = path_join(site->dir, f->rel);
		char *path = path_join(dest, f->rel);
		char *tmp = NULL;
		if (!unchanged(src, path, f) && !(rc = copy_in(src, path, f, &tmp, err))) {
			p = xrealloc(p, (n + 1) * sizeof *p);
			p[n++] = (struct pending){.tmp = tmp, .path = path, .rel = f->rel};
			path = NULL;
		}
		free(src);
		free(path);
	}
	if (rc || !n)
		goto end;
	if ((fd = open(dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 || syncfs(fd) != 0) {
		rc = herr(err, HEARTH_EIO, "cannot sync '%s': %s", dest, strerror(errno));
		goto end;
	}
	for (; done < n; done++) {
		struct stat st;
		/* a folder where the site now has a file: the file wins */
		if (lstat(p[done].path, &st) == 0 && S_ISDIR(st.st_mode) &&
		    (rc = rm_rf(p[done].path, err)))
			goto end;
		if (rename(p[done].tmp, p[done].path) != 0) {
			rc = herr(err, HEARTH_EIO, "cannot put '%s' in place: %s", p[done].path,
				  strerror(errno));
			goto end;
		}
		r->sent++;
		dep_note(o, DEPLOY_SENT, p[done].rel);
	}
end:
	for (size_t i = 0; i < n; i++) {
		if (i >= done)
			unlink(p[i].tmp);
		free(p[i].tmp);
		free(p[i].path);
	}
	free(p);
	if (fd >= 0)
		close(fd);
	return rc;
}

struct gone {
	char **paths;  /* files to delete, relative */
	char **dirs;   /* folders to remove when empty, relative, deepest first */
	size_t n_paths, cap_paths, n_dirs, cap_dirs; /* strv_append's counts */
};

/* Finds what dest/rel holds that the site does not (names starting with '.' aside). */
static int find_gone(const struct dep_site *site, const char *dest, const char *rel,
		     struct gone *g, int depth, struct hearth_err *err)
{
	char *dir = *rel ? path_join(dest, rel) : xstrdup(dest);
	char **names = dir_list(dir, true);
	int rc = 0;

	if (depth > 64) {
		rc = herr(err, HEARTH_EINVAL, "'%s': folders nested too deep", dir);
		goto end;
	}
	for (size_t i = 0; names && names[i] && !rc; i++) {
		/* a dot name is the host's, but a copy a killed deploy left is ours */
		bool stale = str_starts(names[i], TMP_PREFIX);
		if (names[i][0] == '.' && !stale)
			continue;
		char *sub = *rel ? xasprintf("%s/%s", rel, names[i]) : xstrdup(names[i]);
		char *full = path_join(dest, sub);
		struct stat st;
		if (stale) {
			if (unlink(full) != 0 && errno != ENOENT)
				rc = herr(err, HEARTH_EIO, "cannot delete '%s': %s", full,
					  strerror(errno));
		} else if (lstat(full, &st) != 0)
			; /* gone meanwhile */
		else if (S_ISDIR(st.st_mode)) {
			rc = find_gone(site, dest, sub, g, depth + 1, err);
			strv_append(&g->dirs, &g->n_dirs, &g->cap_dirs, sub);
		} else if (!dep_site_find(site, sub)) {
			strv_append(&g->paths, &g->n_paths, &g->cap_paths, sub);
		}
		free(full);
		free(sub);
	}
end:
	strv_free(names);
	free(dir);
	return rc;
}

static int delete_gone(const struct dep_site *site, const char *dest,
		       const struct deploy_opts *o, struct deploy_report *r,
		       struct hearth_err *err)
{
	struct gone g = {0};
	int rc = find_gone(site, dest, "", &g, 0, err);

	if (rc)
		goto end;
	dep_sort_for_deletion(g.paths, strv_len(g.paths));
	for (size_t i = 0; g.paths && g.paths[i]; i++) {
		char *full = path_join(dest, g.paths[i]);
		if (unlink(full) != 0 && errno != ENOENT)
			rc = herr(err, HEARTH_EIO, "cannot delete '%s': %s", full, strerror(errno));
		free(full);
		if (rc)
			goto end;
		r->deleted++;
		dep_note(o, DEPLOY_DELETED, g.paths[i]);
	}
	/* deepest first: find_gone pushed each folder after its insides */
	for (size_t i = 0; g.dirs && g.dirs[i]; i++) {
		char *full = path_join(dest, g.dirs[i]);
		if (rmdir(full) != 0 && errno != ENOTEMPTY && errno != EEXIST && errno != ENOENT)
			rc = herr(err, HEARTH_EIO, "cannot remove '%s': %s", full, strerror(errno));
		free(full);
		if (rc)
			goto end;
	}
end:
	strv_free(g.paths);
	strv_free(g.dirs);
	return rc;
}

int dep_folder_run(const struct dep_site *site, const char *dest,
		   const struct deploy_opts *o, struct deploy_report *r,
		   struct hearth_err *err)
{
	char *mark = path_join(dest, DEPLOY_MARKER);
	struct stat st;
	int rc = 0;

	if ((rc = check_apart(site->dir, dest, err)))
		goto end;
	if (lstat(dest, &st) == 0 && !S_ISDIR(st.st_mode)) {
		rc = herr(err, HEARTH_EINVAL, "'%s' is not a folder", dest);
		goto end;
	}
	if (!path_is_file(mark)) {
		if (path_is_dir(dest) && has_visible(dest) && !o->force) {
			rc = herr(err, HEARTH_EEXIST,
				  "'%s' holds files and was never a Hearth deploy (no %s): "
				  "a deploy deletes what the site does not have, so choose an "
				  "empty folder, or use --force if everything there may go",
				  dest, DEPLOY_MARKER);
			goto end;
		}
		if ((rc = mkdir_p(dest, err)) || (rc = write_marker(dest, err)))
			goto end;
		r->marked = true;
	}
	r->started = true;
	for (size_t from = 0, to; from < site->n; from = to) {
		for (to = from; to < site->n && site->files[to].phase == site->files[from].phase;)
			to++;
		if ((rc = send_phase(site, from, to, dest, o, r, err)))
			goto end;
	}
	if ((rc = delete_gone(site, dest, o, r, err)))
		goto end;
	int fd = open(dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || syncfs(fd) != 0)
		rc = herr(err, HEARTH_EIO, "cannot sync '%s': %s", dest, strerror(errno));
	if (fd >= 0)
		close(fd);
end:
	free(mark);
	return rc;
}
