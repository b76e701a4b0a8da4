/* lh-local-connection.c — LhLocalConnection: sqlite3 owned by one worker thread fed by a
 * queue of jobs. Results travel back to the caller's main context through GTask; a
 * GCancellable interrupts the running statement with sqlite3_interrupt(). */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <unistd.h>

#include "lh-error.h"
#include "lh-local-connection.h"
#include "lh-sqlite-private.h"

/* How long the busy handler sleeps between two tries of a lock held elsewhere. */
#define BUSY_SLEEP_USEC 10000

/* Checked every this many virtual machine steps, to catch a cancel that raced
 * sqlite3_interrupt() (which does nothing while no statement runs). */
#define PROGRESS_STEPS 1000

typedef struct _LhWorker LhWorker;
typedef void (*LhJobFunc) (LhWorker *worker,
                           GTask    *task);

/* Shared by the connection and its thread, so that whichever lets go last frees it. */
struct _LhWorker
{
  gatomicrefcount  ref_count;
  GAsyncQueue     *queue;
  sqlite3         *db;
  char            *path;
  LhLocalOpenFlags flags;
  guint            busy_timeout_ms;
  gboolean         read_only;

  /* Only touched on the worker thread: the running job's cancellable. */
  GCancellable    *cancellable;

  /* A background job runs while running_background holds; a job pushed meanwhile sets
   * preempt and interrupts it. lock keeps sqlite3_interrupt() away from a closed db. */
  GMutex           lock;
  gboolean         running_background;
  gint             preempt;
  guint64          next_seq;
  guint            n_foreground;   /* queued, not yet taken by the thread */
  gint             in_transaction;
};

/* Jobs run in this order: every foreground job, then background ones, then the end. */
typedef enum
{
  JOB_FOREGROUND,
  JOB_BACKGROUND,
  JOB_END,
} JobClass;

typedef struct
{
  LhJobFunc  func;
  GTask     *task;
  JobClass   job_class;
  guint64    seq;
} LhJob;

typedef struct
{
  char      *sql;
  GPtrArray *params;
  guint      max_rows;
  gboolean   background;
} ExecuteData;

struct _LhLocalConnection
{
  GObject parent_instance;

  /* owned */
  LhWorker *worker;
  GThread  *thread;
  char     *title;

  /* state */
  gboolean read_only;
};

typedef struct
{
  GPtrArray    *statements;
  LhBatchFlags  flags;
} BatchData;

static void lh_local_connection_iface_init (LhConnectionInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LhLocalConnection, lh_local_connection, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (LH_TYPE_CONNECTION,
                                                      lh_local_connection_iface_init))

static void
lh_worker_unref (LhWorker *worker)
{
  if (!g_atomic_ref_count_dec (&worker->ref_count))
    return;
  g_async_queue_unref (worker->queue);
  g_mutex_clear (&worker->lock);
  g_free (worker->path);
  g_free (worker);
}

static gint
compare_jobs (gconstpointer a,
              gconstpointer b,
              gpointer      user_data)
{
  const LhJob *ja = a;
  const LhJob *jb = b;

  if (ja->job_class != jb->job_class)
    return ja->job_class < jb->job_class ? -1 : 1;
  return ja->seq < jb->seq ? -1 : ja->seq > jb->seq;
}

/* Queues a job (task is taken). A foreground job arriving while a background one runs
 * interrupts it: the background job then goes back in the queue, behind this one. */
static void
lh_worker_push (LhWorker  *worker,
                LhJobFunc  func,
                GTask     *task,
                JobClass   job_class)
{
  LhJob *job = g_new0 (LhJob, 1);

  job->func = func;
  job->task = task;
  job->job_class = job_class;
  g_mutex_lock (&worker->lock);
  job->seq = worker->next_seq++;
  if (job_class == JOB_FOREGROUND)
    worker->n_foreground++;
  g_mutex_unlock (&worker->lock);
  g_async_queue_push_sorted (worker->queue, job, compare_jobs, NULL);

  if (job_class != JOB_FOREGROUND)
    return;
  g_mutex_lock (&worker->lock);
  if (worker->running_background)
    {
      g_atomic_int_set (&worker->preempt, 1);
      sqlite3_interrupt (worker->db);
    }
  g_mutex_unlock (&worker->lock);
}

