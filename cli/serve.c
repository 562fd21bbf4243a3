/*
 * serve.c - `hearth serve`: previews the built site over HTTP (serve/).
 * Starts the server, then waits for SIGINT or SIGTERM and stops it
 * cleanly. The signals are blocked before the server's threads start, so
 * they inherit the mask and only this thread receives them.
 */
#include "cli.h"
#include "../serve/serve.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	char *root = NULL;
	sigset_t stop;
	bool helped;
	long port = 8080;
	int rc, sig = 0;

	if ((rc = cli_no_operands(c, argc, argv, opts, &helped)) || helped)
		return rc;
	if (port_s && (!cli_int(port_s, &port) || port < 1 || port > 65535))
		return cli_usage(c, "--port wants a number from 1 to 65535, not '%s'", port_s);
	if (!out) {
		if ((rc = cli_open_read(c, &lib)))
			return rc;
		root = path_join(lib_dir(lib), "public");
		lib_close(&lib);
	} else {
		root = xstrdup(out);
	}
	serve_opts_default(&so);
	if (bind)
		so.bind = bind;
	so.port = (unsigned)port;
	so.root = root;
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
	return rc;
}
