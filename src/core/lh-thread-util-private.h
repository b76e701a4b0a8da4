/* lh-thread-util-private.h — what the core's jobs that run a sequence of asynchronous
 * calls from a thread of their own share: waiting for each on the thread's default main
 * context, and sending progress back to the caller's. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A GAsyncReadyCallback that keeps a reference to result in *(GAsyncResult **) slot. */
void          lh_store_result_cb   (GObject               *source,
                                    GAsyncResult          *result,
                                    gpointer               slot);
/* Iterates the thread-default main context until *slot is set; returns it. */
GAsyncResult *lh_wait_for_result   (GAsyncResult         **slot);
/* Calls callback (current, total, data) in context, soon. */
void          lh_report_progress   (GMainContext          *context,
                                    GFileProgressCallback  callback,
                                    gpointer               data,
                                    goffset                current,
                                    goffset                total);

G_END_DECLS
