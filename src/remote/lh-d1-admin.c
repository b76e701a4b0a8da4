/* lh-d1-admin.c — D1's export, import and Time Travel (see lh-d1-admin.h). Each operation
 * is a sequence of requests run in a GTask thread, which waits for each on a main context
 * of its own; polling waits grow from POLL_FIRST_MS to POLL_MAX_MS. */
#define _POSIX_C_SOURCE 200809L   /* O_CLOEXEC under -std=c11 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "lh-d1-admin.h"
#include "lh-d1-connection-private.h"
#include "lh-error.h"
#include "lh-thread-util-private.h"

#define POLL_FIRST_MS 200
#define POLL_MAX_MS 2000
/* An export or import that has not ended after this many polls has stalled. */
#define MAX_POLLS 900

typedef struct
{
  LhD1Connection        *connection;
  char                  *path;
  char                  *bookmark;
  GDateTime             *time;
  GMainContext          *caller_context;
  GFileProgressCallback  progress;
  gpointer               progress_data;
  char                  *new_bookmark;    /* out, of a restore */
  LhHttpClient          *transfers;       /* the dump's download, the import's upload: a
                                           * client of their own, so that the database's
                                           * queries do not wait for them */
} Job;

static void
job_free (Job *job)
{
  g_clear_object (&job->connection);
  g_free (job->path);
  g_free (job->bookmark);
  g_clear_pointer (&job->time, g_date_time_unref);
  g_clear_pointer (&job->caller_context, g_main_context_unref);
  g_free (job->new_bookmark);
  g_clear_object (&job->transfers);
  g_free (job);
}

static GTask *
job_task_new (LhD1Connection      *self,
              gpointer             source_tag,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data,
              Job                **job)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  *job = g_new0 (Job, 1);
  (*job)->connection = g_object_ref (self);
  (*job)->caller_context = g_main_context_ref_thread_default ();
  (*job)->transfers = lh_http_client_new ();
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, *job, (GDestroyNotify) job_free);
  return task;
}

/* Requests, waited for on the thread's context */

static LhHttpResponse *
wait_response (LhHttpClient  *http,
               GAsyncResult **result,
               GError       **error)
{
  LhHttpResponse *response = lh_http_client_request_finish (http, lh_wait_for_result (result), error);

  g_clear_object (result);
  return response;
}

/* Sends body (a JSON object built by the caller, or NULL) to the database's suffix with
 * the token; the envelope's "result" object, or an error. */
static JsonObject *
call (Job           *job,
      const char    *method,
      const char    *suffix,
      JsonBuilder   *body,
      LhHttpFlags    flags,
      GCancellable  *cancellable,
      JsonNode     **root,
      GError       **error)
{
  LhHttpClient *http = lh_d1_connection_get_http (job->connection);
  g_autofree char *url = lh_d1_connection_dup_url (job->connection, suffix);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(LhHttpResponse) response = NULL;
  GAsyncResult *result = NULL;
  JsonObject *envelope;

  if (body != NULL)
    {
      g_autoptr(JsonNode) node = json_builder_get_root (body);
      char *text = json_to_string (node, FALSE);

      bytes = g_bytes_new_take (text, strlen (text));
    }
  lh_http_client_request_async (http, method, url, lh_d1_connection_get_token (job->connection),
                                bytes, flags, cancellable, lh_store_result_cb, &result);
  response = wait_response (http, &result, error);
  if (response == NULL || (*root = lh_d1_read_envelope (response, NULL, error)) == NULL)
    return NULL;
  envelope = json_node_get_object (*root);
  if (!json_object_has_member (envelope, "result") ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (envelope, "result")))
    {
      g_set_error_literal (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_PROTOCOL,
                           _("The server’s answer has no result."));
      return NULL;
    }
  return json_object_get_object_member (envelope, "result");
}

static const char *
string_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = object != NULL && json_object_has_member (object, name)
    ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_STRING ? json_node_get_string (node) : NULL;
}

