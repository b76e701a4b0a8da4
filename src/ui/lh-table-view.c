/* lh-table-view.c — LhTableView shows a table or view as a grid: a GtkColumnView over an
 * LhTablePager (pages fetched as they scroll into view) followed by the rows the user
 * added, with a filter bar, sorting by header, and editing through an LhEditSet: a
 * double-click opens a cell editor, pending changes are marked in place, and "Write
 * Changes" applies them in one transaction or, failing, says which row and why.
 *
 * GTK 4.8 has no getter for the column a GtkColumnViewSorter sorts by: each column's
 * sorter is a GtkCustomSorter that records its column when asked to compare, so one
 * gtk_sorter_compare() on the view's sorter tells the primary column and its direction. */
#include "config.h"

#include <glib/gi18n.h>

#include "lh-object-details.h"
#include "lh-row-format.h"
#include "lh-table-view.h"

/* Characters a cell shows before it ends in an ellipsis. */
#define CELL_MAX_CHARS 200
/* Bytes of a blob the hex view shows. */
#define HEX_MAX_BYTES 4096
/* Rows copied at most: the rest of a bigger selection is not loaded anyway. */
#define COPY_MAX_ROWS 100000

struct _LhTableView
{
  GtkWidget parent_instance;

  /* template children */
  GtkWidget         *toolbar;
  GtkToggleButton   *filter_button;
  GtkWidget         *edit_separator;
  GtkWidget         *add_button;
  GtkWidget         *delete_button;
  GtkLabel          *count_label;
  GtkSpinner        *spinner;
  GtkLabel          *changes_label;
  GtkWidget         *revert_button;
  GtkWidget         *write_button;
  GtkRevealer       *filter_revealer;
  GtkBox            *conditions_box;
  GtkRevealer       *error_revealer;
  GtkLabel          *error_label;
  GtkStack          *content_stack;
  GtkScrolledWindow *scrolled;
  GtkColumnView     *column_view;
  GtkLabel          *empty_label;
  AdwBin            *structure_bin;

  /* owned */
  LhSchema          *schema;
  LhTablePager      *pager;
  LhEditSet         *edits;
  GtkMultiSelection *selection;
  GCancellable      *write_cancellable;
  GtkWidget         *editor;
  GtkTextBuffer     *editor_buffer;
  GtkWidget         *editor_warning;
  LhPagerRow        *editor_row;
  LhValue           *editor_value;    /* set by Load File or Set NULL, else from the text */
  GtkNativeDialog   *chooser;

  /* state */
  guint    editor_column;
  guint    scroll_target;
  int      probed_column;
  gboolean editable;
  gboolean show_structure;
};

enum {
  PROP_0,
  PROP_HAS_CHANGES,
  PROP_SHOW_STRUCTURE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  OPEN_OBJECT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (LhTableView, lh_table_view, GTK_TYPE_WIDGET)

static void update_state (LhTableView *self);

/* Callbacks of work begun before the tab closed find the view without its parts. */
static gboolean
lh_table_view_is_disposed (LhTableView *self)
{
  return self->pager == NULL;
}

/* Cells */

typedef struct
{
  LhTableView *self;
  guint        column;
  guint        width_chars;
} ColumnData;

static const char * const cell_classes[] = {
  "null-value", "blob-value", "loading-cell", "default-value",
  "modified-cell", "deleted-cell", "inserted-cell",
};

static char *
cell_text (const LhValue *value)
{
  g_autofree char *text = lh_value_to_display_string (value, CELL_MAX_CHARS);

  if (value->kind == LH_VALUE_BLOB)
    {
      g_autofree char *size = g_format_size (g_bytes_get_size (value->v.blob));

      /* TRANSLATORS: a binary value in a grid cell, with its size */
      return g_strdup_printf (_("BLOB · %s"), size);
    }
  g_strdelimit (text, "\n\r\t", ' ');
  return g_steal_pointer (&text);
}

/* The value a cell shows: the pending one if any, else the row's; NULL while loading. */
static const LhValue *
shown_value (LhTableView *self,
             LhPagerRow  *row,
             guint        column,
             gboolean    *modified)
{
  const LhValue *value = NULL;

  if (lh_pager_row_get_loaded (row) || lh_pager_row_get_inserted (row))
    value = lh_edit_set_get_value (self->edits, row, column);
  *modified = value != NULL;
  return value != NULL ? value : lh_pager_row_get_value (row, column);
}

static void
render_cell (GtkWidget *cell)
{
  ColumnData *data = g_object_get_data (G_OBJECT (cell), "lh-column-data");
  LhPagerRow *row = g_object_get_data (G_OBJECT (cell), "lh-row");
  LhTableView *self = data->self;
  GtkInscription *inscription = GTK_INSCRIPTION (cell);
  g_autofree char *text = NULL;
  const char *style = NULL;
  const LhValue *value;
  gboolean modified;

  if (row == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (cell_classes); i++)
    gtk_widget_remove_css_class (cell, cell_classes[i]);

  value = shown_value (self, row, data->column, &modified);
  if (value == NULL && lh_pager_row_get_inserted (row))
    {
      /* TRANSLATORS: a cell of a new row that takes the column's default value */
      text = g_strdup (_("default"));
      style = "default-value";
    }
  else if (value == NULL)
    {
      text = g_strdup ("…");
      style = "loading-cell";
    }
  else
    {
      text = cell_text (value);
      if (value->kind == LH_VALUE_NULL)
        style = "null-value";
      else if (value->kind == LH_VALUE_BLOB)
        style = "blob-value";
    }

  gtk_inscription_set_text (inscription, text);
  gtk_inscription_set_xalign (inscription,
                              value != NULL && (value->kind == LH_VALUE_INTEGER ||
                                                value->kind == LH_VALUE_REAL) ? 1.0 : 0.0);
  if (style != NULL)
    gtk_widget_add_css_class (cell, style);
  if (modified)
    gtk_widget_add_css_class (cell, "modified-cell");
  if (lh_pager_row_get_inserted (row))
    gtk_widget_add_css_class (cell, "inserted-cell");
  else if (lh_edit_set_is_deleted (self->edits, row))
    gtk_widget_add_css_class (cell, "deleted-cell");

  if (value != NULL && value->kind == LH_VALUE_TEXT &&
      g_utf8_strlen (value->v.text.data, value->v.text.length) > CELL_MAX_CHARS / 4)
    {
      g_autofree char *whole = lh_value_to_display_string (value, 2000);

      gtk_widget_set_tooltip_text (cell, whole);
    }
  else
    gtk_widget_set_tooltip_text (cell, NULL);
}

static void open_editor (LhTableView *self,
                         LhPagerRow  *row,
                         guint        column,
                         GtkWidget   *cell);

static void
cell_pressed_cb (GtkGestureClick *gesture,
                 int              n_press,
                 double           x,
                 double           y,
                 GtkWidget       *cell)
{
  ColumnData *data = g_object_get_data (G_OBJECT (cell), "lh-column-data");
  LhPagerRow *row = g_object_get_data (G_OBJECT (cell), "lh-row");

  if (n_press != 2 || row == NULL)
    return;
  if (!lh_pager_row_get_loaded (row) && !lh_pager_row_get_inserted (row))
    return;
  open_editor (data->self, row, data->column, cell);
}

static void
setup_cell (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            ColumnData               *data)
{
  GtkWidget *cell = gtk_inscription_new (NULL);
  GtkGesture *click = gtk_gesture_click_new ();

  gtk_inscription_set_text_overflow (GTK_INSCRIPTION (cell), GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
  gtk_inscription_set_min_chars (GTK_INSCRIPTION (cell), 4);
  gtk_inscription_set_nat_chars (GTK_INSCRIPTION (cell), data->width_chars);
  gtk_widget_add_css_class (cell, "grid-cell");
  g_object_set_data (G_OBJECT (cell), "lh-column-data", data);
  g_signal_connect (click, "pressed", G_CALLBACK (cell_pressed_cb), cell);
  gtk_widget_add_controller (cell, GTK_EVENT_CONTROLLER (click));
  gtk_list_item_set_child (item, cell);
}

static void
bind_cell (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           ColumnData               *data)
{
  GtkWidget *cell = gtk_list_item_get_child (item);
  gulong handler;

  g_object_set_data_full (G_OBJECT (cell), "lh-row", g_object_ref (gtk_list_item_get_item (item)),
                          g_object_unref);
  handler = g_signal_connect_swapped (data->self->edits, "changed", G_CALLBACK (render_cell), cell);
  g_object_set_data (G_OBJECT (cell), "lh-handler", GSIZE_TO_POINTER (handler));
  render_cell (cell);
}

static void
unbind_cell (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             ColumnData               *data)
{
  GtkWidget *cell = gtk_list_item_get_child (item);
  gulong handler = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (cell), "lh-handler"));

