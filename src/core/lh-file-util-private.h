/* lh-file-util-private.h — what the core's writers of files share: a temporary file beside
 * where a file will go, writing and syncing it, putting it in place without replacing a
 * file, and the error a failed write becomes. Blocking calls: for worker threads. */
#pragma once

#include <glib.h>
#include <sys/types.h>

G_BEGIN_DECLS

int       lh_file_open_temp        (const char  *folder,
                                    const char  *name,
                                    int          flags,
                                    int          mode,
                                    char       **temp_path);
int       lh_file_open_temp_beside (const char  *path,
                                    int          flags,
                                    int          mode,
                                    char       **temp_path);
mode_t    lh_file_get_umask        (void);
gboolean  lh_file_write_all        (int          fd,
                                    const char  *data,
                                    gsize        length);
int       lh_file_sync             (const char  *path);
void      lh_file_sync_folder      (const char  *folder);
int       lh_file_link_new         (const char  *temp_path,
                                    const char  *path);
void      lh_file_set_write_error  (GError     **error,
                                    int          saved_errno,
                                    const char  *path);

G_END_DECLS
