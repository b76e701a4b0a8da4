/* lh-bench-util.c — what the benchmark programs share. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "lh-bench-util.h"

/* Prints "PROGRAM: message" and exits with status 1: a benchmark that cannot measure
 * says why and counts as failed. */
G_NORETURN void
lh_bench_die (const char *format,
              ...)
{
  va_list args;
  g_autofree char *message = NULL;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("%s: %s\n", g_get_prgname () != NULL ? g_get_prgname () : "bench", message);
  exit (1);
}

/* Keeps the result of an asynchronous call in the GAsyncResult * that user_data points at. */
void
lh_bench_store_result_cb (GObject      *object,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

GAsyncResult *
lh_bench_wait_for_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

/* The kernel's high-water mark of this process's resident memory. */
double
lh_bench_peak_memory_mb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL) ||
      (line = strstr (status, "\nVmHWM:")) == NULL)
    lh_bench_die ("no VmHWM in /proc/self/status");
  return g_ascii_strtod (line + strlen ("\nVmHWM:"), NULL) / 1024.0;
}
