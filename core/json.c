/*
 * json.c - a small JSON writer over the growable buffer, for the --json
 * output of the command line, export, and the media files (chapters,
 * waveform peaks) that feeds and players read.
 *
 * The writer refuses what it cannot write correctly (nesting deeper than
 * JW_MAX_DEPTH, a close with nothing open): it stops writing and remembers
 * the failure, which jw_end reports. A caller that checks jw_end never
 * passes on wrongly nested output.
 */
#include "core.h"

#include <math.h>
#include <stdio.h>

/* JSON string escaping of s, appended to b with the quotes. */
static void json_escape(struct buf *b, const char *s)
{
	buf_putc(b, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': buf_puts(b, "\\\""); break;
		case '\\': buf_puts(b, "\\\\"); break;
		case '\n': buf_puts(b, "\\n"); break;
		case '\r': buf_puts(b, "\\r"); break;
		case '\t': buf_puts(b, "\\t"); break;
		default:
			if (*p < 0x20)
				buf_printf(b, "\\u%04x", *p);
			else
				buf_putc(b, (char)*p);
		}
	}
	buf_putc(b, '"');
}

void jw_init(struct jw *w, struct buf *b, bool pretty)
{
	w->b = b;
	w->depth = 0;
	w->pretty = pretty;
	w->first[0] = true;
	w->after_key = false;
	w->failed = NULL;
}

int jw_end(const struct jw *w, struct hearth_err *err)
{
	if (w->failed)
		return herr(err, HEARTH_EINVAL, "json: %s", w->failed);
	if (w->depth != 0)
		return herr(err, HEARTH_EINVAL, "json: %d object(s) or array(s) left open",
			    w->depth);
	return 0;
}

static void indent(struct jw *w)
{
	if (!w->pretty)
		return;
	buf_putc(w->b, '\n');
	for (int i = 0; i < w->depth; i++)
		buf_puts(w->b, "  ");
}

/* Before any value: a comma and a new line unless it follows a key. */
static void before_value(struct jw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->depth > 0) {
		if (!w->first[w->depth])
			buf_putc(w->b, ',');
		indent(w);
	}
	w->first[w->depth] = false;
}

static void open_(struct jw *w, char c)
{
	if (w->failed)
		return;
	if (w->depth >= JW_MAX_DEPTH) {
		w->failed = "nesting deeper than " JW_MAX_DEPTH_STR " levels";
		return;
	}
	before_value(w);
	buf_putc(w->b, c);
	w->depth++;
	w->first[w->depth] = true;
}

static void close_(struct jw *w, char c)
{
	if (w->failed)
		return;
	if (w->depth == 0) {
		w->failed = "a close with nothing open";
		return;
	}
	bool empty = w->first[w->depth];
	w->depth--;
	if (!empty)
		indent(w);
	buf_putc(w->b, c);
	if (w->depth == 0 && w->pretty)
		buf_putc(w->b, '\n');
}

void jw_obj(struct jw *w) { open_(w, '{'); }
void jw_obj_end(struct jw *w) { close_(w, '}'); }
void jw_arr(struct jw *w) { open_(w, '['); }
void jw_arr_end(struct jw *w) { close_(w, ']'); }

void jw_key(struct jw *w, const char *k)
{
	if (w->failed)
		return;
	before_value(w);
	json_escape(w->b, k);
	buf_puts(w->b, w->pretty ? ": " : ":");
	w->after_key = true;
}

void jw_str(struct jw *w, const char *s)
{
	if (w->failed)
		return;
	if (!s) {
		jw_null(w);
		return;
	}
	before_value(w);
	json_escape(w->b, s);
}

void jw_int(struct jw *w, int64_t v)
{
	if (w->failed)
		return;
	before_value(w);
	buf_printf(w->b, "%lld", (long long)v);
}

void jw_num(struct jw *w, double v)
{
	if (w->failed)
		return;
	before_value(w);
	if (!isfinite(v))
		buf_puts(w->b, "null");
	else if (v == (double)(int64_t)v && fabs(v) < 1e15)
		buf_printf(w->b, "%lld", (long long)v);
	else
		buf_printf(w->b, "%.3f", v);
}

void jw_bool(struct jw *w, bool v)
{
	if (w->failed)
		return;
	before_value(w);
	buf_puts(w->b, v ? "true" : "false");
}

void jw_null(struct jw *w)
{
	if (w->failed)
		return;
	before_value(w);
	buf_puts(w->b, "null");
}

void jw_kstr(struct jw *w, const char *k, const char *s)
{
	jw_key(w, k);
	jw_str(w, s);
}

void jw_kint(struct jw *w, const char *k, int64_t v)
{
	jw_key(w, k);
	jw_int(w, v);
}

void jw_knum(struct jw *w, const char *k, double v)
{
	jw_key(w, k);
	jw_num(w, v);
}

void jw_kbool(struct jw *w, const char *k, bool v)
{
	jw_key(w, k);
	jw_bool(w, v);
}
