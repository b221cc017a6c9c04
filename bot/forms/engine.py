"""The one engine that walks every form: which question is next, steps, answers, going back.

A draft is plain data (answers + where the person is), saved after every step by the caller,
so a form resumes after a restart or a week later.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.forms.fields import Answers, Context, Field, MultiChoice, PickItems
from bot.forms.media import Kept, MediaField
from bot.forms.parsing import Invalid

SUMMARY = "=summary"
# Answers filled without asking (a default, an inference, the previous application, a date's
# place): not steps the person takes. Keys with a dot are the form's own, never submitted.
FILLED = "filled.keys"


@dataclass(frozen=True)
class Form:
    name: str
    fields: tuple[Field, ...]
    # Until this holds, how many questions there are is unknown (e.g. before the kind): no
    # «step N of M» is shown.
    countable: Callable[[Answers], bool] | None = None

    def field(self, key: str) -> Field:
        for candidate in self.fields:
            if candidate.key == key:
                return candidate
        raise KeyError(key)

    def submitted(self, answers: Answers) -> dict[str, Any]:
        """The answers without the form's own bookkeeping (toggles in progress, what was filled,
        questions about the form itself)."""
        internal = {f.key for f in self.fields if not f.in_summary}
        return {k: v for k, v in answers.items() if "." not in k and k not in internal}

    def active(self, answers: Answers) -> list[Field]:
        return [f for f in self.fields if f.applies(answers)]

    def next_key(self, answers: Answers) -> str:
        """The first active question not answered yet, or the summary when all are."""
        for candidate in self.active(answers):
            if candidate.key not in answers and candidate.asked(answers):
                return candidate.key
        return SUMMARY

    def fill_defaults(self, answers: dict[str, Any]) -> None:
        for candidate in self.active(answers):
            default = candidate.default
            if candidate.key in answers or default is None or candidate.asked(answers):
                continue
            answers[candidate.key] = default(answers)
            mark_filled(answers, [candidate.key])

    def step(self, key: str, answers: Answers) -> tuple[int, int] | None:
        """«Step N of M»: M counts the questions answered and those still to ask, not what
        was filled without asking; None while M can't be known yet."""
        if self.countable is not None and not self.countable(answers):
            return None
        filled = {k for k in answers.get(FILLED, ()) if k in answers}
        keys = [f.key for f in self.active(answers)
                if f.key not in filled and (f.key in answers or f.asked(answers))]
        return (keys.index(key) + 1 if key in keys else len(keys), len(keys))


def mark_filled(answers: dict[str, Any], keys: Sequence[str]) -> None:
    answers[FILLED] = sorted({*answers.get(FILLED, ()), *keys})


@dataclass
class Draft:
    """Where a person is in a form. `history` is the questions asked, for «Back»."""

    form: str
    answers: dict[str, Any] = field(default_factory=dict)
    current: str = SUMMARY
    history: list[str] = field(default_factory=list)
    editing: bool = False  # came from the summary to change one answer
    prompt_id: int | None = None  # the bot message that asks the current question
    # The update whose answer this draft took in last: the same update again (handled anew
    # after a restart) must not be taken as the answer to the next question.
    answered_update: int | None = None
    # At the summary: the message whose answer completed the form. Every summary sent after it
    # shows these answers, so a press on any of them counts (a restart may have sent two).
    summary_after: int | None = None
    # The summary is saved but not shown yet: a restart before it went out shows it.
    summary_owed: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"form": self.form, "answers": self.answers, "current": self.current,
                "history": self.history, "editing": self.editing, "prompt_id": self.prompt_id,
                "answered_update": self.answered_update, "summary_after": self.summary_after,
                "summary_owed": self.summary_owed}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Draft:
        return cls(form=data["form"], answers=dict(data["answers"]), current=data["current"],
                   history=list(data.get("history", [])), editing=bool(data.get("editing")),
                   prompt_id=data.get("prompt_id"), answered_update=data.get("answered_update"),
                   summary_after=data.get("summary_after"),
                   summary_owed=bool(data.get("summary_owed")))


