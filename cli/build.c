/*
 * build.c - `hearth build`: the site and feeds from the public view. A
 * story whose media cannot be made is left out and the rest is built;
 * each such story is named with the reason, and the command exits 1.
 * After a build that publishes, with notify.after_build, the changed
 * feeds are announced (cli_notify_after_build in notify.c): a failure
 * there is a warning, never a failed build.
 *
 * Compiled three times (LEAN_TWICE and SITE_TWICE in the Makefile). In
 * the lean hearth, cmd_build first asks site_build_quick whether there is
 * anything to do: when the site is as the catalogue, settings and theme
 * would make it, it says what a build with nothing to do says, without
 * loading FFmpeg or reading the public view. Anything else, an option it
 * does not know (--verify among them) or the least doubt, goes to
 * hearth-site (HEARTH_SITE),
 * which builds a site that needs no rendition without loading FFmpeg
 * either, and hands a build that does need one to hearth-media, which
 * builds everything.
 */
#define _GNU_SOURCE
#include "cli.h"
#ifndef HEARTH_LEAN
#include "../media/intake.h"
#endif
#include "../pipeline/pipeline.h"

#ifndef HEARTH_LEAN
#include <malloc.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#if !defined(HEARTH_LEAN) && !defined(HEARTH_SITE)
/*
 * One line on the terminal, rewritten as the build's media work is done:
 * how many renditions are done and, once there is a rate to go by, about
 * how long is left. The build calls it one call at a time.
 */
static void show_progress(void *arg, const struct site_progress *p)
{
	(void)arg;
	fprintf(stderr, "\rhearth: media %zu of %zu", p->done, p->total);
	if (p->done < p->total && p->done > 0 && p->elapsed > 0.5) {
		double left = p->elapsed / (double)p->done * (double)(p->total - p->done);
		if (left >= 90)
			fprintf(stderr, ", about %.0f min left  ", left / 60);
		else
			fprintf(stderr, ", about %.0f s left  ", left < 1 ? 1 : left);
	} else if (p->done == p->total) {
		fprintf(stderr, ", done in %.1f s          \n", p->elapsed);
	} else {
		fputs("                  ", stderr);
	}
	fflush(stderr);
}
#endif

/* Another build holds the library: say for whom we wait. */
static void say_waiting(void *arg, const struct lib_lock_holder *h)
{
	const struct cli *c = arg;
	char at[32] = "";
	time_t t = (time_t)h->since;
	struct tm tm;
	if (h->since && localtime_r(&t, &tm))
		strftime(at, sizeof at, "%Y-%m-%d %H:%M:%S", &tm);
	if (h->pid)
		fprintf(stderr, "hearth: %s: waiting for the build started by %s (pid %ld)%s%s...\n",
			c->name, h->who, h->pid, at[0] ? " at " : "", at);
	else
		fprintf(stderr, "hearth: %s: waiting for another build to finish...\n", c->name);
}

/* What a finished build says on stdout. */
static void say_built(const struct site_stats *st, const char *dir)
{
	printf("built %zu stor%s, %zu collection%s and a feed of %zu episode%s in %s\n",
	       st->stories, st->stories == 1 ? "y" : "ies", st->collections,
	       st->collections == 1 ? "" : "s", st->feed_items, st->feed_items == 1 ? "" : "s",
	       dir);
	if (st->rounds > 1)
		printf("the catalogue changed while the site was built; built again "
		       "(%d builds)\n", st->rounds);
	if (st->media_made || st->media_cached)
		printf("media: %zu made, %zu from the cache\n", st->media_made, st->media_cached);
}

#ifdef HEARTH_LEAN
/*
 * argv's options as cmd_build's, into *so; false for anything else (an
 * operand, --help, an unknown or malformed option, a bad value): then
 * hearth-media parses and answers, as it always did.
 */
