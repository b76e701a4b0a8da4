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

G_END_DECLS
