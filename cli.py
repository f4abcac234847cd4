"""Command line (SPEC §7): `flask --app app seed-demo | create-user | set-password | check-data |
export-data DIR | import-data DIR`."""
import click
from flask.cli import with_appcontext

from services import demo, integrity
from services import users as users_service
from utils.errors import ApiError


def init_app(app):
    for command in (seed_demo, create_user, set_password, check_data, export_data, import_data):
        app.cli.add_command(command)


def _fail(message):
    raise click.ClickException(message)  # printed as "Error: ..." with exit status 1


def _describe(exc):
    details = "; ".join(f"{field} {problem}" for field, problem in (exc.errors or {}).items())
    return f"{exc.message}: {details}" if details else exc.message


@click.command("seed-demo")
@with_appcontext
def seed_demo():
    """Create the demo production in an empty data directory."""
    try:
        demo.seed_demo()
    except demo.NotEmptyError as exc:
        _fail(str(exc))
    click.echo("Demo production created: users producer, director, pm, crew, vfx, distribution.")


@click.command("create-user")
@with_appcontext
@click.option("--username", required=True)
@click.option("--name", required=True)
@click.option("--email", required=True)
@click.option("--role", required=True, help="Producer, Director, Production Manager, Crew, VFX or Distribution Manager")
@click.option("--password", help="Prompted for (hidden, confirmed) when absent.")
def create_user(username, name, email, role, password):
    """Create a user of any role."""
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    body = {"username": username, "name": name, "email": email, "role": role, "password": password}
    try:
        user = users_service.create_user(body)
    except ApiError as exc:
        _fail(_describe(exc))
    click.echo(f"Created user {user['username']} (id {user['id']}, {user['role']}).")


@click.command("set-password")
@with_appcontext
@click.option("--username", required=True)
@click.option("--password", help="Prompted for (hidden, confirmed) when absent.")
def set_password(username, password):
    """Set a user's password."""
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        users_service.set_password(username, password)
    except ApiError as exc:
        _fail(_describe(exc))
    click.echo(f"Password set for {username}.")


@click.command("check-data")
@with_appcontext
def check_data():
    """Validate every data file against its schema; exit 1 naming each broken file and record."""
    problems = integrity.check_all()
    if not problems:
        click.echo("All data files are sound.")
        return
    for problem in problems:
        click.echo(problem, err=True)
    _fail(f"{len(problems)} problem(s) found")


@click.command("export-data")
@with_appcontext
@click.argument("directory", type=click.Path(file_okay=False))
def export_data(directory):
    """Write the whole production as the JSON files the default backend keeps, into an empty DIR."""
    _transfer("export_data", directory, "Exported", "to")


@click.command("import-data")
@with_appcontext
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
def import_data(directory):
    """Load a production exported with export-data (or a data directory) into empty storage."""
    _transfer("import_data", directory, "Imported", "from")


def _transfer(action, directory, verb, preposition):
    """Run ``utils.storage.transfer.<action>`` between the store and ``directory`` and say what moved."""
    from utils.storage import transfer
    from utils.store import get_store

    try:
        counts = getattr(transfer, action)(get_store(), directory)
    except transfer.TransferError as exc:
        _fail(str(exc))
    click.echo(f"{verb} {counts['documents']} files ({counts['records']} records) and {counts['events']} events "
               f"{preposition} {directory}.")
