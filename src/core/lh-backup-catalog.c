/* lh-backup-catalog.c — LhBackup and LhBackupCatalog. Each operation is a Job run in a
 * GTask thread that opens its own sqlite3 connections (the database, the backup files,
 * Litehouse's catalog) and closes them before it returns. A new backup is written under a
 * hidden temporary name in the database's backup folder (.NAME.XXXXXX): an EXACT copy with
 * the online backup API a few pages a step (in WAL mode from one read transaction, a
 * snapshot that writers elsewhere do not disturb), a COMPACT one with VACUUM INTO; then it
 * is switched to rollback-journal mode so that it is one file, synced, checked with
 * integrity_check, compressed (and decompressed again into another temporary file to check
 * that too), linked to its final name, the folder synced, and only then entered in the
 * catalog. Every temporary file is removed when the job ends, whatever happened, and locked
 * (flock()) until then; a create or a prune first removes the ones of its folders that no
 * one holds a lock on, left by a process killed in the middle. A branch is made the same
 * way, EXACT and uncompressed, in the branches/ subfolder under its name; its row in the
 * catalog holds the name. Progress goes back to the caller's main context in idle sources,
 * at most every PROGRESS_INTERVAL_USEC, never after the operation's callback. */
#define _XOPEN_SOURCE 700   /* O_CLOEXEC, realpath() under -std=c11 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixoutputstream.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lh-backup-catalog.h"
#include "lh-d1-admin.h"
#include "lh-error.h"
#include "lh-file-util-private.h"
#include "lh-local-connection.h"
#include "lh-script.h"
#include "lh-sql-dump.h"
#include "lh-sqlite-copy-private.h"
#include "lh-sqlite-private.h"
#include "lh-thread-util-private.h"

#define PROGRESS_INTERVAL_USEC (G_USEC_PER_SEC / 10)
#define CATALOG_BUSY_TIMEOUT_MS LH_LOCAL_CONNECTION_DEFAULT_BUSY_TIMEOUT_MS
#define MAX_NAME_BYTES 48
#define KEY_HASH_LENGTH 8
#define MAX_NAME_TRIES 1000
#define MAX_BRANCH_NAME_CHARS 100
#define BRANCH_FOLDER "branches"
/* The names lh_file_open_temp() gives the temporary files here: .NAME.XXXXXX, NAME that of a
 * backup or a branch (never hidden), XXXXXX six letters or digits. */
#define TEMP_NAME_REGEX "^\\.[^.].*\\.(sqlite|sql)(\\.gz)?\\.[A-Za-z0-9]{6}$"

/* The catalog of this version; one of the first (no branch column) is brought up to it. */
#define CATALOG_TABLE_SQL \
  "CREATE TABLE IF NOT EXISTS backups (id INTEGER PRIMARY KEY, database TEXT NOT NULL," \
  " path TEXT NOT NULL, created_at TEXT NOT NULL, size INTEGER NOT NULL, kind TEXT NOT NULL," \
  " compressed INTEGER NOT NULL, safety INTEGER NOT NULL, verified_at TEXT, note TEXT," \
  " branch TEXT)"
#define CATALOG_HAS_BRANCH_SQL \
  "SELECT count(*) FROM pragma_table_info('backups') WHERE name = 'branch'"
#define CATALOG_ADD_BRANCH_SQL "ALTER TABLE backups ADD COLUMN branch TEXT"
#define CATALOG_INDEX_SQL \
  "CREATE INDEX IF NOT EXISTS backups_by_database ON backups (database, created_at)"
#define CATALOG_BRANCH_INDEX_SQL \
  "CREATE UNIQUE INDEX IF NOT EXISTS backups_branch_names ON backups (database, branch)" \
  " WHERE branch IS NOT NULL"
#define CATALOG_SELECT_SQL \
  "SELECT id, path, created_at, size, kind, compressed, safety, verified_at, note, branch" \
  " FROM backups WHERE database = ?"
#define NEWEST_FIRST_SQL " ORDER BY created_at DESC, id DESC"
#define CATALOG_LIST_SQL CATALOG_SELECT_SQL NEWEST_FIRST_SQL
#define CATALOG_PRUNABLE_SQL CATALOG_SELECT_SQL " AND branch IS NULL" NEWEST_FIRST_SQL
#define CATALOG_BRANCH_TAKEN_SQL \
  "SELECT count(*) FROM backups WHERE database = ? AND branch = ?"
/* A branch name taken meanwhile inserts nothing (the unique index). */
#define CATALOG_INSERT_SQL \
  "INSERT INTO backups (database, path, created_at, size, kind, compressed, safety, note," \
  " branch) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"
#define CATALOG_VERIFIED_SQL "UPDATE backups SET verified_at = ? WHERE id = ?"
#define CATALOG_DELETE_SQL "DELETE FROM backups WHERE id = ? AND database = ?"

/* The columns of CATALOG_SELECT_SQL. */
enum { COL_ID, COL_PATH, COL_CREATED_AT, COL_SIZE, COL_KIND, COL_COMPRESSED, COL_SAFETY,
       COL_VERIFIED_AT, COL_NOTE, COL_BRANCH };

G_DEFINE_QUARK (lh-backup-error-quark, lh_backup_error)

G_DEFINE_ENUM_TYPE (LhBackupKind, lh_backup_kind,
  G_DEFINE_ENUM_VALUE (LH_BACKUP_EXACT, "exact"),
  G_DEFINE_ENUM_VALUE (LH_BACKUP_COMPACT, "compact"),
  G_DEFINE_ENUM_VALUE (LH_BACKUP_DUMP, "dump"))

G_DEFINE_FLAGS_TYPE (LhBackupFlags, lh_backup_flags,
  G_DEFINE_ENUM_VALUE (LH_BACKUP_FLAGS_NONE, "none"),
  G_DEFINE_ENUM_VALUE (LH_BACKUP_GZIP, "gzip"),
  G_DEFINE_ENUM_VALUE (LH_BACKUP_SAFETY, "safety"),
  G_DEFINE_ENUM_VALUE (LH_BACKUP_BRANCH, "branch"))

/* LhBackup */

struct _LhBackup
{
  GObject parent_instance;

  /* owned */
  char      *database;
  char      *path;
  GDateTime *created_at;
  GDateTime *verified_at;
  char      *note;
  char      *branch;

  /* state */
  gint64         id;
  guint64        size;
  LhBackupKind   kind;
  LhBackupFlags  flags;
  gboolean       missing;
};

G_DEFINE_FINAL_TYPE (LhBackup, lh_backup, G_TYPE_OBJECT)

enum
{
  BACKUP_PROP_0,
  BACKUP_PROP_ID,
  BACKUP_PROP_PATH,
  BACKUP_PROP_CREATED_AT,
  BACKUP_PROP_SIZE,
  BACKUP_PROP_KIND,
  BACKUP_PROP_FLAGS,
  BACKUP_PROP_VERIFIED_AT,
  BACKUP_PROP_NOTE,
  BACKUP_PROP_MISSING,
  BACKUP_PROP_BRANCH_NAME,
  N_BACKUP_PROPS
};

static GParamSpec *backup_properties[N_BACKUP_PROPS];

static void
lh_backup_finalize (GObject *object)
{
  LhBackup *self = LH_BACKUP (object);

  g_free (self->database);
  g_free (self->path);
  g_clear_pointer (&self->created_at, g_date_time_unref);
  g_clear_pointer (&self->verified_at, g_date_time_unref);
  g_free (self->note);
  g_free (self->branch);
  G_OBJECT_CLASS (lh_backup_parent_class)->finalize (object);
}

static void
lh_backup_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  LhBackup *self = LH_BACKUP (object);

  switch (prop_id)
    {
    case BACKUP_PROP_ID:
      g_value_set_int64 (value, self->id);
      break;
    case BACKUP_PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    case BACKUP_PROP_CREATED_AT:
      g_value_set_boxed (value, self->created_at);
      break;
    case BACKUP_PROP_SIZE:
      g_value_set_uint64 (value, self->size);
      break;
    case BACKUP_PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;
    case BACKUP_PROP_FLAGS:
      g_value_set_flags (value, self->flags);
      break;
    case BACKUP_PROP_VERIFIED_AT:
      g_value_set_boxed (value, self->verified_at);
      break;
    case BACKUP_PROP_NOTE:
      g_value_set_string (value, self->note);
      break;
    case BACKUP_PROP_MISSING:
      g_value_set_boolean (value, self->missing);
      break;
    case BACKUP_PROP_BRANCH_NAME:
      g_value_set_string (value, self->branch);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lh_backup_class_init (LhBackupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = lh_backup_finalize;
  object_class->get_property = lh_backup_get_property;

  backup_properties[BACKUP_PROP_ID] =
    g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  backup_properties[BACKUP_PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL, flags);
  backup_properties[BACKUP_PROP_CREATED_AT] =
    g_param_spec_boxed ("created-at", NULL, NULL, G_TYPE_DATE_TIME, flags);
  backup_properties[BACKUP_PROP_SIZE] =
    g_param_spec_uint64 ("size", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  backup_properties[BACKUP_PROP_KIND] =
    g_param_spec_enum ("kind", NULL, NULL, LH_TYPE_BACKUP_KIND, LH_BACKUP_EXACT, flags);
  backup_properties[BACKUP_PROP_FLAGS] =
    g_param_spec_flags ("flags", NULL, NULL, LH_TYPE_BACKUP_FLAGS, LH_BACKUP_FLAGS_NONE, flags);
  backup_properties[BACKUP_PROP_VERIFIED_AT] =
    g_param_spec_boxed ("verified-at", NULL, NULL, G_TYPE_DATE_TIME, flags);
  backup_properties[BACKUP_PROP_NOTE] =
    g_param_spec_string ("note", NULL, NULL, NULL, flags);
  backup_properties[BACKUP_PROP_MISSING] =
    g_param_spec_boolean ("missing", NULL, NULL, FALSE, flags);
  backup_properties[BACKUP_PROP_BRANCH_NAME] =
    g_param_spec_string ("branch-name", NULL, NULL, NULL, flags);
  g_object_class_install_properties (object_class, N_BACKUP_PROPS, backup_properties);
}

static void
lh_backup_init (LhBackup *self)
{
}

gint64
lh_backup_get_id (LhBackup *self)
{
  g_return_val_if_fail (LH_IS_BACKUP (self), 0);
  return self->id;
}

const char *
lh_backup_get_path (LhBackup *self)
{
  g_return_val_if_fail (LH_IS_BACKUP (self), NULL);
  return self->path;
}

GDateTime *
lh_backup_get_created_at (LhBackup *self)
{
  g_return_val_if_fail (LH_IS_BACKUP (self), NULL);
  return self->created_at;
}

/* The size of the file (compressed, for a gzip backup; when listed, for a branch). */
guint64
lh_backup_get_size (LhBackup *self)
{
  g_return_val_if_fail (LH_IS_BACKUP (self), 0);
  return self->size;
}

LhBackupKind
lh_backup_get_kind (LhBackup *self)
{
  g_return_val_if_fail (LH_IS_BACKUP (self), LH_BACKUP_EXACT);
  return self->kind;
}

LhBackupFlags
lh_backup_get_flags (LhBackup *self)
{
  g_return_val_if_fail (LH_IS_BACKUP (self), LH_BACKUP_FLAGS_NONE);
  return self->flags;
}

GDateTime *
lh_backup_get_verified_at (LhBackup *self)
{
  g_return_val_if_fail (LH_IS_BACKUP (self), NULL);
  return self->verified_at;
}

const char *
lh_backup_get_note (LhBackup *self)
{
  g_return_val_if_fail (LH_IS_BACKUP (self), NULL);
  return self->note;
}

gboolean
lh_backup_get_missing (LhBackup *self)
{
  g_return_val_if_fail (LH_IS_BACKUP (self), FALSE);
  return self->missing;
}

/* The name the branch was made with (a backup has none). */
const char *
lh_backup_get_branch_name (LhBackup *self)
{
  g_return_val_if_fail (LH_IS_BACKUP (self), NULL);
  return self->branch;
}

/* Errors. The path named is the one the user knows: the database, a backup's final name
 * or the backup folder, never a temporary file. */

static LhBackupError
error_code_from_errno (int saved_errno)
{
  switch (saved_errno)
    {
    case ENOSPC:
    case EDQUOT:
      return LH_BACKUP_ERROR_NO_SPACE;
    case EACCES:
    case EPERM:
    case EROFS:
      return LH_BACKUP_ERROR_PERMISSION;
    default:
      return LH_BACKUP_ERROR_FAILED;
    }
}

/* Writing in folder failed with saved_errno. */
static void
set_folder_error (GError     **error,
                  int          saved_errno,
                  const char  *folder)
{
  g_autofree char *name = g_filename_display_name (folder);
  LhBackupError code = error_code_from_errno (saved_errno);

  if (code == LH_BACKUP_ERROR_NO_SPACE)
    g_set_error (error, LH_BACKUP_ERROR, code,
                 _("The disk is full: there is no room for a backup in “%s”."), name);
  else if (code == LH_BACKUP_ERROR_PERMISSION)
    g_set_error (error, LH_BACKUP_ERROR, code,
                 _("Litehouse may not write in the backup folder “%s”."), name);
  else
    g_set_error (error, LH_BACKUP_ERROR, code,
                 _("Cannot write in the backup folder “%s”: %s"), name, g_strerror (saved_errno));
}

/* Working on the file at path failed with saved_errno. */
static void
set_file_error (GError     **error,
                int          saved_errno,
                const char  *path)
{
  g_autofree char *name = g_filename_display_name (path);
  LhBackupError code = error_code_from_errno (saved_errno);

  if (code == LH_BACKUP_ERROR_NO_SPACE)
    g_set_error (error, LH_BACKUP_ERROR, code,
                 _("The disk is full: “%s” cannot be written."), name);
  else
    g_set_error (error, LH_BACKUP_ERROR, code, _("Cannot write “%s”: %s"), name,
                 g_strerror (saved_errno));
}

static gboolean
is_known_errno (int saved_errno)
{
  return error_code_from_errno (saved_errno) != LH_BACKUP_ERROR_FAILED;
}

static const LhSqliteCopyErrors sqlite_errors = {
  lh_backup_error_quark, LH_BACKUP_ERROR_FAILED, LH_BACKUP_ERROR_NOT_A_DATABASE,
  LH_BACKUP_ERROR_CORRUPT, LH_BACKUP_ERROR_BUSY, LH_BACKUP_ERROR_PERMISSION, set_file_error,
  is_known_errno
};

/* SQLite said rc working on path (db, when given, holds its message and errno). */
static void
set_sqlite_error (GError     **error,
                  sqlite3     *db,
                  int          rc,
                  const char  *path)
{
  lh_sqlite_copy_set_error (&sqlite_errors, error, db, rc, path);
}

/* A GIO error of reading or writing path, in LH_BACKUP_ERROR's terms (a cancel stays). */
static void
set_stream_error (GError     **error,
                  GError      *stream_error,
                  const char  *path)
{
  g_autofree char *name = g_filename_display_name (path);

  if (g_error_matches (stream_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, stream_error);
      return;
    }
  if (g_error_matches (stream_error, G_IO_ERROR, G_IO_ERROR_NO_SPACE))
    set_file_error (error, ENOSPC, path);
  else if (g_error_matches (stream_error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED))
    set_file_error (error, EACCES, path);
  else if (g_error_matches (stream_error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA) ||
           g_error_matches (stream_error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT))
    g_set_error (error, LH_BACKUP_ERROR, LH_BACKUP_ERROR_CORRUPT,
                 _("“%s” is damaged: %s"), name, stream_error->message);
  else
    g_set_error (error, LH_BACKUP_ERROR, LH_BACKUP_ERROR_FAILED,
                 _("Cannot copy “%s”: %s"), name, stream_error->message);
  g_error_free (stream_error);
}

/* Names and times. */

/* name with what a file name should not hold replaced by “_”, a leading dot too (backup
 * folders hold no hidden file but their temporary ones), cut after MAX_NAME_BYTES. */
static char *
safe_file_name (const char *name)
{
  GString *safe = g_string_new (NULL);
  const char *p = name;

  while (*p != '\0' && safe->len < MAX_NAME_BYTES)
    {
      gunichar c = g_utf8_get_char_validated (p, -1);

      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          g_string_append_c (safe, '_');
          p++;
          continue;
        }
      if (g_unichar_isalnum (c) || c == '-' || c == '_' || (c == '.' && safe->len > 0))
        g_string_append_unichar (safe, c);
      else
        g_string_append_c (safe, '_');
      p = g_utf8_next_char (p);
    }
  if (safe->len == 0)
    g_string_append (safe, "database");
  return g_string_free (safe, FALSE);
}

/* The database's folder name under backups/: its file name and a hash of its path. */
static char *
folder_key (const char *database)
{
  g_autofree char *base = g_path_get_basename (database);
  g_autofree char *safe = safe_file_name (base);
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, database, -1);

  return g_strdup_printf ("%s-%.*s", safe, KEY_HASH_LENGTH, hash);
}

