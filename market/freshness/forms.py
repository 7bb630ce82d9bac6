"""Reconfirmation forms: CSRF-protected POSTs, so no GET ever changes a posting."""

from flask_wtf import FlaskForm
from wtforms import HiddenField


class ConfirmLinkForm(FlaskForm):
    token = HiddenField()  # the signed token from the reminder's link


class StillValidForm(FlaskForm):
    """The owner's “确认仍然有效” button: nothing but the CSRF token."""
