/*
 * core.h - the small shared pieces every other folder of Hearth stands on:
 * error values, the growable buffer, allocation, paths and files, SHA-256,
 * a YAML tree for front matter and settings, a JSON writer, dates and slugs.
 *
 * Nothing here knows about stories, media or pages. Every other folder may
 * include this header; this folder includes only the C library (POSIX),
 * libyaml, nettle (SHA-256), libuuid (UUIDv5) and ICU (transliterating
 * slugs). This header includes none of them.
 */
#ifndef HEARTH_CORE_H
#define HEARTH_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define HEARTH_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define HEARTH_PRINTF(a, b)
#endif

/* ---- errors ------------------------------------------------------------ */

/* Every function that acts returns 0 or one of these negative codes. */
enum {
	HEARTH_OK = 0,
	HEARTH_EINVAL = -1,  /* bad input: a file, a field, a value */
	HEARTH_EIO = -2,     /* the file system said no */
	HEARTH_ENOENT = -3,  /* a thing that was named does not exist */
	HEARTH_EEXIST = -4,  /* a thing that must be new already exists */
	HEARTH_ESTATE = -5,  /* a move the workflow does not allow */
	HEARTH_EDB = -6,     /* the catalogue (SQLite) failed */
	HEARTH_EMEDIA = -7,  /* a media file could not be read or written */
	HEARTH_ECONSENT = -8, /* refused for want of consent */
	HEARTH_EPERM = -9    /* refused to who asks: a sign-in that does not match */
};

/*
 * The caller-owned carrier of a human message. Messages are lowercase, have
 * no full stop, and name the file, the field and what was expected.
 */
struct hearth_err {
	int code;
	char msg[1024];
};

/* Sets err (which may be NULL) and returns code, so `return herr(...)`. */
int herr(struct hearth_err *err, int code, const char *fmt, ...) HEARTH_PRINTF(3, 4);

/* Puts "prefix: " in front of the message already in err; returns err->code. */
int herr_prefix(struct hearth_err *err, const char *fmt, ...) HEARTH_PRINTF(2, 3);

/* ---- allocation -------------------------------------------------------- */

/* Like malloc and friends, but abort with a message when memory runs out. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);            /* NULL stays NULL */
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) HEARTH_PRINTF(1, 2); /* new allocation */

/*
 * A large block: from 256 kB, aligned to and rounded up to whole 2 MB
 * pages, which the kernel is asked to back with huge pages (a hint). The
 * first write to each new 4 kB page costs a fault, and on a virtual
 * machine a fault costs tens of microseconds: a 3 MB array written once
 * paid 20 ms of them, one fault per huge page instead. Up to one huge
 * page less a byte is left unused, so for blocks whose size is large
 * beside that. Freed with free(); xrealloc accepts it.
 */
void *xmalloc_big(size_t n);
void *xzalloc_big(size_t n, size_t size); /* n zeroed elements of size bytes */
/*
 * Work in two parts that need nothing of each other: fn(a) here and, when
 * two, fn(b) on a second thread, waited for; fn(b) runs here after fn(a)
 * when it is not two or no thread can be started.
 */
void run_pair(void *(*fn)(void *), void *a, void *b, bool two);

/* Frees *p and sets it to NULL. */
void xfree(void *pp);

/* A NULL-terminated array of strings: strv_free frees each and the array. */
void strv_free(char **v);
size_t strv_len(char *const *v);
/* Appends a copy of s; returns the new array (the old pointer is consumed). */
char **strv_push(char **v, const char *s);
/*
 * Appends a copy of s to *v, which holds *n strings (and a NULL) in room
 * for *cap pointers, grown by doubling: for long lists, where strv_push
 * (which counts the list and grows it by one each time) is quadratic.
 * *v, *n and *cap start as NULL, 0 and 0.
 */
