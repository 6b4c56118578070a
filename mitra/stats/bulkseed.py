"""Set-based generator of a large synthetic field-work dataset, for benchmarks and load tests.

    build(provinces=None | ["33"], workers_per_village=5, ...) -> dict of row counts

The database makes the rows itself (INSERT ... SELECT over a number series: generate_series on
PostgreSQL, a recursive CTE on SQLite), copying every column it does not vary from one template row
made through the ORM (so encrypted fields, defaults and the like are valid), as bench/caseload.py
does. Nothing goes through Model.save(): no change history, no signals; build the rollups afterwards
(`mitra refresh-stats --full`).

Distributions are deterministic functions of the row number (multiplicative hashing), not random:
two builds of one scale are identical. Workers are spread unevenly (some villages get none), 80% are
PSM, 85% active, 60% women; beneficiaries and cases are spread over five years up to today, each
case with one or two PMKS categories, ten interventions, a referral for every fourth case; activity
reports over the same five years, four in five verified.
"""

# The SQL here is built from model metadata and integers only, never from input.
# ruff: noqa: S608
from __future__ import annotations

import datetime
import time

from django.db import connection, transaction

NATIONAL = {
    "workers": 420_000,
    "beneficiaries": 1_000_000,
    "interventions_per_case": 10,
    "reports": 2_500_000,
}
YEARS = 5


def _pg() -> bool:
    return connection.vendor == "postgresql"


def _series(count: int) -> tuple[str, str]:
    """(WITH prefix, FROM item) yielding n = 0 .. count-1."""
    if _pg():
        return "", f"generate_series(0::bigint, {count - 1}) AS s(n)"
    return (
        f"WITH RECURSIVE s(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < {count - 1}) ",
        "s",
    )


def _uuid(prefix: str, expr: str) -> str:
    """A deterministic UUID per row: one hex digit naming the table, then the row number."""
    if _pg():
        return f"('{prefix}' || lpad(to_hex({expr}), 31, '0'))::uuid"
    return f"('{prefix}' || printf('%031x', {expr}))"


def _day(base: datetime.date, days_expr: str) -> str:
    if _pg():
        return f"(DATE '{base.isoformat()}' + CAST(({days_expr}) AS integer))"
    return f"date('{base.isoformat()}', ({days_expr}) || ' days')"


def _day_after(base: datetime.date, days_expr: str) -> str:
    """The timestamp at midnight the day after `_day(base, days_expr)`."""
    if _pg():
        return f"CAST({_day(base, days_expr)} + 1 AS timestamp with time zone)"
    return f"datetime({_day(base, days_expr)}, '+1 day')"


def _least(a: str, b: str) -> str:
    return f"LEAST({a}, {b})" if _pg() else f"min({a}, {b})"


def _frac(expr: str, prime: int = 1_000_003) -> str:
    """A pseudo-random number in [0, 1) from a row number."""
    return f"((({expr}) * 2654435761 % {prime}) * 1.0 / {prime})"


def _columns(model, overrides: dict[str, str]) -> tuple[str, str]:
    # Generated rows were made by nobody: the template's author is not copied.
    overrides = {"created_by_id": "NULL", "updated_by_id": "NULL", **overrides}
    names, exprs = [], []
    for field in model._meta.concrete_fields:
        names.append(f'"{field.column}"')
        exprs.append(overrides.get(field.column, f't."{field.column}"'))
    return ", ".join(names), ", ".join(exprs)


def _insert(model, count: int, overrides: dict, template_pk, extra_from: str = "") -> None:
    with_, series = _series(count)
    cols, sel = _columns(model, overrides)
    table = model._meta.db_table
    pk = model._meta.pk.get_db_prep_value(template_pk, connection)
    pk_sql = str(pk) if isinstance(pk, int) else f"'{pk}'"
    with connection.cursor() as cur:
        cur.execute(
            f"{with_}INSERT INTO {table} ({cols}) SELECT {sel} FROM {series} {extra_from}, "
            f"(SELECT * FROM {table} WHERE {model._meta.pk.column} = {pk_sql}) t"
        )


def _drop_helper_user() -> None:
    from django.db.models.deletion import ProtectedError

    from mitra.accounts.models import User

    try:
        with transaction.atomic():
            User.objects.filter(username="bulkseed").delete()
    except ProtectedError:  # an append-only log names it: keep it, it cannot log in
        pass


