"""Queries: asking the coded data questions. Reached as ``project.query`` and
``project.sets`` (see :mod:`thematica.query.queries`).

``filters`` (and ``where``, the participant-attribute language) say what a query looks
at; ``coding`` finds where codes meet; ``matrix`` counts codes by participants,
attribute values or codes; ``search`` finds words in the text; ``sets`` and ``saved``
keep groups and queries in the project; ``export`` writes results. ``parsing``,
``places``, ``passages``, ``named`` and ``fold`` are what they share.
"""
