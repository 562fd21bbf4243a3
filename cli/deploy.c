/*
 * deploy.c - `hearth deploy DEST`: publishes the built site (public/ in
 * the library, or -o DIR) to a folder, to [user@]host:path over rsync, or
 * to s3://bucket/prefix, and deletes there what the site no longer has
 * (deploy_site in deploy/deploy.h does the work, holding the build lock).
 * Prints a line per file sent or deleted and one at the end.
 *
 * Only hearth-media has this command: it is the one that links libcurl.
 */
#include "cli.h"
#include "../deploy/deploy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef HEARTH_VERSION
#define HEARTH_VERSION "0.1.0"
#endif

/* Another build holds the library: say for whom we wait. */
static void say_waiting(void *arg, const struct lib_lock_holder *h)
{
	const struct cli *c = arg;
	if (h->pid)
		fprintf(stderr, "hearth: %s: waiting for the build started by %s (pid %ld)...\n",
			c->name, h->who, h->pid);
	else
		fprintf(stderr, "hearth: %s: waiting for a build to finish...\n", c->name);
}

static void say_file(void *arg, enum deploy_action a, const char *path)
{
	(void)arg;
	printf("%s %s\n", a == DEPLOY_SENT ? "sent" : "deleted", path);
	fflush(stdout);
}

static void say_report(const struct deploy_report *r, const char *where, bool failed)
{
	if (r->marked)
		printf("marked %s as a Hearth deploy (%s)\n", where, DEPLOY_MARKER);
	printf("%s%zu file%s, %zu sent, %zu unchanged, %zu deleted\n",
	       failed ? "stopped: " : "", r->files, r->files == 1 ? "" : "s", r->sent,
	       r->files >= r->sent ? r->files - r->sent : 0, r->deleted);
}

int cmd_deploy(struct cli *c, int argc, char **argv)
{
	const char *out = NULL, *timeout = NULL, **operands = NULL;
	bool helped, force = false, no_wait = false, quiet = false;
	struct cli_opt opts[] = {
		{"output", 'o', true, false, &out, NULL, NULL},
		{"force", 0, false, false, NULL, NULL, &force},
		{"no-wait", 0, false, false, NULL, NULL, &no_wait},
		{"quiet", 'q', false, false, NULL, NULL, &quiet},
		{"timeout", 0, true, false, &timeout, NULL, NULL},
		{0},
	};
	struct lib_settings s = {0};
	struct deploy_dest dest = {0};
	struct deploy_report r = {0};
	struct hearth_err err = {0};
	hearth_lib *lib = NULL;
	char *dir = NULL;
	size_t n = 0;
	long t = 0;
	int rc = cli_parse(c, argc, argv, opts, &operands, &n, &helped);

	if (rc || helped)
		goto end;
	if (n == 0) {
		rc = cli_usage(c, "expected a destination");
		goto end;
	}
	if (n > 1) {
		rc = cli_usage(c, "expected one destination, got %zu", n);
		goto end;
	}
	if (timeout && (!cli_int(timeout, &t) || t < 1 || t > 3600)) {
		rc = cli_usage(c, "--timeout: expected seconds from 1 to 3600, got '%s'", timeout);
		goto end;
	}
	if (deploy_dest_parse(operands[0], &dest, &err) != 0) {
		rc = cli_usage(c, "%s", err.msg);
		goto end;
	}
	if ((rc = cli_open_read(c, &lib)))
		goto end;
	if (lib_settings_load(lib, &s, &err) != 0) {
		rc = cli_fail_err(c, &err);
		goto end;
	}
	dir = out ? xstrdup(out) : path_join(lib_dir(lib), "public");
	struct deploy_opts o = {
		.force = force,
		.no_wait = no_wait,
		.waiting = say_waiting,
		.waiting_arg = c,
		.settings = &s,
		.timeout = t,
		.user_agent = "hearth/" HEARTH_VERSION,
		.note = quiet ? NULL : say_file,
	};
	if (deploy_site(lib, dir, &dest, &o, &r, &err) != 0) {
		if (r.sent || r.deleted || r.marked)
			say_report(&r, dest.where, true);
		fprintf(stderr, "hearth: %s: %s\n", c->name, err.msg);
		if (r.started)
			fprintf(stderr, "hearth: %s: %s; run the same deploy again to finish\n",
				c->name, r.deleted ? "the deletions were cut short"
						   : "nothing was deleted");
		rc = EXIT_ERR;
		goto end;
	}
	say_report(&r, dest.where, false);
end:
	free(operands);
	deploy_dest_release(&dest);
	lib_settings_release(&s);
	lib_close(&lib);
	free(dir);
	return rc;
}
