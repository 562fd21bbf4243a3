/*
 * main.c - the hearth program: global options (-C DIR), the table of
 * subcommands, and the shared plumbing every subcommand uses (messages,
 * option parsing, opening the library).
 *
 * Compiled twice. Built with HEARTH_LEAN it is the `hearth` of the text
 * commands: a media command's row has no function, so nothing here pulls
 * in media/, site-gen/ or serve/, and main() hands such a command to
 * hearth-media (exec.c). Without it, it is hearth-media, every command.
 */
#define _GNU_SOURCE
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef HEARTH_VERSION
#define HEARTH_VERSION "0.1.0"
#endif

#ifdef HEARTH_LEAN
#define MEDIA(fn) NULL
#else
#define MEDIA(fn) fn
#endif

#ifdef HEARTH_LEAN
/*
 * The lean hearth loads no code at run time. It is linked statically
 * (LEAN_STATIC in the Makefile: most of a text command's time was the
 * dynamic loader), with the calls to the C library's loader, which a
 * static program cannot use safely, sent here (ld --wrap). Nothing the
 * lean commands run asks for a module: SQLite's extensions are never
 * loaded, and ICU (core/text.c) serves slugify, which only submit
 * (hearth-media) calls; were it asked, slugify would keep the title's
 * letters as they are.
 */
void *__wrap_dlopen(const char *file, int flags);
void *__wrap_dlsym(void *handle, const char *name);
int __wrap_dlclose(void *handle);
char *__wrap_dlerror(void);

static char no_loading[] = "the lean hearth loads no modules";

void *__wrap_dlopen(const char *file, int flags)
{
	(void)file;
	(void)flags;
	return NULL;
}

void *__wrap_dlsym(void *handle, const char *name)
{
	(void)handle;
	(void)name;
	return NULL;
}

int __wrap_dlclose(void *handle)
{
	(void)handle;
	return 0;
}

char *__wrap_dlerror(void)
{
	return no_loading;
}
#endif
/* a media command whose file has a lean side too (LEAN_TWICE in the Makefile) */
#define LEAN(fn) fn

