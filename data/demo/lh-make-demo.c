/* lh-make-demo.c
 *
 * Copyright 2026 The Litehouse authors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

/* The build-time tool that makes the demo database shipped with Litehouse. It applies
 * migrations the way wrangler does (one transaction each, recorded in `d1_migrations`,
 * here with fixed timestamps), loads the seed, runs ANALYZE, checks foreign keys and
 * integrity, and vacuums. It writes to OUTPUT.tmp, syncs it and renames it over OUTPUT,
 * so that a failed or interrupted build never leaves a half-made database behind. The
 * result depends only on its inputs and the SQLite version: two builds give the same
 * bytes. It uses only sqlite3 and POSIX so that it builds for the build machine. */

#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#if defined(__GNUC__)
# define LH_PRINTF(f, a) __attribute__ ((format (printf, f, a)))
#else
# define LH_PRINTF(f, a)
#endif

/* Wrangler's own table, so that `wrangler d1 migrations list` agrees with us. */
static const char create_migrations_table[] =
  "CREATE TABLE d1_migrations ("
  " id INTEGER PRIMARY KEY AUTOINCREMENT,"
  " name TEXT UNIQUE,"
  " applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL)";

/* The first migration is dated 2026-01-05 10:00:00, each next one a day later. */
static const char record_migration[] =
  "INSERT INTO d1_migrations (name, applied_at)"
  " VALUES (?1, datetime('2026-01-05 10:00:00', '+' || ?2 || ' days'))";

/* The file being written, removed if we fail. */
static char *temp_path;

static _Noreturn void die (const char *format, ...) LH_PRINTF (1, 2);

static _Noreturn void
die (const char *format,
     ...)
{
  va_list args;

  fputs ("lh-make-demo: ", stderr);
  va_start (args, format);
  vfprintf (stderr, format, args);
  va_end (args);
  fputc ('\n', stderr);

  if (temp_path != NULL)
    unlink (temp_path);

  exit (EXIT_FAILURE);
}

static void *
checked_malloc (size_t size)
{
  void *memory = malloc (size);

  if (memory == NULL)
    die ("out of memory");

  return memory;
}

static char *
concat (const char *head,
        const char *tail)
{
  size_t head_len = strlen (head);
  size_t tail_len = strlen (tail);
  char *joined = checked_malloc (head_len + tail_len + 1);

  memcpy (joined, head, head_len);
  memcpy (joined + head_len, tail, tail_len + 1);

  return joined;
}

static const char *
base_name (const char *path)
{
  const char *slash = strrchr (path, '/');

  return slash != NULL ? slash + 1 : path;
}

static char *
dir_name (const char *path)
{
  const char *slash = strrchr (path, '/');
  size_t len;
  char *dir;

  if (slash == NULL)
    return concat (".", "");

  len = slash == path ? 1 : (size_t) (slash - path);
  dir = checked_malloc (len + 1);
  memcpy (dir, path, len);
  dir[len] = '\0';

  return dir;
}

static char *
read_text_file (const char *path)
{
  FILE *file = fopen (path, "rb");
  size_t capacity = 64 * 1024;
  size_t length = 0;
  char *text;

  if (file == NULL)
    die ("%s: %s", path, strerror (errno));

  text = checked_malloc (capacity);
  for (;;)
    {
      length += fread (text + length, 1, capacity - length - 1, file);
      if (length + 1 < capacity)
        break;

      capacity *= 2;
      text = realloc (text, capacity);
      if (text == NULL)
        die ("out of memory");
    }

  if (ferror (file))
    die ("%s: read error", path);
  fclose (file);

  if (memchr (text, '\0', length) != NULL)
    die ("%s: not a text file", path);
  text[length] = '\0';

  return text;
}

static void
remove_if_present (const char *path)
{
  if (unlink (path) != 0 && errno != ENOENT)
    die ("cannot remove %s: %s", path, strerror (errno));
}

/* A journal left by an interrupted run would be rolled back into the new file. */
static void
remove_database_files (const char *path)
{
  static const char *const suffixes[] = { "", "-journal", "-wal", "-shm" };

  for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++)
    {
      char *file = concat (path, suffixes[i]);

      remove_if_present (file);
      free (file);
    }
}

static void
exec_sql (sqlite3    *db,
          const char *sql,
          const char *what)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    die ("%s: %s", what, message != NULL ? message : sqlite3_errmsg (db));
}

