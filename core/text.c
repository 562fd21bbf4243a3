/*
 * text.c - dates (parsed strictly, written as RFC 2822 for feeds and ISO
 * 8601 for pages), the build clock, slugs and text checks.
 *
 * Slugs are ASCII. A title in another script, or with accents, is first
 * transliterated with ICU ("Any-Latin; Latin-ASCII": "Łódź" to "Lodz",
 * "Привет" to "Privet"); an ASCII title goes straight to the slug rules,
 * so its slug is what it always was.
 *
 * ICU is loaded (dlopen) the first time a title needs it, not linked: the
 * text commands start without ICU and the C++ runtime it brings, and only
 * a command that makes a slug from a non-ASCII title pays for loading it.
 */
#define _GNU_SOURCE
#include "core.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <dlfcn.h>
#include <pthread.h>
#include <unicode/ustring.h>
#include <unicode/utrans.h>
#include <unicode/uvernum.h>

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in(int y, int m)
{
	static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && leap(y) ? 29 : d[m - 1];
}

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int digits(const char **p, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)**p))
			return -1;
		v = v * 10 + (**p - '0');
		(*p)++;
	}
	return v;
}

int date_parse(const char *s, int64_t *out)
{
	const char *p = s;
	int y, mo, d, h = 0, mi = 0, se = 0, off = 0;

	if (!s)
		return HEARTH_EINVAL;
	if ((y = digits(&p, 4)) < 0 || *p++ != '-' || (mo = digits(&p, 2)) < 0 ||
	    *p++ != '-' || (d = digits(&p, 2)) < 0)
		return HEARTH_EINVAL;
	if (y < 1900 || mo < 1 || mo > 12 || d < 1 || d > days_in(y, mo))
		return HEARTH_EINVAL;
	if (*p == 'T' || *p == ' ') {
		p++;
		if ((h = digits(&p, 2)) < 0 || *p++ != ':' || (mi = digits(&p, 2)) < 0)
			return HEARTH_EINVAL;
		if (*p == ':') {
			p++;
			if ((se = digits(&p, 2)) < 0)
				return HEARTH_EINVAL;
		}
		if (h > 23 || mi > 59 || se > 60)
			return HEARTH_EINVAL;
		if (*p == 'Z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			int sign = *p++ == '-' ? -1 : 1, oh, om;
			if ((oh = digits(&p, 2)) < 0)
				return HEARTH_EINVAL;
			if (*p == ':')
				p++;
			if ((om = digits(&p, 2)) < 0 || oh > 23 || om > 59)
				return HEARTH_EINVAL;
			off = sign * (oh * 3600 + om * 60);
		}
	}
	if (*p)
		return HEARTH_EINVAL;
	*out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - off;
	return 0;
}

static void copy_out(char *out, size_t size, const char *s)
{
	size_t n = strlen(s);
	if (n >= size)
		n = size - 1;
	memcpy(out, s, n);
	out[n] = '\0';
}

static void utc(int64_t t, struct tm *tm)
{
	time_t tt = (time_t)t;
	gmtime_r(&tt, tm);
}

/* v (0..99) as two digits at p. */
static void two(char *p, int v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
}

/* "HH:MM:SS" of tm at p. */
static void hms(char *p, const struct tm *tm)
{
	two(p, tm->tm_hour);
	p[2] = ':';
	two(p + 3, tm->tm_min);
	p[5] = ':';
	two(p + 6, tm->tm_sec);
}

/*
 * The fields of tm by hand, when each fits its digits: a feed formats
 * tens of thousands of dates, and snprintf was a twentieth of its time.
 */
static bool tm_plain(const struct tm *tm)
{
	int y = tm->tm_year + 1900;
	return y >= 0 && y <= 9999 && tm->tm_mon >= 0 && tm->tm_mon < 12 && tm->tm_mday >= 1 &&
	       tm->tm_mday <= 31 && tm->tm_hour >= 0 && tm->tm_hour < 24 && tm->tm_min >= 0 &&
	       tm->tm_min < 60 && tm->tm_sec >= 0 && tm->tm_sec <= 60 && tm->tm_wday >= 0 &&
	       tm->tm_wday < 7;
}