/* What the names of the backups start with: the database's file name without its extension. */
static char *
file_stem (const char *database)
{
  g_autofree char *base = g_path_get_basename (database);
  char *dot = strrchr (base, '.');

  if (dot != NULL && dot != base)
    *dot = '\0';
  return safe_file_name (base);
}

/* What the names of a remote database's backups start with: its last path segment, or its
 * host. */
static char *
remote_stem (const char *location)
{
  g_autofree char *trimmed = g_strdup (location);
  const char *slash;

  while (g_str_has_suffix (trimmed, "/"))
    trimmed[strlen (trimmed) - 1] = '\0';
  slash = strrchr (trimmed, '/');
  return safe_file_name (slash != NULL ? slash + 1 : trimmed);
}

/* Sorts as text in time order. */
static char *
format_time (GDateTime *time)
{
  g_autoptr(GDateTime) utc = g_date_time_to_utc (time);

  return g_date_time_format (utc, "%Y-%m-%dT%H:%M:%S.%fZ");
}

static GDateTime *
parse_time (const LhValue *value)
{
  if (value->kind != LH_VALUE_TEXT)
    return NULL;
  return g_date_time_new_from_iso8601 (value->v.text.data, NULL);
}

/* Progress, delivered on the caller's context. */

typedef struct
{
  GTask                 *task;       /* the caller's, not owned: its context, and whether it is over */
  GFileProgressCallback  callback;
  gpointer               data;
  gint64                 last_usec;
  goffset                last_current;
  goffset                last_total;
} Progress;

typedef struct
{
  GTask                 *task;
  GFileProgressCallback  callback;
  gpointer               data;
  goffset                current;
  goffset                total;
} ProgressReport;

static void
progress_report_free (ProgressReport *report)
{
  g_object_unref (report->task);
  g_free (report);
}

static gboolean
progress_report_deliver (gpointer user_data)
{
  ProgressReport *report = user_data;

  /* A report that was on its way when the operation ended is not for the caller any more. */
  if (!g_task_get_completed (report->task))
    report->callback (report->current, report->total, report->data);
  return G_SOURCE_REMOVE;
}

/* Queues current of total for the caller, unless the last report was too recent; the
 * last one (current == total) always goes. An idle source rather than
 * g_main_context_invoke(), which would call back in this thread whenever it can acquire
 * the caller's context. */
static void
progress_report (Progress *progress,
                 goffset   current,
                 goffset   total)
{
  gint64 now = g_get_monotonic_time ();
  g_autoptr(GSource) source = NULL;
  ProgressReport *report;

  if (progress->callback == NULL ||
      (current == progress->last_current && total == progress->last_total) ||
      (current < total && now - progress->last_usec < PROGRESS_INTERVAL_USEC))
    return;
  progress->last_usec = now;
  progress->last_current = current;
  progress->last_total = total;

  report = g_new0 (ProgressReport, 1);
  report->task = g_object_ref (progress->task);
  report->callback = progress->callback;
  report->data = progress->data;
  report->current = current;
  report->total = total;
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_static_name (source, "[litehouse] backup progress");
  g_source_set_callback (source, progress_report_deliver, report,
                         (GDestroyNotify) progress_report_free);
  g_source_attach (source, g_task_get_context (progress->task));
}

/* Jobs: what one operation needs in its thread, copied from the catalog and the backup. */

typedef struct
{
  /* owned */
  char          *database;
  char          *root_folder;   /* the database's backup folder */
  char          *folder;        /* where the job writes: root_folder, or its branches/ */
  char          *stem;
  char          *catalog_path;
  char          *note;
  char          *branch;        /* create a branch: its name */
  char          *backup_path;   /* verify, restore, delete: the backup's file */
  char          *backup_branch; /* verify, restore, delete: the backup's branch name, or NULL */
  char          *target_path;   /* save as file: where; import: the file to import */
  LhConnection  *connection;    /* a remote database's own connection, used from the job */
  GPtrArray     *temps;         /* TempFile: temporary files made so far */

  /* state */
  GCancellable  *cancellable;   /* the task's */
  Progress       progress;
  gint64         backup_id;     /* verify, restore, delete: the backup's */
  goffset        backup_size;   /* verify, restore: its file's size when it was listed */
  LhBackupKind   backup_kind;
  LhBackupFlags  backup_flags;
  LhBackupKind   kind;          /* create, restore: the new backup's */
  LhBackupFlags  flags;
  guint          lock_timeout_ms;
  gboolean       restoring;     /* a restore: its safety backup waits lock_timeout_ms too */
  gboolean       back_to_wal;   /* a restore: the database left WAL mode for it */
  LhRetention    retention;
} Job;

static void
job_free (Job *job)
{
  g_free (job->database);
  g_free (job->root_folder);
  g_free (job->folder);
  g_free (job->stem);
  g_free (job->catalog_path);
  g_free (job->note);
  g_free (job->branch);
  g_free (job->backup_path);
  g_free (job->backup_branch);
  g_free (job->target_path);
  g_clear_object (&job->connection);
  g_ptr_array_unref (job->temps);
  g_free (job);
}

/* Temporary files, with what SQLite may have made beside them. */

/* Removes the files SQLite may have made beside the database at path. */
static void
remove_sidecars (const char *path)
{
  static const char * const sidecars[] = { "-journal", "-wal", "-shm" };

  for (guint i = 0; i < G_N_ELEMENTS (sidecars); i++)
    {
      g_autofree char *sidecar = g_strconcat (path, sidecars[i], NULL);

      g_unlink (sidecar);
    }
}

static void
remove_temp_file (const char *path)
{
  remove_sidecars (path);
  g_unlink (path);
}

/* A temporary file of a job, and the descriptor that holds its lock. */
typedef struct
{
  char *path;
  int   fd;
} TempFile;

static void
temp_file_free (TempFile *temp)
{
  close (temp->fd);
  g_free (temp->path);
  g_free (temp);
}

/* Each file goes before its lock: a sweep never sees it unlocked. */
static void
remove_temp_files (Job *job)
{
  for (guint i = 0; i < job->temps->len; i++)
    remove_temp_file (((TempFile *) g_ptr_array_index (job->temps, i))->path);
  g_ptr_array_set_size (job->temps, 0);
}

/* lh_file_open_temp() with an flock() lock on the new file, held by the descriptor it
 * returns (flock() locks are apart from the fcntl() ones SQLite takes); -1 with errno set
 * if none could be made. */
static int
open_locked_temp (const char  *folder,
                  const char  *name,
                  char       **temp_path)
{
  for (guint n = 0; n < MAX_NAME_TRIES; n++)
    {
      int fd = lh_file_open_temp (folder, name, O_RDWR, 0600, temp_path);
      struct stat info;

      if (fd < 0)
        return -1;
      /* Where flock() fails, a sweep cannot lock the file either, so leaves it alone. */
      if (flock (fd, LOCK_EX) != 0 || fstat (fd, &info) != 0 || info.st_nlink > 0)
        return fd;
      /* A sweep took it for a leftover between its making and its lock: another one. */
      close (fd);
      g_clear_pointer (temp_path, g_free);
    }
  errno = EEXIST;
  return -1;
}

/* A new empty file in folder, hidden, named after name; locked, and removed when the job
 * ends. */
static const char *
make_temp_file (Job         *job,
                const char  *folder,
                const char  *name,
                GError     **error)
{
  TempFile *temp = g_new0 (TempFile, 1);

  temp->fd = open_locked_temp (folder, name, &temp->path);
  if (temp->fd < 0)
    {
      set_folder_error (error, errno, folder);
      g_free (temp);
      return NULL;
    }
  g_ptr_array_add (job->temps, temp);
  return temp->path;
}

/* Removes the temporary files in folder whose maker is gone (killed, crashed): those no
 * one holds a lock on. Only their names are looked at, and only regular files removed. */
static void
remove_stale_temps_in (const char *folder)
{
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      struct stat info;
      int fd;

      if (!g_regex_match_simple (TEMP_NAME_REGEX, name, 0, 0))
        continue;
      path = g_build_filename (folder, name, NULL);
      fd = g_open (path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0);
      if (fd < 0)
        continue;
      /* Removed under the lock, so that a maker that locks it just after learns that it
       * is gone (see open_locked_temp()). Closing fd drops this process's fcntl() locks
       * on the file: none matters, a temporary file has one SQLite connection at a time. */
      if (fstat (fd, &info) == 0 && S_ISREG (info.st_mode) &&
          flock (fd, LOCK_EX | LOCK_NB) == 0)
        remove_temp_file (path);
      close (fd);
    }
}

static void adopt_orphans (const Job *job);

/* Removes what processes killed while writing left in the database's backup folder and
 * its branches/, and lists the backups such a process had put in place but not listed. */
static void
remove_stale_temp_files (const Job *job)
{
  g_autofree char *branches = g_build_filename (job->root_folder, BRANCH_FOLDER, NULL);

  remove_stale_temps_in (job->root_folder);
  remove_stale_temps_in (branches);
  adopt_orphans (job);
}

/* Syncs the temporary file at path, in the job's folder. */
static gboolean
sync_temp_file (Job         *job,
                const char  *path,
                GError     **error)
{
  int saved_errno = lh_file_sync (path);

  if (saved_errno == 0)
    return TRUE;
  set_folder_error (error, saved_errno, job->folder);
  return FALSE;
}

static gboolean
make_folder (const char  *folder,
             GError     **error)
{
  if (g_mkdir_with_parents (folder, 0700) == 0)
    return TRUE;
  set_folder_error (error, errno, folder);
  return FALSE;
}

/* Gives temp its final name in folder, base + extension, or base-2 + extension and on
 * when taken: link() never replaces a file, where rename() would. */
static char *
link_into_place (const char  *temp,
                 const char  *folder,
                 const char  *base,
                 const char  *extension,
                 GError     **error)
{
  g_autofree char *shown_folder = g_filename_display_name (folder);

  for (guint n = 1; n <= MAX_NAME_TRIES; n++)
    {
      g_autofree char *name = n == 1 ? g_strconcat (base, extension, NULL)
                                     : g_strdup_printf ("%s-%u%s", base, n, extension);
      g_autofree char *path = g_build_filename (folder, name, NULL);
      int saved_errno = lh_file_link_new (temp, path);

      if (saved_errno == 0)
        return g_steal_pointer (&path);
      if (saved_errno == EEXIST)
        continue;
      set_folder_error (error, saved_errno, folder);
      return NULL;
    }
  g_set_error (error, LH_BACKUP_ERROR, LH_BACKUP_ERROR_FAILED,
               _("There are too many backups named “%s” in “%s”."), base, shown_folder);
  return NULL;
}

/* SQLite, on a file of the job. */

static int
database_busy_cb (void *data,
                  int   n_calls)
{
  Job *job = data;

  return lh_sqlite_copy_wait_for_lock (job->cancellable, job->lock_timeout_ms, n_calls);
}

/* The catalog. */

static void
set_catalog_error (GError     **error,
                   GError      *cause,
                   const char  *catalog_path)
{
  g_autofree char *name = g_filename_display_name (catalog_path);
  g_autofree char *folder = g_path_get_dirname (catalog_path);

  /* SQLite writes its journal beside the catalog: a folder it cannot write in makes the
   * catalog "read-only" in SQLite's words, writable as the file is. */
  if (!g_error_matches (cause, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_BUSY) &&
      g_access (folder, W_OK) != 0 && (errno == EACCES || errno == EROFS))
    {
      g_autofree char *folder_name = g_filename_display_name (folder);

      g_set_error (error, LH_BACKUP_ERROR, LH_BACKUP_ERROR_PERMISSION,
                   _("Litehouse’s catalog “%s” cannot be written: Litehouse may not write in "
                     "its folder “%s”."), name, folder_name);
    }
  else
    g_set_error (error, LH_BACKUP_ERROR,
                 g_error_matches (cause, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_BUSY)
                   ? LH_BACKUP_ERROR_BUSY : LH_BACKUP_ERROR_FAILED,
                 _("Litehouse’s catalog “%s” cannot be used: %s"), name, cause->message);
  g_error_free (cause);
}

static LhResultSet *
catalog_execute (sqlite3      *db,
                 const Job    *job,
                 const char   *sql,
                 GPtrArray    *params,
                 GError      **error)
{
  GError *cause = NULL;
  LhResultSet *result = lh_sqlite_execute (db, sql, params, 0, NULL, &cause);

  if (result == NULL)
    set_catalog_error (error, cause, job->catalog_path);
  return result;
}

static gboolean
catalog_run (sqlite3      *db,
             const Job    *job,
             const char   *sql,
             GPtrArray    *params,
             GError      **error)
{
  g_autoptr(LhResultSet) result = catalog_execute (db, job, sql, params, error);

  return result != NULL;
}

