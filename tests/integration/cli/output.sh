#!/usr/bin/env bash
# Where the log goes: -o FILE writes exactly FILE, new, mode 0600; an
# existing file or a symlink is refused before anything runs (exit 2, the
# file untouched); the default is memprof.<command>.<pid>.mpz in the
# current directory; log= in MEMPROF_OPTIONS works like -o.
source "$(dirname "$0")/lib.sh"

# only_logs EXPECTED...: the .mpz files under $TMP are exactly these.
only_logs() {
    local want have
    want=$(printf '%s\n' "$@" | sort)
    have=$(cd "$TMP" && find . -name '*.mpz*' | sed 's|^\./||' | sort)
    [ "$have" = "$want" ] || fail "expected exactly these logs: $* (have: $(echo $have))"
}

mode_of() { stat -c %a "$1"; }

# -o FILE: that file and no other, readable by its owner only, whatever the
# umask says; the summary names it as given.
old_umask=$(umask)
umask 000
mp run -o out.mpz -- bash -c 'echo hi'
umask "$old_umask"
expect_status 0
expect_out "hi"
only_logs out.mpz
[ "$(mode_of out.mpz)" = 600 ] || fail "out.mpz has mode $(mode_of out.mpz), want 600"
expect_err_has "memprof: log out.mpz: "
expect_err_line "memprof: read it with: $MEMPROF report out.mpz"
rm out.mpz