static bool lean_options(int argc, char **argv, struct site_opts *so)
{
	static const char *const with_value[] = {"-o", "--output", "--base-url", "-j", "--jobs",
						 "--theme"};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = NULL, *eq = strchr(a, '=');
		size_t k, nk = sizeof with_value / sizeof *with_value, len;
		if (!strcmp(a, "--no-wait")) {
			so->no_wait = true;
			continue;
		}
		len = eq && !strncmp(a, "--", 2) ? (size_t)(eq - a) : strlen(a);
		for (k = 0; k < nk; k++)
			if (strlen(with_value[k]) == len && !strncmp(a, with_value[k], len))
				break;
		if (k == nk)
			return false;
		if (eq && !strncmp(a, "--", 2))
			v = eq + 1;
		else if (i + 1 < argc)
			v = argv[++i];
		else
			return false;
		if (a[1] == 'o' || !strncmp(a, "--output", 8))
			so->out_dir = v;
		else if (!strncmp(a, "--base-url", 10))
			so->base_url = v;
		else if (!strncmp(a, "--theme", 7))
			so->theme_dir = v;
		else {
			long j;
			if (!cli_int(v, &j) || j < 1 || j > 256)
				return false; /* the jobs do not matter, but the message does */
		}
	}
	struct hearth_err ignored;
	return !so->base_url || url_check(so->base_url, &ignored) == 0;
}

/*
 * Asks glibc's malloc of the program a build runs in to take its memory
 * from the kernel in transparent huge pages (the glibc.malloc.hugetlb
 * tunable, read when a program starts), unless the caller's
 * GLIBC_TUNABLES already says: a build of a large site takes tens of
 * megabytes of fresh memory, and on a virtual machine each 4 kB page of
 * it costs a fault of its own.
 */
static void build_malloc_huge(void)
{
	const char *t = getenv("GLIBC_TUNABLES");
	if (t && strstr(t, "glibc.malloc.hugetlb"))
		return;
	char *v = t && *t ? xasprintf("%s:glibc.malloc.hugetlb=1", t)
			  : xstrdup("glibc.malloc.hugetlb=1");
	setenv("GLIBC_TUNABLES", v, 1);
	free(v);
}

/*
 * Runs the build in hearth-site, installed beside hearth-media (media,
 * borrowed), with the same arguments; returns only when it cannot.
 */
static void exec_site(const struct cli *c, const char *media)
{
	char *dir = path_dir(media);
	char *site = path_join(dir, "hearth-site");
	if (access(site, X_OK) == 0) {
		fflush(NULL);
		execv(site, c->argv);
	}
	free(site);
	free(dir);
}

int cmd_build(struct cli *c, int argc, char **argv)
{
	struct site_opts so = {.waiting = say_waiting, .waiting_arg = c};
	struct lib_open_opts lo = {.read_only = true};
	struct site_stats st = {0};
	struct hearth_err err = {0};
	hearth_lib *lib = NULL;
	char *media = NULL, *dir = NULL;
	int quick = 0;

	if (lean_options(argc, argv, &so) && (media = cli_media_path()) &&
	    lib_open_with(c->dir, &lo, &lib, &err) == 0)
		quick = site_build_quick(lib, &so, media, &st, &err);
	if (quick == 1) {
		dir = so.out_dir ? xstrdup(so.out_dir) : path_join(lib_dir(lib), "public");
		say_built(&st, dir);
	}
	free(dir);
	lib_close(&lib);
	if (quick != 1) /* the build runs in another program, started with it */
		build_malloc_huge();
	if (quick != 1 && !media)
		media = cli_media_path();
	if (quick != 1 && media)
		exec_site(c, media); /* returns when there is none: hearth-media builds */
	free(media);
	if (quick == 1)
		return EXIT_OK;
	return cli_exec_media(c, c->argv);
}
#else
#ifdef HEARTH_SITE
/*
 * The notify step of a build made by hearth-site, which links no libcurl:
 * when notify.after_build is on, `hearth-media notify -o DIR` runs as a
 * child, as the lean hearth's commands run it, and a failure is a warning
 * (the site is published either way).
 */
