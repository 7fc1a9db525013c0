#!/bin/sh
# Cross-builds the libraries tenken.exe links, for x86-64 Windows with Debian's
# mingw-w64, from Debian's own source packages: the versions of the -dev packages
# the Linux build uses (or, where the archive no longer carries that version, the
# version apt would install now). apt-get source checks the files against the
# signed Sources index and dpkg-source -x against the .dsc checksums.
# Static libraries and headers go to build/windows/prefix; each library is built
# once (a stamp per library and version), under nice, one job at a time per lib.
set -eu
TOP=$(pwd)
W=${TK_WIN_DIR:-$TOP/build/windows}
HOST=x86_64-w64-mingw32
SRC=$W/src
PREFIX=$W/prefix
STAMPS=$W/stamps
LOG=$W/log
JOBS=${TK_WIN_JOBS:-2}
NICE="nice -n 15"
mkdir -p "$SRC" "$PREFIX/include" "$PREFIX/lib" "$STAMPS" "$LOG"
# the posix thread model: ICU uses std::mutex
export CC=$HOST-gcc-posix CXX=$HOST-g++-posix AR=$HOST-ar RANLIB=$HOST-ranlib
CFLAGS_W="-O2"

say() { printf 'tenken windows: %s\n' "$*"; }

# The source package and version behind a -dev package of the Linux build.
src_version() {
    bin=$1
    src=$(apt-cache show "$bin" 2>/dev/null | sed -n 's/^Source: \([^ ]*\).*/\1/p' | head -1)
    [ -n "$src" ] || src=$bin
    inst=$(dpkg-query -W -f='${source:Version}' "$bin" 2>/dev/null || true)
    if [ -n "$inst" ] && apt-cache showsrc "$src" | grep -qx "Version: $inst"; then
        echo "$src $inst"
        return
    fi
    cand=$(apt-cache policy "$bin" | sed -n 's/ *Candidate: //p')
    v=$(apt-cache show "$bin=$cand" | sed -n 's/^Source: [^ ]* (\(.*\))/\1/p' | head -1)
    [ -n "$v" ] || v=$cand
    echo "$src $v"
}

