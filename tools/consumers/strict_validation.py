"""Strict OpenAPI 3.0.3 validation of the contract's examples and of real responses.

Uses openapi-schema-validator's OAS 3.0 validator, which applies `nullable` as the
specification says (only beside a `type` in the same schema). Checks:
1. every example the contract carries (media type examples, parameter examples, property
   examples) against the schema of the place it is attached to;
2. every response the mock sent in the conformance run (Schemathesis' HAR reports), against the
   schema the contract documents for its operation and status;
3. the payloads of `payloads.py`: `null` in every nullable property, unlisted values in every
   open enumeration, all of which must be valid;
4. that the validator is strict: `null` where the contract does not allow it is refused.

Usage: strict_validation.py CONTRACT [HAR_DIR]
"""

import glob
import json
import re
import sys

import yaml
from openapi_schema_validator import OAS30Validator

import payloads

spec = yaml.safe_load(open(sys.argv[1]))
har_dir = sys.argv[2] if len(sys.argv) > 2 else None
failures = []
counts = {"examples": 0, "responses": 0, "payloads": 0}


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

# 4. The validator is strict about null.
if validator(ref("CustomerTenant")).is_valid({"Id": None}):
    failures.append("the validator accepted null for CustomerTenant.Id: it is not strict")

print(
    f"strict OAS 3.0 validation: {counts['examples']} examples, {counts['responses']} mock "
    f"responses, {counts['payloads']} null-heavy payloads"
)
if failures:
    print(f"{len(failures)} violations:")
    for failure in failures[:60]:
        print(f"  {failure}")
    sys.exit(1)
print("no violation")
