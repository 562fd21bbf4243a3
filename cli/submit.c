/*
 * submit.c - `hearth submit FILE... --title T`: a peer's story from the
 * command line. The options become the story's fields; media_submit
 * identifies each file by its content (text, recording, music, picture,
 * transcript), takes it in by the rules every way in shares, and records
 * the story as submitted, waiting for an editor. The peer is given the
 * story's receipt code, once.
 */
#include "cli.h"
#include "../media/intake.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Sets consent from "site", "podcast", "site,podcast", "both" or "none". */
static int parse_consent(const char *v, bool *site, bool *podcast)
{
	char *copy = xstrdup(v), *save = NULL;
	int rc = 0;
	*site = *podcast = false;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		str_trim(t);
		if (!strcmp(t, "site"))
			*site = true;
		else if (!strcmp(t, "podcast"))
			*podcast = true;
		else if (!strcmp(t, "both"))
			*site = *podcast = true;
		else if (strcmp(t, "none"))
			rc = -1;
	}
	free(copy);
	return rc;
}

int cmd_submit(struct cli *c, int argc, char **argv)
{
	const char *title = NULL, *summary = NULL, *name = NULL, *pseudonym = NULL,
		   *attribution = NULL, *contact = NULL, *consent = NULL, *language = NULL;
	char **warnings = NULL, **alts = NULL;
	bool music = false, helped;
	struct cli_opt opts[] = {
		{"title", 0, true, false, &title, NULL, NULL},
		{"summary", 0, true, false, &summary, NULL, NULL},
		{"name", 0, true, false, &name, NULL, NULL},
		{"pseudonym", 0, true, false, &pseudonym, NULL, NULL},
		{"attribution", 0, true, false, &attribution, NULL, NULL},
		{"contact", 0, true, false, &contact, NULL, NULL},
		{"consent", 0, true, false, &consent, NULL, NULL},
		{"language", 0, true, false, &language, NULL, NULL},
		{"warning", 0, true, true, NULL, &warnings, NULL},
		{"alt", 0, true, true, NULL, &alts, NULL},
		{"music", 0, false, false, NULL, NULL, &music},
		{0},
	};
	const char **ops = NULL;
	size_t n_ops = 0;
	struct hearth_err err = {0};
	struct lib_story s = {0};
	struct media_submission sub = {0};
	hearth_lib *lib = NULL;
	int rc = cli_parse(c, argc, argv, opts, &ops, &n_ops, &helped);

	if (rc || helped)
		goto end;
	if (!title || !*str_trim((char *)title)) {
		rc = cli_usage(c, "--title is required");
		goto end;
	}
	if (!n_ops) {
		rc = cli_usage(c, "expected at least one file: the story's text, a recording, "
				  "music or a picture");
		goto end;
	}
	s.title = (char *)title;
	s.summary = (char *)summary;
	s.name = (char *)name;
	s.pseudonym = (char *)pseudonym;
	s.contact = (char *)contact;
	s.language = (char *)(language ? language : "en");
	s.warnings = warnings;
	/* unless told otherwise, a peer is shown by pseudonym or not at all */
	if (lib_attribution_settle(attribution, name, pseudonym, &s.attribution, &err)) {
		rc = cli_usage(c, "--attribution: %s", err.msg);
		goto end;
	}
	if (consent && parse_consent(consent, &s.consent_site, &s.consent_podcast) != 0) {
		rc = cli_usage(c, "--consent: expected site, podcast, both or none, got '%s'",
			       consent);
		goto end;
	}
	if (consent) {
		s.consent_given = hearth_now();
		s.consent_recorded_by = (char *)"the storyteller (hearth submit)";
	}

	if ((rc = cli_open(c, &lib)))
		goto end;
	sub.story = &s;
	sub.files = (char *const *)ops;
	sub.n_files = n_ops;
	sub.alts = alts;
	sub.music = music;
	sub.via = "hearth submit";
	if (media_submit(lib, &sub, &err) != 0) {
		if (sub.needs_alt)
			rc = cli_usage(c, "'%s' is a picture: describe it with --alt TEXT "
					  "(one --alt per picture, in order)", sub.needs_alt);
		else
			rc = cli_fail_err(c, &err);
		goto end;
	}
	printf("thank you: your story is submitted as '%s'\n", sub.slug);
	printf("your receipt code: %s\n", sub.receipt);
	printf("keep this code: it is shown only once, and with it you can follow your "
	       "story, revise it or withdraw it at any time; an editor will read it "
	       "before anything is published\n");
end:
	strv_free(warnings);
	strv_free(alts);
	media_submission_release(&sub);
	free(ops);
	lib_close(&lib);
	return rc;
}
