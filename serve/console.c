/*
 * console.c - the editors' console under /editor: signing in and out, the
 * review queue, a story as submitted (text, transcript, art, a player for
 * its sound, the messages with the peer, its history, a pending revision)
 * with the forms that act on it, collections, feedback, the audit log,
 * and a build started from the browser and watched while it runs.
 *
 * Every page is built with the HTML writer (html.c), so whatever came from
 * the catalogue or from anyone's typing is text or an attribute value and
 * never markup. Every rule is the library's: a handler parses the form,
 * makes one library call, and answers 303 back to the page with a notice
 * or 422 with the page and the library's refusal in words. The build runs
 * as a child process (`hearth -C LIBRARY build`), never on a request's
 * thread; its state is kept here, one build at a time.
 */
#include "serveInt.h"
#include "../media/intake.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* What one signed-in request works with. */
struct con {
	struct req *r;
	const struct lib_editor *ed;
	hearth_lib *lib;
	struct hearth_err err;
};

/* The most rows the audit page shows. */
enum { AUDIT_ROWS = 200 };
/* The most of a transcript, and of the build's output, shown on a page. */
enum { SHOW_TEXT_MAX = 256 * 1024, SHOW_LOG_MAX = 64 * 1024 };

/* ---- small pieces ------------------------------------------------------ */

static bool is_get(struct req *r)
{
	return !strcmp(req_method(r), "GET") || !strcmp(req_method(r), "HEAD");
}

static bool is_post(struct req *r)
{
	return !strcmp(req_method(r), "POST");
}

/* A field as typed, or NULL when absent or only white space. */
static const char *given(struct req *r, const char *name)
{
	const char *v = req_field(r, name);
	if (!v)
		return NULL;
	for (const char *p = v; *p; p++)
		if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
			return v;
	return NULL;
}

/* A checkbox of the form: ticked when sent with the value "yes". */
static bool ticked(struct req *r, const char *name)
{
	const char *v = req_field(r, name);
	return v && !strcmp(v, "yes");
}

/* A time for people ("2026-05-10 14:30 UTC"); "" for 0. */
static void when(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	out[0] = '\0';
	if (t > 0 && gmtime_r(&tt, &tm))
		strftime(out, 32, "%Y-%m-%d %H:%M UTC", &tm);
}

/* <time datetime=ISO>when</time> */
static void html_when(struct html *h, int64_t t)
{
	char iso[21], text[32];
	if (t <= 0) {
		html_text(h, "never");
		return;
	}
	date_iso(t, iso);
	when(t, text);
	html_elem(h, "time", text, "datetime", iso, NULL);
}

/* A library message as a sentence: capital first letter, full stop. */
static char *sentence(const char *msg)
{
	size_t n = strlen(msg);
	char *s = xasprintf("%s%s", msg,
			    n && strchr(".!?", msg[n - 1]) ? "" : ".");
	if (s[0] >= 'a' && s[0] <= 'z')
		s[0] = (char)(s[0] - 'a' + 'A');
	return s;
}

/* Codes the library uses to say no to a request (as opposed to failing). */
static bool refusal(int code)
{
	return code == HEARTH_EINVAL || code == HEARTH_ESTATE || code == HEARTH_ECONSENT ||
	       code == HEARTH_ENOENT || code == HEARTH_EEXIST || code == HEARTH_EPERM;
}

static const char *status_words(enum lib_status s)
{
	switch (s) {
	case ST_SUBMITTED: return "submitted, waiting for review";
	case ST_IN_REVIEW: return "in review";
	case ST_CHANGES_REQUESTED: return "changes requested from the peer";
	case ST_APPROVED: return "approved, not yet published";
	case ST_PUBLISHED: return "published";
	case ST_WITHDRAWN: return "withdrawn";
	case ST_REJECTED: return "rejected";
	default: return "unknown";
	}
}

/* The notices a page shows after a form was accepted (?done=KEY). */
static const struct {
	const char *key, *text;
} notices[] = {
	{"signout", "You have signed out."},
	{"review", "The review is recorded."},
	{"consent", "Consent is recorded."},
	{"publish", "The story is published. It appears on the site after the next build."},
	{"schedule", "The story is scheduled. It appears after its date, at a build."},
	{"revision", "The decision on the revision is recorded."},
	{"withdraw", "The story is withdrawn. The next build takes it off the site and the feed."},
	{"erase", "The story is erased: its files and personal details are gone."},
	{"collection", "The collection is saved."},
	{"build", "The build has started."},
};

static void write_notice(struct html *h, struct req *r)
{
	const char *key = req_field(r, "done");
	if (!key)
		return;
	for (size_t i = 0; i < sizeof notices / sizeof notices[0]; i++)
		if (!strcmp(key, notices[i].key)) {
			html_elem(h, "p", notices[i].text, "role", "status", "class", "notice", NULL);
			return;
		}
}

static void write_nav(struct html *h, struct req *r)
{
	static const char *const links[][2] = {
		{"/editor", "Queue"},
		{"/editor/collections", "Collections"},
		{"/editor/feedback", "Feedback"},
		{"/editor/build", "Build"},
		{"/editor/audit", "Audit log"},
	};
	html_open(h, "nav", "aria-label", "Console", "class", "console-nav", NULL);
	html_open(h, "ul", NULL);
	for (size_t i = 0; i < sizeof links / sizeof links[0]; i++) {
		html_open(h, "li", NULL);
		html_elem(h, "a", links[i][1], "href", links[i][0], NULL);
		html_close(h);
	}
	html_open(h, "li", NULL);
	html_form(h, r, "/editor/signout", false);
	html_elem(h, "button", "Sign out", "type", "submit", NULL);
	html_close(h);
	html_close(h);
	html_close(h);
	html_close(h);
}

/*
 * Starts a console page that reloads itself every refresh seconds (0:
 * never): the frame, the nav (when signed in), the heading, the notice of
 * ?done= and alert (may be NULL) as role="alert".
 */
static void page_begin_refresh(struct html *h, struct req *r, const char *title, bool nav,
			       const char *alert, unsigned refresh)
{
	const struct lib_settings *set = req_settings(r);
	html_begin_refresh(h, set && set->language ? set->language : "en",
			   set && set->title ? set->title : "Hearth", title, refresh);
	if (nav)
		write_nav(h, r);
	html_elem(h, "h1", title, NULL);
	if (alert) {
		char *s = sentence(alert);
		html_elem(h, "p", s, "role", "alert", "class", "alert", NULL);
		free(s);
	} else {
		write_notice(h, r);
	}
}

static void page_begin(struct html *h, struct req *r, const char *title, bool nav,
		       const char *alert)
{
	page_begin_refresh(h, r, title, nav, alert, 0);
}

static void page_finish(struct html *h, struct req *r, unsigned status)
{
	html_end(h);
	resp_html(r, status, h);
	html_release(h);
}

/* A page that only says something. */
static void message_page(struct req *r, unsigned status, const char *title, const char *text,
			 bool nav)
{
	struct html h = {0};
	page_begin(&h, r, title, nav, NULL);
	html_elem(&h, "p", text, NULL);
	page_finish(&h, r, status);
}

static void server_error(struct req *r, const struct hearth_err *err)
{
	char *s = sentence(err->msg[0] ? err->msg : "the catalogue could not be read");
	struct html h = {0};
	page_begin(&h, r, "Something went wrong", true, NULL);
	html_elem(&h, "p", "The server could not finish this. Nothing more was changed.", NULL);
	html_elem(&h, "p", s, NULL);
	page_finish(&h, r, 500);
	free(s);
}

static void not_found(struct req *r)
{
	message_page(r, 404, "Not found", "There is no such page in the console.", true);
}

