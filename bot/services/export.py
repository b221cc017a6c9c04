"""The program's records for a period as tables: partners, applications, decisions, reports,
ledger — for /export (XLSX) and `partnerdesk export` (XLSX or one CSV per sheet).

Listener contact lists are personal data and are never exported: the `listener_lists` table
and its files are not read here, and only the counts from reports appear.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from bot import private_files
from bot.services.stats import Period, read_only_connections
from bot.storage.database import Database

# Characters XML (and so XLSX) cannot hold.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(frozen=True, slots=True)
class Sheet:
    name: str
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]


# name → (columns, SQL with ?1 = the first day, ?2 = the day after the last)
_QUERIES: dict[str, tuple[tuple[str, ...], str]] = {
    "partners": (
        ("id", "code", "company", "city", "status", "suspended_at", "suspended_reason",
         "created_at"),
        "SELECT id, code, company, city, status, suspended_at, suspended_reason, created_at"
        " FROM partners ORDER BY id",
    ),
    "applications": (
        ("id", "partner_code", "kind", "title", "event_date", "status", "role", "version",
         "program", "planned_listeners", "submitted_at", "updated_at"),
        "SELECT a.id, p.code, a.kind, a.title, a.event_date, a.status, a.role, a.version,"
        " json_extract(a.answers, '$.program'), json_extract(a.answers, '$.planned_listeners'),"
        " a.submitted_at, a.updated_at"
        " FROM applications AS a JOIN partners AS p ON p.id = a.partner_id"
        " WHERE a.submitted_at >= ?1 AND a.submitted_at < ?2 ORDER BY a.id",
    ),
    "decisions": (
        ("id", "application_id", "version", "action", "manager_id", "reason", "points",
         "compensation_kopecks", "decided_at"),
        "SELECT id, application_id, version, action, manager_id, reason, points, compensation,"
        " decided_at FROM decisions WHERE decided_at >= ?1 AND decided_at < ?2 ORDER BY id",
    ),
    "reports": (
        ("id", "application_id", "partner_code", "status", "version", "late", "registrations",
         "listeners", "points", "compensation_kopecks", "submitted_at", "decided_at"),
        "SELECT r.id, r.application_id, p.code, r.status, r.version, r.late,"
        " json_extract(r.answers, '$.registrations'), json_extract(r.answers, '$.listeners'),"
        " r.points, r.compensation, r.submitted_at, r.decided_at"
        " FROM reports AS r JOIN partners AS p ON p.id = r.partner_id"
        " WHERE r.submitted_at >= ?1 AND r.submitted_at < ?2 ORDER BY r.id",
    ),
    "ledger": (
        ("id", "key", "partner_code", "account", "program", "kind", "amount", "lot_id",
         "credited_on", "expires_on", "report_id", "reason", "created_at"),
        "SELECT l.id, l.key, p.code, l.account, l.program, l.kind, l.amount, l.lot_id,"
        " l.credited_on, l.expires_on, l.report_id, l.reason, l.created_at"
        " FROM ledger AS l JOIN partners AS p ON p.id = l.partner_id"
        " WHERE l.created_at >= ?1 AND l.created_at < ?2 ORDER BY l.id",
    ),
}
SHEETS = tuple(_QUERIES)


async def collect(db: Database, period: Period) -> list[Sheet]:
    """Every sheet's rows for the period (partners: all of them), read through a read-only
    connection of its own: the bot's connection stays free for everyone else meanwhile."""
    params = (period.start.isoformat(), period.after_end.isoformat())
    sheets: list[Sheet] = []
    async with read_only_connections(db, 1) as (conn,):
        for name, (columns, sql) in _QUERIES.items():
            async with conn.execute(sql, params if "?1" in sql else ()) as cursor:
                rows = [tuple(row) for row in await cursor.fetchall()]
            sheets.append(Sheet(name, columns, rows))
    return sheets


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        return _ILLEGAL.sub("", value)
    return value


def write_xlsx(sheets: Sequence[Sheet], target: Path | IO[bytes]) -> None:
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
    from openpyxl.styles import Font  # type: ignore[import-untyped]

    book = Workbook(write_only=True)
    bold = Font(bold=True)
    for sheet in sheets:
        page = book.create_sheet(sheet.name)
        page.freeze_panes = "A2"
        header = []
        for column in sheet.columns:
            cell = WriteOnlyCell(page, value=column)
            cell.font = bold
            header.append(cell)
        page.append(header)
        for row in sheet.rows:
            cells = []
            for value in row:
                cell = WriteOnlyCell(page, value=_cell(value))
                if isinstance(value, str) and value.startswith("="):
                    cell.data_type = "s"  # a partner's text is never a formula
                cells.append(cell)
            page.append(cells)
    if isinstance(target, Path):
        private_files.make_dirs(target.parent)
        with private_files.open_private(target) as file:
            book.save(file)
    else:
        book.save(target)


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(sheets, buffer)
    return buffer.getvalue()


def write_csv(sheets: Sequence[Sheet], folder: Path) -> list[Path]:
    """One UTF-8 CSV per sheet (with a BOM, so spreadsheet programs read Cyrillic)."""
    private_files.make_dirs(folder)
    written: list[Path] = []
    for sheet in sheets:
        path = folder / f"{sheet.name}.csv"
        with private_files.open_private(path, "w", encoding="utf-8-sig", newline="") as file:
            writer = csv.writer(file)
            writer.writerow(sheet.columns)
            writer.writerows(sheet.rows)
        written.append(path)
    return written
