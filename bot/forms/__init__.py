"""Declarative forms (fields, parsing, which kinds ask what) walked by one generic engine."""
