/*
 * transcript.c - WebVTT and SRT transcripts: read, checked, and written
 * back out as normalised WebVTT (for the podcast:transcript tag and the
 * site's <track>) and as plain text, one cue a line (for the page and the
 * search index).
 *
 * This is a hand-written parser rather than libavformat's webvtt and srt
 * demuxers: those are lenient by design and skip what they cannot read,
 * while intake must refuse a broken transcript and say on which line it
 * broke. The grammar is small: WebVTT is a "WEBVTT" line, a header, then
 * blocks separated by blank lines (NOTE, STYLE and REGION blocks, and cues
 * of an optional id, "start --> end [settings]" and text); SRT is blocks
 * of a number, "hh:mm:ss,mmm --> hh:mm:ss,mmm" and text.
 *
 * Normalised output keeps the timings and the cue text with its WebVTT
 * markup (<i>, <b>, <u>, <c>, <v>, <lang>, <ruby>, <rt>, timestamps);
 * anything else that looks like a tag (SRT's <font>, a stray <script>) and
 * SRT's {\an8} overrides are dropped, and a bare & or < is escaped. Cue
 * ids and cue settings are dropped.
 */
#include "mediaInt.h"

#include <string.h>

struct cue {
	int64_t start, end; /* milliseconds */
	int line;           /* of the timing line */
	char *text;         /* the raw text lines, joined with \n */
};

struct cues {
	struct cue *v;
	size_t n, cap;
};

/* Walks text line by line; line numbers count from 1. */
struct lines {
	const char *p, *end;
	int line;
	const char *s; /* the current line, without its end */
	size_t n;
};

static bool next_line(struct lines *l)
{
	const char *e;

	if (l->p >= l->end)
		return false;
	e = memchr(l->p, '\n', (size_t)(l->end - l->p));
	if (!e)
		e = l->end;
	l->s = l->p;
	l->n = (size_t)(e - l->p);
	if (l->n && l->s[l->n - 1] == '\r')
		l->n--;
	l->p = e < l->end ? e + 1 : e;
	l->line++;
	return true;
}

static bool is_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return false;
	return true;
}

static bool has_arrow(const char *s, size_t n)
{
	for (size_t i = 0; i + 3 <= n; i++)
		if (!memcmp(s + i, "-->", 3))
			return true;
	return false;
}

/* True when the line is word alone or word followed by a space or tab. */
static bool starts_word(const char *s, size_t n, const char *word)
{
	size_t w = strlen(word);
	return n >= w && !memcmp(s, word, w) && (n == w || s[w] == ' ' || s[w] == '\t');
}

/* Reads 1..max digits at *i into *v; false when there are none. */
static bool digits(const char *s, size_t n, size_t *i, size_t max, int64_t *v, size_t *count)
{
	size_t k = 0;
	*v = 0;
	while (*i < n && s[*i] >= '0' && s[*i] <= '9' && k < max) {
		*v = *v * 10 + (s[*i] - '0');
		(*i)++;
		k++;
	}
	if (count)
		*count = k;
	return k > 0 && !(*i < n && s[*i] >= '0' && s[*i] <= '9');
}

/*
 * A timestamp at s[*i]. WebVTT: [hh:]mm:ss.mmm. SRT: hh:mm:ss,mmm (a dot
 * is accepted too, and one to three digits of milliseconds, as SRT
 * writers vary).
 */
static bool parse_ts(const char *s, size_t n, size_t *i, bool srt, int64_t *ms)
{
	int64_t g[3], frac;
	size_t cnt[3], ng = 0, fd;

	for (;;) {
		if (!digits(s, n, i, 9, &g[ng], &cnt[ng]))
			return false;
		ng++;
		if (ng < 3 && *i < n && s[*i] == ':') {
			(*i)++;
			continue;
		}
		break;
	}
	if (*i >= n || !(s[*i] == '.' || (srt && s[*i] == ',')))
		return false;
	(*i)++;
	if (!digits(s, n, i, 3, &frac, &fd) || (!srt && fd != 3))
		return false;
	while (fd++ < 3)
		frac *= 10;
	if (ng == 2 && !srt) {
		g[2] = g[1];
		g[1] = g[0];
		g[0] = 0;
		cnt[2] = cnt[1];
		cnt[1] = cnt[0];
	} else if (ng != 3) {
		return false;
	}
	if (cnt[1] != 2 || cnt[2] != 2 || g[1] > 59 || g[2] > 59)
		return false;
	*ms = ((g[0] * 60 + g[1]) * 60 + g[2]) * 1000 + frac;
	return true;
}

/* "start --> end" and whatever follows after white space. */
static bool parse_timing(const char *s, size_t n, bool srt, int64_t *a, int64_t *b)
{
	size_t i = 0;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (!parse_ts(s, n, &i, srt, a))
		return false;
	if (i >= n || (s[i] != ' ' && s[i] != '\t'))
		return false;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (n - i < 3 || memcmp(s + i, "-->", 3))
		return false;
	i += 3;
	if (i >= n || (s[i] != ' ' && s[i] != '\t'))
		return false;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (!parse_ts(s, n, &i, srt, b))
		return false;
	return i == n || s[i] == ' ' || s[i] == '\t';
}

