"""Shared form plumbing: copy a service's field errors onto a WTForms form."""

from __future__ import annotations

from flask import flash
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from market.errors import DomainError


def show_domain_error(form: FlaskForm, error: DomainError) -> None:
    """Put each field's message under its field, and the summary at the top of the page."""
    for name, message in error.errors.items():
        field = getattr(form, name, None)
        if field is not None and message:
            field.errors = [*field.errors, message] if isinstance(field.errors, list) else [message]
    flash(error.message, "danger")


def options(pairs) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(str(value), label) for value, label in pairs]