  if (handler != 0)
    g_signal_handler_disconnect (data->self->edits, handler);
  g_object_set_data (G_OBJECT (cell), "lh-handler", NULL);
  g_object_set_data (G_OBJECT (cell), "lh-row", NULL);
}

/* Sorting */

static int
probe_compare (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  ColumnData *data = user_data;

  if (data->self->probed_column < 0)
    data->self->probed_column = data->column;
  return GTK_ORDERING_SMALLER;
}

static void
sorter_changed_cb (LhTableView *self)
{
  g_autoptr(GObject) a = NULL;
  g_autoptr(GObject) b = NULL;
  GtkOrdering order;

  /* The columns going away while the view is disposed change the sorter too. */
  if (self->column_view == NULL || self->pager == NULL)
    return;
  a = g_object_new (G_TYPE_OBJECT, NULL);
  b = g_object_new (G_TYPE_OBJECT, NULL);
  self->probed_column = -1;
  order = gtk_sorter_compare (gtk_column_view_get_sorter (self->column_view), a, b);
  lh_table_pager_set_sort (self->pager, self->probed_column, order == GTK_ORDERING_LARGER);
  lh_table_pager_apply (self->pager);
}

/* Every cell of a column asks for the same width, by the column's type, so that the
 * width does not depend on the rows that happened to be on screen first. */
static guint
column_width_chars (LhSchemaColumn *column)
{
  const char *type = lh_schema_column_get_declared_type (column);
  guint name = g_utf8_strlen (lh_schema_column_get_name (column), -1) + 2;
  guint width;

  switch (lh_affinity_from_type (type))
    {
    case LH_AFFINITY_INTEGER:
      width = 10;
      break;
    case LH_AFFINITY_REAL:
    case LH_AFFINITY_NUMERIC:
      width = 12;
      break;
    case LH_AFFINITY_BLOB:
      width = *type != '\0' ? 14 : 20;
      break;
    case LH_AFFINITY_TEXT:
    default:
      width = 20;
      break;
    }
  return CLAMP (MAX (width, name), 6, 40);
}

static void
add_columns (LhTableView *self)
{
  for (guint i = 0; i < lh_table_pager_get_n_columns (self->pager); i++)
    {
      g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
      g_autoptr(GtkColumnViewColumn) column = NULL;
      g_autoptr(GtkSorter) sorter = NULL;
      ColumnData *data = g_new0 (ColumnData, 1);

      data->self = self;
      data->column = i;
      data->width_chars = column_width_chars (lh_table_pager_get_column (self->pager, i));
      g_object_set_data_full (G_OBJECT (factory), "lh-column-data", data, g_free);
      g_signal_connect (factory, "setup", G_CALLBACK (setup_cell), data);
      g_signal_connect (factory, "bind", G_CALLBACK (bind_cell), data);
      g_signal_connect (factory, "unbind", G_CALLBACK (unbind_cell), data);

      column = gtk_column_view_column_new (lh_table_pager_get_column_name (self->pager, i),
                                           g_steal_pointer (&factory));
      gtk_column_view_column_set_resizable (column, TRUE);
      sorter = GTK_SORTER (gtk_custom_sorter_new (probe_compare, data, NULL));
      gtk_column_view_column_set_sorter (column, sorter);
      gtk_column_view_append_column (self->column_view, column);
    }
}

/* State shown around the grid */

static char *
format_count (gint64 count)
{
  g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT, count);

  /* TRANSLATORS: "%s" is a number */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s row", "%s rows", count), number);
}

static void
update_count (LhTableView *self)
{
  gint64 count = lh_table_pager_get_row_count (self->pager);
  g_autofree char *text = NULL;

  if (count < 0)
    text = g_strdup (_("Counting rows…"));
  else if (lh_table_pager_get_n_filters (self->pager) > 0)
    {
      g_autofree char *rows = format_count (count);

      /* TRANSLATORS: "%s" is a number of rows, such as "12 rows" */
      text = g_strdup_printf (_("%s match the filter"), rows);
    }
  else
    text = format_count (count);
  if (!self->editable)
    {
      g_autofree char *rows = g_steal_pointer (&text);

      /* TRANSLATORS: "%s" is a number of rows, such as "12 rows" */
      text = g_strdup_printf (_("%s · read-only"), rows);
    }
  gtk_label_set_text (self->count_label, text);
}

static void
show_error (LhTableView *self,
            const char  *message)
{
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_revealer_set_reveal_child (self->error_revealer, message != NULL);
}

static void
pager_error_cb (LhTableView *self)
{
  const GError *error = lh_table_pager_get_error (self->pager);

  if (error != NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Cannot read the rows: %s"), error->message);

      show_error (self, text);
    }
}

/* An empty grid says why it is empty. */
static void
update_empty (LhTableView *self)
{
  gboolean empty = lh_table_pager_get_row_count (self->pager) == 0 &&
                   g_list_model_get_n_items (lh_edit_set_get_inserted_rows (self->edits)) == 0;

  gtk_label_set_text (self->empty_label,
                      lh_table_pager_get_n_filters (self->pager) > 0
                        ? _("No rows match the filter")
                        : _("No rows yet"));
  gtk_widget_set_visible (GTK_WIDGET (self->empty_label), empty);
}

static void
update_state (LhTableView *self)
{
  guint n_changed = lh_edit_set_get_n_changed_rows (self->edits);
  gboolean applying = lh_edit_set_get_applying (self->edits);
  gboolean loading = lh_table_pager_get_loading (self->pager) || applying;

  update_count (self);
  update_empty (self);
  gtk_spinner_set_spinning (self->spinner, loading);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), loading);

  if (n_changed > 0)
    {
      g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                            "%u row changed", "%u rows changed",
                                                            n_changed), n_changed);

      gtk_label_set_text (self->changes_label, text);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->changes_label), n_changed > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "table.write", n_changed > 0 && !applying);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "table.revert", n_changed > 0 && !applying);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "table.add-row", self->editable && !applying);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "table.delete-rows", self->editable && !applying);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "table.refresh", n_changed == 0 && !applying);
  /* What is being written cannot change meanwhile. */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "table.editor-set-null", !applying);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "table.editor-load", !applying);
  if (applying)
    gtk_widget_action_set_enabled (GTK_WIDGET (self), "table.editor-apply", FALSE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_HAS_CHANGES]);
}

