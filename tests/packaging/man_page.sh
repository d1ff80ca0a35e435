#!/bin/bash
# docs/ewstrigd.1 renders without a groff warning, and documents every
# subcommand `ewstrigd --help` lists (so a new subcommand without a man page
# entry fails here). Usage: man_page.sh EWSTRIGD MAN_PAGE
set -euo pipefail
ewstrigd=$1
page=$2

command -v groff >/dev/null || { echo "SKIP: groff is missing"; exit 77; }
warnings=$(groff -man -ww -z -Tutf8 "$page" 2>&1)
if [[ -n $warnings ]]; then echo "FAIL: groff warns:"; echo "$warnings"; exit 1; fi

rendered=$(groff -man -Tutf8 -P -cbou "$page" 2>/dev/null)
help=$("$ewstrigd" --help)
subcommands=$(sed -n '/^Subcommands:/,$p' <<<"$help" | awk 'NR > 1 && NF { print $1 }')
[[ -n $subcommands ]] || { echo "FAIL: no subcommands in ewstrigd --help:"; echo "$help"; exit 1; }
missing=0
for sub in $subcommands; do
    # Each subcommand has its own entry under COMMANDS: a line starting with it.
    if ! sed -n '/^COMMANDS/,/^OPTIONS/p' <<<"$rendered" | grep -Eq "^ +$sub( |$)"; then
        echo "FAIL: subcommand '$sub' is not documented under COMMANDS in $page"
        missing=1
    fi
done
for section in SYNOPSIS COMMANDS OPTIONS "EXIT STATUS" SIGNALS FILES; do
    grep -q "^$section" <<<"$rendered" || { echo "FAIL: no $section section"; missing=1; }
done
exit $missing
