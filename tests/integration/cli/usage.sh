#!/usr/bin/env bash
# Bad command lines exit 2 with a message that names what was wrong.
source "$(dirname "$0")/lib.sh"

mp run --foo -- true
expect_status 2
expect_err_line "memprof: run: unknown option '--foo' (see memprof run --help)"

mp run --foo=bar true
expect_status 2
expect_err_line "memprof: run: unknown option '--foo' (see memprof run --help)"

mp run -x true
expect_status 2
expect_err_line "memprof: run: unknown option '-x' (see memprof run --help)"

mp run --mode=full -- true
expect_status 2
expect_err_line "memprof: run: mode 'full' is not available yet in this build; use --mode=off"

mp run --mode=sample -- true
expect_status 2
expect_err_line "memprof: run: mode 'sample' is not available yet in this build; use --mode=off"

mp run --mode=fast -- true
expect_status 2
expect_err_line "memprof: run: unknown mode 'fast' for --mode (expected --mode=off)"

mp run --mode
expect_status 2
expect_err_line "memprof: run: option '--mode' needs a value (--mode=MODE)"

for bad in abc -1 12ms '' ' 5' +5 99999999999999999999 4294967296 3600001; do
    mp run "--scavenge-delay=$bad" -- true
    expect_status 2
    expect_err_has "bad value '$bad' for --scavenge-delay (expected --scavenge-delay=MS"
done

mp run --help=yes -- true
expect_status 2
expect_err_line "memprof: run: option '--help' takes no value (got '--help=yes')"

mp run --stats=yes -- true
expect_status 2
expect_err_line "memprof: run: option '--stats' takes no value (got '--stats=yes')"

mp run
expect_status 2
expect_err_has "memprof: run: no command to run"

mp run --stats --
expect_status 2
expect_err_has "memprof: run: no command to run"

mp frobnicate
expect_status 2
expect_err_line "memprof: unknown command 'frobnicate' (see memprof --help)"

mp --frobnicate
expect_status 2
expect_err_line "memprof: unknown option '--frobnicate' (see memprof --help)"

mp
expect_status 2
expect_err_has "Usage: memprof COMMAND"

mp help frobnicate
expect_status 2
expect_err_line "memprof: help: unknown command 'frobnicate' (see memprof --help)"
pass
