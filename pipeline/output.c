/*
 * output.c - the output folder: a build writes what it makes into a
 * staging folder beside out_dir (same file system), then either swaps it
 * in whole with one rename, so a reader or a crash sees the old site or
 * the new one, never a mix, or, for a small change, moves its files into
 * out_dir one by one and removes the old ones (site_patch: a reader may
 * see a mix for that moment; the build state covers a crash). Every build leaves a marker file in the site that lists the names
 * it wrote at the top of the folder; a folder without it is someone's own
 * and is never replaced, and a name at the top that neither hearth wrote
 * nor a deploy needs (the kept list below) stops the build.
 *
 * What a deploy keeps in the folder (.git, CNAME, .well-known/, ...) is
 * carried from the old site into the new one at the swap. Files are written
 * into staging with no sync of their own (site_write, site_copy, or links
 * to the unchanged files of the current site made by state.c); the build
 * syncs the finished folder once (site_sync) before the swap. The old site
 * is renamed ".<base>.gone-*" and removed by a process of its own, which
 * the build does not wait for (remove_later); a patch puts what it
 * replaces or removes into such a folder too (site_trash_*), so that no
 * block is freed while the build runs. A build killed at any moment
 * leaves staging folders beside out_dir; site_out_tidy removes them at the
 * next build, after taking back any kept file that was caught in one, and
 * a ".gone-" folder whose remover was killed.
 */
#define _GNU_SOURCE
#include "pipelineInt.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

/*
 * What a deploy keeps in the output folder, carried from the old site into
 * the new one; docs/formats.md and `hearth build --help` list the same.
 */
static const char *const kept_names[] = {
	".git", ".gitignore", ".gitattributes", ".nojekyll", ".well-known", ".domains",
	".htaccess", "CNAME", "_headers", "_redirects", "robots.txt", NULL,
};

/* The line in the marker file after which come the names hearth wrote. */
#define MARKER_LIST "Written by hearth:\n"

/*
 * True for a name a deploy keeps at the top of the output folder (.git,
 * CNAME, .well-known, ...): carried from the old site into the new.
 */
static bool out_kept(const char *name)
{
	for (size_t i = 0; kept_names[i]; i++)
		if (!strcmp(name, kept_names[i]))
			return true;
	return false;
}

static int by_name(const void *pa, const void *pb)
{
	return strcmp(*(char *const *)pa, *(char *const *)pb);
}

int site_marker_write(const char *staging, char *const *also, struct hearth_err *err)
{
	struct buf b = BUF_INIT;
	char **names = dir_list(staging, true);
	size_t n = 0, k = 0;
	for (size_t i = 0; also && also[i]; i++)
		names = strv_push(names, also[i]);
	while (names && names[n])
		n++;
	/* sorted, each once */
	if (n)
		qsort(names, n, sizeof *names, by_name);
	for (size_t i = 0; i < n; i++) {
		if (k && !strcmp(names[k - 1], names[i]))
			free(names[i]);
		else
			names[k++] = names[i];
	}
	if (names)
		names[k] = NULL;
	buf_puts(&b, "This folder is a site built by hearth. Every build replaces it whole,\n"
		     "except what a deploy needs (.git, CNAME, .well-known and the others\n"
		     "listed by 'hearth build --help'). A build stops when it finds a name\n"
		     "below that it did not write: keep your own files elsewhere.\n\n"
		     MARKER_LIST);
	for (size_t i = 0; names && names[i]; i++)
		if (strcmp(names[i], SITE_MARKER)) {
			buf_puts(&b, names[i]);
			buf_putc(&b, '\n');
		}
	/* as every file of the staging folder: made durable by the build's one sync */
	int rc = site_write(staging, SITE_MARKER, b.data, b.len, err);
	strv_free(names);
	buf_release(&b);
	return rc;
}

/*
 * The names out_dir's marker says hearth wrote; *listed is false for a
 * marker from before the list (everything in it counts as hearth's).
 */
static char **marker_names(const char *out_dir, bool *listed)
{
	char *p = path_join(out_dir, SITE_MARKER);
	struct buf b = BUF_INIT;
	struct hearth_err ignored;
	char **v = NULL;
	*listed = false;
	if (file_read(p, &b, &ignored) == 0) {
		const char *s = strstr(buf_cstr(&b), MARKER_LIST);
		if (s) {
			*listed = true;
			s += strlen(MARKER_LIST);
			while (*s) {
				const char *e = strchr(s, '\n');
				size_t n = e ? (size_t)(e - s) : strlen(s);
				if (n) {
					char *name = xstrndup(s, n);
					v = strv_push(v, name);
					free(name);
				}
				s += n + (e ? 1 : 0);
			}
		}
	}
	buf_release(&b);
	free(p);
	return v;
}