/* Commits the transaction if ok, else rolls it back; whether it was committed. */
static gboolean
catalog_end (sqlite3    *db,
             const Job  *job,
             gboolean    ok,
             GError    **error)
{
  if (ok)
    ok = catalog_run (db, job, "COMMIT", NULL, error);
  if (!ok)
    sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
  return ok;
}

/* Whether the catalog has the backups table of this version: one with the branch column.
 * The catalog is shared (LhMigrations keeps its records there too), so its user_version
 * is no one's to set: the table's own columns tell. */
static gboolean
catalog_is_current (sqlite3 *db)
{
  g_autofree char *count = lh_sqlite_copy_query_text (db, CATALOG_HAS_BRANCH_SQL);

  return g_strcmp0 (count, "1") == 0;
}

/* Makes the backups table and its indexes, or brings the first version's table up to
 * this one keeping its rows, in one transaction; looked at again inside it, as another
 * process may have done it meanwhile. */
static gboolean
catalog_upgrade (sqlite3    *db,
                 const Job  *job,
                 GError    **error)
{
  gboolean ok;

  if (!catalog_run (db, job, "BEGIN IMMEDIATE", NULL, error))
    return FALSE;
  ok = catalog_run (db, job, CATALOG_TABLE_SQL, NULL, error);
  if (ok && !catalog_is_current (db))
    ok = catalog_run (db, job, CATALOG_ADD_BRANCH_SQL, NULL, error);
  ok = ok && catalog_run (db, job, CATALOG_INDEX_SQL, NULL, error) &&
       catalog_run (db, job, CATALOG_BRANCH_INDEX_SQL, NULL, error);
  return catalog_end (db, job, ok, error);
}

/* Opens Litehouse's catalog, made or brought up to date if need be. */
static sqlite3 *
catalog_open (const Job  *job,
              GError    **error)
{
  g_autofree char *folder = g_path_get_dirname (job->catalog_path);
  sqlite3 *db;

  if (g_mkdir_with_parents (folder, 0700) != 0)
    {
      set_folder_error (error, errno, folder);
      return NULL;
    }
  db = lh_sqlite_copy_open_file (job->catalog_path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                                 job->catalog_path, &sqlite_errors, error);
  if (db == NULL)
    return NULL;
  sqlite3_busy_timeout (db, CATALOG_BUSY_TIMEOUT_MS);
  if (!catalog_is_current (db) && !catalog_upgrade (db, job, error))
    g_clear_pointer (&db, sqlite3_close);
  return db;
}

static GPtrArray *
params_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) lh_value_free);
}

static void
params_add_text (GPtrArray  *params,
                 const char *text)
{
  g_ptr_array_add (params, text != NULL ? lh_value_new_text (text, -1) : lh_value_new_null ());
}

static void
params_add_integer (GPtrArray *params,
                    gint64     integer)
{
  g_ptr_array_add (params, lh_value_new_integer (integer));
}

static const char *
row_text (LhResultSet *rows,
          guint        row,
          guint        column)
{
  const LhValue *value = lh_result_set_get_value (rows, row, column);

  return value->kind == LH_VALUE_TEXT ? value->v.text.data : NULL;
}

static gint64
row_integer (LhResultSet *rows,
             guint        row,
             guint        column)
{
  const LhValue *value = lh_result_set_get_value (rows, row, column);

  return value->kind == LH_VALUE_INTEGER ? value->v.integer : 0;
}

static const char *
kind_to_text (LhBackupKind kind)
{
  switch (kind)
    {
    case LH_BACKUP_COMPACT:
      return "compact";
    case LH_BACKUP_DUMP:
      return "dump";
    case LH_BACKUP_EXACT:
    default:
      return "exact";
    }
}

static LhBackupKind
kind_from_text (const char *text)
{
  if (g_strcmp0 (text, "compact") == 0)
    return LH_BACKUP_COMPACT;
  if (g_strcmp0 (text, "dump") == 0)
    return LH_BACKUP_DUMP;
  return LH_BACKUP_EXACT;
}

static LhBackup *
backup_new_from_row (LhResultSet *rows,
                     guint        row,
                     const char  *database)
{
  LhBackup *backup = g_object_new (LH_TYPE_BACKUP, NULL);
  GStatBuf info;

  backup->database = g_strdup (database);
  backup->id = row_integer (rows, row, COL_ID);
  backup->path = g_strdup (row_text (rows, row, COL_PATH));
  backup->created_at = parse_time (lh_result_set_get_value (rows, row, COL_CREATED_AT));
  backup->size = MAX (row_integer (rows, row, COL_SIZE), 0);
  backup->kind = kind_from_text (row_text (rows, row, COL_KIND));
  if (row_integer (rows, row, COL_COMPRESSED) != 0)
    backup->flags |= LH_BACKUP_GZIP;
  if (row_integer (rows, row, COL_SAFETY) != 0)
    backup->flags |= LH_BACKUP_SAFETY;
  backup->branch = g_strdup (row_text (rows, row, COL_BRANCH));
  if (backup->branch != NULL)
    backup->flags |= LH_BACKUP_BRANCH;
  backup->verified_at = parse_time (lh_result_set_get_value (rows, row, COL_VERIFIED_AT));
  backup->note = g_strdup (row_text (rows, row, COL_NOTE));
  backup->missing = backup->path == NULL || g_stat (backup->path, &info) != 0;
  /* A branch is written to after it was made. */
  if (backup->branch != NULL && !backup->missing)
    backup->size = info.st_size;
  return backup;
}

/* The rows of the job's database that sql (CATALOG_LIST_SQL, CATALOG_PRUNABLE_SQL) picks. */
static LhResultSet *
catalog_select (sqlite3     *db,
                const Job   *job,
                const char  *sql,
                GError     **error)
{
  g_autoptr(GPtrArray) params = params_new ();

  params_add_text (params, job->database);
  return catalog_execute (db, job, sql, params, error);
}

static void
set_branch_exists_error (GError     **error,
                         const char  *name)
{
  g_set_error (error, LH_BACKUP_ERROR, LH_BACKUP_ERROR_EXISTS,
               _("There is a branch named “%s” already."), name);
}

/* Fails with LH_BACKUP_ERROR_EXISTS if the job's database has a branch of the job's name. */
static gboolean
catalog_check_branch_free (const Job  *job,
                           GError    **error)
{
  g_autoptr(GPtrArray) params = params_new ();
  g_autoptr(LhResultSet) taken = NULL;
  sqlite3 *db = catalog_open (job, error);

  if (db == NULL)
    return FALSE;
  params_add_text (params, job->database);
  params_add_text (params, job->branch);
  taken = catalog_execute (db, job, CATALOG_BRANCH_TAKEN_SQL, params, error);
  sqlite3_close (db);
  if (taken == NULL)
    return FALSE;
  if (row_integer (taken, 0, 0) == 0)
    return TRUE;
  set_branch_exists_error (error, job->branch);
  return FALSE;
}

/* Creating: the copy. */

/* Orphans: a backup is linked to its final name, then listed; a process killed in between
 * leaves a whole, checked backup that no row lists. Its temporary file, a second link to
 * it, is locked while its maker runs: once the sweep has removed those of dead makers, a
 * backup-named file that no row lists and no remaining temporary file shares is an
 * orphan, and is listed, with a note, as a safety backup: what it was taken for is not
 * known, so `restore --latest` never picks it. The rows and the folder are read under the
 * catalog's lock, the temporary files after them, so that a backup linked or listed
 * meanwhile is never taken for one. */

#define ADOPT_INSERT_SQL \
  "INSERT INTO backups (database, path, created_at, size, kind, compressed, safety, note)" \
  " SELECT ?1, ?2, ?3, ?4, ?5, ?6, 1, ?7" \
  " WHERE NOT EXISTS (SELECT 1 FROM backups WHERE database = ?1 AND path = ?2)"

static GHashTable *
temp_inodes (const char *folder)
{
  GHashTable *inodes = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = NULL;
      struct stat info;

      if (!g_regex_match_simple (TEMP_NAME_REGEX, name, 0, 0))
        continue;
      path = g_build_filename (folder, name, NULL);
      if (lstat (path, &info) == 0)
        g_hash_table_add (inodes, g_memdup2 (&(gint64) { (gint64) info.st_ino }, sizeof (gint64)));
    }
  return inodes;
}

/* Whether the file at path starts as a backup of its name does: SQLite's header, gzip's, or
 * a dump's first statement; a file of another kind is never taken for one. */
/* The first bytes of the file at path, what kind of file it is. */
typedef struct
{
  char   bytes[16];
  size_t length;
  int    open_errno;   /* why the file could not be opened, or 0 */
} FileHead;

static FileHead
read_head (const char *path)
{
  FileHead head = { { 0 }, 0, 0 };
  FILE *file = g_fopen (path, "rb");

  if (file != NULL)
    {
      head.length = fread (head.bytes, 1, sizeof head.bytes, file);
      fclose (file);
    }
  else
    head.open_errno = errno;
  return head;
}

static gboolean
head_is_gzip (const FileHead *head)
{
  return head->length >= 2 && (guchar) head->bytes[0] == 0x1f && (guchar) head->bytes[1] == 0x8b;
}

static gboolean
head_is_sqlite (const FileHead *head)
{
  return head->length == sizeof head->bytes &&
         memcmp (head->bytes, "SQLite format 3", sizeof head->bytes) == 0;
}

static gboolean
is_sqlite_file (const char *path)
{
  FileHead head = read_head (path);

  return head_is_sqlite (&head);
}

static gboolean
is_gzip_file (const char *path)
{
  FileHead head = read_head (path);

  return head_is_gzip (&head);
}

static gboolean
looks_like_backup (const char *path,
                   gboolean    dump,
                   gboolean    gzip)
{
  FileHead head = read_head (path);

  if (gzip)
    return head_is_gzip (&head);
  if (dump)
    return head.length >= 6 && (g_ascii_strncasecmp (head.bytes, "PRAGMA", 6) == 0 ||
                                g_ascii_strncasecmp (head.bytes, "CREATE", 6) == 0);
  return head_is_sqlite (&head);
}

static void
adopt_orphans (const Job *job)
{
  g_autoptr(GHashTable) busy = NULL;
  g_autoptr(GHashTable) listed = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) unlisted = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *escaped = g_regex_escape_string (job->stem, -1);
  g_autofree char *pattern = g_strdup_printf ("^%s-[0-9]{8}-[0-9]{6}(-[0-9]+)?\\.(sqlite|sql)(\\.gz)?$",
                                              escaped);
  g_autoptr(GRegex) backup_name = g_regex_new (pattern, 0, 0, NULL);
  g_autoptr(LhResultSet) rows = NULL;
  g_autoptr(GDir) dir = g_dir_open (job->root_folder, 0, NULL);
  const char *name;
  sqlite3 *db;

  if (dir == NULL || backup_name == NULL || (db = catalog_open (job, NULL)) == NULL)
    return;
  /* Under the catalog's write lock: a delete removes its files before it commits. */
  if (!catalog_run (db, job, "BEGIN IMMEDIATE", NULL, NULL))
    {
      sqlite3_close (db);
      return;
    }
  rows = catalog_select (db, job, CATALOG_LIST_SQL, NULL);
  for (guint i = 0; rows != NULL && i < lh_result_set_get_n_rows (rows); i++)
    if (row_text (rows, i, COL_PATH) != NULL)
      g_hash_table_add (listed, (gpointer) row_text (rows, i, COL_PATH));
  while (rows != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (g_regex_match (backup_name, name, 0, NULL))
      {
        char *path = g_build_filename (job->root_folder, name, NULL);

        if (g_hash_table_contains (listed, path))
          g_free (path);
        else
          g_ptr_array_add (unlisted, path);
      }
  /* The temporary files, looked for only now: one that another program linked a backup to
   * before the folder was read is still there, for its program needs the catalog's lock
   * (held here) to list the backup before removing it. */
  busy = temp_inodes (job->root_folder);
  for (guint i = 0; i < unlisted->len; i++)
    {
      const char *path = g_ptr_array_index (unlisted, i);
      g_autofree char *base = g_path_get_basename (path);
      g_autoptr(GPtrArray) params = NULL;
      g_autoptr(GDateTime) modified = NULL;
      g_autofree char *modified_text = NULL;
      gboolean dump, gzip;
      struct stat info;
      gint64 inode;

      if (lstat (path, &info) != 0 || !S_ISREG (info.st_mode))
        continue;
      inode = (gint64) info.st_ino;
      if (g_hash_table_contains (busy, &inode))
        continue;
      dump = strstr (base, ".sql") != NULL && strstr (base, ".sqlite") == NULL;
      gzip = g_str_has_suffix (base, ".gz");
      if (!looks_like_backup (path, dump, gzip))
        continue;
      modified = g_date_time_new_from_unix_local (info.st_mtime);
      modified_text = format_time (modified);
      params = params_new ();
      params_add_text (params, job->database);
      params_add_text (params, path);
      params_add_text (params, modified_text);
      params_add_integer (params, info.st_size);
      params_add_text (params, kind_to_text (dump ? LH_BACKUP_DUMP : LH_BACKUP_EXACT));
      params_add_integer (params, gzip);
      params_add_text (params, _("Found unlisted: the program that took it ended before listing it."));
      catalog_run (db, job, ADOPT_INSERT_SQL, params, NULL);
    }
  catalog_end (db, job, TRUE, NULL);
  sqlite3_close (db);
}

/* Whether the job's database is the catalog itself, under any name. */
static gboolean
is_catalog (const Job *job)
{
  GStatBuf database, catalog;

  return g_strcmp0 (job->database, job->catalog_path) == 0 ||
         (g_stat (job->database, &database) == 0 && g_stat (job->catalog_path, &catalog) == 0 &&
          database.st_dev == catalog.st_dev && database.st_ino == catalog.st_ino);
}

/* Opens the database read-only (see lh_sqlite_copy_open_source()), once it is there. */
static sqlite3 *
open_source (Job         *job,
             gboolean     snapshot,
             int         *page_size,
             GError     **error)
{
  if (is_catalog (job))
    {
      g_autofree char *name = g_filename_display_name (job->database);

      /* Its rows would be written after its copy, and lost at its restore. */
      g_set_error (error, LH_BACKUP_ERROR, LH_BACKUP_ERROR_FAILED,
                   _("“%s” is Litehouse’s own catalog of backups, which cannot back itself up: "
                     "copy the file instead."), name);
      return NULL;
    }
  if (!g_file_test (job->database, G_FILE_TEST_IS_REGULAR))
    {
      g_autofree char *name = g_filename_display_name (job->database);

      if (g_file_test (job->database, G_FILE_TEST_IS_DIR))
        g_set_error (error, LH_BACKUP_ERROR, LH_BACKUP_ERROR_FAILED,
                     _("“%s” is a folder, not a database file."), name);
      else
        g_set_error (error, LH_BACKUP_ERROR, LH_BACKUP_ERROR_FAILED,
                     _("There is no database file “%s” to back up."), name);
      return NULL;
    }
  /* A restore's safety backup waits for a lock as long as the restore would. */
  return lh_sqlite_copy_open_source (job->database, snapshot, &sqlite_errors, job->cancellable,
                                     job->restoring ? database_busy_cb : NULL, job,
                                     page_size, error);
}

