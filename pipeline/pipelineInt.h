/*
 * pipelineInt.h - the inside of pipeline/, shared by its files and by the
 * unit tests only. Nothing else includes it.
 *
 * The build is split in stages that can be tested alone: media renditions
 * (renditions.c, through a table of functions a test may replace), the
 * output folder with its marker file and atomic swap (output.c), what
 * each output file is made from (keys.c), what the current site was made
 * from (state.c), every feed (feeds.c, with the writers of feeds/), and
 * build.c, which strings them together with the pages site-gen/ makes.
 *
 * Calls between the files go one way: a file calls only files on lower
 * lines, never one on its own line or above, so there are no circles.
 *   1  build.c
 *   2  renditions.c, quick.c, feeds.c, search.c
 *   3  state.c, output.c
 *   4  keys.c
 */
#ifndef HEARTH_PIPELINE_INT_H
#define HEARTH_PIPELINE_INT_H

#include "pipeline.h"
#include "../site-gen/site.h"
#include "../media/media.h"   /* the rendering side only: it sees library/public.h */

#include <pthread.h>

/* The marker file every build writes; an out_dir without it is not ours. */
#define SITE_MARKER ".hearth-site"

/* ---- media renditions (renditions.c) ----------------------------------- */

/*
 * The media/ and library/ functions the build calls, as a table so a test
 * can stand in for them. site_media_default holds the real ones.
 */
struct site_media_ops {
	/*
	 * Before the jobs (NULL: nothing): hearth-media notes the FFmpeg its
	 * renditions are named by; hearth-site says MEDIA_UNCACHED when the
	 * cache's names are not its own
	 */
	int (*begin)(hearth_lib *lib, struct hearth_err *err);
	int (*cached)(hearth_lib *lib, const char *src, const char *sha256,
		      const struct media_job *job, struct media_result *res,
		      struct hearth_err *err);
	/* every audio rendition of a recording at once; NULL: .cached, one by one */
	int (*cached_audio)(hearth_lib *lib, const char *src, const char *sha256,
			    const struct media_job *jobs, size_t n, int threads,
			    struct media_result *res, struct hearth_err *err);
	/* salt: site_media_run's, for media/'s memos; sha256: the file's, or "" */
	int (*cover_check)(hearth_lib *lib, const char *salt, const char *path,
			   const char *sha256, const char *name,
			   const struct media_limits *limits, struct media_info *info,
			   struct hearth_err *err);
	int (*transcript)(hearth_lib *lib, const char *salt, const char *src,
			  const char *sha256, double duration, struct buf *vtt,
			  struct buf *text, bool *made, struct hearth_err *err);
	char *(*store_path)(const hearth_lib *lib, const char *sha256);
};
extern const struct site_media_ops site_media_default;

/*
 * False in hearth-site, the program that builds without loading FFmpeg
 * (renditions.c is compiled twice): there site_media_default answers
 * from the cache alone, makes nothing, and leaves no story out: a job
 * whose work is not in the cache ends site_media_run with
 * SITE_NEEDS_MEDIA.
 */
bool site_media_available(void);

/*
 * How a finished rendition gets into the staging folder: put(arg, cached,
 * rel, err) puts the cached file at staging/rel (a link to the same file
 * of the current site when it is unchanged, else a copy of its own) and
 * notes what it was made from. Called from the worker threads, at the
 * same time for different rels. NULL: a copy (or reflink) each time.
 */
struct site_put {
	int (*put)(void *arg, const char *cached, const char *rel, struct hearth_err *err);
	void *arg;
};

/*
 * Makes every rendition the entries need and puts it into staging/media/
 * (and the show's cover into staging/cover.jpg when cover_src is set;
 * cover_path is the source image, checked as media_cover_check does).
 * Art is published as JPEG and WebP at 480, 960 and 1600 px wide, never
 * wider than the source: widths it does not reach are left out and its
 * own width is the largest. A story whose first art is at least 1400 px
 * on its short side also gets media/<slug>/cover.jpg, its episode cover.
 * Runs jobs threads (0: all cores). Fills each entry's m; st (may be NULL)
 * gets the renditions made and cached. opts (borrowed, may be NULL) gives
 * the progress callback, called as in struct site_opts.
 *
 * salt (borrowed) names the programs that do the work, for the memos
 * media/ keeps of transcripts and the cover's check.
 *
 * A story's failure does not stop the others: its remaining jobs are
 * skipped, the entry is marked media_failed and the story and the reason
 * are added to st->failed (the caller leaves it out). Only a failure that
 * is no story's (the show's cover) fails the whole step. In hearth-site
 * (site_media_available false) with site_media_default, any job's
 * failure, and work the cache does not hold, returns SITE_NEEDS_MEDIA.
 */