void strv_append(char ***v, size_t *n, size_t *cap, const char *s);
char *strv_join(char *const *v, const char *sep); /* new allocation */
/*
 * The place of the first of v's n strings that equals one before it, or n
 * when all differ: the answer of comparing each with every one before it,
 * in O(n log n) (a list of tens of thousands, as a collection file may
 * hold, took seconds the quadratic way).
 */
size_t strv_first_repeat(char *const *v, size_t n);

/* ---- buffer ------------------------------------------------------------ */

/*
 * The one growable buffer. data is always NUL-terminated once anything has
 * been added; buf_cstr() gives "" for an empty buffer.
 */
struct buf {
	char *data;
	size_t len;
	size_t cap;
};
#define BUF_INIT {NULL, 0, 0}

void buf_add(struct buf *b, const void *data, size_t n);
/* buf_reserve for a large text into an empty buffer: its room from xmalloc_big. */
void buf_reserve_big(struct buf *b, size_t extra);
/* Makes room for extra more bytes (and the NUL), so data is never NULL after it. */
void buf_reserve(struct buf *b, size_t extra);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) HEARTH_PRINTF(2, 3);
const char *buf_cstr(const struct buf *b); /* borrows */
void buf_reset(struct buf *b);             /* len = 0, keeps memory */
void buf_release(struct buf *b);           /* frees, back to BUF_INIT */
char *buf_detach(struct buf *b);           /* returns a new allocation; b is reset */

/* ---- paths and files --------------------------------------------------- */

/* a + "/" + b; returns a new allocation. */
char *path_join(const char *a, const char *b);

/* The last component of a path; borrows from p. */
const char *path_base(const char *p);

/* The directory part of p ("." when none); returns a new allocation. */
char *path_dir(const char *p);
/* A copy of s without trailing slashes ("/" stays "/"). */
/* Writes all n bytes to fd, again after EINTR; 0, or -1 with errno set. */
int fd_write_all(int fd, const void *data, size_t n);
char *path_strip_slashes(const char *s);
/*
 * The default theme a program finds: $HEARTH_THEME_DIR (taken as given),
 * else themes/default beside the program (a build tree),
 * ../share/hearth/themes/default beside it (an install under any prefix)
 * or the data folder it was built for; the first that holds a page.xsl.
 * program is the program's path ("/proc/self/exe" for this one). New
 * allocation, or NULL.
 */
char *path_default_theme(const char *program);

/* The extension without the dot, lowercase not guaranteed; borrows. "" if none. */
const char *path_ext(const char *p);

/*
 * True when p is a relative path that stays inside the folder it is taken
 * from: not empty, not absolute, no "..", no empty components, no
 * backslashes, no control characters.
 */
bool path_is_safe_rel(const char *p);

bool path_exists(const char *p);
bool path_is_dir(const char *p);
bool path_is_file(const char *p); /* a regular file, following links */

/* Creates dir and its parents (mode 0755); fine if it already exists. */
int mkdir_p(const char *dir, struct hearth_err *err);

/* Reads a whole file into out (appending). */
int file_read(const char *path, struct buf *out, struct hearth_err *err);

/*
 * Writes data to path so that a crash leaves either the old file or the new
 * one: a temporary file beside it, fsync, rename. Creates parent folders.
 */
int file_write_atomic(const char *path, const void *data, size_t n,
		      struct hearth_err *err);

/*
 * The temporary file behind those writes, for output written by name
 * (libavformat): file_tmp_open makes path + ".tmp-XXXXXX" (and the parent
 * folders) and puts its name in *tmp (new allocation) and, when fd is not
 * NULL, the open file in *fd (else it is closed). file_tmp_commit fsyncs it (fd, or the name
 * opened again when fd < 0), closes fd and renames it over path;
 * file_tmp_abort closes fd and removes it. Both free *tmp, set it to NULL
 * and accept a NULL *tmp; on failure commit removes the temporary file.
 */
