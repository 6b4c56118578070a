"""Small portable SQL helpers for the statistics queries."""

from django.db.models import Func, IntegerField


class DayNumber(Func):
    """A date as whole days since 1970-01-01, so sums of dates (for mean ages) stay portable."""

    output_field = IntegerField()
    arity = 1

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) - 2440587.5 AS INTEGER)",
            **extra,
        )

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler, connection, template="(%(expressions)s - DATE '1970-01-01')", **extra
        )