int site_media_run(hearth_lib *lib, const struct site_media_ops *ops,
		   struct site_ctx *c, const char *cover_path, const char *staging,
		   const struct site_put *put, int jobs, const struct site_opts *opts,
		   const char *salt, struct site_stats *st, struct hearth_err *err);

/* ---- the output folder (output.c) -------------------------------------- */

/*
 * Refuses an out_dir that exists but is not a Hearth output: not a folder,
 * or a folder that is not empty and holds no SITE_MARKER, or one whose
 * marker lists the names hearth wrote and that holds another name at its
 * top that is not kept (the message names them).
 */
int site_out_check(const char *out_dir, struct hearth_err *err);

/*
 * Makes the staging folder ".<base>.new-XXXXXX" beside out_dir; its path
 * goes to *staging (new allocation, free it).
 */
int site_staging_make(const char *out_dir, char **staging, struct hearth_err *err);

/*
 * Puts staging in the place of out_dir in two steps. site_swap_in swaps
 * them in one move (renameat2 with RENAME_EXCHANGE, or a plain rename when
 * out_dir does not exist); *old gets where the old site now is (new
 * allocation, NULL when there was none). site_swap_finish carries the
 * names a deploy keeps (.git, CNAME, .well-known, ...) from the old site
 * into the new one, hands the old site to a remover of its own (renamed
 * ".<base>.gone-*"; the build does not wait for it) and frees *old. On
 * failure of the first step out_dir is as it was.
 */
int site_swap_in(const char *staging, const char *out_dir, char **old,
		 struct hearth_err *err);
int site_swap_finish(char **old, const char *out_dir, struct hearth_err *err);

/*
 * A patch's trash: a ".<base>.gone-*" folder beside out_dir that takes
 * the files a patch replaces or removes, and the rest it leaves (the old
 * state, the emptied staging folder), so that no file's blocks are freed
 * while the build runs: on a file system that discards freed blocks as it
 * goes, a rename over an old file took half a millisecond. A file the
 * patch replaces is linked into it first (site_trash_keep), so the rename
 * over the file is not its last link; one it removes is moved into it
 * (site_trash_move). site_trash_close hands the folder to a remover of its
 * own, as an old site is (site_swap_finish); a kill before that leaves it
 * to tidying. dir is NULL when no trash could be made: files are then
 * freed where they are, as before.
 */
struct site_trash {
	char *dir;
	size_t n; /* names given so far: "0", "1", ... */
};
void site_trash_open(const char *out_dir, struct site_trash *t);
void site_trash_keep(struct site_trash *t, const char *path);
bool site_trash_move(struct site_trash *t, const char *path);
void site_trash_close(struct site_trash *t);

/*
 * Writes data to dir/rel (making its folders) as a new file, with no sync
 * of its own: the whole staging folder is synced once (site_sync).
 */
int site_write(const char *dir, const char *rel, const void *data, size_t n,
	       struct hearth_err *err);
/*
 * The same for the file name of the folder dir (an open folder, or
 * AT_FDCWD), replacing one that is there; shown names it in errors.
 */
int site_write_at(int dir, const char *name, const char *shown, const void *data, size_t n,
		  struct hearth_err *err);
/*
 * Copies src to dst as a new file of its own (a reflink where the file
 * system has them, else a copy; never a hard link), making dst's folders,
 * with no sync of its own.
 */
int site_copy(const char *src, const char *dst, struct hearth_err *err);
/* Makes everything written into the staging folder durable, in one call. */
int site_sync(const char *staging, struct hearth_err *err);
/*
 * Up to this many files a patch makes durable each with fsync rather than
 * with site_sync (site_patch): syncfs waits for every dirty file of the file system,
 * other programs' too, and on a busy disk an edit's few files would wait
 * for all of them.
 */
