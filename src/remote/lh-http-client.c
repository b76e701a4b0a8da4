/* lh-http-client.c — LhHttpClient: a curl multi handle with one easy handle, driven on a
 * GTask thread one request at a time (the lock), so that connections and TLS sessions are
 * reused. curl_multi_poll() waits for the socket; a cancel wakes it with
 * curl_multi_wakeup(), so that Cancel does not wait for libcurl's next progress tick. */
#include "config.h"

#include <curl/curl.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gi18n-lib.h>

#include "lh-error.h"
#include "lh-http-client.h"

/* How often a streaming transfer's progress is told, at most. */
#define PROGRESS_INTERVAL_USEC (G_USEC_PER_SEC / 10)
/* Retry-After or backoff longer than this is not waited for: the 429 goes to the user. */
#define MAX_RETRY_WAIT_SECONDS 30
#define FIRST_BACKOFF_MS       250
#define DEFAULT_MAX_RETRIES    3

struct _LhHttpClient
{
  GObject parent_instance;

  /* owned; used under lock, on one request's thread at a time */
  GMutex  lock;
  CURLM  *multi;
  CURL   *easy;

  /* settings */
  guint connect_ms;
  guint total_ms;
  gsize max_response;
  guint max_retries;
};

typedef struct
{
  char        *method;
  char        *url;
  char        *token;
  GBytes      *body;
  LhHttpFlags  flags;
  /* a streaming transfer (lh_http_client_transfer_async()); otherwise -1 and NULL */
  int          upload_fd;
  char        *content_type;
  int          download_fd;
  GFileProgressCallback progress;
  gpointer     progress_data;
  gint64       progress_at;   /* when progress was last called, in monotonic µs */
} Request;

typedef struct
{
  GByteArray *body;
  gsize       max_bytes;
  gboolean    too_big;
  gint64      retry_after;
  /* a download into a file: a 2xx body goes there, any other into body */
  CURL       *easy;
  int         download_fd;
  int         write_errno;
} Transfer;

G_DEFINE_FINAL_TYPE (LhHttpClient, lh_http_client, G_TYPE_OBJECT)

static void
request_free (Request *request)
{
  g_free (request->method);
  g_free (request->url);
  g_free (request->content_type);
  if (request->token != NULL)
    {
      /* Not left lying in freed memory. */
      memset (request->token, 0, strlen (request->token));
      g_free (request->token);
    }
  g_clear_pointer (&request->body, g_bytes_unref);
  g_free (request);
}

void
lh_http_response_free (LhHttpResponse *response)
{
  if (response == NULL)
    return;
  g_clear_pointer (&response->body, g_bytes_unref);
  g_free (response);
}

static void
lh_http_client_finalize (GObject *object)
{
  LhHttpClient *self = LH_HTTP_CLIENT (object);

  if (self->multi != NULL && self->easy != NULL)
    curl_multi_remove_handle (self->multi, self->easy);
  g_clear_pointer (&self->easy, curl_easy_cleanup);
  g_clear_pointer (&self->multi, curl_multi_cleanup);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (lh_http_client_parent_class)->finalize (object);
}

static void
lh_http_client_class_init (LhHttpClientClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lh_http_client_finalize;
  curl_global_init (CURL_GLOBAL_DEFAULT);
}

static void
lh_http_client_init (LhHttpClient *self)
{
  g_mutex_init (&self->lock);
  self->connect_ms = LH_HTTP_DEFAULT_CONNECT_TIMEOUT_MS;
  self->total_ms = LH_HTTP_DEFAULT_TIMEOUT_MS;
  self->max_response = LH_HTTP_DEFAULT_MAX_RESPONSE;
  self->max_retries = DEFAULT_MAX_RETRIES;
  self->multi = curl_multi_init ();
  self->easy = curl_easy_init ();
}

LhHttpClient *
lh_http_client_new (void)
{
  return g_object_new (LH_TYPE_HTTP_CLIENT, NULL);
}

/* How long to wait for the connection, and for the whole answer. */
void
lh_http_client_set_timeouts (LhHttpClient *self,
                             guint         connect_ms,
                             guint         total_ms)
{
  g_return_if_fail (LH_IS_HTTP_CLIENT (self));
  g_mutex_lock (&self->lock);
  self->connect_ms = connect_ms;
  self->total_ms = total_ms;
  g_mutex_unlock (&self->lock);
}