# The long form, a relative path in a subdirectory, an absolute path.
mkdir sub
mp run --output=sub/a.mpz -- true
expect_status 0
only_logs sub/a.mpz
expect_err_has "memprof: log sub/a.mpz: "
mp run --output "$TMP/sub/b.mpz" -- true
expect_status 0
expect_err_has "memprof: log $TMP/sub/b.mpz: "
mp run -o ./sub/c.mpz -- true
expect_err_has "memprof: log sub/c.mpz: "
only_logs sub/a.mpz sub/b.mpz sub/c.mpz
rm sub/*.mpz

# The program may chdir: the shim gets an absolute path.
mp run -o rel.mpz -- bash -c 'cd sub && bash -c "echo \$MEMPROF_OPTIONS"'
expect_status 0
expect_out "mode=full:log=$TMP/rel.mpz"
rm -f rel.mpz* memprof.*.mpz* sub/*.mpz*

# An existing file: refused, exit 2, nothing run, the file untouched.
echo "precious" >keep.mpz
touch -d '2001-01-01 00:00:00' keep.mpz
mp run -o keep.mpz -- bash -c 'echo ran'
expect_status 2
expect_err_line "memprof: run: cannot write the log to 'keep.mpz' (-o): the file exists; memprof never overwrites a file (remove it or choose another name)"
[ ! -s "$TMP/out" ] || fail "the program ran although the log was refused"
[ "$(cat keep.mpz)" = "precious" ] || fail "keep.mpz was changed"
[ "$(stat -c %Y keep.mpz)" = "$(date -d '2001-01-01 00:00:00' +%s)" ] || fail "keep.mpz was touched"
only_logs keep.mpz

# An empty one, a directory: the same.
: >empty.mpz
mp run -o empty.mpz -- true
expect_status 2
expect_err_has "the file exists; memprof never overwrites a file"
[ ! -s empty.mpz ] || fail "empty.mpz was written"
mkdir dir.mpz
mp run -o dir.mpz -- true
expect_status 2
expect_err_has "the file exists"
mp run -o sub/ -- true
expect_status 2
expect_err_has "it names a directory; give a file name"

# A symlink, to an existing file or to nowhere: refused, never followed.
echo "target" >target
ln -s target link.mpz
ln -s nowhere dangling.mpz
for l in link.mpz dangling.mpz; do
    mp run -o "$l" -- bash -c 'echo ran'
    expect_status 2
    expect_err_line "memprof: run: cannot write the log to '$l' (-o): it is a symbolic link; memprof never writes through one"
    [ ! -s "$TMP/out" ] || fail "the program ran although the log was refused"
done
[ "$(cat target)" = "target" ] || fail "the symlink's target was changed"
[ ! -e nowhere ] || fail "the dangling symlink's target was created"

# A directory that does not exist; a path with a ':'.
mp run -o nodir/x.mpz -- true
expect_status 2
expect_err_line "memprof: run: cannot write the log to 'nodir/x.mpz' (-o): directory 'nodir/': No such file or directory"
mp run -o a:b.mpz -- true
expect_status 2
expect_err_has "memprof: run: cannot write the log to 'a:b.mpz' (-o): a ':' cannot be passed to the shim in MEMPROF_OPTIONS"
mp run -o '' -- true
expect_status 2
expect_err_has "the path is empty"
[ ! -e a:b.mpz ] && [ ! -e nodir ] || fail "a refused path was created"

# A file name that needs quoting in the command that reads it.
mp run -o "my log.mpz" -- true
expect_status 0
expect_err_line "memprof: read it with: $MEMPROF report 'my log.mpz'"
[ -f "my log.mpz" ] || fail "'my log.mpz' was not written"
rm "my log.mpz"

# The default: memprof.<command>.<pid>.mpz in the current directory, <pid>
# the program's (bash's $$), <command> the name it was run by.
mkdir work
cd work
mp run -- bash -c 'echo $$'
expect_status 0
pid=$(cat "$TMP/out")
[ -f "memprof.bash.$pid.mpz" ] || fail "no memprof.bash.$pid.mpz in the current directory"
[ "$(mode_of "memprof.bash.$pid.mpz")" = 600 ] || fail "the default log is not mode 600"
expect_err_has "memprof: log memprof.bash.$pid.mpz: "
expect_err_line "memprof: read it with: $MEMPROF report memprof.bash.$pid.mpz"
ln -s "$(type -P bash)" "my:sh"
mp run -- "./my:sh" -c 'echo $$'
expect_status 0
pid=$(cat "$TMP/out")
[ -f "memprof.my_sh.$pid.mpz" ] || fail "a ':' in the command's name is not replaced in the log's name"
cd "$TMP"

# A directory we cannot write to: refused up front, for the default name
# and for -o (root can write anywhere: run as nobody then).
mkdir ro
runas=()
if [ "$(id -u)" = 0 ]; then
    if command -v setpriv >/dev/null && setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; then
        chmod 755 "$TMP" ro
        runas=(setpriv --reuid=65534 --regid=65534 --clear-groups)
    else
        runas=(skip)
    fi
else
    chmod 555 ro
fi
if [ "${runas[0]:-}" != skip ]; then
    cd ro
    run_cmd "${runas[@]}" "$MEMPROF" run -- bash -c 'echo ran'
    expect_status 2
    expect_err_line "memprof: run: cannot write the log in the current directory '$TMP/ro': Permission denied (use -o to put it elsewhere)"
    [ ! -s "$TMP/out" ] || fail "the program ran although its log could not be written"
    run_cmd "${runas[@]}" "$MEMPROF" run -o x.mpz -- true
    expect_status 2
    expect_err_line "memprof: run: cannot write the log to 'x.mpz' (-o): cannot create a file in '.': Permission denied"
    cd "$TMP"
    chmod 700 "$TMP"
fi
chmod 755 ro

# log= in MEMPROF_OPTIONS chooses the log as -o does, and -o wins over it.
MEMPROF_OPTIONS="log=$TMP/env.mpz" mp run -- true
expect_status 0
expect_err_has "memprof: log $TMP/env.mpz: "
[ -f env.mpz ] || fail "log= in MEMPROF_OPTIONS was not used"
MEMPROF_OPTIONS="log=$TMP/env.mpz" mp run -- true
expect_status 2
expect_err_line "memprof: run: cannot write the log to '$TMP/env.mpz' (log= in MEMPROF_OPTIONS): the file exists; memprof never overwrites a file (remove it or choose another name)"
MEMPROF_OPTIONS="log=$TMP/env.mpz" mp run -o flag.mpz -- true
expect_status 0
[ -f flag.mpz ] || fail "-o did not win over log= in MEMPROF_OPTIONS"
pass
