/* lh-test-ui.c — helpers for the tests that show a real window: letting it draw,
 * saving a screenshot of it under the build folder, finding a widget in it, and a copy
 * of the demo database to open. */
#include "config.h"

#include <glib/gstdio.h>

#include "lh-backups-page.h"
#include "lh-schema-sidebar.h"
#include "lh-table-view.h"
#include "lh-test-ui.h"
#include "lh-test-util.h"

static gboolean
never (gpointer data)
{
  return FALSE;
}

/* Lets the window lay out and draw what it now shows. */
void
lh_test_settle (void)
{
  lh_test_wait_until (never, NULL, 300);
}

/* Popovers (a cell editor, a menu) are surfaces of their own: each mapped one is drawn
 * where its surface sits relative to the window's. */
static void
snapshot_popovers (GtkWidget   *root,
                   GtkWidget   *widget,
                   GtkWidget   *content,
                   GtkSnapshot *snapshot)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_POPOVER (child) && gtk_widget_get_mapped (child))
        {
          GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (child));
          g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (child);
          double window_x, window_y, popover_x, popover_y;
          graphene_point_t origin;

          gtk_native_get_surface_transform (GTK_NATIVE (root), &window_x, &window_y);
          gtk_native_get_surface_transform (GTK_NATIVE (child), &popover_x, &popover_y);
          if (!gtk_widget_compute_point (content, root, &GRAPHENE_POINT_INIT (0, 0), &origin))
            continue;
          gtk_snapshot_save (snapshot);
          gtk_snapshot_translate (snapshot,
                                  &GRAPHENE_POINT_INIT (gdk_popup_get_position_x (GDK_POPUP (surface))
                                                          + popover_x - window_x - origin.x,
                                                        gdk_popup_get_position_y (GDK_POPUP (surface))
                                                          + popover_y - window_y - origin.y));
          gdk_paintable_snapshot (paintable, snapshot, gtk_widget_get_width (child),
                                  gtk_widget_get_height (child));
          gtk_snapshot_restore (snapshot);
        }
      snapshot_popovers (root, child, content, snapshot);
    }
}

static void
after_paint_cb (GdkFrameClock *clock,
                gboolean      *painted)
{
  *painted = TRUE;
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

/* Draws the window anew and waits for the frame, so that what is shot has been laid out. */
static void
wait_for_frame (GtkWidget *widget)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);
  gboolean painted = FALSE;
  gulong handler;

  if (clock == NULL)
    return;
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &painted);
  gtk_widget_queue_draw (widget);
  lh_test_wait_until (is_true, &painted, 2000);
  g_signal_handler_disconnect (clock, handler);
}

static gboolean
has_size (gpointer data)
{
  return gtk_widget_get_width (data) > 0 && gtk_widget_get_height (data) > 0;
}

void
lh_test_save_screenshot (GtkWidget  *widget,
                         const char *name)
{
  GtkWidget *content = ADW_IS_APPLICATION_WINDOW (widget)
    ? adw_application_window_get_content (ADW_APPLICATION_WINDOW (widget))
    : ADW_IS_WINDOW (widget) ? adw_window_get_content (ADW_WINDOW (widget))
    : gtk_window_get_child (GTK_WINDOW (widget));
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (content);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  int width, height;

  lh_test_settle ();
  /* A window just presented may not have its size from the display server yet. */
  lh_test_wait_until (has_size, content, 5000);
  wait_for_frame (widget);
  width = gtk_widget_get_width (content);
  height = gtk_widget_get_height (content);
  /* The window draws its background itself, outside its content: paint it first. */
  gtk_snapshot_append_color (snapshot,
                             adw_style_manager_get_dark (adw_style_manager_get_default ())
                               ? &(GdkRGBA) { 0.14, 0.14, 0.14, 1 }
                               : &(GdkRGBA) { 0.98, 0.98, 0.98, 1 },
                             &GRAPHENE_RECT_INIT (0, 0, width, height));
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  snapshot_popovers (widget, widget, content, snapshot);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)),
                                         node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  path = g_test_build_filename (G_TEST_BUILT, "screenshots", name, NULL);
  g_mkdir_with_parents (g_test_get_dir (G_TEST_BUILT), 0755);
  {
    g_autofree char *dir = g_path_get_dirname (path);

    g_mkdir_with_parents (dir, 0755);
  }
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s", path);
}

