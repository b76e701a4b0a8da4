/* lh-bundle.h — bundles: a local SQLite database and the folder of files that belongs
 * with it (uploads, attachments, Active Storage) in one gzip-compressed tar file, and
 * the restore of both as a whole.
 *
 * A bundle holds, in this order:
 *   litehouse-bundle.json   the manifest: {"format": "litehouse-bundle", "format-version": 1,
 *                           "database": NAME, "created-at": ISO 8601 UTC time,
 *                           "file-count": entries under files/ (files, folders and links,
 *                           not files/ itself), "database-sha256": of database/NAME}
 *   database/NAME           a consistent copy of the database (SQLite's online backup API,
 *                           checked with integrity_check), in rollback-journal mode
 *   files/                  the folder, with its tree: regular files, folders and symbolic
 *                           links (stored as links, never followed), with their permissions
 *                           (0777 bits) and modification times (to the second)
 * Owners, devices, pipes, sockets and hard links are never stored.
 *
 * Creating writes the bundle under a temporary name beside the archive, syncs it, reads
 * it back to check it and only then renames it over the archive: a failure or a cancel
 * leaves the archive as it was (and no temporary file). The archive is made readable by
 * its owner only (0600): it holds the whole database. A folder holding a link that leads
 * out of it (an absolute one, one with more "../" than it is deep, or one with a ".."
 * after a name, which could climb out from where another link led) or something that is
 * neither a file, a folder nor a link cannot be bundled: LH_BUNDLE_ERROR_UNSUPPORTED_FILE.
 *
 * Restoring extracts the bundle into a temporary folder beside the folder, refusing an
 * entry with an absolute path or a ".." component, a link that leads out of the folder,
 * a hard link or a special file (LH_BUNDLE_ERROR_UNSAFE); checks the manifest, the
 * database's SHA-256 and its integrity; and only then switches: the folder is renamed
 * aside and the extracted one renamed into its place, then the database is overwritten
 * in one step through the online backup API (other connections see the old database or
 * the restored one, never a mix). If another program holds a write lock on the database
 * for longer than lock_timeout_ms, the folder is switched back: LH_BUNDLE_ERROR_BUSY with
 * nothing changed. The old folder is removed once both are in place: a restore keeps no
 * copy of what it replaced (take a backup or a bundle first for that). A folder that is
 * a symbolic link is followed: its target is what is replaced. A missing database or
 * folder is made (its parent folder must exist). In the short time between the two
 * switches, a reader can see the new folder beside the old database.
 *
 * Threads: both operations run in a GTask thread with sqlite3 connections and file
 * descriptors of their own; progress and results come back on the caller's
 * thread-default main context. A cancel is seen between entries and blocks of data,
 * during the database's copy and checks, and while a restore waits for the database's
 * lock (the folder is switched back then); a create whose archive is in place, or a
 * restore whose database is switched, reports success even if the cancel came too late.
 *
 * Errors are LH_BUNDLE_ERROR with messages for the user, or G_IO_ERROR_CANCELLED. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define LH_BUNDLE_ERROR (lh_bundle_error_quark ())

/* The format version that lh_bundle_create_async() writes and the newest one restored. */
#define LH_BUNDLE_FORMAT_VERSION 1

typedef enum
{
  LH_BUNDLE_ERROR_FAILED,
  LH_BUNDLE_ERROR_NOT_FOUND,          /* the database, the folder or the bundle is not there */
  LH_BUNDLE_ERROR_NOT_A_DATABASE,     /* the database (or the one in the bundle) is not SQLite */
  LH_BUNDLE_ERROR_CORRUPT,            /* integrity_check failed, or the bundle is cut short */
  LH_BUNDLE_ERROR_NOT_A_BUNDLE,       /* not gzip, not tar, no manifest, or entries no bundle has */
  LH_BUNDLE_ERROR_NEWER_FORMAT,       /* made by a newer Litehouse */
  LH_BUNDLE_ERROR_CHECKSUM,           /* the database is not the one the manifest describes */
  LH_BUNDLE_ERROR_UNSAFE,             /* restoring would write outside the folder */
  LH_BUNDLE_ERROR_UNSUPPORTED_FILE,   /* creating: a link leading out of the folder, a device… */
  LH_BUNDLE_ERROR_BUSY,               /* another program holds a write lock past the timeout */
  LH_BUNDLE_ERROR_NO_SPACE,           /* the disk is full */
  LH_BUNDLE_ERROR_PERMISSION,         /* a file or a folder cannot be read or written */
} LhBundleError;

GQuark   lh_bundle_error_quark   (void);

/* Bundles database (a local SQLite file) and folder into archive (a local path, usually
 * NAME.tar.gz). progress: bytes of the whole, current of total, the database counted
 * twice (its copy, then its compression) and the folder's files once; reading the
 * archive back to check it follows the last report. */
void     lh_bundle_create_async  (const char             *database,
                                  const char             *folder,
                                  const char             *archive,
                                  GCancellable           *cancellable,
                                  GFileProgressCallback   progress,   /* on the caller's context */
                                  gpointer                progress_data,
                                  GAsyncReadyCallback     callback,
                                  gpointer                user_data);
gboolean lh_bundle_create_finish (GAsyncResult           *result,
                                  GError                **error);

/* Replaces database and folder with what archive holds (see above). progress: bytes of
 * the archive read, current of total; checking and switching follow the last report. */
void     lh_bundle_restore_async  (const char            *archive,
                                   const char            *database,
                                   const char            *folder,
                                   guint                  lock_timeout_ms,
                                   GCancellable          *cancellable,
                                   GFileProgressCallback  progress,
                                   gpointer               progress_data,
                                   GAsyncReadyCallback    callback,
                                   gpointer               user_data);
gboolean lh_bundle_restore_finish (GAsyncResult          *result,
                                   GError               **error);

G_END_DECLS
