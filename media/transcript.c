/*
 * transcript.c - WebVTT and SRT transcripts: read with libavformat's webvtt
 * and srt demuxers, checked, and written back out as normalised WebVTT
 * (for the podcast:transcript tag and the site's <track>) and as plain
 * text, one cue a line (for the story page and the search index).
 *
 * libavformat reads; Hearth checks what it read. The demuxer is chosen by
 * the content, never the name: a file that starts with "WEBVTT" (after an
 * optional byte order mark) goes to webvtt, anything else to srt. Each
 * packet is a cue: pts and duration in the stream's time base, the cue
 * text as data, and for WebVTT the cue id and settings as side data.
 *
 * The demuxers are lenient by design, and intake must not be: without a
 * word, webvtt stops at the first timing it cannot read, srt takes a cue
 * it cannot read into the text of the cue before, both drop a cue that
 * repeats the one before it, sort the cues by time, and turn a cue that
 * ends before it starts into one that lasts until the next cue. So two
 * checks are added on top, neither of which parses the format again:
 *
 *   - every line holding "-->" (a timing line) must have become exactly
 *     one cue. libavformat's packet positions are matched with the lines:
 *     srt gives where a cue's timing line starts, webvtt where the block
 *     holding it ends. A timing line no cue claims is refused by number.
 *   - a cue whose duration libavformat may have repaired (it reaches
 *     exactly to the next cue in time) has its timing line read again,
 *     alone, by the same demuxer, where there is no next cue to repair it
 *     with; so every time Hearth uses is one libavformat read.
 *
 * Cues are numbered by their place in the file; messages name the file,
 * the cue and when it starts.
 *
 * Cue text is Hearth's: libavformat hands it over as written. Normalised
 * output keeps the WebVTT markup (<i>, <b>, <u>, <c>, <v>, <lang>, <ruby>,
 * <rt>, timestamps); anything else that looks like a tag (SRT's <font>, a
 * stray <script>) and SRT's {\an8} overrides are dropped, lines left blank
 * go, and a bare &, < or > is escaped; the result reads back to itself. Cue ids and settings are dropped: they are the source's
 * bookkeeping and layout, which audio does not need. The plain text
 * decodes character references, drops every tag, and writes a speaker's
 * name from <v Name> as "Name: " where the speaker changes.
 */
#include "mediaInt.h"

#include <libavutil/mem.h>

#include <stdlib.h>
#include <string.h>

/* One cue as libavformat read it; times in milliseconds. */
struct cue {
	int64_t start, end;
	int64_t pos;        /* the packet's position in the file */
	bool maybe_repaired;
	int num;            /* its place in the file, from 1 */
	char *text;         /* line ends made \n */
};

struct cues {
	struct cue *v;
	size_t n, cap;
};

/* A line holding "-->": where it starts, how long it is, its number. */
struct timing_line {
	size_t off, len;
	int line;
};

/* One transcript being read. */
struct reading {
	const char *data;
	size_t n;
	const char *name;
	bool vtt;
	struct timing_line *tl;
	size_t n_tl;
	struct cues cues;
};

static void cues_release(struct cues *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].text);
	free(c->v);
	memset(c, 0, sizeof *c);
}

/* "00:01:05.200"; out needs 32 bytes. */
static void fmt_ts(int64_t ms, char out[32])
{
	const char *sign = ms < 0 ? "-" : "";
	unsigned long long a = ms < 0 ? 0 - (unsigned long long)ms : (unsigned long long)ms;
	snprintf(out, 32, "%s%02llu:%02llu:%02llu.%03llu", sign, a / 3600000, a / 60000 % 60,
		 a / 1000 % 60, a % 1000);
}

/* ---- libavformat over a buffer -------------------------------------------- */

struct mem_in {
	const uint8_t *p;
	size_t n, at;
};

static int mem_read(void *opaque, uint8_t *buf, int size)
{
	struct mem_in *m = opaque;
	size_t k = m->n - m->at;
	if (!k)
		return AVERROR_EOF;
	if (size > 0 && k > (size_t)size)
		k = (size_t)size;
	memcpy(buf, m->p + m->at, k);
	m->at += k;
	return (int)k;
}

