/* lh-query-pager.c — LhQueryPager: the rows of a statement's first result set, then pages
 * read through its cursor on demand, the most recently used MAX_PAGES of them kept. */
#include "config.h"


#include "lh-page-cache.h"
#include "lh-query-pager.h"

#define PAGE_SIZE  LH_QUERY_PAGER_PAGE_SIZE
#define MAX_PAGES  20
#define MAX_WANTED 8

typedef struct
{
  LhCachedPage cached;    /* first: see lh_page_cache_evict() */
  LhResultSet *rows;
} Page;

struct _LhQueryPager
{
  GObject parent_instance;

  /* owned */
  LhResultSet  *first;
  LhCursor     *cursor;
  GHashTable   *pages;             /* page index → Page; page k starts at first_n + k * PAGE_SIZE */
  GQueue        wanted;            /* page indexes, most recent first */
  GCancellable *count_cancellable;
  GCancellable *fetch_cancellable;
  GError       *error;

  /* state */
  guint    first_n;
  guint    n_items;
  gint64   row_count;
  guint64  tick;
  gboolean fetching;
  guint    fetching_page;
  gboolean counting;
  gboolean stopped;
};

enum {
  PROP_0,
  PROP_ROW_COUNT,
  PROP_COUNTING,
  PROP_LOADING,
  PROP_ERROR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void lh_query_pager_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LhQueryPager, lh_query_pager, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      lh_query_pager_list_model_init))

static void request_page (LhQueryPager *self,
                          guint         page);

static void
page_free (Page *page)
{
  g_object_unref (page->rows);
  g_free (page);
}

static Page *
lookup_page (LhQueryPager *self,
             guint         page)
{
  Page *found = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (page));

  if (found != NULL)
    found->cached.last_used = ++self->tick;
  return found;
}

/* The page holding position (at or past first_n), and the row's index in it. */
static guint
page_of (LhQueryPager *self,
         guint         position,
         guint        *index)
{
  guint offset = position - self->first_n;

  if (index != NULL)
    *index = offset % PAGE_SIZE;
  return offset / PAGE_SIZE;
}

static guint64
page_start (LhQueryPager *self,
            guint         page)
{
  return self->first_n + (guint64) page * PAGE_SIZE;
}

static GType
lh_query_pager_get_item_type (GListModel *model)
{
  return LH_TYPE_RESULT_ROW;
}

static guint
lh_query_pager_get_n_items (GListModel *model)
{
  return LH_QUERY_PAGER (model)->n_items;
}

/* A row not read yet is an LhResultRow without values; asking for it fetches its page,
 * and items-changed replaces it once the page is in. */
static gpointer
lh_query_pager_get_item (GListModel *model,
                         guint       position)
{
  LhQueryPager *self = LH_QUERY_PAGER (model);
  guint page, index;
  Page *found;

  if (position >= self->n_items)
    return NULL;
  if (position < self->first_n)
    return lh_result_row_new (self->first, position);

  page = page_of (self, position, &index);
  found = lookup_page (self, page);
  if (found != NULL && index < lh_result_set_get_n_rows (found->rows))
    return lh_result_row_new (found->rows, index);
  if (found == NULL)
    request_page (self, page);
  return lh_result_row_new (NULL, position);
}

static void
lh_query_pager_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = lh_query_pager_get_item_type;
  iface->get_n_items = lh_query_pager_get_n_items;
  iface->get_item = lh_query_pager_get_item;
}

static void
lh_query_pager_dispose (GObject *object)
{
  LhQueryPager *self = LH_QUERY_PAGER (object);

  lh_query_pager_stop (self);
  g_clear_pointer (&self->pages, g_hash_table_unref);
  g_clear_object (&self->cursor);
  g_clear_object (&self->first);
  G_OBJECT_CLASS (lh_query_pager_parent_class)->dispose (object);
}

static void
lh_query_pager_finalize (GObject *object)
{
  LhQueryPager *self = LH_QUERY_PAGER (object);

  g_clear_error (&self->error);
  G_OBJECT_CLASS (lh_query_pager_parent_class)->finalize (object);
}