static void
copy_progress_cb (goffset  current,
                  goffset  total,
                  gpointer data)
{
  Job *job = data;

  progress_report (&job->progress, current, total);
}

/* An EXACT copy of source into temp, in rollback-journal mode: a database in WAL mode
 * gives a copy marked WAL, that would need -wal and -shm files beside it. */
static gboolean
write_exact (Job           *job,
             sqlite3       *source,
             int            page_size,
             const char    *temp,
             GCancellable  *cancellable,
             GError       **error)
{
  sqlite3 *dest = lh_sqlite_copy_open_file (temp, SQLITE_OPEN_READWRITE, job->folder,
                                            &sqlite_errors, error);
  gboolean ok;

  if (dest == NULL)
    return FALSE;
  /* A temporary file needs no journal (a copy that stops half way is thrown away) and is
   * synced once, at the end, by write_copy(). */
  ok = lh_sqlite_copy_run_sql (dest, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF",
                               job->folder, &sqlite_errors, error) &&
       lh_sqlite_copy_pages (source, page_size, job->database, dest, job->folder, &sqlite_errors,
                             copy_progress_cb, job, cancellable, error) &&
       lh_sqlite_copy_run_sql (dest, "PRAGMA journal_mode = DELETE", job->folder, &sqlite_errors,
                               error);
  sqlite3_close (dest);
  return ok;
}

/* Reports the copy at path done: its size of its size. */
static void
report_file_done (Job        *job,
                  const char *path)
{
  GStatBuf info;

  if (g_stat (path, &info) == 0)
    progress_report (&job->progress, info.st_size, info.st_size);
}

/* A COMPACT copy of source into temp (VACUUM INTO writes rollback-journal mode). */
static gboolean
write_compact (Job           *job,
               sqlite3       *source,
               const char    *temp,
               GCancellable  *cancellable,
               GError       **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  progress_report (&job->progress, 0, 0);
  rc = sqlite3_prepare_v2 (source, "VACUUM INTO ?", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_bind_text (stmt, 1, temp, -1, SQLITE_TRANSIENT);
  if (rc == SQLITE_OK)
    rc = lh_sqlite_copy_step_cancellable (stmt, cancellable);
  if (rc != SQLITE_DONE)
    set_sqlite_error (error, source, rc,
                      (rc & 0xff) == SQLITE_FULL || (rc & 0xff) == SQLITE_IOERR ||
                      (rc & 0xff) == SQLITE_CANTOPEN ? job->folder : job->database);
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return FALSE;
  report_file_done (job, temp);
  return TRUE;
}

/* A source that is not SQLite gets a message of its own: it is the user's database. */
static void
set_source_error (GError     **error,
                  GError      *cause,
                  const char  *database)
{
  g_autofree char *name = g_filename_display_name (database);

  if (g_error_matches (cause, LH_BACKUP_ERROR, LH_BACKUP_ERROR_NOT_A_DATABASE))
    {
      g_set_error (error, LH_BACKUP_ERROR, LH_BACKUP_ERROR_NOT_A_DATABASE,
                   _("“%s” is not an SQLite database, so it cannot be backed up."), name);
      g_error_free (cause);
    }
  else
    g_propagate_error (error, cause);
}

/* The damage integrity_check found in a copy of the database: an error, except in a
 * safety backup, that must keep the database as it was, so that a damaged database can be
 * restored; its note says so. */
static gboolean
accept_damage (Job     *job,
               GError **error)
{
  g_autofree char *note = NULL;

  if (!g_error_matches (*error, LH_BACKUP_ERROR, LH_BACKUP_ERROR_CORRUPT) ||
      !(job->flags & LH_BACKUP_SAFETY))
    return FALSE;
  note = g_strjoin (" ", job->note != NULL ? job->note : "",
                    _("The database was damaged already; this copy keeps it as it was."), NULL);
  g_free (job->note);
  job->note = g_strdup (g_strstrip (note));
  g_clear_error (error);
  return TRUE;
}

/* Writes the copy of kind into a temporary file, synced and checked; its path. */
static const char *
write_copy (Job           *job,
            const char    *name,
            GCancellable  *cancellable,
            GError       **error)
{
  GError *source_error = NULL;
  GError *check_error = NULL;
  const char *temp = NULL;
  int page_size = 0;
  int sync_errno = 0;
  sqlite3 *source;
  gboolean ok;

  source = open_source (job, job->kind == LH_BACKUP_EXACT, &page_size, &source_error);
  if (source == NULL)
    {
      set_source_error (error, source_error, job->database);
      return NULL;
    }
  if (make_folder (job->folder, error))
    temp = make_temp_file (job, job->folder, name, error);
  if (temp != NULL && job->kind == LH_BACKUP_EXACT)
    ok = write_exact (job, source, page_size, temp, cancellable, error);
  else
    ok = temp != NULL && write_compact (job, source, temp, cancellable, error);
  sqlite3_close (source);
  if (!ok)
    return NULL;
  ok = lh_sqlite_copy_sync_and_check (temp, job->database, &sqlite_errors, &sync_errno,
                                      cancellable, &check_error);
  if (sync_errno != 0)
    {
      set_folder_error (error, sync_errno, job->folder);
      g_clear_error (&check_error);
      return NULL;
    }
  if (!ok)
    {
      g_propagate_error (error, check_error);
      if (!accept_damage (job, error))
        return NULL;
    }
  return temp;
}

/* Creating: compression. */

/* A stream writing into the existing file at to, from its start. */
static GOutputStream *
open_output (const char  *to,
             GError     **error)
{
  int fd = g_open (to, O_WRONLY | O_TRUNC | O_CLOEXEC, 0);

  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "%s",
                   g_strerror (saved_errno));
      return NULL;
    }
  return g_unix_output_stream_new (fd, TRUE);
}

/* Streams the file at from through converter (a compressor) into the file at to. */
static gboolean
convert_file (const char    *from,
              const char    *to,
              GConverter    *converter,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autoptr(GFile) source = g_file_new_for_path (from);
  g_autoptr(GFileInputStream) input = g_file_read (source, cancellable, error);
  g_autoptr(GOutputStream) file = NULL;
  g_autoptr(GOutputStream) output = NULL;

  if (input == NULL || (file = open_output (to, error)) == NULL)
    return FALSE;
  output = g_converter_output_stream_new (file, converter);
  return g_output_stream_splice (output, G_INPUT_STREAM (input),
                                 G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE |
                                 G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                                 cancellable, error) >= 0;
}

#define DECOMPRESS_CHUNK (256 * 1024)

/* Reads what fits after the *length bytes of buffer (DECOMPRESS_CHUNK long) from input;
 * *at_end once it has no more. */
static gboolean
read_more (GInputStream  *input,
           char          *buffer,
           gsize         *length,
           gboolean      *at_end,
           GCancellable  *cancellable,
           GError       **error)
{
  gssize n = g_input_stream_read (input, buffer + *length, DECOMPRESS_CHUNK - *length,
                                  cancellable, error);

  if (n < 0)
    return FALSE;
  *at_end = n == 0;
  *length += (gsize) n;
  return TRUE;
}

/* Decompresses the gzip file at from into the file at to, driving GLib's zlib converter
 * here: a GConverterOutputStream spins for ever on bytes after the end of the gzip stream
 * (GLib 2.74). Members one after the other are one stream, as gzip has them; anything else
 * after the last, a file cut short or anything but gzip fails with
 * G_IO_ERROR_INVALID_DATA or G_IO_ERROR_PARTIAL_INPUT. */
static gboolean
decompress_file (const char    *from,
                 const char    *to,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autoptr(GZlibDecompressor) decompressor = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
  g_autoptr(GFile) source = g_file_new_for_path (from);
  g_autoptr(GFileInputStream) input = g_file_read (source, cancellable, error);
  g_autoptr(GOutputStream) output = NULL;
  g_autofree char *in = g_malloc (DECOMPRESS_CHUNK);
  g_autofree char *out = g_malloc (DECOMPRESS_CHUNK);
  gsize in_length = 0;
  gboolean at_end = FALSE;

  if (input == NULL || (output = open_output (to, error)) == NULL)
    return FALSE;
  for (;;)
    {
      GConverterResult result;
      GError *convert_error = NULL;
      gsize n_read = 0, n_written = 0;

      if (!at_end && in_length < DECOMPRESS_CHUNK &&
          !read_more (G_INPUT_STREAM (input), in, &in_length, &at_end, cancellable, error))
        return FALSE;
      result = g_converter_convert (G_CONVERTER (decompressor), in, in_length, out, DECOMPRESS_CHUNK,
                                    at_end ? G_CONVERTER_INPUT_AT_END : G_CONVERTER_NO_FLAGS,
                                    &n_read, &n_written, &convert_error);
      if (result == G_CONVERTER_ERROR)
        {
          gboolean partial = g_error_matches (convert_error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT);

          g_error_free (convert_error);
          if (partial && !at_end && in_length < DECOMPRESS_CHUNK)
            continue;   /* more to read */
          if (partial && at_end)
            g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT,
                                 _("its compressed data ends too early"));
          else
            g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                                 _("its compressed data is not valid gzip"));
          return FALSE;
        }
      if (n_written > 0 &&
          !g_output_stream_write_all (output, out, n_written, NULL, cancellable, error))
        return FALSE;
      memmove (in, in + n_read, in_length - n_read);
      in_length -= n_read;
      if (result == G_CONVERTER_FINISHED)
        {
          /* The end, another gzip member (as `cat a.gz b.gz` makes), or something else. */
          while (!at_end && in_length < 2)
            if (!read_more (G_INPUT_STREAM (input), in, &in_length, &at_end, cancellable, error))
              return FALSE;
          if (in_length == 0)
            break;
          if (in_length < 2 || (guchar) in[0] != 0x1f || (guchar) in[1] != 0x8b)
            {
              g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                                   _("it holds more than its compressed data"));
              return FALSE;
            }
          g_converter_reset (G_CONVERTER (decompressor));
        }
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
    }
  return g_output_stream_close (output, cancellable, error);
}

/* Decompresses the gzip file at path into a temporary file beside it, named after name, a
 * backup's name (TEMP_NAME_REGEX); its path. Its errors name shown_path. */
static const char *
decompress (Job           *job,
            const char    *path,
            const char    *name,
            const char    *shown_path,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autofree char *folder = g_path_get_dirname (path);
  GError *stream_error = NULL;
  const char *temp = make_temp_file (job, folder, name, error);

  if (temp == NULL)
    return NULL;
  if (!decompress_file (path, temp, cancellable, &stream_error))
    {
      set_stream_error (error, stream_error, shown_path);
      return NULL;
    }
  return temp;
}

/* Compresses the checked copy at plain into a temporary file, then checks that what
 * decompresses from it is sound; its path. */
static const char *
compress_copy (Job           *job,
               const char    *plain,
               const char    *name,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autoptr(GZlibCompressor) compressor = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, -1);
  GError *stream_error = NULL;
  const char *compressed = make_temp_file (job, job->folder, name, error);
  const char *check;

  if (compressed == NULL)
    return NULL;
  if (!convert_file (plain, compressed, G_CONVERTER (compressor), cancellable, &stream_error))
    {
      set_stream_error (error, stream_error, job->folder);
      return NULL;
    }
  if (!sync_temp_file (job, compressed, error))
    return NULL;
  check = decompress (job, compressed, name, job->folder, cancellable, error);
  if (check == NULL ||
      !lh_sqlite_copy_check_integrity (check, job->database, &sqlite_errors, cancellable, error))
    return NULL;
  return compressed;
}

/* Creating: into place and into the catalog. */

static LhBackup *
record_backup (Job         *job,
               const char  *path,
               GDateTime   *created_at,
               GError     **error)
{
  g_autoptr(GPtrArray) params = params_new ();
  g_autoptr(LhResultSet) done = NULL;
  g_autofree char *created_text = format_time (created_at);
  sqlite3 *db;
  GStatBuf info;
  LhBackup *backup;

  if (g_stat (path, &info) != 0)
    {
      set_file_error (error, errno, path);
      return NULL;
    }
  db = catalog_open (job, error);
  if (db == NULL)
    return NULL;
  params_add_text (params, job->database);
  params_add_text (params, path);
  params_add_text (params, created_text);
  params_add_integer (params, info.st_size);
  params_add_text (params, kind_to_text (job->kind));
  params_add_integer (params, (job->flags & LH_BACKUP_GZIP) != 0);
  params_add_integer (params, (job->flags & LH_BACKUP_SAFETY) != 0);
  params_add_text (params, job->note);
  params_add_text (params, job->branch);
  done = catalog_execute (db, job, CATALOG_INSERT_SQL, params, error);
  sqlite3_close (db);
  if (done == NULL)
    return NULL;
  if (lh_result_set_get_changes (done) == 0)
    {
      set_branch_exists_error (error, job->branch);
      return NULL;
    }

  backup = g_object_new (LH_TYPE_BACKUP, NULL);
  backup->database = g_strdup (job->database);
  backup->id = lh_result_set_get_last_insert_rowid (done);
  backup->path = g_strdup (path);
  backup->created_at = g_date_time_ref (created_at);
  backup->size = info.st_size;
  backup->kind = job->kind;
  backup->flags = job->flags;
  backup->note = g_strdup (job->note);
  backup->branch = g_strdup (job->branch);
  return backup;
}

/* Links the synced temp to its final name, syncs the folder and lists the backup. */
static LhBackup *
publish (Job           *job,
         const char    *temp,
         const char    *base,
         GDateTime     *created_at,
         GCancellable  *cancellable,
         GError       **error)
{
  const char *extension = job->kind == LH_BACKUP_DUMP
    ? (job->flags & LH_BACKUP_GZIP ? ".sql.gz" : ".sql")
    : (job->flags & LH_BACKUP_GZIP ? ".sqlite.gz" : ".sqlite");
  g_autofree char *path = NULL;
  LhBackup *backup;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  path = link_into_place (temp, job->folder, base, extension, error);
  if (path == NULL)
    return NULL;
  /* The new name is in the folder: synced too, it is there after a crash. */
  lh_file_sync_folder (job->folder);
  backup = record_backup (job, path, created_at, error);
  if (backup == NULL)
    {
      g_unlink (path);
      lh_file_sync_folder (job->folder);
    }
  return backup;
}

/* Makes, checks and lists a copy of the job's database in the job's folder, named after
 * base, made at created_at; its temporary files stay for the caller to remove. */
