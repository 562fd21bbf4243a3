/*
 * serve.c - `hearth serve`: the built site, the peers' pages and the
 * editors' console over HTTP (serve/). The address and port default to
 * the library's serve.bind and serve.port; --output serves a folder alone
 * when there is no library. Starts the server, then waits for SIGINT or
 * SIGTERM and stops it cleanly. The signals are blocked before the server's threads start, so
 * they inherit the mask and only this thread receives them.
 */
#define _GNU_SOURCE
#include "cli.h"
#include "../serve/serve.h"
#include "../site-gen/site.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void log_line(void *arg, const char *msg)
{
	const struct cli *c = arg;
	fprintf(stderr, "hearth: %s: %s\n", c->name, msg);
}

int cmd_serve(struct cli *c, int argc, char **argv)
{
	const char *bind = NULL, *port_s = NULL, *out = NULL;
	const struct cli_opt opts[] = {
		{"bind", 0, true, false, &bind, NULL, NULL},
		{"port", 'p', true, false, &port_s, NULL, NULL},
		{"output", 'o', true, false, &out, NULL, NULL},
		{NULL, 0, false, false, NULL, NULL, NULL},
	};
	struct hearth_err err = {0};
	struct serve_opts so;
	serve_server *srv = NULL;
	hearth_lib *lib = NULL;
	char *root = NULL, *library = NULL, *theme = NULL, *self = NULL, *bind_own = NULL;
	sigset_t stop;
	bool helped;
	long port = 8080;
	int rc, sig = 0;

	if ((rc = cli_no_operands(c, argc, argv, opts, &helped)) || helped)
		return rc;
	if (port_s && (!cli_int(port_s, &port) || port < 1 || port > 65535))
		return cli_usage(c, "--port wants a number from 1 to 65535, not '%s'", port_s);
	/* without --output there must be a library; with it, one is used when there */
	if (!out || path_exists(c->dir)) {
		if (out) {
			struct hearth_err probe = {0};
			if (lib_open_with(c->dir, &(struct lib_open_opts){.read_only = true}, &lib,
					  &probe))
				lib = NULL;
		} else if ((rc = cli_open_read(c, &lib))) {
			return rc;
		}
	}
	if (lib) {
		struct lib_settings set = {0};
		if (lib_settings_load(lib, &set, &err)) {
			lib_close(&lib);
			return cli_fail_err(c, &err);
		}
		if (!bind && set.serve_bind && *set.serve_bind)
			bind = bind_own = xstrdup(set.serve_bind);
		if (!port_s && set.serve_port > 0 && set.serve_port <= 65535)
			port = set.serve_port;
		lib_settings_release(&set);
		library = xstrdup(lib_dir(lib));
		root = out ? xstrdup(out) : path_join(library, "public");
		lib_close(&lib);
	} else {
		root = xstrdup(out);
	}
	theme = site_default_theme();
	self = realpath("/proc/self/exe", NULL);
	serve_opts_default(&so);
	if (bind)
		so.bind = bind;
	so.port = (unsigned)port;
	so.root = root;
	so.library = library;
	so.theme = theme;
	so.self = self;
	so.log = log_line;
	so.log_arg = c;

	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (serve_start(&so, &srv, &err)) {
		rc = err.code == HEARTH_EINVAL ? cli_usage(c, "%s", err.msg) : cli_fail_err(c, &err);
		goto end;
	}
	printf("serving %s at http://%s%s%s:%ld/ (Ctrl-C stops)\n", root,
	       strchr(so.bind, ':') ? "[" : "", so.bind, strchr(so.bind, ':') ? "]" : "", port);
	fflush(stdout);
	sigwait(&stop, &sig);
	serve_stop(&srv);
	printf("stopped\n");
	rc = EXIT_OK;
end:
	free(root);
	free(library);
	free(theme);
	free(self);
	free(bind_own);
	return rc;
}
