/*
 * ingest.c - the one way in: story bundles (`hearth import`), a peer's
 * files (`hearth submit`) and the web form (a submission, or a revision
 * sent with a receipt) all enter the library here, under the same rules,
 * all or nothing.
 *
 * A story comes in in two steps. First the slow work, outside any write
 * transaction, so that every other command (list, withdraw, a second
 * import) goes on meanwhile: every file passes intake (identified,
 * checked against its role and the limits, decoded to its end, and
 * copied into the store), the chapters embedded in the story's sound are
 * read when the front matter gives none, and the transcript is checked
 * against the length of that sound. Then one short transaction records
 * the stories (and, for an import, collections and settings). Objects
 * stored from the first step on are covered by the store lock held shared
 * until that transaction has ended (see library/store.c); when anything
 * fails, nothing is recorded, and the store's sweep, run at the end
 * whatever happened, removes what nobody refers to.
 */
#include "mediaInt.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- rules shared by every way in --------------------------------------- */

/*
 * When the story has no chapters of its own (front matter), takes those
 * embedded in its sound file at path (after intake). Chapters are kept in
 * the catalogue, so the editor sees them before they are published and
 * the build never opens originals for them.
 */
static int embedded_chapters(struct lib_story *s, const char *path, struct hearth_err *err)
{
	const struct lib_asset *sound = lib_story_sound(s);
	struct media_chapter *v = NULL;
	double d = sound ? sound->duration : 0;
	size_t n = 0;
	int rc;

	if (s->n_chapters)
		return 0;
	if ((rc = media_chapters_read(path, &v, &n, err)))
		return rc;
	s->chapters = n ? xcalloc(n, sizeof *s->chapters) : NULL;
	for (size_t i = 0; i < n; i++) {
		/* what decoded may be a little shorter than what the file says */
		if (d > 0 && v[i].start >= d)
			break;
		s->chapters[i].start = v[i].start;
		s->chapters[i].title = xstrdup(v[i].title);
		s->n_chapters++;
	}
	if (!s->n_chapters)
		xfree(&s->chapters);
	media_chapters_free(v, n);
	return 0;
}

/*
 * The slow part of a story's way in, shared by every way in: each asset
 * of s passes media_intake from paths[i] (the file as the user gave it,
 * also the name in messages) into the store; when s has no chapters, those
 * embedded in its sound (first audio, else first music) are taken; each
 * transcript is checked against the length of that sound. Fills the
 * assets as media_intake does and s->chapters (new allocations s then
 * owns). Writes no catalogue row. The caller holds the store lock shared
 * (lib_store_lock) until the story is recorded or given up. On a refusal
 * *bad (may be NULL) gets the index of the asset at fault.
 */
static int ingest_story(hearth_lib *lib, const struct media_limits *lim, struct lib_story *s,
			char *const *paths, size_t *bad, struct hearth_err *err)
{
	const struct lib_asset *sound;
	int rc;

	for (size_t i = 0; i < s->n_assets; i++)
		if ((rc = media_intake(lib, paths[i], paths[i], lim, &s->assets[i], err))) {
			if (bad)
				*bad = i;
			return rc;
		}
	sound = lib_story_sound(s);
	if (sound && !s->n_chapters &&
	    (rc = embedded_chapters(s, paths[sound - s->assets], err))) {
		if (bad)
			*bad = (size_t)(sound - s->assets);
		return rc;
	}
	/* the transcript against the sound, now that intake knows its length */
	for (size_t i = 0; i < s->n_assets; i++)
		if (s->assets[i].role == ROLE_TRANSCRIPT &&
		    (rc = media_transcript(paths[i], sound ? sound->duration : 0, NULL, NULL,
					   err))) {
			if (bad)
				*bad = i;
			return rc;
		}
	return 0;
}

/*
 * What a submitted file is for, from its content (libmagic), never its
 * name: USE_TRANSCRIPT (WebVTT, or SRT text named .srt/.vtt), USE_TEXT
 * (the story's body), USE_AUDIO (USE_MUSIC when music is set) or USE_ART.
 * Anything else is refused with a message naming path and what it is.
 */
