#!/usr/bin/env bash
# Compares two folders of reports word by word, each word with its place on
# the page (pdftotext -bbox), leaving out the generation time in the footers
# (and the words after it on the same line, which it shifts). For a change
# that must not move anything a reader sees: run the demo with the old and
# the new binary, then
#
#   scripts/compare-pdf-words.sh old-demo/reports new-demo/reports
#
# Prints each PDF that differs and exits 1 when any does.
set -euo pipefail
old=$1 new=$2
words() {
    pdftotext -bbox "$1" - | grep -v '<meta\|<title' |
        awk '/>[0-9][0-9]:[0-9][0-9]</ { skip = $0; sub(/.*yMin="/, "", skip); sub(/".*/, "", skip); next }
             { y = $0; sub(/.*yMin="/, "", y); sub(/".*/, "", y); if (skip != "" && y == skip) next; print }'
}
differ=0 total=0
while IFS= read -r pdf; do
    total=$((total + 1))
    if [ ! -f "$new/$pdf" ] || ! cmp -s <(words "$old/$pdf") <(words "$new/$pdf"); then
        echo "differs: $pdf"
        differ=$((differ + 1))
    fi
done < <(cd "$old" && find . -name '*.pdf' | sort)
extra=$(comm -13 <(cd "$old" && find . -name '*.pdf' | sort) <(cd "$new" && find . -name '*.pdf' | sort) | wc -l)
echo "$differ of $total PDFs differ; $extra PDFs only in $new"
[ "$differ" -eq 0 ] && [ "$extra" -eq 0 ]
