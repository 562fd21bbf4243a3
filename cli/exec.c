/*
 * exec.c - how the lean hearth hands a media command to hearth-media.
 *
 * Hearth is two programs built from the same sources. `hearth` holds the
 * text commands (list, show, review, publish, ...) and links neither
 * FFmpeg nor the other media libraries, so they start in a few
 * milliseconds. `hearth-media` is the whole program. A command that makes
 * or checks media (import, submit, build, serve, gc, erase) is run by
 * replacing this process with hearth-media, same arguments, same
 * environment: the user sees one program.
 *
 * hearth-media is looked for beside this executable first (a build tree,
 * or an install that keeps both in one folder), then in the libexec
 * folder of the prefix this executable is installed in (<prefix>/bin/hearth
 * and <prefix>/libexec/hearth-media, wherever the prefix was moved), then
 * in the libexec folder the build was configured with.
 */
#define _GNU_SOURCE
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef HEARTH_LIBEXECDIR
#define HEARTH_LIBEXECDIR "/usr/local/libexec"
#endif

#define MEDIA_PROGRAM "hearth-media"

/* The folder this executable is in, or NULL. Returns a new allocation. */
static char *self_dir(void)
{
	char *self = NULL, *slash;
	ssize_t n;
	size_t cap = 256;

	for (;;) {
		self = xrealloc(self, cap);
		n = readlink("/proc/self/exe", self, cap);
		if (n < 0) {
			free(self);
			return NULL;
		}
		if ((size_t)n < cap)
			break;
		cap *= 2;
	}
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (!slash) {
		free(self);
		return NULL;
	}
	*slash = '\0';
	return self;
}

/* The places hearth-media is looked for, in order; *dir gets self_dir(). */
static void media_tries(char *tries[3], char **dir)
{
	*dir = self_dir();
	tries[0] = *dir ? xasprintf("%s/%s", *dir, MEDIA_PROGRAM) : NULL;
	tries[1] = *dir ? xasprintf("%s/../libexec/%s", *dir, MEDIA_PROGRAM) : NULL;
	tries[2] = xstrdup(HEARTH_LIBEXECDIR "/" MEDIA_PROGRAM);
}

char *cli_media_path(void)
{
	char *dir, *tries[3], *found = NULL;
	media_tries(tries, &dir);
	for (size_t i = 0; i < 3; i++) {
		if (!found && tries[i] && access(tries[i], X_OK) == 0)
			found = tries[i];
		else
			free(tries[i]);
	}
	free(dir);
	return found;
}

int cli_exec_media(const struct cli *c, char **argv)
{
	char *dir, *tries[3];
	int rc = EXIT_ERR;
	size_t i;

	media_tries(tries, &dir);
	for (i = 0; i < 3; i++)
		if (tries[i] && access(tries[i], X_OK) == 0)
			break;
	if (i == 3) {
		rc = cli_fail(c, "this command needs the program %s, which is neither beside "
			      "this one (in %s) nor installed in %s; reinstall hearth",
			      MEDIA_PROGRAM, dir ? dir : "?", HEARTH_LIBEXECDIR);
	} else {
		fflush(NULL);
		execv(tries[i], argv);
		rc = cli_fail(c, "cannot run %s: %s", tries[i], strerror(errno));
	}
	for (i = 0; i < 3; i++)
		free(tries[i]);
	free(dir);
	return rc;
}
