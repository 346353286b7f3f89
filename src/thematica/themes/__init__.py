"""Themes: the theme tree, Braun & Clarke's phases, prevalence, exemplar quotes and the
framework matrix.

>>> project.themes.import_file("themes.yaml")
>>> project.themes.prevalence(coder="Hannah").rows[0].words
'most women'
>>> project.themes.add_quote("Like a mum would", coding=12).render()
'Like she was my mum. [Mother 1]'

Reached as ``project.themes`` (:class:`thematica.themes.themes.Themes`). Modules:
``tree`` (the tree in memory, finding a theme), ``themes`` (changes and history),
``participants`` (whose words a span is), ``prevalence`` and ``wording`` (counts and
the words for them), ``quotes`` (exemplars), ``framework`` (the matrix), ``phases``
(the phase and progress), ``links`` (keeping links when codes merge or go).

Nothing is imported here, so the codebook can import ``thematica.themes.links`` cheaply.
"""
