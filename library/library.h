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

#include "public.h"

struct lib_collection;   /* defined under "collections" below */
struct lib_submit_opts;  /* defined under "peers on the web" below */

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

/*
 * Who is acting, for the audit log (default: $HEARTH_USER, $USER,
 * "editor"); who is copied.
 */
void lib_set_actor(hearth_lib *lib, const char *who);



/* ---- settings (hearth.yaml; reading them is in public.h) -------------- */

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
/* The status's name as the catalogue and bundles write it; a static string. */
const char *lib_status_name(enum lib_status s);
/* Returns 0 and sets *out, or HEARTH_EINVAL for an unknown name. */
int lib_status_parse(const char *name, enum lib_status *out);
/* True when the workflow allows from -> to. */
bool lib_status_can_move(enum lib_status from, enum lib_status to);

enum lib_attribution { ATTR_NAME, ATTR_PSEUDONYM, ATTR_ANONYMOUS };
/* "name", "pseudonym" or "anonymous"; a static string. */
const char *lib_attribution_name(enum lib_attribution a);
/* Returns 0 and sets *out, or HEARTH_EINVAL for an unknown name. */
int lib_attribution_parse(const char *name, enum lib_attribution *out);

/*
 * How a contributor is named, for every way in (bundles, submit, the web
 * form): given is what they said (NULL: nothing). When nothing is said,
 * the most private choice that still names them as they asked: the
 * pseudonym when one is given, else anonymous (a real name alone is never
 * published by default). Refuses (HEARTH_EINVAL) an unknown value, "name"
 * without a name and "pseudonym" without a pseudonym; the message says
 * what is wrong, for the caller to prefix with where it was said. Empty
 * strings count as not given.
 */
int lib_attribution_settle(const char *given, const char *name, const char *pseudonym,
			   enum lib_attribution *out, struct hearth_err *err);

/*
 * The public byline for a contributor: the name, the pseudonym or
 * "Anonymous", as attribution says (and "Anonymous" when the one it names
 * is missing). Borrows from name and pseudonym, or a static string. The
 * public view and the export both name people through this.
 */
const char *lib_byline(enum lib_attribution attribution, const char *name,
		       const char *pseudonym);

/* One file of a story. */
struct lib_asset {
	enum lib_role role;
	char *sha256;       /* the original in store/ */
	char *mime;         /* from libmagic */
	char *filename;     /* PRIVATE: the name it was submitted under */
	char *alt;          /* art: alternative text */
	int64_t size;
	double duration;    /* seconds; 0 when not time-based */
	int width, height;  /* pixels; 0 when not an image */
	char *codec;        /* may be NULL */
	int sample_rate, channels;
	/*
	 * Not stored: the file as it was when the bundle reader took sha256,
	 * so intake copies it without hashing it again (file_copy_unchanged).
	 */
	struct file_id seen;
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

	/*
	 * Not stored with the story: what lib_bundle_read saw of story.md, and
	 * the time (CLOCK_REALTIME_COARSE) just before it looked, for
	 * lib_bundles_seen (an import skips an unchanged bundle).
	 */
	struct file_id md_seen;
	int64_t seen_at_sec, seen_at_nsec;
};

void lib_story_free(struct lib_story **s);
void lib_story_list_free(struct lib_story **v, size_t n);

/*
 * A story's sound: its first audio file, else its first music file (what
 * the feed and the player use, and what chapters and the transcript go
 * with); NULL when it has neither. Borrows from s.
 */
const struct lib_asset *lib_story_sound(const struct lib_story *s);

/*
 * Loads one story, assets included. HEARTH_ENOENT names the slug. Returns
 * a new story in *out, free with lib_story_free.
 */
int lib_story_get(hearth_lib *lib, const char *slug, struct lib_story **out,
		  struct hearth_err *err);

/*
 * All stories (with status filter when status >= 0), ordered by
 * published_at then slug. Returns a new array in *out, free with
 * lib_story_list_free.
 */
