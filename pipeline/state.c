/*
 * state.c - the build state: what each file of the current site was made
 * from, so the next build makes only what changed. It is one text file
 * beside the output folder (".hearth-build.<name>", never inside the
 * site, never in the catalogue): the folder it describes (device and
 * inode: a swap moves the staging folder in whole, so the inode follows),
 * the key of everything the build read, the quick record (below), and for
 * every file its key (keys.c) and the identity it had when it was made
 * (inode, size, mtime).
 *
 * The quick record lets the lean hearth decide a build with nothing to do
 * without reading the public view (quick.c): the catalogue's generation
 * the build read, the key of what else it read that is not in the
 * catalogue (settings, theme, program, cover, options, SOURCE_DATE_EPOCH),
 * and the first moment at which a story held until its date comes due.
 *
 * The state is a cache, never the truth: when it is missing, unreadable,
 * or describes another folder than the one in place (a build killed
 * between writing it and the swap), the build makes everything, as a
 * clean build does. A file is taken from the current site only when its
 * key matches and the file is still the one that was made: taken so
 * (trust: the site's files are the build's own), or, for `hearth build
 * --verify`, looked at (nobody edited, replaced or removed it). Before a
 * patch of the site in place, the files about to change are listed beside
 * the state (".hearth-patch.<name>", pipe_state_untrust): while that list
 * is there, the state trusts none of them, so a build after a kill in the
 * middle makes those files again or
 * removes them. The list is a few lines where the state of a large site is
 * megabytes, so a patch writes the state once, not twice.
 */
#define _GNU_SOURCE
#include "pipelineInt.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STATE_HEAD "hearth build state 2\n"
#define PATCH_HEAD "hearth patch list 1\n"

/* The key of a file a patch is about to touch: no build ever makes it. */
#define UNTRUSTED_KEY "0000000000000000000000000000000000000000000000000000000000000000"

/* A block of keys a state holds of its own: KEYS_PER of 65 bytes each. */
#define KEYS_PER 1024
struct pipe_keys {
	struct pipe_keys *next;
	size_t n;
	char key[KEYS_PER][65];
};

/* "<prefix><base of out_dir>" beside out_dir; new allocation. */
static char *beside(const char *out_dir, const char *prefix)
{
	char *dir = path_dir(out_dir);
	char *name = xasprintf("%s%s", prefix, path_base(out_dir));
	char *p = path_join(dir, name);
	free(dir);
	free(name);
	return p;
}

char *pipe_state_path(const char *out_dir)
{
	return beside(out_dir, ".hearth-build.");
}

char *pipe_patch_list_path(const char *out_dir)
{
	return beside(out_dir, ".hearth-patch.");
}

void pipe_state_release(struct pipe_state *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		if (!s->f[i].borrowed)
			free(s->f[i].rel);
		free(s->f[i].src);
	}
	free(s->f);
	free(s->text);
	while (s->keys) {
		struct pipe_keys *k = s->keys;
		s->keys = k->next;
		free(k);
	}
	if (s->has_fd)
		close(s->out_fd);
	memset(s, 0, sizeof *s);
}

/* A copy of key that lives as long as s. */
static const char *own_key(struct pipe_state *s, const char key[65])
{
	if (!s->keys || s->keys->n == KEYS_PER) {
		struct pipe_keys *k = xmalloc(sizeof *k);
		k->next = s->keys;
		k->n = 0;
		s->keys = k;
	}
	char *p = s->keys->key[s->keys->n++];
	memcpy(p, key, 64);
	p[64] = '\0';
	return p;
}

/* A new file at the end of s, with key (borrowed: it outlives s's use of it). */
static struct pipe_file *add(struct pipe_state *s, const char *key)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 256;
		s->f = xrealloc(s->f, s->cap * sizeof *s->f);
	}
	struct pipe_file *f = &s->f[s->n++];
	memset(f, 0, sizeof *f);
	f->key = key;
	return f;
}

