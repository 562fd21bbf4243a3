/*
 * lock.c - the build lock: one build at a time per library. It is an
 * advisory lock (flock) on .build.lock in the library folder, so the
 * kernel releases it when the holder ends, however it ends; the file
 * itself stays and is never removed (removing it would let two builds
 * lock two different files). While held, the file says who holds it, for
 * the message of the build that waits.
 */
#include "libraryInt.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#define LOCK_FILE ".build.lock"

struct lib_build_lock {
	int fd;
};

/* Reads "pid who since" from the lock file; zeros when it says nothing. */
static void read_holder(int fd, struct lib_lock_holder *h)
{
	char text[256];
	ssize_t n = pread(fd, text, sizeof text - 1, 0);
	memset(h, 0, sizeof *h);
	if (n <= 0)
		return;
	text[n] = '\0';
	long long since = 0;
	char who[64] = "";
	if (sscanf(text, "%ld %63s %lld", &h->pid, who, &since) == 3) {
		snprintf(h->who, sizeof h->who, "%s", who);
		h->since = since;
	}
}

/* Replaces the file's text with ours: pid, actor (no spaces), time. */
static void write_holder(int fd, const char *actor)
{
	char who[64];
	size_t i = 0;
	for (const char *p = actor; *p && i < sizeof who - 1; p++)
		who[i++] = (*p == ' ' || *p == '\n' || *p == '\t') ? '_' : *p;
	who[i] = '\0';
	char *text = xasprintf("%ld %s %lld\n", (long)getpid(), i ? who : "editor",
			       (long long)time(NULL));
	if (ftruncate(fd, 0) == 0 && pwrite(fd, text, strlen(text), 0) < 0) {
		/* the text is only for messages; the lock holds without it */
	}
	free(text);
}

/* "2024-06-02 10:02" in local time, for the message; out needs 32 bytes. */
static void local_time(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	out[0] = '\0';
	if (localtime_r(&tt, &tm) && strftime(out, 32, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		out[0] = '\0';
}

static int lock_failed(const char *path, int e, struct hearth_err *err)
{
	return herr(err, HEARTH_EIO, "cannot lock '%s': %s", path, strerror(e));
}

int lib_build_lock_take(hearth_lib *lib, bool wait,
			void (*waiting)(void *arg, const struct lib_lock_holder *h),
			void *arg, lib_build_lock **out, struct hearth_err *err)
{
	char *path = path_join(lib->dir, LOCK_FILE);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	int rc = 0;

	*out = NULL;
	if (fd < 0) {
		rc = lock_failed(path, errno, err);
		goto end;
	}
	while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK) {
			rc = lock_failed(path, errno, err);
			goto end;
		}
		struct lib_lock_holder h;
		read_holder(fd, &h);
		if (!wait) {
			char at[32] = "";
			if (h.since)
				local_time(h.since, at);
			if (h.pid)
				rc = herr(err, HEARTH_ESTATE,
					  "another build is running: started by %s (pid %ld)%s%s",
					  h.who, h.pid, at[0] ? " at " : "", at);
			else
				rc = herr(err, HEARTH_ESTATE, "another build is running");
			goto end;
		}
		if (waiting)
			waiting(arg, &h);
		while (flock(fd, LOCK_EX) != 0) {
			if (errno != EINTR) {
				rc = lock_failed(path, errno, err);
				goto end;
			}
		}
		break;
	}
	write_holder(fd, lib->actor);
	*out = xcalloc(1, sizeof **out);
	(*out)->fd = fd;
	fd = -1;
end:
	if (fd >= 0)
		close(fd);
	free(path);
	return rc;
}

void lib_build_unlock(lib_build_lock **plock)
{
	lib_build_lock *l = plock ? *plock : NULL;
	if (!l)
		return;
	/* what the file says is stale once we let go */
	if (ftruncate(l->fd, 0) != 0) {
		/* only a message's text */
	}
	close(l->fd);
	free(l);
	*plock = NULL;
}
