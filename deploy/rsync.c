/*
 * rsync.c - deploying to [user@]host:path with the rsync program, through
 * a remote shell: RSYNC_RSH from the environment when set, else the
 * deploy.rsh setting, else rsync's own default (ssh). rsync decides what
 * changed (size and time, as it does by default; a build keeps both for
 * every unchanged file). The order is made by separate runs: the media,
 * then the other files but pages and feeds, then everything but the
 * feeds, then everything, then only the deletions (--delete with --existing --ignore-existing, which sends
 * nothing). Names starting with '.' are excluded, which also keeps rsync
 * from deleting them at the destination. Before the first run, a listing
 * of the destination says whether it is new, empty, or an earlier
 * deploy's (the marker); the marker is sent alone before anything else.
 *
 * rsync's output is read, never passed through: each "send PATH" line is
 * a file sent, each "del. PATH" one deleted; the last line of its errors
 * goes into the message when it fails.
 */
#define _GNU_SOURCE
#include "deployInt.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Reads the whole of a temporary file into b. */
static void slurp(int fd, struct buf *b)
{
	char chunk[8192];
	ssize_t n;

	if (lseek(fd, 0, SEEK_SET) != 0)
		return;
	while ((n = read(fd, chunk, sizeof chunk)) > 0 || (n < 0 && errno == EINTR))
		if (n > 0)
			buf_add(b, chunk, (size_t)n);
}

/* The last non-empty line of text, at most 300 bytes; new allocation. */
static char *last_line(const char *text)
{
	size_t n = strlen(text);
	while (n && (text[n - 1] == '\n' || text[n - 1] == '\r'))
		n--;
	size_t start = n;
	while (start && text[start - 1] != '\n')
		start--;
	if (n - start > 300)
		start = n - 300;
	return xstrndup(text + start, n - start);
}

/*
 * Runs rsync with args (NULL-terminated, without the program's name),
 * its output into out; fails with rsync's last line of errors. *status
 * gets rsync's exit status when it ran.
 */
static int run(char *const *args, struct buf *out, int *status, struct hearth_err *err)
{
	char **argv = strv_push(NULL, "rsync");
	char tmpl_o[] = "/tmp/hearth-rsync-out.XXXXXX", tmpl_e[] = "/tmp/hearth-rsync-err.XXXXXX";
	int fo = -1, fe = -1, rc = 0, st = 0;
	struct buf e = BUF_INIT;
	pid_t pid;

	*status = -1;
	for (size_t i = 0; args[i]; i++)
		argv = strv_push(argv, args[i]);
	if ((fo = mkostemp(tmpl_o, O_CLOEXEC)) < 0 || (fe = mkostemp(tmpl_e, O_CLOEXEC)) < 0) {
		rc = herr(err, HEARTH_EIO, "cannot make a temporary file: %s", strerror(errno));
		goto end;
	}
	unlink(tmpl_o);
	unlink(tmpl_e);
	if ((pid = fork()) < 0) {
		rc = herr(err, HEARTH_EIO, "cannot run rsync: %s", strerror(errno));
		goto end;
	}
	if (pid == 0) {
		int nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (nul < 0 || dup2(nul, 0) < 0 || dup2(fo, 1) < 0 || dup2(fe, 2) < 0)
			_exit(126);
		execvp("rsync", argv);
		_exit(127);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			rc = herr(err, HEARTH_EIO, "cannot wait for rsync: %s", strerror(errno));
			goto end;
		}
	slurp(fo, out);
	if (WIFEXITED(st))
		*status = WEXITSTATUS(st);
	if (*status == 127) {
		rc = herr(err, HEARTH_ENOENT, "cannot run rsync: is it installed?");
	} else if (*status != 0) {
		slurp(fe, &e);
		char *line = last_line(buf_cstr(&e));
		if (*status < 0)
			rc = herr(err, HEARTH_EIO, "rsync was stopped by a signal");
		else
			rc = herr(err, HEARTH_EIO, "rsync failed (exit %d)%s%s", *status,
				  *line ? ": " : "", line);
		free(line);
	}
end:
	if (fo >= 0)
		close(fo);
	if (fe >= 0)
		close(fe);
	buf_release(&e);
	strv_free(argv);
	return rc;
}

/* The options every run shares: the remote shell and the time limit. */
static char **common(const struct deploy_opts *o)
{
	const struct lib_settings *s = o->settings;
	const char *env = getenv("RSYNC_RSH");
	char **v = NULL;
	char *t = xasprintf("--timeout=%ld", o->timeout > 0 ? o->timeout : (long)DEPLOY_TIMEOUT);

	v = strv_push(v, t);
	free(t);
	if (!(env && *env) && s && s->deploy_rsh && *s->deploy_rsh) {
		v = strv_push(v, "-e");
		v = strv_push(v, s->deploy_rsh);
	}
	return v;
}

static char **push_all(char **v, const char *const *more)
{
	for (size_t i = 0; more && more[i]; i++)
		v = strv_push(v, more[i]);
	return v;
}

/* "DEST/" for rsync to take as the folder itself. */
static char *as_folder(const char *p)
{
	size_t n = strlen(p);
	return n && p[n - 1] == '/' ? xstrdup(p) : xasprintf("%s/", p);
}

/*
 * Lists the top of the destination: *exists false when rsync found no
 * such folder; *visible when it holds a name not starting with '.';
 * *marked when it holds the marker.
 */
