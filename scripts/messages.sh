#!/usr/bin/env bash
# Extract the translatable strings of one app (or all) into its own locale/{fi,sv}/LC_MESSAGES/django.po.
# English is the source language of msgids; translate fi and sv, then run `make messages` to compile.
set -euo pipefail
cd "$(dirname "$0")/.."
apps=("${@:-}")
if [ -z "${apps[0]}" ]; then apps=(core accounts public visits cards network stats operations); fi
for app in "${apps[@]}"; do
  (cd "kaikukanta/$app" && mkdir -p locale && \
   DJANGO_SETTINGS_MODULE=kaikukanta.settings PYTHONPATH="$PWD/../.." ../../.venv/bin/django-admin \
     makemessages --locale fi --locale sv --no-obsolete --add-location file --ignore 'tests/*' >/dev/null)
  echo "kaikukanta/$app/locale updated"
done