int lib_story_list(hearth_lib *lib, int status, struct lib_story ***out,
		   size_t *n, struct hearth_err *err);

/* One line of `hearth list`: borrowed, valid during the callback only. */
struct lib_story_line {
	const char *slug, *title;
	enum lib_status status;
	int64_t published_at;        /* 0 = none */
	bool consent_site, consent_podcast;
};

/*
 * The same stories in the same order as lib_story_list, one line at a time
 * and without their bodies, files or people, for listing a large library
 * in little time and memory. Without with_consent the consent fields are
 * false and the consent table is not read. A non-zero return from fn
 * stops and is returned.
 */
int lib_story_lines(hearth_lib *lib, int status, bool with_consent,
		    int (*fn)(const struct lib_story_line *line, void *arg), void *arg,
		    struct hearth_err *err);

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
 * to *slug_out (new allocation). Writes an audit row ("submit") naming
 * opts->via, and makes the story's receipt (opts->receipt). opts may be
 * NULL (no receipt is returned then; the story still has one).
 */
int lib_story_submit(hearth_lib *lib, const struct lib_story *in,
		     struct lib_submit_opts *opts, char **slug_out, struct hearth_err *err);

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
 * An import skips a bundle it has seen unchanged (bundle.c, the table
 * bundles_seen). lib_bundles_unchanged sets same[i] (n of them) when every
 * file the last import of bundle dirs[i] read (story.md and the files it names) still has
 * the size, mtime, ctime, inode and device it had, the limits in set are
 * those it was read under, and its story still has the source hash that
 * import gave it: reading, checking and hashing it again would change
 * nothing. Only stat()s, no file is opened.
 */
int lib_bundles_unchanged(hearth_lib *lib, char *const *dirs, size_t n,
			  const struct lib_settings *set, bool *same, struct hearth_err *err);

/*
 * Inside the import's write transaction, after the stories are recorded:
 * remembers what was seen of each bundle read (stories[i] from dirs[i],
 * borrowed), for the next import. A bundle whose story did not take its
 * source hash, or a file of which changed within the clock tick it was
 * read in, is not remembered (it is read again next time). Not counted as
 * a change of the catalogue (the generation stays).
 */
int lib_bundles_seen(hearth_lib *lib, char *const *dirs, struct lib_story *const *stories,
		     size_t n, const struct lib_settings *set, struct hearth_err *err);

/*
 * The import's one write transaction, the same for every import (the
 * lean program's of text, hearth-media's of everything): the stories read
 * from bundles[i] (nb of them, already through intake), what was seen of
 * their bundles, the collections read from coll_paths[i] (nc), then the
 * settings file at settings_path (may be NULL), taken last as the one write
 * outside the catalogue. Adds each story's report line to report and
 * counts the changed stories and collections. All or nothing: on an error
 * nothing is recorded, the counts are 0 and report is emptied. Borrows
 * everything.
 */
int lib_import_record(hearth_lib *lib, char *const *bundles, struct lib_story *const *stories,
		      size_t nb, char *const *coll_paths, struct lib_collection *const *colls,
		      size_t nc, const char *settings_path, const struct lib_settings *set,
		      struct buf *report, size_t *n_changed, size_t *n_coll_changed,
		      struct hearth_err *err);

/*
 * Reads a story bundle: dir/story.md (front matter and Markdown body) and
 * the files it names. Fills a new story in *out (free with
 * lib_story_free): every field from the front
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
 * a link leading out of its folder is refused. Returns a new record in
 * *out, free with lib_collection_free.
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
 * object is kept) and writes the hash to sha_out. The file is hashed once
 * and copied without hashing again; a file changed between the two is
 * refused (HEARTH_EINVAL), nothing stored. The caller holds the
 * store lock shared (lib_store_lock) from before this call until the
 * transaction that records an asset for the object has ended.
 */
