#!/usr/bin/env python3
"""Validates scenario files against scenarios/schema.json (JSON Schema 2020-12), e.g. in an editor-less CI step.

Usage: scenarios/tools/validate.py [FILE_OR_DIR ...]   (default: every scenario under scenarios/)
Needs python3-jsonschema and python3-yaml. Exit status 1 when a document does not validate.
"""
import json
import pathlib
import sys

import jsonschema
import yaml

root = pathlib.Path(__file__).resolve().parent.parent
schema = json.loads((root / "schema.json").read_text())
validator = jsonschema.Draft202012Validator(schema)
skip = {"requirements.yaml", "fixtures.yaml"}
targets = [pathlib.Path(a) for a in sys.argv[1:]] or [root]
files = []
for t in targets:
    if t.is_dir():
        files += sorted(p for p in t.rglob("*.y*ml")
                        if p.name not in skip and "fixtures" not in p.parts and "baselines" not in p.parts)
    else:
        files.append(t)
bad = 0
count = 0
for f in files:
    for doc in yaml.safe_load_all(f.read_text()):
        if doc is None:
            continue
        count += 1
        for e in validator.iter_errors(doc):
            bad += 1
            where = "/".join(str(x) for x in e.absolute_path)
            print(f"{f}: {doc.get('id', '?') if isinstance(doc, dict) else '?'}: {where}: {e.message[:200]}")
print(f"validate: {count} scenario(s) in {len(files)} file(s), {bad} problem(s)")
sys.exit(1 if bad else 0)
