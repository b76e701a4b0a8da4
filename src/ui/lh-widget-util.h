/* lh-widget-util.h — small things every page does: find its window, show a toast in the
 * window's overlay, show a message with a Close button, empty a list box. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

GtkWindow *lh_widget_get_window   (GtkWidget  *widget);
void       lh_widget_show_toast   (GtkWidget  *widget,
                                   const char *text);
void       lh_widget_add_toast    (GtkWidget  *widget,
                                   AdwToast   *toast);
void       lh_widget_show_message (GtkWidget  *widget,
                                   const char *heading,
                                   const char *body);
AdwMessageDialog *lh_widget_new_question (GtkWidget          *widget,
                                          const char         *heading,
                                          const char         *body,
                                          const char         *response,
                                          const char         *label,
                                          AdwResponseAppearance appearance,
                                          gboolean            is_default);
void       lh_list_box_clear      (GtkListBox *list);

G_END_DECLS