def _templates(today: datetime.date):
    from mitra.cases import services
    from mitra.cases.models import ActivityReport, Beneficiary, Referral
    from mitra.core.models import PmksCategory
    from mitra.workers.models import Status
    from mitra.workers.tests.builders import build_worker

    worker = build_worker(status=Status.ACTIVE, full_name="Template", joined_on=today)
    person = Beneficiary(
        full_name="Template", sex="P", estimated_age=70, village_id=worker.village_id,
        address="Dusun", consent_by="Template", consent_relation="self", consent_on=today,
        consent_method="verbal",
    )  # fmt: skip
    person.save()

    from mitra.accounts.models import User

    officer, _ = User.objects.get_or_create(
        username="bulkseed", defaults={"role": "national_admin", "scope_code": ""}
    )
    case = services.open_case(person, worker, officer, [PmksCategory.objects.get(number=8)])
    iv = services.add_intervention(case, officer, kind="home_visit", on=today, notes="catatan")
    ref = Referral.objects.create(case=case, programme="pkh", sent_on=today)
    report = ActivityReport.objects.create(
        worker=worker, on=today, village_id=worker.village_id, activity_type="outreach",
        description="Sosialisasi program", reached_adults_f=7, reached_adults_m=5,
        reached_children_f=2, reached_elderly_m=1, status="verified",
    )  # fmt: skip
    return worker, person, case, iv, ref, report


def _generate_workers(W: int, off_w: int, template_worker, today: datetime.date) -> None:
    """W workers on the rows of bulk_w: 80% PSM, 85% active, 60% women, joined over 16 years."""
    from mitra.workers.models import Worker

    joined_from = today - datetime.timedelta(days=16 * 365)
    _insert(
        Worker,
        W,
        {
            "id": "w.id",
            "nik_hash": f"'bulk' || (n + {off_w})",
            "village_id": "w.village",
            "region_code": "w.village",
            "user_id": "NULL",
            "full_name": "'PSM ' || n",
            "name_key": "'psm ' || n",
            "kind": "CASE n % 10 WHEN 8 THEN 'tksk' WHEN 9 THEN 'tagana' ELSE 'psm' END",
            "status": "CASE n % 20 WHEN 0 THEN 'applied' WHEN 1 THEN 'inactive' "
            "WHEN 2 THEN 'exited' ELSE 'active' END",
            "sex": "CASE WHEN (n * 7) % 5 < 3 THEN 'P' ELSE 'L' END",
            "birth_date": _day(datetime.date(1962, 1, 1), "(n * 37) % 14600"),
            "joined_on": _day(joined_from, f"(n * 13) % {16 * 365}"),
            "basic_training_on": f"CASE WHEN n % 3 = 0 THEN NULL "
            f"ELSE {_day(joined_from, f'(n * 13) % {16 * 365} + 30')} END",
        },
        template_worker.pk,
        "JOIN bulk_w w ON w.i = n",
    )


