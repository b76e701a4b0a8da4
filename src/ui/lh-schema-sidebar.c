/* lh-schema-sidebar.c — LhSchemaSidebar shows the schema as a tree: a group per kind of
 * object; under a table its columns (type, key, NOT NULL, default, generated), then its
 * indexes, foreign keys and triggers; under a view its columns. Row counts arrive in the
 * background, an estimate from sqlite_stat1 first, then the exact count one table at a
 * time. A search field filters the objects by name; a context menu opens, shows, copies
 * or drops an object. Activating a table or view emits "object-activated", and a foreign
 * key jumps to the table it references. */
#include "config.h"

#include <glib/gi18n.h>
#include <gtksourceview/gtksource.h>

#include "lh-object-details.h"
#include "lh-schema-sidebar.h"

#define ESTIMATES_SQL \
  "SELECT tbl, max(CAST(stat AS INTEGER)) FROM sqlite_stat1 GROUP BY tbl"

typedef enum
{
  NODE_DATABASE,
  NODE_GROUP,
  NODE_OBJECT,
  NODE_COLUMN,
  NODE_SECTION,
  NODE_FOREIGN_KEY,
} NodeKind;

#define LH_TYPE_SCHEMA_NODE (lh_schema_node_get_type ())

G_DECLARE_FINAL_TYPE (LhSchemaNode, lh_schema_node, LH, SCHEMA_NODE, GObject)

struct _LhSchemaNode
{
  GObject parent_instance;

  /* owned */
  char               *label;
  char               *detail;
  LhSchemaObject     *object;        /* the object; for a column or section, its table */
  LhSchemaForeignKey *foreign_key;
  GListModel         *children;

  /* state */
  NodeKind    kind;
  const char *icon_name;
};

enum {
  NODE_PROP_0,
  NODE_PROP_DETAIL,
  NODE_N_PROPS
};

static GParamSpec *node_properties[NODE_N_PROPS];

G_DEFINE_FINAL_TYPE (LhSchemaNode, lh_schema_node, G_TYPE_OBJECT)

static void
lh_schema_node_finalize (GObject *object)
{
  LhSchemaNode *self = LH_SCHEMA_NODE (object);

  g_free (self->label);
  g_free (self->detail);
  g_clear_object (&self->object);
  g_clear_object (&self->foreign_key);
  g_clear_object (&self->children);
  G_OBJECT_CLASS (lh_schema_node_parent_class)->finalize (object);
}

static void
lh_schema_node_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  switch (prop_id)
    {
    case NODE_PROP_DETAIL:
      g_value_set_string (value, LH_SCHEMA_NODE (object)->detail);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lh_schema_node_class_init (LhSchemaNodeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = lh_schema_node_finalize;
  object_class->get_property = lh_schema_node_get_property;
  node_properties[NODE_PROP_DETAIL] =
    g_param_spec_string ("detail", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, NODE_N_PROPS, node_properties);
}

static void
lh_schema_node_init (LhSchemaNode *self)
{
}

static LhSchemaNode *
node_new (NodeKind        kind,
          const char     *label,
          const char     *detail,
          LhSchemaObject *object)
{
  LhSchemaNode *node = g_object_new (LH_TYPE_SCHEMA_NODE, NULL);

  node->kind = kind;
  node->label = g_strdup (label);
  node->detail = g_strdup (detail);
  node->object = object != NULL ? g_object_ref (object) : NULL;
  return node;
}

static void
node_set_detail (LhSchemaNode *node,
                 const char   *detail)
{
  if (g_strcmp0 (node->detail, detail) == 0)
    return;
  g_free (node->detail);
  node->detail = g_strdup (detail);
  g_object_notify_by_pspec (G_OBJECT (node), node_properties[NODE_PROP_DETAIL]);
}

/* The sidebar */

struct _LhSchemaSidebar
{
  GtkWidget parent_instance;

  /* template children */
  GtkSearchEntry *search_entry;
  GtkStack       *stack;
  GtkListView    *list_view;
  GtkLabel       *message_label;
  GMenuModel     *object_menu;

  /* owned */
  LhConnection       *connection;
  LhSchema           *schema;
  GCancellable       *cancellable;
  GtkTreeListModel   *tree;
  GtkSingleSelection *selection;
  GtkCustomFilter    *filter;
  GHashTable         *object_nodes;   /* name → LhSchemaNode */
  GQueue              to_count;       /* LhSchemaNode of tables still to count */
  LhSchemaNode       *menu_node;
  GtkWidget          *menu;
  char               *search;
};

enum {
  OBJECT_ACTIVATED,
  OBJECT_DROPPED,
  LOADED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (LhSchemaSidebar, lh_schema_sidebar, GTK_TYPE_WIDGET)

static const char *
icon_for_kind (LhSchemaObjectKind kind)
{
  switch (kind)
    {
    case LH_SCHEMA_OBJECT_TABLE:
      return "view-grid-symbolic";
    case LH_SCHEMA_OBJECT_VIEW:
      return "view-reveal-symbolic";
    case LH_SCHEMA_OBJECT_VIRTUAL_TABLE:
      return "system-search-symbolic";
    case LH_SCHEMA_OBJECT_INDEX:
      return "view-list-ordered-symbolic";
    case LH_SCHEMA_OBJECT_TRIGGER:
    default:
      return "media-playlist-repeat-symbolic";
    }
}

static LhSchemaNode *
object_node (LhSchemaSidebar *self,
             LhSchemaObject  *object,
             gboolean         nested);

/* A section ("Indexes", "Foreign Keys", "Triggers") of a table, or NULL when empty. */
static LhSchemaNode *
section_node (const char     *label,
              LhSchemaObject *table,
              GListStore     *items)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (items));
  g_autofree char *count = g_strdup_printf ("%u", n);
  LhSchemaNode *node;

  if (n == 0)
    return NULL;
  node = node_new (NODE_SECTION, label, count, table);
  node->children = G_LIST_MODEL (g_object_ref (items));
  return node;
}