static void
lh_query_pager_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  LhQueryPager *self = LH_QUERY_PAGER (object);

  switch (prop_id)
    {
    case PROP_ROW_COUNT:
      g_value_set_int64 (value, self->row_count);
      break;
    case PROP_COUNTING:
      g_value_set_boolean (value, self->counting);
      break;
    case PROP_LOADING:
      g_value_set_boolean (value, lh_query_pager_get_loading (self));
      break;
    case PROP_ERROR:
      g_value_set_boxed (value, self->error);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lh_query_pager_class_init (LhQueryPagerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = lh_query_pager_dispose;
  object_class->finalize = lh_query_pager_finalize;
  object_class->get_property = lh_query_pager_get_property;

  /* How many rows the statement returned; -1 until they are counted. */
  properties[PROP_ROW_COUNT] =
    g_param_spec_int64 ("row-count", NULL, NULL, -1, G_MAXINT64, -1,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_COUNTING] =
    g_param_spec_boolean ("counting", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /* Why reading or counting stopped; NULL while all is well. */
  properties[PROP_ERROR] =
    g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
lh_query_pager_init (LhQueryPager *self)
{
  self->pages = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) page_free);
  g_queue_init (&self->wanted);
  self->row_count = -1;
}

static void
notify (LhQueryPager *self,
        guint         prop)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

/* Shows count rows: added at the end, or taken from it. */
static void
set_n_items (LhQueryPager *self,
             guint64       count)
{
  guint old = self->n_items;
  guint n = (guint) MIN (count, (guint64) G_MAXUINT);

  if (n == old)
    return;
  self->n_items = n;
  if (n > old)
    g_list_model_items_changed (G_LIST_MODEL (self), old, 0, n - old);
  else
    g_list_model_items_changed (G_LIST_MODEL (self), n, old - n, 0);
}

static void
set_row_count (LhQueryPager *self,
               gint64        count)
{
  self->row_count = count;
  set_n_items (self, count);
  notify (self, PROP_ROW_COUNT);
}

static void
set_error (LhQueryPager *self,
           const GError *error)
{
  g_clear_error (&self->error);
  self->error = g_error_copy (error);
  lh_query_pager_stop (self);
  notify (self, PROP_ERROR);
  notify (self, PROP_LOADING);
}

/* Counting */

static void start_count (LhQueryPager *self);

static void
count_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(LhQueryPager) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean complete = FALSE;
  gint64 counted;

  counted = lh_cursor_count_finish (LH_CURSOR (source), result, &complete, &error);
  /* Stopped, or ended by a short page that showed where the rows end. */
  if (self->stopped || !self->counting)
    return;
  self->counting = FALSE;
  if (counted < 0)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        set_error (self, error);
      notify (self, PROP_COUNTING);
      return;
    }
  if (complete)
    {
      set_row_count (self, counted);
      notify (self, PROP_COUNTING);
      notify (self, PROP_LOADING);
      return;
    }
  if ((guint64) counted > self->n_items)
    set_n_items (self, counted);
  start_count (self);
}

static void
start_count (LhQueryPager *self)
{
  gboolean was_counting = self->counting;

  self->counting = TRUE;
  lh_cursor_count_async (self->cursor, self->count_cancellable, count_cb, g_object_ref (self));
  if (!was_counting)
    {
      notify (self, PROP_COUNTING);
      notify (self, PROP_LOADING);
    }
}

/* Fetching pages */

static void start_next_fetch (LhQueryPager *self);

typedef struct
{
  LhQueryPager *self;
  guint         page;
} FetchData;

static void
fetch_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  FetchData *data = user_data;
  g_autoptr(LhQueryPager) self = data->self;
  g_autoptr(LhResultSet) rows = NULL;
  g_autoptr(GError) error = NULL;
  guint page = data->page;

  g_free (data);
  rows = lh_cursor_read_finish (LH_CURSOR (source), result, &error);
  if (self->stopped)
    return;
  self->fetching = FALSE;
  g_clear_object (&self->fetch_cancellable);
  if (rows == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_queue_clear (&self->wanted);
          set_error (self, error);
          return;
        }
    }
  else
    {
      guint n_rows = lh_result_set_get_n_rows (rows);
      guint64 start = page_start (self, page);
      Page *stored = g_new0 (Page, 1);

      stored->rows = g_object_ref (rows);
      stored->cached.last_used = ++self->tick;
      g_hash_table_replace (self->pages, GUINT_TO_POINTER (page), stored);
      lh_page_cache_evict (self->pages, MAX_PAGES);

      /* A short page is the end: the count need not go on (or the database changed
       * since it was done). */
      if (n_rows < PAGE_SIZE && (self->counting || self->row_count != (gint64) (start + n_rows)))
        {
          gboolean was_counting = self->counting;

          if (was_counting)
            {
              g_cancellable_cancel (self->count_cancellable);
              g_clear_object (&self->count_cancellable);
              self->counting = FALSE;
            }
          set_row_count (self, start + n_rows);
          if (was_counting)
            notify (self, PROP_COUNTING);
        }
      if (start < self->n_items)
        {
          guint length = (guint) MIN ((guint64) PAGE_SIZE, self->n_items - start);

          g_list_model_items_changed (G_LIST_MODEL (self), start, length, length);
        }
      /* Read in order (the page before is in): the next one is read while this one is
       * looked at, the statement going on from where it stopped. */
      if (n_rows == PAGE_SIZE && (page == 0 || g_hash_table_contains (self->pages, GUINT_TO_POINTER (page - 1))) &&
          !g_hash_table_contains (self->pages, GUINT_TO_POINTER (page + 1)) &&
          g_queue_find (&self->wanted, GUINT_TO_POINTER (page + 1)) == NULL)
        g_queue_push_tail (&self->wanted, GUINT_TO_POINTER (page + 1));
    }
  start_next_fetch (self);
  notify (self, PROP_LOADING);
}

