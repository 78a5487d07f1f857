#!/usr/bin/env bash
# real.git — git cloning a local repository over the pack protocol
# (git clone --no-local: clone, upload-pack, pack-objects and index-pack,
# each with its own log) and logging it (git log --stat, git log -p of one
# file), plain, under memprof run and under memprof check (lib.sh says what
# is compared). The repository is generated first, without memprof, with
# git fast-import: 300 commits over 120 files, fixed names and dates, so
# commit ids and every line of output are deterministic (byte for byte);
# the clone is compared by the files it checks out.
# Usage: git.sh MEMPROF
set -euo pipefail
source "$(dirname -- "$0")/lib.sh"
rr_init "$@"
rr_need git awk
unset $(env | awk -F= '/^GIT_/ { print $1 }') EMAIL 2>/dev/null || true
export HOME=$RR_TMP/home GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0 GIT_PAGER=cat PAGER=cat
mkdir -p "$HOME"
# pack.threads=1: pack-objects' delta search, hence what it sends, does
# not depend on thread timing.
git config --global pack.threads 1
git config --global gc.auto 0
git config --global init.defaultBranch main

awk 'BEGIN {
    for (c = 1; c <= 300; c++) {
        printf "commit refs/heads/main\nmark :%d\n", c
        t = 1700000000 + c * 3600
        printf "author Ada Tester <ada@example.org> %d +0000\n", t
        printf "committer Bob Checker <bob@example.org> %d +0000\n", t
        msg = sprintf("change %d: files %d to %d", c, c % 120, (c * 7) % 120)
        printf "data %d\n%s\n", length(msg), msg
        if (c > 1) printf "from :%d\n", c - 1
        for (k = 0; k < 4; k++) {
            f = (c * (k + 3)) % 120
            body = ""
            n = 5 + (c + f) % 40
            for (l = 1; l <= n; l++)
                body = body sprintf("file %d line %d rev %d %s\n", f, l, (l % 4 == 0 ? c : 1), substr("the quick brown fox jumps over the lazy dog", 1 + (l + f) % 25))
            printf "M 100644 inline src/d%d/f%03d.txt\ndata %d\n%s\n", f % 8, f, length(body), body
        }
    }
}' > "$RR_INPUT/fast-import"
git init -q "$RR_INPUT/repo"
git -C "$RR_INPUT/repo" fast-import --quiet < "$RR_INPUT/fast-import"
git -C "$RR_INPUT/repo" checkout -q main
echo "repository: $(git -C "$RR_INPUT/repo" rev-list --count HEAD) commits, $(git -C "$RR_INPUT/repo" ls-files | wc -l) files"

# git keeps its object store, config and argument arrays until exit, by
# design (it marks them UNLEAK()): memprof check fails on them.
LEAKY="git keeps its object store and config until exit"

setup() { :; }
rr_case git_clone --files "clone/src/d1/f001.txt clone/src/d7/f119.txt clone/.git/HEAD" \
    --supp "$RR_HERE/glibc.supp" --leaky "$LEAKY" \
    -- git clone -q --no-local "$RR_INPUT/repo" clone

setup() { git clone -q --no-local "$RR_INPUT/repo" clone; }
rr_case git_log --supp "$RR_HERE/glibc.supp" --leaky "$LEAKY" \
    -- git -C clone log --stat --format='%H %an %ad%n  %s' --date=iso
rr_case git_log_p --supp "$RR_HERE/glibc.supp" --leaky "$LEAKY" \
    -- git -C clone log -p --follow -- src/d3/f011.txt
rr_done
