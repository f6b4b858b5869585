"""Read YAML safely, remembering where every value came from.

Only ``yaml.SafeLoader`` is used: a ``!!python/...`` tag is refused with the
line it is on. Mappings and sequences come back as :class:`LineDict` and
:class:`LineList`, which remember each child's line and column so that a schema
error found later (by pydantic, on plain data) can still name the line in the
legal team's file.

Whatever the file holds, reading it ends in data or in an AgreementsError:
- a file is refused *before it is read* when it is a symbolic link out of the
  project (its lines would otherwise be quoted in messages), not a regular file
  (a FIFO would block, /dev/zero never ends) or larger than ``MAX_FILE_BYTES``;
- nesting deeper than ``MAX_DEPTH`` is refused at its line (PyYAML's composer is
  recursive: 8,000 ``[`` are a RecursionError), and so are aliases (``*name``:
  a few lines of them expand into billions of values) and numbers too long to read;
- dates stay the text they were written as: PyYAML's date constructor raises
  ValueError on ``2027-02-29``, so the schemas check dates themselves (at the
  value's line), the same way for every source of data.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Hashable
from pathlib import Path
from typing import Any, Iterable

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, SequenceNode

from generator.characters import shown
from generator.content.yaml_messages import yaml_problem
from generator.errors import AgreementsError
from generator.i18n import _, os_reason

Position = tuple[int, int]  # 1-based line and column

MAX_FILE_BYTES = 1_000_000  # the agreement is 20 kB; a customer file 1 kB
MAX_DEPTH = 32  # agreement.yml nests 10 deep (four levels of clauses)
MAX_NUMBER_CHARACTERS = 100


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


class _Refused(ComposerError):
    """A construct we do not read; its problem text is the whole message."""

    def __init__(self, problem: str, mark: yaml.Mark, path: list[Any]) -> None:
        super().__init__(None, None, problem, mark)
        key = "".join(f"[{part + 1}]" if isinstance(part, int) else f".{part}" for part in path)
        self.key = key.lstrip(".") or None  # spelled as resolve.format_loc spells it


def _down_to_last_key(path: list[Any]) -> list[Any]:
    """``[a, 0, 0, 0]`` → ``[a]``: the key a deep nesting sits in."""
    end = len(path)
    while end and isinstance(path[end - 1], int):
        end -= 1
    return path[:end]


class _BadKey(ConstructorError):
    """A key written twice, or a list used as a key; its problem text is the whole message."""


class _PositionLoader(yaml.SafeLoader):
    """SafeLoader that records positions, refuses duplicate keys, aliases and deep nesting."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.path: list[Any] = []  # keys and item numbers down to the node being composed

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        # ``index`` is the key node in a mapping, the item's number in a sequence.
        path = self.path
        if parent is not None:
            path.append(index.value if isinstance(index, yaml.ScalarNode) else index)
        try:
            event = self.peek_event()
            if isinstance(event, yaml.AliasEvent):
                raise _Refused(_("aliases (`*name`) are not allowed; write the value out where it is used"),
                               event.start_mark, path)
            if self._is_long_number(event):
                raise _Refused(_("a number of more than {count} characters; put it in "
                                 "quotes if it is text").format(count=MAX_NUMBER_CHARACTERS),
                               event.start_mark, path)
            if len(path) >= MAX_DEPTH:
                raise _Refused(_("nested more than {count} levels deep; no file of the project "
                                 "nests this deep, check the indentation and brackets").format(
                                   count=MAX_DEPTH), event.start_mark,
                               _down_to_last_key(path))
            return super().compose_node(parent, index)
        finally:
            if parent is not None:
                path.pop()

    def _is_long_number(self, event: yaml.Event) -> bool:
        # Python refuses to read an int of over 4,300 digits (ValueError), and YAML 1.1's
        # base-60 integers (1:59:59…) take minutes to compute at a few hundred kilobytes.
        if not isinstance(event, yaml.ScalarEvent) or len(event.value) <= MAX_NUMBER_CHARACTERS:
            return False
        tag = event.tag if event.tag not in (None, "!") else self.resolve(
            yaml.ScalarNode, event.value, event.implicit)
        return tag == "tag:yaml.org,2002:int"

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> LineDict:
        self.flatten_mapping(node)
        result = LineDict()
        result.positions = {}
        result.start = _position(node)
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, Hashable):
                raise _BadKey(None, None, _("found a list or mapping used as a key"),
                                       key_node.start_mark)
            if key in result:
                raise _BadKey(None, None, _("duplicate key '{key}'; each key may appear once in a "
                                                     "mapping, remove one").format(key=shown(key)),
                                    key_node.start_mark)
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
# A date stays the text it was written as; the schemas check it (see the module docstring).
_PositionLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
)