int lib_store_add(hearth_lib *lib, const char *path, char sha_out[65],
		  struct hearth_err *err);
/*
 * As lib_store_add, for a file whose SHA-256 (lowercase hex) was taken on
 * an earlier read (the bundle reader's), when the file was as *seen says:
 * an object already stored is not read again; otherwise the file is copied
 * without hashing it again, and refused, nothing stored, when it is no
 * longer the file seen (file_copy_unchanged). Borrows sha256 and seen.
 */
int lib_store_add_known(hearth_lib *lib, const char *path, const char *sha256,
			const struct file_id *seen, struct hearth_err *err);


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

/*
 * The rendition cache (cache/ in the library) in file terms. lib_cache_purge
 * deletes every entry made from the originals with the given hashes (a
 * strv, borrowed; may be NULL): renditions and measurements alike;
 * lib_cache_purge_story those made from the originals only this story
 * uses. *n_removed (may be NULL) counts the files.
 */
int lib_cache_purge(hearth_lib *lib, char *const *hashes, size_t *n_removed,
		    struct hearth_err *err);
int lib_cache_purge_story(hearth_lib *lib, const char *slug, size_t *n_removed,
			  struct hearth_err *err);

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
	 * "collection_update", "erase", "invite", "invite_revoke", "invite_use"
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
	bool serial;     /* type: serial (heard in order, numbered), else episodic */
	char **stories;  /* ordered story slugs, NULL-terminated (may be NULL) */
};
void lib_collection_free(struct lib_collection **c);       /* accepts NULL */
void lib_collection_list_free(struct lib_collection **v, size_t n);

/*
 * The editor's collection calls. Each is one audited transaction; the
 * strings are borrowed. HEARTH_ENOENT names a missing collection or
 * story.
 */
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
/* One collection; a new record in *out, free with lib_collection_free. */
int lib_collection_get(hearth_lib *lib, const char *slug,
		       struct lib_collection **out, struct hearth_err *err);
/* Every collection by slug; a new array in *out, free with lib_collection_list_free. */
int lib_collection_list(hearth_lib *lib, struct lib_collection ***out, size_t *n,
			struct hearth_err *err);
/*
 * Inserts or replaces a collection from an imported file (title,
 * description, podcast, type, ordered stories). *changed is false when nothing
 * differed. Every story named must exist.
 */
int lib_collection_import(hearth_lib *lib, const struct lib_collection *in,
			  bool *changed, struct hearth_err *err);


/* ---- invitations to submit --------------------------------------------- */

/*
 * An invitation: a link that lets a peer submit without an account. The
 * token itself is never stored (only its BLAKE2b hash), so a listing can
 * never show it.
 */
struct lib_invite {
	int64_t id;
	char *note;          /* PRIVATE: the editors' own note, may be NULL */
	int64_t created_at;
	char *created_by;
	int64_t expires_at;  /* 0: never */
	int64_t uses_left;   /* -1: unlimited */
	int64_t revoked_at;  /* 0: not revoked */
};
void lib_invite_list_free(struct lib_invite *v, size_t n); /* accepts NULL */

/* The one refusal of lib_invite_use, whatever the reason. */
#define LIB_INVITE_REFUSED "this invitation link cannot be used"
/* A token's length: 32 random bytes in unpadded URL-safe base64. */
#define LIB_INVITE_TOKEN_CHARS 43

/*
 * Makes an invitation (one audited transaction): 32 random bytes from
 * libsodium, URL-safe base64 without padding. note is borrowed and may be
 * NULL; expires_at 0 means never; uses -1 means unlimited, else at least 1.
 * The token is returned once in *token (new allocation, free with free)
 * and its id in *id (may be NULL); it cannot be recovered later.
 */
int lib_invite_new(hearth_lib *lib, const char *note, int64_t expires_at, int64_t uses,
		   char **token, int64_t *id, struct hearth_err *err);
