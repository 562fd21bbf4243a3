/*
 * keys.c - what an output file is made from, as a SHA-256: the public
 * records, the settings, the theme's files, the program and the
 * renditions, each fed field by field into a hash. Two builds that give a
 * file the same key give it the same bytes, so a build whose key for a
 * file matches the one the current site was built with takes the file as
 * it is (state.c) instead of making it again.
 *
 * The building programs are found here too (programs_find): their names
 * and identities key a build's inputs, their identities alone salt what
 * media/ remembers of their work (site_programs_salt).
 *
 * Every field of the records goes in, with its length or a mark for NULL,
 * so no two different records hash alike. The size checks below stop the
 * build from compiling when a record gains a field: add the field here
 * (or say why it cannot change an output file) and update the size.
 */
#include "pipelineInt.h"

#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#if UINTPTR_MAX == UINT64_MAX
_Static_assert(sizeof(struct pub_story) == 176, "pub_story changed: hash the new field in keys.c");
_Static_assert(sizeof(struct pub_asset) == 64, "pub_asset changed: hash the new field in keys.c");
_Static_assert(sizeof(struct pub_chapter) == 16, "pub_chapter changed: hash the new field in keys.c");
_Static_assert(sizeof(struct pub_collection) == 56, "pub_collection changed: hash it in keys.c");
_Static_assert(sizeof(struct lib_settings) == 432, "lib_settings changed: hash it in keys.c");
_Static_assert(sizeof(struct site_media) == 200, "site_media changed: hash the new field in keys.c");
_Static_assert(sizeof(struct site_audio) == 64, "site_audio changed: hash the new field in keys.c");
_Static_assert(sizeof(struct site_art) == 136, "site_art changed: hash the new field in keys.c");
#endif

void key_str(struct sha256 *h, const char *s)
{
	if (!s) {
		sha256_update(h, "\x01", 1); /* NULL differs from "" */
		return;
	}
	uint64_t n = strlen(s);
	sha256_update(h, "\x02", 1);
	sha256_update(h, &n, sizeof n);
	sha256_update(h, s, n);
}

void key_int(struct sha256 *h, int64_t v)
{
	sha256_update(h, &v, sizeof v);
}

static void key_dbl(struct sha256 *h, double v)
{
	sha256_update(h, &v, sizeof v);
}

static void key_strv(struct sha256 *h, char *const *v)
{
	key_int(h, (int64_t)strv_len(v));
	for (size_t i = 0; v && v[i]; i++)
		key_str(h, v[i]);
}

/* The fields of a story a list's card shows. */
static void key_listed(struct sha256 *h, const struct pub_story *s)
{
	key_str(h, s->slug);
	key_str(h, s->byline);
	key_str(h, s->title);
	key_str(h, s->summary);
	key_int(h, s->published_at);
	key_str(h, s->language);
	key_str(h, s->license);
	key_strv(h, s->warnings);
	key_strv(h, s->themes);
	key_strv(h, s->tags);
	key_int(h, s->season);
	key_int(h, s->episode);
}

/* The fields of a story no list's card shows. */
static void key_unlisted(struct sha256 *h, const struct pub_story *s)
{
	key_str(h, s->guid);
	key_int(h, s->anonymous);
	key_int(h, s->updated_at);
	key_int(h, s->on_site);
	key_int(h, s->on_podcast);
	key_int(h, (int64_t)s->n_assets);
	for (size_t i = 0; i < s->n_assets; i++) {
		const struct pub_asset *a = &s->assets[i];
		key_int(h, a->role);
		key_str(h, a->sha256);
		key_str(h, a->mime);
		key_str(h, a->alt);
		key_int(h, a->size);
		key_dbl(h, a->duration);
		key_int(h, a->width);
		key_int(h, a->height);
		key_int(h, a->index);
	}
	key_int(h, s->sound ? (int64_t)(s->sound - s->assets) : -1);
	key_int(h, (int64_t)s->n_chapters);
	for (size_t i = 0; i < s->n_chapters; i++) {
		key_dbl(h, s->chapters[i].start);
		key_str(h, s->chapters[i].title);
	}
	/* the body by its hash: a view read without bodies still keys them */
	if (s->body_sha256) {
		key_str(h, s->body_sha256);
	} else {
		char sha[65];
		sha256_hex(s->body ? s->body : "", s->body ? strlen(s->body) : 0, sha);
		key_str(h, sha);
	}
}

void key_story(struct sha256 *h, const struct pub_story *s)
{
	key_listed(h, s);
	key_unlisted(h, s);
}

