/* lh-file-util.c — the file-safety helpers of the core's writers (LhAtomicFile, database
 * copies, new migrations, backups): a hidden temporary file made with mkstemp() beside the
 * final name, every byte written and synced, then linked into place, since link() never
 * replaces a file where rename() would, and the folder synced so that the new name
 * survives a crash. Errors come back as errno values, for each caller to word as its
 * users expect. */
#define _POSIX_C_SOURCE 200809L   /* link(), fsync(), O_CLOEXEC, O_DIRECTORY under -std=c11 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "lh-file-util-private.h"

/* Makes a new file named .NAME.XXXXXX in folder, opened with flags (O_CLOEXEC added) and
 * mode; returns its descriptor and sets temp_path, or returns -1 with errno set. */
int
lh_file_open_temp (const char  *folder,
                   const char  *name,
                   int          flags,
                   int          mode,
                   char       **temp_path)
{
  g_autofree char *template = g_strdup_printf ("%s/.%s.XXXXXX", folder, name);
  int fd = g_mkstemp_full (template, flags | O_CLOEXEC, mode);

  if (fd >= 0)
    *temp_path = g_steal_pointer (&template);
  return fd;
}

/* lh_file_open_temp() in path's folder, named after path's file. */
int
lh_file_open_temp_beside (const char  *path,
                          int          flags,
                          int          mode,
                          char       **temp_path)
{
  g_autofree char *folder = g_path_get_dirname (path);
  g_autofree char *name = g_path_get_basename (path);

  return lh_file_open_temp (folder, name, flags, mode, temp_path);
}

/* The process's umask, read without setting it (umask() would, for every thread at
 * once): Linux's /proc/self/status says it; 022 where it does not. */
mode_t
lh_file_get_umask (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      (line = strstr (status, "\nUmask:")) == NULL)
    return 022;
  return (mode_t) (g_ascii_strtoull (line + strlen ("\nUmask:"), NULL, 8) & 0777);
}

/* FALSE with errno set if a write failed; an interrupted write is tried again. */
gboolean
lh_file_write_all (int         fd,
                   const char *data,
                   gsize       length)
{
  while (length > 0)
    {
      gssize n = write (fd, data, length);

      if (n < 0 && errno == EINTR)
        continue;
      if (n == 0)
        errno = EIO;   /* no progress: never for a file, but no endless loop either */
      if (n <= 0)
        return FALSE;
      data += n;
      length -= (gsize) n;
    }
  return TRUE;
}

/* 0 once what was written to path (a file or a folder) is on the disk, or the errno that
 * stopped it. */
int
lh_file_sync (const char *path)
{
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  int saved_errno;

  if (fd < 0)
    return errno;
  saved_errno = fsync (fd) == 0 ? 0 : errno;
  close (fd);
  return saved_errno;
}

/* Syncs folder, so that a name just made or removed in it is there after a crash. A folder
 * that cannot be synced leaves the file as safe as it was: nothing to report. */
void
lh_file_sync_folder (const char *folder)
{
  int fd = g_open (folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);

  if (fd >= 0)
    {
      fsync (fd);
      close (fd);
    }
}

/* Gives temp_path the name path too, unless something has that name (EEXIST); 0 or the
 * errno that stopped it. temp_path stays, for the caller to remove, unless a file system
 * without hard links (FAT, some FUSE mounts) made it a rename: a last look, then rename(),
 * which leaves another program a moment to take the name first. */
int
lh_file_link_new (const char *temp_path,
                  const char *path)
{
  GStatBuf info;
  int saved_errno;

  if (link (temp_path, path) == 0)
    return 0;
  saved_errno = errno;
  if (saved_errno != EPERM && saved_errno != ENOTSUP && saved_errno != EOPNOTSUPP &&
      saved_errno != ENOSYS)
    return saved_errno;
  if (g_lstat (path, &info) == 0)
    return EEXIST;
  return g_rename (temp_path, path) == 0 ? 0 : errno;
}

/* Writing the file the user knows as path failed with saved_errno. */
void
lh_file_set_write_error (GError     **error,
                         int          saved_errno,
                         const char  *path)
{
  g_autofree char *name = g_filename_display_name (path);

  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
               _("Cannot write “%s”: %s"), name, g_strerror (saved_errno));
}
