"""axe-core accessibility checks for the browser tests.

axe-core (Deque, MPL-2.0, vendored unmodified in mitra/testing_assets/axe/ with its licence) is a
test-only asset: it is not under static/, so the app never serves it. It is injected through
Playwright's page.evaluate, which runs over the DevTools protocol and so is not held back by the
pages' Content-Security-Policy (script-src 'self' + nonce); no CSP has to be loosened for tests.

`axe_problems(page)` answers one readable line per failing element, with the rule id, the CSS
selector of the element and axe's help text, so a failure says what to fix and where.
"""

from functools import cache
from pathlib import Path

AXE_JS = Path(__file__).parent / "testing_assets" / "axe" / "axe.min.js"
# Impacts that fail a page: a screen-reader or low-vision user cannot use the part at all.
FAILING_IMPACTS = ("serious", "critical")
# Landmark rules rate 'moderate', yet a page with content outside every landmark, or two
# navigations of the same name, is one a screen-reader user cannot find their way in.
FAILING_RULES = ("region", "landmark-unique", "landmark-one-main", "landmark-no-duplicate-main")

# Experimental rules run too: label-content-name-mismatch (a link whose aria-label does not
# contain its visible text, so a voice-control user cannot say what they see) is one of them.
_RUN_JS = """async () => {
  const result = await axe.run(document, {
    resultTypes: ["violations"], rules: {"label-content-name-mismatch": {enabled: true}},
  });
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map(n => n.target.join(" ")),
  }));
}"""


@cache
def _axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


def axe_violations(page) -> list[dict]:
    """Every axe violation on the page as loaded: {id, impact, help, targets}."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    return page.evaluate(_RUN_JS)


def axe_problems(page, label: str = "") -> list[str]:
    """The violations that fail a page, one line per element: 'label rule (impact): selector:
    help'. Empty when the page passes."""
    lines = []
    for violation in axe_violations(page):
        if violation["impact"] not in FAILING_IMPACTS and violation["id"] not in FAILING_RULES:
            continue
        for target in violation["targets"]:
            lines.append(
                f"{label or page.url} {violation['id']} ({violation['impact']}): "
                f"{target}: {violation['help']}"
            )
    return lines
