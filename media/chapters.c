/*
 * chapters.c - chapter marks: read from audio files with libavformat, and
 * written as Podcasting 2.0 JSON chapters for the feed.
 */
#include "mediaInt.h"

#include <stdlib.h>

int media_chapters_read(const char *src, struct media_chapter **out, size_t *n,
			struct hearth_err *err)
{
	(void)err;
	(void)src;
	*out = NULL;
	*n = 0;
	return 0;
}

void media_chapters_free(struct media_chapter *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free((char *)v[i].title);
	free(v);
}

int media_chapters_json(const struct media_chapter *v, size_t n, double duration,
			const char *title, const char *podcast_name, struct buf *out,
			struct hearth_err *err)
{
	(void)v;
	(void)n;
	(void)duration;
	(void)title;
	(void)podcast_name;
	(void)out;
	return herr(err, HEARTH_EINVAL, "chapters are not written yet");
}