/* The error of an export's or import's result that says it failed, or NULL. */
static GError *
process_error (JsonObject *result,
               const char *what)
{
  const char *message = string_member (result, "error");

  if (json_object_get_boolean_member_with_default (result, "success", TRUE) &&
      g_strcmp0 (string_member (result, "status"), "error") != 0)
    return NULL;
  if (message == NULL && json_object_has_member (result, "errors") &&
      JSON_NODE_HOLDS_ARRAY (json_object_get_member (result, "errors")))
    {
      JsonArray *errors = json_object_get_array_member (result, "errors");

      if (json_array_get_length (errors) > 0 &&
          JSON_NODE_HOLDS_VALUE (json_array_get_element (errors, 0)))
        message = json_array_get_string_element (errors, 0);
    }
  return g_error_new (LH_CONNECTION_ERROR,
                      message != NULL && g_str_has_prefix (message, "D1_")
                        ? LH_CONNECTION_ERROR_SQL : LH_CONNECTION_ERROR_FAILED,
                      /* TRANSLATORS: the first %s is "The export" or "The import" */
                      _("%s failed: %s"), what, message != NULL ? message : _("no reason given"));
}

static gboolean
sleep_poll (guint         *wait_ms,
            GCancellable  *cancellable,
            GError       **error)
{
  gint64 end = g_get_monotonic_time () + (gint64) *wait_ms * 1000;

  while (g_get_monotonic_time () < end && !g_cancellable_is_cancelled (cancellable))
    g_usleep (MIN (20000, MAX (end - g_get_monotonic_time (), 0)));
  *wait_ms = MIN (*wait_ms * 2, POLL_MAX_MS);
  return !g_cancellable_set_error_if_cancelled (cancellable, error);
}

static void
report_progress (Job     *job,
                 goffset  current,
                 goffset  total)
{
  if (job->progress != NULL)
    lh_report_progress (job->caller_context, job->progress, job->progress_data, current, total);
}

/* A streaming transfer's progress, from its thread to the caller's context. */
static void
transfer_progress_cb (goffset  current,
                      goffset  total,
                      gpointer user_data)
{
  report_progress (user_data, current, total);
}

static GError *
file_error (int         saved_errno,
            const char *path)
{
  g_autofree char *name = g_filename_display_name (path);

  return g_error_new (G_IO_ERROR, g_io_error_from_errno (saved_errno), _("“%s”: %s"), name,
                      g_strerror (saved_errno));
}

/* Export */

static JsonBuilder *
export_body (const char *bookmark)
{
  JsonBuilder *builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "output_format");
  json_builder_add_string_value (builder, "polling");
  if (bookmark != NULL)
    {
      json_builder_set_member_name (builder, "current_bookmark");
      json_builder_add_string_value (builder, bookmark);
    }
  json_builder_end_object (builder);
  return builder;
}

/* Asks for the export until D1 gives the dump's signed URL. */
static char *
export_url (Job           *job,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autofree char *bookmark = NULL;
  guint wait_ms = POLL_FIRST_MS;

  for (guint poll = 0; poll < MAX_POLLS; poll++)
    {
      g_autoptr(JsonBuilder) body = export_body (bookmark);
      g_autoptr(JsonNode) root = NULL;
      JsonObject *result = call (job, "POST", "/export", body, LH_HTTP_READ, cancellable, &root, error);
      GError *failure;
      JsonObject *done;

      if (result == NULL)
        return NULL;
      if ((failure = process_error (result, _("The export"))) != NULL)
        {
          g_propagate_error (error, failure);
          return NULL;
        }
      done = json_object_has_member (result, "result") &&
             JSON_NODE_HOLDS_OBJECT (json_object_get_member (result, "result"))
        ? json_object_get_object_member (result, "result") : NULL;
      if (g_strcmp0 (string_member (result, "status"), "complete") == 0 &&
          string_member (done, "signed_url") != NULL)
        return g_strdup (string_member (done, "signed_url"));
      if (string_member (result, "at_bookmark") != NULL)
        {
          g_free (bookmark);
          bookmark = g_strdup (string_member (result, "at_bookmark"));
        }
      if (!sleep_poll (&wait_ms, cancellable, error))
        return NULL;
    }
  g_set_error_literal (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_TIMEOUT,
                       _("D1 did not finish the export in time."));
  return NULL;
}

