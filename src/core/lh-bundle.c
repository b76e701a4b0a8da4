/* lh-bundle.c — bundles (see lh-bundle.h). libarchive reads and writes the gzip-compressed
 * tar stream; the folder's files are read and written here, from a descriptor of the
 * folder with openat() and its kin, one component at a time and never through a link
 * (O_NOFOLLOW): libarchive's archive_write_disk changes the process's umask and working
 * folder as it goes, which a thread of an app must not do.
 *
 * A create walks the folder first (what is there and how big), copies the database with
 * the online backup API into a temporary file beside the archive (in WAL mode from one
 * read transaction), checks and hashes the copy, writes the archive into a second
 * temporary file, syncs it, reads it back and renames it over the archive. A restore
 * extracts into a temporary folder beside the folder (folders 0700 while it works, their
 * own modes and times at the end, deepest first; every file synced), checks the manifest,
 * the database's checksum and integrity, then switches: the folder by two renames, the
 * database in one sqlite3_backup_step(). Each job removes its temporary files and folder
 * when it ends, whatever happened. */
#define _XOPEN_SOURCE 700   /* openat() and its kin, realpath(), O_CLOEXEC under -std=c11 */

#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <gio/gunixinputstream.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lh-bundle.h"
#include "lh-file-util-private.h"
#include "lh-sqlite-copy-private.h"

#define FORMAT_NAME "litehouse-bundle"
#define MANIFEST_NAME "litehouse-bundle.json"
#define DATABASE_FOLDER "database"
#define FILES_FOLDER "files"
/* Where a restore puts the folder it replaces, in its temporary folder. */
#define PREVIOUS_FOLDER "previous"
#define MAX_MANIFEST_BYTES (64 * 1024)
#define BLOCK_BYTES (64 * 1024)
#define SHA256_LENGTH 64
#define PROGRESS_INTERVAL_USEC (G_USEC_PER_SEC / 10)

typedef int LhFd;
typedef DIR LhDir;
typedef struct archive LhArchive;
typedef struct archive_entry LhArchiveEntry;

static void
close_fd (LhFd fd)
{
  close (fd);
}

G_DEFINE_AUTO_CLEANUP_FREE_FUNC (LhFd, close_fd, -1)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LhDir, closedir)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LhArchive, archive_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (LhArchiveEntry, archive_entry_free)

G_DEFINE_QUARK (lh-bundle-error-quark, lh_bundle_error)

/* Errors. */

static LhBundleError
code_from_errno (int saved_errno)
{
  switch (saved_errno)
    {
    case ENOSPC:
    case EDQUOT:
      return LH_BUNDLE_ERROR_NO_SPACE;
    case EACCES:
    case EPERM:
    case EROFS:
      return LH_BUNDLE_ERROR_PERMISSION;
    case ENOENT:
      return LH_BUNDLE_ERROR_NOT_FOUND;
    default:
      return LH_BUNDLE_ERROR_FAILED;
    }
}

/* Using the file or folder at path failed with saved_errno. */
static void
set_file_error (GError     **error,
                int          saved_errno,
                const char  *path)
{
  g_autofree char *name = g_filename_display_name (path);
  LhBundleError code = code_from_errno (saved_errno);

  switch (code)
    {
    case LH_BUNDLE_ERROR_NO_SPACE:
      g_set_error (error, LH_BUNDLE_ERROR, code,
                   _("The disk is full: there is no room for “%s”."), name);
      break;
    case LH_BUNDLE_ERROR_PERMISSION:
      g_set_error (error, LH_BUNDLE_ERROR, code, _("Litehouse may not read or write “%s”."), name);
      break;
    case LH_BUNDLE_ERROR_NOT_FOUND:
      g_set_error (error, LH_BUNDLE_ERROR, code, _("“%s” is not there."), name);
      break;
    default:
      g_set_error (error, LH_BUNDLE_ERROR, code, _("Cannot use “%s”: %s"), name,
                   g_strerror (saved_errno));
    }
}

static gboolean
is_known_errno (int saved_errno)
{
  return code_from_errno (saved_errno) != LH_BUNDLE_ERROR_FAILED;
}

