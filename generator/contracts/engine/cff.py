"""Reading and writing just enough of CID-keyed CFF for compact PDF fonts.

:func:`is_cid_keyed` tells :mod:`generator.contracts.engine.fonts` which subsets it may
embed as bare CFF. :class:`CffUnion` serves the fast contract path
(:mod:`generator.contracts.engine.assemble`): the shared pages' subset of a face is
written once per process and the customer pages' subset per contract; both are
compact subsets of the same CID-keyed CFF with the same CIDs, so one program
holding the union of their glyphs serves both.
"""

from __future__ import annotations

import zlib

__all__ = ["CffUnion", "is_cid_keyed"]


def _index(data: bytes, pos: int) -> tuple[list[bytes], int]:
    """A CFF INDEX at ``pos``: its items and the position after it."""
    count = int.from_bytes(data[pos:pos + 2], "big")
    if count == 0:
        return [], pos + 2
    off_size = data[pos + 2]
    offsets = [int.from_bytes(data[pos + 3 + i * off_size:pos + 3 + (i + 1) * off_size], "big")
               for i in range(count + 1)]
    base = pos + 3 + (count + 1) * off_size - 1
    return [data[base + offsets[i]:base + offsets[i + 1]] for i in range(count)], base + offsets[-1]


def _first_operator(top_dict: bytes) -> tuple[int, ...] | None:
    i = 0
    while i < len(top_dict):
        b0 = top_dict[i]
        if b0 == 12:
            return (12, top_dict[i + 1])
        if b0 <= 21:
            return (b0,)
        if b0 == 28:
            i += 3
        elif b0 == 29:
            i += 5
        elif b0 == 30:  # real number: nibbles up to an 0xf nibble
            i += 1
            while i < len(top_dict) and (top_dict[i] & 0x0F) != 0x0F and (top_dict[i] >> 4) != 0x0F:
                i += 1
            i += 1
        elif 247 <= b0 <= 254:
            i += 2
        else:
            i += 1
    return None


def is_cid_keyed(cff: bytes) -> bool:
    """Whether the first Top DICT starts with the ROS operator (12 30): a CID-keyed CFF."""
    try:
        if cff[0] != 1:
            return False
        _, pos = _index(cff, cff[2])          # Name INDEX after the header
        top_dicts, _ = _index(cff, pos)       # Top DICT INDEX
        return bool(top_dicts) and _first_operator(top_dicts[0]) == (12, 30)
    except IndexError:
        return False


# --------------------------------------------------------------------------
# One font program for two subsets of a face
#
# The fast contract path (generator.contracts.engine.assemble) writes the shared pages'
# subset of a face once per process and the customer pages' subset per
# contract. Both are compact subsets of the same CID-keyed CFF with the same
# CIDs, so one program holding the union of their glyphs serves both.


def _dict_ops(data: bytes) -> list[tuple[tuple[int, ...], bytes, list]]:
    """A CFF DICT as (operator, raw operands, integer operands or None for reals)."""
    ops, i, start, values = [], 0, 0, []
    while i < len(data):
        b0 = data[i]
        if b0 <= 21:
            if b0 == 12:
                op, end = (12, data[i + 1]), i + 2
            else:
                op, end = (b0,), i + 1
            ops.append((op, data[start:i], values))
            i = start = end
            values = []
        elif b0 == 28:
            values.append(int.from_bytes(data[i + 1:i + 3], "big", signed=True))
            i += 3
        elif b0 == 29:
            values.append(int.from_bytes(data[i + 1:i + 5], "big", signed=True))
            i += 5
        elif b0 == 30:
            i += 1
            while (data[i] & 0x0F) != 0x0F and (data[i] >> 4) != 0x0F:
                i += 1
            i += 1
            values.append(None)
        elif 32 <= b0 <= 246:
            values.append(b0 - 139)
            i += 1
        elif 247 <= b0 <= 250:
            values.append((b0 - 247) * 256 + data[i + 1] + 108)
            i += 2
        elif 251 <= b0 <= 254:
            values.append(-(b0 - 251) * 256 - data[i + 1] - 108)
            i += 2
        else:
            raise ValueError("bad DICT operand")
    return ops


def _int5(value: int) -> bytes:
    return b"\x1d" + value.to_bytes(4, "big", signed=True)


def _op_bytes(op: tuple[int, ...]) -> bytes:
    return bytes(op)


