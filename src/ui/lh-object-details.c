/* lh-object-details.c — LhObjectDetails lays out what the schema says of one table or
 * view as preference groups: its columns, its indexes, its foreign keys (activating one
 * emits "open-object" for the table it references), its triggers, and its CREATE
 * statement highlighted and read-only. */
#include "config.h"

#include <glib/gi18n.h>
#include <gtksourceview/gtksource.h>

#include "lh-object-details.h"

struct _LhObjectDetails
{
  GtkWidget parent_instance;

  /* children */
  GtkWidget *page;

  /* owned */
  LhSchema       *schema;
  LhSchemaObject *object;
  GPtrArray      *key_rows;   /* the foreign keys' rows, in order */
};

enum {
  OPEN_OBJECT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (LhObjectDetails, lh_object_details, GTK_TYPE_WIDGET)

/* A read-only view of SQL with the editor's highlighting, following the dark style. */
GtkWidget *
lh_object_details_new_sql_view (const char *sql)
{
  GtkSourceLanguageManager *languages = gtk_source_language_manager_get_default ();
  GtkSourceStyleSchemeManager *schemes = gtk_source_style_scheme_manager_get_default ();
  g_autoptr(GtkSourceBuffer) buffer = gtk_source_buffer_new_with_language (
    gtk_source_language_manager_get_language (languages, "sql"));
  GtkWidget *view = gtk_source_view_new_with_buffer (buffer);
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  const char *scheme = adw_style_manager_get_dark (adw_style_manager_get_default ())
    ? "Adwaita-dark" : "Adwaita";

  gtk_source_buffer_set_style_scheme (buffer, gtk_source_style_scheme_manager_get_scheme (schemes, scheme));
  gtk_text_buffer_set_text (GTK_TEXT_BUFFER (buffer), sql, -1);
  gtk_text_view_set_editable (GTK_TEXT_VIEW (view), FALSE);
  gtk_text_view_set_monospace (GTK_TEXT_VIEW (view), TRUE);
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
  gtk_source_view_set_show_line_numbers (GTK_SOURCE_VIEW (view), TRUE);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (view), 12);
  gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (view), 12);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 6);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), view);
  gtk_widget_set_vexpand (scrolled, TRUE);
  return scrolled;
}

static GtkWidget *
new_row (const char *title,
         const char *subtitle)
{
  GtkWidget *row = adw_action_row_new ();

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  /* Without markup, the subtitle is shown as it is: no escaping. */
  if (subtitle != NULL && *subtitle != '\0')
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 2);
  return row;
}

static GtkWidget *
new_group (const char *title,
           guint       n)
{
  GtkWidget *group = adw_preferences_group_new ();
  g_autofree char *count = g_strdup_printf ("%u", n);

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group), count);
  return group;
}

static void
add_columns (LhObjectDetails *self)
{
  GListModel *columns = lh_schema_object_get_columns (self->object);
  guint n = g_list_model_get_n_items (columns);
  GtkWidget *group = new_group (_("Columns"), n);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LhSchemaColumn) column = g_list_model_get_item (columns, i);
      g_autofree char *summary = lh_schema_column_dup_summary (column);

      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group),
                                 new_row (lh_schema_column_get_name (column), summary));
    }
  if (lh_schema_object_get_columns_error (self->object) != NULL)
    adw_preferences_group_add (ADW_PREFERENCES_GROUP (group),
                               new_row (_("The columns cannot be read"),
                                        lh_schema_object_get_columns_error (self->object)));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (self->page), ADW_PREFERENCES_GROUP (group));
}

static void
add_related (LhObjectDetails    *self,
             LhSchemaObjectKind  kind,
             const char         *title)
{
  g_autoptr(GListModel) related = lh_schema_dup_related (self->schema, self->object, kind);
  guint n = g_list_model_get_n_items (related);
  GtkWidget *group;

  if (n == 0)
    return;
  group = new_group (title, n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LhSchemaObject) object = g_list_model_get_item (related, i);

      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group),
                                 new_row (lh_schema_object_get_name (object),
                                          lh_schema_object_get_sql (object)));
    }
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (self->page), ADW_PREFERENCES_GROUP (group));
}

static LhSchemaObject *
referenced_table (LhObjectDetails    *self,
                  LhSchemaForeignKey *key)
{
  return lh_schema_lookup_in (self->schema, lh_schema_object_get_database (self->object),
                              lh_schema_foreign_key_get_table (key));
}

static void
key_activated_cb (AdwActionRow    *row,
                  LhObjectDetails *self)
{
  LhSchemaObject *target = g_object_get_data (G_OBJECT (row), "lh-target");

  if (target != NULL)
    g_signal_emit (self, signals[OPEN_OBJECT], 0, target);
}

