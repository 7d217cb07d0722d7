"""Read queries the public pages need, each loading its related rows up front.

Grouping, table-of-contents and footnote numbering happen here, in Python, not in templates.
"""
