"""What the working-hours and time-off editors share: they are plain functions of a
submitted form, so every surface that shows them (the staff admin, an embeddable admin
widget) reads, edits and saves them the same way and renders the same partials
(``templates/admin/rules/_time_editor.html`` and ``_off_editor.html``).

A form carries its whole state. Its editing buttons (``op``: add or remove a period, copy a
day's hours, add or remove a row) come back re-rendered with the change and nothing saved;
only ``save`` (or no ``op``) saves. Nothing here reads the request or ``g``: callers pass the
form, the organization and the resource, and commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from werkzeug.datastructures import MultiDict

MAX_FIELD = 40
CHECKED = frozenset({"1", "on", "true", "yes"})


@dataclass
class EditorResult:
    """What a submitted editor comes to: the values to show again, the problems (422 when
    any) and whether the rules were saved (the caller then commits and moves on)."""

    values: dict
    errors: dict[str, str] = field(default_factory=dict)
    saved: bool = False

    @property
    def status(self) -> int:
        return 422 if self.errors else 200


def form_text(form: MultiDict, name: str, limit: int = MAX_FIELD) -> str:
    return (form.get(name) or "").strip()[:limit]


def form_count(form: MultiDict, name: str, maximum: int) -> int:
    try:
        return max(0, min(int(form.get(name) or 0), maximum))
    except ValueError:
        return 0


def as_index(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() else None


def read_op(form: MultiDict) -> str:
    """The button that sent the form: ``save`` unless an editing button did."""
    return (form.get("op") or "save").strip()[:MAX_FIELD] or "save"