static gpointer
lh_worker_main (gpointer data)
{
  LhWorker *worker = data;

  for (;;)
    {
      LhJob *job = g_async_queue_pop (worker->queue);

      if (job->job_class == JOB_FOREGROUND)
        {
          g_mutex_lock (&worker->lock);
          worker->n_foreground--;
          g_mutex_unlock (&worker->lock);
        }
      if (job->func == NULL)
        {
          g_free (job);
          break;
        }
      worker->cancellable = g_task_get_cancellable (job->task);
      job->func (worker, job->task);
      worker->cancellable = NULL;
      g_object_unref (job->task);
      g_free (job);
    }

  g_clear_pointer (&worker->db, sqlite3_close_v2);
  lh_worker_unref (worker);
  return NULL;
}

static void
lh_local_connection_push (LhLocalConnection *self,
                          LhJobFunc          func,
                          GTask             *task)
{
  lh_worker_push (self->worker, func, task, JOB_FOREGROUND);
}

static void
lh_local_connection_finalize (GObject *object)
{
  LhLocalConnection *self = LH_LOCAL_CONNECTION (object);

  /* An empty job tells the thread to close the database and end. The last reference
   * can be dropped on the worker thread itself (by a finished task): then it must not
   * wait for itself. */
  lh_worker_push (self->worker, NULL, NULL, JOB_END);
  if (g_thread_self () == self->thread)
    g_thread_unref (self->thread);
  else
    g_thread_join (self->thread);
  lh_worker_unref (self->worker);
  g_free (self->title);

  G_OBJECT_CLASS (lh_local_connection_parent_class)->finalize (object);
}

static void
lh_local_connection_class_init (LhLocalConnectionClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lh_local_connection_finalize;
}

static void
lh_local_connection_init (LhLocalConnection *self)
{
}

static void
execute_data_free (ExecuteData *data)
{
  g_free (data->sql);
  g_clear_pointer (&data->params, g_ptr_array_unref);
  g_free (data);
}

static void
batch_data_free (BatchData *data)
{
  g_clear_pointer (&data->statements, g_ptr_array_unref);
  g_free (data);
}

/* Runs on the worker thread. */

static int
progress_cb (void *user_data)
{
  return g_cancellable_is_cancelled (user_data);
}

static GError *
new_cancelled_error (GTask *task)
{
  return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                              g_task_get_source_tag (task) == lh_local_connection_open_async
                                ? _("Opening the database was cancelled.")
                                : _("The statement was cancelled."));
}

