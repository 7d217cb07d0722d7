import getpass
import sys

from django.core.management.base import CommandError

from trivia.management.base import TriviaCommand
from trivia.services.roles import EDITORS_GROUP, RolesError, create_editor


class Command(TriviaCommand):
    help = (
        f"Create an editor account: a staff user in the {EDITORS_GROUP!r} group. The password is prompted for "
        "(twice), or read from standard input with --password-stdin, never taken on the command line."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="Read the password from the first line of standard input (for scripts).",
        )

    def handle(self, *args, username, password_stdin, **options):
        password = self.read_password(password_stdin)
        try:
            user = create_editor(username, password)
        except RolesError as exc:
            raise CommandError(f"No account created. {exc}") from None
        self.stdout.write(self.style.SUCCESS(f"Created editor {user.get_username()!r} in the {EDITORS_GROUP} group."))

    def read_password(self, from_stdin: bool) -> str:
        if from_stdin:
            return sys.stdin.readline().rstrip("\r\n")
        if not sys.stdin.isatty():
            raise CommandError("No terminal to prompt for a password; pipe it in with --password-stdin.")
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ; no account created.")
        return password