/* Filters */

static const char * const op_labels[LH_FILTER_N_OPS] = {
  "=", "≠", "<", ">", "LIKE", "IS NULL", "IS NOT NULL",
};

static void
op_changed_cb (GtkDropDown *ops,
               GParamSpec  *pspec,
               GtkWidget   *entry)
{
  gtk_widget_set_visible (entry, lh_filter_op_takes_value (gtk_drop_down_get_selected (ops)));
}

static void
remove_condition_cb (GtkWidget *button)
{
  GtkWidget *condition = gtk_widget_get_parent (button);

  gtk_box_remove (GTK_BOX (gtk_widget_get_parent (condition)), condition);
}

static GtkWidget *
new_condition (LhTableView *self)
{
  guint n = lh_table_pager_get_n_columns (self->pager);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *columns, *ops, *entry, *remove;

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (names, (gpointer) lh_table_pager_get_column_name (self->pager, i));
  g_ptr_array_add (names, NULL);
  columns = gtk_drop_down_new_from_strings ((const char * const *) names->pdata);
  ops = gtk_drop_down_new_from_strings (op_labels);
  entry = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("Value"));
  gtk_widget_set_hexpand (entry, TRUE);
  remove = gtk_button_new_from_icon_name ("list-remove-symbolic");
  gtk_widget_set_tooltip_text (remove, _("Remove this condition"));
  gtk_widget_add_css_class (remove, "flat");
  g_signal_connect (ops, "notify::selected", G_CALLBACK (op_changed_cb), entry);
  g_signal_connect (remove, "clicked", G_CALLBACK (remove_condition_cb), NULL);

  g_object_set_data (G_OBJECT (box), "lh-columns", columns);
  g_object_set_data (G_OBJECT (box), "lh-ops", ops);
  g_object_set_data (G_OBJECT (box), "lh-entry", entry);
  gtk_box_append (GTK_BOX (box), columns);
  gtk_box_append (GTK_BOX (box), ops);
  gtk_box_append (GTK_BOX (box), entry);
  gtk_box_append (GTK_BOX (box), remove);
  return box;
}

static void
condition_activate_cb (GtkEntry    *entry,
                       LhTableView *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "table.apply-filters", NULL);
}

/* Adds a condition row; column and op preset it, text fills its value. */
void
lh_table_view_add_condition (LhTableView *self,
                             guint        column,
                             LhFilterOp   op,
                             const char  *text)
{
  GtkWidget *condition;

  g_return_if_fail (LH_IS_TABLE_VIEW (self));

  condition = new_condition (self);
  gtk_drop_down_set_selected (g_object_get_data (G_OBJECT (condition), "lh-columns"), column);
  gtk_drop_down_set_selected (g_object_get_data (G_OBJECT (condition), "lh-ops"), op);
  if (text != NULL)
    gtk_editable_set_text (g_object_get_data (G_OBJECT (condition), "lh-entry"), text);
  g_signal_connect (g_object_get_data (G_OBJECT (condition), "lh-entry"), "activate",
                    G_CALLBACK (condition_activate_cb), self);
  gtk_box_append (self->conditions_box, condition);
  gtk_toggle_button_set_active (self->filter_button, TRUE);
}

static void
add_condition_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  lh_table_view_add_condition (LH_TABLE_VIEW (widget), 0, LH_FILTER_EQUAL, NULL);
}

static void
apply_filters_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  LhTableView *self = LH_TABLE_VIEW (widget);

  lh_table_pager_clear_filters (self->pager);
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->conditions_box));
       child != NULL; child = gtk_widget_get_next_sibling (child))
    {
      guint column = gtk_drop_down_get_selected (g_object_get_data (G_OBJECT (child), "lh-columns"));
      LhFilterOp op = gtk_drop_down_get_selected (g_object_get_data (G_OBJECT (child), "lh-ops"));
      const char *text = gtk_editable_get_text (g_object_get_data (G_OBJECT (child), "lh-entry"));
      g_autoptr(LhValue) value = NULL;

      if (column >= lh_table_pager_get_n_columns (self->pager) || op >= LH_FILTER_N_OPS)
        continue;
      if (lh_filter_op_takes_value (op))
        value = lh_value_new_from_input (text,
                                         lh_schema_column_get_declared_type (lh_table_pager_get_column (self->pager, column)));
      lh_table_pager_add_filter (self->pager, column, op, value);
    }
  show_error (self, NULL);
  lh_table_pager_apply (self->pager);
}

static void
clear_filters_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  LhTableView *self = LH_TABLE_VIEW (widget);
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->conditions_box))) != NULL)
    gtk_box_remove (self->conditions_box, child);
  if (lh_table_pager_get_n_filters (self->pager) > 0)
    {
      lh_table_pager_clear_filters (self->pager);
      lh_table_pager_apply (self->pager);
    }
}

static void
filter_toggled_cb (LhTableView *self)
{
  if (gtk_toggle_button_get_active (self->filter_button) &&
      gtk_widget_get_first_child (GTK_WIDGET (self->conditions_box)) == NULL)
    lh_table_view_add_condition (self, 0, LH_FILTER_EQUAL, NULL);
}

/* The cell editor */

/* Events for the popover's surface may still be queued when it closes: it leaves its
 * parent only once they are through. */
static gboolean
unparent_idle_cb (gpointer data)
{
  GtkWidget *editor = data;

  if (gtk_widget_get_parent (editor) != NULL)
    gtk_widget_unparent (editor);
  g_object_unref (editor);
  return G_SOURCE_REMOVE;
}

static void
close_editor (LhTableView *self)
{
  if (self->editor != NULL)
    {
      GtkWidget *editor = g_steal_pointer (&self->editor);

      gtk_popover_popdown (GTK_POPOVER (editor));
      g_idle_add_full (G_PRIORITY_LOW, unparent_idle_cb, g_object_ref (editor), NULL);
    }
  g_clear_object (&self->editor_row);
  g_clear_object (&self->editor_buffer);
  self->editor_warning = NULL;
  g_clear_pointer (&self->editor_value, lh_value_free);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "table.editor-apply", FALSE);
}

static void
editor_closed_cb (LhTableView *self,
                  GtkPopover  *popover)
{
  if (self->editor == GTK_WIDGET (popover))
    close_editor (self);
}

static char *
hex_dump (GBytes *bytes)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (bytes, &size);
  GString *text = g_string_new (NULL);
  gsize shown = MIN (size, HEX_MAX_BYTES);

  for (gsize line = 0; line < shown; line += 16)
    {
      g_string_append_printf (text, "%08zx  ", line);
      for (gsize i = line; i < line + 16; i++)
        {
          if (i < shown)
            g_string_append_printf (text, "%02x ", data[i]);
          else
            g_string_append (text, "   ");
        }
      g_string_append_c (text, ' ');
      for (gsize i = line; i < line + 16 && i < shown; i++)
        g_string_append_c (text, g_ascii_isprint (data[i]) ? data[i] : '.');
      g_string_append_c (text, '\n');
    }
  if (shown < size)
    g_string_append_printf (text, _("… %zu more bytes"), size - shown);
  return g_string_free (text, FALSE);
}