static const LhSqliteCopyErrors sqlite_errors = {
  lh_bundle_error_quark, LH_BUNDLE_ERROR_FAILED, LH_BUNDLE_ERROR_NOT_A_DATABASE,
  LH_BUNDLE_ERROR_CORRUPT, LH_BUNDLE_ERROR_BUSY, LH_BUNDLE_ERROR_PERMISSION, set_file_error,
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

/* libarchive failed writing the archive at path. */
static void
set_write_error (GError     **error,
                 LhArchive   *writer,
                 const char  *path)
{
  g_autofree char *name = g_filename_display_name (path);
  const char *message = archive_error_string (writer);
  int saved_errno = archive_errno (writer);

  if (saved_errno > 0 && code_from_errno (saved_errno) != LH_BUNDLE_ERROR_FAILED)
    set_file_error (error, saved_errno, path);
  else
    g_set_error (error, LH_BUNDLE_ERROR, LH_BUNDLE_ERROR_FAILED, _("Cannot write “%s”: %s"),
                 name, message != NULL ? message : g_strerror (saved_errno));
}

/* The bundle at path stopped reading in the middle. */
static void
set_damaged_error (GError     **error,
                   LhArchive   *reader,
                   const char  *path)
{
  g_autofree char *name = g_filename_display_name (path);
  const char *message = archive_error_string (reader);

  g_set_error (error, LH_BUNDLE_ERROR, LH_BUNDLE_ERROR_CORRUPT,
               _("“%s” is damaged or cut short: %s"), name,
               message != NULL ? message : _("it cannot be read"));
}

static void
set_not_a_bundle_error (GError     **error,
                        const char  *path)
{
  g_autofree char *name = g_filename_display_name (path);

  g_set_error (error, LH_BUNDLE_ERROR, LH_BUNDLE_ERROR_NOT_A_BUNDLE,
               _("“%s” is not a Litehouse bundle (a .tar.gz file made by Litehouse)."), name);
}

/* The bundle at path holds an entry named pathname that no bundle has. */
static void
set_strange_entry_error (GError     **error,
                         const char  *path,
                         const char  *pathname)
{
  g_autofree char *name = g_filename_display_name (path);
  g_autofree char *entry = g_filename_display_name (pathname);

  g_set_error (error, LH_BUNDLE_ERROR, LH_BUNDLE_ERROR_NOT_A_BUNDLE,
               _("“%s” is not a Litehouse bundle: it holds “%s”, which no bundle has."),
               name, entry);
}

static void
set_twice_error (GError     **error,
                 const char  *path,
                 const char  *pathname)
{
  g_autofree char *name = g_filename_display_name (path);
  g_autofree char *entry = g_filename_display_name (pathname);

  g_set_error (error, LH_BUNDLE_ERROR, LH_BUNDLE_ERROR_NOT_A_BUNDLE,
               _("“%s” is not a Litehouse bundle: it holds “%s” twice."), name, entry);
}

/* Progress, delivered on the caller's context. */

typedef struct
{
  GTask                 *task;       /* the caller's, not owned: its context, whether it is over */
  GFileProgressCallback  callback;
  gpointer               data;
  gint64                 last_usec;
  goffset                last_current;
  goffset                last_total;
  goffset                current;
  goffset                total;
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
progress_init (Progress              *progress,
               GTask                 *task,
               GFileProgressCallback  callback,
               gpointer               data)
{
  progress->task = task;
  progress->callback = callback;
  progress->data = data;
  progress->last_current = progress->last_total = -1;
}

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

/* Queues current of total for the caller, unless the last report was too recent; one of
 * total of total always goes. An idle source rather than g_main_context_invoke(), which
 * would call back in this thread whenever it can acquire the caller's context. */
static void
progress_report (Progress *progress)
{
  gint64 now = g_get_monotonic_time ();
  g_autoptr(GSource) source = NULL;
  ProgressReport *report;

  if (progress->callback == NULL ||
      (progress->current == progress->last_current && progress->total == progress->last_total) ||
      (progress->current < progress->total && now - progress->last_usec < PROGRESS_INTERVAL_USEC))
    return;
  progress->last_usec = now;
  progress->last_current = progress->current;
  progress->last_total = progress->total;

  report = g_new0 (ProgressReport, 1);
  report->task = g_object_ref (progress->task);
  report->callback = progress->callback;
  report->data = progress->data;
  report->current = progress->current;
  report->total = progress->total;
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_static_name (source, "[litehouse] bundle progress");
  g_source_set_callback (source, progress_report_deliver, report,
                         (GDestroyNotify) progress_report_free);
  g_source_attach (source, g_task_get_context (progress->task));
}

/* Files and folders. */

/* A new empty file beside path, hidden, readable by its owner only: its descriptor, its
 * path in *temp_path; -1 and error when it cannot be made. */
static int
make_temp_file (const char  *path,
                char       **temp_path,
                GError     **error)
{
  int fd = lh_file_open_temp_beside (path, O_RDWR, 0600, temp_path);

  if (fd < 0)
    set_file_error (error, errno, path);
  return fd;
}

/* Removes the SQLite file at path and the journal SQLite may have left beside it. */
static void
remove_sqlite_file (const char *path)
{
  g_autofree char *journal = g_strconcat (path, "-journal", NULL);

  g_unlink (journal);
  g_unlink (path);
}

/* Syncs the folder holding path, so that the names it holds survive a crash. */
static void
sync_parent (const char *path)
{
  g_autofree char *parent = g_path_get_dirname (path);

  lh_file_sync_folder (parent);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The names in the folder open at fd, sorted; NULL with errno set when it cannot be read. */
static GPtrArray *
read_names (int fd)
{
  int own_fd = openat (fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  g_autoptr(LhDir) dir = NULL;
  GPtrArray *names;
  struct dirent *item;

  if (own_fd < 0)
    return NULL;
  dir = fdopendir (own_fd);
  if (dir == NULL)
    {
      int saved_errno = errno;

      close (own_fd);
      errno = saved_errno;
      return NULL;
    }
  names = g_ptr_array_new_with_free_func (g_free);
  while ((item = readdir (dir)) != NULL)
    if (strcmp (item->d_name, ".") != 0 && strcmp (item->d_name, "..") != 0)
      g_ptr_array_add (names, g_strdup (item->d_name));
  g_ptr_array_sort (names, compare_names);
  return names;
}

/* Removes name in the folder open at parent_fd, and all it holds if it is a folder (made
 * writable first: a bundle may have restored read-only folders). */
static void
remove_tree_at (int         parent_fd,
                const char *name)
{
  g_autoptr(GPtrArray) names = NULL;
  g_auto(LhFd) fd = -1;
  struct stat info;

  if (fstatat (parent_fd, name, &info, AT_SYMLINK_NOFOLLOW) != 0)
    return;
  if (!S_ISDIR (info.st_mode))
    {
      unlinkat (parent_fd, name, 0);
      return;
    }
  fd = openat (parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  /* Only an unreadable folder is changed by name (fchmodat() follows links). */
  if (fd < 0 && errno == EACCES && fchmodat (parent_fd, name, 0700, 0) == 0)
    fd = openat (parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd >= 0 && fchmod (fd, 0700) == 0)
    names = read_names (fd);
  for (guint i = 0; names != NULL && i < names->len; i++)
    remove_tree_at (fd, g_ptr_array_index (names, i));
  unlinkat (parent_fd, name, AT_REMOVEDIR);
}

static int
open_folder_at (int          dir_fd,
                const char  *name,
                gboolean     make)
{
  int fd = openat (dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

  if (fd < 0 && errno == ENOENT && make && mkdirat (dir_fd, name, 0700) == 0)
    fd = openat (dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  return fd;
}

/* Opens the folder that holds the last of parts (a path's components) beneath the folder
 * open at root_fd, never through a link, making missing folders (0700) if make: its
 * descriptor, or -1 with errno set. */
static int
open_parent (int       root_fd,
             char    **parts,
             gboolean  make)
{
  int fd = fcntl (root_fd, F_DUPFD_CLOEXEC, 0);

  for (guint i = 0; fd >= 0 && parts[i] != NULL && parts[i + 1] != NULL; i++)
    {
      int next = open_folder_at (fd, parts[i], make);
      int saved_errno = errno;

      close (fd);
      fd = next;
      errno = saved_errno;
    }
  return fd;
}

static const char *
last_part (char **parts)
{
  return parts[g_strv_length (parts) - 1];
}

/* Whether a link at depth folders below the top of the folder, to target, leads to
 * something in the folder whatever the links it goes through: target is relative, and
 * its ".." all come first, no more of them than depth. A ".." after a name could go up
 * from where a link led. */
static gboolean
link_stays_inside (const char *target,
                   guint       depth)
{
  g_auto(GStrv) parts = NULL;
  gboolean descending = FALSE;

  if (*target == '\0' || g_path_is_absolute (target))
    return FALSE;
  parts = g_strsplit (target, "/", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (*parts[i] == '\0' || strcmp (parts[i], ".") == 0)
        continue;
      if (strcmp (parts[i], "..") != 0)
        descending = TRUE;
      else if (descending || depth == 0)
        return FALSE;
      else
        depth--;
    }
  return TRUE;
}

/* The SHA-256 of the file at path, in hex (errors name shown). */
static char *
file_sha256 (const char    *path,
             const char    *shown,
             GCancellable  *cancellable,
             GError       **error)
{
  g_auto(LhFd) fd = g_open (path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC, 0);
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guchar *buffer = g_malloc (BLOCK_BYTES);
  ssize_t n;

  if (fd < 0)
    {
      set_file_error (error, errno, shown);
      return NULL;
    }
  while ((n = read (fd, buffer, BLOCK_BYTES)) != 0)
    {
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          set_file_error (error, errno, shown);
          return NULL;
        }
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      g_checksum_update (checksum, buffer, n);
    }
  return g_strdup (g_checksum_get_string (checksum));
}

/* SQLite. */

/* Archives. */

static LhArchiveEntry *
entry_new (const char *pathname,
           mode_t      mode,
           gint64      mtime,
           long        mtime_nsec)
{
  LhArchiveEntry *entry = archive_entry_new ();

  archive_entry_set_pathname (entry, pathname);
  archive_entry_set_filetype (entry, mode & S_IFMT);
  archive_entry_set_perm (entry, mode & 0777);
  archive_entry_set_mtime (entry, mtime, mtime_nsec);
  return entry;
}

/* Whether the gzip stream in the file at fd ends before its end marker. */
static gboolean
gzip_is_cut_short (int fd)
{
  g_autoptr(GInputStream) file = NULL;
  g_autoptr(GConverter) decompressor = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *buffer = NULL;
  gssize n;

  if (lseek (fd, 0, SEEK_SET) != 0)
    return FALSE;
  file = g_unix_input_stream_new (fd, FALSE);
  decompressor = G_CONVERTER (g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP));
  stream = g_converter_input_stream_new (file, decompressor);
  buffer = g_malloc (BLOCK_BYTES);
  while ((n = g_input_stream_read (stream, buffer, BLOCK_BYTES, NULL, &error)) > 0)
    ;
  return n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT);
}

/* A reader of gzip-compressed tar from fd: NULL, with error naming path, for anything else. */
static LhArchive *
reader_new (int          fd,
            const char  *path,
            GError     **error)
{
  g_autoptr(LhArchive) reader = archive_read_new ();
  guint8 magic[2] = { 0 };

  archive_read_support_filter_gzip (reader);
  archive_read_support_format_tar (reader);
  if (archive_read_open_fd (reader, fd, BLOCK_BYTES) != ARCHIVE_OK ||
      archive_filter_code (reader, 0) != ARCHIVE_FILTER_GZIP)
    {
      /* gzip that ends early: a bundle cut short before its first tar header. */
      if (pread (fd, magic, sizeof magic, 0) == sizeof magic && magic[0] == 0x1f &&
          magic[1] == 0x8b && gzip_is_cut_short (fd))
        set_damaged_error (error, reader, path);
      else
        set_not_a_bundle_error (error, path);
      return NULL;
    }
  return g_steal_pointer (&reader);
}

/* The next entry's header in *entry: TRUE, or FALSE at the end (error unset) or on a
 * damaged archive (error set). */
static gboolean
read_next_header (LhArchive       *reader,
                  LhArchiveEntry **entry,
                  const char      *path,
                  GError         **error)
{
  int rc = archive_read_next_header (reader, entry);

  if (rc == ARCHIVE_OK || rc == ARCHIVE_WARN)
    return TRUE;
  if (rc != ARCHIVE_EOF)
    set_damaged_error (error, reader, path);
  return FALSE;
}

/* Creating. */

typedef struct
{
  char    *path;         /* under the folder, '/'-separated */
  mode_t   mode;         /* type and permissions */
  goffset  size;
  gint64   mtime;
  long     mtime_nsec;
  char    *target;       /* a link's */
} FolderEntry;

static void
folder_entry_free (FolderEntry *entry)
{
  g_free (entry->path);
  g_free (entry->target);
  g_free (entry);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FolderEntry, folder_entry_free)

typedef struct
{
  /* owned */
  char         *database;
  char         *folder;
  char         *archive;
  char         *database_name;   /* in the bundle: database/NAME */
  char         *copy_path;       /* the database's copy, beside the archive */
  char         *temp_archive;    /* beside the archive, until renamed to it */
  char         *sha256;          /* of the copy */
  GDateTime    *created_at;
  GPtrArray    *entries;         /* of FolderEntry: what the folder holds, parents first */

  /* state */
  GCancellable *cancellable;     /* the task's */
  Progress      progress;
  int           folder_fd;
  struct stat   folder_info;
  goffset       database_bytes;  /* the copy's size */
  goffset       files_bytes;     /* the folder's files' */
} CreateJob;

static void
create_job_free (CreateJob *job)
{
  if (job->folder_fd >= 0)
    close (job->folder_fd);
  g_free (job->database);
  g_free (job->folder);
  g_free (job->archive);
  g_free (job->database_name);
  g_free (job->copy_path);
  g_free (job->temp_archive);
  g_free (job->sha256);
  g_clear_pointer (&job->created_at, g_date_time_unref);
  g_ptr_array_unref (job->entries);
  g_free (job);
}

static void
remove_create_temp_files (CreateJob *job)
{
  if (job->copy_path != NULL)
    remove_sqlite_file (job->copy_path);
  if (job->temp_archive != NULL)
    g_unlink (job->temp_archive);
}

/* Creating: what is there. */

static gboolean
check_database (CreateJob  *job,
                GError    **error)
{
  g_autofree char *name = NULL;

  if (g_file_test (job->database, G_FILE_TEST_IS_REGULAR))
    return TRUE;
  name = g_filename_display_name (job->database);
  g_set_error (error, LH_BUNDLE_ERROR, LH_BUNDLE_ERROR_NOT_FOUND,
               _("“%s” is not there, so it cannot be bundled."), name);
  return FALSE;
}

/* Opens the folder, following a link there: the one the user named is what is bundled. */
static gboolean
open_folder (CreateJob  *job,
             GError    **error)
{
  g_autofree char *name = g_filename_display_name (job->folder);

  job->folder_fd = g_open (job->folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (job->folder_fd < 0 && errno == ENOENT)
    g_set_error (error, LH_BUNDLE_ERROR, LH_BUNDLE_ERROR_NOT_FOUND,
                 _("The folder “%s” is not there, so it cannot be bundled."), name);
  else if (job->folder_fd < 0 && errno == ENOTDIR)
    g_set_error (error, LH_BUNDLE_ERROR, LH_BUNDLE_ERROR_FAILED, _("“%s” is not a folder."), name);
  else if (job->folder_fd < 0 || fstat (job->folder_fd, &job->folder_info) != 0)
    set_file_error (error, errno, job->folder);
  else
    return TRUE;
  return FALSE;
}

static void
set_unsupported_error (GError     **error,
                       const char  *shown,
                       const char  *target)
{
  g_autofree char *name = g_filename_display_name (shown);
  g_autofree char *shown_target = target != NULL ? g_filename_display_name (target) : NULL;

  if (shown_target != NULL)
    g_set_error (error, LH_BUNDLE_ERROR, LH_BUNDLE_ERROR_UNSUPPORTED_FILE,
                 _("“%s” is a link to “%s”, outside the folder: a bundle holds only what is "
                   "inside it."), name, shown_target);
  else
    g_set_error (error, LH_BUNDLE_ERROR, LH_BUNDLE_ERROR_UNSUPPORTED_FILE,
                 _("“%s” is neither a file, a folder nor a link: a bundle cannot hold it."),
                 name);
}

/* The target of the link name in the folder open at dir_fd, which must stay in the folder
 * (path: the link's under the folder). */
static char *
read_link_inside (CreateJob   *job,
                  int          dir_fd,
                  const char  *name,
                  const char  *path,
                  GError     **error)
{
  g_autofree char *shown = g_build_filename (job->folder, path, NULL);
  char buffer[PATH_MAX];
  ssize_t n = readlinkat (dir_fd, name, buffer, sizeof buffer);
  g_autofree char *target = NULL;
  guint depth = 0;

  if (n < 0 || n == sizeof buffer)
    {
      set_file_error (error, n < 0 ? errno : ENAMETOOLONG, shown);
      return NULL;
    }
  target = g_strndup (buffer, n);
  for (const char *p = path; *p != '\0'; p++)
    depth += *p == '/';
  if (!link_stays_inside (target, depth))
    {
      set_unsupported_error (error, shown, target);
      return NULL;
    }
  return g_steal_pointer (&target);
}

/* Lists name, in the folder open at dir_fd, at path under the folder. */
static gboolean
add_folder_entry (CreateJob   *job,
                  int          dir_fd,
                  const char  *name,
                  const char  *path,
                  GError     **error)
{
  g_autofree char *shown = g_build_filename (job->folder, path, NULL);
  g_autoptr(FolderEntry) entry = g_new0 (FolderEntry, 1);
  struct stat info;

  if (fstatat (dir_fd, name, &info, AT_SYMLINK_NOFOLLOW) != 0)
    {
      set_file_error (error, errno, shown);
      return FALSE;
    }
  entry->path = g_strdup (path);
  entry->mode = info.st_mode;
  entry->mtime = info.st_mtim.tv_sec;
  entry->mtime_nsec = info.st_mtim.tv_nsec;
  if (S_ISLNK (info.st_mode))
    {
      entry->target = read_link_inside (job, dir_fd, name, path, error);
      if (entry->target == NULL)
        return FALSE;
    }
  else if (!S_ISREG (info.st_mode) && !S_ISDIR (info.st_mode))
    {
      set_unsupported_error (error, shown, NULL);
      return FALSE;
    }
  entry->size = S_ISREG (info.st_mode) ? info.st_size : 0;
  job->files_bytes += entry->size;
  g_ptr_array_add (job->entries, g_steal_pointer (&entry));
  return TRUE;
}

static gboolean walk_folder (CreateJob     *job,
                             int            dir_fd,
                             const char    *relative,
                             GCancellable  *cancellable,
                             GError       **error);

/* Walks name, in the folder open at dir_fd, if the entry just listed is a folder. */
static gboolean
walk_subfolder (CreateJob     *job,
                int            dir_fd,
                const char    *name,
                GCancellable  *cancellable,
                GError       **error)
{
  FolderEntry *entry = g_ptr_array_index (job->entries, job->entries->len - 1);
  g_auto(LhFd) fd = -1;

  if (!S_ISDIR (entry->mode))
    return TRUE;
  fd = openat (dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    {
      g_autofree char *shown = g_build_filename (job->folder, entry->path, NULL);

      set_file_error (error, errno, shown);
      return FALSE;
    }
  return walk_folder (job, fd, entry->path, cancellable, error);
}

/* Lists what the folder open at dir_fd (at relative under the folder, "" for the folder
 * itself) holds, and below, parents first, in name order. */
static gboolean
walk_folder (CreateJob     *job,
             int            dir_fd,
             const char    *relative,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(GPtrArray) names = read_names (dir_fd);

  if (names == NULL)
    {
      g_autofree char *shown = g_build_filename (job->folder, relative, NULL);

      set_file_error (error, errno, shown);
      return FALSE;
    }
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      g_autofree char *path = *relative != '\0' ? g_strconcat (relative, "/", name, NULL)
                                                : g_strdup (name);

      if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
          !add_folder_entry (job, dir_fd, name, path, error) ||
          !walk_subfolder (job, dir_fd, name, cancellable, error))
        return FALSE;
    }
  return TRUE;
}

/* Creating: the database's copy. */

static void
copy_progress_cb (goffset  current,
                  goffset  total,
                  gpointer data)
{
  CreateJob *job = data;

  job->progress.current = current;
  job->progress.total = 2 * total + job->files_bytes;
  progress_report (&job->progress);
}

/* Writes the copy into a new temporary file beside the archive, in rollback-journal mode
 * (a copy of a WAL database is marked WAL: it would need files beside it). */
static gboolean
write_copy (CreateJob     *job,
            GCancellable  *cancellable,
            GError       **error)
{
  int page_size = 0;
  sqlite3 *source = lh_sqlite_copy_open_source (job->database, TRUE, &sqlite_errors,
                                                job->cancellable, NULL, NULL, &page_size, error);
  sqlite3 *dest = NULL;
  int fd;
  gboolean ok;

  if (source == NULL)
    return FALSE;
  fd = make_temp_file (job->archive, &job->copy_path, error);
  if (fd >= 0)
    {
      close (fd);
      dest = lh_sqlite_copy_open_file (job->copy_path, SQLITE_OPEN_READWRITE, job->archive,
                                       &sqlite_errors, error);
    }
  ok = dest != NULL &&
       lh_sqlite_copy_pages (source, page_size, job->database, dest, job->archive,
                             &sqlite_errors, copy_progress_cb, job, cancellable, error) &&
       lh_sqlite_copy_run_sql (dest, "PRAGMA journal_mode = DELETE", job->archive,
                               &sqlite_errors, error);
  sqlite3_close (dest);
  sqlite3_close (source);
  return ok;
}

/* Copies the database, checks the copy and takes its size and checksum. */
static gboolean
copy_database (CreateJob     *job,
               GCancellable  *cancellable,
               GError       **error)
{
  GStatBuf info;

  if (!write_copy (job, cancellable, error) ||
      !lh_sqlite_copy_check_integrity (job->copy_path, job->database, &sqlite_errors, cancellable,
                                       error))
    return FALSE;
  if (g_stat (job->copy_path, &info) != 0)
    {
      set_file_error (error, errno, job->archive);
      return FALSE;
    }
  job->database_bytes = info.st_size;
  job->progress.current = job->database_bytes;
  job->progress.total = 2 * job->database_bytes + job->files_bytes;
  job->sha256 = file_sha256 (job->copy_path, job->archive, cancellable, error);
  return job->sha256 != NULL;
}

/* Creating: the archive. */

static char *
manifest_to_data (CreateJob *job,
                  gsize     *length)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *created_at = g_date_time_format_iso8601 (job->created_at);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "format");
  json_builder_add_string_value (builder, FORMAT_NAME);
  json_builder_set_member_name (builder, "format-version");
  json_builder_add_int_value (builder, LH_BUNDLE_FORMAT_VERSION);
  json_builder_set_member_name (builder, "database");
  json_builder_add_string_value (builder, job->database_name);
  json_builder_set_member_name (builder, "created-at");
  json_builder_add_string_value (builder, created_at);
  json_builder_set_member_name (builder, "file-count");
  json_builder_add_int_value (builder, job->entries->len);
  json_builder_set_member_name (builder, "database-sha256");
  json_builder_add_string_value (builder, job->sha256);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, length);
}

static LhArchive *
writer_new (int          fd,
            const char  *path,
            GError     **error)
{
  g_autoptr(LhArchive) writer = archive_write_new ();

  /* No padding of the last block: the gzip stream ends the file. */
  if (archive_write_add_filter_gzip (writer) != ARCHIVE_OK ||
      archive_write_set_format_pax_restricted (writer) != ARCHIVE_OK ||
      archive_write_set_bytes_in_last_block (writer, 1) != ARCHIVE_OK ||
      archive_write_open_fd (writer, fd) != ARCHIVE_OK)
    {
      set_write_error (error, writer, path);
      return NULL;
    }
  return g_steal_pointer (&writer);
}

static gboolean
write_header (CreateJob       *job,
              LhArchive       *writer,
              LhArchiveEntry  *entry,
              GError         **error)
{
  /* A warning is a name that does not convert to UTF-8: it is stored as it is. */
  if (archive_write_header (writer, entry) >= ARCHIVE_WARN)
    return TRUE;
  set_write_error (error, writer, job->archive);
  return FALSE;
}

static void
set_changed_error (GError     **error,
                   const char  *shown)
{
  g_autofree char *name = g_filename_display_name (shown);

  g_set_error (error, LH_BUNDLE_ERROR, LH_BUNDLE_ERROR_FAILED,
               _("“%s” changed while it was being bundled; try again."), name);
}

/* Reads up to size bytes of fd (the file shown) into buffer: how many, or -1 and error. */
static ssize_t
read_block (int          fd,
            char        *buffer,
            goffset      size,
            const char  *shown,
            GError     **error)
{
  ssize_t n;

  do
    n = read (fd, buffer, MIN (size, BLOCK_BYTES));
  while (n < 0 && errno == EINTR);
  if (n < 0)
    set_file_error (error, errno, shown);
  else if (n == 0)
    set_changed_error (error, shown);
  return n > 0 ? n : -1;
}

/* Writes size bytes of fd (the file shown) as the data of the entry just begun. */
static gboolean
write_data (CreateJob     *job,
            LhArchive     *writer,
            int            fd,
            goffset        size,
            const char    *shown,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autofree char *buffer = g_malloc (BLOCK_BYTES);

  while (size > 0)
    {
      ssize_t n = read_block (fd, buffer, size, shown, error);

      if (n < 0)
        return FALSE;
      if (archive_write_data (writer, buffer, n) != n)
        {
          set_write_error (error, writer, job->archive);
          return FALSE;
        }
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      size -= n;
      job->progress.current += n;
      progress_report (&job->progress);
    }
  return TRUE;
}

static gboolean
write_manifest (CreateJob  *job,
                LhArchive  *writer,
                GError    **error)
{
  gsize length = 0;
  g_autofree char *text = manifest_to_data (job, &length);
  g_autoptr(LhArchiveEntry) entry = entry_new (MANIFEST_NAME, S_IFREG | 0644,
                                               g_date_time_to_unix (job->created_at), 0);

  archive_entry_set_size (entry, length);
  if (!write_header (job, writer, entry, error))
    return FALSE;
  if (archive_write_data (writer, text, length) == (la_ssize_t) length)
    return TRUE;
  set_write_error (error, writer, job->archive);
  return FALSE;
}

static gboolean
write_database (CreateJob     *job,
                LhArchive     *writer,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autofree char *pathname = g_strconcat (DATABASE_FOLDER "/", job->database_name, NULL);
  g_autoptr(LhArchiveEntry) entry = entry_new (pathname, S_IFREG | 0644,
                                               g_date_time_to_unix (job->created_at), 0);
  g_auto(LhFd) fd = g_open (job->copy_path, O_RDONLY | O_CLOEXEC, 0);

  if (fd < 0)
    {
      set_file_error (error, errno, job->archive);
      return FALSE;
    }
  archive_entry_set_size (entry, job->database_bytes);
  return write_header (job, writer, entry, error) &&
         write_data (job, writer, fd, job->database_bytes, job->database, cancellable, error);
}

/* A regular file of the folder: opened again beneath the folder, never through a link,
 * its size taken then. */
static gboolean
write_file (CreateJob       *job,
            LhArchive       *writer,
            LhArchiveEntry  *entry,
            FolderEntry     *item,
            GCancellable    *cancellable,
            GError         **error)
{
  g_autofree char *shown = g_build_filename (job->folder, item->path, NULL);
  g_auto(GStrv) parts = g_strsplit (item->path, "/", -1);
  g_auto(LhFd) parent = open_parent (job->folder_fd, parts, FALSE);
  g_auto(LhFd) fd = -1;
  struct stat info;

  if (parent >= 0)
    fd = openat (parent, last_part (parts), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0 || fstat (fd, &info) != 0)
    {
      set_file_error (error, errno, shown);
      return FALSE;
    }
  if (!S_ISREG (info.st_mode))
    {
      set_changed_error (error, shown);
      return FALSE;
    }
  archive_entry_set_size (entry, info.st_size);
  job->progress.total += info.st_size - item->size;
  return write_header (job, writer, entry, error) &&
         write_data (job, writer, fd, info.st_size, shown, cancellable, error);
}

static gboolean
write_folder_entry (CreateJob     *job,
                    LhArchive     *writer,
                    FolderEntry   *item,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autofree char *pathname = g_strconcat (FILES_FOLDER "/", item->path, NULL);
  g_autoptr(LhArchiveEntry) entry = entry_new (pathname, item->mode, item->mtime,
                                               item->mtime_nsec);

  if (S_ISLNK (item->mode))
    archive_entry_set_symlink (entry, item->target);
  if (S_ISREG (item->mode))
    return write_file (job, writer, entry, item, cancellable, error);
  return write_header (job, writer, entry, error);
}

static gboolean
write_folder (CreateJob     *job,
              LhArchive     *writer,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autoptr(LhArchiveEntry) root = entry_new (FILES_FOLDER, job->folder_info.st_mode,
                                              job->folder_info.st_mtim.tv_sec,
                                              job->folder_info.st_mtim.tv_nsec);

  if (!write_header (job, writer, root, error))
    return FALSE;
  for (guint i = 0; i < job->entries->len; i++)
    if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
        !write_folder_entry (job, writer, g_ptr_array_index (job->entries, i), cancellable, error))
      return FALSE;
  return TRUE;
}

