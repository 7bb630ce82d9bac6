"""Import postings from CSV, XLSX and JSONL files, and export any list of postings again.

`columns` names the columns (Chinese and English headers), `readers` turns a file into rows,
`services` checks and imports them all or none, `exporters` writes what a viewer may see.
"""