/* Refuses an out_dir of ours that holds names neither hearth nor a deploy wrote. */
static int check_foreign(const char *out_dir, struct hearth_err *err)
{
	bool listed;
	char **ours = marker_names(out_dir, &listed), **names = NULL;
	struct buf found = BUF_INIT;
	size_t n_found = 0;
	int rc = 0;

	if (!listed)
		goto end;
	names = dir_list(out_dir, true);
	for (size_t i = 0; names && names[i]; i++) {
		bool known = !strcmp(names[i], SITE_MARKER) || out_kept(names[i]);
		for (size_t k = 0; !known && ours && ours[k]; k++)
			known = !strcmp(names[i], ours[k]);
		if (known)
			continue;
		if (n_found < 5)
			buf_printf(&found, "%s'%s'", n_found ? ", " : "", names[i]);
		n_found++;
	}
	if (n_found)
		rc = herr(err, HEARTH_EEXIST,
			  "output folder '%s' holds %s hearth did not write: %s%s; a build "
			  "replaces the folder whole, so move %s elsewhere (hearth keeps only "
			  "what a deploy needs: see 'hearth build --help')",
			  out_dir, n_found == 1 ? "a file" : "files", buf_cstr(&found),
			  n_found > 5 ? ", ..." : "", n_found == 1 ? "it" : "them");
end:
	strv_free(ours);
	strv_free(names);
	buf_release(&found);
	return rc;
}

bool site_marker_same(const char *a, const char *b)
{
	char *pa = path_join(a, SITE_MARKER), *pb = path_join(b, SITE_MARKER);
	struct buf ba = BUF_INIT, bb = BUF_INIT;
	struct hearth_err ignored;
	bool same = file_read(pa, &ba, &ignored) == 0 && file_read(pb, &bb, &ignored) == 0 &&
		    ba.len == bb.len && !memcmp(buf_cstr(&ba), buf_cstr(&bb), ba.len);
	buf_release(&ba);
	buf_release(&bb);
	free(pa);
	free(pb);
	return same;
}

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
	return ours ? check_foreign(out_dir, err) : 0;
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

int site_swap_in(const char *staging, const char *out_dir, char **old,
		 struct hearth_err *err)
{
	*old = NULL;
	if (!path_exists(out_dir)) {
		if (rename(staging, out_dir) != 0)
			return herr(err, HEARTH_EIO, "cannot move '%s' to '%s': %s", staging,
				    out_dir, strerror(errno));
		return 0;
	}
	if (renameat2(AT_FDCWD, staging, AT_FDCWD, out_dir, RENAME_EXCHANGE) == 0) {
		*old = xstrdup(staging); /* the old site now lives at the staging name */
		return 0;
	}
	if (errno == EINVAL || errno == ENOSYS || errno == ENOTSUP)
		return swap_in_two_steps(staging, out_dir, old, err);
	return herr(err, HEARTH_EIO, "cannot swap '%s' into '%s': %s", staging, out_dir,
		    strerror(errno));
}

/*
 * Moves each kept name that from holds and into lacks from one to the
 * other (into is made when missing and something is to be carried).
 */
static int carry_kept(const char *from, const char *into, struct hearth_err *err)
{
	int rc = 0;
	for (size_t i = 0; !rc && kept_names[i]; i++) {
		char *src = path_join(from, kept_names[i]);
		char *dst = path_join(into, kept_names[i]);
		if (path_exists(src) && !path_exists(dst)) {
			if (!path_is_dir(into) && mkdir(into, 0755) != 0 && errno != EEXIST)
				rc = herr(err, HEARTH_EIO, "cannot create folder '%s': %s", into,
					  strerror(errno));
			else if (rename(src, dst) != 0)
				rc = herr(err, HEARTH_EIO, "cannot move '%s' to '%s': %s", src, dst,
					  strerror(errno));
		}
		free(src);
		free(dst);
	}
	return rc;
}

