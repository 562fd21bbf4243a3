/*
 * peer.c - the peers' pages: the submission form an invitation opens
 * (/submit), the receipt page where a peer follows, revises, confirms,
 * withdraws or asks to erase their story (/receipt/CODE), and a short
 * feedback form (/feedback). Peers have no account: the invitation lets
 * them in once, the receipt code is their key afterwards.
 *
 * These pages hold no rule. They read the form, call one library or media
 * function (media_submit, media_revise, lib_story_confirm, ...) and show
 * what it said in plain words; whether something may happen is the
 * library's answer. Every value anyone typed reaches the page through the
 * HTML writer, which escapes it. The audit names the actor ACTOR.
 */
#include "serveInt.h"
#include "../media/intake.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ACTOR "peer (web form)"
#define WITHDRAWN_BY "the storyteller (receipt)"
#define CONSENT_BY "the storyteller (web form)"

/* ---- small pieces every page uses --------------------------------------- */

/* What went wrong with a form: the message, and the field at fault (or NULL). */
struct fault {
	char msg[1100];
	const char *field;
	bool files_lost;  /* files were sent and must be chosen again */
};

static bool fault_at(const struct fault *f, const char *field)
{
	return f && f->msg[0] && f->field && !strcmp(f->field, field);
}

static void fault_set(struct fault *f, const char *field, const char *msg)
{
	snprintf(f->msg, sizeof f->msg, "%s", msg);
	f->field = field;
}

static bool is_get(const struct req *r)
{
	return !strcmp(req_method(r), "GET") || !strcmp(req_method(r), "HEAD");
}

static bool is_post(const struct req *r)
{
	return !strcmp(req_method(r), "POST");
}

static void page_begin(struct html *h, struct req *r, const char *title)
{
	const struct lib_settings *set = req_settings(r);
	html_begin(h, set && set->language ? set->language : "en",
		   set && set->title ? set->title : "Stories", title);
}

/* A page with one heading, one paragraph and a link onwards (href may be NULL). */
static void message_page(struct req *r, unsigned status, const char *title, const char *msg,
			 const char *href, const char *link)
{
	struct html h = {0};
	page_begin(&h, r, title);
	html_elem(&h, "h1", title, NULL);
	html_elem(&h, "p", msg, NULL);
	if (href) {
		html_open(&h, "p", NULL);
		html_elem(&h, "a", link, "href", href, NULL);
		html_close(&h);
	}
	html_end(&h);
	resp_html(r, status, &h);
	html_release(&h);
}

static void server_trouble(struct req *r)
{
	message_page(r, 500, "Something went wrong",
		     "Something went wrong on our side and nothing was saved. Please try "
		     "again in a little while.",
		     NULL, NULL);
}

/*
 * The most one file may be through the form: the intake's limit, or what
 * a whole request may carry when that is less.
 */
static int64_t file_limit(struct req *r)
{
	const struct lib_settings *set = req_settings(r);
	if (set->serve_max_upload > 0 && set->serve_max_upload < set->max_file_size)
		return set->serve_max_upload;
	return set->max_file_size;
}

/* False (and the 429 answer sent) when the client must slow down. */
static bool rate_ok(struct req *r, enum rate_kind k)
{
	unsigned wait = 0;
	if (guard_rate(r, k, &wait))
		return true;
	resp_slow_down(r, wait ? wait : 60);
	return false;
}

/* The request's field, trimmed; NULL when absent or only spaces. The
 * copy is kept in *own (a strv the caller frees). */
static const char *field_trim(struct req *r, const char *name, char ***own)
{
	const char *v = req_field(r, name);
	if (!v)
		return NULL;
	char *c = str_trim(xstrdup(v));
	if (!*c) {
		free(c);
		return NULL;
	}
	*own = strv_push(*own, c);
	free(c);
	return (*own)[strv_len(*own) - 1];
}

static bool field_is(struct req *r, const char *name, const char *value)
{
	const char *v = req_field(r, name);
	return v && !strcmp(v, value);
}

/* One line per warning, trimmed, empty lines left out; a new strv or NULL. */
static char **split_lines(const char *text)
{
	char **v = NULL, *copy = xstrdup(text ? text : ""), *save = NULL;
	size_t n = 0, cap = 0; /* a field of 64 kB holds 32,000 lines: no quadratic growth */
	for (char *t = strtok_r(copy, "\n", &save); t; t = strtok_r(NULL, "\n", &save)) {
		str_trim(t);
		if (*t)
			strv_append(&v, &n, &cap, t);
	}
	free(copy);
	return v;
}

/* A date as people write it: "12 May 2024" (UTC). */
static void say_date(int64_t t, char out[40])
{
	static const char *const months[] = {"January", "February", "March", "April",
					     "May", "June", "July", "August",
					     "September", "October", "November", "December"};
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm)) {
		snprintf(out, 40, "an unknown date");
		return;
	}
	snprintf(out, 40, "%d %s %d", tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900);
}

/*
 * A library message in plain words: first letter capital, a full stop.
 * Names of files in the quarantine folder become the names the browser
 * sent, so nobody sees where the server keeps them.
 */
static void plain_words(const char *msg, const struct upload *ups, size_t n, char *out,
			size_t outsz)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, msg);
	for (size_t i = 0; i < n; i++) {
		const char *name = ups[i].path, *p;
		const char *shown = ups[i].filename && *ups[i].filename ? ups[i].filename
									 : "your file";
		if (!name || !*name)
			continue;
		size_t from = 0;
		while ((p = strstr(buf_cstr(&b) + from, name))) {
			struct buf nb = BUF_INIT;
			buf_add(&nb, b.data, (size_t)(p - b.data));
			buf_puts(&nb, shown);
			from = nb.len;
			buf_puts(&nb, p + strlen(name));
			buf_release(&b);
			b = nb;
		}
	}
	if (b.len && islower((unsigned char)b.data[0]))
		b.data[0] = (char)toupper((unsigned char)b.data[0]);
	if (b.len && !strchr(".!?", b.data[b.len - 1]))
		buf_putc(&b, '.');
	snprintf(out, outsz, "%s", buf_cstr(&b));
	buf_release(&b);
}

/* True for the errors that are the server's trouble, not the peer's. */
static bool our_trouble(int code)
{
	return code == HEARTH_EIO || code == HEARTH_EDB;
}

/* ---- form controls ------------------------------------------------------ */

/*
 * The ids a control's aria-describedby names: its hint (NAME-hint) and
 * its error (NAME-error) when there is one. A new allocation or NULL.
 */
static char *described(const struct fault *f, const char *name, bool hint)
{
	bool bad = fault_at(f, name);
	if (hint && bad)
		return xasprintf("%s-hint %s-error", name, name);
	if (hint)
		return xasprintf("%s-hint", name);
	if (bad)
		return xasprintf("%s-error", name);
	return NULL;
}