/* Our own words for a job cancelled before it started, rather than GIO's generic ones. */
static gboolean
return_if_cancelled (GTask *task)
{
  if (!g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    return FALSE;
  g_task_return_error (task, new_cancelled_error (task));
  return TRUE;
}

/* Waits for another process's lock like sqlite3_busy_timeout() would, but gives up as
 * soon as the job is cancelled, so that Cancel works on a locked database too. */
static int
busy_cb (void *data,
         int   n_calls)
{
  LhWorker *worker = data;
  gint64 waited = (gint64) n_calls * BUSY_SLEEP_USEC;

  if (worker->cancellable != NULL && g_cancellable_is_cancelled (worker->cancellable))
    return 0;
  if (waited >= (gint64) worker->busy_timeout_ms * 1000)
    return 0;
  g_usleep (BUSY_SLEEP_USEC);
  return 1;
}

/* The error to report for a failed job: a cancel wins over what SQLite said about it. */
static GError *
job_error (GTask  *task,
           GError *error)
{
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (cancellable == NULL || !g_cancellable_is_cancelled (cancellable))
    return error;
  g_error_free (error);
  return new_cancelled_error (task);
}

static void
interrupt_cb (GCancellable *cancellable,
              LhWorker     *worker)
{
  sqlite3_interrupt (worker->db);
}

static GError *
check_path (const char *path)
{
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    {
      int saved_errno = errno;

      if (saved_errno == ENOENT || saved_errno == ENOTDIR)
        return g_error_new (LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_NOT_FOUND,
                            _("There is no file “%s”."), path);
      if (saved_errno == EACCES)
        return g_error_new (LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_PERMISSION_DENIED,
                            _("You do not have permission to read “%s”."), path);
      return g_error_new (LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_FAILED,
                          _("Cannot open “%s”: %s"), path, g_strerror (saved_errno));
    }
  if (S_ISDIR (st.st_mode))
    return g_error_new (LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_IS_DIRECTORY,
                        _("“%s” is a folder, not a database file."), path);
  if (!S_ISREG (st.st_mode))
    return g_error_new (LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_NOT_A_DATABASE,
                        _("“%s” is not a regular file."), path);
  if (g_access (path, R_OK) != 0)
    return g_error_new (LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_PERMISSION_DENIED,
                        _("You do not have permission to read “%s”."), path);
  return NULL;
}

/* A file whose mode has no write bit is opened read-only even by root, who could write it
 * anyway: the owner marked it so. */
static gboolean
path_is_writable (const char *path)
{
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    return FALSE;
  if ((st.st_mode & (S_IWUSR | S_IWGRP | S_IWOTH)) == 0)
    return FALSE;
  return g_access (path, W_OK) == 0;
}

static void
run_open (LhWorker *worker,
          GTask    *task)
{
  LhLocalConnection *self = g_task_get_source_object (task);
  GError *error = NULL;
  gboolean create = (worker->flags & LH_LOCAL_OPEN_CREATE) != 0;
  int flags = SQLITE_OPEN_EXRESCODE | SQLITE_OPEN_NOMUTEX;
  int rc;

  if (return_if_cancelled (task))
    return;

  if (!(create && !g_file_test (worker->path, G_FILE_TEST_EXISTS)))
    {
      error = check_path (worker->path);
      if (error != NULL)
        {
          g_task_return_error (task, error);
          return;
        }
    }

  if ((worker->flags & LH_LOCAL_OPEN_READ_ONLY) != 0 ||
      (!create && !path_is_writable (worker->path)))
    flags |= SQLITE_OPEN_READONLY;
  else
    flags |= SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);

  rc = sqlite3_open_v2 (worker->path, &worker->db, flags, NULL);
  if (rc != SQLITE_OK)
    {
      g_task_return_error (task, lh_sqlite_error (worker->db, rc, worker->path));
      g_clear_pointer (&worker->db, sqlite3_close_v2);
      return;
    }

  sqlite3_busy_handler (worker->db, busy_cb, worker);
  sqlite3_extended_result_codes (worker->db, 1);
  /* "name" is an identifier, never a string: a column that is gone is an error, not its
   * own name in every row. */
  sqlite3_db_config (worker->db, SQLITE_DBCONFIG_DQS_DML, 0, NULL);
  sqlite3_db_config (worker->db, SQLITE_DBCONFIG_DQS_DDL, 0, NULL);

  /* Reading the schema makes SQLite read the header and the schema pages: that is where
   * a file that is not a database, a damaged one or a locked one shows itself. */
  rc = sqlite3_exec (worker->db, "SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL);
  if (rc == SQLITE_OK && !(flags & SQLITE_OPEN_READONLY))
    rc = sqlite3_exec (worker->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
  if (rc != SQLITE_OK)
    {
      g_task_return_error (task, job_error (task, lh_sqlite_error (worker->db, rc, worker->path)));
      g_clear_pointer (&worker->db, sqlite3_close_v2);
      return;
    }

  worker->read_only = sqlite3_db_readonly (worker->db, "main") == 1;
  self->read_only = worker->read_only;
  g_task_return_pointer (task, g_object_ref (self), g_object_unref);
}

/* Before the result is returned, so that its callback reads the state after it. */
static void
note_transaction (LhWorker *worker)
{
  g_atomic_int_set (&worker->in_transaction,
                    worker->db != NULL && !sqlite3_get_autocommit (worker->db));
}

static gboolean
return_if_closed (LhWorker *worker,
                  GTask    *task)
{
  if (worker->db != NULL)
    return FALSE;
  g_task_return_new_error (task, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_CLOSED,
                           _("The database is closed."));
  return TRUE;
}

/* While a job runs, its cancel interrupts the statement; the progress handler catches a
 * cancel that came between two statements, when sqlite3_interrupt() does nothing. */
static gulong
watch_cancel (LhWorker     *worker,
              GCancellable *cancellable)
{
  if (cancellable == NULL)
    return 0;
  sqlite3_progress_handler (worker->db, PROGRESS_STEPS, progress_cb, cancellable);
  return g_cancellable_connect (cancellable, G_CALLBACK (interrupt_cb), worker, NULL);
}

static void
unwatch_cancel (LhWorker     *worker,
                GCancellable *cancellable,
                gulong        handler)
{
  sqlite3_progress_handler (worker->db, 0, NULL, NULL);
  if (cancellable != NULL)
    g_cancellable_disconnect (cancellable, handler);
}

static int
background_progress_cb (void *user_data)
{
  LhWorker *worker = user_data;

  return g_atomic_int_get (&worker->preempt) ||
         (worker->cancellable != NULL && g_cancellable_is_cancelled (worker->cancellable));
}

static void
begin_background (LhWorker *worker)
{
  g_mutex_lock (&worker->lock);
  /* A foreground job that came while this one was being taken from the queue. */
  g_atomic_int_set (&worker->preempt, worker->n_foreground > 0);
  worker->running_background = TRUE;
  g_mutex_unlock (&worker->lock);
  sqlite3_progress_handler (worker->db, PROGRESS_STEPS, background_progress_cb, worker);
}

/* TRUE when the job was interrupted for a foreground one. */
static gboolean
end_background (LhWorker *worker)
{
  g_mutex_lock (&worker->lock);
  worker->running_background = FALSE;
  g_mutex_unlock (&worker->lock);
  return g_atomic_int_get (&worker->preempt);
}

static void
run_execute (LhWorker *worker,
             GTask    *task)
{
  ExecuteData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  LhResultSet *result;
  GError *error = NULL;
  gulong handler = 0;
  gboolean preempted = FALSE;

  if (return_if_cancelled (task) || return_if_closed (worker, task))
    return;

  handler = watch_cancel (worker, cancellable);
  if (data->background)
    begin_background (worker);
  result = lh_sqlite_execute (worker->db, data->sql, data->params, data->max_rows, &error);
  if (data->background)
    preempted = end_background (worker);
  unwatch_cancel (worker, cancellable, handler);

  if (result == NULL && preempted &&
      (cancellable == NULL || !g_cancellable_is_cancelled (cancellable)))
    {
      /* Not failed, only made to wait: it runs again once the foreground is done. */
      g_error_free (error);
      lh_worker_push (worker, run_execute, g_object_ref (task), JOB_BACKGROUND);
      return;
    }

  note_transaction (worker);
  if (result == NULL)
    g_task_return_error (task, job_error (task, error));
  else
    g_task_return_pointer (task, result, g_object_unref);
}

static gboolean
exec_control (sqlite3     *db,
              const char  *sql,
              GError     **error)
{
  int rc = sqlite3_exec (db, sql, NULL, NULL, NULL);

  if (rc == SQLITE_OK)
    return TRUE;
  g_propagate_error (error, lh_sqlite_error (db, rc, NULL));
  return FALSE;
}

/* BEGIN IMMEDIATE takes the write lock before the first change, so that a busy database
 * fails the batch before anything ran rather than halfway. Inside a transaction the user
 * opened (a BEGIN typed in the editor) it is refused: its changes would be rolled back
 * with that transaction, after the batch was reported written. */
static gboolean
batch_begin (sqlite3  *db,
             GError  **error)
{
  if (!sqlite3_get_autocommit (db))
    {
      g_set_error_literal (error, LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_TRANSACTION_OPEN,
                           _("A transaction begun in the SQL editor is still open: commit it "
                             "or roll it back there first."));
      return FALSE;
    }
  return exec_control (db, "BEGIN IMMEDIATE", error);
}

static gboolean
batch_commit (sqlite3  *db,
              GError  **error)
{
  return exec_control (db, "COMMIT", error);
}

/* The cancel that may have led here must not interrupt the rollback too. */
static void
batch_rollback (sqlite3 *db)
{
  sqlite3_progress_handler (db, 0, NULL, NULL);
  if (!sqlite3_get_autocommit (db))
    sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
}

static GPtrArray *
batch_run_statements (sqlite3    *db,
                      GPtrArray  *statements,
                      GError    **error)
{
  g_autoptr(GPtrArray) results = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < statements->len; i++)
    {
      LhBatchStatement *statement = g_ptr_array_index (statements, i);
      GError *local_error = NULL;
      LhResultSet *result = lh_sqlite_execute (db, statement->sql, statement->params, 0,
                                               &local_error);

      if (result != NULL && statement->expected_changes >= 0 &&
          lh_result_set_get_changes (result) != statement->expected_changes)
        {
          local_error = g_error_new (LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_CONFLICT,
                                     _("The statement changed %lld rows instead of %lld: "
                                       "another program may have changed the data."),
                                     (long long) lh_result_set_get_changes (result),
                                     (long long) statement->expected_changes);
          g_clear_object (&result);
        }
      if (result == NULL)
        {
          lh_connection_error_set_statement_index (local_error, i);
          g_propagate_error (error, local_error);
          return NULL;
        }
      g_ptr_array_add (results, result);
    }
  return g_steal_pointer (&results);
}

static GPtrArray *
batch_run (sqlite3       *db,
           BatchData     *data,
           GError       **error)
{
  g_autoptr(GPtrArray) results = NULL;
  gboolean transaction = (data->flags & LH_BATCH_TRANSACTION) != 0;

  if (transaction && !batch_begin (db, error))
    return NULL;

  results = batch_run_statements (db, data->statements, error);
  if (transaction)
    {
      if (results != NULL && !batch_commit (db, error))
        g_clear_pointer (&results, g_ptr_array_unref);
      if (results == NULL)
        batch_rollback (db);
    }
  return g_steal_pointer (&results);
}

static void
run_batch (LhWorker *worker,
           GTask    *task)
{
  BatchData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  GPtrArray *results;
  GError *error = NULL;
  gulong handler = 0;

  if (return_if_cancelled (task) || return_if_closed (worker, task))
    return;

  handler = watch_cancel (worker, cancellable);
  results = batch_run (worker->db, data, &error);
  unwatch_cancel (worker, cancellable, handler);

  note_transaction (worker);
  if (results == NULL)
    g_task_return_error (task, job_error (task, error));
  else
    g_task_return_pointer (task, results, (GDestroyNotify) g_ptr_array_unref);
}

static void
run_close (LhWorker *worker,
           GTask    *task)
{
  g_clear_pointer (&worker->db, sqlite3_close_v2);
  note_transaction (worker);
  g_task_return_boolean (task, TRUE);
}

/* Runs on the caller's thread. */

void
lh_local_connection_open_async (const char          *path,
                                LhLocalOpenFlags     flags,
                                guint                busy_timeout_ms,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(LhLocalConnection) self = NULL;
  g_autoptr(GFile) file = NULL;
  GTask *task;
  LhWorker *worker;

  g_return_if_fail (path != NULL);

  file = g_file_new_for_commandline_arg (path);

  worker = g_new0 (LhWorker, 1);
  g_atomic_ref_count_init (&worker->ref_count);
  g_mutex_init (&worker->lock);
  worker->queue = g_async_queue_new ();
  worker->path = g_file_get_path (file);
  if (worker->path == NULL)
    worker->path = g_strdup (path);
  worker->flags = flags;
  worker->busy_timeout_ms = busy_timeout_ms;

  self = g_object_new (LH_TYPE_LOCAL_CONNECTION, NULL);
  self->worker = worker;
  self->title = g_path_get_basename (worker->path);
  g_atomic_ref_count_inc (&worker->ref_count);
  self->thread = g_thread_new ("litehouse-db", lh_worker_main, worker);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lh_local_connection_open_async);
  g_task_set_check_cancellable (task, FALSE);
  lh_local_connection_push (self, run_open, task);
}

