"""Relevance feedback: members mark a listed match 相关 or 不相关."""