const struct cli_cmd cli_commands[] = {
	{"init", cmd_init, "create a library",
	 "usage: hearth init [DIR]\n\n"
	 "Creates a library in DIR (default: the library folder, see -C): hearth.yaml\n"
	 "with default settings, the catalogue hearth.db and the store of originals.\n"},
	{"import", LEAN(cmd_import), "import story bundles, collections and settings",
	 "usage: hearth import PATH...\n\n"
	 "Each PATH is a content folder (hearth.yaml, stories/, collections/), a\n"
	 "stories/ folder, one story bundle (a folder with story.md), or a collection\n"
	 "file (collections/<slug>.yaml). Every file is identified by its content and\n"
	 "checked against its role. Importing an unchanged bundle changes nothing; a\n"
	 "changed one updates the story's content. Everything is imported or nothing\n"
	 "is.\n\n"
	 "A bundle's consent, status, publication date and attribution count only when\n"
	 "its story is first imported. After that they change only through consent,\n"
	 "review, publish and withdraw: a re-import keeps them (an attribution may only\n"
	 "become less open) and says per story what it changed and what it kept.\n"},
	{"submit", MEDIA(cmd_submit), "submit a story as a peer",
	 "usage: hearth submit FILE... --title T [options]\n\n"
	 "FILE is the story text (Markdown or plain text), a recording, music, a\n"
	 "picture or a transcript; each is identified by its content.\n\n"
	 "  --title T            the story's title (required)\n"
	 "  --summary S          one or two sentences for lists and feeds\n"
	 "  --name N             your name (kept private unless you choose to be named)\n"
	 "  --pseudonym P        the name to show instead\n"
	 "  --attribution A      name | pseudonym | anonymous\n"
	 "  --contact C          how editors can reach you (always private)\n"
	 "  --consent LIST       channels you agree to: site, podcast, both (site,podcast)\n"
	 "                       or none\n"
	 "  --warning W          a content warning (repeat for more)\n"
	 "  --alt TEXT           alternative text for each picture, in order\n"
	 "  --music              audio files are music rather than spoken word\n"
	 "  --language L         language code (default en)\n"},
	{"list", cmd_list, "list stories",
	 "usage: hearth list [--status S] [--json]\n\n"
	 "One line per story: slug, status, date, title. S is one of submitted,\n"
	 "in_review, changes_requested, approved, published, withdrawn, rejected.\n"},
	{"show", cmd_show, "show one story with its files, consent and history",
	 "usage: hearth show SLUG [--json]\n"},
	{"review", cmd_review, "approve, reject or ask for changes",
	 "usage: hearth review SLUG --start | --approve | --reject REASON |\n"
	 "                          --request-changes NOTE\n\n"
	 "Moves a story through review. A submitted story is taken into review\n"
	 "first. Reasons and notes are private to the editors.\n"},
	{"publish", cmd_publish, "publish an approved story, or correct its date",
	 "usage: hearth publish SLUG [--at DATE]\n"
	 "       hearth publish SLUG --unschedule\n\n"
	 "Refused unless consent covers the site or the podcast. DATE is YYYY-MM-DD\n"
	 "or an ISO 8601 time; a future date holds the story until then.\n\n"
	 "  --at DATE      on a story already published: move its date. A scheduled\n"
	 "                 story may move to any date, a live one only to a date not\n"
	 "                 in the future.\n"
	 "  --unschedule   take a story whose date is still to come off the schedule:\n"
	 "                 back to approved, consent untouched. A live story leaves\n"
	 "                 only by 'hearth withdraw'.\n\n"
	 "Published again without --at, a story keeps the date it had. The feed item's\n"
	 "guid never changes. Every change is audited.\n"},
	{"withdraw", cmd_withdraw, "withdraw consent: remove a story everywhere",
	 "usage: hearth withdraw SLUG [--reason R]\n\n"
	 "The story leaves the site, every feed and the published media at the next\n"
	 "build, and its cached renditions are deleted now. The reason is private.\n"
	 "'hearth erase SLUG' then deletes its originals and personal data.\n"},
	{"consent", cmd_consent, "record consent per channel",
	 "usage: hearth consent SLUG [--site yes|no] [--podcast yes|no] --by NAME\n"
	 "                         [--note NOTE]\n\n"
	 "Records the consent the storyteller gave. NAME and NOTE are private.\n"},
	{"collection", cmd_collection, "curate ordered collections",
	 "usage: hearth collection new SLUG --title T [--description D] [--podcast]\n"
	 "       hearth collection add COLLECTION STORY [--at N]\n"
	 "       hearth collection remove COLLECTION STORY\n"
	 "       hearth collection move COLLECTION STORY N\n"
	 "       hearth collection list\n"
	 "       hearth collection show COLLECTION\n\n"
	 "Positions N count from 1.\n"},
	{"build", LEAN(cmd_build), "build the site and feeds",
	 "usage: hearth build [-o DIR] [--base-url URL] [-j N] [--no-wait] [--verify]\n\n"
	 "Writes the site and the podcast feed from published stories whose consent\n"
	 "covers each channel. DIR defaults to public/ in the library; it is replaced\n"
	 "whole only when the build succeeds. -j N runs media work on N cores\n"
	 "(default: all).\n\n"
	 "A build makes only what its inputs changed, and takes the files it made\n"
	 "before as they are. --verify looks at every file of DIR, makes again any\n"
	 "that was changed or removed by hand, and replaces DIR whole, so that a file\n"
	 "put there by hand goes too.\n\n"
	 "One build runs at a time per library: a second one waits for the first,\n"
	 "or with --no-wait fails at once. When the catalogue changes while a build\n"
	 "runs (a withdrawal, say), the build starts again from the new state, so\n"
	 "what it publishes is the catalogue as it is at the end.\n\n"
	 "What a deploy keeps in DIR is carried into each new site: .git,\n"
	 ".gitignore, .gitattributes, .nojekyll, .well-known, .domains, .htaccess,\n"
	 "CNAME, _headers, _redirects and robots.txt. Any other file at the top of\n"
	 "DIR that hearth did not write stops the build, which names it.\n"},
	{"gc", MEDIA(cmd_gc), "delete originals nothing refers to",
	 "usage: hearth gc\n\n"
	 "Deletes the originals in the store that no story refers to any more (those\n"
	 "of a failed or killed import, or replaced by a re-import) and their cached\n"
	 "renditions. It waits while an import is storing files (the store lock,\n"
	 ".lock-store in the library). It runs by itself after every import and\n"
	 "build that has work to do, when no import holds that lock.\n"},
	{"backup", cmd_backup, "a consistent copy of the catalogue, while others work",
	 "usage: hearth backup DEST\n\n"
	 "Writes a copy of the catalogue (hearth.db) to DEST, a new file, with SQLite's\n"
	 "online backup: the copy is the catalogue as it was when the backup began,\n"
	 "even while submissions, reviews or a build go on, and nobody waits for it.\n"
	 "DEST must not exist; the copy appears under that name only when it is\n"
	 "complete and checked. The originals (store/) and the settings (hearth.yaml)\n"
	 "are plain files: copy them beside it (see docs/deploy.md). To restore, put\n"
	 "the copy back as hearth.db in a library folder with those files.\n"},
	{"erase", MEDIA(cmd_erase), "erase a withdrawn story's originals and personal data",
	 "usage: hearth erase SLUG\n\n"
	 "Only for a withdrawn story. Deletes its originals (unless another story\n"
	 "uses the same file) and their cached renditions, and clears its personal\n"
	 "fields: title, summary, text, name, pseudonym, contact, consent and review\n"
	 "notes, file names, and the details of its history. The slug and an audit\n"
	 "entry \"erase\" remain. This cannot be undone.\n"},
	{"export", cmd_export, "the whole catalogue as JSON",
	 "usage: hearth export [--json] [--private]\n\n"
	 "Private fields (real names, contacts, consent and review notes) are\n"
	 "included only with --private.\n"},
	{"notify", MEDIA(cmd_notify), "tell podcast apps and WebSub hubs that the feeds changed",
	 "usage: hearth notify [-o DIR] [--all] [--dry-run] [--timeout SECONDS]\n\n"
	 "Tells listeners' apps that feeds of the built site (DIR, default public/ in\n"
	 "the library) changed: a WebSub publish (hub.mode=publish&hub.url=FEED) to\n"
	 "every hub in notify.hubs for each changed feed (feed.xml, every collection's\n"
	 "feed.xml, atom.xml), and, when notify.podcastindex is on, the Podcast\n"
	 "Index's pubnotify for each changed podcast feed. A feed is announced by the\n"
	 "address it names itself (its atom:link rel=self).\n\n"
	 "A feed counts as changed when its bytes differ from those last announced to\n"
	 "that place; what was accepted is kept in .hearth-notified.<name> beside DIR,\n"
	 "so a place that failed is tried again next time. Addresses must be https\n"
	 "(http only to a loopback address); redirects are followed only to https.\n"
	 "A failed request is named and the command exits 1; the catalogue and the\n"
	 "site are never changed. With notify.after_build, 'hearth build' does this\n"
	 "after each build that publishes, and a failure there is only a warning.\n\n"
	 "  --all          announce every feed, changed or not\n"
	 "  -n, --dry-run  print the requests it would make; send and record nothing\n"
	 "  --timeout S    seconds one request may take (default 30; connecting at\n"
	 "                 most 10)\n"},
	{"deploy", MEDIA(cmd_deploy), "publish the built site to a folder, a host or object storage",
	 "usage: hearth deploy [-o DIR] [--force] [--no-wait] [-q] [--timeout SECONDS] DEST\n\n"
	 "Publishes the built site (DIR, default public/ in the library) to DEST and\n"
	 "deletes there what the site no longer has, so a withdrawn story leaves the\n"
	 "host too. DEST is one of:\n"
	 "  FOLDER              a local folder (a web server's document root)\n"
	 "  [USER@]HOST:PATH    over rsync and ssh (deploy.rsh, or RSYNC_RSH, names\n"
	 "                      another remote shell)\n"
	 "  s3://BUCKET/PREFIX  S3-compatible object storage at deploy.s3_endpoint,\n"
	 "                      with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and\n"
	 "                      AWS_SESSION_TOKEN) from the environment, never the library\n\n"
	 "Media go first, then the other files and pages, the feeds last, then the\n"
	 "deletions, so no page or feed names a file not there yet. Only what changed\n"
	 "is sent (a folder: size, time, then SHA-256; object storage: the ETag; rsync:\n"
	 "as rsync decides). Names starting with '.' are neither sent nor deleted. A\n"
	 "failure stops before any deletion and exits 1; the same deploy run again\n"
	 "finishes the job. The build lock is held throughout: a running build is\n"
	 "waited for, and a build waits for the deploy.\n\n"
	 "A destination that holds files but was never deployed to (it has no\n"
	 ".hearth-deploy, which the first deploy writes) is refused.\n\n"
	 "  --force        deploy into such a destination all the same: everything\n"
	 "                 there that the site does not have is deleted\n"
	 "  --no-wait      fail at once while a build runs\n"
	 "  -q, --quiet    print only the summary\n"
	 "  --timeout S    seconds of silence before a transfer is given up (default 120)\n"},
	{"serve", MEDIA(cmd_serve), "preview the built site over HTTP",
	 "usage: hearth serve [--bind ADDR] [--port N] [-o DIR]\n\n"
	 "Serves the built site (DIR, default public/ in the library) over HTTP until\n"
	 "interrupted (Ctrl-C or SIGTERM), for preview. ADDR is an IPv4 or IPv6\n"
	 "address (default 127.0.0.1), N the port (default 8080). Only GET and HEAD;\n"
	 "byte ranges, ETag and Last-Modified with conditional requests; no file\n"
	 "outside DIR, no link and no hidden file is ever served. Every answer carries\n"
	 "a Content-Security-Policy and the other security headers. For the internet,\n"
	 "put it behind a reverse proxy that adds TLS (see docs/deploy.md).\n"},
	{"invite", cmd_invite, "make, list or revoke links that let peers submit",
	 "usage: hearth invite [--note N] [--expires DATE] [--uses N]\n"
	 "       hearth invite --list\n"
	 "       hearth invite --revoke ID\n"
	 "       hearth invite --use TOKEN\n\n"
	 "Prints a submission link, <base_url>/submit?invite=TOKEN, for a peer. The\n"
	 "token is random (256 bits); hearth keeps only a hash of it, so the link is\n"
	 "shown once and cannot be shown again. (The web form that takes the link\n"
	 "is not built yet: for now links are made, listed, revoked and checked.)\n\n"
	 "  --note N        a private note for the editors (whom it is for)\n"
	 "  --expires DATE  the link works until DATE (YYYY-MM-DD: to the end of that\n"
	 "                  day, UTC; or an ISO 8601 time); default: no end\n"
	 "  --uses N        the link works N times (at least 1); default: no limit\n"
	 "  --list          every invitation: id, note, dates, uses left, state (never\n"
	 "                  the link)\n"
	 "  --revoke ID     the link stops working at once (audited)\n"
	 "  --use TOKEN     spend one use, as a submission through the link does; an\n"
	 "                  unknown, expired, revoked or used-up token gets the same\n"
	 "                  refusal\n"},
	{"editor", cmd_editor, "add, remove or list the editors who sign in to the console",
	 "usage: hearth editor add NAME\n"
	 "       hearth editor remove NAME\n"
	 "       hearth editor passwd NAME\n"
	 "       hearth editor list\n\n"
	 "Accounts for the editors' console of 'hearth serve' (<base_url>/editor).\n"
	 "NAME is 1 to 64 letters, digits, '.', '_' and '-'. The password (at least\n"
	 "10 characters) is asked for twice without echo; when standard input is not\n"
	 "a terminal, its first line is the password. It is never taken from the\n"
	 "command line. Passwords are kept only as Argon2id hashes. remove and passwd\n"
	 "end the editor's sessions at once. Every change is in the audit log.\n"},
	{"help", cmd_help, "list the commands, or show one command's help",
	 "usage: hearth help [COMMAND]\n"},
	{NULL, NULL, NULL, NULL},
};

