"""The OpenAPI document made complete for generated clients (issue 16): every operation documents
the error answers the gates give (errors.py's one format), and `servers` names this server."""

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "details": {},
            },
        }
    },
}
ERROR_REF = {"$ref": "#/components/schemas/ApiError"}
WHY = {
    "401": "Not signed in, or the token is unknown, revoked or expired.",
    "403": "The caller's role may not do this (or two-factor login is still required).",
    "404": "No such object in the caller's region scope.",
    "409": "Another change came first (stale version) or the rules refuse the change.",
    "422": "Some values are not valid (the details name them).",
    "428": "The write needs the object's version (If-Match or `version`).",
}
WRITES = {"post", "put", "patch", "delete"}


def complete(schema: dict) -> dict:
    schema.setdefault("components", {}).setdefault("schemas", {})["ApiError"] = ERROR_SCHEMA
    schema["servers"] = [{"url": "/", "description": "this Mitra server"}]
    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                # Ninja copies the JSON Schema's list of examples to the parameter, where OpenAPI
                # wants a map of Example objects (openapi-python-client refuses the document).
                if isinstance(parameter.get("examples"), list):
                    parameter["example"] = parameter.pop("examples")[0]
            codes = ["401", "403"] if operation.get("security") != [] else []
            # With parameters: an id (path) or a region (query, e.g. the stats' `region`) outside
            # the caller's scope answers 404.
            if operation.get("parameters"):
                codes.append("404")
            if operation.get("parameters") or operation.get("requestBody"):
                codes.append("422")
            if method in WRITES:
                codes += ["404", "409", "422", "428"]
            responses = operation.setdefault("responses", {})
            for code in dict.fromkeys(codes):
                responses.setdefault(
                    code,
                    {
                        "description": WHY[code],
                        "content": {"application/json": {"schema": ERROR_REF}},
                    },
                )
    return schema


def one_of(values, description: str | None = None, examples=None):
    """An optional string parameter documented with its allowed values, which the handler (a form
    or a service, with messages in the caller's language) checks; pydantic does not check them a
    second time."""
    from pydantic import Field

    extra = {"anyOf": [{"type": "string", "enum": [str(v) for v in values]}, {"type": "null"}]}
    return Field(None, description=description, examples=examples, json_schema_extra=extra)


def form_choice(form, name: str, description: str | None = None):
    """`one_of` the values of a form's choice field (its empty "all" choice left out)."""
    return one_of([v for v, _label in form.base_fields[name].choices if v != ""], description)
