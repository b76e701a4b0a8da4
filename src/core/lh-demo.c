/* lh-demo.c — installs the demo database and its migrations folder into the user's data
 * folder. Every file is copied under a temporary name, synced, then renamed, so that an
 * interrupted first start never leaves a half-copied demo behind. */
#include "config.h"

#include <errno.h>
#include <gio/gfiledescriptorbased.h>
#include <glib/gi18n-lib.h>
#include <unistd.h>

#include "lh-demo.h"

#define DEMO_DB_NAME "litehouse-demo.sqlite"

/* LITEHOUSE_DEMO_DIR points at an uninstalled build's copy (tests, development). */
const char *
lh_demo_get_source_dir (void)
{
  const char *dir = g_getenv ("LITEHOUSE_DEMO_DIR");

  return dir != NULL && *dir != '\0' ? dir : PKGDATADIR "/demo";
}

static gboolean
copy_atomically (GFile         *source,
                 GFile         *target,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autofree char *partial_path = g_strconcat (g_file_peek_path (target), ".partial", NULL);
  g_autoptr(GFile) partial = g_file_new_for_path (partial_path);
  g_autoptr(GFileInputStream) in = NULL;
  g_autoptr(GFileOutputStream) out = NULL;

  in = g_file_read (source, cancellable, error);
  if (in == NULL)
    return FALSE;

  out = g_file_replace (partial, NULL, FALSE,
                        G_FILE_CREATE_PRIVATE | G_FILE_CREATE_REPLACE_DESTINATION,
                        cancellable, error);
  if (out == NULL)
    return FALSE;

  if (g_output_stream_splice (G_OUTPUT_STREAM (out), G_INPUT_STREAM (in),
                              G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE, cancellable, error) < 0 ||
      !g_output_stream_flush (G_OUTPUT_STREAM (out), cancellable, error))
    goto failed;

  if (fsync (g_file_descriptor_based_get_fd (G_FILE_DESCRIPTOR_BASED (out))) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   _("Cannot write “%s”: %s"), partial_path, g_strerror (saved_errno));
      goto failed;
    }

  if (!g_output_stream_close (G_OUTPUT_STREAM (out), cancellable, error) ||
      !g_file_move (partial, target, G_FILE_COPY_OVERWRITE, cancellable, NULL, NULL, error))
    goto failed;
  return TRUE;

failed:
  g_file_delete (partial, NULL, NULL);
  return FALSE;
}

static gboolean
copy_migrations (GFile         *source_dir,
                 GFile         *target_dir,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autoptr(GFileEnumerator) children = NULL;

  if (!g_file_query_exists (source_dir, cancellable))
    return TRUE;
  if (!g_file_make_directory_with_parents (target_dir, cancellable, error))
    {
      if (!g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_EXISTS))
        return FALSE;
      g_clear_error (error);
    }

  children = g_file_enumerate_children (source_dir, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                        G_FILE_QUERY_INFO_NONE, cancellable, error);
  if (children == NULL)
    return FALSE;

  for (;;)
    {
      GFileInfo *info;
      GFile *child;
      g_autoptr(GFile) target = NULL;

      if (!g_file_enumerator_iterate (children, &info, &child, cancellable, error))
        return FALSE;
      if (info == NULL)
        return TRUE;
      target = g_file_get_child (target_dir, g_file_info_get_name (info));
      if (!g_file_query_exists (target, cancellable) &&
          !copy_atomically (child, target, cancellable, error))
        return FALSE;
    }
}

static void
install_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  char **dirs = task_data;
  g_autoptr(GFile) source = g_file_new_build_filename (dirs[0], DEMO_DB_NAME, NULL);
  g_autoptr(GFile) target_dir = g_file_new_for_path (dirs[1]);
  g_autoptr(GFile) target = g_file_get_child (target_dir, DEMO_DB_NAME);
  g_autoptr(GFile) source_migrations = g_file_new_build_filename (dirs[0], "migrations", NULL);
  g_autoptr(GFile) target_migrations = g_file_get_child (target_dir, "migrations");
  GError *error = NULL;

  if (!g_file_query_exists (source, cancellable))
    {
      g_autofree char *path = g_file_get_path (source);

      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                               _("The demo database is missing from this installation "
                                 "(looked for “%s”)."), path);
      return;
    }

  if (g_mkdir_with_parents (dirs[1], 0700) != 0)
    {
      int saved_errno = errno;

      g_task_return_new_error (task, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                               _("Cannot create the folder “%s”: %s"), dirs[1],
                               g_strerror (saved_errno));
      return;
    }

  /* An existing copy is the user's own by now: it may hold their changes. */
  if ((!g_file_query_exists (target, cancellable) &&
       !copy_atomically (source, target, cancellable, &error)) ||
      !copy_migrations (source_migrations, target_migrations, cancellable, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_return_pointer (task, g_file_get_path (target), g_free);
}

/* Where the demo's copy is (or goes) in the user's data folder. */
char *
lh_demo_dup_default_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "litehouse", "demo", DEMO_DB_NAME, NULL);
}

/* Copies the demo into target_dir (the user's data folder when NULL) unless a copy is
 * already there, and gives the path of the copy. */
void
lh_demo_install_async (const char          *source_dir,
                       const char          *target_dir,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  char **dirs = g_new0 (char *, 3);

  dirs[0] = g_strdup (source_dir != NULL ? source_dir : lh_demo_get_source_dir ());
  dirs[1] = target_dir != NULL
    ? g_strdup (target_dir)
    : g_build_filename (g_get_user_data_dir (), "litehouse", "demo", NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, lh_demo_install_async);
  g_task_set_task_data (task, dirs, (GDestroyNotify) g_strfreev);
  g_task_run_in_thread (task, install_thread);
}

char *
lh_demo_install_finish (GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
