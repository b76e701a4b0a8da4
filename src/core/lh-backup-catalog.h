/* lh-backup-catalog.h — LhBackupCatalog: the backups of one local database, kept under
 * $XDG_DATA_HOME/litehouse/backups/ and listed in Litehouse's catalog
 * ($XDG_DATA_HOME/litehouse/catalog.sqlite): create (SQLite's online backup API for an
 * exact copy, or VACUUM INTO for a compact one, optionally gzip-compressed), verify
 * (integrity_check), restore (a safety backup of the current state first, then the
 * backup API into the live database), delete, and prune by a retention policy. A backup
 * is written under a temporary name, synced, checked and only then renamed and entered in
 * the catalog: a crash or a cancel never leaves a half backup listed.
 *
 * Branches: a branch is a named, writable EXACT copy of the database for trying changes
 * safely, made the way a backup is (never compressed) and listed with the backups as an
 * LhBackup with LH_BACKUP_BRANCH and a name (lh_backup_get_branch_name(), NULL for a
 * backup). Open its path as an ordinary database file; compare it with the database with
 * LhBranchDiff; promote it with lh_backup_catalog_restore_async(), which replaces the
 * database with it (after a safety backup) and leaves the branch listed; verify it (its
 * current state) and delete it like a backup. Prune never removes one. Its verified-at is
 * always NULL (it changes after any check) and its size is its file's when listed; the rest
 * of its row is as it was made.
 *
 * Files: the backups of a database are in their own folder (mode 0700),
 * $XDG_DATA_HOME/litehouse/backups/NAME-HASH/ (lh_backup_catalog_get_folder()), NAME the
 * database's file name made safe for any file system and HASH a short hash of its absolute
 * path, so that two app.db in different folders never mix; each backup is
 * STEM-YYYYMMDD-HHMMSS.sqlite (local time; .sqlite.gz compressed, -2, -3… when taken), a
 * self-contained SQLite file in rollback-journal mode whatever the database's mode. The
 * branches are in its branches/ subfolder, each BRANCH.sqlite, BRANCH the branch's name made
 * safe for any file system (-2, -3… when two names come out the same).
 *
 * Leftovers: a file is written under a hidden temporary name beside its final one,
 * .NAME.XXXXXX (XXXXXX six random letters or digits), that its process holds an flock()
 * lock on for as long as the file exists. A process killed in the middle (or a crash, a
 * power cut) leaves such files behind, and what SQLite made beside them (-journal, -wal,
 * -shm); the next create of a backup or a branch, restore or prune first removes those of
 * the folder and its branches/ that it can lock: their maker is gone. A file still locked
 * (a copy in progress, here or in another process) and any file not named so are left
 * alone. A backup such a process had put in place but not yet listed (a whole, checked
 * one) is then listed as a safety backup with a note saying so.
 *
 * Threads: every operation runs in a GTask thread with sqlite3 connections of its own (the
 * database read-only for a backup, the backup files, the catalog), never on the caller's
 * thread; results and progress come back on the caller's thread-default main context. A
 * create or restore that has put its file in place and listed it reports success even if
 * the cancel came just too late.
 *
 * Each LhBackup is a snapshot of its catalog row: it does not change (its properties are
 * read-only and never notified). List again after a verify (verified-at), a create, a
 * restore, a delete or a prune. A row whose file has gone is still listed, with
 * lh_backup_get_missing() TRUE, so that the user sees what was lost and can delete it;
 * verifying or restoring it fails with LH_BACKUP_ERROR_MISSING.
 *
 * Errors are LH_BACKUP_ERROR with messages for the user naming the file or folder, or
 * G_IO_ERROR_CANCELLED for a cancel. */
#pragma once

#include <gio/gio.h>

#include "lh-connection.h"

G_BEGIN_DECLS

#define LH_BACKUP_ERROR (lh_backup_error_quark ())