static LhBackup *
create_copy (Job           *job,
             const char    *base,
             GDateTime     *created_at,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autofree char *name = g_strconcat (base, ".sqlite", NULL);
  g_autofree char *compressed_name = g_strconcat (base, ".sqlite.gz", NULL);
  const char *temp = NULL;

  remove_stale_temp_files (job);
  if (!g_cancellable_set_error_if_cancelled (cancellable, error))
    temp = write_copy (job, name, cancellable, error);
  if (temp != NULL && (job->flags & LH_BACKUP_GZIP))
    temp = compress_copy (job, temp, compressed_name, cancellable, error);
  if (temp == NULL)
    return NULL;
  return publish (job, temp, base, created_at, cancellable, error);
}

/* A backup, named after the database and the time. */
static LhBackup *
create_backup (Job           *job,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
  g_autofree char *base = g_strdup_printf ("%s-%s", job->stem, stamp);

  return create_copy (job, base, now, cancellable, error);
}

static gboolean
check_branch_name (const char  *name,
                   GError     **error)
{
  if (*name == '\0')
    {
      g_set_error_literal (error, LH_BACKUP_ERROR, LH_BACKUP_ERROR_INVALID_NAME,
                           _("A branch needs a name."));
      return FALSE;
    }
  if (g_utf8_strlen (name, -1) > MAX_BRANCH_NAME_CHARS)
    {
      g_set_error (error, LH_BACKUP_ERROR, LH_BACKUP_ERROR_INVALID_NAME,
                   g_dngettext (GETTEXT_PACKAGE,
                                "A branch name can be at most %d character long.",
                                "A branch name can be at most %d characters long.",
                                MAX_BRANCH_NAME_CHARS),
                   MAX_BRANCH_NAME_CHARS);
      return FALSE;
    }
  return TRUE;
}

/* A branch, named after its name: checked before the copy, so that a name taken fails
 * at once (and again as it is listed, should another process take it meanwhile). */
static LhBackup *
create_branch (Job           *job,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *base = safe_file_name (job->branch);

  if (!check_branch_name (job->branch, error) || !catalog_check_branch_free (job, error))
    return NULL;
  return create_copy (job, base, now, cancellable, error);
}

static void
create_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Job *job = task_data;
  GError *error = NULL;
  LhBackup *backup = job->flags & LH_BACKUP_BRANCH ? create_branch (job, cancellable, &error)
                                                   : create_backup (job, cancellable, &error);

  remove_temp_files (job);
  if (backup == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, backup, g_object_unref);
}

/* Copies the file at from into a new temporary file of folder named after name, written
 * through the descriptor that holds its lock (the file stays the locked one), with mode,
 * synced; its path. */
static const char *
copy_to_temp (Job           *job,
              const char    *from,
              const char    *folder,
              const char    *name,
              mode_t         mode,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autoptr(GFile) source = g_file_new_for_path (from);
  g_autoptr(GFileInputStream) input = NULL;
  g_autoptr(GOutputStream) output = NULL;
  GError *copy_error = NULL;
  const char *temp = make_temp_file (job, folder, name, error);
  TempFile *locked;

  if (temp == NULL)
    return NULL;
  locked = g_ptr_array_index (job->temps, job->temps->len - 1);
  output = g_unix_output_stream_new (locked->fd, FALSE);
  input = g_file_read (source, cancellable, &copy_error);
  if (input == NULL ||
      g_output_stream_splice (output, G_INPUT_STREAM (input), G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE,
                              cancellable, &copy_error) < 0)
    {
      set_stream_error (error, copy_error, folder);
      return NULL;
    }
  if (fchmod (locked->fd, mode) != 0 || fsync (locked->fd) != 0)
    {
      set_folder_error (error, errno, folder);
      return NULL;
    }
  return temp;
}

/* The permissions of the file at path, or default_mode when there is none. */
static mode_t
file_mode (const char *path,
           mode_t      default_mode)
{
  struct stat info;

  return stat (path, &info) == 0 ? info.st_mode & 07777 : default_mode;
}

/* Refuses a database file with SQLite's files beside it (a journal, a write-ahead log):
 * they would roll into what replaces it. */
static gboolean
check_no_sidecars (const char  *path,
                   GError     **error)
{
  static const char * const sidecars[] = { "-journal", "-wal" };

  for (guint i = 0; i < G_N_ELEMENTS (sidecars); i++)
    {
      g_autofree char *sidecar = g_strconcat (path, sidecars[i], NULL);

      if (g_file_test (sidecar, G_FILE_TEST_EXISTS))
        {
          g_autofree char *shown = g_filename_display_name (path);
          g_autofree char *shown_sidecar = g_filename_display_name (sidecar);

          g_set_error (error, LH_BACKUP_ERROR, LH_BACKUP_ERROR_BUSY,
                       _("“%s” has “%s” beside it, which SQLite would roll into the file put in "
                         "its place: close what uses it, or choose another name."), shown,
                       shown_sidecar);
          return FALSE;
        }
    }
  return TRUE;
}

/* Renames the synced temp over path, and syncs the folder so that it stays after a crash. */
static gboolean
rename_into_place (const char  *temp,
                   const char  *path,
                   GError     **error)
{
  g_autofree char *folder = g_path_get_dirname (path);

  if (g_rename (temp, path) != 0)
    {
      set_file_error (error, errno, path);
      return FALSE;
    }
  lh_file_sync_folder (folder);
  return TRUE;
}

/* Remote databases: SQL dumps. */

static gboolean check_backup    (Job           *job,
                                 GCancellable  *cancellable,
                                 const char   **plain,
                                 GError       **error);
static gboolean record_verified (Job           *job,
                                 GError       **error);
static gboolean delete_backup   (Job           *job,
                                 gint64         id,
                                 const char    *path,
                                 GError       **error);

/* Errors of a remote database or a dump keep their domain and say what they were about. */
static void
set_dump_error (GError     **error,
                GError      *cause,
                const char  *doing)
{
  gboolean cancelled = g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  g_propagate_error (error, cause);
  if (!cancelled)
    g_prefix_error (error, "%s", doing);
}

/* Loads the dump at path into a new temporary SQLite file of the job's folder: the
 * check that a dump is whole and sound (integrity_check follows); its path. */
static const char *
load_dump (Job           *job,
           const char    *path,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *name = g_strconcat (base, ".sqlite", NULL);
  const char *temp = NULL;
  GError *load_error = NULL;

  if (make_folder (job->folder, error))
    temp = make_temp_file (job, job->folder, name, error);
  if (temp == NULL)
    return NULL;
  if (!lh_sql_dump_load_into_file (path, temp, cancellable, &load_error))
    {
      g_autofree char *shown = g_filename_display_name (path);

      if (g_error_matches (load_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_propagate_error (error, load_error);
      else
        {
          g_set_error (error, LH_BACKUP_ERROR, LH_BACKUP_ERROR_CORRUPT,
                       _("The dump “%s” does not load: %s"), shown, load_error->message);
          g_error_free (load_error);
        }
      return NULL;
    }
  return temp;
}

static void
dump_progress_cb (goffset  current,
                  goffset  total,
                  gpointer data)
{
  Job *job = data;

  progress_report (&job->progress, current, total);
}

/* Writes the dump of the job's connection into temp: D1's export, or LhSqlDump. */
static gboolean
write_dump (Job           *job,
            const char    *temp,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  GError *dump_error = NULL;
  gboolean ok;

  if (LH_IS_D1_CONNECTION (job->connection))
    {
      lh_d1_export_async (LH_D1_CONNECTION (job->connection), temp, cancellable, dump_progress_cb,
                          job, lh_store_result_cb, &result);
      ok = lh_d1_export_finish (lh_wait_for_result (&result), &dump_error);
    }
  else
    {
      lh_sql_dump_write_async (job->connection, temp, cancellable, dump_progress_cb, job,
                               lh_store_result_cb, &result);
      ok = lh_sql_dump_write_finish (lh_wait_for_result (&result), &dump_error);
    }
  if (!ok)
    set_dump_error (error, dump_error, _("The database could not be dumped: "));
  return ok;
}

/* Makes, checks and lists a dump of the job's remote database. */
static LhBackup *
create_dump (Job           *job,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
  g_autofree char *base = g_strdup_printf ("%s-%s", job->stem, stamp);
  g_autofree char *name = g_strconcat (base, ".sql", NULL);
  g_autofree char *compressed_name = g_strconcat (base, ".sql.gz", NULL);
  const char *temp = NULL;
  const char *loaded;

  remove_stale_temp_files (job);
  if (!make_folder (job->folder, error) ||
      (temp = make_temp_file (job, job->folder, name, error)) == NULL ||
      !write_dump (job, temp, cancellable, error) || !sync_temp_file (job, temp, error))
    return NULL;
  if (job->flags & LH_BACKUP_GZIP)
    {
      g_autoptr(GZlibCompressor) compressor = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, -1);
      const char *compressed = make_temp_file (job, job->folder, compressed_name, error);
      GError *stream_error = NULL;

      if (compressed == NULL)
        return NULL;
      if (!convert_file (temp, compressed, G_CONVERTER (compressor), cancellable, &stream_error))
        {
          set_stream_error (error, stream_error, job->folder);
          return NULL;
        }
      if (!sync_temp_file (job, compressed, error))
        return NULL;
      temp = compressed;
    }
  loaded = load_dump (job, temp, cancellable, error);
  if (loaded == NULL ||
      !lh_sqlite_copy_check_integrity (loaded, job->database, &sqlite_errors, cancellable, error))
    return NULL;
  return publish (job, temp, base, now, cancellable, error);
}

static void
create_dump_thread (GTask        *task,
                    gpointer      source,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(GMainContext) context = g_main_context_new ();
  GError *error = NULL;
  LhBackup *backup;

  g_main_context_push_thread_default (context);
  backup = create_dump (job, cancellable, &error);
  g_main_context_pop_thread_default (context);
  remove_temp_files (job);
  if (backup == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, backup, g_object_unref);
}

/* Whether the SQLite file at path has a table of its own. */
static gboolean
has_tables (const char *path)
{
  sqlite3 *db = NULL;
  g_autofree char *count = NULL;

  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK)
    count = lh_sqlite_copy_query_text (db, "SELECT count(*) FROM sqlite_schema WHERE type = 'table'"
                                       " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'");
  sqlite3_close (db);
  return count != NULL && g_strcmp0 (count, "0") != 0;
}

/* The dump of the SQLite file at path, written into a temporary file; its path. */
static const char *
dump_sqlite_file (Job           *job,
                  const char    *path,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *name = g_strconcat (base, ".sql", NULL);
  g_autoptr(GAsyncResult) opened = NULL;
  g_autoptr(GAsyncResult) written = NULL;
  g_autoptr(LhLocalConnection) local = NULL;
  GError *dump_error = NULL;
  const char *temp;

  if (!make_folder (job->folder, error) ||
      (temp = make_temp_file (job, job->folder, name, error)) == NULL)
    return NULL;
  lh_local_connection_open_async (path, LH_LOCAL_OPEN_READ_ONLY,
                                  LH_LOCAL_CONNECTION_DEFAULT_BUSY_TIMEOUT_MS, cancellable,
                                  lh_store_result_cb, &opened);
  local = lh_local_connection_open_finish (lh_wait_for_result (&opened), &dump_error);
  if (local != NULL)
    {
      lh_sql_dump_write_async (LH_CONNECTION (local), temp, cancellable, NULL, NULL,
                               lh_store_result_cb, &written);
      if (lh_sql_dump_write_finish (lh_wait_for_result (&written), &dump_error))
        return temp;
    }
  set_dump_error (error, dump_error, _("The file to import could not be read: "));
  return NULL;
}

/* A file D1 imports: DROPs of what the database holds now, then the dump at dump_path. */
static const char *
make_d1_import_file (Job           *job,
                     const char    *dump_path,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(LhResultSet) objects = NULL;
  g_autoptr(GInputStream) input = NULL;
  g_autoptr(GOutputStream) output = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GString) drops = g_string_new ("PRAGMA defer_foreign_keys=TRUE;\n");
  GError *query_error = NULL;
  const char *temp = make_temp_file (job, job->folder, "import.sql", error);

  if (temp == NULL)
    return NULL;
  lh_connection_execute_async (job->connection,
                               "SELECT type, name FROM sqlite_schema"
                               " WHERE type IN ('table', 'view', 'trigger')"
                               " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
                               " AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\'"
                               " AND name NOT IN (SELECT name FROM pragma_table_list"
                               " WHERE type = 'shadow')"
                               " ORDER BY CASE type WHEN 'trigger' THEN 0 WHEN 'view' THEN 1 ELSE 2 END",
                               NULL, 0, cancellable, lh_store_result_cb, &result);
  objects = lh_connection_execute_finish (job->connection, lh_wait_for_result (&result), &query_error);
  if (objects == NULL)
    {
      set_dump_error (error, query_error, _("The database’s tables could not be listed: "));
      return NULL;
    }
  for (guint i = 0; i < lh_result_set_get_n_rows (objects); i++)
    {
      const LhValue *type = lh_result_set_get_value (objects, i, 0);
      const LhValue *object = lh_result_set_get_value (objects, i, 1);
      g_autofree char *keyword = NULL;
      g_autofree char *quoted = NULL;

      if (type->kind != LH_VALUE_TEXT || object->kind != LH_VALUE_TEXT)
        continue;
      keyword = g_ascii_strup (type->v.text.data, -1);
      quoted = lh_sql_quote_identifier (object->v.text.data);
      g_string_append_printf (drops, "DROP %s IF EXISTS %s;\n", keyword, quoted);
    }
  file = g_file_new_for_path (temp);
  output = G_OUTPUT_STREAM (g_file_append_to (file, G_FILE_CREATE_NONE, cancellable, error));
  if (output == NULL || (input = lh_sql_dump_open (dump_path, cancellable, error)) == NULL ||
      !g_output_stream_write_all (output, drops->str, drops->len, NULL, cancellable, error) ||
      g_output_stream_splice (output, input, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, cancellable,
                              error) < 0)
    return NULL;
  return temp;
}

/* Replaces the remote database's contents with the dump at dump_path, all or nothing. */
static gboolean
load_into_remote (Job           *job,
                  const char    *dump_path,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  GError *load_error = NULL;
  gboolean ok;

  if (LH_IS_D1_CONNECTION (job->connection))
    {
      const char *import = make_d1_import_file (job, dump_path, cancellable, error);
      g_autofree char *bookmark = NULL;

      if (import == NULL)
        return FALSE;
      lh_d1_import_async (LH_D1_CONNECTION (job->connection), import, cancellable,
                          dump_progress_cb, job, lh_store_result_cb, &result);
      bookmark = lh_d1_import_finish (lh_wait_for_result (&result), &load_error);
      ok = bookmark != NULL;
    }
  else
    {
      lh_sql_dump_load_async (job->connection, dump_path, cancellable, dump_progress_cb, job,
                              lh_store_result_cb, &result);
      ok = lh_sql_dump_load_finish (lh_wait_for_result (&result), &load_error);
    }
  /* A transaction or an import that failed changed nothing; one whose end was not heard
   * of may have changed everything. */
  if (!ok)
    set_dump_error (error, load_error,
                    g_error_matches (load_error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_TIMEOUT) ||
                    g_error_matches (load_error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_NETWORK)
                      ? _("It is not known whether the database was changed: ")
                      : _("Nothing was changed: "));
  return ok;
}

