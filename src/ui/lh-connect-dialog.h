/* lh-connect-dialog.h — LhConnectDialog: the Connect dialog. A Cloudflare D1 database
 * (account ID, API token, the database picked from the account's list), a libSQL/Turso
 * database (URL, token) or a local file; Test Connection tries it without opening it, and
 * Connect hands the open connection to the window, the token kept in the keyring. */
#pragma once

#include <adwaita.h>

#include "lh-core.h"

G_BEGIN_DECLS

#define LH_TYPE_CONNECT_DIALOG (lh_connect_dialog_get_type ())

G_DECLARE_FINAL_TYPE (LhConnectDialog, lh_connect_dialog, LH, CONNECT_DIALOG, AdwWindow)

LhConnectDialog *lh_connect_dialog_new          (GtkWindow       *parent);
void             lh_connect_dialog_set_location (LhConnectDialog *self,
                                                 const char      *location);
const char      *lh_connect_dialog_get_status   (LhConnectDialog *self);
gboolean         lh_connect_dialog_get_busy     (LhConnectDialog *self);

G_END_DECLS
