/*
 * util.c - errors, allocation, string vectors and the growable buffer:
 * the pieces every other file of Hearth uses, and the one reading of
 * SOURCE_DATE_EPOCH.
 */
#define _DEFAULT_SOURCE /* madvise */
#include "core.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

int herr(struct hearth_err *err, int code, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		err->code = code;
		vsnprintf(err->msg, sizeof err->msg, fmt, ap);
		va_end(ap);
	}
	return code;
}

int herr_prefix(struct hearth_err *err, const char *fmt, ...)
{
	char prefix[512], old[sizeof err->msg];
	va_list ap;

	if (!err)
		return HEARTH_EINVAL;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof prefix, fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof old);
	snprintf(err->msg, sizeof err->msg, "%s: %s", prefix, old);
	return err->code;
}

static void oom(void)
{
	fputs("hearth: out of memory\n", stderr);
	abort();
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

#define HUGE_PAGE ((size_t)2 << 20)
#define BIG_FROM ((size_t)256 << 10)

void *xmalloc_big(size_t n)
{
	void *p = NULL;
	if (n < BIG_FROM)
		return xmalloc(n);
	size_t round = (n + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	if (round < n || posix_memalign(&p, HUGE_PAGE, round))
		return xmalloc(n);
#ifdef MADV_HUGEPAGE
	(void)madvise(p, round, MADV_HUGEPAGE); /* a hint: may fail */
#endif
	return p;
}

void run_pair(void *(*fn)(void *), void *a, void *b, bool two)
{
	pthread_t t;
	two = two && pthread_create(&t, NULL, fn, b) == 0;
	fn(a);
	if (two)
		pthread_join(t, NULL);
	else
		fn(b);
}

void *xzalloc_big(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return xcalloc(n, size); /* which fails as calloc does */
	size_t bytes = n * size;
	void *p = xmalloc_big(bytes ? bytes : 1);
	memset(p, 0, bytes ? bytes : 1);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

char *xstrdup(const char *s)
{
	return s ? xstrndup(s, strlen(s)) : NULL;
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		oom();
	b.data = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(b.data, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return b.data;
}

void xfree(void *pp)
{
	void **p = pp;
	free(*p);
	*p = NULL;
}

void strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

size_t strv_len(char *const *v)
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

char **strv_push(char **v, const char *s)
{
	size_t n = strv_len(v);
	v = xrealloc(v, (n + 2) * sizeof *v);
	v[n] = xstrdup(s);
	v[n + 1] = NULL;
	return v;
}

void strv_append(char ***v, size_t *n, size_t *cap, const char *s)
{
	if (*n + 2 > *cap) {
		*cap = *cap >= 8 ? *cap * 2 : 16;
		*v = xrealloc(*v, *cap * sizeof **v);
	}
	(*v)[(*n)++] = xstrdup(s);
	(*v)[*n] = NULL;
}

/* A string of a list and where it stands, sorted by string then place. */
struct placed {
	const char *s;
	size_t at;
};

static int by_text_then_place(const void *a, const void *b)
{
	const struct placed *x = a, *y = b;
	int c = strcmp(x->s, y->s);
	return c ? c : (x->at > y->at) - (x->at < y->at);
}

size_t strv_first_repeat(char *const *v, size_t n)
{
	if (n < 2)
		return n;
	struct placed *p = xmalloc(n * sizeof *p);
	for (size_t i = 0; i < n; i++)
		p[i] = (struct placed){v[i], i};
	qsort(p, n, sizeof *p, by_text_then_place);
	/* in a run of equal strings every place but the first is a repeat */
	size_t first = n;
	for (size_t k = 1; k < n; k++)
		if (p[k].at < first && !strcmp(p[k].s, p[k - 1].s))
			first = p[k].at;
	free(p);
	return first;
}

char *strv_join(char *const *v, const char *sep)
{
	struct buf b = BUF_INIT;
	for (size_t i = 0; v && v[i]; i++) {
		if (i)
			buf_puts(&b, sep);
		buf_puts(&b, v[i]);
	}
	if (!b.data)
		return xstrdup("");
	return buf_detach(&b);
}

static void buf_grow(struct buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
}

void buf_reserve(struct buf *b, size_t extra)
{
	buf_grow(b, extra);
	b->data[b->len] = '\0';
}

void buf_reserve_big(struct buf *b, size_t extra)
{
	if (!b->data && extra < SIZE_MAX) {
		b->data = xmalloc_big(extra + 1);
		b->cap = extra + 1;
		b->len = 0;
	}
	buf_reserve(b, extra);
}

void buf_add(struct buf *b, const void *data, size_t n)
{
	buf_grow(b, n);
	if (n)
		memcpy(b->data + b->len, data, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void buf_puts(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void buf_putc(struct buf *b, char c)
{
	buf_add(b, &c, 1);
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	buf_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

const char *buf_cstr(const struct buf *b)
{
	return b->data ? b->data : "";
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void buf_release(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

char *buf_detach(struct buf *b)
{
	char *p = b->data ? b->data : xstrdup("");
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}

/* ---- the build clock ----------------------------------------------------- */

int64_t hearth_source_date_epoch(void)
{
	const char *s = getenv("SOURCE_DATE_EPOCH");
	char *end;
	long long v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	return !errno && !*end && v >= 0 ? (int64_t)v : -1;
}
