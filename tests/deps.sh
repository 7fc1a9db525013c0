#!/bin/sh
# Install the Debian 12 packages tenken needs, only those missing.
set -e
PKGS="gcc make pkg-config libxml2-dev libxml2-utils libxlsxwriter-dev libhpdf-dev libcmocka-dev
libsqlite3-dev sqlite3 libminizip-dev libdeflate-dev zlib1g-dev libicu-dev nettle-dev
fonts-ipaexfont-gothic fonts-ipaexfont-mincho poppler-utils qpdf python3 python3-openpyxl python3-xlsxwriter time"
# `make check-clients` also needs LibreOffice (and the metric-compatible
# fonts it lays Excel's workbooks out with); `make test` does not.
if [ "${1:-}" = clients ]; then
    PKGS="$PKGS libreoffice-calc-nogui fonts-crosextra-carlito"
fi
# `make windows` and `make test-windows` (windows/build-libs.sh, windows/test.sh):
# the cross toolchain, wine, and what the library builds need; they also need
# the Debian source lists (deb-src) beside the binary ones for `apt-get source`.
need_src=0
if [ "${1:-}" = windows ]; then
    PKGS="$PKGS gcc-mingw-w64-x86-64 g++-mingw-w64-x86-64 binutils-mingw-w64-x86-64 wine64 dpkg-dev
cmake tcl zip unzip icu-devtools"
    grep -rqs '^Types:.*deb-src\|^deb-src ' /etc/apt/sources.list /etc/apt/sources.list.d/ || need_src=1
fi
# `make fuzz` needs AFL++ (and the clang it brings); `make test` does not.
if [ "${1:-}" = fuzz ]; then
    PKGS="$PKGS afl++"
fi
# `make bench-scale` reads the workbooks with SheetJS too (npm's xlsx).
if [ "${1:-}" = bench ] && ! command -v npm > /dev/null; then
    PKGS="$PKGS nodejs npm"
fi
missing=""
for p in $PKGS; do
    st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$st" in
    *"ok installed"*) ;;
    *) missing="$missing $p" ;;
    esac
done
[ -z "$missing" ] && [ "$need_src" = 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "tenken: root ではないため導入できません。root で make deps を実行してください:$missing" >&2
    exit 3
fi
export DEBIAN_FRONTEND=noninteractive
if [ "$need_src" = 1 ]; then
    # the same archives and suites as the binary lists, as sources
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
        sed 's/^Types: *deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources \
            >/etc/apt/sources.list.d/tenken-deb-src.sources
    else
        sed -n 's/^deb /deb-src /p' /etc/apt/sources.list >/etc/apt/sources.list.d/tenken-deb-src.list
    fi
    echo "tenken: ソースパッケージの一覧 (deb-src) を有効にしました"
fi
apt-get update -qq
[ -z "$missing" ] && exit 0
echo "tenken: 不足しているパッケージを導入します:$missing"
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
