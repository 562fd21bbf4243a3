/*
 * chapters.c - chapter marks: read from audio files with libavformat (MP3
 * CHAP frames, MP4 chapters, Matroska chapters, Ogg and FLAC CHAPTERxxx
 * comments all arrive as AVFormatContext.chapters); chapters_json.c
 * writes them as Podcasting 2.0 JSON for the feed's podcast:chapters.
 *
 * Chapters read from a file are the storyteller's content, so they are
 * tidied rather than refused: put in order, repeats and marks past the
 * end dropped, titles made one line, and a chapter without a title named
 * "Chapter N". Chapters written out must already be right: in order and
 * inside the audio.
 */
#include "mediaInt.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* More than this is not a chapter list but noise. */
#define MAX_CHAPTERS 1000
/* A title longer than this is cut (at a character boundary). */
#define MAX_TITLE 200

static int by_start(const void *pa, const void *pb)
{
	const struct media_chapter *a = pa, *b = pb;
	return a->start < b->start ? -1 : a->start > b->start;
}

/*
 * A chapter title as one line of UTF-8 text: line breaks and tabs become
 * spaces, runs of spaces one, the ends trimmed, cut at MAX_TITLE bytes.
 * NULL when nothing valid is left.
 */
static char *tidy_title(const char *s)
{
	struct buf b = BUF_INIT;
	bool space = false;

	if (!s || !text_valid(s, strlen(s)))
		return NULL;
	for (; *s; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
			space = b.len > 0;
			continue;
		}
		if (space)
			buf_putc(&b, ' ');
		space = false;
		buf_putc(&b, *s);
	}
	if (b.len > MAX_TITLE) {
		size_t n = MAX_TITLE;
		while (n > 0 && ((unsigned char)b.data[n] & 0xc0) == 0x80)
			n--; /* not inside a character */
		b.len = n;
		b.data[n] = '\0';
	}
	if (!b.len) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b);
}

int media_chapters_read(const char *src, struct media_chapter **out, size_t *n,
			struct hearth_err *err)
{
	AVFormatContext *fmt = NULL;
	struct media_chapter *v = NULL;
	size_t len = 0;
	double end;
	int rc;

	*out = NULL;
	*n = 0;
	if ((rc = media_open_format(src, src, 0, &fmt, err)))
		return rc;
	end = fmt->duration != AV_NOPTS_VALUE && fmt->duration > 0
		      ? (double)fmt->duration / AV_TIME_BASE
		      : 0;
	v = xcalloc(fmt->nb_chapters ? fmt->nb_chapters : 1, sizeof *v);
	for (unsigned i = 0; i < fmt->nb_chapters && len < MAX_CHAPTERS; i++) {
		const AVChapter *ch = fmt->chapters[i];
		const AVDictionaryEntry *t = av_dict_get(ch->metadata, "title", NULL, 0);
		double start;

		if (ch->start == AV_NOPTS_VALUE || ch->time_base.num <= 0 || ch->time_base.den <= 0)
			continue;
		start = (double)av_rescale_q(ch->start, ch->time_base, (AVRational){1, 1000}) / 1000;
		if (start < 0 || (end > 0 && start >= end))
			continue;
		v[len].start = start;
		v[len].title = tidy_title(t ? t->value : NULL);
		len++;
	}
	media_close_format(&fmt);

	if (len)
		qsort(v, len, sizeof *v, by_start);
	/* one chapter per start; the first in order wins */
	size_t k = 0;
	for (size_t i = 0; i < len; i++) {
		if (k && v[i].start == v[k - 1].start) {
			free((char *)v[i].title);
			continue;
		}
		v[k++] = v[i];
	}
	for (size_t i = 0; i < k; i++)
		if (!v[i].title)
			v[i].title = xasprintf("Chapter %zu", i + 1);
	if (!k) {
		free(v);
		v = NULL;
	}
	*out = v;
	*n = k;
	return 0;
}

void media_chapters_free(struct media_chapter *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free((char *)v[i].title);
	free(v);
}