LhLocalConnection *
lh_local_connection_open_finish (GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) ==
                        lh_local_connection_open_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

const char *
lh_local_connection_get_path (LhLocalConnection *self)
{
  g_return_val_if_fail (LH_IS_LOCAL_CONNECTION (self), NULL);
  return self->worker->path;
}

static LhConnectionKind
lh_local_connection_get_kind (LhConnection *connection)
{
  return LH_CONNECTION_KIND_LOCAL;
}

static LhCapabilities
lh_local_connection_get_capabilities (LhConnection *connection)
{
  return LH_CAPABILITY_TRANSACTIONS | LH_CAPABILITY_BACKUP_API | LH_CAPABILITY_ATTACH;
}

static const char *
lh_local_connection_get_title (LhConnection *connection)
{
  return LH_LOCAL_CONNECTION (connection)->title;
}

static const char *
lh_local_connection_get_location (LhConnection *connection)
{
  return LH_LOCAL_CONNECTION (connection)->worker->path;
}

static gboolean
lh_local_connection_get_read_only (LhConnection *connection)
{
  return LH_LOCAL_CONNECTION (connection)->read_only;
}

static gboolean
lh_local_connection_get_in_transaction (LhConnection *connection)
{
  return g_atomic_int_get (&LH_LOCAL_CONNECTION (connection)->worker->in_transaction);
}

