"""Coding: the codebook, coders, codings, memos and segment retrieval."""
