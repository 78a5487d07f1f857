#!/usr/bin/env bash
# integration.real.git — git with the shim as its malloc.
#
# Builds a temporary repository plain and again preloaded, and compares the
# transcript of every git command (output and exit status; see lib.sh):
# init; ~360 files over six commits (adds, edits, deletes, renames); a
# branch with its own commits, a merge, a deliberate conflict and its
# resolution; log --stat/--graph, diff, show, blame, grep, shortlog, tag,
# describe, stash, archive, a clone over the pack protocol, gc, fsck.
# Author/committer names, emails and dates are fixed and HOME is a fresh
# directory, so commit ids and every line of output are deterministic.
# pack.threads=1 keeps delta search, hence pack contents, deterministic.
# Usage: git.sh /path/to/libmemprof.so
set -euo pipefail
source "$(dirname -- "$0")/lib.sh"
mp_real_init "$@"
mp_need git awk sha256sum

GIT=$(command -v git)
unset $(env | awk -F= '/^GIT_/ { print $1 }') EMAIL 2>/dev/null || true
export GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0 GIT_PAGER=cat PAGER=cat
export GIT_AUTHOR_NAME="Ada Tester" GIT_AUTHOR_EMAIL=ada@example.org
export GIT_COMMITTER_NAME="Bob Checker" GIT_COMMITTER_EMAIL=bob@example.org

TICK=1700000000
tick() {
    TICK=$((TICK + 3600))
    export GIT_AUTHOR_DATE="@$TICK +0000" GIT_COMMITTER_DATE="@$TICK +0000"
}

g() { mp_step "$GIT" "$@"; }

# write_files FIRST LAST VERSION: src/dNN/fileNNN.txt with content that
# depends on the file number and VERSION (plain awk, not preloaded).
write_files() {
    awk -v first="$1" -v last="$2" -v ver="$3" 'BEGIN {
        for (i = first; i <= last; i++) {
            dir = sprintf("src/d%02d", i % 12)
            f = sprintf("%s/file%03d.txt", dir, i)
            system("mkdir -p " dir)
            n = 5 + (i * 7) % 60
            for (l = 1; l <= n; l++)
                printf "file %d line %d version %d: %s\n", i, l, (l % 5 == 0 ? ver : 1), substr("the quick brown fox jumps over the lazy dog", 1 + (i + l) % 20) > f
            close(f)
        }
    }'
}

workload() {
    export HOME=$MP_WORK/home
    mkdir -p "$HOME"
    tick
    g -c init.defaultBranch=main init -q repo
    cd repo
    g config gc.auto 0
    g config pack.threads 1
    g config core.autocrlf false
    g config advice.detachedHead false

    write_files 1 200 1
    g add -A
    g commit -q -m "import 200 files"
    tick
    write_files 150 320 2
    g add -A
    g commit -m "version 2 of 150-200, add 201-320"
    tick
    g rm -q -r src/d03
    g mv src/d04 src/four
    write_files 1 40 3
    g add -A
    g commit -q -m "drop d03, rename d04, edit 1-40"
    g status --short --branch

    tick
    g checkout -q -b feature
    write_files 321 360 1
    printf 'feature notes\n' > NOTES
    g add -A
    g commit -q -m "feature: 40 more files and NOTES"
    tick
    write_files 100 130 4
    g commit -q -a -m "feature: edit 100-130"

    tick
    g checkout -q main
    write_files 250 280 5
    g commit -q -a -m "main: edit 250-280"
    tick
    g merge --no-ff -m "merge feature" feature
    g log --oneline --graph --all
    g rev-list --count HEAD

    # A conflict on purpose: both branches edit NOTES. Non-zero exits and
    # the messages on stderr must match too.
    tick
    g checkout -q feature
    printf 'feature notes\nfeature side\n' > NOTES
    g commit -q -a -m "feature: NOTES"
    tick
    g checkout -q main
    printf 'feature notes\nmain side\n' > NOTES
    g commit -q -a -m "main: NOTES"
    tick
    g merge -m "merge feature again" feature
    g diff --stat
    printf 'feature notes\nboth sides\n' > NOTES
    g add NOTES
    g commit -q --no-edit
    g rev-parse --verify no-such-branch

    g log --stat --format='%H %an <%ae> %ad%n  %s' --date=iso-strict
    g diff --stat HEAD~4 HEAD
    g diff HEAD~2 HEAD -- src/d01
    g show --stat --format=fuller HEAD^2
    g blame -s src/d05/file005.txt
    g grep -c "version 4"
    g shortlog -sne HEAD
    g ls-files -s src/d07
    tick
    g tag -a -m "release 1" v1.0 HEAD~3
    g describe --tags HEAD

    echo "stash me" >> src/d01/file001.txt
    g stash -q
    g stash list
    g stash pop -q
    g diff --numstat

    g archive -o ../repo.tar --prefix=repo/ HEAD
    sha256sum ../repo.tar | awk '{ print "archive sha256 " $1 }'

    g gc -q
    g count-objects -v
    g fsck --full --strict --no-progress
    g verify-pack -s .git/objects/pack/*.idx

    cd ..
    g clone -q --no-local repo clone
    g -C clone log --oneline -5
    g -C clone fsck --no-progress
    g -C clone rev-parse HEAD HEAD^{tree}
}
mp_compare workload