#define SITE_SYNC_FEW 32

/*
 * Writes staging/SITE_MARKER, listing the names at the top of staging and
 * the names of also (may be NULL), each once, sorted.
 */
int site_marker_write(const char *staging, char *const *also, struct hearth_err *err);
/* True when a/SITE_MARKER and b/SITE_MARKER hold the same bytes. */
bool site_marker_same(const char *a, const char *b);

/*
 * Patches out_dir in place: moves each file of add (paths in staging) from
 * staging into out_dir (making its folders), renditions under media/ and
 * cover.jpg first, then the pages and the rest, the marker last; then
 * removes each file of rm from out_dir and the folders that leaves empty;
 * then makes it all durable in one sync: the files of add and the folders
 * it changed, all fsynced at once, when the files are at most
 * SITE_SYNC_FEW, else syncfs. The caller has made durable a list that
 * distrusts every file of add and rm until then.
 * HEARTH_TEST_PATCH_KILL=n kills the process after n steps (tests only).
 */
int site_patch(const char *staging, const char *out_dir, char *const *add, size_t n_add,
	       char *const *rm, size_t n_rm, struct site_trash *trash, struct hearth_err *err);

/*
 * The lock a remover holds on an old site it removes (".<base>.gone-*",
 * see site_swap_finish), taken here without waiting: the folder's
 * descriptor, locked, or -1 with errno EWOULDBLOCK while a remover holds
 * it (or open's errno: ENOENT when it is gone).
 */
int site_gone_lock(const char *gone);

/*
 * What killed builds leave: removes the staging folders beside out_dir
 * (".<base>.new-*", ".<base>.old-*"), first moving any kept name they hold
 * into out_dir when it lacks it (each then removed by a remover of its
 * own), and the old sites a killed remover left (".<base>.gone-*" that no
 * remover holds a lock on), removed at once. Only under the build lock.
 */
int site_out_tidy(const char *out_dir, struct hearth_err *err);

/*
 * Removes the temporary files of atomic writes ("*.tmp-XXXXXX") in dir,
 * and in its subfolders when deep. Only under the build lock.
 */
int site_tidy_temp(const char *dir, bool deep, struct hearth_err *err);

/* ---- what output files are made from (keys.c) ------------------------- */

/*
 * Feed one value into h: a string (NULL differs from ""), a number, a
 * record field by field, a file's identity (device, inode, size, times;
 * -1 when it is missing), a folder's names and bytes, recursively.
 * key_settings: what pages and the feed show, and with all what the
 * renditions are made with. key_listing: what a list of stories shows of
 * one. key_hex finishes h as 64 hex digits.
 */
void key_str(struct sha256 *h, const char *s);
void key_int(struct sha256 *h, int64_t v);
void key_story(struct sha256 *h, const struct pub_story *s);
/*
 * key_entries: each entry's two digests, once per build, before any
 * thread reads the entries: of what a list's card shows of it, which
 * key_listing feeds for every list, and of its whole record (the first
 * digest and the fields no card shows, so the card's are hashed once),
 * which key_entry_story feeds into h for every file that shows the story
 * whole (its page, the feeds that hold it). An entry key_entries did not
 * see (all zero) has its fields fed whole (key_story).
 */
void key_entries(struct site_entry *e, size_t n);
void key_entry_story(struct sha256 *h, const struct site_entry *e);
void key_listing(struct sha256 *h, const struct site_entry *e);
void key_media(struct sha256 *h, const struct site_media *m);
void key_collection(struct sha256 *h, const struct pub_collection *c);
/* What a page shows of a collection besides its stories: slug, title, description. */
void key_collection_head(struct sha256 *h, const struct pub_collection *c);
void key_settings(struct sha256 *h, const struct lib_settings *s, bool all);
/* What only the feeds show of the settings (key_settings with all has it too). */
void key_feed_settings(struct sha256 *h, const struct lib_settings *s);
void key_file_id(struct sha256 *h, const char *path);

/* The threads a build of -j jobs works on: jobs, or with 0 every core online. */
int pipe_cores(int jobs);

