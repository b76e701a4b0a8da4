/* lh-result-view.c — LhResultView builds one GtkColumnView column per result column over
 * an LhQueryPager; cells are labels bound to the row's value, so only the visible rows
 * have widgets, and a row whose page is not in yet shows empty until it arrives. */
#include "config.h"

#include <glib/gi18n.h>

#include "lh-result-view.h"

/* Characters a cell shows before it ends in an ellipsis. */
#define CELL_MAX_CHARS 200

struct _LhResultView
{
  GtkWidget parent_instance;

  /* children */
  GtkWidget     *scrolled;
  GtkColumnView *column_view;

  /* owned */
  LhQueryPager *pager;
};

G_DEFINE_FINAL_TYPE (LhResultView, lh_result_view, GTK_TYPE_WIDGET)

static void
setup_cell (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  user_data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 40);
  gtk_list_item_set_child (item, label);
}

static void
bind_cell (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  user_data)
{
  guint column = GPOINTER_TO_UINT (user_data);
  GtkWidget *label = gtk_list_item_get_child (item);
  LhResultRow *row = gtk_list_item_get_item (item);
  const LhValue *value = lh_result_row_get_value (row, column);
  g_autofree char *text = NULL;
  gboolean number;

  if (value == NULL)
    {
      /* Not read yet: its page is on the way. */
      gtk_label_set_text (GTK_LABEL (label), "");
      gtk_widget_remove_css_class (label, "special-value");
      gtk_widget_set_tooltip_text (label, NULL);
      return;
    }
  text = lh_value_to_display_string (value, CELL_MAX_CHARS);
  number = value->kind == LH_VALUE_INTEGER || value->kind == LH_VALUE_REAL;

  g_strdelimit (text, "\n\r\t", ' ');
  gtk_label_set_text (GTK_LABEL (label), text);
  gtk_label_set_xalign (GTK_LABEL (label), number ? 1.0 : 0.0);

  if (value->kind == LH_VALUE_NULL || value->kind == LH_VALUE_BLOB)
    gtk_widget_add_css_class (label, "special-value");
  else
    gtk_widget_remove_css_class (label, "special-value");

  if (value->kind == LH_VALUE_TEXT && value->v.text.length > 0 &&
      g_utf8_strlen (value->v.text.data, value->v.text.length) > CELL_MAX_CHARS)
    {
      g_autofree char *whole = lh_value_to_display_string (value, 4000);

      gtk_widget_set_tooltip_text (label, whole);
    }
  else
    gtk_widget_set_tooltip_text (label, NULL);
}

static void
remove_columns (LhResultView *self)
{
  GListModel *columns = gtk_column_view_get_columns (self->column_view);

  while (g_list_model_get_n_items (columns) > 0)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, 0);

      gtk_column_view_remove_column (self->column_view, column);
    }
}

/* Shows pager's rows (NULL: none). A pager shown before stops reading. */
void
lh_result_view_set_pager (LhResultView *self,
                          LhQueryPager *pager)
{
  g_autoptr(GtkSelectionModel) selection = NULL;
  g_autoptr(LhQueryPager) old = NULL;

  g_return_if_fail (LH_IS_RESULT_VIEW (self));
  g_return_if_fail (pager == NULL || LH_IS_QUERY_PAGER (pager));

  if (pager == self->pager)
    return;
  old = g_steal_pointer (&self->pager);
  if (old != NULL)
    lh_query_pager_stop (old);
  self->pager = pager != NULL ? g_object_ref (pager) : NULL;

  gtk_column_view_set_model (self->column_view, NULL);
  remove_columns (self);
  if (pager == NULL)
    return;

  for (guint i = 0; i < lh_query_pager_get_n_columns (pager); i++)
    {
      g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();
      g_autoptr(GtkColumnViewColumn) column = NULL;

      g_signal_connect (factory, "setup", G_CALLBACK (setup_cell), NULL);
      g_signal_connect (factory, "bind", G_CALLBACK (bind_cell), GUINT_TO_POINTER (i));
      column = gtk_column_view_column_new (lh_query_pager_get_column_name (pager, i),
                                           g_steal_pointer (&factory));
      gtk_column_view_column_set_resizable (column, TRUE);
      gtk_column_view_append_column (self->column_view, column);
    }

  selection = GTK_SELECTION_MODEL (gtk_multi_selection_new (g_object_ref (G_LIST_MODEL (pager))));
  gtk_column_view_set_model (self->column_view, selection);
}

LhQueryPager *
lh_result_view_get_pager (LhResultView *self)
{
  g_return_val_if_fail (LH_IS_RESULT_VIEW (self), NULL);
  return self->pager;
}

/* Shows result's rows, and the rest of them through its cursor if it has one. */
void
lh_result_view_set_result (LhResultView *self,
                           LhResultSet  *result)
{
  g_autoptr(LhQueryPager) pager = NULL;

  g_return_if_fail (LH_IS_RESULT_VIEW (self));

  if (result != NULL && self->pager != NULL && lh_query_pager_get_first (self->pager) == result)
    return;
  if (result != NULL)
    pager = lh_query_pager_new (result);
  lh_result_view_set_pager (self, pager);
}

/* The first result of the rows shown: their columns, and the first rows. */
LhResultSet *
lh_result_view_get_result (LhResultView *self)
{
  g_return_val_if_fail (LH_IS_RESULT_VIEW (self), NULL);
  return self->pager != NULL ? lh_query_pager_get_first (self->pager) : NULL;
}

GtkColumnView *
lh_result_view_get_column_view (LhResultView *self)
{
  g_return_val_if_fail (LH_IS_RESULT_VIEW (self), NULL);
  return self->column_view;
}

static void
lh_result_view_dispose (GObject *object)
{
  LhResultView *self = LH_RESULT_VIEW (object);

  g_clear_pointer (&self->scrolled, gtk_widget_unparent);
  if (self->pager != NULL)
    lh_query_pager_stop (self->pager);
  g_clear_object (&self->pager);
  G_OBJECT_CLASS (lh_result_view_parent_class)->dispose (object);
}

static void
lh_result_view_class_init (LhResultViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lh_result_view_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "resultview");
}

static void
lh_result_view_init (LhResultView *self)
{
  self->column_view = GTK_COLUMN_VIEW (gtk_column_view_new (NULL));
  gtk_column_view_set_show_column_separators (self->column_view, TRUE);
  gtk_column_view_set_show_row_separators (self->column_view, TRUE);
  gtk_column_view_set_reorderable (self->column_view, FALSE);
  gtk_widget_add_css_class (GTK_WIDGET (self->column_view), "data-table");

  self->scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scrolled),
                                 GTK_WIDGET (self->column_view));
  gtk_widget_set_parent (self->scrolled, GTK_WIDGET (self));
}

GtkWidget *
lh_result_view_new (void)
{
  return g_object_new (LH_TYPE_RESULT_VIEW, NULL);
}
