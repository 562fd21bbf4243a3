/*
 * public.h - what output code may see of the library: the opaque handle,
 * the settings, the public story and collection records and the public
 * view that makes them, and the few calls a build needs around them (the
 * build lock, the store lock and paths of originals, read transactions,
 * the catalogue's generation, the podcast GUID).
 *
 * site-gen/ and feeds/ include this header and nothing that declares
 * struct lib_story or struct lib_asset: a private field cannot be named on
 * the way to output, the compiler refuses it. library.h includes this
 * header and adds the editor's records and calls.
 */
#ifndef HEARTH_LIBRARY_PUBLIC_H
#define HEARTH_LIBRARY_PUBLIC_H

#include "../core/core.h"

typedef struct hearth_lib hearth_lib;

/* ---- the handle -------------------------------------------------------- */

/* The library's folder; borrows (valid until lib_close). */
const char *lib_dir(const hearth_lib *lib);

/*
 * The catalogue's generation: a number that every committed write
 * transaction that changed something raises by one (kept in the settings
 * table). Equal numbers mean an unchanged catalogue.
 */
int lib_generation(hearth_lib *lib, int64_t *gen, struct hearth_err *err);

/*
 * The earliest publication time after `after` of a published story (one
 * held until its date): the first moment at which the public views can
 * change by the clock alone. *at is -1 when no story waits.
 */
int lib_next_scheduled(hearth_lib *lib, int64_t after, int64_t *at, struct hearth_err *err);

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
/*
 * Ends the transaction begun last, the one way every caller closes one:
 * when rc is 0 it commits and returns what the commit returned; else it
 * rolls back and returns rc (err already says why).
 */
int lib_end(hearth_lib *lib, int rc, struct hearth_err *err);

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

/* ---- settings (hearth.yaml) -------------------------------------------- */

/* podcast.people: one person of the show, as podcast:person writes them. */
struct lib_person {
	char *name;   /* at most 128 characters */
	char *role;   /* the taxonomy's role ("host", "editor"), may be NULL (host) */
	char *href;   /* may be NULL */
	char *img;    /* may be NULL */
};

/* podcast.txt: one podcast:txt (e.g. purpose applepodcastsverify). */
struct lib_txt {
	char *purpose;  /* may be NULL */
	char *value;    /* at most 4000 characters */
};

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
	/*
	 * podcast: what directories and apps read of the show besides the
	 * above. The owner is required for a podcast build with episodes, and
	 * so is image (see pipeline/feeds.c).
	 */
	char *owner_name;        /* podcast.owner.name, may be NULL */
	char *owner_email;       /* podcast.owner.email, may be NULL: public, printed in the feed */
	bool locked;             /* podcast.locked (default yes) */
	struct lib_person *people;   /* podcast.people: hosts and editors who agreed to be named */
	size_t n_people;
	char *funding_url;       /* podcast.funding.url, may be NULL */
	char *funding_label;     /* podcast.funding.label, may be NULL */
	struct lib_txt *txt;     /* podcast.txt */
	size_t n_txt;
	char *social_interact;   /* podcast.social_interact: "disabled" (default) or NULL (none) */
	char *update_text;       /* podcast.update_frequency.text, may be NULL */
	char *update_rrule;      /* podcast.update_frequency.rrule, may be NULL */
	bool complete;           /* podcast.complete */
	char *new_feed_url;      /* podcast.new_feed_url, may be NULL */
	char *license_url;       /* podcast.license_url, may be NULL: for a licence not in SPDX */
	char *media_url;         /* podcast.media_url, may be NULL: an editor's move of the media */
	char *media_origin;      /* the stored media origin, or NULL before the first podcast build */
	/* feeds: */
	int archive_after;       /* feeds.archive_after: items in a feed before archives (300) */
	/* notify: (hearth notify) */
	char **notify_hubs;      /* notify.hubs: WebSub hub URLs, NULL-terminated, may be NULL */
	bool notify_podcastindex;      /* notify.podcastindex (default yes) */
	char *notify_podcastindex_url; /* notify.podcastindex_url */
	bool notify_after_build;       /* notify.after_build (default no) */
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
	/* serve: (defaults 127.0.0.1, 8080, 200 MB, none, true) */
	char *serve_bind;            /* serve.bind: the address to listen on */
	int serve_port;              /* serve.port */
	int64_t serve_max_upload;    /* serve.max_upload: bytes of one request's body */
	char *serve_trusted_proxy;   /* serve.trusted_proxy: the reverse proxy's address
					whose X-Forwarded-For/-Proto are believed; NULL */
	bool serve_peer_confirm;     /* serve.peer_confirm: web submissions wait for the
					peer to confirm the approved version */
	/* deploy: (hearth deploy; no output file depends on them) */
	char *deploy_rsh;            /* deploy.rsh: rsync's remote shell, NULL: ssh */
	char *deploy_s3_endpoint;    /* deploy.s3_endpoint, NULL: AWS's for the region */
	char *deploy_s3_region;      /* deploy.s3_region (default us-east-1) */
	bool deploy_s3_path_style;   /* deploy.s3_path_style: endpoint/bucket/key (default yes) */
	/* site: (the pages) */
	char *site_crisis_line;  /* site.crisis_line: the footer's support line, may be NULL */
	char *site_crisis_url;   /* site.crisis_url: where it links, may be NULL */
	char *site_theme;        /* site.theme: a folder of <library>/themes, may be NULL */
	char *site_server_url;   /* site.server_url: where hearth serve is reached (the
				    peers' receipt pages), no trailing slash; may be NULL */
};