void pipe_state_note(struct pipe_state *s, const char *rel, const char key[65],
		     const char *src)
{
	struct pipe_file *f = add(s, own_key(s, key));
	f->rel = xstrdup(rel);
	f->src = src ? xstrdup(src) : NULL;
}

static int by_rel(const void *pa, const void *pb)
{
	const struct pipe_file *a = pa, *b = pb;
	return strcmp(a->rel, b->rel);
}

const struct pipe_file *pipe_state_find(const struct pipe_state *s, const char *rel)
{
	struct pipe_file probe = {.rel = (char *)rel};
	if (!s->n)
		return NULL;
	return bsearch(&probe, s->f, s->n, sizeof *s->f, by_rel);
}

/* The number at *p (optionally negative) and the one space after it; false when none. */
static bool parse_num(char **p, int64_t *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(*p, &end, 10);
	if (errno || end == *p || *end != ' ')
		return false;
	*out = v;
	*p = end + 1;
	return true;
}

/* The same for an unsigned number (an inode may use all 64 bits). */
static bool parse_unum(char **p, uint64_t *out)
{
	char *end;
	errno = 0;
	if (**p == '-')
		return false;
	unsigned long long v = strtoull(*p, &end, 10);
	if (errno || end == *p || *end != ' ')
		return false;
	*out = v;
	*p = end + 1;
	return true;
}

/*
 * Parses one "key ino size sec nsec rel" line into s; false when it is not
 * one. By hand, not sscanf: a large site's state has tens of thousands.
 */
static bool parse_file(struct pipe_state *s, char *line)
{
	char *p = line + 64;
	uint64_t ino;
	int64_t size, sec, nsec;
	if (strlen(line) < 66 || *p != ' ')
		return false;
	for (int i = 0; i < 64; i++)
		if (!((line[i] >= '0' && line[i] <= '9') || (line[i] >= 'a' && line[i] <= 'f')))
			return false;
	*p++ = '\0';
	if (!parse_unum(&p, &ino) || !parse_num(&p, &size) || !parse_num(&p, &sec) ||
	    !parse_num(&p, &nsec) || nsec < -1 || nsec > 999999999 || !path_is_safe_rel(p))
		return false;
	struct pipe_file *f = add(s, line);
	f->rel = p; /* in s->text */
	f->borrowed = true;
	f->ino = ino;
	f->size = size;
	f->mtime_sec = sec;
	f->mtime_nsec = (int32_t)nsec;
	return true;
}

/*
 * strcmp of two rels of s, except that two in [rel_lo, rel_hi) compare by
 * their addresses, which is the same order (pipe_state.rel_lo): the next
 * state is mostly files kept from the current one, whose rels point into
 * its text, and a large site's paths share long beginnings.
 */
static int rel_cmp(const struct pipe_state *s, const char *a, const char *b)
{
	uintptr_t x = (uintptr_t)a, y = (uintptr_t)b;
	uintptr_t lo = (uintptr_t)s->rel_lo, hi = (uintptr_t)s->rel_hi;
	if (x >= lo && x < hi && y >= lo && y < hi)
		return x < y ? -1 : x > y;
	return strcmp(a, b);
}

/* True when s->f is sorted by rel already (as saved): no sort needed. */
static bool sorted(const struct pipe_state *s)
{
	for (size_t i = 1; i < s->n; i++)
		if (rel_cmp(s, s->f[i - 1].rel, s->f[i].rel) >= 0)
			return false;
	return true;
}

bool pipe_patch_list_left(const char *out_dir)
{
	char *p = pipe_patch_list_path(out_dir);
	bool left = access(p, F_OK) == 0 || errno != ENOENT;
	free(p);
	return left;
}

/*
 * A patch list left by a patch that did not finish: every file it names
 * is untrusted in s (sorted), and one s lacks (a file the patch was adding)
 * is added, so the next build removes it unless it makes it. s is then
 * never clean and has no quick record. False when the list is there but
 * cannot be read or understood: then nothing of s can be trusted.
 */
