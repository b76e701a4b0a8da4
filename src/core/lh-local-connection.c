/* lh-local-connection.c — LhLocalConnection: sqlite3 owned by one worker thread fed by a
 * queue of jobs. Results travel back to the caller's main context through GTask; a
 * GCancellable interrupts the running statement with sqlite3_interrupt(). */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <unistd.h>

#include "lh-error.h"
#include "lh-local-connection.h"
#include "lh-sqlite-private.h"

/* How long the busy handler sleeps between two tries of a lock held elsewhere. */
#define BUSY_SLEEP_USEC 10000

/* Statements kept for cursors let go of their read transaction when the worker has had
 * nothing to do for this long, so that other programs can write (a reader blocks them in
 * a rollback journal) and checkpoint (in WAL, where readers block no writer: so longer,
 * which spares reading again from the start after a pause in scrolling). */
#define CURSOR_IDLE_USEC     (G_USEC_PER_SEC / 2)
#define CURSOR_IDLE_WAL_USEC (10 * G_USEC_PER_SEC)

/* How long one slice of a cursor's count runs before other jobs get their turn. */
#define COUNT_SLICE_USEC (G_USEC_PER_SEC / 10)

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

  /* Only touched on the worker thread: the running job's cancellable, and the cursors
   * whose statements the thread keeps (Cursor). */
  GCancellable    *cancellable;
  GPtrArray       *cursors;

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

/* The rest of a statement's rows (see LhLocalCursor). Only the worker thread touches it.
 * stmt has stepped over position rows since it last started: it is on row position - 1
 * while on_row holds, and past the last one once done. The count has its own statement,
 * so that reading and counting do not move each other. */
typedef struct
{
  sqlite3_stmt *stmt;
  sqlite3_stmt *count_stmt;
  char         *sql;
  GPtrArray    *params;
  gint64        position;
  gboolean      on_row;
  gboolean      done;
  gint64        counted;
  gboolean      count_done;
  gint64        idle_usec;   /* how long it may hold a read transaction unused */
} Cursor;