/* Every invitation, oldest first; a new array in *out, free with lib_invite_list_free. */
int lib_invite_list(hearth_lib *lib, struct lib_invite **out, size_t *n,
		    struct hearth_err *err);
/*
 * Revokes invitation id (one audited transaction): its link stops working.
 * HEARTH_ENOENT when there is none, HEARTH_ESTATE when already revoked.
 */
int lib_invite_revoke(hearth_lib *lib, int64_t id, struct hearth_err *err);
/*
 * Spends one use of the invitation whose token is token (borrowed), in one
 * transaction: checks it is known, not revoked, not expired (at
 * hearth_now()) and not used up, and takes one from uses_left. Its id goes
 * to *id (may be NULL). Every refusal is the same HEARTH_ENOENT with
 * LIB_INVITE_REFUSED, so a stranger learns nothing about which tokens exist.
 */
int lib_invite_use(hearth_lib *lib, const char *token, int64_t *id,
		   struct hearth_err *err);
/* As lib_invite_use without spending anything: may the token be used now? */
int lib_invite_check(hearth_lib *lib, const char *token, struct hearth_err *err);

/* ---- peers on the web: receipts, versions, messages, revisions -------- */

/*
 * A receipt code: 20 random bytes (libsodium) written as 32 base32 letters
 * (RFC 4648 alphabet) in eight groups of four joined by '-' (39 chars). A
 * code is read ignoring case, spaces and dashes. Only its BLAKE2b hash is
 * stored. lib_story_submit makes one for every submission.
 */
#define LIB_RECEIPT_CHARS 39
/* The one refusal of lib_receipt_find, whatever the reason. */
#define LIB_RECEIPT_REFUSED "no story has this receipt code"

/*
 * The story a receipt code belongs to: its slug in *slug (new allocation).
 * Every refusal (malformed, unknown) is HEARTH_ENOENT with
 * LIB_RECEIPT_REFUSED. An erased story's receipt still finds it.
 */
int lib_receipt_find(hearth_lib *lib, const char *code, char **slug, struct hearth_err *err);

/* Where a submission came from, and what it asks of the workflow. */
struct lib_submit_opts {
	const char *via;     /* "web form", "hearth submit"; audited; borrowed */
	/*
	 * The peer must confirm the version an editor approved before it can
	 * be published (a web submission with serve.peer_confirm on).
	 */
	bool peer_confirms;
	/*
	 * When not NULL: the invitation token the peer came with (borrowed).
	 * One use is spent in the same transaction that records the story, so
	 * a refused submission spends nothing; refused as lib_invite_use.
	 */
	const char *invite;
	/* filled: the receipt code (LIB_RECEIPT_CHARS; new allocation, free it) */
	char *receipt;
};

/* The state a peer's receipt page and the console show beside the story. */
struct lib_story_peer {
	int64_t version;            /* raised by every change of content; from 1 */
	int64_t approved_version;   /* the version last approved; 0 = none */
	int64_t confirmed_version;  /* the version the peer confirmed; 0 = none */
	bool peer_confirms;         /* publishing waits for the peer's confirmation */
	bool has_revision;          /* a revision of the published story is pending */
	int64_t erasure_requested_at; /* 0 = not asked */
	char *via;                  /* how it came in: "web form", "hearth submit", "import" */
};

/* The peer-side state of a story (no private field in it); release with
 * lib_story_peer_release. */
int lib_story_peer_get(hearth_lib *lib, const char *slug, struct lib_story_peer *out,
		       struct hearth_err *err);
void lib_story_peer_release(struct lib_story_peer *p); /* frees via, not p */

/*
 * An editor's review decision with what the peer is told, in one audited
 * transaction: moves the story to `to` (as lib_story_move, the same rules),
 * keeps note privately, and when message is not NULL or empty adds it to
 * the story's messages for the peer. Moving to ST_APPROVED records the
 * current version as the approved one.
 */