static const char main_usage[] =
	"usage: hearth [-C DIR] COMMAND [ARGS]\n\n"
	"Hearth keeps a library of peer stories and publishes them as a website and\n"
	"a podcast feed. -C DIR (or $HEARTH_DIR) names the library folder; the\n"
	"default is the current folder.\n\n"
	"Commands:\n";

static void print_commands(FILE *f)
{
	fputs(main_usage, f);
	for (const struct cli_cmd *k = cli_commands; k->name; k++)
		fprintf(f, "  %-11s %s\n", k->name, k->summary);
	fputs("\nRun 'hearth COMMAND --help' for one command's options.\n", f);
}

int cli_fail(const struct cli *c, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "hearth: %s: ", c->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_ERR;
}

int cli_fail_err(const struct cli *c, const struct hearth_err *err)
{
	return cli_fail(c, "%s", err->msg[0] ? err->msg : "failed");
}

int cli_usage(const struct cli *c, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "hearth: %s: ", c->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(see 'hearth %s --help')\n", c->name);
	return EXIT_USAGE;
}

int cli_help(const struct cli *c)
{
	for (const struct cli_cmd *k = cli_commands; k->name; k++)
		if (!strcmp(k->name, c->name)) {
			fputs(k->usage, stdout);
			return EXIT_OK;
		}
	return EXIT_OK;
}