def _write_index(items: list[bytes]) -> bytes:
    if not items:
        return b"\x00\x00"
    offsets = [1]
    for item in items:
        offsets.append(offsets[-1] + len(item))
    size = 1 if offsets[-1] < 1 << 8 else 2 if offsets[-1] < 1 << 16 else 3 if offsets[-1] < 1 << 24 else 4
    return (len(items).to_bytes(2, "big") + bytes([size])
            + b"".join(o.to_bytes(size, "big") for o in offsets) + b"".join(items))


_CHARSET, _CHARSTRINGS, _PRIVATE, _SUBRS = (15,), (17,), (18,), (19,)
_FDARRAY, _FDSELECT, _FONTNAME = (12, 36), (12, 37), (12, 38)


class _Cff:
    """The parts of a compact CID-keyed CFF that a union needs."""

    def __init__(self, data: bytes):
        if not is_cid_keyed(data):
            raise ValueError("not a CID-keyed CFF")
        self.header = data[:data[2]]
        pos = data[2]
        start = pos
        _, pos = _index(data, pos)
        self.name_index = data[start:pos]
        top_dicts, pos = _index(data, pos)
        if len(top_dicts) != 1:
            raise ValueError("one font expected")
        start = pos
        strings, pos = _index(data, pos)
        self.string_index = data[start:pos]
        start = pos
        gsubrs, pos = _index(data, pos)
        self.gsubr_index = data[start:pos]
        self.top = _dict_ops(top_dicts[0])
        top = {op: values for op, _, values in self.top}
        for op in (_CHARSET, _CHARSTRINGS, _FDARRAY, _FDSELECT):
            if op not in top:
                raise ValueError("incomplete Top DICT")
        self.charstrings, _ = _index(data, top[_CHARSTRINGS][0])
        count = len(self.charstrings)
        self.cids = [0] + self._charset(data, top[_CHARSET][0], count - 1)
        self.fd_select = self._fd_select(data, top[_FDSELECT][0], count)
        self.fds = []   # (FD name, FD DICT ops, Private DICT bytes)
        for fd in _index(data, top[_FDARRAY][0])[0]:
            ops = _dict_ops(fd)
            values = {op: v for op, _, v in ops}
            size, offset = values[_PRIVATE]
            private = data[offset:offset + size]
            if any(op == _SUBRS for op, _, _ in _dict_ops(private)):
                raise ValueError("local subroutines")
            sid = values[_FONTNAME][0] if _FONTNAME in values else None
            name = strings[sid - 391] if sid is not None and sid >= 391 else sid
            self.fds.append((name, ops, private))

    @staticmethod
    def _charset(data: bytes, pos: int, count: int) -> list[int]:
        fmt, pos, cids = data[pos], pos + 1, []
        if fmt == 0:
            return [int.from_bytes(data[pos + 2 * i:pos + 2 * i + 2], "big") for i in range(count)]
        while len(cids) < count:
            first = int.from_bytes(data[pos:pos + 2], "big")
            if fmt == 1:
                left, pos = data[pos + 2], pos + 3
            elif fmt == 2:
                left, pos = int.from_bytes(data[pos + 2:pos + 4], "big"), pos + 4
            else:
                raise ValueError("charset format")
            cids.extend(range(first, first + left + 1))
        return cids[:count]

    @staticmethod
    def _fd_select(data: bytes, pos: int, count: int) -> list[int]:
        fmt = data[pos]
        if fmt == 0:
            return list(data[pos + 1:pos + 1 + count])
        if fmt != 3:
            raise ValueError("FDSelect format")
        ranges = int.from_bytes(data[pos + 1:pos + 3], "big")
        result: list[int] = []
        for r in range(ranges):
            at = pos + 3 + 3 * r
            first, fd = int.from_bytes(data[at:at + 2], "big"), data[at + 2]
            end = int.from_bytes(data[at + 3:at + 5], "big")
            result.extend([fd] * (end - first))
        return result[:count]


_ZLIB_LEVEL = 9


def _deflate_part(data: bytes) -> bytes:
    """Raw deflate blocks for ``data``, not final, ending byte-aligned (sync flush)."""
    compressor = zlib.compressobj(_ZLIB_LEVEL, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH)


