"""Small helpers to act on DSFR pages as a person does."""


def field(scope, label, *, exact=False):
    """The one form control whose label holds ``label`` (help texts and "(facultatif)" may follow).

    ``scope`` is the page or a part of it (a question's group). Playwright's strict mode fails the
    test if the label is ambiguous or missing.
    """
    return scope.get_by_label(label, exact=exact)


def tick(scope, label, *, tap=False, exact=False):
    """Tick a DSFR checkbox or radio button on the box its label draws (the native input is hidden under it)."""
    control = field(scope, label, exact=exact)
    box = scope.locator(f"label[for='{control.get_attribute('id')}']")
    if tap:
        box.tap(position={"x": 8, "y": 10})
    else:
        box.click(position={"x": 8, "y": 10})
    assert control.is_checked(), label


def question(page, text):
    """A survey question's group of answers, by the question's text."""
    return page.get_by_role("group", name=text)


def admin_login(page, email, password):
    """Log into ``/admin/`` through its real form (django-axes included) and land on the administration's home."""
    page.goto("/admin/")
    page.locator("input[name=username]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("input[type=submit]").click()
    page.wait_for_url("**/admin/")


# The DSFR's script has started, bound every collapse (accordions, menus) and finished folding them.
DSFR_SETTLED = """() => document.documentElement.dataset.frJs === "true"
    && [...document.querySelectorAll(".fr-collapse")].every(
        (collapse) => collapse.dataset.frJsCollapse === "true" && !collapse.classList.contains("fr-collapsing"))"""


def dsfr_settled(page):
    """Wait until the page is laid out as a reader sees it: before, collapsed details may still show open."""
    page.wait_for_function(DSFR_SETTLED)