/* Entries [from, to) of a part of key_entries' work. */
struct key_part {
	struct site_entry *e;
	size_t from, to;
};

static void *key_part(void *arg)
{
	const struct key_part *p = arg;
	for (size_t i = p->from; i < p->to; i++) {
		struct site_entry *e = &p->e[i];
		struct sha256 h;
		sha256_init(&h);
		key_listed(&h, e->s);
		sha256_final(&h, e->list_key);
		/* the whole record: what a card shows by its digest, then the rest */
		sha256_init(&h);
		key_str(&h, "story by its listing");
		sha256_update(&h, e->list_key, sizeof e->list_key);
		key_unlisted(&h, e->s);
		sha256_final(&h, e->key);
	}
	return NULL;
}

/* From this many entries the second half is hashed on a second thread. */
#define KEY_SPLIT 2048

void key_entries(struct site_entry *e, size_t n)
{
	struct key_part a = {e, 0, n}, b = {e, n, n};
	if (n >= KEY_SPLIT)
		a.to = b.from = n / 2;
	run_pair(key_part, &a, &b, n >= KEY_SPLIT);
}

void key_entry_story(struct sha256 *h, const struct site_entry *e)
{
	static const unsigned char none[sizeof e->key];
	/* entries no key_entries saw (a caller that made its own) key the record itself */
	if (!memcmp(e->key, none, sizeof none)) {
		key_str(h, "record");
		key_story(h, e->s);
		return;
	}
	sha256_update(h, e->key, sizeof e->key);
}

/*
 * What a list shows of a story: the fields of its card, hashed once per
 * build into the entry's list_key (key_entries), since every list page,
 * the home page and the pages of themes, tags and contributors key their
 * stories by it. An edit of a field no card shows (the body) remakes no
 * list.
 */
void key_listing(struct sha256 *h, const struct site_entry *e)
{
	static const unsigned char none[sizeof e->list_key];
	key_int(h, e->on_site);
	key_int(h, e->m.n_audio > 0);
	if (!memcmp(e->list_key, none, sizeof none))
		key_listed(h, e->s);
	else
		sha256_update(h, e->list_key, sizeof e->list_key);
}

static void key_image(struct sha256 *h, const struct site_image *im)
{
	key_str(h, im->src);
	key_int(h, im->width);
	key_int(h, im->height);
}

/* What a page shows of a piece of art: its largest JPEG, alt text and every size. */
static void key_art(struct sha256 *h, const struct site_art *a)
{
	key_str(h, a->src);
	key_str(h, a->alt);
	key_int(h, a->width);
	key_int(h, a->height);
	key_int(h, (int64_t)a->n_sizes);
	for (size_t k = 0; k < a->n_sizes; k++) {
		key_image(h, &a->jpeg[k]);
		key_image(h, &a->webp[k]);
	}
}

void key_media(struct sha256 *h, const struct site_media *m)
{
	key_int(h, (int64_t)m->n_audio);
	for (size_t i = 0; i < m->n_audio; i++) {
		const struct site_audio *a = &m->audio[i];
		key_str(h, a->src);
		key_int(h, a->role);
		key_int(h, a->size);
		key_dbl(h, a->duration);
		key_str(h, a->m4a_src);
		key_int(h, a->m4a_size);
		key_str(h, a->peaks_src);
		key_str(h, a->waveform_src);
	}
	key_int(h, (int64_t)m->n_art);
	for (size_t i = 0; i < m->n_art; i++) {
		key_str(h, m->art[i].stem);
		key_art(h, &m->art[i]);
	}
	key_str(h, m->cover_src);
	key_str(h, m->vtt_src);
	key_str(h, m->transcript);
	key_int(h, (int64_t)m->n_cues);
	for (size_t i = 0; i < m->n_cues; i++)
		key_int(h, m->cue_ms[i]);
	key_str(h, m->chapters_src);
}

void key_collection(struct sha256 *h, const struct pub_collection *c)
{
	key_str(h, c->slug);
	key_str(h, c->title);
	key_str(h, c->description);
	key_int(h, c->podcast);
	key_int(h, c->serial);
	key_strv(h, c->stories);
	key_strv(h, c->episodes);
}

void key_collection_head(struct sha256 *h, const struct pub_collection *c)
{
	key_str(h, c->slug);
	key_str(h, c->title);
	key_str(h, c->description);
}