static void label(struct html *h, const char *for_id, const char *text, bool required)
{
	html_open(h, "label", "for", for_id, NULL);
	html_text(h, text);
	if (required)
		html_elem(h, "span", " (required)", "class", "required", NULL);
	html_close(h);
}

/* The hint and the error of a control, each with the id its control names. */
static void hint_and_error(struct html *h, const struct fault *f, const char *name,
			   const char *hint)
{
	if (hint) {
		char *id = xasprintf("%s-hint", name);
		html_elem(h, "p", hint, "class", "hint", "id", id, NULL);
		free(id);
	}
	if (fault_at(f, name)) {
		char *id = xasprintf("%s-error", name);
		html_elem(h, "p", f->msg, "class", "error", "id", id, NULL);
		free(id);
	}
}

struct control {
	const char *name;      /* name and id */
	const char *label;
	const char *hint;      /* may be NULL */
	const char *value;     /* may be NULL */
	bool required;
	const char *type;      /* input type; NULL: a textarea */
	const char *autocomplete;
	const char *rows;      /* textarea */
	const char *accept;    /* file */
	const char *cls;       /* class, may be NULL */
};

static void control(struct html *h, const struct fault *f, const struct control *c)
{
	char *desc = described(f, c->name, c->hint != NULL);
	const char *invalid = fault_at(f, c->name) ? "true" : NULL;
	const char *req = c->required ? "" : NULL;
	html_open(h, "div", "class", "field", NULL);
	label(h, c->name, c->label, c->required);
	hint_and_error(h, f, c->name, c->hint);
	if (!c->type)
		html_elem(h, "textarea", c->value ? c->value : "", "id", c->name, "name", c->name,
			  "class", c->cls, "rows", c->rows ? c->rows : "4", "required", req, "aria-describedby",
			  desc, "aria-invalid", invalid, NULL);
	else if (!strcmp(c->type, "file"))
		html_void(h, "input", "type", "file", "id", c->name, "name", c->name, "accept",
			  c->accept, "aria-describedby", desc, "aria-invalid", invalid, NULL);
	else
		html_void(h, "input", "type", c->type, "id", c->name, "name", c->name, "value",
			  c->value ? c->value : "", "required", req, "autocomplete",
			  c->autocomplete, "aria-describedby", desc, "aria-invalid", invalid, NULL);
	html_close(h);
	free(desc);
}

/* A checkbox or radio button with its label after it, and a hint. */
static void choice(struct html *h, const char *type, const char *name, const char *id,
		   const char *value, const char *text, const char *hint, bool checked)
{
	char *hid = hint ? xasprintf("%s-hint", id) : NULL;
	html_open(h, "div", "class", "choice", NULL);
	html_void(h, "input", "type", type, "id", id, "name", name, "value", value, "checked",
		  checked ? "" : NULL, "aria-describedby", hid, NULL);
	html_elem(h, "label", text, "for", id, NULL);
	if (hint)
		html_elem(h, "p", hint, "class", "hint", "id", hid, NULL);
	html_close(h);
	free(hid);
}

/* The message at the top of a refused form, read out at once. */
static void alert(struct html *h, const struct fault *f, const char *heading)
{
	if (!f || !f->msg[0])
		return;
	html_open(h, "div", "class", "alert", "role", "alert", NULL);
	html_elem(h, "h2", heading, NULL);
	html_elem(h, "p", f->msg, NULL);
	if (f->field) {
		char *href = xasprintf("#%s", f->field);
		html_open(h, "p", NULL);
		html_elem(h, "a", "Go to the field to change it", "href", href, NULL);
		html_close(h);
		free(href);
	}
	if (f->files_lost)
		html_elem(h, "p",
			  "For your safety we do not keep files when something is wrong: "
			  "please choose your files again.",
			  NULL);
	html_close(h);
}

/* ---- files from a form -------------------------------------------------- */

/* The file fields of the submission and revision forms. */
static const struct file_field {
	const char *field;
	enum media_use use;
	const char *label;
	const char *accept;
} FILE_FIELDS[] = {
	{"audio", USE_AUDIO, "A recording of your story", "audio/*"},
	{"music", USE_MUSIC, "Music to go with it", "audio/*"},
	{"art", USE_ART, "A picture", "image/jpeg,image/png,image/webp,image/gif"},
	{"transcript", USE_TRANSCRIPT, "A transcript of the recording", ".vtt,.srt,text/vtt"},
};
#define N_FILE_FIELDS (sizeof FILE_FIELDS / sizeof FILE_FIELDS[0])

static const struct file_field *file_field(const char *name)
{
	for (size_t i = 0; i < N_FILE_FIELDS; i++)
		if (!strcmp(FILE_FIELDS[i].field, name))
			return &FILE_FIELDS[i];
	return NULL;
}

/* The files of a request, as media_submission wants them. */
struct files {
	const struct upload *all;  /* every upload of the request (borrowed) */
	size_t n_all;
	char **paths;              /* borrowed strings; the array is ours */
	int *uses;
	const struct upload **from; /* the upload each path came from */
	size_t n;
	char *alts[2];             /* the picture's alt text, NULL-terminated */
};

static void files_release(struct files *fs)
{
	free(fs->paths);
	free(fs->uses);
	free(fs->from);
	memset(fs, 0, sizeof *fs);
}

/*
 * Collects the uploads of the known file fields, leaving out the empty
 * parts a browser sends for a file not chosen. A file over the size limit
 * is refused here (false, f filled) with the limit in words.
 */
static bool files_collect(struct req *r, struct files *fs, struct fault *f)
{
	fs->all = req_all_files(r, &fs->n_all);
	fs->paths = xcalloc(fs->n_all + 1, sizeof *fs->paths);
	fs->uses = xcalloc(fs->n_all + 1, sizeof *fs->uses);
	fs->from = xcalloc(fs->n_all + 1, sizeof *fs->from);
	for (size_t i = 0; i < fs->n_all; i++) {
		const struct upload *u = &fs->all[i];
		const struct file_field *ff = file_field(u->field);
		if (!ff || (!u->too_big && u->size == 0 && (!u->filename || !*u->filename)))
			continue;
		f->files_lost = true;
		if (u->too_big) {
			char lim[32], msg[700];
			fmt_size(file_limit(r), lim);
			snprintf(msg, sizeof msg,
				 "The file '%s' is too big: each file can be at most %s.",
				 u->filename && *u->filename ? u->filename : "you chose", lim);
			fault_set(f, ff->field, msg);
			return false;
		}
		if (!u->path)
			continue;
		fs->paths[fs->n] = u->path;
		fs->uses[fs->n] = (int)ff->use;
		fs->from[fs->n] = u;
		fs->n++;
	}
	return true;
}