static int64_t mem_seek(void *opaque, int64_t off, int whence)
{
	struct mem_in *m = opaque;
	int64_t base;

	switch (whence & ~AVSEEK_FORCE) {
	case AVSEEK_SIZE:
		return (int64_t)m->n;
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = (int64_t)m->at;
		break;
	case SEEK_END:
		base = (int64_t)m->n;
		break;
	default:
		return AVERROR(EINVAL);
	}
	if (off < -base || off > (int64_t)m->n - base)
		return AVERROR(EINVAL);
	m->at = (size_t)(base + off);
	return (int64_t)m->at;
}

/* The packet's text with \r\n and lone \r made \n; a new allocation. */
static char *packet_text(const AVPacket *pkt)
{
	const char *s = pkt->data ? (const char *)pkt->data : "";
	size_t n = pkt->data && pkt->size > 0 ? (size_t)pkt->size : 0;
	char *out = xmalloc(n + 1), *o = out;

	for (size_t i = 0; i < n && s[i]; i++) {
		if (s[i] == '\r') {
			*o++ = '\n';
			if (i + 1 < n && s[i + 1] == '\n')
				i++;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return out;
}

#define IO_SIZE 4096

/*
 * Runs libavformat's webvtt or srt demuxer over data and appends a cue per
 * packet to out, in the order libavformat gives them (by time). Only
 * start, end, pos and text are filled.
 */
static int demux(const char *data, size_t n, bool vtt, const char *name, struct cues *out,
		 struct hearth_err *err)
{
	const char *fmt_name = vtt ? "webvtt" : "srt";
	const AVInputFormat *ifmt = av_find_input_format(fmt_name);
	struct mem_in m = {(const uint8_t *)data, n, 0};
	AVFormatContext *fmt = NULL;
	AVIOContext *pb = NULL;
	AVPacket *pkt = NULL;
	unsigned char *iobuf = NULL;
	int r, rc = 0;

	media_av_init();
	iobuf = av_malloc(IO_SIZE);
	fmt = avformat_alloc_context();
	pkt = av_packet_alloc();
	if (ifmt && iobuf)
		pb = avio_alloc_context(iobuf, IO_SIZE, 0, &m, mem_read, NULL, mem_seek);
	if (!ifmt || !fmt || !pkt || !pb) {
		rc = herr(err, HEARTH_EMEDIA, "%s: cannot start libavformat's %s demuxer", name,
			  fmt_name);
		goto end;
	}
	iobuf = NULL; /* pb has it */
	fmt->pb = pb;
	fmt->flags |= AVFMT_FLAG_CUSTOM_IO;
	fmt->format_whitelist = av_strdup("webvtt,srt");
	r = avformat_open_input(&fmt, "", ifmt, NULL);
	if (r < 0) {
		/* fmt is freed; pb is ours */
		rc = media_averr(err, HEARTH_EINVAL, r, name, vtt ? "cannot be read as WebVTT"
							 : "cannot be read as SRT");
		goto end;
	}
	if (fmt->nb_streams != 1) {
		rc = herr(err, HEARTH_EINVAL, "%s: cannot be read as a transcript", name);
		goto end;
	}
	AVRational tb = fmt->streams[0]->time_base, ms = {1, 1000};
	while ((r = av_read_frame(fmt, pkt)) >= 0) {
		if (pkt->pts != AV_NOPTS_VALUE) {
			if (out->n == out->cap) {
				out->cap = out->cap ? out->cap * 2 : 64;
				out->v = xrealloc(out->v, out->cap * sizeof *out->v);
			}
			struct cue *c = &out->v[out->n++];
			memset(c, 0, sizeof *c);
			c->start = av_rescale_q(pkt->pts, tb, ms);
			c->end = c->start + av_rescale_q(pkt->duration, tb, ms);
			c->pos = pkt->pos;
			c->text = packet_text(pkt);
		}
		av_packet_unref(pkt);
	}
	if (r != AVERROR_EOF)
		rc = media_averr(err, HEARTH_EINVAL, r, name, "cannot be read");
end:
	av_packet_free(&pkt);
	avformat_close_input(&fmt);
	if (pb) {
		av_freep(&pb->buffer);
		avio_context_free(&pb);
	}
	av_free(iobuf);
	return rc;
}

/* ---- the checks ------------------------------------------------------------ */

static bool is_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return false;
	return true;
}

/* True when the line s (n bytes) is word alone or word and a space or tab. */
static bool block_word(const char *s, size_t n, const char *word)
{
	size_t w = strlen(word);
	return n >= w && !memcmp(s, word, w) && (n == w || s[w] == ' ' || s[w] == '\t');
}

static bool has_arrow(const char *s, size_t n)
{
	for (size_t i = 0; i + 3 <= n; i++)
		if (!memcmp(s + i, "-->", 3))
			return true;
	return false;
}

static bool starts_webvtt(const char *d, size_t n)
{
	if (n >= 3 && !memcmp(d, "\xef\xbb\xbf", 3)) {
		d += 3;
		n -= 3;
	}
	return n >= 6 && !memcmp(d, "WEBVTT", 6);
}

/*
 * FFmpeg 5.1's webvtt demuxer skips NOTE blocks but not the STYLE and
 * REGION blocks a WebVTT header may hold (later versions skip those too):
 * it takes one for a cue, cannot read its timing, and stops reading the
 * file there. So the copy it is given has the word STYLE or REGION that
 * opens such a block, before the first cue, written as NOTE (padded with
 * spaces, so every position stays where it was). *copy is left empty when
 * there is nothing to change.
 */
static void style_as_note(const struct reading *t, struct buf *copy)
{
	size_t end = t->n_tl ? t->tl[0].off : t->n;
	bool blank_before = false;

	for (size_t i = 0; i < end;) {
		size_t s = i;
		while (i < t->n && t->data[i] != '\n' && t->data[i] != '\r')
			i++;
		if (blank_before && (block_word(t->data + s, i - s, "STYLE") ||
				     block_word(t->data + s, i - s, "REGION"))) {
			if (!copy->data)
				buf_add(copy, t->data, t->n);
			memcpy(copy->data + s, "NOTE  ", t->data[s] == 'S' ? 5 : 6);
		}
		blank_before = i == s;
		if (i < t->n)
			i += t->data[i] == '\r' && i + 1 < t->n && t->data[i + 1] == '\n' ? 2 : 1;
	}
}

/*
 * Every line holding "-->", in order. Lines end at \n, \r\n or a lone \r,
 * as libavformat's text reader ends them.
 */
static void find_timing_lines(struct reading *t)
{
	size_t cap = 0;
	int line = 1;

	for (size_t i = 0; i < t->n; line++) {
		size_t s = i;
		while (i < t->n && t->data[i] != '\n' && t->data[i] != '\r')
			i++;
		if (has_arrow(t->data + s, i - s)) {
			if (t->n_tl == cap) {
				cap = cap ? cap * 2 : 64;
				t->tl = xrealloc(t->tl, cap * sizeof *t->tl);
			}
			t->tl[t->n_tl++] = (struct timing_line){s, i - s, line};
		}
		if (i < t->n)
			i += t->data[i] == '\r' && i + 1 < t->n && t->data[i + 1] == '\n' ? 2 : 1;
	}
}

/* The number of the line holding offset off. */
static int line_at(const char *d, size_t off)
{
	int line = 1;
	for (size_t i = 0; i < off; i++)
		if (d[i] == '\n' || (d[i] == '\r' && !(i + 1 < off && d[i + 1] == '\n')))
			line++;
	return line;
}

/* Text must be UTF-8 without control characters; the message names the line. */
static int check_utf8(const struct reading *t, struct hearth_err *err)
{
	size_t s = 0;
	int cue = 0;

	for (size_t i = 0;; i++) {
		if (i < t->n && t->data[i] != '\n' && t->data[i] != '\r')
			continue;
		if (!text_valid(t->data + s, i - s))
			break;
		if (i >= t->n)
			return 0;
		s = i + 1;
	}
	while ((size_t)cue < t->n_tl && t->tl[cue].off <= s)
		cue++;
	if (cue)
		return herr(err, HEARTH_EINVAL,
			    "%s: cue %d (line %d): not UTF-8 text (or it holds control characters)",
			    t->name, cue, line_at(t->data, s));
	return herr(err, HEARTH_EINVAL,
		    "%s: line %d: not UTF-8 text (or it holds control characters)", t->name,
		    line_at(t->data, s));
}

static int by_pos(const void *pa, const void *pb)
{
	const struct cue *a = pa, *b = pb;
	return a->pos < b->pos ? -1 : a->pos > b->pos;
}

/*
 * The first line in data[from, to) that libavformat passes over and loses,
 * or SIZE_MAX. WebVTT: the first line of a block that holds no timing
 * line and is not the header or a NOTE, STYLE or REGION block (the demuxer
 * stops reading at such a block). SRT: a line that is not blank and not a
 * cue's number (from is before the first cue).
 */
static size_t stray_line(const struct reading *t, size_t from, size_t to)
{
	size_t candidate = SIZE_MAX;
	bool block_start = true;

	for (size_t i = from; i < to && i < t->n;) {
		size_t s = i, k = 0;
		while (i < t->n && t->data[i] != '\n' && t->data[i] != '\r')
			i++;
		const char *l = t->data + s;
		size_t n = i - s;
		if (!t->vtt) {
			while (k < n && (l[k] == ' ' || l[k] == '\t'))
				k++;
			while (k < n && l[k] >= '0' && l[k] <= '9')
				k++;
			if (!is_blank(l + k, n - k))
				return s;
		} else if (n == 0) {
			if (candidate != SIZE_MAX)
				return candidate;
		} else if (block_start && !is_blank(l, n) && !starts_webvtt(l, n) &&
			   !block_word(l, n, "NOTE") && !block_word(l, n, "STYLE") &&
			   !block_word(l, n, "REGION")) {
			candidate = s;
		}
		if (t->vtt && has_arrow(l, n))
			candidate = SIZE_MAX; /* a cue's block, read or not */
		block_start = n == 0;
		if (i < t->n)
			i += t->data[i] == '\r' && i + 1 < t->n && t->data[i + 1] == '\n' ? 2 : 1;
	}
	return candidate;
}

/* Refuses the stray line at off (see stray_line). */
static int refuse_stray(const struct reading *t, size_t off, struct hearth_err *err)
{
	size_t n = 0;
	while (off + n < t->n && t->data[off + n] != '\n' && t->data[off + n] != '\r')
		n++;
	int shown = n > 40 ? 40 : (int)n;
	return herr(err, HEARTH_EINVAL,
		    t->vtt ? "%s: line %d: '%.*s%s' is not in a cue, and libavformat stops reading "
			     "there; is a timing line like 00:00:01.000 --> 00:00:04.000 missing or "
			     "malformed?"
			   : "%s: line %d: '%.*s%s' comes before the first cue and would be lost",
		    t->name, line_at(t->data, off), shown, t->data + off, shown < (int)n ? "..." : "");
}

/*
 * What libavformat passes over without a word and no timing line shows:
 * WebVTT blocks after the last cue (a stray block before a later cue
 * leaves that cue unclaimed, but at the end nothing does), and SRT lines
 * before the first cue other than its number.
 */
static int check_unread(const struct reading *t, struct hearth_err *err)
{
	size_t from = 0, to = t->n, off;

	if (t->vtt) {
		if (!t->cues.n)
			return 0;
		from = (size_t)t->cues.v[t->cues.n - 1].pos;
	} else {
		to = t->n_tl ? t->tl[0].off : 0;
		if (to >= 3 && !memcmp(t->data, "\xef\xbb\xbf", 3))
			from = 3;
	}
	off = stray_line(t, from, to);
	return off == SIZE_MAX ? 0 : refuse_stray(t, off, err);
}

/* A timing line libavformat did not make into a cue, refused. */
static int refuse_skipped(const struct reading *t, size_t i, size_t claimed,
			  struct hearth_err *err)
{
	const struct timing_line *l = &t->tl[i];
	int shown = l->len > 60 ? 60 : (int)l->len;
	char ts[32];

	if (i > 0 && claimed > 0 && t->tl[i - 1].len == l->len &&
	    !memcmp(t->data + t->tl[i - 1].off, t->data + l->off, l->len)) {
		const struct cue *prev = &t->cues.v[claimed - 1];
		fmt_ts(prev->start, ts);
		return herr(err, HEARTH_EINVAL,
			    "%s: cue %zu (%s): repeats cue %d exactly; remove one of them", t->name,
			    i + 1, ts, prev->num);
	}
	if (t->vtt) {
		/* the demuxer may have stopped at a block above that is not a cue */
		size_t from = claimed ? (size_t)t->cues.v[claimed - 1].pos : 0;
		size_t off = stray_line(t, from, l->off + l->len);
		if (off != SIZE_MAX)
			return refuse_stray(t, off, err);
	}
	return herr(err, HEARTH_EINVAL,
		    t->vtt ? "%s: cue %zu (line %d): cannot be read: '%.*s%s' is not a timing like "
			     "00:00:01.000 --> 00:00:04.000, or a blank line is missing before the cue"
			   : "%s: cue %zu (line %d): cannot be read: '%.*s%s' is not a timing like "
			     "00:00:01,000 --> 00:00:04,000, or the cue has no text",
		    t->name, i + 1, l->line, shown, t->data + l->off, shown < (int)l->len ? "..." : "");
}

/*
 * Puts the cues in file order and gives each the number of its timing
 * line. srt gives where a cue's timing line starts; webvtt where its block
 * ends, so a cue's timing line is the first one after the block before.
 */
static int match_timing_lines(struct reading *t, struct hearth_err *err)
{
	struct cues *c = &t->cues;
	size_t k = 0;

	/* libavformat gives them in time order: note which may have been repaired */
	for (size_t i = 0; i + 1 < c->n; i++)
		c->v[i].maybe_repaired = c->v[i].end == c->v[i + 1].start;
	if (c->n)
		qsort(c->v, c->n, sizeof *c->v, by_pos);
	for (size_t i = 0; i < t->n_tl; i++) {
		int64_t off = (int64_t)t->tl[i].off;
		bool mine = k < c->n &&
			    (t->vtt ? off < c->v[k].pos && (k == 0 || off >= c->v[k - 1].pos)
				    : off == c->v[k].pos);
		if (!mine)
			return refuse_skipped(t, i, k, err);
		c->v[k++].num = (int)i + 1;
	}
	if (k < c->n)
		return herr(err, HEARTH_EINVAL, "%s: cue %zu cannot be placed in the file", t->name,
			    k + 1);
	return 0;
}

/*
 * Where the cue numbered num really ends: its timing line read again alone,
 * so that libavformat has no next cue to stretch it to.
 */
static int64_t end_alone(const struct reading *t, const struct cue *c)
{
	const struct timing_line *l = &t->tl[c->num - 1];
	struct buf doc = BUF_INIT;
	struct cues one = {NULL, 0, 0};
	int64_t end = c->end;

	buf_puts(&doc, t->vtt ? "WEBVTT\n\n" : "1\n");
	buf_add(&doc, t->data + l->off, l->len);
	buf_puts(&doc, "\nx\n");
	if (demux(doc.data, doc.len, t->vtt, t->name, &one, NULL) == 0 && one.n == 1)
		end = one.v[0].end;
	cues_release(&one);
	buf_release(&doc);
	return end;
}

static int check_times(const struct reading *t, double duration, struct hearth_err *err)
{
	const struct cues *c = &t->cues;
	char a[32], b[32];

	for (size_t k = 0; k < c->n; k++) {
		const struct cue *q = &c->v[k];
		int64_t end = q->maybe_repaired ? end_alone(t, q) : q->end;

		fmt_ts(q->start, a);
		if (q->start < 0)
			return herr(err, HEARTH_EINVAL, "%s: cue %d (%s): starts before the beginning",
				    t->name, q->num, a);
		if (k && q->start < c->v[k - 1].start) {
			fmt_ts(c->v[k - 1].start, b);
			return herr(err, HEARTH_EINVAL,
				    "%s: cue %d (%s): starts before the cue before it (cue %d, at %s); "
				    "cues must be in order",
				    t->name, q->num, a, c->v[k - 1].num, b);
		}
		if (end <= q->start) {
			fmt_ts(end, b);
			return herr(err, HEARTH_EINVAL,
				    "%s: cue %d (%s): ends at %s; a cue must end after it starts",
				    t->name, q->num, a, b);
		}
		if (duration > 0 && (double)end > duration * 1000 + 500) {
			char d[32];
			fmt_ts(end, b);
			fmt_ts((int64_t)(duration * 1000 + 0.5), d);
			return herr(err, HEARTH_EINVAL,
				    "%s: cue %d (%s): ends at %s, after the end of the audio (%s)",
				    t->name, q->num, a, b, d);
		}
	}
	return 0;
}

/* ---- cue text --------------------------------------------------------------- */

/* Named character references WebVTT knows, and what they stand for. */
static const struct {
	const char *name;
	const char *text;
} entities[] = {
	{"amp", "&"}, {"lt", "<"}, {"gt", ">"}, {"nbsp", " "}, {"lrm", ""},
	{"rlm", ""}, {"quot", "\""}, {"apos", "'"},
};

static void put_utf8(struct buf *b, uint32_t cp)
{
	char u[4];
	if (cp < 0x80) {
		buf_putc(b, (char)cp);
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3f));
		buf_add(b, u, 2);
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		buf_add(b, u, 3);
	} else {
		u[0] = (char)(0xf0 | cp >> 18);
		u[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		u[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		buf_add(b, u, 4);
	}
}

/*
 * A character reference at s (which starts with '&'): its length, and
 * what it stands for appended to plain. 0 when it is not one.
 */
static size_t entity(const char *s, size_t n, struct buf *plain)
{
	const char *semi = memchr(s, ';', n < 12 ? n : 12);
	size_t len;

	if (!semi)
		return 0;
	len = (size_t)(semi - s) + 1;
	if (len > 3 && s[1] == '#') {
		uint32_t cp = 0;
		bool hex = s[2] == 'x' || s[2] == 'X';
		size_t i = hex ? 3 : 2;
		if (i >= len - 1)
			return 0;
		for (; i < len - 1; i++) {
			char ch = s[i];
			int d = ch >= '0' && ch <= '9' ? ch - '0'
				: hex && ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
				: hex && ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
			if (d < 0)
				return 0;
			cp = cp * (hex ? 16 : 10) + (uint32_t)d;
			if (cp > 0x10ffff)
				return 0;
		}
		if (cp == 0 || (cp >= 0xd800 && cp <= 0xdfff) || (cp < 0x20 && cp != '\t'))
			return 0;
		put_utf8(plain, cp == '\t' ? ' ' : cp);
		return len;
	}
	for (size_t k = 0; k < sizeof entities / sizeof entities[0]; k++)
		if (strlen(entities[k].name) == len - 2 &&
		    !memcmp(s + 1, entities[k].name, len - 2)) {
			buf_puts(plain, entities[k].text);
			return len;
		}
	return 0;
}

/* A timestamp tag's inside: [hh:]mm:ss.ttt, digits only. */
static bool timestamp_tag(const char *t, size_t n)
{
	size_t groups = 1, digits = 0;
	for (size_t i = 0; i < n; i++) {
		if (t[i] >= '0' && t[i] <= '9') {
			digits++;
		} else if (t[i] == ':' && digits >= 2 && groups < 3) {
			groups++;
			digits = 0;
		} else if (t[i] == '.' && digits == 2 && groups >= 2 && i + 4 == n) {
			digits = 0;
			groups = 9;
		} else {
			return false;
		}
	}
	return groups == 9 && digits == 3;
}

/*
 * True for the tags WebVTT cue text may hold; t is what is inside < >.
 * None may hold "--": "<c.-->" would put a timing arrow in the text.
 */
static bool vtt_tag(const char *t, size_t n)
{
	static const char *const names[] = {"c", "i", "b", "u", "v", "lang", "ruby", "rt"};
	size_t k = 0;

	for (size_t i = 0; i + 1 < n; i++)
		if (t[i] == '-' && t[i + 1] == '-')
			return false;

	if (n && t[0] == '/') {
		t++;
		n--;
	}
	if (n && t[0] >= '0' && t[0] <= '9')
		return timestamp_tag(t, n);
	while (k < n && t[k] != ' ' && t[k] != '\t' && t[k] != '.')
		k++;
	for (size_t j = 0; j < sizeof names / sizeof names[0]; j++)
		if (strlen(names[j]) == k && !memcmp(t, names[j], k))
			return true;
	return false;
}

/*
 * A voice tag's speaker ("<v Sam>", "<v.loud Sam Jones>"): writes "Name: "
 * to plain when the speaker is not *voice, and makes it *voice.
 */
static void voice_change(const char *t, size_t n, struct buf *plain, char **voice)
{
	size_t i = 1;
	if (n < 2 || t[0] != 'v' || (t[1] != ' ' && t[1] != '\t' && t[1] != '.'))
		return;
	while (i < n && t[i] != ' ' && t[i] != '\t')
		i++; /* classes */
	while (i < n && (t[i] == ' ' || t[i] == '\t'))
		i++;
	while (n > i && (t[n - 1] == ' ' || t[n - 1] == '\t'))
		n--;
	if (i == n || (*voice && strlen(*voice) == n - i && !memcmp(*voice, t + i, n - i)))
		return;
	free(*voice);
	*voice = xstrndup(t + i, n - i);
	buf_printf(plain, " %s: ", *voice);
}

/* Where the line holding s[i] ends. */
static size_t line_end(const char *s, size_t n, size_t i)
{
	const char *nl = memchr(s + i, '\n', n - i);
	return nl ? (size_t)(nl - s) : n;
}

/*
 * Cue text to WebVTT cue text (vtt) and to one line of plain text (plain).
 * Lines of a cue become one line, joined by spaces. *voice is the speaker
 * so far (NULL: none yet). SSA overrides are an SRT habit; in WebVTT they
 * are text (and dropping them there could make new ones of what is left).
 */
static void clean_text(const char *s, bool srt, struct buf *vtt, struct buf *plain,
		       char **voice)
{
	size_t n = strlen(s);
	const char *close;

	for (size_t i = 0; i < n;) {
		char c = s[i];
		if (c == '<') {
			const char *gt = memchr(s + i, '>', n - i);
			const char *nl = memchr(s + i, '\n', n - i);
			const char *lt = memchr(s + i + 1, '<', n - i - 1);
			char nx = i + 1 < n ? s[i + 1] : '\0';
			bool tagish = nx == '/' || (nx >= '0' && nx <= '9') ||
				      (nx >= 'a' && nx <= 'z') || (nx >= 'A' && nx <= 'Z');
			if (tagish && gt && (!nl || gt < nl) && (!lt || gt < lt)) {
				size_t tl = (size_t)(gt - (s + i)) - 1;
				if (vtt_tag(s + i + 1, tl) && !memchr(s + i + 1, '&', tl)) {
					buf_add(vtt, s + i, tl + 2);
					voice_change(s + i + 1, tl, plain, voice);
				}
				i += tl + 2;
				continue;
			}
			buf_puts(vtt, "&lt;");
			buf_putc(plain, '<');
			i++;
		} else if (c == '&') {
			size_t el = entity(s + i, n - i, plain);
			if (el) {
				buf_add(vtt, s + i, el);
				i += el;
			} else {
				buf_puts(vtt, "&amp;");
				buf_putc(plain, '&');
				i++;
			}
		} else if (c == '>') {
			buf_puts(vtt, "&gt;");
			buf_putc(plain, '>');
			i++;
		} else if (srt && c == '{' && i + 1 < n && s[i + 1] == '\\' &&
			   (close = memchr(s + i, '}', line_end(s, n, i) - i))) {
			/* SRT's SSA override such as {\an8}: presentation only */
			i = (size_t)(close - s) + 1;
		} else if (c == '\n' || c == '\t') {
			buf_putc(vtt, c);
			buf_putc(plain, ' ');
			i++;
		} else {
			buf_putc(vtt, c);
			buf_putc(plain, c);
			i++;
		}
	}
}

/* Appends s to out with runs of spaces made one and the ends trimmed. */
static void put_squeezed(struct buf *out, const char *s, size_t n)
{
	bool space = false, any = false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == ' ') {
			space = any;
			continue;
		}
		if (space)
			buf_putc(out, ' ');
		buf_putc(out, s[i]);
		space = false;
		any = true;
	}
}

