/*
 * fs.c - paths and files: safe relative paths, folders, whole-file reads,
 * atomic writes (temporary file, fsync, rename) and tree removal.
 */
#define _GNU_SOURCE
#include "core.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *path_join(const char *a, const char *b)
{
	size_t la = strlen(a);
	if (la == 0)
		return xstrdup(b);
	if (a[la - 1] == '/')
		return xasprintf("%s%s", a, b);
	return xasprintf("%s/%s", a, b);
}

const char *path_base(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

char *path_dir(const char *p)
{
	const char *s = strrchr(p, '/');
	if (!s)
		return xstrdup(".");
	if (s == p)
		return xstrdup("/");
	return xstrndup(p, (size_t)(s - p));
}

const char *path_ext(const char *p)
{
	const char *b = path_base(p);
	const char *d = strrchr(b, '.');
	return (d && d != b) ? d + 1 : "";
}

bool path_is_safe_rel(const char *p)
{
	if (!p || !*p || *p == '/')
		return false;
	for (const char *c = p; *c; c++)
		if (*c == '\\' || (unsigned char)*c < 0x20 || *c == 0x7f)
			return false;
	const char *s = p;
	while (*s) {
		const char *e = strchr(s, '/');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		if (n == 0 || (n == 1 && s[0] == '.') ||
		    (n == 2 && s[0] == '.' && s[1] == '.'))
			return false;
		if (!e)
			break;
		s = e + 1;
		if (!*s)
			return false;
	}
	return true;
}

bool path_exists(const char *p)
{
	struct stat st;
	return lstat(p, &st) == 0;
}

bool path_is_dir(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

bool path_is_file(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

int64_t file_size(const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return -1;
	return (int64_t)st.st_size;
}

int file_read_max(const char *path, int64_t max, const char *setting, struct buf *out,
		  struct hearth_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	int64_t got = 0;
	size_t start = out->len, room;
	int rc = 0;

	if (fd < 0)
		return herr(err, errno == ENOENT ? HEARTH_ENOENT : HEARTH_EIO,
			    "cannot read '%s': %s", path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		rc = herr(err, HEARTH_EINVAL, "'%s' is not a regular file", path);
		goto end;
	}
	if ((int64_t)st.st_size > max)
		goto too_big;
	/* straight into out, which gets room for the whole file at once */
	room = (size_t)st.st_size + 1;
	while (got <= max) {
		if ((int64_t)room > max + 1 - got)
			room = (size_t)(max + 1 - got);
		buf_reserve(out, room);
		ssize_t n = read(fd, out->data + out->len, room);
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = herr(err, HEARTH_EIO, "cannot read '%s': %s", path, strerror(errno));
			goto end;
		}
		out->len += (size_t)n;
		out->data[out->len] = '\0';
		got += n;
		room = 65536; /* the file grew since fstat: read on to its end */
	}
	if (got > max)
		goto too_big;
	goto end;
too_big:
	if (setting)
		rc = herr(err, HEARTH_EINVAL,
			  "'%s' is larger than %lld bytes, the limit set by %s; shorten it or "
			  "raise the limit",
			  path, (long long)max, setting);
	else
		rc = herr(err, HEARTH_EINVAL,
			  "'%s' is larger than %lld bytes, the most Hearth reads for it", path,
			  (long long)max);
end:
	close(fd);
	if (rc && out->data) {
		out->len = start; /* nothing of a refused file stays */
		out->data[start] = '\0';
	}
	return rc;
}

int mkdir_p(const char *dir, struct hearth_err *err)
{
	/* nearly always the parent is there: one call, not one per folder */
	if (mkdir(dir, 0755) == 0 || (errno == EEXIST && path_is_dir(dir)))
		return 0;

	char *p = xstrdup(dir);
	int rc = 0;

	for (char *s = p + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;
			*s = '\0';
			if (mkdir(p, 0755) != 0 && errno != EEXIST) {
				rc = herr(err, HEARTH_EIO, "cannot create folder '%s': %s",
					  p, strerror(errno));
				break;
			}
			*s = c;
			if (!c)
				break;
		}
	}
	if (rc == 0 && !path_is_dir(dir))
		rc = herr(err, HEARTH_EIO, "'%s' exists and is not a folder", dir);
	free(p);
	return rc;
}

int file_read(const char *path, struct buf *out, struct hearth_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	size_t room = 65536;

	if (fd < 0)
		return herr(err, errno == ENOENT ? HEARTH_ENOENT : HEARTH_EIO,
			    "cannot read '%s': %s", path, strerror(errno));
	/* straight into out, with room for the whole file at once when its size is known */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (uint64_t)st.st_size < SIZE_MAX / 2)
		room = (size_t)st.st_size + 1; /* one more: the read that finds the end */
	for (;;) {
		buf_reserve_big(out, room); /* a large file into an empty buffer: huge pages */
		ssize_t n = read(fd, out->data + out->len, out->cap - out->len - 1);
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			return herr(err, HEARTH_EIO, "cannot read '%s': %s", path,
				    strerror(e));
		}
		out->len += (size_t)n;
		out->data[out->len] = '\0';
		room = 1; /* a full buffer doubles: the file grew since fstat, or has no size */
	}
	close(fd);
	return 0;
}