int file_tmp_open(const char *path, char **tmp, int *fd, struct hearth_err *err);
int file_tmp_commit(int fd, char **tmp, const char *path, struct hearth_err *err);
void file_tmp_abort(int fd, char **tmp);
/* True when name (a file's name, no folder) is one of those temporary files. */
bool file_is_tmp_name(const char *name);

/*
 * What tells a file's bytes have not changed without reading them again:
 * the device and inode it is, its size, and the times it was last written
 * (mtime) and last changed in any way (ctime), to the nanosecond. The same
 * quick check git and rsync rely on. Plain values; nothing to free.
 */
struct file_id {
	uint64_t dev, ino;
	int64_t size;
	int64_t mtime_sec, mtime_nsec;
	int64_t ctime_sec, ctime_nsec;
};
/* The identity of the open file fd into *id. */
int file_id_of_fd(int fd, struct file_id *id);
/* The identity of the regular file at path (links followed); false when
 * there is none. */
bool file_id_of_path(const char *path, struct file_id *id);
/* The id of what a stat call gave. */
struct stat;
void file_id_of_stat(const struct stat *st, struct file_id *id);
/* True when a and b are the same file, unchanged. */
bool file_id_same(const struct file_id *a, const struct file_id *b);

/* Copies src to dst atomically as above. */
int file_copy(const char *src, const char *dst, struct hearth_err *err);

/*
 * Copies src to dst atomically as above, but only when src is still the
 * file *id describes (taken when it was hashed, see sha256_file_id), both
 * when it is opened and after every byte is copied; its bytes are not
 * hashed again. Refuses with HEARTH_EINVAL, dst untouched, when src has
 * changed since. id is borrowed.
 */
int file_copy_unchanged(const char *src, const char *dst, const struct file_id *id,
			struct hearth_err *err);

/*
 * The names in dir (never . and ..; names starting with '.' only when
 * hidden is set), sorted bytewise. Returns a new strv (free with
 * strv_free), NULL when dir cannot be read or is empty.
 */
char **dir_list(const char *dir, bool hidden);

/* Removes a file or a whole tree; fine if it does not exist. */
int rm_rf(const char *path, struct hearth_err *err);

/* Size of a file in bytes, or -1. */
int64_t file_size(const char *path);

/*
 * Reads a whole regular file into out (appending), but refuses it without
 * reading when it is larger than max bytes. The message names the file,
 * the limit and the setting that sets it (e.g. "limits.max_story_size in
 * hearth.yaml"; NULL for a fixed limit). A file that grows while being
 * read is cut off at max + 1 bytes and refused the same way; out then
 * holds nothing of it.
 */
int file_read_max(const char *path, int64_t max, const char *setting, struct buf *out,
		  struct hearth_err *err);

/* ---- hashes ------------------------------------------------------------ */

/*
 * SHA-256, streaming: init, update any number of times, then final (or
 * final_hex). The state is nettle's, kept inline so no allocation is made;
 * nothing to free.
 */
struct sha256 {
	_Alignas(8) unsigned char ctx[128];
};
void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t n);
void sha256_final(struct sha256 *s, unsigned char out[32]);
/* As sha256_final, as lowercase hex: 64 characters and a NUL. */
void sha256_final_hex(struct sha256 *s, char out[65]);
/* Lowercase hex of the SHA-256 of data: 64 characters and a NUL. */
void sha256_hex(const void *data, size_t n, char out[65]);
/* True when s (may be NULL) is a SHA-256 as sha256_hex writes it. */
bool sha256_is_hex(const char *s);
/* Lowercase hex of the SHA-256 of the file at path. */
int sha256_file(const char *path, char out[65], struct hearth_err *err);
/*
 * As sha256_file, and *id gets the identity of the file the bytes were
 * read from (fstat of the same open file, taken before reading), for
 * file_copy_unchanged to copy it later without reading it twice. Refuses
 * with HEARTH_EINVAL when the file changes while it is read.
 */
int sha256_file_id(const char *path, char out[65], struct file_id *id,
		   struct hearth_err *err);