int site_gone_lock(const char *gone)
{
	int fd = open(gone, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) != 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/*
 * Removes the folder gone (named ".<base>.gone-*" beside the site) in a
 * process of its own that the build does not wait for: rm, started in a
 * session of its own. The build's process exits soon after, and rm, an
 * orphan then, is reaped by the system; nothing here waits for any child
 * but its own by pid. (A shell that started rm in the background and
 * exited, waited for, took 5 ms; a start that is not waited for, under
 * one.) The remover holds a lock on the folder (flock, on a descriptor it
 * inherits) until it is done, so a later build that finds the folder
 * still there knows whether one is at work (remove_left). When no process
 * can start, the folder is removed here.
 */
static int remove_apart(const char *gone, struct hearth_err *err)
{
	char rm[] = "rm", rf[] = "-rf", dd[] = "--";
	char *argv[] = {rm, rf, dd, (char *)gone, NULL};
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, all;
	pid_t pid;
	int rc;
	int fd = site_gone_lock(gone);

	if (fd < 0) /* a removal under way, or nothing left to remove */
		return errno == EWOULDBLOCK || errno == ENOENT ? 0 : rm_rf(gone, err);
	/* above the descriptors the child is given, whatever fd was */
	int high = fcntl(fd, F_DUPFD_CLOEXEC, 10);
	close(fd);
	if (high < 0)
		return rm_rf(gone, err);
	fd = high;
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&at);
	posix_spawn_file_actions_adddup2(&fa, fd, 3); /* the lock, without O_CLOEXEC */
	for (int k = 0; k < 3; k++)
		posix_spawn_file_actions_addopen(&fa, k, "/dev/null", k ? O_WRONLY : O_RDONLY, 0);
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &all);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK |
					   POSIX_SPAWN_SETSIGDEF);
	rc = posix_spawnp(&pid, "rm", &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (rc != 0)
		rc = rm_rf(gone, err);
	close(fd); /* the child's copy holds the lock */
	return rc;
}

/*
 * A ".<base>.gone-*" folder found by tidying: left to its remover while
 * one holds the lock, else (the remover was killed, or could not remove
 * everything) removed here and now, so that a folder that cannot be
 * removed is an error the build reports, as it was before removers.
 */
static int remove_left(const char *gone, struct hearth_err *err)
{
	int fd = site_gone_lock(gone), rc;

	if (fd < 0)
		return errno == EWOULDBLOCK || errno == ENOENT ? 0 : rm_rf(gone, err);
	rc = rm_rf(gone, err);
	close(fd);
	return rc;
}

/* A new, empty ".<base>.gone-XXXXXX" folder beside out_dir (new allocation), or NULL. */
static char *gone_make(const char *out_dir)
{
	char *parent = path_dir(out_dir);
	char *name = xasprintf(".%s.gone-XXXXXX", path_base(out_dir));
	char *gone = path_join(parent, name);

	if (!mkdtemp(gone))
		xfree(&gone);
	free(name);
	free(parent);
	return gone;
}

/*
 * Removes dir, a folder beside out_dir that no site uses any more (an old
 * site, a killed build's staging), without the build waiting for it: on a
 * file system that discards freed blocks as it goes, removing the tens of
 * thousands of files of a large site took longer than building it. dir
 * first takes a ".<base>.gone-*" name, which no build reads and
 * site_out_tidy removes when a removal did not finish.
 */
static int remove_later(const char *dir, const char *out_dir, struct hearth_err *err)
{
	char *gone = gone_make(out_dir);
	int rc;

	/* a unique name, then the folder moved onto it */
	if (gone && rmdir(gone) == 0 && rename(dir, gone) == 0)
		rc = remove_apart(gone, err);
	else
		rc = rm_rf(dir, err);
	free(gone);
	return rc;
}

void site_trash_open(const char *out_dir, struct site_trash *t)
{
	t->dir = gone_make(out_dir);
	t->n = 0;
}

/* The trash's next name, for path's file (new allocation). */
static char *trash_name(struct site_trash *t)
{
	return xasprintf("%s/%zu", t->dir, t->n++);
}

void site_trash_keep(struct site_trash *t, const char *path)
{
	if (!t || !t->dir)
		return;
	char *p = trash_name(t);
	(void)link(path, p); /* none there (a new file), or no link: the rename frees it */
	free(p);
}

bool site_trash_move(struct site_trash *t, const char *path)
{
	if (!t || !t->dir)
		return false;
	char *p = trash_name(t);
	bool moved = rename(path, p) == 0;
	free(p);
	return moved;
}

void site_trash_close(struct site_trash *t)
{
	struct hearth_err ignored;
	if (t->dir)
		(void)remove_apart(t->dir, &ignored); /* what is left, tidying removes */
	xfree(&t->dir);
}