/* <p><label>text <input ...></label></p> for a one-line field. */
static void input_field(struct html *h, const char *label, const char *type, const char *name,
			const char *value, bool required)
{
	html_open(h, "p", NULL);
	html_open(h, "label", NULL);
	html_text(h, label);
	html_text(h, " ");
	html_void(h, "input", "type", type, "name", name, "value", value, "required",
		  required ? "" : NULL, NULL);
	html_close(h);
	html_close(h);
}

static void textarea_field(struct html *h, const char *label, const char *name, const char *hint)
{
	html_open(h, "p", NULL);
	html_open(h, "label", NULL);
	html_text(h, label);
	if (hint) {
		html_text(h, " ");
		html_elem(h, "small", hint, NULL);
	}
	html_void(h, "br", NULL);
	html_elem(h, "textarea", "", "name", name, "rows", "3", "cols", "60", NULL);
	html_close(h);
	html_close(h);
}

static void checkbox_field(struct html *h, const char *label, const char *name, bool checked)
{
	html_open(h, "p", NULL);
	html_open(h, "label", "class", "check", NULL);
	html_void(h, "input", "type", "checkbox", "name", name, "value", "yes", "checked",
		  checked ? "" : NULL, NULL);
	html_text(h, " ");
	html_text(h, label);
	html_close(h);
	html_close(h);
}

static void hidden(struct html *h, const char *name, const char *value)
{
	html_void(h, "input", "type", "hidden", "name", name, "value", value, NULL);
}

static void button(struct html *h, const char *text)
{
	html_elem(h, "button", text, "type", "submit", NULL);
}

static void dl_row(struct html *h, const char *term, const char *value)
{
	html_elem(h, "dt", term, NULL);
	html_elem(h, "dd", value && *value ? value : "none", NULL);
}

/* Reads at most max bytes of a file (its end when tail) into out. */
static int read_part(const char *path, size_t max, bool tail, struct buf *out)
{
	char chunk[8192];
	struct stat st;
	size_t left = max;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return -1;
	}
	if (tail && (uint64_t)st.st_size > max)
		lseek(fd, st.st_size - (off_t)max, SEEK_SET);
	while (left > 0) {
		ssize_t n = read(fd, chunk, left < sizeof chunk ? left : sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		buf_add(out, chunk, (size_t)n);
		left -= (size_t)n;
	}
	close(fd);
	return 0;
}

/*
 * Text that is shown as it is (a transcript, the build's output): a start
 * cut inside a character is skipped, and anything that is not valid UTF-8
 * or is a control character other than tab and line break becomes '?'.
 */
static void clean_text(struct buf *b)
{
	size_t skip = 0;
	if (!b->len)
		return;
	while (skip < b->len && skip < 3 && ((unsigned char)b->data[skip] & 0xC0) == 0x80)
		skip++;
	if (skip) {
		memmove(b->data, b->data + skip, b->len - skip + 1);
		b->len -= skip;
	}
	if (text_valid(b->data, b->len))
		return;
	for (size_t i = 0; i < b->len; i++) {
		unsigned char c = (unsigned char)b->data[i];
		if (c >= 0x80 || (c < 0x20 && c != '\n' && c != '\t'))
			b->data[i] = '?';
	}
}

/* ---- signing in and out ------------------------------------------------ */

static void signin_page(struct req *r, unsigned status, const char *alert)
{
	struct html h = {0};
	page_begin(&h, r, "Sign in to the console", false, alert);
	html_form(&h, r, "/editor/signin", false);
	html_open(&h, "p", NULL);
	html_open(&h, "label", NULL);
	html_text(&h, "Name ");
	html_void(&h, "input", "type", "text", "name", "name", "autocomplete", "username",
		  "required", "", NULL);
	html_close(&h);
	html_close(&h);
	html_open(&h, "p", NULL);
	html_open(&h, "label", NULL);
	html_text(&h, "Password ");
	html_void(&h, "input", "type", "password", "name", "password", "autocomplete",
		  "current-password", "required", "", NULL);
	html_close(&h);
	html_close(&h);
	button(&h, "Sign in");
	html_close(&h);
	page_finish(&h, r, status);
}

static void signin(struct req *r)
{
	struct lib_editor ed = {0};
	struct hearth_err err = {0};
	hearth_lib *lib = NULL;
	const char *name, *password;
	unsigned wait = 0;
	int rc;

	if (is_get(r)) {
		if (guard_editor(r, &ed)) {
			lib_editor_release(&ed);
			resp_redirect(r, "/editor");
		} else {
			signin_page(r, 200, NULL);
		}
		return;
	}
	if (!is_post(r)) {
		not_found(r);
		return;
	}
	if (!guard_rate(r, RATE_SIGNIN, &wait)) {
		resp_slow_down(r, wait);
		return;
	}
	if (!guard_form_ok(r)) {
		signin_page(r, 403, "the form had expired; please sign in again");
		return;
	}
	name = req_field(r, "name");
	password = req_field(r, "password");
	if (!name || !password || !*name || !*password) {
		signin_page(r, 403, LIB_SIGNIN_REFUSED);
		return;
	}
	if ((rc = req_lib(r, "sign-in", &lib, &err))) {
		server_error(r, &err);
		return;
	}
	rc = lib_editor_check(lib, name, password, &ed, &err);
	if (rc) {
		if (rc == HEARTH_EPERM || rc == HEARTH_ENOENT || rc == HEARTH_EINVAL)
			signin_page(r, 403, LIB_SIGNIN_REFUSED);
		else
			server_error(r, &err);
		return;
	}
	if (guard_sign_in(r, ed.id, &err))
		server_error(r, &err);
	else
		resp_redirect(r, "/editor");
	lib_editor_release(&ed);
}

/* ---- the queue --------------------------------------------------------- */

struct queue_row {
	const struct lib_story *s;
	char *next;  /* what it waits for (approved stories); may be NULL */
	char *via;
};

static void queue_table(struct html *h, const char *caption, struct queue_row *rows, size_t n,
			bool with_next)
{
	char cap[160];
	snprintf(cap, sizeof cap, "%s (%zu)", caption, n);
	html_open(h, "table", NULL);
	html_elem(h, "caption", cap, NULL);
	html_open(h, "thead", NULL);
	html_open(h, "tr", NULL);
	html_elem(h, "th", "Story", "scope", "col", NULL);
	html_elem(h, "th", "Came in", "scope", "col", NULL);
	html_elem(h, "th", "Last change", "scope", "col", NULL);
	if (with_next)
		html_elem(h, "th", "Next step", "scope", "col", NULL);
	html_close(h);
	html_close(h);
	html_open(h, "tbody", NULL);
	if (!n) {
		html_open(h, "tr", NULL);
		html_elem(h, "td", "None.", "colspan", with_next ? "4" : "3", NULL);
		html_close(h);
	}
	for (size_t i = 0; i < n; i++) {
		char *href = xasprintf("/editor/story/%s", rows[i].s->slug);
		html_open(h, "tr", NULL);
		html_open(h, "td", NULL);
		html_elem(h, "a", rows[i].s->title && *rows[i].s->title ? rows[i].s->title : rows[i].s->slug,
			  "href", href, NULL);
		html_close(h);
		html_elem(h, "td", rows[i].via ? rows[i].via : "", NULL);
		html_open(h, "td", NULL);
		html_when(h, rows[i].s->updated_at);
		html_close(h);
		if (with_next)
			html_elem(h, "td", rows[i].next ? rows[i].next : "", NULL);
		html_close(h);
		free(href);
	}
	html_close(h);
	html_close(h);
}

enum { Q_SUBMITTED, Q_REVIEW, Q_CHANGES, Q_APPROVED, Q_REVISION, Q_ERASURE, Q_KINDS };

/*
 * True when an erasure a peer asked for is still to be done: the request
 * stays recorded after the story is erased, so its history is asked
 * whether an erasure came after it.
 */
