"""Demo data for a newcomer: Xuchang's institutes, companies, postings and 44 agreements."""