int cli_notify_after_build(const struct cli *c, hearth_lib *lib, const char *out_dir)
{
	struct lib_settings s = {0};
	struct hearth_err err = {0};
	char *media = NULL;
	int status = 0, rc = 0;
	pid_t pid;

	if (lib_settings_load(lib, &s, &err) != 0) {
		fprintf(stderr, "hearth: %s: warning: the feeds were not announced: %s\n",
			c->name, err.msg);
		return 1;
	}
	if (!s.notify_after_build)
		goto end;
	if (!(media = cli_media_path())) {
		fprintf(stderr, "hearth: %s: warning: the feeds were not announced: "
			"hearth-media is missing\n", c->name);
		rc = 1;
		goto end;
	}
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		execl(media, media, "-C", lib_dir(lib), "notify", "-o", out_dir, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		fprintf(stderr, "hearth: %s: warning: the feeds were not all announced; "
			"run 'hearth notify' to try again\n", c->name);
		rc = 1;
	}
end:
	free(media);
	lib_settings_release(&s);
	return rc;
}
#endif

#ifndef HEARTH_SITE
/*
 * In hearth-media, every allocation of 128 kB or more is a mapping of its
 * own, given back when freed, instead of glibc's default, which raises
 * that threshold to the largest block freed so far and carves big blocks
 * from the threads' arenas. A media build runs a decoder, two encoders
 * and their checks on threads of their own: the MP4 muxer's index grows
 * a step at a time through the whole recording, and each step left the
 * block before it as a hole in an arena that the next, larger step could
 * not use; a cover's pictures, megabytes each, stayed in the arena after
 * use. That came to about a quarter of an audio build's peak memory
 * (docs/performance.md). Mapped, a growing block is moved by the kernel,
 * not copied, and a freed picture leaves the process. hearth-site, whose
 * builds reuse their big blocks, keeps the default.
 */
static void build_media_malloc(void)
{
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
}
#endif

int cmd_build(struct cli *c, int argc, char **argv)
{
	const char *out = NULL, *base = NULL, *jobs = NULL, *theme = NULL;
	bool helped, no_wait = false, verify = false;
	struct cli_opt opts[] = {
		{"no-wait", 0, false, false, NULL, NULL, &no_wait},
		{"verify", 0, false, false, NULL, NULL, &verify},
		{"output", 'o', true, false, &out, NULL, NULL},
		{"base-url", 0, true, false, &base, NULL, NULL},
		{"jobs", 'j', true, false, &jobs, NULL, NULL},
		{"theme", 0, true, false, &theme, NULL, NULL},
		{0},
	};
	struct hearth_err err = {0};
	struct site_stats st = {0};
	hearth_lib *lib = NULL;
	long j = 0;
	int rc = cli_no_operands(c, argc, argv, opts, &helped);
	if (rc || helped)
		return rc;
	if (jobs && (!cli_int(jobs, &j) || j < 1 || j > 256))
		return cli_usage(c, "-j: expected a number of jobs from 1 to 256, got '%s'",
				 jobs);
	if (base && url_check(base, &err))
		return cli_usage(c, "--base-url: '%s': %s", base, err.msg);
	if ((rc = cli_open(c, &lib)))
		return rc;
#ifndef HEARTH_SITE
	build_media_malloc();
#endif
	struct site_opts so = {
		.out_dir = out,
		.base_url = base,
		.theme_dir = theme,
		.jobs = (int)j,
#ifndef HEARTH_SITE
		.progress = isatty(STDERR_FILENO) ? show_progress : NULL,
#endif
		.no_wait = no_wait,
		.waiting = say_waiting,
		.waiting_arg = c,
		.verify = verify,
	};
	int built = site_build(lib, &so, &st, &err);
#ifdef HEARTH_SITE
	if (built == SITE_NEEDS_MEDIA) {
		/* renditions to make: hearth-media builds, from the start */
		lib_close(&lib);
		return cli_exec_media(c, c->argv);
	}
#endif
	if (built != 0) {
		rc = cli_fail_err(c, &err);
	} else {
		char *dir = out ? xstrdup(out) : path_join(lib_dir(lib), "public");
		say_built(&st, dir);
		for (size_t i = 0; i < st.n_failed; i++)
			rc = cli_fail(c, "story '%s' was left out: its media cannot be made: %s",
				      st.failed[i].slug, st.failed[i].reason);
		/* the site is published: a failure to announce it is only a warning */
		cli_notify_after_build(c, lib, dir);
		free(dir);
	}
	/* originals nothing refers to any more, unless an import is running */
	struct hearth_err gc_err = {0};
	media_gc(lib, false, NULL, &gc_err);
	site_stats_release(&st);
	lib_close(&lib);
	return rc;
}
#endif