static int erasure_waits(struct con *c, const struct lib_story *s,
			 const struct lib_story_peer *p, bool *waits)
{
	struct lib_audit *a = NULL;
	size_t n = 0;
	int rc;

	*waits = false;
	if (s->status != ST_WITHDRAWN || !p->erasure_requested_at)
		return 0;
	if ((rc = lib_audit_list(c->lib, s->slug, &a, &n, &c->err)))
		return rc;
	*waits = true;
	for (size_t i = 0; i < n; i++)
		if (a[i].action && !strcmp(a[i].action, "erase") &&
		    a[i].at >= p->erasure_requested_at)
			*waits = false;
	lib_audit_free(a, n);
	return 0;
}

static void queue_page(struct con *c)
{
	static const char *const captions[Q_KINDS] = {
		"Submitted, waiting for review",
		"In review",
		"Changes requested, waiting for the peer",
		"Approved",
		"Published, with a revision waiting for review",
		"Erasure requested",
	};
	struct lib_story **all = NULL;
	size_t n_all = 0, n[Q_KINDS] = {0};
	struct queue_row *rows[Q_KINDS] = {0};
	struct html h = {0};
	int rc;

	if ((rc = lib_story_list(c->lib, -1, &all, &n_all, &c->err)))
		goto end;
	for (int k = 0; k < Q_KINDS; k++)
		rows[k] = xcalloc(n_all ? n_all : 1, sizeof **rows);
	for (size_t i = 0; i < n_all; i++) {
		struct lib_story *s = all[i];
		struct lib_story_peer p = {0};
		bool erase = false;
		int k = -1;
		if ((rc = lib_story_peer_get(c->lib, s->slug, &p, &c->err)))
			goto end;
		if ((rc = erasure_waits(c, s, &p, &erase))) {
			lib_story_peer_release(&p);
			goto end;
		}
		switch (s->status) {
		case ST_SUBMITTED: k = Q_SUBMITTED; break;
		case ST_IN_REVIEW: k = Q_REVIEW; break;
		case ST_CHANGES_REQUESTED: k = Q_CHANGES; break;
		case ST_APPROVED: k = Q_APPROVED; break;
		case ST_PUBLISHED: k = p.has_revision ? Q_REVISION : -1; break;
		case ST_WITHDRAWN: k = erase ? Q_ERASURE : -1; break;
		default: break;
		}
		if (k >= 0) {
			struct queue_row *row = &rows[k][n[k]++];
			row->s = s;
			row->via = xstrdup(p.via);
			if (k == Q_APPROVED) {
				if (!s->consent_site && !s->consent_podcast)
					row->next = xstrdup("record consent for the site or the podcast");
				else if (p.peer_confirms && p.confirmed_version != p.approved_version)
					row->next = xasprintf("waiting for the peer to confirm version %lld",
							      (long long)p.approved_version);
				else
					row->next = xstrdup("ready to publish");
			} else if (k == Q_ERASURE) {
				char t[32];
				when(p.erasure_requested_at, t);
				row->next = xasprintf("asked on %s; erase it from its page", t);
			}
		}
		lib_story_peer_release(&p);
	}

	page_begin(&h, c->r, "Review queue", true, NULL);
	for (int k = 0; k < Q_KINDS; k++)
		queue_table(&h, captions[k], rows[k], n[k], k == Q_APPROVED || k == Q_ERASURE);
	page_finish(&h, c->r, 200);
end:
	if (rc)
		server_error(c->r, &c->err);
	for (int k = 0; k < Q_KINDS; k++) {
		for (size_t i = 0; rows[k] && i < n[k]; i++) {
			free(rows[k][i].next);
			free(rows[k][i].via);
		}
		free(rows[k]);
	}
	lib_story_list_free(all, n_all);
}

/* ---- one story --------------------------------------------------------- */

static void write_asset(struct con *c, struct html *h, const struct lib_asset *a)
{
	char *src = xasprintf("/editor/file/%s", a->sha256);
	char size[32], clock[32];
	fmt_size(a->size, size);
	html_open(h, "figure", NULL);
	if (a->role == ROLE_ART) {
		html_void(h, "img", "src", src, "alt", a->alt ? a->alt : "", NULL);
	} else if (a->role == ROLE_AUDIO || a->role == ROLE_MUSIC) {
		html_open(h, "audio", "controls", "", "preload", "metadata", "src", src, NULL);
		html_elem(h, "a", "Download the recording", "href", src, NULL);
		html_close(h);
	} else if (a->role == ROLE_TRANSCRIPT) {
		struct buf t = BUF_INIT;
		char *path = lib_store_path(c->lib, a->sha256);
		if (!read_part(path, SHOW_TEXT_MAX, false, &t)) {
			clean_text(&t);
			html_elem(h, "pre", buf_cstr(&t), "class", "transcript", NULL);
		} else {
			html_elem(h, "p", "The transcript could not be read from the store.", NULL);
		}
		buf_release(&t);
		free(path);
	}
	html_open(h, "figcaption", NULL);
	html_textf(h, "%s: %s, %s", lib_role_name(a->role), a->mime ? a->mime : "", size);
	if (a->duration > 0) {
		fmt_clock(a->duration, 0, clock);
		html_textf(h, ", %s", clock);
	}
	if (a->width > 0)
		html_textf(h, ", %d × %d pixels", a->width, a->height);
	if (a->filename && *a->filename)
		html_textf(h, ", sent as “%s”", a->filename);
	if (a->role == ROLE_ART)
		html_textf(h, ". Alt text: %s", a->alt && *a->alt ? a->alt : "(none)");
	html_text(h, ". ");
	html_elem(h, "a", "Open the original", "href", src, NULL);
	html_close(h);
	html_close(h);
	free(src);
}

/* Title, summary, text and files of a story (or of its pending revision). */
static void write_content(struct con *c, struct html *h, const struct lib_story *s,
			  const char *level)
{
	if (s->summary && *s->summary) {
		html_elem(h, level, "Summary", NULL);
		html_elem(h, "p", s->summary, NULL);
	}
	html_elem(h, level, "Text", NULL);
	if (s->body && *s->body) {
		html_open(h, "div", "class", "story-text", NULL);
		html_paragraphs(h, s->body);
		html_close(h);
	} else {
		html_elem(h, "p", "No text.", NULL);
	}
	html_elem(h, level, "Files", NULL);
	if (!s->n_assets)
		html_elem(h, "p", "No files.", NULL);
	for (size_t i = 0; i < s->n_assets; i++)
		write_asset(c, h, &s->assets[i]);
}

static void write_review_form(struct con *c, struct html *h, const struct lib_story *s,
			      const char *action)
{
	static const struct {
		const char *value, *label;
		enum lib_status to;
	} moves[] = {
		{"in_review", "Start the review", ST_IN_REVIEW},
		{"approve", "Approve this version", ST_APPROVED},
		{"changes", "Ask the peer for changes", ST_CHANGES_REQUESTED},
		{"reject", "Reject", ST_REJECTED},
	};
	bool any = false;
	for (size_t i = 0; i < sizeof moves / sizeof moves[0]; i++)
		any = any || lib_status_can_move(s->status, moves[i].to);
	if (!any)
		return;
	html_open(h, "section", "aria-labelledby", "review-h", NULL);
	html_elem(h, "h2", "Review", "id", "review-h", NULL);
	html_form(h, c->r, action, false);
	html_open(h, "p", NULL);
	html_open(h, "label", NULL);
	html_text(h, "Decision ");
	html_open(h, "select", "name", "action", NULL);
	for (size_t i = 0; i < sizeof moves / sizeof moves[0]; i++)
		if (lib_status_can_move(s->status, moves[i].to))
			html_elem(h, "option", moves[i].label, "value", moves[i].value, NULL);
	html_close(h);
	html_close(h);
	html_close(h);
	textarea_field(h, "Message to the peer", "message",
		       "(the peer reads it on their receipt page)");
	textarea_field(h, "Private note", "note", "(only editors see it)");
	button(h, "Record the review");
	html_close(h);
	html_close(h);
}

