/*
 * intake.h - the way in and the way out of media/: identifying files with
 * libmagic and checking them against their role, intake into the store,
 * the one way in shared by `import`, `submit` and the web form, and
 * removing (gc, erase, the cache of withdrawn stories). These work on the
 * editor's records (struct lib_story, struct lib_asset), so this header
 * includes library/library.h; the command line uses it, output code never
 * does (it sees only media.h).
 */
#ifndef HEARTH_MEDIA_INTAKE_H
#define HEARTH_MEDIA_INTAKE_H

#include "media.h"
#include "../library/library.h"

/* ---- identify ---------------------------------------------------------- */

/*
 * The MIME type libmagic sees in the file at path, and its description.
 * Either out may be NULL. New allocations.
 */
int media_sniff(const char *path, char **mime, char **description,
		struct hearth_err *err);

/*
 * What a file is for at intake: one of a story's roles (the same values as
 * enum lib_role), or USE_TEXT, the story's text itself, which `submit`
 * takes as its body and which is no asset.
 */
enum media_use {
	USE_AUDIO = ROLE_AUDIO,
	USE_MUSIC = ROLE_MUSIC,
	USE_ART = ROLE_ART,
	USE_TRANSCRIPT = ROLE_TRANSCRIPT,
	USE_TEXT = ROLE_COUNT
};

/* True when mime is allowed for use. */
bool media_role_allows(enum media_use use, const char *mime);

/*
 * What a use expects, in words for messages ("a sound file (WAV, FLAC,
 * ...)"); a static string.
 */
const char *media_role_expects(enum media_use use);

/*
 * False when the file's name claims a kind of file (by an extension Hearth
 * knows, in any case) that mime is not, as a FLAC named .mp3; *claimed
 * (may be NULL) then names what the name claims. Names with no extension,
 * or one Hearth does not know, claim nothing and agree with anything.
 */
bool media_name_agrees(const char *name, const char *mime, const char **claimed);

/*
 * Intake of one file for a story: identifies it (the extension is never
 * trusted), checks it against the role's allow-list and the limits, probes
 * it (duration, codec, sample rate, channels, dimensions) and adds it to
 * the library's store. Fills a->sha256, mime, size, duration, width,
 * height, codec, sample_rate, channels; a->role, filename and alt are the
 * caller's. Messages name display_name (the path the user gave) and say
 * what the file really is. The strings filled in are new allocations that
 * a then owns; they are written over, not freed, so pass a zeroed asset
 * (apart from role, and sha256 when an earlier read took the file's hash:
 * it is then kept and the file not hashed again). For sound, duration is what decoded, not what the
 * header claims; for art, width and height are as shown (EXIF orientation
 * applied). Nothing is added to the store when the file is refused.
 */
int media_intake(hearth_lib *lib, const char *path, const char *display_name,
		 const struct media_limits *limits, struct lib_asset *a,
		 struct hearth_err *err);

/* ---- the one way in (ingest.c) ----------------------------------------- */


/*
 * A peer's story from files (`hearth submit`, the web form). The fields
 * of *story (title, summary, name, pseudonym, attribution, contact,
 * consent, language, warnings) are the caller's and only read; its
 * assets, chapters and body are made here from files.
 */
struct media_submission {
	const struct lib_story *story; /* borrowed */
	char *const *files;            /* borrowed: the files given, in order */
	size_t n_files;
	char *const *alts;             /* borrowed strv: alt text per picture, in order */
	bool music;                    /* sound files are music, not speech */
	/*
	 * borrowed, may be NULL: per file, the use the form said it is for
	 * (an enum media_use; -1: tell by content). A file whose content is
	 * not what its use allows is refused, naming both.
	 */
	const int *uses;
	/*
	 * The story's text may come as story->body (the web form) instead of
	 * as a file; a text file beside a body is refused. Limits of the form
	 * (the body: limits.max_story_size) are checked here, like a file's.
	 */
	const char *via;               /* "web form", "hearth submit"; borrowed */
	bool peer_confirms;            /* see struct lib_submit_opts */
	const char *invite;            /* see struct lib_submit_opts; borrowed */
	/* filled by media_submit (and media_revise) */
	char *slug;                    /* the story's slug: new allocation, free it */
	char *receipt;                 /* the receipt code: new allocation, free it */
	bool held;                     /* media_revise: held as a pending revision */
	const char *needs_alt;         /* refused for want of alt text: the picture (borrowed) */
	/* refused: the index of the file at fault in files, or -1 */
	int bad_file;
};