static void
start_next_fetch (LhQueryPager *self)
{
  if (self->fetching || self->stopped || self->cursor == NULL)
    return;
  while (!g_queue_is_empty (&self->wanted))
    {
      guint page = GPOINTER_TO_UINT (g_queue_pop_head (&self->wanted));
      FetchData *data;

      if (g_hash_table_contains (self->pages, GUINT_TO_POINTER (page)) ||
          page_start (self, page) >= self->n_items)
        continue;
      data = g_new0 (FetchData, 1);
      data->self = g_object_ref (self);
      data->page = page;
      self->fetching = TRUE;
      self->fetching_page = page;
      self->fetch_cancellable = g_cancellable_new ();
      lh_cursor_read_async (self->cursor, page_start (self, page), PAGE_SIZE,
                            self->fetch_cancellable, fetch_cb, data);
      return;
    }
}

static void
request_page (LhQueryPager *self,
              guint         page)
{
  gboolean was_loading = lh_query_pager_get_loading (self);

  if (self->stopped || self->cursor == NULL || (self->fetching && self->fetching_page == page))
    return;
  g_queue_remove (&self->wanted, GUINT_TO_POINTER (page));
  g_queue_push_head (&self->wanted, GUINT_TO_POINTER (page));
  /* A jump far away puts the page being read (which may have to run the statement again
   * from the start) back in line, behind the one now in view. */
  if (self->fetching && (page > self->fetching_page + 2 || page + 2 < self->fetching_page) &&
      self->fetch_cancellable != NULL && !g_cancellable_is_cancelled (self->fetch_cancellable))
    {
      g_queue_push_tail (&self->wanted, GUINT_TO_POINTER (self->fetching_page));
      g_cancellable_cancel (self->fetch_cancellable);
    }
  while (g_queue_get_length (&self->wanted) > MAX_WANTED)
    g_queue_pop_tail (&self->wanted);
  start_next_fetch (self);
  if (!was_loading && lh_query_pager_get_loading (self))
    notify (self, PROP_LOADING);
}

/* Public */

/* Takes the rows of first and reads the rest through its cursor, if it has one: counting
 * starts at once, pages when they are asked for. */
LhQueryPager *
lh_query_pager_new (LhResultSet *first)
{
  LhQueryPager *self;

  g_return_val_if_fail (LH_IS_RESULT_SET (first), NULL);

  self = g_object_new (LH_TYPE_QUERY_PAGER, NULL);
  self->first = g_object_ref (first);
  self->first_n = lh_result_set_get_n_rows (first);
  self->n_items = self->first_n;
  if (lh_result_set_get_cursor (first) != NULL)
    {
      self->cursor = g_object_ref (lh_result_set_get_cursor (first));
      self->count_cancellable = g_cancellable_new ();
      start_count (self);
    }
  else
    self->row_count = self->first_n;
  return self;
}

/* The statement's first result: its columns and first rows, its time. */
LhResultSet *
lh_query_pager_get_first (LhQueryPager *self)
{
  g_return_val_if_fail (LH_IS_QUERY_PAGER (self), NULL);
  return self->first;
}

/* TRUE when the statement had more rows than its first result set keeps. */
gboolean
lh_query_pager_get_paged (LhQueryPager *self)
{
  g_return_val_if_fail (LH_IS_QUERY_PAGER (self), FALSE);
  return self->cursor != NULL;
}

guint
lh_query_pager_get_n_columns (LhQueryPager *self)
{
  g_return_val_if_fail (LH_IS_QUERY_PAGER (self), 0);
  return lh_result_set_get_n_columns (self->first);
}

const char *
lh_query_pager_get_column_name (LhQueryPager *self,
                                guint         column)
{
  g_return_val_if_fail (LH_IS_QUERY_PAGER (self), NULL);
  return lh_result_set_get_column_name (self->first, column);
}

gint64
lh_query_pager_get_row_count (LhQueryPager *self)
{
  g_return_val_if_fail (LH_IS_QUERY_PAGER (self), -1);
  return self->row_count;
}

gboolean
lh_query_pager_get_counting (LhQueryPager *self)
{
  g_return_val_if_fail (LH_IS_QUERY_PAGER (self), FALSE);
  return self->counting;
}

