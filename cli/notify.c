/*
 * notify.c - `hearth notify`: tells listeners' apps that the feeds of the
 * built site changed, through the WebSub hubs named in notify.hubs and
 * the Podcast Index's pubnotify when notify.podcastindex is on
 * (feed_notify in feeds/notify.h does the work). Also the notify step
 * `hearth build` runs after a successful publish when notify.after_build
 * is on, where a failure is a warning, not a failed build.
 *
 * Only hearth-media has this command: it is the one that links libcurl.
 */
#include "cli.h"
#include "../feeds/notify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef HEARTH_VERSION
#define HEARTH_VERSION "0.1.0"
#endif

/* The places to tell, from the settings (borrowed from s). */
static void opts_from(const struct lib_settings *s, struct feed_notify_opts *o)
{
	o->hubs = s->notify_hubs;
	o->podcastindex_url = s->notify_podcastindex ? s->notify_podcastindex_url : NULL;
	o->user_agent = "hearth/" HEARTH_VERSION;
}

static bool nothing_to_tell(const struct feed_notify_opts *o)
{
	return !(o->hubs && o->hubs[0]) && !o->podcastindex_url;
}

static const char *place(const struct feed_notify_send *s)
{
	return s->kind == NOTIFY_WEBSUB ? "hub" : "Podcast Index";
}

/*
 * Prints what a run did: a line per request on stdout, a line per
 * failure on stderr (as a warning when warn is set); returns the number
 * of failures.
 */
static size_t say(const struct cli *c, const struct feed_notify_opts *o,
		  const struct feed_notify_report *r, bool warn)
{
	for (size_t i = 0; i < r->n_sends; i++) {
		const struct feed_notify_send *s = &r->sends[i];
		if (o->dry_run)
			printf("would %s %s%s%s\n", s->method, s->url, s->body ? " " : "",
			       s->body ? s->body : "");
		else if (!s->error)
			printf("told %s %s: %s changed (%ld)\n", place(s), s->endpoint,
			       s->feed_url, s->status);
		else
			fprintf(stderr, "hearth: %s: %s%s %s: %s: %s\n", c->name,
				warn ? "warning: " : "", place(s), s->endpoint, s->feed_url,
				s->error);
	}
	if (r->n_sends == 0)
		printf("%zu feed%s, none changed since the last notify: nothing sent\n",
		       r->feeds, r->feeds == 1 ? "" : "s");
	else if (!o->dry_run)
		printf("%zu of %zu feed%s to announce: %zu request%s, %zu failed\n", r->changed,
		       r->feeds, r->feeds == 1 ? "" : "s", r->n_sends, r->n_sends == 1 ? "" : "s",
		       r->failed);
	return r->failed;
}

int cli_notify_after_build(const struct cli *c, hearth_lib *lib, const char *out_dir)
{
	struct lib_settings s = {0};
	struct feed_notify_opts o = {0};
	struct feed_notify_report r = {0};
	struct hearth_err err = {0};
	int rc = 0;

	if (lib_settings_load(lib, &s, &err) != 0) {
		fprintf(stderr, "hearth: %s: warning: the feeds were not announced: %s\n",
			c->name, err.msg);
		return 1;
	}
	opts_from(&s, &o);
	if (!s.notify_after_build || nothing_to_tell(&o))
		goto end;
	if (feed_notify(out_dir, &o, &r, &err) != 0) {
		fprintf(stderr, "hearth: %s: warning: the feeds were not announced: %s\n",
			c->name, err.msg);
		rc = 1;
	} else if (say(c, &o, &r, true)) {
		fprintf(stderr, "hearth: %s: warning: the site is published; run 'hearth notify' "
				"to try the failed ones again\n", c->name);
		rc = 1;
	}
end:
	feed_notify_report_release(&r);
	lib_settings_release(&s);
	return rc;
}

int cmd_notify(struct cli *c, int argc, char **argv)
{
	const char *out = NULL, *timeout = NULL;
	bool helped, all = false, dry_run = false;
	struct cli_opt opts[] = {
		{"output", 'o', true, false, &out, NULL, NULL},
		{"all", 0, false, false, NULL, NULL, &all},
		{"dry-run", 'n', false, false, NULL, NULL, &dry_run},
		{"timeout", 0, true, false, &timeout, NULL, NULL},
		{0},
	};
	struct lib_settings s = {0};
	struct feed_notify_opts o = {0};
	struct feed_notify_report r = {0};
	struct hearth_err err = {0};
	hearth_lib *lib = NULL;
	char *dir = NULL;
	long t = 0;
	int rc = cli_no_operands(c, argc, argv, opts, &helped);

	if (rc || helped)
		return rc;
	if (timeout && (!cli_int(timeout, &t) || t < 1 || t > 600))
		return cli_usage(c, "--timeout: expected seconds from 1 to 600, got '%s'", timeout);
	if ((rc = cli_open_read(c, &lib)))
		return rc;
	if (lib_settings_load(lib, &s, &err) != 0) {
		rc = cli_fail_err(c, &err);
		goto end;
	}
	opts_from(&s, &o);
	o.all = all;
	o.dry_run = dry_run;
	o.timeout = t;
	if (nothing_to_tell(&o)) {
		printf("nothing to tell: hearth.yaml names no notify.hubs and notify.podcastindex "
		       "is off\n");
		goto end;
	}
	dir = out ? xstrdup(out) : path_join(lib_dir(lib), "public");
	if (feed_notify(dir, &o, &r, &err) != 0)
		rc = cli_fail_err(c, &err);
	else if (say(c, &o, &r, false))
		rc = EXIT_ERR;
end:
	feed_notify_report_release(&r);
	lib_settings_release(&s);
	lib_close(&lib);
	free(dir);
	return rc;
}