/* Appends the lines of s that are not blank, joined by \n: a blank line would end the cue. */
static void put_lines(struct buf *out, const char *s, size_t n)
{
	bool first = true;
	for (size_t i = 0; i < n;) {
		size_t e = i;
		while (e < n && s[e] != '\n')
			e++;
		if (!is_blank(s + i, e - i)) {
			if (!first)
				buf_putc(out, '\n');
			buf_add(out, s + i, e - i);
			first = false;
		}
		i = e + 1;
	}
}

/*
 * The cues as normalised WebVTT and as plain text, one cue a line. A cue
 * with nothing left to show goes, and so does one that cleaning made the
 * same as the cue before it.
 */
static void write_out(const struct cues *c, bool srt, struct buf *vtt, struct buf *text)
{
	struct buf v = BUF_INIT, p = BUF_INIT, one = BUF_INIT, raw = BUF_INIT;
	struct buf cue = BUF_INIT, prev = BUF_INIT;
	char *voice = NULL;

	buf_puts(&v, "WEBVTT\n");
	buf_add(&p, "", 0);
	for (size_t i = 0; i < c->n; i++) {
		char a[32], b[32];
		size_t head;
		buf_reset(&one);
		buf_reset(&raw);
		buf_reset(&cue);
		fmt_ts(c->v[i].start, a);
		fmt_ts(c->v[i].end, b);
		buf_printf(&cue, "\n%s --> %s\n", a, b);
		head = cue.len;
		clean_text(c->v[i].text, srt, &raw, &one, &voice);
		put_lines(&cue, raw.data, raw.len);
		if (cue.len == head)
			continue;
		buf_putc(&cue, '\n');
		if (prev.len == cue.len && !memcmp(prev.data, cue.data, cue.len))
			continue;
		buf_add(&v, cue.data, cue.len);
		buf_reset(&prev);
		buf_add(&prev, cue.data, cue.len);
		if (one.len) {
			size_t before = p.len;
			put_squeezed(&p, one.data, one.len);
			if (p.len > before)
				buf_putc(&p, '\n');
		}
	}
	if (vtt)
		buf_add(vtt, v.data, v.len);
	if (text)
		buf_add(text, p.data, p.len);
	free(voice);
	buf_release(&v);
	buf_release(&p);
	buf_release(&one);
	buf_release(&raw);
	buf_release(&cue);
	buf_release(&prev);
}