static void write_forms(struct con *c, struct html *h, const struct lib_story *s,
			const struct lib_story_peer *p)
{
	char *base = xasprintf("/editor/story/%s/", s->slug);
	char *act = NULL;

	act = xasprintf("%sreview", base);
	write_review_form(c, h, s, act);
	free(act);

	if (s->status != ST_WITHDRAWN && s->status != ST_REJECTED) {
		act = xasprintf("%sconsent", base);
		html_open(h, "section", "aria-labelledby", "consent-h", NULL);
		html_elem(h, "h2", "Record consent", "id", "consent-h", NULL);
		html_elem(h, "p",
			  "Tick what the peer has agreed to. Your name is recorded with it.", NULL);
		html_form(h, c->r, act, false);
		checkbox_field(h, "On the website", "site", s->consent_site);
		checkbox_field(h, "In the podcast", "podcast", s->consent_podcast);
		textarea_field(h, "Note", "note", "(how and when the peer said so; private)");
		button(h, "Record consent");
		html_close(h);
		html_close(h);
		free(act);
	}

	if (s->status == ST_APPROVED) {
		act = xasprintf("%spublish", base);
		html_open(h, "section", "aria-labelledby", "publish-h", NULL);
		html_elem(h, "h2", "Publish", "id", "publish-h", NULL);
		if (p->peer_confirms && p->confirmed_version != p->approved_version)
			html_elem(h, "p",
				  "The peer has not yet confirmed the approved version; publishing "
				  "waits for that.",
				  NULL);
		html_form(h, c->r, act, false);
		html_open(h, "p", NULL);
		html_open(h, "label", NULL);
		html_text(h, "When ");
		html_elem(h, "small", "(empty: now; or a date YYYY-MM-DD, or a date and time "
				      "YYYY-MM-DDTHH:MM, in UTC)", NULL);
		html_text(h, " ");
		html_void(h, "input", "type", "text", "name", "at", "value", "", "placeholder",
			  "YYYY-MM-DD", NULL);
		html_close(h);
		html_close(h);
		button(h, "Publish");
		html_close(h);
		html_close(h);
		free(act);
	}

	if (lib_status_can_move(s->status, ST_WITHDRAWN)) {
		act = xasprintf("%swithdraw", base);
		html_open(h, "section", "aria-labelledby", "withdraw-h", NULL);
		html_elem(h, "h2", "Withdraw", "id", "withdraw-h", NULL);
		html_elem(h, "p",
			  "Withdrawing takes the story off the site and out of the feed at the next "
			  "build. Podcast apps may keep copies already downloaded.",
			  NULL);
		html_form(h, c->r, act, false);
		textarea_field(h, "Reason", "reason", "(private)");
		button(h, "Withdraw the story");
		html_close(h);
		html_close(h);
		free(act);
	} else if (s->status == ST_WITHDRAWN &&
		   (strcmp(s->title ? s->title : "", "(erased)") || s->n_assets)) {
		act = xasprintf("%serase", base);
		html_open(h, "section", "aria-labelledby", "erase-h", NULL);
		html_elem(h, "h2", "Erase", "id", "erase-h", NULL);
		html_elem(h, "p",
			  "Erasing deletes the story's files and the peer's personal details for "
			  "good. Only the address and the history without details remain.",
			  NULL);
		html_form(h, c->r, act, false);
		html_open(h, "p", NULL);
		html_open(h, "label", "class", "check", NULL);
		html_void(h, "input", "type", "checkbox", "name", "sure", "value", "yes",
			  "required", "", NULL);
		html_text(h, " Yes, erase it; this cannot be undone");
		html_close(h);
		html_close(h);
		button(h, "Erase the story");
		html_close(h);
		html_close(h);
		free(act);
	}
	free(base);
}

static void write_revision(struct con *c, struct html *h, const struct lib_story *s,
			   const struct lib_story *rev)
{
	char *act = xasprintf("/editor/story/%s/revision", s->slug);
	html_open(h, "section", "aria-labelledby", "revision-h", "class", "revision", NULL);
	html_elem(h, "h2", "A revision waits for review", "id", "revision-h", NULL);
	html_elem(h, "p",
		  "The published version stays live until you approve this one.", NULL);
	html_open(h, "dl", NULL);
	dl_row(h, "Title", rev->title);
	html_close(h);
	write_content(c, h, rev, "h3");
	html_form(h, c->r, act, false);
	html_open(h, "p", NULL);
	html_open(h, "label", NULL);
	html_text(h, "Decision ");
	html_open(h, "select", "name", "action", NULL);
	html_elem(h, "option", "Approve: it replaces the live version", "value", "approve", NULL);
	html_elem(h, "option", "Reject: the live version stays", "value", "reject", NULL);
	html_close(h);
	html_close(h);
	html_close(h);
	textarea_field(h, "Message to the peer", "message", NULL);
	button(h, "Decide");
	html_close(h);
	html_close(h);
	free(act);
}

static void write_messages(struct html *h, const struct lib_message *m, size_t n)
{
	html_elem(h, "h2", "Messages with the peer", NULL);
	if (!n) {
		html_elem(h, "p", "None yet.", NULL);
		return;
	}
	html_open(h, "ol", "class", "messages", NULL);
	for (size_t i = 0; i < n; i++) {
		html_open(h, "li", NULL);
		html_open(h, "p", "class", "meta", NULL);
		html_text(h, m[i].from_peer ? "From the peer, " : "To the peer, ");
		html_when(h, m[i].at);
		html_close(h);
		html_paragraphs(h, m[i].body ? m[i].body : "");
		html_close(h);
	}
	html_close(h);
}

static void write_history(struct html *h, const struct lib_audit *a, size_t n)
{
	html_open(h, "table", NULL);
	html_elem(h, "caption", "History", NULL);
	html_open(h, "thead", NULL);
	html_open(h, "tr", NULL);
	html_elem(h, "th", "When", "scope", "col", NULL);
	html_elem(h, "th", "Who", "scope", "col", NULL);
	html_elem(h, "th", "What", "scope", "col", NULL);
	html_elem(h, "th", "Details", "scope", "col", NULL);
	html_close(h);
	html_close(h);
	html_open(h, "tbody", NULL);
	for (size_t i = 0; i < n; i++) {
		html_open(h, "tr", NULL);
		html_open(h, "td", NULL);
		html_when(h, a[i].at);
		html_close(h);
		html_elem(h, "td", a[i].actor ? a[i].actor : "", NULL);
		html_elem(h, "td", a[i].action ? a[i].action : "", NULL);
		html_elem(h, "td", a[i].detail ? a[i].detail : "", NULL);
		html_close(h);
	}
	html_close(h);
	html_close(h);
}

