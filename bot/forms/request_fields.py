"""Field types the request forms add: toggles answered by buttons only, a checklist that must be
complete, and one file (a banner, a logo, a presentation) where a later one replaces the first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.forms.fields import Answers, Context, MultiChoice
from bot.forms.media import Documents, Kept
from bot.forms.parsing import Invalid


@dataclass(frozen=True)
class Toggles(MultiChoice):
    """A MultiChoice without free-text items: only the listed options make sense."""

    def parse(self, text: str, answers: Answers, ctx: Context) -> Any:
        raise Invalid("use_buttons")

    @property
    def accepts_text(self) -> bool:
        return False


@dataclass(frozen=True)
class Checklist(Toggles):
    """Every item must be ticked: `missing` names the rest (the flow's notes hook sends the
    person back to the question while any is left — the engine itself only wants one tick)."""

    def missing(self, chosen: list[str]) -> list[str]:
        return [o for o in self.options if o not in chosen]

    def show(self, value: Any, ctx: Context) -> str:
        if not self.missing(list(value)):
            return ctx.t("requests.all_ticked", count=len(self.options))
        return super().show(value, ctx)


@dataclass(frozen=True)
class OneFile(Documents):
    """A single file; sending another replaces it (the latest counts)."""

    max_files: int = 1
    missing_reason: str = "request.file_missing"
    # The MIME types it may have (a photo is a JPEG); the flow checks them on «Done», since the
    # engine sees only our file id. Empty: any file kept.
    accepts: tuple[str, ...] = ()

    def take(self, answers: Answers, kept: Kept) -> Any:
        return [kept.file_id]

    def finish(self, answers: Answers) -> Any:
        files = self.pending(answers)
        if not files and not self.optional:
            raise Invalid(self.missing_reason)
        return files
