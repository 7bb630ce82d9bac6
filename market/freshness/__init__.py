"""Posting freshness: expiry reminders, one-click reconfirmation, archiving the expired."""
