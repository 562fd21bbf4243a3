/*
 * write_floor.c - the least time any program needs to write a finished
 * site on a file system: the floor under every site generator there.
 *
 * Usage: write_floor SRC DEST [THREADS]. Reads every folder and regular
 * file under SRC into memory first (not timed), then, with the clock
 * running, creates DEST and writes the same tree into it: the folders in
 * order on one thread, then the files shared by THREADS threads (default
 * 2), each opened, written whole and closed, with no fsync, as a
 * generator that knew every byte in advance would write them. Prints one
 * line: "SECONDS FILES BYTES". DEST must not exist.
 *
 * tests/bench/text_bench.sh runs it on Hugo's output and on Hearth's:
 * when the floor of a site is above a target, no engine meets the target
 * on that disk. Timings are never asserted.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct entry {
	char *rel;	/* the path under SRC / DEST */
	char *data;	/* NULL for a folder */
	size_t size;
};

static struct entry *entries;
static size_t n_entries, cap_entries;
static const char *dest;
static size_t next_file;
static pthread_mutex_t next_lock = PTHREAD_MUTEX_INITIALIZER;

static void die(const char *what, const char *path)
{
	fprintf(stderr, "write_floor: %s %s: %s\n", what, path, strerror(errno));
	exit(1);
}

static void add(char *rel, char *data, size_t size)
{
	if (n_entries == cap_entries) {
		cap_entries = cap_entries ? cap_entries * 2 : 4096;
		entries = realloc(entries, cap_entries * sizeof *entries);
		if (!entries)
			die("out of memory at", rel);
	}
	entries[n_entries++] = (struct entry){ rel, data, size };
}

static char *join(const char *a, const char *b)
{
	char *s;
	if (asprintf(&s, "%s%s%s", a, *a ? "/" : "", b) < 0)
		die("out of memory at", b);
	return s;
}

static char *slurp(const char *path, size_t *size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0)
		die("cannot read", path);
	char *data = malloc(st.st_size ? (size_t)st.st_size : 1);
	size_t got = 0;
	while (data && got < (size_t)st.st_size) {
		ssize_t n = read(fd, data + got, (size_t)st.st_size - got);
		if (n <= 0)
			die("cannot read", path);
		got += (size_t)n;
	}
	if (!data)
		die("out of memory at", path);
	close(fd);
	*size = got;
	return data;
}

/* reads the tree under src/rel into entries, a folder before what it holds */
static void load(const char *src, const char *rel)
{
	char *dir = *rel ? join(src, rel) : strdup(src);
	DIR *d = opendir(dir);
	if (!d)
		die("cannot open", dir);
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char *r = join(rel, e->d_name), *path = join(src, r);
		struct stat st;
		if (lstat(path, &st) != 0)
			die("cannot stat", path);
		if (S_ISDIR(st.st_mode)) {
			add(r, NULL, 0);
			load(src, r);
		} else if (S_ISREG(st.st_mode)) {
			size_t size;
			char *data = slurp(path, &size);
			add(r, data, size);
		} else {
			free(r);
		}
		free(path);
	}
	closedir(d);
	free(dir);
}

static void *writer(void *arg)
{
	(void)arg;
	for (;;) {
		pthread_mutex_lock(&next_lock);
		size_t i = next_file;
		next_file += 64;
		pthread_mutex_unlock(&next_lock);
		if (i >= n_entries)
			return NULL;
		for (size_t end = i + 64; i < end && i < n_entries; i++) {
			const struct entry *e = &entries[i];
			if (!e->data)
				continue;
			char *path = join(dest, e->rel);
			int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
			if (fd < 0)
				die("cannot create", path);
			for (size_t done = 0; done < e->size;) {
				ssize_t n = write(fd, e->data + done, e->size - done);
				if (n <= 0)
					die("cannot write", path);
				done += (size_t)n;
			}
			if (close(fd) != 0)
				die("cannot close", path);
			free(path);
		}
	}
}

int main(int argc, char **argv)
{
	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: write_floor SRC DEST [THREADS]\n");
		return 2;
	}
	int threads = argc == 4 ? atoi(argv[3]) : 2;
	if (threads < 1 || threads > 64) {
		fprintf(stderr, "write_floor: THREADS is 1 to 64\n");
		return 2;
	}
	dest = argv[2];
	load(argv[1], "");
	size_t files = 0, bytes = 0;
	for (size_t i = 0; i < n_entries; i++)
		if (entries[i].data) {
			files++;
			bytes += entries[i].size;
		}

	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (mkdir(dest, 0755) != 0)
		die("cannot create", dest);
	for (size_t i = 0; i < n_entries; i++)
		if (!entries[i].data) {
			char *path = join(dest, entries[i].rel);
			if (mkdir(path, 0755) != 0)
				die("cannot create", path);
			free(path);
		}
	pthread_t tid[64];
	for (int t = 1; t < threads; t++)
		if (pthread_create(&tid[t], NULL, writer, NULL) != 0)
			die("cannot start a thread for", dest);
	writer(NULL);
	for (int t = 1; t < threads; t++)
		pthread_join(tid[t], NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);

	printf("%.4f %zu %zu\n", (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
	       files, bytes);
	return 0;
}