typedef enum
{
  LH_BACKUP_ERROR_FAILED,
  LH_BACKUP_ERROR_NOT_A_DATABASE,   /* the database or a backup is not SQLite */
  LH_BACKUP_ERROR_CORRUPT,          /* integrity_check found problems */
  LH_BACKUP_ERROR_BUSY,             /* another program holds a write lock past the timeout */
  LH_BACKUP_ERROR_NO_SPACE,         /* the disk is full */
  LH_BACKUP_ERROR_PERMISSION,       /* the backup folder or the database cannot be written */
  LH_BACKUP_ERROR_MISSING,          /* the backup file is gone */
  LH_BACKUP_ERROR_EXISTS,           /* the database has a branch of that name already */
  LH_BACKUP_ERROR_INVALID_NAME,     /* a branch name that is empty or too long */
} LhBackupError;

typedef enum
{
  LH_BACKUP_EXACT,     /* page for page, through the online backup API */
  LH_BACKUP_COMPACT,   /* VACUUM INTO: no free pages, indexes rebuilt */
  LH_BACKUP_DUMP,      /* an SQL dump (.sql, .sql.gz): a remote database's backup */
} LhBackupKind;

typedef enum /*< flags >*/
{
  LH_BACKUP_FLAGS_NONE = 0,
  LH_BACKUP_GZIP       = 1 << 0,   /* compressed with gzip (GZlibCompressor) */
  LH_BACKUP_SAFETY     = 1 << 1,   /* taken by a restore or a promote, before it replaced the database */
  LH_BACKUP_BRANCH     = 1 << 2,   /* a branch: named, writable, never pruned */
} LhBackupFlags;

/* Keep the newest keep_last, plus the newest of each of the last daily_days days and of
 * each of the last weekly_weeks weeks; 0 turns a rule off. Days are calendar days in local
 * time, weeks ISO weeks (Monday to Sunday), both counting the current one; safety backups
 * count like the others, branches not at all (they are never pruned). With all three rules
 * off nothing is pruned: a policy that keeps no backup is no policy. */
typedef struct
{
  guint keep_last;
  guint daily_days;
  guint weekly_weeks;
} LhRetention;

#define LH_TYPE_BACKUP_KIND    (lh_backup_kind_get_type ())
#define LH_TYPE_BACKUP_FLAGS   (lh_backup_flags_get_type ())
#define LH_TYPE_BACKUP         (lh_backup_get_type ())
#define LH_TYPE_BACKUP_CATALOG (lh_backup_catalog_get_type ())

G_DECLARE_FINAL_TYPE (LhBackup, lh_backup, LH, BACKUP, GObject)
G_DECLARE_FINAL_TYPE (LhBackupCatalog, lh_backup_catalog, LH, BACKUP_CATALOG, GObject)

GQuark           lh_backup_error_quark            (void);
GType            lh_backup_kind_get_type          (void) G_GNUC_CONST;
GType            lh_backup_flags_get_type         (void) G_GNUC_CONST;

/* Which of created_times (GDateTime *, in any order) retention keeps at now (whose time
 * zone tells the days apart): a new GArray of their indexes (guint), in increasing order.
 * What lh_backup_catalog_prune_async() keeps, without the catalog. */
GArray          *lh_retention_select              (GPtrArray           *created_times,
                                                   const LhRetention   *retention,
                                                   GDateTime           *now);
/* Of backups (LhBackup, as listed), a new list of those that retention lets go at now:
 * what lh_backup_catalog_prune_async() removes. Branches, and backups whose time is
 * unknown, stay. */
GListModel      *lh_retention_select_backups      (GListModel          *backups,
                                                   const LhRetention   *retention,
                                                   GDateTime           *now);

gint64           lh_backup_get_id                 (LhBackup            *self);
const char      *lh_backup_get_path               (LhBackup            *self);
GDateTime       *lh_backup_get_created_at         (LhBackup            *self);
guint64          lh_backup_get_size               (LhBackup            *self);
LhBackupKind     lh_backup_get_kind               (LhBackup            *self);
LhBackupFlags    lh_backup_get_flags              (LhBackup            *self);
GDateTime       *lh_backup_get_verified_at        (LhBackup            *self);   /* NULL: never */
const char      *lh_backup_get_note               (LhBackup            *self);
gboolean         lh_backup_get_missing            (LhBackup            *self);   /* the file was gone when listed */
const char      *lh_backup_get_branch_name        (LhBackup            *self);

