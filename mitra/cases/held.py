"""Rows their caller read under a row lock (select_for_update) in the running transaction, and
changes only through the services: what the instance holds is what is stored, until that
transaction ends. The sync's batch holds the cases its entries name (ADR 0028); the services
then skip reading again what such an instance already tells (mitra/cases/follow_ups.py,
`services._bump`). Nothing else marks a row held: a page's or the API's rows are read as before.
"""

_HELD = "_mitra_held"


def hold(row):
    setattr(row, _HELD, True)
    return row


def held(row) -> bool:
    return getattr(row, _HELD, False)
