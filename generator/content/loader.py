"""Read YAML safely, remembering where every value came from.

Only ``yaml.SafeLoader`` is used: a ``!!python/...`` tag is refused with the
line it is on. Mappings and sequences come back as :class:`LineDict` and
:class:`LineList`, which remember each child's line and column so that a schema
error found later (by pydantic, on plain data) can still name the line in the
legal team's file.
"""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path
from typing import Any, Iterable

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, SequenceNode

from generator.errors import AgreementsError

Position = tuple[int, int]  # 1-based line and column


class LineDict(dict):
    """A mapping that knows the position of each key."""

    positions: dict[Any, Position]
    start: Position


class LineList(list):
    """A sequence that knows the position of each item."""

    positions: list[Position]
    start: Position


def _position(node: yaml.Node) -> Position:
    return node.start_mark.line + 1, node.start_mark.column + 1


class _PositionLoader(yaml.SafeLoader):
    """SafeLoader that records positions and refuses duplicate keys."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> LineDict:
        self.flatten_mapping(node)
        result = LineDict()
        result.positions = {}
        result.start = _position(node)
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, Hashable):
                raise ConstructorError(None, None, "found a list or mapping used as a key",
                                       key_node.start_mark)
            if key in result:
                raise ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            result[key] = self.construct_object(value_node, deep=True)
            result.positions[key] = _position(value_node)
        return result

    def construct_sequence(self, node: SequenceNode, deep: bool = False) -> LineList:
        result = LineList(self.construct_object(child, deep=True) for child in node.value)
        result.positions = [_position(child) for child in node.value]
        result.start = _position(node)
        return result


# A mapping must be constructed eagerly for positions to be recorded on it.
_PositionLoader.add_constructor(
    "tag:yaml.org,2002:map", lambda loader, node: loader.construct_mapping(node)
)
_PositionLoader.add_constructor(
    "tag:yaml.org,2002:seq", lambda loader, node: loader.construct_sequence(node)
)


def load_yaml(path: Path) -> Any:
    """Parse one YAML file; any problem becomes an AgreementsError at its line."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise AgreementsError(
            f"the file is not UTF-8 ({exc.reason}); save it as UTF-8", file=path
        ) from None
    except OSError as exc:
        raise AgreementsError(f"cannot read the file: {exc.strerror}", file=path) from None
    return load_yaml_text(text, path)


# YAML reads these as line breaks and silently turns them into spaces or newlines, so a
# value would lose a character nobody can see; they are refused where they stand.
_INVISIBLE_BREAKS = {"\x85": "NEXT LINE", "\u2028": "LINE SEPARATOR", "\u2029": "PARAGRAPH SEPARATOR"}


def load_yaml_text(text: str, path: Path | str) -> Any:
    for char, name in _INVISIBLE_BREAKS.items():
        at = text.find(char)
        if at >= 0:
            line = text.count("\n", 0, at) + 1
            col = at - (text.rfind("\n", 0, at) + 1) + 1
            raise AgreementsError(f"invisible line-break character U+{ord(char):04X} ({name}); "
                                  "delete it (YAML would silently turn it into a space)",
                                  file=path, line=line, col=col)
    try:
        return yaml.load(text, Loader=_PositionLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        raise _yaml_error(exc, path) from None
    except yaml.YAMLError as exc:
        raise AgreementsError(f"invalid YAML: {exc}", file=path) from None


def _yaml_error(exc: yaml.MarkedYAMLError, path: Path | str) -> AgreementsError:
    mark = exc.problem_mark or exc.context_mark
    if exc.context_mark and "quoted scalar" in str(exc.context) and "end of stream" in str(exc.problem):
        mark = exc.context_mark  # an unclosed quote: point at where it opened, not at the end
    problem = exc.problem or "invalid YAML"
    if isinstance(exc, ConstructorError) and "python/" in str(problem):
        message = (
            "Python tags are not allowed in content files (only plain YAML is read); "
            "remove the `!!python/...` tag"
        )
    elif isinstance(exc, ConstructorError) and str(problem).startswith("duplicate key"):
        message = f"{problem}; each key may appear once in a mapping, remove one"
    else:
        context = f" {exc.context}" if exc.context else ""
        message = f"YAML syntax error: {problem}{context}; check the indentation and quotes"
        message += ", and quote text that starts with * or contains ': '"
    line = mark.line + 1 if mark else None
    col = mark.column + 1 if mark else None
    return AgreementsError(message, file=path, line=line, col=col)


def position_of(data: Any, loc: Iterable[Any]) -> Position | None:
    """The position of the deepest value along ``loc`` that the YAML had.

    ``loc`` is a path such as pydantic's ``("sections", 2, "clauses", 0, "txt")``.
    An unknown key has no position of its own, so the position of the mapping
    that holds it is used instead.
    """
    best: Position | None = getattr(data, "start", None)
    node = data
    for part in loc:
        if isinstance(node, LineDict) and part in node:
            best = node.positions.get(part, best)
            node = node[part]
        elif isinstance(node, LineList) and isinstance(part, int) and 0 <= part < len(node):
            best = node.positions[part]
            node = node[part]
        else:
            break
    return best

