/* lh-application.h — LhApplication: one window per database, files from the command line,
 * the file manager or a drop, and the bundled demo. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define LH_TYPE_APPLICATION (lh_application_get_type ())

G_DECLARE_FINAL_TYPE (LhApplication, lh_application, LH, APPLICATION, AdwApplication)

LhApplication *lh_application_new       (void);
void           lh_application_open_file (LhApplication *self,
                                         GFile         *file,
                                         GtkWindow     *preferred);

G_END_DECLS
