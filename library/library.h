/*
 * library.h - the catalogue: stories, people, consent, assets, collections,
 * the review workflow and the audit log, kept in SQLite (hearth.db) beside a
 * content-addressed store of originals (store/) and the settings file
 * (hearth.yaml). A library directory is the whole state of a Hearth site.
 *
 * This is the only folder that includes sqlite3.h, and the only one that
 * reads private fields. What leaves the library for publishing goes through
 * lib_public_view(), whose record type has no private fields at all.
 */
#ifndef HEARTH_LIBRARY_H
#define HEARTH_LIBRARY_H

#include "../core/core.h"

typedef struct hearth_lib hearth_lib;
struct lib_collection; /* defined under "collections" below */

/* ---- opening ----------------------------------------------------------- */

/*
 * Creates a library in dir (made if missing): hearth.yaml with defaults,
 * hearth.db at the newest schema, store/. Refuses a dir that already holds
 * a hearth.db.
 */
int lib_init(const char *dir, struct hearth_err *err);

/*
 * Opens the library in dir, migrating its schema forward if it is older.
 * Returns a new handle in *out, free with lib_close.
 */
int lib_open(const char *dir, hearth_lib **out, struct hearth_err *err);
void lib_close(hearth_lib **lib);

/* How to open a library (lib_open_with). */
struct lib_open_opts {
	/*
	 * Never write: for commands that only read (list, show, export), so
	 * they work on a library they cannot write. A catalogue whose folder
	 * cannot be written is opened as immutable. Writes then fail.
	 */
	bool read_only;
	/*
	 * While another hearth holds the catalogue's write lock, a command
	 * waits (up to a minute) instead of failing; waiting(arg) is called
	 * once when the wait has lasted a moment, so the caller can say so.
	 * May be NULL.
	 */
	void (*waiting)(void *arg);
	void *arg;
};
/* lib_open with options; o may be NULL (lib_open's defaults). */
int lib_open_with(const char *dir, const struct lib_open_opts *o, hearth_lib **out,
		  struct hearth_err *err);
/* True when the library was opened read-only. */
bool lib_is_read_only(const hearth_lib *lib);
/* Who is acting (see lib_set_actor); borrows. */
const char *lib_actor(const hearth_lib *lib);

/*
 * The catalogue's generation: a number that every committed write
 * transaction that changed something raises by one (kept in the settings
 * table). Equal numbers mean an unchanged catalogue.
 */
int lib_generation(hearth_lib *lib, int64_t *gen, struct hearth_err *err);

/*
 * One build at a time per library: an advisory lock on .build.lock in the
 * library folder, released by lib_build_unlock or when the process ends
 * (even by kill -9). The file names the holder for the message of a build
 * that must wait.
 */
struct lib_lock_holder {
	long pid;
	char who[64];   /* the holder's actor */
	int64_t since;  /* when it took the lock (Unix time) */
};
typedef struct lib_build_lock lib_build_lock;
/*
 * Takes the build lock. When another build holds it: with wait false,
 * returns HEARTH_ESTATE with a message naming the holder; else calls
 * waiting(arg, holder) once (may be NULL) and waits. Returns a new lock
 * in *out, free with lib_build_unlock.
 */
int lib_build_lock_take(hearth_lib *lib, bool wait,
			void (*waiting)(void *arg, const struct lib_lock_holder *h),
			void *arg, lib_build_lock **out, struct hearth_err *err);
void lib_build_unlock(lib_build_lock **lock);

const char *lib_dir(const hearth_lib *lib); /* borrows */

/* Who is acting, for the audit log (default: $HEARTH_USER, $USER, "editor"). */
void lib_set_actor(hearth_lib *lib, const char *who);

/*
 * One transaction around a command's changes. Nested calls are counted; only
 * the outermost commits. lib_rollback undoes everything since lib_begin.
 */
int lib_begin(hearth_lib *lib, struct hearth_err *err);
int lib_commit(hearth_lib *lib, struct hearth_err *err);
void lib_rollback(hearth_lib *lib);
/*
 * A read transaction (deferred): what it reads is one snapshot of the
 * catalogue. Nested like lib_begin; end with lib_commit.
 */