int lib_story_review(hearth_lib *lib, const char *slug, enum lib_status to,
		     const char *note, const char *message, struct hearth_err *err);

/*
 * The peer confirms version `version` of their story. Refused with
 * HEARTH_ESTATE (saying why in plain words) unless the story is approved,
 * that version is the approved one and still the current one. Audited.
 */
int lib_story_confirm(hearth_lib *lib, const char *slug, int64_t version,
		      struct hearth_err *err);

/* A message on a story: from an editor to the peer, or from the peer. */
struct lib_message {
	int64_t at;
	bool from_peer;
	char *body;
};
void lib_message_list_free(struct lib_message *v, size_t n); /* accepts NULL */
/* Adds a message (at most LIB_MAX_MESSAGE_CHARS characters); audited. */
#define LIB_MAX_MESSAGE_CHARS 4000
int lib_message_add(hearth_lib *lib, const char *slug, bool from_peer, const char *body,
		    struct hearth_err *err);
/* A story's messages, oldest first; free with lib_message_list_free. */
int lib_message_list(hearth_lib *lib, const char *slug, struct lib_message **out,
		     size_t *n, struct hearth_err *err);

/*
 * A peer's revision of their story: in carries the new content (title,
 * summary, body, warnings, assets already in the store; the rest is
 * ignored: consent, attribution and workflow never change this way).
 * A story not yet published (submitted, in review, changes requested,
 * approved) takes it at once: content replaced, version raised, status
 * back to submitted, any approval and confirmation void. A published
 * story keeps its live version and holds this one as its pending revision
 * (a newer revision replaces a pending one); *held (may be NULL) says so.
 * Withdrawn, rejected and erased stories refuse (HEARTH_ESTATE). message
 * (may be NULL) is added for the editors. Audited ("revise").
 */
int lib_story_revise(hearth_lib *lib, const char *slug, const struct lib_story *in,
		     const char *message, bool *held, struct hearth_err *err);

/*
 * The pending revision of a published story as a story record (content
 * fields and assets only), or *out NULL when there is none; free with
 * lib_story_free.
 */
int lib_revision_get(hearth_lib *lib, const char *slug, struct lib_story **out,
		     struct hearth_err *err);
/*
 * An editor approves the pending revision: it replaces the live content
 * (version raised) and stays published. Or rejects it: it is dropped.
 * message (may be NULL) is added for the peer. HEARTH_ENOENT when none is
 * pending. Audited.
 */
int lib_revision_decide(hearth_lib *lib, const char *slug, bool approve,
			const char *message, struct hearth_err *err);

/*
 * The peer withdraws consent for one channel or both (site, podcast: the
 * ones to withdraw). What remains is kept; with neither left the story is
 * withdrawn as by lib_story_withdraw. *now_withdrawn (may be NULL) says
 * whether the story is withdrawn afterwards. Audited with by (borrowed).
 * Consent is never widened here.
 */
int lib_story_withdraw_channels(hearth_lib *lib, const char *slug, bool site, bool podcast,
				const char *by, bool *now_withdrawn, struct hearth_err *err);

/*
 * The peer asks for their story to be erased: it is withdrawn at once (if
 * it is not already) and the request recorded for an editor, who erases it
 * (media_erase). Asking twice is not an error. Audited.
 */
int lib_story_request_erasure(hearth_lib *lib, const char *slug, struct hearth_err *err);

/* ---- feedback ---------------------------------------------------------- */

#define LIB_MAX_FEEDBACK_CHARS 4000
struct lib_feedback {
	int64_t id, at;
	char *page;     /* what it is about (may be NULL) */
	char *body;
	char *contact;  /* PRIVATE (may be NULL) */
};
void lib_feedback_list_free(struct lib_feedback *v, size_t n); /* accepts NULL */
/* Stores feedback (body required, at most LIB_MAX_FEEDBACK_CHARS
 * characters; page and contact at most 500); not audited per item. */
