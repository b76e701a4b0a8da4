/* lh-test-server.h — the protocol servers of tests/servers (Node, over real engines)
 * started for a test: on a free port of 127.0.0.1, with faults queued and requests
 * counted through their control endpoints, stopped at the end. */
#pragma once

#include <json-glib/json-glib.h>

#include "lh-core.h"

G_BEGIN_DECLS

typedef struct _LhTestServer LhTestServer;

/* A fault to queue (the "faults" JSON array of tests/servers/README.md), the error it
 * must give, and words its message must hold. */
typedef struct
{
  const char        *faults;
  LhConnectionError  code;
  const char        *words;
} LhTestFault;

LhTestServer *lh_test_server_start          (const char   *script,
                                             ...) G_GNUC_NULL_TERMINATED;
guint         lh_test_server_get_port       (LhTestServer *self);
char         *lh_test_server_url            (LhTestServer *self,
                                             const char   *path);
void          lh_test_server_fault          (LhTestServer *self,
                                             const char   *faults_json);
void          lh_test_server_clear_faults   (LhTestServer *self);
JsonArray    *lh_test_server_requests       (LhTestServer *self);
guint         lh_test_server_count_requests (LhTestServer *self,
                                             const char   *path_prefix);
void          lh_test_server_clear_requests (LhTestServer *self);
void          lh_test_server_stop           (LhTestServer *self);
void          lh_test_server_check_faults   (LhTestServer      *self,
                                             LhConnection      *connection,
                                             const char        *sql,
                                             const LhTestFault *faults,
                                             guint              n_faults,
                                             const char        *secret);
void          lh_test_check_browse_and_edit (LhConnection *connection);
void          lh_test_check_paged_query     (LhConnection *connection);
void          lh_test_run_node_check        (const char   *script,
                                             ...) G_GNUC_NULL_TERMINATED;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LhTestServer, lh_test_server_stop)

G_END_DECLS
