"""Commands that run the web application: demo, serve, migrate, check, createadmin,
createsupervisor, token.

Each command parses its options, starts Django through :func:`setup_django`, calls library
code and prints what it did. Problems a user can fix end with one line and a non-zero exit.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer

from harborlight.cli.bootstrap import CONFIG_EXIT_CODE, setup_django
from harborlight.cli.errors import UsageProblem

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
token_app = typer.Typer(help="API bearer tokens.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command()(demo)
    app.command()(serve)
    app.command()(migrate)
    app.command()(check)
    app.command()(createadmin)
    app.command()(createsupervisor)
    app.add_typer(token_app, name="token")


def demo(
    data_dir: Path | None = typer.Option(None, help="Folder for the demo's SQLite database, "
                                         "keyring and secret [default: ./harborlight-data]."),
    port: int = typer.Option(8000, min=1, max=65535, help="Port on 127.0.0.1."),
    prepare_only: bool = typer.Option(False, "--prepare-only",
                                      help="Create the database and demo data, then exit."),
    code: str = typer.Option("", "--code", metavar="USERNAME",
                             help="Print the current two-factor code of a demo user and exit."),
) -> None:
    """Run a local demo: SQLite, synthetic data, logins printed, served on 127.0.0.1.

    Creates DATA_DIR with a secret key, an encryption keyring and a SQLite database on the
    first run, and reuses them afterwards. Every person in the demo data is synthetic.
    """
    from harborlight.demo import environment

    if code:
        _print_code(code, data_dir)
        return
    data_dir = data_dir or Path(environment.DEFAULT_FOLDER)
    environment.configure_environment(data_dir.resolve())
    setup_django()
    from harborlight.demo import records

    _migrate(verbose=False)
    logins = records.ensure_demo_data(progress=typer.echo)
    url = f"http://127.0.0.1:{port}/"
    typer.echo(environment.describe(logins, url, data_dir.resolve()))
    if not prepare_only:
        _serve("127.0.0.1", port, threads=8)


def _print_code(username: str, data_dir: Path | None) -> None:
    """The current code of a demo user, from the demo found (never a new one)."""
    from harborlight.demo import environment

    folder = environment.find_demo(data_dir)
    if folder is None:
        looked = ", ".join(str(path) for path in environment.demo_candidates(data_dir))
        raise UsageProblem(f"no demo found (looked in {looked}); start one with "
                           "./scripts/demo, or name its folder with --data-dir")
    environment.use_demo(folder)
    setup_django()
    from harborlight.demo import records

    try:
        typer.echo(records.current_code(username))
    except LookupError as problem:
        raise UsageProblem(str(problem)) from None


def serve(
    host: str = typer.Option("127.0.0.1", envvar="HARBORLIGHT_HOST",
                             help="Address to listen on."),
    port: int = typer.Option(8000, min=1, max=65535, envvar="HARBORLIGHT_PORT"),
    threads: int = typer.Option(8, min=1, max=64, envvar="HARBORLIGHT_THREADS",
                                help="Worker threads of the WSGI server."),
) -> None:
    """Run the production server (waitress, WSGI) on HARBORLIGHT_DATABASE_URL.

    Refuses to start while configuration, keys, database or migrations have a problem:
    run `harborlight check` to see them all.
    """
    setup_django()
    problems = _collect_problems()
    errors = [p for p in problems if p.level == "error"]
    if errors:
        raise UsageProblem(f"not starting: {errors[0].text} (run `harborlight check` for "
                           f"all {len(errors)} problem(s))", CONFIG_EXIT_CODE)
    _serve(host, port, threads)


def migrate() -> None:
    """Create or update the database tables (safe to run again; changes only what's new)."""
    setup_django()
    _migrate(verbose=True)


def check() -> None:
    """Check configuration, keys, database and migrations; print one line per problem."""
    setup_django()
    problems = _collect_problems()
    for problem in problems:
        typer.echo(f"{problem.level.upper()}: {problem.text}")
    errors = sum(1 for p in problems if p.level == "error")
    if errors:
        typer.echo(f"{errors} error(s); Harborlight will not start until they are fixed.",
                   err=True)
        raise typer.Exit(1)
    typer.echo("OK: configuration, keys, database and migrations are ready.")


def createadmin(
    username: str = typer.Option(..., prompt=True, help="Login name of the administrator."),
    organisation: str = typer.Option(..., prompt=True,
                                     help="Name or slug of the organisation (a new name "
                                          "creates it)."),
    email: str = typer.Option("", help="Optional e-mail address."),
    password_stdin: bool = typer.Option(False, "--password-stdin",
                                        help="Read the password from standard input."),
) -> None:
    """Create an administrator of an organisation. They enrol two-factor at first sign-in.

    Administrators manage users but never read survivor records: accounts that do wait
    for a supervisor's approval (see createsupervisor for the first one).
    """
    setup_django()
    from harborlight.accounts.admin_setup import create_administrator

    user = _create_first(create_administrator, username, organisation, email, password_stdin)
    typer.echo(f"Created administrator {user.username} of {user.organisation}. "
               "They set up two-factor sign-in the first time they sign in.")


def createsupervisor(
    username: str = typer.Option(..., prompt=True, help="Login name of the supervisor."),
    organisation: str = typer.Option(..., prompt=True,
                                     help="Name or slug of an existing organisation."),
    email: str = typer.Option("", help="Optional e-mail address."),
    password_stdin: bool = typer.Option(False, "--password-stdin",
                                        help="Read the password from standard input."),
) -> None:
    """Create a supervisor of an organisation, on the server, with no approval.

    Supervisors read survivor records and approve the accounts that will; this command
    makes the first of them (later ones are added by an administrator and approved by a
    supervisor). They enrol two-factor at first sign-in.
    """
    setup_django()
    from harborlight.accounts.admin_setup import create_supervisor

    user = _create_first(create_supervisor, username, organisation, email, password_stdin)
    typer.echo(f"Created supervisor {user.username} of {user.organisation}. "
               "They set up two-factor sign-in the first time they sign in.")


def _create_first(create, username: str, organisation: str, email: str,
                  password_stdin: bool):
    from harborlight.accounts.admin_setup import AdminSetupError

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        return create(username, organisation, email=email, password=password)
    except AdminSetupError as problem:
        raise UsageProblem(str(problem), 65) from None


@token_app.command("create")
def token_create(
    username: str,
    label: str = typer.Option("", help="What the token is for."),
    days: int = typer.Option(90, min=1, max=366, help="Days until the token expires."),
) -> None:
    """Create an API bearer token for USERNAME and print it (it is shown only once)."""
    setup_django()
    from harborlight.accounts.models import User
    from harborlight.accounts.tokens import create_token

    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise UsageProblem(f"no active user named {username!r}", 65)
    token = create_token(user, label=label, days=days)
    typer.echo(f"Token for {user.username}, expires in {days} days (shown only now):")
    typer.echo(token)


@token_app.command("list")
def token_list(username: str = typer.Argument("", help="Only this user's tokens.")) -> None:
    """List tokens (prefix, user, label, expiry, last use, state); never the tokens."""
    setup_django()
    from harborlight.accounts.models import ApiToken

    rows = ApiToken.objects.select_related("user")
    if username:
        rows = rows.filter(user__username=username)
    for row in rows:
        state = "revoked" if row.revoked_at else "works" if row.is_active() else "expired"
        used = row.last_used_at.date().isoformat() if row.last_used_at else "never"
        typer.echo(f"{row.prefix}  {row.user.username}  {row.label or '-'}  expires "
                   f"{row.expires_at.date().isoformat()}  last used {used}  {state}")


@token_app.command("revoke")
def token_revoke(token: str = typer.Argument(..., help="The token's prefix (from `token "
                                                     "list`), or the whole token.")) -> None:
    """Revoke a token at once: it stops working for every request after this one."""
    setup_django()
    from harborlight.accounts.models import ApiToken
    from harborlight.accounts.tokens import TokenError, prefix_of, revoke

    row = ApiToken.objects.select_related("user").filter(prefix=prefix_of(token)).first()
    if row is None:
        raise UsageProblem("no token with that prefix", 65)
    try:
        revoke(row)
    except TokenError as problem:
        raise UsageProblem(str(problem), 65) from None
    typer.echo(f"Revoked token {row.prefix} of {row.user.username}.")


def _migrate(verbose: bool) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1 if verbose else 0)