class CffUnion:
    """A base subset of a face that can take the glyphs of another subset of that face.

    :meth:`merge` gives, zlib-compressed, a CFF with the base's glyphs (in the
    base's order) followed by the other subset's glyphs that the base lacks,
    with the base's FDArray and Private DICTs. The base's charstrings are
    compressed once, here; per merge only the header and the new glyphs are.
    """

    def __init__(self, data: bytes):
        self.cff = cff = _Cff(data)
        self.cid_set = frozenset(cff.cids)
        self.fd_by_name = {name: (index, private)
                           for index, (name, _, private) in enumerate(cff.fds)}
        self.body = b"".join(cff.charstrings)
        self.body_deflated = _deflate_part(self.body)

    def merge(self, other: bytes) -> bytes | None:
        """The union with the subset ``other``, compressed (zlib); None if they do not fit."""
        try:
            extra = _Cff(other)
        except (ValueError, IndexError, KeyError):
            return None
        base = self.cff
        fd_map = []
        for name, _, private in extra.fds:
            found = self.fd_by_name.get(name)
            if found is None or found[1] != private:
                fd_map.append(None)
            else:
                fd_map.append(found[0])
        new = [(cid, gid) for gid, cid in enumerate(extra.cids) if cid not in self.cid_set]
        cids = base.cids + [cid for cid, _ in new]
        fd_select = list(base.fd_select)
        for _, gid in new:
            fd = fd_map[extra.fd_select[gid]]
            if fd is None:
                return None
            fd_select.append(fd)
        new_body = b"".join(extra.charstrings[gid] for _, gid in new)
        count = len(cids)

        charset = b"\x00" + b"".join(cid.to_bytes(2, "big") for cid in cids[1:])
        runs = []
        for gid, fd in enumerate(fd_select):
            if not runs or runs[-1][1] != fd:
                runs.append((gid, fd))
        fd_select_data = (b"\x03" + len(runs).to_bytes(2, "big")
                          + b"".join(g.to_bytes(2, "big") + bytes([fd]) for g, fd in runs)
                          + count.to_bytes(2, "big"))
        total = len(self.body) + len(new_body)
        off_size = 4
        charstrings_head = count.to_bytes(2, "big") + bytes([off_size])
        offset = 1
        offsets = [offset]
        for item in base.charstrings:
            offset += len(item)
            offsets.append(offset)
        for _, gid in new:
            offset += len(extra.charstrings[gid])
            offsets.append(offset)
        assert offsets[-1] == total + 1
        charstrings_head += b"".join(o.to_bytes(off_size, "big") for o in offsets)

        def top_dict(positions: dict) -> bytes:
            out = []
            for op, raw, _ in base.top:
                out.append((_int5(positions[op]) if op in positions else raw) + _op_bytes(op))
            return b"".join(out)

        placeholder = {op: 0 for op in (_CHARSET, _CHARSTRINGS, _FDARRAY, _FDSELECT)}
        top_len = len(top_dict(placeholder))
        start = (len(base.header) + len(base.name_index)
                 + len(_write_index([b"\0" * top_len])))
        start += len(base.string_index) + len(base.gsubr_index)

        def fd_dicts(private_at: list[int]) -> list[bytes]:
            result = []
            for (_, ops, private), at in zip(base.fds, private_at):
                out = []
                for op, raw, _ in ops:
                    if op == _PRIVATE:
                        out.append(_int5(len(private)) + _int5(at) + _op_bytes(op))
                    else:
                        out.append(raw + _op_bytes(op))
                result.append(b"".join(out))
            return result

        fd_array_len = len(_write_index(fd_dicts([0] * len(base.fds))))
        fd_array_at = start
        private_at, at = [], fd_array_at + fd_array_len
        for _, _, private in base.fds:
            private_at.append(at)
            at += len(private)
        charset_at = at
        fd_select_at = charset_at + len(charset)
        charstrings_at = fd_select_at + len(fd_select_data)
        positions = {_CHARSET: charset_at, _CHARSTRINGS: charstrings_at,
                     _FDARRAY: fd_array_at, _FDSELECT: fd_select_at}
        head = b"".join([
            base.header, base.name_index, _write_index([top_dict(positions)]),
            base.string_index, base.gsubr_index, _write_index(fd_dicts(private_at)),
            b"".join(private for _, _, private in base.fds),
            charset, fd_select_data, charstrings_head])
        assert len(head) == charstrings_at + len(charstrings_head)

        checksum = zlib.adler32(head)
        checksum = zlib.adler32(self.body, checksum)
        checksum = zlib.adler32(new_body, checksum)
        tail = zlib.compressobj(_ZLIB_LEVEL, zlib.DEFLATED, -15)
        return b"".join([
            b"\x78\xda", _deflate_part(head), self.body_deflated,
            tail.compress(new_body), tail.flush(), checksum.to_bytes(4, "big")])