static void
append_section (GListStore   *children,
                LhSchemaNode *section)
{
  if (section == NULL)
    return;
  g_list_store_append (children, section);
  g_object_unref (section);
}

static GListModel *
object_children (LhSchemaSidebar *self,
                 LhSchemaObject  *object)
{
  GListModel *columns = lh_schema_object_get_columns (object);
  GListModel *keys = lh_schema_object_get_foreign_keys (object);
  GListStore *children = g_list_store_new (LH_TYPE_SCHEMA_NODE);
  g_autoptr(GListStore) fk_nodes = g_list_store_new (LH_TYPE_SCHEMA_NODE);
  g_autoptr(GListStore) index_nodes = g_list_store_new (LH_TYPE_SCHEMA_NODE);
  g_autoptr(GListStore) trigger_nodes = g_list_store_new (LH_TYPE_SCHEMA_NODE);
  const LhSchemaObjectKind related[] = { LH_SCHEMA_OBJECT_INDEX, LH_SCHEMA_OBJECT_TRIGGER };
  GListStore *related_nodes[] = { index_nodes, trigger_nodes };

  for (guint i = 0; i < g_list_model_get_n_items (columns); i++)
    {
      g_autoptr(LhSchemaColumn) column = g_list_model_get_item (columns, i);
      g_autofree char *detail = lh_schema_column_dup_summary (column);
      g_autoptr(LhSchemaNode) node = node_new (NODE_COLUMN, lh_schema_column_get_name (column),
                                               detail, object);

      g_list_store_append (children, node);
    }
  if (lh_schema_object_get_columns_error (object) != NULL)
    {
      g_autoptr(LhSchemaNode) node = node_new (NODE_COLUMN, _("Columns cannot be read"),
                                               lh_schema_object_get_columns_error (object), object);

      g_list_store_append (children, node);
    }

  for (guint i = 0; i < g_list_model_get_n_items (keys); i++)
    {
      g_autoptr(LhSchemaForeignKey) key = g_list_model_get_item (keys, i);
      g_autofree char *label = lh_schema_foreign_key_dup_label (key);
      g_autofree char *detail = lh_schema_foreign_key_dup_actions (key);
      g_autoptr(LhSchemaNode) node = node_new (NODE_FOREIGN_KEY, label, detail, object);

      node->foreign_key = g_object_ref (key);
      node->icon_name = "go-jump-symbolic";
      g_list_store_append (fk_nodes, node);
    }
  for (guint k = 0; k < G_N_ELEMENTS (related); k++)
    {
      g_autoptr(GListModel) objects = lh_schema_dup_related (self->schema, object, related[k]);

      for (guint i = 0; i < g_list_model_get_n_items (objects); i++)
        {
          g_autoptr(LhSchemaObject) item = g_list_model_get_item (objects, i);
          g_autoptr(LhSchemaNode) node = object_node (self, item, TRUE);

          g_list_store_append (related_nodes[k], node);
        }
    }

  append_section (children, section_node (_("Indexes"), object, index_nodes));
  append_section (children, section_node (_("Foreign Keys"), object, fk_nodes));
  append_section (children, section_node (_("Triggers"), object, trigger_nodes));
  return G_LIST_MODEL (children);
}

/* nested: shown under its table, whose name it need not repeat. */
static LhSchemaNode *
object_node (LhSchemaSidebar *self,
             LhSchemaObject  *object,
             gboolean         nested)
{
  LhSchemaObjectKind kind = lh_schema_object_get_kind (object);
  LhSchemaNode *node = node_new (NODE_OBJECT, lh_schema_object_get_name (object), NULL, object);

  node->icon_name = icon_for_kind (kind);
  if (lh_schema_object_has_rows (object))
    node->children = object_children (self, object);
  else if (!nested)
    node->detail = g_strdup (lh_schema_object_get_table_name (object));
  return node;
}

static gboolean
filter_cb (gpointer item,
           gpointer user_data)
{
  LhSchemaSidebar *self = user_data;
  LhSchemaNode *node = item;
  g_autofree char *label = NULL;

  if (self->search == NULL || *self->search == '\0')
    return TRUE;
  label = g_utf8_casefold (node->label, -1);
  return strstr (label, self->search) != NULL;
}