typedef struct
{
  LhJobFunc  func;
  GTask     *task;
  JobClass   job_class;
  guint64    seq;
  Cursor    *cursor;   /* the cursor the job reads, or NULL */
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

/* LhLocalCursor: a statement that had more rows than its first result kept and only
 * reads, kept prepared on the worker thread to read the rest. Before any job that is not
 * its own the statement is reset, so that it never holds a read transaction (or blocks a
 * DROP) while other work runs; reading on then runs it again from the start. */
struct _LhLocalCursor
{
  LhCursor parent_instance;

  LhLocalConnection *connection;
  Cursor            *cursor;
};

G_DECLARE_FINAL_TYPE (LhLocalCursor, lh_local_cursor, LH, LOCAL_CURSOR, LhCursor)
G_DEFINE_FINAL_TYPE (LhLocalCursor, lh_local_cursor, LH_TYPE_CURSOR)

typedef struct
{
  guint64 first;
  guint   n_rows;
} ReadData;

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
  g_ptr_array_unref (worker->cursors);
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
lh_worker_push_for (LhWorker  *worker,
                    LhJobFunc  func,
                    GTask     *task,
                    JobClass   job_class,
                    Cursor    *cursor)
{
  LhJob *job = g_new0 (LhJob, 1);

  job->func = func;
  job->task = task;
  job->job_class = job_class;
  job->cursor = cursor;
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

static void
lh_worker_push (LhWorker  *worker,
                LhJobFunc  func,
                GTask     *task,
                JobClass   job_class)
{
  lh_worker_push_for (worker, func, task, job_class, NULL);
}

static gboolean
cursor_active (Cursor *cursor)
{
  return cursor->position > 0 || cursor->done || (cursor->counted > 0 && !cursor->count_done);
}

/* Resets the cursor's statements, ending the read transaction they hold: the next read
 * starts over. A finished count stays known. */
static void
cursor_release (Cursor *cursor)
{
  if (cursor->stmt != NULL && (cursor->position > 0 || cursor->done))
    sqlite3_reset (cursor->stmt);
  cursor->position = 0;
  cursor->on_row = FALSE;
  cursor->done = FALSE;
  if (cursor->count_stmt != NULL && !cursor->count_done && cursor->counted > 0)
    {
      sqlite3_reset (cursor->count_stmt);
      cursor->counted = 0;
    }
}

static void
cursor_finalize_statements (Cursor *cursor)
{
  g_clear_pointer (&cursor->stmt, sqlite3_finalize);
  g_clear_pointer (&cursor->count_stmt, sqlite3_finalize);
  cursor->position = 0;
  cursor->on_row = FALSE;
  cursor->done = FALSE;
}

static void
cursor_free (Cursor *cursor)
{
  cursor_finalize_statements (cursor);
  g_free (cursor->sql);
  g_clear_pointer (&cursor->params, g_ptr_array_unref);
  g_free (cursor);
}

/* Every cursor but except lets go of its read transaction. How long except may keep its
 * own unused (0: it holds none). */
static gint64
release_cursors (LhWorker *worker,
                 Cursor   *except)
{
  gint64 hold = 0;

  for (guint i = 0; i < worker->cursors->len; i++)
    {
      Cursor *cursor = g_ptr_array_index (worker->cursors, i);

      if (cursor != except)
        cursor_release (cursor);
      else if (cursor_active (cursor))
        hold = cursor->idle_usec;
    }
  return hold;
}

/* The next job; while a cursor holds a read transaction, only after waiting up to hold
 * microseconds, and when none comes, the cursor lets go first. */
static LhJob *
lh_worker_pop (LhWorker *worker,
               gint64    hold)
{
  LhJob *job;

  if (hold > 0)
    {
      job = g_async_queue_timeout_pop (worker->queue, hold);
      if (job != NULL)
        return job;
      release_cursors (worker, NULL);
    }
  return g_async_queue_pop (worker->queue);
}

static gpointer
lh_worker_main (gpointer data)
{
  LhWorker *worker = data;
  gint64 hold = 0;

  for (;;)
    {
      LhJob *job = lh_worker_pop (worker, hold);

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
      release_cursors (worker, job->cursor);
      worker->cancellable = g_task_get_cancellable (job->task);
      job->func (worker, job->task);
      worker->cancellable = NULL;
      hold = release_cursors (worker, job->cursor);
      g_object_unref (job->task);
      g_free (job);
    }

  g_ptr_array_set_size (worker->cursors, 0);
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

static gboolean
main_is_wal (LhWorker *worker)
{
  sqlite3_stmt *stmt = NULL;
  gboolean wal = FALSE;

  if (sqlite3_prepare_v2 (worker->db, "PRAGMA main.journal_mode", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    wal = g_ascii_strcasecmp ((const char *) sqlite3_column_text (stmt, 0), "wal") == 0;
  sqlite3_finalize (stmt);
  return wal;
}

/* rest, on the first row result did not keep, goes on in a cursor that result carries. */
static void
add_cursor (LhWorker          *worker,
            LhLocalConnection *connection,
            ExecuteData       *data,
            sqlite3_stmt      *rest,
            LhResultSet       *result)
{
  Cursor *cursor = g_new0 (Cursor, 1);
  LhLocalCursor *local = g_object_new (lh_local_cursor_get_type (), NULL);

  cursor->stmt = rest;
  cursor->sql = g_strdup (data->sql);
  cursor->params = data->params != NULL ? g_ptr_array_ref (data->params) : NULL;
  cursor->position = (gint64) data->max_rows + 1;
  cursor->on_row = TRUE;
  cursor->idle_usec = main_is_wal (worker) ? CURSOR_IDLE_WAL_USEC : CURSOR_IDLE_USEC;
  g_ptr_array_add (worker->cursors, cursor);

  local->connection = g_object_ref (connection);
  local->cursor = cursor;
  lh_result_set_set_cursor (result, LH_CURSOR (local));
  g_object_unref (local);
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
  sqlite3_stmt *rest = NULL;

  if (return_if_cancelled (task) || return_if_closed (worker, task))
    return;

  handler = watch_cancel (worker, cancellable);
  if (data->background)
    begin_background (worker);
  result = lh_sqlite_execute (worker->db, data->sql, data->params, data->max_rows,
                              data->background ? NULL : &rest, &error);
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

  if (rest != NULL)
    add_cursor (worker, g_task_get_source_object (task), data, rest, result);
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
      LhResultSet *result = lh_sqlite_execute (db, statement->sql, statement->params, 0, NULL,
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
  for (guint i = 0; i < worker->cursors->len; i++)
    cursor_finalize_statements (g_ptr_array_index (worker->cursors, i));
  g_clear_pointer (&worker->db, sqlite3_close_v2);
  note_transaction (worker);
  g_task_return_boolean (task, TRUE);
}

/* Cursors: reading and counting the rest of a statement's rows. */

static GError *
cursor_closed_error (void)
{
  return g_error_new_literal (LH_CONNECTION_ERROR, LH_CONNECTION_ERROR_CLOSED,
                              _("The database is closed."));
}

/* Steps the cursor's statement once, keeping position, on_row and done; on an error the
 * statement starts over next time. */
static int
cursor_step (Cursor *cursor)
{
  int rc = sqlite3_step (cursor->stmt);

  if (rc == SQLITE_ROW)
    {
      cursor->position++;
      cursor->on_row = TRUE;
    }
  else if (rc == SQLITE_DONE)
    {
      cursor->on_row = FALSE;
      cursor->done = TRUE;
    }
  else
    {
      sqlite3_reset (cursor->stmt);
      cursor->position = 0;
      cursor->on_row = FALSE;
      cursor->done = FALSE;
    }
  return rc;
}

static LhResultSet *
cursor_read (LhWorker  *worker,
             Cursor    *cursor,
             ReadData  *data,
             GError   **error)
{
  g_autoptr(LhResultSet) rows = NULL;
  g_autofree LhValue *row = NULL;
  guint got = 0;

  if (worker->db == NULL || cursor->stmt == NULL)
    {
      g_propagate_error (error, cursor_closed_error ());
      return NULL;
    }
  /* Rows behind the statement: run it again from the start. */
  if ((gint64) data->first < cursor->position - (cursor->on_row ? 1 : 0))
    cursor_release (cursor);

  rows = lh_sqlite_new_result_set (cursor->stmt);
  row = g_new (LhValue, MAX (lh_result_set_get_n_columns (rows), 1));
  if (cursor->on_row && (guint64) cursor->position - 1 == data->first)
    {
      lh_sqlite_read_row (cursor->stmt, row);
      lh_result_set_append_row (rows, row);
      got++;
    }
  while (got < data->n_rows && !cursor->done)
    {
      int rc = cursor_step (cursor);

      if (rc == SQLITE_ROW && (guint64) cursor->position - 1 >= data->first)
        {
          lh_sqlite_read_row (cursor->stmt, row);
          lh_result_set_append_row (rows, row);
          got++;
        }
      else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        {
          g_propagate_error (error, lh_sqlite_error (worker->db, rc, NULL));
          return NULL;
        }
    }
  return g_steal_pointer (&rows);
}

static void
run_cursor_read (LhWorker *worker,
                 GTask    *task)
{
  LhLocalCursor *self = g_task_get_source_object (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  LhResultSet *rows;
  GError *error = NULL;
  gulong handler;

  if (return_if_cancelled (task))
    return;
  handler = watch_cancel (worker, cancellable);
  rows = cursor_read (worker, self->cursor, g_task_get_task_data (task), &error);
  unwatch_cancel (worker, cancellable, handler);
  if (rows == NULL)
    g_task_return_error (task, job_error (task, error));
  else
    g_task_return_pointer (task, rows, g_object_unref);
}

static gboolean
cursor_prepare_count (LhWorker  *worker,
                      Cursor    *cursor,
                      GError   **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;

  if (cursor->count_stmt != NULL)
    return TRUE;
  /* Counting needs no values: wrapped, SQLite reads none of the columns (a statement that
   * cannot be wrapped, such as a PRAGMA, is stepped as it is). */
  {
    g_autofree char *inner = g_strdup (cursor->sql);
    g_autofree char *wrapped = NULL;

    g_strchomp (inner);
    while (g_str_has_suffix (inner, ";"))
      {
        inner[strlen (inner) - 1] = '\0';
        g_strchomp (inner);
      }
    wrapped = g_strconcat ("SELECT 1 FROM (\n", inner, "\n)", NULL);
    rc = sqlite3_prepare_v2 (worker->db, wrapped, -1, &stmt, NULL);
    if (rc != SQLITE_OK || sqlite3_bind_parameter_count (stmt) != sqlite3_bind_parameter_count (cursor->stmt))
      {
        g_clear_pointer (&stmt, sqlite3_finalize);
        rc = sqlite3_prepare_v2 (worker->db, cursor->sql, -1, &stmt, NULL);
      }
  }
  if (rc != SQLITE_OK)
    {
      g_propagate_error (error, lh_sqlite_error (worker->db, rc, NULL));
      return FALSE;
    }
  for (guint i = 0; cursor->params != NULL && i < cursor->params->len; i++)
    {
      rc = lh_sqlite_bind_value (stmt, i + 1, g_ptr_array_index (cursor->params, i));
      if (rc != SQLITE_OK)
        {
          g_propagate_error (error, lh_sqlite_error (worker->db, rc, NULL));
          sqlite3_finalize (stmt);
          return FALSE;
        }
    }
  cursor->count_stmt = stmt;
  return TRUE;
}

/* Steps the count's statement for one slice. */
static gboolean
cursor_count (LhWorker  *worker,
              Cursor    *cursor,
              GError   **error)
{
  gint64 end = g_get_monotonic_time () + COUNT_SLICE_USEC;

  if (worker->db == NULL || cursor->stmt == NULL)
    {
      g_propagate_error (error, cursor_closed_error ());
      return FALSE;
    }
  if (cursor->count_done)
    return TRUE;
  if (!cursor_prepare_count (worker, cursor, error))
    return FALSE;
  for (guint n = 1;; n++)
    {
      int rc = sqlite3_step (cursor->count_stmt);

      if (rc == SQLITE_ROW)
        cursor->counted++;
      else if (rc == SQLITE_DONE)
        {
          /* Its read transaction ends here. */
          sqlite3_reset (cursor->count_stmt);
          cursor->count_done = TRUE;
          return TRUE;
        }
      else
        {
          sqlite3_reset (cursor->count_stmt);
          cursor->counted = 0;
          g_propagate_error (error, lh_sqlite_error (worker->db, rc, NULL));
          return FALSE;
        }
      if (n % 256 == 0 && g_get_monotonic_time () >= end)
        return TRUE;
    }
}

static void
run_cursor_count (LhWorker *worker,
                  GTask    *task)
{
  LhLocalCursor *self = g_task_get_source_object (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  GError *error = NULL;
  gulong handler;
  gboolean counted;

  if (return_if_cancelled (task))
    return;
  handler = watch_cancel (worker, cancellable);
  counted = cursor_count (worker, self->cursor, &error);
  unwatch_cancel (worker, cancellable, handler);
  if (!counted)
    g_task_return_error (task, job_error (task, error));
  else
    {
      gint64 *result = g_new (gint64, 2);

      result[0] = self->cursor->counted;
      result[1] = self->cursor->count_done;
      g_task_return_pointer (task, result, g_free);
    }
}

static void
run_cursor_drop (LhWorker *worker,
                 GTask    *task)
{
  g_ptr_array_remove_fast (worker->cursors, g_task_get_task_data (task));
  g_task_return_boolean (task, TRUE);
}

static void
lh_local_cursor_finalize (GObject *object)
{
  LhLocalCursor *self = LH_LOCAL_CURSOR (object);
  GTask *task = g_task_new (self->connection, NULL, NULL, NULL);

  g_task_set_source_tag (task, run_cursor_drop);
  g_task_set_task_data (task, self->cursor, NULL);
  lh_worker_push_for (self->connection->worker, run_cursor_drop, task, JOB_FOREGROUND,
                      self->cursor);
  g_object_unref (self->connection);
  G_OBJECT_CLASS (lh_local_cursor_parent_class)->finalize (object);
}

static void
push_cursor_job (LhLocalCursor       *self,
                 LhJobFunc            func,
                 gpointer             source_tag,
                 gpointer             data,
                 GCancellable        *cancellable,
                 GAsyncReadyCallback  callback,
                 gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, data, g_free);
  lh_worker_push_for (self->connection->worker, func, task, JOB_FOREGROUND, self->cursor);
}

static void
lh_local_cursor_read_async (LhCursor            *cursor,
                            guint64              first,
                            guint                n_rows,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  ReadData *data = g_new0 (ReadData, 1);

  data->first = first;
  data->n_rows = n_rows;
  push_cursor_job (LH_LOCAL_CURSOR (cursor), run_cursor_read, lh_local_cursor_read_async, data,
                   cancellable, callback, user_data);
}

static LhResultSet *
lh_local_cursor_read_finish (LhCursor      *cursor,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, cursor), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
lh_local_cursor_count_async (LhCursor            *cursor,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  push_cursor_job (LH_LOCAL_CURSOR (cursor), run_cursor_count, lh_local_cursor_count_async, NULL,
                   cancellable, callback, user_data);
}

static gint64
lh_local_cursor_count_finish (LhCursor      *cursor,
                              GAsyncResult  *result,
                              gboolean      *complete,
                              GError       **error)
{
  g_autofree gint64 *counted = NULL;

  g_return_val_if_fail (g_task_is_valid (result, cursor), -1);
  counted = g_task_propagate_pointer (G_TASK (result), error);
  if (counted == NULL)
    return -1;
  *complete = counted[1] != 0;
  return counted[0];
}

static void
lh_local_cursor_class_init (LhLocalCursorClass *klass)
{
  LhCursorClass *cursor_class = LH_CURSOR_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = lh_local_cursor_finalize;
  cursor_class->read_async = lh_local_cursor_read_async;
  cursor_class->read_finish = lh_local_cursor_read_finish;
  cursor_class->count_async = lh_local_cursor_count_async;
  cursor_class->count_finish = lh_local_cursor_count_finish;
}

static void
lh_local_cursor_init (LhLocalCursor *self)
{
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
  worker->cursors = g_ptr_array_new_with_free_func ((GDestroyNotify) cursor_free);
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