int lib_feedback_add(hearth_lib *lib, const char *page, const char *body,
		     const char *contact, struct hearth_err *err);
/* All feedback, newest first. */
int lib_feedback_list(hearth_lib *lib, struct lib_feedback **out, size_t *n,
		      struct hearth_err *err);

/* ---- editors and their sessions ---------------------------------------- */

struct lib_editor {
	int64_t id;
	char *name;
	int64_t created_at;
};
void lib_editor_release(struct lib_editor *e);              /* frees name, not e */
void lib_editor_list_free(struct lib_editor *v, size_t n);  /* accepts NULL */

/* The one refusal of lib_editor_check, whatever the reason. */
#define LIB_SIGNIN_REFUSED "that name and password do not match an editor"
/* Passwords: at least this many characters, at most 1024 bytes. */
#define LIB_PASSWORD_MIN 10

/*
 * Editor accounts: names are 1-64 characters of letters, digits, '.', '_'
 * and '-'. Passwords are hashed with Argon2id (libsodium crypto_pwhash_str,
 * interactive limits). add: HEARTH_EEXIST for a taken name. remove and
 * passwd: HEARTH_ENOENT for an unknown name; both end the editor's
 * sessions. Each is one audited transaction.
 */
int lib_editor_add(hearth_lib *lib, const char *name, const char *password,
		   struct hearth_err *err);
int lib_editor_remove(hearth_lib *lib, const char *name, struct hearth_err *err);
int lib_editor_passwd(hearth_lib *lib, const char *name, const char *password,
		      struct hearth_err *err);
int lib_editor_list(hearth_lib *lib, struct lib_editor **out, size_t *n,
		    struct hearth_err *err);
/*
 * Checks a sign-in. Unknown names are checked against a dummy hash, so the
 * time does not tell names apart. Every refusal is HEARTH_EPERM with
 * LIB_SIGNIN_REFUSED. *out filled on success (release it).
 */
int lib_editor_check(hearth_lib *lib, const char *name, const char *password,
		     struct lib_editor *out, struct hearth_err *err);

/*
 * Sessions: a new random token (32 bytes, URL-safe base64; only its hash is
 * stored) for editor id, valid ttl seconds from now; *token is a new
 * allocation. find: the editor of a live session (HEARTH_ENOENT otherwise;
 * expired sessions are deleted). end: deletes it (no error when unknown).
 */
int lib_session_new(hearth_lib *lib, int64_t editor_id, int64_t ttl, char **token,
		    struct hearth_err *err);
int lib_session_find(hearth_lib *lib, const char *token, struct lib_editor *out,
		     struct hearth_err *err);
int lib_session_end(hearth_lib *lib, const char *token, struct hearth_err *err);

/* ---- backup ------------------------------------------------------------ */

/*
 * A consistent copy of the catalogue at dest (a new file; refused when it
 * exists) with SQLite's online backup, while others keep working. The
 * store of originals and hearth.yaml are plain files to copy beside it.
 */
int lib_backup(hearth_lib *lib, const char *dest, struct hearth_err *err);

/* ---- export ------------------------------------------------------------ */

/*
 * The whole catalogue as JSON (stories with assets and history,
 * collections), appended to out (borrowed, caller-owned). Private fields
 * are included only when with_private is set; without them a contributor
 * is named only as the public view names them (lib_byline: "byline", and
 * the name or pseudonym only when it is the byline).
 */
int lib_export_json(hearth_lib *lib, bool with_private, struct buf *out,
		    struct hearth_err *err);

/*
 * One story as JSON, in the same shape as in the export (hearth show
 * --json), appended to out (borrowed, caller-owned).
 */
int lib_story_json(hearth_lib *lib, const char *slug, bool with_private,
		   struct buf *out, struct hearth_err *err);

#endif
