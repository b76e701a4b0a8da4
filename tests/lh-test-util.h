/* lh-test-util.h — what every test needs: a temporary folder, a database made from SQL,
 * a file's checksum, and the async core APIs waited for on the main context. */
#pragma once

#include "lh-core.h"

G_BEGIN_DECLS

char              *lh_test_make_dir       (void);
void               lh_test_remove_dir     (const char    *path);
void               lh_test_make_db        (const char    *path,
                                           const char    *sql);
char              *lh_test_checksum       (const char    *path);
LhLocalConnection *lh_test_open           (const char    *path,
                                           LhLocalOpenFlags flags,
                                           guint          busy_timeout_ms,
                                           GError       **error);
LhResultSet       *lh_test_execute        (LhConnection  *connection,
                                           const char    *sql,
                                           GPtrArray     *params,
                                           GCancellable  *cancellable,
                                           GError       **error);
LhResultSet       *lh_test_execute_limited (LhConnection *connection,
                                           const char    *sql,
                                           guint          max_rows,
                                           GError       **error);
GPtrArray         *lh_test_run_script     (LhConnection  *connection,
                                           const char    *text,
                                           GCancellable  *cancellable);
GPtrArray         *lh_test_run_script_object (LhConnection *connection,
                                              LhScript     *script);
GSubprocess       *lh_test_lock_db        (const char    *path,
                                           const char    *mode);
void               lh_test_unlock_db      (GSubprocess   *locker);
LhSchema          *lh_test_load_schema    (LhConnection  *connection);
LhTablePager      *lh_test_new_pager      (LhConnection  *connection,
                                           const char    *name);
void               lh_test_pager_wait     (LhTablePager  *pager);
LhPagerRow        *lh_test_pager_row      (LhTablePager  *pager,
                                           guint          position);
GPtrArray         *lh_test_batch          (LhConnection  *connection,
                                           GPtrArray     *statements,
                                           LhBatchFlags   flags,
                                           GError       **error);
char              *lh_test_query_text     (const char    *path,
                                           const char    *sql);
gboolean           lh_test_apply_edits    (LhEditSet     *edits,
                                           GError       **error);
void               lh_test_store_result_cb (GObject     *object,
                                            GAsyncResult *result,
                                            gpointer      user_data);
GAsyncResult      *lh_test_wait_for_result (GAsyncResult **slot);
GPtrArray         *lh_test_statements     (const char    *first,
                                           ...) G_GNUC_NULL_TERMINATED;
void               lh_test_run_ok         (LhConnection  *connection,
                                           const char    *sql);
gint64             lh_test_query_integer  (LhConnection  *connection,
                                           const char    *sql);
void               lh_test_close          (LhConnection **connection);
gboolean           lh_test_wait_until     (gboolean     (*done) (gpointer),
                                           gpointer       data,
                                           guint          timeout_ms);
void               lh_test_append_rows    (GString       *text,
                                           LhConnection  *connection,
                                           const char    *sql);
char              *lh_test_dump           (LhConnection  *connection);
void               lh_test_query_pager_wait_counted (LhQueryPager *pager);
void               lh_test_query_pager_wait_row (LhQueryPager *pager,
                                           guint          position);
gint64             lh_test_query_pager_integer (LhQueryPager *pager,
                                           guint          position,
                                           guint          column);

G_END_DECLS