/* The catalogue is busy: said once, then the command waits. */
static void say_waiting(void *arg)
{
	const struct cli *c = arg;
	fprintf(stderr, "hearth: %s: waiting for another hearth to finish writing the "
			"catalogue...\n", c->name);
}

static int open_lib(const struct cli *c, bool read_only, hearth_lib **lib)
{
	struct hearth_err err = {0};
	struct lib_open_opts o = {
		.read_only = read_only,
		.waiting = say_waiting,
		.arg = (void *)c,
	};
	if (lib_open_with(c->dir, &o, lib, &err) != 0) {
		if (err.code == HEARTH_ENOENT)
			return cli_fail(c, "%s (create one with 'hearth init')", err.msg);
		return cli_fail_err(c, &err);
	}
	return EXIT_OK;
}

int cli_open(const struct cli *c, hearth_lib **lib)
{
	return open_lib(c, false, lib);
}

int cli_open_read(const struct cli *c, hearth_lib **lib)
{
	return open_lib(c, true, lib);
}

bool cli_int(const char *s, long *out)
{
	char *end;
	if (!s || !*s)
		return false;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end || v < 0)
		return false;
	*out = v;
	return true;
}

int cli_parse(const struct cli *c, int argc, char **argv, const struct cli_opt *opts,
	      const char ***operands, size_t *n_operands, bool *helped)
{
	size_t n = 0;
	struct option *lo;
	struct buf shorts = BUF_INIT;
	int rc = 0, ch, idx;

	while (opts && opts[n].name)
		n++;
	lo = xcalloc(n + 2, sizeof *lo);
	buf_puts(&shorts, "+:");
	for (size_t i = 0; i < n; i++) {
		lo[i].name = opts[i].name;
		lo[i].has_arg = opts[i].takes_value ? required_argument : no_argument;
		lo[i].val = 256 + (int)i;
		if (opts[i].short_name) {
			buf_putc(&shorts, opts[i].short_name);
			if (opts[i].takes_value)
				buf_putc(&shorts, ':');
		}
	}
	lo[n].name = "help";
	lo[n].val = 'h' + 1000;
	/* GNU getopt permutes, so options may follow operands */
	shorts.data[0] = '-';
	*helped = false;
	*operands = xcalloc((size_t)argc + 1, sizeof **operands);
	*n_operands = 0;
	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, buf_cstr(&shorts), lo, &idx)) != -1) {
		if (ch == 1) {
			(*operands)[(*n_operands)++] = optarg;
			continue;
		}
		if (ch == 'h' + 1000) {
			*helped = true;
			cli_help(c);
			break;
		}
		if (ch == '?') {
			rc = cli_usage(c, "unknown option '%s'", argv[optind - 1]);
			break;
		}
		if (ch == ':') {
			rc = cli_usage(c, "option '%s' needs a value", argv[optind - 1]);
			break;
		}
		size_t i = n;
		if (ch >= 256 && ch < 256 + (int)n)
			i = (size_t)(ch - 256);
		else
			for (i = 0; i < n; i++)
				if (opts[i].short_name == ch)
					break;
		if (i == n) {
			rc = cli_usage(c, "unknown option");
			break;
		}
		if (!opts[i].takes_value)
			*opts[i].flag = true;
		else if (opts[i].repeat)
			*opts[i].list = strv_push(*opts[i].list, optarg);
		else
			*opts[i].value = optarg;
	}
	for (; rc == 0 && optind < argc; optind++)
		(*operands)[(*n_operands)++] = argv[optind];
	buf_release(&shorts);
	free(lo);
	return rc;
}

