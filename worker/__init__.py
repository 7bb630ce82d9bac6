"""Celery workers: indexing (one writer), matching, notifications and the agreement ledger."""