static int detect_use(const char *path, bool music, enum media_use *use,
		      struct hearth_err *err)
{
	char *mime = NULL, *desc = NULL;
	const char *ext = path_ext(path);
	int rc;

	*use = USE_TEXT;
	if (!path_is_file(path))
		return herr(err, HEARTH_ENOENT, "'%s' does not exist or is not a file", path);
	if ((rc = media_sniff(path, &mime, &desc, err)))
		return rc;
	if (media_role_allows(USE_TRANSCRIPT, mime) &&
	    (!strcmp(mime, "text/vtt") || !strcmp(ext, "vtt") || !strcmp(ext, "srt")))
		*use = USE_TRANSCRIPT;
	else if (media_role_allows(USE_TEXT, mime))
		*use = USE_TEXT;
	else if (media_role_allows(USE_AUDIO, mime))
		*use = music ? USE_MUSIC : USE_AUDIO;
	else if (media_role_allows(USE_ART, mime))
		*use = USE_ART;
	else
		rc = herr(err, HEARTH_EINVAL,
			  "'%s' is %s; a story can hold text (Markdown or plain text), audio, "
			  "music, pictures and transcripts",
			  path, desc);
	free(mime);
	free(desc);
	return rc;
}

/* What each use is called in a refusal ("was sent as the recording"). */
static const char *use_word(enum media_use use)
{
	switch (use) {
	case USE_AUDIO: return "the recording";
	case USE_MUSIC: return "music";
	case USE_ART: return "a picture";
	case USE_TRANSCRIPT: return "the transcript";
	default: return "the story's text";
	}
}

/*
 * A file sent for a stated use (the web form's fields): its content must
 * be what that use allows; the refusal names the file, the use and what
 * the file really is.
 */
static int check_use(const char *path, enum media_use use, struct hearth_err *err)
{
	char *mime = NULL, *desc = NULL;
	int rc;

	if (!path_is_file(path))
		return herr(err, HEARTH_ENOENT, "'%s' does not exist or is not a file", path);
	if ((rc = media_sniff(path, &mime, &desc, err)))
		return rc;
	if (!media_role_allows(use, mime))
		rc = herr(err, HEARTH_EINVAL, "'%s' was sent as %s, but it is %s; %s must be %s",
			  path, use_word(use), desc, use_word(use),
			  media_role_expects(use));
	free(mime);
	free(desc);
	return rc;
}

/* ---- the store lock around the writes ---------------------------------- */

/* Ends a run: the lock is released, then the store swept if nobody holds it. */
static void finish_run(hearth_lib *lib, struct lib_store_lock **l)
{
	struct hearth_err ignored = {0};
	bool held = *l != NULL;
	lib_store_unlock(l);
	if (held)
		media_gc(lib, false, NULL, &ignored);
}

/* ---- a peer's submission ----------------------------------------------- */

/* Reads the story's text from path into body, once, within the story size limit. */
static int read_body(const char *path, int64_t max, struct buf *body, struct hearth_err *err)
{
	int rc;
	if (body->len)
		return herr(err, HEARTH_EINVAL,
			    "'%s': the story's text was already given; send it once, as text "
			    "or as a file",
			    path);
	if ((rc = file_read_max(path, max, "limits.max_story_size", body, err)))
		return rc;
	if (!text_valid(body->data, body->len))
		return herr(err, HEARTH_EINVAL, "'%s': the text is not valid UTF-8", path);
	return 0;
}

/* The story's text as typed (the web form), held to the limits a file's is. */
static int take_typed_body(const char *text, int64_t max, struct buf *body,
			   struct hearth_err *err)
{
	size_t n = strlen(text);
	if ((int64_t)n > max)
		return herr(err, HEARTH_EINVAL,
			    "text: the story is %zu bytes, more than limits.max_story_size (%lld)",
			    n, (long long)max);
	if (!text_valid(text, n))
		return herr(err, HEARTH_EINVAL, "text: is not valid UTF-8");
	buf_add(body, text, n);
	return 0;
}

