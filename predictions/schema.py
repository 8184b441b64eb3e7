"""OpenAPI extensions: each vocabulary field documents exactly the codes and spellings it accepts."""

from typing import Any

from drf_spectacular.extensions import OpenApiSerializerFieldExtension

from .constants import BATCH_MAX_ITEMS

NO_NUL_PATTERN = "^[^\\u0000]*$"
REQUEST_LINE_MAX_BYTES = 8190  # docker/gunicorn.conf.py limit_request_line


class VocabularyFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "predictions.serializers.VocabularyField"

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> Any:
        return self.target.openapi_schema


def _subclasses(cls: type) -> list[type]:
    return [sub for direct in cls.__subclasses__() for sub in (direct, *_subclasses(direct))]


def _plain_string(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "string" and not schema.keys() & {"enum", "format", "pattern"}


def reject_unknown_fields_hook(result: dict[str, Any], generator: Any, request: Any, public: Any) -> dict[str, Any]:
    """Request bodies whose serializer refuses unknown fields say so: additionalProperties false."""
    from .serializers import JSONObjectSerializerMixin  # noqa: PLC0415 - serializers import the registry

    schemas = result.get("components", {}).get("schemas", {})
    for serializer in _subclasses(JSONObjectSerializerMixin):
        component = schemas.get(serializer.__name__.removesuffix("Serializer") + "Request")
        if component is not None:
            component["additionalProperties"] = False
    for path in result.get("paths", {}).values():
        for operation in path.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                schema = parameter.get("schema", {})
                if (
                    parameter.get("in") == "query"
                    and schema.get("type") == "string"
                    and not schema.keys()
                    & {
                        "enum",
                        "format",
                        "pattern",
                    }
                ):
                    schema["pattern"] = NO_NUL_PATTERN  # Django's form fields refuse U+0000 (400)
    for name, component in schemas.items():
        if not name.endswith("Request"):
            continue
        for prop in component.get("properties", {}).values():
            if _plain_string(prop):
                prop["pattern"] = NO_NUL_PATTERN  # DRF's CharField refuses U+0000 (400)
    batch_items = schemas.get("PredictBatchInputRequest", {}).get("properties", {}).get("items")
    if batch_items is not None:
        batch_items.update(minItems=1, maxItems=BATCH_MAX_ITEMS)
    return result


def document_server_limits_hook(result: dict[str, Any], generator: Any, request: Any, public: Any) -> dict[str, Any]:
    """Every operation can meet gunicorn's 414 for an overlong URL, which Django never sees; say so."""
    too_long = {
        "description": f"Request line (method, path and query) longer than {REQUEST_LINE_MAX_BYTES} bytes; "
        "refused by gunicorn before the application, with a short HTML body."
    }
    for path in result.get("paths", {}).values():
        for operation in path.values():
            if isinstance(operation, dict) and "responses" in operation:
                operation["responses"].setdefault("414", too_long)
    return result
