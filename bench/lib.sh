# bench/lib.sh — helpers shared by the bench/run-*.sh scripts (sourced).
# The caller sets SCRIPT (its name for messages), REPO and BUILD first.

say() { echo "$SCRIPT: $*" >&2; }

# "SIGSEGV" for an exit status of 128 + 11, nothing for a normal one.
signame() { local n=$1; [ "$n" -gt 128 ] && kill -l $((n - 128)) 2>/dev/null | sed 's/^/SIG/'; }

# Median of the numbers on stdin, one per line (nothing if there are none).
med() {
    sort -g | awk '{ v[NR] = $1 }
        END { if (NR) printf "%.10g\n", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# (max - min) / median in percent of the numbers on stdin: how noisy a cell is.
spr() {
    sort -g | awk '{ v[NR] = $1 }
        END { if (NR > 1) { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
                            if (m > 0) printf "%.0f\n", 100 * (v[NR] - v[1]) / m } }'
}

# calc EXPR DIGITS: EXPR evaluated by awk, printed with DIGITS decimals.
calc() { awk "BEGIN { printf \"%.${2}f\", ($1) }" 2>/dev/null; }

# bench_build LOGNAME TARGET...: configures $BUILD if needed and builds the
# targets; exits with the build log's tail on failure.
bench_build() {
    local logname=$1
    shift
    if [ ! -f "$BUILD/CMakeCache.txt" ]; then
        say "configuring $BUILD"
        cmake -S "$REPO" -B "$BUILD" >/dev/null ||
            { say "configure failed; retrying without tests"; cmake -S "$REPO" -B "$BUILD" -DMP_TESTS=OFF >/dev/null; } ||
            { say "cannot configure $BUILD"; exit 1; }
    fi
    say "building $* in $BUILD"
    if ! cmake --build "$BUILD" -j 2 --target "$@" >"$BUILD/$logname" 2>&1; then
        tail -20 "$BUILD/$logname" >&2
        say "the build failed (is MP_BENCH ON in $BUILD?); full output in $BUILD/$logname"
        exit 1
    fi
}

# Installs /usr/bin/time (Debian's 'time' package) if it is missing.
need_time() {
    [ -x /usr/bin/time ] && return 0
    say "/usr/bin/time is missing; installing the 'time' package"
    local sudo=
    [ "$(id -u)" != 0 ] && sudo="sudo -n"
    $sudo apt-get install -y -q time >/dev/null 2>&1 ||
        { $sudo apt-get update -q >/dev/null 2>&1 && $sudo apt-get install -y -q time >/dev/null 2>&1; }
    [ -x /usr/bin/time ] || { say "no /usr/bin/time (apt-get install time)"; exit 1; }
}
