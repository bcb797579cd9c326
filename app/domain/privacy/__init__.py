"""Every rule that keeps a report from singling anyone out, in one place.

- cells: a figure of fewer than k people is hidden, and complements are hidden with it so that
  no total less the shown figures gives it back (one table of groups).
- families: figures tied by arithmetic (a criterion's score and its questions) hide together.
- releases: what a reader may obtain over time; a later release of a round never shows a
  figure that differs from an earlier release's by the answers of 1 to k-1 people.
- exposure: what a reader can obtain from a made report: the views the release rule judges,
  and which groups' responses and which of their answers the responses export may give.

The rules take plain maps (group key -> count, figure -> groups); cells, families and releases
import nothing of the report they protect, so the report (app.domain.report) can call them
without a cycle; exposure reads the typed report (app.domain.report_model).
"""