/* Sets the alt text of the picture from the form (NULL when none typed). */
static void files_alt(struct files *fs, const char *alt)
{
	fs->alts[0] = (char *)alt;
	fs->alts[1] = NULL;
}

/* What media_submit or media_revise refused, as f: in plain words, beside
 * the field at fault when it is known. */
static void intake_fault(const struct files *fs, const struct media_submission *sub,
			 const struct hearth_err *err, struct fault *f)
{
	plain_words(err->msg, fs->all, fs->n_all, f->msg, sizeof f->msg);
	f->field = NULL;
	if (sub->needs_alt) {
		fault_set(f, "alt",
			  "Please describe your picture in a few words, for people who cannot "
			  "see it.");
	} else if (sub->bad_file >= 0 && (size_t)sub->bad_file < fs->n) {
		f->field = fs->from[sub->bad_file]->field;
	}
}

/* ---- /submit ------------------------------------------------------------ */

/* What the form shows: what was typed (all NULL for a new form). */
struct submit_values {
	const char *invite, *title, *summary, *text, *alt, *attribution, *name, *pseudonym,
		*warnings, *contact;
	bool consent_site, consent_podcast;
};

static void submit_values_from(struct req *r, struct submit_values *v)
{
	v->invite = req_field(r, "invite");
	v->title = req_field(r, "title");
	v->summary = req_field(r, "summary");
	v->text = req_field(r, "text");
	v->alt = req_field(r, "alt");
	v->attribution = req_field(r, "attribution");
	v->name = req_field(r, "name");
	v->pseudonym = req_field(r, "pseudonym");
	v->warnings = req_field(r, "warnings");
	v->contact = req_field(r, "contact");
	v->consent_site = field_is(r, "consent_site", "yes");
	v->consent_podcast = field_is(r, "consent_podcast", "yes");
}

static void file_controls(struct html *h, struct req *r, const struct fault *f,
			  const char *alt)
{
	char lim[32], *hint;
	fmt_size(file_limit(r), lim);
	for (size_t i = 0; i < N_FILE_FIELDS; i++) {
		const struct file_field *ff = &FILE_FIELDS[i];
		hint = xasprintf("%s%s, at most %s.",
				 ff->use == USE_MUSIC ? "If you like: " : "",
				 media_role_expects(ff->use), lim);
		hint[0] = (char)toupper((unsigned char)hint[0]);
		control(h, f, &(struct control){.name = ff->field, .label = ff->label, .hint = hint,
						 .type = "file", .accept = ff->accept});
		free(hint);
		if (ff->use == USE_ART)
			control(h, f, &(struct control){
				.name = "alt", .label = "Describe the picture (its alt text)",
				.hint = "A sentence or two saying what the picture shows, read out "
					"to people who cannot see it. Needed when you send a picture.",
				.value = alt, .type = NULL, .rows = "2"});
	}
}

static void submit_form(struct req *r, unsigned status, const struct submit_values *v,
			const struct fault *f)
{
	struct html h = {0};
	const char *attr = v->attribution ? v->attribution : "anonymous";

	page_begin(&h, r, "Share your story");
	html_elem(&h, "h1", "Share your story", NULL);
	alert(&h, f, "We could not take your story yet");
	html_elem(&h, "p",
		  "Thank you for wanting to share your story. An editor reads every story "
		  "before anything is published, and nothing is published without your "
		  "consent. Fields marked (required) are needed; everything else is up to you.",
		  NULL);

	html_form(&h, r, "/submit", true);
	html_void(&h, "input", "type", "hidden", "name", "invite", "value",
		  v->invite ? v->invite : "", NULL);

	html_open(&h, "fieldset", NULL);
	html_elem(&h, "legend", "Your story", NULL);
	control(&h, f, &(struct control){.name = "title", .label = "Title", .value = v->title,
					  .required = true, .type = "text"});
	control(&h, f, &(struct control){
		.name = "text", .label = "Your story, written down",
		.hint = "Type or paste it here. You can send a recording instead, below: we need "
			"the text or at least one file.",
		.value = v->text, .rows = "14", .cls = "story"});
	control(&h, f, &(struct control){
		.name = "summary", .label = "A short summary",
		.hint = "One or two sentences, shown beside the title. You can leave it empty.",
		.value = v->summary, .rows = "2"});
	html_close(&h);

	html_open(&h, "fieldset", NULL);
	html_elem(&h, "legend", "Files (if you have any)", NULL);
	file_controls(&h, r, f, v->alt);
	html_close(&h);

	html_open(&h, "fieldset", "aria-describedby", "attribution-hint", NULL);
	html_elem(&h, "legend", "How should we name you?", NULL);
	hint_and_error(&h, f, "attribution",
		       "Not named at all is chosen for you, as the most private choice. Change it "
		       "if you want to be named.");
	html_open(&h, "div", "id", "attribution", NULL);
	choice(&h, "radio", "attribution", "attribution-anonymous", "anonymous",
	       "Do not name me", NULL, !strcmp(attr, "anonymous"));
	choice(&h, "radio", "attribution", "attribution-pseudonym", "pseudonym",
	       "Name me by a pseudonym (a name I choose)", NULL, !strcmp(attr, "pseudonym"));
	choice(&h, "radio", "attribution", "attribution-name", "name", "Name me by my name",
	       NULL, !strcmp(attr, "name"));
	html_close(&h);
	control(&h, f, &(struct control){.name = "pseudonym", .label = "Your pseudonym",
					  .hint = "Only if you chose a pseudonym.",
					  .value = v->pseudonym, .type = "text",
					  .autocomplete = "off"});
	control(&h, f, &(struct control){.name = "name", .label = "Your name",
					  .hint = "Only if you chose to be named by your name.",
					  .value = v->name, .type = "text",
					  .autocomplete = "name"});
	html_close(&h);

	html_open(&h, "fieldset", NULL);
	html_elem(&h, "legend", "Where may we share your story?", NULL);
	html_elem(&h, "p",
		  "Tick each place you agree to, or none for now. You can take your consent "
		  "back at any time with your receipt.",
		  "class", "hint", NULL);
	choice(&h, "checkbox", "consent_site", "consent_site", "yes",
	       "Yes, my story may be on the website",
	       "Anyone visiting the website can read it, listen to it and see its picture.",
	       v->consent_site);
	choice(&h, "checkbox", "consent_podcast", "consent_podcast", "yes",
	       "Yes, my story may be in the podcast",
	       "Podcast apps fetch the recording and keep copies. If you take your story back "
	       "later, we remove it from the podcast, but copies people have already "
	       "downloaded may stay on their devices.",
	       v->consent_podcast);
	html_close(&h);

	control(&h, f, &(struct control){
		.name = "warnings", .label = "Content warnings",
		.hint = "If your story touches on something hard (for example loss or violence), "
			"write it here, one per line. Readers see these before the story.",
		.value = v->warnings, .rows = "3"});
	control(&h, f, &(struct control){
		.name = "contact", .label = "How can an editor reach you?",
		.hint = "An email or a phone number, if you like. Only the editors see it; it is "
			"never published.",
		.value = v->contact, .type = "text", .autocomplete = "email"});

	html_elem(&h, "button", "Send my story", "type", "submit", NULL);
	html_close(&h); /* form */
	html_end(&h);
	resp_html(r, status, &h);
	html_release(&h);
}