@dataclass(frozen=True)
class Outcome:
    """What an answer did: moved on, or stayed on a toggle question with a new selection."""

    moved: bool


def start(form: Form, answers: Mapping[str, Any] | None = None) -> Draft:
    draft = Draft(form=form.name, answers=dict(answers or {}))
    form.fill_defaults(draft.answers)
    draft.current = form.next_key(draft.answers)
    return draft


def answer_text(form: Form, draft: Draft, text: str, ctx: Context) -> Outcome:
    """A typed answer to the current question; raises Invalid with what is expected."""
    question = _current_field(form, draft)
    if isinstance(question, MediaField) and (
        aside := question.aside(text, draft.answers, ctx)
    ) is not None:
        draft.answers.update(aside)
        return Outcome(moved=False)
    value = question.parse(text, draft.answers, ctx)
    ahead = question.parse_ahead(text, draft.answers, ctx)
    draft.answers.update(ahead)
    mark_filled(draft.answers, list(ahead))
    if isinstance(question, MediaField):  # e.g. a video link instead of photos
        draft.answers.pop(f"{question.key}.pending", None)
        return _accept(form, draft, question, value)
    if isinstance(question, MultiChoice):
        draft.answers[f"{question.key}.pending"] = value
        return _finish_toggles(form, draft, question)
    return _accept(form, draft, question, value)


def answer_button(form: Form, draft: Draft, value: str, ctx: Context) -> Outcome:
    question = _current_field(form, draft)
    if value == "=skip" and question.optional:
        return _accept(form, draft, question, None)
    if value == "=keep" and question.key in draft.answers:
        return _accept(form, draft, question, draft.answers[question.key])
    if value == PREVIOUS_BUTTON:
        previous = previous_answer(draft, question, ctx)
        if previous is None:
            raise Invalid("use_buttons")
        return _accept(form, draft, question, previous)
    if isinstance(question, MediaField) and value == "=done":
        return _finish_media(form, draft, question)
    if isinstance(question, MultiChoice | PickItems):
        pending_key = f"{question.key}.pending"
        if value == "=done":
            return _finish_toggles(form, draft, question)
        chosen: list[Any] = list(draft.answers.get(pending_key, []))
        item: Any = int(value) if isinstance(question, PickItems) else value
        if isinstance(question, PickItems):
            if not 0 <= item < len(draft.answers.get(question.source, [])):
                raise Invalid("use_buttons")
        elif item not in question.options:
            raise Invalid("use_buttons")
        if item in chosen:
            chosen.remove(item)
        else:
            chosen.append(item)
        draft.answers[pending_key] = chosen
        return Outcome(moved=False)
    return _accept(form, draft, question, question.pick(value, draft.answers, ctx))


def expects_file(form: Form, draft: Draft) -> bool:
    """Whether a file is taken now: by the question asked, or at the summary by an answer
    that takes more (scans)."""
    if draft.current == SUMMARY:
        return _taking_more(form, draft) is not None
    return isinstance(form.field(draft.current), MediaField)


def answer_file(form: Form, draft: Draft, kept: Kept) -> None:
    """A file for the current question; it stays open until «Done», unless the file completes
    it (the last photo of a checklist): then the form goes on by itself, and the next photo of
    the same album is the next question's (a scan). A file the question passes on (a scan
    among the photos) waits in its own question; at the summary, a file adds to the answer
    that takes more."""
    if draft.current == SUMMARY and (more := _taking_more(form, draft)) is not None:
        draft.answers[more.key] = more.add(draft.answers[more.key], kept)
        return
    question = _current_field(form, draft)
    if not isinstance(question, MediaField):
        raise Invalid("file_not_expected")
    target = question
    if question.passes_on(draft.answers, kept):
        overflow = form.field(question.overflow)
        if isinstance(overflow, MediaField) and overflow.applies(draft.answers):
            target = overflow
    if target is not question and target.takes_more and target.key in draft.answers:
        # The photos asked again from the summary: a scan among them joins the scans sent.
        draft.answers[target.key] = target.add(draft.answers[target.key], kept)
        return
    draft.answers[f"{target.key}.pending"] = target.take(draft.answers, kept)
    _finish_if_complete(form, draft)