/*
 * The programs whose code makes the site. hearth-media and hearth-site
 * are built together from the same sources and make the same bytes, so
 * either keys both, by the folder they share and their identity: a site
 * one made is current for the other. Another program (a test) is keyed
 * by itself, as "/proc/self/exe". media is the program the lean hearth
 * names in its quick check (pipe_quick_in.program).
 */
struct programs {
	char *media, *site; /* owned; site NULL for another program */
};
/*
 * Finds them: from the running program (media NULL), or beside the
 * hearth-media at media (the lean hearth's). programs_release frees them.
 */
void programs_find(struct programs *p, const char *media);
void programs_release(struct programs *p);
/* Feeds h with the programs, by name and identity (a build's inputs). */
void key_programs(struct sha256 *h, const struct programs *p);
/* The programs' key, salting what media/ remembers of their work (site_programs_salt). */
void programs_salt(const struct programs *p, char out[65]);
void key_tree(struct sha256 *h, const char *dir);
/*
 * The key of a theme and the default theme it falls back on, as 64 hex
 * digits: each folder read once (the default not again when it is the
 * theme). Every key that covers the theme takes this one.
 */
void key_themes(const char *theme_dir, const char *def_theme, char out[65]);
/*
 * The theme a build uses: --theme (opt) when given, else the library's
 * themes/<site.theme>, else the default theme (def_theme, may be NULL).
 * New allocation, or NULL when there is none.
 */
char *pipe_theme_dir(const char *opt, const struct lib_settings *set, const char *lib_dir,
		     const char *def_theme);
void key_hex(struct sha256 *h, char out[65]);
/* What an index shows of a theme, tag or contributor: slug, name, number of stories. */
void key_group_head(struct sha256 *h, const struct site_group *g);
/*
 * What a listing shows of a story besides key_listing: whether its byline
 * links a contributor, and its first art (the home page shows it).
 */
void key_listing_more(struct sha256 *h, const struct site_entry *e);

/* What the search index holds of a story: its record, body hash and transcript. */
void key_search_entry(struct sha256 *h, const struct site_entry *e);
/* A story's themes, tags and warnings, as the search page lists them. */
void key_search_labels(struct sha256 *h, const struct pub_story *s);
/* The key of a rendition placed from the cached file at path. */
void key_rendition(const char *cached, char out[65]);

/* ---- the build state (state.c) ----------------------------------------- */

/* One file of the site and what it was made from. */
/*
 * A large site's state has tens of thousands of these, twice (the current
 * site's and the next one's), so they are kept small: the key is borrowed
 * where it can be, the flags are bits.
 */
struct pipe_file {
	char *rel;              /* its path in the site; owned unless borrowed */
	char *src;              /* a rendition: the cached file it is a copy of; owned */
	const char *key;        /* keys.c's hash of its inputs, 64 hex digits: the loaded
				   text's, the kept file's, or in the state's own keys */
	uint64_t ino;           /* what it was when made: a changed file is made again */
	int64_t size, mtime_sec;
	int32_t mtime_nsec;
	bool kept : 1;          /* taken from the current site as it is, not made */
	bool filled : 1;        /* ino, size and mtime are known */
	bool gone : 1;          /* noted, but not in the site after all: left out */
	bool borrowed : 1;      /* rel is the loaded text's, or the kept file's (see note_kept) */
	bool looked : 1;        /* pipe_state_look looked at it: same says what it found */
	bool same : 1;          /* as made when looked at */
};

/* The keys a state holds of its own (pipe_state_note's), a block at a time. */
struct pipe_keys;

/* What the current site was made from; see state.c. */
struct pipe_state {
	uint64_t dev, ino;      /* the output folder it describes */
	char inputs[65];        /* the key of everything the build read */
	bool clean;             /* no story was left out for its media */
	size_t stories, collections, feed_items, media; /* for the summary */
	/* the quick record (quick.c), when has_quick */
	bool has_quick;
	char quick[65];         /* pipe_quick_key of the build */
	int64_t generation;     /* the catalogue's generation the build read */
	int64_t next_due;       /* the first moment a held story comes due, or -1 */
	struct pipe_file *f;    /* sorted by rel once loaded or saved */
	size_t n, cap;
	char *text;             /* the file as loaded: the rels and keys of its files are in it */
	struct pipe_keys *keys; /* the keys noted, for the files' key to point at */
	/* rels that point into [rel_lo, rel_hi) are in the order of their addresses
	   (the text of a state loaded sorted, and the kept files' borrowed from it) */
	const char *rel_lo, *rel_hi;
	int out_fd;             /* the output folder, when has_fd */
	bool has_fd;
	/*
	 * Every file is taken as it was made without a look, but those a
	 * patch that did not finish names (state.c): the files are the
	 * build's own, and looking at each of a large site's is most of a
	 * build that changes little. Off for `hearth build --verify`.
	 */
	bool trust;
};

