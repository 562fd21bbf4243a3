/*
 * export.c - the whole catalogue as one JSON document, for backups others
 * can read, audits and moving between tools: every story with its person,
 * consent, terms, assets, chapters and history, then every collection. Private
 * fields (the real name unless it is the byline, contact, consent notes,
 * review notes, audit details, submitted file names) are written only when
 * the caller asks for them.
 */
#include "libraryInt.h"

#include <stdlib.h>
#include <string.h>

static void time_or_null(struct jw *w, const char *key, int64_t t)
{
	char s[21];
	jw_key(w, key);
	if (!t) {
		jw_null(w);
		return;
	}
	date_iso(t, s);
	jw_str(w, s);
}

static void strv_out(struct jw *w, const char *key, char **v)
{
	jw_key(w, key);
	jw_arr(w);
	for (size_t i = 0; v && v[i]; i++)
		jw_str(w, v[i]);
	jw_arr_end(w);
}

/* A private value: written when allowed, left out otherwise. */
static void private_str(struct jw *w, bool with_private, const char *key, const char *v)
{
	if (!with_private)
		return;
	jw_key(w, key);
	jw_str(w, v);
}

static void asset_out(struct jw *w, const struct lib_asset *a, bool with_private)
{
	jw_obj(w);
	jw_kstr(w, "role", lib_role_name(a->role));
	jw_kstr(w, "sha256", a->sha256);
	jw_kstr(w, "mime", a->mime);
	private_str(w, with_private, "filename", a->filename);
	jw_kstr(w, "alt", a->alt);
	jw_kint(w, "size", a->size);
	jw_knum(w, "duration", a->duration);
	jw_kint(w, "width", a->width);
	jw_kint(w, "height", a->height);
	jw_kstr(w, "codec", a->codec);
	jw_kint(w, "sample_rate", a->sample_rate);
	jw_kint(w, "channels", a->channels);
	jw_obj_end(w);
}

static int story_out(hearth_lib *lib, struct jw *w, const struct lib_story *s,
		     bool with_private, struct hearth_err *err)
{
	struct lib_audit *h = NULL;
	size_t nh = 0;
	int rc = lib_audit_list(lib, s->slug, &h, &nh, err);
	if (rc)
		return rc;

	jw_obj(w);
	jw_kstr(w, "slug", s->slug);
	jw_kstr(w, "guid", s->guid);
	jw_kstr(w, "title", s->title);
	jw_kstr(w, "summary", s->summary);
	jw_kstr(w, "status", lib_status_name(s->status));
	time_or_null(w, "published_at", s->published_at);
	time_or_null(w, "created_at", s->created_at);
	time_or_null(w, "updated_at", s->updated_at);
	jw_kstr(w, "language", s->language);
	jw_kstr(w, "license", s->license);
	jw_key(w, "season");
	if (s->season)
		jw_int(w, s->season);
	else
		jw_null(w);
	jw_key(w, "episode");
	if (s->episode)
		jw_int(w, s->episode);
	else
		jw_null(w);

	jw_key(w, "contributor");
	jw_obj(w);
	jw_kstr(w, "attribution", lib_attribution_name(s->attribution));
	/* the public view's byline; a name or pseudonym it does not show is private */
	const char *byline = lib_byline(s->attribution, s->name, s->pseudonym);
	jw_kstr(w, "byline", byline);
	private_str(w, with_private || byline == s->name, "name", s->name);
	private_str(w, with_private || byline == s->pseudonym, "pseudonym", s->pseudonym);
	private_str(w, with_private, "contact", s->contact);
	jw_obj_end(w);

	jw_key(w, "consent");
	jw_obj(w);
	jw_kbool(w, "site", s->consent_site);
	jw_kbool(w, "podcast", s->consent_podcast);
	time_or_null(w, "given", s->consent_given);
	time_or_null(w, "withdrawn_at", s->consent_withdrawn_at);
	private_str(w, with_private, "recorded_by", s->consent_recorded_by);
	private_str(w, with_private, "note", s->consent_note);
	jw_obj_end(w);
	private_str(w, with_private, "review_note", s->review_note);

	strv_out(w, "warnings", s->warnings);
	strv_out(w, "themes", s->themes);
	strv_out(w, "tags", s->tags);
	jw_key(w, "assets");
	jw_arr(w);
	for (size_t i = 0; i < s->n_assets; i++)
		asset_out(w, &s->assets[i], with_private);
	jw_arr_end(w);
	jw_key(w, "chapters");
	jw_arr(w);
	for (size_t i = 0; i < s->n_chapters; i++) {
		jw_obj(w);
		jw_knum(w, "start", s->chapters[i].start);
		jw_kstr(w, "title", s->chapters[i].title);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_kstr(w, "source_hash", s->source_hash);
	jw_kstr(w, "body", s->body);

	jw_key(w, "history");
	jw_arr(w);
	for (size_t i = 0; i < nh; i++) {
		jw_obj(w);
		time_or_null(w, "at", h[i].at);
		jw_kstr(w, "actor", h[i].actor);
		jw_kstr(w, "action", h[i].action);
		private_str(w, with_private, "detail", h[i].detail);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
	lib_audit_free(h, nh);
	return 0;
}

int lib_export_json(hearth_lib *lib, bool with_private, struct buf *out,
		    struct hearth_err *err)
{
	struct lib_story **stories = NULL;
	struct lib_collection **colls = NULL;
	size_t ns = 0, nc = 0;
	struct buf b = BUF_INIT;
	struct jw w;
	int rc;

	if ((rc = lib_begin_read(lib, err)))
		return rc;
	if ((rc = lib_story_list(lib, -1, &stories, &ns, err)) ||
	    (rc = lib_collection_list(lib, &colls, &nc, err)))
		goto end;
	jw_init(&w, &b, true);
	jw_obj(&w);
	jw_key(&w, "stories");
	jw_arr(&w);
	for (size_t i = 0; i < ns && !rc; i++)
		rc = story_out(lib, &w, stories[i], with_private, err);
	if (rc)
		goto end;
	jw_arr_end(&w);
	jw_key(&w, "collections");
	jw_arr(&w);
	for (size_t i = 0; i < nc; i++) {
		jw_obj(&w);
		jw_key(&w, "slug");
		jw_str(&w, colls[i]->slug);
		jw_key(&w, "title");
		jw_str(&w, colls[i]->title);
		jw_key(&w, "description");
		jw_str(&w, colls[i]->description);
		jw_key(&w, "podcast");
		jw_bool(&w, colls[i]->podcast);
		jw_key(&w, "type");
		jw_str(&w, colls[i]->serial ? "serial" : "episodic");
		strv_out(&w, "stories", colls[i]->stories);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_obj_end(&w);
	if ((rc = jw_end(&w, err)))
		goto end;
	buf_add(out, b.data, b.len);
end:
	lib_story_list_free(stories, ns);
	lib_collection_list_free(colls, nc);
	buf_release(&b);
	return lib_end(lib, rc, err);
}

int lib_story_json(hearth_lib *lib, const char *slug, bool with_private,
		   struct buf *out, struct hearth_err *err)
{
	struct lib_story *s = NULL;
	struct jw w;
	int rc = lib_story_get(lib, slug, &s, err);
	if (rc)
		return rc;
	jw_init(&w, out, true);
	rc = story_out(lib, &w, s, with_private, err);
	if (!rc)
		rc = jw_end(&w, err);
	lib_story_free(&s);
	return rc;
}
