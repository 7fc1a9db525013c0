#!/bin/sh
# windows/package.sh TENKEN.EXE VERSION ZIP — the folder a secretariat unzips:
# tenken.exe, templates/, the schemas and sample checklists, the IPAex fonts
# with their licence, はじめに.txt and the licences of what tenken.exe contains.
set -eu
exe=$1 version=$2 zip=$3
name=tenken-$version-windows-x64
stage=$(dirname "$exe")/package/$name
rm -rf "$stage" && mkdir -p "$stage/fonts" "$stage/licenses"
cp "$exe" "$stage/tenken.exe"
cp -R templates "$stage/templates"
mkdir -p "$stage/checklists"
cp checklists/*.rng "$stage/checklists/"
for d in checklists/*/; do
    cp -R "$d" "$stage/checklists/"
done
# Windows' own line ends for the text people open in メモ帳
sed 's/$/\r/' windows/はじめに.txt > "$stage/はじめに.txt"
for f in /usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf /usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf; do
    [ -f "$f" ] || f=$(echo "$f" | sed 's/opentype/truetype/')
    cp "$f" "$stage/fonts/"
done
sed 's/$/\r/' /usr/share/doc/fonts-ipaexfont-gothic/copyright > "$stage/fonts/IPA_Font_License.txt"
# the licences of the libraries linked into tenken.exe, from their Debian source packages
src=$(dirname "$exe")/src
for p in zlib minizip libdeflate sqlite3 libxml2 libharu libxlsxwriter icu; do
    d=$(ls -d "$src/$p"-[0-9]* 2>/dev/null | head -1)
    [ -n "$d" ] || continue
    for c in "$d/debian/copyright" "$d/LICENSE" "$d/COPYING" "$d/License.txt" "$d/LICENSE.md" "$d/README"; do
        if [ -f "$c" ]; then
            sed 's/$/\r/' "$c" > "$stage/licenses/$p.txt"
            break
        fi
    done
done
sed 's/$/\r/' windows/LICENSES.txt > "$stage/licenses/README.txt"
mkdir -p "$(dirname "$zip")"
rm -f "$zip"
abs=$(cd "$(dirname "$zip")" && pwd)/$(basename "$zip")
(cd "$(dirname "$stage")" && zip -qr -9 -X "$abs" "$name")
echo "windows: $zip ($(du -k "$zip" | cut -f1) KB; tenken.exe $(du -k "$exe" | cut -f1) KB)"