int lib_begin_read(hearth_lib *lib, struct hearth_err *err);

/* ---- settings (hearth.yaml) -------------------------------------------- */

struct lib_settings {
	char *title;
	char *description;
	char *base_url;      /* no trailing slash */
	char *language;
	char *author;
	char *category;      /* podcast.category */
	char *subcategory;   /* podcast.subcategory, may be NULL */
	bool explicit_;      /* podcast.explicit */
	char *image;         /* podcast.image: path relative to the library, may be NULL */
	char *license;       /* podcast.license */
	char *podcast_guid;  /* the stored one, or NULL before the first podcast build */
	/* limits: (defaults 500 MB, 4 hours, 50 megapixels, 2 MB, 256 kB) */
	int64_t max_file_size;   /* limits.max_file_size: bytes */
	double max_duration;     /* limits.max_duration: seconds */
	int64_t max_pixels;      /* limits.max_pixels: width*height */
	int64_t max_story_size;      /* limits.max_story_size: bytes of a story.md */
	int64_t max_collection_size; /* limits.max_collection_size: bytes of a collection file */
	/* audio: (defaults -16 LUFS, -1 dBTP, 96 and 160 kbit/s) */
	double loudness;         /* audio.loudness: integrated LUFS target */
	double true_peak;        /* audio.true_peak: dBTP ceiling */
	int speech_kbps;         /* audio.speech_bitrate */
	int music_kbps;          /* audio.music_bitrate */
};

/* The defaults of the limits above. */
#define LIB_MAX_FILE_SIZE 500000000
#define LIB_MAX_STORY_SIZE 2000000
#define LIB_MAX_COLLECTION_SIZE 256000
/* hearth.yaml cannot set its own limit: it is fixed. */
#define LIB_MAX_SETTINGS_SIZE 256000
/* Every story, however it comes in: characters of its title and summary. */
#define LIB_MAX_TITLE_CHARS 200
#define LIB_MAX_SUMMARY_CHARS 1000

/* The base_url `hearth init` writes: a placeholder until the editor sets theirs. */
#define LIB_PLACEHOLDER_BASE_URL "https://example.org"

/*
 * Reads hearth.yaml of the library (and the stored podcast GUID, if any);
 * writes nothing. New allocation inside, free with lib_settings_release.
 */
int lib_settings_load(hearth_lib *lib, struct lib_settings *out, struct hearth_err *err);
void lib_settings_release(struct lib_settings *s);

/* The settings a library has before hearth.yaml says otherwise; release them. */
void lib_settings_defaults(struct lib_settings *out);

/* True when base_url is init's placeholder, which no real site is served from. */
bool lib_base_url_is_placeholder(const char *base_url);

/*
 * The podcast GUID (Podcasting 2.0): UUIDv5 of the feed URL
 * <base_url>/feed.xml without its scheme. out gets 37 bytes.
 */
void lib_podcast_guid_for(const char *base_url, char out[37]);

/*
 * The podcast GUID for a feed served from base_url: the stored one when
 * there is one; else, made from base_url and stored (audited) when store
 * is set, kept forever after; else made and not stored (a preview).
 * Refuses init's placeholder address when it would have to store it; when
 * not storing, gives "" for it (a feed without episodes then has none).
 */
int lib_podcast_guid(hearth_lib *lib, const char *base_url, bool store, char out[37],
		     struct hearth_err *err);

/*
 * Takes the settings file of an imported folder: validates it, copies it to
 * the library's hearth.yaml and the podcast image it names beside it.
 */
int lib_settings_import(hearth_lib *lib, const char *yaml_path, struct hearth_err *err);

/* ---- stories ----------------------------------------------------------- */

enum lib_status {
	ST_SUBMITTED,
	ST_IN_REVIEW,
	ST_CHANGES_REQUESTED,
	ST_APPROVED,
	ST_PUBLISHED,
	ST_WITHDRAWN,
	ST_REJECTED,
	ST_COUNT
};
const char *lib_status_name(enum lib_status s);
/* Returns 0 and sets *out, or HEARTH_EINVAL for an unknown name. */
int lib_status_parse(const char *name, enum lib_status *out);
/* True when the workflow allows from -> to. */
bool lib_status_can_move(enum lib_status from, enum lib_status to);

