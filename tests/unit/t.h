/*
 * t.h - the unit-test harness: each test is a function; main() lists them
 * with RUN(). Every test prints one line, "PASS name" or "FAIL name: where:
 * what", which tests/run counts. A failed CHECK ends its test.
 */
#ifndef HEARTH_T_H
#define HEARTH_T_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int t_failed_;
static const char *t_name_;
static char t_tmp_[256];

#define CHECK(cond)                                                             \
	do {                                                                    \
		if (!(cond)) {                                                  \
			printf("FAIL %s: %s:%d: %s\n", t_name_, __FILE__, __LINE__, \
			       #cond);                                          \
			t_failed_ = 1;                                          \
			return;                                                 \
		}                                                               \
	} while (0)

#define CHECK_STR(a, b)                                                         \
	do {                                                                    \
		const char *a_ = (a), *b_ = (b);                                \
		if (!a_ || !b_ || strcmp(a_, b_)) {                             \
			printf("FAIL %s: %s:%d: %s is \"%s\", expected \"%s\"\n", \
			       t_name_, __FILE__, __LINE__, #a, a_ ? a_ : "(null)", \
			       b_ ? b_ : "(null)");                             \
			t_failed_ = 1;                                          \
			return;                                                 \
		}                                                               \
	} while (0)

/* Checks that rc is 0, printing err's message when it is not. */
#define CHECK_OK(rc, err)                                                       \
	do {                                                                    \
		int rc_ = (rc);                                                 \
		if (rc_ != 0) {                                                 \
			printf("FAIL %s: %s:%d: %s returned %d: %s\n", t_name_, \
			       __FILE__, __LINE__, #rc, rc_, (err)->msg);       \
			t_failed_ = 1;                                          \
			return;                                                 \
		}                                                               \
	} while (0)

#define RUN(fn)                                                                 \
	do {                                                                    \
		t_name_ = #fn;                                                  \
		t_failed_ = 0;                                                  \
		fn();                                                           \
		if (!t_failed_)                                                 \
			printf("PASS %s\n", #fn);                               \
		fflush(stdout);                                                 \
	} while (0)

/* A fresh scratch folder for this test program (removed by tests/run). */
static inline const char *t_tmpdir(void)
{
	if (!t_tmp_[0]) {
		const char *base = getenv("HEARTH_TEST_TMP");
		snprintf(t_tmp_, sizeof t_tmp_, "%s/unit-XXXXXX", base ? base : "/tmp");
		if (!mkdtemp(t_tmp_)) {
			perror("mkdtemp");
			exit(1);
		}
	}
	return t_tmp_;
}

/* A path in the scratch folder; valid for the next 15 calls. */
static inline const char *tp(const char *name)
{
	static char ring[16][512];
	static int k;
	char *p = ring[k++ % 16];
	snprintf(p, 512, "%s/%s", t_tmpdir(), name);
	return p;
}

/* Runs a shell command in the scratch folder; returns its exit status. */
#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
static inline int sh(const char *fmt, ...)
{
	va_list ap;
	char cmd[4096], line[4608];
	va_start(ap, fmt);
	int n = vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof cmd)
		return -1;
	snprintf(line, sizeof line, "cd '%s' && %s", t_tmpdir(), cmd);
	return system(line);
}

/* The ffmpeg program as the tests run it to make fixtures. */
#define FF "ffmpeg -nostdin -hide_banner -loglevel error -y "

#endif