/* The groups (Tables, Views, …) of one database's objects. */
static GListStore *
build_groups (LhSchemaSidebar *self,
              const char      *database)
{
  static const LhSchemaObjectKind kinds[] = {
    LH_SCHEMA_OBJECT_TABLE, LH_SCHEMA_OBJECT_VIEW, LH_SCHEMA_OBJECT_VIRTUAL_TABLE,
    LH_SCHEMA_OBJECT_INDEX, LH_SCHEMA_OBJECT_TRIGGER,
  };
  GListModel *objects = lh_schema_get_objects (self->schema);
  GListStore *groups = g_list_store_new (LH_TYPE_SCHEMA_NODE);

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      g_autoptr(GListStore) members = g_list_store_new (LH_TYPE_SCHEMA_NODE);
      g_autoptr(LhSchemaNode) group = NULL;
      g_autofree char *count = NULL;

      for (guint i = 0; i < g_list_model_get_n_items (objects); i++)
        {
          g_autoptr(LhSchemaObject) object = g_list_model_get_item (objects, i);
          g_autoptr(LhSchemaNode) node = NULL;

          if (lh_schema_object_get_kind (object) != kinds[k] ||
              !g_str_equal (lh_schema_object_get_database (object), database))
            continue;
          node = object_node (self, object, FALSE);
          g_list_store_append (members, node);
          g_hash_table_insert (self->object_nodes, lh_schema_object_dup_qualified_name (object), node);
        }
      if (g_list_model_get_n_items (G_LIST_MODEL (members)) == 0)
        continue;
      count = g_strdup_printf ("%u", g_list_model_get_n_items (G_LIST_MODEL (members)));
      group = node_new (NODE_GROUP, lh_schema_object_kind_to_label (kinds[k]), count, NULL);
      group->children = G_LIST_MODEL (gtk_filter_list_model_new (G_LIST_MODEL (g_steal_pointer (&members)),
                                                                 GTK_FILTER (g_object_ref (self->filter))));
      g_list_store_append (groups, group);
    }
  return groups;
}

/* The main database's groups, then a node per attached database holding its own. */
static GListModel *
build_root (LhSchemaSidebar *self)
{
  GListStore *root = build_groups (self, "main");

  for (guint i = 0; i < lh_schema_get_n_databases (self->schema); i++)
    {
      const char *database = lh_schema_get_database (self->schema, i);
      g_autoptr(LhSchemaNode) node = NULL;

      if (g_str_equal (database, "main"))
        continue;
      /* TRANSLATORS: beside the name of a database attached with ATTACH */
      node = node_new (NODE_DATABASE, database, _("attached"), NULL);
      node->icon_name = "drive-harddisk-symbolic";
      node->children = G_LIST_MODEL (build_groups (self, database));
      g_list_store_append (root, node);
    }
  return G_LIST_MODEL (root);
}

static GListModel *
create_children_cb (gpointer item,
                    gpointer user_data)
{
  LhSchemaNode *node = item;

  return node->children != NULL ? g_object_ref (node->children) : NULL;
}

/* Rows */

static void
detail_changed_cb (LhSchemaNode *node,
                   GParamSpec   *pspec,
                   GtkLabel     *detail)
{
  gtk_label_set_text (detail, node->detail != NULL ? node->detail : "");
  gtk_widget_set_visible (GTK_WIDGET (detail), node->detail != NULL && *node->detail != '\0');
}

static void open_menu (LhSchemaSidebar *self,
                       LhSchemaNode    *node,
                       GtkWidget       *widget,
                       double           x,
                       double           y);

static void
row_pressed_cb (GtkGestureClick *gesture,
                int              n_press,
                double           x,
                double           y,
                GtkTreeExpander *expander)
{
  LhSchemaSidebar *self = LH_SCHEMA_SIDEBAR (gtk_widget_get_ancestor (GTK_WIDGET (expander),
                                                                      LH_TYPE_SCHEMA_SIDEBAR));
  GtkTreeListRow *row = gtk_tree_expander_get_list_row (expander);

  if (self == NULL || row == NULL)
    return;
  open_menu (self, gtk_tree_list_row_get_item (row), GTK_WIDGET (expander), x, y);
  g_object_unref (gtk_tree_list_row_get_item (row));
}

static void
setup_row (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           LhSchemaSidebar          *self)
{
  GtkWidget *expander = gtk_tree_expander_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *icon = gtk_image_new ();
  GtkWidget *label = gtk_label_new (NULL);
  GtkWidget *detail = gtk_label_new (NULL);
  GtkGesture *menu_click = gtk_gesture_click_new ();

  gtk_widget_add_css_class (icon, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_width_chars (GTK_LABEL (label), 8);
  gtk_widget_set_hexpand (label, TRUE);
  /* The name comes first: the detail gets what room is left. */
  gtk_label_set_xalign (GTK_LABEL (detail), 1.0);
  gtk_label_set_ellipsize (GTK_LABEL (detail), PANGO_ELLIPSIZE_END);
  gtk_label_set_width_chars (GTK_LABEL (detail), 3);
  gtk_label_set_max_width_chars (GTK_LABEL (detail), 10);
  gtk_widget_add_css_class (detail, "dim-label");
  gtk_widget_add_css_class (detail, "caption");
  gtk_widget_add_css_class (detail, "numeric");
  gtk_box_append (GTK_BOX (box), icon);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), detail);
  gtk_tree_expander_set_child (GTK_TREE_EXPANDER (expander), box);
  g_object_set_data (G_OBJECT (expander), "lh-icon", icon);
  g_object_set_data (G_OBJECT (expander), "lh-label", label);
  g_object_set_data (G_OBJECT (expander), "lh-detail", detail);

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (menu_click), GDK_BUTTON_SECONDARY);
  g_signal_connect (menu_click, "pressed", G_CALLBACK (row_pressed_cb), expander);
  gtk_widget_add_controller (expander, GTK_EVENT_CONTROLLER (menu_click));
  gtk_list_item_set_child (item, expander);
}