static GtkWidget *
new_scrolled_text (GtkTextBuffer *buffer,
                   gboolean       monospace,
                   gboolean       editable)
{
  GtkWidget *view = gtk_text_view_new_with_buffer (buffer);
  GtkWidget *scrolled = gtk_scrolled_window_new ();

  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), monospace ? GTK_WRAP_NONE : GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_monospace (GTK_TEXT_VIEW (view), monospace);
  gtk_text_view_set_editable (GTK_TEXT_VIEW (view), editable);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (view), 6);
  gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (view), 6);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 6);
  gtk_text_view_set_right_margin (GTK_TEXT_VIEW (view), 6);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), view);
  gtk_scrolled_window_set_min_content_width (GTK_SCROLLED_WINDOW (scrolled), monospace ? 560 : 380);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scrolled), 140);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scrolled), 240);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  gtk_widget_add_css_class (scrolled, "card");
  return scrolled;
}

static GtkWidget *
new_action_button (const char *label,
                   const char *action,
                   const char *style)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (label);

  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  if (style != NULL)
    gtk_widget_add_css_class (button, style);
  return button;
}

/* A blob that is an image gets a preview above its bytes. */
static GtkWidget *
new_blob_view (GBytes *bytes)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  g_autoptr(GdkTexture) texture = gdk_texture_new_from_bytes (bytes, NULL);
  g_autoptr(GtkTextBuffer) hex = gtk_text_buffer_new (NULL);
  g_autofree char *dump = hex_dump (bytes);

  if (texture != NULL)
    {
      /* An image scales its paintable into a square of pixel-size, whatever its size. */
      GtkWidget *preview = gtk_image_new_from_paintable (GDK_PAINTABLE (texture));
      g_autofree char *size = g_strdup_printf (_("Image, %d × %d pixels"),
                                               gdk_texture_get_width (texture),
                                               gdk_texture_get_height (texture));
      GtkWidget *label = gtk_label_new (size);

      gtk_image_set_pixel_size (GTK_IMAGE (preview), 144);
      gtk_widget_add_css_class (label, "dim-label");
      gtk_widget_set_name (preview, "blob-preview");
      gtk_box_append (GTK_BOX (box), preview);
      gtk_box_append (GTK_BOX (box), label);
    }
  gtk_text_buffer_set_text (hex, dump, -1);
  gtk_box_append (GTK_BOX (box), new_scrolled_text (hex, TRUE, FALSE));
  return box;
}

static gboolean
is_number_column (LhSchemaColumn *column)
{
  LhAffinity affinity = lh_affinity_from_type (lh_schema_column_get_declared_type (column));

  return affinity == LH_AFFINITY_INTEGER || affinity == LH_AFFINITY_REAL ||
         affinity == LH_AFFINITY_NUMERIC;
}

/* Text typed into a number column is stored as text (or refused by a STRICT table):
 * say so while typing, not after writing. */
static void
check_number (LhTableView *self)
{
  LhSchemaColumn *column = lh_table_pager_get_column (self->pager, self->editor_column);
  g_autoptr(LhValue) value = NULL;
  g_autofree char *text = NULL;
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (self->editor_buffer, &start, &end);
  text = gtk_text_buffer_get_text (self->editor_buffer, &start, &end, FALSE);
  value = lh_value_new_from_input (text, lh_schema_column_get_declared_type (column));
  gtk_widget_set_visible (self->editor_warning, *text != '\0' && value->kind == LH_VALUE_TEXT);
}

static GtkWidget *
build_editor (LhTableView   *self,
              const LhValue *value,
              gboolean       editable)
{
  LhSchemaColumn *column = lh_table_pager_get_column (self->pager, self->editor_column);
  GtkWidget *popover = gtk_popover_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 8);
  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *title = gtk_label_new (NULL);
  g_autofree char *markup = NULL;
  const char *type = lh_schema_column_get_declared_type (column);

  markup = g_markup_printf_escaped ("<b>%s</b>  <span alpha=\"60%%\">%s · %s</span>",
                                    lh_schema_column_get_name (column),
                                    *type != '\0' ? type : _("no type"),
                                    lh_value_get_kind_name (value));
  gtk_label_set_markup (GTK_LABEL (title), markup);
  gtk_label_set_xalign (GTK_LABEL (title), 0.0);
  gtk_box_append (GTK_BOX (box), title);

  self->editor_buffer = gtk_text_buffer_new (NULL);
  if (value->kind == LH_VALUE_BLOB)
    gtk_box_append (GTK_BOX (box), new_blob_view (value->v.blob));
  else
    {
      g_autofree char *text = value->kind == LH_VALUE_NULL ? g_strdup ("")
                                                           : lh_value_to_display_string (value, 0);

      gtk_text_buffer_set_text (self->editor_buffer, text, -1);
      gtk_box_append (GTK_BOX (box), new_scrolled_text (self->editor_buffer, FALSE, editable));
      if (editable && is_number_column (column))
        {
          self->editor_warning = gtk_label_new (_("This is not a number: it will be stored as text."));
          gtk_label_set_xalign (GTK_LABEL (self->editor_warning), 0.0);
          gtk_widget_add_css_class (self->editor_warning, "warning");
          gtk_box_append (GTK_BOX (box), self->editor_warning);
          g_signal_connect_object (self->editor_buffer, "changed", G_CALLBACK (check_number),
                                   self, G_CONNECT_SWAPPED);
          check_number (self);
        }
      if (value->kind == LH_VALUE_NULL)
        {
          GtkWidget *hint = gtk_label_new (_("The value is NULL."));

          gtk_widget_add_css_class (hint, "dim-label");
          gtk_label_set_xalign (GTK_LABEL (hint), 0.0);
          gtk_box_append (GTK_BOX (box), hint);
        }
    }

  if (editable)
    {
      gtk_box_append (GTK_BOX (buttons), new_action_button (_("Set _NULL"), "table.editor-set-null", NULL));
      gtk_box_append (GTK_BOX (buttons), new_action_button (_("_Load File…"), "table.editor-load", NULL));
    }
  if (value->kind == LH_VALUE_BLOB)
    gtk_box_append (GTK_BOX (buttons), new_action_button (_("_Save to File…"), "table.editor-save", NULL));
  gtk_box_append (GTK_BOX (buttons), new_action_button (_("C_opy"), "table.editor-copy", NULL));
  {
    GtkWidget *spacer = gtk_label_new (NULL);

    gtk_widget_set_hexpand (spacer, TRUE);
    gtk_box_append (GTK_BOX (buttons), spacer);
  }
  gtk_box_append (GTK_BOX (buttons),
                  new_action_button (editable ? _("_Cancel") : _("_Close"), "table.editor-cancel", NULL));
  if (editable)
    gtk_box_append (GTK_BOX (buttons), new_action_button (_("_Apply"), "table.editor-apply",
                                                          "suggested-action"));
  gtk_box_append (GTK_BOX (box), buttons);
  gtk_popover_set_child (GTK_POPOVER (popover), box);
  return popover;
}

static void
open_editor (LhTableView *self,
             LhPagerRow  *row,
             guint        column,
             GtkWidget   *cell)
{
  gboolean modified;
  const LhValue *value = shown_value (self, row, column, &modified);
  g_autoptr(LhValue) null = lh_value_new_null ();
  gboolean editable = lh_edit_set_can_edit_column (self->edits, column) &&
                      !lh_edit_set_is_deleted (self->edits, row) &&
                      !lh_edit_set_get_applying (self->edits);
  graphene_rect_t bounds;

  close_editor (self);
  self->editor_row = g_object_ref (row);
  self->editor_column = column;
  self->editor = build_editor (self, value != NULL ? value : null, editable);
  gtk_widget_set_parent (self->editor, GTK_WIDGET (self));
  if (cell != NULL && gtk_widget_compute_bounds (cell, GTK_WIDGET (self), &bounds))
    gtk_popover_set_pointing_to (GTK_POPOVER (self->editor),
                                 &(GdkRectangle) { bounds.origin.x, bounds.origin.y,
                                                   bounds.size.width, bounds.size.height });
  g_signal_connect_swapped (self->editor, "closed", G_CALLBACK (editor_closed_cb), self);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "table.editor-apply", editable);
  gtk_popover_popup (GTK_POPOVER (self->editor));
}

