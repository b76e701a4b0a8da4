/* lh-schema-sidebar.c — LhSchemaSidebar loads LhSchema off the main thread and lists its
 * objects under a header per kind. Activating a table or view emits "object-activated". */
#include "config.h"

#include <glib/gi18n.h>

#include "lh-schema-sidebar.h"

struct _LhSchemaSidebar
{
  GtkWidget parent_instance;

  /* children */
  GtkWidget  *scrolled;
  GtkListBox *list;

  /* owned */
  LhSchema     *schema;
  GCancellable *cancellable;
};

enum {
  OBJECT_ACTIVATED,
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
    case LH_SCHEMA_OBJECT_INDEX:
      return "view-list-ordered-symbolic";
    case LH_SCHEMA_OBJECT_TRIGGER:
    default:
      return "media-playlist-repeat-symbolic";
    }
}

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  LhSchemaObject *object = item;
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *icon = gtk_image_new_from_icon_name (icon_for_kind (lh_schema_object_get_kind (object)));
  GtkWidget *label = gtk_label_new (lh_schema_object_get_name (object));
  GtkWidget *row = gtk_list_box_row_new ();

  gtk_widget_add_css_class (icon, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (label), 0.0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_MIDDLE);
  gtk_widget_set_tooltip_text (row, lh_schema_object_get_name (object));
  gtk_box_append (GTK_BOX (box), icon);
  gtk_box_append (GTK_BOX (box), label);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  g_object_set_data_full (G_OBJECT (row), "lh-object", g_object_ref (object), g_object_unref);
  return row;
}

static LhSchemaObject *
row_object (GtkListBoxRow *row)
{
  return g_object_get_data (G_OBJECT (row), "lh-object");
}

static void
update_header (GtkListBoxRow *row,
               GtkListBoxRow *before,
               gpointer       user_data)
{
  LhSchemaSidebar *self = user_data;
  LhSchemaObjectKind kind = lh_schema_object_get_kind (row_object (row));
  g_autofree char *text = NULL;
  GtkWidget *header;

  if (before != NULL && lh_schema_object_get_kind (row_object (before)) == kind)
    {
      gtk_list_box_row_set_header (row, NULL);
      return;
    }

  text = g_strdup_printf ("%s  %u", lh_schema_object_kind_to_label (kind),
                          lh_schema_count (self->schema, kind));
  header = gtk_label_new (text);
  gtk_label_set_xalign (GTK_LABEL (header), 0.0);
  gtk_widget_add_css_class (header, "heading");
  gtk_widget_add_css_class (header, "dim-label");
  gtk_widget_set_margin_start (header, 12);
  gtk_widget_set_margin_top (header, 12);
  gtk_widget_set_margin_bottom (header, 4);
  gtk_list_box_row_set_header (row, header);
}

static void
row_activated_cb (LhSchemaSidebar *self,
                  GtkListBoxRow   *row)
{
  g_signal_emit (self, signals[OBJECT_ACTIVATED], 0, row_object (row));
}

static void
show_placeholder (LhSchemaSidebar *self,
                  const char      *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_add_css_class (label, "dim-label");
  gtk_widget_set_margin_top (label, 24);
  gtk_widget_set_margin_start (label, 12);
  gtk_widget_set_margin_end (label, 12);
  gtk_list_box_set_placeholder (self->list, label);
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
  g_clear_object (&self->cancellable);

  if (schema == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Cannot read the schema: %s"), error->message);

      show_placeholder (self, text);
      return;
    }

  g_set_object (&self->schema, schema);
  show_placeholder (self, _("This database has no tables yet."));
  gtk_list_box_bind_model (self->list, lh_schema_get_objects (schema), create_row, NULL, NULL);
}

void
lh_schema_sidebar_load (LhSchemaSidebar *self,
                        LhConnection    *connection)
{
  g_return_if_fail (LH_IS_SCHEMA_SIDEBAR (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_list_box_bind_model (self->list, NULL, NULL, NULL, NULL);
  show_placeholder (self, _("Reading the schema…"));
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

static void
lh_schema_sidebar_dispose (GObject *object)
{
  LhSchemaSidebar *self = LH_SCHEMA_SIDEBAR (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->scrolled, gtk_widget_unparent);
  g_clear_object (&self->schema);
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

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "schemasidebar");
}

static void
lh_schema_sidebar_init (LhSchemaSidebar *self)
{
  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "navigation-sidebar");
  gtk_list_box_set_header_func (self->list, update_header, self, NULL);
  g_signal_connect_swapped (self->list, "row-activated", G_CALLBACK (row_activated_cb), self);

  self->scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (self->scrolled),
                                  GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (self->scrolled), GTK_WIDGET (self->list));
  gtk_widget_set_parent (self->scrolled, GTK_WIDGET (self));
}