/* Writes the manifest, the database's copy and the folder into a new temporary file
 * beside the archive, and syncs it. */
static gboolean
write_archive (CreateJob     *job,
               GCancellable  *cancellable,
               GError       **error)
{
  /* Declared first, closed last: the writer may still write to it when it is freed. */
  g_auto(LhFd) fd = make_temp_file (job->archive, &job->temp_archive, error);
  g_autoptr(LhArchive) writer = NULL;

  if (fd < 0)
    return FALSE;
  writer = writer_new (fd, job->archive, error);
  if (writer == NULL)
    return FALSE;
  if (!write_manifest (job, writer, error) ||
      !write_database (job, writer, cancellable, error) ||
      !write_folder (job, writer, cancellable, error))
    {
      /* Closed, not archive_write_fail()ed: only a close ends the gzip compressor, which
       * would leak otherwise. What it writes goes into the temporary file, removed. */
      archive_write_close (writer);
      return FALSE;
    }
  if (archive_write_close (writer) != ARCHIVE_OK)
    {
      set_write_error (error, writer, job->archive);
      return FALSE;
    }
  if (fsync (fd) != 0)
    {
      set_file_error (error, errno, job->archive);
      return FALSE;
    }
  return TRUE;
}

/* The SHA-256 of the data of the entry just read; NULL on a damaged archive. */
static char *
entry_sha256 (LhArchive *reader)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guchar *buffer = g_malloc (BLOCK_BYTES);
  la_ssize_t n;

  while ((n = archive_read_data (reader, buffer, BLOCK_BYTES)) > 0)
    g_checksum_update (checksum, buffer, n);
  return n == 0 ? g_strdup (g_checksum_get_string (checksum)) : NULL;
}

