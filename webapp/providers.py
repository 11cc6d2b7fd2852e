"""Pluggable providers named by a setting: the text messages' (``SMS_PROVIDER``), the push
messages' (``PUSH_PROVIDER``) and the card payments' (``PAYMENT_PROVIDER``).

A setting names one of the built-in providers (``"log"``, ``"sandbox"``) or an import path
``"package.module:name"`` of a class or factory called with no arguments. The provider is
made once per app, on first use; a bad setting raises there."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import TypeVar

from flask import Flask

T = TypeVar("T")


def configured_provider(
    app: Flask,
    setting: str,
    built_in: Mapping[str, Callable[[], T]],
    default: str,
    spec: str | None = None,
) -> T:
    """The provider ``spec`` (by default ``app.config[setting]``, else ``default``) names."""
    spec = spec or app.config.get(setting) or default
    key = f"mawid_provider:{setting}"
    made = app.extensions.setdefault(key, {})
    if spec not in made:
        factory = built_in.get(spec) or _imported(setting, spec, built_in)
        made[spec] = factory()
    return made[spec]


def _imported(setting: str, spec: str, built_in: Mapping) -> Callable:
    module_name, _, name = spec.partition(":")
    if not module_name or not name:
        names = " or ".join(f"'{n}'" for n in built_in)
        raise ValueError(f"{setting} must be {names} or 'package.module:name', not {spec!r}")
    return getattr(importlib.import_module(module_name), name)