/* An answer bigger than this is an error rather than memory without end. */
void
lh_http_client_set_max_response (LhHttpClient *self,
                                 gsize         max_bytes)
{
  g_return_if_fail (LH_IS_HTTP_CLIENT (self));
  g_mutex_lock (&self->lock);
  self->max_response = max_bytes;
  g_mutex_unlock (&self->lock);
}

void
lh_http_client_set_max_retries (LhHttpClient *self,
                                guint         max_retries)
{
  g_return_if_fail (LH_IS_HTTP_CLIENT (self));
  g_mutex_lock (&self->lock);
  self->max_retries = max_retries;
  g_mutex_unlock (&self->lock);
}

/* URLs */

static gboolean
host_is_loopback (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;

  if (host == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;
  /* GUri keeps the brackets of an IPv6 literal. */
  if (host[0] == '[')
    {
      g_autofree char *bare = g_strndup (host + 1, strlen (host) - 2);

      address = g_inet_address_new_from_string (bare);
    }
  else
    address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

gboolean
lh_http_url_is_loopback (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);

  return uri != NULL && host_is_loopback (g_uri_get_host (uri));
}

/* https anywhere; plain http only to this machine, where nothing crosses a network. */
gboolean
lh_http_check_url (const char  *url,
                   GError     **error)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  const char *scheme;

  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      g_set_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_FAILED,
                   _("“%s” is not a web address."), url);
      return FALSE;
    }
  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "https") == 0)
    return TRUE;
  if (g_ascii_strcasecmp (scheme, "http") == 0 && host_is_loopback (g_uri_get_host (uri)))
    return TRUE;
  if (g_ascii_strcasecmp (scheme, "http") == 0)
    g_set_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_TLS,
                 _("Plain http is only used for this computer; use https for “%s”."),
                 g_uri_get_host (uri));
  else
    g_set_error (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_FAILED,
                 _("Addresses starting with “%s:” are not supported."), scheme);
  return FALSE;
}

static char *
dup_host (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);

  return g_strdup (uri != NULL && g_uri_get_host (uri) != NULL ? g_uri_get_host (uri) : url);
}

/* Transfers (on the request's thread) */

static size_t
write_cb (char   *data,
          size_t  size,
          size_t  n,
          void   *user_data)
{
  Transfer *transfer = user_data;
  gsize length = size * n;
  long status = 0;

  if (transfer->download_fd >= 0)
    curl_easy_getinfo (transfer->easy, CURLINFO_RESPONSE_CODE, &status);
  if (status >= 200 && status < 300)
    {
      for (gsize done = 0; done < length;)
        {
          ssize_t written = write (transfer->download_fd, data + done, length - done);

          if (written < 0 && errno == EINTR)
            continue;
          if (written < 0)
            {
              transfer->write_errno = errno;
              return 0;
            }
          done += (gsize) written;
        }
      return length;
    }
  if (transfer->body->len + length > transfer->max_bytes)
    {
      transfer->too_big = TRUE;
      return 0;
    }
  g_byte_array_append (transfer->body, (const guint8 *) data, length);
  return length;
}

static size_t
header_cb (char   *data,
           size_t  size,
           size_t  n,
           void   *user_data)
{
  Transfer *transfer = user_data;
  gsize length = size * n;
  g_autofree char *line = g_strndup (data, length);

  g_strstrip (line);
  if (g_ascii_strncasecmp (line, "Retry-After:", 12) == 0)
    {
      const char *value = line + 12;
      char *end = NULL;
      gint64 seconds;

      while (g_ascii_isspace (*value))
        value++;
      seconds = g_ascii_strtoll (value, &end, 10);
      if (end != value && *end == '\0' && seconds >= 0)
        transfer->retry_after = seconds;
      else
        {
          /* An HTTP date: the wait is until then. */
          time_t when = curl_getdate (value, NULL);

          if (when > 0)
            transfer->retry_after = MAX ((gint64) when - (gint64) time (NULL), 0);
        }
    }
  return length;
}

static void
wake_cb (GCancellable *cancellable,
         CURLM        *multi)
{
  curl_multi_wakeup (multi);
}

