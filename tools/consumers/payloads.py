"""Response payloads built from the contract, for consumers to parse and validators to check.

For every schema a response can carry, two payloads:
- `filled`: every property present, every nullable scalar (string, date-time) `null`, every open
  enumeration an integer the contract does not list, nullable objects and arrays filled in;
- `nulls`: every nullable property `null`.
Between them, every property the contract calls nullable is `null` somewhere, and every open
enumeration carries an unlisted value: what the live API may send and a consumer must parse.
"""

UNLISTED = 7777  # in no enumeration of the contract
SCALARS = ("string", "integer", "number", "boolean")


def resolve(spec, schema):
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = spec["components"]["schemas"][name]
    return schema


def _null_branch(schema):
    return schema.get("enum") == [None]


def response_schema_names(spec):
    """The named schemas that some operation's response carries."""
    names = set()
    for item in spec["paths"].values():
        for operation in item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for response in operation["responses"].values():
                if "$ref" in response:
                    response = spec["components"]["responses"][response["$ref"].rsplit("/", 1)[-1]]
                for media in response.get("content", {}).values():
                    ref = media["schema"].get("$ref")
                    if ref:
                        names.add(ref.rsplit("/", 1)[-1])
    return sorted(names)


def instance(spec, schema, mode, depth=0):
    """A value of `schema`; `mode` is `filled` or `nulls` (see the module's description).

    Nullability and openness are read as the contract means them, whether or not it states them
    in a form OpenAPI 3.0.3 honours: `nullable: true` next to an `allOf` still yields `null` here,
    and an integer enumeration in a response yields an unlisted value, so that a strict validator
    or a generated client shows where the contract fails to say what it means.
    """
    if depth > 12:
        raise ValueError("the contract's schemas nest deeper than expected")
    kind = schema.get("type")
    if schema.get("nullable") is True and (mode == "nulls" or kind in SCALARS):
        return None
    if "anyOf" in schema:
        branches = schema["anyOf"]
        others = [branch for branch in branches if not _null_branch(branch)]
        if len(others) < len(branches):  # a nullable reference
            return None if mode == "nulls" else instance(spec, others[0], mode, depth + 1)
        return UNLISTED  # an open enumeration: `anyOf` of the closed one and any integer
    if "allOf" in schema:
        return instance(spec, schema["allOf"][0], mode, depth + 1)
    if "$ref" in schema:
        return instance(spec, resolve(spec, schema), mode, depth + 1)
    if "enum" in schema:
        # What a server sends is open: an integer enumeration gets a value it does not list.
        return UNLISTED if kind == "integer" else schema["enum"][0]
    if kind == "object" or "properties" in schema:
        if isinstance(schema.get("additionalProperties"), dict):
            return {"Key": instance(spec, schema["additionalProperties"], mode, depth + 1)}
        return {
            name: instance(spec, prop, mode, depth + 1)
            for name, prop in schema.get("properties", {}).items()
        }
    if kind == "array":
        return [instance(spec, schema["items"], mode, depth + 1)]
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return 1.5
    if kind == "boolean":
        return True
    if kind == "string":
        if schema.get("format") == "date-time":
            return "2019-10-01T00:00:00Z"
        return "text"
    raise ValueError(f"no value for {schema}")


def payloads(spec):
    """`(schema name, mode, payload)` for every response schema and both modes."""
    for name in response_schema_names(spec):
        for mode in ("filled", "nulls"):
            yield name, mode, instance(spec, {"$ref": f"#/components/schemas/{name}"}, mode)