static void
bind_row (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          LhSchemaSidebar          *self)
{
  GtkWidget *expander = gtk_list_item_get_child (item);
  GtkTreeListRow *row = gtk_list_item_get_item (item);
  LhSchemaNode *node = gtk_tree_list_row_get_item (row);
  GtkWidget *icon = g_object_get_data (G_OBJECT (expander), "lh-icon");
  GtkWidget *label = g_object_get_data (G_OBJECT (expander), "lh-label");
  GtkWidget *detail = g_object_get_data (G_OBJECT (expander), "lh-detail");
  gulong handler;

  gtk_tree_expander_set_list_row (GTK_TREE_EXPANDER (expander), row);
  gtk_image_set_from_icon_name (GTK_IMAGE (icon), node->icon_name);
  gtk_widget_set_visible (icon, node->icon_name != NULL);
  gtk_label_set_text (GTK_LABEL (label), node->label);
  gtk_widget_set_tooltip_text (expander, node->label);
  if (node->kind == NODE_DATABASE || node->kind == NODE_GROUP || node->kind == NODE_SECTION)
    gtk_widget_add_css_class (label, "heading");
  else
    gtk_widget_remove_css_class (label, "heading");
  detail_changed_cb (node, NULL, GTK_LABEL (detail));
  handler = g_signal_connect (node, "notify::detail", G_CALLBACK (detail_changed_cb), detail);
  g_object_set_data (G_OBJECT (expander), "lh-node", node);
  g_object_set_data (G_OBJECT (expander), "lh-handler", GSIZE_TO_POINTER (handler));
}

static void
unbind_row (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            LhSchemaSidebar          *self)
{
  GtkWidget *expander = gtk_list_item_get_child (item);
  LhSchemaNode *node = g_object_get_data (G_OBJECT (expander), "lh-node");
  gulong handler = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (expander), "lh-handler"));

  if (node != NULL && handler != 0)
    g_signal_handler_disconnect (node, handler);
  g_object_set_data (G_OBJECT (expander), "lh-node", NULL);
  g_object_set_data (G_OBJECT (expander), "lh-handler", NULL);
  gtk_tree_expander_set_list_row (GTK_TREE_EXPANDER (expander), NULL);
}

static LhSchemaNode *
node_at (LhSchemaSidebar *self,
         guint            position)
{
  g_autoptr(GtkTreeListRow) row = g_list_model_get_item (G_LIST_MODEL (self->tree), position);

  return row != NULL ? gtk_tree_list_row_get_item (row) : NULL;
}

static void
activate_node (LhSchemaSidebar *self,
               LhSchemaNode    *node)
{
  LhSchemaObject *target = node->object;

  if (node->kind == NODE_FOREIGN_KEY)
    target = lh_schema_lookup_in (self->schema, lh_schema_object_get_database (node->object),
                                  lh_schema_foreign_key_get_table (node->foreign_key));
  if (target != NULL && lh_schema_object_has_rows (target) &&
      node->kind != NODE_GROUP && node->kind != NODE_DATABASE)
    g_signal_emit (self, signals[OBJECT_ACTIVATED], 0, target);
}

static void
activate_cb (LhSchemaSidebar *self,
             guint            position)
{
  g_autoptr(LhSchemaNode) node = node_at (self, position);

  if (node != NULL)
    activate_node (self, node);
}

/* Row counts */

static char *
format_count (gint64   count,
              gboolean estimate)
{
  g_autofree char *number = NULL;

  if (count >= 10000000)
    number = g_strdup_printf ("%.0fM", count / 1e6);
  else if (count >= 1000000)
    number = g_strdup_printf ("%.1fM", count / 1e6);
  else if (count >= 100000)
    number = g_strdup_printf ("%.0fk", count / 1e3);
  else
    number = g_strdup_printf ("%" G_GINT64_FORMAT, count);
  /* TRANSLATORS: an estimated number of rows, such as "~1.2M" */
  return estimate ? g_strdup_printf (_("~%s"), number) : g_steal_pointer (&number);
}

static void count_next (LhSchemaSidebar *self);