static sqlite3_stmt *
prepare (sqlite3    *db,
         const char *sql)
{
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    die ("%s: %s", sql, sqlite3_errmsg (db));

  return stmt;
}

static void
exec_file_in_transaction (sqlite3    *db,
                          const char *path)
{
  char *sql = read_text_file (path);

  exec_sql (db, "BEGIN", base_name (path));
  exec_sql (db, sql, base_name (path));
  exec_sql (db, "COMMIT", base_name (path));

  free (sql);
}

static void
apply_migration (sqlite3    *db,
                 const char *path,
                 int         index)
{
  const char *name = base_name (path);
  char *sql = read_text_file (path);
  sqlite3_stmt *stmt;

  exec_sql (db, "BEGIN", name);
  exec_sql (db, sql, name);

  stmt = prepare (db, record_migration);
  sqlite3_bind_text (stmt, 1, name, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 2, index);
  if (sqlite3_step (stmt) != SQLITE_DONE)
    die ("%s: recording the migration: %s", name, sqlite3_errmsg (db));
  sqlite3_finalize (stmt);

  exec_sql (db, "COMMIT", name);

  free (sql);
}

static void
check_foreign_keys (sqlite3 *db)
{
  sqlite3_stmt *stmt = prepare (db, "PRAGMA foreign_key_check");
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW)
    die ("foreign key violation: row %lld of %s has no parent in %s",
         (long long) sqlite3_column_int64 (stmt, 1),
         (const char *) sqlite3_column_text (stmt, 0),
         (const char *) sqlite3_column_text (stmt, 2));
  if (rc != SQLITE_DONE)
    die ("foreign key check: %s", sqlite3_errmsg (db));

  sqlite3_finalize (stmt);
}

static void
check_integrity (sqlite3 *db)
{
  sqlite3_stmt *stmt = prepare (db, "PRAGMA integrity_check");
  const char *verdict;

  if (sqlite3_step (stmt) != SQLITE_ROW)
    die ("integrity check: %s", sqlite3_errmsg (db));

  verdict = (const char *) sqlite3_column_text (stmt, 0);
  if (verdict == NULL || strcmp (verdict, "ok") != 0)
    die ("integrity check failed: %s", verdict != NULL ? verdict : "(no answer)");

  sqlite3_finalize (stmt);
}

static void
sync_path (const char *path,
           int         flags)
{
  int fd = open (path, flags);

  if (fd < 0)
    die ("cannot open %s: %s", path, strerror (errno));
  if (fsync (fd) != 0)
    die ("cannot sync %s: %s", path, strerror (errno));
  close (fd);
}

static void
build_database (const char         *path,
                const char         *seed_path,
                const char * const *migration_paths,
                int                 n_migrations)
{
  sqlite3 *db = NULL;

  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
    die ("cannot create %s: %s", path, db != NULL ? sqlite3_errmsg (db) : "out of memory");
  sqlite3_extended_result_codes (db, 1);

  exec_sql (db, "PRAGMA foreign_keys = ON", "enabling foreign keys");
  exec_sql (db, create_migrations_table, "creating d1_migrations");

  for (int i = 0; i < n_migrations; i++)
    apply_migration (db, migration_paths[i], i);

  exec_file_in_transaction (db, seed_path);

  exec_sql (db, "ANALYZE", "ANALYZE");
  check_foreign_keys (db);
  check_integrity (db);
  exec_sql (db, "VACUUM", "VACUUM");

  if (sqlite3_close (db) != SQLITE_OK)
    die ("closing %s: %s", path, sqlite3_errmsg (db));
}

int
main (int   argc,
      char *argv[])
{
  const char *output;
  char *output_dir;

  if (argc < 4)
    {
      fprintf (stderr, "Usage: lh-make-demo OUTPUT SEED_SQL MIGRATION_SQL...\n");
      return EXIT_FAILURE;
    }

  output = argv[1];
  remove_if_present (output);
  temp_path = concat (output, ".tmp");
  remove_database_files (temp_path);

  build_database (temp_path, argv[2], (const char * const *) &argv[3], argc - 3);

  sync_path (temp_path, O_RDONLY);
  if (rename (temp_path, output) != 0)
    die ("cannot rename %s to %s: %s", temp_path, output, strerror (errno));
  free (temp_path);
  temp_path = NULL;

  output_dir = dir_name (output);
  sync_path (output_dir, O_RDONLY | O_DIRECTORY);
  free (output_dir);

  return EXIT_SUCCESS;
}
