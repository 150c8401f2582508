"""Strict OpenAPI 3.0.3 validation of the contract's examples and of real responses.

Uses openapi-schema-validator's OAS 3.0 validator, which applies `nullable` as the
specification says (only beside a `type` in the same schema). Checks:
1. every example the contract carries (media type examples, parameter examples, property
   examples) against the schema of the place it is attached to;
2. every response the mock sent in the conformance run (Schemathesis' HAR reports), against the
   schema the contract documents for its operation and status;
3. the payloads of `payloads.py`: `null` in every nullable property, unlisted values in every
   open enumeration, all of which must be valid;
4. every request Crayon's .NET SDK sends with its defaults (`sdk/` beside the documentation's
   fixtures): each body against its operation's request schema, each query (PascalCase names,
   matched case-insensitively as the server binds them) against its operation's parameters;
5. that the validator is strict: `null` where the contract does not allow it is refused.

Usage: strict_validation.py CONTRACT [HAR_DIR]
"""

import glob
import json
import os
import re
import sys
from urllib.parse import parse_qsl

import yaml
from openapi_schema_validator import OAS30Validator

import payloads

spec = yaml.safe_load(open(sys.argv[1]))
har_dir = sys.argv[2] if len(sys.argv) > 2 else None
failures = []
counts = {"examples": 0, "responses": 0, "payloads": 0, "sdk": 0}


def validator(schema):
    return OAS30Validator({**schema, "components": spec["components"]})


def check(where, schema, value):
    errors = sorted(validator(schema).iter_errors(value), key=lambda e: list(e.path))
    for error in errors[:5]:
        path = "/".join(str(p) for p in error.absolute_path)
        failures.append(f"{where}: at /{path}: {error.message}")
    return not errors


def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def resolve_component(value, kind):
    if "$ref" in value:
        return spec["components"][kind][value["$ref"].rsplit("/", 1)[-1]]
    return value


# 1. Examples, where they are attached.
for path, item in spec["paths"].items():
    for method, operation in item.items():
        if not isinstance(operation, dict) or "operationId" not in operation:
            continue
        op = operation["operationId"]
        bodies = []
        if "requestBody" in operation:
            bodies.append(("request", operation["requestBody"]))
        for status, response in operation["responses"].items():
            bodies.append((status, resolve_component(response, "responses")))
        for label, body in bodies:
            for media, content in body.get("content", {}).items():
                examples = dict(content.get("examples", {}))
                if "example" in content:
                    examples["example"] = {"value": content["example"]}
                for name, example in examples.items():
                    example = resolve_component(example, "examples")
                    counts["examples"] += 1
                    check(f"{op} {label} {media} example {name}", content["schema"], example["value"])
        for parameter in item.get("parameters", []) + operation.get("parameters", []):
            parameter = resolve_component(parameter, "parameters")
            if "example" in parameter:
                counts["examples"] += 1
                check(f"{op} parameter {parameter['name']} example", parameter["schema"], parameter["example"])
for name, schema in spec["components"]["schemas"].items():
    for prop, definition in schema.get("properties", {}).items():
        if "example" in definition:
            counts["examples"] += 1
            check(f"schema {name}.{prop} example", definition, definition["example"])

# 2. The mock's responses in the conformance run.
operations = []
for path, item in spec["paths"].items():
    pattern = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path.rstrip("/"))) + "/?$", re.I)
    for method, operation in item.items():
        if isinstance(operation, dict) and "operationId" in operation:
            operations.append((method.upper(), pattern, operation))


def documented_response(operation, status):
    responses = operation["responses"]
    response = responses.get(str(status)) or responses.get(f"{str(status)[0]}XX")
    return resolve_component(response, "responses") if response else None


