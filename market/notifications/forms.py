"""Notification forms: CSRF-protected POSTs (the settings page, the unsubscribe button)."""

from flask_wtf import FlaskForm


class SettingsForm(FlaskForm):
    """The settings page; its selects are read by preferences.parse_settings (one per
    category and channel), so one rule decides what is valid for the page and the service."""


class UnsubscribeForm(FlaskForm):
    """The unsubscribe button; the signed token in the URL says who and what."""