def load_yaml(path: Path, *, project_root: Path) -> Any:
    """Parse one YAML file of the project; any problem becomes an AgreementsError at its line."""
    data = read_project_file(path, project_root)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise AgreementsError(
            _("the file is not UTF-8 (byte {offset}); save it as UTF-8").format(offset=exc.start), file=path
        ) from None
    return load_yaml_text(text, path)


def read_project_file(path: Path, project_root: Path) -> bytes:
    """The bytes of a file the tool reads as input, refused unread when unsafe to read.

    ``path`` may lie outside ``project_root`` (a customer file named on the command
    line), but it may not *lead* outside: a symbolic link, or a path within the
    project whose real location is elsewhere.
    """
    refuse_link_out_of(path, project_root)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)  # a FIFO must not block
    except OSError as exc:
        raise AgreementsError(_("cannot read the file: {reason}").format(reason=os_reason(exc)),
                              file=path) from None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise AgreementsError(_("not a regular file (a device, pipe or socket); name the YAML file "
                                    "itself"), file=path)
        data = handle.read(MAX_FILE_BYTES + 1)  # not st_size: the file may grow while read
    if len(data) > MAX_FILE_BYTES:
        raise AgreementsError(_("the file is larger than {size} MB, far more than any agreement or "
                                "customer file; check that it is the right file").format(
                                  size=MAX_FILE_BYTES // 1_000_000), file=path)
    return data


def refuse_link_out_of(path: Path, project_root: Path) -> None:
    """AgreementsError, before anything is read, when ``path`` leads out of the project."""
    absolute = Path(os.path.abspath(path))
    real = Path(os.path.realpath(path))
    real_root = Path(os.path.realpath(project_root))
    within = absolute.is_relative_to(os.path.abspath(project_root)) or absolute.is_relative_to(real_root)
    if (within or path.is_symlink()) and not real.is_relative_to(real_root):
        raise AgreementsError(_("the file is a symbolic link to {target}, outside the project {root}; "
                                "it was not read. Copy the file into the project instead of linking "
                                "it").format(target=real, root=real_root), file=path)


# YAML reads these as line breaks and silently turns them into spaces or newlines, so a
# value would lose a character nobody can see; they are refused where they stand.
_INVISIBLE_BREAKS = {"\x85": "NEXT LINE", "\u2028": "LINE SEPARATOR", "\u2029": "PARAGRAPH SEPARATOR"}


def load_yaml_text(text: str, path: Path | str) -> Any:
    for char, name in _INVISIBLE_BREAKS.items():
        at = text.find(char)
        if at >= 0:
            line, col = _line_and_column(text, at)
            raise AgreementsError(_("invisible line-break character U+{code:04X} ({name}); delete it "
                                    "(YAML would silently turn it into a space)").format(
                                      code=ord(char), name=name), file=path, line=line, col=col)
    try:
        return yaml.load(text, Loader=_PositionLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        raise _yaml_error(exc, path) from None
    except yaml.reader.ReaderError as exc:
        line, col = _line_and_column(text, exc.position)
        raise AgreementsError(_("the control character U+{code:04X} is not allowed in YAML; "
                                "delete it").format(code=exc.character), file=path, line=line,
                              col=col) from None
    except yaml.YAMLError as exc:
        raise AgreementsError(_("invalid YAML: {problem}").format(problem=shown(exc, 200)),
                              file=path) from None


def _line_and_column(text: str, at: int) -> Position:
    return text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1


def _yaml_error(exc: yaml.MarkedYAMLError, path: Path | str) -> AgreementsError:
    mark = exc.problem_mark or exc.context_mark
    if exc.context_mark and "quoted scalar" in str(exc.context) and "end of stream" in str(exc.problem):
        mark = exc.context_mark  # an unclosed quote: point at where it opened, not at the end
    ours = isinstance(exc, (_Refused, _BadKey))  # their problem is already our whole message
    problem = shown(exc.problem if ours else yaml_problem(exc.problem or "invalid YAML"), 160)
    if ours:
        message = problem
    elif isinstance(exc, ConstructorError) and "python/" in str(exc.problem):
        message = _("Python tags are not allowed in content files (only plain YAML is read); "
                    "remove the `!!python/...` tag")
    else:
        if exc.context:  # where PyYAML was: "in the flow mapping that starts above"
            problem = _("{problem} {context}").format(problem=problem,
                                                      context=shown(yaml_problem(exc.context), 160))
        message = _("YAML syntax error: {problem}; check the indentation and quotes, and "
                    "quote text that starts with * or contains ': '").format(problem=problem)
    line = mark.line + 1 if mark else None
    col = mark.column + 1 if mark else None
    return AgreementsError(message, file=path, line=line, col=col, key=getattr(exc, "key", None))


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