void key_settings(struct sha256 *h, const struct lib_settings *s, bool all)
{
	/* what pages and the feed show */
	key_str(h, s->title);
	key_str(h, s->description);
	key_str(h, s->base_url);
	key_str(h, s->language);
	key_str(h, s->author);
	key_str(h, s->category);
	key_str(h, s->subcategory);
	key_int(h, s->explicit_);
	key_str(h, s->image);
	key_str(h, s->license);
	key_str(h, s->site_crisis_line);
	key_str(h, s->site_crisis_url);
	key_str(h, s->site_theme); /* and the theme's files, in key_themes */
	key_str(h, s->site_server_url); /* the about page's link to the receipts */
	/*
	 * Not the stored podcast GUID: the first podcast build stores it, so
	 * it is unset before that build and set after, for the same feed. The
	 * feed's key holds the GUID the feed shows.
	 */
	if (!all)
		return;
	key_feed_settings(h, s);
	/* what the renditions are made with, or whether they can be */
	key_int(h, s->max_file_size);
	key_dbl(h, s->max_duration);
	key_int(h, s->max_pixels);
	key_int(h, s->max_story_size);
	key_int(h, s->max_collection_size);
	key_dbl(h, s->loudness);
	key_dbl(h, s->true_peak);
	key_int(h, s->speech_kbps);
	key_int(h, s->music_kbps);
	/* the serve and deploy settings change no output file */
}

void key_feed_settings(struct sha256 *h, const struct lib_settings *s)
{
	key_str(h, s->owner_name);
	key_str(h, s->owner_email);
	key_int(h, s->locked);
	key_int(h, (int64_t)s->n_people);
	for (size_t i = 0; i < s->n_people; i++) {
		key_str(h, s->people[i].name);
		key_str(h, s->people[i].role);
		key_str(h, s->people[i].href);
		key_str(h, s->people[i].img);
	}
	key_str(h, s->funding_url);
	key_str(h, s->funding_label);
	key_int(h, (int64_t)s->n_txt);
	for (size_t i = 0; i < s->n_txt; i++) {
		key_str(h, s->txt[i].purpose);
		key_str(h, s->txt[i].value);
	}
	key_str(h, s->social_interact);
	key_str(h, s->update_text);
	key_str(h, s->update_rrule);
	key_int(h, s->complete);
	key_str(h, s->new_feed_url);
	key_str(h, s->license_url);
	key_str(h, s->media_url);
	/* not the stored media origin, for the reason of the GUID's */
	key_int(h, s->archive_after);
	key_strv(h, s->notify_hubs); /* the feeds name their hubs */
	/* notify.podcastindex*, after_build: what notify does, no output file */
}

/* The file at path as device, inode, size and times: not its name. */
static void key_identity(struct sha256 *h, const char *path)
{
	struct stat st;
	if (!path || stat(path, &st) != 0) {
		key_int(h, -1);
		return;
	}
	key_int(h, (int64_t)st.st_dev);
	key_int(h, (int64_t)st.st_ino);
	key_int(h, (int64_t)st.st_size);
	key_int(h, (int64_t)st.st_mtim.tv_sec);
	key_int(h, (int64_t)st.st_mtim.tv_nsec);
	key_int(h, (int64_t)st.st_ctim.tv_sec);
	key_int(h, (int64_t)st.st_ctim.tv_nsec);
}

void key_file_id(struct sha256 *h, const char *path)
{
	key_str(h, path);
	key_identity(h, path);
}

char *pipe_theme_dir(const char *opt, const struct lib_settings *set, const char *lib_dir,
		     const char *def_theme)
{
	if (opt)
		return xstrdup(opt);
	if (set && set->site_theme) {
		char *themes = path_join(lib_dir ? lib_dir : ".", "themes");
		char *dir = path_join(themes, set->site_theme);
		free(themes);
		return dir;
	}
	return xstrdup(def_theme);
}

void key_themes(const char *theme_dir, const char *def_theme, char out[65])
{
	struct sha256 h;
	sha256_init(&h);
	key_tree(&h, theme_dir);
	if (theme_dir && def_theme && !strcmp(theme_dir, def_theme))
		key_str(&h, "the default theme itself");
	else
		key_tree(&h, def_theme);
	key_hex(&h, out);
}