int fd_write_all(int fd, const void *data, size_t n)
{
	const char *p = data;
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = ENOSPC;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * The one way Hearth writes a file so that a crash leaves either the old
 * one or the new one: a temporary file beside it, named TMP_SUFFIX and six
 * characters from mkostemp, made 0644, fsynced and renamed over the
 * target. file_write_atomic and file_copy write through an open fd; media
 * output that libavformat writes by name uses file_tmp_open with the fd
 * closed, and file_tmp_commit opens it again to fsync.
 */
#define TMP_SUFFIX ".tmp-"

int file_tmp_open(const char *path, char **tmp, int *fdp, struct hearth_err *err)
{
	char *dir = path_dir(path);
	int rc = mkdir_p(dir, err);
	int fd;

	free(dir);
	*tmp = NULL;
	if (fdp)
		*fdp = -1;
	if (rc)
		return rc;
	*tmp = xasprintf("%s" TMP_SUFFIX "XXXXXX", path);
	fd = mkostemp(*tmp, O_CLOEXEC);
	if (fd < 0) {
		rc = herr(err, HEARTH_EIO, "cannot create '%s': %s", *tmp, strerror(errno));
		xfree(tmp);
		return rc;
	}
	fchmod(fd, 0644);
	if (fdp)
		*fdp = fd;
	else
		close(fd);
	return 0;
}

int file_tmp_commit(int fd, char **tmp, const char *path, struct hearth_err *err)
{
	int rc = 0;

	if (!*tmp) {
		if (fd >= 0)
			close(fd);
		return herr(err, HEARTH_EIO, "'%s': nothing was written", path);
	}
	if (fd < 0 && (fd = open(*tmp, O_RDONLY | O_CLOEXEC)) < 0)
		rc = herr(err, HEARTH_EIO, "cannot write '%s': %s", path, strerror(errno));
	if (!rc && fsync(fd) != 0 && errno != EINVAL)
		rc = herr(err, HEARTH_EIO, "cannot write '%s': %s", path, strerror(errno));
	if (fd >= 0 && close(fd) != 0 && !rc)
		rc = herr(err, HEARTH_EIO, "cannot write '%s': %s", path, strerror(errno));
	if (!rc && rename(*tmp, path) != 0)
		rc = herr(err, HEARTH_EIO, "cannot rename '%s' to '%s': %s", *tmp, path,
			  strerror(errno));
	if (rc)
		unlink(*tmp);
	xfree(tmp);
	return rc;
}

void file_tmp_abort(int fd, char **tmp)
{
	if (fd >= 0)
		close(fd);
	if (*tmp)
		unlink(*tmp);
	xfree(tmp);
}

bool file_is_tmp_name(const char *name)
{
	const char *t = strstr(name, TMP_SUFFIX), *next;
	size_t k = strlen(TMP_SUFFIX);

	while (t && (next = strstr(t + 1, TMP_SUFFIX)))
		t = next;
	if (!t || strlen(t + k) != 6)
		return false;
	for (const char *c = t + k; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9')))
			return false;
	return true;
}

int file_write_atomic(const char *path, const void *data, size_t n,
		      struct hearth_err *err)
{
	char *tmp = NULL;
	int fd, rc = file_tmp_open(path, &tmp, &fd, err);
	if (rc)
		return rc;
	if (fd_write_all(fd, data, n) != 0) {
		rc = herr(err, HEARTH_EIO, "cannot write '%s': %s", path, strerror(errno));
		file_tmp_abort(fd, &tmp);
		return rc;
	}
	return file_tmp_commit(fd, &tmp, path, err);
}

/* The identity of the file st describes. */
void file_id_of_stat(const struct stat *st, struct file_id *id)
{
	*id = (struct file_id){
		.dev = (uint64_t)st->st_dev,
		.ino = (uint64_t)st->st_ino,
		.size = (int64_t)st->st_size,
		.mtime_sec = (int64_t)st->st_mtim.tv_sec,
		.mtime_nsec = (int64_t)st->st_mtim.tv_nsec,
		.ctime_sec = (int64_t)st->st_ctim.tv_sec,
		.ctime_nsec = (int64_t)st->st_ctim.tv_nsec,
	};
}

int file_id_of_fd(int fd, struct file_id *id)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		return HEARTH_EIO;
	file_id_of_stat(&st, id);
	return 0;
}

bool file_id_of_path(const char *path, struct file_id *id)
{
	struct stat st;

	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return false;
	file_id_of_stat(&st, id);
	return true;
}

bool file_id_same(const struct file_id *a, const struct file_id *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime_sec == b->mtime_sec && a->mtime_nsec == b->mtime_nsec &&
	       a->ctime_sec == b->ctime_sec && a->ctime_nsec == b->ctime_nsec;
}

/*
 * Copies src to a temporary file beside dst and renames the copy to dst.
 * When id is given, src must still be that file when it is opened and
 * after the copy, and the bytes copied must be as many as it had; else
 * the copy is dropped (dst untouched) and the import refused.
 */
static int copy_checked(const char *src, const char *dst, const struct file_id *id,
			struct hearth_err *err)
{
	int in = open(src, O_RDONLY | O_CLOEXEC), out = -1, rc = 0;
	char chunk[65536], *tmp = NULL;
	struct file_id now;
	int64_t copied = 0;
	ssize_t n;

	if (in < 0)
		return herr(err, HEARTH_EIO, "cannot read '%s': %s", src, strerror(errno));
	if (id && (file_id_of_fd(in, &now) != 0 || !file_id_same(id, &now)))
		goto changed;
	if ((rc = file_tmp_open(dst, &tmp, &out, err)))
		goto end;
	while ((n = read(in, chunk, sizeof chunk)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || fd_write_all(out, chunk, (size_t)n) != 0) {
			rc = herr(err, HEARTH_EIO, "cannot copy '%s' to '%s': %s", src, dst,
				  strerror(errno));
			goto end;
		}
		copied += n;
	}
	if (id && (copied != id->size || file_id_of_fd(in, &now) != 0 ||
		   !file_id_same(id, &now)))
		goto changed;
	rc = file_tmp_commit(out, &tmp, dst, err);
	out = -1;
	goto end;
changed:
	rc = herr(err, HEARTH_EINVAL, "'%s' changed while it was being imported; import again",
		  src);
end:
	close(in);
	file_tmp_abort(out, &tmp);
	return rc;
}

int file_copy(const char *src, const char *dst, struct hearth_err *err)
{
	return copy_checked(src, dst, NULL, err);
}

int file_copy_unchanged(const char *src, const char *dst, const struct file_id *id,
			struct hearth_err *err)
{
	return copy_checked(src, dst, id, err);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **dir_list(const char *dir, bool hidden)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **v = NULL;
	size_t n = 0, cap = 0; /* a folder of 10,000 stories: no length counted per name */
	if (!d)
		return NULL;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' ||
		    (hidden && strcmp(de->d_name, ".") && strcmp(de->d_name, "..")))
			strv_append(&v, &n, &cap, de->d_name);
	closedir(d);
	if (v)
		qsort(v, n, sizeof *v, cmp_names);
	return v;
}

