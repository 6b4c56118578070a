"""Real ids for the API's path parameters, read from the caller's own list answers, and the rows
they are read from. Shared by the schema fuzzing (test_matrix_fuzz) and the generated client
(mitra.api.tests.test_generated_client): both call the operations with path parameters on rows the
caller may see, where a crash or an undocumented answer past the lookup hides, not on random ids
that only ever meet 404."""

from mitra.core.tests import test_access as access


def seed_rows() -> None:
    """The rows of the access test (Bantul, Sleman and elsewhere) and an event invitation."""
    access._seed_rows()
    access._event_invitation_in(access.BANTUL)


# Where each path parameter's values come from: the list (or detail) operation that names such rows
# for the caller, and the key of the list in its answer. A new path parameter without a source fails
# (deny by default), so no operation is left to random ids that only ever meet 404.
ID_SOURCES = {
    "code": ("/api/v1/regions/provinces", None, "code"),
    "worker_id": ("/api/v1/workers/", "items", "id"),
    "course_id": ("/api/v1/training/courses", "items", "id"),
    "batch_id": ("/api/v1/training/batches", "items", "id"),
    "enrolment_id": ("/api/v1/training/batches/{batch_id}/enrolments", "items", "id"),
    "case_id": ("/api/v1/cases/", "items", "id"),
    "referral_id": ("/api/v1/cases/{case_id}", "referrals", "id"),
    "person_id": ("/api/v1/cases/beneficiaries", "items", "id"),
    "report_id": ("/api/v1/cases/reports", "items", "id"),
    "cycle_id": ("/api/v1/awards/cycles", "items", "id"),
    "stage_id": ("/api/v1/awards/cycles/{cycle_id}", "stages", "id"),
    "nomination_id": ("/api/v1/awards/nominations", "items", "id"),
    "ranking_id": ("/api/v1/awards/rankings", "items", "id"),
    "appeal_id": ("/api/v1/awards/appeals", "items", "id"),
    "event_id": ("/api/v1/events/", "items", "id"),
    "invitation_id": ("/api/v1/events/{event_id}/invitations", "items", "id"),
    "venture_id": ("/api/v1/ventures/", None, "id"),
    # A job is named only by the answer that started it (no API lists jobs): left to random ids.
    "job_id": None,
}


def path_parameters(schema_dict) -> set[str]:
    """The names of the path parameters of every operation."""
    return {
        p["name"]
        for ops in schema_dict["paths"].values()
        for op in ops.values()
        for p in op.get("parameters", [])
        if p["in"] == "path"
    }


def listed_ids(client, headers) -> dict[str, list]:
    """Each path parameter's values, read from the caller's own list answers (parents first).
    `client.get(url, **headers)`: Django's test client (headers as HTTP_… keywords) or an httpx
    client (`{"headers": {...}}`)."""
    found: dict[str, list] = {}
    for name, source in ID_SOURCES.items():
        if source is None:
            continue
        path, key, field = source
        parents = [p for p in ID_SOURCES if "{" + p + "}" in path]
        if any(not found.get(p) for p in parents):
            continue
        # A child list may be empty under the first parent: try the others, and put the parent
        # that has children first, so that an operation naming both gets a pair that belongs.
        for choice in range(max([len(found[p]) for p in parents] or [1])):
            picked = {p: found[p][min(choice, len(found[p]) - 1)] for p in parents}
            values = _values(client.get(path.format(**picked), **headers), key, field)
            if values:
                found[name] = values[:3]
                for p, value in picked.items():
                    found[p] = [value] + [v for v in found[p] if v != value]
                break
    return found


def _values(response, key, field) -> list:
    if response.status_code != 200:
        return []
    body = response.json()
    rows = body if key is None else body.get(key) if isinstance(body, dict) else None
    rows = [rows] if isinstance(rows, dict) else rows or []
    return [r[field] for r in rows if isinstance(r, dict) and r.get(field) is not None]
