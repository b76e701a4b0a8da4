/* lh-completion-provider.c — LhCompletionProvider proposes, for the statement the cursor is
 * in: after "qualifier." the columns of the table that alias or name stands for (or the
 * tables of an attached database of that name); otherwise the columns of the tables the
 * statement names, then tables and views, functions and keywords. Proposals are made once
 * per completion and filtered by the word as it is typed. Names that need quotes get them. */
#include "config.h"

#include <glib/gi18n.h>

#include "lh-completion-provider.h"

typedef enum
{
  ITEM_COLUMN,
  ITEM_TABLE,
  ITEM_VIEW,
  ITEM_FUNCTION,
  ITEM_KEYWORD,
} ItemKind;

struct _LhCompletionItem
{
  GObject parent_instance;

  /* owned */
  char *label;
  char *text;
  char *detail;

  /* state */
  ItemKind kind;
};

struct _LhCompletionProvider
{
  GObject parent_instance;

  /* owned */
  LhSchema *schema;
  GStrv     functions;
  GStrv     keywords;
};

static void lh_completion_item_proposal_init (GtkSourceCompletionProposalInterface *iface);
static void lh_completion_provider_iface_init (GtkSourceCompletionProviderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (LhCompletionItem, lh_completion_item, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (GTK_SOURCE_TYPE_COMPLETION_PROPOSAL,
                                                      lh_completion_item_proposal_init))
G_DEFINE_FINAL_TYPE_WITH_CODE (LhCompletionProvider, lh_completion_provider, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (GTK_SOURCE_TYPE_COMPLETION_PROVIDER,
                                                      lh_completion_provider_iface_init))

static void
lh_completion_item_finalize (GObject *object)
{
  LhCompletionItem *self = LH_COMPLETION_ITEM (object);

  g_free (self->label);
  g_free (self->text);
  g_free (self->detail);
  G_OBJECT_CLASS (lh_completion_item_parent_class)->finalize (object);
}

static char *
lh_completion_item_get_typed_text (GtkSourceCompletionProposal *proposal)
{
  return g_strdup (LH_COMPLETION_ITEM (proposal)->label);
}

static void
lh_completion_item_proposal_init (GtkSourceCompletionProposalInterface *iface)
{
  iface->get_typed_text = lh_completion_item_get_typed_text;
}

static void
lh_completion_item_class_init (LhCompletionItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lh_completion_item_finalize;
}

static void
lh_completion_item_init (LhCompletionItem *self)
{
}

const char *
lh_completion_item_get_label (LhCompletionItem *self)
{
  return self->label;
}

/* What is inserted: the name, quoted where SQL needs it. */
const char *
lh_completion_item_get_text (LhCompletionItem *self)
{
  return self->text;
}

const char *
lh_completion_item_get_detail (LhCompletionItem *self)
{
  return self->detail;
}

static gboolean
is_plain_identifier (const char *name,
                     GStrv       keywords)
{
  if (*name == '\0' || !(g_ascii_isalpha (*name) || *name == '_'))
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '_')
      return FALSE;
  for (guint i = 0; keywords[i] != NULL; i++)
    if (g_ascii_strcasecmp (keywords[i], name) == 0)
      return FALSE;
  return TRUE;
}

static void
add_item (LhCompletionProvider *self,
          GListStore           *items,
          ItemKind              kind,
          const char           *name,
          const char           *detail)
{
  g_autoptr(LhCompletionItem) item = g_object_new (LH_TYPE_COMPLETION_ITEM, NULL);

  item->kind = kind;
  item->label = g_strdup (name);
  item->text = kind == ITEM_KEYWORD || kind == ITEM_FUNCTION || is_plain_identifier (name, self->keywords)
    ? g_strdup (name) : lh_sql_quote_identifier (name);
  item->detail = g_strdup (detail);
  g_list_store_append (items, item);
}

static void
add_columns (LhCompletionProvider *self,
             GListStore           *items,
             LhSchemaObject       *object)
{
  GListModel *columns = lh_schema_object_get_columns (object);

  for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr(LhSchemaColumn) column = g_list_model_get_item (columns, i);
      g_autofree char *detail = g_strdup_printf ("%s · %s", lh_schema_object_get_name (object),
                                                 lh_schema_column_get_declared_type (column));

      add_item (self, items, ITEM_COLUMN, lh_schema_column_get_name (column), detail);
    }
}

static LhSchemaObject *
ref_object (LhCompletionProvider *self,
            LhTableRef           *ref)
{
  return lh_schema_lookup_in (self->schema, ref->database != NULL ? ref->database : "main",
                              ref->table);
}

static void
add_objects (LhCompletionProvider *self,
             GListStore           *items,
             const char           *database)
{
  GListModel *objects = lh_schema_get_objects (self->schema);

  for (guint i = 0; i < g_list_model_get_n_items (objects); i++)
    {
      g_autoptr(LhSchemaObject) object = g_list_model_get_item (objects, i);
      LhSchemaObjectKind kind = lh_schema_object_get_kind (object);

      if (!lh_schema_object_has_rows (object) ||
          !g_str_equal (lh_schema_object_get_database (object), database))
        continue;
      add_item (self, items, kind == LH_SCHEMA_OBJECT_VIEW ? ITEM_VIEW : ITEM_TABLE,
                lh_schema_object_get_name (object),
                kind == LH_SCHEMA_OBJECT_VIEW ? _("view") : _("table"));
    }
}

