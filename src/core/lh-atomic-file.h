/* lh-atomic-file.h — LhAtomicFile: a file written under a temporary name in its target's
 * folder, then synced and renamed over the target in one step when committed, or removed
 * when abandoned: readers of the target see the old file or the whole new one, never a
 * part, whatever happens meanwhile (a cancel, a full disk, a crash). */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _LhAtomicFile LhAtomicFile;

void           lh_atomic_file_new_async     (GFile               *target,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
LhAtomicFile  *lh_atomic_file_new_finish    (GAsyncResult        *result,
                                             GError             **error);
GOutputStream *lh_atomic_file_get_stream    (LhAtomicFile        *self);
const char    *lh_atomic_file_get_temp_path (LhAtomicFile        *self);
void           lh_atomic_file_commit_async  (LhAtomicFile        *self,
                                             GCancellable        *cancellable,
                                             GAsyncReadyCallback  callback,
                                             gpointer             user_data);
gboolean       lh_atomic_file_commit_finish (GAsyncResult        *result,
                                             GError             **error);
void           lh_atomic_file_free          (LhAtomicFile        *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (LhAtomicFile, lh_atomic_file_free)

G_END_DECLS