static int look(const char *dest, char *const *opts, bool *exists, bool *visible,
		bool *marked, struct hearth_err *err)
{
	char **args = push_all(NULL, (const char *const *)opts);
	char *d = as_folder(dest);
	struct buf out = BUF_INIT;
	int status, rc;

	*exists = *visible = *marked = false;
	args = strv_push(args, "--list-only");
	args = strv_push(args, "--");
	args = strv_push(args, d);
	rc = run(args, &out, &status, err);
	if (rc && status == 23 && !out.len) {
		/* rsync's partial transfer: here, no such folder yet */
		rc = 0;
		goto end;
	}
	if (rc)
		goto end;
	*exists = true;
	char *save = NULL;
	for (char *line = strtok_r(out.data ? out.data : (char *)"", "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		/* "drwxr-xr-x          4,096 2024/06/02 10:02:03 name" */
		char *p = line;
		for (int field = 0; field < 4 && p; field++) {
			p = strchr(p, ' ');
			while (p && *p == ' ')
				p++;
		}
		if (!p || !*p || !strcmp(p, "."))
			continue;
		if (!strcmp(p, DEPLOY_MARKER))
			*marked = true;
		else if (p[0] != '.')
			*visible = true;
	}
end:
	buf_release(&out);
	free(d);
	strv_free(args);
	return rc;
}

/* Sends the marker alone, into a folder rsync makes when it is missing. */
static int send_marker(const char *dest, char *const *opts, struct hearth_err *err)
{
	static const char text[] = "hearth deploy: this folder is published by 'hearth deploy',\n"
				   "which deletes here what the site no longer has\n";
	char tmpl[] = "/tmp/hearth-deploy.XXXXXX";
	char *dir = mkdtemp(tmpl) ? xstrdup(tmpl) : NULL;
	char *file = NULL, *src = NULL, *d = as_folder(dest);
	char **args = NULL;
	struct buf out = BUF_INIT;
	int status, rc = 0;

	if (!dir) {
		rc = herr(err, HEARTH_EIO, "cannot make a temporary folder: %s", strerror(errno));
		goto end;
	}
	file = path_join(dir, DEPLOY_MARKER);
	if ((rc = file_write_atomic(file, text, sizeof text - 1, err)))
		goto end;
	src = xasprintf("%s/", dir);
	args = push_all(NULL, (const char *const *)opts);
	args = strv_push(args, "-rt");
	args = strv_push(args, "--");
	args = strv_push(args, src);
	args = strv_push(args, d);
	rc = run(args, &out, &status, err);
end:
	if (dir) {
		struct hearth_err ignored;
		rm_rf(dir, &ignored);
	}
	buf_release(&out);
	strv_free(args);
	free(dir);
	free(file);
	free(src);
	free(d);
	return rc;
}

/* Counts and tells what one run's output says it sent or deleted. */
static void tally(const char *text, const struct deploy_opts *o, struct deploy_report *r)
{
	char *copy = xstrdup(text), *save = NULL;
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t n = strlen(line);
		if (!n || line[n - 1] == '/')
			continue; /* a folder */
		if (!strncmp(line, "send ", 5)) {
			r->sent++;
			dep_note(o, DEPLOY_SENT, line + 5);
		} else if (!strncmp(line, "del. ", 5)) {
			r->deleted++;
			dep_note(o, DEPLOY_DELETED, line + 5);
		}
	}
	free(copy);
}

/* One pass: rsync -rt with the extra filters, the site to the destination. */
static int pass(const char *site, const char *dest, char *const *opts,
		const char *const *extra,
		const struct deploy_opts *o, struct deploy_report *r, struct hearth_err *err)
{
	char **args = push_all(NULL, (const char *const *)opts);
	char *s = as_folder(site), *d = as_folder(dest);
	struct buf out = BUF_INIT;
	int status, rc;

	args = strv_push(args, "-rt");
	args = strv_push(args, "--out-format=%o %n");
	args = strv_push(args, "--exclude=.*");
	args = push_all(args, extra);
	args = strv_push(args, "--");
	args = strv_push(args, s);
	args = strv_push(args, d);
	rc = run(args, &out, &status, err);
	tally(buf_cstr(&out), o, r);
	buf_release(&out);
	strv_free(args);
	free(s);
	free(d);
	return rc;
}

int dep_rsync_run(const struct dep_site *site, const char *dest,
		  const struct deploy_opts *o, struct deploy_report *r,
		  struct hearth_err *err)
{
	static const char *const media[] = {"--include=/media/", "--include=/media/**",
				      "--exclude=*", NULL};
	static const char *const files[] = {"--exclude=*.html", "--exclude=*.xml",
					    "--exclude=*.opml", NULL};
	static const char *const no_feeds[] = {"--exclude=*.xml", "--exclude=*.opml", NULL};
	static const char *const deletions[] = {"--delete", "--existing", "--ignore-existing", NULL};
	char **opts = common(o);
	bool exists, visible, marked;
	int rc;

	if ((rc = look(dest, opts, &exists, &visible, &marked, err)))
		goto end;
	if (!marked) {
		if (visible && !o->force) {
			rc = herr(err, HEARTH_EEXIST,
				  "'%s' holds files and was never a Hearth deploy (no %s): a "
				  "deploy deletes what the site does not have, so choose an empty "
				  "folder, or use --force if everything there may go",
				  dest, DEPLOY_MARKER);
			goto end;
		}
		if ((rc = send_marker(dest, opts, err)))
			goto end;
		r->marked = true;
	}
	r->started = true;
	if ((rc = pass(site->dir, dest, opts, media, o, r, err)) ||
	    (rc = pass(site->dir, dest, opts, files, o, r, err)) ||
	    (rc = pass(site->dir, dest, opts, no_feeds, o, r, err)) ||
	    (rc = pass(site->dir, dest, opts, NULL, o, r, err)))
		goto end;
	rc = pass(site->dir, dest, opts, deletions, o, r, err);
end:
	if (rc)
		herr_prefix(err, "%s", dest);
	strv_free(opts);
	return rc;
}
