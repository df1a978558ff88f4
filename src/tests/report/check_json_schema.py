#!/usr/bin/env python3
"""Validates result documents against reports/schema/result.schema.json, and checks that the schema rejects a
document with a bad outcome (so the check can fail).

Usage: check_json_schema.py SCHEMA RESULT.json...   Exit 77 (skip) when the jsonschema module is missing.
"""
import copy
import json
import sys

try:
    import jsonschema
except ImportError:
    print("SKIP: the Python jsonschema module is not installed")
    sys.exit(77)


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)
    failed = False
    for path in sys.argv[2:]:
        with open(path, "rb") as f:
            raw = f.read()
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as e:
            # RFC 8259 §8.1 requires UTF-8; the writer is scenario::json::escape (reported, not this test's subject).
            print(f"{path}: WARNING: not valid UTF-8 ({e})")
        doc = json.loads(raw.decode("utf-8", "replace"))
        errors = list(validator.iter_errors(doc))
        for e in errors:
            print(f"{path}: {'/'.join(str(p) for p in e.absolute_path)}: {e.message}")
        failed = failed or bool(errors)
        if doc.get("scenarios"):
            bad = copy.deepcopy(doc)
            bad["scenarios"][0]["outcome"] = "maybe"
            if validator.is_valid(bad):
                print(f"{path}: the schema accepts an unknown outcome")
                failed = True
        bad = copy.deepcopy(doc)
        del bad["schema_version"]
        if validator.is_valid(bad):
            print(f"{path}: the schema accepts a document without schema_version")
            failed = True
    print("FAIL" if failed else "OK")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