static void fmt_ts(int64_t ms, char out[32])
{
	snprintf(out, 32, "%02lld:%02lld:%02lld.%03lld", (long long)(ms / 3600000),
		 (long long)(ms / 60000 % 60), (long long)(ms / 1000 % 60),
		 (long long)(ms % 1000));
}

static void cues_free(struct cues *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->v[i].text);
	free(c->v);
	memset(c, 0, sizeof *c);
}

/* The timing line is current; reads it and the text lines below it. */
static int read_cue(struct lines *l, bool srt, const char *name, struct cues *c,
		    struct hearth_err *err)
{
	struct cue cue = {0, 0, l->line, NULL};
	struct buf t = BUF_INIT;

	if (!parse_timing(l->s, l->n, srt, &cue.start, &cue.end))
		return herr(err, HEARTH_EINVAL, "%s: line %d: expected a cue timing like %s",
			    name, l->line,
			    srt ? "00:00:01,000 --> 00:00:04,000"
				: "00:00:01.000 --> 00:00:04.000");
	while (next_line(l) && !is_blank(l->s, l->n)) {
		if (has_arrow(l->s, l->n)) {
			buf_release(&t);
			return herr(err, HEARTH_EINVAL,
				    "%s: line %d: cue text cannot contain '-->' (is a blank line missing before this cue?)",
				    name, l->line);
		}
		if (t.len)
			buf_putc(&t, '\n');
		buf_add(&t, l->s, l->n);
	}
	cue.text = t.data ? buf_detach(&t) : xstrdup("");
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->v = xrealloc(c->v, c->cap * sizeof *c->v);
	}
	c->v[c->n++] = cue;
	return 0;
}

static int parse_vtt(struct lines *l, const char *name, struct cues *c,
		     struct hearth_err *err)
{
	int rc;

	/* the WEBVTT line is current; the header runs to the first blank line */
	while (next_line(l) && !is_blank(l->s, l->n)) {
		if (has_arrow(l->s, l->n))
			return herr(err, HEARTH_EINVAL,
				    "%s: line %d: a blank line must come between the WEBVTT line and the first cue",
				    name, l->line);
	}
	while (next_line(l)) {
		if (is_blank(l->s, l->n))
			continue;
		if (!has_arrow(l->s, l->n) &&
		    (starts_word(l->s, l->n, "NOTE") || starts_word(l->s, l->n, "STYLE") ||
		     starts_word(l->s, l->n, "REGION"))) {
			while (next_line(l) && !is_blank(l->s, l->n))
				;
			continue;
		}
		if (!has_arrow(l->s, l->n)) {
			/* a cue id, unless it is a timing gone wrong ("00:01.000 -> ...") */
			int64_t ms;
			size_t i = 0;
			if (parse_ts(l->s, l->n, &i, false, &ms))
				return herr(err, HEARTH_EINVAL,
					    "%s: line %d: expected a cue timing like 00:00:01.000 --> 00:00:04.000",
					    name, l->line);
			if (!next_line(l) || !has_arrow(l->s, l->n))
				return herr(err, HEARTH_EINVAL,
					    "%s: line %d: expected a cue timing like 00:00:01.000 --> 00:00:04.000 after the cue id on line %d",
					    name, l->line, l->line - 1);
		}
		rc = read_cue(l, false, name, c, err);
		if (rc)
			return rc;
	}
	return 0;
}

static bool all_digits(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i == n)
		return false;
	for (; i < n; i++)
		if ((s[i] < '0' || s[i] > '9') && s[i] != ' ' && s[i] != '\t')
			return false;
	return true;
}

static int parse_srt(struct lines *l, const char *name, struct cues *c,
		     struct hearth_err *err)
{
	int rc;

	while (next_line(l)) {
		if (is_blank(l->s, l->n))
			continue;
		if (all_digits(l->s, l->n)) {
			if (!next_line(l))
				return herr(err, HEARTH_EINVAL,
					    "%s: line %d: expected a cue timing after the cue number",
					    name, l->line);
		} else if (!has_arrow(l->s, l->n) ||
			   (!c->n && !parse_timing(l->s, l->n, true, &(int64_t){0}, &(int64_t){0}))) {
			return herr(err, HEARTH_EINVAL,
				    c->n ? "%s: line %d: expected a cue number (is a blank line inside a cue's text?)"
					 : "%s: line %d: expected WEBVTT or an SRT cue number",
				    name, l->line);
		}
		rc = read_cue(l, true, name, c, err);
		if (rc)
			return rc;
	}
	return 0;
}

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

/* True for the tags WebVTT cue text may hold; t is what is inside < >. */
static bool vtt_tag(const char *t, size_t n)
{
	static const char *const names[] = {"c", "i", "b", "u", "v", "lang", "ruby", "rt"};
	size_t k = 0;

	if (n && t[0] == '/') {
		t++;
		n--;
	}
	if (n && t[0] >= '0' && t[0] <= '9') {
		int64_t ms;
		size_t i = 0;
		return parse_ts(t, n, &i, false, &ms) && i == n;
	}
	while (k < n && t[k] != ' ' && t[k] != '\t' && t[k] != '.')
		k++;
	for (size_t j = 0; j < sizeof names / sizeof names[0]; j++)
		if (strlen(names[j]) == k && !memcmp(t, names[j], k))
			return true;
	return false;
}

