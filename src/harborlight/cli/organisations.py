"""``harborlight organisations``, and the one way every ``--organisation`` is read.

An organisation is named by its slug (``safe-passage``) or its name (``Safe Passage
Shelter (demo)``, any case); with one organisation on the server the option may be left
out. A name that matches nothing ends in one line listing the slugs and names there are.
"""

from __future__ import annotations

import typer

from harborlight.cli.bootstrap import setup_django
from harborlight.cli.errors import UsageProblem

OPTION_HELP = "Slug or name of the organisation (see `harborlight organisations`)."


def register(app: typer.Typer) -> None:
    app.command("organisations")(organisations)


def organisations() -> None:
    """List the organisations on this server: slug, name, users and cases."""
    setup_django()
    from django.db.models import Count

    from harborlight.accounts.models import Organisation
    from harborlight.cases.models import Case

    rows = list(Organisation.objects.annotate(users_count=Count("users")).order_by("slug"))
    if not rows:
        typer.echo("No organisations yet: create the first with `harborlight createadmin`.")
        return
    cases = dict(Case.objects.values_list("organisation").annotate(n=Count("pk")).order_by())
    width = max(len(row.slug) for row in rows)
    for row in rows:
        typer.echo(f"{row.slug:<{width}}  {row.name}  ({_count(row.users_count, 'user')}, "
                   f"{_count(cases.get(row.pk, 0), 'case')})")


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def find(text: str):
    """The organisation named ``text`` (slug or name), or the only one when ``text`` is
    empty; otherwise a UsageProblem naming the choices."""
    from django.db.models import Q

    from harborlight.accounts.models import Organisation

    text = " ".join((text or "").split())
    everyone = Organisation.objects.order_by("slug")
    if text:
        found = everyone.filter(Q(slug=text) | Q(name__iexact=text)).first()
        if found is not None:
            return found
        raise UsageProblem(f"no organisation {text!r}; choose a slug or name from: "
                           f"{_choices(everyone)}")
    if everyone.count() == 1:
        return everyone.get()
    raise UsageProblem(f"more than one organisation: choose one with --organisation "
                       f"({_choices(everyone)})")


def _choices(organisations) -> str:
    return ", ".join(f"{o.slug} ({o.name})" for o in organisations) or "none yet"