static void
push_execute (LhLocalConnection   *self,
              const char          *sql,
              GPtrArray           *params,
              guint                max_rows,
              gboolean             background,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  ExecuteData *data = g_new0 (ExecuteData, 1);
  GTask *task;

  data->sql = g_strdup (sql);
  data->params = params != NULL ? g_ptr_array_ref (params) : NULL;
  data->max_rows = max_rows;
  data->background = background;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, push_execute);
  /* An interrupted statement reports its cancel itself, with our message. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, data, (GDestroyNotify) execute_data_free);
  lh_worker_push (self->worker, run_execute, task,
                  background ? JOB_BACKGROUND : JOB_FOREGROUND);
}

static void
lh_local_connection_execute_async (LhConnection        *connection,
                                   const char          *sql,
                                   GPtrArray           *params,
                                   guint                max_rows,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  push_execute (LH_LOCAL_CONNECTION (connection), sql, params, max_rows, FALSE, cancellable,
                callback, user_data);
}

static void
lh_local_connection_execute_background_async (LhConnection        *connection,
                                              const char          *sql,
                                              GPtrArray           *params,
                                              GCancellable        *cancellable,
                                              GAsyncReadyCallback  callback,
                                              gpointer             user_data)
{
  push_execute (LH_LOCAL_CONNECTION (connection), sql, params, 0, TRUE, cancellable,
                callback, user_data);
}

static LhResultSet *
lh_local_connection_execute_finish (LhConnection  *connection,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, connection), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
lh_local_connection_batch_async (LhConnection        *connection,
                                 GPtrArray           *statements,
                                 LhBatchFlags         flags,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  LhLocalConnection *self = LH_LOCAL_CONNECTION (connection);
  BatchData *data = g_new0 (BatchData, 1);
  GTask *task;

  data->statements = g_ptr_array_ref (statements);
  data->flags = flags;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lh_local_connection_batch_async);
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, data, (GDestroyNotify) batch_data_free);
  lh_local_connection_push (self, run_batch, task);
}

static GPtrArray *
lh_local_connection_batch_finish (LhConnection  *connection,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, connection), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
lh_local_connection_close_async (LhConnection        *connection,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  LhLocalConnection *self = LH_LOCAL_CONNECTION (connection);
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, lh_local_connection_close_async);
  lh_local_connection_push (self, run_close, task);
}

static gboolean
lh_local_connection_close_finish (LhConnection  *connection,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, connection), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
lh_local_connection_iface_init (LhConnectionInterface *iface)
{
  iface->get_kind = lh_local_connection_get_kind;
  iface->get_capabilities = lh_local_connection_get_capabilities;
  iface->get_title = lh_local_connection_get_title;
  iface->get_location = lh_local_connection_get_location;
  iface->get_read_only = lh_local_connection_get_read_only;
  iface->get_in_transaction = lh_local_connection_get_in_transaction;
  iface->execute_async = lh_local_connection_execute_async;
  iface->execute_finish = lh_local_connection_execute_finish;
  iface->execute_background_async = lh_local_connection_execute_background_async;
  iface->batch_async = lh_local_connection_batch_async;
  iface->batch_finish = lh_local_connection_batch_finish;
  iface->close_async = lh_local_connection_close_async;
  iface->close_finish = lh_local_connection_close_finish;
}
