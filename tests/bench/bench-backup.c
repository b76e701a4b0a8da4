/* bench-backup.c — Back Up Now as a benchmark: an EXACT backup (the online backup API, no
 * gzip) of the benchmark database through LhBackupCatalog, into the Litehouse data folder
 * that XDG_DATA_HOME names (build-aux/bench points it at a scratch folder on the disk its
 * peers write to). `bench-backup backup DB` takes one backup in a process of its own and
 * prints, on one line, the ms from lh_backup_catalog_create_async() to the copy written
 * (its progress at its total: what cp does), the ms to its result (the copy written,
 * synced, checked and listed) and the process's peak resident memory in MB; notes on the
 * run go to standard error. Its peers, cp and the sqlite3 CLI's .backup, are run by
 * `bench-table-pager peer`, so that all sides are timed by the same clock. */
#include "config.h"

#include "lh-backup-catalog.h"
#include "lh-bench-util.h"

/* The time at which the copy's progress reached its total, once. */
static void
copy_progress_cb (goffset  current,
                  goffset  total,
                  gpointer user_data)
{
  gint64 *copied = user_data;

  if (*copied == 0 && total > 0 && current == total)
    *copied = g_get_monotonic_time ();
}

static int
measure_backup (const char *path)
{
  g_autoptr(LhBackupCatalog) catalog = lh_backup_catalog_new (path);
  g_autoptr(GAsyncResult) created = NULL;
  g_autoptr(LhBackup) backup = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *size = NULL;
  gint64 start, copied = 0;
  double elapsed, copy_elapsed, peak;

  start = g_get_monotonic_time ();
  lh_backup_catalog_create_async (catalog, LH_BACKUP_EXACT, LH_BACKUP_FLAGS_NONE, NULL, NULL,
                                  copy_progress_cb, &copied, lh_bench_store_result_cb, &created);
  backup = lh_backup_catalog_create_finish (catalog, lh_bench_wait_for_result (&created),
                                            &error);
  elapsed = (g_get_monotonic_time () - start) / 1000.0;
  if (backup == NULL)
    lh_bench_die ("%s", error->message);
  if (copied == 0)
    lh_bench_die ("the backup's progress never reached its total");
  copy_elapsed = (copied - start) / 1000.0;

  peak = lh_bench_peak_memory_mb ();
  size = g_format_size (lh_backup_get_size (backup));
  g_printerr ("backup: %s into %s, written in %.1f ms, listed in %.1f ms; peak %.0f MB\n", size,
              lh_backup_get_path (backup), copy_elapsed, elapsed, peak);
  g_print ("%.3f %.3f %.1f\n", copy_elapsed, elapsed, peak);
  return 0;
}

int
main (int    argc,
      char **argv)
{
  g_set_prgname ("bench-backup");
  if (argc == 3 && g_str_equal (argv[1], "backup"))
    return measure_backup (argv[2]);

  g_printerr ("usage: bench-backup backup DB\n");
  return 2;
}