for report in sorted(glob.glob(f"{har_dir}/*")) if har_dir else []:
    for entry in json.load(open(report))["log"]["entries"]:
        request, response = entry["request"], entry["response"]
        url_path = "/" + request["url"].split("://", 1)[-1].split("/", 1)[-1].split("?", 1)[0]
        match = [op for method, pattern, op in operations if method == request["method"] and pattern.match(url_path)]
        if not match:
            continue  # a path or method the contract does not have: Schemathesis' own probe
        status = response["status"]
        documented = documented_response(match[0], status)
        where = f"{match[0]['operationId']} {status} ({request['method']} {url_path})"
        if documented is None:
            failures.append(f"{where}: status not documented")
            continue
        text = response.get("content", {}).get("text", "")
        if "content" not in documented:
            continue
        try:
            body = json.loads(text)
        except ValueError:
            failures.append(f"{where}: body is not JSON: {text[:80]!r}")
            continue
        counts["responses"] += 1
        check(where, documented["content"]["application/json"]["schema"], body)

# 3. Null-heavy payloads and unlisted enumeration values, which the contract must allow.
for name, mode, payload in payloads.payloads(spec):
    counts["payloads"] += 1
    check(f"{name} payload `{mode}`", ref(name), payload)

# 4. What Crayon's SDK sends.
SDK = os.path.join(os.path.dirname(os.path.abspath(sys.argv[1])), "..", "crates", "crayon-tenants", "tests", "fixtures", "sdk")
by_id = {
    operation["operationId"]: (item, operation)
    for item in spec["paths"].values()
    for operation in item.values()
    if isinstance(operation, dict) and "operationId" in operation
}
bodies = sorted(glob.glob(os.path.join(SDK, "*.json")))
if len(bodies) < 6:
    failures.append(f"the SDK's requests are missing from {SDK}")
for path in bodies:
    name = os.path.basename(path)
    if name == "queries.json":
        continue
    operation_id = name.split(".")[0]
    schema = by_id[operation_id][1]["requestBody"]["content"]["application/json"]["schema"]
    counts["sdk"] += 1
    check(f"SDK body {name}", schema, json.load(open(path)))


def typed(schema, values):
    """A query value as its schema reads it (the server's binding)."""
    schema = resolve_component(schema, "schemas") if "$ref" in schema else schema
    kind = schema.get("type")
    if kind == "array":
        return list(values)
    value = values[0]
    if kind == "integer":
        return int(value) if re.fullmatch(r"-?\d+", value) else value
    if kind == "boolean":
        return {"true": True, "false": False}.get(value.lower(), value)
    return value


for operation_id, queries in json.load(open(os.path.join(SDK, "queries.json"))).items():
    item, operation = by_id[operation_id]
    parameters = [
        resolve_component(parameter, "parameters")
        for parameter in item.get("parameters", []) + operation.get("parameters", [])
    ]
    declared = {parameter["name"].lower(): parameter for parameter in parameters if parameter["in"] == "query"}
    for query in queries:
        counts["sdk"] += 1
        where = f"SDK query {operation_id}?{query}"
        sent = {}
        for key, value in parse_qsl(query, keep_blank_values=True):
            sent.setdefault(key.lower(), []).append(value)
        for key in sent:
            if key not in declared:
                failures.append(f"{where}: {key} is no parameter of the operation")
        for key, parameter in declared.items():
            if key in sent:
                check(f"{where} {parameter['name']}", parameter["schema"], typed(parameter["schema"], sent[key]))
            elif parameter.get("required"):
                failures.append(f"{where}: the required {parameter['name']} is missing")

# 5. The validator is strict about null.
if validator(ref("CustomerTenant")).is_valid({"Id": None}):
    failures.append("the validator accepted null for CustomerTenant.Id: it is not strict")

print(
    f"strict OAS 3.0 validation: {counts['examples']} examples, {counts['responses']} mock "
    f"responses, {counts['payloads']} null-heavy payloads, {counts['sdk']} requests of Crayon's SDK"
)
if failures:
    print(f"{len(failures)} violations:")
    for failure in failures[:60]:
        print(f"  {failure}")
    sys.exit(1)
print("no violation")
