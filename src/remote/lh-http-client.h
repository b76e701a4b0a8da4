/* lh-http-client.h — LhHttpClient: HTTP requests for the remote backends, on one reused
 * libcurl handle per connection (keep-alive, TLS session reuse, HTTP/2 where offered),
 * with timeouts, TLS verification always on (plain http only to loopback), the proxy
 * environment variables, a GCancellable that stops a request within a fraction of a
 * second, and retries with backoff (honouring Retry-After) on 429 and 503 for requests
 * marked as reads only. A bearer token goes in a header and nowhere else. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum /*< flags >*/
{
  LH_HTTP_NONE = 0,
  LH_HTTP_READ = 1 << 0,   /* changes nothing: may be sent again after a 429 or 503 */
} LhHttpFlags;

typedef struct
{
  guint   status;
  GBytes *body;
  gint64  retry_after;     /* seconds the server asked to wait, or -1 */
  guint   attempts;        /* how many times it was sent */
} LhHttpResponse;

#define LH_HTTP_DEFAULT_CONNECT_TIMEOUT_MS 10000
#define LH_HTTP_DEFAULT_TIMEOUT_MS         60000
#define LH_HTTP_DEFAULT_MAX_RESPONSE       (256 * 1024 * 1024)

#define LH_TYPE_HTTP_CLIENT (lh_http_client_get_type ())

G_DECLARE_FINAL_TYPE (LhHttpClient, lh_http_client, LH, HTTP_CLIENT, GObject)

LhHttpClient   *lh_http_client_new            (void);
void            lh_http_client_set_timeouts   (LhHttpClient        *self,
                                               guint                connect_ms,
                                               guint                total_ms);
void            lh_http_client_set_max_response (LhHttpClient      *self,
                                               gsize                max_bytes);
void            lh_http_client_set_max_retries (LhHttpClient       *self,
                                               guint                max_retries);
void            lh_http_client_request_async  (LhHttpClient        *self,
                                               const char          *method,
                                               const char          *url,
                                               const char          *token,
                                               GBytes              *json_body,
                                               LhHttpFlags          flags,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
void            lh_http_client_transfer_async (LhHttpClient        *self,
                                               const char          *method,
                                               const char          *url,
                                               const char          *token,
                                               int                  upload_fd,
                                               const char          *content_type,
                                               int                  download_fd,
                                               LhHttpFlags          flags,
                                               GCancellable        *cancellable,
                                               GFileProgressCallback progress,   /* on the transfer's thread */
                                               gpointer             progress_data,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);   /* finish: lh_http_client_request_finish() */
LhHttpResponse *lh_http_client_request_finish (LhHttpClient        *self,
                                               GAsyncResult        *result,
                                               GError             **error);

void            lh_http_response_free         (LhHttpResponse      *response);
GError         *lh_http_status_error          (const LhHttpResponse *response,
                                               const char          *server_message);
gboolean        lh_http_check_url             (const char          *url,
                                               GError             **error);
gboolean        lh_http_url_is_loopback       (const char          *url);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LhHttpResponse, lh_http_response_free)

G_END_DECLS