static void
editor_apply_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  LhTableView *self = LH_TABLE_VIEW (widget);
  g_autoptr(LhValue) value = NULL;

  if (self->editor_row == NULL)
    return;
  if (self->editor_value != NULL)
    value = lh_value_copy (self->editor_value);
  else
    {
      GtkTextIter start, end;
      g_autofree char *text = NULL;
      LhSchemaColumn *column = lh_table_pager_get_column (self->pager, self->editor_column);
      gboolean modified;
      const LhValue *old = shown_value (self, self->editor_row, self->editor_column, &modified);

      gtk_text_buffer_get_bounds (self->editor_buffer, &start, &end);
      text = gtk_text_buffer_get_text (self->editor_buffer, &start, &end, FALSE);
      /* A blob shown as hex, or a NULL left empty, stays as it was. */
      if (old != NULL && (old->kind == LH_VALUE_BLOB || (old->kind == LH_VALUE_NULL && *text == '\0')))
        {
          close_editor (self);
          return;
        }
      value = lh_value_new_from_input (text, lh_schema_column_get_declared_type (column));
      if (old != NULL && lh_value_equal (old, value))
        {
          close_editor (self);
          return;
        }
    }
  lh_edit_set_set_value (self->edits, self->editor_row, self->editor_column, value);
  close_editor (self);
}

static void
editor_set_null_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  LhTableView *self = LH_TABLE_VIEW (widget);

  g_clear_pointer (&self->editor_value, lh_value_free);
  self->editor_value = lh_value_new_null ();
  editor_apply_action (widget, NULL, NULL);
}

/* The whole value on the clipboard: text as it is, a blob as an SQL literal. */
static void
editor_copy_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  LhTableView *self = LH_TABLE_VIEW (widget);
  g_autofree char *text = NULL;
  const LhValue *value;
  gboolean modified;

  if (self->editor_row == NULL)
    return;
  value = shown_value (self, self->editor_row, self->editor_column, &modified);
  if (value == NULL)
    return;
  text = value->kind == LH_VALUE_BLOB ? lh_value_to_sql_literal (value)
                                      : lh_value_to_display_string (value, 0);
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), text);
}

static void
editor_cancel_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  close_editor (LH_TABLE_VIEW (widget));
}

/* The cell a file is loaded into or saved from, fixed when the chooser opened. */
typedef struct
{
  LhTableView *self;
  LhPagerRow  *row;
  guint        column;
} CellTarget;

static CellTarget *
cell_target_new (LhTableView *self)
{
  CellTarget *target = g_new0 (CellTarget, 1);

  target->self = g_object_ref (self);
  target->row = g_object_ref (self->editor_row);
  target->column = self->editor_column;
  return target;
}

static void
cell_target_free (CellTarget *target)
{
  g_object_unref (target->self);
  g_object_unref (target->row);
  g_free (target);
}

static void
load_contents_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  CellTarget *target = user_data;
  LhTableView *self = target->self;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(LhValue) value = NULL;
  gsize length;

  if (!g_file_load_contents_finish (G_FILE (source), result, &contents, &length, NULL, &error))
    {
      g_autofree char *text = g_strdup_printf (_("Cannot read the file: %s"), error->message);

      if (!lh_table_view_is_disposed (self))
        show_error (self, text);
    }
  else if (!lh_table_view_is_disposed (self) && !lh_edit_set_get_applying (self->edits))
    {
      value = lh_value_new_blob (g_bytes_new_take (g_steal_pointer (&contents), length));
      lh_edit_set_set_value (self->edits, target->row, target->column, value);
      if (self->editor_row == target->row && self->editor_column == target->column)
        close_editor (self);
    }
  cell_target_free (target);
}

static void
save_contents_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(LhTableView) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_file_replace_contents_finish (G_FILE (source), result, NULL, &error) &&
      !lh_table_view_is_disposed (self))
    {
      g_autofree char *text = g_strdup_printf (_("Cannot save the file: %s"), error->message);

      show_error (self, text);
    }
}

static void
chooser_response_cb (LhTableView          *self,
                     int                   response,
                     GtkFileChooserNative *chooser)
{
  CellTarget *target = g_object_steal_data (G_OBJECT (chooser), "lh-target");
  gboolean saving = gtk_file_chooser_get_action (GTK_FILE_CHOOSER (chooser)) == GTK_FILE_CHOOSER_ACTION_SAVE;

  if (response == GTK_RESPONSE_ACCEPT && target != NULL)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      gboolean modified;
      const LhValue *value = shown_value (self, target->row, target->column, &modified);

      if (!saving)
        g_file_load_contents_async (file, NULL, load_contents_cb, g_steal_pointer (&target));
      else if (value != NULL && value->kind == LH_VALUE_BLOB)
        /* GIO writes a temporary file and renames it over the target. */
        g_file_replace_contents_bytes_async (file, value->v.blob, NULL, TRUE,
                                             G_FILE_CREATE_REPLACE_DESTINATION, NULL,
                                             save_contents_cb, g_object_ref (self));
    }
  g_clear_pointer (&target, cell_target_free);
  g_clear_object (&self->chooser);
}

static void
run_chooser (LhTableView          *self,
             GtkFileChooserAction  action,
             const char           *title,
             const char           *accept)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkFileChooserNative *chooser;

  if (self->chooser != NULL)
    return;
  if (self->editor_row == NULL)
    return;
  chooser = gtk_file_chooser_native_new (title, GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                         action, accept, _("_Cancel"));
  g_object_set_data_full (G_OBJECT (chooser), "lh-target", cell_target_new (self),
                          (GDestroyNotify) cell_target_free);
  self->chooser = GTK_NATIVE_DIALOG (chooser);
  g_signal_connect_swapped (chooser, "response", G_CALLBACK (chooser_response_cb), self);
  gtk_native_dialog_show (self->chooser);
}

static void
editor_load_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  run_chooser (LH_TABLE_VIEW (widget), GTK_FILE_CHOOSER_ACTION_OPEN,
               _("Load a File into the Cell"), _("_Load"));
}

static void
editor_save_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  run_chooser (LH_TABLE_VIEW (widget), GTK_FILE_CHOOSER_ACTION_SAVE,
               _("Save the Cell’s Bytes"), _("_Save"));
}

/* Rows */

/* GTK 4.8 lists have no scroll_to: the rows are of one height, so the position's share
 * of the scrollable height is where it is. Done once the list has taken in its new rows. */
static gboolean
scroll_idle_cb (gpointer data)
{
  g_autoptr(LhTableView) self = data;
  GtkAdjustment *adjustment;
  guint n;
  double upper, page;

  if (lh_table_view_is_disposed (self))
    return G_SOURCE_REMOVE;
  adjustment = gtk_scrolled_window_get_vadjustment (self->scrolled);
  n = g_list_model_get_n_items (G_LIST_MODEL (self->selection));
  upper = gtk_adjustment_get_upper (adjustment);
  page = gtk_adjustment_get_page_size (adjustment);
  if (n > 0)
    gtk_adjustment_set_value (adjustment,
                              CLAMP (upper * self->scroll_target / n - page / 3, 0, upper - page));
  return G_SOURCE_REMOVE;
}