/* The defaults of the limits above. */
#define LIB_MAX_FILE_SIZE 500000000
#define LIB_MAX_STORY_SIZE 2000000
#define LIB_MAX_COLLECTION_SIZE 256000
#define LIB_SERVE_MAX_UPLOAD 200000000
/* hearth.yaml cannot set its own limit: it is fixed. */
#define LIB_MAX_SETTINGS_SIZE 256000
/* Every story, however it comes in: characters of its title and summary. */
#define LIB_MAX_TITLE_CHARS 200
#define LIB_MAX_SUMMARY_CHARS 1000
/*
 * ... and of its terms: content warnings, themes and tags, each list at
 * most LIB_MAX_TERMS long, each term at most LIB_MAX_TERM_CHARS. Every
 * story is listed with its terms on every term's page, so a story of
 * 150,000 tags made 150,000 pages of 150,000 tags each: a build that
 * never ended.
 */
#define LIB_MAX_TERMS 50
#define LIB_MAX_TERM_CHARS 100
/*
 * ... and pieces of art: a story's page shows each, and a build makes
 * each again as JPEG and WebP. A bundle naming the same small picture
 * 70,000 times (within LIB_MAX_STORY_SIZE) took 33 s and 455 MB to
 * import, 21 s and 700 MB to build, and made 140,000 files.
 */
#define LIB_MAX_ART 100

/* feeds.archive_after and notify.podcastindex_url by default. */
#define LIB_ARCHIVE_AFTER 300
#define LIB_PODCASTINDEX_URL "https://api.podcastindex.org/api/1.0/hub/pubnotify"

/* The base_url `hearth init` writes: a placeholder until the editor sets theirs. */
#define LIB_PLACEHOLDER_BASE_URL "https://example.org"

/*
 * Reads hearth.yaml of the library (and the stored podcast GUID, if any);
 * writes nothing. New allocation inside, free with lib_settings_release.
 */
int lib_settings_load(hearth_lib *lib, struct lib_settings *out, struct hearth_err *err);
void lib_settings_release(struct lib_settings *s); /* frees the strings, not s */

/* True when base_url is init's placeholder, which no real site is served from. */
bool lib_base_url_is_placeholder(const char *base_url);

/*
 * The podcast GUID (Podcasting 2.0): UUIDv5 of the feed URL
 * <base_url>/feed.xml without its scheme. out gets 37 bytes.
 * lib_feed_guid_for: the same for the feed at <base_url>/<feed_path>.
 */
void lib_podcast_guid_for(const char *base_url, char out[37]);
void lib_feed_guid_for(const char *base_url, const char *feed_path, char out[37]);

/*
 * The podcast GUID for a feed served from base_url: the stored one when
 * there is one; else, made from base_url and stored (audited) when store
 * is set, kept forever after; else made and not stored (a preview).
 * Refuses init's placeholder address when it would have to store it; when
 * not storing, gives "" for it (a feed without episodes then has none).
 * lib_feed_guid: the same for the show at <base_url>/<feed_path> (a
 * collection's, "collections/<slug>/feed.xml"), each kept on its own.
 */
int lib_podcast_guid(hearth_lib *lib, const char *base_url, bool store, char out[37],
		     struct hearth_err *err);
int lib_feed_guid(hearth_lib *lib, const char *base_url, const char *feed_path, bool store,
		  char out[37], struct hearth_err *err);

/*
 * The media origin: the address the episodes' files (enclosures,
 * transcripts, chapters) are published under in the feeds, so they never
 * change once published, even when base_url does. The stored one when
 * there is one; else base_url, stored (audited) when store is set (the
 * first podcast build from the library's own base_url), else not (a
 * preview). Refuses init's placeholder when it would store it. *out is a
 * new allocation. podcast.media_url, set by an editor, overrides it (the
 * caller decides).
 */
int lib_media_origin(hearth_lib *lib, const char *base_url, bool store, char **out,
		     struct hearth_err *err);