def _finish_if_complete(form: Form, draft: Draft) -> None:
    """The question asked now is answered by files already in (a scan that came among the
    photos): the form goes on."""
    if draft.current == SUMMARY:
        return
    current = form.field(draft.current)
    if isinstance(current, MediaField) and current.complete(draft.answers):
        _finish_media(form, draft, current)


def _taking_more(form: Form, draft: Draft) -> MediaField | None:
    for question in form.active(draft.answers):
        if isinstance(question, MediaField) and question.takes_more \
                and question.key in draft.answers:
            return question
    return None


def _finish_media(form: Form, draft: Draft, question: MediaField) -> Outcome:
    finished = question.finish(draft.answers)
    draft.answers.pop(f"{question.key}.pending", None)
    return _accept(form, draft, question, finished)


def back(form: Form, draft: Draft) -> None:
    """Return to the question asked before this one; its old answer is offered to keep."""
    if draft.editing:
        draft.editing = False
        draft.current = SUMMARY
        return
    while draft.history:
        previous = draft.history.pop()
        if form.field(previous).applies(draft.answers):
            draft.current = previous
            return


def edit(form: Form, draft: Draft, key: str) -> None:
    """From the summary, ask one question again; answering it returns to the summary."""
    question = form.field(key)
    if not question.applies(draft.answers):
        raise Invalid("use_buttons")
    draft.current = key
    draft.editing = True


def refresh(form: Form, draft: Draft) -> None:
    """After answers changed outside the engine (a hook): drop what no longer applies, fill
    defaults, and move to the first open question if the current one is gone or answered."""
    active = {f.key for f in form.active(draft.answers)}
    for stale in [k for k in draft.answers if k in {f.key for f in form.fields} - active]:
        del draft.answers[stale]
    form.fill_defaults(draft.answers)
    if draft.current not in active or draft.current in draft.answers:
        draft.current = form.next_key(draft.answers)


def summary_fields(form: Form, draft: Draft) -> Sequence[Field]:
    return [f for f in form.active(draft.answers) if f.key in draft.answers and f.in_summary]


PREVIOUS = "previous.answers"  # the company's answers last time, offered again
PREVIOUS_BUTTON = "=previous"


def previous_answer(draft: Draft, question: Field, ctx: Context) -> Any:
    """The company's previous answer to this question, if it may be given again now (a choice
    the calendar rules out now is not offered)."""
    value = draft.answers.get(PREVIOUS, {}).get(question.key)
    if value is None or not question.still_valid(value, draft.answers, ctx):
        return None
    return value


def _current_field(form: Form, draft: Draft) -> Field:
    if draft.current == SUMMARY:
        raise Invalid("use_buttons")
    return form.field(draft.current)


def _finish_toggles(form: Form, draft: Draft, question: Field) -> Outcome:
    chosen = draft.answers.pop(f"{question.key}.pending", [])
    if not chosen and not question.optional:
        draft.answers[f"{question.key}.pending"] = chosen
        raise Invalid("choose_at_least_one")
    return _accept(form, draft, question, chosen)


def _accept(form: Form, draft: Draft, question: Field, value: Any) -> Outcome:
    draft.answers[question.key] = value
    if question.key in draft.answers.get(FILLED, ()):  # the person's own answer now
        draft.answers[FILLED] = [k for k in draft.answers[FILLED] if k != question.key]
    if draft.editing:
        draft.editing = False  # back to the summary, unless the change opened a new question
    else:
        draft.history.append(question.key)
    draft.current = question.key
    # Answers to questions that no longer apply (a changed kind, topic…) are dropped.
    refresh(form, draft)
    _finish_if_complete(form, draft)
    return Outcome(moved=True)
