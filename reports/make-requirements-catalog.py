#!/usr/bin/env python3
"""Extracts the requirement catalog the reports group their matrix by (reports/requirements.tsv).

Source: the inventory of testable requirements (shared/pop3-requirements.md, outside this repository). Each table
row whose first cell is a requirement id becomes one line: id, RFC reference, level, section number, section title,
requirement text. The report library embeds the TSV at build time; rerun this script when the inventory changes:

    reports/make-requirements-catalog.py ../shared/pop3-requirements.md > reports/requirements.tsv
"""
import re
import sys


def clean(cell: str) -> str:
    cell = cell.strip().replace("\\|", "|")
    return re.sub(r"\s+", " ", cell).replace("\t", " ")


def main() -> int:
    path = sys.argv[1] if len(sys.argv) > 1 else "../shared/pop3-requirements.md"
    section_no, section_title = "", ""
    out = ["# id\trfc\tlevel\tsection\tsection_title\ttext"]
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"^###\s+(\d+(?:\.\d+)*)\s+(.*)$", line)
            if m:
                section_no, section_title = m.group(1), clean(m.group(2))
                continue
            if not line.startswith("| R"):
                continue
            # Split on unescaped pipes only: requirement texts quote regexes such as `(\d+\|NEVER)`.
            cells = [c for c in re.split(r"(?<!\\)\|", line.rstrip("\n"))[1:-1]]
            if len(cells) < 4 or not re.match(r"^R\d+-[A-Z0-9-]+$", cells[0].strip()):
                continue
            ident, rfc, level, text = (clean(c) for c in cells[:4])
            out.append("\t".join([ident, rfc, level, section_no, section_title, text]))
    sys.stdout.write("\n".join(out) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
