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

mp run --mode=fast -- true
expect_status 2
expect_err_line "memprof: run: unknown mode 'fast' for --mode (expected --mode=full|sample|off)"

mp run --mode
expect_status 2
expect_err_line "memprof: run: option '--mode' needs a value (--mode=MODE)"

for bad in abc -1 12ms '' ' 5' +5 99999999999999999999 4294967296 3600001; do
    mp run "--scavenge-delay=$bad" -- true
    expect_status 2
    expect_err_has "bad value '$bad' for --scavenge-delay (expected --scavenge-delay=MS"
done

for bad in 0 257 -1 abc '' 64k 1e2 99999999999999999999; do
    mp run "--depth=$bad" -- true
    expect_status 2
    expect_err_has "bad value '$bad' for --depth (expected --depth=N, a number of stack frames from 1 to 256)"
done

# --sample: bytes with an optional k/m/g suffix, 1 byte to 1 GiB.
for bad in 0 0k 0m; do
    mp run "--sample=$bad" -- true
    expect_status 2
    expect_err_line "memprof: run: bad value '$bad' for --sample: the mean interval between samples must be at least 1 byte (for every allocation, use --mode=full)"
done
for bad in '' -1 +5 ' 5' abc 512x 512kb 1.5m k 2g 1025m 1073741825 99999999999999999999 \
           18014398509481984k; do
    mp run "--sample=$bad" -- true
    expect_status 2
    expect_err_has "bad value '$bad' for --sample (expected --sample=SIZE, the mean number of bytes between samples, from 1 to 1g"
done
[ -z "$(ls "$TMP" | grep '\.mpz')" ] || fail "a refused command line still wrote a log"

mp run --sample=1m --mode=full -- true
expect_status 2
expect_err_line "memprof: run: --sample samples allocations: it cannot be combined with --mode=full"
mp run --mode=off --sample=1m -- true
expect_status 2
expect_err_line "memprof: run: --sample samples allocations: it cannot be combined with --mode=off"

mp run --mode=off -o "$TMP/x.mpz" -- true
expect_status 2
expect_err_line "memprof: run: -o/--output: mode off writes no log (add --mode=full)"
MEMPROF_OPTIONS=mode=off mp run -o "$TMP/x.mpz" -- true
expect_status 2
expect_err_line "memprof: run: -o/--output: mode off (from MEMPROF_OPTIONS) writes no log (add --mode=full)"

mp run -o
expect_status 2
expect_err_line "memprof: run: option '--output' needs a value (--output=FILE)"

mp run --no-follow-fork=1 -- true
expect_status 2
expect_err_line "memprof: run: option '--no-follow-fork' takes no value (got '--no-follow-fork=1')"

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