static void
count_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(LhSchemaSidebar) self = user_data;
  g_autoptr(LhResultSet) rows = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(LhSchemaNode) node = NULL;

  rows = lh_connection_execute_finish (LH_CONNECTION (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  node = g_queue_pop_head (&self->to_count);
  if (node != NULL && rows != NULL && lh_result_set_get_n_rows (rows) == 1 &&
      lh_result_set_get_value (rows, 0, 0)->kind == LH_VALUE_INTEGER)
    {
      g_autofree char *text = format_count (lh_result_set_get_value (rows, 0, 0)->v.integer, FALSE);

      node_set_detail (node, text);
    }
  count_next (self);
}

static void
count_next (LhSchemaSidebar *self)
{
  LhSchemaNode *node = g_queue_peek_head (&self->to_count);
  g_autofree char *sql = NULL;
  g_autofree char *table = NULL;

  if (node == NULL || self->connection == NULL)
    return;
  table = lh_schema_object_dup_qualified_name (node->object);
  sql = g_strdup_printf ("SELECT count(*) FROM %s", table);
  lh_connection_execute_background_async (self->connection, sql, NULL, self->cancellable,
                                          count_cb, g_object_ref (self));
}

/* sqlite_stat1 (written by ANALYZE) says roughly how many rows each table had then. */
static void
estimates_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(LhSchemaSidebar) self = user_data;
  g_autoptr(LhResultSet) rows = NULL;
  g_autoptr(GError) error = NULL;

  rows = lh_connection_execute_finish (LH_CONNECTION (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  for (guint i = 0; rows != NULL && i < lh_result_set_get_n_rows (rows); i++)
    {
      const LhValue *name = lh_result_set_get_value (rows, i, 0);
      const LhValue *count = lh_result_set_get_value (rows, i, 1);
      g_autofree char *key = name->kind == LH_VALUE_TEXT
        ? lh_sql_quote_identifier (name->v.text.data) : NULL;
      LhSchemaNode *node = key != NULL ? g_hash_table_lookup (self->object_nodes, key) : NULL;

      if (node != NULL && count->kind == LH_VALUE_INTEGER && node->detail == NULL)
        {
          g_autofree char *text = format_count (count->v.integer, TRUE);

          node_set_detail (node, text);
        }
    }
  count_next (self);
}

static void
start_counts (LhSchemaSidebar *self)
{
  GListModel *objects = lh_schema_get_objects (self->schema);

  for (guint i = 0; i < g_list_model_get_n_items (objects); i++)
    {
      g_autoptr(LhSchemaObject) object = g_list_model_get_item (objects, i);
      g_autofree char *key = lh_schema_object_dup_qualified_name (object);
      LhSchemaNode *node = g_hash_table_lookup (self->object_nodes, key);

      if (node != NULL && lh_schema_object_get_kind (object) == LH_SCHEMA_OBJECT_TABLE)
        g_queue_push_tail (&self->to_count, g_object_ref (node));
    }
  lh_connection_execute_background_async (self->connection, ESTIMATES_SQL, NULL,
                                          self->cancellable, estimates_cb, g_object_ref (self));
}

/* Loading */

static void
show_message (LhSchemaSidebar *self,
              const char      *text)
{
  gtk_label_set_text (self->message_label, text);
  gtk_stack_set_visible_child_name (self->stack, "message");
}

static void selection_changed_cb (LhSchemaSidebar *self);

static void
expand_groups (LhSchemaSidebar *self)
{
  guint n = g_list_model_get_n_items (gtk_tree_list_model_get_model (self->tree));

  for (guint i = n; i > 0; i--)
    {
      g_autoptr(GtkTreeListRow) row = gtk_tree_list_model_get_child_row (self->tree, i - 1);
      g_autoptr(LhSchemaNode) node = NULL;

      if (row == NULL)
        continue;
      gtk_tree_list_row_set_expanded (row, TRUE);
      node = gtk_tree_list_row_get_item (row);
      /* An attached database shows its groups open, as the main one does. */
      if (node->kind == NODE_DATABASE)
        for (guint j = g_list_model_get_n_items (node->children); j > 0; j--)
          {
            g_autoptr(GtkTreeListRow) group = gtk_tree_list_row_get_child_row (row, j - 1);

            if (group != NULL)
              gtk_tree_list_row_set_expanded (group, TRUE);
          }
    }
}

static void
set_tree (LhSchemaSidebar *self,
          GListModel      *root)
{
  g_clear_object (&self->tree);
  g_clear_object (&self->selection);
  if (root == NULL)
    {
      gtk_list_view_set_model (self->list_view, NULL);
      return;
    }
  self->tree = gtk_tree_list_model_new (root, FALSE, FALSE, create_children_cb, NULL, NULL);
  self->selection = gtk_single_selection_new (G_LIST_MODEL (g_object_ref (self->tree)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));
  g_signal_connect_swapped (self->selection, "notify::selected", G_CALLBACK (selection_changed_cb), self);
  expand_groups (self);
}

static void
load_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(LhSchemaSidebar) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(LhSchema) schema = NULL;

  schema = lh_schema_load_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (schema == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Cannot read the schema: %s"), error->message);

      show_message (self, text);
      return;
    }

  g_set_object (&self->schema, schema);
  set_tree (self, build_root (self));
  if (lh_schema_count (schema, LH_SCHEMA_OBJECT_TABLE) + lh_schema_count (schema, LH_SCHEMA_OBJECT_VIEW) +
      lh_schema_count (schema, LH_SCHEMA_OBJECT_VIRTUAL_TABLE) == 0)
    show_message (self, _("This database has no tables yet."));
  else
    gtk_stack_set_visible_child_name (self->stack, "tree");
  start_counts (self);
  g_signal_emit (self, signals[LOADED], 0);
}

void
lh_schema_sidebar_load (LhSchemaSidebar *self,
                        LhConnection    *connection)
{
  g_return_if_fail (LH_IS_SCHEMA_SIDEBAR (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_queue_clear_full (&self->to_count, g_object_unref);
  g_hash_table_remove_all (self->object_nodes);
  set_tree (self, NULL);
  g_clear_object (&self->schema);
  g_set_object (&self->connection, connection);
  show_message (self, _("Reading the schema…"));
  if (connection == NULL)
    return;

  self->cancellable = g_cancellable_new ();
  lh_schema_load_async (connection, self->cancellable, load_cb, g_object_ref (self));
}

LhSchema *
lh_schema_sidebar_get_schema (LhSchemaSidebar *self)
{
  g_return_val_if_fail (LH_IS_SCHEMA_SIDEBAR (self), NULL);
  return self->schema;
}

/* Search */

static void
search_changed_cb (LhSchemaSidebar *self)
{
  g_free (self->search);
  self->search = g_utf8_casefold (gtk_editable_get_text (GTK_EDITABLE (self->search_entry)), -1);
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
}

void
lh_schema_sidebar_set_search (LhSchemaSidebar *self,
                              const char      *text)
{
  g_return_if_fail (LH_IS_SCHEMA_SIDEBAR (self));
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text != NULL ? text : "");
  search_changed_cb (self);
}

/* The context menu and its actions */

static LhSchemaNode *
action_node (LhSchemaSidebar *self)
{
  if (self->menu_node != NULL)
    return self->menu_node;
  if (self->selection == NULL)
    return NULL;
  return gtk_tree_list_row_get_item (gtk_single_selection_get_selected_item (self->selection));
}

static LhSchemaObject *
action_object (LhSchemaSidebar *self)
{
  LhSchemaNode *node = action_node (self);
  LhSchemaObject *object = node != NULL && node->kind == NODE_OBJECT ? node->object : NULL;

  /* action_node() returned a new reference only for the selection. */
  if (node != NULL && node != self->menu_node)
    g_object_unref (node);
  return object;
}

static void
update_actions (LhSchemaSidebar *self)
{
  LhSchemaObject *object = action_object (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sidebar.open",
                                 object != NULL && lh_schema_object_has_rows (object));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sidebar.show-definition",
                                 object != NULL && lh_schema_object_get_sql (object) != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sidebar.copy-name", object != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sidebar.copy-sql",
                                 object != NULL && lh_schema_object_get_sql (object) != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sidebar.drop",
                                 object != NULL && self->connection != NULL &&
                                 !lh_connection_get_read_only (self->connection));
}

/* The menu acts on the row it was opened on until another row is selected. */
static void
selection_changed_cb (LhSchemaSidebar *self)
{
  g_clear_object (&self->menu_node);
  update_actions (self);
}

static void
open_menu (LhSchemaSidebar *self,
           LhSchemaNode    *node,
           GtkWidget       *widget,
           double           x,
           double           y)
{
  graphene_point_t point;

  if (node->kind != NODE_OBJECT)
    return;
  g_set_object (&self->menu_node, node);
  update_actions (self);
  if (!gtk_widget_compute_point (widget, GTK_WIDGET (self), &GRAPHENE_POINT_INIT (x, y), &point))
    return;
  gtk_popover_set_pointing_to (GTK_POPOVER (self->menu),
                               &(GdkRectangle) { point.x, point.y, 1, 1 });
  gtk_popover_popup (GTK_POPOVER (self->menu));
}

static void
open_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  LhSchemaSidebar *self = LH_SCHEMA_SIDEBAR (widget);
  LhSchemaObject *object = action_object (self);

  if (object != NULL && lh_schema_object_has_rows (object))
    g_signal_emit (self, signals[OBJECT_ACTIVATED], 0, object);
}

