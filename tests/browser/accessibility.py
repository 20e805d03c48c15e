"""The checks the accessibility tests run on each page in a real Chromium: axe-core with the
WCAG 2.0, 2.1 and 2.2 A and AA rules, then what axe cannot judge by itself (one `h1`, a title
naming the page, language and direction, reflow at 360 px, a visible and unobscured keyboard
focus, the skip link, target sizes, form errors tied to their fields).

Each check returns `Problem`s rather than failing at once, so one run lists every problem of
every page with the page, the rule and the element, which is what someone fixing them needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from axe_playwright_python.sync_playwright import Axe

WCAG_AA_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# The narrowest phone the brief's clients are likely to use, and an office screen.
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}

# 1.4.11: a focus indicator is a visual change that needs 3:1 against what is around it.
FOCUS_CONTRAST = 3.0

_axe = Axe()


@dataclass(frozen=True)
class Problem:
    page: str
    variant: str
    rule: str
    element: str
    detail: str

    def __str__(self) -> str:
        return f"{self.page} [{self.variant}] {self.rule}: {self.element} — {self.detail}"


def report(problems: list[Problem]) -> str:
    """One line per problem, grouped as they were found (page by page)."""
    return f"{len(problems)} accessibility problem(s):\n" + "\n".join(
        f"  {problem}" for problem in problems
    )


def axe_problems(page: Any, label: str, variant: str) -> list[Problem]:
    results = _axe.run(
        page,
        options={
            "runOnly": {"type": "tag", "values": WCAG_AA_TAGS},
            "resultTypes": ["violations"],
        },
    )
    problems = []
    for violation in results.response["violations"]:
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            snippet = " ".join(node.get("html", "").split())[:160]
            problems.append(
                Problem(
                    label,
                    variant,
                    f"axe {violation['id']} ({violation['impact']})",
                    f"{target} {snippet}",
                    violation["help"],
                )
            )
    return problems


# --- Structure: headings, title, language and direction --------------------------------

_STRUCTURE = """
() => ({
  h1: [...document.querySelectorAll('h1')].map(h => h.innerText.trim()),
  title: document.title,
  lang: document.documentElement.getAttribute('lang'),
  dir: document.documentElement.getAttribute('dir'),
})
"""


def structure_problems(
    page: Any, label: str, variant: str, *, language: str, rtl: bool
) -> list[Problem]:
    found = page.evaluate(_STRUCTURE)
    problems = []

    def problem(rule: str, element: str, detail: str) -> None:
        problems.append(Problem(label, variant, rule, element, detail))

    if len(found["h1"]) != 1:
        problem(
            "one h1 (1.3.1, 2.4.6)",
            "h1",
            f"the page has {len(found['h1'])} h1 elements: {found['h1']}",
        )
    # "Something — Pathmark": the part before the site name must name the page.
    page_part = found["title"].rsplit("—", 1)[0].strip()
    if not page_part or page_part == "Pathmark":
        problem("page title (2.4.2)", "title", f"{found['title']!r} does not name the page")
    if (found["lang"] or "").split("-")[0] != language:
        problem("language of page (3.1.1)", "html", f"lang={found['lang']!r}, expected {language}")
    expected_dir = "rtl" if rtl else "ltr"
    if found["dir"] != expected_dir:
        problem("direction", "html", f"dir={found['dir']!r}, expected {expected_dir}")
    return problems


# --- Reflow: no horizontal scrolling of the page -----------------------------------------

_REFLOW = """
() => {
  const width = window.innerWidth;
  const root = document.documentElement;
  const wide = [];
  // Only what sticks out past the end of the line can be scrolled to: the right in English,
  // the left in Arabic.
  const rtl = getComputedStyle(root).direction === 'rtl';
  const sticksOut = (r) => r.width > 0 && (rtl ? r.left < -1 : r.right > width + 1);
  if (root.scrollWidth > width) {
    // Name the outermost elements that stick out, so the report says what to fix.
    for (const el of document.body.querySelectorAll('*')) {
      if (!sticksOut(el.getBoundingClientRect())) continue;
      let parent = el.parentElement, inside = false;
      while (parent && parent !== document.body) {
        if (sticksOut(parent.getBoundingClientRect())) { inside = true; break; }
        parent = parent.parentElement;
      }
      if (!inside) wide.push(el.outerHTML.replace(/\\s+/g, ' ').slice(0, 140));
      if (wide.length >= 5) break;
    }
    // Text can stick out of a box that fits, e.g. a long word.
    if (!wide.length) {
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      const range = document.createRange();
      for (let node = walker.nextNode(); node && wide.length < 5; node = walker.nextNode()) {
        range.selectNodeContents(node);
        if (sticksOut(range.getBoundingClientRect())) {
          wide.push('text "' + node.textContent.trim().slice(0, 60) + '" in ' + node.parentElement.outerHTML.replace(/\\s+/g, ' ').slice(0, 100));
        }
      }
    }
  }
  return {scrollWidth: root.scrollWidth, width, wide};
}
"""


def reflow_problems(page: Any, label: str, variant: str) -> list[Problem]:
    found = page.evaluate(_REFLOW)
    if found["scrollWidth"] <= found["width"]:
        return []
    return [
        Problem(
            label,
            variant,
            "reflow (1.4.10)",
            element,
            f"the page is {found['scrollWidth']} px wide in a {found['width']} px window",
        )
        for element in found["wide"] or ["(unknown)"]
    ]


# --- Keyboard: skip link, visible and unobscured focus -----------------------------------

_FOCUSABLE = (
    "a[href], button, input:not([type=hidden]), select, textarea, summary, "
    "[tabindex]:not([tabindex='-1'])"
)

_COLOUR_HELPERS = """
  const parse = (text) => {
    const m = text && text.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return null;
    const parts = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number);
    return {r: parts[0], g: parts[1], b: parts[2], a: parts.length > 3 ? parts[3] : 1};
  };
  const luminance = (c) => {
    const channel = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
  };
  const contrast = (a, b) => {
    const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  const backgroundOf = (el) => {
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      const c = parse(getComputedStyle(node).backgroundColor);
      if (c && c.a > 0.5) return c;
    }
    return {r: 255, g: 255, b: 255, a: 1};
  };
  const describe = (el) => el.outerHTML.replace(/\\s+/g, ' ').slice(0, 120);