void
lh_table_view_scroll_to (LhTableView *self,
                         guint        position)
{
  g_return_if_fail (LH_IS_TABLE_VIEW (self));

  self->scroll_target = position;
  g_idle_add_full (G_PRIORITY_LOW, scroll_idle_cb, g_object_ref (self), NULL);
}

static void
add_row_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  LhTableView *self = LH_TABLE_VIEW (widget);
  guint n;

  lh_edit_set_insert_row (self->edits);
  n = g_list_model_get_n_items (G_LIST_MODEL (self->selection));
  gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), n - 1, TRUE);
  lh_table_view_scroll_to (self, n - 1);
}

/* Selected rows that have not been read: a selection of a million rows holds mostly
 * those, and only the database could act on them. */
static guint64
count_unread (LhTableView *self,
              GtkBitset   *selected)
{
  guint n_pager = g_list_model_get_n_items (G_LIST_MODEL (self->pager));
  guint64 unread = 0;
  GtkBitsetIter iter;
  guint position;

  for (gboolean more = gtk_bitset_iter_init_first (&iter, selected, &position);
       more && position < n_pager; more = gtk_bitset_iter_next (&iter, &position))
    if (!lh_table_pager_is_loaded (self->pager, position))
      unread++;
  return unread;
}

static char *
unread_message (guint64 unread)
{
  g_autofree char *number = g_strdup_printf ("%" G_GUINT64_FORMAT, unread);

  /* TRANSLATORS: "%s" is a number of rows */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "%s of the selected rows has not been read yet: scroll "
                                       "to it, or select fewer rows.",
                                       "%s of the selected rows have not been read yet: scroll "
                                       "to them, or select fewer rows. Many rows at once are "
                                       "better changed with a statement in the SQL tab.",
                                       unread), number);
}

static void
delete_rows_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  LhTableView *self = LH_TABLE_VIEW (widget);
  g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (g_object_unref);
  guint64 unread = count_unread (self, selected);
  GtkBitsetIter iter;
  guint position;

  if (unread > 0)
    {
      g_autofree char *message = unread_message (unread);

      show_error (self, message);
      return;
    }

  /* Collected first: deleting an inserted row changes the positions after it. */
  for (gboolean more = gtk_bitset_iter_init_first (&iter, selected, &position); more;
       more = gtk_bitset_iter_next (&iter, &position))
    {
      LhPagerRow *row = g_list_model_get_item (G_LIST_MODEL (self->selection), position);

      if (lh_pager_row_get_loaded (row) || lh_pager_row_get_inserted (row))
        g_ptr_array_add (rows, row);
      else
        g_object_unref (row);
    }
  for (guint i = 0; i < rows->len; i++)
    lh_edit_set_delete_row (self->edits, g_ptr_array_index (rows, i));
}

static void
write_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(LhTableView) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean written = lh_edit_set_apply_finish (LH_EDIT_SET (source), result, &error);

  if (lh_table_view_is_disposed (self))
    return;
  g_clear_object (&self->write_cancellable);
  if (!written)
    {
      LhPagerRow *failed = lh_edit_set_get_failed_row (self->edits);

      show_error (self, error->message);
      if (failed != NULL)
        {
          guint position = lh_pager_row_get_position (failed);

          if (lh_pager_row_get_inserted (failed))
            {
              g_list_store_find (G_LIST_STORE (lh_edit_set_get_inserted_rows (self->edits)),
                                 failed, &position);
              position += g_list_model_get_n_items (G_LIST_MODEL (self->pager));
            }
          gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), position, TRUE);
          lh_table_view_scroll_to (self, position);
        }
      update_state (self);
      return;
    }
  show_error (self, NULL);
  lh_table_pager_refresh (self->pager);
  update_state (self);
}

static void
write_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  LhTableView *self = LH_TABLE_VIEW (widget);

  if (lh_edit_set_get_n_changed_rows (self->edits) == 0 || lh_edit_set_get_applying (self->edits))
    return;
  close_editor (self);
  self->write_cancellable = g_cancellable_new ();
  lh_edit_set_apply_async (self->edits, self->write_cancellable, write_cb, g_object_ref (self));
}

static void
revert_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  LhTableView *self = LH_TABLE_VIEW (widget);

  if (lh_edit_set_get_applying (self->edits))
    return;
  close_editor (self);
  lh_edit_set_revert (self->edits);
  show_error (self, NULL);
}

static void
refresh_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  LhTableView *self = LH_TABLE_VIEW (widget);

  show_error (self, NULL);
  lh_table_pager_refresh (self->pager);
}

static void
dismiss_error_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  show_error (LH_TABLE_VIEW (widget), NULL);
}

static void
toggle_filter_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  LhTableView *self = LH_TABLE_VIEW (widget);

  gtk_toggle_button_set_active (self->filter_button,
                                !gtk_toggle_button_get_active (self->filter_button));
}

static void
free_row_values (LhValue *values,
                 guint    n_columns)
{
  for (guint c = 0; c < n_columns; c++)
    lh_value_clear (&values[c]);
  g_free (values);
}

/* The selected rows as text in a format ("tsv", "csv", "json", "sql"), pending edits as
 * shown; NULL, with the reason, when some of them have not been read. */
char *
lh_table_view_dup_selection_text (LhTableView  *self,
                                  const char   *format,
                                  guint        *n_rows,
                                  GError      **error)
{
  static const char * const names[] = { "tsv", "csv", "json", "sql" };
  g_autoptr(GtkBitset) selected = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  g_autoptr(GPtrArray) rows = g_ptr_array_new ();
  g_autoptr(GPtrArray) column_names = g_ptr_array_new ();
  char *text;
  guint n_columns = lh_table_pager_get_n_columns (self->pager);
  LhRowFormat row_format = LH_ROW_FORMAT_TSV;
  GtkBitsetIter iter;
  guint position;

  guint64 unread = count_unread (self, selected);

  if (unread > 0)
    {
      g_autofree char *message = unread_message (unread);

      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, message);
      return NULL;
    }
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_strcmp0 (format, names[i]) == 0)
      row_format = i;
  for (guint i = 0; i < n_columns; i++)
    g_ptr_array_add (column_names, (gpointer) lh_table_pager_get_column_name (self->pager, i));
  g_ptr_array_add (column_names, NULL);

  for (gboolean more = gtk_bitset_iter_init_first (&iter, selected, &position);
       more && rows->len < COPY_MAX_ROWS; more = gtk_bitset_iter_next (&iter, &position))
    {
      g_autoptr(LhPagerRow) row = g_list_model_get_item (G_LIST_MODEL (self->selection), position);
      LhValue *values = g_new0 (LhValue, MAX (n_columns, 1));
      gboolean complete = TRUE;

      for (guint c = 0; c < n_columns && complete; c++)
        {
          gboolean modified;
          const LhValue *value = shown_value (self, row, c, &modified);

          /* A new row's unset column shows its default, which only the database knows. */
          if (value == NULL && lh_pager_row_get_inserted (row))
            values[c].kind = LH_VALUE_NULL;
          else if (value != NULL)
            lh_value_init_copy (&values[c], value);
          else
            complete = FALSE;
        }
      if (complete)
        g_ptr_array_add (rows, values);
      else
        free_row_values (values, n_columns);
    }
  if (n_rows != NULL)
    *n_rows = rows->len;
  text = lh_row_format_rows (row_format,
                             lh_schema_object_get_name (lh_table_pager_get_object (self->pager)),
                             (const char * const *) column_names->pdata, n_columns, rows, TRUE);
  for (guint i = 0; i < rows->len; i++)
    free_row_values (g_ptr_array_index (rows, i), n_columns);
  return text;
}