def _enrolments(W: int, template_worker, today: datetime.date):
    """Training as the regencies run it: each regency with workers has a finished advanced batch
    (every fourth of its workers passed) and a running basic batch (every seventh is enrolled),
    about 200 and 115 places a batch nationally (the training indicators' share with advanced and
    pipeline). Until 6 Dec two batches held the whole country (105,000 and 60,000 places, a seat
    quota no batch form accepts), and the batch list counted them on every view."""
    from django.db.models import Count

    from mitra.training.models import Batch, Course, Enrolment

    with connection.cursor() as cur:
        cur.execute("SELECT substr(village, 1, 4), min(village) FROM bulk_w GROUP BY 1 ORDER BY 1")
        regencies = cur.fetchall()

    def batches(level: str, status: str, starts: datetime.date) -> dict[str, int]:
        course = Course.objects.filter(level=level).order_by("code").first()
        made = Batch.objects.bulk_create(
            Batch(
                course=course,
                name=f"Bulk {status} {regency}",
                organiser="Bulk",
                region_code=regency,
                venue_id=venue,
                starts_on=starts,
                ends_on=starts + datetime.timedelta(days=4),
                status=status,
                quota=W,  # set to the places taken once they are in
            )
            for regency, venue in regencies
        )
        if made and made[0].pk is None:  # SQLite before RETURNING support: read them back
            made = Batch.objects.filter(course=course, status=status, organiser="Bulk")
        return {b.region_code: b.pk for b in made}

    done = batches("lanjutan", "finished", today - datetime.timedelta(days=400))
    running = batches("dasar", "running", today - datetime.timedelta(days=1))
    template = Enrolment.objects.create(
        batch_id=done.get(template_worker.village_id[:4]) or next(iter(done.values())),
        worker=template_worker,
        status="enrolled",
        result="passed",
    )
    with connection.cursor() as cur:
        cur.execute("CREATE TEMP TABLE bulk_b (regency varchar(4) PRIMARY KEY, done int, run int)")
        cur.execute(
            "INSERT INTO bulk_b (regency, done, run) VALUES "
            + ", ".join(f"('{r}', {done[r]}, {running[r]})" for r, _v in regencies)
        )
    for column, where, status, result in (
        ("done", "n % 4 = 1", "enrolled", "passed"),
        ("run", "n % 7 = 2", "enrolled", "pending"),
    ):
        with_, series = _series(W)
        cols, sel = _columns(
            Enrolment,
            {
                "id": "NULL"
                if not _pg()
                else "nextval(pg_get_serial_sequence('training_enrolment', 'id'))",
                "batch_id": f"b.{column}",
                "worker_id": "w.id",
                "region_code": "w.village",
                "status": f"'{status}'",
                "result": f"'{result}'",
            },
        )
        with connection.cursor() as cur:
            cur.execute(
                f"{with_}INSERT INTO {Enrolment._meta.db_table} ({cols}) SELECT {sel} "
                f"FROM {series} JOIN bulk_w w ON w.i = n "
                "JOIN bulk_b b ON b.regency = substr(w.village, 1, 4), "
                f"(SELECT * FROM {Enrolment._meta.db_table} WHERE id = {template.pk}) t "
                f"WHERE {where}"
            )
    # The seats: the places taken and a few to spare, as the office planned them.
    made = Batch.objects.filter(pk__in=[*done.values(), *running.values()])
    rows = list(made.annotate(places=Count("enrolments")))
    for batch in rows:
        batch.quota = (batch.places // 10 + 2) * 10
    Batch.objects.bulk_update(rows, ["quota"], batch_size=1000)
    return template


def build(
    provinces: list[str] | None = None,
    workers: int | None = None,
    beneficiaries: int | None = None,
    reports: int | None = None,
    interventions_per_case: int = NATIONAL["interventions_per_case"],
    today: datetime.date | None = None,
    log=print,
    existing_workers: bool = False,
) -> dict:
    """Generate the dataset into the current database (regions and PMKS categories loaded).

    With `provinces`, rows go into those provinces' villages only and the national counts are
    scaled by their share of the villages, unless counts are given. With `existing_workers`, no
    workers are made: the field work is spread over the active workers already there (the demo
    seed's), in proportion to their number."""
    from mitra.cases.models import ActivityReport, Beneficiary, Case, Intervention, Referral
    from mitra.regions.models import Village
    from mitra.workers.models import Worker

    today = today or datetime.date.today()
    start = today - datetime.timedelta(days=365 * YEARS)
    span = (today - start).days
    villages_qs = Village.objects.order_by("code")
    if provinces:
        from django.db.models import Q

        q = Q()
        for p in provinces:
            q |= Q(code__startswith=p)
        villages_qs = villages_qs.filter(q)
    codes = list(villages_qs.values_list("code", flat=True))
    share = len(codes) / max(Village.objects.count(), 1)
    off_w, off_b = Worker.objects.count(), Beneficiary.objects.count()  # ids stay unique
    if existing_workers:
        pool = Worker.objects.registered().filter(status="active", region_code__in=codes)
        W = pool.count()
        if not W:
            return {"workers": 0, "beneficiaries": 0, "timings": {}}
        per_worker = W / NATIONAL["workers"]
        B = beneficiaries or max(int(NATIONAL["beneficiaries"] * per_worker), 1)
        R = reports or max(int(NATIONAL["reports"] * per_worker), 1)
    else:
        W = workers or max(int(NATIONAL["workers"] * share), 10)
        B = beneficiaries or max(int(NATIONAL["beneficiaries"] * share), 10)
        R = reports or max(int(NATIONAL["reports"] * share), 10)
    V = len(codes)
    K = interventions_per_case
    started = time.perf_counter()
    timings: dict[str, float] = {}

    def lap(name):
        timings[name] = round(time.perf_counter() - started, 1)
        log(f"  {name}: {timings[name]} s")

    with transaction.atomic():
        tw, tb, tc, ti, tr, ta = _templates(today)
        with connection.cursor() as cur:
            if _pg():
                cur.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
                if cur.fetchone()[0]:
                    # Foreign keys are right by construction; skipping their triggers halves
                    # the load (only a superuser may).
                    cur.execute("SET LOCAL session_replication_role = replica")
            cur.execute("CREATE TEMP TABLE bulk_v (i integer PRIMARY KEY, code varchar(10))")
            for i in range(0, V, 5000):
                chunk = codes[i : i + 5000]
                cur.execute(
                    "INSERT INTO bulk_v (i, code) VALUES "
                    + ", ".join(f"({i + j}, '{c}')" for j, c in enumerate(chunk))
                )
            # The workers the field work is spread over: row number -> id and village.
            uuid_type = "uuid" if _pg() else "char(32)"
            cur.execute(
                f"CREATE TEMP TABLE bulk_w (i integer PRIMARY KEY, id {uuid_type}, "
                "village varchar(10))"
            )
            if existing_workers:
                rows = pool.exclude(pk=tw.pk).values_list("id", "village_id")
                sql, params = rows.query.sql_with_params()
                cur.execute(
                    "INSERT INTO bulk_w (i, id, village) SELECT "
                    "row_number() OVER (ORDER BY q.id) - 1, q.id, q.village_id "
                    f"FROM ({sql}) q",
                    params,
                )
            else:
                with_, series = _series(W)
                # A uniform village, but every tenth village is skipped: it gets no worker.
                cur.execute(
                    f"{with_}INSERT INTO bulk_w (i, id, village) "
                    f"SELECT n, {_uuid('a', f'n + {off_w}')}, v.code FROM {series} "
                    f"JOIN bulk_v v ON v.i = (CAST({V} * {_frac('n')} AS integer) / 10 * 10 + 1 "
                    f"+ CAST(8 * {_frac('n', 999983)} AS integer)) % {V}"
                )
        if not existing_workers:
            _generate_workers(W, off_w, tw, today)
            lap("workers")
            template_enrolment = _enrolments(W, tw, today)
            lap("enrolments")
        else:
            template_enrolment = None
        _insert(
            Beneficiary,
            B,
            {
                "id": _uuid("b", f"n + {off_b}"),
                "nik_hash": "NULL",
                "village_id": "w.village",
                "region_code": "w.village",
                "consent_on": _day(start, f"(n * 31) % {span}"),
                "sex": "CASE WHEN n % 2 = 0 THEN 'P' ELSE 'L' END",
            },
            tb.pk,
            # A beneficiary lives in the village of the worker responsible for their case.
            f"JOIN bulk_w w ON w.i = (n * 7) % {W}",
        )

        through = Beneficiary.categories.through
        cthrough = Case.categories.through
        with_, series = _series(B)
        with connection.cursor() as cur:
            for table, fk, prefix in (
                (through._meta.db_table, "beneficiary_id", "b"),
                (cthrough._meta.db_table, "case_id", "c"),
            ):
                cur.execute(
                    f"{with_}INSERT INTO {table} ({fk}, pmkscategory_id) "
                    f"SELECT {_uuid(prefix, f'n + {off_b}')}, (n * 11) % 26 + 1 FROM {series}"
                )
                cur.execute(
                    f"{with_}INSERT INTO {table} ({fk}, pmkscategory_id) "
                    f"SELECT {_uuid(prefix, f'n + {off_b}')}, (n * 7) % 26 + 1 FROM {series} "
                    f"WHERE n % 5 = 0 AND (n * 7) % 26 <> (n * 11) % 26"
                )
        lap("beneficiaries")
        opened = f"(n * 31) % {span}"
        closed_days = f"{_least(f'{opened} + 30 + n % 200', str(span))}"
        _insert(
            Case,
            B,
            {
                "id": _uuid("c", f"n + {off_b}"),
                "beneficiary_id": _uuid("b", f"n + {off_b}"),
                "worker_id": "w.id",
                "region_code": "w.village",
                "opened_on": _day(start, opened),
                "status": "CASE WHEN n % 3 = 0 THEN 'closed' ELSE 'assisting' END",
                "closed_on": f"CASE WHEN n % 3 = 0 THEN {_day(start, closed_days)} ELSE NULL END",
                "closure_reason": "CASE WHEN n % 3 = 0 THEN 'resolved' ELSE '' END",
                "next_follow_up_on": f"CASE WHEN n % 3 = 0 THEN NULL ELSE {_day(today, '(n % 120) - 30')} END",
            },
            tc.pk,
            f"JOIN bulk_w w ON w.i = (n * 7) % {W}",
        )
        lap("cases")
        with_, series = _series(B // 4)
        cols, sel = _columns(
            Referral,
            {
                "id": "NULL"
                if not _pg()
                else "nextval(pg_get_serial_sequence('cases_referral', 'id'))",
                "case_id": "c.id",
                "region_code": "c.region_code",
                "programme": "CASE (n / 3) % 8 WHEN 0 THEN 'pkh' WHEN 1 THEN 'sembako' "
                "WHEN 2 THEN 'pbi_jk' WHEN 3 THEN 'rehab' WHEN 4 THEN 'lks' WHEN 5 THEN 'health' "
                "WHEN 6 THEN 'ppa' ELSE 'other' END",
                "status": "CASE (n / 5) % 4 WHEN 0 THEN 'sent' WHEN 1 THEN 'accepted' "
                "WHEN 2 THEN 'rejected' ELSE 'served' END",
                "sent_on": "c.opened_on",
            },
        )
        with connection.cursor() as cur:
            cur.execute(
                f"{with_}INSERT INTO {Referral._meta.db_table} ({cols}) SELECT {sel} FROM {series} "
                f"JOIN {Case._meta.db_table} c ON c.id = {_uuid('c', f'n * 4 + {off_b}')}, "
                f"(SELECT * FROM {Referral._meta.db_table} WHERE id = {tr.pk}) t"
            )
        lap("referrals")
        # Interventions: K per case, every few days from the opening, never after today.
        ivs = B * K
        on_days = _least(f"(c_n * 31) % {span} + (n % {K}) * ((c_n % 17) + 3)", str(span))
        cols, sel = _columns(
            Intervention,
            {
                "id": "NULL"
                if not _pg()
                else "nextval(pg_get_serial_sequence('cases_intervention', 'id'))",
                "case_id": _uuid("c", f"c_n + {off_b}"),
                "worker_id": "w.id",
                "region_code": "w.village",
                "on": _day(start, on_days),
                "kind": f"CASE n % {K} WHEN 0 THEN 'identification' WHEN 1 THEN 'assessment' "
                "WHEN 4 THEN 'referral' WHEN 9 THEN 'follow_up' ELSE 'home_visit' END",
                "next_follow_up_on": "NULL",
                "follow_up_done": "TRUE" if _pg() else "1",
            },
        )
        chunk = 2_000_000
        for lo in range(0, ivs, chunk):
            hi = min(ivs, lo + chunk)
            with_, series = _series(hi - lo)
            inner = f"(SELECT n + {lo} AS n, (n + {lo}) / {K} AS c_n FROM {series}) s2"
            with connection.cursor() as cur:
                cur.execute(
                    f"{with_}INSERT INTO {Intervention._meta.db_table} ({cols}) "
                    f"SELECT {sel} FROM {inner} "
                    f"JOIN bulk_w w ON w.i = (c_n * 7) % {W}, "
                    f"(SELECT * FROM {Intervention._meta.db_table} WHERE id = {ti.pk}) t"
                )
            log(f"    interventions {hi:,}/{ivs:,}")
        lap("interventions")
        with_, series = _series(R)
        cols, sel = _columns(
            ActivityReport,
            {
                "id": "NULL"
                if not _pg()
                else "nextval(pg_get_serial_sequence('cases_activityreport', 'id'))",
                "worker_id": "w.id",
                "village_id": "w.village",
                "region_code": "w.village",
                "on": _day(start, f"(n * 29) % {span}"),
                "status": "CASE WHEN n % 5 = 0 THEN 'submitted' ELSE 'verified' END",
                # Sent the day after the activity (submitted and verified reports alike): the
                # home page's "waiting for verification for over 14 days" reads it.
                "submitted_at": _day_after(start, f"(n * 29) % {span}"),
                "reached_adults_f": "n % 13",
                "reached_children_m": "n % 4",
            },
        )
        with connection.cursor() as cur:
            cur.execute(
                f"{with_}INSERT INTO {ActivityReport._meta.db_table} ({cols}) SELECT {sel} "
                f"FROM {series} JOIN bulk_w w ON w.i = (n * 3) % {W}, "
                f"(SELECT * FROM {ActivityReport._meta.db_table} WHERE id = {ta.pk}) t"
            )
        lap("activity reports")
        with connection.cursor() as cur:
            cur.execute("DROP TABLE bulk_v")
            cur.execute("DROP TABLE bulk_w")
            if not existing_workers:
                cur.execute("DROP TABLE bulk_b")
        # The templates were only patterns: they go, with the helper account that made them.
        for row in (ta, tr, ti, tc, tb, template_enrolment, tw):
            if row is not None:
                row.delete()
        _drop_helper_user()
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    lap("analyse")
    return {
        "villages": V,
        "workers": W,
        "beneficiaries": B,
        "cases": B,
        "interventions": ivs,
        "referrals": B // 4,
        "reports": R,
        "timings": timings,
    }
