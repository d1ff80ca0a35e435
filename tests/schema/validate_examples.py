#!/usr/bin/python3
"""Validates the shipped example configs against config/ewstrigd.schema.json.

- config/ewstrigd.yaml must validate against the main schema (#/$defs/root);
- every config/triggers.d/*.yaml (and *.yml) against
  config/ewstrigd-triggers.schema.json (a $ref to #/$defs/trigger_file);
- a few documents the loader rejects must be rejected by the schema too,
  so this test can fail when the schema gets too loose.

With --ewstrigd BINARY, each of those documents is also given to
`ewstrigd check`, which must agree with the schema (keeps the two in step).

The schemas declare draft-07, the draft the VS Code YAML extension
(yaml-language-server) implements; `$defs` is only used as a JSON pointer
target. Needs Debian's python3-jsonschema (4.10) and python3-yaml;
run with /usr/bin/python3.
Usage: validate_examples.py [--ewstrigd BINARY] [SOURCE_DIR]
Exit status 0 when everything holds, 1 otherwise.
"""

import argparse
import json
import pathlib
import subprocess
import sys
import tempfile

try:
    import jsonschema
    import yaml
except ImportError as e:  # pragma: no cover - environment problem
    print(f"validate_examples: {e}; install python3-jsonschema and python3-yaml "
          "and run with /usr/bin/python3", file=sys.stderr)
    sys.exit(2)


class ConfigLoader(yaml.SafeLoader):
    """YAML as ewstrigd reads it: dates stay text (yaml-cpp has no timestamp
    type; received.after: 2026-11-28 is a string to the loader)."""


ConfigLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml(text):
    return yaml.load(text, Loader=ConfigLoader)


def error_lines(validator, document):
    lines = []
    for err in sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path)):
        where = "/".join(str(p) for p in err.absolute_path) or "(top level)"
        lines.append(f"{where}: {err.message}")
        # anyOf/oneOf errors say little by themselves; show the branch errors.
        for sub in sorted(err.context or [], key=lambda e: list(e.absolute_path))[:6]:
            sub_where = "/".join(str(p) for p in sub.absolute_path) or where
            lines.append(f"    - {sub_where}: {sub.message}")
    return lines