enum lib_attribution { ATTR_NAME, ATTR_PSEUDONYM, ATTR_ANONYMOUS };
const char *lib_attribution_name(enum lib_attribution a);
int lib_attribution_parse(const char *name, enum lib_attribution *out);

/* One file of a story. role is "audio", "music", "art" or "transcript". */
struct lib_asset {
	char *role;
	char *sha256;       /* the original in store/ */
	char *mime;         /* from libmagic */
	char *filename;     /* PRIVATE: the name it was submitted under */
	char *alt;          /* art: alternative text */
	int64_t size;
	double duration;    /* seconds; 0 when not time-based */
	int width, height;  /* pixels; 0 when not an image */
	char *codec;        /* may be NULL */
	int sample_rate, channels;
};

/*
 * A chapter of a story's sound (its first audio file, else its first music
 * file): from the front matter's chapters:, else read from the sound file
 * at import. Public.
 */
struct lib_chapter {
	double start;   /* seconds from the start */
	char *title;    /* one line of text */
};

/*
 * A whole story as the editor sees it, private fields included. Fields
 * marked PRIVATE never leave the library (see lib_public_view).
 */
struct lib_story {
	int64_t id;
	char *slug;
	char *guid;              /* stable item identity, set once */
	char *title;
	char *summary;
	char *body;              /* Markdown */
	enum lib_status status;
	int64_t published_at;    /* 0 = not set */
	int64_t created_at, updated_at;

	char *name;              /* PRIVATE unless attribution is ATTR_NAME */
	char *pseudonym;         /* PRIVATE unless attribution is ATTR_PSEUDONYM */
	enum lib_attribution attribution;
	char *contact;           /* PRIVATE */

	bool consent_site, consent_podcast;
	int64_t consent_given;       /* 0 = not recorded */
	char *consent_recorded_by;   /* PRIVATE */
	char *consent_note;          /* PRIVATE */
	int64_t consent_withdrawn_at;

	char *review_note;           /* PRIVATE: the last review's reason or note */

	char **warnings;   /* NULL-terminated; may be NULL when empty */
	char **themes;
	char **tags;
	char *language;
	char *license;
	int season, episode;         /* 0 = none */

	struct lib_asset *assets;
	size_t n_assets;
	struct lib_chapter *chapters;  /* starts strictly increasing */
	size_t n_chapters;

	char *source_hash;           /* of the imported bundle, for idempotence */
};

void lib_story_free(struct lib_story **s);
void lib_story_list_free(struct lib_story **v, size_t n);

/* Loads one story, assets included. HEARTH_ENOENT names the slug. */
int lib_story_get(hearth_lib *lib, const char *slug, struct lib_story **out,
		  struct hearth_err *err);

/*
 * All stories (with status filter when status >= 0), ordered by
 * published_at then slug. Returns a new array in *out.
 */
int lib_story_list(hearth_lib *lib, int status, struct lib_story ***out,
		   size_t *n, struct hearth_err *err);

/*
 * Inserts or updates the story whose slug is in->slug from an imported
 * bundle. Files named by in->assets must already be in the store. When
 * in->source_hash equals the stored one nothing is written and *changed is
 * false. guid, id and timestamps of in are ignored: an existing story keeps
 * its guid.
 *
 * The bundle's consent, status, publication date and attribution are
 * taken only when the slug is new. A re-import replaces the content
 * (text, media, terms, chapters, language, licence, season, episode, the
 * contributor's name, pseudonym and contact) and keeps the catalogue's
 * consent, status and date: it never publishes a story the bundle says is
 * published, never revives a withdrawn one. Its attribution is kept too,
 * unless the bundle names the contributor less openly (name, pseudonym,
 * anonymous in that order).
 *
 * Writes an audit row ("import" or "update") whose detail says what was
 * changed and what was kept. When report is not NULL the same is appended
 * to it (borrowed, caller-owned) as lines "<slug>: <what>
", only when
 * the import succeeds and something was written.
 */
