/*
 * backup.c - a consistent copy of the catalogue while others keep working.
 * SQLite's online backup copies the pages a few at a time from inside one
 * read transaction, so the copy is the catalogue as it was when that
 * transaction began, and writers (the catalogue is in WAL mode) are never
 * held up. The copy is written to a temporary name beside the destination,
 * turned into a single self-contained file (journal mode DELETE), checked,
 * synced and only then given its name, which must not exist: a backup
 * never replaces a file. The store of originals and hearth.yaml are plain
 * files; copying them is the caller's (see docs/deploy.md).
 */
#include "libraryInt.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* pages copied per step: small enough that no step holds anything long */
#define STEP_PAGES 64
/* how long a step may keep meeting a busy or locked source, in total */
#define BUSY_LIMIT_MS 30000

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static int dest_fail(sqlite3 *db, const char *dest, const char *what,
		     struct hearth_err *err)
{
	return herr(err, HEARTH_EDB, "backup: %s '%s': %s", what, dest,
		    db ? sqlite3_errmsg(db) : "out of memory");
}

/*
 * Copies the catalogue of lib, as of the read transaction the caller holds,
 * into the database db, a few pages at a time.
 */
static int copy_pages(hearth_lib *lib, sqlite3 *db, const char *dest,
		      struct hearth_err *err)
{
	sqlite3_backup *b = sqlite3_backup_init(db, "main", lib->db, "main");
	long waited = 0;
	int rc = 0, step;

	if (!b)
		return dest_fail(db, dest, "cannot start the copy to", err);
	do {
		step = sqlite3_backup_step(b, STEP_PAGES);
		if (step == SQLITE_BUSY || step == SQLITE_LOCKED) {
			if (waited >= BUSY_LIMIT_MS)
				break;
			sleep_ms(20);
			waited += 20;
		}
	} while (step == SQLITE_OK || step == SQLITE_BUSY || step == SQLITE_LOCKED);
	/* finish releases the copy whatever happened; its code is the last error */
	if (sqlite3_backup_finish(b) != SQLITE_OK || step != SQLITE_DONE)
		rc = step == SQLITE_BUSY || step == SQLITE_LOCKED
			     ? herr(err, HEARTH_EDB, "backup: the catalogue stayed busy for "
						    "%d seconds; try again", BUSY_LIMIT_MS / 1000)
			     : dest_fail(db, dest, "cannot write", err);
	return rc;
}

/*
 * Makes the copy one file (no -wal beside it) and checks it reads
 * back whole.
 */
static int settle_copy(sqlite3 *db, const char *dest, struct hearth_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = 0;

	if (sqlite3_exec(db, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL) != SQLITE_OK)
		return dest_fail(db, dest, "cannot write", err);
	if (sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &st, NULL) != SQLITE_OK)
		return dest_fail(db, dest, "cannot check", err);
	if (sqlite3_step(st) != SQLITE_ROW) {
		rc = dest_fail(db, dest, "cannot check", err);
	} else {
		const char *said = (const char *)sqlite3_column_text(st, 0);
		if (!said || strcmp(said, "ok"))
			rc = herr(err, HEARTH_EDB, "backup: the copy '%s' does not check out: %s",
				  dest, said ? said : "no answer");
	}
	sqlite3_finalize(st);
	return rc;
}

/* fsyncs the file at path, and the folder it is in. */
static int sync_path(const char *path, struct hearth_err *err)
{
	char *dir = path_dir(path);
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;

	if (fd < 0 || fsync(fd) != 0)
		rc = herr(err, HEARTH_EIO, "backup: cannot write '%s': %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(dir);
	return rc;
}

/*
 * Gives tmp the name dest, unless dest exists by then: a hard link cannot
 * replace a file. Where the file system has no hard links, a rename after
 * one more look.
 */
static int take_name(const char *tmp, const char *dest, struct hearth_err *err)
{
	struct stat sb;

	if (link(tmp, dest) == 0) {
		unlink(tmp);
		return 0;
	}
	if (errno == EEXIST)
		return herr(err, HEARTH_EEXIST, "backup: '%s' already exists", dest);
	if (lstat(dest, &sb) == 0)
		return herr(err, HEARTH_EEXIST, "backup: '%s' already exists", dest);
	if (rename(tmp, dest) != 0)
		return herr(err, HEARTH_EIO, "backup: cannot rename '%s' to '%s': %s", tmp, dest,
			    strerror(errno));
	return 0;
}

int lib_backup(hearth_lib *lib, const char *dest, struct hearth_err *err)
{
	struct stat sb;
	sqlite3 *db = NULL;
	char *tmp = NULL;
	bool reading = false;
	int64_t ignored;
	int rc;

	if (!dest || !*dest)
		return herr(err, HEARTH_EINVAL, "backup: no destination given");
	if (lstat(dest, &sb) == 0)
		return herr(err, HEARTH_EEXIST, "backup: '%s' already exists", dest);
	if (lib->depth)
		return herr(err, HEARTH_ESTATE, "backup: not inside a transaction");
	if ((rc = file_tmp_open(dest, &tmp, NULL, err)))
		return herr_prefix(err, "backup");
	/* the read transaction fixes what the copy holds: the catalogue now */
	if ((rc = lib_begin_read(lib, err)))
		goto end;
	reading = true;
	if ((rc = lib_db_int(lib, err, &ignored, "SELECT count(*) FROM sqlite_schema", "")) < 0)
		goto end;
	if (sqlite3_open_v2(tmp, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		rc = dest_fail(db, dest, "cannot open", err);
		goto end;
	}
	if ((rc = copy_pages(lib, db, dest, err)))
		goto end;
	lib_rollback(lib);
	reading = false;
	if ((rc = settle_copy(db, dest, err)))
		goto end;
	if (sqlite3_close(db) != SQLITE_OK) {
		rc = dest_fail(db, dest, "cannot close", err);
		goto end;
	}
	db = NULL;
	if ((rc = sync_path(tmp, err)))
		goto end;
	rc = take_name(tmp, dest, err);
end:
	if (reading)
		lib_rollback(lib);
	if (db)
		sqlite3_close(db);
	if (tmp)
		unlink(tmp);
	free(tmp);
	return rc;
}
