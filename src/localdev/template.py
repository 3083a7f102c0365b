"""template.yaml as data: a YAML loader for CloudFormation's short-form tags, shared by the local API,
the benchmark's report and the template tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped, unused-ignore]

TEMPLATE = Path(__file__).resolve().parents[2] / "template.yaml"


class CloudFormationLoader(yaml.SafeLoader):  # type: ignore[misc, unused-ignore]
    """SafeLoader that turns `!Ref X`, `!Sub ...`, `!GetAtt A.B`... into their long (JSON) forms."""


def _construct_short_form(loader: Any, tag_suffix: str, node: Any) -> dict[str, Any]:
    key = tag_suffix if tag_suffix in {"Ref", "Condition"} else f"Fn::{tag_suffix}"
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if tag_suffix == "GetAtt":
            value = str(value).split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {key: value}


CloudFormationLoader.add_multi_constructor("!", _construct_short_form)


def load_template(path: Path = TEMPLATE) -> dict[str, Any]:
    """The template as plain dicts, lists and scalars (CloudFormationLoader is a SafeLoader)."""
    document = yaml.load(path.read_text(encoding="utf-8"), Loader=CloudFormationLoader)  # noqa: S506  # nosec B506
    if not isinstance(document, dict):
        raise ValueError(f"{path} is not a YAML mapping")
    return document