/*
 * The UUIDv5 (RFC 4122, SHA-1 name-based) of name in namespace ns (a UUID
 * string, 36 characters with dashes), lowercase; out gets 37 bytes.
 * HEARTH_EINVAL when ns is not a UUID.
 */
int uuid5(const char *ns, const char *name, char out[37]);

/* ---- YAML -------------------------------------------------------------- */

enum ynode_kind { Y_SCALAR, Y_SEQ, Y_MAP };

/*
 * A parsed YAML node. A map keeps its keys in document order; duplicate keys
 * are refused at parse time. line is 1-based, for messages.
 */
struct ynode {
	enum ynode_kind kind;
	int line;
	char *str;             /* Y_SCALAR */
	bool quoted;           /* Y_SCALAR: was written in quotes */
	size_t n;              /* Y_SEQ, Y_MAP: number of items */
	char **keys;           /* Y_MAP */
	struct ynode **items;  /* Y_SEQ, Y_MAP */
};

/*
 * Parses one YAML document. name is used in messages ("story.md: line 3:
 * ..."). An empty document gives an empty map. Returns a new tree, free
 * with ynode_free. first_line is added to every line number (for front
 * matter that starts below line 1); pass 0 otherwise.
 */
int yaml_parse(const char *text, size_t n, const char *name, int first_line,
	       struct ynode **out, struct hearth_err *err);
void ynode_free(struct ynode *y);

/* The value under key in a map, or NULL (also when y is not a map). */
const struct ynode *ymap_get(const struct ynode *y, const char *key);
/* The scalar under key, or NULL when absent or not a scalar. Borrows. */
const char *ymap_str(const struct ynode *y, const char *key);

/*
 * Reads a YAML boolean: yes/no/true/false/on/off (any case). Returns
 * 1, 0, or -1 when s is not one of those.
 */
int yaml_bool(const char *s);

/*
 * Splits a Markdown file with front matter: a first line "---", YAML, a
 * line "---" (or "..."), then the body. yaml/body point into text. Files
 * without front matter are refused with a message naming name.
 */
int frontmatter_split(const char *text, size_t n, const char *name,
		      const char **yaml, size_t *yaml_len, const char **body,
		      size_t *body_len, int *body_line, struct hearth_err *err);

/* ---- URLs -------------------------------------------------------------- */

/*
 * Checks a site's address (base_url, --base-url): http:// or https://, a
 * host (a DNS name, an IPv4 address, or an IPv6 address in brackets), an
 * optional port and an optional path. Refused: credentials (user:pass@), a
 * query or fragment, and spaces, quotes, angle brackets, backslashes,
 * control or non-ASCII characters anywhere. The message says what is wrong
 * without naming the field; callers put that in front.
 */
int url_check(const char *url, struct hearth_err *err);

/* ---- JSON writer ------------------------------------------------------- */

/*
 * Writes JSON into a buffer with commas and escaping handled. Keys and
 * values are added in order; objects and arrays nest up to JW_MAX_DEPTH
 * levels. Output is compact unless pretty is set (two-space indent).
 * Deeper nesting, or a close with nothing open, is refused: the writer
 * stops writing, and jw_end says so. Callers check jw_end before using
 * the buffer.
 */