static void
set_read_back_error (GError     **error,
                     LhArchive   *reader,
                     const char  *path)
{
  g_autofree char *name = g_filename_display_name (path);
  const char *message = reader != NULL ? archive_error_string (reader) : NULL;

  if (message != NULL)
    g_set_error (error, LH_BUNDLE_ERROR, LH_BUNDLE_ERROR_FAILED,
                 _("The bundle written to “%s” does not read back: %s"), name, message);
  else
    g_set_error (error, LH_BUNDLE_ERROR, LH_BUNDLE_ERROR_FAILED,
                 _("The bundle written to “%s” does not hold what was written."), name);
}

/* Reads the written archive through: every entry must read, the database's must have the
 * copy's checksum, and none may be missing. */
static gboolean
check_archive (CreateJob     *job,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autofree char *database_pathname = g_strconcat (DATABASE_FOLDER "/", job->database_name, NULL);
  g_auto(LhFd) fd = g_open (job->temp_archive, O_RDONLY | O_CLOEXEC, 0);
  g_autoptr(LhArchive) reader = archive_read_new ();
  LhArchiveEntry *entry;
  gboolean database_matches = FALSE;
  guint n_entries = 0;
  int rc;

  archive_read_support_filter_gzip (reader);
  archive_read_support_format_tar (reader);
  if (fd < 0)
    {
      set_file_error (error, errno, job->archive);
      return FALSE;
    }
  if (archive_read_open_fd (reader, fd, BLOCK_BYTES) != ARCHIVE_OK)
    {
      set_read_back_error (error, reader, job->archive);
      return FALSE;
    }
  while ((rc = archive_read_next_header (reader, &entry)) == ARCHIVE_OK || rc == ARCHIVE_WARN)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      n_entries++;
      if (g_strcmp0 (archive_entry_pathname (entry), database_pathname) == 0)
        {
          g_autofree char *sha256 = entry_sha256 (reader);

          database_matches = g_strcmp0 (sha256, job->sha256) == 0;
        }
    }
  if (rc == ARCHIVE_EOF && database_matches && n_entries == job->entries->len + 3)
    return TRUE;
  set_read_back_error (error, rc == ARCHIVE_EOF ? NULL : reader, job->archive);
  return FALSE;
}

