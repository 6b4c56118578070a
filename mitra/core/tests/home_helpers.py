"""Reading the home page's to-do items and the rows each item's link shows, for the tests of
"My tasks" (factories and demo seed alike)."""

from urllib.parse import urlsplit

from django.urls import resolve


def home_tasks(client) -> dict:
    """{key: task} of every item the home page shows (waiting and nothing-waiting)."""
    response = client.get("/")
    assert response.status_code == 200
    return {t.key: t for t in [*response.context["waiting"], *response.context["calm"]]}


def rows_shown(client, url: str) -> int:
    """How many rows the page at `url` lists: the paginated lists' total, or the rows of the
    pages that list without a paginator (the award home's appeals, the jury queue, imports)."""
    parts = urlsplit(url)
    response = client.get(parts.path + (f"?{parts.query}" if parts.query else ""))
    assert response.status_code == 200, (url, response.status_code)
    ctx = response.context
    name = resolve(parts.path).view_name
    if name == "awards:index":
        assert parts.fragment == "appeals-to-decide"
        return len(ctx["to_decide"])
    if name == "awards:jury_queue":
        return ctx["total"]
    if name == "workers:import_start":
        return len(ctx["recent"])
    return ctx["page_obj"].paginator.count


def assert_counts_match_lists(client, tasks: dict) -> None:
    for key, task in tasks.items():
        assert rows_shown(client, task.url) == task.count, f"{key}: {task.url}"