/* Imports the file (a backup of the catalog, an SQLite file or a dump) into the remote
 * database: checked first, then a safety dump of the database, then the load. */
static gboolean
import_into_remote (Job           *job,
                    const char    *path,
                    GCancellable  *cancellable,
                    LhBackup     **safety,
                    GError       **error)
{
  const char *dump = path;
  const char *sqlite_path = NULL;
  const char *loaded;

  remove_stale_temp_files (job);
  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_autofree char *name = g_filename_display_name (path);

      g_set_error (error, LH_BACKUP_ERROR, LH_BACKUP_ERROR_MISSING,
                   _("“%s” is gone: it was moved or deleted."), name);
      return FALSE;
    }
  /* A gzip-compressed database file (a .sqlite.gz backup): decompressed first. */
  if (is_gzip_file (path))
    {
      g_autofree char *base = g_path_get_basename (path);
      GError *stream_error = NULL;
      const char *plain = make_folder (job->folder, error)
        ? make_temp_file (job, job->folder, base, error) : NULL;

      if (plain == NULL)
        return FALSE;
      if (!decompress_file (path, plain, cancellable, &stream_error))
        {
          set_stream_error (error, stream_error, path);
          return FALSE;
        }
      /* A database, or a dump: either way read from the decompressed copy from here on. */
      if (is_sqlite_file (plain))
        sqlite_path = plain;
      else
        dump = plain;
    }
  else if (is_sqlite_file (path))
    sqlite_path = path;
  if (sqlite_path != NULL)
    {
      if (!lh_sqlite_copy_check_integrity (sqlite_path, path, &sqlite_errors, cancellable, error))
        return FALSE;
      dump = dump_sqlite_file (job, sqlite_path, cancellable, error);
      if (dump == NULL)
        return FALSE;
    }
  loaded = load_dump (job, dump, cancellable, error);
  if (loaded == NULL ||
      !lh_sqlite_copy_check_integrity (loaded, path, &sqlite_errors, cancellable, error))
    return FALSE;
  if (!has_tables (loaded))
    {
      g_autofree char *name = g_filename_display_name (path);

      g_set_error (error, LH_BACKUP_ERROR, LH_BACKUP_ERROR_CORRUPT,
                   _("“%s” holds no table: loading it would only empty the database, so "
                     "nothing was changed."), name);
      return FALSE;
    }
  *safety = create_dump (job, cancellable, error);
  return *safety != NULL && !g_cancellable_set_error_if_cancelled (cancellable, error) &&
         load_into_remote (job, dump, cancellable, error);
}

static void
import_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(GMainContext) context = g_main_context_new ();
  GError *error = NULL;
  LhBackup *safety = NULL;
  gboolean ok;

  g_main_context_push_thread_default (context);
  ok = import_into_remote (job, job->target_path, cancellable, &safety, &error);
  g_main_context_pop_thread_default (context);
  remove_temp_files (job);
  if (ok)
    g_task_return_pointer (task, safety, g_object_unref);
  else
    {
      g_clear_object (&safety);
      g_task_return_error (task, error);
    }
}

/* Writes the checked backup as an SQLite file at the job's target path, in place of what
 * is there (a temporary file beside it, synced, renamed over it). */
static gboolean
save_as_file (Job           *job,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autofree char *folder = g_path_get_dirname (job->target_path);
  g_autofree char *base = g_path_get_basename (job->target_path);
  const char *plain = NULL;
  const char *temp;

  if (!check_no_sidecars (job->target_path, error) ||
      !check_backup (job, cancellable, &plain, error) || !record_verified (job, error))
    return FALSE;
  temp = copy_to_temp (job, plain, folder, base, file_mode (job->target_path, 0644), cancellable,
                       error);
  return temp != NULL && rename_into_place (temp, job->target_path, error);
}

static void
save_as_thread (GTask        *task,
                gpointer      source,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Job *job = task_data;
  GError *error = NULL;
  gboolean ok = save_as_file (job, cancellable, &error);

  remove_temp_files (job);
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* Verifying. */

/* Checks the backup, decompressed first if need be; *plain is then the path of the
 * uncompressed file, which a restore copies from. */
/* Whether the file at path starts as an SQLite database does; if not, error names
 * shown_path: empty, not SQLite (a plain file), damaged (what decompressed from it). */
static gboolean
check_is_sqlite (const char  *path,
                 const char  *shown_path,
                 GError     **error)
{
  FileHead head = read_head (path);
  g_autofree char *name = NULL;

  if (head_is_sqlite (&head))
    return TRUE;
  name = g_filename_display_name (shown_path);
  if (head.open_errno != 0)
    g_set_error (error, LH_BACKUP_ERROR, error_code_from_errno (head.open_errno),
                 _("Cannot read “%s”: %s"), name, g_strerror (head.open_errno));
  else if (head.length == 0)
    g_set_error (error, LH_BACKUP_ERROR, LH_BACKUP_ERROR_CORRUPT,
                 _("The backup “%s” is empty: its file was emptied after it was taken."), name);
  else if (g_strcmp0 (path, shown_path) == 0)
    g_set_error (error, LH_BACKUP_ERROR, LH_BACKUP_ERROR_NOT_A_DATABASE,
                 _("“%s” is not an SQLite database."), name);
  else
    g_set_error (error, LH_BACKUP_ERROR, LH_BACKUP_ERROR_CORRUPT,
                 _("The backup “%s” is damaged: what it decompresses to is not an SQLite database."),
                 name);
  return FALSE;
}

/* Whether the backup's file has the size it had when it was listed. */
static gboolean
check_backup_size (Job     *job,
                   GError **error)
{
  GStatBuf info;
  g_autofree char *name = NULL;
  g_autofree char *now = NULL;
  g_autofree char *then = NULL;

  if (g_stat (job->backup_path, &info) != 0 || info.st_size == job->backup_size)
    return TRUE;   /* gone: opening it says so */
  name = g_filename_display_name (job->backup_path);
  now = g_format_size_full ((guint64) info.st_size, G_FORMAT_SIZE_LONG_FORMAT);
  then = g_format_size_full ((guint64) job->backup_size, G_FORMAT_SIZE_LONG_FORMAT);
  g_set_error (error, LH_BACKUP_ERROR, LH_BACKUP_ERROR_CORRUPT,
               _("The backup “%s” is damaged: it holds %s, not the %s it held when it was taken."),
               name, now, then);
  return FALSE;
}

static gboolean
check_backup (Job           *job,
              GCancellable  *cancellable,
              const char   **plain,
              GError       **error)
{
  const char *path = job->backup_path;
  g_autofree char *base = g_path_get_basename (path);

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_autofree char *name = g_filename_display_name (path);

      if (job->backup_branch != NULL)
        g_set_error (error, LH_BACKUP_ERROR, LH_BACKUP_ERROR_MISSING,
                     _("The branch “%s” is gone: its file “%s” was moved or deleted."),
                     job->backup_branch, name);
      else
        g_set_error (error, LH_BACKUP_ERROR, LH_BACKUP_ERROR_MISSING,
                     _("The backup “%s” is gone: its file was moved or deleted."), name);
      return FALSE;
    }
  /* SQLite takes an empty file for an empty database: a backup emptied or cut short after
   * it was listed would pass its check, and restoring it would empty the database. A
   * branch changes as it is used. */
  if (job->backup_kind != LH_BACKUP_DUMP && !(job->backup_flags & LH_BACKUP_GZIP) &&
      !check_is_sqlite (path, path, error))
    return FALSE;
  if (!(job->backup_flags & LH_BACKUP_BRANCH) && !check_backup_size (job, error))
    return FALSE;
  if (job->backup_kind == LH_BACKUP_DUMP)
    path = load_dump (job, path, cancellable, error);
  else if (job->backup_flags & LH_BACKUP_GZIP)
    path = decompress (job, path, base, job->backup_path, cancellable, error);
  if (path == NULL ||
      (job->backup_kind != LH_BACKUP_DUMP && !check_is_sqlite (path, job->backup_path, error)))
    return FALSE;
  if (!lh_sqlite_copy_check_integrity (path, job->backup_path, &sqlite_errors, cancellable, error))
    return FALSE;
  *plain = path;
  return TRUE;
}

/* Records when the backup passed its check; not for a branch, which changes after it. */
static gboolean
record_verified (Job     *job,
                 GError **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *now_text = format_time (now);
  g_autoptr(GPtrArray) params = params_new ();
  sqlite3 *db;
  gboolean ok;

  if (job->backup_flags & LH_BACKUP_BRANCH)
    return TRUE;
  db = catalog_open (job, error);
  if (db == NULL)
    return FALSE;
  params_add_text (params, now_text);
  params_add_integer (params, job->backup_id);
  ok = catalog_run (db, job, CATALOG_VERIFIED_SQL, params, error);
  sqlite3_close (db);
  return ok;
}

static void
verify_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Job *job = task_data;
  GError *error = NULL;
  const char *plain = NULL;
  gboolean ok = check_backup (job, cancellable, &plain, &error);

  /* Sound, whether or not the catalog can say so: the message tells both. */
  if (ok && !record_verified (job, &error))
    {
      g_autofree char *name = g_filename_display_name (job->backup_path);

      g_prefix_error (&error, _("The backup “%s” is sound, but its check could not be recorded: "),
                      name);
      ok = FALSE;
    }
  remove_temp_files (job);
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* Restoring. */

/* Why a restore that SQLite ended with rc did not happen. */
static void
set_restore_error (Job      *job,
                   sqlite3  *dest,
                   int       rc,
                   GError  **error)
{
  g_autofree char *name = g_filename_display_name (job->database);

  if (g_cancellable_set_error_if_cancelled (job->cancellable, error))
    return;
  if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
    g_set_error (error, LH_BACKUP_ERROR, LH_BACKUP_ERROR_BUSY,
                 _("Another program is using “%s” (it holds a lock); nothing was restored."), name);
  else
    set_sqlite_error (error, dest, rc, job->database);
}

/* Copies the checked backup at plain into the SQLite file at dest in one step of the
 * backup API, waiting up to lock_timeout_ms for a lock held elsewhere (a branch may be open
 * in its own window: a commit there is waited for too). */
static gboolean
copy_backup_pages (Job         *job,
                   const char  *plain,
                   const char  *dest_path,
                   GError     **error)
{
  GError *open_error = NULL;
  sqlite3 *source = lh_sqlite_copy_open_file (plain, SQLITE_OPEN_READONLY, job->backup_path,
                                              &sqlite_errors, &open_error);
  sqlite3 *dest = NULL;
  int rc;

  if (source == NULL && !g_file_test (plain, G_FILE_TEST_EXISTS))
    {
      g_autofree char *name = g_filename_display_name (job->backup_path);

      /* Deleted meanwhile (a prune elsewhere): SQLite would only say it cannot open it. */
      g_clear_error (&open_error);
      g_set_error (error, LH_BACKUP_ERROR, LH_BACKUP_ERROR_MISSING,
                   _("The backup “%s” was deleted while it was being restored; nothing was "
                     "restored."), name);
      return FALSE;
    }
  if (source == NULL)
    {
      g_propagate_error (error, open_error);
      return FALSE;
    }
  dest = lh_sqlite_copy_open_file (dest_path, SQLITE_OPEN_READWRITE, job->database,
                                   &sqlite_errors, error);
  if (dest == NULL)
    {
      sqlite3_close (source);
      return FALSE;
    }
  sqlite3_busy_handler (dest, database_busy_cb, job);
  sqlite3_busy_handler (source, database_busy_cb, job);
  rc = lh_sqlite_copy_all_pages (source, dest);
  if (rc != SQLITE_OK)
    set_restore_error (job, dest, rc, error);
  sqlite3_close (dest);
  sqlite3_close (source);
  return rc == SQLITE_OK;
}

/* A database file that is not SQLite at all (overwritten, say): nothing can open it, so its
 * safety backup keeps its bytes as they were, a plain copy with a note. SQLite's files
 * beside it would be rolled into the restored database: then nothing is done. */
static LhBackup *
create_raw_copy (Job           *job,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");
  g_autofree char *base = g_strdup_printf ("%s-%s", job->stem, stamp);
  g_autofree char *name = g_strconcat (base, ".sqlite", NULL);
  g_autofree char *shown = g_filename_display_name (job->database);
  g_autofree char *note = NULL;
  const char *temp;

  if (!check_no_sidecars (job->database, error))
    {
      g_prefix_error (error, _("“%s” is not an SQLite database. "), shown);
      return NULL;
    }
  if (!make_folder (job->folder, error) ||
      (temp = copy_to_temp (job, job->database, job->folder, name, 0600, cancellable, error)) == NULL)
    return NULL;
  note = g_strjoin (" ", job->note != NULL ? job->note : "",
                    _("The database file was not SQLite; this copy keeps its bytes as they were."), NULL);
  g_free (job->note);
  job->note = g_strdup (g_strstrip (note));
  return publish (job, temp, base, now, cancellable, error);
}

/* A copy of the checked backup at plain (a branch may be in use: in WAL mode, with what its
 * write-ahead log holds) made by SQLite's backup API in a temporary file in folder named
 * after name, with mode, synced; its path. */
static const char *
copy_database_to_temp (Job         *job,
                       const char  *plain,
                       const char  *folder,
                       const char  *name,
                       mode_t       mode,
                       GError     **error)
{
  const char *temp = make_temp_file (job, folder, name, error);
  TempFile *locked;

  if (temp == NULL || !copy_backup_pages (job, plain, temp, error))
    return NULL;
  locked = g_ptr_array_index (job->temps, job->temps->len - 1);
  if (fchmod (locked->fd, mode) != 0 || fsync (locked->fd) != 0)
    {
      set_folder_error (error, errno, folder);
      return NULL;
    }
  return temp;
}

/* Puts the checked backup at plain in place of a database file that is not SQLite, or that
 * is not there: a copy beside it, synced, renamed over it (no SQLite connection can be
 * using such a file). */
static gboolean
replace_database_file (Job           *job,
                       const char    *plain,
                       GError       **error)
{
  g_autofree char *folder = g_path_get_dirname (job->database);
  g_autofree char *base = g_path_get_basename (job->database);
  const char *temp = copy_database_to_temp (job, plain, folder, base,
                                            file_mode (job->database, 0644), error);

  return temp != NULL && rename_into_place (temp, job->database, error);
}

/* Verifies the backup, takes the safety backup, restores; the safety backup, listed even
 * when the restore then fails, comes back in *safety (NULL when there was no database
 * file to keep). */