int lib_story_import(hearth_lib *lib, const struct lib_story *in, bool *changed,
		     struct buf *report, struct hearth_err *err);

/*
 * A peer's submission: a new story with status submitted. When in->slug is
 * NULL a free slug is made from the title; the chosen slug is written back
 * to *slug_out (new allocation). Writes an audit row ("submit").
 */
int lib_story_submit(hearth_lib *lib, const struct lib_story *in, char **slug_out,
		     struct hearth_err *err);

/*
 * Moves a story through review: to must be allowed from its current state
 * (the message names the current state when it is not). note is kept
 * privately (reason for reject, note for changes requested) and audited.
 */
int lib_story_move(hearth_lib *lib, const char *slug, enum lib_status to,
		   const char *note, struct hearth_err *err);

/*
 * Publishes an approved story at time at (0 = now). Refused with
 * HEARTH_ECONSENT unless consent covers at least one channel. A story
 * that was taken off the schedule (lib_story_unschedule) and is published
 * again with at 0 keeps the date it had; its guid never changes.
 */
int lib_story_publish(hearth_lib *lib, const char *slug, int64_t at,
		      struct hearth_err *err);

/*
 * Moves the publication date of a published story to at (> 0): an editor
 * correcting a date. A scheduled story may move to any date; a live one
 * (its date not in the future) only to another date not in the future, so
 * that a date change never takes a story off the site (withdrawal does
 * that). The guid never changes. *old_at (may be NULL) gets the date it
 * had. Audited ("reschedule", with both dates); nothing is written when
 * the date is the same.
 */
int lib_story_reschedule(hearth_lib *lib, const char *slug, int64_t at, int64_t *old_at,
			 struct hearth_err *err);

/*
 * Takes a scheduled story (published, its date still in the future) off
 * the schedule: back to approved, consent untouched, the date kept for a
 * later lib_story_publish. Refused with HEARTH_ESTATE for a story already
 * live (withdrawal is how a live story leaves) or not published. *was_at
 * (may be NULL) gets the date it was scheduled for. Audited ("unschedule").
 */
int lib_story_unschedule(hearth_lib *lib, const char *slug, int64_t *was_at,
			 struct hearth_err *err);

/*
 * Consent withdrawn: status withdrawn, both channels off, the time kept.
 * The story leaves every output at the next build. reason is private.
 */
int lib_story_withdraw(hearth_lib *lib, const char *slug, const char *reason,
		       struct hearth_err *err);

/* Records consent per channel (editor action); audited. */
int lib_story_set_consent(hearth_lib *lib, const char *slug, bool site, bool podcast,
			  const char *recorded_by, const char *note,
			  struct hearth_err *err);

/* ---- bundles (the import format) --------------------------------------- */

/*
 * Reads a story bundle: dir/story.md (front matter and Markdown body) and
 * the files it names. Fills a new story in *out: every field from the front
 * matter, slug from the folder name, and one asset per named file with its
 * role, alt text and filename (the path inside the bundle). Hashes, MIME
 * types and sizes are left for intake to fill. Chapters come from
 * chapters: (a list of {start, title}; starts strictly increasing; the
 * story must have audio or music). Checks every field (title
 * required, known keys only, dates, attribution, consent values) and every
 * path (inside the bundle, present, a regular file, no link leaving it);
 * messages name the file, the line and the field.
 *
 * Limits come from set (NULL: the defaults) and are checked before any
 * reading: story.md against limits.max_story_size, every named file's size
 * against limits.max_file_size before it is hashed; title and summary
 * against LIB_MAX_TITLE_CHARS and LIB_MAX_SUMMARY_CHARS. story.md itself,
 * like every file, must not be a link leading out of the bundle.
 */
int lib_bundle_read(const char *dir, const struct lib_settings *set,
		    struct lib_story **out, struct hearth_err *err);

/*
 * Reads a collection file (collections/<slug>.yaml); slug from the name.
 * set gives limits.max_collection_size (NULL: the default); a file that is
 * a link leading out of its folder is refused.
 */