static void
copy_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  LhTableView *self = LH_TABLE_VIEW (widget);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  guint n_rows = 0;

  text = lh_table_view_dup_selection_text (self, g_variant_get_string (parameter, NULL), &n_rows,
                                           &error);
  if (text == NULL)
    show_error (self, error->message);
  else if (n_rows > 0)
    gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), text);
}

/* Construction */

static void
details_open_object_cb (LhTableView    *self,
                        LhSchemaObject *object)
{
  g_signal_emit (self, signals[OPEN_OBJECT], 0, object);
}

/* The structure page is made the first time it is shown, from the schema given. */
void
lh_table_view_set_show_structure (LhTableView *self,
                                  gboolean     show)
{
  g_return_if_fail (LH_IS_TABLE_VIEW (self));

  show = !!show;
  if (show && adw_bin_get_child (self->structure_bin) == NULL && self->schema != NULL)
    {
      GtkWidget *details = lh_object_details_new (self->schema, lh_table_pager_get_object (self->pager));

      g_signal_connect_object (details, "open-object", G_CALLBACK (details_open_object_cb), self,
                               G_CONNECT_SWAPPED);
      adw_bin_set_child (self->structure_bin, details);
    }
  gtk_stack_set_visible_child_name (self->content_stack, show ? "structure" : "data");
  if (self->show_structure == show)
    return;
  self->show_structure = show;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_STRUCTURE]);
}

/* The schema the structure page describes the table from. */
void
lh_table_view_set_schema (LhTableView *self,
                          LhSchema    *schema)
{
  g_return_if_fail (LH_IS_TABLE_VIEW (self));

  g_set_object (&self->schema, schema);
  adw_bin_set_child (self->structure_bin, NULL);
  if (self->show_structure)
    lh_table_view_set_show_structure (self, TRUE);
}

LhObjectDetails *
lh_table_view_get_details (LhTableView *self)
{
  GtkWidget *child;

  g_return_val_if_fail (LH_IS_TABLE_VIEW (self), NULL);
  child = adw_bin_get_child (self->structure_bin);
  return child != NULL ? LH_OBJECT_DETAILS (child) : NULL;
}

