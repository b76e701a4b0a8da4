/* lh-thread-util.c — see lh-thread-util-private.h. */
#include "config.h"

#include "lh-thread-util-private.h"

void
lh_store_result_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      slot)
{
  *(GAsyncResult **) slot = g_object_ref (result);
}

GAsyncResult *
lh_wait_for_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (g_main_context_get_thread_default (), TRUE);
  return *slot;
}

typedef struct
{
  GFileProgressCallback callback;
  gpointer              data;
  goffset               current;
  goffset               total;
} ProgressReport;

static gboolean
progress_report_cb (gpointer data)
{
  ProgressReport *report = data;

  report->callback (report->current, report->total, report->data);
  return G_SOURCE_REMOVE;
}

void
lh_report_progress (GMainContext          *context,
                    GFileProgressCallback  callback,
                    gpointer               data,
                    goffset                current,
                    goffset                total)
{
  ProgressReport *report = g_new (ProgressReport, 1);

  *report = (ProgressReport) { callback, data, current, total };
  g_main_context_invoke_full (context, G_PRIORITY_DEFAULT, progress_report_cb, report, g_free);
}
