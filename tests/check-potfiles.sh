#!/usr/bin/env bash
# Every source or template with a string marked for translation is listed in
# po/POTFILES.in, and every file listed there exists.
set -euo pipefail
top=$1
cd "$top"
status=0
listed=$(grep -v '^#' po/POTFILES.in | sed '/^$/d' | sort)
marked=$( (grep -lE '\b(N?_|g_dngettext|C_)\(' src --include='*.c' -r;
           grep -l 'translatable="yes"' src data -r --include='*.ui' --include='*.in' --include='*.xml') | sort -u)
for file in $marked; do
  if ! grep -qxF "$file" <<<"$listed"; then
    echo "not in po/POTFILES.in: $file"
    status=1
  fi
done
for file in $listed; do
  if [ ! -f "$file" ]; then
    echo "listed in po/POTFILES.in but missing: $file"
    status=1
  fi
done
exit $status