static gboolean
restore_backup (Job           *job,
                GCancellable  *cancellable,
                LhBackup     **safety,
                GError       **error)
{
  const char *plain = NULL;
  GError *safety_error = NULL;

  if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
      !check_backup (job, cancellable, &plain, error) || !record_verified (job, error))
    return FALSE;
  /* No database file (deleted, say): nothing to keep first; the backup is put in its place
   * as a new file, unless SQLite's files left beside it would be rolled into it. */
  if (!g_file_test (job->database, G_FILE_TEST_EXISTS))
    return check_no_sidecars (job->database, error) &&
           replace_database_file (job, plain, error);
  if (!lh_sqlite_copy_prepare_page_sizes (plain, job->database, &sqlite_errors, &job->back_to_wal,
                                          error))
    return FALSE;
  *safety = create_backup (job, cancellable, &safety_error);
  if (*safety == NULL && g_error_matches (safety_error, LH_BACKUP_ERROR, LH_BACKUP_ERROR_NOT_A_DATABASE))
    {
      g_clear_error (&safety_error);
      *safety = create_raw_copy (job, cancellable, error);
      return *safety != NULL && !g_cancellable_set_error_if_cancelled (cancellable, error) &&
             replace_database_file (job, plain, error);
    }
  if (*safety == NULL)
    {
      g_propagate_error (error, safety_error);
      return FALSE;
    }
  return !g_cancellable_set_error_if_cancelled (cancellable, error) &&
         copy_backup_pages (job, plain, job->database, error);
}

static void
restore_thread (GTask        *task,
                gpointer      source,
                gpointer      task_data,
                GCancellable *cancellable)
{
  Job *job = task_data;
  GError *error = NULL;
  LhBackup *safety = NULL;
  gboolean ok = restore_backup (job, cancellable, &safety, &error);

  if (job->back_to_wal)
    lh_sqlite_copy_set_journal_mode (job->database, "wal", database_busy_cb, job);
  remove_temp_files (job);
  if (ok)
    g_task_return_pointer (task, safety, g_object_unref);
  else
    {
      /* The database is as it was (its restore is one step, whole or not at all): its
       * safety backup, the same, would only take the place of a backup at pruning. */
      if (safety != NULL)
        delete_backup (job, safety->id, safety->path, NULL);
      g_clear_object (&safety);
      g_task_return_error (task, error);
    }
}

/* Deleting and pruning. */

/* Removes the backup files at paths and what SQLite left beside them (the rows are gone
 * already); a file gone is fine. */
static gboolean
remove_files (GPtrArray  *paths,
              GError    **error)
{
  gboolean ok = TRUE;

  for (guint i = 0; i < paths->len; i++)
    {
      const char *path = g_ptr_array_index (paths, i);

      /* A branch is an ordinary database, that SQLite may have left files beside; they go
       * only with it (a hot journal belongs to the file it would mend). */
      if (g_unlink (path) == 0 || errno == ENOENT)
        remove_sidecars (path);
      else if (ok)
        {
          set_file_error (error, errno, path);
          ok = FALSE;
        }
    }
  return ok;
}

/* Removes the rows of ids from the catalog, in the transaction the caller began. */
static gboolean
catalog_delete (sqlite3    *db,
                const Job  *job,
                GArray     *ids,
                GError    **error)
{
  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(GPtrArray) params = params_new ();

      params_add_integer (params, g_array_index (ids, gint64, i));
      params_add_text (params, job->database);
      if (!catalog_run (db, job, CATALOG_DELETE_SQL, params, error))
        return FALSE;
    }
  return TRUE;
}

/* Removes the row id of the catalog and the file at path. */
static gboolean
delete_backup (Job         *job,
               gint64       id,
               const char  *path,
               GError     **error)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GPtrArray) paths = g_ptr_array_new ();
  GError *file_error = NULL;
  gboolean ok_files = TRUE;
  sqlite3 *db = catalog_open (job, error);
  gboolean ok;

  g_array_append_val (ids, id);
  g_ptr_array_add (paths, (gpointer) path);
  ok = db != NULL && catalog_run (db, job, "BEGIN IMMEDIATE", NULL, error);
  ok = ok && catalog_delete (db, job, ids, error);
  /* The files go before the commit, so that no adoption of orphans comes in between. */
  if (ok && !remove_files (paths, &file_error))
    ok_files = FALSE;
  ok = db != NULL && catalog_end (db, job, ok, error);
  sqlite3_close (db);
  if (ok && !ok_files)
    g_propagate_error (error, file_error);
  else
    g_clear_error (&file_error);
  return ok && ok_files;
}