static void invite_refused(struct req *r)
{
	message_page(r, 403, "This link cannot be used",
		     "This invitation link cannot be used: it may have been used already, "
		     "expired or been mistyped. Please ask the person who sent it for a new one.",
		     NULL, NULL);
}

static void submit_get(struct req *r)
{
	struct submit_values v = {0};
	struct hearth_err err = {0};
	hearth_lib *lib = NULL;

	if (!rate_ok(r, RATE_CODE))
		return;
	v.invite = req_field(r, "invite");
	if (!v.invite || !*v.invite) {
		invite_refused(r);
		return;
	}
	if (req_lib(r, ACTOR, &lib, &err)) {
		server_trouble(r);
		return;
	}
	if (lib_invite_check(lib, v.invite, &err)) {
		if (our_trouble(err.code))
			server_trouble(r);
		else
			invite_refused(r);
		return;
	}
	submit_form(r, 200, &v, NULL);
}

/* True for a non-empty token of URL-safe base64 (the invitations' alphabet). */
static bool url_safe(const char *s)
{
	if (!s || !*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_')
			return false;
	return true;
}

static void submit_post(struct req *r)
{
	struct submit_values v = {0};
	struct fault f = {0};
	struct files fs = {0};
	struct lib_story s = {0};
	struct media_submission sub = {0};
	struct hearth_err err = {0};
	char **own = NULL, *where = NULL;
	hearth_lib *lib = NULL;
	const char *text;
	unsigned status = 422;

	submit_values_from(r, &v);
	if (!guard_form_ok(r)) {
		where = url_safe(v.invite) ? xasprintf("/submit?invite=%s", v.invite)
					   : xstrdup("/submit");
		message_page(r, 403, "Please send the form again",
			     "This form was open too long or was already sent, so we could not "
			     "take it. Nothing was saved. Please open the form again and send it.",
			     where, "Open the form again");
		goto end;
	}
	if (!rate_ok(r, RATE_SUBMIT))
		goto end;
	if (req_lib(r, ACTOR, &lib, &err)) {
		server_trouble(r);
		goto end;
	}
	if (!v.invite || lib_invite_check(lib, v.invite, &err)) {
		if (v.invite && our_trouble(err.code))
			server_trouble(r);
		else
			invite_refused(r);
		goto end;
	}
	if (!files_collect(r, &fs, &f)) {
		status = 413;
		goto refuse;
	}
	s.title = (char *)field_trim(r, "title", &own);
	if (!s.title) {
		fault_set(&f, "title", "Please give your story a title.");
		goto refuse;
	}
	text = field_trim(r, "text", &own);
	if (!text && !fs.n) {
		fault_set(&f, "text",
			  "Please write your story here, or send a recording or a picture.");
		goto refuse;
	}
	s.body = text ? (char *)v.text : NULL;
	s.summary = (char *)field_trim(r, "summary", &own);
	s.name = (char *)field_trim(r, "name", &own);
	s.pseudonym = (char *)field_trim(r, "pseudonym", &own);
	s.contact = (char *)field_trim(r, "contact", &own);
	if (lib_attribution_settle(field_trim(r, "attribution", &own), s.name, s.pseudonym,
				   &s.attribution, &err)) {
		plain_words(err.msg, NULL, 0, f.msg, sizeof f.msg);
		f.field = "attribution";
		goto refuse;
	}
	s.consent_site = v.consent_site;
	s.consent_podcast = v.consent_podcast;
	s.consent_given = hearth_now();
	s.consent_recorded_by = (char *)CONSENT_BY;
	s.language = req_settings(r)->language;
	s.warnings = split_lines(v.warnings);

	files_alt(&fs, field_trim(r, "alt", &own));
	sub.story = &s;
	sub.files = fs.paths;
	sub.n_files = fs.n;
	sub.alts = fs.alts;
	sub.uses = fs.uses;
	sub.via = "web form";
	sub.peer_confirms = req_settings(r)->serve_peer_confirm;
	sub.invite = v.invite;
	sub.bad_file = -1;
	if (media_submit(lib, &sub, &err)) {
		if (our_trouble(err.code)) {
			server_trouble(r);
			goto end;
		}
		if (!strcmp(err.msg, LIB_INVITE_REFUSED)) {
			invite_refused(r);
			goto end;
		}
		intake_fault(&fs, &sub, &err, &f);
		goto refuse;
	}
	where = xasprintf("/receipt/%s?new=1", sub.receipt);
	resp_redirect(r, where);
	goto end;
refuse:
	submit_form(r, status, &v, &f);
end:
	strv_free(s.warnings);
	strv_free(own);
	files_release(&fs);
	media_submission_release(&sub);
	free(where);
}

void page_submit(struct req *r)
{
	if (strcmp(req_path(r), "/submit") != 0)
		message_page(r, 404, "Page not found", "There is no page at this address.", "/",
			     "Go to the stories");
	else if (is_get(r))
		submit_get(r);
	else if (is_post(r))
		submit_post(r);
	else
		resp_text(r, 405, "method not allowed\n");
}

/* ---- /receipt ----------------------------------------------------------- */

/*
 * A receipt code as the address writes it: letters and digits in upper
 * case, in groups of four joined by '-'. Spaces and dashes typed are
 * dropped; any other character makes no code (false).
 */
static bool code_canon(const char *in, char out[LIB_RECEIPT_CHARS + 16])
{
	size_t n = 0, k = 0;
	for (const char *p = in ? in : ""; *p; p++) {
		if (*p == '-' || *p == ' ')
			continue;
		if (!isalnum((unsigned char)*p) || k >= 40) {
			out[0] = '\0';
			return false;
		}
		if (k && k % 4 == 0)
			out[n++] = '-';
		out[n++] = (char)toupper((unsigned char)*p);
		k++;
	}
	out[n] = '\0';
	return k > 0;
}

/* What the receipt page shows; filled by receipt_load. */
struct receipt {
	const char *code;          /* canonical, borrowed */
	char *slug;
	struct lib_story *story;
	struct lib_story_peer peer;
	struct lib_message *msgs;
	size_t n_msgs;
	bool erased;
};

static void receipt_release(struct receipt *rc)
{
	free(rc->slug);
	lib_story_free(&rc->story);
	lib_story_peer_release(&rc->peer);
	lib_message_list_free(rc->msgs, rc->n_msgs);
	memset(rc, 0, sizeof *rc);
}

/* Reads everything the page shows in one snapshot of the catalogue. */
static int receipt_load(hearth_lib *lib, struct receipt *rc, struct hearth_err *err)
{
	struct lib_audit *log = NULL;
	size_t n_log = 0;
	int rc_ = lib_begin_read(lib, err);
	if (rc_)
		return rc_;
	if (!(rc_ = lib_story_get(lib, rc->slug, &rc->story, err)) &&
	    !(rc_ = lib_story_peer_get(lib, rc->slug, &rc->peer, err)) &&
	    !(rc_ = lib_message_list(lib, rc->slug, &rc->msgs, &rc->n_msgs, err)) &&
	    !(rc_ = lib_audit_list(lib, rc->slug, &log, &n_log, err))) {
		for (size_t i = 0; i < n_log; i++)
			if (log[i].action && !strcmp(log[i].action, "erase"))
				rc->erased = true;
	}
	lib_audit_free(log, n_log);
	return lib_end(lib, rc_, err);
}

/*
 * Finds the story of the receipt code in the path (rate-limited). False
 * when an answer was sent (429, 404 or 500).
 */
static bool receipt_find(struct req *r, const char *raw, char code[LIB_RECEIPT_CHARS + 16],
			 hearth_lib **lib, struct receipt *rc)
{
	struct hearth_err err = {0};
	if (!rate_ok(r, RATE_CODE))
		return false;
	if (req_lib(r, ACTOR, lib, &err)) {
		server_trouble(r);
		return false;
	}
	if (!code_canon(raw, code) || lib_receipt_find(*lib, code, &rc->slug, &err)) {
		if (code[0] && our_trouble(err.code))
			server_trouble(r);
		else
			message_page(r, 404, "We cannot find this receipt",
				     "No story has this receipt code. Please check the code or "
				     "the link and try again.",
				     "/receipt", "Type your code again");
		return false;
	}
	rc->code = code;
	if (receipt_load(*lib, rc, &err)) {
		server_trouble(r);
		return false;
	}
	return true;
}

static bool waits_for_confirmation(const struct receipt *rc)
{
	const struct lib_story_peer *p = &rc->peer;
	return rc->story->status == ST_APPROVED && p->peer_confirms && p->approved_version &&
	       p->approved_version == p->version && p->confirmed_version != p->version;
}

static void receipt_status(struct html *h, const struct receipt *rc)
{
	const struct lib_story *s = rc->story;
	char date[40];

	html_elem(h, "h2", "Where your story is", NULL);
	if (rc->erased) {
		html_elem(h, "p", "Your story has been erased, as you asked. Nothing of it is "
				  "kept.", NULL);
		return;
	}
	switch (s->status) {
	case ST_SUBMITTED:
		html_elem(h, "p", "Your story is waiting for an editor to read it.", NULL);
		break;
	case ST_IN_REVIEW:
		html_elem(h, "p", "An editor is reading your story.", NULL);
		break;
	case ST_CHANGES_REQUESTED:
		html_elem(h, "p",
			  "An editor has asked for some changes; their message is below. You can "
			  "send a new version with the form further down.",
			  NULL);
		break;
	case ST_APPROVED:
		if (waits_for_confirmation(rc))
			html_elem(h, "p",
				  "An editor has approved your story. Please read it once more and "
				  "confirm it below: nothing is published until you do.",
				  NULL);
		else
			html_elem(h, "p", "Your story is approved and will be published soon.",
				  NULL);
		break;
	case ST_PUBLISHED:
		say_date(s->published_at, date);
		html_open(h, "p", NULL);
		if (s->published_at > hearth_now())
			html_textf(h, "Your story will be published on %s.", date);
		else
			html_textf(h, "Your story has been live since %s.", date);
		html_close(h);
		if (rc->peer.has_revision)
			html_elem(h, "p",
				  "Your latest changes are waiting for an editor. The published "
				  "version stays as it is until then.",
				  NULL);
		break;
	case ST_WITHDRAWN:
		html_elem(h, "p",
			  "You have taken your story back. It leaves the website and the podcast "
			  "at the next update.",
			  NULL);
		break;
	case ST_REJECTED:
		html_elem(h, "p",
			  "The editors decided not to publish this story. Any message they wrote "
			  "for you is below.",
			  NULL);
		break;
	default:
		break;
	}
	if (rc->peer.erasure_requested_at)
		html_elem(h, "p",
			  "You asked for your story to be erased. An editor will erase it soon.",
			  NULL);
}

static void receipt_consent(struct html *h, const struct receipt *rc)
{
	const struct lib_story *s = rc->story;
	html_elem(h, "h2", "Where you agreed to share it", NULL);
	html_open(h, "dl", "class", "consent", NULL);
	html_elem(h, "dt", "On the website", NULL);
	html_elem(h, "dd", s->consent_site ? "Yes" : "No", NULL);
	html_elem(h, "dt", "In the podcast", NULL);
	html_elem(h, "dd", s->consent_podcast ? "Yes" : "No", NULL);
	html_close(h);
}

static void receipt_messages(struct html *h, const struct receipt *rc)
{
	char date[40];
	if (!rc->n_msgs)
		return;
	html_elem(h, "h2", "Messages", NULL);
	html_open(h, "ol", "class", "messages", NULL);
	for (size_t i = 0; i < rc->n_msgs; i++) {
		const struct lib_message *m = &rc->msgs[i];
		say_date(m->at, date);
		html_open(h, "li", "class", m->from_peer ? "from-peer" : "from-editor", NULL);
		html_open(h, "p", "class", "from", NULL);
		html_textf(h, "%s, %s:", m->from_peer ? "From you" : "From the editors", date);
		html_close(h);
		html_paragraphs(h, m->body ? m->body : "");
		html_close(h);
	}
	html_close(h);
}

static const char *role_words(enum lib_role role)
{
	switch ((int)role) {
	case ROLE_AUDIO: return "A recording";
	case ROLE_MUSIC: return "Music";
	case ROLE_ART: return "A picture";
	case ROLE_TRANSCRIPT: return "A transcript";
	default: return "A file";
	}
}

static void receipt_content(struct html *h, const struct receipt *rc)
{
	const struct lib_story *s = rc->story;
	if (rc->erased)
		return;
	html_elem(h, "h2", "Your story as we have it", NULL);
	if (s->summary && *s->summary)
		html_elem(h, "p", s->summary, "class", "summary", NULL);
	if (s->body && *s->body) {
		html_open(h, "div", "class", "story-text", NULL);
		html_paragraphs(h, s->body);
		html_close(h);
	}
	if (s->n_assets) {
		html_open(h, "ul", "class", "files", NULL);
		for (size_t i = 0; i < s->n_assets; i++) {
			const struct lib_asset *a = &s->assets[i];
			html_open(h, "li", NULL);
			html_text(h, role_words(a->role));
			if (a->alt && *a->alt)
				html_textf(h, ", described as: %s", a->alt);
			html_close(h);
		}
		html_close(h);
	}
}

/* What the revise form shows: typed values, else the story's. */
struct revise_values {
	const char *title, *summary, *text, *alt, *message;
};

static void form_confirm(struct html *h, struct req *r, const struct receipt *rc)
{
	char *action = xasprintf("/receipt/%s/confirm", rc->code);
	char ver[24];
	snprintf(ver, sizeof ver, "%" PRId64, rc->peer.approved_version);
	html_open(h, "section", "aria-labelledby", "confirm-title", NULL);
	html_elem(h, "h2", "Confirm your story", "id", "confirm-title", NULL);
	html_elem(h, "p",
		  "An editor has approved your story as shown above. If you are happy for it to "
		  "be published like this, please confirm. If not, send a new version below.",
		  NULL);
	html_form(h, r, action, false);
	html_void(h, "input", "type", "hidden", "name", "version", "value", ver, NULL);
	html_elem(h, "button", "Yes, publish this version", "type", "submit", NULL);
	html_close(h);
	html_close(h);
	free(action);
}

static void form_revise(struct html *h, struct req *r, const struct receipt *rc,
			const struct revise_values *v, const struct fault *f)
{
	char *action = xasprintf("/receipt/%s/revise", rc->code);
	html_open(h, "section", "aria-labelledby", "revise-title", NULL);
	html_elem(h, "h2", "Send a new version", "id", "revise-title", NULL);
	html_elem(h, "p",
		  rc->story->status == ST_PUBLISHED
			  ? "Change what you like. Your published story stays as it is until an "
			    "editor has read your changes. A new file replaces the old one of the "
			    "same kind; files you do not choose are kept."
			  : "Change what you like, then send it: an editor will read it again. A new "
			    "file replaces the old one of the same kind; files you do not choose are "
			    "kept.",
		  NULL);
	html_form(h, r, action, true);
	control(h, f, &(struct control){.name = "title", .label = "Title", .value = v->title,
					 .type = "text"});
	control(h, f, &(struct control){.name = "text", .label = "Your story, written down",
					 .value = v->text, .rows = "14", .cls = "story"});
	control(h, f, &(struct control){.name = "summary", .label = "A short summary",
					 .value = v->summary, .rows = "2"});
	html_open(h, "fieldset", NULL);
	html_elem(h, "legend", "New files (if you have any)", NULL);
	file_controls(h, r, f, v->alt);
	html_close(h);
	control(h, f, &(struct control){
		.name = "message", .label = "A note for the editors",
		.hint = "If you like, say what you changed or answer their message.",
		.value = v->message, .rows = "3"});
	html_elem(h, "button", "Send my new version", "type", "submit", NULL);
	html_close(h);
	html_close(h);
	free(action);
}

static void form_withdraw(struct html *h, struct req *r, const struct receipt *rc,
			  const struct fault *f)
{
	const struct lib_story *s = rc->story;
	char *action = xasprintf("/receipt/%s/withdraw", rc->code);
	html_open(h, "section", "aria-labelledby", "withdraw-title", NULL);
	html_elem(h, "h2", "Take your story back", "id", "withdraw-title", NULL);
	html_elem(h, "p", "You can do this at any time, and you do not need to say why.", NULL);
	html_form(h, r, action, false);
	html_open(h, "fieldset", "aria-describedby", "channel-hint", NULL);
	html_elem(h, "legend", "What do you want to take back?", NULL);
	hint_and_error(h, f, "channel",
		       "We remove it at the next update. Podcast apps may keep copies that "
		       "people have already downloaded; we cannot reach those.");
	html_open(h, "div", "id", "channel", NULL);
	if (s->consent_site && s->consent_podcast) {
		choice(h, "radio", "channel", "channel-site", "site",
		       "Take it off the website (keep it in the podcast)", NULL, false);
		choice(h, "radio", "channel", "channel-podcast", "podcast",
		       "Take it out of the podcast (keep it on the website)", NULL, false);
	}
	choice(h, "radio", "channel", "channel-all", "all", "Take it back everywhere", NULL,
	       false);
	html_close(h);
	html_close(h); /* fieldset */
	html_elem(h, "button", "Take it back", "type", "submit", NULL);
	html_close(h);
	html_close(h);
	free(action);
}

static void form_erase(struct html *h, struct req *r, const struct receipt *rc,
		       const struct fault *f)
{
	char *action = xasprintf("/receipt/%s/erase", rc->code);
	char *desc = described(f, "sure", true);
	html_open(h, "section", "aria-labelledby", "erase-title", NULL);
	html_elem(h, "h2", "Erase your story", "id", "erase-title", NULL);
	html_elem(h, "p",
		  "If you want, we erase your story for good: its text, its files and your "
		  "details. It is taken off at once, and an editor then erases it. This cannot "
		  "be undone.",
		  NULL);
	html_form(h, r, action, false);
	hint_and_error(h, f, "sure", "Tick the box to show you are sure.");
	html_open(h, "div", "class", "choice", NULL);
	html_void(h, "input", "type", "checkbox", "id", "sure", "name", "sure", "value", "yes",
		  "required", "", "aria-describedby", desc, "aria-invalid",
		  fault_at(f, "sure") ? "true" : NULL, NULL);
	html_elem(h, "label", "Yes, erase my story", "for", "sure", NULL);
	html_close(h);
	html_elem(h, "button", "Ask for my story to be erased", "type", "submit", NULL);
	html_close(h);
	html_close(h);
	free(action);
	free(desc);
}

static const char *notice_words(const char *done)
{
	static const struct {
		const char *done, *words;
	} W[] = {
		{"revised", "Thank you: your new version is in. An editor will read it."},
		{"held", "Thank you: your new version is waiting for an editor. Your published "
			 "story stays as it is until then."},
		{"confirmed", "Thank you for confirming. Your story can now be published."},
		{"withdrawn", "Your story is taken back. It leaves the website and the podcast at "
			      "the next update."},
		{"withdrawn_site", "Your story leaves the website at the next update. It stays in "
				   "the podcast."},
		{"withdrawn_podcast", "Your story leaves the podcast at the next update. It stays "
				      "on the website."},
		{"erase", "We have your request. Your story is taken off now, and an editor will "
			  "erase it."},
	};
	for (size_t i = 0; done && i < sizeof W / sizeof W[0]; i++)
		if (!strcmp(W[i].done, done))
			return W[i].words;
	return NULL;
}

/* The receipt page: 200, or 422 with f and the revise form re-filled. */
static void receipt_page(struct req *r, unsigned status, const struct receipt *rc,
			 const struct fault *f, const struct revise_values *typed)
{
	const struct lib_story *s = rc->story;
	struct html h = {0};
	struct revise_values v = {s->title, s->summary, s->body, NULL, NULL};
	const char *notice = status == 200 ? notice_words(req_field(r, "done")) : NULL;
	bool open = !rc->erased && s->status != ST_WITHDRAWN && s->status != ST_REJECTED;

	if (typed)
		v = *typed;
	page_begin(&h, r, "Your story");
	html_elem(&h, "h1", rc->erased ? "Your story" : s->title, NULL);
	alert(&h, f, "That did not work");
	if (status == 200 && field_is(r, "new", "1")) {
		html_open(&h, "div", "class", "note", "role", "status", NULL);
		html_elem(&h, "h2", "Thank you. Your story has reached us safely.", NULL);
		html_elem(&h, "p",
			  "Keep this link (bookmark this page) or write down your receipt code: it "
			  "is the only way to follow your story, change it or take it back. We "
			  "cannot send it to you again.",
			  NULL);
		html_open(&h, "p", NULL);
		html_text(&h, "Your receipt code: ");
		html_elem(&h, "strong", rc->code, "class", "code", NULL);
		html_close(&h);
		html_close(&h);
	}
	if (notice) {
		html_open(&h, "div", "class", "note", "role", "status", NULL);
		html_elem(&h, "p", notice, NULL);
		html_close(&h);
	}
	receipt_status(&h, rc);
	receipt_messages(&h, rc);
	if (!rc->erased)
		receipt_consent(&h, rc);
	receipt_content(&h, rc);
	if (waits_for_confirmation(rc))
		form_confirm(&h, r, rc);
	if (open)
		form_revise(&h, r, rc, &v, f);
	if (!rc->erased && s->status != ST_WITHDRAWN)
		form_withdraw(&h, r, rc, f);
	if (!rc->erased && !rc->peer.erasure_requested_at)
		form_erase(&h, r, rc, f);
	html_end(&h);
	resp_html(r, status, &h);
	html_release(&h);
}

/* The form to type a code, or the way to the receipt it names. */
static void receipt_ask(struct req *r)
{
	const char *typed = req_field(r, "code");
	char code[LIB_RECEIPT_CHARS + 16] = "";
	struct fault f = {0};
	struct html h = {0};

	if (typed && code_canon(typed, code)) {
		char *where = xasprintf("/receipt/%s", code);
		resp_redirect(r, where);
		free(where);
		return;
	}
	if (typed)
		fault_set(&f, "code", "Please type your receipt code: letters and numbers, with or "
				      "without the dashes.");
	page_begin(&h, r, "Follow your story");
	html_elem(&h, "h1", "Follow your story", NULL);
	alert(&h, &f, "We need your code");
	html_elem(&h, "p",
		  "Type the receipt code you were given when you sent your story, to see where "
		  "it is, change it or take it back.",
		  NULL);
	html_open(&h, "form", "method", "get", "action", "/receipt", NULL);
	control(&h, &f, &(struct control){.name = "code", .label = "Your receipt code",
					   .hint = "For example ABCD-EFGH-... Upper or lower case "
						   "both work.",
					   .value = typed, .required = true, .type = "text",
					   .autocomplete = "off"});
	html_elem(&h, "button", "Show my story", "type", "submit", NULL);
	html_close(&h);
	html_end(&h);
	resp_html(r, typed ? 422 : 200, &h);
	html_release(&h);
}

/* After an action: back to the receipt page with a notice. */
static void back_to(struct req *r, const struct receipt *rc, const char *done)
{
	char *where = xasprintf("/receipt/%s?done=%s", rc->code, done);
	resp_redirect(r, where);
	free(where);
}

static void receipt_revise(struct req *r, hearth_lib *lib, struct receipt *rc)
{
	struct fault f = {0};
	struct files fs = {0};
	struct lib_story s = {0};
	struct media_submission sub = {0};
	struct hearth_err err = {0};
	struct revise_values typed = {req_field(r, "title"), req_field(r, "summary"),
				      req_field(r, "text"), req_field(r, "alt"),
				      req_field(r, "message")};
	char **own = NULL;
	unsigned status = 422;

	if (!rate_ok(r, RATE_SUBMIT))
		goto end;
	if (!files_collect(r, &fs, &f)) {
		status = 413;
		goto refuse;
	}
	/* what is left empty stays as it is */
	s.title = (char *)field_trim(r, "title", &own);
	s.summary = (char *)field_trim(r, "summary", &own);
	s.body = field_trim(r, "text", &own) ? (char *)typed.text : NULL;
	if (!s.title)
		s.title = rc->story->title;
	if (!s.summary)
		s.summary = rc->story->summary;
	s.warnings = rc->story->warnings;
	s.language = rc->story->language;
	files_alt(&fs, field_trim(r, "alt", &own));
	sub.story = &s;
	sub.files = fs.paths;
	sub.n_files = fs.n;
	sub.alts = fs.alts;
	sub.uses = fs.uses;
	sub.via = "web form";
	sub.peer_confirms = req_settings(r)->serve_peer_confirm;
	sub.bad_file = -1;
	if (media_revise(lib, rc->slug, field_trim(r, "message", &own), &sub, &err)) {
		if (our_trouble(err.code)) {
			server_trouble(r);
			goto end;
		}
		intake_fault(&fs, &sub, &err, &f);
		goto refuse;
	}
	back_to(r, rc, sub.held ? "held" : "revised");
	goto end;
refuse:
	receipt_page(r, status, rc, &f, &typed);
end:
	strv_free(own);
	files_release(&fs);
	media_submission_release(&sub);
}

/* A library refusal on the receipt page (422), or 500 for our own trouble. */
static void receipt_refused(struct req *r, const struct receipt *rc,
			    const struct hearth_err *err, const char *field)
{
	struct fault f = {0};
	if (our_trouble(err->code)) {
		server_trouble(r);
		return;
	}
	plain_words(err->msg, NULL, 0, f.msg, sizeof f.msg);
	f.field = field;
	receipt_page(r, 422, rc, &f, NULL);
}

static void receipt_action(struct req *r, const char *action, hearth_lib *lib,
			   struct receipt *rc)
{
	struct hearth_err err = {0};
	struct fault f = {0};

	if (!strcmp(action, "revise")) {
		receipt_revise(r, lib, rc);
	} else if (!strcmp(action, "confirm")) {
		const char *v = req_field(r, "version");
		char *endp = NULL;
		long long ver = v ? strtoll(v, &endp, 10) : 0;
		if (!v || !*v || *endp || ver <= 0)
			herr(&err, HEARTH_EINVAL, "this confirmation names no version of your story");
		else if (!lib_story_confirm(lib, rc->slug, (int64_t)ver, &err)) {
			back_to(r, rc, "confirmed");
			return;
		}
		receipt_refused(r, rc, &err, NULL);
	} else if (!strcmp(action, "withdraw")) {
		const char *ch = req_field(r, "channel");
		bool site = ch && (!strcmp(ch, "site") || !strcmp(ch, "all"));
		bool podcast = ch && (!strcmp(ch, "podcast") || !strcmp(ch, "all"));
		bool gone = false;
		if (!site && !podcast) {
			fault_set(&f, "channel", "Please choose what you want to take back.");
			receipt_page(r, 422, rc, &f, NULL);
			return;
		}
		if (lib_story_withdraw_channels(lib, rc->slug, site, podcast, WITHDRAWN_BY, &gone,
						&err)) {
			receipt_refused(r, rc, &err, "channel");
			return;
		}
		/* the withdrawal stands; the cache is only tidied after it */
		if (gone)
			media_purge_story(lib, rc->slug, NULL, &err);
		back_to(r, rc, gone ? "withdrawn" : site ? "withdrawn_site" : "withdrawn_podcast");
	} else if (!strcmp(action, "erase")) {
		if (!field_is(r, "sure", "yes")) {
			fault_set(&f, "sure", "Please tick the box to show you are sure.");
			receipt_page(r, 422, rc, &f, NULL);
			return;
		}
		if (lib_story_request_erasure(lib, rc->slug, &err)) {
			receipt_refused(r, rc, &err, "sure");
			return;
		}
		media_purge_story(lib, rc->slug, NULL, &err);
		back_to(r, rc, "erase");
	} else {
		message_page(r, 404, "Page not found", "There is no page at this address.",
			     "/receipt", "Follow your story");
	}
}

void page_receipt(struct req *r)
{
	const char *path = req_path(r), *rest;
	char *raw = NULL;
	const char *action = NULL, *slash;
	char code[LIB_RECEIPT_CHARS + 16] = "";
	struct receipt rc = {0};
	hearth_lib *lib = NULL;

	if (!strcmp(path, "/receipt") || !strcmp(path, "/receipt/")) {
		if (is_get(r))
			receipt_ask(r);
		else
			resp_text(r, 405, "method not allowed\n");
		return;
	}
	rest = path + strlen("/receipt/");
	slash = strchr(rest, '/');
	raw = slash ? xstrndup(rest, (size_t)(slash - rest)) : xstrdup(rest);
	if (slash)
		action = slash + 1;
	if (action && strchr(action, '/')) {
		message_page(r, 404, "Page not found", "There is no page at this address.",
			     "/receipt", "Follow your story");
		goto end;
	}
	if (!action && !is_get(r)) {
		resp_text(r, 405, "method not allowed\n");
		goto end;
	}
	if (action && !is_post(r)) {
		/* a form's address opened by hand: the receipt itself */
		char *where = code_canon(raw, code) ? xasprintf("/receipt/%s", code)
						    : xstrdup("/receipt");
		resp_redirect(r, where);
		free(where);
		goto end;
	}
	if (action && !guard_form_ok(r)) {
		char *where = code_canon(raw, code) ? xasprintf("/receipt/%s", code)
						    : xstrdup("/receipt");
		message_page(r, 403, "Please send the form again",
			     "This form was open too long or was already sent, so nothing was "
			     "changed. Please go back to your story and try again.",
			     where, "Back to your story");
		free(where);
		goto end;
	}
	if (!receipt_find(r, raw, code, &lib, &rc))
		goto end;
	if (action)
		receipt_action(r, action, lib, &rc);
	else
		receipt_page(r, 200, &rc, NULL, NULL);
end:
	receipt_release(&rc);
	free(raw);
}

/* ---- /feedback ---------------------------------------------------------- */

static void feedback_form(struct req *r, unsigned status, const struct fault *f)
{
	struct html h = {0};
	page_begin(&h, r, "Tell us what you think");
	html_elem(&h, "h1", "Tell us what you think", NULL);
	alert(&h, f, "We could not take your message yet");
	html_elem(&h, "p",
		  "A question, an idea, something that did not work: we read every message.",
		  NULL);
	html_form(&h, r, "/feedback", false);
	control(&h, f, &(struct control){.name = "message", .label = "Your message",
					  .value = req_field(r, "message"), .required = true,
					  .rows = "8"});
	control(&h, f, &(struct control){
		.name = "page", .label = "What is it about?",
		.hint = "A story or a page, if it is about one. You can leave it empty.",
		.value = req_field(r, "page"), .type = "text"});
	control(&h, f, &(struct control){
		.name = "contact", .label = "How can we answer you?",
		.hint = "An email or a phone number, if you want an answer. Only the editors see "
			"it.",
		.value = req_field(r, "contact"), .type = "text", .autocomplete = "email"});
	html_elem(&h, "button", "Send", "type", "submit", NULL);
	html_close(&h);
	html_end(&h);
	resp_html(r, status, &h);
	html_release(&h);
}

static void feedback_post(struct req *r)
{
	struct fault f = {0};
	struct hearth_err err = {0};
	char **own = NULL;
	hearth_lib *lib = NULL;
	const char *message;

	if (!guard_form_ok(r)) {
		message_page(r, 403, "Please send the form again",
			     "This form was open too long or was already sent, so we could not "
			     "take it. Please open it again and send your message.",
			     "/feedback", "Open the form again");
		return;
	}
	if (!rate_ok(r, RATE_FEEDBACK))
		return;
	message = field_trim(r, "message", &own);
	if (!message) {
		fault_set(&f, "message", "Please write your message.");
		feedback_form(r, 422, &f);
		goto end;
	}
	if (req_lib(r, ACTOR, &lib, &err) ||
	    lib_feedback_add(lib, field_trim(r, "page", &own), message,
			     field_trim(r, "contact", &own), &err)) {
		if (!lib || our_trouble(err.code)) {
			server_trouble(r);
		} else {
			plain_words(err.msg, NULL, 0, f.msg, sizeof f.msg);
			feedback_form(r, 422, &f);
		}
		goto end;
	}
	message_page(r, 200, "Thank you",
		     "Thank you for your message. The editors read every one.", "/",
		     "Back to the stories");
end:
	strv_free(own);
}

void page_feedback(struct req *r)
{
	if (strcmp(req_path(r), "/feedback") != 0)
		message_page(r, 404, "Page not found", "There is no page at this address.", "/",
			     "Go to the stories");
	else if (is_get(r))
		feedback_form(r, 200, NULL);
	else if (is_post(r))
		feedback_post(r);
	else
		resp_text(r, 405, "method not allowed\n");
}