/* The story's page; status 200, or 422 with alert after a refused form. */
static void story_page(struct con *c, const char *slug, unsigned status, const char *alert)
{
	struct lib_story *s = NULL, *rev = NULL;
	struct lib_story_peer p = {0};
	struct lib_message *msgs = NULL;
	struct lib_audit *audit = NULL;
	size_t n_msgs = 0, n_audit = 0;
	struct hearth_err err = {0};
	struct html h = {0};
	char t[64];
	int rc;

	if ((rc = lib_story_get(c->lib, slug, &s, &err))) {
		if (rc == HEARTH_ENOENT) {
			message_page(c->r, 404, "No such story", "There is no story at this address.",
				     true);
			rc = 0;
		}
		goto end;
	}
	if ((rc = lib_story_peer_get(c->lib, slug, &p, &err)) ||
	    (rc = lib_message_list(c->lib, slug, &msgs, &n_msgs, &err)) ||
	    (rc = lib_audit_list(c->lib, slug, &audit, &n_audit, &err)))
		goto end;
	if (p.has_revision && (rc = lib_revision_get(c->lib, slug, &rev, &err)))
		goto end;

	page_begin(&h, c->r, s->title && *s->title ? s->title : s->slug, true, alert);
	html_open(&h, "dl", "class", "facts", NULL);
	dl_row(&h, "Address", s->slug);
	if (s->status == ST_PUBLISHED && s->published_at > hearth_now()) {
		char *st;
		when(s->published_at, t);
		st = xasprintf("published, scheduled for %s", t);
		dl_row(&h, "Status", st);
		free(st);
	} else {
		dl_row(&h, "Status", status_words(s->status));
	}
	dl_row(&h, "Came in", p.via);
	snprintf(t, sizeof t, "%lld", (long long)p.version);
	dl_row(&h, "Version", t);
	if (p.approved_version) {
		char *v = xasprintf("version %lld%s", (long long)p.approved_version,
				    !p.peer_confirms ? " (the peer's confirmation is not needed)"
				    : p.confirmed_version == p.approved_version
					    ? ", confirmed by the peer"
					    : ", waiting for the peer to confirm it");
		dl_row(&h, "Approved", v);
		free(v);
	}
	when(s->created_at, t);
	dl_row(&h, "Submitted", t);
	if (s->published_at) {
		when(s->published_at, t);
		dl_row(&h, "Publication date", t);
	}
	dl_row(&h, "Named on the site as", lib_byline(s->attribution, s->name, s->pseudonym));
	dl_row(&h, "Name (private)", s->name);
	dl_row(&h, "Pseudonym", s->pseudonym);
	dl_row(&h, "Contact (private)", s->contact);
	{
		char *cons;
		when(s->consent_given, t);
		cons = xasprintf("site: %s; podcast: %s", s->consent_site ? "yes" : "no",
				 s->consent_podcast ? "yes" : "no");
		dl_row(&h, "Consent", cons);
		free(cons);
		if (s->consent_given) {
			cons = xasprintf("%s, %s", s->consent_recorded_by ? s->consent_recorded_by
									    : "unknown",
					 t);
			dl_row(&h, "Consent recorded by", cons);
			free(cons);
		}
		if (s->consent_note && *s->consent_note)
			dl_row(&h, "Consent note (private)", s->consent_note);
		if (s->consent_withdrawn_at) {
			when(s->consent_withdrawn_at, t);
			dl_row(&h, "Consent withdrawn", t);
		}
	}
	if (p.erasure_requested_at) {
		when(p.erasure_requested_at, t);
		dl_row(&h, "Erasure requested", t);
	}
	if (s->review_note && *s->review_note)
		dl_row(&h, "Review note (private)", s->review_note);
	html_close(&h);

	html_elem(&h, "h2", "Content warnings", NULL);
	if (s->warnings && s->warnings[0]) {
		html_open(&h, "ul", NULL);
		for (char **w = s->warnings; *w; w++)
			html_elem(&h, "li", *w, NULL);
		html_close(&h);
	} else {
		html_elem(&h, "p", "None given.", NULL);
	}
	write_content(c, &h, s, "h2");
	if (rev)
		write_revision(c, &h, s, rev);
	write_messages(&h, msgs, n_msgs);
	write_forms(c, &h, s, &p);
	write_history(&h, audit, n_audit);
	page_finish(&h, c->r, status);
end:
	if (rc)
		server_error(c->r, &err);
	html_release(&h);
	lib_story_free(&s);
	lib_story_free(&rev);
	lib_story_peer_release(&p);
	lib_message_list_free(msgs, n_msgs);
	lib_audit_free(audit, n_audit);
}

/* ---- acting on a story ------------------------------------------------- */

static int do_review(struct con *c, const char *slug, const char **done)
{
	static const struct {
		const char *value;
		enum lib_status to;
	} map[] = {
		{"in_review", ST_IN_REVIEW},
		{"approve", ST_APPROVED},
		{"changes", ST_CHANGES_REQUESTED},
		{"reject", ST_REJECTED},
	};
	const char *action = req_field(c->r, "action");
	for (size_t i = 0; action && i < sizeof map / sizeof map[0]; i++)
		if (!strcmp(action, map[i].value)) {
			*done = "review";
			return lib_story_review(c->lib, slug, map[i].to, given(c->r, "note"),
						given(c->r, "message"), &c->err);
		}
	return herr(&c->err, HEARTH_EINVAL, "choose a decision: start the review, approve, "
					    "ask for changes or reject");
}

static int do_publish(struct con *c, const char *slug, const char **done)
{
	const char *at_s = given(c->r, "at");
	int64_t at = 0;
	if (at_s) {
		char *copy = str_trim(xstrdup(at_s));
		int rc = date_parse(copy, &at);
		free(copy);
		if (rc)
			return herr(&c->err, HEARTH_EINVAL,
				    "the date is not one Hearth can read: write it as YYYY-MM-DD or "
				    "YYYY-MM-DDTHH:MM (UTC), or leave it empty to publish now");
	}
	*done = at ? "schedule" : "publish";
	return lib_story_publish(c->lib, slug, at, &c->err);
}

static int do_revision(struct con *c, const char *slug, const char **done)
{
	const char *action = req_field(c->r, "action");
	bool approve = action && !strcmp(action, "approve");
	if (!approve && !(action && !strcmp(action, "reject")))
		return herr(&c->err, HEARTH_EINVAL, "choose to approve or reject the revision");
	*done = "revision";
	return lib_revision_decide(c->lib, slug, approve, given(c->r, "message"), &c->err);
}

static int do_withdraw(struct con *c, const char *slug, const char **done)
{
	int rc = lib_story_withdraw(c->lib, slug, given(c->r, "reason"), &c->err);
	if (rc)
		return rc;
	*done = "withdraw";
	rc = media_purge_story(c->lib, slug, NULL, &c->err);
	if (rc)
		herr_prefix(&c->err, "the story is withdrawn, but its cached files were not all "
				     "removed");
	return rc ? HEARTH_EIO : 0;
}

static int do_erase(struct con *c, const char *slug, const char **done)
{
	if (!ticked(c->r, "sure"))
		return herr(&c->err, HEARTH_EINVAL,
			    "tick the box to confirm that the story should be erased");
	*done = "erase";
	return media_erase(c->lib, slug, NULL, &c->err);
}

static void story_action(struct con *c, const char *slug, const char *action)
{
	static const struct {
		const char *name;
		int (*fn)(struct con *c, const char *slug, const char **done);
	} actions[] = {
		{"review", do_review},
		{"publish", do_publish},
		{"revision", do_revision},
		{"withdraw", do_withdraw},
		{"erase", do_erase},
	};
	const char *done = NULL;
	int rc = 1;

	if (!strcmp(action, "consent")) {
		done = "consent";
		rc = lib_story_set_consent(c->lib, slug, ticked(c->r, "site"),
					   ticked(c->r, "podcast"), c->ed->name,
					   given(c->r, "note"), &c->err);
	}
	for (size_t i = 0; rc == 1 && i < sizeof actions / sizeof actions[0]; i++)
		if (!strcmp(action, actions[i].name))
			rc = actions[i].fn(c, slug, &done);
	if (rc == 1) {
		not_found(c->r);
	} else if (!rc) {
		char *loc = xasprintf("/editor/story/%s?done=%s", slug, done);
		resp_redirect(c->r, loc);
		free(loc);
	} else if (refusal(rc)) {
		char msg[sizeof c->err.msg];
		memcpy(msg, c->err.msg, sizeof msg);
		story_page(c, slug, 422, msg);
	} else {
		server_error(c->r, &c->err);
	}
}