void key_tree(struct sha256 *h, const char *dir)
{
	key_str(h, dir);
	if (!dir)
		return;
	char **names = dir_list(dir, true);
	for (size_t i = 0; names && names[i]; i++) {
		char *p = path_join(dir, names[i]);
		key_str(h, names[i]);
		if (path_is_dir(p)) {
			key_tree(h, p);
		} else {
			struct buf b = BUF_INIT;
			struct hearth_err ignored;
			if (file_read(p, &b, &ignored) == 0) {
				key_int(h, (int64_t)b.len);
				sha256_update(h, b.data ? b.data : "", b.len);
			} else {
				key_int(h, -1);
			}
			buf_release(&b);
		}
		free(p);
	}
	key_int(h, -2); /* the end of the folder */
	strv_free(names);
}

void key_rendition(const char *cached, char out[65])
{
	struct sha256 h;
	sha256_init(&h);
	key_str(&h, "rendition");
	key_identity(&h, cached); /* the same file whichever way it is named */
	sha256_final_hex(&h, out);
}

void key_hex(struct sha256 *h, char out[65])
{
	sha256_final_hex(h, out);
}

/* ---- the pages a reader browses by --------------------------------------- */

void key_group_head(struct sha256 *h, const struct site_group *g)
{
	key_str(h, g->slug);
	key_str(h, g->name);
	key_int(h, (int64_t)g->l.n);
}

void key_listing_more(struct sha256 *h, const struct site_entry *e)
{
	/* the byline's link: none for a story shared anonymously */
	key_int(h, e->s->anonymous);
	key_int(h, (int64_t)e->m.n_art);
	if (e->m.n_art)
		key_art(h, &e->m.art[0]);
}

void key_search_labels(struct sha256 *h, const struct pub_story *s)
{
	key_strv(h, s->themes);
	key_strv(h, s->tags);
	key_strv(h, s->warnings);
}

void key_search_entry(struct sha256 *h, const struct site_entry *e)
{
	const struct pub_story *s = e->s;
	/*
	 * Only what the index holds, not the whole record's digest: no dates
	 * or other fields that differ between two libraries of the same
	 * stories, whose stories.txt (which shows these keys) must be the
	 * same bytes. The key covers the slug.
	 */
	key_str(h, s->slug);
	key_str(h, s->title);
	key_str(h, s->summary);
	if (s->body_sha256) {
		key_str(h, s->body_sha256);
	} else {
		char sha[65];
		sha256_hex(s->body ? s->body : "", s->body ? strlen(s->body) : 0, sha);
		key_str(h, sha);
	}
	key_search_labels(h, s);
	key_int(h, (int64_t)s->n_assets); /* the kind */
	for (size_t i = 0; i < s->n_assets; i++)
		key_int(h, s->assets[i].role);
	key_str(h, e->m.transcript);
}

/* ---- the building programs ---------------------------------------------- */

int pipe_cores(int jobs)
{
	if (jobs > 0)
		return jobs;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	return cpus > 0 ? (int)cpus : 1;
}

void programs_find(struct programs *p, const char *media)
{
	char *self = NULL;
	size_t cap = 256;
	ssize_t n = 0;

	p->media = p->site = NULL;
	if (media) { /* the lean hearth, which names hearth-media */
		char *dir = path_dir(media);
		p->media = xstrdup(media);
		p->site = path_join(dir, "hearth-site");
		free(dir);
		return;
	}
	for (;;) {
		self = xrealloc(self, cap);
		n = readlink("/proc/self/exe", self, cap);
		if (n < 0 || (size_t)n < cap)
			break;
		cap *= 2;
	}
	if (n > 0) {
		self[n] = '\0';
		const char *base = path_base(self);
		if (!strcmp(base, "hearth-media") || !strcmp(base, "hearth-site")) {
			char *dir = path_dir(self);
			p->media = path_join(dir, "hearth-media");
			p->site = path_join(dir, "hearth-site");
			free(dir);
		}
	}
	free(self);
	if (!p->media)
		p->media = xstrdup("/proc/self/exe");
}

void programs_release(struct programs *p)
{
	xfree(&p->media);
	xfree(&p->site);
}

void key_programs(struct sha256 *h, const struct programs *p)
{
	key_file_id(h, p->media);
	key_file_id(h, p->site);
}

/*
 * By the programs' identities alone, not their names: the lean hearth
 * names hearth-media by the path it found it at, which may not be the
 * one hearth-media reads as its own.
 */
void programs_salt(const struct programs *p, char out[65])
{
	struct sha256 h;
	sha256_init(&h);
	key_str(&h, "hearth media memo 2");
	key_identity(&h, p->media);
	key_identity(&h, p->site);
	key_hex(&h, out);
}

void site_programs_salt(const char *media, char out[65])
{
	struct programs p;
	programs_find(&p, media);
	programs_salt(&p, out);
	programs_release(&p);
}
