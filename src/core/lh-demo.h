/* lh-demo.h — the bundled demo database, copied into the user's data folder on first use
 * so that the shipped original stays pristine. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

const char *lh_demo_get_source_dir (void);
char       *lh_demo_dup_default_path (void);
void        lh_demo_install_async  (const char           *source_dir,
                                    const char           *target_dir,
                                    GCancellable         *cancellable,
                                    GAsyncReadyCallback   callback,
                                    gpointer              user_data);
char       *lh_demo_install_finish (GAsyncResult         *result,
                                    GError              **error);

G_END_DECLS