/* Renames the complete archive over the archive's path. */
static gboolean
publish_archive (CreateJob     *job,
                 GCancellable  *cancellable,
                 GError       **error)
{
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (g_rename (job->temp_archive, job->archive) != 0)
    {
      set_file_error (error, errno, job->archive);
      return FALSE;
    }
  g_clear_pointer (&job->temp_archive, g_free);
  sync_parent (job->archive);
  return TRUE;
}

static gboolean
create_bundle (CreateJob     *job,
               GCancellable  *cancellable,
               GError       **error)
{
  return check_database (job, error) &&
         open_folder (job, error) &&
         walk_folder (job, job->folder_fd, "", cancellable, error) &&
         copy_database (job, cancellable, error) &&
         write_archive (job, cancellable, error) &&
         check_archive (job, cancellable, error) &&
         publish_archive (job, cancellable, error);
}

static void
create_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  CreateJob *job = task_data;
  GError *error = NULL;
  gboolean ok = create_bundle (job, cancellable, &error);

  remove_create_temp_files (job);
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
lh_bundle_create_async (const char             *database,
                        const char             *folder,
                        const char             *archive,
                        GCancellable           *cancellable,
                        GFileProgressCallback   progress,
                        gpointer                progress_data,
                        GAsyncReadyCallback     callback,
                        gpointer                user_data)
{
  g_autoptr(GTask) task = NULL;
  CreateJob *job;

  g_return_if_fail (database != NULL && *database != '\0');
  g_return_if_fail (folder != NULL && *folder != '\0');
  g_return_if_fail (archive != NULL && *archive != '\0');

  job = g_new0 (CreateJob, 1);
  job->database = g_canonicalize_filename (database, NULL);
  job->folder = g_canonicalize_filename (folder, NULL);
  job->archive = g_canonicalize_filename (archive, NULL);
  job->database_name = g_filename_display_basename (job->database);
  job->created_at = g_date_time_new_now_utc ();
  job->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) folder_entry_free);
  job->folder_fd = -1;
  job->cancellable = cancellable;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, lh_bundle_create_async);
  g_task_set_task_data (task, job, (GDestroyNotify) create_job_free);
  /* Once the archive is in place it is reported made, even if a cancel came too late. */
  g_task_set_check_cancellable (task, FALSE);
  progress_init (&job->progress, task, progress, progress_data);
  g_task_run_in_thread (task, create_thread);
}

gboolean
lh_bundle_create_finish (GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == lh_bundle_create_async, FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Restoring. */

/* A folder whose mode and times are set once all is extracted. */
typedef struct
{
  char            *path;       /* under the temporary folder */
  mode_t           mode;
  struct timespec  times[2];
} FolderFixup;

static void
folder_fixup_free (FolderFixup *fixup)
{
  g_free (fixup->path);
  g_free (fixup);
}

typedef struct
{
  /* owned */
  char         *archive;
  char         *database;
  char         *folder;             /* links followed */
  char         *temp_dir;           /* beside the folder */
  char         *manifest_database;  /* the manifest's */
  char         *manifest_sha256;
  char         *database_name;      /* the entry database/NAME's */
  GPtrArray    *fixups;             /* of FolderFixup, in the archive's order */

  /* state */
  GCancellable *cancellable;        /* the task's */
  Progress      progress;
  guint         lock_timeout_ms;
  int           temp_fd;
  gint64        manifest_file_count;
  gint64        file_count;         /* entries under files/ */
  gboolean      manifest_read;
  gboolean      files_read;         /* files/ itself */
  gboolean      database_existed;
  gboolean      folder_set_aside;   /* renamed into temp_dir as PREVIOUS_FOLDER */
  gboolean      keep_temp_dir;      /* it holds the folder, which could not be put back */
  gboolean      back_to_wal;        /* the database left WAL mode for the switch */
} RestoreJob;

static void
restore_job_free (RestoreJob *job)
{
  if (job->temp_fd >= 0)
    close (job->temp_fd);
  g_free (job->archive);
  g_free (job->database);
  g_free (job->folder);
  g_free (job->temp_dir);
  g_free (job->manifest_database);
  g_free (job->manifest_sha256);
  g_free (job->database_name);
  g_ptr_array_unref (job->fixups);
  g_free (job);
}

static void
remove_temp_dir (RestoreJob *job)
{
  g_autofree char *parent = NULL;
  g_autofree char *base = NULL;
  g_auto(LhFd) parent_fd = -1;

  if (job->temp_dir == NULL)
    return;
  parent = g_path_get_dirname (job->temp_dir);
  base = g_path_get_basename (job->temp_dir);
  parent_fd = g_open (parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (parent_fd >= 0)
    remove_tree_at (parent_fd, base);
}

/* The extracted database: in the temporary folder, and as the user would name it. */
static char *
extracted_database (RestoreJob *job,
                    gboolean    shown)
{
  return g_build_filename (shown ? job->archive : job->temp_dir, DATABASE_FOLDER,
                           job->database_name, NULL);
}

/* Restoring: the manifest. */

static void
set_manifest_error (GError     **error,
                    const char  *path)
{
  g_autofree char *name = g_filename_display_name (path);

  g_set_error (error, LH_BUNDLE_ERROR, LH_BUNDLE_ERROR_NOT_A_BUNDLE,
               _("“%s” is not a Litehouse bundle: its manifest cannot be read."), name);
}

/* The member of the manifest if it is a value of type, or NULL. */
static JsonNode *
manifest_member (JsonObject *object,
                 const char *member,
                 GType       type)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != type)
    return NULL;
  return node;
}

static const char *
manifest_string (JsonObject *object,
                 const char *member)
{
  JsonNode *node = manifest_member (object, member, G_TYPE_STRING);

  return node != NULL ? json_node_get_string (node) : NULL;
}

/* An integer member, or -1. */
static gint64
manifest_integer (JsonObject *object,
                  const char *member)
{
  JsonNode *node = manifest_member (object, member, G_TYPE_INT64);

  return node != NULL ? json_node_get_int (node) : -1;
}

static gboolean
is_sha256 (const char *text)
{
  if (text == NULL || strlen (text) != SHA256_LENGTH)
    return FALSE;
  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isxdigit (*p))
      return FALSE;
  return TRUE;
}

/* A file name alone: no folder, not "." or "..". */
static gboolean
is_plain_name (const char *name)
{
  return name != NULL && *name != '\0' && strchr (name, '/') == NULL &&
         strcmp (name, ".") != 0 && strcmp (name, "..") != 0;
}

static gboolean
take_manifest (RestoreJob  *job,
               JsonObject  *object,
               GError     **error)
{
  g_autofree char *name = g_filename_display_name (job->archive);
  const char *database = manifest_string (object, "database");
  const char *sha256 = manifest_string (object, "database-sha256");
  gint64 version = manifest_integer (object, "format-version");

  if (g_strcmp0 (manifest_string (object, "format"), FORMAT_NAME) != 0 || version < 1)
    {
      set_manifest_error (error, job->archive);
      return FALSE;
    }
  if (version > LH_BUNDLE_FORMAT_VERSION)
    {
      g_set_error (error, LH_BUNDLE_ERROR, LH_BUNDLE_ERROR_NEWER_FORMAT,
                   _("“%s” was made by a newer version of Litehouse; update Litehouse to "
                     "restore it."), name);
      return FALSE;
    }
  job->manifest_file_count = manifest_integer (object, "file-count");
  if (!is_plain_name (database) || !is_sha256 (sha256) || job->manifest_file_count < 0)
    {
      set_manifest_error (error, job->archive);
      return FALSE;
    }
  job->manifest_database = g_strdup (database);
  job->manifest_sha256 = g_ascii_strdown (sha256, -1);
  return TRUE;
}