static int rm_tree(int dirfd, const char *name, struct hearth_err *err)
{
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return errno == ENOENT ? 0
				       : herr(err, HEARTH_EIO, "cannot remove '%s': %s",
					      name, strerror(errno));
	if (S_ISDIR(st.st_mode)) {
		int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0)
			return herr(err, HEARTH_EIO, "cannot open '%s': %s", name,
				    strerror(errno));
		DIR *d = fdopendir(fd);
		if (!d) {
			close(fd);
			return herr(err, HEARTH_EIO, "cannot open '%s'", name);
		}
		struct dirent *de;
		int rc = 0;
		while (!rc && (de = readdir(d))) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			rc = rm_tree(fd, de->d_name, err);
		}
		closedir(d);
		if (rc)
			return rc;
		if (unlinkat(dirfd, name, AT_REMOVEDIR) != 0)
			return herr(err, HEARTH_EIO, "cannot remove '%s': %s", name,
				    strerror(errno));
		return 0;
	}
	if (unlinkat(dirfd, name, 0) != 0 && errno != ENOENT)
		return herr(err, HEARTH_EIO, "cannot remove '%s': %s", name, strerror(errno));
	return 0;
}

int rm_rf(const char *path, struct hearth_err *err)
{
	return rm_tree(AT_FDCWD, path, err);
}

char *path_strip_slashes(const char *s)
{
	char *r = xstrdup(s);
	size_t n = strlen(r);
	while (n > 1 && r[n - 1] == '/')
		r[--n] = '\0';
	return r;
}

/* dir when it holds a page.xsl, else NULL (dir is freed) */
static char *theme_if_there(char *dir)
{
	char *xsl = path_join(dir, "page.xsl");
	bool ok = path_is_file(xsl);
	free(xsl);
	if (ok)
		return dir;
	free(dir);
	return NULL;
}

char *path_default_theme(const char *program)
{
	const char *env = getenv("HEARTH_THEME_DIR");
	char *dir = NULL, *exe;

	if (env && *env)
		return xstrdup(env);
	if ((exe = realpath(program, NULL))) {
		char *bin = path_dir(exe);
		/* a build tree or an unpacked release, then an install under any prefix */
		dir = theme_if_there(path_join(bin, "themes/default"));
		if (!dir)
			dir = theme_if_there(path_join(bin, "../share/hearth/themes/default"));
		free(bin);
		free(exe);
		if (dir)
			return dir;
	}
	return theme_if_there(xstrdup(HEARTH_DATADIR "/themes/default"));
}