# Documents the C++ loader rejects; the schema must reject them as well.
# (name, schema: "root" | "trigger_file", YAML text)
BASE_MAILBOX = """
mailboxes:
  - id: mb
    address: mb@contoso.example
    auth: { kind: basic, username: svc, password: pw }
"""
MUST_FAIL = [
    ("unknown top-level key", "root", BASE_MAILBOX + "state_directory: /var/lib/ewstrigd\n"),
    ("unknown key in a mailbox", "root", """
mailboxes:
  - id: mb
    address: mb@contoso.example
    adress: typo@contoso.example
    auth: { kind: basic, username: svc, password: pw }
"""),
    ("wrong auth kind", "root", """
mailboxes:
  - id: mb
    address: mb@contoso.example
    auth: { kind: oauth, tenant_id: t, client_id: c }
"""),
    ("oauth-app without client_id", "root", """
mailboxes:
  - id: mb
    address: mb@contoso.example
    auth: { kind: oauth-app, tenant_id: t, client_secret: s }
"""),
    ("oauth-app with both secret and certificate", "root", """
mailboxes:
  - id: mb
    address: mb@contoso.example
    auth: { kind: oauth-app, tenant_id: t, client_id: c, client_secret: s, certificate: a.crt, private_key: a.key }
"""),
    ("oauth-app with certificate but no private_key", "root", """
mailboxes:
  - id: mb
    address: mb@contoso.example
    auth: { kind: oauth-app, tenant_id: t, client_id: c, certificate: a.crt }
"""),
    ("password on an oauth-delegated mailbox", "root", """
mailboxes:
  - id: mb
    address: mb@contoso.example
    auth: { kind: oauth-delegated, tenant_id: t, client_id: c, password: pw }
"""),
    ("ntlm without password", "root", """
mailboxes:
  - id: mb
    address: mb@contoso.example
    auth: { kind: ntlm, username: 'CORP\\svc' }
"""),
    ("redirect_uri that is not loopback", "root", """
mailboxes:
  - id: mb
    address: mb@contoso.example
    auth: { kind: oauth-delegated, tenant_id: t, client_id: c, redirect_uri: "https://app.example/cb" }
"""),
    ("duration without unit", "root", """
mailboxes:
  - id: mb
    address: mb@contoso.example
    auth: { kind: basic, username: svc, password: pw }
    watch: { mode: poll, poll_interval: 60 }
"""),
    ("action with two kinds", "root", BASE_MAILBOX + """
triggers:
  - name: t
    mailbox: mb
    when: { subject: x }
    actions:
      - { mark_read: true, log: hi }
"""),
    ("cwd on a webhook action", "root", BASE_MAILBOX + """
triggers:
  - name: t
    mailbox: mb
    when: { subject: x }
    actions:
      - { webhook: "https://h.example/x", cwd: /tmp }
"""),
    ("text test with two kinds", "root", BASE_MAILBOX + """
triggers:
  - name: t
    mailbox: mb
    when: { subject: { contains: a, regex: b } }
    actions: [ { log: hi } ]
"""),
    ("unknown condition", "root", BASE_MAILBOX + """
triggers:
  - name: t
    mailbox: mb
    when: { sender: "*@x.example" }
    actions: [ { log: hi } ]
"""),
    ("trigger without actions", "root", BASE_MAILBOX + """
triggers:
  - name: t
    mailbox: mb
    when: { subject: x }
"""),
    ("bad attachment size unit", "root", BASE_MAILBOX + """
triggers:
  - name: t
    mailbox: mb
    when: { attachment_size: { max: 5 megabytes } }
    actions: [ { log: hi } ]
"""),
    ("boolean given as ${...} (not expanded)", "root", BASE_MAILBOX + """
triggers:
  - name: t
    mailbox: mb
    when: { subject: x }
    actions: [ { mark_read: "${var:read}" } ]
"""),
    ("move_to with a leading slash", "root", BASE_MAILBOX + """
triggers:
  - name: t
    mailbox: mb
    when: { subject: x }
    actions: [ { move_to: /Inbox/Done } ]
"""),
    ("settings in a drop-in file", "trigger_file", "log: { level: debug }\n"),
]

# Documents the loader accepts; guards against a schema that is too strict.
MUST_PASS = [
    ("minimal basic mailbox", "root", BASE_MAILBOX),
    ("empty drop-in sections", "trigger_file", "mailboxes:\ntriggers:\n"),
    ("expansions in durations, enums and sizes", "root", BASE_MAILBOX + """
variables: { t: 5m, size: 5MB, lvl: debug }
log: { level: "${var:lvl}" }
triggers:
  - name: t
    mailbox: mb
    when:
      - attachment_size: { min: 512, max: "${var:size}" }
      - received: { after: 2026-11-28, within: 1h30m, time_of_day: "22:00-06:00" }
    actions:
      - { log: { message: "{{subject}}", level: warn }, timeout: "${var:t}", retries: 0 }
"""),
    ("yes/no booleans and nested lists", "root", BASE_MAILBOX + """
triggers:
  - name: t
    mailbox: mb
    when:
      not: [ { is_read: yes }, { header: X-Spam } ]
    actions: [ { mark_read: on }, { move_to: { folder: Inbox/Done, create: no } } ]
"""),
]