/* ".hearth-build.<base>" beside out_dir; new allocation. */
char *pipe_state_path(const char *out_dir);
/*
 * Reads the state of out_dir into *s: empty (n == 0) when there is none or
 * it describes another folder. Release with pipe_state_release.
 */
void pipe_state_load(const char *out_dir, struct pipe_state *s);
/*
 * Looks at files [from, to) of a loaded state once and notes whether each
 * is as it was made: the checks after it (intact, match, check) read the
 * note instead of looking again. For a build that loads the state while it
 * reads the catalogue on another core; threads may look at disjoint ranges.
 */
void pipe_state_look(struct pipe_state *s, size_t from, size_t to);
void pipe_state_release(struct pipe_state *s); /* accepts NULL; s is zeroed */
/*
 * Adds rel with key to s, and for a rendition the cached file src it was
 * placed from (may be NULL); both copied. Not thread-safe.
 */
void pipe_state_note(struct pipe_state *s, const char *rel, const char key[65],
		     const char *src);
/* The file rel in a loaded state, or NULL; borrows. */
const struct pipe_file *pipe_state_find(const struct pipe_state *s, const char *rel);
/*
 * True when every file of a loaded, non-empty state is as it was made,
 * and every rendition's cached file is still the one it was placed from.
 */
bool pipe_state_intact(const struct pipe_state *s);
/*
 * The file rel of old when old made it with key and it is unchanged since
 * (a build may keep it as it is), else NULL; borrows. Thread-safe.
 */
const struct pipe_file *pipe_state_match(const struct pipe_state *old, const char *rel,
				       const char key[65]);
/*
 * Sets ok[i] when the file v[i] of old (borrowed) is still as it was made,
 * as pipe_state_match finds it; many files are looked at by two threads.
 */
void pipe_state_check(const struct pipe_state *old, const struct pipe_file *const *v, size_t n,
		      bool *ok);
/*
 * Notes in s a file kept from the current site, with was's rel (borrowed:
 * was's state must not be released before s is done with, though either
 * may be released first), key and identity.
 */
void pipe_state_note_kept(struct pipe_state *s, const struct pipe_file *was, const char *src);
/*
 * Hard-links every kept file of now from the current site (old's folder)
 * into staging, making folders; false when one cannot be (it changed or
 * went away since it was matched).
 */
bool pipe_state_link_kept(const struct pipe_state *now, const struct pipe_state *old,
			  const char *staging);
/*
 * Notes with key every regular file under dir that s lacks (files written
 * into staging by others, the transcripts): so a patch moves them in and a
 * later build removes them when they are no longer made. Takes the
 * identity of each file under dir that s has and does not know yet (as
 * pipe_state_fill does), on two threads for a large site. Sorts s first.
 */
void pipe_state_note_rest(struct pipe_state *s, const char *dir, const char key[65]);
/* Sorts s by rel (once). */
void pipe_state_sort(struct pipe_state *s);
/* Lets s sort the rels it borrows from the text of from (its kept files) by address. */
void pipe_state_order_from(struct pipe_state *s, const struct pipe_state *from);
/*
 * Takes the identity of every file of s not known yet from dir/rel; one
 * that dir lacks is marked gone (left out of the site).
 */
void pipe_state_fill(struct pipe_state *s, const char *dir);
/*
 * Writes s as the state of the folder (dev, ino), atomically, beside
 * out_dir: every file known and not gone, with its recorded identity.
 */
int pipe_state_write(struct pipe_state *s, uint64_t dev, uint64_t ino, const char *out_dir,
		     struct hearth_err *err);