static void
copy_name_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  LhSchemaObject *object = action_object (LH_SCHEMA_SIDEBAR (widget));

  if (object != NULL)
    gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), lh_schema_object_get_name (object));
}

static void
copy_sql_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  LhSchemaObject *object = action_object (LH_SCHEMA_SIDEBAR (widget));
  g_autofree char *sql = NULL;

  if (object == NULL || lh_schema_object_get_sql (object) == NULL)
    return;
  sql = g_strconcat (lh_schema_object_get_sql (object), ";", NULL);
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), sql);
}

/* A window with the object's CREATE statement, highlighted and read-only. */
GtkWindow *
lh_schema_sidebar_show_definition (LhSchemaSidebar *self,
                                   LhSchemaObject  *object)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *window = adw_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *title = adw_window_title_new (lh_schema_object_get_name (object),
                                           _("Definition"));

  g_return_val_if_fail (lh_schema_object_get_sql (object) != NULL, NULL);

  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), title);
  gtk_box_append (GTK_BOX (box), header);
  gtk_box_append (GTK_BOX (box), lh_object_details_new_sql_view (lh_schema_object_get_sql (object)));
  adw_window_set_content (ADW_WINDOW (window), box);
  gtk_window_set_title (GTK_WINDOW (window), lh_schema_object_get_name (object));
  gtk_window_set_default_size (GTK_WINDOW (window), 640, 420);
  gtk_window_set_modal (GTK_WINDOW (window), TRUE);
  if (GTK_IS_WINDOW (root))
    gtk_window_set_transient_for (GTK_WINDOW (window), GTK_WINDOW (root));
  gtk_window_present (GTK_WINDOW (window));
  return GTK_WINDOW (window);
}

static void
show_definition_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  LhSchemaSidebar *self = LH_SCHEMA_SIDEBAR (widget);
  LhSchemaObject *object = action_object (self);

  if (object != NULL && lh_schema_object_get_sql (object) != NULL)
    lh_schema_sidebar_show_definition (self, object);
}

static const char *
drop_keyword (LhSchemaObjectKind kind)
{
  switch (kind)
    {
    case LH_SCHEMA_OBJECT_VIEW:
      return "VIEW";
    case LH_SCHEMA_OBJECT_INDEX:
      return "INDEX";
    case LH_SCHEMA_OBJECT_TRIGGER:
      return "TRIGGER";
    case LH_SCHEMA_OBJECT_TABLE:
    case LH_SCHEMA_OBJECT_VIRTUAL_TABLE:
    default:
      return "TABLE";
    }
}