static void
lh_table_view_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  switch (prop_id)
    {
    case PROP_SHOW_STRUCTURE:
      lh_table_view_set_show_structure (LH_TABLE_VIEW (object), g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lh_table_view_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  LhTableView *self = LH_TABLE_VIEW (object);

  switch (prop_id)
    {
    case PROP_HAS_CHANGES:
      g_value_set_boolean (value, lh_table_view_get_has_changes (self));
      break;
    case PROP_SHOW_STRUCTURE:
      g_value_set_boolean (value, self->show_structure);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
lh_table_view_dispose (GObject *object)
{
  LhTableView *self = LH_TABLE_VIEW (object);
  GtkWidget *child;

  if (self->editor != NULL)
    gtk_widget_unparent (g_steal_pointer (&self->editor));
  close_editor (self);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);
  g_cancellable_cancel (self->write_cancellable);
  g_clear_object (&self->write_cancellable);
  if (self->pager != NULL)
    lh_table_pager_stop (self->pager);
  gtk_widget_dispose_template (GTK_WIDGET (self), LH_TYPE_TABLE_VIEW);
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->selection);
  g_clear_object (&self->edits);
  g_clear_object (&self->pager);
  g_clear_object (&self->schema);
  G_OBJECT_CLASS (lh_table_view_parent_class)->dispose (object);
}

static void
lh_table_view_class_init (LhTableViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lh_table_view_dispose;
  object_class->get_property = lh_table_view_get_property;
  object_class->set_property = lh_table_view_set_property;

  /* Edits, new rows or deletions wait to be written. */
  properties[PROP_HAS_CHANGES] =
    g_param_spec_boolean ("has-changes", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* The structure page is shown instead of the rows. */
  properties[PROP_SHOW_STRUCTURE] =
    g_param_spec_boolean ("show-structure", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Another table or view should be shown: one a foreign key references. */
  signals[OPEN_OBJECT] =
    g_signal_new ("open-object", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, LH_TYPE_SCHEMA_OBJECT);

  g_type_ensure (LH_TYPE_OBJECT_DETAILS);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/litehouse/Litehouse/lh-table-view.ui");
  gtk_widget_class_bind_template_child (widget_class, LhTableView, toolbar);
  gtk_widget_class_bind_template_child (widget_class, LhTableView, filter_button);
  gtk_widget_class_bind_template_child (widget_class, LhTableView, edit_separator);
  gtk_widget_class_bind_template_child (widget_class, LhTableView, add_button);
  gtk_widget_class_bind_template_child (widget_class, LhTableView, delete_button);
  gtk_widget_class_bind_template_child (widget_class, LhTableView, count_label);
  gtk_widget_class_bind_template_child (widget_class, LhTableView, spinner);
  gtk_widget_class_bind_template_child (widget_class, LhTableView, changes_label);
  gtk_widget_class_bind_template_child (widget_class, LhTableView, revert_button);
  gtk_widget_class_bind_template_child (widget_class, LhTableView, write_button);
  gtk_widget_class_bind_template_child (widget_class, LhTableView, filter_revealer);
  gtk_widget_class_bind_template_child (widget_class, LhTableView, conditions_box);
  gtk_widget_class_bind_template_child (widget_class, LhTableView, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, LhTableView, error_label);
  gtk_widget_class_bind_template_child (widget_class, LhTableView, content_stack);
  gtk_widget_class_bind_template_child (widget_class, LhTableView, scrolled);
  gtk_widget_class_bind_template_child (widget_class, LhTableView, structure_bin);
  gtk_widget_class_bind_template_child (widget_class, LhTableView, column_view);
  gtk_widget_class_bind_template_child (widget_class, LhTableView, empty_label);

  gtk_widget_class_install_property_action (widget_class, "table.show-structure", "show-structure");
  gtk_widget_class_install_action (widget_class, "table.add-row", NULL, add_row_action);
  gtk_widget_class_install_action (widget_class, "table.delete-rows", NULL, delete_rows_action);
  gtk_widget_class_install_action (widget_class, "table.write", NULL, write_action);
  gtk_widget_class_install_action (widget_class, "table.revert", NULL, revert_action);
  gtk_widget_class_install_action (widget_class, "table.refresh", NULL, refresh_action);
  gtk_widget_class_install_action (widget_class, "table.copy", "s", copy_action);
  gtk_widget_class_install_action (widget_class, "table.toggle-filter", NULL, toggle_filter_action);
  gtk_widget_class_install_action (widget_class, "table.add-condition", NULL, add_condition_action);
  gtk_widget_class_install_action (widget_class, "table.apply-filters", NULL, apply_filters_action);
  gtk_widget_class_install_action (widget_class, "table.clear-filters", NULL, clear_filters_action);
  gtk_widget_class_install_action (widget_class, "table.dismiss-error", NULL, dismiss_error_action);
  gtk_widget_class_install_action (widget_class, "table.editor-apply", NULL, editor_apply_action);
  gtk_widget_class_install_action (widget_class, "table.editor-cancel", NULL, editor_cancel_action);
  gtk_widget_class_install_action (widget_class, "table.editor-copy", NULL, editor_copy_action);
  gtk_widget_class_install_action (widget_class, "table.editor-set-null", NULL, editor_set_null_action);
  gtk_widget_class_install_action (widget_class, "table.editor-load", NULL, editor_load_action);
  gtk_widget_class_install_action (widget_class, "table.editor-save", NULL, editor_save_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "table.write", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "table.add-row", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "table.delete-rows", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "table.refresh", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "table.toggle-filter", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_c, GDK_CONTROL_MASK, "table.copy", "s", "tsv");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "table.editor-apply", NULL);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "tableview");
}

static void
lh_table_view_init (LhTableView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->probed_column = -1;
  /* Columns get the width they ask for, and the grid scrolls sideways when they do not fit. */
  gtk_scrollable_set_hscroll_policy (GTK_SCROLLABLE (self->column_view), GTK_SCROLL_NATURAL);
  g_signal_connect_swapped (self->filter_button, "toggled", G_CALLBACK (filter_toggled_cb), self);
}

/* A grid over object (a table, view or virtual table) of connection. */
GtkWidget *
lh_table_view_new (LhConnection   *connection,
                   LhSchemaObject *object)
{
  LhTableView *self;
  g_autoptr(GListStore) parts = NULL;

  g_return_val_if_fail (LH_IS_CONNECTION (connection), NULL);
  g_return_val_if_fail (LH_IS_SCHEMA_OBJECT (object), NULL);

  self = g_object_new (LH_TYPE_TABLE_VIEW, NULL);
  self->pager = lh_table_pager_new (connection, object);
  self->edits = lh_edit_set_new (self->pager);
  self->editable = lh_table_pager_get_keyed (self->pager) && !lh_connection_get_read_only (connection);

  parts = g_list_store_new (G_TYPE_LIST_MODEL);
  g_list_store_append (parts, self->pager);
  g_list_store_append (parts, lh_edit_set_get_inserted_rows (self->edits));
  self->selection = gtk_multi_selection_new (G_LIST_MODEL (gtk_flatten_list_model_new (G_LIST_MODEL (g_steal_pointer (&parts)))));
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));
  add_columns (self);

  gtk_widget_set_visible (self->edit_separator, self->editable);
  gtk_widget_set_visible (self->add_button, self->editable);
  gtk_widget_set_visible (self->delete_button, self->editable);
  gtk_widget_set_visible (self->revert_button, self->editable);
  gtk_widget_set_visible (self->write_button, self->editable);

  g_signal_connect_object (self->pager, "notify::row-count", G_CALLBACK (update_state), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->pager, "notify::loading", G_CALLBACK (update_state), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->pager, "notify::error", G_CALLBACK (pager_error_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->edits, "changed", G_CALLBACK (update_state), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (gtk_column_view_get_sorter (self->column_view), "changed",
                           G_CALLBACK (sorter_changed_cb), self, G_CONNECT_SWAPPED);

  update_state (self);
  lh_table_pager_apply (self->pager);
  return GTK_WIDGET (self);
}

LhSchemaObject *
lh_table_view_get_object (LhTableView *self)
{
  g_return_val_if_fail (LH_IS_TABLE_VIEW (self), NULL);
  return lh_table_pager_get_object (self->pager);
}

LhTablePager *
lh_table_view_get_pager (LhTableView *self)
{
  g_return_val_if_fail (LH_IS_TABLE_VIEW (self), NULL);
  return self->pager;
}

LhEditSet *
lh_table_view_get_edit_set (LhTableView *self)
{
  g_return_val_if_fail (LH_IS_TABLE_VIEW (self), NULL);
  return self->edits;
}

GtkColumnView *
lh_table_view_get_column_view (LhTableView *self)
{
  g_return_val_if_fail (LH_IS_TABLE_VIEW (self), NULL);
  return self->column_view;
}

gboolean
lh_table_view_get_has_changes (LhTableView *self)
{
  g_return_val_if_fail (LH_IS_TABLE_VIEW (self), FALSE);
  return lh_edit_set_get_n_changed_rows (self->edits) > 0;
}

gboolean
lh_table_view_get_busy (LhTableView *self)
{
  g_return_val_if_fail (LH_IS_TABLE_VIEW (self), FALSE);
  return lh_table_pager_get_loading (self->pager) || lh_edit_set_get_applying (self->edits);
}

/* The error shown above the grid, or NULL. */
const char *
lh_table_view_get_error_text (LhTableView *self)
{
  g_return_val_if_fail (LH_IS_TABLE_VIEW (self), NULL);
  if (!gtk_revealer_get_reveal_child (self->error_revealer))
    return NULL;
  return gtk_label_get_text (self->error_label);
}

const char *
lh_table_view_get_count_text (LhTableView *self)
{
  g_return_val_if_fail (LH_IS_TABLE_VIEW (self), NULL);
  return gtk_label_get_text (self->count_label);
}

/* The cell widget showing (position, column), if it is on screen. */
static GtkWidget *
find_cell (GtkWidget *widget,
           guint      position,
           guint      column)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      ColumnData *data = g_object_get_data (G_OBJECT (child), "lh-column-data");
      LhPagerRow *row = g_object_get_data (G_OBJECT (child), "lh-row");
      GtkWidget *found;

      if (data != NULL && row != NULL && data->column == column && gtk_widget_get_mapped (child) &&
          lh_pager_row_get_position (row) == position && !lh_pager_row_get_inserted (row))
        return child;
      found = find_cell (child, position, column);
      if (found != NULL)
        return found;
    }
  return NULL;
}

/* Opens the cell editor on a loaded or new row, as a double-click does. */
gboolean
lh_table_view_edit_cell (LhTableView *self,
                         guint        position,
                         guint        column)
{
  g_autoptr(LhPagerRow) row = NULL;

  g_return_val_if_fail (LH_IS_TABLE_VIEW (self), FALSE);
  g_return_val_if_fail (column < lh_table_pager_get_n_columns (self->pager), FALSE);

  row = g_list_model_get_item (G_LIST_MODEL (self->selection), position);
  if (row == NULL || (!lh_pager_row_get_loaded (row) && !lh_pager_row_get_inserted (row)))
    return FALSE;
  open_editor (self, row, column, find_cell (GTK_WIDGET (self->column_view), position, column));
  return TRUE;
}

/* The open cell editor's text, for typing into it; NULL when no editor is open. */
GtkTextBuffer *
lh_table_view_get_editor_buffer (LhTableView *self)
{
  g_return_val_if_fail (LH_IS_TABLE_VIEW (self), NULL);
  return self->editor != NULL ? self->editor_buffer : NULL;
}

GtkWidget *
lh_table_view_get_editor (LhTableView *self)
{
  g_return_val_if_fail (LH_IS_TABLE_VIEW (self), NULL);
  return self->editor;
}

void
lh_table_view_select (LhTableView *self,
                      guint        position,
                      gboolean     unselect_rest)
{
  g_return_if_fail (LH_IS_TABLE_VIEW (self));
  gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), position, unselect_rest);
}

/* Stops reading rows and any write in flight (the window is closing). */
void
lh_table_view_stop (LhTableView *self)
{
  g_return_if_fail (LH_IS_TABLE_VIEW (self));
  g_cancellable_cancel (self->write_cancellable);
  lh_table_pager_stop (self->pager);
}
