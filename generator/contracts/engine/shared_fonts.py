"""Draw a contract's own text with the shared pages' fonts wherever they hold the glyph (pikepdf).

The pages every customer shares are written once per process, and so are their
fonts: one compact program per face, cut and compressed once
(:class:`generator.contracts.engine.page_forms.PageForms`). The customer's own
pages (cover, 附录一, signature page, the footers) mostly draw glyphs that font
already holds. Here their content streams are rewritten so that every such
glyph is drawn from the shared font, and only the rest from the contract's own
font, which the post-pass then cuts to just those few glyphs. No glyph is
embedded twice, and per contract a few dozen glyphs are cut and compressed
instead of the whole face (about 12 ms less per contract).

The rewrite is hand-written because no PDF library re-encodes text between
fonts. It is narrow: pikepdf parses and writes the operators; a ``TJ`` (or
``Tj``) shown with a working face is split into runs, each shown with the font
that holds its glyphs, with a ``Tf`` between runs. Both fonts are cuts of the
same face, so every glyph keeps its width and the text its position. The font
of the graphics state is followed through ``q``/``Q``; ``'`` and ``"`` are
refused (WeasyPrint does not write them), which makes the caller render the
contract in full.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pikepdf
from pikepdf import Array, Name, Operator

from generator.contracts.engine.compact import GlyphsNotMerged

__all__ = ["SharedFont", "draw_with_shared_fonts"]

_TF, _TJ = Operator("Tf"), Operator("TJ")
_SHOW = frozenset({"TJ", "Tj"})
_REFUSED = frozenset({"'", '"'})


@dataclass(frozen=True)
class SharedFont:
    """The shared pages' font of one face, copied into the contract."""

    name: Name                 # its resource name on the contract's pages and forms
    font: pikepdf.Object       # the Type0 font
    codes: frozenset[int]      # the CIDs its program holds


@dataclass
class _State:
    font: str | None = None     # the graphics state's font resource, as the content set it
    size: object = None
    shown: str | None = None    # the font last set in the rewritten stream


@dataclass
class _Rewrite:
    faces: Mapping[str, SharedFont]            # own font resource name → shared font of its face
    left: dict[str, set[int]]                  # own font name → codes still drawn
    changed: bool = False


def _runs(rewrite: _Rewrite, own: str, items: Iterable) -> list[tuple[str, list]]:
    """The items of a ``TJ`` array cut into runs per font (resource names); a run's items
    are numbers and bytes (2-byte codes)."""
    shared = rewrite.faces[own]
    held, shared_name = shared.codes, str(shared.name)
    runs: list[tuple[str, list]] = []
    own_codes: set[int] = set()
    font, items_of_run = None, None
    for item in items:
        if not isinstance(item, pikepdf.String):
            if items_of_run is None:
                font, items_of_run = own, []
                runs.append((font, items_of_run))
            items_of_run.append(item)
            continue
        data = bytes(item)
        for start in range(0, len(data) - 1, 2):
            code = (data[start] << 8) | data[start + 1]
            wanted = shared_name if code in held else own
            if wanted is own:
                own_codes.add(code)
            if wanted != font:
                font, items_of_run = wanted, [b""]
                runs.append((font, items_of_run))
            elif not isinstance(items_of_run[-1], bytes):
                items_of_run.append(b"")
            items_of_run[-1] += data[start:start + 2]
    if own_codes:
        rewrite.left.setdefault(own, set()).update(own_codes)
    return runs


def _show(rewrite: _Rewrite, state: _State, instruction, out: list) -> None:
    operands = instruction.operands
    runs = _runs(rewrite, state.font, operands[0] if isinstance(operands[0], Array) else operands)
    rewrite.changed = rewrite.changed or any(font != state.font for font, _ in runs)
    for font, items in runs:
        if font != state.shown:
            out.append(pikepdf.ContentStreamInstruction([Name(font), state.size], _TF))
            state.shown = font
        if len(runs) == 1:   # one font: the instruction as it was
            out.append(instruction)
            return
        array = Array([pikepdf.String(i) if isinstance(i, bytes) else i for i in items])
        out.append(pikepdf.ContentStreamInstruction([array], _TJ))


def _rewritten(rewrite: _Rewrite, content) -> list | None:
    """``content``'s instructions with the text drawn from the shared fonts (None: unchanged)."""
    out: list = []
    state, stack = _State(), []
    for instruction in pikepdf.parse_content_stream(content):
        name = str(instruction.operator)
        if name == "q":
            stack.append(_State(state.font, state.size, state.shown))
        elif name == "Q" and stack:
            state = stack.pop()
        elif name == "Tf":
            font = str(instruction.operands[0])
            state = _State(font, instruction.operands[1], font)
        elif name in _SHOW and state.font in rewrite.faces:
            _show(rewrite, state, instruction, out)
            continue
        elif name in _REFUSED and state.font in rewrite.faces:
            raise GlyphsNotMerged(f"the contract's text uses the operator {name!r}, "
                                  "which the shared fonts cannot be drawn with")
        out.append(instruction)
    return out if rewrite.changed else None


def _rewrite(holder: pikepdf.Object, faces: Mapping[str, SharedFont]) -> tuple[bytes | None, dict[str, set[int]]]:
    """``holder``'s content drawn from the shared fonts (None: unchanged), and the codes each
    own font still draws."""
    rewrite = _Rewrite(faces, {})
    instructions = _rewritten(rewrite, holder)
    return (None if instructions is None else pikepdf.unparse_content_stream(instructions)), rewrite.left


Memo = tuple[dict, object]   # where a holder drawn the same in every contract keeps its rewrite


def draw_with_shared_fonts(pdf: pikepdf.Pdf, shared: Mapping[str, SharedFont],
                           contents: Iterable[tuple[pikepdf.Object, pikepdf.Object, Memo | None]],
                           face_of: Mapping[str, str]) -> dict[str, set[int]]:
    """Rewrite ``contents`` (a page or form XObject, its ``/Font`` dictionary, and for a form
    that is the same in every contract a memo ``(dict, key)`` keeping its rewrite) to draw
    every glyph the shared font of its face holds from that font (``shared``: face → font).
    ``face_of`` names the face of each own font resource. Returns, per own font resource name,
    the codes still drawn with it (a name missing: the font draws nothing any more)."""
    left: dict[str, set[int]] = {}
    for holder, fonts, memo in contents:
        faces = {own: shared[face] for own, face in face_of.items()
                 if face in shared and own in fonts}
        if not faces:
            continue
        if memo is None:
            data, codes = _rewrite(holder, faces)
        else:
            cache, key = memo
            key = (key, frozenset((own, str(font.name), font.codes) for own, font in faces.items()))
            if key not in cache:
                cache[key] = _rewrite(holder, faces)
            data, codes = cache[key]
        for name, drawn in codes.items():
            left.setdefault(name, set()).update(drawn)
        if data is None:
            continue
        for font in faces.values():
            fonts[font.name] = font.font
        if isinstance(holder, pikepdf.Stream):
            holder.write(data)
        else:
            holder.Contents = pdf.make_stream(data)
    return left