static GError *
transfer_error (CURLcode     code,
                const char  *detail,
                const char  *url,
                Transfer    *transfer,
                LhHttpClient *self)
{
  g_autofree char *host = dup_host (url);

  switch (code)
    {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
      return g_error_new (LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_NETWORK,
                          _("Cannot find the server “%s”: check the address and that this "
                            "computer is online."), host);
    case CURLE_COULDNT_CONNECT:
      return g_error_new (LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_NETWORK,
                          _("Cannot connect to “%s”: the server refused the connection or "
                            "cannot be reached."), host);
    case CURLE_OPERATION_TIMEDOUT:
      return g_error_new (LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_TIMEOUT,
                          _("“%s” did not answer in time (%.0f s)."), host,
                          self->total_ms / 1000.0);
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_USE_SSL_FAILED:
      return g_error_new (LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_TLS,
                          _("The secure connection to “%s” failed: %s"), host, detail);
    case CURLE_WRITE_ERROR:
      if (transfer->write_errno != 0)
        return g_error_new (G_IO_ERROR, g_io_error_from_errno (transfer->write_errno),
                            _("The download from “%s” could not be saved: %s"), host,
                            g_strerror (transfer->write_errno));
      if (transfer->too_big)
        return g_error_new (LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_PROTOCOL,
                            _("The answer from “%s” is larger than %" G_GSIZE_FORMAT " MB."),
                            host, transfer->max_bytes / (1024 * 1024));
      break;
    case CURLE_GOT_NOTHING:
      return g_error_new (LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_NETWORK,
                          _("“%s” closed the connection without answering."), host);
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return g_error_new (LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_NETWORK,
                          _("The connection to “%s” broke off before the whole answer came."),
                          host);
    default:
      break;
    }
  return g_error_new (LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_FAILED,
                      _("The request to “%s” failed: %s"), host, detail);
}

static GError *
cancelled_error (void)
{
  return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("The request was cancelled."));
}

/* Runs one transfer on the multi handle until it ends or is cancelled. */
static CURLcode
run_transfer (LhHttpClient *self,
              GCancellable *cancellable,
              gboolean     *cancelled)
{
  CURLcode result = CURLE_OK;
  gulong handler = 0;
  int running = 1;

  curl_multi_add_handle (self->multi, self->easy);
  if (cancellable != NULL)
    handler = g_cancellable_connect (cancellable, G_CALLBACK (wake_cb), self->multi, NULL);

  while (running > 0)
    {
      CURLMcode mc = curl_multi_perform (self->multi, &running);

      if (mc == CURLM_OK && running > 0)
        mc = curl_multi_poll (self->multi, NULL, 0, 1000, NULL);
      if (mc != CURLM_OK)
        {
          result = CURLE_FAILED_INIT;
          break;
        }
      if (g_cancellable_is_cancelled (cancellable))
        {
          *cancelled = TRUE;
          break;
        }
    }
  if (running == 0)
    {
      CURLMsg *msg;
      int left;

      while ((msg = curl_multi_info_read (self->multi, &left)) != NULL)
        if (msg->msg == CURLMSG_DONE && msg->easy_handle == self->easy)
          result = msg->data.result;
    }

  if (handler != 0)
    g_cancellable_disconnect (cancellable, handler);
  curl_multi_remove_handle (self->multi, self->easy);
  return result;
}

static size_t
read_cb (char   *buffer,
         size_t  size,
         size_t  n,
         void   *user_data)
{
  int fd = GPOINTER_TO_INT (user_data);
  ssize_t got;

  do
    got = read (fd, buffer, size * n);
  while (got < 0 && errno == EINTR);
  return got < 0 ? CURL_READFUNC_ABORT : (size_t) got;
}

/* libcurl rewinding an upload (a connection found closed, a redirect of the body). */
static int
seek_cb (void       *user_data,
         curl_off_t  offset,
         int         origin)
{
  int fd = GPOINTER_TO_INT (user_data);

  return lseek (fd, (off_t) offset, origin) < 0 ? CURL_SEEKFUNC_FAIL : CURL_SEEKFUNC_OK;
}

/* libcurl's progress of a streaming transfer: bytes sent of the file's size while it
 * uploads, then bytes received of the response's length (0 when it gives none). */
static int
xferinfo_cb (void       *user_data,
             curl_off_t  download_total,
             curl_off_t  download_now,
             curl_off_t  upload_total,
             curl_off_t  upload_now)
{
  Request *request = user_data;
  gint64 now = g_get_monotonic_time ();
  goffset current, total;

  if (request->upload_fd >= 0 && upload_now > 0 && upload_now < upload_total)
    current = upload_now, total = upload_total;
  else if (request->download_fd >= 0 && download_now > 0)
    current = download_now, total = MAX (download_total, 0);
  else
    return 0;
  if (now - request->progress_at < PROGRESS_INTERVAL_USEC)
    return 0;
  request->progress_at = now;
  request->progress (current, total, request->progress_data);
  return 0;
}