/* Parses argv expecting exactly one operand, the slug. */
int cli_one_slug(struct cli *c, int argc, char **argv, const struct cli_opt *opts,
		    const char **slug, bool *helped)
{
	const char **ops = NULL;
	size_t n = 0;
	int rc = cli_parse(c, argc, argv, opts, &ops, &n, helped);
	*slug = NULL;
	if (!rc && !*helped) {
		if (n == 1)
			*slug = ops[0];
		else if (n == 0)
			rc = cli_usage(c, "expected a story slug");
		else
			rc = cli_usage(c, "expected one story slug, got %zu", n);
	}
	free(ops);
	return rc;
}

int cli_no_operands(struct cli *c, int argc, char **argv, const struct cli_opt *opts,
		    bool *helped)
{
	const char **ops = NULL;
	size_t n = 0;
	int rc = cli_parse(c, argc, argv, opts, &ops, &n, helped);
	if (!rc && !*helped && n)
		rc = cli_usage(c, "unexpected operand '%s'", ops[0]);
	free(ops);
	return rc;
}

/* Commits when rc is 0, else rolls back and reports. */
int cli_finish(struct cli *c, hearth_lib *lib, int rc, struct hearth_err *err)
{
	if (lib_end(lib, rc, err) == 0)
		return EXIT_OK;
	return cli_fail_err(c, err);
}

