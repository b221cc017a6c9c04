"""Fields answered with files: photos by required category, and accounting documents.

The handler keeps each file first (downloads it, stores it, dedupes it) and hands the engine
our own file id; the engine only records which answer the file belongs to.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.forms import parsing
from bot.forms.fields import Answers, Button, Context, Field
from bot.forms.parsing import Invalid


@dataclass(frozen=True, slots=True)
class Kept:
    """A file the person sent, already stored: our id, and whether it came as a photo."""

    file_id: int
    photo: bool


@dataclass(frozen=True)
class MediaField(Field):
    """Collects files while the question is open; «Done» (or a typed link) answers it."""

    columns: int = 1

    def pending(self, answers: Answers) -> Any:
        raise NotImplementedError

    def take(self, answers: Answers, kept: Kept) -> Any:
        """The pending value with this file added; raises Invalid if it can't be taken."""
        raise NotImplementedError

    def finish(self, answers: Answers) -> Any:
        """The answer when «Done» is pressed; raises Invalid while something is missing."""
        raise NotImplementedError

    def complete(self, answers: Answers) -> bool:
        """Whether the files so far answer the question with no «Done» needed."""
        return False

    def buttons(self, answers: Answers, ctx: Context) -> Sequence[Button]:
        return [Button("forms.common.done", "=done")]


@dataclass(frozen=True)
class PhotoChecklist(MediaField):
    """Photos by category, filled in the order asked; a video link may stand in for them all."""

    categories: Callable[[Answers], tuple[str, ...]] = lambda answers: ()
    labels: str = ""

    def pending(self, answers: Answers) -> dict[str, Any]:
        return dict(answers.get(f"{self.key}.pending") or {"photos": {}, "video": None})

    def missing(self, answers: Answers) -> list[str]:
        filled = self.pending(answers)["photos"]
        return [c for c in self.categories(answers) if c not in filled]

    def complete(self, answers: Answers) -> bool:
        return not self.missing(answers)

    def take(self, answers: Answers, kept: Kept) -> Any:
        if not kept.photo:
            raise Invalid("photo_expected")
        value = self.pending(answers)
        missing = self.missing(answers)
        if not missing:
            raise Invalid("photos_complete")
        value["photos"] = {**value["photos"], missing[0]: kept.file_id}
        return value

    def parse(self, text: str, answers: Answers, ctx: Context) -> Any:
        """A video link instead of photos."""
        return {**self.pending(answers), "video": parsing.parse_url(text)}

    def finish(self, answers: Answers) -> Any:
        value = self.pending(answers)
        if value["video"] is None and self.missing(answers):
            raise Invalid("photos_missing", {"count": len(self.missing(answers))})
        return value

    def hint(self, answers: Answers, ctx: Context) -> str:
        filled = self.pending(answers)["photos"]
        categories = self.categories(answers)
        marks = " ".join(("✅ " if c in filled else "⬜ ") + ctx.t(f"{self.labels}.{c}")
                         for c in categories)
        return ctx.t("forms.media.checklist", done=len(filled), total=len(categories),
                     marks=marks)

    def show(self, value: Any, ctx: Context) -> str:
        parts = [ctx.t("forms.media.photos", count=len(value["photos"]))]
        if value.get("video"):
            parts.append(value["video"])
        return ", ".join(parts)


@dataclass(frozen=True)
class Documents(MediaField):
    """Scans of accounting documents: photos or PDFs, any number up to a limit."""

    max_files: int = 30

    def pending(self, answers: Answers) -> list[int]:
        return list(answers.get(f"{self.key}.pending") or [])

    def take(self, answers: Answers, kept: Kept) -> Any:
        files = self.pending(answers)
        if len(files) >= self.max_files:
            raise Invalid("too_many_files", {"max": self.max_files})
        return [*files, kept.file_id]

    def finish(self, answers: Answers) -> Any:
        files = self.pending(answers)
        if not files and not self.optional:
            raise Invalid("documents_missing")
        return files

    @property
    def accepts_text(self) -> bool:
        return False

    def hint(self, answers: Answers, ctx: Context) -> str:
        return ctx.t("forms.media.received", count=len(self.pending(answers)))

    def show(self, value: Any, ctx: Context) -> str:
        return ctx.t("forms.media.documents", count=len(value or []))
