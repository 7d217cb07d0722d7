"""What every redshoes management command shares: bad input is one line on stderr and exit status 1.

argparse reports a bad option (an unknown `--kind`, a missing `--title`) with its usage
text and exit status 2; the README promises 1 and one line for any bad input, as a
`CommandError` gives.
"""

from django.core.management.base import BaseCommand


class OneLineUsageErrors:
    """Mix into a command: argparse's errors print one line and exit 1, like a `CommandError`."""

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        report_error = parser.error  # Django's: raises CommandError when called from code

        def one_line_error(message):
            if not parser.called_from_command_line:
                report_error(message)
            parser.exit(1, f"CommandError: {subcommand}: {message}\n")

        parser.error = one_line_error
        return parser


class TriviaCommand(OneLineUsageErrors, BaseCommand):
    """Base class of the trivia app's own commands."""