/* ---- originals --------------------------------------------------------- */

/* The MIME type to send an original as: what intake saw, when harmless. */
static const char *safe_type(const char *mime)
{
	if (!mime)
		return "application/octet-stream";
	if (!strncmp(mime, "audio/", 6) || !strcmp(mime, "image/png") ||
	    !strcmp(mime, "image/jpeg") || !strcmp(mime, "image/webp") ||
	    !strcmp(mime, "image/gif"))
		return mime;
	if (!strcmp(mime, "text/vtt"))
		return "text/vtt; charset=utf-8";
	if (!strncmp(mime, "text/", 5))
		return "text/plain; charset=utf-8";
	return "application/octet-stream";
}

static const char *find_asset(const struct lib_story *s, const char *sha)
{
	for (size_t i = 0; i < s->n_assets; i++)
		if (s->assets[i].sha256 && !strcmp(s->assets[i].sha256, sha))
			return safe_type(s->assets[i].mime);
	return NULL;
}

/*
 * An original from the store, only when a story (or a story's pending
 * revision) refers to it: a name that is not 64 lowercase hex digits, or
 * that no asset names, is not found, so nothing else in the store can be
 * reached this way.
 */
static void file_page(struct con *c, const char *sha)
{
	struct lib_story **all = NULL;
	size_t n = 0;
	const char *type = NULL;
	char *path = NULL;
	int fd = -1, rc = 0;

	if (!sha256_is_hex(sha)) {
		not_found(c->r);
		return;
	}
	if ((rc = lib_story_list(c->lib, -1, &all, &n, &c->err)))
		goto end;
	for (size_t i = 0; !type && i < n; i++)
		type = find_asset(all[i], sha);
	for (size_t i = 0; !type && i < n; i++) {
		struct lib_story *rev = NULL;
		if (all[i]->status != ST_PUBLISHED)
			continue;
		if ((rc = lib_revision_get(c->lib, all[i]->slug, &rev, &c->err)))
			goto end;
		if (rev)
			type = find_asset(rev, sha);
		lib_story_free(&rev);
	}
	if (type) {
		path = lib_store_path(c->lib, sha);
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	}
	if (fd < 0)
		not_found(c->r);
	else
		resp_file(c->r, fd, type);
end:
	if (rc)
		server_error(c->r, &c->err);
	free(path);
	lib_story_list_free(all, n);
}

/* ---- collections ------------------------------------------------------- */

static const struct lib_story *story_by_slug(struct lib_story **all, size_t n, const char *slug)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(all[i]->slug, slug))
			return all[i];
	return NULL;
}

static void write_collection(struct con *c, struct html *h, const struct lib_collection *col,
			     struct lib_story **all, size_t n_all)
{
	char *act = xasprintf("/editor/collections/%s", col->slug);
	size_t n = strv_len(col->stories);
	char num[24], max[24];
	bool any = false;

	html_open(h, "section", "class", "collection", NULL);
	html_open(h, "h2", NULL);
	html_text(h, col->title && *col->title ? col->title : col->slug);
	html_text(h, " ");
	html_elem(h, "small", col->slug, NULL);
	html_close(h);
	if (col->description && *col->description)
		html_elem(h, "p", col->description, NULL);
	html_elem(h, "p", col->podcast ? "Also a podcast feed." : "Not a podcast feed.", NULL);
	snprintf(max, sizeof max, "%zu", n);
	if (!n)
		html_elem(h, "p", "No stories yet.", NULL);
	else
		html_open(h, "ol", NULL);
	for (size_t i = 0; i < n; i++) {
		const struct lib_story *s = story_by_slug(all, n_all, col->stories[i]);
		char *href = xasprintf("/editor/story/%s", col->stories[i]);
		html_open(h, "li", NULL);
		html_elem(h, "a", s && s->title ? s->title : col->stories[i], "href", href, NULL);
		if (s && s->status != ST_PUBLISHED)
			html_textf(h, " (%s)", status_words(s->status));
		html_form(h, c->r, act, false);
		hidden(h, "action", "remove");
		hidden(h, "story", col->stories[i]);
		button(h, "Remove");
		html_close(h);
		html_form(h, c->r, act, false);
		hidden(h, "action", "move");
		hidden(h, "story", col->stories[i]);
		snprintf(num, sizeof num, "%zu", i + 1);
		html_open(h, "label", NULL);
		html_text(h, "Position ");
		html_void(h, "input", "type", "number", "name", "position", "min", "1", "max", max,
			  "value", num, "required", "", NULL);
		html_close(h);
		button(h, "Move");
		html_close(h);
		html_close(h);
		free(href);
	}
	if (n)
		html_close(h);

	for (size_t i = 0; i < n_all && !any; i++)
		any = all[i]->status == ST_PUBLISHED;
	if (any) {
		html_form(h, c->r, act, false);
		hidden(h, "action", "add");
		html_open(h, "p", NULL);
		html_open(h, "label", NULL);
		html_text(h, "Add a published story ");
		html_open(h, "select", "name", "story", NULL);
		for (size_t i = 0; i < n_all; i++) {
			bool in = false;
			if (all[i]->status != ST_PUBLISHED)
				continue;
			for (size_t j = 0; j < n && !in; j++)
				in = !strcmp(col->stories[j], all[i]->slug);
			if (!in)
				html_elem(h, "option", all[i]->title ? all[i]->title : all[i]->slug,
					  "value", all[i]->slug, NULL);
		}
		html_close(h);
		html_close(h);
		html_text(h, " ");
		html_open(h, "label", NULL);
		html_text(h, "at position ");
		html_elem(h, "small", "(empty: at the end)", NULL);
		html_text(h, " ");
		html_void(h, "input", "type", "number", "name", "position", "min", "1", NULL);
		html_close(h);
		html_close(h);
		button(h, "Add");
		html_close(h);
	}
	html_close(h);
	free(act);
}

static void collections_page(struct con *c, unsigned status, const char *alert)
{
	struct lib_collection **cols = NULL;
	struct lib_story **all = NULL;
	size_t n_cols = 0, n_all = 0;
	struct hearth_err err = {0};
	struct html h = {0};
	int rc;

	if ((rc = lib_collection_list(c->lib, &cols, &n_cols, &err)) ||
	    (rc = lib_story_list(c->lib, -1, &all, &n_all, &err)))
		goto end;
	page_begin(&h, c->r, "Collections", true, alert);
	if (!n_cols)
		html_elem(&h, "p", "There are no collections yet.", NULL);
	for (size_t i = 0; i < n_cols; i++)
		write_collection(c, &h, cols[i], all, n_all);

	html_open(&h, "section", "aria-labelledby", "new-h", NULL);
	html_elem(&h, "h2", "A new collection", "id", "new-h", NULL);
	html_form(&h, c->r, "/editor/collections", false);
	html_open(&h, "p", NULL);
	html_open(&h, "label", NULL);
	html_text(&h, "Address ");
	html_elem(&h, "small", "(lowercase letters, digits and dashes)", NULL);
	html_text(&h, " ");
	html_void(&h, "input", "type", "text", "name", "slug", "required", "", "pattern",
		  "[a-z0-9]([a-z0-9-]*[a-z0-9])?", "maxlength", "80", NULL);
	html_close(&h);
	html_close(&h);
	input_field(&h, "Title", "text", "title", "", true);
	textarea_field(&h, "Description", "description", NULL);
	checkbox_field(&h, "Also a podcast feed", "podcast", false);
	button(&h, "Make the collection");
	html_close(&h);
	html_close(&h);
	page_finish(&h, c->r, status);
end:
	if (rc)
		server_error(c->r, &err);
	html_release(&h);
	lib_collection_list_free(cols, n_cols);
	lib_story_list_free(all, n_all);
}