static bool apply_patch_list(const char *out_dir, struct pipe_state *s)
{
	char *p = pipe_patch_list_path(out_dir);
	struct buf b = BUF_INIT;
	struct hearth_err ignored;
	size_t n0 = s->n;
	bool ok = false;

	if (!pipe_patch_list_left(out_dir)) {
		ok = true;
		goto end;
	}
	/* all of it, or none of s: a NUL would hide the lines after it */
	if (file_read(p, &b, &ignored) != 0 || !b.data || strlen(b.data) != b.len ||
	    !str_starts(b.data, PATCH_HEAD))
		goto end;
	s->clean = false;
	s->has_quick = false;
	char *line = b.data + strlen(PATCH_HEAD), *next;
	for (; *line; line = next) {
		if (!(next = strchr(line, '\n')))
			goto end;
		*next++ = '\0';
		if (!path_is_safe_rel(line))
			goto end;
		/* among the files loaded, sorted; not those added here, after them */
		struct pipe_file probe = {.rel = line};
		struct pipe_file *f = n0 ? bsearch(&probe, s->f, n0, sizeof *s->f, by_rel) : NULL;
		if (!f) {
			f = add(s, UNTRUSTED_KEY);
			f->rel = xstrdup(line);
		}
		f->key = UNTRUSTED_KEY;
		f->ino = 0;
		f->size = f->mtime_sec = f->mtime_nsec = -1;
	}
	ok = true;
end:
	/* the files added go among the others, found by pipe_state_find */
	if (ok && s->n > n0)
		qsort(s->f, s->n, sizeof *s->f, by_rel);
	buf_release(&b);
	free(p);
	return ok;
}