int lib_collection_read(const char *path, const struct lib_settings *set,
			struct lib_collection **out, struct hearth_err *err);

/*
 * Erases a withdrawn story (HEARTH_ESTATE naming its status otherwise):
 * its assets, chapters and terms are removed and its personal fields
 * cleared (title "(erased)", summary, body, name, pseudonym, contact,
 * consent and review notes); its audit rows lose their details and one
 * row "erase" is added. Slug and GUID stay. The originals are left for
 * lib_store_sweep, the renditions for media/ (see media_erase).
 */
int lib_story_erase(hearth_lib *lib, const char *slug, struct hearth_err *err);

/* ---- the store of originals -------------------------------------------- */

/*
 * Copies the file at path into store/ by its SHA-256 (once: an existing
 * object is kept) and writes the hash to sha_out. The caller holds the
 * store lock shared (lib_store_lock) from before this call until the
 * transaction that records an asset for the object has ended.
 */
int lib_store_add(hearth_lib *lib, const char *path, char sha_out[65],
		  struct hearth_err *err);
/*
 * As lib_store_add, for a file whose SHA-256 (lowercase hex) was taken on
 * an earlier read (the bundle reader's): an object already stored is not
 * read again; otherwise the copy is hashed on the way and refused when the
 * file has changed since. sha256 is borrowed.
 */
int lib_store_add_known(hearth_lib *lib, const char *path, const char *sha256,
			struct hearth_err *err);
/* The path of a stored object; new allocation. */
char *lib_store_path(const hearth_lib *lib, const char *sha256);

/*
 * The store lock: an advisory lock (flock) on .lock-store in the library
 * folder. Shared: held by everyone who adds objects, from before the
 * first lib_store_add until the commit (or rollback) of the assets that
 * refer to them. Exclusive: held by the sweep, so it never sees an object
 * that a running import has stored but not yet recorded. A build may hold
 * it shared while it reads originals. Released by lib_store_unlock or
 * when the process ends (a killed import holds nothing).
 */
enum lib_lock_mode { LIB_LOCK_SHARED, LIB_LOCK_EXCLUSIVE };
struct lib_store_lock;
/*
 * Takes the lock; *out is a new handle, free with lib_store_unlock. When
 * wait is false and the lock is held the other way, returns 0 with *out
 * NULL.
 */
int lib_store_lock(hearth_lib *lib, enum lib_lock_mode mode, bool wait,
		   struct lib_store_lock **out, struct hearth_err *err);
void lib_store_unlock(struct lib_store_lock **l); /* accepts NULL */

/*
 * Deletes every object no asset refers to, and the temporary files of
 * objects never finished (a killed import's). Needs the exclusive lock l
 * and no open transaction. Appends the hashes of the deleted objects to
 * *removed (a strv, new allocations; removed may be NULL) and counts the
 * temporary files in *n_temp (may be NULL). Names in store/ that are not
 * objects are left alone.
 */
int lib_store_sweep(hearth_lib *lib, const struct lib_store_lock *l, char ***removed,
		    size_t *n_temp, struct hearth_err *err);

/*
 * The hashes of the story's originals (only_its_own: only those no other
 * story's asset refers to), sorted; a new strv in *out (NULL when none).
 */
int lib_store_story_objects(hearth_lib *lib, const char *slug, bool only_its_own,
			    char ***out, struct hearth_err *err);

/* ---- audit log --------------------------------------------------------- */

struct lib_audit {
	int64_t at;
	char *actor;
	/*
	 * "submit", "import", "update", "publish", "reschedule", "unschedule",
	 * "withdraw", "consent",
	 * "settings", a review move's new status ("in_review", "approved",
	 * "changes_requested", "rejected"), "collection_new", "collection_add",
	 * "collection_remove", "collection_move", "collection_import",
	 * "collection_update", "erase"
	 */
	char *action;
	char *detail;  /* PRIVATE: may hold notes */
};
/* One story's rows (slug NULL: the whole log), oldest first; free with lib_audit_free. */
int lib_audit_list(hearth_lib *lib, const char *slug, struct lib_audit **out,
		   size_t *n, struct hearth_err *err);