/*
 * The same into a new temporary file beside the state's place, synced,
 * named in *tmp (new allocation; NULL after a failure): file_tmp_commit
 * (fd -1) puts it in place, file_tmp_abort (fd -1) removes it. Sorts s
 * first; a sorted s is only read, so it may run beside other readers.
 */
int pipe_state_write_tmp(struct pipe_state *s, uint64_t dev, uint64_t ino, const char *out_dir,
			 char **tmp, struct hearth_err *err);
/*
 * Writes s as the state of staging (which becomes out_dir at the swap):
 * pipe_state_fill from staging, then pipe_state_write with its folder.
 */
int pipe_state_save(struct pipe_state *s, const char *staging, const char *out_dir,
		    struct hearth_err *err);
/*
 * Before a patch of the current site (old) into the next (now): writes,
 * atomically, the patch list beside out_dir (".hearth-patch.<base>"):
 * every file about to be replaced, added or removed. While it is there,
 * a loaded state trusts none of them (a build after a kill in the middle
 * makes each again or removes it) and is never clean, with no quick
 * record; the state itself is not rewritten. Sorts now.
 */
int pipe_state_untrust(const struct pipe_state *old, struct pipe_state *now,
		       const char *out_dir, struct hearth_err *err);
/* ".hearth-patch.<base>" beside out_dir; new allocation. */
char *pipe_patch_list_path(const char *out_dir);
/* True when out_dir has a patch list (or whether it has cannot be told). */
bool pipe_patch_list_left(const char *out_dir);
/*
 * Removes the patch list once the state written after the patch (or the
 * swap) is durable; a list left by a kill only costs the files it names
 * being made again.
 */
void pipe_state_trust(const char *out_dir);
/*
 * Writes a loaded state back as it is (the folder and every file's
 * identity as recorded), atomically: for a build with nothing to do whose
 * quick record changed (the catalogue moved without changing the site).
 */
int pipe_state_requick(const struct pipe_state *s, const char *out_dir,
		       struct hearth_err *err);

/* ---- the quick record (quick.c) ---------------------------------------- */

/* What a build reads besides the catalogue: the quick record's key covers it. */
struct pipe_quick_in {
	const char *program;             /* the hearth-media that builds */
	const struct lib_settings *set;  /* as loaded (hearth.yaml, the stored GUID) */
	const char *base_url_opt;        /* --base-url, or NULL */
	const char *out_dir;             /* as the build names it */
	const char *themes;              /* key_themes of the theme as resolved */
	const char *cover_path;          /* the show's cover in the library, or NULL */
};

/* The key of *q and SOURCE_DATE_EPOCH, as 64 hex digits. */
void pipe_quick_key(const struct pipe_quick_in *q, char out[65]);

/* ---- the feeds (feeds.c) ------------------------------------------------ */

/*
 * Where the feeds go: the staging folder, and the build's way to keep a
 * file of the current site: keep(arg, rel, key) notes rel with key in the
 * new site's state and returns true when the current site has rel made
 * with key, unchanged (it is kept, not made again).
 */
struct pipe_feed_out {
	const char *staging;
	bool (*keep)(void *arg, const char *rel, const char key[65]);
	void *arg;
};

/*
 * Writes every feed of the build into o->staging, after the pages (the
 * entries final, site_ctx_lists done): feed.xml, collections/<slug>/feed.xml
 * for each collection marked podcast, atom.xml, feeds.opml and the RFC 5005
 * archives of any feed past feeds.archive_after items (see feeds.c for the
 * names and the addresses). Stores, when lib is set and this is not a
 * preview, what must never change once published: each show's podcast
 * GUID and the media origin. Each document is kept from the current site
 * when its key matches. st->feed_items gets feed.xml's items.
 *
 * An episode-to-be without its MP3, a setting feeds/ refuses (owner,
 * image, category, language, licence, ...) or an item it refuses is an
 * error naming the story or setting and the field; the build then fails
 * and publishes nothing. SITE_AGAIN when a story's body changed since the
 * view was read.
 */
/*
 * What the feeds need of the settings, checked before any media work from
 * the entries as read (c->e, c->cover_src): when a story will be an
 * episode (podcast consent and a sound), a real base_url (not init's
 * placeholder) and everything feeds/ requires of a channel with episodes
 * (image, owner email, category, language, licence, ...); always the
 * language and licence. The error names the setting.
 */
