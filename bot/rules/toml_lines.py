"""Where a key of a TOML document stands, so a schema error can name the line at fault.

tomllib gives values without positions; this scanner maps key paths (as pydantic reports them:
table names, keys, array indices) to 1-based line numbers. It understands what a rulebook uses:
tables, arrays of tables, dotted keys, and arrays (one element per line or all on one line).
"""

from collections.abc import Sequence

Path = tuple[str | int, ...]


def _split_key(raw: str) -> tuple[str, ...]:
    parts: list[str] = []
    current: list[str] = []
    quote = ""
    for char in raw:
        if quote:
            if char == quote:
                quote = ""
            else:
                current.append(char)
        elif char in "\"'":
            quote = char
        elif char == ".":
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    parts.append("".join(current).strip())
    return tuple(parts)


def _key_and_value(line: str) -> tuple[str, str] | None:
    quote = ""
    for index, char in enumerate(line):
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "=":
            return line[:index], line[index + 1 :]
        elif char == "#":
            return None
    return None


class _ArrayScan:
    """Follows one array value across lines, recording the line where each element starts."""

    def __init__(self, path: Path, found: dict[Path, int]) -> None:
        self.path = path
        self.found = found
        self.depth = 0
        self.elements = 0
        self.expect_element = False
        self.quote = ""

    def feed(self, text: str, line_no: int) -> bool:
        """Scan more of the value; True while the array is still open."""
        escaped = False
        for char in text:
            if self.quote:
                if escaped:
                    escaped = False
                elif char == "\\" and self.quote == '"':
                    escaped = True
                elif char == self.quote:
                    self.quote = ""
                continue
            if char == "#":
                break
            if char.isspace():
                continue
            if self.depth == 1 and self.expect_element and char not in ",]":
                self.found.setdefault((*self.path, self.elements), line_no)
                self.elements += 1
                self.expect_element = False
            if char in "\"'":
                self.quote = char
            elif char in "[{":
                self.depth += 1
                if self.depth == 1:
                    self.expect_element = True
            elif char in "]}":
                self.depth -= 1
                if self.depth == 0:
                    return False
            elif char == "," and self.depth == 1:
                self.expect_element = True
        return self.depth > 0


def key_lines(text: str) -> dict[Path, int]:
    found: dict[Path, int] = {}
    table: Path = ()
    array_counts: dict[tuple[str, ...], int] = {}
    open_array: _ArrayScan | None = None
    for line_no, line in enumerate(text.splitlines(), start=1):
        if open_array is not None:
            if not open_array.feed(line, line_no):
                open_array = None
            continue
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("[["):
            name = _split_key(stripped[2 : stripped.find("]]")])
            index = array_counts.get(name, -1) + 1
            array_counts[name] = index
            table = (*name, index)
            found.setdefault(name, line_no)
            found.setdefault(table, line_no)
        elif stripped.startswith("["):
            table = _split_key(stripped[1 : stripped.find("]")])
            found.setdefault(table, line_no)
        else:
            pair = _key_and_value(stripped)
            if pair is None:
                continue
            path = (*table, *_split_key(pair[0]))
            found.setdefault(path, line_no)
            value = pair[1].lstrip()
            if value.startswith("["):
                scan = _ArrayScan(path, found)
                if scan.feed(value, line_no):
                    open_array = scan
    return found


def line_of(found: dict[Path, int], loc: Sequence[str | int]) -> int | None:
    """The line of the longest prefix of `loc` that the document spells out."""
    for end in range(len(loc), 0, -1):
        line = found.get(tuple(loc[:end]))
        if line is not None:
            return line
    return None
