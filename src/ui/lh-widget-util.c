/* lh-widget-util.c — see lh-widget-util.h. */
#include "config.h"

#include <glib/gi18n.h>

#include "lh-widget-util.h"

/* The window widget is in, or NULL while it is in none. */
GtkWindow *
lh_widget_get_window (GtkWidget *widget)
{
  GtkRoot *root = gtk_widget_get_root (widget);

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

/* A toast in the nearest AdwToastOverlay around widget (none: nothing is shown). */
void
lh_widget_show_toast (GtkWidget  *widget,
                      const char *text)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (widget, ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (text));
}

/* Shows toast (a new one, taken) in the toast overlay widget is in, if any. */
void
lh_widget_add_toast (GtkWidget *widget,
                     AdwToast  *toast)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (widget, ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
  else
    g_object_unref (toast);
}

/* A message over widget's window, with a Close button. */
void
lh_widget_show_message (GtkWidget  *widget,
                        const char *heading,
                        const char *body)
{
  AdwMessageDialog *dialog;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (lh_widget_get_window (widget), heading, body));
  adw_message_dialog_add_response (dialog, "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* A question over widget's window with Cancel and the response (its id, mnemonic label
 * and look), the default when is_default, else Cancel; Escape cancels. Not yet shown. */
AdwMessageDialog *
lh_widget_new_question (GtkWidget             *widget,
                        const char            *heading,
                        const char            *body,
                        const char            *response,
                        const char            *label,
                        AdwResponseAppearance  appearance,
                        gboolean               is_default)
{
  AdwMessageDialog *dialog;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (lh_widget_get_window (widget), heading, body));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), response, label, NULL);
  adw_message_dialog_set_response_appearance (dialog, response, appearance);
  adw_message_dialog_set_default_response (dialog, is_default ? response : "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  return dialog;
}

/* Removes every row, its placeholder staying (GTK 4.8 has no gtk_list_box_remove_all()). */
void
lh_list_box_clear (GtkListBox *list)
{
  GtkListBoxRow *row;

  while ((row = gtk_list_box_get_row_at_index (list, 0)) != NULL)
    gtk_list_box_remove (list, GTK_WIDGET (row));
}
