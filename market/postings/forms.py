"""Posting forms, built from the field declarations: forms parse types; services validate."""

from __future__ import annotations

from datetime import timedelta
from functools import cache

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.widgets import CheckboxInput, ListWidget

from market.forms import options
from market.postings.fields import KIND_FIELD_SPECS, VISIBILITY_LABELS, Field
from market.postings.models import PostingKind
from market.timeutil import today


def default_valid_until():
    return (today() + timedelta(days=180)).isoformat()


def _labelled(field: Field) -> list[tuple[str, str]]:
    labels = VISIBILITY_LABELS if field.name == "visibility" else {}
    return [(value, labels.get(value, value)) for value in field.options]


def _form_field(field: Field):
    label, description = field.label, field.hint or ""
    if field.input == "textarea":
        return TextAreaField(label, description=description)
    if field.input == "select":
        blank = [] if field.name == "visibility" else [("", _l("请选择"))]
        return SelectField(label, choices=options(blank + _labelled(field)), validate_choice=False)
    if field.input == "checkboxes":
        return SelectMultipleField(
            label,
            choices=options(_labelled(field)),
            validate_choice=False,
            widget=ListWidget(prefix_label=False),
            option_widget=CheckboxInput(),
        )
    render = {"date": {"type": "date"}, "number": {"type": "number", "min": 1}}.get(field.input)
    default = default_valid_until if field.name == "valid_until" else None
    return StringField(label, description=description, render_kw=render, default=default)


@cache
def posting_form_class(kind: PostingKind) -> type[FlaskForm]:
    """A form class with one input per declared field of this kind, in declaration order."""
    attributes = {spec.name: _form_field(spec) for spec in KIND_FIELD_SPECS[kind]}
    return type(f"{kind.value.title()}Form", (FlaskForm,), attributes)


def form_data(form: FlaskForm) -> dict:
    """What the person submitted, keyed by field name (the CSRF token left out)."""
    return {name: value for name, value in form.data.items() if name != "csrf_token"}