/* Reads length bytes of the entry just read into buffer. */
static gboolean
read_entry_data (LhArchive *reader,
                 char      *buffer,
                 gsize      length)
{
  while (length > 0)
    {
      la_ssize_t n = archive_read_data (reader, buffer, length);

      if (n <= 0)
        return FALSE;
      buffer += n;
      length -= n;
    }
  return TRUE;
}

static gboolean
read_manifest (RestoreJob      *job,
               LhArchive       *reader,
               LhArchiveEntry  *entry,
               GError         **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  la_int64_t size = archive_entry_size (entry);
  g_autofree char *text = NULL;
  JsonNode *root;

  if (job->manifest_read)
    {
      set_twice_error (error, job->archive, MANIFEST_NAME);
      return FALSE;
    }
  job->manifest_read = TRUE;
  if (archive_entry_filetype (entry) != AE_IFREG || size <= 0 || size > MAX_MANIFEST_BYTES)
    {
      set_manifest_error (error, job->archive);
      return FALSE;
    }
  text = g_malloc (size);
  if (!read_entry_data (reader, text, size))
    {
      set_damaged_error (error, reader, job->archive);
      return FALSE;
    }
  if (!json_parser_load_from_data (parser, text, size, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      set_manifest_error (error, job->archive);
      return FALSE;
    }
  return take_manifest (job, json_node_get_object (root), error);
}

/* Restoring: what an entry may be. */

typedef enum
{
  UNSAFE_ABSOLUTE,
  UNSAFE_DOT_DOT,
  UNSAFE_SPECIAL,
  UNSAFE_THROUGH_LINK,
  UNSAFE_LINK_OUTSIDE,
} Unsafety;

/* The bundle at path would write outside the folder with its entry pathname (for
 * UNSAFE_LINK_OUTSIDE, a link to target). */
static void
set_unsafe_error (GError     **error,
                  const char  *path,
                  const char  *pathname,
                  Unsafety     unsafety,
                  const char  *target)
{
  g_autofree char *name = g_filename_display_name (path);
  g_autofree char *entry = g_filename_display_name (pathname);
  g_autofree char *shown_target = g_filename_display_name (target != NULL ? target : "");

  switch (unsafety)
    {
    case UNSAFE_ABSOLUTE:
      g_set_error (error, LH_BUNDLE_ERROR, LH_BUNDLE_ERROR_UNSAFE,
                   _("The bundle “%s” is not safe to restore: its entry “%s” is an absolute "
                     "path."), name, entry);
      break;
    case UNSAFE_DOT_DOT:
      g_set_error (error, LH_BUNDLE_ERROR, LH_BUNDLE_ERROR_UNSAFE,
                   _("The bundle “%s” is not safe to restore: its entry “%s” leads out of the "
                     "folder."), name, entry);
      break;
    case UNSAFE_SPECIAL:
      g_set_error (error, LH_BUNDLE_ERROR, LH_BUNDLE_ERROR_UNSAFE,
                   _("The bundle “%s” is not safe to restore: its entry “%s” is a hard link or "
                     "a special file."), name, entry);
      break;
    case UNSAFE_THROUGH_LINK:
      g_set_error (error, LH_BUNDLE_ERROR, LH_BUNDLE_ERROR_UNSAFE,
                   _("The bundle “%s” is not safe to restore: its entry “%s” would be written "
                     "through a link or into a file."), name, entry);
      break;
    case UNSAFE_LINK_OUTSIDE:
      g_set_error (error, LH_BUNDLE_ERROR, LH_BUNDLE_ERROR_UNSAFE,
                   _("The bundle “%s” is not safe to restore: its link “%s” points outside the "
                     "folder, to “%s”."), name, entry, shown_target);
      break;
    default:
      g_assert_not_reached ();
    }
}

/* The components of pathname, an entry's name: relative, no "..", no "." or empty ones. */
static char **
split_entry_path (RestoreJob  *job,
                  const char  *pathname,
                  GError     **error)
{
  g_autofree char *trimmed = g_strdup (pathname);
  g_auto(GStrv) parts = NULL;
  gsize length = strlen (trimmed);

  while (length > 1 && trimmed[length - 1] == '/')
    trimmed[--length] = '\0';
  if (*trimmed == '/')
    {
      set_unsafe_error (error, job->archive, pathname, UNSAFE_ABSOLUTE, NULL);
      return NULL;
    }
  parts = g_strsplit (trimmed, "/", -1);
  if (g_strv_contains ((const char * const *) parts, ".."))
    {
      set_unsafe_error (error, job->archive, pathname, UNSAFE_DOT_DOT, NULL);
      return NULL;
    }
  for (guint i = 0; parts[i] != NULL; i++)
    if (*parts[i] == '\0' || strcmp (parts[i], ".") == 0)
      {
        set_strange_entry_error (error, job->archive, pathname);
        return NULL;
      }
  return g_steal_pointer (&parts);
}

/* Files, folders and links only: no hard link (which could share a file outside), no
 * device, pipe or socket. */
static gboolean
check_entry_type (RestoreJob      *job,
                  LhArchiveEntry  *entry,
                  GError         **error)
{
  mode_t type = archive_entry_filetype (entry);

  if (archive_entry_hardlink (entry) == NULL &&
      (type == AE_IFREG || type == AE_IFDIR || type == AE_IFLNK))
    return TRUE;
  set_unsafe_error (error, job->archive, archive_entry_pathname (entry), UNSAFE_SPECIAL, NULL);
  return FALSE;
}

/* Restoring: writing entries into the temporary folder. */

/* Creating the entry at parts failed with saved_errno. */
static void
set_extract_error (RestoreJob      *job,
                   LhArchiveEntry  *entry,
                   int              saved_errno,
                   GError         **error)
{
  const char *pathname = archive_entry_pathname (entry);

  if (saved_errno == EEXIST)
    set_twice_error (error, job->archive, pathname);
  else if (saved_errno == ELOOP || saved_errno == ENOTDIR)
    set_unsafe_error (error, job->archive, pathname, UNSAFE_THROUGH_LINK, NULL);
  else
    set_file_error (error, saved_errno, job->folder);
}

/* The folder that will hold the entry at parts, made if need be; -1 and error if not. */
static int
open_entry_parent (RestoreJob      *job,
                   LhArchiveEntry  *entry,
                   char           **parts,
                   GError         **error)
{
  int fd = open_parent (job->temp_fd, parts, TRUE);

  if (fd < 0)
    set_extract_error (job, entry, errno, error);
  return fd;
}

static void
entry_times (LhArchiveEntry  *entry,
             struct timespec  times[2])
{
  times[0].tv_sec = 0;
  times[0].tv_nsec = UTIME_OMIT;
  times[1].tv_sec = archive_entry_mtime (entry);
  times[1].tv_nsec = archive_entry_mtime_is_set (entry) ? archive_entry_mtime_nsec (entry)
                                                        : UTIME_NOW;
}

static void
report_read_progress (RestoreJob *job,
                      LhArchive  *reader)
{
  job->progress.current = MIN (archive_filter_bytes (reader, -1), job->progress.total);
  progress_report (&job->progress);
}

/* Writes the data of the entry just read into fd. */
static gboolean
extract_data (RestoreJob  *job,
              LhArchive   *reader,
              int          fd,
              GError     **error)
{
  g_autofree char *buffer = g_malloc (BLOCK_BYTES);
  la_ssize_t n;

  while ((n = archive_read_data (reader, buffer, BLOCK_BYTES)) > 0)
    {
      if (g_cancellable_set_error_if_cancelled (job->cancellable, error))
        return FALSE;
      if (!lh_file_write_all (fd, buffer, n))
        {
          set_file_error (error, errno, job->folder);
          return FALSE;
        }
      report_read_progress (job, reader);
    }
  if (n == 0)
    return TRUE;
  set_damaged_error (error, reader, job->archive);
  return FALSE;
}

static gboolean
extract_regular (RestoreJob      *job,
                 LhArchive       *reader,
                 LhArchiveEntry  *entry,
                 char           **parts,
                 GError         **error)
{
  g_auto(LhFd) parent = open_entry_parent (job, entry, parts, error);
  g_auto(LhFd) fd = -1;
  struct timespec times[2];

  if (parent < 0)
    return FALSE;
  fd = openat (parent, last_part (parts), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
               0600);
  if (fd < 0)
    {
      set_extract_error (job, entry, errno, error);
      return FALSE;
    }
  if (!extract_data (job, reader, fd, error))
    return FALSE;
  entry_times (entry, times);
  if (fchmod (fd, archive_entry_perm (entry) & 0777) != 0 || futimens (fd, times) != 0 ||
      fsync (fd) != 0)
    {
      set_file_error (error, errno, job->folder);
      return FALSE;
    }
  return TRUE;
}

static gboolean
is_folder_at (int         dir_fd,
              const char *name)
{
  struct stat info;

  return fstatat (dir_fd, name, &info, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR (info.st_mode);
}

/* Makes the folder (0700 for now; its mode and times come at the end). */
static gboolean
extract_folder (RestoreJob      *job,
                LhArchiveEntry  *entry,
                char           **parts,
                GError         **error)
{
  g_auto(LhFd) parent = open_entry_parent (job, entry, parts, error);
  FolderFixup *fixup;

  if (parent < 0)
    return FALSE;
  if (mkdirat (parent, last_part (parts), 0700) != 0)
    {
      int saved_errno = errno;

      /* Made already as the parent of an earlier entry. */
      if (saved_errno != EEXIST || !is_folder_at (parent, last_part (parts)))
        {
          set_extract_error (job, entry, saved_errno, error);
          return FALSE;
        }
    }
  fixup = g_new0 (FolderFixup, 1);
  fixup->path = g_strjoinv ("/", parts);
  fixup->mode = archive_entry_perm (entry) & 0777;
  entry_times (entry, fixup->times);
  g_ptr_array_add (job->fixups, fixup);
  return TRUE;
}

static gboolean
extract_link (RestoreJob      *job,
              LhArchiveEntry  *entry,
              char           **parts,
              GError         **error)
{
  const char *target = archive_entry_symlink (entry);
  g_auto(LhFd) parent = -1;
  struct timespec times[2];

  /* parts: files/…/NAME, so many folders below the top of the folder. */
  if (target == NULL || !link_stays_inside (target, g_strv_length (parts) - 2))
    {
      set_unsafe_error (error, job->archive, archive_entry_pathname (entry), UNSAFE_LINK_OUTSIDE,
                        target);
      return FALSE;
    }
  parent = open_entry_parent (job, entry, parts, error);
  if (parent < 0)
    return FALSE;
  if (symlinkat (target, parent, last_part (parts)) != 0)
    {
      set_extract_error (job, entry, errno, error);
      return FALSE;
    }
  entry_times (entry, times);
  /* A file system that keeps no times for links is no reason to fail. */
  utimensat (parent, last_part (parts), times, AT_SYMLINK_NOFOLLOW);
  return TRUE;
}

/* database/ and database/NAME, a file. */
static gboolean
extract_database (RestoreJob      *job,
                  LhArchive       *reader,
                  LhArchiveEntry  *entry,
                  char           **parts,
                  GError         **error)
{
  guint n_parts = g_strv_length (parts);
  mode_t type = archive_entry_filetype (entry);

  if (n_parts == 1 && type == AE_IFDIR)
    return TRUE;
  if (n_parts != 2 || type != AE_IFREG)
    {
      set_strange_entry_error (error, job->archive, archive_entry_pathname (entry));
      return FALSE;
    }
  if (job->database_name != NULL)
    {
      set_twice_error (error, job->archive, archive_entry_pathname (entry));
      return FALSE;
    }
  job->database_name = g_strdup (parts[1]);
  return extract_regular (job, reader, entry, parts, error);
}

/* files/ (a folder) and what it holds. */
static gboolean
extract_files_entry (RestoreJob      *job,
                     LhArchive       *reader,
                     LhArchiveEntry  *entry,
                     char           **parts,
                     GError         **error)
{
  mode_t type = archive_entry_filetype (entry);

  if (parts[1] == NULL && type != AE_IFDIR)
    {
      set_strange_entry_error (error, job->archive, archive_entry_pathname (entry));
      return FALSE;
    }
  if (parts[1] == NULL)
    job->files_read = TRUE;
  else
    job->file_count++;
  if (type == AE_IFDIR)
    return extract_folder (job, entry, parts, error);
  if (type == AE_IFLNK)
    return extract_link (job, entry, parts, error);
  return extract_regular (job, reader, entry, parts, error);
}

static gboolean
extract_entry (RestoreJob      *job,
               LhArchive       *reader,
               LhArchiveEntry  *entry,
               GError         **error)
{
  const char *pathname = archive_entry_pathname (entry);
  g_auto(GStrv) parts = NULL;

  if (pathname == NULL)
    {
      set_strange_entry_error (error, job->archive, "");
      return FALSE;
    }
  parts = split_entry_path (job, pathname, error);
  if (parts == NULL || !check_entry_type (job, entry, error))
    return FALSE;
  if (strcmp (parts[0], MANIFEST_NAME) == 0 && parts[1] == NULL)
    return read_manifest (job, reader, entry, error);
  if (strcmp (parts[0], DATABASE_FOLDER) == 0)
    return extract_database (job, reader, entry, parts, error);
  if (strcmp (parts[0], FILES_FOLDER) == 0)
    return extract_files_entry (job, reader, entry, parts, error);
  set_strange_entry_error (error, job->archive, pathname);
  return FALSE;
}

/* Gives the extracted folders their modes and times, deepest first (the archive lists a
 * folder before what it holds): a read-only folder is set once nothing more goes in. */
static gboolean
apply_fixups (RestoreJob  *job,
              GError     **error)
{
  for (guint i = job->fixups->len; i > 0; i--)
    {
      FolderFixup *fixup = g_ptr_array_index (job->fixups, i - 1);
      g_auto(GStrv) parts = g_strsplit (fixup->path, "/", -1);
      g_auto(LhFd) parent = open_parent (job->temp_fd, parts, FALSE);
      g_auto(LhFd) fd = -1;

      if (parent >= 0)
        fd = openat (parent, last_part (parts), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0 || fchmod (fd, fixup->mode) != 0 || futimens (fd, fixup->times) != 0 ||
          fsync (fd) != 0)
        {
          set_file_error (error, errno, job->folder);
          return FALSE;
        }
    }
  return TRUE;
}

/* Restoring: reading the bundle. */

/* path with its links followed, or NULL with errno set. */
static char *
dup_real_path (const char *path)
{
  char *real = realpath (path, NULL);
  char *copy;

  if (real == NULL)
    return NULL;
  copy = g_strdup (real);
  free (real);
  return copy;
}

/* The folder to replace, links followed; it need not exist, its parent must. */
static gboolean
resolve_folder (RestoreJob  *job,
                GError     **error)
{
  g_autofree char *parent = g_path_get_dirname (job->folder);
  g_autofree char *base = g_path_get_basename (job->folder);
  g_autofree char *real = dup_real_path (job->folder);
  g_autofree char *real_parent = NULL;

  if (real == NULL && errno == ENOENT)
    {
      real_parent = dup_real_path (parent);
      if (real_parent != NULL)
        real = g_build_filename (real_parent, base, NULL);
    }
  if (real == NULL)
    {
      set_file_error (error, errno, job->folder);
      return FALSE;
    }
  if (g_file_test (real, G_FILE_TEST_EXISTS) && !g_file_test (real, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *name = g_filename_display_name (job->folder);

      g_set_error (error, LH_BUNDLE_ERROR, LH_BUNDLE_ERROR_FAILED, _("“%s” is not a folder."),
                   name);
      return FALSE;
    }
  g_free (job->folder);
  job->folder = g_steal_pointer (&real);
  return TRUE;
}

static gboolean
make_temp_dir (RestoreJob  *job,
               GError     **error)
{
  g_autofree char *parent = g_path_get_dirname (job->folder);
  g_autofree char *base = g_path_get_basename (job->folder);
  g_autofree char *template = g_strdup_printf ("%s/.%s.XXXXXX", parent, base);

  if (g_mkdtemp_full (template, 0700) == NULL)
    {
      set_file_error (error, errno, parent);
      return FALSE;
    }
  job->temp_dir = g_steal_pointer (&template);
  job->temp_fd = g_open (job->temp_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (job->temp_fd >= 0)
    return TRUE;
  set_file_error (error, errno, parent);
  return FALSE;
}

/* Opens the archive; its size is the progress's total. */
static int
open_archive (RestoreJob  *job,
              GError     **error)
{
  int fd = g_open (job->archive, O_RDONLY | O_CLOEXEC, 0);
  struct stat info;

  if (fd < 0 || fstat (fd, &info) != 0)
    set_file_error (error, errno, job->archive);
  else if (!S_ISREG (info.st_mode))
    set_not_a_bundle_error (error, job->archive);
  else
    {
      job->progress.total = info.st_size;
      return fd;
    }
  if (fd >= 0)
    close (fd);
  return -1;
}

static gboolean
extract_entries (RestoreJob    *job,
                 LhArchive     *reader,
                 GCancellable  *cancellable,
                 GError       **error)
{
  LhArchiveEntry *entry;
  GError *read_error = NULL;

  while (read_next_header (reader, &entry, job->archive, &read_error))
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
          !extract_entry (job, reader, entry, error))
        return FALSE;
      report_read_progress (job, reader);
    }
  if (read_error != NULL)
    {
      g_propagate_error (error, read_error);
      return FALSE;
    }
  job->progress.current = job->progress.total;
  progress_report (&job->progress);
  return TRUE;
}

/* Extracts the bundle into a new temporary folder beside the folder. */
static gboolean
extract_bundle (RestoreJob    *job,
                GCancellable  *cancellable,
                GError       **error)
{
  /* Declared first, closed last. */
  g_auto(LhFd) fd = open_archive (job, error);
  g_autoptr(LhArchive) reader = NULL;

  if (fd < 0)
    return FALSE;
  reader = reader_new (fd, job->archive, error);
  return reader != NULL &&
         resolve_folder (job, error) &&
         make_temp_dir (job, error) &&
         extract_entries (job, reader, cancellable, error) &&
         apply_fixups (job, error);
}

/* Restoring: checks. */

static gboolean
check_contents (RestoreJob  *job,
                GError     **error)
{
  g_autofree char *name = g_filename_display_name (job->archive);

  if (!job->manifest_read)
    g_set_error (error, LH_BUNDLE_ERROR, LH_BUNDLE_ERROR_NOT_A_BUNDLE,
                 _("“%s” is not a Litehouse bundle: it has no manifest."), name);
  else if (g_strcmp0 (job->database_name, job->manifest_database) != 0)
    g_set_error (error, LH_BUNDLE_ERROR, LH_BUNDLE_ERROR_CORRUPT,
                 _("“%s” is damaged or cut short: its database is missing."), name);
  else if (!job->files_read)
    g_set_error (error, LH_BUNDLE_ERROR, LH_BUNDLE_ERROR_CORRUPT,
                 _("“%s” is damaged or cut short: its folder of files is missing."), name);
  else if (job->file_count != job->manifest_file_count)
    g_set_error (error, LH_BUNDLE_ERROR, LH_BUNDLE_ERROR_CORRUPT,
                 _("“%s” is damaged: the files in it are not the ones its manifest lists."), name);
  else
    return TRUE;
  return FALSE;
}

/* The extracted database is the one the manifest describes, and sound. */
static gboolean
check_database_copy (RestoreJob    *job,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autofree char *path = extracted_database (job, FALSE);
  g_autofree char *shown = extracted_database (job, TRUE);
  g_autofree char *sha256 = file_sha256 (path, job->folder, cancellable, error);

  if (sha256 == NULL)
    return FALSE;
  if (strcmp (sha256, job->manifest_sha256) != 0)
    {
      g_autofree char *name = g_filename_display_name (job->archive);

      g_set_error (error, LH_BUNDLE_ERROR, LH_BUNDLE_ERROR_CHECKSUM,
                   _("The database in “%s” is not the one the bundle was made with: its "
                     "checksum differs from the manifest’s."), name);
      return FALSE;
    }
  return lh_sqlite_copy_check_integrity (path, shown, &sqlite_errors, cancellable, error);
}

/* Restoring: the switch. */

/* The folder as it was cannot be put back: the temporary folder that holds it is kept,
 * and error says where. */
static void
keep_previous_folder (RestoreJob  *job,
                      GError     **error)
{
  g_autofree char *aside = g_build_filename (job->temp_dir, PREVIOUS_FOLDER, NULL);
  g_autofree char *shown = g_filename_display_name (aside);
  char *message;

  job->keep_temp_dir = TRUE;
  if (error == NULL || *error == NULL)
    return;
  /* Translators: the first %s is why the restore failed, the second a folder. */
  message = g_strdup_printf (_("%s The folder as it was is in “%s”."), (*error)->message, shown);
  g_free ((*error)->message);
  (*error)->message = message;
}

/* Puts the folder set aside back in its place. */
static void
put_folder_back (RestoreJob  *job,
                 GError     **error)
{
  g_autofree char *aside = g_build_filename (job->temp_dir, PREVIOUS_FOLDER, NULL);

  if (job->folder_set_aside && g_rename (aside, job->folder) != 0)
    keep_previous_folder (job, error);
}

/* Renames the folder aside (if there is one) and the extracted one into its place. */
static gboolean
switch_folder (RestoreJob  *job,
               GError     **error)
{
  g_autofree char *extracted = g_build_filename (job->temp_dir, FILES_FOLDER, NULL);
  g_autofree char *aside = g_build_filename (job->temp_dir, PREVIOUS_FOLDER, NULL);
  GStatBuf info;

  if (g_lstat (job->folder, &info) == 0)
    {
      if (g_rename (job->folder, aside) != 0)
        {
          set_file_error (error, errno, job->folder);
          return FALSE;
        }
      job->folder_set_aside = TRUE;
    }
  if (g_rename (extracted, job->folder) != 0)
    {
      set_file_error (error, errno, job->folder);
      put_folder_back (job, error);
      return FALSE;
    }
  sync_parent (job->folder);
  return TRUE;
}

/* Puts the folder back as it was before switch_folder(). */
static void
switch_folder_back (RestoreJob  *job,
                    GError     **error)
{
  g_autofree char *extracted = g_build_filename (job->temp_dir, FILES_FOLDER, NULL);

  if (g_rename (job->folder, extracted) == 0)
    put_folder_back (job, error);
  else if (job->folder_set_aside)
    keep_previous_folder (job, error);
  sync_parent (job->folder);
}

static int
database_busy_cb (void *data,
                  int   n_calls)
{
  RestoreJob *job = data;

  return lh_sqlite_copy_wait_for_lock (job->cancellable, job->lock_timeout_ms, n_calls);
}

static void
set_switch_error (RestoreJob  *job,
                  sqlite3     *dest,
                  int          rc,
                  GError     **error)
{
  g_autofree char *name = g_filename_display_name (job->database);

  if (g_cancellable_set_error_if_cancelled (job->cancellable, error))
    return;
  if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
    g_set_error (error, LH_BUNDLE_ERROR, LH_BUNDLE_ERROR_BUSY,
                 _("Another program is using “%s” (it holds a lock); nothing was restored."), name);
  else
    set_sqlite_error (error, dest, rc, job->database);
}

/* Copies the extracted database into the database, waiting up to lock_timeout_ms for a
 * lock held elsewhere; a database made for it and not filled is removed. */
static gboolean
switch_database (RestoreJob  *job,
                 GError     **error)
{
  g_autofree char *path = extracted_database (job, FALSE);
  g_autofree char *shown = extracted_database (job, TRUE);
  sqlite3 *source = lh_sqlite_copy_open_file (path, SQLITE_OPEN_READONLY, shown, &sqlite_errors,
                                              error);
  sqlite3 *dest = NULL;
  int rc = SQLITE_ERROR;

  if (source != NULL)
    dest = lh_sqlite_copy_open_file (job->database, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                                     job->database, &sqlite_errors, error);
  if (dest != NULL)
    {
      sqlite3_busy_handler (dest, database_busy_cb, job);
      rc = lh_sqlite_copy_all_pages (source, dest);
      if (rc != SQLITE_OK)
        set_switch_error (job, dest, rc, error);
    }
  sqlite3_close (dest);
  sqlite3_close (source);
  if (rc != SQLITE_OK && !job->database_existed)
    remove_sqlite_file (job->database);
  return rc == SQLITE_OK;
}

/* Readies the database for the extracted one (see lh_sqlite_copy_prepare_page_sizes()). */
static gboolean
check_page_sizes (RestoreJob  *job,
                  GError     **error)
{
  g_autofree char *path = extracted_database (job, FALSE);

  return lh_sqlite_copy_prepare_page_sizes (path, job->database, &sqlite_errors,
                                            &job->back_to_wal, error);
}

static gboolean
restore_bundle (RestoreJob    *job,
                GCancellable  *cancellable,
                GError       **error)
{
  job->database_existed = g_file_test (job->database, G_FILE_TEST_EXISTS);
  if (!extract_bundle (job, cancellable, error) ||
      !check_contents (job, error) ||
      !check_database_copy (job, cancellable, error) ||
      !check_page_sizes (job, error) ||
      g_cancellable_set_error_if_cancelled (cancellable, error) ||
      !switch_folder (job, error))
    return FALSE;
  if (switch_database (job, error))
    return TRUE;
  switch_folder_back (job, error);
  return FALSE;
}

static void
restore_thread (GTask        *task,
                gpointer      source,
                gpointer      task_data,
                GCancellable *cancellable)
{
  RestoreJob *job = task_data;
  GError *error = NULL;
  gboolean ok = restore_bundle (job, cancellable, &error);

  if (job->back_to_wal)
    lh_sqlite_copy_set_journal_mode (job->database, "wal", database_busy_cb, job);
  /* With the extracted files that were not used, or the folder that was replaced. */
  if (!job->keep_temp_dir)
    remove_temp_dir (job);
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
lh_bundle_restore_async (const char            *archive,
                         const char            *database,
                         const char            *folder,
                         guint                  lock_timeout_ms,
                         GCancellable          *cancellable,
                         GFileProgressCallback  progress,
                         gpointer               progress_data,
                         GAsyncReadyCallback    callback,
                         gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  RestoreJob *job;

  g_return_if_fail (archive != NULL && *archive != '\0');
  g_return_if_fail (database != NULL && *database != '\0');
  g_return_if_fail (folder != NULL && *folder != '\0');

  job = g_new0 (RestoreJob, 1);
  job->archive = g_canonicalize_filename (archive, NULL);
  job->database = g_canonicalize_filename (database, NULL);
  job->folder = g_canonicalize_filename (folder, NULL);
  job->fixups = g_ptr_array_new_with_free_func ((GDestroyNotify) folder_fixup_free);
  job->lock_timeout_ms = lock_timeout_ms;
  job->temp_fd = -1;
  job->manifest_file_count = -1;
  job->cancellable = cancellable;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, lh_bundle_restore_async);
  g_task_set_task_data (task, job, (GDestroyNotify) restore_job_free);
  /* Once both are switched it is reported done, even if a cancel came too late. */
  g_task_set_check_cancellable (task, FALSE);
  progress_init (&job->progress, task, progress, progress_data);
  g_task_run_in_thread (task, restore_thread);
}

gboolean
lh_bundle_restore_finish (GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == lh_bundle_restore_async, FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