# Fetches and unpacks one source package; prints the unpacked directory.
fetch() {
    set -- $(src_version "$1")
    pkg=$1 ver=$2
    upver=${ver#*:}
    dir=$SRC/$pkg-$upver
    if [ ! -f "$dir/.tenken-unpacked" ]; then
        rm -rf "$dir"
        mkdir -p "$SRC/dl"
        (cd "$SRC/dl" && apt-get source -qq --download-only "$pkg=$ver") >>"$LOG/fetch.log" 2>&1 || true
        dsc=$SRC/dl/${pkg}_$upver.dsc
        [ -f "$dsc" ] || { say "ソースパッケージ $pkg=$ver を取得できません ($LOG/fetch.log)" >&2; exit 1; }
        if ! (cd "$SRC/dl" && dpkg-source -q -x "$dsc" "$dir") >>"$LOG/fetch.log" 2>&1; then
            # The mirror may lack the Debian part (debian.tar) of an old version:
            # then the upstream tarball alone, checked against the .dsc.
            orig=$(sed -n '/^Checksums-Sha256:/,/^[^ ]/p' "$dsc" | awk '/orig\.tar/ && !/\.asc$/ {print $1, $3; exit}')
            set -- $orig
            [ -f "$SRC/dl/$2" ] && echo "$1  $SRC/dl/$2" | sha256sum -c --quiet - ||
                { say "$pkg=$ver のソースを検証できません" >&2; exit 1; }
            rm -rf "$dir" && mkdir -p "$dir"
            tar -xf "$SRC/dl/$2" -C "$dir" --strip-components=1
            say "$pkg: Debian の差分 (debian.tar) を取得できないため、.dsc の SHA-256 と一致した上流のソースだけを使います" >&2
        fi
        touch "$dir/.tenken-unpacked"
    fi
    echo "$dir"
}

# done_or NAME DIR: true when NAME from DIR is built already.
built() { [ -f "$STAMPS/$1-$(basename "$2")" ]; }
stamp() { touch "$STAMPS/$1-$(basename "$2")"; }

# cmake_cross SRC BUILD OPTIONS...: configure, build and install a CMake project.
cmake_cross() {
    s=$1 b=$2 log=$LOG/$(basename "$2")
    shift 2
    $NICE cmake -S "$s" -B "$b" -DCMAKE_SYSTEM_NAME=Windows -DCMAKE_C_COMPILER=$CC \
        -DCMAKE_RC_COMPILER=$HOST-windres -DCMAKE_FIND_ROOT_PATH="$PREFIX;/usr/$HOST" \
        -DCMAKE_FIND_ROOT_PATH_MODE_PROGRAM=NEVER -DCMAKE_FIND_ROOT_PATH_MODE_LIBRARY=ONLY \
        -DCMAKE_FIND_ROOT_PATH_MODE_INCLUDE=ONLY -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_INSTALL_PREFIX="$PREFIX" -DCMAKE_C_FLAGS="$CFLAGS_W" "$@" >"$log.cmake.log" 2>&1
    $NICE cmake --build "$b" -j "$JOBS" >"$log.make.log" 2>&1
    cmake --install "$b" >>"$log.make.log" 2>&1
}

# Compiles the named C files into lib$NAME.a (for the small libraries whose
# own build systems would only add configure time).
cc_lib() {
    name=$1 obj=$W/obj/$1
    shift
    rm -rf "$obj" && mkdir -p "$obj"
    for f in "$@"; do
        printf '%s\n' "$f"
    done | (cd "$obj" && $NICE xargs -P "$JOBS" -I{} sh -c '$0 $1 -c "{}" -o "$(basename "{}" .c).o"' "$CC" "$CFLAGS_W $CPPFLAGS_L") 
    rm -f "$PREFIX/lib/lib$name.a"
    $AR rcs "$PREFIX/lib/lib$name.a" "$obj"/*.o
}

build_zlib() {
    d=$(fetch zlib1g-dev); built zlib "$d" && return 0
    say "zlib ($(basename "$d"))"
    CPPFLAGS_L="-I$d" cc_lib z "$d"/adler32.c "$d"/compress.c "$d"/crc32.c "$d"/deflate.c "$d"/gzclose.c \
        "$d"/gzlib.c "$d"/gzread.c "$d"/gzwrite.c "$d"/infback.c "$d"/inffast.c "$d"/inflate.c \
        "$d"/inftrees.c "$d"/trees.c "$d"/uncompr.c "$d"/zutil.c
    cp "$d"/zlib.h "$d"/zconf.h "$PREFIX/include/"
    stamp zlib "$d"
}

build_minizip() {
    d=$(fetch libminizip-dev); built minizip "$d" && return 0
    say "minizip ($(basename "$d"))"
    CPPFLAGS_L="-I$PREFIX/include -I$d" cc_lib minizip "$d"/ioapi.c "$d"/iowin32.c "$d"/mztools.c "$d"/unzip.c "$d"/zip.c
    mkdir -p "$PREFIX/include/minizip"
    cp "$d"/ioapi.h "$d"/iowin32.h "$d"/mztools.h "$d"/unzip.h "$d"/zip.h "$d"/crypt.h "$PREFIX/include/minizip/"
    stamp minizip "$d"
}

build_libdeflate() {
    d=$(fetch libdeflate-dev); built libdeflate "$d" && return 0
    say "libdeflate ($(basename "$d"))"
    CPPFLAGS_L="-I$d" cc_lib deflate "$d"/lib/*.c "$d"/lib/x86/*.c
    cp "$d"/libdeflate.h "$PREFIX/include/"
    stamp libdeflate "$d"
}

build_sqlite() {
    d=$(fetch libsqlite3-dev); built sqlite "$d" && return 0
    say "SQLite ($(basename "$d"))"
    # The amalgamation is generated by the native tools of the source tree.
    b=$W/obj/sqlite-native
    rm -rf "$b" && mkdir -p "$b"
    (cd "$b" && CC=gcc $NICE "$d"/configure --disable-tcl >"$LOG/sqlite.configure.log" 2>&1 &&
        CC=gcc $NICE make sqlite3.c >"$LOG/sqlite.make.log" 2>&1)
    # The Debian package's compile-time options (debian/rules), less loadable extensions.
    CPPFLAGS_L="-I$b -fno-strict-aliasing -DSQLITE_SECURE_DELETE -DSQLITE_ENABLE_COLUMN_METADATA
        -DSQLITE_ENABLE_FTS3 -DSQLITE_ENABLE_FTS3_PARENTHESIS -DSQLITE_ENABLE_RTREE=1 -DSQLITE_SOUNDEX=1
        -DSQLITE_ENABLE_UNLOCK_NOTIFY -DSQLITE_OMIT_LOOKASIDE=1 -DSQLITE_ENABLE_DBSTAT_VTAB
        -DSQLITE_ENABLE_UPDATE_DELETE_LIMIT=1 -DSQLITE_ENABLE_JSON1 -DSQLITE_LIKE_DOESNT_MATCH_BLOBS
        -DSQLITE_THREADSAFE=1 -DSQLITE_USE_URI=1 -DSQLITE_MAX_SCHEMA_RETRY=25 -DSQLITE_OMIT_LOAD_EXTENSION
        -DSQLITE_MAX_VARIABLE_NUMBER=250000 -DSQLITE_WIN32_NO_ANSI" \
        cc_lib sqlite3 "$b"/sqlite3.c
    cp "$b"/sqlite3.h "$b"/sqlite3ext.h "$PREFIX/include/"
    stamp sqlite "$d"
}

# The Debian patches leave Makefile.am newer than Makefile.in: the generated
# files of the source package are used as they are, without autotools.
NOAUTO="ACLOCAL=true AUTOMAKE=true AUTOCONF=true AUTOHEADER=true"

build_libxml2() {
    d=$(fetch libxml2-dev); built libxml2 "$d" && return 0
    say "libxml2 ($(basename "$d"))"
    b=$W/obj/libxml2
    rm -rf "$b" && mkdir -p "$b"
    (cd "$b" && $NICE "$d"/configure --host=$HOST --prefix="$PREFIX" --enable-static --disable-shared \
        --without-python --without-lzma --without-zlib --without-iconv --without-icu --without-http \
        --without-ftp --without-debug --without-modules CFLAGS="$CFLAGS_W" >"$LOG/libxml2.configure.log" 2>&1 &&
        $NICE make -j"$JOBS" $NOAUTO libxml2.la >"$LOG/libxml2.make.log" 2>&1 &&
        make $NOAUTO install-libLTLIBRARIES >>"$LOG/libxml2.make.log" 2>&1 &&
        make $NOAUTO -C include install >>"$LOG/libxml2.make.log" 2>&1)
    stamp libxml2 "$d"
}

build_libharu() {
    d=$(fetch libhpdf-dev); built libharu "$d" && return 0
    say "libharu ($(basename "$d"))"
    # PNG images are not used by tenken: libharu without libpng.
    cmake_cross "$d" "$W/obj/libharu" -DLIBHPDF_SHARED=NO -DLIBHPDF_STATIC=YES -DLIBHPDF_EXAMPLES=NO \
        -DPNG_FOUND=NO -DCMAKE_DISABLE_FIND_PACKAGE_PNG=TRUE
    # libharu names its static library libhpdfs
    [ -f "$PREFIX/lib/libhpdfs.a" ] && cp "$PREFIX/lib/libhpdfs.a" "$PREFIX/lib/libhpdf.a"
    stamp libharu "$d"
}

build_libxlsxwriter() {
    d=$(fetch libxlsxwriter-dev); built libxlsxwriter "$d" && return 0
    say "libxlsxwriter ($(basename "$d"))"
    # As the Debian package: the system minizip (here the one built above).
    CPPFLAGS_L="-I$d/include -I$PREFIX/include -DUSE_SYSTEM_MINIZIP" \
        cc_lib xlsxwriter "$d"/src/*.c "$d"/third_party/tmpfileplus/tmpfileplus.c "$d"/third_party/md5/md5.c
    cp -R "$d"/include/xlsxwriter.h "$d"/include/xlsxwriter "$PREFIX/include/"
    stamp libxlsxwriter "$d"
}

build_cmocka() {
    d=$(fetch libcmocka-dev); built cmocka "$d" && return 0
    say "cmocka ($(basename "$d"))"
    cmake_cross "$d" "$W/obj/cmocka" -DWITH_STATIC_LIB=ON -DWITH_EXAMPLES=OFF -DUNIT_TESTING=OFF
    [ -f "$PREFIX/lib/libcmocka-static.a" ] && cp "$PREFIX/lib/libcmocka-static.a" "$PREFIX/lib/libcmocka.a"
    stamp cmocka "$d"
}

# ICU: common (all tenken calls: normalisation, line breaks, properties) as a
# static library, built with --with-cross-build: the host tools a cross build
# wants come from Debian's icu-devtools when it is the same version (no native
# ICU build then); otherwise ICU is first built natively.
build_icu() {
    d=$(fetch libicu-dev); built icu "$d" && return 0
    say "ICU ($(basename "$d"))"
    ver=$(sed -n 's/^#define U_ICU_VERSION "\(.*\)"/\1/p' "$d"/source/common/unicode/uvernum.h)
    host=$W/obj/icu-host
    rm -rf "$host" && mkdir -p "$host"
    if [ "$(dpkg-query -W -f='${source:Version}' icu-devtools 2>/dev/null | sed 's/-.*//')" = "$ver" ] &&
        [ -x /usr/sbin/icupkg ] && [ -x /usr/sbin/genccode ]; then
        mkdir -p "$host/bin" "$host/lib" "$host/config"
        for t in /usr/bin/derb /usr/bin/genbrk /usr/bin/gencfu /usr/bin/gencnval /usr/bin/gendict /usr/bin/genrb \
            /usr/bin/icuinfo /usr/bin/makeconv /usr/bin/pkgdata /usr/bin/uconv /usr/sbin/genccode /usr/sbin/gencmn \
            /usr/sbin/gennorm2 /usr/sbin/gensprep /usr/sbin/icupkg /usr/sbin/escapesrc; do
            [ -x "$t" ] && ln -sf "$t" "$host/bin/"
        done
        printf 'CROSS_ICU_VERSION=%s\nTOOLEXEEXT=\n' "${ver%%.*}" >"$host/config/icucross.mk"
        : >"$host/config/icucross.inc"
    else
        say "ICU: 同じ版 ($ver) の icu-devtools がないため、まず Linux 用に ICU のツールをビルドします"
        (cd "$host" && $NICE "$d"/source/configure --disable-tests --disable-samples --disable-extras \
            >"$LOG/icu-host.configure.log" 2>&1 && $NICE make -j"$JOBS" >"$LOG/icu-host.make.log" 2>&1) || exit 1
    fi
    b=$W/obj/icu
    rm -rf "$b" && mkdir -p "$b"
    (cd "$b" && $NICE "$d"/source/configure \
        --host=$HOST --with-cross-build="$host" --prefix="$PREFIX" --enable-static --disable-shared \
        --disable-tools --disable-tests --disable-samples --disable-extras --disable-layoutex \
        --disable-icuio --disable-dyload --with-data-packaging=static CFLAGS="$CFLAGS_W" CXXFLAGS="$CFLAGS_W" \
        CPPFLAGS="-DU_STATIC_IMPLEMENTATION" >"$LOG/icu.configure.log" 2>&1 &&
        mkdir -p lib bin &&
        $NICE make -j"$JOBS" -C common >"$LOG/icu.make.log" 2>&1 &&
        make -C common install >>"$LOG/icu.make.log" 2>&1) || exit 1
    icu_data "$d" "$host/bin" "${ver%%.*}"
    stamp icu "$d"
}

# The ICU data as a static library (libsicudt.a) holding only what tenken asks
# of ICU — NFKC, the break rules and their dictionaries, the root and ja
# locales — taken from the data package of the source (icudtNNl.dat) with the
# host's icupkg and turned into an object by genccode: 3.9 MB instead of 31 MB.
icu_data() {
    d=$1 tools=$2 major=$3
    dat=$d/source/data/in/icudt${major}l.dat
    [ -f "$dat" ] || { say "ICU のデータ $dat がソースにありません" >&2; exit 1; }
    o=$W/obj/icu-data
    rm -rf "$o" && mkdir -p "$o/items/brkitr"
    "$tools/icupkg" -l "$dat" | grep -E '^brkitr/([a-z_]*\.(brk|dict)|root\.res|ja\.res|res_index\.res)$|^(cnvalias|uemoji|ulayout)\.icu$|^nfkc\.nrm$|^(root|ja|pool|res_index|likelySubtags|metadata|keyTypeData|langInfo)\.res$' >"$o/list.txt"
    "$tools/icupkg" -x "$o/list.txt" -d "$o/items" "$dat"
    "$tools/icupkg" -a "$o/list.txt" -s "$o/items" new "$o/icudt${major}l.dat"
    "$tools/genccode" -q -a gcc-mingw64 -e "icudt$major" -d "$o" "$o/icudt${major}l.dat"
    $CC -c "$o/icudt${major}l_dat.S" -o "$o/icudt${major}l_dat.o"
    rm -f "$PREFIX/lib/libsicudt.a"
    $AR rcs "$PREFIX/lib/libsicudt.a" "$o/icudt${major}l_dat.o"
}

command -v $CC >/dev/null || { say "$CC がありません (make windows-deps)" >&2; exit 3; }
start=$(date +%s)
for lib in ${*:-zlib minizip libdeflate sqlite libxml2 libharu libxlsxwriter cmocka icu}; do
    build_$lib
done
say "ライブラリ: $(($(date +%s) - start)) 秒 ($PREFIX)"
