/* test-atomic-file.c — LhAtomicFile puts the new contents in the target's place only on
 * commit: until then, and after a free without commit, the target is as it was and no
 * temporary file is left; a folder that cannot be written or is missing, and a target
 * that is a folder, give errors that name the file. */
#include "config.h"

#include <glib/gstdio.h>
#include <sys/stat.h>

#include "lh-test-util.h"

static LhAtomicFile *
open_atomic (const char  *path,
             GError     **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GAsyncResult) result = NULL;

  lh_atomic_file_new_async (file, NULL, lh_test_store_result_cb, &result);
  lh_test_wait_for_result (&result);
  return lh_atomic_file_new_finish (result, error);
}

static gboolean
commit (LhAtomicFile  *atomic,
        GError       **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  lh_atomic_file_commit_async (atomic, NULL, lh_test_store_result_cb, &result);
  lh_test_wait_for_result (&result);
  return lh_atomic_file_commit_finish (result, error);
}

static guint
count_entries (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  guint n = 0;

  while (g_dir_read_name (handle) != NULL)
    n++;
  return n;
}

static void
assert_text (const char *path,
             const char *expected)
{
  g_autofree char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, expected);
}

static void
test_commit_and_abandon (void)
{
  g_autofree char *dir = lh_test_make_dir ();
  g_autofree char *path = g_build_filename (dir, "out.txt", NULL);
  g_autoptr(GError) error = NULL;
  LhAtomicFile *atomic;
  GStatBuf st;

  umask (022);
  /* A new file, with the mode the umask gives (not mkstemp()'s private one). */
  atomic = open_atomic (path, &error);
  g_assert_no_error (error);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_true (g_output_stream_write_all (lh_atomic_file_get_stream (atomic), "first\n", 6,
                                            NULL, NULL, &error));
  g_assert_true (commit (atomic, &error));
  g_assert_no_error (error);
  lh_atomic_file_free (atomic);
  assert_text (path, "first\n");
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0644);
  g_assert_cmpuint (count_entries (dir), ==, 1);

  /* Written, not committed: the old contents stay, the temporary file goes. */
  atomic = open_atomic (path, &error);
  g_assert_no_error (error);
  g_assert_true (g_output_stream_write_all (lh_atomic_file_get_stream (atomic), "second", 6,
                                            NULL, NULL, &error));
  g_assert_true (g_file_test (lh_atomic_file_get_temp_path (atomic), G_FILE_TEST_EXISTS));
  assert_text (path, "first\n");
  lh_atomic_file_free (atomic);
  assert_text (path, "first\n");
  g_assert_cmpuint (count_entries (dir), ==, 1);

  /* Committed: replaced whole. */
  atomic = open_atomic (path, &error);
  g_assert_true (g_output_stream_write_all (lh_atomic_file_get_stream (atomic), "third\n", 6,
                                            NULL, NULL, &error));
  g_assert_true (commit (atomic, &error));
  lh_atomic_file_free (atomic);
  assert_text (path, "third\n");
  g_assert_cmpuint (count_entries (dir), ==, 1);

  /* A file replaced keeps its mode; a new one gets what this umask leaves. */
  g_assert_cmpint (g_chmod (path, 0600), ==, 0);
  atomic = open_atomic (path, &error);
  g_assert_true (commit (atomic, &error));
  lh_atomic_file_free (atomic);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (g_unlink (path), ==, 0);
  umask (027);
  atomic = open_atomic (path, &error);
  g_assert_true (commit (atomic, &error));
  lh_atomic_file_free (atomic);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0640);
  umask (022);

  lh_test_remove_dir (dir);
}

static void
test_errors (void)
{
  g_autofree char *dir = lh_test_make_dir ();
  g_autofree char *locked = g_build_filename (dir, "locked", NULL);
  g_autofree char *inside = g_build_filename (locked, "out.txt", NULL);
  g_autoptr(GError) error = NULL;
  LhAtomicFile *atomic;

  /* The target is a folder. */
  atomic = open_atomic (dir, &error);
  g_assert_null (atomic);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY);
  g_clear_error (&error);

  /* A folder that does not exist. */
  atomic = open_atomic (inside, &error);
  g_assert_null (atomic);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "out.txt"));
  g_clear_error (&error);

  /* A folder that cannot be written (root may write anywhere: then it is skipped). */
  g_assert_cmpint (g_mkdir (locked, 0555), ==, 0);
  atomic = open_atomic (inside, &error);
  if (atomic == NULL)
    {
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED);
      g_assert_nonnull (strstr (error->message, "out.txt"));
    }
  lh_atomic_file_free (atomic);
  g_clear_error (&error);

  g_chmod (locked, 0755);
  lh_test_remove_dir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/atomic-file/commit-and-abandon", test_commit_and_abandon);
  g_test_add_func ("/atomic-file/errors", test_errors);
  return g_test_run ();
}