void pipe_state_load(const char *out_dir, struct pipe_state *s)
{
	char *p = pipe_state_path(out_dir);
	struct buf b = BUF_INIT;
	struct hearth_err ignored;
	struct stat st;
	bool ok = false;

	memset(s, 0, sizeof *s);
	if (stat(out_dir, &st) != 0 || file_read(p, &b, &ignored) != 0)
		goto end;
	char *text = s->text = buf_detach(&b); /* the files' rels stay in it */
	if (!str_starts(text, STATE_HEAD))
		goto end;
	char *line = text + strlen(STATE_HEAD), *next;
	int clean = 0;
	char quick[65] = "";
	for (int k = 0; k < 5; k++, line = next) {
		if (!(next = strchr(line, '\n')))
			goto end;
		*next++ = '\0';
		if ((k == 0 && sscanf(line, "dir %" SCNu64 " %" SCNu64, &s->dev, &s->ino) != 2) ||
		    (k == 1 && (sscanf(line, "inputs %64s", s->inputs) != 1 ||
				strlen(s->inputs) != 64)) ||
		    (k == 2 && sscanf(line, "clean %d", &clean) != 1) ||
		    (k == 3 && sscanf(line, "counts %zu %zu %zu %zu", &s->stories, &s->collections,
				      &s->feed_items, &s->media) != 4) ||
		    (k == 4 && !str_starts(line, "quick ")))
			goto end;
		if (k == 4 && sscanf(line, "quick %64s %" SCNd64 " %" SCNd64, quick, &s->generation,
				     &s->next_due) == 3 && strlen(quick) == 64) {
			memcpy(s->quick, quick, 65);
			s->has_quick = true;
		}
	}
	s->clean = clean == 1;
	/* the state of another folder (a build killed before its swap) is no use */
	if (s->dev != (uint64_t)st.st_dev || s->ino != (uint64_t)st.st_ino)
		goto end;
	/* room for every line at once: a large site's state has tens of thousands */
	size_t lines = 0;
	for (const char *q = line; (q = strchr(q, '\n')); q++)
		lines++;
	if (lines) {
		s->cap = lines;
		free(s->f);
		s->f = xmalloc_big(s->cap * sizeof *s->f);
	}
	for (; *line; line = next) {
		if (!(next = strchr(line, '\n')))
			goto end;
		*next++ = '\0';
		if (str_starts(line, "from ") && s->n && !s->f[s->n - 1].src)
			s->f[s->n - 1].src = xstrdup(line + 5);
		else if (!parse_file(s, line))
			goto end;
	}
	if (!sorted(s))
		qsort(s->f, s->n, sizeof *s->f, by_rel);
	else /* as saved: the text's rels are in order, which sorts the next state fast */
		s->rel_lo = text, s->rel_hi = line;
	if (!apply_patch_list(out_dir, s))
		goto end;
	s->out_fd = open(out_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ok = s->has_fd = s->out_fd >= 0;
end:
	if (!ok)
		pipe_state_release(s);
	buf_release(&b);
	free(p);
}

/* True when dir_fd/f->rel is still the file f was made as. */
static bool unchanged(int dir_fd, const struct pipe_file *f)
{
	struct stat st;
	return fstatat(dir_fd, f->rel, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
	       (uint64_t)st.st_ino == f->ino && (int64_t)st.st_size == f->size &&
	       (int64_t)st.st_mtim.tv_sec == f->mtime_sec &&
	       (int64_t)st.st_mtim.tv_nsec == f->mtime_nsec;
}

/*
 * Trusted and not named by a patch list (whose files carry the key no
 * build makes), or unchanged, or what pipe_state_look found when it
 * looked at f.
 */
static bool as_made(const struct pipe_state *s, const struct pipe_file *f)
{
	if (s->trust)
		return strcmp(f->key, UNTRUSTED_KEY) != 0;
	return f->looked ? f->same : unchanged(s->out_fd, f);
}

void pipe_state_look(struct pipe_state *s, size_t from, size_t to)
{
	for (size_t i = from; s->has_fd && i < to && i < s->n; i++) {
		s->f[i].same = unchanged(s->out_fd, &s->f[i]);
		s->f[i].looked = true;
	}
}

/*
 * Files [from, to) to look at; the work of one thread: a state's own
 * (v NULL: each as made, and the renditions they copy; ok says all were),
 * or a list's (each[i] says whether v[i] is as made).
 */
struct part {
	const struct pipe_state *s;
	const struct pipe_file *const *v;
	bool *each;
	size_t from, to;
	bool ok;
};

static void *intact_part(void *arg)
{
	struct part *p = arg;
	const struct pipe_state *s = p->s;
	char key[65];
	p->ok = true;
	for (size_t i = p->from; p->ok && i < p->to; i++) {
		p->ok = as_made(s, &s->f[i]);
		/* and the rendition it is a copy of is still in the cache, the same */
		if (p->ok && s->f[i].src) {
			key_rendition(s->f[i].src, key);
			p->ok = !strcmp(key, s->f[i].key);
		}
	}
	return NULL;
}

static void *check_part(void *arg)
{
	struct part *p = arg;
	for (size_t i = p->from; i < p->to; i++)
		p->each[i] = as_made(p->s, p->v[i]);
	return NULL;
}

/*
 * Runs fn over files [0, n) as a and b, b's half on a second thread when
 * there are split or more (else b has none): a stat is mostly the
 * kernel's path walk, and a second core halves the wait.
 */
static void in_halves(void *(*fn)(void *), struct part *a, struct part *b, size_t n,
		      size_t split)
{
	a->from = 0;
	a->to = b->from = b->to = n;
	if (n >= split)
		a->to = b->from = n / 2;
	run_pair(fn, a, b, n >= split);
}

/* Two threads for a whole site's files from this many; fewer for a list (a patch's). */
#define INTACT_SPLIT 4096
#define CHECK_SPLIT 512

bool pipe_state_intact(const struct pipe_state *s)
{
	struct part a = {.s = s}, b = {.s = s};

	if (!s->has_fd || s->n == 0)
		return false;
	in_halves(intact_part, &a, &b, s->n, INTACT_SPLIT);
	return a.ok && b.ok;
}

void pipe_state_check(const struct pipe_state *old, const struct pipe_file *const *v, size_t n,
		      bool *ok)
{
	struct part a = {.s = old, .v = v, .each = ok}, b = a;

	if (!old->has_fd) {
		memset(ok, 0, n * sizeof *ok);
		return;
	}
	in_halves(check_part, &a, &b, n, CHECK_SPLIT);
}

const struct pipe_file *pipe_state_match(const struct pipe_state *old, const char *rel,
				       const char key[65])
{
	const struct pipe_file *f = pipe_state_find(old, rel);
	if (!f || strcmp(f->key, key) || !old->has_fd || !as_made(old, f))
		return NULL;
	return f;
}

void pipe_state_note_kept(struct pipe_state *s, const struct pipe_file *was, const char *src)
{
	struct pipe_file *f = add(s, was->key);
	f->rel = was->rel; /* its state outlives s's use of it */
	f->borrowed = true;
	f->src = src ? xstrdup(src) : NULL;
	f->kept = f->filled = true;
	f->ino = was->ino;
	f->size = was->size;
	f->mtime_sec = was->mtime_sec;
	f->mtime_nsec = was->mtime_nsec;
}

bool pipe_state_link_kept(const struct pipe_state *now, const struct pipe_state *old,
			  const char *staging)
{
	struct hearth_err ignored;
	for (size_t i = 0; i < now->n; i++) {
		const struct pipe_file *f = &now->f[i];
		if (!f->kept || f->gone)
			continue;
		char *dst = path_join(staging, f->rel);
		char *dir = path_dir(dst);
		bool linked = old->has_fd && mkdir_p(dir, &ignored) == 0 &&
			      linkat(old->out_fd, f->rel, AT_FDCWD, dst, 0) == 0;
		free(dst);
		free(dir);
		if (!linked)
			return false;
	}
	return true;
}

static int by_rel_in(const void *pa, const void *pb, void *arg)
{
	const struct pipe_file *a = pa, *b = pb;
	return rel_cmp(arg, a->rel, b->rel);
}

void pipe_state_sort(struct pipe_state *s)
{
	if (sorted(s))
		return;
	if (s->rel_lo)
		qsort_r(s->f, s->n, sizeof *s->f, by_rel_in, s);
	else
		qsort(s->f, s->n, sizeof *s->f, by_rel);
}

void pipe_state_order_from(struct pipe_state *s, const struct pipe_state *from)
{
	s->rel_lo = from->rel_lo;
	s->rel_hi = from->rel_hi;
}

/* Takes a file's identity from what fstat said of it. */
static void fill_from(struct pipe_file *f, const struct stat *st)
{
	f->filled = true;
	f->ino = (uint64_t)st->st_ino;
	f->size = (int64_t)st->st_size;
	f->mtime_sec = (int64_t)st->st_mtim.tv_sec;
	f->mtime_nsec = (int32_t)st->st_mtim.tv_nsec;
}

/*
 * The walk of pipe_state_note_rest. A site of 10,000 stories is 11,000
 * folders and 15,000 files, one thread's work for a noticeable part of a
 * clean build, so the folders two levels down (a story's, a search
 * shard's) are walked by two threads, each taking the next in turn and
 * keeping what it finds in a list of its own. Each file the state has
 * gets its identity on the way (what pipe_state_fill would look up again
 * by its whole path); each thread writes only the records of the files it
 * finds, and the state's array does not move until the walk is done.
 */
struct rest_found {
	char **v; /* the files s lacks, by rel */
	size_t n, cap;
};

struct rest_walk {
	struct pipe_state *s;
	int root;     /* the folder walked */
	char **dirs;  /* the folders two levels down, by rel */
	size_t n_dirs, cap_dirs;
	size_t next;  /* the next of dirs to walk, taken atomically */
	struct rest_found found[2];
};

/* Looks at the regular file name of the folder fd, rel in the site. */
static void rest_file(struct pipe_state *s, int fd, const char *name, const char *rel,
		      struct rest_found *out)
{
	struct pipe_file *f = (struct pipe_file *)pipe_state_find(s, rel); /* s is ours */
	struct stat st;
	if (!f)
		strv_append(&out->v, &out->n, &out->cap, rel);
	else if (!f->filled && !f->gone && fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
		fill_from(f, &st);
}

/* The kind of entry de of the folder fd: what the folder says, else what fstatat says. */
static unsigned char entry_type(int fd, const struct dirent *de)
{
	struct stat st;
	if (de->d_type != DT_UNKNOWN)
		return de->d_type;
	if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return DT_UNKNOWN;
	return S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
}

/*
 * Walks the folder fd (taken: closed here), rel in the site (NULL: the
 * top), to the end; at depth 2 with w set, a folder is not walked but
 * given to w's list.
 */
static void rest_dir(struct rest_walk *w, struct pipe_state *s, int fd, const char *rel,
		     int depth, struct rest_found *out)
{
	DIR *d = fdopendir(fd);
	struct dirent *de;
	if (!d) {
		close(fd);
		return;
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		char *sub = rel ? path_join(rel, de->d_name) : xstrdup(de->d_name);
		unsigned char type = entry_type(dirfd(d), de);
		if (type == DT_DIR && w && depth == 1) {
			strv_append(&w->dirs, &w->n_dirs, &w->cap_dirs, sub);
		} else if (type == DT_DIR) {
			int sfd = openat(dirfd(d), de->d_name,
					 O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
			if (sfd >= 0)
				rest_dir(w, s, sfd, sub, depth + 1, out);
		} else if (type == DT_REG) {
			rest_file(s, dirfd(d), de->d_name, sub, out);
		}
		free(sub);
	}
	closedir(d);
}

/* Walks w's folders two levels down, the next each time, into found[i]. */
static void rest_share(struct rest_walk *w, size_t i)
{
	for (;;) {
		size_t k = __atomic_fetch_add(&w->next, 1, __ATOMIC_RELAXED);
		if (k >= w->n_dirs)
			break;
		int fd = openat(w->root, w->dirs[k], O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (fd >= 0)
			rest_dir(NULL, w->s, fd, w->dirs[k], 2, &w->found[i]);
	}
}

static void *rest_helper(void *arg)
{
	rest_share(arg, 1);
	return NULL;
}

void pipe_state_note_rest(struct pipe_state *s, const char *dir, const char key[65])
{
	struct rest_walk w = {.s = s, .root = -1};
	pthread_t helper;
	bool helped = false;

	pipe_state_sort(s);
	if ((w.root = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return;
	int top = dup(w.root);
	if (top >= 0)
		rest_dir(&w, s, top, NULL, 0, &w.found[0]);
	/* a second thread only for a site with folders enough to share */
	if (w.n_dirs >= 64 && pipe_cores(0) > 1)
		helped = pthread_create(&helper, NULL, rest_helper, &w) == 0;
	rest_share(&w, 0);
	if (helped)
		pthread_join(helper, NULL);
	close(w.root);
	for (size_t i = 0; i < 2; i++) {
		for (size_t k = 0; k < w.found[i].n; k++)
			pipe_state_note(s, w.found[i].v[k], key, NULL);
		strv_free(w.found[i].v);
	}
	strv_free(w.dirs);
}

void pipe_state_fill(struct pipe_state *s, const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	for (size_t i = 0; i < s->n; i++) {
		struct pipe_file *f = &s->f[i];
		struct stat st;
		if (f->filled || f->gone)
			continue;
		if (fd < 0 || fstatat(fd, f->rel, &st, AT_SYMLINK_NOFOLLOW) != 0) {
			f->gone = true; /* left out since (a story whose media failed) */
			continue;
		}
		fill_from(f, &st);
	}
	if (fd >= 0)
		close(fd);
}

/* The lines before the files: the folder (dev, ino) and what the build read. */
static void put_head(struct buf *b, const struct pipe_state *s, uint64_t dev, uint64_t ino)
{
	buf_puts(b, STATE_HEAD);
	buf_printf(b, "dir %" PRIu64 " %" PRIu64 "\ninputs %s\nclean %d\n", dev, ino, s->inputs,
		   s->clean ? 1 : 0);
	buf_printf(b, "counts %zu %zu %zu %zu\n", s->stories, s->collections, s->feed_items,
		   s->media);
	if (s->has_quick)
		buf_printf(b, "quick %s %" PRId64 " %" PRId64 "\n", s->quick, s->generation,
			   s->next_due);
	else
		buf_puts(b, "quick -\n");
}

/*
 * Appends v in decimal and then the character after: the same text as
 * printf's %PRIu64 (or %PRId64 with the sign), without its cost, which was
 * most of the time of writing a state of 10,000 files (twice per patch).
 */
static void put_num(struct buf *b, uint64_t v, bool negative, char after)
{
	char d[24];
	size_t n = sizeof d;
	d[--n] = after;
	do {
		d[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	if (negative)
		d[--n] = '-';
	buf_add(b, d + n, sizeof d - n);
}

static void put_int(struct buf *b, int64_t v, char after)
{
	put_num(b, v < 0 ? 0 - (uint64_t)v : (uint64_t)v, v < 0, after);
}

/* One file's line (and its "from" line), with the identity it has now. */
static void put_file(struct buf *b, const struct pipe_file *f, uint64_t ino, int64_t size,
		     int64_t sec, int64_t nsec)
{
	buf_add(b, f->key, strlen(f->key));
	buf_putc(b, ' ');
	put_num(b, ino, false, ' ');
	put_int(b, size, ' ');
	put_int(b, sec, ' ');
	put_int(b, nsec, ' ');
	buf_puts(b, f->rel);
	buf_putc(b, '\n');
	if (f->src && !strchr(f->src, '\n')) {
		buf_add(b, "from ", 5);
		buf_puts(b, f->src);
		buf_putc(b, '\n');
	}
}

/*
 * The state's text is written to its file a window at a time, never made
 * whole in memory: a large site's is megabytes, and on a virtual machine
 * every page of fresh memory costs a fault. STATE_WINDOW bytes are
 * gathered, then written.
 */
#define STATE_WINDOW ((size_t)128 << 10)

/* Writes what b gathered to fd (b emptied); false when the write fails. */
static bool flush_window(int fd, struct buf *b)
{
	bool ok = !b->len || fd_write_all(fd, b->data, b->len) == 0;
	buf_reset(b);
	return ok;
}

/*
 * The text of s (sorted) as the state of the folder (dev, ino) into fd,
 * with every file (all) or only those made or kept (filled and not gone);
 * false when a write fails (errno says why).
 */
static bool state_emit(const struct pipe_state *s, uint64_t dev, uint64_t ino, bool all, int fd)
{
	struct buf b = BUF_INIT;
	bool ok = true;

	buf_reserve(&b, STATE_WINDOW + 4096);
	put_head(&b, s, dev, ino);
	for (size_t i = 0; ok && i < s->n; i++) {
		const struct pipe_file *f = &s->f[i];
		if (all || (!f->gone && f->filled))
			put_file(&b, f, f->ino, f->size, f->mtime_sec, f->mtime_nsec);
		if (b.len >= STATE_WINDOW)
			ok = flush_window(fd, &b);
	}
	if (ok)
		ok = flush_window(fd, &b);
	buf_release(&b);
	return ok;
}

/*
 * s written into a temporary file beside the state file at path (*tmp,
 * its name; *fd, open), not synced; on failure nothing is left.
 */
static int state_tmp(const struct pipe_state *s, uint64_t dev, uint64_t ino, bool all,
		     const char *path, char **tmp, int *fd, struct hearth_err *err)
{
	int rc = file_tmp_open(path, tmp, fd, err);

	if (!rc && !state_emit(s, dev, ino, all, *fd)) {
		rc = herr(err, HEARTH_EIO, "cannot write '%s': %s", *tmp, strerror(errno));
		file_tmp_abort(*fd, tmp);
	}
	return rc;
}

/* s written to out_dir's state file at once (a temporary file, synced, renamed over it). */
static int state_write_atomic(const struct pipe_state *s, uint64_t dev, uint64_t ino, bool all,
			      const char *out_dir, struct hearth_err *err)
{
	char *p = pipe_state_path(out_dir), *tmp = NULL;
	int fd, rc = state_tmp(s, dev, ino, all, p, &tmp, &fd, err);

	if (!rc)
		rc = file_tmp_commit(fd, &tmp, p, err);
	free(p);
	return rc;
}

int pipe_state_write(struct pipe_state *s, uint64_t dev, uint64_t ino, const char *out_dir,
		     struct hearth_err *err)
{
	pipe_state_sort(s);
	return state_write_atomic(s, dev, ino, false, out_dir, err);
}

int pipe_state_write_tmp(struct pipe_state *s, uint64_t dev, uint64_t ino, const char *out_dir,
			 char **tmp, struct hearth_err *err)
{
	char *p = pipe_state_path(out_dir);
	int fd, rc;

	pipe_state_sort(s);
	rc = state_tmp(s, dev, ino, false, p, tmp, &fd, err);
	free(p);
	if (rc)
		return rc;
	if (fsync(fd) != 0) {
		rc = herr(err, HEARTH_EIO, "cannot write '%s': %s", *tmp, strerror(errno));
		file_tmp_abort(fd, tmp);
		return rc;
	}
	close(fd);
	return 0;
}

int pipe_state_save(struct pipe_state *s, const char *staging, const char *out_dir,
		    struct hearth_err *err)
{
	struct stat st;
	if (stat(staging, &st) != 0)
		return herr(err, HEARTH_EIO, "cannot read folder '%s': %s", staging,
			    strerror(errno));
	pipe_state_fill(s, staging);
	return pipe_state_write(s, (uint64_t)st.st_dev, (uint64_t)st.st_ino, out_dir, err);
}

int pipe_state_untrust(const struct pipe_state *old, struct pipe_state *now,
		       const char *out_dir, struct hearth_err *err)
{
	struct buf b = BUF_INIT;
	char *p = pipe_patch_list_path(out_dir);
	size_t i = 0, k = 0;
	int rc;

	pipe_state_sort(now);
	buf_puts(&b, PATCH_HEAD);
	/* both lists are sorted by rel: one pass over their union */
	while (i < old->n || k < now->n) {
		if (k < now->n && now->f[k].gone) {
			k++;
			continue;
		}
		int cmp = i == old->n ? 1 : k == now->n ? -1 : strcmp(old->f[i].rel, now->f[k].rel);
		const struct pipe_file *o = cmp <= 0 ? &old->f[i] : NULL;
		const struct pipe_file *n = cmp >= 0 ? &now->f[k] : NULL;
		if (!(o && n && n->kept)) {
			buf_puts(&b, o ? o->rel : n->rel);
			buf_putc(&b, '\n');
		}
		i += o != NULL;
		k += n != NULL;
	}
	rc = file_write_atomic(p, b.data, b.len, err);
	buf_release(&b);
	free(p);
	return rc;
}

void pipe_state_trust(const char *out_dir)
{
	char *p = pipe_patch_list_path(out_dir);
	(void)unlink(p); /* a list left behind only costs its files made again */
	free(p);
}

int pipe_state_requick(const struct pipe_state *s, const char *out_dir, struct hearth_err *err)
{
	/* every file as loaded (sorted, as loaded states are) */
	return state_write_atomic(s, s->dev, s->ino, true, out_dir, err);
}
