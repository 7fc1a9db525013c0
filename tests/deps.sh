#!/bin/sh
# Install the Debian 12 packages tenken needs, only those missing.
set -e
PKGS="gcc make pkg-config libxml2-dev libxml2-utils libxlsxwriter-dev libhpdf-dev libcmocka-dev
libsqlite3-dev sqlite3 libminizip-dev libdeflate-dev zlib1g-dev libicu-dev libssl-dev
fonts-ipaexfont-gothic fonts-ipaexfont-mincho poppler-utils qpdf python3 python3-openpyxl python3-xlsxwriter time"
# `make check-clients` also needs LibreOffice (and the metric-compatible
# fonts it lays Excel's workbooks out with); `make test` does not.
if [ "${1:-}" = clients ]; then
    PKGS="$PKGS libreoffice-calc-nogui fonts-crosextra-carlito"
fi
missing=""
for p in $PKGS; do
    st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$st" in
    *"ok installed"*) ;;
    *) missing="$missing $p" ;;
    esac
done
[ -z "$missing" ] && exit 0
echo "tenken: 不足しているパッケージを導入します:$missing"
if [ "$(id -u)" != 0 ]; then
    echo "tenken: root ではないため導入できません。root で make deps を実行してください:$missing" >&2
    exit 3
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
