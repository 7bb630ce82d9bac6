"""Posting freshness: expiry reminders, one-click reconfirmation and archiving of expired postings."""