/* A 1-based position field as 0-based; -1 when empty (or absent). */
static int position(struct con *c, int *pos)
{
	const char *v = given(c->r, "position");
	char *end = NULL;
	long n;
	*pos = -1;
	if (!v)
		return 0;
	errno = 0;
	n = strtol(v, &end, 10);
	while (end && (*end == ' ' || *end == '\t'))
		end++;
	if (errno || !end || *end || n < 1 || n > INT_MAX)
		return herr(&c->err, HEARTH_EINVAL, "the position is a whole number from 1");
	*pos = (int)n - 1;
	return 0;
}

/* After a collection form: back to the collections, or the refusal on the page. */
static void collections_answer(struct con *c, int rc)
{
	if (!rc) {
		resp_redirect(c->r, "/editor/collections?done=collection");
	} else if (refusal(rc)) {
		char msg[sizeof c->err.msg];
		memcpy(msg, c->err.msg, sizeof msg);
		collections_page(c, 422, msg);
	} else {
		server_error(c->r, &c->err);
	}
}

/* One change to collection coll, as the form's action says. */
static int collection_change(struct con *c, const char *coll, const char *action,
			     const char *story, int pos)
{
	if (action && !strcmp(action, "add"))
		return lib_collection_add(c->lib, coll, story, pos, &c->err);
	if (action && !strcmp(action, "remove"))
		return lib_collection_remove(c->lib, coll, story, &c->err);
	if (action && !strcmp(action, "move"))
		return pos < 0 ? herr(&c->err, HEARTH_EINVAL, "give the position to move it to")
			       : lib_collection_move(c->lib, coll, story, pos, &c->err);
	return herr(&c->err, HEARTH_EINVAL, "choose to add, remove or move a story");
}

static void collection_action(struct con *c, const char *coll)
{
	const char *action = req_field(c->r, "action"), *story = given(c->r, "story");
	int pos, rc = position(c, &pos);

	if (!rc && !story)
		rc = herr(&c->err, HEARTH_EINVAL, "choose a story");
	if (!rc)
		rc = collection_change(c, coll, action, story, pos);
	collections_answer(c, rc);
}

static void collection_new(struct con *c)
{
	const char *slug = given(c->r, "slug"), *title = given(c->r, "title");
	int rc;
	if (!slug || !slug_valid(slug))
		rc = herr(&c->err, HEARTH_EINVAL, "the address is 1 to 80 lowercase letters, digits "
						  "and dashes, not starting or ending with a dash");
	else if (!title)
		rc = herr(&c->err, HEARTH_EINVAL, "the collection needs a title");
	else
		rc = lib_collection_new(c->lib, slug, title, given(c->r, "description"),
					ticked(c->r, "podcast"), &c->err);
	collections_answer(c, rc);
}

/* ---- feedback and the audit log ---------------------------------------- */

static void feedback_page(struct con *c)
{
	struct lib_feedback *f = NULL;
	size_t n = 0;
	struct html h = {0};
	int rc;

	if ((rc = lib_feedback_list(c->lib, &f, &n, &c->err))) {
		server_error(c->r, &c->err);
		return;
	}
	page_begin(&h, c->r, "Feedback", true, NULL);
	html_elem(&h, "p", "Newest first. Contact details are for editors only.", NULL);
	if (!n)
		html_elem(&h, "p", "No feedback yet.", NULL);
	for (size_t i = 0; i < n; i++) {
		html_open(&h, "article", "class", "feedback", NULL);
		html_open(&h, "h2", NULL);
		html_when(&h, f[i].at);
		html_close(&h);
		if (f[i].page && *f[i].page) {
			html_open(&h, "p", NULL);
			html_text(&h, "About: ");
			html_text(&h, f[i].page);
			html_close(&h);
		}
		html_paragraphs(&h, f[i].body ? f[i].body : "");
		if (f[i].contact && *f[i].contact) {
			html_open(&h, "p", NULL);
			html_text(&h, "Contact: ");
			html_text(&h, f[i].contact);
			html_close(&h);
		}
		html_close(&h);
	}
	page_finish(&h, c->r, 200);
	lib_feedback_list_free(f, n);
}

static void audit_page(struct con *c)
{
	struct lib_audit *a = NULL;
	size_t n = 0, first;
	struct html h = {0};
	char cap[96];

	if (lib_audit_list(c->lib, NULL, &a, &n, &c->err)) {
		server_error(c->r, &c->err);
		return;
	}
	first = n > AUDIT_ROWS ? n - AUDIT_ROWS : 0;
	page_begin(&h, c->r, "Audit log", true, NULL);
	snprintf(cap, sizeof cap, "The last %zu changes, newest first", n - first);
	html_open(&h, "table", NULL);
	html_elem(&h, "caption", cap, NULL);
	html_open(&h, "thead", NULL);
	html_open(&h, "tr", NULL);
	html_elem(&h, "th", "When", "scope", "col", NULL);
	html_elem(&h, "th", "Who", "scope", "col", NULL);
	html_elem(&h, "th", "What", "scope", "col", NULL);
	html_elem(&h, "th", "Details", "scope", "col", NULL);
	html_close(&h);
	html_close(&h);
	html_open(&h, "tbody", NULL);
	for (size_t i = n; i > first; i--) {
		const struct lib_audit *r = &a[i - 1];
		html_open(&h, "tr", NULL);
		html_open(&h, "td", NULL);
		html_when(&h, r->at);
		html_close(&h);
		html_elem(&h, "td", r->actor ? r->actor : "", NULL);
		html_elem(&h, "td", r->action ? r->action : "", NULL);
		html_elem(&h, "td", r->detail ? r->detail : "", NULL);
		html_close(&h);
	}
	html_close(&h);
	html_close(&h);
	page_finish(&h, c->r, 200);
	lib_audit_free(a, n);
}

/* ---- the build --------------------------------------------------------- */

/*
 * The build the console started last. One at a time in this server (the
 * mutex and the child's pid); the library's build lock keeps it to one
 * beside builds started elsewhere. The child is reaped when the build
 * page is looked at, never waited for on a request's thread.
 */
static struct {
	pthread_mutex_t mu;
	pid_t pid;          /* the running child; 0: none */
	bool started;       /* a build was started since the server started */
	bool known;         /* status holds the last one's end */
	int status;         /* as waitpid gives it */
	int64_t began, ended;
	char by[80];        /* the editor who started it */
} build = {PTHREAD_MUTEX_INITIALIZER, 0, false, false, 0, 0, 0, ""};

/* Takes a finished child's status; build.mu is held. */
static void build_reap(void)
{
	int st = 0;
	pid_t w;
	if (build.pid <= 0)
		return;
	do
		w = waitpid(build.pid, &st, WNOHANG);
	while (w < 0 && errno == EINTR);
	if (w == 0)
		return;
	build.known = w == build.pid;
	build.status = st;
	build.ended = (int64_t)time(NULL);
	build.pid = 0;
}

static char *build_log_path(struct req *r)
{
	return path_join(req_lib_dir(r), ".serve-build.log");
}

/* This program, to run its build command: as the server was told, else
 * as the kernel says. */
static char *self_path(struct req *r)
{
	char buf[PATH_MAX];
	ssize_t n;
	if (req_self(r) && *req_self(r))
		return xstrdup(req_self(r));
	n = readlink("/proc/self/exe", buf, sizeof buf - 1);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return xstrdup(buf);
}