/* ---- the store of originals (reading) ---------------------------------- */

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

/* ---- roles ------------------------------------------------------------- */

/*
 * What a story's file is for. Stored as its name (lib_role_name) in the
 * catalogue and written so in bundles and exports; within the program it
 * is this enum.
 */
enum lib_role { ROLE_AUDIO, ROLE_MUSIC, ROLE_ART, ROLE_TRANSCRIPT, ROLE_COUNT };
/* "audio", "music", "art" or "transcript"; a static string ("" when out of range). */
const char *lib_role_name(enum lib_role r);
/* Returns 0 and sets *out, or HEARTH_EINVAL for an unknown (or NULL) name. */
int lib_role_parse(const char *name, enum lib_role *out);

/* ---- the public view --------------------------------------------------- */

enum lib_channel { CH_SITE, CH_PODCAST };

struct pub_asset {
	enum lib_role role;
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
	const char *body;          /* Markdown; NULL from lib_public_view_all */
	const char *body_sha256;   /* of body, as hex: it changes whenever body does */
	const char *byline;
	const char *language;
	const char *license;
	int64_t published_at;
	int64_t updated_at;
	bool on_site, on_podcast;  /* which channels consent covers */
	/*
	 * The byline names nobody ("Anonymous"): no podcast:person for the
	 * story. Otherwise the byline is the only name the feeds may give.
	 */
	bool anonymous;
	char **warnings, **themes, **tags;
	int season, episode;
	struct pub_asset *assets;
	size_t n_assets;
	/*
	 * The story's sound (lib_story_sound: its first audio, else its first
	 * music asset), one of assets; NULL when it has neither.
	 */
	const struct pub_asset *sound;
	struct pub_chapter *chapters;  /* of the sound */
	size_t n_chapters;
	void *owned_;              /* internal */
};

struct pub_collection {
	const char *slug;
	const char *title;
	const char *description;
	bool podcast;
	bool serial;               /* type: serial, heard in order; else episodic */
	char **stories;            /* only stories that are public on the site */
	/*
	 * The stories public on the podcast channel, in the editors' order
	 * (NULL-terminated, may be NULL): the collection's show.
	 */
	char **episodes;
	void *owned_;
};

/*
 * THE public view: the one function that turns catalogue records into what
 * may be published. Returns the stories whose status is published and whose
 * consent covers channel, newest first; and, when colls is not NULL, the
 * collections with their stories filtered the same way (stories: site
 * channel; episodes: podcast channel).
 */
int lib_public_view(hearth_lib *lib, enum lib_channel channel,
		    struct pub_story ***out, size_t *n,
		    struct pub_collection ***colls, size_t *n_colls,
		    struct hearth_err *err);
/*
 * The public view of both channels in one read: every story whose status
 * is published and whose consent covers the site or the podcast (on_site
 * and on_podcast say which), newest first, and the collections as
 * lib_public_view gives them. The stories come without their bodies (body
 * NULL, body_sha256 set), so a view of many stories stays small: read a
 * body when it is needed with lib_public_body.
 */
int lib_public_view_all(hearth_lib *lib, struct pub_story ***out, size_t *n,
			struct pub_collection ***colls, size_t *n_colls,
			struct hearth_err *err);

/*
 * Reads the bodies of the public view one at a time. lib_public_body puts
 * the Markdown body of the story slug in *body (new allocation, free it)
 * and its SHA-256 in sha (hex), when the site view holds the story now;
 * else it returns HEARTH_ENOENT (the story was withdrawn or unpublished
 * since the view was read). The reader is used from one thread at a time.
 * lib_public_bodies_close accepts NULL and sets *r to NULL.
 */
typedef struct lib_body_reader lib_body_reader;
int lib_public_bodies_open(hearth_lib *lib, lib_body_reader **out, struct hearth_err *err);
int lib_public_body(lib_body_reader *r, const char *slug, char **body, char sha[65],
		    struct hearth_err *err);
void lib_public_bodies_close(lib_body_reader **r);
/*
 * The bodies of n stories of the site view read at once, in one read of
 * the catalogue: bodies[i] gets the Markdown body of slugs[i] (a new
 * allocation, free it) and sha[i] its SHA-256 (hex). When one of them is
 * no longer on the site (withdrawn or unpublished since the view was
 * read), returns HEARTH_ENOENT naming it, and every bodies[i] is NULL.
 * Borrows slugs.
 */
int lib_public_bodies_read(hearth_lib *lib, const char *const *slugs, size_t n, char **bodies,
			   char (*sha)[65], struct hearth_err *err);

void pub_story_list_free(struct pub_story **v, size_t n);
void pub_collection_list_free(struct pub_collection **v, size_t n);

#endif