int cmd_help(struct cli *c, int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--help"))
		return cli_help(c);
	if (argc > 1) {
		for (const struct cli_cmd *k = cli_commands; k->name; k++)
			if (!strcmp(k->name, argv[1])) {
				fputs(k->usage, stdout);
				return EXIT_OK;
			}
		return cli_usage(c, "no command '%s'", argv[1]);
	}
	print_commands(stdout);
	return EXIT_OK;
}

int main(int argc, char **argv)
{
	struct cli c = {.dir = getenv("HEARTH_DIR"), .name = "hearth", .argv = argv};
	int i = 1;

	if (!c.dir || !*c.dir)
		c.dir = ".";
	while (i < argc && argv[i][0] == '-') {
		if (!strcmp(argv[i], "-C") && i + 1 < argc) {
			c.dir = argv[i + 1];
			i += 2;
		} else if (!strncmp(argv[i], "-C", 2) && argv[i][2]) {
			c.dir = argv[i] + 2;
			i++;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			print_commands(stdout);
			return EXIT_OK;
		} else if (!strcmp(argv[i], "--version")) {
			printf("hearth %s\n", HEARTH_VERSION);
			return EXIT_OK;
		} else {
			fprintf(stderr, "hearth: unknown option '%s'\n", argv[i]);
			print_commands(stderr);
			return EXIT_USAGE;
		}
	}
	if (i >= argc) {
		print_commands(stderr);
		return EXIT_USAGE;
	}
	for (const struct cli_cmd *k = cli_commands; k->name; k++)
		if (!strcmp(k->name, argv[i])) {
			c.name = k->name;
			if (!k->run)
				return cli_exec_media(&c, argv);
			return k->run(&c, argc - i, argv + i);
		}
	fprintf(stderr, "hearth: '%s' is not a command; see 'hearth help'\n", argv[i]);
	return EXIT_USAGE;
}