def loader_verdict(binary, kind, text):
    """(accepted, first output line) of `ewstrigd check` on the document."""
    with tempfile.TemporaryDirectory(prefix="ewstrigd-schema-") as tmp:
        d = pathlib.Path(tmp)
        if kind == "root":
            (d / "ewstrigd.yaml").write_text(text, encoding="utf-8")
        else:
            (d / "ewstrigd.yaml").write_text(BASE_MAILBOX, encoding="utf-8")
            (d / "triggers.d").mkdir()
            (d / "triggers.d" / "drop-in.yaml").write_text(text, encoding="utf-8")
        r = subprocess.run([binary, "check", "-c", str(d / "ewstrigd.yaml")], capture_output=True, text=True,
                           timeout=60)
        lines = (r.stdout + r.stderr).replace(tmp + "/", "").strip().splitlines()
        return r.returncode == 0, (lines[0] if lines else "")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ewstrigd", help="also check the documents with this ewstrigd binary")
    parser.add_argument("source", nargs="?", default=str(pathlib.Path(__file__).resolve().parents[2]))
    args = parser.parse_args()
    source = pathlib.Path(args.source)
    config_dir = source / "config"
    main_schema_path = config_dir / "ewstrigd.schema.json"
    triggers_schema_path = config_dir / "ewstrigd-triggers.schema.json"
    failures = 0

    def fail(message):
        nonlocal failures
        failures += 1
        print(f"FAIL {message}")

    try:
        main_schema = json.loads(main_schema_path.read_text(encoding="utf-8"))
        triggers_schema = json.loads(triggers_schema_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        print(f"FAIL cannot read the schema: {e}")
        return 1

    validator_class = jsonschema.validators.validator_for(main_schema)
    for path, schema in ((main_schema_path, main_schema), (triggers_schema_path, triggers_schema)):
        if schema.get("$schema") != "http://json-schema.org/draft-07/schema#":
            fail(f"{path.name}: $schema should be draft-07 (what editors support), not {schema.get('$schema')}")
        try:
            validator_class.check_schema(schema)
        except jsonschema.SchemaError as e:
            fail(f"{path.name} is not a valid schema: {e.message}")
    if failures:
        return 1

    # Both schemas by their file URIs, so the relative $ref of the triggers
    # schema ("ewstrigd.schema.json#/$defs/trigger_file") resolves offline.
    main_uri = main_schema_path.resolve().as_uri()
    triggers_uri = triggers_schema_path.resolve().as_uri()
    store = {main_uri: main_schema, triggers_uri: triggers_schema}
    validators = {
        "root": validator_class(
            main_schema, resolver=jsonschema.RefResolver(main_uri, main_schema, store=store)),
        "trigger_file": validator_class(
            triggers_schema, resolver=jsonschema.RefResolver(triggers_uri, triggers_schema, store=store)),
    }

    def check_file(path, kind):
        try:
            document = load_yaml(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as e:
            fail(f"{path.relative_to(source)}: cannot read YAML: {e}")
            return
        if document is None and kind == "trigger_file":
            print(f"ok   {path.relative_to(source)} (empty)")
            return
        errors = error_lines(validators[kind], document)
        if errors:
            fail(f"{path.relative_to(source)} does not validate against {kind}:")
            for line in errors:
                print(f"       {line}")
        else:
            print(f"ok   {path.relative_to(source)} validates against {kind}")

    check_file(config_dir / "ewstrigd.yaml", "root")
    drop_ins = sorted(list((config_dir / "triggers.d").glob("*.yaml")) + list((config_dir / "triggers.d").glob("*.yml")))
    if not drop_ins:
        fail("no example drop-in files in config/triggers.d")
    for path in drop_ins:
        check_file(path, "trigger_file")

    for name, kind, text in MUST_FAIL:
        if validators[kind].is_valid(load_yaml(text)):
            fail(f"schema accepts a bad document: {name}")
        else:
            print(f"ok   schema rejects: {name}")
        if args.ewstrigd:
            accepted, first = loader_verdict(args.ewstrigd, kind, text)
            if accepted:
                fail(f"ewstrigd check accepts what the schema must reject: {name} ({first})")
    for name, kind, text in MUST_PASS:
        errors = error_lines(validators[kind], load_yaml(text))
        if errors:
            fail(f"schema rejects a good document: {name}")
            for line in errors:
                print(f"       {line}")
        else:
            print(f"ok   schema accepts: {name}")
        if args.ewstrigd:
            accepted, first = loader_verdict(args.ewstrigd, kind, text)
            if not accepted:
                fail(f"ewstrigd check rejects what the schema must accept: {name}: {first}")

    if failures:
        print(f"{failures} failure(s)")
        return 1
    print("all schema checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