/* ---- the whole ------------------------------------------------------------------ */

int media_transcript_mem(const char *data, size_t n, const char *name, double duration,
			 struct buf *vtt, struct buf *text, struct hearth_err *err)
{
	struct reading t = {.data = data, .n = n, .name = name};
	struct buf copy = BUF_INIT;
	int rc;

	if (n > MEDIA_MAX_TEXT_BYTES)
		return herr(err, HEARTH_EINVAL, "%s: a transcript of %zu bytes is too large", name,
			    n);
	t.vtt = starts_webvtt(data, n);
	find_timing_lines(&t);
	if (t.n_tl > MEDIA_MAX_CUES) {
		rc = herr(err, HEARTH_EINVAL,
			  "%s: has %zu cues; a transcript may have at most %d (one every 2 seconds "
			  "for 11 hours): join short cues into longer ones",
			  name, t.n_tl, MEDIA_MAX_CUES);
		goto end;
	}
	if ((rc = check_utf8(&t, err)))
		goto end;
	if (t.vtt)
		style_as_note(&t, &copy);
	if ((rc = demux(copy.data ? copy.data : data, n, t.vtt, name, &t.cues, err)))
		goto end;
	if (!t.cues.n && !t.n_tl) {
		rc = herr(err, HEARTH_EINVAL,
			  t.vtt ? "%s: has no cues"
				: "%s: has no cues: a transcript is WebVTT (starting with WEBVTT) or SRT "
				  "(numbered cues with timings like 00:00:01,000 --> 00:00:04,000)",
			  name);
		goto end;
	}
	if ((rc = match_timing_lines(&t, err)) || (rc = check_unread(&t, err)) ||
	    (rc = check_times(&t, duration, err)))
		goto end;
	write_out(&t.cues, !t.vtt, vtt, text);
end:
	cues_release(&t.cues);
	free(t.tl);
	buf_release(&copy);
	return rc;
}