/* What a drop takes away, in words: a table's rows, indexes and triggers go with it. */
static char *
drop_body (LhSchemaSidebar *self,
           LhSchemaObject  *object)
{
  const char *name = lh_schema_object_get_name (object);
  g_autoptr(GListModel) indexes = NULL;
  g_autoptr(GListModel) triggers = NULL;
  LhSchemaNode *node;

  switch (lh_schema_object_get_kind (object))
    {
    case LH_SCHEMA_OBJECT_TABLE:
    case LH_SCHEMA_OBJECT_VIRTUAL_TABLE:
      {
        guint n_indexes, n_triggers;
        g_autofree char *index_text = NULL;
        g_autofree char *trigger_text = NULL;

        g_autofree char *key = lh_schema_object_dup_qualified_name (object);

        node = g_hash_table_lookup (self->object_nodes, key);
        indexes = lh_schema_dup_related (self->schema, object, LH_SCHEMA_OBJECT_INDEX);
        triggers = lh_schema_dup_related (self->schema, object, LH_SCHEMA_OBJECT_TRIGGER);
        n_indexes = g_list_model_get_n_items (indexes);
        n_triggers = g_list_model_get_n_items (triggers);
        index_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u index", "%u indexes",
                                                   n_indexes), n_indexes);
        trigger_text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u trigger", "%u triggers",
                                                     n_triggers), n_triggers);
        /* TRANSLATORS: the table's name, its row count, "2 indexes", "1 trigger" */
        return g_strdup_printf (_("The table “%s” will be deleted with all its rows (%s), "
                                  "%s and %s. This cannot be undone."),
                                name,
                                node != NULL && node->detail != NULL ? node->detail : _("not counted yet"),
                                index_text, trigger_text);
      }
    case LH_SCHEMA_OBJECT_VIEW:
      return g_strdup_printf (_("The view “%s” will be deleted. Its tables and their rows stay."), name);
    case LH_SCHEMA_OBJECT_INDEX:
      return g_strdup_printf (_("The index “%s” will be deleted. The table and its rows stay."), name);
    case LH_SCHEMA_OBJECT_TRIGGER:
    default:
      return g_strdup_printf (_("The trigger “%s” will be deleted. The table and its rows stay."), name);
    }
}

typedef struct
{
  LhSchemaSidebar *self;
  LhSchemaObject  *object;
} DropData;

static DropData *
drop_data_new (LhSchemaSidebar *self,
               LhSchemaObject  *object)
{
  DropData *data = g_new0 (DropData, 1);

  data->self = g_object_ref (self);
  data->object = g_object_ref (object);
  return data;
}

static void
drop_data_free (DropData *data,
                GClosure *closure)
{
  g_object_unref (data->self);
  g_object_unref (data->object);
  g_free (data);
}

static void
drop_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  DropData *data = user_data;
  g_autoptr(LhResultSet) rows = NULL;
  g_autoptr(GError) error = NULL;

  rows = lh_connection_execute_finish (LH_CONNECTION (source), result, &error);
  if (rows == NULL)
    {
      GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (data->self));
      g_autofree char *heading = g_strdup_printf (_("Could Not Drop “%s”"),
                                                  lh_schema_object_get_name (data->object));
      GtkWidget *dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                  heading, error->message);

      adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
    }
  else
    g_signal_emit (data->self, signals[OBJECT_DROPPED], 0, data->object);
  drop_data_free (data, NULL);
}

static void
drop_response_cb (AdwMessageDialog *dialog,
                  const char       *response,
                  DropData         *data)
{
  g_autofree char *table = NULL;
  g_autofree char *sql = NULL;

  if (!g_str_equal (response, "drop") || data->self->connection == NULL)
    return;
  table = lh_schema_object_dup_qualified_name (data->object);
  sql = g_strdup_printf ("DROP %s %s", drop_keyword (lh_schema_object_get_kind (data->object)), table);
  lh_connection_execute_async (data->self->connection, sql, NULL, 0, NULL, drop_cb,
                               drop_data_new (data->self, data->object));
}

static void
drop_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  LhSchemaSidebar *self = LH_SCHEMA_SIDEBAR (widget);
  LhSchemaObject *object = action_object (self);
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  AdwMessageDialog *dialog;
  DropData *data;

  if (object == NULL || self->connection == NULL)
    return;
  heading = g_strdup_printf (_("Drop “%s”?"), lh_schema_object_get_name (object));
  body = drop_body (self, object);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                       heading, body));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "drop", _("_Drop"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "drop", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  data = drop_data_new (self, object);
  g_signal_connect_data (dialog, "response", G_CALLBACK (drop_response_cb), data,
                         (GClosureNotify) drop_data_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* For tests and keyboard users */

static gboolean
find_position (LhSchemaSidebar *self,
               const char      *label,
               guint           *position)
{
  guint n = self->tree != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->tree)) : 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LhSchemaNode) node = node_at (self, i);

      if (g_strcmp0 (node->label, label) == 0)
        {
          *position = i;
          return TRUE;
        }
    }
  return FALSE;
}

/* Selects the first shown row labelled label (an object, a column, a key). */
gboolean
lh_schema_sidebar_select (LhSchemaSidebar *self,
                          const char      *label)
{
  guint position;

  g_return_val_if_fail (LH_IS_SCHEMA_SIDEBAR (self), FALSE);

  if (!find_position (self, label, &position))
    return FALSE;
  gtk_single_selection_set_selected (self->selection, position);
  selection_changed_cb (self);
  return TRUE;
}

