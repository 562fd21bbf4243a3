/*
 * chapters.c - a story's chapters in the build. They come from the public
 * view (pub_story.chapters: the front matter's, or those read from the
 * sound file at import) and go three ways: a Podcasting 2.0 JSON file,
 * media/<slug>/<slug>.chapters.json, that the feed item's
 * podcast:chapters points to; the chapter marks (ID3 CHAP, MP4 chapters)
 * of the podcast audio, through its tags; and a list on the story page
 * (view.c). They mark the story's first track: its speech, else its music.
 */
#include "siteInt.h"

#include <stdlib.h>
#include <string.h>

struct media_chapter *site_media_chapters(const struct pub_story *s)
{
	struct media_chapter *v;

	if (!s->n_chapters)
		return NULL;
	v = xcalloc(s->n_chapters, sizeof *v);
	for (size_t i = 0; i < s->n_chapters; i++) {
		v[i].start = s->chapters[i].start;
		v[i].title = s->chapters[i].title;
	}
	return v;
}

/* One story's JSON chapters into staging; sets e->m.chapters_src. */
static int write_one(const struct site_ctx *c, struct site_entry *e, const char *staging,
		     struct hearth_err *err)
{
	const struct pub_story *s = e->s;
	struct media_chapter *v = site_media_chapters(s);
	struct buf json = BUF_INIT;
	char *rel = xasprintf("media/%s/%s.chapters.json", s->slug, s->slug);
	int rc = media_chapters_json(v, s->n_chapters, e->m.audio[0].duration, s->title,
				     c->set->title, &json, err);
	if (!rc) {
		char *dst = path_join(staging, rel);
		rc = file_write_atomic(dst, json.data, json.len, err);
		free(dst);
	}
	if (rc) {
		herr_prefix(err, "story '%s'", s->slug);
		free(rel);
	} else {
		e->m.chapters_src = rel;
	}
	free(v);
	buf_release(&json);
	return rc;
}

int site_chapters_write(struct site_ctx *c, const char *staging, struct hearth_err *err)
{
	for (size_t i = 0; i < c->n; i++) {
		struct site_entry *e = &c->e[i];
		/* only what the feed points to: a podcast item with chapters */
		if (!e->on_podcast || !e->m.n_audio || !e->s->n_chapters)
			continue;
		int rc = write_one(c, e, staging, err);
		if (rc)
			return rc;
	}
	return 0;
}