void date_rfc2822(int64_t t, char out[32])
{
	struct tm tm;
	utc(t, &tm);
	static const char days[] = "SunMonTueWedThuFriSat";
	static const char mons[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	if (!tm_plain(&tm)) {
		char tmp[128];
		snprintf(tmp, sizeof tmp, "%.3s, %02d %.3s %04d %02d:%02d:%02d +0000",
			 days + 3 * ((tm.tm_wday % 7 + 7) % 7), tm.tm_mday,
			 mons + 3 * ((tm.tm_mon % 12 + 12) % 12), (tm.tm_year + 1900) % 10000,
			 tm.tm_hour, tm.tm_min, tm.tm_sec);
		copy_out(out, 32, tmp);
		return;
	}
	int y = tm.tm_year + 1900;
	/* "Www, DD Mmm YYYY HH:MM:SS +0000" */
	memcpy(out, days + 3 * tm.tm_wday, 3);
	memcpy(out + 3, ", ", 2);
	two(out + 5, tm.tm_mday);
	out[7] = ' ';
	memcpy(out + 8, mons + 3 * tm.tm_mon, 3);
	out[11] = ' ';
	two(out + 12, y / 100);
	two(out + 14, y % 100);
	out[16] = ' ';
	hms(out + 17, &tm);
	memcpy(out + 25, " +0000", 7);
}

void date_iso(int64_t t, char out[21])
{
	struct tm tm;
	utc(t, &tm);
	if (!tm_plain(&tm)) {
		char tmp[128];
		snprintf(tmp, sizeof tmp, "%04d-%02d-%02dT%02d:%02d:%02dZ",
			 (tm.tm_year + 1900) % 10000, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
			 tm.tm_min, tm.tm_sec);
		copy_out(out, 21, tmp);
		return;
	}
	int y = tm.tm_year + 1900;
	/* "YYYY-MM-DDTHH:MM:SSZ" */
	two(out, y / 100);
	two(out + 2, y % 100);
	out[4] = '-';
	two(out + 5, tm.tm_mon + 1);
	out[7] = '-';
	two(out + 8, tm.tm_mday);
	out[10] = 'T';
	hms(out + 11, &tm);
	memcpy(out + 19, "Z", 2);
}

/* "YYYY-MM-DD" by hand: a long listing formats thousands of them (list.c). */
void date_ymd(int64_t t, char out[11])
{
	struct tm tm;
	utc(t, &tm);
	int y = (tm.tm_year + 1900) % 10000, m = tm.tm_mon + 1, d = tm.tm_mday;
	if (y < 0 || m < 1 || m > 12 || d < 1 || d > 31) {
		char tmp[128];
		snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", y, m, d);
		copy_out(out, 11, tmp);
		return;
	}
	const char v[10] = {(char)('0' + y / 1000), (char)('0' + y / 100 % 10),
			    (char)('0' + y / 10 % 10), (char)('0' + y % 10), '-',
			    (char)('0' + m / 10), (char)('0' + m % 10), '-',
			    (char)('0' + d / 10), (char)('0' + d % 10)};
	memcpy(out, v, 10);
	out[10] = '\0';
}

int64_t hearth_now(void)
{
	int64_t t = hearth_source_date_epoch();
	return t >= 0 ? t : (int64_t)time(NULL);
}

bool slug_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > 80 || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) ||
		      s[i] == '-'))
			return false;
	return true;
}

/*
 * ICU's functions, looked up once in the library of this ICU's version.
 * Every ICU symbol carries the version (utrans_openU is a macro for
 * utrans_openU_72): ICU_SYM gives the name the macro stands for.
 */
#define ICU_STR_(x) #x
#define ICU_STR(x) ICU_STR_(x)
#define ICU_SYM(fn) ICU_STR(fn)
#define ICU_LIB "libicui18n.so." ICU_STR(U_ICU_VERSION_MAJOR_NUM)

static struct {
	__typeof__(&utrans_openU) open;
	__typeof__(&utrans_transUChars) trans;
	__typeof__(&utrans_close) close;
	__typeof__(&u_strFromUTF8Lenient) from_utf8;
	__typeof__(&u_strToUTF8) to_utf8;
	bool ok;
} icu;
static pthread_once_t icu_once = PTHREAD_ONCE_INIT;

bool text_dlsym(void *h, const char *name, void *fn, size_t size)
{
	void *p = dlsym(h, name);
	if (!p || size != sizeof p)
		return false;
	memcpy(fn, &p, sizeof p); /* a data pointer to a function pointer, as POSIX allows */
	return true;
}