/*
 * The submission, all or nothing: every file is identified by content
 * (one text at most, read as the body, UTF-8) and goes through intake
 * outside any write transaction, and the story is recorded by
 * lib_story_submit in one short one. Whatever happens, the store is swept
 * afterwards if nobody else is using it (media_gc).
 */
int media_submit(hearth_lib *lib, struct media_submission *sub, struct hearth_err *err);

/*
 * A peer's revision of the story slug (the web form's receipt page): the
 * same intake as media_submit (files, body, alt text, limits), then
 * lib_story_revise with message for the editors (may be NULL). Files
 * given replace the story's files of the same role (a new recording
 * replaces the recording); roles not given are kept, and so is the text
 * when no body and no text file is given; title and summary likewise.
 * sub->held says whether it waits as a pending revision.
 */
int media_revise(hearth_lib *lib, const char *slug, const char *message,
		 struct media_submission *sub, struct hearth_err *err);
void media_submission_release(struct media_submission *sub); /* frees slug, receipt */

/* What `hearth import` takes, and what came of it. */
struct media_import {
	char *const *bundles;      /* borrowed strv: story bundle folders */
	char *const *collections;  /* borrowed strv: collection files */
	const char *settings;      /* a hearth.yaml to take, or NULL */
	const char *salt;          /* site_programs_salt's, for the memo of its image's check; NULL: none */
	/* filled by media_import */
	size_t n_stories, n_changed;          /* bundles; new or changed stories */
	size_t n_collections, n_coll_changed;
	char **notes;  /* things the user should know (strv, new; media_import_release) */
	struct buf report; /* per story: what changed, what was kept (media_import_release) */
};

/*
 * An import, all or nothing: every bundle and collection file is read and
 * checked (and the settings file's podcast image as a cover), then every
 * story's files go through intake (media_intake) outside any write
 * transaction, then one short transaction records the stories
 * (lib_story_import), the collections and, last, the settings file. On
 * failure nothing is recorded. Whatever happens, the store is swept
 * afterwards if nobody else is using it (media_gc).
 */
int media_import(hearth_lib *lib, struct media_import *im, struct hearth_err *err);
void media_import_release(struct media_import *im);

/* ---- removing (purge.c) ------------------------------------------------ */

/*
 * After a withdrawal has been committed: the cached renditions of the
 * story's originals that no other story uses.
 */
int media_purge_story(hearth_lib *lib, const char *slug, size_t *n_removed,
		      struct hearth_err *err);

struct media_gc_stats {
	size_t objects;     /* originals deleted */
	size_t temporary;   /* unfinished objects of killed runs deleted */
	size_t renditions;  /* cache entries of the deleted originals */
	bool busy;          /* not waiting, and another holds the store lock */
};

/*
 * `hearth gc`: under the store lock (exclusive; when wait is false and it
 * is held, nothing is done and st->busy is set), deletes the originals no
 * asset refers to, the temporary files of killed runs, and the cached
 * renditions of what it deleted. st may be NULL.
 */
int media_gc(hearth_lib *lib, bool wait, struct media_gc_stats *st, struct hearth_err *err);

/*
 * `hearth erase`: lib_story_erase, then media_gc (waiting for the lock)
 * and the renditions of every original only this story used.
 */
int media_erase(hearth_lib *lib, const char *slug, struct media_gc_stats *st,
		struct hearth_err *err);

#endif
