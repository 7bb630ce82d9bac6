"""The bureau's synonym groups, added to the shipped thesaurus at matching time."""