static int build_start(struct con *c)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, dflt;  /* the child's mask (none), the signals it starts with by default */
	char *log = NULL, *self = NULL;
	int fd = -1, rc = 0, e;
	pid_t pid;

	pthread_mutex_lock(&build.mu);
	build_reap();
	if (build.pid > 0) {
		rc = herr(&c->err, HEARTH_ESTATE, "a build is already running; wait for it to finish");
		goto end;
	}
	if (!(self = self_path(c->r))) {
		rc = herr(&c->err, HEARTH_EIO, "cannot tell where this program is to run a build");
		goto end;
	}
	log = build_log_path(c->r);
	fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || fchmod(fd, 0600)) {
		rc = herr(&c->err, HEARTH_EIO, "%s: cannot write the build's output: %s", log,
			  strerror(errno));
		goto end;
	}
	{
		char *const argv[] = {self, (char *)"-C", (char *)req_lib_dir(c->r),
				      (char *)"build", NULL};
		static const int reset[] = {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT,
					    SIGCHLD, SIGUSR1, SIGUSR2};
		sigemptyset(&none);
		sigemptyset(&dflt);
		for (size_t i = 0; i < sizeof reset / sizeof reset[0]; i++)
			sigaddset(&dflt, reset[i]);
		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
		posix_spawn_file_actions_adddup2(&fa, fd, 1);
		posix_spawn_file_actions_adddup2(&fa, fd, 2);
		posix_spawnattr_init(&at);
		posix_spawnattr_setsigmask(&at, &none);
		posix_spawnattr_setsigdefault(&at, &dflt);
		posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
		e = posix_spawn(&pid, self, &fa, &at, argv, environ);
		posix_spawnattr_destroy(&at);
		posix_spawn_file_actions_destroy(&fa);
	}
	if (e) {
		rc = herr(&c->err, HEARTH_EIO, "cannot start the build: %s", strerror(e));
		goto end;
	}
	build.pid = pid;
	build.started = true;
	build.known = false;
	build.began = (int64_t)time(NULL);
	build.ended = 0;
	snprintf(build.by, sizeof build.by, "%s", c->ed->name);
end:
	pthread_mutex_unlock(&build.mu);
	if (fd >= 0)
		close(fd);
	free(log);
	free(self);
	return rc;
}

static void build_page(struct con *c, unsigned status, const char *alert)
{
	struct html h = {0};
	struct buf out = BUF_INIT;
	char *log = build_log_path(c->r);
	bool running, started, known;
	int st;
	int64_t began, ended;
	char by[80], t[32];

	pthread_mutex_lock(&build.mu);
	build_reap();
	running = build.pid > 0;
	started = build.started;
	known = build.known;
	st = build.status;
	began = build.began;
	ended = build.ended;
	memcpy(by, build.by, sizeof by);
	pthread_mutex_unlock(&build.mu);

	page_begin_refresh(&h, c->r, "Build the site", true, alert, running ? 2 : 0);
	html_open(&h, "p", "role", "status", "class", "build-state", NULL);
	if (!started) {
		html_text(&h, "No build has been started from the console since the server started.");
	} else if (running) {
		when(began, t);
		html_textf(&h, "A build is running: started by %s at %s. This page refreshes "
			       "itself every two seconds.", by, t);
	} else {
		when(ended, t);
		if (!known)
			html_textf(&h, "The last build finished at %s; how it ended is not known.", t);
		else if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
			html_textf(&h, "The last build finished at %s and succeeded (exit status 0).",
				   t);
		else if (WIFEXITED(st))
			html_textf(&h, "The last build finished at %s and failed with exit status %d. "
				       "Its output below says why.", t, WEXITSTATUS(st));
		else if (WIFSIGNALED(st))
			html_textf(&h, "The last build finished at %s: it was stopped by signal %d.",
				   t, WTERMSIG(st));
	}
	html_close(&h);
	if (!running) {
		html_form(&h, c->r, "/editor/build", false);
		button(&h, "Start a build");
		html_close(&h);
	}
	if (!read_part(log, SHOW_LOG_MAX, true, &out)) {
		clean_text(&out);
		html_elem(&h, "h2", started ? "Output" : "Output of a build before the server started",
			  NULL);
		html_elem(&h, "pre", out.len ? buf_cstr(&out) : "(nothing yet)", "class",
			  "build-log", NULL);
	}
	page_finish(&h, c->r, status);
	buf_release(&out);
	free(log);
}

static void build_action(struct con *c)
{
	int rc = build_start(c);
	if (!rc) {
		resp_redirect(c->r, "/editor/build?done=build");
	} else if (rc == HEARTH_ESTATE) {
		char msg[sizeof c->err.msg];
		memcpy(msg, c->err.msg, sizeof msg);
		build_page(c, 409, msg);
	} else {
		server_error(c->r, &c->err);
	}
}

/* ---- dispatch ---------------------------------------------------------- */

/* The rest of path after prefix, or NULL when path does not start with it. */
static const char *after(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);
	return strncmp(path, prefix, n) ? NULL : path + n;
}

/* /editor/story/SLUG[/ACTION] */
static void story_route(struct con *c, const char *rest)
{
	const char *slash = strchr(rest, '/');
	char *slug = xstrndup(rest, slash ? (size_t)(slash - rest) : strlen(rest));
	if (!slug_valid(slug))
		not_found(c->r);
	else if (!slash && is_get(c->r))
		story_page(c, slug, 200, NULL);
	else if (slash && is_post(c->r) && !strchr(slash + 1, '/'))
		story_action(c, slug, slash + 1);
	else
		not_found(c->r);
	free(slug);
}

static void route(struct con *c)
{
	struct req *r = c->r;
	const char *path = req_path(r), *rest;
	bool get = is_get(r), post = is_post(r);

	if (!strcmp(path, "/editor") || !strcmp(path, "/editor/")) {
		if (get)
			queue_page(c);
		else
			not_found(r);
	} else if ((rest = after(path, "/editor/story/"))) {
		story_route(c, rest);
	} else if ((rest = after(path, "/editor/file/")) && get) {
		file_page(c, rest);
	} else if (!strcmp(path, "/editor/collections")) {
		if (get)
			collections_page(c, 200, NULL);
		else
			collection_new(c);
	} else if ((rest = after(path, "/editor/collections/")) && post && slug_valid(rest)) {
		collection_action(c, rest);
	} else if (!strcmp(path, "/editor/feedback") && get) {
		feedback_page(c);
	} else if (!strcmp(path, "/editor/audit") && get) {
		audit_page(c);
	} else if (!strcmp(path, "/editor/build")) {
		if (get)
			build_page(c, 200, NULL);
		else
			build_action(c);
	} else {
		not_found(r);
	}
}

void page_editor(struct req *r)
{
	struct lib_editor ed = {0};
	struct con c = {0};

	if (!strcmp(req_path(r), "/editor/signin")) {
		signin(r);
		return;
	}
	if (!is_get(r) && !is_post(r)) {
		message_page(r, 405, "Not allowed", "The console answers GET and POST only.", false);
		return;
	}
	if (!guard_editor(r, &ed)) {
		if (is_post(r))
			message_page(r, 403, "Please sign in",
				     "Only a signed-in editor can do this. Sign in and try again.",
				     false);
		else
			resp_redirect(r, "/editor/signin");
		return;
	}
	if (is_post(r) && !guard_form_ok(r)) {
		message_page(r, 403, "This form cannot be used again",
			     "The form was out of date, already sent, or from another session, so "
			     "nothing was done. Go back, reload the page and try again.",
			     true);
		goto end;
	}
	if (is_post(r) && !strcmp(req_path(r), "/editor/signout")) {
		guard_sign_out(r);
		resp_redirect(r, "/editor/signin?done=signout");
		goto end;
	}
	c.r = r;
	c.ed = &ed;
	if (req_lib(r, ed.name, &c.lib, &c.err)) {
		server_error(r, &c.err);
		goto end;
	}
	route(&c);
end:
	lib_editor_release(&ed);
}