/*
 * The work media_submit and media_revise share: what each file is (by
 * content, or as its stated use requires), the story's text (typed or
 * from one file), alt text for each picture, then intake of every file
 * into the store under the store lock (*l, held on return for the caller
 * to release after recording). s gets the assets and body (s->body points
 * into body); its strings stay the caller's except what intake fills.
 */
struct prepared {
	struct lib_story s;
	struct buf body;
	char **paths;
	size_t *file_of;   /* per asset: its index in sub->files */
	bool has_text;     /* a body was given, typed or as a file */
};

static void prepared_release(struct prepared *p)
{
	/* strings in s are the caller's; only what intake filled is ours */
	for (size_t i = 0; i < p->s.n_assets; i++) {
		free(p->s.assets[i].sha256);
		free(p->s.assets[i].mime);
		free(p->s.assets[i].codec);
	}
	free(p->s.assets);
	for (size_t i = 0; i < p->s.n_chapters; i++)
		free(p->s.chapters[i].title);
	free(p->s.chapters);
	buf_release(&p->body);
	strv_free(p->paths);
	free(p->file_of);
}

static int prepare(hearth_lib *lib, struct media_submission *sub, const struct lib_settings *set,
		   struct prepared *p, struct lib_store_lock **l, struct hearth_err *err)
{
	struct media_limits lim = {0};
	size_t n_alt = 0, bad = 0;
	int rc;

	media_limits_of(set, &lim);
	p->s = *sub->story;
	p->s.assets = xcalloc(sub->n_files + 1, sizeof *p->s.assets);
	p->file_of = xcalloc(sub->n_files + 1, sizeof *p->file_of);
	p->s.n_assets = 0;
	p->s.chapters = NULL;
	p->s.n_chapters = 0;
	p->s.body = NULL;
	if (sub->story->body && *sub->story->body) {
		if ((rc = take_typed_body(sub->story->body, set->max_story_size, &p->body, err)))
			return rc;
		p->has_text = true;
	}
	/* which file is what, by content, before anything is stored */
	for (size_t i = 0; i < sub->n_files; i++) {
		const char *f = sub->files[i];
		int given = sub->uses ? sub->uses[i] : -1;
		enum media_use use;
		sub->bad_file = (int)i;
		if (given > USE_TEXT) {
			return herr(err, HEARTH_EINVAL, "'%s': unknown use %d", f, given);
		} else if (given >= 0) {
			use = (enum media_use)given;
			if ((rc = check_use(f, use, err)))
				return rc;
		} else if ((rc = detect_use(f, sub->music, &use, err))) {
			return rc;
		}
		if (use == USE_TEXT) {
			if ((rc = read_body(f, set->max_story_size, &p->body, err)))
				return rc;
			p->has_text = true;
			continue;
		}
		p->file_of[p->s.n_assets] = i;
		struct lib_asset *a = &p->s.assets[p->s.n_assets++];
		a->role = (enum lib_role)use;
		a->filename = (char *)path_base(f);
		if (use == USE_ART) {
			if (n_alt >= strv_len(sub->alts) || !*sub->alts[n_alt]) {
				sub->needs_alt = f;
				return herr(err, HEARTH_EINVAL,
					    "'%s' is a picture and needs alternative text (one per "
					    "picture, in order)",
					    f);
			}
			a->alt = sub->alts[n_alt++];
		}
		p->paths = strv_push(p->paths, f);
	}
	sub->bad_file = -1;
	p->s.body = (char *)buf_cstr(&p->body);
	if ((rc = lib_store_lock(lib, LIB_LOCK_SHARED, true, l, err)))
		return rc;
	if ((rc = ingest_story(lib, &lim, &p->s, p->paths, &bad, err)))
		sub->bad_file = bad < p->s.n_assets ? (int)p->file_of[bad] : -1;
	return rc;
}