def _collect_problems():
    from harborlight.web.checks import collect_problems

    return collect_problems()


def _serve(host: str, port: int, threads: int) -> None:
    from waitress import serve as waitress_serve

    from harborlight.wsgi import application

    if host not in LOOPBACK_HOSTS and os.environ.get("HARBORLIGHT_SECURE_COOKIES") == "false":
        raise UsageProblem("secure cookies are off: serve only on 127.0.0.1, or put "
                           "Harborlight behind HTTPS and turn them back on", CONFIG_EXIT_CODE)
    typer.echo(f"Serving on http://{host}:{port}/ (press Ctrl+C to stop)")
    from harborlight.web.uploads import max_request_bytes

    # Waitress refuses a larger body (413) while it streams in, before Harborlight sees it.
    waitress_serve(application, host=host, port=port, threads=threads, ident="Harborlight",
                   clear_untrusted_proxy_headers=True,
                   max_request_body_size=max_request_bytes(), **_proxy_options())


def _proxy_options() -> dict:
    """Behind a reverse proxy, take the client's address and scheme from that proxy only.

    Waitress then sets REMOTE_ADDR from X-Forwarded-For (so sign-in lockout and the public
    flood limit tell clients apart) and the scheme from X-Forwarded-Proto (so HTTPS, and
    with it HSTS and secure redirects, is seen); the same headers from anyone else are
    dropped before Django sees them.
    """
    from django.conf import settings

    if not settings.BEHIND_PROXY:
        return {}
    return {"trusted_proxy": settings.TRUSTED_PROXY, "trusted_proxy_count": 1,
            "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto"}}