static void
add_foreign_keys (LhObjectDetails *self)
{
  GListModel *keys = lh_schema_object_get_foreign_keys (self->object);
  guint n = g_list_model_get_n_items (keys);
  GtkWidget *group;

  if (n == 0)
    return;
  group = new_group (_("Foreign Keys"), n);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(LhSchemaForeignKey) key = g_list_model_get_item (keys, i);
      g_autofree char *label = lh_schema_foreign_key_dup_label (key);
      g_autofree char *actions = lh_schema_foreign_key_dup_actions (key);
      LhSchemaObject *target = referenced_table (self, key);
      GtkWidget *row;

      if (target == NULL)
        {
          g_autofree char *missing = g_strdup_printf (_("The table “%s” does not exist."),
                                                      lh_schema_foreign_key_get_table (key));

          row = new_row (label, missing);
        }
      else
        {
          row = new_row (label, actions);
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));
          gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
          gtk_widget_set_tooltip_text (row, _("Open the referenced table"));
          g_object_set_data_full (G_OBJECT (row), "lh-target", g_object_ref (target), g_object_unref);
          g_signal_connect (row, "activated", G_CALLBACK (key_activated_cb), self);
        }
      g_ptr_array_add (self->key_rows, row);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), row);
    }
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (self->page), ADW_PREFERENCES_GROUP (group));
}

static void
add_definition (LhObjectDetails *self)
{
  const char *sql = lh_schema_object_get_sql (self->object);
  GtkWidget *group;
  GtkWidget *view;

  if (sql == NULL)
    return;
  group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("Definition"));
  view = lh_object_details_new_sql_view (sql);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (view), TRUE);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (view), 360);
  gtk_widget_add_css_class (view, "card");
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), view);
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (self->page), ADW_PREFERENCES_GROUP (group));
}

static void
lh_object_details_dispose (GObject *object)
{
  LhObjectDetails *self = LH_OBJECT_DETAILS (object);

  g_clear_pointer (&self->page, gtk_widget_unparent);
  g_clear_pointer (&self->key_rows, g_ptr_array_unref);
  g_clear_object (&self->schema);
  g_clear_object (&self->object);
  G_OBJECT_CLASS (lh_object_details_parent_class)->dispose (object);
}

static void
lh_object_details_class_init (LhObjectDetailsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = lh_object_details_dispose;

  /* A foreign key was activated: show the table it references. */
  signals[OPEN_OBJECT] =
    g_signal_new ("open-object", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, LH_TYPE_SCHEMA_OBJECT);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "objectdetails");
}

static void
lh_object_details_init (LhObjectDetails *self)
{
  self->key_rows = g_ptr_array_new ();
  self->page = adw_preferences_page_new ();
  gtk_widget_set_parent (self->page, GTK_WIDGET (self));
}

/* The structure of object (a table, view or virtual table) as schema describes it. */
GtkWidget *
lh_object_details_new (LhSchema       *schema,
                       LhSchemaObject *object)
{
  LhObjectDetails *self;

  g_return_val_if_fail (LH_IS_SCHEMA (schema), NULL);
  g_return_val_if_fail (LH_IS_SCHEMA_OBJECT (object), NULL);

  self = g_object_new (LH_TYPE_OBJECT_DETAILS, NULL);
  self->schema = g_object_ref (schema);
  self->object = g_object_ref (object);
  add_columns (self);
  add_related (self, LH_SCHEMA_OBJECT_INDEX, _("Indexes"));
  add_foreign_keys (self);
  add_related (self, LH_SCHEMA_OBJECT_TRIGGER, _("Triggers"));
  add_definition (self);
  return GTK_WIDGET (self);
}

LhSchemaObject *
lh_object_details_get_object (LhObjectDetails *self)
{
  g_return_val_if_fail (LH_IS_OBJECT_DETAILS (self), NULL);
  return self->object;
}

/* Activates the foreign key at index, as a click on its row does. */
gboolean
lh_object_details_activate_foreign_key (LhObjectDetails *self,
                                        guint            index)
{
  g_return_val_if_fail (LH_IS_OBJECT_DETAILS (self), FALSE);

  if (index >= self->key_rows->len ||
      !gtk_list_box_row_get_activatable (g_ptr_array_index (self->key_rows, index)))
    return FALSE;
  g_signal_emit_by_name (g_ptr_array_index (self->key_rows, index), "activated");
  return TRUE;
}

static void
append_rows_text (GtkWidget *widget,
                  GString   *text)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (ADW_IS_PREFERENCES_GROUP (child))
        g_string_append_printf (text, "%s\n", adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (child)));
      else if (ADW_IS_ACTION_ROW (child))
        {
          const char *subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (child));

          g_string_append_printf (text, "  %s", adw_preferences_row_get_title (ADW_PREFERENCES_ROW (child)));
          if (subtitle != NULL && *subtitle != '\0')
            g_string_append_printf (text, " · %s", subtitle);
          g_string_append_c (text, '\n');
          continue;
        }
      append_rows_text (child, text);
    }
}

/* The groups and rows shown, one a line, rows indented: for tests and for copying. */
char *
lh_object_details_dup_text (LhObjectDetails *self)
{
  GString *text = g_string_new (NULL);

  g_return_val_if_fail (LH_IS_OBJECT_DETAILS (self), NULL);
  append_rows_text (self->page, text);
  return g_string_free (text, FALSE);
}