/*
 * Cue text to WebVTT cue text (vtt) and to one line of plain text (plain).
 * Lines of a cue become one line, joined by spaces.
 */
static void clean_text(const char *s, struct buf *vtt, struct buf *plain)
{
	size_t n = strlen(s);

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
				if (vtt_tag(s + i + 1, tl) && !memchr(s + i + 1, '&', tl))
					buf_add(vtt, s + i, tl + 2);
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
		} else if (c == '{' && i + 1 < n && s[i + 1] == '\\' &&
			   memchr(s + i, '}', n - i)) {
			/* an SSA override such as {\an8}: presentation only */
			i = (size_t)((const char *)memchr(s + i, '}', n - i) - s) + 1;
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

static int check_cues(const struct cues *c, double duration, const char *name,
		      struct hearth_err *err)
{
	char a[32], b[32];

	if (!c->n)
		return herr(err, HEARTH_EINVAL, "%s: has no cues", name);
	for (size_t i = 0; i < c->n; i++) {
		const struct cue *q = &c->v[i];
		if (q->end <= q->start) {
			fmt_ts(q->start, a);
			fmt_ts(q->end, b);
			return herr(err, HEARTH_EINVAL,
				    "%s: line %d: the cue must end after it starts, but it runs from %s to %s",
				    name, q->line, a, b);
		}
		if (i && q->start < c->v[i - 1].start) {
			fmt_ts(q->start, a);
			fmt_ts(c->v[i - 1].start, b);
			return herr(err, HEARTH_EINVAL,
				    "%s: line %d: the cue starts at %s, before the cue above it (%s); cues must be in order",
				    name, q->line, a, b);
		}
		if (duration > 0 && (double)q->end > duration * 1000 + 500) {
			fmt_ts(q->end, a);
			fmt_ts((int64_t)(duration * 1000 + 0.5), b);
			return herr(err, HEARTH_EINVAL,
				    "%s: line %d: the cue ends at %s, after the end of the audio (%s)",
				    name, q->line, a, b);
		}
	}
	return 0;
}

int media_transcript_named(const char *src, const char *name, double duration,
			   struct buf *vtt, struct buf *text, struct hearth_err *err)
{
	struct buf file = BUF_INIT, v = BUF_INIT, p = BUF_INIT, one = BUF_INIT;
	struct cues cues = {NULL, 0, 0};
	struct lines l;
	int64_t size = file_size(src);
	int rc;

	if (size > MEDIA_MAX_TEXT_BYTES)
		return herr(err, HEARTH_EINVAL, "%s: a transcript of %lld bytes is too large",
			    name, (long long)size);
	rc = file_read(src, &file, err);
	if (rc)
		goto end;
	l.p = file.data;
	l.end = file.data + file.len;
	l.line = 0;
	if (file.len >= 3 && !memcmp(l.p, "\xef\xbb\xbf", 3))
		l.p += 3;
	/* every line must be text: UTF-8, no control characters */
	for (struct lines t = l; next_line(&t);) {
		if (!text_valid(t.s, t.n)) {
			rc = herr(err, HEARTH_EINVAL,
				  "%s: line %d: not UTF-8 text (or holds control characters)",
				  name, t.line);
			goto end;
		}
	}
	{
		struct lines first = l;
		bool got = next_line(&first);
		if (got && first.n >= 6 && !memcmp(first.s, "WEBVTT", 6) &&
		    (first.n == 6 || first.s[6] == ' ' || first.s[6] == '\t')) {
			l = first;
			rc = parse_vtt(&l, name, &cues, err);
		} else {
			rc = parse_srt(&l, name, &cues, err);
		}
	}
	if (!rc)
		rc = check_cues(&cues, duration, name, err);
	if (rc)
		goto end;

	buf_puts(&v, "WEBVTT\n");
	buf_add(&p, "", 0);
	for (size_t i = 0; i < cues.n; i++) {
		char a[32], b[32];
		size_t vstart;
		buf_reset(&one);
		fmt_ts(cues.v[i].start, a);
		fmt_ts(cues.v[i].end, b);
		buf_printf(&v, "\n%s --> %s\n", a, b);
		vstart = v.len;
		clean_text(cues.v[i].text, &v, &one);
		if (v.len == vstart) {
			/* nothing left to show: the cue goes */
			v.len -= strlen(a) + strlen(b) + 7;
			v.data[v.len] = '\0';
			continue;
		}
		buf_putc(&v, '\n');
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
end:
	cues_free(&cues);
	buf_release(&file);
	buf_release(&v);
	buf_release(&p);
	buf_release(&one);
	return rc;
}

int media_transcript(const char *src, double duration, struct buf *vtt,
		     struct buf *text, struct hearth_err *err)
{
	return media_transcript_named(src, src, duration, vtt, text, err);
}