int pipe_feeds_precheck(const struct site_ctx *c, struct hearth_err *err);

int pipe_feeds_write(hearth_lib *lib, const struct site_ctx *c, const struct pipe_feed_out *o,
		     struct site_stats *st, struct hearth_err *err);

/* ---- the search index (search.c) --------------------------------------- */

/* Where the index goes and what the current site has of it. */
struct pipe_search_out {
	const char *staging;
	const char *out_dir;           /* the current site, whose index may be brought up to date */
	const struct pipe_state *old;  /* the current site's state */
	bool (*keep)(void *arg, const char *rel, const char key[65]); /* as pipe_feed_out's */
	/* notes the current site's file was as kept, already found as made (pipe_state_check) */
	void (*kept)(void *arg, const struct pipe_file *was);
	void *arg;
	lib_body_reader *bodies;       /* NULL when the records hold their bodies */
	pthread_mutex_t *body_mu;      /* held around each read of bodies, as the page threads do */
	const char *common;            /* the key of what every page shows */
	const char *theme_dir, *def_theme; /* where search.js is (def_theme may be NULL) */
	int jobs;                      /* the build's -j (0: every core): one reads bodies ahead when > 1 */
};

/*
 * Writes the search index of the stories with a page of c (site_ctx_lists
 * done) and the theme's search.js into o->staging, each file only when
 * the current site lacks it with its key; reads the bodies only when the
 * index's inputs changed. SITE_AGAIN when a body changed since the view
 * was read. Call it from one thread, while o->bodies is open.
 */
int pipe_search_write(const struct site_ctx *c, const struct pipe_search_out *o,
		      struct hearth_err *err);
/*
 * The body of s, read from r under mu (r's statement is one for all the
 * threads). SITE_AGAIN when the catalogue no longer has the body the view
 * was keyed with: it changed since it was read, and the build starts
 * again. *body is a new allocation, NULL on failure.
 */
int pipe_body_read(lib_body_reader *r, pthread_mutex_t *mu, const struct pub_story *s,
		   char **body, struct hearth_err *err);
/*
 * Items 0 to n-1, each made by fetch (a new allocation, or NULL) and
 * given to take (which takes it) in that order on the calling thread.
 * With beside, fetch runs on a thread of its own up to PIPE_AHEAD items
 * ahead of take, so fetching one item and taking the one before overlap.
 * The first fetch that fails ends it: its error is returned, take has had
 * exactly the items before it, and no item after it is fetched.
 */
#define PIPE_AHEAD 32
int pipe_read_ahead(size_t n, bool beside,
		    int (*fetch)(void *arg, size_t k, char **item, struct hearth_err *err),
		    void *fetch_arg, void (*take)(void *arg, size_t k, char *item), void *take_arg,
		    struct hearth_err *err);
/* Feeds h with what the search page shows (its document). */
void pipe_search_page_key(struct sha256 *h, const struct site_ctx *c);

/* ---- the whole build from records (build.c) ---------------------------- */

/* What site_build reads from the library, so a test can hand it over. */
struct site_input {
	const char *lib_dir;
	const struct lib_settings *set;
	struct pub_story **site;
	size_t n_site;
	struct pub_story **pod;
	size_t n_pod;
	struct pub_collection **colls;
	size_t n_colls;
};

/* Where in the catalogue's history a build read, for the quick record. */
struct site_read {
	int64_t generation;     /* lib_generation, read with the views */
	int64_t next_due;       /* lib_next_scheduled from just before them, or -1 */
};

int site_build_input(hearth_lib *lib, const struct site_input *in,
		     const struct site_opts *opts, const struct site_media_ops *ops,
		     struct site_stats *stats, struct hearth_err *err);

/*
 * What stands before the swap: enter is called with the site finished,
 * just before it is swapped in, and returns 0 to swap (leave is then
 * called right after the swap), SITE_AGAIN to drop this build, or an error.
 */
struct site_gate {
	int (*enter)(void *arg, struct hearth_err *err);
	void (*leave)(void *arg);
	void *arg;
};

/* What a gate returns when the build must be made again; not an error. */
#define SITE_AGAIN 1


#endif