char *
lh_test_copy_demo (const char *dir)
{
  g_autofree char *source = g_build_filename (lh_demo_get_source_dir (),
                                              "litehouse-demo.sqlite", NULL);
  char *target = g_build_filename (dir, "demo.sqlite", NULL);
  g_autofree char *contents = NULL;
  gsize length;

  g_assert_true (g_file_get_contents (source, &contents, &length, NULL));
  g_assert_true (g_file_set_contents (target, contents, length, NULL));
  return target;
}

GtkWidget *
lh_test_find_widget (GtkWidget *widget,
                     GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = lh_test_find_widget (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}


/* The application's stylesheet, which an AdwApplication would load by itself: the tests
 * make windows without one. */
void
lh_test_load_style (void)
{
  g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();

  gtk_css_provider_load_from_resource (provider, "/org/litehouse/Litehouse/style.css");
  gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                              GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

/* The first visible toplevel window of type, such as a dialog just presented. */
GtkWindow *
lh_test_find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return GTK_WINDOW (window);
    }
  return NULL;
}

/* The first row of type titled title under widget, or NULL. */
static GtkWidget *
find_row (GtkWidget  *widget,
          GType       type,
          const char *title)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type) &&
      g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)), title) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_row (child, type, title);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The entry row (AdwEntryRow or AdwPasswordEntryRow) titled title under widget. */
GtkWidget *
lh_test_find_entry_row (GtkWidget  *widget,
                        const char *title)
{
  return find_row (widget, ADW_TYPE_ENTRY_ROW, title);
}

/* The first row (of a list, an AdwPreferencesRow) in widget titled title, or NULL. */
GtkWidget *
lh_test_find_row (GtkWidget  *widget,
                  const char *title)
{
  return find_row (widget, ADW_TYPE_PREFERENCES_ROW, title);
}

/* For lh_test_wait_until(): the window's sidebar has its schema. */
gboolean
lh_test_window_schema_loaded (gpointer window)
{
  LhSchemaSidebar *sidebar = LH_SCHEMA_SIDEBAR (lh_test_find_widget (GTK_WIDGET (window),
                                                                     LH_TYPE_SCHEMA_SIDEBAR));

  return sidebar != NULL && lh_schema_sidebar_get_schema (sidebar) != NULL;
}

static gboolean
table_idle (gpointer view)
{
  return !lh_table_view_get_busy (view);
}

/* Waits until the table view has read what it shows (and again once it is drawn). */
void
lh_test_table_wait_idle (gpointer table_view)
{
  g_assert_true (lh_test_wait_until (table_idle, table_view, 20000));
  lh_test_settle ();
  g_assert_true (lh_test_wait_until (table_idle, table_view, 20000));
}

/* Types text into the cell editor of (position, column) and applies it. */
void
lh_test_table_edit_cell (gpointer    table_view,
                         guint       position,
                         guint       column,
                         const char *text)
{
  LhTableView *view = table_view;

  g_assert_true (lh_table_view_edit_cell (view, position, column));
  g_assert_nonnull (lh_table_view_get_editor_buffer (view));
  gtk_text_buffer_set_text (lh_table_view_get_editor_buffer (view), text, -1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "table.editor-apply", NULL));
  g_assert_null (lh_table_view_get_editor (view));
}

/* Whether a label under widget, shown, reads text. */
gboolean
lh_test_shows_label (GtkWidget  *widget,
                     const char *text)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
      g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0)
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (lh_test_shows_label (child, text))
      return TRUE;
  return FALSE;
}

typedef struct
{
  LhBackupsPage *page;
  guint          n;
} AwaitedBackups;

static gboolean
has_backups (gpointer data)
{
  AwaitedBackups *awaited = data;
  GListModel *backups = lh_backups_page_get_backups (awaited->page);

  return !lh_backups_page_get_busy (awaited->page) && backups != NULL &&
         g_list_model_get_n_items (backups) == awaited->n;
}

/* Waits until the Backups page, idle, lists n backups. */
void
lh_test_wait_for_backups (gpointer backups_page,
                          guint    n)
{
  AwaitedBackups awaited = { LH_BACKUPS_PAGE (backups_page), n };

  g_assert_true (lh_test_wait_until (has_backups, &awaited, 60000));
}
