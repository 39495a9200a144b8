"""Documents for people: the annual evaluation report (Word, PDF) and the acceptance dossier.

:mod:`model` is the document as plain data (sections of paragraphs, tables and figures);
:mod:`nearzero.services.report` fills it from every capability; :mod:`word`, :mod:`pdf`,
:mod:`charts`, :mod:`workbook` and :mod:`dossier` turn it into files. Builders report
progress through a ``progress(step, fraction)`` callback.
"""