static void
export_in_thread (GTask        *task,
                  gpointer      source,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  Job *job = task_data;
  LhHttpClient *http = job->transfers;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(LhHttpResponse) response = NULL;
  g_autofree char *url = NULL;
  GAsyncResult *result = NULL;
  GError *error = NULL;
  struct stat info;
  int fd;

  g_main_context_push_thread_default (context);
  report_progress (job, 0, 0);
  url = export_url (job, cancellable, &error);
  if (url == NULL)
    goto out;
  fd = g_open (job->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      error = file_error (errno, job->path);
      goto out;
    }
  /* A signed URL carries its own permission: the API token does not go there. */
  lh_http_client_transfer_async (http, "GET", url, NULL, -1, NULL, fd, LH_HTTP_READ, cancellable,
                                 job->progress != NULL ? transfer_progress_cb : NULL, job,
                                 lh_store_result_cb, &result);
  response = wait_response (http, &result, &error);
  if (response != NULL && (response->status < 200 || response->status >= 300))
    {
      g_autoptr(GError) status = lh_http_status_error (response, NULL);

      g_set_error (&error, status->domain, status->code,
                   _("The export’s dump could not be downloaded: %s"), status->message);
    }
  if (error == NULL && fsync (fd) != 0)
    error = file_error (errno, job->path);
  if (error == NULL && fstat (fd, &info) == 0)
    report_progress (job, info.st_size, info.st_size);
  close (fd);

out:
  g_main_context_pop_thread_default (context);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
lh_d1_export_async (LhD1Connection        *self,
                    const char            *path,
                    GCancellable          *cancellable,
                    GFileProgressCallback  progress,
                    gpointer               progress_data,
                    GAsyncReadyCallback    callback,
                    gpointer               user_data)
{
  Job *job;
  g_autoptr(GTask) task = job_task_new (self, lh_d1_export_async, cancellable, callback,
                                        user_data, &job);

  job->path = g_strdup (path);
  job->progress = progress;
  job->progress_data = progress_data;
  g_task_run_in_thread (task, export_in_thread);
}

gboolean
lh_d1_export_finish (GAsyncResult  *result,
                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Import */

static char *
file_md5 (const char    *path,
          GCancellable  *cancellable,
          GError       **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) input = g_file_read (file, cancellable, error);
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_MD5);
  guint8 buffer[64 * 1024];
  gssize got;

  if (input == NULL)
    return NULL;
  while ((got = g_input_stream_read (G_INPUT_STREAM (input), buffer, sizeof buffer, cancellable,
                                     error)) > 0)
    g_checksum_update (checksum, buffer, got);
  return got < 0 ? NULL : g_strdup (g_checksum_get_string (checksum));
}

static JsonBuilder *
import_body (const char *action,
             const char *first_name,
             const char *first_value,
             const char *second_name,
             const char *second_value)
{
  JsonBuilder *builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "action");
  json_builder_add_string_value (builder, action);
  json_builder_set_member_name (builder, first_name);
  json_builder_add_string_value (builder, first_value);
  if (second_name != NULL)
    {
      json_builder_set_member_name (builder, second_name);
      json_builder_add_string_value (builder, second_value);
    }
  json_builder_end_object (builder);
  return builder;
}

static gboolean
upload (Job           *job,
        const char    *url,
        GCancellable  *cancellable,
        GError       **error)
{
  LhHttpClient *http = job->transfers;
  g_autoptr(LhHttpResponse) response = NULL;
  GAsyncResult *result = NULL;
  int fd = g_open (job->path, O_RDONLY | O_CLOEXEC, 0);
  struct stat info;
  gboolean sized;

  if (fd < 0)
    {
      g_propagate_error (error, file_error (errno, job->path));
      return FALSE;
    }
  sized = fstat (fd, &info) == 0;
  if (sized)
    report_progress (job, 0, info.st_size);
  lh_http_client_transfer_async (http, "PUT", url, NULL, fd, "application/sql", -1, LH_HTTP_NONE,
                                 cancellable, job->progress != NULL ? transfer_progress_cb : NULL,
                                 job, lh_store_result_cb, &result);
  response = wait_response (http, &result, error);
  close (fd);
  if (response != NULL && (response->status < 200 || response->status >= 300))
    {
      g_autoptr(GError) status = lh_http_status_error (response, NULL);

      g_set_error (error, status->domain, status->code,
                   _("The file to import could not be uploaded: %s"), status->message);
      return FALSE;
    }
  /* Sent; D1's ingest that follows has no measure. */
  if (response != NULL && sized)
    report_progress (job, info.st_size, info.st_size);
  return response != NULL;
}