/* Loads ICU for good (it is never unloaded); icu.ok says whether it worked. */
static void icu_load(void)
{
	void *h = dlopen(ICU_LIB, RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return;
	icu.ok = text_dlsym(h, ICU_SYM(utrans_openU), &icu.open, sizeof icu.open) &&
		 text_dlsym(h, ICU_SYM(utrans_transUChars), &icu.trans, sizeof icu.trans) &&
		 text_dlsym(h, ICU_SYM(utrans_close), &icu.close, sizeof icu.close) &&
		 text_dlsym(h, ICU_SYM(u_strFromUTF8Lenient), &icu.from_utf8,
			 sizeof icu.from_utf8) &&
		 text_dlsym(h, ICU_SYM(u_strToUTF8), &icu.to_utf8, sizeof icu.to_utf8);
}

/*
 * The title in ASCII letters, by ICU's Any-Latin and Latin-ASCII
 * transliterators; a new allocation, or NULL when ICU cannot do it (the
 * caller then uses the title as it is).
 */
static char *to_ascii(const char *title)
{
	static const char id[] = "Any-Latin; Latin-ASCII";
	UErrorCode st = U_ZERO_ERROR;
	UTransliterator *tr = NULL;
	UChar *u = NULL, uid[sizeof id];
	char *out = NULL;
	int32_t n = 0, cap, limit, len = (int32_t)strlen(title);

	if (strlen(title) > 65536)
		return NULL;
	pthread_once(&icu_once, icu_load);
	if (!icu.ok)
		return NULL;
	for (size_t i = 0; i < sizeof id; i++) /* ASCII, with its terminator */
		uid[i] = (UChar)id[i];
	tr = icu.open(uid, -1, UTRANS_FORWARD, NULL, 0, NULL, &st);
	if (U_FAILURE(st))
		goto end;
	/* each character may grow (a Han character becomes a syllable): try twice */
	for (cap = 8 * len + 64; cap <= 64 * len + 64; cap *= 8) {
		st = U_ZERO_ERROR;
		free(u);
		u = xcalloc((size_t)cap, sizeof *u);
		icu.from_utf8(u, cap, &n, title, len, &st);
		if (U_FAILURE(st))
			goto end;
		limit = n;
		icu.trans(tr, u, &n, cap, 0, &limit, &st);
		if (st != U_BUFFER_OVERFLOW_ERROR)
			break;
	}
	if (U_FAILURE(st))
		goto end;
	int32_t need = 0;
	st = U_ZERO_ERROR;
	icu.to_utf8(NULL, 0, &need, u, n, &st);
	st = U_ZERO_ERROR;
	out = xmalloc((size_t)need + 1);
	icu.to_utf8(out, need + 1, NULL, u, n, &st);
	if (U_FAILURE(st))
		xfree(&out);
end:
	if (tr)
		icu.close(tr);
	free(u);
	return out;
}

char *slugify(const char *title)
{
	struct buf b = BUF_INIT;
	bool dash = false, ascii = true;
	char *latin = NULL;

	for (const char *p = title; p && *p; p++)
		ascii &= (unsigned char)*p < 0x80;
	if (title && !ascii && (latin = to_ascii(title)))
		title = latin;
	for (const unsigned char *p = (const unsigned char *)title; p && *p; p++) {
		if (isalnum(*p) && *p < 0x80) {
			if (dash && b.len)
				buf_putc(&b, '-');
			dash = false;
			buf_putc(&b, (char)tolower(*p));
			if (b.len >= 60)
				break;
		} else if (*p != '\'') {
			dash = true;
		}
	}
	free(latin);
	if (!b.len)
		buf_puts(&b, "story");
	return buf_detach(&b);
}

bool text_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	while (p < end) {
		unsigned c = *p;
		if (c < 0x80) {
			if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
				return false;
			p++;
			continue;
		}
		int len = (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3
						 : (c & 0xf8) == 0xf0 ? 4 : 0;
		if (!len || c == 0xc0 || c == 0xc1 || c > 0xf4 || end - p < len)
			return false;
		uint32_t cp = c & (0x7f >> len);
		for (int i = 1; i < len; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (p[i] & 0x3f);
		}
		if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return false;
		p += len;
	}
	return true;
}

size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

char *str_trim(char *s)
{
	char *p = s;
	while (*p && isspace((unsigned char)*p))
		p++;
	if (p != s)
		memmove(s, p, strlen(p) + 1);
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

bool str_starts(const char *s, const char *prefix)
{
	return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

bool str_ends(const char *s, const char *suffix)
{
	size_t a = s ? strlen(s) : 0, b = strlen(suffix);
	return a >= b && !strcmp(s + a - b, suffix);
}