int site_swap_finish(char **old, const char *out_dir, struct hearth_err *err)
{
	int rc;
	if (!*old)
		return 0;
	/*
	 * The new site is in place; what is left is tidying. A kept file that
	 * cannot be carried leaves the old site where it is, for the next
	 * build's site_out_tidy to carry it.
	 */
	rc = carry_kept(*old, out_dir, err);
	if (!rc)
		rc = remove_later(*old, out_dir, err);
	if (rc)
		herr_prefix(err, "the site was built, but the old one is left in '%s'", *old);
	xfree(old);
	return rc;
}

int site_tidy_temp(const char *dir, bool deep, struct hearth_err *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int rc = 0;
	if (!d)
		return errno == ENOENT ? 0
				       : herr(err, HEARTH_EIO, "cannot read folder '%s': %s", dir,
					      strerror(errno));
	while (!rc && (de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		char *p = path_join(dir, de->d_name);
		struct stat st;
		if (lstat(p, &st) == 0) {
			if (S_ISDIR(st.st_mode) && deep)
				rc = site_tidy_temp(p, deep, err);
			else if (S_ISREG(st.st_mode) && file_is_tmp_name(de->d_name) &&
				 unlink(p) != 0 && errno != ENOENT)
				rc = herr(err, HEARTH_EIO, "cannot remove '%s': %s", p,
					  strerror(errno));
		}
		free(p);
	}
	closedir(d);
	return rc;
}

int site_out_tidy(const char *out_dir, struct hearth_err *err)
{
	char *dir = path_dir(out_dir);
	char *new_prefix = xasprintf(".%s.new-", path_base(out_dir));
	char *old_prefix = xasprintf(".%s.old-", path_base(out_dir));
	char *gone_prefix = xasprintf(".%s.gone-", path_base(out_dir));
	char **names = dir_list(dir, true);
	int rc = 0;

	for (size_t i = 0; !rc && names && names[i]; i++) {
		bool gone = str_starts(names[i], gone_prefix);
		if (!gone && !str_starts(names[i], new_prefix) && !str_starts(names[i], old_prefix))
			continue;
		char *p = path_join(dir, names[i]);
		/* a kill between the swap and the carry leaves the deploy's files here */
		if (gone)
			rc = remove_left(p, err);
		else if (path_is_dir(p) && (rc = carry_kept(p, out_dir, err)) == 0)
			rc = remove_later(p, out_dir, err);
		else if (!rc)
			rc = rm_rf(p, err);
		if (rc)
			herr_prefix(err, "a folder left by an earlier build");
		free(p);
	}
	strv_free(names);
	free(dir);
	free(new_prefix);
	free(old_prefix);
	free(gone_prefix);
	return rc;
}

/* The one way a new file is written into the next site (pipelineInt.h). */
int site_write_at(int dir, const char *name, const char *shown, const void *data, size_t n,
		  struct hearth_err *err)
{
	int fd = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644), rc = 0;
	if (fd < 0 && errno == EEXIST && unlinkat(dir, name, 0) == 0)
		fd = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return herr(err, HEARTH_EIO, "cannot create '%s': %s", shown, strerror(errno));
	if (fd_write_all(fd, data, n) != 0)
		rc = herr(err, HEARTH_EIO, "cannot write '%s': %s", shown, strerror(errno));
	if (close(fd) != 0 && !rc)
		rc = herr(err, HEARTH_EIO, "cannot write '%s': %s", shown, strerror(errno));
	return rc;
}

int site_write(const char *dir, const char *rel, const void *data, size_t n,
	       struct hearth_err *err)
{
	char *dst = path_join(dir, rel);
	char *parent = path_dir(dst);
	int rc = mkdir_p(parent, err);

	if (!rc)
		rc = site_write_at(AT_FDCWD, dst, dst, data, n, err);
	free(parent);
	free(dst);
	return rc;
}

