/* lh-test-ui.h — what the window tests share; see lh-test-ui.c. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

void       lh_test_settle          (void);
void       lh_test_load_style      (void);
void       lh_test_save_screenshot (GtkWidget  *widget,
                                    const char *name);
char      *lh_test_copy_demo       (const char *dir);
GtkWidget *lh_test_find_widget     (GtkWidget  *widget,
                                    GType       type);
GtkWindow *lh_test_find_toplevel   (GType       type);
GtkWidget *lh_test_find_entry_row  (GtkWidget  *widget,
                                    const char *title);
GtkWidget *lh_test_find_row        (GtkWidget  *widget,
                                    const char *title);
gboolean   lh_test_window_schema_loaded (gpointer window);
void       lh_test_table_wait_idle (gpointer    table_view);
void       lh_test_table_edit_cell (gpointer    table_view,
                                    guint       position,
                                    guint       column,
                                    const char *text);
gboolean   lh_test_shows_label     (GtkWidget  *widget,
                                    const char *text);
void       lh_test_wait_for_backups (gpointer   backups_page,
                                     guint      n);

G_END_DECLS
