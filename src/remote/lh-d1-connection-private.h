/* lh-d1-connection-private.h — what D1's other endpoints (lh-d1-admin.c) share with the
 * connection: its HTTP client, token and URLs, and the reading of Cloudflare's envelope. */
#pragma once

#include <json-glib/json-glib.h>

#include "lh-d1-connection.h"

G_BEGIN_DECLS

LhHttpClient *lh_d1_connection_get_http     (LhD1Connection *self);
const char   *lh_d1_connection_get_token    (LhD1Connection *self);
char         *lh_d1_connection_dup_url      (LhD1Connection *self,
                                             const char     *suffix);
JsonNode     *lh_d1_read_envelope           (LhHttpResponse *response,
                                             const char     *sql,
                                             GError        **error);

G_END_DECLS
