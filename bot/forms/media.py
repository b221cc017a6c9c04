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
    """A file the person sent, already stored: our id, whether it came as a photo, and the
    caption typed under it."""

    file_id: int
    photo: bool
    caption: str = ""


@dataclass(frozen=True)
class MediaField(Field):
    """Collects files while the question is open; «Done» (or a typed link) answers it."""

    columns: int = 1
    # The question that takes the files this one passes on (a scan among the report's photos).
    overflow: str = ""

    def pending(self, answers: Answers) -> Any:
        raise NotImplementedError

    def passes_on(self, answers: Answers, kept: Kept) -> bool:
        """Whether this file is for the `overflow` question rather than this one."""
        return False

    def aside(self, text: str, answers: Answers, ctx: Context) -> dict[str, Any] | None:
        """Answers to other questions typed while this one waits for files (it stays open);
        None when the text is this question's answer."""
        return None

    @property
    def takes_more(self) -> bool:
        """Whether files sent at the summary are added to this answer."""
        return False

    def add(self, value: Any, kept: Kept) -> Any:
        """The answer with one more file sent at the summary."""
        raise Invalid("file_not_expected")

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
    named: Callable[[str], str | None] = lambda caption: None  # the category a caption names
    is_scan: Callable[[str], bool] = lambda caption: False  # a caption saying «receipt», «act»

    def pending(self, answers: Answers) -> dict[str, Any]:
        return dict(answers.get(f"{self.key}.pending") or {"photos": {}, "video": None})

    def missing(self, answers: Answers) -> list[str]:
        filled = self.pending(answers)["photos"]
        return [c for c in self.categories(answers) if c not in filled]

    def complete(self, answers: Answers) -> bool:
        return not self.missing(answers)

    def passes_on(self, answers: Answers, kept: Kept) -> bool:
        return bool(self.overflow) and (not kept.photo or self.is_scan(kept.caption))

    def take(self, answers: Answers, kept: Kept) -> Any:
        """The photo goes to the category its caption names (one there before moves to the
        first missing), else to the first missing one."""
        if not kept.photo:
            raise Invalid("photo_expected")
        value = self.pending(answers)
        missing = self.missing(answers)
        named = self.named(kept.caption) if kept.caption else None
        if named not in self.categories(answers):
            if not missing:
                raise Invalid("photos_complete")
            named = missing[0]
        by_category = dict(value["photos"])
        displaced = by_category.get(named)
        by_category[named] = kept.file_id
        still = [c for c in self.categories(answers) if c not in by_category]
        if displaced is not None and still:
            by_category[still[0]] = displaced
        arrival = [*value["photos"].values(), kept.file_id]
        value["photos"] = in_order(by_category, arrival)
        return value

    def reassigned(self, value: Any, answers: Answers, index: int) -> Any:
        """The answer with photo `index` (in the order sent) given the next category; the
        photo that had it takes the old one (a swap)."""
        categories = self.categories(answers)
        photos: dict[str, int] = dict(value["photos"])
        arrival = list(photos.values())
        if not 0 <= index < len(arrival) or len(categories) < 2:
            raise Invalid("use_buttons")
        file_id = arrival[index]
        old = next(c for c, f in photos.items() if f == file_id)
        new = categories[(categories.index(old) + 1) % len(categories)]
        holder = photos.get(new)
        photos[new] = file_id
        if holder is None:
            del photos[old]
        else:
            photos[old] = holder
        return {**value, "photos": in_order(photos, arrival)}

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
        """«1 — registration, 2 — the hall…»: the photos by the order they were sent."""
        parts = [", ".join(f"{n} — {ctx.t(f'{self.labels}.{category}')}"
                           for n, category in enumerate(value["photos"], start=1))]
        if value.get("video"):
            parts.append(value["video"])
        return ", ".join(parts)


@dataclass(frozen=True)
class Documents(MediaField):
    """Scans of accounting documents: photos or PDFs, any number up to a limit."""

    max_files: int = 30
    # The first file answers the question, with no «Done»; more may follow at the summary.
    first_completes: bool = False

    def pending(self, answers: Answers) -> list[int]:
        return list(answers.get(f"{self.key}.pending") or [])

    def take(self, answers: Answers, kept: Kept) -> Any:
        return self.add(self.pending(answers), kept)

    def add(self, value: Any, kept: Kept) -> Any:
        files = list(value or [])
        if len(files) >= self.max_files:
            raise Invalid("too_many_files", {"max": self.max_files})
        return [*files, kept.file_id]

    def complete(self, answers: Answers) -> bool:
        return self.first_completes and bool(self.pending(answers))

    @property
    def takes_more(self) -> bool:
        return self.first_completes

    def buttons(self, answers: Answers, ctx: Context) -> Sequence[Button]:
        return [] if self.first_completes else super().buttons(answers, ctx)

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


def in_order(by_category: dict[str, int], arrival: list[int]) -> dict[str, int]:
    """Category → photo, listed in the order the photos were sent."""
    return dict(sorted(by_category.items(), key=lambda item: arrival.index(item[1])))