gboolean
lh_schema_sidebar_set_expanded (LhSchemaSidebar *self,
                                const char      *label,
                                gboolean         expanded)
{
  g_autoptr(GtkTreeListRow) row = NULL;
  guint position;

  g_return_val_if_fail (LH_IS_SCHEMA_SIDEBAR (self), FALSE);

  if (!find_position (self, label, &position))
    return FALSE;
  row = g_list_model_get_item (G_LIST_MODEL (self->tree), position);
  gtk_tree_list_row_set_expanded (row, expanded);
  return TRUE;
}

/* Activates the first shown row labelled label, as a double-click or Enter does. */
gboolean
lh_schema_sidebar_activate (LhSchemaSidebar *self,
                            const char      *label)
{
  guint position;

  g_return_val_if_fail (LH_IS_SCHEMA_SIDEBAR (self), FALSE);

  if (!find_position (self, label, &position))
    return FALSE;
  activate_cb (self, position);
  return TRUE;
}

/* The rows shown, one a line: indented by depth, the label, then " · detail". */
char *
lh_schema_sidebar_dup_rows_text (LhSchemaSidebar *self)
{
  GString *text = g_string_new (NULL);
  guint n;

  g_return_val_if_fail (LH_IS_SCHEMA_SIDEBAR (self), NULL);

  n = self->tree != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->tree)) : 0;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GtkTreeListRow) row = g_list_model_get_item (G_LIST_MODEL (self->tree), i);
      g_autoptr(LhSchemaNode) node = gtk_tree_list_row_get_item (row);

      for (guint d = 0; d < gtk_tree_list_row_get_depth (row); d++)
        g_string_append (text, "  ");
      g_string_append (text, node->label);
      if (node->detail != NULL && *node->detail != '\0')
        g_string_append_printf (text, " · %s", node->detail);
      g_string_append_c (text, '\n');
    }
  return g_string_free (text, FALSE);
}

/* TRUE while row counts are still being read. */
gboolean
lh_schema_sidebar_get_counting (LhSchemaSidebar *self)
{
  g_return_val_if_fail (LH_IS_SCHEMA_SIDEBAR (self), FALSE);
  return !g_queue_is_empty (&self->to_count);
}

/* Construction */

static void
lh_schema_sidebar_dispose (GObject *object)
{
  LhSchemaSidebar *self = LH_SCHEMA_SIDEBAR (object);
  GtkWidget *child;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->menu, gtk_widget_unparent);
  gtk_widget_dispose_template (GTK_WIDGET (self), LH_TYPE_SCHEMA_SIDEBAR);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_queue_clear_full (&self->to_count, g_object_unref);
  g_clear_pointer (&self->object_nodes, g_hash_table_unref);
  g_clear_object (&self->selection);
  g_clear_object (&self->tree);
  g_clear_object (&self->filter);
  g_clear_object (&self->menu_node);
  g_clear_object (&self->schema);
  g_clear_object (&self->connection);
  g_clear_pointer (&self->search, g_free);
  G_OBJECT_CLASS (lh_schema_sidebar_parent_class)->dispose (object);
}

static void
lh_schema_sidebar_class_init (LhSchemaSidebarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lh_schema_sidebar_dispose;

  signals[OBJECT_ACTIVATED] =
    g_signal_new ("object-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, LH_TYPE_SCHEMA_OBJECT);
  /* The object was dropped from the database. */
  signals[OBJECT_DROPPED] =
    g_signal_new ("object-dropped", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, LH_TYPE_SCHEMA_OBJECT);

  /* A schema was read: lh_schema_sidebar_get_schema() has it. */
  signals[LOADED] =
    g_signal_new ("loaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/litehouse/Litehouse/lh-schema-sidebar.ui");
  gtk_widget_class_bind_template_child (widget_class, LhSchemaSidebar, search_entry);
  gtk_widget_class_bind_template_child (widget_class, LhSchemaSidebar, stack);
  gtk_widget_class_bind_template_child (widget_class, LhSchemaSidebar, list_view);
  gtk_widget_class_bind_template_child (widget_class, LhSchemaSidebar, message_label);
  gtk_widget_class_bind_template_child (widget_class, LhSchemaSidebar, object_menu);

  gtk_widget_class_install_action (widget_class, "sidebar.open", NULL, open_action);
  gtk_widget_class_install_action (widget_class, "sidebar.show-definition", NULL, show_definition_action);
  gtk_widget_class_install_action (widget_class, "sidebar.copy-name", NULL, copy_name_action);
  gtk_widget_class_install_action (widget_class, "sidebar.copy-sql", NULL, copy_sql_action);
  gtk_widget_class_install_action (widget_class, "sidebar.drop", NULL, drop_action);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "schemasidebar");
}

static void
lh_schema_sidebar_init (LhSchemaSidebar *self)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  g_queue_init (&self->to_count);
  self->object_nodes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->filter = gtk_custom_filter_new (filter_cb, self, NULL);

  g_signal_connect (factory, "setup", G_CALLBACK (setup_row), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row), self);
  gtk_list_view_set_factory (self->list_view, factory);
  g_signal_connect_swapped (self->list_view, "activate", G_CALLBACK (activate_cb), self);
  g_signal_connect_swapped (self->search_entry, "search-changed", G_CALLBACK (search_changed_cb), self);

  self->menu = gtk_popover_menu_new_from_model (self->object_menu);
  gtk_widget_set_parent (self->menu, GTK_WIDGET (self));
  gtk_popover_set_has_arrow (GTK_POPOVER (self->menu), FALSE);
  gtk_widget_set_halign (self->menu, GTK_ALIGN_START);
  update_actions (self);
}