/* Makes a streaming transfer start from the beginning of its files again. */
static gboolean
rewind_files (Request  *request,
              GError  **error)
{
  int saved_errno;

  if ((request->upload_fd < 0 || lseek (request->upload_fd, 0, SEEK_SET) == 0) &&
      (request->download_fd < 0 || (lseek (request->download_fd, 0, SEEK_SET) == 0 &&
                                    ftruncate (request->download_fd, 0) == 0)))
    return TRUE;
  saved_errno = errno;
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "%s",
               g_strerror (saved_errno));
  return FALSE;
}

static LhHttpResponse *
perform_once (LhHttpClient  *self,
              Request       *request,
              GCancellable  *cancellable,
              GError       **error)
{
  char detail[CURL_ERROR_SIZE] = "";
  struct curl_slist *headers = NULL;
  Transfer transfer = { 0 };
  gboolean cancelled = FALSE;
  LhHttpResponse *response;
  CURLcode code;
  long status = 0;

  transfer.body = g_byte_array_new ();
  transfer.max_bytes = self->max_response;
  transfer.retry_after = -1;
  transfer.easy = self->easy;
  transfer.download_fd = request->download_fd;
  if (!rewind_files (request, error))
    {
      g_byte_array_unref (transfer.body);
      return NULL;
    }

  curl_easy_reset (self->easy);
  curl_easy_setopt (self->easy, CURLOPT_URL, request->url);
  curl_easy_setopt (self->easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt (self->easy, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt (self->easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (self->easy, CURLOPT_ERRORBUFFER, detail);
  curl_easy_setopt (self->easy, CURLOPT_USERAGENT, "Litehouse/" PACKAGE_VERSION);
  curl_easy_setopt (self->easy, CURLOPT_CONNECTTIMEOUT_MS, (long) self->connect_ms);
  if (request->upload_fd >= 0 || request->download_fd >= 0)
    {
      /* However long a large file takes, but not a stalled one. */
      curl_easy_setopt (self->easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
      curl_easy_setopt (self->easy, CURLOPT_LOW_SPEED_TIME, (long) MAX (self->total_ms / 1000, 1));
    }
  else
    curl_easy_setopt (self->easy, CURLOPT_TIMEOUT_MS, (long) self->total_ms);
  curl_easy_setopt (self->easy, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt (self->easy, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt (self->easy, CURLOPT_HTTP_VERSION, (long) CURL_HTTP_VERSION_2TLS);
  curl_easy_setopt (self->easy, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt (self->easy, CURLOPT_WRITEFUNCTION, write_cb);
  curl_easy_setopt (self->easy, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt (self->easy, CURLOPT_HEADERFUNCTION, header_cb);
  curl_easy_setopt (self->easy, CURLOPT_HEADERDATA, &transfer);
  /* A proxy from the environment is for the network, not for this computer. */
  if (lh_http_url_is_loopback (request->url))
    curl_easy_setopt (self->easy, CURLOPT_PROXY, "");

  headers = curl_slist_append (headers, "Accept: application/json");
  if (request->token != NULL)
    {
      g_autofree char *authorization = g_strconcat ("Authorization: Bearer ", request->token, NULL);

      headers = curl_slist_append (headers, authorization);
      memset (authorization, 0, strlen (authorization));
    }
  if (request->upload_fd >= 0)
    {
      g_autofree char *content_type = g_strconcat ("Content-Type: ", request->content_type, NULL);
      struct stat info;

      headers = curl_slist_append (headers, content_type);
      curl_easy_setopt (self->easy, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt (self->easy, CURLOPT_READFUNCTION, read_cb);
      curl_easy_setopt (self->easy, CURLOPT_READDATA, GINT_TO_POINTER (request->upload_fd));
      curl_easy_setopt (self->easy, CURLOPT_SEEKFUNCTION, seek_cb);
      curl_easy_setopt (self->easy, CURLOPT_SEEKDATA, GINT_TO_POINTER (request->upload_fd));
      if (fstat (request->upload_fd, &info) == 0)
        curl_easy_setopt (self->easy, CURLOPT_INFILESIZE_LARGE, (curl_off_t) info.st_size);
    }
  else if (request->body != NULL)
    {
      gsize size;
      gconstpointer data = g_bytes_get_data (request->body, &size);

      headers = curl_slist_append (headers, "Content-Type: application/json");
      curl_easy_setopt (self->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) size);
      curl_easy_setopt (self->easy, CURLOPT_POSTFIELDS, data);
    }
  if (request->progress != NULL)
    {
      curl_easy_setopt (self->easy, CURLOPT_NOPROGRESS, 0L);
      curl_easy_setopt (self->easy, CURLOPT_XFERINFOFUNCTION, xferinfo_cb);
      curl_easy_setopt (self->easy, CURLOPT_XFERINFODATA, request);
    }
  if (g_ascii_strcasecmp (request->method, "GET") == 0)
    curl_easy_setopt (self->easy, CURLOPT_HTTPGET, 1L);
  else if (g_ascii_strcasecmp (request->method, "POST") != 0 || request->body == NULL ||
           request->upload_fd >= 0)
    curl_easy_setopt (self->easy, CURLOPT_CUSTOMREQUEST, request->method);
  curl_easy_setopt (self->easy, CURLOPT_HTTPHEADER, headers);

  code = run_transfer (self, cancellable, &cancelled);
  curl_easy_getinfo (self->easy, CURLINFO_RESPONSE_CODE, &status);
  /* The token is in the handle's headers until they are freed. */
  curl_easy_setopt (self->easy, CURLOPT_HTTPHEADER, NULL);
  curl_slist_free_all (headers);

  if (cancelled)
    {
      g_byte_array_unref (transfer.body);
      g_propagate_error (error, cancelled_error ());
      return NULL;
    }
  if (code != CURLE_OK)
    {
      GError *failure = transfer_error (code, *detail != '\0' ? detail : curl_easy_strerror (code),
                                        request->url, &transfer, self);

      /* The request went out, its answer did not come back: a write may have happened. */
      if (!(request->flags & LH_HTTP_READ) &&
          (code == CURLE_OPERATION_TIMEDOUT || code == CURLE_PARTIAL_FILE ||
           code == CURLE_RECV_ERROR || code == CURLE_GOT_NOTHING || code == CURLE_HTTP2_STREAM))
        {
          g_autofree char *message = g_strdup_printf ("%s %s", failure->message,
                                                      _("The server may have run the request all the same."));

          g_free (failure->message);
          failure->message = g_steal_pointer (&message);
        }
      g_propagate_error (error, failure);
      g_byte_array_unref (transfer.body);
      return NULL;
    }

  response = g_new0 (LhHttpResponse, 1);
  response->status = (guint) status;
  response->retry_after = transfer.retry_after;
  response->body = g_byte_array_free_to_bytes (transfer.body);
  return response;
}

/* Sleeps ms, or less when cancellable is cancelled meanwhile. */
static void
sleep_cancellable (guint         ms,
                   GCancellable *cancellable)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < end && !g_cancellable_is_cancelled (cancellable))
    g_usleep (MIN (20000, MAX (end - g_get_monotonic_time (), 0)));
}

static void
request_in_thread (GTask        *task,
                   gpointer      source,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  LhHttpClient *self = source;
  Request *request = task_data;
  LhHttpResponse *response = NULL;
  GError *error = NULL;

  g_mutex_lock (&self->lock);
  for (guint attempt = 1;; attempt++)
    {
      guint wait_ms;

      response = perform_once (self, request, cancellable, &error);
      if (response == NULL)
        break;
      response->attempts = attempt;
      if (!(request->flags & LH_HTTP_READ) || (response->status != 429 && response->status != 503) ||
          attempt > self->max_retries)
        break;
      wait_ms = response->retry_after >= 0
        ? (guint) MIN (response->retry_after, (gint64) MAX_RETRY_WAIT_SECONDS + 1) * 1000
        : FIRST_BACKOFF_MS * (1u << (attempt - 1)) + g_random_int_range (0, FIRST_BACKOFF_MS);
      if (wait_ms > MAX_RETRY_WAIT_SECONDS * 1000)
        break;
      sleep_cancellable (wait_ms, cancellable);
      if (g_cancellable_is_cancelled (cancellable))
        {
          g_clear_pointer (&response, lh_http_response_free);
          error = cancelled_error ();
          break;
        }
      g_clear_pointer (&response, lh_http_response_free);
    }
  g_mutex_unlock (&self->lock);

  if (response == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, response, (GDestroyNotify) lh_http_response_free);
}

/* Sends method to url, with json_body (or none) and token as a bearer token (or none).
 * The response comes whatever its status; an error means no response: the network,
 * a timeout, TLS, a cut-off answer, or a cancel. Requests of one client go one at a time
 * (not always in the order they were made: a caller that needs an order waits for each). */
void
lh_http_client_request_async (LhHttpClient        *self,
                              const char          *method,
                              const char          *url,
                              const char          *token,
                              GBytes              *json_body,
                              LhHttpFlags          flags,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  Request *request;

  g_return_if_fail (LH_IS_HTTP_CLIENT (self));
  g_return_if_fail (method != NULL && url != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lh_http_client_request_async);
  g_task_set_check_cancellable (task, FALSE);
  if (!lh_http_check_url (url, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  request = g_new0 (Request, 1);
  request->method = g_strdup (method);
  request->url = g_strdup (url);
  request->token = g_strdup (token);
  request->body = json_body != NULL ? g_bytes_ref (json_body) : NULL;
  request->flags = flags;
  request->upload_fd = -1;
  request->download_fd = -1;
  g_task_set_task_data (task, request, (GDestroyNotify) request_free);
  g_task_run_in_thread (task, request_in_thread);
}

/* As lh_http_client_request_async(), streaming files: the request's body is read from
 * upload_fd (an open file, read from its start; -1: none), sent as content_type, and a 2xx
 * response's body is written into download_fd (an open file, emptied first; -1: kept in the
 * response as usual; any other status's body is kept in the response whatever). No limit
 * on the time such a transfer takes, only on a stall longer than the client's timeout.
 * Both descriptors stay the caller's, open until the callback. progress (or NULL) is
 * called on the transfer's own thread, a few times a second: bytes sent of the upload's
 * size, then bytes received of the download's (0 when the server did not say). */
void
lh_http_client_transfer_async (LhHttpClient        *self,
                               const char          *method,
                               const char          *url,
                               const char          *token,
                               int                  upload_fd,
                               const char          *content_type,
                               int                  download_fd,
                               LhHttpFlags          flags,
                               GCancellable        *cancellable,
                               GFileProgressCallback progress,
                               gpointer             progress_data,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  Request *request;

  g_return_if_fail (LH_IS_HTTP_CLIENT (self));
  g_return_if_fail (method != NULL && url != NULL);
  g_return_if_fail (upload_fd < 0 || content_type != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lh_http_client_request_async);
  g_task_set_check_cancellable (task, FALSE);
  if (!lh_http_check_url (url, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  request = g_new0 (Request, 1);
  request->method = g_strdup (method);
  request->url = g_strdup (url);
  request->token = g_strdup (token);
  request->flags = flags;
  request->upload_fd = upload_fd;
  request->content_type = g_strdup (content_type);
  request->download_fd = download_fd;
  request->progress = progress;
  request->progress_data = progress_data;
  g_task_set_task_data (task, request, (GDestroyNotify) request_free);
  g_task_run_in_thread (task, request_in_thread);
}

LhHttpResponse *
lh_http_client_request_finish (LhHttpClient  *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* The error for a response whose status is not a success, in the user's words;
 * server_message (what the server said, or NULL) goes after them. */
GError *
lh_http_status_error (const LhHttpResponse *response,
                      const char           *server_message)
{
  g_autofree char *said = server_message != NULL && *server_message != '\0'
    ? g_strdup_printf (" (%s)", server_message) : g_strdup ("");
  guint status = response->status;

  switch (status)
    {
    case 401:
      return g_error_new (LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_UNAUTHORIZED,
                          _("The server did not accept the token: it is missing, wrong or "
                            "expired (401)%s."), said);
    case 403:
      return g_error_new (LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_FORBIDDEN,
                          _("The token is not allowed to do this (403)%s."), said);
    case 404:
      return g_error_new (LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_NOT_FOUND,
                          _("The server has no such database (404)%s."), said);
    case 429:
      if (response->retry_after >= 0)
        return g_error_new (LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_RATE_LIMITED,
                            _("Too many requests: the server asks to wait %lld s before "
                              "trying again (429)%s."), (long long) response->retry_after, said);
      return g_error_new (LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_RATE_LIMITED,
                          _("Too many requests: wait a moment before trying again (429)%s."), said);
    default:
      break;
    }
  if (status >= 500)
    return g_error_new (LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_SERVER,
                        _("The server failed to answer (%u)%s. Try again later."), status, said);
  return g_error_new (LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_FAILED,
                      _("The server refused the request (%u)%s."), status, said);
}