static void submission_start(struct media_submission *sub)
{
	sub->slug = NULL;
	sub->receipt = NULL;
	sub->held = false;
	sub->needs_alt = NULL;
	sub->bad_file = -1;
}

int media_submit(hearth_lib *lib, struct media_submission *sub, struct hearth_err *err)
{
	struct prepared p = {0};
	struct lib_settings set = {0};
	struct lib_store_lock *l = NULL;
	struct lib_submit_opts opts = {0};
	int rc;

	submission_start(sub);
	if ((rc = lib_settings_load(lib, &set, err)))
		return rc;
	/* a bad invitation is refused before any file is taken in */
	if (sub->invite && (rc = lib_invite_check(lib, sub->invite, err)))
		goto end;
	if ((rc = prepare(lib, sub, &set, &p, &l, err)))
		goto end;
	if (!p.has_text && p.s.n_assets == 0) {
		rc = herr(err, HEARTH_EINVAL,
			  "a story needs its text or at least one recording or picture");
		goto end;
	}
	opts.via = sub->via;
	opts.peer_confirms = sub->peer_confirms;
	opts.invite = sub->invite;
	if ((rc = lib_story_submit(lib, &p.s, &opts, &sub->slug, err)))
		goto end;
	sub->receipt = opts.receipt;
end:
	finish_run(lib, &l);
	prepared_release(&p);
	lib_settings_release(&set);
	return rc;
}

void media_submission_release(struct media_submission *sub)
{
	if (!sub)
		return;
	free(sub->slug);
	sub->slug = NULL;
	if (sub->receipt)
		memset(sub->receipt, 0, strlen(sub->receipt));
	free(sub->receipt);
	sub->receipt = NULL;
}

/* ---- an import --------------------------------------------------------- */

/*
 * The podcast image the settings file yaml names, checked as a cover
 * before anything is written: too small, it is refused with its name and
 * size; not square, it is taken with a note that the cover is its centre.
 * A file that does not parse, an unsafe path or a missing image is left to
 * lib_settings_import, which says what is wrong with it. With a salt, the
 * check goes through its memo (media_cover_check_cached), which the lean
 * hearth's next import reads (media_show_image_lookup).
 */
static int check_show_image(hearth_lib *lib, const char *salt, const char *yaml,
			    const struct media_limits *lim, char ***notes, struct hearth_err *err)
{
	struct media_info info;
	char sha[65];
	bool named;
	int rc;

	char *img = media_show_image(yaml, &named);
	if (!img)
		return 0;
	if (salt && sha256_file(img, sha, NULL) == 0)
		rc = media_cover_check_cached(lib, salt, img, sha, img, lim, &info, err);
	else
		rc = media_cover_check(img, img, lim, &info, err);
	if (!rc)
		media_cover_note(img, &info, notes);
	free(img);
	return rc;
}

/* Each asset's file inside its bundle; a new strv. */
static char **bundle_paths(const struct lib_story *s, const char *dir)
{
	char **v = NULL;
	for (size_t i = 0; i < s->n_assets; i++) {
		char *p = path_join(dir, s->assets[i].filename);
		v = strv_push(v, p);
		free(p);
	}
	return v;
}