/* After "qualifier.": an alias's or table's columns, or an attached database's tables. */
static void
propose_qualified (LhCompletionProvider *self,
                   GListStore           *items,
                   GPtrArray            *refs,
                   const char           *qualifier)
{
  for (guint i = 0; i < refs->len; i++)
    {
      LhTableRef *ref = g_ptr_array_index (refs, i);
      const char *name = ref->alias != NULL ? ref->alias : ref->table;
      LhSchemaObject *object;

      if (g_ascii_strcasecmp (name, qualifier) != 0)
        continue;
      object = ref_object (self, ref);
      if (object != NULL)
        add_columns (self, items, object);
      return;
    }
  if (lh_schema_lookup (self->schema, qualifier) != NULL)
    {
      add_columns (self, items, lh_schema_lookup (self->schema, qualifier));
      return;
    }
  for (guint i = 0; i < lh_schema_get_n_databases (self->schema); i++)
    if (g_ascii_strcasecmp (lh_schema_get_database (self->schema, i), qualifier) == 0)
      add_objects (self, items, lh_schema_get_database (self->schema, i));
}

static void
propose_all (LhCompletionProvider *self,
             GListStore           *items,
             GPtrArray            *refs)
{
  for (guint i = 0; i < refs->len; i++)
    {
      LhSchemaObject *object = ref_object (self, g_ptr_array_index (refs, i));

      if (object != NULL)
        add_columns (self, items, object);
    }
  add_objects (self, items, "main");
  for (guint i = 0; self->functions != NULL && self->functions[i] != NULL; i++)
    add_item (self, items, ITEM_FUNCTION, self->functions[i], _("function"));
  for (guint i = 0; self->keywords[i] != NULL; i++)
    add_item (self, items, ITEM_KEYWORD, self->keywords[i], NULL);
}

static gboolean
prefix_filter_cb (gpointer item,
                  gpointer user_data)
{
  const char *prefix = user_data;

  return g_ascii_strncasecmp (LH_COMPLETION_ITEM (item)->label, prefix, strlen (prefix)) == 0;
}

static GtkFilter *
new_prefix_filter (const char *prefix)
{
  return GTK_FILTER (gtk_custom_filter_new (prefix_filter_cb, g_strdup (prefix), g_free));
}

/* The proposals for a cursor at byte offset cursor of text, filtered by the word being
 * typed there; a GListModel of LhCompletionItem. */
GListModel *
lh_completion_provider_propose (LhCompletionProvider *self,
                                const char           *text,
                                gsize                 cursor)
{
  g_autoptr(GListStore) items = g_list_store_new (LH_TYPE_COMPLETION_ITEM);
  g_autoptr(GArray) spans = lh_sql_split (text, -1);
  g_autoptr(GPtrArray) refs = NULL;
  g_autofree char *statement = NULL;
  g_autofree char *qualifier = NULL;
  g_autofree char *word = NULL;
  int index;

  g_return_val_if_fail (LH_IS_COMPLETION_PROVIDER (self), NULL);
  g_return_val_if_fail (cursor <= strlen (text), NULL);

  index = lh_sql_statement_at (spans, cursor);
  if (index >= 0)
    {
      const LhStatementSpan *span = &g_array_index (spans, LhStatementSpan, index);

      statement = g_strndup (text + span->offset, MAX (span->length, cursor - MIN (cursor, span->offset)));
    }
  refs = lh_sql_table_refs (statement != NULL ? statement : "");
  word = lh_sql_word_before (text, cursor, &qualifier);

  if (self->schema != NULL && qualifier != NULL)
    propose_qualified (self, items, refs, qualifier);
  else if (qualifier == NULL)
    {
      if (self->schema != NULL)
        propose_all (self, items, refs);
      else
        for (guint i = 0; self->keywords[i] != NULL; i++)
          add_item (self, items, ITEM_KEYWORD, self->keywords[i], NULL);
    }
  return G_LIST_MODEL (gtk_filter_list_model_new (G_LIST_MODEL (g_steal_pointer (&items)),
                                                  new_prefix_filter (word)));
}

/* GtkSourceCompletionProvider */

static char *
lh_completion_provider_get_title (GtkSourceCompletionProvider *provider)
{
  return g_strdup (_("SQL"));
}

static gboolean
lh_completion_provider_is_trigger (GtkSourceCompletionProvider *provider,
                                   const GtkTextIter           *iter,
                                   gunichar                     ch)
{
  return ch == '.';
}