"""

_FOCUS = (
    """
(selector) => {
"""
    + _COLOUR_HELPERS
    + """
  const visiblePart = (el, box) => {
    let part = {left: Math.max(box.left, 0), top: Math.max(box.top, 0),
                right: Math.min(box.right, innerWidth), bottom: Math.min(box.bottom, innerHeight)};
    for (let node = el.parentElement; node && node !== document.documentElement; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.overflowX === 'visible' && style.overflowY === 'visible') continue;
      const clip = node.getBoundingClientRect();
      part = {left: Math.max(part.left, clip.left), top: Math.max(part.top, clip.top),
              right: Math.min(part.right, clip.right), bottom: Math.min(part.bottom, clip.bottom)};
    }
    return part.right - part.left >= 1 && part.bottom - part.top >= 1 ? part : null;
  };
  const problems = [];
  const visible = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  for (const el of document.querySelectorAll(selector)) {
    if (el.disabled || !visible(el)) continue;
    el.focus();
    if (document.activeElement !== el) continue;
    const style = getComputedStyle(el);
    const colours = [];
    if (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2) colours.push(parse(style.outlineColor));
    if (style.boxShadow && style.boxShadow !== 'none') {
      for (const m of style.boxShadow.matchAll(/rgba?\\([^)]+\\)/g)) colours.push(parse(m[0]));
    }
    const around = backgroundOf(el.parentElement || el);
    const best = Math.max(0, ...colours.filter(c => c && c.a > 0.5).map(c => contrast(c, around)));
    if (best < %(contrast)s) {
      problems.push({rule: 'focus visible (2.4.7, 1.4.11)', element: describe(el),
        detail: colours.length ? `the focus indicator has ${best.toFixed(2)}:1 against its background` : 'no focus indicator'});
    }
    // 2.4.11 asks that the focused element is not entirely hidden: some part of one of its
    // boxes (a link that wraps has one a line) must be on screen, inside every scrolling
    // box around it, and not under something else.
    const labels = el.labels ? [...el.labels] : [];
    let hit = null, onScreen = false;
    const shows = [...el.getClientRects()].some(box => {
      const part = visiblePart(el, box);
      if (!part) return false;
      onScreen = true;
      hit = document.elementFromPoint((part.left + part.right) / 2, (part.top + part.bottom) / 2);
      return hit && (hit === el || el.contains(hit) || labels.some(l => l.contains(hit)));
    });
    if (!shows) {
      problems.push({rule: 'focus not obscured (2.4.11)', element: describe(el),
        detail: onScreen && hit ? 'covered by ' + describe(hit) : 'the focused element is not on screen'});
    }
  }
  if (document.activeElement) document.activeElement.blur();
  return problems;
}
"""
) % {"contrast": FOCUS_CONTRAST}


def keyboard_problems(page: Any, label: str, variant: str) -> list[Problem]:
    return [
        Problem(label, variant, found["rule"], found["element"], found["detail"])
        for found in page.evaluate(_FOCUS, _FOCUSABLE)
    ]


def _skip_link_problems(page: Any, label: str, variant: str) -> list[Problem]:
    """The first Tab lands on a visible link to the main content, and following it moves
    the keyboard focus there (2.4.1). A page that puts the focus in its main content when it
    opens (the sign-in form's first field) has already skipped the navigation."""
    if page.evaluate("() => !!document.activeElement.closest('main')"):
        return []
    page.keyboard.press("Tab")
    first = page.evaluate(
        """() => {
          const el = document.activeElement, r = el.getBoundingClientRect();
          return {tag: el.tagName, href: el.getAttribute('href'), text: el.innerText,
                  onScreen: r.width > 1 && r.height > 1 && r.left >= 0 && r.right <= innerWidth && r.top >= 0,
                  html: el.outerHTML.slice(0, 120)};
        }"""
    )
    if first["tag"] != "A" or first["href"] != "#main":
        return [
            Problem(
                label,
                variant,
                "skip link (2.4.1)",
                first["html"],
                "the first Tab does not reach a link to the main content",
            )
        ]
    problems = []
    if not first["onScreen"]:
        problems.append(
            Problem(label, variant, "skip link (2.4.1)", first["html"], "not visible when focused")
        )
    page.keyboard.press("Enter")
    if page.evaluate("() => document.activeElement && document.activeElement.id") != "main":
        problems.append(
            Problem(
                label,
                variant,
                "skip link (2.4.1)",
                first["html"],
                "following it does not move the focus to the main content",
            )
        )
    return problems


# --- Target size (2.5.8) ---------------------------------------------------------------

_TARGETS = """
(selector) => {
  const MIN = 24;
  const describe = (el) => el.outerHTML.replace(/\\s+/g, ' ').slice(0, 120);
  const targets = [...document.querySelectorAll(selector)].filter(el => {
    const r = el.getBoundingClientRect();
    // The content of a closed <details> can report a box (content-visibility) but cannot
    // be reached until the summary opens it, so it is no target yet.
    const folded = el.closest('details:not([open])') && !el.closest('summary');
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden' && !el.closest('[aria-hidden=true]') && !folded;
  });
  // Inline exception: a link in a sentence, whose size the line of text decides.
  const inSentence = (el) => {
    if (el.tagName !== 'A' || getComputedStyle(el).display !== 'inline') return false;
    let block = el.parentElement;
    while (block && getComputedStyle(block).display.startsWith('inline')) block = block.parentElement;
    if (!block) return false;
    const own = el.innerText.trim().length;
    return block.innerText.replace(/\\s+/g, ' ').trim().length > own + 1;
  };
  const box = (el) => el.getBoundingClientRect();
  const centre = (r) => ({x: r.left + r.width / 2, y: r.top + r.height / 2});
  const distanceToRect = (p, r) => {
    const dx = Math.max(r.left - p.x, 0, p.x - r.right);
    const dy = Math.max(r.top - p.y, 0, p.y - r.bottom);
    return Math.hypot(dx, dy);
  };
  const small = targets.filter(el => {
    const r = box(el);
    return (r.width < MIN || r.height < MIN) && !inSentence(el);
  });
  const problems = [];
  for (const el of small) {
    // Spacing exception: a 24 px circle on its centre touches no other target, nor the
    // circle of another undersized target.
    const c = centre(box(el));
    const clash = targets.find(other => {
      if (other === el || other.contains(el) || el.contains(other)) return false;
      if (el.labels && [...el.labels].includes(other)) return false;
      if (distanceToRect(c, box(other)) < MIN / 2) return true;
      return small.includes(other) && Math.hypot(c.x - centre(box(other)).x, c.y - centre(box(other)).y) < MIN;
    });
    if (clash) {
      const r = box(el);
      problems.push({element: describe(el),
        detail: `${r.width.toFixed(0)}×${r.height.toFixed(0)} px and too close to ${describe(clash)}`});
    }
  }
  return problems;
}
"""


def target_size_problems(page: Any, label: str, variant: str) -> list[Problem]:
    selector = "a[href], button, input:not([type=hidden]), select, textarea, summary"
    return [
        Problem(label, variant, "target size (2.5.8)", found["element"], found["detail"])
        for found in page.evaluate(_TARGETS, selector)
    ]


# --- Form errors: tied to their fields and announced -------------------------------------

_FORM_ERRORS = """
() => {
  const describe = (el) => el.outerHTML.replace(/\\s+/g, ' ').slice(0, 120);
  const problems = [];
  const describedBy = (el) => (el.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean);
  const referenced = new Set();
  for (const el of document.querySelectorAll('[aria-describedby]')) describedBy(el).forEach(id => referenced.add(id));
  const messages = [...document.querySelectorAll('main form .error')].filter(el => !el.closest('.error-summary'));
  for (const message of messages) {
    if (!message.id || !referenced.has(message.id)) {
      problems.push({rule: 'error tied to its field (1.3.1, 3.3.1)', element: describe(message),
        detail: 'no field or group names this message in aria-describedby'});
    }
  }
  for (const field of document.querySelectorAll('[aria-invalid=true]')) {
    const group = field.closest('fieldset[aria-describedby]');
    const ids = describedBy(field).concat(group ? describedBy(group) : []);
    const texts = ids.map(id => document.getElementById(id)).filter(Boolean).map(el => el.innerText.trim());
    if (!texts.some(Boolean)) {
      problems.push({rule: 'error tied to its field (1.3.1, 3.3.1)', element: describe(field),
        detail: 'marked invalid but describedby names no error message: ' + JSON.stringify(ids)});
    }
  }
  if (messages.length || document.querySelector('[aria-invalid=true]')) {
    const summary = document.querySelector('.error-summary');
    if (!summary) {
      problems.push({rule: 'errors announced (4.1.3)', element: 'main', detail: 'no error summary'});
    } else {
      if (!summary.closest('[role=alert], [aria-live]')) {
        problems.push({rule: 'errors announced (4.1.3)', element: describe(summary), detail: 'the summary is not role=alert'});
      }
      for (const link of summary.querySelectorAll('a')) {
        const id = (link.getAttribute('href') || '').replace(/^#/, '');
        if (!id || !document.getElementById(id)) {
          problems.push({rule: 'error summary links (2.4.4)', element: describe(link), detail: 'links to nothing on the page'});
        }
      }
    }
  }
  return problems;
}
"""


def form_error_problems(page: Any, label: str, variant: str) -> list[Problem]:
    return [
        Problem(label, variant, found["rule"], found["element"], found["detail"])
        for found in page.evaluate(_FORM_ERRORS)
    ]


def all_problems(
    page: Any, label: str, variant: str, *, language: str, rtl: bool, skip_link: bool = True
) -> list[Problem]:
    """Every check on the page as it is now. The keyboard checks come last, as they move
    the focus; the skip link is tried first, while the first Tab still starts at the top."""
    # Two frames, so that the browser has applied `autofocus` (done while rendering a frame,
    # after the load event) before anything looks at the focus.
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    problems = _skip_link_problems(page, label, variant) if skip_link else []
    problems += axe_problems(page, label, variant)
    problems += structure_problems(page, label, variant, language=language, rtl=rtl)
    problems += reflow_problems(page, label, variant)
    problems += target_size_problems(page, label, variant)
    problems += form_error_problems(page, label, variant)
    problems += keyboard_problems(page, label, variant)
    return problems