int site_copy(const char *src, const char *dst, struct hearth_err *err)
{
	char *parent = path_dir(dst);
	int rc = mkdir_p(parent, err), in = -1, out = -1;
	char chunk[65536];

	if (rc)
		goto end;
	unlink(dst);
	if ((in = open(src, O_RDONLY | O_CLOEXEC)) < 0) {
		rc = herr(err, HEARTH_EIO, "cannot read '%s': %s", src, strerror(errno));
		goto end;
	}
	if ((out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) < 0) {
		rc = herr(err, HEARTH_EIO, "cannot create '%s': %s", dst, strerror(errno));
		goto end;
	}
#ifdef FICLONE
	if (ioctl(out, FICLONE, in) == 0)
		goto end; /* the blocks are shared until either side is written */
#endif
	for (;;) {
		ssize_t r = read(in, chunk, sizeof chunk);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = herr(err, HEARTH_EIO, "cannot read '%s': %s", src, strerror(errno));
			break;
		}
		if (r == 0)
			break;
		if (fd_write_all(out, chunk, (size_t)r) != 0) {
			rc = herr(err, HEARTH_EIO, "cannot write '%s': %s", dst, strerror(errno));
			break;
		}
	}
end:
	if (in >= 0)
		close(in);
	if (out >= 0 && close(out) != 0 && !rc)
		rc = herr(err, HEARTH_EIO, "cannot write '%s': %s", dst, strerror(errno));
	free(parent);
	return rc;
}

