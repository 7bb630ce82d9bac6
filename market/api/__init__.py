"""JSON API v1: postings, matches, 对接 and agreements for programs, with per-user tokens.

`views` serves `/api/v1` (token auth only, no cookies, no CSRF); `tokens` serves the account
page where people create and revoke their tokens; `openapi` describes the API.
"""