void lib_audit_free(struct lib_audit *v, size_t n);

/* ---- collections ------------------------------------------------------- */

struct lib_collection {
	char *slug;
	char *title;
	char *description;
	bool podcast;
	char **stories;  /* ordered story slugs, NULL-terminated (may be NULL) */
};
void lib_collection_free(struct lib_collection **c);
void lib_collection_list_free(struct lib_collection **v, size_t n);

int lib_collection_new(hearth_lib *lib, const char *slug, const char *title,
		       const char *description, bool podcast, struct hearth_err *err);
/* Adds a story at position pos (0-based; -1 = at the end). */
int lib_collection_add(hearth_lib *lib, const char *coll, const char *story,
		       int pos, struct hearth_err *err);
int lib_collection_remove(hearth_lib *lib, const char *coll, const char *story,
			  struct hearth_err *err);
/* Moves a story already in the collection to position pos (0-based). */
int lib_collection_move(hearth_lib *lib, const char *coll, const char *story,
			int pos, struct hearth_err *err);
int lib_collection_get(hearth_lib *lib, const char *slug,
		       struct lib_collection **out, struct hearth_err *err);
int lib_collection_list(hearth_lib *lib, struct lib_collection ***out, size_t *n,
			struct hearth_err *err);
/*
 * Inserts or replaces a collection from an imported file (title,
 * description, podcast, ordered stories). *changed is false when nothing
 * differed. Every story named must exist.
 */
int lib_collection_import(hearth_lib *lib, const struct lib_collection *in,
			  bool *changed, struct hearth_err *err);

/* ---- the public view --------------------------------------------------- */

enum lib_channel { CH_SITE, CH_PODCAST };

struct pub_asset {
	const char *role;
	const char *sha256;
	const char *mime;
	const char *alt;
	int64_t size;
	double duration;
	int width, height;
	int index;         /* 1-based among assets of its role */
};

struct pub_chapter {
	double start;      /* seconds */
	const char *title;
};

/*
 * A story as the public may see it. It has no private fields: byline is
 * the name, the pseudonym or "Anonymous", as the contributor chose. All
 * strings are owned by the record.
 */
struct pub_story {
	const char *slug;
	const char *guid;
	const char *title;
	const char *summary;
	const char *body;          /* Markdown */
	const char *byline;
	const char *language;
	const char *license;
	int64_t published_at;
	int64_t updated_at;
	bool on_site, on_podcast;  /* which channels consent covers */
	char **warnings, **themes, **tags;
	int season, episode;
	struct pub_asset *assets;
	size_t n_assets;
	struct pub_chapter *chapters;  /* of the first audio, else music, asset */
	size_t n_chapters;
	void *owned_;              /* internal */
};

struct pub_collection {
	const char *slug;
	const char *title;
	const char *description;
	bool podcast;
	char **stories;            /* only stories that are public on the site */
	void *owned_;
};

/*
 * THE public view: the one function that turns catalogue records into what
 * may be published. Returns the stories whose status is published and whose
 * consent covers channel, newest first; and, when colls is not NULL, the
 * collections with their stories filtered the same way (site channel).
 */
int lib_public_view(hearth_lib *lib, enum lib_channel channel,
		    struct pub_story ***out, size_t *n,
		    struct pub_collection ***colls, size_t *n_colls,
		    struct hearth_err *err);
void pub_story_list_free(struct pub_story **v, size_t n);
void pub_collection_list_free(struct pub_collection **v, size_t n);

/* ---- export ------------------------------------------------------------ */

/*
 * The whole catalogue as JSON (stories with assets and history,
 * collections). Private fields are included only when with_private is set.
 */
int lib_export_json(hearth_lib *lib, bool with_private, struct buf *out,
		    struct hearth_err *err);

/* One story as JSON, in the same shape as in the export (hearth show --json). */
int lib_story_json(hearth_lib *lib, const char *slug, bool with_private,
		   struct buf *out, struct hearth_err *err);

#endif