int site_sync(const char *staging, struct hearth_err *err)
{
	int fd = open(staging, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = 0;
	if (fd < 0 || syncfs(fd) != 0)
		rc = herr(err, HEARTH_EIO, "cannot sync '%s': %s", staging, strerror(errno));
	if (fd >= 0)
		close(fd);
	return rc;
}

/* fsyncs dir/rel (a file or a folder); a missing one is not an error when missing_ok. */
static int sync_one(const char *dir, const char *rel, bool missing_ok, struct hearth_err *err)
{
	char *p = rel && *rel ? path_join(dir, rel) : xstrdup(dir);
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	int rc = 0;
	if (fd < 0 && !(missing_ok && errno == ENOENT))
		rc = herr(err, HEARTH_EIO, "cannot sync '%s': %s", p, strerror(errno));
	else if (fd >= 0 && fsync(fd) != 0)
		rc = herr(err, HEARTH_EIO, "cannot sync '%s': %s", p, strerror(errno));
	if (fd >= 0)
		close(fd);
	free(p);
	return rc;
}

/*
 * fsyncs of dir/rels[i] (files or folders; a missing one is an error
 * unless missing_ok),
 * issued together from a few threads: the file system commits its journal
 * once for all the fsyncs waiting on it, where one after another each
 * waited for a commit of its own. The first failure, in order, is the one
 * told.
 */
struct sync_list {
	const char *dir;
	char *const *rels;
	size_t n, next;
	bool missing_ok;        /* a rel that is not there is not an error */
	int *rc;                /* per rel */
	struct hearth_err *err; /* per rel */
	pthread_mutex_t mu;
};

/* Threads (the caller's among them) that wait on fsyncs at once; they use no processor. */
#define SYNC_THREADS 8

static void *sync_worker(void *arg)
{
	struct sync_list *l = arg;
	for (;;) {
		pthread_mutex_lock(&l->mu);
		size_t i = l->next < l->n ? l->next++ : l->n;
		pthread_mutex_unlock(&l->mu);
		if (i == l->n)
			return NULL;
		l->rc[i] = sync_one(l->dir, l->rels[i], l->missing_ok, &l->err[i]);
	}
}

static int sync_at_once(const char *dir, char *const *rels, size_t n, bool missing_ok,
			struct hearth_err *err)
{
	if (n == 0)
		return 0;
	struct sync_list l = {dir, rels, n, 0, missing_ok, xcalloc(n + 1, sizeof *l.rc),
			      xcalloc(n + 1, sizeof *l.err), PTHREAD_MUTEX_INITIALIZER};
	pthread_t t[SYNC_THREADS - 1];
	size_t started = 0;
	int rc = 0;

	while (started < SYNC_THREADS - 1 && started + 1 < n &&
	       pthread_create(&t[started], NULL, sync_worker, &l) == 0)
		started++;
	sync_worker(&l);
	for (size_t i = 0; i < started; i++)
		pthread_join(t[i], NULL);
	for (size_t i = 0; !rc && i < n; i++)
		if ((rc = l.rc[i]))
			*err = l.err[i];
	pthread_mutex_destroy(&l.mu);
	free(l.rc);
	free(l.err);
	return rc;
}

/*
 * Pushes onto *v, once each, the folders of out_dir whose entries a patch
 * of rel changed: rel's folder and each one above it up to out_dir itself
 * ("" for out_dir), since a move may have made them and a removal may have
 * removed them.
 */
static bool listed(char *const *v, const char *s)
{
	for (size_t i = 0; v && v[i]; i++)
		if (!strcmp(v[i], s))
			return true;
	return false;
}

static void patch_dirs(const char *rel, char ***v)
{
	char *d = xstrdup(rel);
	for (;;) {
		char *slash = strrchr(d, '/');
		if (slash)
			*slash = '\0';
		else
			d[0] = '\0';
		if (!listed(*v, d))
			*v = strv_push(*v, d);
		if (!slash)
			break;
	}
	free(d);
}

/* ---- patching the site in place ----------------------------------------- */

/* The steps a patch has made, for HEARTH_TEST_PATCH_KILL (tests only). */
static void patch_step(long *left)
{
	if (*left > 0 && --*left == 0)
		raise(SIGKILL);
}

/* Where rel goes in a patch: renditions first, then pages and the rest, the marker last. */
static int patch_rank(const char *rel)
{
	if (str_starts(rel, "media/") || !strcmp(rel, "cover.jpg"))
		return 0;
	return strcmp(rel, SITE_MARKER) ? 1 : 2;
}

/*
 * Moves staging/rel to out_dir/rel, making its folders; the file it
 * replaces goes on in the trash (when there is one) rather than being freed.
 */
static int patch_move(const char *staging, const char *out_dir, const char *rel,
		      struct site_trash *trash, struct hearth_err *err)
{
	char *src = path_join(staging, rel), *dst = path_join(out_dir, rel);
	char *parent = path_dir(dst);
	int rc = mkdir_p(parent, err);
	if (!rc)
		site_trash_keep(trash, dst);
	if (!rc && rename(src, dst) != 0)
		rc = herr(err, HEARTH_EIO, "cannot move '%s' to '%s': %s", src, dst,
			  strerror(errno));
	free(src);
	free(dst);
	free(parent);
	return rc;
}

/*
 * Removes out_dir/rel (into the trash, when there is one and it is a
 * file), and each folder above it up to out_dir that it leaves empty.
 */
static int patch_remove(const char *out_dir, const char *rel, struct site_trash *trash,
			struct hearth_err *err)
{
	char *p = path_join(out_dir, rel);
	struct stat st;
	int rc = 0;
	if (trash && trash->dir && lstat(p, &st) == 0 && S_ISREG(st.st_mode) &&
	    site_trash_move(trash, p))
		; /* gone from the site; its blocks are freed by the trash's remover */
	else if (unlink(p) != 0 && errno != ENOENT)
		rc = herr(err, HEARTH_EIO, "cannot remove '%s': %s", p, strerror(errno));
	for (char *slash; !rc && (slash = strrchr(p + strlen(out_dir), '/')) &&
			  slash > p + strlen(out_dir);) {
		*slash = '\0';
		if (rmdir(p) != 0)
			break; /* not empty (or already gone): the folders above are not either */
	}
	free(p);
	return rc;
}

int site_patch(const char *staging, const char *out_dir, char *const *add, size_t n_add,
	       char *const *rm, size_t n_rm, struct site_trash *trash, struct hearth_err *err)
{
	const char *kill = getenv("HEARTH_TEST_PATCH_KILL");
	long left = kill ? strtol(kill, NULL, 10) : 0;
	int rc = 0;

	for (int rank = 0; rank <= 2; rank++)
		for (size_t i = 0; !rc && i < n_add; i++)
			if (patch_rank(add[i]) == rank) {
				rc = patch_move(staging, out_dir, add[i], trash, err);
				patch_step(&left);
			}
	for (size_t i = 0; !rc && i < n_rm; i++) {
		rc = patch_remove(out_dir, rm[i], trash, err);
		patch_step(&left);
	}
	/*
	 * The one sync of the finished work: the files moved in and the moves
	 * and removals, durable before the state says they are done. A few:
	 * the files and the folders they changed, all fsynced at once; many:
	 * the file system. Until it returns, the list the caller wrote before
	 * the first move distrusts every file the patch touches, so a crash in
	 * between (a file moved but not yet written out) is remade.
	 */
	if (!rc && n_add + n_rm > SITE_SYNC_FEW) {
		rc = site_sync(out_dir, err);
	} else if (!rc) {
		char **v = NULL;
		for (size_t i = 0; i < n_add; i++)
			v = strv_push(v, add[i]);
		for (size_t i = 0; i < n_add; i++)
			patch_dirs(add[i], &v);
		for (size_t i = 0; i < n_rm; i++)
			patch_dirs(rm[i], &v);
		rc = sync_at_once(out_dir, v, strv_len(v), true, err);
		strv_free(v);
	}
	return rc;
}