static GListModel *
lh_completion_provider_populate (GtkSourceCompletionProvider  *provider,
                                 GtkSourceCompletionContext   *context,
                                 GError                      **error)
{
  LhCompletionProvider *self = LH_COMPLETION_PROVIDER (provider);
  GtkTextIter begin, end, start, last;
  g_autofree char *before = NULL;
  g_autofree char *text = NULL;
  GtkTextBuffer *buffer;

  /* The whole text, for the FROM clause after the cursor; the cursor as a byte offset. */
  gtk_source_completion_context_get_bounds (context, &begin, &end);
  buffer = gtk_text_iter_get_buffer (&end);
  gtk_text_buffer_get_bounds (buffer, &start, &last);
  before = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
  text = gtk_text_buffer_get_text (buffer, &start, &last, FALSE);
  return lh_completion_provider_propose (self, text, strlen (before));
}

static void
lh_completion_provider_refilter (GtkSourceCompletionProvider *provider,
                                 GtkSourceCompletionContext  *context,
                                 GListModel                  *model)
{
  g_autofree char *word = gtk_source_completion_context_get_word (context);
  g_autoptr(GtkFilter) filter = new_prefix_filter (word != NULL ? word : "");

  gtk_filter_list_model_set_filter (GTK_FILTER_LIST_MODEL (model), filter);
}

static void
lh_completion_provider_display (GtkSourceCompletionProvider *provider,
                                GtkSourceCompletionContext  *context,
                                GtkSourceCompletionProposal *proposal,
                                GtkSourceCompletionCell     *cell)
{
  static const char * const icons[] = {
    [ITEM_COLUMN] = "format-justify-left-symbolic",
    [ITEM_TABLE] = "view-grid-symbolic",
    [ITEM_VIEW] = "view-reveal-symbolic",
    [ITEM_FUNCTION] = "system-run-symbolic",
    [ITEM_KEYWORD] = "text-x-generic-symbolic",
  };
  LhCompletionItem *item = LH_COMPLETION_ITEM (proposal);

  switch (gtk_source_completion_cell_get_column (cell))
    {
    case GTK_SOURCE_COMPLETION_COLUMN_ICON:
      gtk_source_completion_cell_set_icon_name (cell, icons[item->kind]);
      break;
    case GTK_SOURCE_COMPLETION_COLUMN_TYPED_TEXT:
      gtk_source_completion_cell_set_text (cell, item->label);
      break;
    case GTK_SOURCE_COMPLETION_COLUMN_COMMENT:
      gtk_source_completion_cell_set_text (cell, item->detail);
      break;
    case GTK_SOURCE_COMPLETION_COLUMN_BEFORE:
    case GTK_SOURCE_COMPLETION_COLUMN_AFTER:
    case GTK_SOURCE_COMPLETION_COLUMN_DETAILS:
    default:
      gtk_source_completion_cell_set_text (cell, NULL);
      break;
    }
}

static void
lh_completion_provider_activate (GtkSourceCompletionProvider *provider,
                                 GtkSourceCompletionContext  *context,
                                 GtkSourceCompletionProposal *proposal)
{
  GtkTextIter begin, end;
  GtkTextBuffer *buffer;

  gtk_source_completion_context_get_bounds (context, &begin, &end);
  buffer = gtk_text_iter_get_buffer (&begin);
  gtk_text_buffer_begin_user_action (buffer);
  gtk_text_buffer_delete (buffer, &begin, &end);
  gtk_text_buffer_insert (buffer, &begin, LH_COMPLETION_ITEM (proposal)->text, -1);
  gtk_text_buffer_end_user_action (buffer);
}

static void
lh_completion_provider_iface_init (GtkSourceCompletionProviderInterface *iface)
{
  iface->get_title = lh_completion_provider_get_title;
  iface->is_trigger = lh_completion_provider_is_trigger;
  iface->populate = lh_completion_provider_populate;
  iface->refilter = lh_completion_provider_refilter;
  iface->display = lh_completion_provider_display;
  iface->activate = lh_completion_provider_activate;
}

static void
lh_completion_provider_finalize (GObject *object)
{
  LhCompletionProvider *self = LH_COMPLETION_PROVIDER (object);

  g_clear_object (&self->schema);
  g_strfreev (self->functions);
  g_strfreev (self->keywords);
  G_OBJECT_CLASS (lh_completion_provider_parent_class)->finalize (object);
}

static void
lh_completion_provider_class_init (LhCompletionProviderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = lh_completion_provider_finalize;
}

static void
lh_completion_provider_init (LhCompletionProvider *self)
{
  self->keywords = lh_sql_dup_keywords ();
}

LhCompletionProvider *
lh_completion_provider_new (void)
{
  return g_object_new (LH_TYPE_COMPLETION_PROVIDER, NULL);
}

/* The schema proposals come from; it follows the database as the window reloads it. */
void
lh_completion_provider_set_schema (LhCompletionProvider *self,
                                   LhSchema             *schema)
{
  g_return_if_fail (LH_IS_COMPLETION_PROVIDER (self));
  g_set_object (&self->schema, schema);
}

/* The SQL functions the database has (pragma_function_list), lower-case. */
void
lh_completion_provider_set_functions (LhCompletionProvider *self,
                                      const char * const   *functions)
{
  g_return_if_fail (LH_IS_COMPLETION_PROVIDER (self));
  g_strfreev (self->functions);
  self->functions = g_strdupv ((char **) functions);
}
