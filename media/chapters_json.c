/*
 * chapters_json.c - a recording's chapters as Podcasting 2.0 JSON, the
 * file a feed item's podcast:chapters points to. Apart from chapters.c,
 * which reads chapters with libavformat, so that a program without FFmpeg
 * (hearth-site) writes the same file.
 */
#include "mediaInt.h"

#include <math.h>
#include <string.h>

int media_chapters_json(const struct media_chapter *v, size_t n, double duration,
			const char *title, const char *podcast_name, struct buf *out,
			struct hearth_err *err)
{
	struct buf b = BUF_INIT;
	struct jw w;
	char t1[32], t2[32];

	if (!n)
		return herr(err, HEARTH_EINVAL, "chapters: there are none to write");
	for (size_t i = 0; i < n; i++) {
		const char *ti = v[i].title;
		if (!isfinite(v[i].start) || v[i].start < 0)
			return herr(err, HEARTH_EINVAL, "chapters: chapter %zu starts before the beginning",
				    i + 1);
		if (i && v[i].start <= v[i - 1].start) {
			fmt_clock(v[i].start, 3, t1);
			fmt_clock(v[i - 1].start, 3, t2);
			return herr(err, HEARTH_EINVAL,
				    "chapters: chapter %zu starts at %s, not after chapter %zu (%s)", i + 1,
				    t1, i, t2);
		}
		if (duration > 0 && v[i].start >= duration) {
			fmt_clock(v[i].start, 3, t1);
			fmt_clock(duration, 3, t2);
			return herr(err, HEARTH_EINVAL,
				    "chapters: chapter %zu starts at %s, after the end of the audio (%s)",
				    i + 1, t1, t2);
		}
		if (!ti || !*ti || !text_valid(ti, strlen(ti)))
			return herr(err, HEARTH_EINVAL,
				    "chapters: chapter %zu needs a title of UTF-8 text", i + 1);
	}
	if ((title && !text_valid(title, strlen(title))) ||
	    (podcast_name && !text_valid(podcast_name, strlen(podcast_name))))
		return herr(err, HEARTH_EINVAL, "chapters: the titles must be UTF-8 text");

	jw_init(&w, &b, true);
	jw_obj(&w);
	jw_key(&w, "version");
	jw_str(&w, "1.2.0");
	if (title && *title) {
		jw_key(&w, "title");
		jw_str(&w, title);
	}
	if (podcast_name && *podcast_name) {
		jw_key(&w, "podcastName");
		jw_str(&w, podcast_name);
	}
	jw_key(&w, "chapters");
	jw_arr(&w);
	for (size_t i = 0; i < n; i++) {
		jw_obj(&w);
		jw_key(&w, "startTime");
		jw_num(&w, round(v[i].start * 1000) / 1000);
		jw_key(&w, "title");
		jw_str(&w, v[i].title);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_obj_end(&w);
	int rc = jw_end(&w, err);
	if (!rc)
		buf_add(out, b.data, b.len);
	buf_release(&b);
	return rc;
}
