"""Reports for the Results section: the demographics table ("Table 1") and its renderers.

>>> from thematica.report.table1 import demographics, read_spec
>>> table = demographics(project, read_spec("table1.toml"))
>>> print(table.to_markdown())

Nothing here is imported by ``import thematica``; python-docx loads only for Word output.
"""
