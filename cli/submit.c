/*
 * submit.c - `hearth submit FILE... --title T`: a peer's story from the
 * command line. Each file is identified by its content (text, recording,
 * music, picture, transcript), goes through intake, and the story enters
 * the library as submitted, waiting for an editor.
 */
#include "cli.h"
#include "../media/media.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_transcript(const char *path, const char *mime)
{
	const char *ext = path_ext(path);
	return media_role_allows("transcript", mime) &&
	       (!strcmp(mime, "text/vtt") || !strcmp(ext, "vtt") || !strcmp(ext, "srt"));
}

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
	size_t n_ops = 0, n_alt = 0;
	struct hearth_err err = {0};
	struct lib_story s = {0};
	struct media_limits lim = {0};
	struct buf body = BUF_INIT;
	hearth_lib *lib = NULL;
	char *slug = NULL, *mime = NULL, *desc = NULL;
	const char *transcript = NULL, *sound = NULL;
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
	s.attribution = pseudonym && *pseudonym ? ATTR_PSEUDONYM : ATTR_ANONYMOUS;
	if (attribution && lib_attribution_parse(attribution, &s.attribution) != 0) {
		rc = cli_usage(c, "--attribution: expected name, pseudonym or anonymous, got '%s'",
			       attribution);
		goto end;
	}
	if (s.attribution == ATTR_NAME && (!name || !*name)) {
		rc = cli_usage(c, "--attribution name needs --name");
		goto end;
	}
	if (s.attribution == ATTR_PSEUDONYM && (!pseudonym || !*pseudonym)) {
		rc = cli_usage(c, "--attribution pseudonym needs --pseudonym");
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
	if (cli_limits(lib, &lim, &err) != 0 || lib_begin(lib, &err) != 0) {
		rc = cli_fail_err(c, &err);
		goto end;
	}
	s.assets = xcalloc(n_ops, sizeof *s.assets);
	for (size_t i = 0; i < n_ops && !rc; i++) {
		const char *f = ops[i];
		xfree(&mime);
		xfree(&desc);
		if (!path_is_file(f)) {
			rc = cli_fail(c, "'%s' does not exist or is not a file", f);
			break;
		}
		if (media_sniff(f, &mime, &desc, &err) != 0) {
			rc = cli_fail_err(c, &err);
			break;
		}
		struct lib_asset *a = &s.assets[s.n_assets];
		if (is_transcript(f, mime)) {
			a->role = (char *)"transcript";
			transcript = f;
		} else if (media_role_allows("text", mime)) {
			if (body.len) {
				rc = cli_fail(c, "'%s': the story's text was already given", f);
				break;
			}
			if (file_read(f, &body, &err) != 0) {
				rc = cli_fail_err(c, &err);
				break;
			}
			if (!text_valid(body.data, body.len)) {
				rc = cli_fail(c, "'%s': the text is not valid UTF-8", f);
				break;
			}
			continue;
		} else if (media_role_allows("audio", mime)) {
			a->role = (char *)(music ? "music" : "audio");
			if (!sound)
				sound = f;
		} else if (media_role_allows("art", mime)) {
			a->role = (char *)"art";
			if (n_alt >= strv_len(alts)) {
				rc = cli_usage(c, "'%s' is a picture: describe it with --alt TEXT "
						  "(one --alt per picture, in order)", f);
				break;
			}
			a->alt = alts[n_alt++];
		} else {
			rc = cli_fail(c, "'%s' is %s; a story can hold text (Markdown or plain "
				      "text), audio, music, pictures and transcripts", f, desc);
			break;
		}
		a->filename = (char *)path_base(f);
		if (media_intake(lib, f, f, &lim, a, &err) != 0) {
			rc = cli_fail_err(c, &err);
			break;
		}
		s.n_assets++;
	}
	if (!rc && sound && cli_embedded_chapters(&s, sound, &err) != 0)
		rc = cli_fail_err(c, &err);
	if (!rc && transcript && cli_transcript_fits(&s, transcript, &err) != 0)
		rc = cli_fail_err(c, &err);
	if (!rc && !body.len && s.n_assets == 0)
		rc = cli_usage(c, "a story needs its text or at least one recording or picture");
	s.body = (char *)buf_cstr(&body);
	if (!rc && lib_story_submit(lib, &s, &slug, &err) != 0)
		rc = cli_fail_err(c, &err);
	if (!rc && lib_commit(lib, &err) != 0)
		rc = cli_fail_err(c, &err);
	if (rc) {
		lib_rollback(lib);
		goto end;
	}
	printf("thank you: your story is submitted as '%s'\n", slug);
	printf("an editor will read it before anything is published; you can withdraw "
	       "it at any time by quoting '%s'\n", slug);
end:
	/* strings in s are borrowed from argv; only what intake filled is ours */
	for (size_t i = 0; s.assets && i < n_ops; i++) {
		free(s.assets[i].sha256);
		free(s.assets[i].mime);
		free(s.assets[i].codec);
	}
	free(s.assets);
	for (size_t i = 0; i < s.n_chapters; i++)
		free(s.chapters[i].title);
	free(s.chapters);
	strv_free(warnings);
	strv_free(alts);
	buf_release(&body);
	free(slug);
	free(mime);
	free(desc);
	free(ops);
	lib_close(&lib);
	return rc;
}
