/*
 * cli.h - what the subcommands share: the command table, the context that
 * main() hands each command, printing errors in the one format, opening the
 * library. The rules for incoming files are media/'s (media_import,
 * media_submit): cli/ parses, calls and prints.
 *
 * Only cli/ prints and exits. Every command returns its exit status:
 * 0 success, 1 an error, 2 a usage error.
 */
#ifndef HEARTH_CLI_H
#define HEARTH_CLI_H

#include "../core/core.h"
#include "../library/library.h"

enum { EXIT_OK = 0, EXIT_ERR = 1, EXIT_USAGE = 2 };

struct cli {
	const char *dir;   /* the library folder: -C, $HEARTH_DIR or "." */
	const char *name;  /* the subcommand, for messages */
	char **argv;       /* the whole command line, for cli_exec_media */
};

struct cli_cmd {
	const char *name;
	/*
	 * NULL in the lean hearth for a media command: hearth-media runs it
	 * (build's lean side, LEAN() in main.c, first decides a build with
	 * nothing to do).
	 * A command whose file calls media/, site-gen/ or serve/ is wrapped in
	 * MEDIA() in main.c's table and named in MEDIA_CMDS in the Makefile
	 * (tests/cli/lean.sh fails when the lean hearth links FFmpeg).
	 */
	int (*run)(struct cli *c, int argc, char **argv);
	const char *summary;
	const char *usage;  /* the full --help text */
};

extern const struct cli_cmd cli_commands[];

/* "hearth: <command>: <message>" on stderr; returns EXIT_ERR. */
int cli_fail(const struct cli *c, const char *fmt, ...) HEARTH_PRINTF(2, 3);
/* The same from an error value; returns EXIT_ERR. */
int cli_fail_err(const struct cli *c, const struct hearth_err *err);
/* A usage error: the message and a pointer to --help; returns EXIT_USAGE. */
int cli_usage(const struct cli *c, const char *fmt, ...) HEARTH_PRINTF(2, 3);
/* Prints the command's --help text to stdout; returns EXIT_OK. */
int cli_help(const struct cli *c);

/*
 * Opens the library named by c->dir, or prints why not. While another
 * hearth writes, commands wait and say so once. cli_open_read opens it
 * read-only, for commands that only read (they work on a read-only library).
 */
int cli_open(const struct cli *c, hearth_lib **lib);
int cli_open_read(const struct cli *c, hearth_lib **lib);

/*
 * Options for the commands: a tiny getopt_long wrapper. Each command lists
 * its options; cli_parse fills values and leaves the operands in argv order.
 */
struct cli_opt {
	const char *name;   /* long name without "--" */
	char short_name;    /* 0 when none */
	bool takes_value;
	bool repeat;        /* values collected into *list */
	const char **value; /* set for takes_value && !repeat */
	char ***list;       /* set for repeat */
	bool *flag;         /* set for !takes_value */
};

/*
 * Parses argv (argv[0] is the command name). Operands go to *operands
 * (borrowed pointers into argv, NULL-terminated, free the array). "--help"
 * prints help and sets *helped. Returns 0 or EXIT_USAGE after printing.
 */
int cli_parse(const struct cli *c, int argc, char **argv, const struct cli_opt *opts,
	      const char ***operands, size_t *n_operands, bool *helped);

/* Parses argv expecting exactly one operand, a story slug, into *slug. */
int cli_one_slug(struct cli *c, int argc, char **argv, const struct cli_opt *opts,
		 const char **slug, bool *helped);
/* Parses argv for a command that takes options only; an operand is a usage error. */
int cli_no_operands(struct cli *c, int argc, char **argv, const struct cli_opt *opts,
		    bool *helped);
/* Commits when rc is 0 and returns EXIT_OK; else rolls back and reports. */
int cli_finish(struct cli *c, hearth_lib *lib, int rc, struct hearth_err *err);

/*
 * Replaces this process with hearth-media run with argv (the whole command
 * line, argv[0] included), for a media command in the lean hearth. Returns
 * EXIT_ERR after printing why only when that program cannot be run.
 */
int cli_exec_media(const struct cli *c, char **argv);
/* The hearth-media cli_exec_media would run, or NULL; a new allocation. */
char *cli_media_path(void);

/* Parses a non-negative integer; false when s is not one. */
bool cli_int(const char *s, long *out);

/* The commands, one file each. */
int cmd_init(struct cli *c, int argc, char **argv);
int cmd_import(struct cli *c, int argc, char **argv);
int cmd_submit(struct cli *c, int argc, char **argv);
int cmd_list(struct cli *c, int argc, char **argv);
int cmd_show(struct cli *c, int argc, char **argv);
int cmd_review(struct cli *c, int argc, char **argv);
int cmd_publish(struct cli *c, int argc, char **argv);
int cmd_withdraw(struct cli *c, int argc, char **argv);
int cmd_consent(struct cli *c, int argc, char **argv);
int cmd_collection(struct cli *c, int argc, char **argv);
int cmd_build(struct cli *c, int argc, char **argv);
int cmd_gc(struct cli *c, int argc, char **argv);
int cmd_erase(struct cli *c, int argc, char **argv);
int cmd_export(struct cli *c, int argc, char **argv);
int cmd_backup(struct cli *c, int argc, char **argv);
int cmd_serve(struct cli *c, int argc, char **argv);
int cmd_invite(struct cli *c, int argc, char **argv);
int cmd_editor(struct cli *c, int argc, char **argv);
int cmd_notify(struct cli *c, int argc, char **argv);
int cmd_deploy(struct cli *c, int argc, char **argv);
int cmd_help(struct cli *c, int argc, char **argv);

/*
 * The notify step of a build (hearth-media only): when notify.after_build
 * is on, announces the changed feeds of out_dir as `hearth notify` does.
 * Failures are printed as warnings; returns 0, or 1 when something was
 * not announced (the build's exit status is the caller's choice).
 */
int cli_notify_after_build(const struct cli *c, hearth_lib *lib, const char *out_dir);

#endif
