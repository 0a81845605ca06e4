"""What a client generator reads in /api/v1/openapi.json besides the operations themselves: plain operation
ids (`issue_card`, not a module path), one shared `Error` schema for every refusal, optional bodies declared
as optional (not as a nullable union), and an example for every request and response body."""

from .damm import check_digit
from .errors import MEANINGS, Code, Refusal

ERROR_REF = {"$ref": "#/components/schemas/Error"}
EXAMPLE_CARD_NUMBER = "123456789" + check_digit("123456789")
# Examples of strings by field name, where a generic "text" would be misleading.
NAMED_STRINGS = {
    "number": EXAMPLE_CARD_NUMBER, "card_number": EXAMPLE_CARD_NUMBER, "replacement_number": EXAMPLE_CARD_NUMBER,
    "postal_code": "00100", "code": "091", "home_municipality": "091", "municipality": "091",
    "username": "kassa-kaupunginteatteri", "name": "Kaupunginteatteri", "language": "fi",
    "token": "kk_3q2-Y8c0Rn0Bq9a4yZk1lJm7oPp5sTt6uVv8wXx9zA0", "prefix": "kk_3q2-Y", "next": None,
}
NAMED_INTEGERS = {"birth_year": 1985, "children": 1, "year": 2026, "month": 12}
STRING_FORMATS = {"date": "2026-12-02", "date-time": "2026-12-02T10:30:00+02:00", "email": None, "uri": None}


def operation_id(operation) -> str:
    """The view function's own name; the statistics' (`summary`, `uses`) carry their domain."""
    function = operation.view_func
    name = function.__name__
    if function.__module__.endswith("stats.api") and not name.startswith("stats"):
        return f"stats_{name}"
    return name


def error_components() -> dict:
    codes = sorted(code.value for code in Code)
    detail = {"type": "object", "title": "ErrorDetail", "required": ["code", "message"],
              "additionalProperties": False,
              "properties": {"code": {"type": "string", "enum": codes,
                                      "description": "Stable, machine-readable reason (core/errors.py)."},
                             "message": {"type": "string", "description": "For a person, in fi, sv or en by "
                                         "Accept-Language. For `invalid`, the reason in brackets where one is "
                                         "known (a missing or unknown field, a wrong type, a value outside the "
                                         "stated range); never the value sent."},
                             "field": {"type": "string", "description": "The request field refused, if one."}}}
    error = {"type": "object", "title": "Error", "required": ["error"], "additionalProperties": False,
             "properties": {"error": {"$ref": "#/components/schemas/ErrorDetail"}}}
    return {"Error": error, "ErrorDetail": detail}


def codes_of(status: int) -> list[str]:
    return sorted(code.value for code, meaning in MEANINGS.items() if meaning.status == status)


def error_response(status: int, description: str) -> dict:
    codes = codes_of(status)
    code = codes[0] if codes else Code.INVALID.value
    example = {"error": {"code": code, "message": Refusal(Code(code)).message("en")}}
    if status == 400:
        example["error"]["field"] = "valid_until"
    listed = ", ".join(f"`{one}`" for one in codes)
    return {"description": f"{description}. Codes: {listed}." if codes else description,
            "content": {"application/json": {"schema": ERROR_REF, "example": example}}}


def _resolve(schema: dict, components: dict) -> dict:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def example_of(schema: dict, components: dict, name: str | None = None, depth: int = 0, *,
               answer: bool = False):
    """An example value of `schema`; in an answer (`answer=True`) a field that may be null is null, as on a
    new object."""
    schema = _resolve(schema, components)
    if "example" in schema:
        return schema["example"]
    if schema.get("examples"):
        return schema["examples"][0]
    if "default" in schema and schema["default"] is not None:
        return schema["default"]
    if "anyOf" in schema or "oneOf" in schema:
        every = schema.get("anyOf", schema.get("oneOf"))
        options = [one for one in every if one.get("type") != "null"]
        nullable_scalar = "$ref" not in options[0] and options[0].get("type") != "object" if options else True
        if not options or (answer and depth > 0 and len(options) < len(every) and nullable_scalar):
            return None
        return example_of(options[0], components, name, depth, answer=answer)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        if depth > 6:
            return {}
        if "properties" not in schema and isinstance(schema.get("additionalProperties"), dict):
            return {"example_key": example_of(schema["additionalProperties"], components, None, depth + 1,
                                              answer=answer)}
        return {key: example_of(value, components, key, depth + 1, answer=answer)
                for key, value in schema.get("properties", {}).items()}
    if kind == "array":
        return [example_of(schema.get("items", {}), components, name, depth + 1, answer=answer)]
    if kind == "integer":
        return NAMED_INTEGERS.get(name, max(schema.get("minimum", 1), 1))
    if kind == "number":
        return schema.get("minimum", 1.5)
    if kind == "boolean":
        return True
    if kind == "string":
        if schema.get("format") in STRING_FORMATS and STRING_FORMATS[schema["format"]]:
            return STRING_FORMATS[schema["format"]]
        if NAMED_STRINGS.get(name):
            return NAMED_STRINGS[name]
        return "Esimerkki"
    return None


def document(schema: dict, statuses_of, description_of) -> dict:
    """Rewrite django-ninja's schema in place: shared errors, optional bodies, examples."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.update(error_components())
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody")
            if body:
                media = body["content"]["application/json"]
                options = media["schema"].get("anyOf", [])
                if len(options) == 2 and {"type": "null"} in options:
                    # `payload: X | None = None`: the body may be left out, which is what `required: false`
                    # says; a nullable union makes generated clients send or parse `null` wrongly.
                    media["schema"] = next(one for one in options if one != {"type": "null"})
                    body["required"] = False
                media["example"] = example_of(media["schema"], components)
            for status, response in operation["responses"].items():
                if int(status) < 400 and "content" in response:
                    media = response["content"]["application/json"]
                    media["example"] = example_of(media["schema"], components, answer=True)
            for status in statuses_of(path, method):
                # Integer keys, as django-ninja writes its own: a string key would duplicate the status.
                operation["responses"][status] = error_response(status, description_of(status))
    _drop_unused_error_schemas(schema, components)
    return schema


def _drop_unused_error_schemas(schema: dict, components: dict) -> None:
    """An app's own error schema (say `ErrorOut`) is no longer referenced once every refusal is `Error`."""
    import json

    text = json.dumps(schema["paths"]) + json.dumps(components)
    for name in [one for one in components if one.endswith("ErrorOut") or one.startswith("Error") and
                 one not in ("Error", "ErrorDetail")]:
        if f'"#/components/schemas/{name}"' not in text:
            del components[name]