gboolean
lh_query_pager_get_loading (LhQueryPager *self)
{
  g_return_val_if_fail (LH_IS_QUERY_PAGER (self), FALSE);
  return self->counting || self->fetching;
}

const GError *
lh_query_pager_get_error (LhQueryPager *self)
{
  g_return_val_if_fail (LH_IS_QUERY_PAGER (self), NULL);
  return self->error;
}

gboolean
lh_query_pager_is_loaded (LhQueryPager *self,
                          guint         position)
{
  g_return_val_if_fail (LH_IS_QUERY_PAGER (self), FALSE);
  return lh_query_pager_get_value (self, position, 0) != NULL ||
         (position < self->n_items && lh_query_pager_get_n_columns (self) == 0);
}

/* The value at position and column if its page is in (NULL if not: see request()). */
const LhValue *
lh_query_pager_get_value (LhQueryPager *self,
                          guint         position,
                          guint         column)
{
  guint page, index;
  Page *found;

  g_return_val_if_fail (LH_IS_QUERY_PAGER (self), NULL);

  if (position >= self->n_items || column >= lh_query_pager_get_n_columns (self))
    return NULL;
  if (position < self->first_n)
    return lh_result_set_get_value (self->first, position, column);
  page = page_of (self, position, &index);
  found = lookup_page (self, page);
  if (found == NULL || index >= lh_result_set_get_n_rows (found->rows))
    return NULL;
  return lh_result_set_get_value (found->rows, index, column);
}

/* Fetches the page holding position, unless it is in already. */
void
lh_query_pager_request (LhQueryPager *self,
                        guint         position)
{
  g_return_if_fail (LH_IS_QUERY_PAGER (self));

  if (position < self->first_n || position >= self->n_items)
    return;
  if (!g_hash_table_contains (self->pages, GUINT_TO_POINTER (page_of (self, position, NULL))))
    request_page (self, page_of (self, position, NULL));
}

guint
lh_query_pager_get_n_cached_pages (LhQueryPager *self)
{
  g_return_val_if_fail (LH_IS_QUERY_PAGER (self), 0);
  return g_hash_table_size (self->pages);
}

/* Stops counting and fetching for good (another result replaces this one); the rows
 * read stay. */
void
lh_query_pager_stop (LhQueryPager *self)
{
  gboolean was_loading;

  g_return_if_fail (LH_IS_QUERY_PAGER (self));

  if (self->stopped)
    return;
  was_loading = lh_query_pager_get_loading (self);
  self->stopped = TRUE;
  g_cancellable_cancel (self->count_cancellable);
  g_clear_object (&self->count_cancellable);
  g_cancellable_cancel (self->fetch_cancellable);
  g_clear_object (&self->fetch_cancellable);
  g_queue_clear (&self->wanted);
  self->fetching = FALSE;
  self->counting = FALSE;
  if (was_loading)
    {
      notify (self, PROP_COUNTING);
      notify (self, PROP_LOADING);
    }
}

/* Reads rows first … first + n_rows - 1 for a caller that walks all of them (an export),
 * past the page cache so as not to push out what the grid shows. */
void
lh_query_pager_read_async (LhQueryPager        *self,
                           guint64              first,
                           guint                n_rows,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (LH_IS_QUERY_PAGER (self));

  if (self->cursor != NULL)
    {
      lh_cursor_read_async (self->cursor, first, n_rows, cancellable, callback, user_data);
      return;
    }
  /* Without a cursor every row is in the first result: a copy of the ones asked for. */
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, lh_query_pager_read_async);
  {
    guint n_columns = lh_result_set_get_n_columns (self->first);
    g_autoptr(GPtrArray) names = g_ptr_array_new ();
    g_autofree LhValue *row = g_new0 (LhValue, MAX (n_columns, 1));
    LhResultSet *rows;

    for (guint c = 0; c < n_columns; c++)
      g_ptr_array_add (names, (gpointer) lh_result_set_get_column_name (self->first, c));
    g_ptr_array_add (names, NULL);
    rows = lh_result_set_new ((const char * const *) names->pdata, NULL);
    for (guint64 r = first; r < MIN (first + n_rows, (guint64) self->first_n); r++)
      {
        for (guint c = 0; c < n_columns; c++)
          lh_value_init_copy (&row[c], lh_result_set_get_value (self->first, r, c));
        lh_result_set_append_row (rows, row);
      }
    g_task_return_pointer (task, rows, g_object_unref);
  }
}

LhResultSet *
lh_query_pager_read_finish (LhQueryPager  *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (LH_IS_QUERY_PAGER (self), NULL);

  if (g_task_is_valid (result, self))
    return g_task_propagate_pointer (G_TASK (result), error);
  return lh_cursor_read_finish (self->cursor, result, error);
}
