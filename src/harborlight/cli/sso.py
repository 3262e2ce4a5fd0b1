"""``harborlight sso``: link a person's account at the organisation's identity provider
(OpenID Connect issuer + subject) to their Harborlight user, or remove the link.

Linking is done on the server by an administrator of the installation, never from the
provider's claims: the provider says who someone is, Harborlight says what they may do.
"""

from __future__ import annotations

import typer

from harborlight.cli.bootstrap import setup_django
from harborlight.cli.errors import UsageProblem
from harborlight.cli.operator import os_user

app = typer.Typer(help="Single sign-on (OpenID Connect): link provider accounts to users.",
                  no_args_is_help=True)


def _user(username: str):
    from harborlight.accounts.models import User

    user = User.objects.filter(username=username).first()
    if user is None:
        raise UsageProblem(f"no user named {username!r}", 65)
    return user


@app.command()
def link(
    username: str = typer.Argument(..., help="The Harborlight user."),
    subject: str = typer.Argument(..., help="Their 'sub' at the provider (its stable id for "
                                  "them, not their e-mail address)."),
) -> None:
    """Link SUBJECT at HARBORLIGHT_OIDC_ISSUER to USERNAME (replacing an older link)."""
    setup_django()
    from harborlight.accounts import oidc

    user = _user(username)
    try:
        identity = oidc.link(user, subject, by=None, os_user=os_user())
    except ValueError as problem:
        raise UsageProblem(str(problem), 65) from None
    typer.echo(f"Linked {identity.subject!r} at {identity.issuer} to {user.username} "
               f"({user.role_label}, {user.organisation}).")


@app.command()
def unlink(username: str = typer.Argument(..., help="The Harborlight user.")) -> None:
    """Remove USERNAME's links to identity provider accounts."""
    setup_django()
    from harborlight.accounts import oidc

    user = _user(username)
    removed = oidc.unlink(user, by=None, os_user=os_user())
    typer.echo(f"Removed {removed} link{'' if removed == 1 else 's'} of {user.username}.")


@app.command("list")
def list_links() -> None:
    """Every linked account: username, issuer, subject."""
    setup_django()
    from harborlight.accounts.models import ProviderIdentity

    links = ProviderIdentity.objects.select_related("user").order_by("user__username")
    if not links:
        typer.echo("No linked accounts.")
    for identity in links:
        typer.echo(f"{identity.user.username}\t{identity.issuer}\t{identity.subject}")