/* database: the path of a local SQLite file. */
LhBackupCatalog *lh_backup_catalog_new            (const char          *database);
const char      *lh_backup_catalog_get_database   (LhBackupCatalog     *self);
const char      *lh_backup_catalog_get_folder     (LhBackupCatalog     *self);   /* made by the first create */

/* Lists the backups and the branches (LH_BACKUP_BRANCH) of the database. */
void             lh_backup_catalog_list_async     (LhBackupCatalog     *self,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
GListModel      *lh_backup_catalog_list_finish    (LhBackupCatalog     *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);   /* of LhBackup, newest first */

/* progress: bytes of the database copied (COMPACT: 0 of 0, then the copy's size of its
 * size once written), the last call total of total; compressing and checking follow the
 * copy. A restore reports its safety backup's progress; the restore itself is one step. */
void             lh_backup_catalog_create_async   (LhBackupCatalog     *self,
                                                   LhBackupKind         kind,
                                                   LhBackupFlags        flags,
                                                   const char          *note,
                                                   GCancellable        *cancellable,
                                                   GFileProgressCallback progress,   /* on the caller's context */
                                                   gpointer             progress_data,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
LhBackup        *lh_backup_catalog_create_finish  (LhBackupCatalog     *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);

void             lh_backup_catalog_verify_async   (LhBackupCatalog     *self,
                                                   LhBackup            *backup,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
gboolean         lh_backup_catalog_verify_finish  (LhBackupCatalog     *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);

/* Verifies backup, takes a safety backup of the database (EXACT, LH_BACKUP_SAFETY), then
 * copies backup into the database in one step, atomic for other connections: they see the
 * old database or the restored one. If another program holds a write lock for longer than
 * lock_timeout_ms: LH_BACKUP_ERROR_BUSY, nothing restored. A restore that fails leaves
 * the database as it was, and removes its safety backup again. A
 * damaged database is still restorable: its safety backup is kept as it was, its note
 * saying so. A database file that is not SQLite at all is restorable too: its safety
 * backup is a plain copy of its bytes, and the backup replaces it by a rename. Where there
 * is no database file (deleted, say), the backup becomes it, written beside and renamed
 * into place, and the finish gives NULL without an error: nothing was kept. For a branch
 * this is the promote: its current state replaces the database, the safety backup's note
 * names the branch, and the branch stays listed. */
void             lh_backup_catalog_restore_async  (LhBackupCatalog     *self,
                                                   LhBackup            *backup,
                                                   guint                lock_timeout_ms,
                                                   GCancellable        *cancellable,
                                                   GFileProgressCallback progress,
                                                   gpointer             progress_data,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
LhBackup        *lh_backup_catalog_restore_finish (LhBackupCatalog     *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);   /* the safety backup */

/* Removes the row, then the file and any -journal, -wal or -shm beside it (a file already
 * gone is fine); close a branch before deleting it. */
void             lh_backup_catalog_delete_async   (LhBackupCatalog     *self,
                                                   LhBackup            *backup,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
gboolean         lh_backup_catalog_delete_finish  (LhBackupCatalog     *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);

/* Deletes the backups that retention does not keep (see lh_retention_select()); branches
 * are never deleted, nor counted. */
void             lh_backup_catalog_prune_async    (LhBackupCatalog     *self,
                                                   const LhRetention   *retention,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
guint            lh_backup_catalog_prune_finish   (LhBackupCatalog     *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);   /* how many went */

/* Makes a branch named name (surrounding white space dropped; 1 to 100 characters, unique
 * among the database's branches, else LH_BACKUP_ERROR_INVALID_NAME or
 * LH_BACKUP_ERROR_EXISTS): an EXACT copy of the database into its file in the branches/
 * subfolder, written, synced and checked as a backup is; progress as for a create. The
 * finish gives the new branch. */
void             lh_backup_catalog_create_branch_async  (LhBackupCatalog       *self,
                                                         const char            *name,
                                                         GCancellable          *cancellable,
                                                         GFileProgressCallback  progress,
                                                         gpointer               progress_data,
                                                         GAsyncReadyCallback    callback,
                                                         gpointer               user_data);
LhBackup        *lh_backup_catalog_create_branch_finish (LhBackupCatalog       *self,
                                                         GAsyncResult          *result,
                                                         GError               **error);

/* Remote databases (D1, libSQL): a catalog made with lh_backup_catalog_new() for the
 * location's text (d1://ACCOUNT/ID, the libSQL URL; never a token) keeps their backups,
 * which are SQL dumps (LH_BACKUP_DUMP, .sql or gzip .sql.gz). List, verify (the dump is
 * loaded into a temporary SQLite file and checked with integrity_check), delete and prune
 * as for a local database. Each of these operations uses connection from the job's thread:
 * give it a connection of its own, which nothing else uses meanwhile. */
gboolean         lh_backup_catalog_get_remote     (LhBackupCatalog     *self);

/* Takes an SQL dump of connection's database (D1: its export; libSQL and others: LhSqlDump
 * in one read transaction) and keeps it as a backup once it loads into a sound database;
 * flags: LH_BACKUP_GZIP, LH_BACKUP_SAFETY. progress: rows (D1: bytes) of the dump. */
void             lh_backup_catalog_create_dump_async  (LhBackupCatalog       *self,
                                                       LhConnection          *connection,
                                                       LhBackupFlags          flags,
                                                       const char            *note,
                                                       GCancellable          *cancellable,
                                                       GFileProgressCallback  progress,
                                                       gpointer               progress_data,
                                                       GAsyncReadyCallback    callback,
                                                       gpointer               user_data);
LhBackup        *lh_backup_catalog_create_dump_finish (LhBackupCatalog       *self,
                                                       GAsyncResult          *result,
                                                       GError               **error);

/* Replaces connection's database with the file at path: a dump of the catalog (restoring
 * it), another SQL dump, or an SQLite file (a local database or backup, dumped first). The
 * file is checked first (it must load into a sound database), then a safety dump of the
 * database is taken (LH_BACKUP_SAFETY), then the database's tables, views and triggers are
 * replaced by the file's, all or nothing: on D1 one import, elsewhere one transaction. The
 * finish gives the safety backup. progress: the safety dump's (as for
 * lh_backup_catalog_create_dump_async()), then the load's: rows loaded (D1: bytes of the
 * import's file sent). */
void             lh_backup_catalog_import_async   (LhBackupCatalog       *self,
                                                   LhConnection          *connection,
                                                   const char            *path,
                                                   GCancellable          *cancellable,
                                                   GFileProgressCallback  progress,
                                                   gpointer               progress_data,
                                                   GAsyncReadyCallback    callback,
                                                   gpointer               user_data);
LhBackup        *lh_backup_catalog_import_finish  (LhBackupCatalog       *self,
                                                   GAsyncResult          *result,
                                                   GError               **error);
/* The import of backup (a dump of this catalog), its safety note naming it; finish with
 * lh_backup_catalog_import_finish(). */
void             lh_backup_catalog_restore_dump_async (LhBackupCatalog       *self,
                                                       LhBackup              *backup,
                                                       LhConnection          *connection,
                                                       GCancellable          *cancellable,
                                                       GFileProgressCallback  progress,
                                                       gpointer               progress_data,
                                                       GAsyncReadyCallback    callback,
                                                       gpointer               user_data);

/* Writes backup, checked, as an SQLite file at path (a dump loaded, a gzip backup
 * decompressed), in place of any file there: written beside it, synced, renamed over it. */
void             lh_backup_catalog_save_as_async  (LhBackupCatalog     *self,
                                                   LhBackup            *backup,
                                                   const char          *path,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
gboolean         lh_backup_catalog_save_as_finish (LhBackupCatalog     *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);

G_END_DECLS