#define JW_MAX_DEPTH 31
#define JW_MAX_DEPTH_STR "31"
struct jw {
	struct buf *b;
	int depth;
	bool pretty;
	bool first[JW_MAX_DEPTH + 1];
	bool after_key;
	const char *failed; /* why writing stopped, or NULL; static text */
};
void jw_init(struct jw *w, struct buf *b, bool pretty);
void jw_obj(struct jw *w);   /* { */
void jw_obj_end(struct jw *w);
void jw_arr(struct jw *w);   /* [ */
void jw_arr_end(struct jw *w);
void jw_key(struct jw *w, const char *k);
void jw_str(struct jw *w, const char *s); /* NULL writes null */
void jw_int(struct jw *w, int64_t v);
void jw_num(struct jw *w, double v);
void jw_bool(struct jw *w, bool v);
void jw_null(struct jw *w);
/* A key and its value in one call: jw_key then jw_str, jw_int, jw_num or jw_bool. */
void jw_kstr(struct jw *w, const char *k, const char *s);
void jw_kint(struct jw *w, const char *k, int64_t v);
void jw_knum(struct jw *w, const char *k, double v);
void jw_kbool(struct jw *w, const char *k, bool v);
/*
 * 0 when everything written so far is well-formed and every object and
 * array is closed; HEARTH_EINVAL (with a message) when the writer refused
 * something or something is left open.
 */
int jw_end(const struct jw *w, struct hearth_err *err);

/* ---- time -------------------------------------------------------------- */

/*
 * Parses "YYYY-MM-DD", "YYYY-MM-DD HH:MM[:SS]" or ISO 8601 with T and an
 * optional Z or +HH:MM offset. Times without an offset are UTC. Returns
 * HEARTH_EINVAL for anything else, or for impossible dates.
 */
int date_parse(const char *s, int64_t *out);
/* RFC 2822, "Wed, 15 Jun 2019 19:00:00 +0000"; out needs 32 bytes. */
void date_rfc2822(int64_t t, char out[32]);
/* ISO 8601, "2019-06-15T19:00:00Z"; out needs 21 bytes. */
void date_iso(int64_t t, char out[21]);
/* "2019-06-15"; out needs 11 bytes. */
void date_ymd(int64_t t, char out[11]);
/* The clock: SOURCE_DATE_EPOCH when set and valid, else time(). */
int64_t hearth_now(void);
/*
 * SOURCE_DATE_EPOCH (whole seconds, not negative) when it is set and
 * valid, else -1: the one reading of it, for builds that must not depend
 * on when they ran.
 */
int64_t hearth_source_date_epoch(void);

/* ---- numbers for people (format.c) ------------------------------------- */

/*
 * A length of time as a clock: "2:06", "1:02:03", with `places` decimals
 * of a second (0-3) after it only when they are not all zero: "1:30.5"
 * with 1, "1:30.500" with 3. Rounds to the last place shown; anything
 * negative or not a number reads "0:00". out needs 32 bytes.
 */
void fmt_clock(double seconds, int places, char out[32]);
/*
 * A size in SI units: "1.2 MB" from a million bytes up (to the nearest
 * tenth), else whole kilobytes rounded up ("340 kB", "1 kB" for a few
 * bytes). out needs 32 bytes.
 */
void fmt_size(int64_t bytes, char out[32]);

/* ---- slugs and text ---------------------------------------------------- */

/* True for 1-80 characters of [a-z0-9-], not starting or ending with '-'. */
bool slug_valid(const char *s);
/*
 * A slug made from a title ("story" if nothing usable); new allocation.
 * Accents and other scripts are transliterated to ASCII first ("Zoë's café
 * in Łódź" gives zoes-cafe-in-lodz); an ASCII title is never transliterated.
 * Used only for new submissions: stored slugs never change.
 */
char *slugify(const char *title);
/* True when s is valid UTF-8 with no control characters except \t \n \r. */
bool text_valid(const char *s, size_t n);
/*
 * text_dlsym: *fn = the function name in the library handle h (from
 * dlopen), size being sizeof *fn; false when it is missing. ICU is loaded
 * so, on demand, by the folders that use it, so the lean programs do not
 * link it.
 */
bool text_dlsym(void *h, const char *name, void *fn, size_t size);
/* The number of characters (code points) in UTF-8 text. */
size_t utf8_chars(const char *s);
/* Trims ASCII white space at both ends, in place; returns s. */
char *str_trim(char *s);
bool str_starts(const char *s, const char *prefix);
bool str_ends(const char *s, const char *suffix);

#endif