static void
import_in_thread (GTask        *task,
                  gpointer      source,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *etag = NULL;
  g_autofree char *bookmark = NULL;
  g_autofree char *final = NULL;
  guint wait_ms = POLL_FIRST_MS;
  GError *error = NULL;
  JsonObject *result = NULL;

  g_main_context_push_thread_default (context);
  etag = file_md5 (job->path, cancellable, &error);
  if (etag != NULL)
    {
      g_autoptr(JsonBuilder) body = import_body ("init", "etag", etag, NULL, NULL);

      result = call (job, "POST", "/import", body, LH_HTTP_NONE, cancellable, &root, &error);
    }
  /* D1 skips the upload of a file it has already (no upload_url: the answer is ingest's). */
  if (result != NULL && string_member (result, "upload_url") != NULL)
    {
      g_autofree char *filename = g_strdup (string_member (result, "filename"));
      g_autoptr(JsonBuilder) body = NULL;

      if (filename == NULL || !upload (job, string_member (result, "upload_url"), cancellable, &error))
        {
          if (error == NULL)
            g_set_error_literal (&error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_PROTOCOL,
                                 _("D1’s answer to the import has no file name."));
          result = NULL;
        }
      else
        {
          body = import_body ("ingest", "etag", etag, "filename", filename);
          g_clear_pointer (&root, json_node_unref);
          result = call (job, "POST", "/import", body, LH_HTTP_NONE, cancellable, &root, &error);
        }
    }
  for (guint poll = 0; result != NULL && error == NULL; poll++)
    {
      g_autoptr(JsonBuilder) body = NULL;
      JsonObject *done;

      if ((error = process_error (result, _("The import"))) != NULL)
        break;
      /* D1 has taken the import: it goes on whatever happens here, so a cancel no longer
       * stops the asking how it went. */
      cancellable = NULL;
      done = json_object_has_member (result, "result") &&
             JSON_NODE_HOLDS_OBJECT (json_object_get_member (result, "result"))
        ? json_object_get_object_member (result, "result") : NULL;
      if (g_strcmp0 (string_member (result, "status"), "complete") == 0)
        {
          final = g_strdup (string_member (done, "final_bookmark"));
          if (final == NULL)
            final = g_strdup (string_member (result, "at_bookmark"));
          break;
        }
      if (string_member (result, "at_bookmark") != NULL)
        {
          g_free (bookmark);
          bookmark = g_strdup (string_member (result, "at_bookmark"));
        }
      if (bookmark == NULL || poll >= MAX_POLLS)
        {
          g_set_error_literal (&error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_TIMEOUT,
                               _("D1 took the import but did not say how it went: it may apply "
                                 "it all the same."));
          break;
        }
      if (!sleep_poll (&wait_ms, cancellable, &error))
        break;
      body = import_body ("poll", "current_bookmark", bookmark, NULL, NULL);
      g_clear_pointer (&root, json_node_unref);
      result = call (job, "POST", "/import", body, LH_HTTP_NONE, cancellable, &root, &error);
      if (result == NULL)
        {
          GError *lost = g_error_new (LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_TIMEOUT,
                                      _("D1 took the import, then could not be asked how it went, "
                                        "so it may apply it all the same (%s)"), error->message);

          g_clear_error (&error);
          error = lost;
        }
    }
  g_main_context_pop_thread_default (context);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, final != NULL ? g_steal_pointer (&final) : g_strdup (""), g_free);
}