int media_transcript_named(const char *src, const char *name, double duration,
			   struct buf *vtt, struct buf *text, struct hearth_err *err)
{
	struct buf file = BUF_INIT;
	int64_t size = file_size(src);
	int rc;

	if (size > MEDIA_MAX_TEXT_BYTES)
		return herr(err, HEARTH_EINVAL, "%s: a transcript of %lld bytes is too large",
			    name, (long long)size);
	rc = file_read(src, &file, err);
	if (!rc)
		rc = media_transcript_mem(file.data, file.len, name, duration, vtt, text, err);
	buf_release(&file);
	return rc;
}

int media_transcript(const char *src, double duration, struct buf *vtt,
		     struct buf *text, struct hearth_err *err)
{
	return media_transcript_named(src, src, duration, vtt, text, err);
}

int media_transcript_cached(hearth_lib *lib, const char *salt, const char *src,
			    const char *sha256, double duration, struct buf *vtt,
			    struct buf *text, bool *made, struct hearth_err *err)
{
	int rc = media_transcript_lookup(lib, salt, src, sha256, duration, vtt, text, made, err);
	if (rc != MEDIA_UNCACHED)
		return rc;
	if ((rc = media_transcript(src, duration, vtt, text, err)) == 0) {
		media_transcript_remember(lib, salt, sha256, duration, vtt, text, NULL);
		if (made)
			*made = true;
	}
	return rc;
}
