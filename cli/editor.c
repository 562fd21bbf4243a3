/*
 * editor.c - `hearth editor add NAME | remove NAME | passwd NAME | list`:
 * the accounts editors sign in to the console with. A password is never
 * taken from the command line (where other users and the shell's history
 * would see it): at a terminal it is asked for twice without echo; when
 * standard input is not a terminal its first line is the password, so
 * scripts can pipe it. The library hashes it (Argon2id) and audits the
 * change.
 */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

/* Longer than any password the library takes, so a long one is refused there. */
#define LINE_MAX_BYTES 4096

/* Overwrites a secret before it is freed. */
static void wipe(char *s)
{
	if (!s)
		return;
	for (volatile char *p = s; *p; p++)
		*p = 0;
}

/* One line from f without its newline; NULL at end of input. New allocation. */
static char *read_line(FILE *f)
{
	struct buf b = BUF_INIT;
	int ch;
	while ((ch = getc(f)) != EOF && ch != '\n')
		if (b.len < LINE_MAX_BYTES)
			buf_putc(&b, (char)ch);
	if (ch == EOF && !b.len) {
		buf_release(&b);
		return NULL;
	}
	if (b.len && b.data[b.len - 1] == '\r')
		b.data[--b.len] = '\0';
	return buf_detach(&b);
}

/* Asks for a password at the terminal with echo off; NULL at end of input. */
static char *ask_hidden(const char *prompt)
{
	struct termios old, quiet;
	bool restore = tcgetattr(STDIN_FILENO, &old) == 0;
	char *line;

	/* echo off before the prompt, so nothing typed after it is shown */
	if (restore) {
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		quiet.c_lflag |= ECHONL;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	fputs(prompt, stderr);
	fflush(stderr);
	line = read_line(stdin);
	if (restore)
		tcsetattr(STDIN_FILENO, TCSANOW, &old);
	return line;
}

/* The new password: asked twice at a terminal, else the first line of stdin. */
static int get_password(struct cli *c, const char *name, char **out)
{
	char *a = NULL, *b = NULL, *prompt = NULL;
	int rc = 0;

	*out = NULL;
	if (!isatty(STDIN_FILENO)) {
		if (!(a = read_line(stdin)))
			return cli_fail(c, "expected the password on the first line of standard "
					   "input");
		*out = a;
		return 0;
	}
	prompt = xasprintf("new password for %s (at least %d characters): ", name,
			   LIB_PASSWORD_MIN);
	a = ask_hidden(prompt);
	b = a ? ask_hidden("the same password again: ") : NULL;
	if (!a || !b)
		rc = cli_fail(c, "no password given");
	else if (strcmp(a, b))
		rc = cli_fail(c, "the two passwords differ; nothing was changed");
	free(prompt);
	wipe(b);
	free(b);
	if (rc) {
		wipe(a);
		free(a);
		return rc;
	}
	*out = a;
	return 0;
}

static int list_editors(struct cli *c)
{
	struct hearth_err err = {0};
	struct lib_editor *v = NULL;
	hearth_lib *lib = NULL;
	size_t n = 0;
	int rc;

	if ((rc = cli_open_read(c, &lib)))
		return rc;
	if (lib_editor_list(lib, &v, &n, &err) != 0) {
		rc = cli_fail_err(c, &err);
	} else {
		if (!n)
			printf("no editors yet: add one with 'hearth editor add NAME'\n");
		for (size_t i = 0; i < n; i++) {
			char since[11];
			date_ymd(v[i].created_at, since);
			printf("%s  (since %s)\n", v[i].name, since);
		}
	}
	lib_editor_list_free(v, n);
	lib_close(&lib);
	return rc;
}

int cmd_editor(struct cli *c, int argc, char **argv)
{
	const char **ops = NULL;
	size_t n_ops = 0;
	bool helped;
	struct hearth_err err = {0};
	hearth_lib *lib = NULL;
	char *password = NULL;
	const char *what, *name;
	int rc = cli_parse(c, argc, argv, NULL, &ops, &n_ops, &helped);

	if (rc || helped)
		goto end;
	what = n_ops ? ops[0] : "";
	if (!strcmp(what, "list")) {
		rc = n_ops == 1 ? list_editors(c) : cli_usage(c, "list takes no name");
		goto end;
	}
	if (strcmp(what, "add") && strcmp(what, "remove") && strcmp(what, "passwd")) {
		rc = cli_usage(c, "expected add, remove, passwd or list%s%s%s",
			       *what ? ", not '" : "", what, *what ? "'" : "");
		goto end;
	}
	if (n_ops != 2) {
		rc = cli_usage(c, "%s takes one editor name (the password is asked for, "
				  "never given on the command line)",
			       what);
		goto end;
	}
	name = ops[1];
	if ((rc = cli_open(c, &lib)))
		goto end;
	if (strcmp(what, "remove") && (rc = get_password(c, name, &password)))
		goto end;
	if (!strcmp(what, "add"))
		rc = lib_editor_add(lib, name, password, &err);
	else if (!strcmp(what, "remove"))
		rc = lib_editor_remove(lib, name, &err);
	else
		rc = lib_editor_passwd(lib, name, password, &err);
	if (rc) {
		rc = cli_fail_err(c, &err);
		goto end;
	}
	if (!strcmp(what, "add"))
		printf("editor %s added: they can sign in at <base_url>/editor\n", name);
	else if (!strcmp(what, "remove"))
		printf("editor %s removed; any session they had is ended\n", name);
	else
		printf("the password of %s is changed; their sessions are ended\n", name);
end:
	wipe(password);
	free(password);
	free(ops);
	lib_close(&lib);
	return rc;
}