/* A bundle's slug: its folder's name, trailing '/' aside. Returns a new allocation. */
static char *bundle_slug(const char *dir)
{
	char *d = xstrdup(dir);
	for (size_t n = strlen(d); n > 1 && d[n - 1] == '/'; n--)
		d[n - 1] = '\0';
	char *slug = xstrdup(path_base(d));
	free(d);
	return slug;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* True when the bundle at dir has the slug. */
static bool bundle_is(const char *dir, const char *slug)
{
	char *s = bundle_slug(dir);
	bool same = !strcmp(s, slug);
	free(s);
	return same;
}

/* Two bundles for one story would make the import's result depend on order. */
static int one_bundle_per_slug(char *const *bundles, struct hearth_err *err)
{
	size_t n = strv_len(bundles);
	char **slugs = xcalloc(n + 1, sizeof *slugs);
	int rc = 0;

	for (size_t i = 0; i < n; i++)
		slugs[i] = bundle_slug(bundles[i]);
	qsort(slugs, n, sizeof *slugs, cmp_str);
	for (size_t i = 0; i + 1 < n && !rc; i++)
		if (!strcmp(slugs[i], slugs[i + 1])) {
			/* name the two folders, in the order they were given */
			size_t a = 0, b;
			while (a < n && !bundle_is(bundles[a], slugs[i]))
				a++;
			for (b = a + 1; b < n && !bundle_is(bundles[b], slugs[i]); b++)
				;
			rc = herr(err, HEARTH_EINVAL, "two bundles have the slug '%s': %s and %s",
				  slugs[i], bundles[a], b < n ? bundles[b] : bundles[a]);
		}
	strv_free(slugs);
	return rc;
}

/*
 * The bundles to read: those whose files changed since the last import saw
 * them (lib_bundles_unchanged: stat() only). A new strv.
 */
static int changed_bundles(hearth_lib *lib, char *const *bundles,
			   const struct lib_settings *set, char ***out, struct hearth_err *err)
{
	size_t n = strv_len(bundles), k = 0;
	bool *same = xcalloc(n + 1, sizeof *same);
	int rc = lib_bundles_unchanged(lib, bundles, n, set, same, err);

	*out = xcalloc(n + 1, sizeof **out);
	for (size_t i = 0; i < n && !rc; i++)
		if (!same[i])
			(*out)[k++] = xstrdup(bundles[i]);
	free(same);
	return rc;
}

/* Reads and checks everything named before anything is stored or written. */
static int read_all(struct media_import *im, char *const *bundles,
		    const struct lib_settings *set, struct lib_story ***stories,
		    struct lib_collection ***colls, struct hearth_err *err)
{
	size_t nb = strv_len(bundles), nc = strv_len(im->collections);
	int rc;

	*stories = xcalloc(nb + 1, sizeof **stories);
	*colls = xcalloc(nc + 1, sizeof **colls);
	for (size_t i = 0; i < nb; i++)
		if ((rc = lib_bundle_read(bundles[i], set, &(*stories)[i], err)))
			return rc;
	for (size_t i = 0; i < nc; i++)
		if ((rc = lib_collection_read(im->collections[i], set, &(*colls)[i], err)))
			return rc;
	return 0;
}

/*
 * Tests only: with HEARTH_TEST_IMPORT_HOLD=PATH, an import that has taken
 * in every file (stored, under the store's shared lock) makes PATH.held
 * and waits, a minute at most, for PATH to exist before it records
 * anything, so a test can run other commands while an import is in
 * flight, however fast the machine. Without it, nothing.
 */
static void test_hold(void)
{
	const char *go = getenv("HEARTH_TEST_IMPORT_HOLD");
	if (!go || !*go)
		return;
	char *held = xasprintf("%s.held", go);
	struct hearth_err ignored;
	(void)file_write_atomic(held, "", 0, &ignored);
	free(held);
	const struct timespec step = {0, 50 * 1000 * 1000};
	for (int i = 0; i < 1200 && access(go, F_OK) != 0; i++)
		nanosleep(&step, NULL);
}

int media_import(hearth_lib *lib, struct media_import *im, struct hearth_err *err)
{
	struct lib_story **stories = NULL;
	struct lib_collection **colls = NULL;
	struct lib_store_lock *l = NULL;
	struct media_limits lim = {0};
	struct lib_settings set = {0};
	char **todo = NULL;
	size_t n_todo = 0;
	int rc;

	im->n_stories = strv_len(im->bundles);
	im->n_collections = strv_len(im->collections);
	im->n_changed = im->n_coll_changed = 0;
	im->notes = NULL;
	/* read and check everything before writing anything, within the limits */
	if ((rc = lib_settings_load(lib, &set, err)))
		goto end;
	media_limits_of(&set, &lim);
	/* a bundle none of whose files changed is not opened at all */
	if ((rc = one_bundle_per_slug(im->bundles, err)) ||
	    (rc = changed_bundles(lib, im->bundles, &set, &todo, err)))
		goto end;
	n_todo = strv_len(todo);
	if ((rc = read_all(im, todo, &set, &stories, &colls, err)))
		goto end;
	if (im->settings &&
	    (rc = check_show_image(lib, im->salt, im->settings, &lim, &im->notes, err)))
		goto end;
	if ((rc = lib_store_lock(lib, LIB_LOCK_SHARED, true, &l, err)))
		goto end;
	for (size_t i = 0; i < n_todo && !rc; i++) {
		char **paths = bundle_paths(stories[i], todo[i]);
		rc = ingest_story(lib, &lim, stories[i], paths, NULL, err);
		strv_free(paths);
	}
	if (!rc)
		test_hold();
	if (!rc)
		rc = lib_import_record(lib, todo, stories, n_todo, im->collections, colls,
				       im->n_collections, im->settings, &set, &im->report,
				       &im->n_changed, &im->n_coll_changed, err);
end:
	finish_run(lib, &l);
	for (size_t i = 0; stories && i < n_todo; i++)
		lib_story_free(&stories[i]);
	free(stories);
	for (size_t i = 0; colls && i < im->n_collections; i++)
		lib_collection_free(&colls[i]);
	free(colls);
	strv_free(todo);
	lib_settings_release(&set);
	return rc;
}

void media_import_release(struct media_import *im)
{
	if (im) {
		strv_free(im->notes);
		im->notes = NULL;
		buf_release(&im->report);
	}
}

/*
 * The revision as a whole story: what was given, and for the rest what the
 * story has now (title, summary, text, warnings, the files of every role
 * not given). Fills rev with borrowed strings and a new array of asset
 * copies (free rev->assets only).
 */
static void merge_revision(const struct prepared *p, const struct lib_story *old,
			   const struct lib_story *given, struct lib_story *rev)
{
	bool role_given[ROLE_COUNT] = {false};
	size_t n = 0;

	memset(rev, 0, sizeof *rev);
	rev->title = given->title && *given->title ? given->title : old->title;
	rev->summary = given->summary ? given->summary : old->summary;
	rev->body = p->has_text ? p->s.body : old->body;
	rev->warnings = given->warnings ? given->warnings : old->warnings;
	rev->chapters = p->s.chapters;
	rev->n_chapters = p->s.n_chapters;
	rev->assets = xcalloc(p->s.n_assets + old->n_assets + 1, sizeof *rev->assets);
	for (size_t i = 0; i < p->s.n_assets; i++) {
		role_given[p->s.assets[i].role] = true;
		rev->assets[n++] = p->s.assets[i];
	}
	for (size_t i = 0; i < old->n_assets; i++)
		if (!role_given[old->assets[i].role])
			rev->assets[n++] = old->assets[i];
	rev->n_assets = n;
}

int media_revise(hearth_lib *lib, const char *slug, const char *message,
		 struct media_submission *sub, struct hearth_err *err)
{
	struct prepared p = {0};
	struct lib_settings set = {0};
	struct lib_store_lock *l = NULL;
	struct lib_story *old = NULL, rev;
	int rc;

	submission_start(sub);
	memset(&rev, 0, sizeof rev);
	if ((rc = lib_settings_load(lib, &set, err)))
		return rc;
	if ((rc = lib_story_get(lib, slug, &old, err)))
		goto end;
	if ((rc = prepare(lib, sub, &set, &p, &l, err)))
		goto end;
	merge_revision(&p, old, sub->story, &rev);
	if ((rc = lib_story_revise(lib, slug, &rev, message, &sub->held, err)))
		goto end;
	sub->slug = xstrdup(slug);
end:
	finish_run(lib, &l);
	free(rev.assets);
	prepared_release(&p);
	lib_story_free(&old);
	lib_settings_release(&set);
	return rc;
}
