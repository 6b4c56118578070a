"""Events over JSON, under /api/v1/events/."""

from ninja import Router

router = Router(tags=["events"])
