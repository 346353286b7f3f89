"""The team server's core: accounts, roles and permissions, log-in sessions, the log-in
rate limit, and what a blind coder may see.

>>> from thematica.team import accounts, sessions
>>> accounts.add_user(project, "Dev", "a long passphrase", role="coder")
>>> token, session = sessions.start(project, accounts.authenticate(project, "Dev", "..."))

Accounts, grants and sessions live in the project's own database (tables ``team_*``).
Nothing here knows of the web: :mod:`thematica.web.team` and ``thematica admin`` are
its faces. See docs/team.md.
"""
