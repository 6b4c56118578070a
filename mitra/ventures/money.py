"""Rupiah the Indonesian way, whatever the page's language: `Rp 5.000.000` (whole rupiah, dots
group the thousands), so that a figure reads the same on a page, in a report and in an export."""

from decimal import Decimal


def rupiah(value) -> str:
    if value is None or value == "":
        return "—"
    amount = int(Decimal(value))
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp {abs(amount):,}".replace(",", ".")