void
lh_d1_import_async (LhD1Connection        *self,
                    const char            *path,
                    GCancellable          *cancellable,
                    GFileProgressCallback  progress,
                    gpointer               progress_data,
                    GAsyncReadyCallback    callback,
                    gpointer               user_data)
{
  Job *job;
  g_autoptr(GTask) task = job_task_new (self, lh_d1_import_async, cancellable, callback,
                                        user_data, &job);

  job->path = g_strdup (path);
  job->progress = progress;
  job->progress_data = progress_data;
  g_task_run_in_thread (task, import_in_thread);
}

char *
lh_d1_import_finish (GAsyncResult  *result,
                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Time Travel */

static void
bookmark_in_thread (GTask        *task,
                    gpointer      source,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *suffix = NULL;
  GError *error = NULL;
  JsonObject *result;
  const char *bookmark = NULL;

  if (job->time != NULL)
    {
      g_autoptr(GDateTime) utc = g_date_time_to_utc (job->time);
      g_autofree char *text = g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
      g_autofree char *escaped = g_uri_escape_string (text, NULL, FALSE);

      suffix = g_strconcat ("/time_travel/bookmark?timestamp=", escaped, NULL);
    }
  else
    suffix = g_strdup ("/time_travel/bookmark");
  g_main_context_push_thread_default (context);
  result = call (job, "GET", suffix, NULL, LH_HTTP_READ, cancellable, &root, &error);
  g_main_context_pop_thread_default (context);
  if (result != NULL && (bookmark = string_member (result, "bookmark")) == NULL)
    g_set_error_literal (&error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_PROTOCOL,
                         _("D1’s answer has no bookmark."));
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, g_strdup (bookmark), g_free);
}

void
lh_d1_get_bookmark_async (LhD1Connection      *self,
                          GDateTime           *time,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  Job *job;
  g_autoptr(GTask) task = job_task_new (self, lh_d1_get_bookmark_async, cancellable, callback,
                                        user_data, &job);

  job->time = time != NULL ? g_date_time_ref (time) : NULL;
  g_task_run_in_thread (task, bookmark_in_thread);
}

char *
lh_d1_get_bookmark_finish (GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
restore_in_thread (GTask        *task,
                   gpointer      source,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *escaped = g_uri_escape_string (job->bookmark, NULL, FALSE);
  g_autofree char *suffix = g_strconcat ("/time_travel/restore?bookmark=", escaped, NULL);
  GError *error = NULL;
  JsonObject *result;
  const char *previous = NULL;

  g_main_context_push_thread_default (context);
  /* Not cancellable: once sent, D1 restores whatever happens here, and the bookmark that
   * undoes it must come back. */
  if (!g_cancellable_set_error_if_cancelled (cancellable, &error))
    result = call (job, "POST", suffix, NULL, LH_HTTP_NONE, NULL, &root, &error);
  else
    result = NULL;
  g_main_context_pop_thread_default (context);
  if (result != NULL && (previous = string_member (result, "previous_bookmark")) == NULL)
    g_set_error_literal (&error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_PROTOCOL,
                         _("D1’s answer to the restore has no previous bookmark."));
  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  job->new_bookmark = g_strdup (string_member (result, "bookmark"));
  g_task_return_pointer (task, g_strdup (previous), g_free);
}

void
lh_d1_restore_bookmark_async (LhD1Connection      *self,
                              const char          *bookmark,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  Job *job;
  g_autoptr(GTask) task = job_task_new (self, lh_d1_restore_bookmark_async, cancellable,
                                        callback, user_data, &job);

  g_return_if_fail (bookmark != NULL);
  job->bookmark = g_strdup (bookmark);
  g_task_run_in_thread (task, restore_in_thread);
}

char *
lh_d1_restore_bookmark_finish (GAsyncResult  *result,
                               char         **new_bookmark,
                               GError       **error)
{
  Job *job;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  job = g_task_get_task_data (G_TASK (result));
  if (new_bookmark != NULL)
    *new_bookmark = g_task_had_error (G_TASK (result)) ? NULL : g_strdup (job->new_bookmark);
  return g_task_propagate_pointer (G_TASK (result), error);
}