static void
delete_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  Job *job = task_data;
  GError *error = NULL;

  if (!g_cancellable_set_error_if_cancelled (cancellable, &error) &&
      delete_backup (job, job->backup_id, job->backup_path, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

/* The rows of the database's backups that retention lets go: their ids and paths. */
static void
select_pruned (Job         *job,
               LhResultSet *rows,
               GArray      *ids,
               GPtrArray   *paths)
{
  g_autoptr(GListStore) backups = g_list_store_new (LH_TYPE_BACKUP);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GListModel) pruned = NULL;

  for (guint row = 0; row < lh_result_set_get_n_rows (rows); row++)
    {
      g_autoptr(LhBackup) backup = backup_new_from_row (rows, row, job->database);

      g_list_store_append (backups, backup);
    }
  pruned = lh_retention_select_backups (G_LIST_MODEL (backups), &job->retention, now);
  for (guint i = 0; i < g_list_model_get_n_items (pruned); i++)
    {
      g_autoptr(LhBackup) backup = g_list_model_get_item (pruned, i);

      g_array_append_val (ids, backup->id);
      g_ptr_array_add (paths, g_strdup (backup->path));
    }
}

static void
prune_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(LhResultSet) rows = NULL;
  GError *error = NULL;
  GError *file_error = NULL;
  gboolean ok_files = TRUE;
  sqlite3 *db = NULL;
  gboolean ok;

  if (g_cancellable_set_error_if_cancelled (cancellable, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  remove_stale_temp_files (job);
  db = catalog_open (job, &error);
  ok = db != NULL && catalog_run (db, job, "BEGIN IMMEDIATE", NULL, &error);
  /* Read and deleted in one transaction: a backup listed meanwhile is not judged unseen. */
  ok = ok && (rows = catalog_select (db, job, CATALOG_PRUNABLE_SQL, &error)) != NULL;
  if (ok)
    select_pruned (job, rows, ids, paths);
  ok = ok && catalog_delete (db, job, ids, &error);
  if (ok && !remove_files (paths, &file_error))
    ok_files = FALSE;
  ok = db != NULL && catalog_end (db, job, ok, &error);
  sqlite3_close (db);
  if (ok && ok_files)
    g_task_return_int (task, ids->len);
  else
    g_task_return_error (task, ok ? g_steal_pointer (&file_error) : error);
  g_clear_error (&file_error);
}

/* Retention. */

static gint
compare_newest_first (gconstpointer a,
                      gconstpointer b,
                      gpointer      user_data)
{
  GPtrArray *times = user_data;
  guint i = *(const guint *) a;
  guint j = *(const guint *) b;
  gint order = g_date_time_compare (g_ptr_array_index (times, j), g_ptr_array_index (times, i));

  return order != 0 ? order : (i > j) - (i < j);
}

/* The indexes of times, newest first. */
static GArray *
newest_first (GPtrArray *times)
{
  GArray *order = g_array_sized_new (FALSE, FALSE, sizeof (guint), times->len);

  for (guint i = 0; i < times->len; i++)
    g_array_append_val (order, i);
  g_array_sort_with_data (order, compare_newest_first, times);
  return order;
}

/* The number of the calendar day time falls on in zone or, weekly, of the Monday of its
 * ISO week. */
static gint64
day_number (GDateTime *time,
            GTimeZone *zone,
            gboolean   weekly)
{
  g_autoptr(GDateTime) local = g_date_time_to_timezone (time, zone);
  gint year, month, day;
  GDate date;

  g_date_time_get_ymd (local, &year, &month, &day);
  g_date_clear (&date, 1);
  g_date_set_dmy (&date, day, month, year);
  return (gint64) g_date_get_julian (&date) - (weekly ? g_date_time_get_day_of_week (local) - 1 : 0);
}

/* Marks in keep the newest time of each of the count last days (or weeks) up to now. */
static void
keep_newest_per_period (GPtrArray *times,
                        GArray    *order,
                        GDateTime *now,
                        guint      count,
                        gboolean   weekly,
                        gboolean  *keep)
{
  GTimeZone *zone = g_date_time_get_timezone (now);
  gint64 current = day_number (now, zone, weekly);
  gint64 length = weekly ? 7 : 1;
  gint64 last_kept = G_MAXINT64;

  for (guint i = 0; count > 0 && i < order->len; i++)
    {
      guint index = g_array_index (order, guint, i);
      gint64 period = day_number (g_ptr_array_index (times, index), zone, weekly);

      if ((current - period) / length >= count)
        break;
      if (period == last_kept)
        continue;
      keep[index] = TRUE;
      last_kept = period;
    }
}

GArray *
lh_retention_select (GPtrArray         *created_times,
                     const LhRetention *retention,
                     GDateTime         *now)
{
  g_autoptr(GArray) order = NULL;
  g_autofree gboolean *keep = NULL;
  gboolean keep_all;
  GArray *kept;

  g_return_val_if_fail (created_times != NULL, NULL);
  g_return_val_if_fail (retention != NULL, NULL);
  g_return_val_if_fail (now != NULL, NULL);

  order = newest_first (created_times);
  keep = g_new0 (gboolean, created_times->len + 1);
  keep_all = retention->keep_last == 0 && retention->daily_days == 0 &&
             retention->weekly_weeks == 0;
  /* A time after now (a clock that was ahead) is kept, and takes no place from the others:
   * the newest places would be its for ever, and every new backup pruned as taken. */
  while (order->len > 0 &&
         g_date_time_compare (g_ptr_array_index (created_times, g_array_index (order, guint, 0)), now) > 0)
    {
      keep[g_array_index (order, guint, 0)] = TRUE;
      g_array_remove_index (order, 0);
    }
  for (guint i = 0; i < order->len; i++)
    keep[g_array_index (order, guint, i)] = keep_all || i < retention->keep_last;
  keep_newest_per_period (created_times, order, now, retention->daily_days, FALSE, keep);
  keep_newest_per_period (created_times, order, now, retention->weekly_weeks, TRUE, keep);

  kept = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint i = 0; i < created_times->len; i++)
    if (keep[i])
      g_array_append_val (kept, i);
  return kept;
}

GListModel *
lh_retention_select_backups (GListModel        *backups,
                             const LhRetention *retention,
                             GDateTime         *now)
{
  g_autoptr(GPtrArray) times = g_ptr_array_new_with_free_func ((GDestroyNotify) g_date_time_unref);
  g_autoptr(GArray) judged = g_array_new (FALSE, FALSE, sizeof (guint));   /* their positions */
  g_autoptr(GArray) kept = NULL;
  GListStore *pruned = g_list_store_new (LH_TYPE_BACKUP);
  guint next_kept = 0;

  g_return_val_if_fail (G_IS_LIST_MODEL (backups), NULL);
  for (guint i = 0; i < g_list_model_get_n_items (backups); i++)
    {
      g_autoptr(LhBackup) backup = g_list_model_get_item (backups, i);

      /* A branch is no backup; one without a readable time is not Litehouse's to judge. */
      if (backup->branch != NULL || backup->created_at == NULL)
        continue;
      g_ptr_array_add (times, g_date_time_ref (backup->created_at));
      g_array_append_val (judged, i);
    }
  kept = lh_retention_select (times, retention, now);
  for (guint i = 0; i < judged->len; i++)
    {
      g_autoptr(LhBackup) backup = NULL;

      if (next_kept < kept->len && g_array_index (kept, guint, next_kept) == i)
        {
          next_kept++;
          continue;
        }
      backup = g_list_model_get_item (backups, g_array_index (judged, guint, i));
      g_list_store_append (pruned, backup);
    }
  return G_LIST_MODEL (pruned);
}

/* Listing. */

static void
list_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(LhResultSet) rows = NULL;
  GError *error = NULL;
  sqlite3 *db = catalog_open (job, &error);
  GListStore *store;

  if (db != NULL)
    rows = catalog_select (db, job, CATALOG_LIST_SQL, &error);
  sqlite3_close (db);
  if (rows == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  store = g_list_store_new (LH_TYPE_BACKUP);
  for (guint row = 0; row < lh_result_set_get_n_rows (rows); row++)
    {
      g_autoptr(LhBackup) backup = backup_new_from_row (rows, row, job->database);

      g_list_store_append (store, backup);
    }
  g_task_return_pointer (task, store, g_object_unref);
}

/* LhBackupCatalog */

struct _LhBackupCatalog
{
  GObject parent_instance;

  /* owned */
  char *database;        /* absolute */
  char *folder;
  char *stem;
  char *catalog_path;
  gboolean remote;
};

G_DEFINE_FINAL_TYPE (LhBackupCatalog, lh_backup_catalog, G_TYPE_OBJECT)

static void
lh_backup_catalog_finalize (GObject *object)
{
  LhBackupCatalog *self = LH_BACKUP_CATALOG (object);

  g_free (self->database);
  g_free (self->folder);
  g_free (self->stem);
  g_free (self->catalog_path);
  G_OBJECT_CLASS (lh_backup_catalog_parent_class)->finalize (object);
}

static void
lh_backup_catalog_class_init (LhBackupCatalogClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lh_backup_catalog_finalize;
}

static void
lh_backup_catalog_init (LhBackupCatalog *self)
{
}

/* The backups of database, a local SQLite file (a relative path is taken from the current
 * folder). */
/* The absolute path of the database file at path, through symbolic links (a link that
 * points nowhere too: a deleted database comes back where its link leads), so that every
 * name of one file has the same backups, and a file put in place replaces the file, not
 * the link. */
static char *
resolve_database_path (const char *path)
{
  char *resolved = g_canonicalize_filename (path, NULL);

  for (guint hops = 0; hops < 40; hops++)
    {
      g_autofree char *target = g_file_read_link (resolved, NULL);
      g_autofree char *folder = NULL;
      char *next;

      if (target == NULL)
        break;
      folder = g_path_get_dirname (resolved);
      next = g_canonicalize_filename (target, folder);
      g_free (resolved);
      resolved = next;
    }
  /* Links among the folders above it. */
  {
    g_autofree char *folder = g_path_get_dirname (resolved);
    g_autofree char *base = g_path_get_basename (resolved);
    g_autofree char *real_folder = realpath (folder, NULL);

    if (real_folder != NULL)
      {
        g_free (resolved);
        resolved = g_build_filename (real_folder, base, NULL);
      }
  }
  return resolved;
}

LhBackupCatalog *
lh_backup_catalog_new (const char *database)
{
  LhBackupCatalog *self;
  g_autofree char *key = NULL;

  g_return_val_if_fail (database != NULL && *database != '\0', NULL);

  self = g_object_new (LH_TYPE_BACKUP_CATALOG, NULL);
  /* A remote database is named by its location (d1://ACCOUNT/ID, a libSQL URL). */
  self->remote = strstr (database, "://") != NULL;
  self->database = self->remote ? g_strdup (database) : resolve_database_path (database);
  key = folder_key (self->database);
  self->folder = g_build_filename (g_get_user_data_dir (), "litehouse", "backups", key, NULL);
  self->stem = self->remote ? remote_stem (self->database) : file_stem (self->database);
  self->catalog_path = g_build_filename (g_get_user_data_dir (), "litehouse", "catalog.sqlite",
                                         NULL);
  return self;
}

/* The absolute path of the database. */
const char *
lh_backup_catalog_get_database (LhBackupCatalog *self)
{
  g_return_val_if_fail (LH_IS_BACKUP_CATALOG (self), NULL);
  return self->database;
}

/* Where the backups of the database go. */
const char *
lh_backup_catalog_get_folder (LhBackupCatalog *self)
{
  g_return_val_if_fail (LH_IS_BACKUP_CATALOG (self), NULL);
  return self->folder;
}

static Job *
job_new (LhBackupCatalog *self)
{
  Job *job = g_new0 (Job, 1);

  job->database = g_strdup (self->database);
  job->root_folder = g_strdup (self->folder);
  job->folder = g_strdup (self->folder);
  job->stem = g_strdup (self->stem);
  job->catalog_path = g_strdup (self->catalog_path);
  job->temps = g_ptr_array_new_with_free_func ((GDestroyNotify) temp_file_free);
  job->progress.last_current = job->progress.last_total = -1;
  return job;
}

static Job *
job_new_for_backup (LhBackupCatalog *self,
                    LhBackup        *backup)
{
  Job *job = job_new (self);

  job->backup_id = backup->id;
  job->backup_size = backup->size;
  job->backup_path = g_strdup (backup->path);
  job->backup_branch = g_strdup (backup->branch);
  job->backup_kind = backup->kind;
  job->backup_flags = backup->flags;
  return job;
}

/* A task of self that owns job. One that changes files or the catalog reports what it
 * did even when a cancel came too late to stop it. */
static GTask *
job_task_new (LhBackupCatalog     *self,
              Job                 *job,
              gpointer             source_tag,
              gboolean             changes,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  g_task_set_check_cancellable (task, !changes);
  job->cancellable = cancellable;
  job->progress.task = task;
  return task;
}

static gboolean
is_own_backup (LhBackupCatalog *self,
               LhBackup        *backup)
{
  return LH_IS_BACKUP (backup) && g_strcmp0 (backup->database, self->database) == 0;
}

void
lh_backup_catalog_list_async (LhBackupCatalog     *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (LH_IS_BACKUP_CATALOG (self));

  task = job_task_new (self, job_new (self), lh_backup_catalog_list_async, FALSE, cancellable,
                       callback, user_data);
  g_task_run_in_thread (task, list_thread);
}

GListModel *
lh_backup_catalog_list_finish (LhBackupCatalog  *self,
                               GAsyncResult     *result,
                               GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == lh_backup_catalog_list_async,
                        NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Backs the database up into a new file of its folder, and lists it; note (or NULL) is
 * kept with it for the user. */
void
lh_backup_catalog_create_async (LhBackupCatalog       *self,
                                LhBackupKind           kind,
                                LhBackupFlags          flags,
                                const char            *note,
                                GCancellable          *cancellable,
                                GFileProgressCallback  progress,
                                gpointer               progress_data,
                                GAsyncReadyCallback    callback,
                                gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  Job *job;

  g_return_if_fail (LH_IS_BACKUP_CATALOG (self));
  g_return_if_fail (kind == LH_BACKUP_EXACT || kind == LH_BACKUP_COMPACT);

  job = job_new (self);
  job->kind = kind;
  job->flags = flags & (LH_BACKUP_GZIP | LH_BACKUP_SAFETY);
  job->note = g_strdup (note);
  job->progress.callback = progress;
  job->progress.data = progress_data;
  task = job_task_new (self, job, lh_backup_catalog_create_async, TRUE, cancellable, callback,
                       user_data);
  g_task_run_in_thread (task, create_thread);
}

/* The new backup. */
LhBackup *
lh_backup_catalog_create_finish (LhBackupCatalog  *self,
                                 GAsyncResult     *result,
                                 GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == lh_backup_catalog_create_async,
                        NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Makes a branch of the database: an EXACT copy, made as a backup is, into the branches/
 * subfolder of the backup folder, listed under name. */
void
lh_backup_catalog_create_branch_async (LhBackupCatalog       *self,
                                       const char            *name,
                                       GCancellable          *cancellable,
                                       GFileProgressCallback  progress,
                                       gpointer               progress_data,
                                       GAsyncReadyCallback    callback,
                                       gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *stripped = NULL;
  Job *job;

  g_return_if_fail (LH_IS_BACKUP_CATALOG (self));
  g_return_if_fail (name != NULL && g_utf8_validate (name, -1, NULL));

  stripped = g_strstrip (g_strdup (name));
  job = job_new (self);
  g_free (job->folder);
  job->folder = g_build_filename (self->folder, BRANCH_FOLDER, NULL);
  job->kind = LH_BACKUP_EXACT;
  job->flags = LH_BACKUP_BRANCH;
  /* One spelling of each name: “é” typed composed or not is one branch. */
  job->branch = g_utf8_normalize (stripped, -1, G_NORMALIZE_DEFAULT_COMPOSE);
  job->progress.callback = progress;
  job->progress.data = progress_data;
  task = job_task_new (self, job, lh_backup_catalog_create_branch_async, TRUE, cancellable,
                       callback, user_data);
  g_task_run_in_thread (task, create_thread);
}

/* The new branch. */
LhBackup *
lh_backup_catalog_create_branch_finish (LhBackupCatalog  *self,
                                        GAsyncResult     *result,
                                        GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                          lh_backup_catalog_create_branch_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Runs integrity_check on backup (decompressed into a temporary file first, if gzip) and
 * records the time in the catalog when it passes (not for a branch, see the header). */
void
lh_backup_catalog_verify_async (LhBackupCatalog     *self,
                                LhBackup            *backup,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (LH_IS_BACKUP_CATALOG (self));
  g_return_if_fail (is_own_backup (self, backup));

  task = job_task_new (self, job_new_for_backup (self, backup), lh_backup_catalog_verify_async,
                       FALSE, cancellable, callback, user_data);
  g_task_run_in_thread (task, verify_thread);
}

gboolean
lh_backup_catalog_verify_finish (LhBackupCatalog  *self,
                                 GAsyncResult     *result,
                                 GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == lh_backup_catalog_verify_async,
                        FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* What the safety backup taken before backup goes into the database says of it. */
static char *
safety_note (LhBackup *backup)
{
  g_autofree char *number = NULL;

  if (backup->branch != NULL)
    return g_strdup_printf (_("Taken before promoting branch “%s”."), backup->branch);
  number = g_strdup_printf ("%" G_GINT64_FORMAT, backup->id);
  return g_strdup_printf (_("Taken before restoring backup #%s."), number);
}

void
lh_backup_catalog_restore_async (LhBackupCatalog       *self,
                                 LhBackup              *backup,
                                 guint                  lock_timeout_ms,
                                 GCancellable          *cancellable,
                                 GFileProgressCallback  progress,
                                 gpointer               progress_data,
                                 GAsyncReadyCallback    callback,
                                 gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  Job *job;

  g_return_if_fail (LH_IS_BACKUP_CATALOG (self));
  g_return_if_fail (is_own_backup (self, backup));

  job = job_new_for_backup (self, backup);
  job->kind = LH_BACKUP_EXACT;
  job->flags = LH_BACKUP_SAFETY;
  job->note = safety_note (backup);
  job->lock_timeout_ms = lock_timeout_ms;
  job->restoring = TRUE;
  job->progress.callback = progress;
  job->progress.data = progress_data;
  task = job_task_new (self, job, lh_backup_catalog_restore_async, TRUE, cancellable, callback,
                       user_data);
  g_task_run_in_thread (task, restore_thread);
}

/* The safety backup, taken before the database was replaced. */
LhBackup *
lh_backup_catalog_restore_finish (LhBackupCatalog  *self,
                                  GAsyncResult     *result,
                                  GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == lh_backup_catalog_restore_async,
                        NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
lh_backup_catalog_delete_async (LhBackupCatalog     *self,
                                LhBackup            *backup,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (LH_IS_BACKUP_CATALOG (self));
  g_return_if_fail (is_own_backup (self, backup));

  task = job_task_new (self, job_new_for_backup (self, backup), lh_backup_catalog_delete_async,
                       TRUE, cancellable, callback, user_data);
  g_task_run_in_thread (task, delete_thread);
}

gboolean
lh_backup_catalog_delete_finish (LhBackupCatalog  *self,
                                 GAsyncResult     *result,
                                 GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == lh_backup_catalog_delete_async,
                        FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Deletes the backups that retention does not keep (see lh_retention_select()), now;
 * branches are left out. */
void
lh_backup_catalog_prune_async (LhBackupCatalog     *self,
                               const LhRetention   *retention,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Job *job;

  g_return_if_fail (LH_IS_BACKUP_CATALOG (self));
  g_return_if_fail (retention != NULL);

  job = job_new (self);
  job->retention = *retention;
  task = job_task_new (self, job, lh_backup_catalog_prune_async, TRUE, cancellable, callback,
                       user_data);
  g_task_run_in_thread (task, prune_thread);
}

guint
lh_backup_catalog_prune_finish (LhBackupCatalog  *self,
                                GAsyncResult     *result,
                                GError          **error)
{
  gssize n_deleted;

  g_return_val_if_fail (g_task_is_valid (result, self), 0);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == lh_backup_catalog_prune_async,
                        0);
  n_deleted = g_task_propagate_int (G_TASK (result), error);
  return n_deleted > 0 ? n_deleted : 0;
}

/* Remote databases */

/* Whether the catalog is a remote database's (made for a location, not a file). */
gboolean
lh_backup_catalog_get_remote (LhBackupCatalog *self)
{
  g_return_val_if_fail (LH_IS_BACKUP_CATALOG (self), FALSE);
  return self->remote;
}

void
lh_backup_catalog_create_dump_async (LhBackupCatalog       *self,
                                     LhConnection          *connection,
                                     LhBackupFlags          flags,
                                     const char            *note,
                                     GCancellable          *cancellable,
                                     GFileProgressCallback  progress,
                                     gpointer               progress_data,
                                     GAsyncReadyCallback    callback,
                                     gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  Job *job;

  g_return_if_fail (LH_IS_BACKUP_CATALOG (self));
  g_return_if_fail (LH_IS_CONNECTION (connection));

  job = job_new (self);
  job->kind = LH_BACKUP_DUMP;
  job->flags = flags & (LH_BACKUP_GZIP | LH_BACKUP_SAFETY);
  job->note = g_strdup (note);
  job->connection = g_object_ref (connection);
  job->progress.callback = progress;
  job->progress.data = progress_data;
  task = job_task_new (self, job, lh_backup_catalog_create_dump_async, TRUE, cancellable, callback,
                       user_data);
  g_task_run_in_thread (task, create_dump_thread);
}

LhBackup *
lh_backup_catalog_create_dump_finish (LhBackupCatalog  *self,
                                      GAsyncResult     *result,
                                      GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == lh_backup_catalog_create_dump_async,
                        NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
start_import (LhBackupCatalog       *self,
              LhConnection          *connection,
              const char            *path,
              char                  *note,
              GCancellable          *cancellable,
              GFileProgressCallback  progress,
              gpointer               progress_data,
              GAsyncReadyCallback    callback,
              gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  Job *job = job_new (self);

  job->kind = LH_BACKUP_DUMP;
  job->flags = LH_BACKUP_SAFETY;
  job->note = note;
  job->connection = g_object_ref (connection);
  job->target_path = g_strdup (path);
  job->progress.callback = progress;
  job->progress.data = progress_data;
  task = job_task_new (self, job, lh_backup_catalog_import_async, TRUE, cancellable, callback,
                       user_data);
  g_task_run_in_thread (task, import_thread);
}

void
lh_backup_catalog_import_async (LhBackupCatalog       *self,
                                LhConnection          *connection,
                                const char            *path,
                                GCancellable          *cancellable,
                                GFileProgressCallback  progress,
                                gpointer               progress_data,
                                GAsyncReadyCallback    callback,
                                gpointer               user_data)
{
  g_autofree char *name = NULL;

  g_return_if_fail (LH_IS_BACKUP_CATALOG (self));
  g_return_if_fail (LH_IS_CONNECTION (connection));
  g_return_if_fail (path != NULL);

  name = g_filename_display_basename (path);
  start_import (self, connection, path, g_strdup_printf (_("Taken before loading “%s”."), name),
                cancellable, progress, progress_data, callback, user_data);
}

/* Restores backup, a dump of the catalog, over connection's database: an import of its
 * file whose safety backup's note names it. Finish with lh_backup_catalog_import_finish(). */
void
lh_backup_catalog_restore_dump_async (LhBackupCatalog       *self,
                                      LhBackup              *backup,
                                      LhConnection          *connection,
                                      GCancellable          *cancellable,
                                      GFileProgressCallback  progress,
                                      gpointer               progress_data,
                                      GAsyncReadyCallback    callback,
                                      gpointer               user_data)
{
  g_return_if_fail (LH_IS_BACKUP_CATALOG (self));
  g_return_if_fail (is_own_backup (self, backup));
  g_return_if_fail (LH_IS_CONNECTION (connection));

  start_import (self, connection, backup->path, safety_note (backup), cancellable, progress,
                progress_data, callback, user_data);
}


LhBackup *
lh_backup_catalog_import_finish (LhBackupCatalog  *self,
                                 GAsyncResult     *result,
                                 GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == lh_backup_catalog_import_async,
                        NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
lh_backup_catalog_save_as_async (LhBackupCatalog     *self,
                                 LhBackup            *backup,
                                 const char          *path,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Job *job;

  g_return_if_fail (LH_IS_BACKUP_CATALOG (self));
  g_return_if_fail (is_own_backup (self, backup));
  g_return_if_fail (path != NULL);

  job = job_new_for_backup (self, backup);
  job->target_path = g_strdup (path);
  task = job_task_new (self, job, lh_backup_catalog_save_as_async, TRUE, cancellable, callback,
                       user_data);
  g_task_run_in_thread (task, save_as_thread);
}

gboolean
lh_backup_catalog_save_as_finish (LhBackupCatalog  *self,
                                  GAsyncResult     *result,
                                  GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == lh_backup_catalog_save_as_async,
                        FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
