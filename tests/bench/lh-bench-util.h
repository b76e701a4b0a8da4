/* lh-bench-util.h — what the benchmark programs share: dying with a message, and waiting
 * for an asynchronous call in a loop of their own. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

G_NORETURN void lh_bench_die             (const char    *format,
                                          ...) G_GNUC_PRINTF (1, 2);
void            lh_bench_store_result_cb (GObject       *object,
                                          GAsyncResult  *result,
                                          gpointer       user_data);
GAsyncResult   *lh_bench_wait_for_result (GAsyncResult **slot);
double          lh_bench_peak_memory_mb  (void);

G_END_DECLS
