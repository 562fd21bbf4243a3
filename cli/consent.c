/* consent.c - `hearth consent SLUG`: record the consent a storyteller gave, per channel. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int yes_no(struct cli *c, const char *opt, const char *v, int *out)
{
	if (!v)
		return 0;
	*out = yaml_bool(v);
	if (*out < 0)
		return cli_usage(c, "%s: expected yes or no, got '%s'", opt, v);
	return 0;
}

int cmd_consent(struct cli *c, int argc, char **argv)
{
	const char *slug, *site = NULL, *podcast = NULL, *by = NULL, *note = NULL;
	bool helped;
	struct cli_opt opts[] = {
		{"site", 0, true, false, &site, NULL, NULL},
		{"podcast", 0, true, false, &podcast, NULL, NULL},
		{"by", 0, true, false, &by, NULL, NULL},
		{"note", 0, true, false, &note, NULL, NULL},
		{0},
	};
	struct hearth_err err = {0};
	hearth_lib *lib = NULL;
	struct lib_story *s = NULL;
	int rc = cli_one_slug(c, argc, argv, opts, &slug, &helped);
	if (rc || helped)
		return rc;
	if (!by || !*by)
		return cli_usage(c, "--by NAME is required: who recorded this consent");
	int vs = -1, vp = -1;
	if ((rc = yes_no(c, "--site", site, &vs)) || (rc = yes_no(c, "--podcast", podcast, &vp)))
		return rc;
	if (vs < 0 && vp < 0)
		return cli_usage(c, "give --site and/or --podcast");
	if ((rc = cli_open(c, &lib)))
		return rc;
	rc = lib_begin(lib, &err);
	if (!rc)
		rc = lib_story_get(lib, slug, &s, &err);
	if (!rc)
		rc = lib_story_set_consent(lib, slug, vs < 0 ? s->consent_site : vs,
					   vp < 0 ? s->consent_podcast : vp, by, note, &err);
	rc = cli_finish(c, lib, rc, &err);
	if (rc == EXIT_OK)
		printf("consent for %s recorded: site %s, podcast %s\n", slug,
		       (vs < 0 ? s->consent_site : vs) ? "yes" : "no",
		       (vp < 0 ? s->consent_podcast : vp) ? "yes" : "no");
	lib_story_free(&s);
	lib_close(&lib);
	return rc;
}
