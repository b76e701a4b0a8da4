/* lh-atomic-file.c — LhAtomicFile: mkstemp() beside the target, fsync(), rename(), and a
 * sync of the folder so that the rename itself survives a crash. Opening and committing
 * run in a GTask thread: both can wait on the disk. */
#define _POSIX_C_SOURCE 200809L   /* fchmod(), fsync() under -std=c11 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <gio/gunixoutputstream.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lh-atomic-file.h"
#include "lh-file-util-private.h"

struct _LhAtomicFile
{
  char          *path;
  char          *temp_path;
  GOutputStream *stream;
  int            fd;
  gboolean       committed;
};

static void
open_in_thread (GTask        *task,
                gpointer      source,
                gpointer      task_data,
                GCancellable *cancellable)
{
  GFile *target = task_data;
  LhAtomicFile *self;
  g_autofree char *temp_path = NULL;
  GError *error = NULL;
  int fd;

  if (g_file_peek_path (target) == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _("Only files in local folders can be written."));
      return;
    }
  if (g_file_test (g_file_peek_path (target), G_FILE_TEST_IS_DIR))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY,
                               _("“%s” is a folder."), g_file_peek_path (target));
      return;
    }

  fd = lh_file_open_temp_beside (g_file_peek_path (target), O_WRONLY, 0666, &temp_path);
  if (fd < 0)
    {
      lh_file_set_write_error (&error, errno, g_file_peek_path (target));
      g_task_return_error (task, error);
      return;
    }
  /* mkstemp() makes the file private; a saved file gets the mode of the file it replaces,
   * or the usual one. */
  {
    struct stat info;

    if (stat (g_file_peek_path (target), &info) == 0)
      fchmod (fd, info.st_mode & 0777);
    else
      fchmod (fd, 0666 & ~lh_file_get_umask ());
  }

  self = g_new0 (LhAtomicFile, 1);
  self->path = g_strdup (g_file_peek_path (target));
  self->temp_path = g_steal_pointer (&temp_path);
  self->fd = fd;
  self->stream = g_unix_output_stream_new (fd, FALSE);
  g_task_return_pointer (task, self, (GDestroyNotify) lh_atomic_file_free);
}

/* Creates the temporary file for target (a local file; its folder must be writable). */
void
lh_atomic_file_new_async (GFile               *target,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (G_IS_FILE (target));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, lh_atomic_file_new_async);
  g_task_set_task_data (task, g_object_ref (target), g_object_unref);
  /* A file opened after a cancel must be freed, not handed over: that is what the
   * destroy notify of the returned pointer does. */
  g_task_run_in_thread (task, open_in_thread);
}

LhAtomicFile *
lh_atomic_file_new_finish (GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Where to write the contents (unbuffered; the file's own descriptor). */
GOutputStream *
lh_atomic_file_get_stream (LhAtomicFile *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->stream;
}

const char *
lh_atomic_file_get_temp_path (LhAtomicFile *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->temp_path;
}

static gboolean
commit (LhAtomicFile  *self,
        GError       **error)
{
  g_autofree char *dir = g_path_get_dirname (self->path);

  if (fsync (self->fd) != 0)
    {
      lh_file_set_write_error (error, errno, self->path);
      return FALSE;
    }
  if (!g_output_stream_close (self->stream, NULL, error))
    return FALSE;
  if (close (self->fd) != 0)
    {
      self->fd = -1;
      lh_file_set_write_error (error, errno, self->path);
      return FALSE;
    }
  self->fd = -1;
  if (g_rename (self->temp_path, self->path) != 0)
    {
      lh_file_set_write_error (error, errno, self->path);
      return FALSE;
    }
  self->committed = TRUE;

  /* The rename is in the folder: synced too, it is there after a crash. */
  lh_file_sync_folder (dir);
  return TRUE;
}

static void
commit_in_thread (GTask        *task,
                  gpointer      source,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  GError *error = NULL;

  if (g_cancellable_set_error_if_cancelled (cancellable, &error) || !commit (task_data, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* Syncs what was written and puts it in the target's place. self must stay alive until
 * the callback; whether or not it succeeded, free it afterwards (a failed commit leaves
 * the target as it was and removes the temporary file then). */
void
lh_atomic_file_commit_async (LhAtomicFile        *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (self != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, lh_atomic_file_commit_async);
  g_task_set_task_data (task, self, NULL);
  g_task_run_in_thread (task, commit_in_thread);
}

gboolean
lh_atomic_file_commit_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Frees self; unless it was committed, the temporary file is removed and the target
 * stays as it was. */
void
lh_atomic_file_free (LhAtomicFile *self)
{
  if (self == NULL)
    return;
  g_clear_object (&self->stream);
  if (self->fd >= 0)
    close (self->fd);
  if (!self->committed)
    g_unlink (self->temp_path);
  g_free (self->path);
  g_free (self->temp_path);
  g_free (self);
}
